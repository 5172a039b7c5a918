"""FAISS indexes on disk: ids are ``images.image_id``; vectors are L2-normalised float32.

Each index is written with a manifest (model fingerprint, dimension, count) to a temp
file and renamed into place, so a crash leaves the previous index intact.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np

from bonesearch.errors import IndexNotFound


@dataclass
class IndexManifest:
    """What an index was built from: checked before every query."""

    name: str
    model_fingerprint: str
    checkpoint: str
    dim: int
    count: int
    factory: str = "IDMap2,Flat"
    metric: str = "inner_product"
    created: str = ""


def build_flat_index(ids: np.ndarray, vectors: np.ndarray) -> faiss.Index:
    """An exact inner-product index whose ids are ``ids`` (int64)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(vectors.shape[1]))
    index.add_with_ids(vectors, np.ascontiguousarray(ids, dtype=np.int64))
    return index


def write_index(index_dir: Path, index: faiss.Index, manifest: IndexManifest) -> None:
    """Write ``<name>.faiss`` and ``<name>.json`` atomically (temp + rename)."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    manifest.created = manifest.created or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    tmp_index = index_dir / f".{manifest.name}.faiss.tmp"
    tmp_manifest = index_dir / f".{manifest.name}.json.tmp"
    faiss.write_index(index, str(tmp_index))
    tmp_manifest.write_text(json.dumps(asdict(manifest), indent=2))
    os.replace(tmp_index, index_dir / f"{manifest.name}.faiss")
    os.replace(tmp_manifest, index_dir / f"{manifest.name}.json")


def read_manifest(index_dir: Path, name: str = "images") -> IndexManifest:
    """The manifest of index ``name``; :class:`IndexNotFound` when there is none."""
    path = Path(index_dir) / f"{name}.json"
    if not path.is_file():
        raise IndexNotFound(Path(index_dir).parent)
    return IndexManifest(**json.loads(path.read_text()))


def read_index(index_dir: Path, name: str = "images") -> tuple[faiss.Index, IndexManifest]:
    """Load index ``name`` and its manifest."""
    manifest = read_manifest(index_dir, name)
    return faiss.read_index(str(Path(index_dir) / f"{name}.faiss")), manifest


def search(index: faiss.Index, queries: np.ndarray, k: int, allowed_ids: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` (scores, ids) for each query row; ids are -1 where fewer than k exist.

    ``allowed_ids`` restricts the search to those ids exactly (a FAISS ID selector inside
    the search, so k results come back whenever k allowed ids exist).
    """
    queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
    k = min(k, max(index.ntotal, 1))
    if allowed_ids is None:
        return index.search(queries, k)
    selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed_ids, dtype=np.int64))
    return index.search(queries, k, params=faiss.SearchParameters(sel=selector))
