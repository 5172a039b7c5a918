"""Progress bars for batch jobs (rich on stderr), silent when stderr is not a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn

Advance = Callable[[int], None]
console = Console(stderr=True)


class ProgressHandle:
    """``handle(n)`` advances the bar by n; ``handle.set_total(n)`` fixes its length once known."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress, self._task = progress, task

    def __call__(self, n: int = 1) -> None:
        self._progress.advance(self._task, n)

    def set_total(self, total: int) -> None:
        self._progress.update(self._task, total=total)


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[ProgressHandle]:
    """A bar with count, elapsed time and ETA; yields a :class:`ProgressHandle`."""
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, disable=not console.is_terminal) as progress:
        yield ProgressHandle(progress, progress.add_task(description, total=total))


def no_progress(n: int = 1) -> None:
    """An ``advance`` that does nothing (library calls without a bar)."""
