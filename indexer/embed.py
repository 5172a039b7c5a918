"""Embedding a store's content with a checkpoint: images (from the pixel cache), studies, reports.

Images stream from ``STORE/pixels`` through a DataLoader (decode workers, pinned memory on
CUDA) into ``BoneClip.encode_images`` (bf16 autocast on CUDA, resize + normalise on the
device). A study's vector is the normalised mean of its images' vectors; a report's is the
text tower's embedding of the report text the model was pretrained on.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from bonesearch.imaging.pixel_cache import load_png
from bonesearch.index.vectors import l2_normalise
from bonesearch.progress import Advance, no_progress
from bonesearch.store import Store

TEXT_BATCH = 256


class CachedPixels(Dataset):
    """Cached greyscale images of the store at ``root``: ``rows`` = [(image_id, pixel_path), …]."""

    def __init__(self, root: Path, rows: list[tuple[int, str]]) -> None:
        self.root = Path(root)
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> tuple[int, torch.Tensor]:
        image_id, relative = self.rows[i]
        return image_id, torch.from_numpy(load_png(self.root / relative).copy())


def default_workers(device: torch.device) -> int:
    """Decode processes: most cores on CUDA (the GPU waits for PNGs otherwise), 2 on CPU."""
    cores = os.cpu_count() or 1
    return max(1, min(12, cores - 1)) if device.type == "cuda" else min(2, cores)


def image_rows(store: Store, image_ids: np.ndarray | None = None) -> list[tuple[int, str]]:
    """(image_id, pixel_path) of every image, or of ``image_ids``, in id order."""
    if image_ids is None:
        rows = store.con.execute("SELECT image_id, pixel_path FROM images ORDER BY image_id").fetchall()
    else:
        rows = store.con.execute(
            "SELECT image_id, pixel_path FROM images WHERE image_id IN (SELECT unnest(?::BIGINT[])) ORDER BY image_id",
            [[int(i) for i in image_ids]],
        ).fetchall()
    return [(int(i), p) for i, p in rows]


def embed_images(root: Path, clip, rows: list[tuple[int, str]], batch_size: int = 128, workers: int | None = None,
                 advance: Advance = no_progress) -> tuple[np.ndarray, np.ndarray]:
    """(ids int64 [N], vectors float32 [N, d]) of the cached images ``rows`` of the store at ``root``.

    Needs no DuckDB connection: the store stays free for other jobs while the model runs.
    """
    ids, vectors = [np.empty(0, np.int64)], [np.empty((0, clip.embed_dim), np.float32)]
    for batch_ids, batch_vectors in iter_embedded(root, clip, rows, batch_size, workers, advance):
        ids.append(batch_ids)
        vectors.append(batch_vectors)
    return np.concatenate(ids), np.concatenate(vectors)


def iter_embedded(root: Path, clip, rows: list[tuple[int, str]], batch_size: int = 128, workers: int | None = None,
                  advance: Advance = no_progress) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(ids int64, vectors float32 [·, d]) of the cached images ``rows``, one model batch at a time, in ``rows`` order."""
    if not rows:
        return
    workers = default_workers(clip.device) if workers is None else workers
    loader = DataLoader(
        CachedPixels(root, rows), batch_size=batch_size,
        num_workers=workers if len(rows) > 4 * batch_size else 0,
        pin_memory=clip.device.type == "cuda", persistent_workers=False,
    )
    for batch_ids, pixels in loader:
        vectors = clip.encode_images(pixels, batch_size=batch_size).float().numpy().astype(np.float32)
        advance(len(batch_ids))
        yield batch_ids.numpy().astype(np.int64), vectors


def study_vectors(image_ids: np.ndarray, vectors: np.ndarray, study_of: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(study ids, vectors): each study's vector is the L2-normalised mean of its images' vectors."""
    if not len(image_ids):
        return np.empty(0, np.int64), np.empty((0, vectors.shape[1] if vectors.ndim == 2 else 0), np.float32)
    studies = np.array([study_of[int(i)] for i in image_ids], dtype=np.int64)
    study_ids, group = np.unique(studies, return_inverse=True)
    sums = np.zeros((len(study_ids), vectors.shape[1]), np.float64)
    np.add.at(sums, group, vectors)
    return study_ids, l2_normalise(sums)


def report_text_mode(clip) -> str:
    """The report text mode the checkpoint was pretrained with (its default when not recorded)."""
    from bonesearch.reports.sections import DEFAULT_TEXT_MODE

    training = (clip.meta.get("extra") or {}).get("training") or {}
    return training.get("text_mode") or DEFAULT_TEXT_MODE


def report_texts(store: Store, text_mode: str, report_ids: np.ndarray | None = None) -> tuple[np.ndarray, list[str]]:
    """(report ids, texts) of every report (or of ``report_ids``): the text pretraining fed the text tower."""
    from bonesearch.reports.sections import report_training_text

    sql = "SELECT report_id, findings, conclusion, text, technique FROM reports"
    params: list = []
    if report_ids is not None:
        sql += " WHERE report_id IN (SELECT unnest(?::BIGINT[]))"
        params = [[int(i) for i in report_ids]]
    rows = store.con.execute(sql + " ORDER BY report_id", params).fetchall()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    texts = [report_training_text(findings, conclusion, text, text_mode, technique)
             for _, findings, conclusion, text, technique in rows]
    return ids, texts


def embed_texts(clip, texts: list[str], advance: Advance = no_progress) -> np.ndarray:
    """Text-tower embeddings ``[N, d]`` of ``texts`` (float32, L2-normalised)."""
    out = [np.empty((0, clip.embed_dim), np.float32)]
    for start in range(0, len(texts), TEXT_BATCH):
        chunk = texts[start : start + TEXT_BATCH]
        out.append(clip.encode_texts(chunk, batch_size=TEXT_BATCH).float().numpy())
        advance(len(chunk))
    return np.concatenate(out)
