"""A small searchable store built in about a second: DuckDB rows written through the Store
API, random 64-px radiograph-like PNGs, a tiny model (its fingerprint and text tower), and
exact ``images`` / ``studies`` indexes of seeded random unit vectors (an untrained image
tower embeds every image alike, which would make rankings ties); study vector =
normalised mean of its images' vectors, as ``bonesearch index`` writes it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bonesearch.imaging.pixel_cache import save_png
from bonesearch.store import Store
from bonesearch.index.files import IndexManifest, build_flat_index, write_index

BODY_PARTS = ("WRIST", "KNEE", "HAND", "SHOULDER")
CONCLUSIONS = {
    "WRIST": "Fracture du radius distal déplacée.",
    "KNEE": "Gonarthrose fémoro-tibiale interne.",
    "HAND": "Pas de fracture. Âge osseux conforme.",
    "SHOULDER": "Luxation antéro-interne de l'épaule.",
}


@dataclass
class SearchStore:
    """What a test needs to compute ground truth by brute force."""

    path: Path
    checkpoint: Path
    clip: object  # the loaded BoneClip that built the indexes
    image_ids: np.ndarray  # int64 [N]
    image_vectors: np.ndarray  # float32 [N, d], rows in image_ids order
    image_study: np.ndarray  # int64 [N]: study_id of each image
    study_ids: np.ndarray  # int64 [S]
    study_vectors: np.ndarray  # float32 [S, d]
    studies: dict[int, dict]  # study_id -> metadata (study_uid, body_part, age_months, sex, study_date)


def _pixels(rng: np.random.Generator, part_index: int) -> np.ndarray:
    """A 64×64 uint8 picture: a bright bar whose angle depends on the body part, plus noise."""
    y, x = np.mgrid[0:64, 0:64]
    angle = part_index * np.pi / len(BODY_PARTS) + rng.normal(0, 0.15)
    bar = np.abs((x - 32) * np.sin(angle) - (y - 32) * np.cos(angle)) < 6
    image = 40 + 150 * bar + rng.normal(0, 25, (64, 64))
    return np.clip(image, 0, 255).astype(np.uint8)


@dataclass
class StoreRows:
    """The rows and pictures :func:`write_store_rows` wrote."""

    studies: dict[int, dict]  # study_id -> study_uid, body_part, age_months, sex, study_date, patient_pseudo
    images: list[tuple]  # (image_id, study_id, sop_uid, body_part, view, laterality, pixel_path)
    pictures: dict[int, np.ndarray]  # image_id -> cached uint8 picture
    reports: list[str]  # one conclusion per study, in study order


def write_store_rows(store_path: Path, studies: int = 24, seed: int = 0) -> StoreRows:
    """A store with ``studies`` studies of 1–4 images each (ids with gaps), reports and PNGs; no index."""
    rng = np.random.default_rng(seed)
    meta, image_rows, pictures = {}, [], {}
    image_id = 100
    for study_id in range(1, studies + 1):
        part = BODY_PARTS[study_id % len(BODY_PARTS)]
        meta[study_id] = {
            "study_uid": f"2.25.{1000 + study_id}", "body_part": part, "age_months": int(rng.integers(24, 900)),
            "sex": "FM"[study_id % 2], "study_date": dt.date(2015, 1, 1) + dt.timedelta(days=int(rng.integers(0, 3000))),
            "patient_pseudo": f"PAT-{study_id % 7}",
        }
        for n in range(1 + study_id % 4):
            image_id += int(rng.integers(1, 5))  # ids with gaps, as after erasures
            image_rows.append((image_id, study_id, f"2.25.9{image_id}", part, ("AP", "LAT")[n % 2], "LR"[n % 2],
                               f"pixels/{image_id}.png"))
            pictures[image_id] = _pixels(rng, BODY_PARTS.index(part))
    texts = [CONCLUSIONS[m["body_part"]] for m in meta.values()]
    with Store.create(store_path) as store:
        store.con.executemany(
            "INSERT INTO studies (study_id, study_uid, patient_pseudo, study_date, modality, body_part, age_months, sex) "
            "VALUES (?, ?, ?, ?, 'CR', ?, ?, ?)",
            [(sid, m["study_uid"], m["patient_pseudo"], m["study_date"], m["body_part"], m["age_months"], m["sex"])
             for sid, m in meta.items()],
        )
        store.con.executemany(
            "INSERT INTO images (image_id, study_id, sop_uid, modality, body_part, view, laterality, pixel_path) "
            "VALUES (?, ?, ?, 'CR', ?, ?, ?, ?)", image_rows,
        )
        store.insert_reports(dict(report_id=sid, study_id=sid, text=f"Radiographie. Conclusion : {text}", conclusion=text)
                             for sid, text in zip(meta, texts))
    for image_id, picture in pictures.items():
        save_png(picture, Path(store_path) / "pixels" / f"{image_id}.png")
    return StoreRows(meta, image_rows, pictures, texts)


@contextmanager
def opened_store_rows(store_path: Path, studies: int, seed: int) -> Iterator[tuple[Store, StoreRows]]:
    """:func:`write_store_rows`, then the store opened read-only (closed on exit) with the rows."""
    rows = write_store_rows(store_path, studies, seed)
    with Store.open(store_path) as opened:
        yield opened, rows


def build_search_store(root: Path, studies: int = 24, seed: int = 0) -> SearchStore:
    """Write the store under ``root/store`` and its checkpoint under ``root/ckpt``."""
    from bonesearch.models import create_model, load_checkpoint, save_checkpoint

    rng = np.random.default_rng(seed + 1)
    store_path, ckpt = Path(root) / "store", Path(root) / "ckpt"
    rows = write_store_rows(store_path, studies, seed)
    meta, image_rows, texts = rows.studies, rows.images, rows.reports
    save_checkpoint(create_model("tiny", reports=texts * 4, seed=seed), ckpt)
    clip = load_checkpoint(ckpt)
    ids = np.array([row[0] for row in image_rows], dtype=np.int64)
    image_study = np.array([row[1] for row in image_rows], dtype=np.int64)
    vectors = rng.normal(size=(len(ids), clip.embed_dim)).astype(np.float32)  # well-separated scores: an
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)  # untrained tower maps all images alike
    study_ids = np.array(sorted(meta), dtype=np.int64)
    means = np.stack([vectors[image_study == s].mean(axis=0) for s in study_ids])
    study_vectors = (means / np.linalg.norm(means, axis=1, keepdims=True)).astype(np.float32)
    for name, keys, vecs in (("images", ids, vectors), ("studies", study_ids, study_vectors)):
        manifest = IndexManifest(name=name, model_fingerprint=clip.fingerprint(), checkpoint=str(ckpt),
                                 dim=int(vecs.shape[1]), count=len(keys))
        write_index(store_path / "index", build_flat_index(keys, vecs), manifest)
    return SearchStore(store_path, ckpt, clip, ids, vectors, image_study, study_ids, study_vectors, meta)


def brute_force(query: np.ndarray, ids: np.ndarray, vectors: np.ndarray, k: int,
                allowed: np.ndarray | None = None) -> tuple[list[int], np.ndarray]:
    """(top-k ids, their scores) by NumPy: the ground truth FAISS must reproduce."""
    mask = np.ones(len(ids), bool) if allowed is None else np.isin(ids, allowed)
    scores = vectors[mask] @ query
    order = np.argsort(-scores, kind="stable")[:k]
    return [int(i) for i in ids[mask][order]], scores[order]
