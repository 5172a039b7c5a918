"""Typed search results and the DuckDB join that fills them from FAISS ids.

``Hit`` is one image, ``StudyHit`` one study (study-to-study search, or image results
grouped by study). Both carry only de-identified fields: keyed pseudonyms, shifted dates
and de-identified report text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import duckdb

from bonesearch.search.excerpts import EXCERPT_CHARS, StudyReports, report_excerpt
from bonesearch.search.image_table import ImageTable

__all__ = ["EXCERPT_CHARS", "Hit", "StudyHit", "fused_hits", "image_rows", "report_excerpt", "study_rows"]


@dataclass
class Hit:
    """One ranked image."""

    rank: int  # 1-based
    score: float  # cosine similarity to the query
    image_id: int  # images.image_id (= FAISS id)
    study_id: int
    study_uid: str  # keyed pseudonym
    study_date: str | None  # ISO date, shifted
    body_part: str
    laterality: str
    view: str
    age_months: int | None
    sex: str
    excerpt: str  # one line of the de-identified report
    signals: dict[str, int] = field(default_factory=dict)  # fused search: the rank each signal gave it (why it is here)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class StudyHit:
    """One ranked study, shown by one of its images."""

    rank: int  # 1-based
    score: float  # cosine to the study vector, or the best image's score when grouping images
    study_id: int
    study_uid: str  # keyed pseudonym
    study_date: str | None  # ISO date, shifted
    body_part: str
    age_months: int | None
    sex: str
    images: int  # images the study holds
    image_id: int  # the best-matching image (grouped search) or the study's first image
    excerpt: str  # one line of the de-identified report

    def to_dict(self) -> dict:
        return asdict(self)


def image_rows(con: duckdb.DuckDBPyConnection, image_ids: set[int], reports: StudyReports,
               table: ImageTable | None = None) -> dict[int, Hit]:
    """Unranked hits (rank 0, score 0) for ``image_ids`` that are in the store, by image id, their
    excerpts through ``reports`` (header columns from ``table`` when given: one DuckDB query less)."""
    if table is not None:
        images = [(i, *columns) for i, columns in table.columns(image_ids).items()]
    else:
        images = _where_in(con, "SELECT image_id, study_id, body_part, laterality, view FROM images", "image_id",
                           image_ids)
    studies = _studies(con, {int(r[1]) for r in images})
    excerpts = reports.excerpts(con, set(studies))
    hits = {}
    for image_id, study_id, body_part, laterality, view in images:
        uid, date, study_part, age, sex = studies[int(study_id)]
        hits[int(image_id)] = Hit(
            rank=0, score=0.0, image_id=int(image_id), study_id=int(study_id), study_uid=uid, study_date=date,
            body_part=body_part or study_part or "", laterality=laterality or "", view=view or "", age_months=age,
            sex=sex or "", excerpt=excerpts.get(int(study_id), ""),
        )
    return hits


def study_rows(con: duckdb.DuckDBPyConnection, study_ids: set[int], reports: StudyReports) -> dict[int, StudyHit]:
    """Unranked study hits (rank 0, score 0, image_id = first image or -1) for ``study_ids``, by study id,
    their excerpts through ``reports``."""
    studies = _studies(con, study_ids)
    counts = {int(r[0]): (int(r[1]), int(r[2])) for r in _where_in(
        con, "SELECT study_id, count(*), min(image_id) FROM images", "study_id", set(studies), "GROUP BY study_id")}
    excerpts = reports.excerpts(con, set(studies))
    hits = {}
    for study_id, (uid, date, body_part, age, sex) in studies.items():
        images, first = counts.get(study_id, (0, -1))
        hits[study_id] = StudyHit(
            rank=0, score=0.0, study_id=study_id, study_uid=uid, study_date=date, body_part=body_part or "",
            age_months=age, sex=sex or "", images=images, image_id=first, excerpt=excerpts.get(study_id, ""),
        )
    return hits


def _where_in(con: duckdb.DuckDBPyConnection, select: str, column: str, ids: set[int], tail: str = "") -> list[tuple]:
    """Rows of ``select`` whose ``column`` is in ``ids`` (a few small queries beat one big join here)."""
    if not ids:
        return []
    return con.execute(f"{select} WHERE {column} IN (SELECT unnest(?::BIGINT[])) {tail}", [sorted(ids)]).fetchall()


def _studies(con: duckdb.DuckDBPyConnection, study_ids: set[int]) -> dict[int, tuple]:
    rows = _where_in(con, "SELECT study_id, study_uid, CAST(study_date AS VARCHAR), body_part, age_months, sex FROM studies",
                     "study_id", study_ids)
    return {int(r[0]): r[1:] for r in rows}


def fused_hits(con: duckdb.DuckDBPyConnection, fused: list, study_of: dict[int, int], k: int,
               by_study: bool, reports: StudyReports, table: ImageTable | None = None) -> list[Hit] | list[StudyHit]:
    """The first ``k`` images of a fused ranking (:class:`bonesearch.search.fusion.FusedImage`, best
    first) as hits with their signals' ranks, or the first ``k`` studies each shown by its best image."""
    if by_study:
        best: dict[int, object] = {}
        for f in fused:
            if f.image_id in study_of:
                best.setdefault(study_of[f.image_id], f)
        top = list(best.items())[:k]
        rows = study_rows(con, {study_id for study_id, _ in top}, reports)
        return [replace(rows[study_id], rank=rank, score=f.score, image_id=f.image_id)
                for rank, (study_id, f) in enumerate([t for t in top if t[0] in rows], 1)]
    rows = image_rows(con, {f.image_id for f in fused[:k]}, reports, table)
    found = [(f, rows[f.image_id]) for f in fused[:k] if f.image_id in rows]
    return [replace(row, rank=rank, score=f.score, signals=dict(f.ranks)) for rank, (f, row) in enumerate(found, 1)]
