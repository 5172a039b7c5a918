"""Which study each image belongs to and which body part its header names, held in memory.

A fused text query asks these of hundreds of candidate images (the study of each image the
image index ranked, the images of each study the reports ranked, the images whose header
names the body part the query names). Asked of DuckDB, each costs a scan of ``images``: about
3 ms at 184 k images, 15 ms at the seed archive's 947 k. :class:`ImageTable` reads the three
columns once per engine (40 ms at 184 k images) and answers each question with NumPy: 18
bytes per image (150 MB at 10 M images).

Like the report arrays of :class:`bonesearch.search.signals.StudySignals`, it is a snapshot of
the store when the engine first needs it; an engine opened before an ingest does not see the
new images (as it does not see their vectors).
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import numpy as np


class ImageTable:
    """``images``' (image id, study id, body part) sorted by image id, with a study → images view."""

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> "ImageTable":
        """The store's images as they are now."""
        columns = con.execute("SELECT image_id, study_id, upper(coalesce(body_part, '')) AS part FROM images "
                              "ORDER BY image_id").fetchnumpy()
        parts, codes = np.unique(np.asarray(columns["part"], dtype=object).astype(str), return_inverse=True)
        return cls(np.asarray(columns["image_id"], np.int64), np.asarray(columns["study_id"], np.int64),
                   codes.astype(np.int16), [str(p) for p in parts])

    def __init__(self, image_ids: np.ndarray, study_ids: np.ndarray, part_codes: np.ndarray,
                 part_names: list[str]) -> None:
        self.image_ids, self.study_ids, self.part_codes = image_ids, study_ids, part_codes
        self.part_names = part_names
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
        """Those of ``image_ids`` whose header body part (upper case) is one of ``parts``."""
        codes = [n for n, name in enumerate(self.part_names) if name in {p.upper() for p in parts}]
        if not codes:
            return set()
        ids, rows = self._rows(image_ids)
        return set(ids[np.isin(self.part_codes[rows], codes)].tolist())
