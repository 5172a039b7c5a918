"""Turning the engine's hits and the store's rows into the API's de-identified shapes.

Stored text passes through :mod:`bonesearch.safe_text` on the way out: control characters,
escape sequences and bidirectional overrides a hospital system left in a report or a header
are replaced one for one (so the excerpt's marks still fall on the query's words); the full
report keeps its line breaks."""

from __future__ import annotations

import duckdb

from bonesearch.search.hits import Hit, StudyHit
from bonesearch.safe_text import multi_line, one_line
from bonesearch.web.highlight import term_spans
from bonesearch.web.schemas import Page, Result, ResultPage, StudyDetail, StudyImage, StudyReport

__all__ = ["result_page", "study_detail", "thumbnail_url"]


def thumbnail_url(image_id: int | None) -> str | None:
    """The API path of an image's cached picture (None for no image)."""
    return f"/api/images/{image_id}/thumbnail" if image_id is not None and image_id >= 0 else None


def _line(text: str | None) -> str | None:
    return None if text is None else one_line(text)


def _text(text: str | None) -> str | None:
    return None if text is None else multi_line(text)


def _result(hit: Hit | StudyHit, query: str | None) -> Result:
    study = isinstance(hit, StudyHit)
    excerpt = one_line(hit.excerpt)
    return Result(
        rank=hit.rank, score=round(hit.score, 4), image_id=hit.image_id, study_uid=one_line(hit.study_uid),
        study_date=_line(hit.study_date), body_part=one_line(hit.body_part), age_months=hit.age_months,
        sex=one_line(hit.sex), laterality=None if study else _line(hit.laterality),
        view=None if study else _line(hit.view), images=hit.images if study else None, excerpt=excerpt,
        marks=term_spans(excerpt, query) if query else [], thumbnail=thumbnail_url(hit.image_id),
        signals=dict(getattr(hit, "signals", {}) or {}),
    )


def result_page(hits: list[Hit] | list[StudyHit], paging: Page, took_ms: float, query: str | None = None) -> ResultPage:
    """Page ``paging`` of ``hits`` (the engine was asked for one more than the page's end,
    so ``has_more`` is exact)."""
    start, end = (paging.page - 1) * paging.per_page, paging.page * paging.per_page
    studies = bool(hits) and isinstance(hits[0], StudyHit)
    return ResultPage(kind="studies" if studies else "images", page=paging.page, per_page=paging.per_page,
                      has_more=len(hits) > end, took_ms=round(took_ms, 1),
                      results=[_result(hit, query) for hit in hits[start:end]])


def study_detail(con: duckdb.DuckDBPyConnection, study_uid: str) -> StudyDetail | None:
    """A study's images and reports by its pseudonymised UID, or None when the store has no such study."""
    row = con.execute("SELECT study_id, study_uid, CAST(study_date AS VARCHAR), modality, body_part, age_months, sex "
                      "FROM studies WHERE study_uid = ?", [study_uid]).fetchone()
    if row is None:
        return None
    study_id = row[0]
    images = con.execute("SELECT image_id, body_part, view, laterality FROM images WHERE study_id = ? "
                         "ORDER BY image_id", [study_id]).fetchall()
    reports = con.execute("SELECT CAST(report_date AS VARCHAR), indication, technique, findings, conclusion, text "
                          "FROM reports WHERE study_id = ? ORDER BY report_id", [study_id]).fetchall()
    return StudyDetail(
        study_uid=one_line(row[1]), study_date=_line(row[2]), modality=_line(row[3]), body_part=_line(row[4]),
        age_months=row[5], sex=_line(row[6]),
        images=[StudyImage(image_id=i, body_part=_line(b), view=_line(v), laterality=_line(lat), thumbnail=thumbnail_url(i))
                for i, b, v, lat in images],
        reports=[StudyReport(report_date=_line(d), indication=_text(ind), technique=_text(t), findings=_text(f),
                             conclusion=_text(c), text=_text(x) or "")
                 for d, ind, t, f, c, x in reports],
    )
