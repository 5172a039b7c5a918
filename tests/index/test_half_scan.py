"""The fp16 scan with float32 re-scoring gives the exact index's answers on real-like vectors."""

from __future__ import annotations

import faiss
import numpy as np

from bonesearch.index.half_scan import HALF_SCAN_MIN, HalfScanIndex
from bonesearch.index.search_backends import place_index
from bonesearch.index.topk import search
from bonesearch.models.device import resolve_query_device


def _exact(n: int, d: int = 64, seed: int = 0) -> tuple[faiss.Index, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((40, d)).astype(np.float32)  # clustered, like embeddings of similar X-rays
    vectors = centres[rng.integers(0, 40, n)] + 0.35 * rng.standard_normal((n, d)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = faiss.index_factory(d, "IDMap2,Flat", faiss.METRIC_INNER_PRODUCT)
    index.add_with_ids(vectors, rng.choice(10**8, n, replace=False).astype(np.int64))
    return index, vectors


def test_same_ids_and_exact_scores_as_brute_force():
    index, vectors = _exact(20_000)
    half = HalfScanIndex(index)
    queries = vectors[np.random.default_rng(1).choice(len(vectors), 50, replace=False)] + 0.05
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    got_scores, got_ids = search(half, queries, 10)
    want_scores, want_ids = index.search(queries, 10)
    agree = np.mean([len(set(g) & set(w)) / 10 for g, w in zip(got_ids, want_ids)])
    assert agree >= 0.99
    same = got_ids == want_ids
    assert np.allclose(got_scores[same], want_scores[same], atol=1e-5)  # re-scored in float32, not fp16


def test_filters_and_vectors_go_to_the_exact_index():
    index, vectors = _exact(5_000)
    half = HalfScanIndex(index)
    ids = faiss.vector_to_array(index.id_map)
    allowed = ids[:300]
    got = search(half, vectors[:3], 5, allowed)
    want = search(index, vectors[:3], 5, allowed)
    assert np.array_equal(got[1], want[1])
    assert np.array_equal(half.reconstruct_batch(ids[:4]), index.reconstruct_batch(ids[:4]))


def test_only_large_exact_inner_product_indexes_are_wrapped_and_only_when_asked():
    small, _ = _exact(1_000)
    large, _ = _exact(HALF_SCAN_MIN)
    cpu = resolve_query_device("cpu")
    assert place_index(small, "faiss", cpu, "test", half_scan=True) is small
    assert place_index(large, "faiss", cpu, "test") is large
    assert isinstance(place_index(large, "faiss", cpu, "test", half_scan=True), HalfScanIndex)
    l2 = faiss.index_factory(8, "IDMap2,Flat", faiss.METRIC_L2)
    l2.add_with_ids(np.zeros((HALF_SCAN_MIN, 8), np.float32), np.arange(HALF_SCAN_MIN, dtype=np.int64))
    assert not HalfScanIndex.suits(l2)
