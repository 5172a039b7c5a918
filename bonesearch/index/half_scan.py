"""``HalfScanIndex``: an exact index searched through a half-precision copy, its best re-scored exactly.

An exact query scans every stored vector, and on a CPU the scan is bound by memory bandwidth:
184 k × 256-d float32 vectors take 10.1 ms a query on one thread here, the same vectors as
fp16 codes (FAISS ``IndexScalarQuantizer`` QT_fp16) 5.0 ms. A long-running engine (``bonesearch
serve``, ``SearchEngine.open(..., half_scan=True)``) therefore keeps an fp16 copy of a large
exact index beside it (+2 bytes per dimension and vector: 94 MB at 184 k images of 256-d),
scans that for the ``k +`` :data:`RERANK_EXTRA` best candidates, and re-scores those from the
float32 vectors: the scores are exact, and only a vector whose fp16 score falls more than 32
places below its true rank is missed (fp16 scores differ from fp32 by ~1e-3). Filtered
searches go to the exact index as before (:func:`bonesearch.index.topk.search`). Built in
about 0.2 s per 100 k vectors, which a one-shot CLI query would not get back: the CLI keeps
the plain index.
"""

from __future__ import annotations

import faiss
import numpy as np

from bonesearch.index.topk import search as exact_search
from bonesearch.index.topk import top_k

HALF_SCAN_MIN = 50_000  # vectors from which a long-running engine scans an fp16 copy
RERANK_EXTRA = 32  # candidates beyond k re-scored in float32


class HalfScanIndex:
    """An ``IDMap(2),Flat`` inner-product index and its fp16 copy (same rows)."""

    @staticmethod
    def suits(index) -> bool:
        """True for an exact inner-product FAISS index large enough to gain from the copy."""
        if not isinstance(index, (faiss.IndexIDMap, faiss.IndexIDMap2)) or index.ntotal < HALF_SCAN_MIN:
            return False
        inner = faiss.downcast_index(index.index)
        return isinstance(inner, faiss.IndexFlat) and inner.metric_type == faiss.METRIC_INNER_PRODUCT

    def __init__(self, exact: faiss.Index) -> None:
        self.exact = exact
        flat = faiss.downcast_index(exact.index)
        self.vectors = faiss.rev_swig_ptr(flat.get_xb(), exact.ntotal * exact.d).reshape(exact.ntotal, exact.d)
        self.row_ids = faiss.vector_to_array(exact.id_map).astype(np.int64)
        self.half = faiss.IndexScalarQuantizer(exact.d, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
        self.half.add(self.vectors)

    @property
    def ntotal(self) -> int:
        return int(self.exact.ntotal)

    @property
    def d(self) -> int:
        return int(self.exact.d)

    def reconstruct_batch(self, ids: np.ndarray) -> np.ndarray:
        """Stored float32 vectors of ``ids``."""
        return self.exact.reconstruct_batch(np.ascontiguousarray(ids, dtype=np.int64))

    def search(self, queries: np.ndarray, k: int, allowed_ids: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) per query row, padded like FAISS; exact scores."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        if allowed_ids is not None:
            return exact_search(self.exact, queries, k, allowed_ids)
        _, rows = self.half.search(queries, min(self.ntotal, k + RERANK_EXTRA))
        scores, ids = [], []
        for query, candidates in zip(queries, rows):
            candidates = candidates[candidates >= 0]
            row_scores, row_ids = top_k((self.vectors[candidates] @ query)[None], self.row_ids[candidates], k)
            scores.append(row_scores[0])
            ids.append(row_ids[0])
        return np.stack(scores), np.stack(ids)
