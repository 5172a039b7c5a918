"""`bonesearch eval knn | search | report-probe | similar`: the metrics table (or JSON), where the outputs went, and
notes on stderr."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from console.streams import err, out

if TYPE_CHECKING:
    from bonesearch.downstream.report_probe import ReportProbe
    from bonesearch.downstream.similar_cases import SimilarCases
    from pipelines.knn_evaluation import KnnEvaluation
    from pipelines.search_evaluation import SearchEvaluation


def print_knn_evaluation(evaluation: KnnEvaluation, as_json: bool, out_dir: Path | None) -> None:
    """Every protocol's rows as a rich table or JSON; the notes go to stderr."""
    from bonesearch.downstream.tables import rich_table

    if as_json:
        typer.echo(json.dumps(evaluation.result, indent=2, ensure_ascii=False))
    else:
        out.print(rich_table(evaluation.result))
        if out_dir is not None:
            out.print(f"wrote {out_dir / 'result.json'} and {out_dir / 'table.md'}")
    for note in evaluation.notes:
        err.print(f"[yellow]note:[/] {escape(note)}")


def _cell(estimate) -> str:
    return "–" if not estimate.n else f"{estimate.mean:.3f} [{estimate.low:.2f}, {estimate.high:.2f}]"


def print_search_evaluation(evaluation: SearchEvaluation, as_json: bool, k: int, depth: int) -> None:
    """P@k (body part + finding, and strict), nDCG@k and recall@depth per mode and query style, with 95 % CIs."""
    from dataclasses import asdict

    from rich.table import Table

    if as_json:
        typer.echo(json.dumps({"pool": evaluation.pool, "queries": evaluation.queries, "k": k, "depth": depth,
                               "summary": {mode: {group: {m: asdict(e) for m, e in metrics.items()}
                                                  for group, metrics in groups.items()}
                                           for mode, groups in evaluation.summary.items()},
                               "per_query": [asdict(s) for s in evaluation.scores], "notes": evaluation.notes},
                              indent=2, ensure_ascii=False))
    else:
        table = Table(title=f"text search on {evaluation.pool} labelled images ({evaluation.queries} queries)")
        for column in ("mode", "queries", "n", f"P@{k}", f"P@{k} strict", f"nDCG@{k}", f"recall@{depth}"):
            table.add_column(column)
        for mode, groups in evaluation.summary.items():
            for group, metrics in groups.items():
                table.add_row(mode, group, str(metrics["precision"].n), _cell(metrics["precision"]),
                              _cell(metrics["strict_precision"]), _cell(metrics["ndcg"]), _cell(metrics["recall"]))
        out.print(table)
    for note in evaluation.notes:
        err.print(f"[yellow]note:[/] {escape(note)}")


def print_report_probe(probe: ReportProbe, as_json: bool) -> None:
    """Per finding word: positives, held-out ROC AUC overall and within body part; the means last."""
    from dataclasses import asdict

    from rich.table import Table

    if as_json:
        typer.echo(json.dumps({"train_images": probe.train_images, "test_images": probe.test_images,
                               "mean_auc": probe.mean_auc, "mean_auc_within_part": probe.mean_auc_within_part,
                               "terms": [asdict(t) for t in probe.terms], "notes": probe.notes},
                              indent=2, ensure_ascii=False))
    else:
        table = Table(title=f"finding words of the reports, read from the image embeddings ({probe.train_images} "
                            f"training / {probe.test_images} held-out images)")
        for column in ("finding word", "affirmed (train / held-out)", "AUC", "AUC within body part"):
            table.add_column(column)
        for t in probe.terms:
            within = "—" if t.auc_within_part is None else f"{t.auc_within_part:.2f}"
            table.add_row(escape(t.word), f"{t.train_positives} / {t.test_positives}", f"{t.auc:.2f}", within)
        if probe.terms:
            within = probe.mean_auc_within_part
            table.add_row("[bold]mean[/]", "", f"[bold]{probe.mean_auc:.2f}[/]",
                          "—" if within is None else f"[bold]{within:.2f}[/]")
        out.print(table)
        out.print("AUC 0.5 is chance. Within body part, anatomy alone scores about 0.5: above it, the encoder "
                  "sees the finding itself.")
    for note in probe.notes:
        err.print(f"[yellow]note:[/] {escape(note)}")


def print_similar_cases(result: SimilarCases, as_json: bool) -> None:
    """Same body part, same body part and finding (beside chance), and same finding per query finding."""
    from dataclasses import asdict

    from rich.table import Table

    if as_json:
        typer.echo(json.dumps(asdict(result), indent=2, ensure_ascii=False))
    else:
        n = result.same_part.n
        table = Table(title=f"similar cases: the {result.k} nearest images of other studies, {n} query images, "
                            f"{result.pool} labelled images")
        for column in ("among the nearest", "queries", "share [95 % CI]", "chance"):
            table.add_column(column)
        table.add_row("same body part", str(n), _cell(result.same_part), "")
        table.add_row("[bold]same body part and finding[/]", str(n), f"[bold]{_cell(result.same_part_and_finding)}[/]",
                      f"{result.chance.mean:.3f}")
        for finding, estimate in result.by_finding.items():
            table.add_row(f"  same finding, query {escape(finding)}", str(estimate.n), _cell(estimate), "")
        out.print(table)
        out.print("Chance: the share of the other studies' images of the query's body part with its finding — "
                  "what an encoder that knows only anatomy scores.")
    for note in result.notes:
        err.print(f"[yellow]note:[/] {escape(note)}")
