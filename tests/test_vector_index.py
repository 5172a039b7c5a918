"""FAISS index I/O and search against brute-force NumPy ground truth."""

from __future__ import annotations

import numpy as np
import pytest

from bonesearch.errors import IndexNotFound
from bonesearch.vector_index import IndexManifest, build_flat_index, read_index, search, write_index


def _data(n=500, d=32, q=20, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    queries = rng.normal(size=(q, d)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    ids = rng.permutation(10_000)[:n].astype(np.int64) + 1
    return ids, x, queries


def test_exact_search_equals_brute_force():
    ids, x, queries = _data()
    scores, found = search(build_flat_index(ids, x), queries, 10)
    truth = np.argsort(-(queries @ x.T), axis=1)[:, :10]
    np.testing.assert_array_equal(found, ids[truth])
    np.testing.assert_allclose(scores, np.take_along_axis(queries @ x.T, truth, 1), rtol=1e-5)


def test_filtered_search_returns_k_allowed_results():
    ids, x, queries = _data()
    allowed = ids[::7]
    _, found = search(build_flat_index(ids, x), queries, 10, allowed_ids=allowed)
    mask = np.isin(ids, allowed)
    sims = queries @ x[mask].T
    truth = ids[mask][np.argsort(-sims, axis=1)[:, :10]]
    np.testing.assert_array_equal(found, truth)


def test_roundtrip_and_manifest(tmp_path):
    ids, x, queries = _data(n=50)
    manifest = IndexManifest(name="images", model_fingerprint="abc", checkpoint="ckpt", dim=32, count=50)
    write_index(tmp_path / "index", build_flat_index(ids, x), manifest)
    index, read = read_index(tmp_path / "index")
    assert read.model_fingerprint == "abc" and read.count == 50 and index.ntotal == 50
    assert not list((tmp_path / "index").glob(".*tmp"))
    with pytest.raises(IndexNotFound, match="bonesearch index"):
        read_index(tmp_path / "nothing")
