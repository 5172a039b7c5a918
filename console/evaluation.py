"""`bonesearch eval knn`: the metrics table (or JSON), where the outputs went, and notes on stderr."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from console.streams import err, out

if TYPE_CHECKING:
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
