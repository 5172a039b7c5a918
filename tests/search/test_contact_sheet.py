"""The HTML contact sheet: self-contained (thumbnails embedded, nothing external), escaped."""

from __future__ import annotations

import base64
import re
from dataclasses import replace

import pytest

from bonesearch.search.contact_sheet import SheetSection, contact_sheet_html, write_contact_sheet
from bonesearch.search.excerpts import StudyReports
from bonesearch.search.hits import Hit, StudyHit, image_rows, study_rows
from tests.search_store import opened_store_rows


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with opened_store_rows(tmp_path_factory.mktemp("sheet") / "store", studies=6, seed=5) as pair:
        yield pair


def _hits(opened, rows, n=4) -> list[Hit]:
    by_id = image_rows(opened.con, {r[0] for r in rows.images[:n]}, StudyReports.read(opened.con, opened.report_keys))
    return [replace(by_id[r[0]], rank=rank, score=0.9 - rank / 10) for rank, r in enumerate(rows.images[:n], 1)]


def test_thumbnails_are_the_cached_pngs_embedded(store):
    opened, rows = store
    hits = _hits(opened, rows)
    html = contact_sheet_html(opened, [SheetSection("fracture du radius distal", hits)])
    uris = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(uris) == len(hits)
    for hit, uri in zip(hits, uris):
        assert base64.b64decode(uri) == (opened.path / "pixels" / f"{hit.image_id}.png").read_bytes()


def test_cards_show_score_date_body_part_and_excerpt(store):
    opened, rows = store
    hits = _hits(opened, rows, 2)
    html = contact_sheet_html(opened, [SheetSection("gonarthrose", hits, where="sex = 'F'")])
    for hit in hits:
        assert f"{hit.score:.3f}" in html and hit.study_date in html and hit.body_part in html
        assert hit.excerpt.replace("'", "&#x27;") in html
    assert "« gonarthrose »" in html and "sex = &#x27;F&#x27;" in html


def test_nothing_points_outside_the_file(store):
    opened, rows = store
    html = contact_sheet_html(opened, [SheetSection("luxation", _hits(opened, rows))])
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:)""", html)
    for marker in ("http://", "https://", "<script", "<link", "@import", "url("):
        assert marker not in html


def test_text_is_escaped(store):
    opened, rows = store
    hit = _hits(opened, rows, 1)[0]
    hit.excerpt = "<img src=x onerror=alert(1)>"
    html = contact_sheet_html(opened, [SheetSection("<script>alert(1)</script>", [hit])])
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html


def test_study_hits_missing_pixels_and_empty_sections(store, tmp_path):
    opened, rows = store
    studies = study_rows(opened.con, set(rows.studies), StudyReports.read(opened.con, opened.report_keys))
    hits: list[StudyHit] = [studies[s] for s in sorted(studies)][:2]
    hits[0].rank, hits[1].rank, hits[1].image_id = 1, 2, 987654  # an image not in the cache
    out = write_contact_sheet(tmp_path / "out" / "sheet.html", opened,
                              [SheetSection("similaire à l'étude", hits), SheetSection("rien", [])])
    html = out.read_text(encoding="utf-8")
    assert f"{hits[0].images} image" in html and "image absente du cache" in html and "aucun résultat" in html
    assert html.count("data:image/png;base64,") == 1
    assert [p.name for p in out.parent.iterdir()] == ["sheet.html"]  # no temp file left
