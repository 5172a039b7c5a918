"""``--html OUT.html``: a self-contained contact sheet of search results.

One HTML file a radiologist opens in any browser, offline: for each query a grid of
cards, each with the cached radiograph (embedded as a base64 PNG), rank, score, shifted
date, body part, view, age, sex and a report excerpt. No script, no stylesheet or font
from elsewhere: nothing in the file points outside it. Stored text is HTML-escaped, and its
control characters and escape sequences replaced (:func:`bonesearch.safe_text.one_line`).
"""

from __future__ import annotations

import base64
import html
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bonesearch.search.hits import Hit, StudyHit
from bonesearch.safe_text import one_line
from bonesearch.store import Store
from bonesearch.imaging.thumbnails import pixel_files

__all__ = ["SheetSection", "contact_sheet_html", "write_contact_sheet"]

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; background: #f4f4f4; color: #222; }
h1 { font-size: 1.3rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
.filter { color: #555; font-size: .9rem; margin: -.5rem 0 .8rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 1rem; }
.card { background: #fff; border-radius: 6px; padding: .6rem; box-shadow: 0 1px 3px #0002; font-size: .85rem; }
.card img, .card .missing { width: 100%; aspect-ratio: 1; background: #000; display: block; border-radius: 3px; }
.card .missing { color: #aaa; display: flex; align-items: center; justify-content: center; }
.meta { margin: .4rem 0 .2rem; font-weight: 600; } .sub { color: #555; }
.excerpt { margin-top: .3rem; font-style: italic; } .empty { color: #777; }
footer { margin-top: 2rem; color: #777; font-size: .8rem; }
"""


@dataclass
class SheetSection:
    """One query and its ranked results."""

    query: str  # what was asked: the French text, or "similar to …"
    hits: Sequence[Hit | StudyHit]
    where: str | None = None  # the SQL filter, shown under the query


def contact_sheet_html(store: Store, sections: Sequence[SheetSection], title: str = "bonesearch — résultats") -> str:
    """The contact sheet as one HTML string (thumbnails read from the store's pixel cache)."""
    wanted = {hit.image_id for section in sections for hit in section.hits if hit.image_id >= 0}
    thumbnails = _thumbnails(store, wanted)
    parts = [
        "<!DOCTYPE html>", '<html lang="fr"><head><meta charset="utf-8">',
        f"<title>{_esc(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_esc(title)}</h1>",
    ]
    for section in sections:
        parts.append(f"<h2>« {_esc(section.query)} » — {len(section.hits)} résultats</h2>")
        if section.where:
            parts.append(f'<p class="filter">filtre : <code>{_esc(section.where)}</code></p>')
        if not section.hits:
            parts.append('<p class="empty">aucun résultat</p>')
            continue
        parts.append('<div class="grid">')
        parts.extend(_card(hit, thumbnails.get(hit.image_id)) for hit in section.hits)
        parts.append("</div>")
    parts.append(f"<footer>store {_esc(store.path.name)} (dé-identifié) · score = similarité cosinus · "
                 f"dates décalées par patient</footer></body></html>")
    return "\n".join(parts)


def write_contact_sheet(path: Path, store: Store, sections: Sequence[SheetSection],
                        title: str = "bonesearch — résultats") -> Path:
    """Write the contact sheet to ``path`` atomically (temp file, then rename); returns ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(contact_sheet_html(store, sections, title), encoding="utf-8")
    os.replace(tmp, path)
    return path


def _thumbnails(store: Store, image_ids: set[int]) -> dict[int, str]:
    """``data:`` URIs of the cached PNGs of ``image_ids`` (absent when the file is missing)."""
    return {image_id: "data:image/png;base64," + base64.b64encode(file.read_bytes()).decode("ascii")
            for image_id, file in pixel_files(store, image_ids).items()}


def _esc(text: str | None) -> str:
    """``text`` for HTML: escaped, without control characters."""
    return html.escape(one_line(text))


def _card(hit: Hit | StudyHit, uri: str | None) -> str:
    esc = _esc
    picture = (f'<img src="{uri}" alt="image {hit.image_id}">' if uri
               else '<div class="missing">image absente du cache</div>')
    age = f"{hit.age_months // 12} ans" if hit.age_months is not None else "âge ?"
    if isinstance(hit, StudyHit):
        detail = f"{hit.images} image{'s' if hit.images != 1 else ''} · {age} · {esc(hit.sex or '?')}"
    else:
        detail = " · ".join(x for x in (esc(hit.view), esc(hit.laterality), age, esc(hit.sex or "?")) if x)
    return (
        f'<div class="card">{picture}'
        f'<div class="meta">#{hit.rank} · {hit.score:.3f} · {esc(hit.body_part or "?")}</div>'
        f'<div class="sub">{esc(hit.study_date or "date ?")} · {detail}</div>'
        f'<div class="sub" title="{esc(hit.study_uid)}">étude …{esc(hit.study_uid[-8:])} · image {hit.image_id}</div>'
        f'<div class="excerpt">{esc(hit.excerpt) or "(pas de compte rendu)"}</div></div>'
    )
