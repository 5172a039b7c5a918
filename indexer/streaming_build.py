"""A full images-index build that never holds every image's vector: for archives past a few million images.

``bonesearch index`` embeds into RAM and builds from there (:func:`indexer.embed.embed_images`):
2 KiB per image at 512-d, 20 GiB for 10 M images. Past :data:`STREAM_ABOVE` images a full
build streams instead:

1. the images are embedded in a seeded random order, so that the first
   :func:`~bonesearch.index.backends.train_sample_size` vectors are a uniform sample;
2. those are held, the index is trained on them and they are added;
3. every later batch is added as it comes and dropped;
4. study vectors come from per-study sums kept along the way (one float32 row per study).

RAM: the index, the training sample and the study sums, not the vectors. The index equals
what the in-memory build makes, up to which sample trained its lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from bonesearch.progress import Advance, no_progress
from bonesearch.index.backends import add_vectors, new_index, train_index, train_sample_size
from bonesearch.index.vectors import l2_normalise
from indexer.embed import iter_embedded

STREAM_ABOVE = 2_000_000  # full builds of more images than this stream (4 GiB of float32 vectors at 512-d)
ORDER_SEED = 0  # the embedding order, hence the training sample, is the same on every run


@dataclass
class StreamedImages:
    """What a streamed build leaves: the images index and the study vectors."""

    index: faiss.Index
    images: int  # vectors added
    study_ids: np.ndarray  # int64, sorted
    study_vectors: np.ndarray  # float32 [studies, d], L2-normalised means of their images'


def build_streaming(root: Path, clip, rows: list[tuple[int, str]], factory: str, study_of: dict[int, int],
                    batch_size: int = 128, workers: int | None = None,
                    advance: Advance = no_progress) -> StreamedImages:
    """The images index (``factory``) of the cached images ``rows`` and their studies' vectors, streamed."""
    order = np.random.default_rng(ORDER_SEED).permutation(len(rows))
    shuffled = [rows[i] for i in order]
    index = new_index(factory, clip.embed_dim)
    wanted = 0 if index.is_trained else train_sample_size(index)
    study_ids = np.unique(np.fromiter((study_of[image_id] for image_id, _ in rows), np.int64, len(rows)))
    sums = np.zeros((len(study_ids), clip.embed_dim), np.float32)
    held_ids: list[np.ndarray] = []
    held_vectors: list[np.ndarray] = []
    held = 0
    for ids, vectors in iter_embedded(root, clip, shuffled, batch_size, workers, advance):
        studies = np.fromiter((study_of[int(i)] for i in ids), np.int64, len(ids))
        np.add.at(sums, np.searchsorted(study_ids, studies), vectors)
        if index.is_trained:
            add_vectors(index, ids, vectors)
            continue
        held_ids.append(ids)
        held_vectors.append(vectors)
        held += len(ids)
        if held >= wanted:
            _train_and_add(index, held_ids, held_vectors, factory)
            held_ids, held_vectors = [], []
    if held_ids:  # fewer images than the sample wants: train on them all
        _train_and_add(index, held_ids, held_vectors, factory)
    return StreamedImages(index, int(index.ntotal), study_ids, l2_normalise(sums))


def _train_and_add(index: faiss.Index, ids: list[np.ndarray], vectors: list[np.ndarray], factory: str) -> None:
    """Train ``index`` on the held vectors when it is not yet, then add them."""
    all_ids, all_vectors = np.concatenate(ids), np.concatenate(vectors)
    if not index.is_trained:
        train_index(index, all_vectors, factory)
    add_vectors(index, all_ids, all_vectors)
