"""Search results in the three layouts: a table on a wide terminal, two lines per hit that fit an
80-column terminal, and tab-separated lines (whole excerpts, no box drawing) when piped."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

import console.search as view
from bonesearch.search.hits import Hit

EXCERPT = "Fracture extra-articulaire du radius distal avec bascule postérieure, " * 3 + "fin."


def _hits(n: int = 3) -> list[Hit]:
    return [Hit(rank=i + 1, score=0.5 - i / 10, image_id=731 + i, study_id=i, study_uid=f"2.25.{i}1234567",
                study_date="2022-10-01", body_part="WRIST", laterality="R", view="LAT", age_months=950, sex="M",
                excerpt=EXCERPT + "\x1b[2J\tX", signals={"lexical": 6, "report": 1, "image": 120, "anatomy": 1})
            for i in range(n)]


def _render(monkeypatch, width: int | None, terminal: bool) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width or 200, force_terminal=terminal, color_system=None, highlight=False)
    monkeypatch.setattr(view, "out", console)
    if not terminal:
        monkeypatch.setattr("sys.stdout", buffer)
    view.print_hits(_hits(), False, "« fracture du radius distal » — top 3 images")
    return buffer.getvalue()


def test_an_80_column_terminal_gets_lines_that_fit(monkeypatch) -> None:
    text = _render(monkeypatch, 80, terminal=True)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80, [line for line in lines if len(line) > 80]
    for field in ("731", "WRIST", "R", "LAT", "79 y", "M", "w6 r1 i+ b", "…234567"):
        assert field in text, field
    assert "Fracture extra-articulaire" in text and "…" in text and "\x1b[2J" not in text


def test_a_wide_terminal_gets_the_table(monkeypatch) -> None:
    text = _render(monkeypatch, 200, terminal=True)
    assert "report excerpt" in text and "┃" in text


@pytest.mark.parametrize("width", [80, 200])
def test_a_pipe_gets_one_tab_separated_line_per_hit(monkeypatch, width) -> None:
    lines = _render(monkeypatch, width, terminal=False).splitlines()
    assert lines[0].startswith("# « fracture") and lines[1].startswith("# why:")
    header, rows = lines[2].split("\t"), [line.split("\t") for line in lines[3:]]
    assert header[0] == "rank" and header[-1] == "report_excerpt" and len(rows) == 3
    assert all(len(row) == len(header) for row in rows)
    assert rows[0][-1].startswith(EXCERPT.strip()) and "\x1b" not in "".join(lines)  # whole, escapes replaced
    assert not any(ch in "".join(lines) for ch in "┃│━")
