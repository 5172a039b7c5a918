"""Search results on the terminal: ranked images or studies, contact sheets, zero-shot probabilities.

Stored text (report excerpts, header fields) is shown as plain text with its control
characters and escape sequences replaced (:func:`bonesearch.safe_text.one_line`); JSON escapes them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from bonesearch.safe_text import one_line, safe_json
from console.streams import err, out

if TYPE_CHECKING:
    import numpy as np

    from bonesearch.search.contact_sheet import SheetSection
    from bonesearch.search.hits import Hit, StudyHit
    from bonesearch.store import Store

IMAGE_COLUMNS = (("image", 5), ("side", 4), ("view", 4), ("age", 4), ("sex", 3))
STUDY_COLUMNS = (("images", 6), ("best image", 10), ("age", 4), ("sex", 3))


#: below this many columns a terminal gets two lines per hit instead of a table
NARROW_COLUMNS = 120


def print_hits(hits: Sequence[Hit | StudyHit], as_json: bool, title: str) -> None:
    """Ranked images or studies: JSON; tab-separated lines when stdout is not a terminal (pipes,
    files: whole excerpts, one hit per line); on a terminal a table, or two lines per hit when it
    is narrower than :data:`NARROW_COLUMNS` (an 80-column terminal)."""
    from bonesearch.search.hits import StudyHit

    if as_json:
        print(safe_json([h.to_dict() for h in hits], indent=2))
        return
    studies = bool(hits) and isinstance(hits[0], StudyHit)
    why = any(getattr(h, "signals", None) for h in hits)  # a fused search: the ranks, not a cosine
    columns = (("#", 2), ("why", 13) if why else ("score", 5), ("study", 7), ("date", 10), ("body part", 9))
    columns += STUDY_COLUMNS if studies else IMAGE_COLUMNS
    rows = [_cells(h, why, studies) for h in hits]
    legend = "why: rank by the report's words (w), the report's vector (r), the image (i); b: the body part named"
    if not out.is_terminal:
        _print_lines(title, [c for c, _ in columns], rows, legend if why else None)
    elif out.width < NARROW_COLUMNS:
        _print_narrow(title, rows, legend if why else None)
    else:
        _print_table(title + (f"\n  {legend}" if why else ""), columns, rows)


def _cells(h: Hit | StudyHit, why: bool, studies: bool) -> list[str]:
    """One hit's cells in column order, the excerpt last; every cell one safe line."""
    age = f"{h.age_months // 12} y" if h.age_months is not None else ""
    head = [str(h.rank), _why(h.signals) if why else f"{h.score:.3f}", "…" + h.study_uid[-6:],
            h.study_date or "", h.body_part]
    tail = [str(h.images), str(h.image_id)] if studies else [str(h.image_id), h.laterality, h.view]
    return [one_line(cell) for cell in (*head, *tail, age, h.sex, h.excerpt)]


def _print_table(title: str, columns: Sequence[tuple[str, int]], rows: list[list[str]]) -> None:
    table = Table(title=title, title_justify="left")
    for column, width in columns:
        table.add_column(column, no_wrap=True, min_width=width)
    table.add_column("report excerpt", no_wrap=True, overflow="ellipsis", max_width=56)
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    out.print(table)


def _print_narrow(title: str, rows: list[list[str]], legend: str | None) -> None:
    """Two lines per hit: its fields, then its excerpt cut to the terminal's width."""
    out.print(Text(title, style="bold"))
    if legend:
        out.print(Text(legend, style="dim"), overflow="fold")
    width = max(20, out.width - 5)
    for row in rows:
        fields, excerpt = [c for c in row[:-1] if c], row[-1]
        out.print(Text(f"{fields[0]:>3} " + "  ".join(fields[1:])), overflow="ellipsis", no_wrap=True)
        if excerpt:
            cut = excerpt if len(excerpt) <= width else excerpt[:width - 1] + "…"
            out.print(Text(f"    {cut}", style="dim"), no_wrap=True)


def _print_lines(title: str, header: list[str], rows: list[list[str]], legend: str | None) -> None:
    """Tab-separated: a ``#`` comment line with the title, the column names, then one line per hit."""
    import sys

    write = sys.stdout.write
    write(f"# {one_line(title)}\n" + (f"# {legend}\n" if legend else ""))
    names = ["rank" if name == "#" else name for name in [*header, "report excerpt"]]
    write("\t".join(name.replace(" ", "_") for name in names) + "\n")
    for row in rows:
        write("\t".join(cell.replace("\t", " ") for cell in row) + "\n")
    sys.stdout.flush()


SIGNAL_LETTERS = {"lexical": "w", "report": "r", "image": "i", "anatomy": "b"}


def _why(signals: dict[str, int]) -> str:
    """« w1 r3 i12 b »: the rank each signal gave a hit (report words, report vector, image; ranks past
    99 show as « + »: found, far down) and « b » when its body part is the one the query names."""
    return " ".join("b" if name == "anatomy" else f"{SIGNAL_LETTERS[name]}{signals[name] if signals[name] < 100 else '+'}"
                    for name in SIGNAL_LETTERS if name in signals)


def print_query_results(store: Store, sections: Sequence[SheetSection], group_by: str, each_ms: float, *,
                        as_json: bool, html: Path | None, listed: bool) -> None:
    """`bonesearch query`'s answer: one table per query (``listed``: JSON as [{query, hits}]), and the sheet."""
    unit = "studies" if group_by == "study" else "images"
    titles = [f"« {escape(one_line(s.query))} » — top {len(s.hits)} {unit} in {each_ms:.0f} ms" for s in sections]
    _print_sections(store, sections, titles, as_json=as_json, html=html, listed=listed)


def print_similar_results(store: Store, section: SheetSection, label: str, unit: str, *, as_json: bool,
                          html: Path | None) -> None:
    """`bonesearch similar`'s answer: the images or studies most similar to ``label``, and the sheet."""
    title = f"similar to {escape(one_line(label))} — top {len(section.hits)} {unit}"
    _print_sections(store, [section], [title], as_json=as_json, html=html, listed=False)


def _print_sections(store: Store, sections: Sequence[SheetSection], titles: list[str], *, as_json: bool,
                    html: Path | None, listed: bool) -> None:
    """Print each section (``listed``: JSON as [{query, hits}]), then write the contact sheet."""
    from bonesearch.search.contact_sheet import write_contact_sheet

    if as_json and listed:
        print(safe_json([{"query": s.query, "hits": [h.to_dict() for h in s.hits]} for s in sections], indent=2))
    else:
        for section, title in zip(sections, titles):
            print_hits(section.hits, as_json, title)
    if any(s.where and not s.hits for s in sections):
        err.print(f"[yellow]no image matches --where {escape(one_line(sections[0].where))}[/] (values are as stored: "
                  f"body_part 'WRIST', sex 'F'/'M', dates as DATE '2020-01-31')")
    if html is not None:
        write_contact_sheet(html, store, sections)
        err.print(f"contact sheet → {escape(one_line(str(html)))}")


def print_zero_shot(images: Sequence[Path], labels: list[str], probabilities: np.ndarray, as_json: bool) -> None:
    """Each image's probability per label and its most probable label, as a table or JSON."""
    best = [labels[int(p.argmax())] for p in probabilities]
    if as_json:
        rows = [{"image": str(path), "label": label, "probabilities": dict(zip(labels, map(float, p)))}
                for path, label, p in zip(images, best, probabilities)]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("image", *labels, "label", title="zero-shot classification", title_justify="left")
    for path, label, p in zip(images, best, probabilities):
        table.add_row(escape(path.name), *(f"{x:.3f}" for x in p), escape(label))
    out.print(table)
