"""Search backends through the engine: the torch exact index (what ``--device cuda`` searches
without faiss-gpu) and the faiss-gpu wrapper give FAISS's answers; the choice of backend
by device; clear errors where a backend cannot search a store."""

from __future__ import annotations

import shutil

import faiss
import numpy as np
import pytest
import torch

from bonesearch.errors import SearchBackendUnavailable
from bonesearch.imaging.pixel_cache import load_png
from bonesearch.index.backends import build_index
from bonesearch.index.faiss_gpu import FaissGpuIndex
from bonesearch.index.files import IndexManifest, read_index, write_index
from bonesearch.index.search_backends import choose_search_backend, list_search_backends, place_index
from bonesearch.index.torch_exact import TorchExactIndex
from bonesearch.search.engine import SearchEngine, index_checkpoint
from tests.search_store import build_search_store

QUERIES = ["fracture du radius distal", "gonarthrose", "luxation de l'épaule", "âge osseux"]
WHERE = "body_part IN ('WRIST', 'KNEE') AND age_months < 700"
CPU, CUDA = torch.device("cpu"), torch.device("cuda")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_search_store(tmp_path_factory.mktemp("backends"))


@pytest.fixture(scope="module")
def engines(built):
    with SearchEngine.open(built.path) as faiss_engine, \
            SearchEngine.open(built.path, device="cpu", search_backend="torch") as torch_engine:
        yield faiss_engine, torch_engine


def _same(got, want) -> None:
    """Same hits (image, study) in the same order, scores within 1e-4."""
    assert [(h.study_id, h.image_id) for h in got] == [(h.study_id, h.image_id) for h in want]
    assert got, "a comparison of empty results proves nothing"
    np.testing.assert_allclose([h.score for h in got], [h.score for h in want], atol=1e-4)


def test_the_engine_searches_with_the_backend_asked_for(engines):
    faiss_engine, torch_engine = engines
    assert faiss_engine.search_backend == "faiss" and isinstance(faiss_engine.index, faiss.Index)
    assert torch_engine.search_backend == "torch" and isinstance(torch_engine.index, TorchExactIndex)


@pytest.mark.parametrize("group_by", ["image", "study"])
def test_torch_backend_gives_faiss_answers_to_text_queries(engines, group_by):
    faiss_engine, torch_engine = engines
    for want, got in zip(faiss_engine.search_texts(QUERIES, 8, group_by=group_by),
                         torch_engine.search_texts(QUERIES, 8, group_by=group_by)):
        _same(got, want)
    for query in QUERIES:
        _same(torch_engine.search_text(query, 6, where=WHERE, group_by=group_by),
              faiss_engine.search_text(query, 6, where=WHERE, group_by=group_by))


def test_torch_backend_gives_faiss_answers_to_image_queries(built, engines):
    faiss_engine, torch_engine = engines
    pixels = load_png(built.path / "pixels" / f"{int(built.image_ids[2])}.png")
    _same(torch_engine.search_image(pixels, 7), faiss_engine.search_image(pixels, 7))
    _same(torch_engine.search_image(pixels, 4, where=WHERE, group_by="study"),
          faiss_engine.search_image(pixels, 4, where=WHERE, group_by="study"))
    for image_id in built.image_ids[[0, 5, -1]]:
        _same(torch_engine.search_image_id(int(image_id), 6), faiss_engine.search_image_id(int(image_id), 6))
        _same(torch_engine.search_image_id(int(image_id), 4, where="sex = 'F'", group_by="study"),
              faiss_engine.search_image_id(int(image_id), 4, where="sex = 'F'", group_by="study"))


def test_torch_backend_gives_back_the_stored_vectors(built, engines):
    """Similar-image search uses the index's vectors, not the pixels re-embedded."""
    _, torch_engine = engines
    ids = built.image_ids[[3, 1, 7]]
    np.testing.assert_allclose(torch_engine.index.reconstruct_batch(ids), built.image_vectors[[3, 1, 7]], atol=1e-6)
    with pytest.raises(KeyError):
        torch_engine.index.reconstruct_batch(np.array([999_999]))


def test_torch_backend_gives_faiss_answers_to_study_queries(built, engines):
    faiss_engine, torch_engine = engines
    for study_id in built.study_ids[[0, 4, 9]]:
        uid = built.studies[int(study_id)]["study_uid"]
        _same(torch_engine.search_study(uid, 5), faiss_engine.search_study(uid, 5))
        _same(torch_engine.search_study(uid, 3, where="body_part = 'KNEE'"),
              faiss_engine.search_study(uid, 3, where="body_part = 'KNEE'"))
    assert isinstance(torch_engine._study_index()[0], TorchExactIndex)


def test_faiss_gpu_wrapper_gives_faiss_answers_through_the_engine(built, engines):
    """What ``--device cuda`` searches with faiss-gpu, simulated: the 'GPU' copy is a CPU clone."""
    faiss_engine, _ = engines
    cpu, manifest = read_index(built.path / "index", "images")
    gpu_calls = []

    class CountingClone:
        def __init__(self, index):
            self.index = index

        def search(self, queries, k):
            gpu_calls.append(k)
            return self.index.search(queries, k)

    wrapped = SearchEngine(faiss_engine.store, FaissGpuIndex(cpu, CountingClone(faiss.clone_index(cpu))),
                           manifest, faiss_engine.clip)
    _same(wrapped.search_text(QUERIES[0], 8, mode="image"), faiss_engine.search_text(QUERIES[0], 8, mode="image"))
    assert gpu_calls == [8]
    _same(wrapped.search_text(QUERIES[1], 5, where=WHERE, mode="image"),
          faiss_engine.search_text(QUERIES[1], 5, where=WHERE, mode="image"))
    assert gpu_calls == [8]  # filtered: the CPU copy, exactly
    image_id = int(built.image_ids[4])
    _same(wrapped.search_image_id(image_id, 5), faiss_engine.search_image_id(image_id, 5))


def test_auto_backend_by_device(monkeypatch):
    assert list_search_backends() == ["auto", "faiss", "torch"]
    assert choose_search_backend(None, CPU) == "faiss" and choose_search_backend("auto", CPU) == "faiss"
    assert choose_search_backend("torch", CPU) == "torch"
    monkeypatch.setattr(faiss, "get_num_gpus", lambda: 0)
    assert choose_search_backend("auto", CUDA) == "torch"  # CUDA without faiss-gpu
    monkeypatch.setattr(faiss, "get_num_gpus", lambda: 2)
    assert choose_search_backend("auto", CUDA) == "faiss"
    with pytest.raises(SearchBackendUnavailable, match="search backend 'annoy': choose one of auto, faiss, torch"):
        choose_search_backend("annoy", CPU)


def test_faiss_on_cuda_without_faiss_gpu_says_the_fix(monkeypatch):
    monkeypatch.setattr(faiss, "get_num_gpus", lambda: 0)
    index, _ = build_index(np.arange(10), np.eye(10, 16, dtype=np.float32), "IDMap2,Flat")
    with pytest.raises(SearchBackendUnavailable, match="needs faiss-gpu.*pip install faiss-gpu.*--device cpu"):
        place_index(index, "faiss", CUDA, "the image index of STORE")


def test_an_approximate_store_refuses_the_torch_backend(built, tmp_path):
    """IVF without faiss-gpu cannot be searched on CUDA: the error names the fix, and nothing stays open."""
    store = tmp_path / "store"
    shutil.copytree(built.path, store, ignore=shutil.ignore_patterns("index"))
    index, factory = build_index(built.image_ids, built.image_vectors, "IVF4,Flat")
    manifest = IndexManifest(name="images", model_fingerprint=built.clip.fingerprint(), checkpoint=str(built.checkpoint),
                             dim=index.d, count=index.ntotal, factory=factory)
    write_index(store / "index", index, manifest)
    with pytest.raises(SearchBackendUnavailable, match=r"IVF4,Flat.*approximate.*install faiss-gpu.*--device cpu"):
        SearchEngine.open(store, search_backend="torch")
    with SearchEngine.open(store) as engine:  # the store was closed: it opens again; FAISS searches it
        assert engine.search_backend == "faiss" and len(engine.search_text(QUERIES[0], 3)) == 3


def test_index_checkpoint_is_the_one_that_built_the_index(built, tmp_path):
    from bonesearch.errors import IndexNotFound, StoreNotFound

    assert index_checkpoint(built.path) == built.checkpoint
    with pytest.raises(StoreNotFound, match="bonesearch ingest"):
        index_checkpoint(tmp_path / "nothing")
    shutil.copytree(built.path, tmp_path / "store", ignore=shutil.ignore_patterns("index"))
    with pytest.raises(IndexNotFound, match="bonesearch index"):
        index_checkpoint(tmp_path / "store")
