"""`bonesearch index`: embed every image of a store with a checkpoint into FAISS."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from bonesearch.errors import EmptyStore
from bonesearch.imaging import load_png
from bonesearch.progress import Advance, no_progress
from bonesearch.store import Store
from bonesearch.vector_index import IndexManifest, build_flat_index, write_index


@dataclass
class IndexSummary:
    """What `index` did."""

    images: int
    dim: int
    seconds: float
    model_fingerprint: str
    index_path: Path

    @property
    def images_per_second(self) -> float:
        return self.images / self.seconds if self.seconds else 0.0


class CachedPixels(Dataset):
    """The store's cached greyscale images, in ``image_id`` order."""

    def __init__(self, store: Store, rows: list[tuple[int, str]]) -> None:
        self.root = store.path
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> tuple[int, torch.Tensor]:
        image_id, relative = self.rows[i]
        return image_id, torch.from_numpy(load_png(self.root / relative).copy())


def embed_store_images(store: Store, clip, batch_size: int = 128, workers: int = 2, advance: Advance = no_progress) -> tuple[np.ndarray, np.ndarray]:
    """(ids int64 [N], vectors float32 [N, d]) for every image in the store."""
    rows = [(int(i), p) for i, p in store.con.execute("SELECT image_id, pixel_path FROM images ORDER BY image_id").fetchall()]
    if not rows:
        raise EmptyStore(f"the store {store.path} has no images: run `bonesearch ingest ARCHIVE --store {store.path}` first")
    loader = DataLoader(
        CachedPixels(store, rows), batch_size=batch_size, num_workers=workers if len(rows) > 4 * batch_size else 0,
        pin_memory=clip.device.type == "cuda",
    )
    ids, vectors = [], []
    for batch_ids, pixels in loader:
        vectors.append(clip.encode_images(pixels).float().cpu().numpy())
        ids.append(batch_ids.numpy())
        advance(len(batch_ids))
    return np.concatenate(ids).astype(np.int64), np.concatenate(vectors).astype(np.float32)


def build_image_index(store_path: Path, checkpoint: Path, device: str = "auto", batch_size: int = 128, workers: int = 2,
                      advance: Advance = no_progress) -> IndexSummary:
    """Embed all images of ``store_path`` with ``checkpoint`` and write ``index/images.faiss``."""
    from bonesearch.models.checkpoint import load_checkpoint
    from bonesearch.models.device import resolve_device

    start = time.perf_counter()
    clip = load_checkpoint(checkpoint, device=resolve_device(device))
    with Store.open(Path(store_path)) as store:
        ids, vectors = embed_store_images(store, clip, batch_size, workers, advance)
        manifest = IndexManifest(
            name="images", model_fingerprint=clip.fingerprint(), checkpoint=str(Path(checkpoint).absolute()),
            dim=int(vectors.shape[1]), count=int(len(ids)),
        )
        write_index(store.index_dir, build_flat_index(ids, vectors), manifest)
        index_path = store.index_dir / "images.faiss"
    return IndexSummary(len(ids), int(vectors.shape[1]), time.perf_counter() - start, manifest.model_fingerprint, index_path)
