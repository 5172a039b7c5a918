"""Which study each image belongs to and what its header says of it, held in memory.

A fused text query asks these of hundreds of candidate images (the study of each image the
image index ranked, the images of each study the reports ranked, the images whose header
names the body part the query names). Asked of DuckDB, each costs a scan of ``images``: about
3 ms at 184 k images, 15 ms at the seed archive's 947 k. :class:`ImageTable` reads the three
columns (and laterality and view, which every hit shows) once per engine (40 ms at 184 k
images) and answers each question with NumPy: 22 bytes per image (about 200 MB at 10 M images).

Like the report arrays of :class:`bonesearch.search.signals.StudySignals`, it is a snapshot of
the store when the engine first needs it; an engine opened before an ingest does not see the
new images (as it does not see their vectors).
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import numpy as np

#: the image columns held as codes (a few distinct values each)
CODED = ("body_part", "laterality", "view")


class ImageTable:
    """``images``' (image id, study id, body part, laterality, view) sorted by image id, with a study →
    images view."""

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> "ImageTable":
        """The store's images as they are now."""
        columns = con.execute("SELECT image_id, study_id, coalesce(body_part, '') AS body_part, "
                              "coalesce(laterality, '') AS laterality, coalesce(view, '') AS view "
                              "FROM images ORDER BY image_id").fetchnumpy()
        coded = {}
        for name in CODED:
            values, codes = np.unique(np.asarray(columns[name], dtype=object).astype(str), return_inverse=True)
            coded[name] = (codes.astype(np.int16), [str(v) for v in values])
        return cls(np.asarray(columns["image_id"], np.int64), np.asarray(columns["study_id"], np.int64), coded)

    def __init__(self, image_ids: np.ndarray, study_ids: np.ndarray,
                 coded: dict[str, tuple[np.ndarray, list[str]]]) -> None:
        """``coded``: column → (a code per image, the value of each code), for :data:`CODED`."""
        self.image_ids, self.study_ids, self.coded = image_ids, study_ids, coded
        self._by_study = np.argsort(study_ids, kind="stable").astype(np.int32)  # image rows by study, then image id
        self._study_sorted = study_ids[self._by_study]

    def __len__(self) -> int:
        return len(self.image_ids)

    def _rows(self, image_ids: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
        """(the given ids found in the table, their rows)."""
        ids = np.fromiter((int(i) for i in image_ids), dtype=np.int64)
        if not len(ids) or not len(self.image_ids):
            return ids[:0], ids[:0]
        rows = np.minimum(np.searchsorted(self.image_ids, ids), len(self.image_ids) - 1)
        found = self.image_ids[rows] == ids
        return ids[found], rows[found]

    def study_of(self, image_ids: Iterable[int]) -> dict[int, int]:
        """image id → study id, for those of ``image_ids`` in the table."""
        ids, rows = self._rows(image_ids)
        return dict(zip(ids.tolist(), self.study_ids[rows].tolist()))

    def images_of(self, study_ids: Iterable[int]) -> list[tuple[int, int]]:
        """(image id, study id) of every image of ``study_ids``, by study id then image id."""
        studies = np.unique(np.fromiter((int(s) for s in study_ids), dtype=np.int64))
        if not len(studies):
            return []
        starts = np.searchsorted(self._study_sorted, studies, side="left")
        ends = np.searchsorted(self._study_sorted, studies, side="right")
        if not (ends > starts).any():
            return []
        rows = self._by_study[np.concatenate([np.arange(a, b) for a, b in zip(starts, ends)])]
        return list(zip(self.image_ids[rows].tolist(), self.study_ids[rows].tolist()))

    def with_body_part(self, image_ids: Iterable[int], parts: Iterable[str]) -> set[int]:
        """Those of ``image_ids`` whose header body part (case ignored) is one of ``parts``."""
        codes, names = self.coded["body_part"]
        upper = {p.upper() for p in parts}
        wanted = [n for n, name in enumerate(names) if name.upper() in upper]
        if not wanted:
            return set()
        ids, rows = self._rows(image_ids)
        return set(ids[np.isin(codes[rows], wanted)].tolist())

    def columns(self, image_ids: Iterable[int]) -> dict[int, tuple[int, str, str, str]]:
        """image id → (study id, body part, laterality, view) as the header gave them ('' when absent)."""
        ids, rows = self._rows(image_ids)
        values = [[names[c] for c in codes[rows].tolist()] for codes, names in (self.coded[n] for n in CODED)]
        return {i: (s, *v) for i, s, *v in zip(ids.tolist(), self.study_ids[rows].tolist(), *values)}
