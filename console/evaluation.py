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
