"""The study-level signals of a text query, and the images they bring in.

:class:`StudySignals` ranks studies by the query's similarity to their report vectors (the
store's ``reports`` index) and, when the store has one, by the query's words in their report
text (:mod:`bonesearch.index.lexical`); :func:`candidate_images` lists each ranked study's
images ordered by their own similarity to the query, for :func:`bonesearch.search.fusion.fuse`.
"""

from __future__ import annotations

import duckdb
import numpy as np

from bonesearch.index.topk import search
from bonesearch.search.image_table import ImageTable

#: studies each study-level signal ranks per query (and images the image signal ranks)
SIGNAL_DEPTH = 100


class StudySignals:
    """Report-vector (and lexical) rankings of studies for text queries over one store."""

    @classmethod
    def open(cls, store, image_manifest, backend: str, device, half_scan: bool = False) -> "StudySignals":
        """The store's report index (placed like the image index; None when the store has none) and
        lexical index (None likewise). Raises ModelMismatch when the report index is another model's."""
        from bonesearch.errors import IndexNotFound, ModelMismatch
        from bonesearch.index.files import read_index
        from bonesearch.index.lexical import LEXICAL_DIR, LexicalIndex
        from bonesearch.index.search_backends import place_index
        from bonesearch.search.query_text import finding_terms

        try:
            index, manifest = read_index(store.index_dir, "reports")
        except IndexNotFound:
            index = None
        else:
            if manifest.model_fingerprint != image_manifest.model_fingerprint:
                raise ModelMismatch(
                    f"the report index in {store.index_dir} was built with model {manifest.model_fingerprint}, the "
                    f"image index with {image_manifest.model_fingerprint}: rebuild both with "
                    f"`bonesearch index --store {store.path} --checkpoint CKPT`")
            index = place_index(index, backend, device, f"the report index of {store.path}", half_scan=half_scan)
        return cls(store.con, index, LexicalIndex.open(store.index_dir / LEXICAL_DIR, finding_terms()))

    def __init__(self, con: duckdb.DuckDBPyConnection, report_index, lexical=None) -> None:
        self.con, self.report_index, self.lexical = con, report_index, lexical
        rows = con.execute("SELECT report_id, study_id FROM reports ORDER BY report_id").fetchall()
        self.report_ids = np.array([r for r, _ in rows], dtype=np.int64)
        self.study_of_report = np.array([s for _, s in rows], dtype=np.int64)
        self.study_of = {int(r): int(s) for r, s in rows}  # report id → study id, built once per engine
        self.reported = frozenset(self.study_of.values())  # studies with a report

    def unreported(self, image_ids: list[int], study_of: dict[int, int]) -> set[int]:
        """Those of ``image_ids`` whose study (``study_of``: image id → study id) has no report."""
        return {i for i in image_ids if i in study_of and study_of[i] not in self.reported}

    def allowed_reports(self, allowed_images: np.ndarray | None) -> np.ndarray | None:
        """The report ids of the studies of ``allowed_images`` (None: no restriction)."""
        if allowed_images is None:
            return None
        studies = np.array([s for (s,) in self.con.execute(
            "SELECT DISTINCT study_id FROM images WHERE image_id IN (SELECT unnest(?::BIGINT[]))",
            [allowed_images.tolist()]).fetchall()], dtype=np.int64)
        return self.report_ids[np.isin(self.study_of_report, studies)]

    def report_rankings(self, vectors: np.ndarray, allowed: np.ndarray | None,
                        depth: int = SIGNAL_DEPTH) -> list[list[int]]:
        """Per query vector: study ids by their best report's similarity, best first (``allowed``:
        report ids, :meth:`allowed_reports`)."""
        if self.report_index is None or not len(self.report_ids):
            return [[] for _ in vectors]
        if allowed is not None and not len(allowed):
            return [[] for _ in vectors]
        _, ids = search(self.report_index, vectors, depth, allowed)
        return [list(dict.fromkeys(self.study_of[int(i)] for i in row if int(i) in self.study_of)) for row in ids]

    def lexical_rankings(self, texts: list[str], allowed: np.ndarray | None,
                         depth: int = SIGNAL_DEPTH) -> list[list[int]]:
        """Per query text: study ids by the lexical index's score, best first (none without one;
        ``allowed``: report ids, :meth:`allowed_reports`)."""
        if self.lexical is None:
            return [[] for _ in texts]
        from bonesearch.search.query_text import query_terms

        rankings = []
        for text in texts:
            terms = query_terms(text)
            reports = [] if terms.empty else self.lexical.search(terms.affirmed, terms.negated, depth, allowed)
            rankings.append(list(dict.fromkeys(self.study_of[r] for r, _ in reports if r in self.study_of)))
        return rankings

    def contradicted(self, text: str, studies: set[int]) -> set[int]:
        """Those of ``studies`` whose report contradicts the query ``text`` (it denies the finding
        asked for, or asserts one the query denies): shown after every other hit."""
        if self.lexical is None or not studies:
            return set()
        from bonesearch.search.query_text import query_terms

        terms = query_terms(text)
        return self._studies_of(self.lexical.contradicting(terms.affirmed, terms.negated, self._reports_of(studies)))

    def with_findings(self, text: str, studies: set[int]) -> set[int]:
        """For a query that only denies findings (« genou sans arthrose », « épaule normale »: the
        vocabulary reads « normal » as « pas d'anomalie »), those of ``studies`` whose report
        affirms some finding: shown after the studies whose report affirms none. Empty otherwise."""
        if self.lexical is None or not studies:
            return set()
        from bonesearch.search.query_text import finding_terms, query_terms

        terms, findings = query_terms(text), finding_terms()
        if not any(t in findings for t in terms.negated) or any(t in findings for t in terms.affirmed):
            return set()
        return self._studies_of(self.lexical.affirming(findings, self._reports_of(studies)))

    def _reports_of(self, studies: set[int]) -> list[int]:
        """The report ids of ``studies``."""
        return self.report_ids[np.isin(self.study_of_report, np.fromiter(studies, dtype=np.int64))].tolist()

    def _studies_of(self, reports: set[int]) -> set[int]:
        """The study ids of ``reports``."""
        return {self.study_of[r] for r in reports if r in self.study_of}


def candidate_images(table: ImageTable, studies: set[int], allowed_images: np.ndarray | None,
                     image_vectors, query: np.ndarray) -> dict[int, list[int]]:
    """study id → its (allowed) image ids, most similar to ``query`` first.

    ``image_vectors(ids)`` returns the stored vectors of image ``ids`` (float32, normalised).
    """
    if not studies:
        return {}
    pairs = table.images_of(studies)
    if allowed_images is not None:
        keep = set(allowed_images.tolist())
        pairs = [(i, s) for i, s in pairs if i in keep]
    if not pairs:
        return {}
    ids = np.array([i for i, _ in pairs], dtype=np.int64)
    scores = image_vectors(ids) @ query
    by_study: dict[int, list[tuple[float, int]]] = {}
    for (image_id, study), score in zip(pairs, scores.tolist()):
        by_study.setdefault(study, []).append((-score, image_id))
    return {study: [i for _, i in sorted(images)] for study, images in by_study.items()}
