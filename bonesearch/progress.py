"""Progress bars for batch jobs (rich), quiet when the output is not a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

Advance = Callable[[int], None]
console = Console(stderr=True)


@contextmanager
def progress_bar(description: str, total: int | None) -> Iterator[Advance]:
    """Yield ``advance(n)``; shows a bar with count, rate and ETA on a terminal."""
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False, disable=not console.is_terminal) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n=1: progress.advance(task, n)


def no_progress(n: int = 1) -> None:
    """An ``advance`` that does nothing (library calls without a bar)."""
