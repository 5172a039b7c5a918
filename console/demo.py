"""`bonesearch demo`: a heading and summary after each stage, then the retrieval table and its means.

The lines ``demo chance mean P@10:``, ``demo image-only mean P@10:`` and (last) ``demo retrieval
mean P@10:`` (the default search: hybrid) are read by scripts and tests: keep their wording.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from console.jobs import print_ingest_summary, print_train_summary
from console.search import print_hits
from console.streams import out
from pipelines.demo import EXAMPLE_K, EXAMPLE_QUERY

if TYPE_CHECKING:
    from pipelines.demo import DemoSummary


def print_demo_stage(stage: str, summary: DemoSummary) -> None:
    """What the stage that just finished (archive, ingest, pretrain or index) produced."""
    if stage == "archive":
        archive = summary.archive
        out.print(f"[bold]1/5 archive[/]: {archive.studies} studies, {archive.images} images, {archive.reports} "
                  f"reports ({summary.seconds['archive']:.1f} s)")
    elif stage == "ingest":
        out.print("[bold]2/5 ingest[/]:")
        print_ingest_summary(summary.ingest, summary.store)
    elif stage == "pretrain":
        out.print("[bold]3/5 pretrain[/]:")
        print_train_summary(summary.train)
    elif stage == "index":
        index = summary.index
        out.print(f"[bold]4/5 index[/]: {index.images} images, {index.images_per_second:.1f} images/s")


def print_demo_result(summary: DemoSummary) -> None:
    """The example query's hits, P@10 per query class on the held-out studies, stage times and the means."""
    report, image = summary.retrieval, summary.retrieval_image
    print_hits(summary.example, False, f"« {EXAMPLE_QUERY} » — top {EXAMPLE_K}")
    table = Table("query", "relevant / pool", "chance", "P@10", "image only", title="5/5 held-out text→image "
                  "retrieval (P@10: the default search, hybrid when the store has reports)", title_justify="left")
    for c, alone in zip(report.classes, image.classes if image else [None] * len(report.classes)):
        table.add_row(c.query, f"{c.relevant} / {c.pool}", f"{c.chance:.2f}",
                      f"{c.precision:.2f}" if c.precision is not None else f"— (< {report.k} relevant)",
                      f"{alone.precision:.2f}" if alone is not None and alone.precision is not None else "—")
    out.print(table)
    seconds = summary.seconds
    out.print("stage times: " + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items())
              + f"; total {sum(seconds.values()):.1f} s")
    out.print(f"demo chance mean P@10: {report.mean_chance:.2f}")
    if image is not None:
        out.print(f"demo image-only mean P@10: {image.mean_precision:.2f}")
    out.print(f"demo retrieval mean P@10: {report.mean_precision:.2f}")
