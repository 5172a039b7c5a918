"""Top-k search, unfiltered and filtered, over a FAISS index or a search backend's index.

A filtered search (``allowed_ids``) returns exactly ``min(k, allowed ids in the index)``
results, whatever the index type. How, by selectivity ``m`` = allowed ids present:

* **few allowed ids** (``m <= max(DIRECT_MIN, DIRECT_FRACTION × ntotal × queries)``): the
  allowed vectors are read back with ``reconstruct_batch`` and scored directly (one matrix
  product). Exact for every index type, and faster than walking the index with a
  selector up to ~1 % of the index per query: on 100 k × 512-d flat vectors
  (``bench/ann_recall.py --filters-only``, 2 cores) one query with 1 % allowed costs 0.85 ms
  directly vs 1.25 ms through the selector, with 2 % 7.7 vs 3.9 ms; a batch of 50 queries
  shares one read-back, and direct scoring wins up to 50 % allowed (1.8 vs 8.8 ms per
  query) — hence the threshold grows with the batch.
* **broad filters**: the FAISS ID selector goes inside the search, in the index type's own
  ``SearchParameters`` (flat: plain; IVF: ``nprobe`` raised by the inverse of the
  selectivity, so the lists visited still hold ≈ as many allowed vectors as an
  unfiltered search sees; HNSW: ``efSearch`` raised the same way). Exact on flat indexes;
  on approximate ones any query row that still comes back short is recomputed directly.

Scores are inner products (cosine on normalised vectors); rows are padded with id -1 and
score ``-FLT_MAX`` (FAISS's own padding) where fewer than k results exist.
"""

from __future__ import annotations

import math

import faiss
import numpy as np

from bonesearch.index.backends import hnsw_of, is_exact, lookup_sorted, reconstruct, sorted_ids

MISSING_SCORE = float(np.finfo(np.float32).min)  # FAISS's padding score for inner product

DIRECT_MIN = 1024  # at most this many allowed vectors: always score them directly
DIRECT_FRACTION = 0.01  # … or at most this fraction of the index per query row
MAX_WIDEN = 64  # IVF nprobe / HNSW efSearch are raised at most this many times for a filter


def search(index, queries: np.ndarray, k: int, allowed_ids: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` (scores, ids) for each query row; ids are -1 where fewer than k exist.

    ``allowed_ids`` restricts the search to those ids exactly (never post-filtering: k
    results come back whenever k allowed ids are in the index). ``index`` is a FAISS index
    built by :mod:`bonesearch.index.backends`, or a search backend's own index
    (:mod:`bonesearch.index.search_backends`: a :class:`~bonesearch.index.torch_exact.TorchExactIndex`, a
    :class:`~bonesearch.index.faiss_gpu.FaissGpuIndex`) whose ``search`` takes ``allowed_ids``.
    """
    queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
    k = min(k, max(index.ntotal, 1))
    if not isinstance(index, faiss.Index):  # a search backend's index: exact filters of its own
        return index.search(queries, k, allowed_ids)
    if allowed_ids is None:
        return index.search(queries, k)
    allowed = present_ids(index, allowed_ids)
    if len(allowed) <= max(DIRECT_MIN, DIRECT_FRACTION * index.ntotal * len(queries)):
        return score_directly(index, queries, k, allowed)
    widen = min(MAX_WIDEN, max(1.0, index.ntotal / len(allowed)))
    selector = faiss.IDSelectorBatch(allowed)  # referenced here: FAISS keeps only a raw pointer
    try:
        scores, ids = index.search(queries, k, params=_filtered_params(index, selector, widen))
    except RuntimeError:  # a type whose search takes no selector (e.g. a refine stage)
        return score_directly(index, queries, k, allowed)
    short = np.flatnonzero((ids >= 0).sum(axis=1) < min(k, len(allowed)))
    if len(short):
        scores[short], ids[short] = score_directly(index, queries[short], k, allowed)
    return scores, ids


def score_directly(index: faiss.Index, queries: np.ndarray, k: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-``k`` among the vectors of ``allowed`` (ids present in ``index``)."""
    vectors = reconstruct(index, allowed)
    return top_k(queries @ vectors.T, allowed, k)


def top_k(scores: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Best ``k`` columns of each row of ``scores`` (columns named by ``ids``), padded like FAISS."""
    n, m = scores.shape
    out_scores = np.full((n, k), MISSING_SCORE, np.float32)
    out_ids = np.full((n, k), -1, np.int64)
    take = min(k, m)
    if take:
        part = np.argpartition(-scores, take - 1, axis=1)[:, :take]
        order = np.argsort(-np.take_along_axis(scores, part, 1), axis=1, kind="stable")
        best = np.take_along_axis(part, order, 1)
        out_scores[:, :take] = np.take_along_axis(scores, best, 1)
        out_ids[:, :take] = ids[best]
    return out_scores, out_ids


def present_ids(index: faiss.Index, allowed_ids: np.ndarray) -> np.ndarray:
    """The sorted unique ids of ``allowed_ids`` that ``index`` holds (O(m log n) per call)."""
    candidates = np.unique(np.asarray(allowed_ids, dtype=np.int64))
    return candidates[lookup_sorted(sorted_ids(index), candidates)[1]]


def _filtered_params(index: faiss.Index, selector: faiss.IDSelector, widen: float) -> faiss.SearchParameters:
    """The index type's own search parameters with ``selector``, its breadth knob times ``widen``."""
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None and not is_exact(index):
        params = faiss.SearchParametersIVF(sel=selector, nprobe=min(ivf.nlist, math.ceil(ivf.nprobe * widen)))
    elif (hnsw := hnsw_of(index)) is not None:
        params = faiss.SearchParametersHNSW(sel=selector, efSearch=math.ceil(hnsw.efSearch * widen))
    else:
        params = faiss.SearchParameters(sel=selector)
    return params


__all__ = ["search", "score_directly", "present_ids", "top_k", "DIRECT_MIN", "DIRECT_FRACTION"]
