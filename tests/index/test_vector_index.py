"""FAISS index I/O, building and search against brute-force NumPy ground truth."""

from __future__ import annotations

import json

import faiss
import numpy as np
import pytest
import torch

from bonesearch.errors import BonesearchError, IndexNotFound
from bonesearch.index.torch_exact import TorchExactIndex
from bonesearch.index.backends import (
    EXACT_FACTORY, build_index, choose_factory, default_search_params, index_ids, reconstruct, remove_ids,
)
from bonesearch.index.files import (
    COMMIT_FILE, IndexManifest, build_flat_index, read_index, read_manifest, search, write_index, write_indexes,
)
from bonesearch.index.search_backends import place_index
from bonesearch.index.topk import DIRECT_MIN


@pytest.fixture(autouse=True)
def one_faiss_thread():
    """FAISS's OpenMP threads spin against the other processes of a busy 2-core machine (PQ
    training 10x slower); these indexes are small enough for one thread."""
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    yield
    faiss.omp_set_num_threads(before)


def _data(n=500, d=32, q=20, seed=0, clusters=0):
    rng = np.random.default_rng(seed)
    if clusters:
        centres = rng.normal(size=(clusters, d))
        x = centres[rng.integers(clusters, size=n)] + 0.3 * rng.normal(size=(n, d))
    else:
        x = rng.normal(size=(n, d))
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    queries = rng.normal(size=(q, d)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    ids = rng.permutation(10 * n)[:n].astype(np.int64) + 1
    return ids, x, queries


def _truth(ids, x, queries, k, allowed=None):
    mask = np.ones(len(ids), bool) if allowed is None else np.isin(ids, allowed)
    sims = queries @ x[mask].T
    order = np.argsort(-sims, axis=1)[:, :k]
    return np.take_along_axis(sims, order, 1), ids[mask][order]


def test_exact_search_equals_brute_force():
    ids, x, queries = _data()
    scores, found = search(build_flat_index(ids, x), queries, 10)
    truth_scores, truth_ids = _truth(ids, x, queries, 10)
    np.testing.assert_array_equal(found, truth_ids)
    np.testing.assert_allclose(scores, truth_scores, rtol=1e-5)


@pytest.mark.parametrize("every", [7, 40, 2])  # selective (direct scoring) … broad (selector inside FAISS)
def test_filtered_exact_search_equals_brute_force(every):
    ids, x, queries = _data(n=20_000 if every == 2 else 500)
    allowed = ids[::every]
    scores, found = search(build_flat_index(ids, x), queries, 10, allowed_ids=allowed)
    truth_scores, truth_ids = _truth(ids, x, queries, 10, allowed)
    np.testing.assert_array_equal(found, truth_ids)
    np.testing.assert_allclose(scores, truth_scores, rtol=1e-5)


def test_broad_filter_goes_through_the_faiss_selector(monkeypatch):
    """A filter wider than the direct-scoring threshold runs inside FAISS and is still exact."""
    import bonesearch.index.topk as vs

    ids, x, queries = _data(n=3 * DIRECT_MIN)
    called = []
    monkeypatch.setattr(vs, "score_directly", lambda *a: called.append(1) or pytest.fail("scored directly"))
    allowed = ids[: 2 * DIRECT_MIN]
    _, found = search(build_flat_index(ids, x), queries, 10, allowed_ids=allowed)
    np.testing.assert_array_equal(found, _truth(ids, x, queries, 10, allowed)[1])


def test_filter_with_fewer_allowed_than_k_pads_with_minus_one():
    ids, x, queries = _data(n=100)
    allowed = np.concatenate([ids[:3], [999_999]])  # an id the index lacks counts for nothing
    scores, found = search(build_flat_index(ids, x), queries, 5, allowed_ids=allowed)
    assert (found[:, 3:] == -1).all() and set(found[:, :3].ravel()) == set(ids[:3])
    assert (scores[:, 3:] < -1e30).all()


@pytest.mark.parametrize("factory", ["IVF16,Flat", "IDMap2,HNSW16", "IVF16,PQ8x4"])
@pytest.mark.parametrize("every", [3, 50, 250])
def test_filtered_approximate_search_returns_k_allowed_results(factory, every, monkeypatch):
    """IVF / HNSW / PQ with a filter: exactly k results, all allowed, whatever the selectivity
    (thresholds lowered so that 1/3 and 1/50 go through the FAISS selector, 1/250 is scored directly)."""
    import bonesearch.index.topk as vs

    monkeypatch.setattr(vs, "DIRECT_MIN", 16)
    monkeypatch.setattr(vs, "DIRECT_FRACTION", 0.0)
    ids, x, queries = _data(n=3000, clusters=30)
    index, _ = build_index(ids, x, factory)
    faiss.ParameterSpace().set_index_parameters(index, default_search_params(index))
    allowed = ids[::every]
    scores, found = search(index, queries, 10, allowed_ids=allowed)
    assert found.shape == (len(queries), 10)
    assert np.isin(found, allowed).all()
    assert all(len(set(row)) == 10 for row in found)
    assert (np.diff(scores, axis=1) <= 1e-6).all()


def test_selective_filter_on_approximate_index_is_exact():
    """Few allowed ids are scored directly from the stored vectors: exact even on IVF."""
    ids, x, queries = _data(n=3000, clusters=30)
    index, _ = build_index(ids, x, "IVF16,Flat")
    allowed = ids[::50]
    _, found = search(index, queries, 10, allowed_ids=allowed)
    np.testing.assert_array_equal(found, _truth(ids, x, queries, 10, allowed)[1])


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_torch_exact_index_equals_faiss_flat(dtype):
    ids, x, queries = _data()
    flat = build_flat_index(ids, x)
    torch_index = TorchExactIndex.from_faiss(flat, "cpu", dtype)
    allowed = ids[::9]
    for allowed_ids in (None, allowed):
        want_scores, want_ids = search(flat, queries, 10, allowed_ids)
        got_scores, got_ids = search(torch_index, queries, 10, allowed_ids)
        if dtype == torch.float32:
            np.testing.assert_array_equal(got_ids, want_ids)
        else:  # half precision may swap near-ties: same sets, scores within 1e-2
            assert np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got_ids, want_ids)]) > 0.95
        np.testing.assert_allclose(got_scores, want_scores, atol=1e-5 if dtype == torch.float32 else 1e-2)
    few = search(torch_index, queries, 10, ids[:3])[1]
    assert (few[:, 3:] == -1).all()


def test_remove_ids_for_each_index_type():
    ids, x, _ = _data(n=2000, clusters=20)
    drop = ids[::4]
    for factory in (EXACT_FACTORY, "IVF8,Flat", "IDMap2,HNSW16"):
        index, _ = build_index(ids, x, factory)
        index = remove_ids(index, np.concatenate([drop, [123_456_789]]), factory)
        assert sorted(index_ids(index)) == sorted(set(ids) - set(drop)), factory
        kept = ids[1:4]
        np.testing.assert_allclose(reconstruct(index, kept), x[1:4], atol=1e-6)


def test_factory_by_size_and_bad_factories():
    roomy = 64 * 2**30
    assert choose_factory(10_000, 512, roomy) == EXACT_FACTORY
    assert choose_factory(1_000_000, 512, roomy) == EXACT_FACTORY
    assert choose_factory(4_000_000, 512, roomy) == "IVF8192_HNSW32,Flat"
    assert choose_factory(20_000_000, 512, roomy) == "IVF16384_HNSW32,SQ8"
    ids, x, _ = _data(n=50)
    with pytest.raises(BonesearchError, match="not a FAISS factory string"):
        build_index(ids, x, "IVF16,Nonsense")
    with pytest.raises(BonesearchError, match="needs at least 1024 vectors"):
        build_index(ids, x, "IVF1024,Flat")


def test_roundtrip_and_manifest(tmp_path):
    ids, x, queries = _data(n=50)
    manifest = IndexManifest(name="images", model_fingerprint="abc", checkpoint="ckpt", dim=32, count=50)
    write_index(tmp_path / "index", build_flat_index(ids, x), manifest)
    index, read = read_index(tmp_path / "index")
    assert read.model_fingerprint == "abc" and read.count == 50 and index.ntotal == 50
    assert read.ids == "images.image_id"
    assert not list((tmp_path / "index").glob(".*tmp"))
    with pytest.raises(IndexNotFound, match="bonesearch index"):
        read_index(tmp_path / "nothing")
    torch_index = place_index(index, "torch", torch.device("cpu"), "images")
    np.testing.assert_array_equal(search(torch_index, queries, 5)[1], search(index, queries, 5)[1])


def test_manifest_from_a_newer_version_keeps_known_fields(tmp_path):
    (tmp_path / "images.json").write_text(json.dumps({"name": "images", "model_fingerprint": "f", "checkpoint": "c",
                                                      "dim": 4, "count": 0, "a_future_field": 1}))
    assert read_manifest(tmp_path).dim == 4


def test_a_group_write_interrupted_after_its_commit_point_is_rolled_forward(tmp_path, monkeypatch):
    """Crash between the renames of a group: the next reader finishes them (all new, never mixed)."""
    import os

    index_dir = tmp_path / "index"
    old_ids, old_x, _ = _data(n=10, seed=1)
    new_ids, new_x, _ = _data(n=20, seed=2)

    def group(ids, x, fingerprint):
        return [(build_flat_index(ids, x), IndexManifest(name=n, model_fingerprint=fingerprint, checkpoint="c", dim=32, count=0))
                for n in ("images", "studies")]

    write_indexes(index_dir, group(old_ids, old_x, "old"))
    real_replace, calls = os.replace, []

    def crash_on_third(src, dst):
        calls.append(dst)
        if len(calls) == 3:  # the journal and images.faiss are in place, images.json is not
            raise KeyboardInterrupt("power cut")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        write_indexes(index_dir, group(new_ids, new_x, "new"))
    monkeypatch.setattr(os, "replace", real_replace)
    assert (index_dir / COMMIT_FILE).is_file()
    for name in ("images", "studies"):
        index, manifest = read_index(index_dir, name)
        assert (manifest.model_fingerprint, manifest.count, index.ntotal) == ("new", 20, 20)
    assert not (index_dir / COMMIT_FILE).exists() and not list(index_dir.glob(".*tmp"))


def test_factory_follows_the_memory_budget(monkeypatch):
    gib = 2**30
    assert choose_factory(1_000_000, 512, 1 * gib) == "IVF4096_HNSW32,SQ8"  # exact needs 2 GiB: the next that fits
    assert choose_factory(10_000_000, 512, 24 * gib) == "IVF16384_HNSW32,SQ8"  # 5 GiB of SQ8 codes
    assert choose_factory(10_000_000, 512, 2 * gib) == "IVF16384_HNSW32,PQ64"  # 0.7 GiB of PQ codes
    assert choose_factory(100_000_000, 512, gib) == "IVF32768_HNSW32,PQ64"  # too big even as PQ: memory-mapped
    assert choose_factory(1_000_000, 100, gib // 16) == "IVF4096_HNSW32,PQ10"  # a divisor of the dimension
    assert choose_factory(40_000, 512, 1024) == EXACT_FACTORY  # too few vectors to train lists on
    monkeypatch.setenv("BONESEARCH_INDEX_MEMORY", "1G")
    assert choose_factory(1_000_000, 512) == "IVF4096_HNSW32,SQ8"
    monkeypatch.setenv("BONESEARCH_INDEX_MEMORY", "lots")
    with pytest.raises(BonesearchError, match="BONESEARCH_INDEX_MEMORY='lots' is not a size"):
        choose_factory(1_000_000, 512)


def test_gpu_sharding_only_when_one_gpu_cannot_hold_the_index():
    from bonesearch.index.faiss_gpu import shard_across_gpus

    gib = 2**30
    assert not shard_across_gpus(30 * gib, 1, 80 * gib)  # one GPU: nothing to shard across
    assert not shard_across_gpus(30 * gib, 8, 80 * gib)  # fits one H100: replicate (every GPU answers queries)
    assert shard_across_gpus(70 * gib, 8, 80 * gib)
    assert not shard_across_gpus(70 * gib, 8, None)  # free memory unknown: FAISS's default (replicas)


def test_an_index_larger_than_the_budget_is_searched_memory_mapped(tmp_path, monkeypatch):
    """Same answers from the mapped lists as from RAM; writers still get an editable copy."""
    import faiss

    from bonesearch.index.files import IndexManifest, read_index, write_index

    ids, x, _ = _data(n=3000, clusters=30)
    index, factory = build_index(ids, x, "IVF32,SQ8")
    manifest = IndexManifest(name="images", count=len(ids), factory=factory, search_params="nprobe=8",
                             model_fingerprint="m", checkpoint="c", dim=x.shape[1])
    write_index(tmp_path, index, manifest)
    in_ram, _ = read_index(tmp_path, "images")
    monkeypatch.setenv("BONESEARCH_INDEX_MEMORY", "100K")  # the file is ~200 KB
    mapped, _ = read_index(tmp_path, "images")
    lists = faiss.downcast_InvertedLists(faiss.extract_index_ivf(mapped).invlists)
    assert isinstance(lists, faiss.OnDiskInvertedLists) and lists.prefetch_nthread == 0
    queries = x[:50]
    assert (mapped.search(queries, 10)[1] == in_ram.search(queries, 10)[1]).all()
    editable, _ = read_index(tmp_path, "images", mmap=False)
    assert isinstance(faiss.downcast_InvertedLists(faiss.extract_index_ivf(editable).invlists), faiss.ArrayInvertedLists)
