"""Indexed copies of the session's demo store (``pretrain_store``) for the index, forget and check tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from bonesearch.imaging.pixel_cache import load_png, save_png
from bonesearch.store import Store
from bonesearch.index.backends import index_ids
from bonesearch.index.files import INDEX_NAMES, read_index


def tiny_checkpoint(folder: Path, seed: int = 1) -> Path:
    """A random-weight ``tiny`` model saved as a checkpoint (its tokenizer trained on a few French phrases)."""
    from bonesearch.models.checkpoint import save_checkpoint
    from bonesearch.models.factory import create_model

    phrases = ["fracture du radius distal", "pas de fracture", "gonarthrose interne", "radiographie du poignet"] * 5
    return save_checkpoint(create_model("tiny", reports=phrases, seed=seed), folder)


def copy_store(store: Path, dest: Path, with_index: bool = True) -> Path:
    """A copy of ``store`` at ``dest`` (its index too unless ``with_index`` is False)."""
    ignore = None if with_index else shutil.ignore_patterns("index")
    shutil.copytree(store, dest, ignore=ignore)
    return dest


def build(store: Path, checkpoint: Path, **kwargs):
    """``bonesearch index`` on ``store`` in-process, small and single-process."""
    from indexer.build_index import build_image_index

    return build_image_index(store, checkpoint, device="cpu", batch_size=32, workers=0, **kwargs)


def faiss_ids(store: Path) -> dict[str, set[int]]:
    """The ids each index of ``store`` holds."""
    return {name: set(index_ids(read_index(store / "index", name)[0]).tolist()) for name in INDEX_NAMES}


def column(store: Path, sql: str) -> list:
    """The first column of ``sql`` run on the store's DuckDB."""
    with Store.open(store) as s:
        return [row[0] for row in s.con.execute(sql).fetchall()]


def add_image(store: Path, study_id: int | None = None) -> tuple[int, int]:
    """Add one image row (a copy of an existing cached PNG) to study ``study_id``, or to a new study
    with a report; returns (image_id, study_id)."""
    with Store.open(store, read_only=False) as s:
        image_id = s.next_id("images", "image_id")
        source_path = s.con.execute("SELECT pixel_path FROM images ORDER BY image_id LIMIT 1").fetchone()[0]
        pixels = np.flipud(load_png(store / source_path))  # a new picture, not a duplicate
        relative = f"pixels/{image_id}.png"
        save_png(np.ascontiguousarray(pixels), store / relative)
        if study_id is None:
            study_id = s.next_id("studies", "study_id")
            s.con.execute("INSERT INTO studies (study_id, study_uid, patient_pseudo) VALUES (?, ?, ?)",
                          [study_id, f"2.25.999{study_id}", "PAT-added000000"])
            s.insert_reports([dict(report_id=s.next_id("reports", "report_id"), study_id=study_id,
                                   text="Fracture du scaphoïde.", findings="Fracture du scaphoïde.", conclusion="Fracture.")])
        s.con.execute("INSERT INTO images (image_id, study_id, sop_uid, pixel_path) VALUES (?, ?, ?, ?)",
                      [image_id, study_id, f"2.25.888{image_id}", relative])
    return image_id, study_id


def indexed_copy(pretrain_store: Path, root: Path):
    """(store, checkpoint, summary): a copy of ``pretrain_store`` under ``root`` indexed with a fresh tiny model."""
    checkpoint = tiny_checkpoint(root / "checkpoint")
    store = copy_store(pretrain_store, root / "store", with_index=False)
    return store, checkpoint, build(store, checkpoint)


def assert_same_indexes(store_a: Path, store_b: Path, atol: float = 1e-5) -> None:
    """The three indexes of the two stores hold the same ids with the same vectors (within ``atol``)."""
    from bonesearch.index.backends import reconstruct

    for name in INDEX_NAMES:
        a, _ = read_index(store_a / "index", name)
        b, _ = read_index(store_b / "index", name)
        ids = np.sort(index_ids(a))
        np.testing.assert_array_equal(ids, np.sort(index_ids(b)), err_msg=name)
        np.testing.assert_allclose(reconstruct(b, ids), reconstruct(a, ids), atol=atol, err_msg=name)
