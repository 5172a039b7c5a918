"""Progress off a terminal: periodic plain lines instead of a silent job."""

from __future__ import annotations


def test_progress_lines_when_stderr_is_not_a_terminal() -> None:
    """A long job off a terminal prints a line per interval (count, share, elapsed, time left); a short one none."""
    from bonesearch.progress import LineProgress

    now, lines = [0.0], []
    handle = LineProgress("embed train (checkpoint)", 1000, interval=30, clock=lambda: now[0], write=lines.append)
    for _ in range(10):
        now[0] += 5
        handle(50)
    assert lines == ["embed train (checkpoint): 300/1,000 (30 %), 30 s elapsed, ~1 min 10 s left"]
    now[0] += 60
    handle(100)
    assert len(lines) == 2 and lines[-1].startswith("embed train (checkpoint): 600/1,000 (60 %), 1 min 50 s")
