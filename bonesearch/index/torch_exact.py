"""``TorchExactIndex``: exact inner-product search as a matrix product on a torch device.

The ``torch`` search backend (:mod:`bonesearch.index.search_backends`): what ``query``,
``similar`` and ``serve`` search with ``--device cuda`` where ``faiss-gpu`` is not
installed (a pip ``faiss-cpu`` host with CUDA torch), for exact stores. The vectors sit on
the device as one fp16/fp32 matrix, a query batch is one ``matmul`` + ``topk``, and a
filter is a boolean mask over the rows. Same interface as a FAISS index for
:func:`bonesearch.index.topk.search` (``ntotal``, ``d``, ``reconstruct_batch``, results
padded with id -1 and score ``-FLT_MAX``).
"""

from __future__ import annotations

import numpy as np
import torch

from bonesearch.index.topk import MISSING_SCORE

QUERY_CHUNK = 1024  # query rows per matrix product (bounds the [chunk, ntotal] score matrix)


class TorchExactIndex:
    """Vectors ``[n, d]`` with int64 ids on ``device``, searched exactly.

    Args:
        ids: int64 ids, one per row.
        vectors: float32 ``[n, d]`` (L2-normalised: inner product = cosine).
        device: ``"cpu"``, ``"cuda"``, ``"cuda:N"`` (or a ``torch.device``).
        dtype: ``torch.float16`` halves memory and doubles GPU throughput; scores differ from
            float32 by ~1e-3, which can swap near-ties.
    """

    def __init__(self, ids: np.ndarray, vectors: np.ndarray, device: str | torch.device = "cpu",
                 dtype: torch.dtype = torch.float32) -> None:
        self.ids = np.ascontiguousarray(ids, dtype=np.int64)
        self.device = torch.device(device)
        self.dtype = dtype
        self.matrix = torch.as_tensor(np.ascontiguousarray(vectors, dtype=np.float32)).to(self.device, dtype)
        self._order = np.argsort(self.ids, kind="stable")  # rows by id: filters are found by binary search
        self._sorted = self.ids[self._order]

    @classmethod
    def from_faiss(cls, index, device: str | torch.device = "cpu", dtype: torch.dtype = torch.float32) -> "TorchExactIndex":
        """The vectors of a FAISS index (decoded: exact for flat storage) on ``device``."""
        from bonesearch.index.backends import index_ids, reconstruct

        ids = index_ids(index)
        return cls(ids, reconstruct(index, ids), device, dtype)

    @property
    def ntotal(self) -> int:
        """Number of vectors (as FAISS names it)."""
        return len(self.ids)

    @property
    def d(self) -> int:
        """Dimension of the vectors."""
        return int(self.matrix.shape[1])

    def _mask(self, allowed_ids: np.ndarray) -> np.ndarray:
        """Boolean row mask of ``allowed_ids`` (ids the index lacks are ignored)."""
        from bonesearch.index.backends import lookup_sorted

        mask = np.zeros(self.ntotal, dtype=bool)
        pos, found = lookup_sorted(self._sorted, np.asarray(allowed_ids, dtype=np.int64))
        mask[self._order[pos[found]]] = True
        return mask

    def reconstruct_batch(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of ``ids``, float32 ``[len(ids), d]``; KeyError when the index lacks one."""
        from bonesearch.index.backends import lookup_sorted

        ids = np.asarray(ids, dtype=np.int64).ravel()
        pos, found = lookup_sorted(self._sorted, ids)
        if not found.all():
            raise KeyError(f"id {int(ids[~found][0])} is not in the index")
        rows = torch.as_tensor(self._order[pos]).to(self.device)
        return self.matrix[rows].float().cpu().numpy()

    def search(self, queries: np.ndarray, k: int, allowed_ids: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Exact top-``k`` (scores float32, ids int64) per query row, restricted to ``allowed_ids`` if given."""
        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        allowed_rows = None if allowed_ids is None else self._mask(allowed_ids)
        scores = np.full((len(queries), k), MISSING_SCORE, np.float32)
        ids = np.full((len(queries), k), -1, np.int64)
        take = min(k, self.ntotal if allowed_rows is None else int(allowed_rows.sum()))  # counted on the host: no sync
        if take == 0:
            return scores, ids
        excluded = None if allowed_rows is None else torch.as_tensor(~allowed_rows).to(self.device)
        with torch.inference_mode():
            for start in range(0, len(queries), QUERY_CHUNK):
                q = torch.as_tensor(queries[start : start + QUERY_CHUNK]).to(self.device, self.dtype)
                sims = (q @ self.matrix.T).float()
                if excluded is not None:
                    sims.masked_fill_(excluded, float("-inf"))
                top, rows = sims.topk(take, dim=1)
                scores[start : start + len(q), :take] = top.cpu().numpy()
                ids[start : start + len(q), :take] = self.ids[rows.cpu().numpy()]
        return scores, ids
