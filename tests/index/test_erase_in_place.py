"""Erasing vectors from an exact index file in place: what stays is what FAISS would keep, what
goes leaves no byte behind, and a crash mid-way is finished by the next writer or reader."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

import bonesearch.index.erase_in_place as erase_module
from bonesearch.index.erase_in_place import erase_in_place, flat_layout, pending_erasures, redo_path
from bonesearch.index.files import IndexManifest, read_index, write_index


def _flat(path: Path, vectors: np.ndarray, ids: np.ndarray, factory: str = "IDMap2,Flat",
          metric: int = faiss.METRIC_INNER_PRODUCT) -> None:
    index = faiss.index_factory(vectors.shape[1], factory, metric)
    index.add_with_ids(vectors, ids)
    faiss.write_index(index, str(path))


def _contents(path: Path) -> dict[int, np.ndarray]:
    index = faiss.read_index(str(path))
    ids = faiss.vector_to_array(index.id_map)
    vectors = index.index.reconstruct_n(0, index.ntotal)
    return {int(i): v for i, v in zip(ids, vectors)}


@pytest.mark.parametrize("factory,metric", [("IDMap2,Flat", faiss.METRIC_INNER_PRODUCT), ("IDMap,Flat", faiss.METRIC_L2)])
def test_what_stays_is_what_faiss_keeps_and_the_erased_bytes_are_gone(tmp_path, factory, metric):
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((500, 24)).astype(np.float32)
    ids = rng.choice(10**9, 500, replace=False).astype(np.int64)
    path = tmp_path / "images.faiss"
    _flat(path, vectors, ids, factory, metric)
    expected = dict(zip(ids.tolist(), vectors))
    # a slot in the middle, the very last one, one of the last that stay, and an id the index never held
    rounds = [[ids[7], ids[499], ids[480], 123], ids[:40].tolist(), [ids[498]]]
    for erased in rounds:
        present = [i for i in erased if i in expected]
        assert erase_in_place(path, np.array(erased)) == len(present)
        for i in present:
            del expected[i]
        got = _contents(path)
        assert set(got) == set(expected)
        assert all(np.array_equal(got[i], expected[i]) for i in got)
        data = path.read_bytes()
        for i in present:  # neither the vector nor the id is anywhere in the file
            assert vectors[ids == i][0].tobytes() not in data
            assert np.int64(i).tobytes() not in data
    index = faiss.read_index(str(path))
    query = rng.standard_normal((3, 24)).astype(np.float32)
    reference = faiss.index_factory(24, factory, metric)
    kept = np.array(sorted(expected), dtype=np.int64)
    reference.add_with_ids(np.stack([expected[i] for i in kept.tolist()]), kept)
    assert np.array_equal(np.sort(index.search(query, 10)[1], axis=1), np.sort(reference.search(query, 10)[1], axis=1))
    assert not pending_erasures(tmp_path)


def test_other_index_types_are_left_to_a_rewrite(tmp_path):
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((300, 16)).astype(np.float32)
    ivf = faiss.index_factory(16, "IDMap2,IVF4,Flat", faiss.METRIC_INNER_PRODUCT)
    ivf.train(vectors)
    ivf.add_with_ids(vectors, np.arange(300, dtype=np.int64))
    faiss.write_index(ivf, str(tmp_path / "ivf.faiss"))
    before = (tmp_path / "ivf.faiss").read_bytes()
    assert erase_in_place(tmp_path / "ivf.faiss", np.array([1, 2])) is None
    assert (tmp_path / "ivf.faiss").read_bytes() == before
    (tmp_path / "junk.faiss").write_bytes(b"IxM2" + bytes(20))  # truncated: not a layout to edit
    assert flat_layout(tmp_path / "junk.faiss") is None


def test_an_erasure_cut_mid_way_is_finished_by_the_next_reader(tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((200, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(1000, 1200, dtype=np.int64)
    index = faiss.index_factory(8, "IDMap2,Flat", faiss.METRIC_INNER_PRODUCT)
    index.add_with_ids(vectors, ids)
    manifest = IndexManifest(name="images", model_fingerprint="f", checkpoint="c", dim=8, count=200)
    write_index(tmp_path, index, manifest)
    path = tmp_path / "images.faiss"
    applied = []

    def cut_after_two_writes(target, writes):  # power lost after the redo file, before the last writes
        with open(target, "r+b") as handle:
            for offset, data in writes[:2]:
                handle.seek(offset)
                handle.write(data if isinstance(data, bytes) else bytes(data))
        applied.append(len(writes))
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(erase_module, "_apply", cut_after_two_writes)
    with pytest.raises(KeyboardInterrupt):
        erase_in_place(path, np.array([1000, 1150]))
    monkeypatch.undo()
    assert applied and redo_path(path).is_file() and pending_erasures(tmp_path)

    loaded, _ = read_index(tmp_path, "images")  # a reader finishes the erasure before loading

    assert not redo_path(path).exists()
    assert loaded.ntotal == 198
    assert not {1000, 1150} & set(faiss.vector_to_array(loaded.id_map).tolist())
    assert vectors[0].tobytes() not in path.read_bytes() and vectors[150].tobytes() not in path.read_bytes()
