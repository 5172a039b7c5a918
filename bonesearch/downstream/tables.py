"""Outputs of ``bonesearch eval``: the result JSON, a rich table, a markdown table, a label-efficiency plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.table import Table

__all__ = ["rich_table", "markdown_table", "write_outputs", "format_metric", "headline_metric"]

_SHORT = {"accuracy": "acc", "balanced_accuracy": "bal. acc", "macro_f1": "macro F1", "auroc_ovr": "AUROC",
          "cohen_kappa": "κ", "qwk": "QWK", "mae": "MAE"}


def headline_metric(result: dict[str, Any]) -> str:
    """The metric plotted and quoted first: MAE for regression, accuracy otherwise."""
    return "mae" if result["kind"] == "regression" else "accuracy"


def _metric_names(result: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for row in result["rows"]:
        names += [n for n in row["metrics"] if n not in names]
    return names


def format_metric(entry: dict[str, Any] | None, digits: int = 3) -> str:
    """``mean ± std [ci low, ci high]`` (std only over several draws, CI only when computed)."""
    if entry is None or entry.get("mean") is None:
        return "—"
    text = f"{entry['mean']:.{digits}f}"
    if entry.get("std"):
        text += f" ± {entry['std']:.{digits}f}"
    if "ci95" in entry:
        low, high = entry["ci95"]
        text += f" [{low:.{digits}f}, {high:.{digits}f}]"
    return text


def _cells(result: dict[str, Any], row: dict[str, Any]) -> list[str]:
    digits = 2 if result["kind"] == "regression" else 3
    return [row["encoder"], row["protocol"], "—" if row["k"] is None else str(row["k"]),
            f"{row['label_fraction']:.0%} ({row['n_train']})"] + \
        [format_metric(row["metrics"].get(n), digits) for n in _metric_names(result)]


def _title(result: dict[str, Any]) -> str:
    return (f"{result['task']}: train {result['train']['items']} items ({result['train']['source']}), "
            f"test {result['test']['items']} ({result['test']['source']})")


def rich_table(result: dict[str, Any]) -> Table:
    """All rows of ``result`` as a rich table (mean ± std over label draws [bootstrap 95 % CI])."""
    table = Table("encoder", "protocol", "k", "labels", *[_SHORT.get(n, n) for n in _metric_names(result)],
                  title=_title(result), title_justify="left",
                  caption="mean ± std over label draws [bootstrap 95 % CI of the test items]", caption_justify="left")
    for row in result["rows"]:
        table.add_row(*_cells(result, row))
    return table


def markdown_table(result: dict[str, Any]) -> str:
    """All rows of ``result`` as a GitHub markdown table, with a title line and the encoders' fingerprints."""
    header = ["encoder", "protocol", "k", "labels"] + [_SHORT.get(n, n) for n in _metric_names(result)]
    lines = [f"**{_title(result)}**", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cells(result, row)) + " |" for row in result["rows"]]
    lines += ["", "mean ± std over label draws [bootstrap 95 % CI of the test items]; encoders: "
              + ", ".join(f"{name} `{fp}`" for name, fp in result["encoders"].items())]
    return "\n".join(lines) + "\n"


def write_outputs(result: dict[str, Any], out_dir: Path) -> list[str]:
    """Write ``result.json``, ``table.md`` and (with matplotlib) ``label_efficiency.png`` into ``out_dir``.

    Returns notes for the user (e.g. that the plot was skipped and why).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "result.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out_dir / "table.md").write_text(markdown_table(result), encoding="utf-8")
    try:
        import matplotlib
    except ImportError:
        return ["matplotlib is not installed: label_efficiency.png skipped (pip install matplotlib to get it)"]
    matplotlib.use("Agg")
    _plot(result, out_dir / "label_efficiency.png")
    return []


def _plot(result: dict[str, Any], path: Path) -> None:
    """Metric against the label fraction (log scale), one line per encoder × protocol at the headline k,
    the baselines dashed: MAE for regression; accuracy and, beside it, balanced accuracy for
    classification (on imbalanced grades a constant predictor has a high accuracy, not a high
    balanced accuracy)."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    metrics = ["mae"] if result["kind"] == "regression" else ["accuracy", "balanced_accuracy"]
    k = result["config"]["headline_k"]
    fig, axes = plt.subplots(1, len(metrics), figsize=(6.5 * len(metrics), 4.2), dpi=120, squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        lines: dict[str, list[tuple[float, float, float]]] = {}
        for row in result["rows"]:
            entry = row["metrics"].get(metric)
            if entry is None or entry["mean"] is None or row["k"] not in (None, k) or row["label_fraction"] <= 0:
                continue  # zero-shot rows (no labels) have no place on a log axis: they are in the table
            label = f"{row['encoder']} {row['protocol']}" + ("" if row["k"] is None else f" k={row['k']}")
            lines.setdefault(label, []).append((row["label_fraction"], entry["mean"], entry["std"] or 0.0))
        for label, points in lines.items():
            points.sort()
            ax.errorbar([p[0] * 100 for p in points], [p[1] for p in points], yerr=[p[2] for p in points],
                        marker="o", capsize=3, label=label, linestyle="--" if label.startswith("baseline ") else "-")
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.set_xlabel("training labels used (%)")
        ax.set_ylabel(_SHORT.get(metric, metric) + (" (months)" if metric == "mae" else ""))
        ax.set_title(f"{result['task']}: label efficiency, {_SHORT.get(metric, metric)}", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
