"""Progress for batch jobs on stderr: a rich bar on a terminal; elsewhere (a log file, nohup, CI) a
plain line every :data:`LINE_INTERVAL_S` seconds, so a long job never looks dead."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn

Advance = Callable[[int], None]
console = Console(stderr=True)
#: seconds between two progress lines when stderr is not a terminal (none for a shorter job)
LINE_INTERVAL_S = 30.0


class ProgressHandle:
    """``handle(n)`` advances the bar by n; ``handle.set_total(n)`` fixes its length once known."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress, self._task = progress, task

    def __call__(self, n: int = 1) -> None:
        self._progress.advance(self._task, n)

    def set_total(self, total: int) -> None:
        self._progress.update(self._task, total=total)


class LineProgress:
    """The same handle as :class:`ProgressHandle`, printing « description: done/total (pct), elapsed,
    ~remaining » at most every ``interval`` seconds."""

    def __init__(self, description: str, total: int | None, interval: float = LINE_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic, write: Callable[[str], None] | None = None) -> None:
        self.description, self.total, self.interval, self.clock = description, total, interval, clock
        self.write = write or (lambda line: console.file.write(line + "\n") or console.file.flush())
        self.done = 0
        self.start = self.last = clock()

    def __call__(self, n: int = 1) -> None:
        self.done += n
        now = self.clock()
        if now - self.last >= self.interval:
            self.last = now
            self.write(self.line(now))

    def set_total(self, total: int) -> None:
        self.total = total

    def line(self, now: float) -> str:
        """The progress line at ``now``."""
        elapsed = now - self.start
        text = f"{self.description}: {self.done:,}"
        if self.total:
            text += f"/{self.total:,} ({100 * self.done / self.total:.0f} %)"
        text += f", {_duration(elapsed)} elapsed"
        if self.total and self.done:
            text += f", ~{_duration(elapsed * (self.total - self.done) / self.done)} left"
        return text


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[ProgressHandle | LineProgress]:
    """A bar with count, elapsed time and ETA on a terminal, periodic lines elsewhere; yields the
    handle to advance."""
    if not console.is_terminal:
        yield LineProgress(description, total)
        return
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as progress:
        yield ProgressHandle(progress, progress.add_task(description, total=total))


def no_progress(n: int = 1) -> None:
    """An ``advance`` that does nothing (library calls without a bar)."""
