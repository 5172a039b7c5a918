"""FAISS indexes on disk: ``STORE/index/<name>.faiss`` + ``<name>.json`` (the manifest).

Three indexes, each with its own ids (DuckDB primary keys), L2-normalised float32 vectors
and inner-product metric:

=========  ======================  ============================================
name       FAISS ids               vectors
=========  ======================  ============================================
images     ``images.image_id``     the image tower's embedding of each image
studies    ``studies.study_id``    normalised mean of the study's image vectors
reports    ``reports.report_id``   the text tower's embedding of the report text
=========  ======================  ============================================

Writes are atomic as a group: every index and manifest of one job is first written to a
temp file (``.<name>.faiss.tmp``), then a journal (``.commit.json``) listing the renames is
itself renamed into place — the commit point — and the renames follow. A crash before the
journal leaves the previous indexes untouched; a crash after it is rolled forward by the
next reader or writer. So the three indexes and their manifests always describe the same
state. Writers hold ``index/.lock`` (one writer per store: ``index``, ``forget``).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import faiss

from bonesearch.durable import fsync_path, replace_synced
from bonesearch.errors import IndexNotFound, StoreBusy
from bonesearch.index.memory import memory_budget
from bonesearch.index.backends import apply_search_params, build_flat_index, serve_mapped_lists
from bonesearch.index.erase_in_place import finish_erasures, pending_erasures
from bonesearch.index.topk import search

INDEX_NAMES = ("images", "studies", "reports")
ID_COLUMNS = {"images": "images.image_id", "studies": "studies.study_id", "reports": "reports.report_id"}
COMMIT_FILE = ".commit.json"
LOCK_FILE = ".lock"
TMP_SUFFIX = ".tmp"


@dataclass
class IndexManifest:
    """What an index was built from: checked before every query and by ``bonesearch check``."""

    name: str  # images | studies | reports
    model_fingerprint: str  # BoneClip.fingerprint() of the model that made the vectors
    checkpoint: str  # absolute path of that checkpoint (the query side loads it)
    dim: int  # vector dimension
    count: int  # vectors in the index (= FAISS ntotal)
    factory: str = "IDMap2,Flat"  # FAISS factory string the index was built from
    metric: str = "inner_product"
    created: str = ""  # UTC time of the full build
    search_params: str = ""  # FAISS ParameterSpace string set on load ("nprobe=64", "efSearch=128")
    ids: str = ""  # the DuckDB column the FAISS ids are (ID_COLUMNS)
    text_mode: str = ""  # reports: the report text that was encoded (pretraining's text mode)
    updated: str = ""  # UTC time of the last `index --update` or `forget`

    @classmethod
    def from_dict(cls, data: dict) -> "IndexManifest":
        """A manifest from its JSON (keys unknown to this version are ignored)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def now_utc() -> str:
    """The current UTC time as manifests record it."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def write_indexes(index_dir: Path, items: list[tuple[faiss.Index, IndexManifest]]) -> None:
    """Write every (index, manifest) of ``items`` as one atomic group (see the module doc)."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    if pending_commit(index_dir):
        _roll_forward(index_dir)
    renames = []
    for index, manifest in items:
        manifest.created = manifest.created or now_utc()
        manifest.count = int(index.ntotal)
        manifest.ids = manifest.ids or ID_COLUMNS.get(manifest.name, "")
        tmp_index = index_dir / f".{manifest.name}.faiss{TMP_SUFFIX}"
        tmp_manifest = index_dir / f".{manifest.name}.json{TMP_SUFFIX}"
        faiss.write_index(index, str(tmp_index))
        _write_synced(tmp_manifest, json.dumps(asdict(manifest), indent=2))
        fsync_path(tmp_index)
        renames += [(tmp_index.name, f"{manifest.name}.faiss"), (tmp_manifest.name, f"{manifest.name}.json")]
    journal = index_dir / (COMMIT_FILE + TMP_SUFFIX)
    _write_synced(journal, json.dumps({"renames": renames}))
    os.replace(journal, index_dir / COMMIT_FILE)  # the commit point
    fsync_path(index_dir)
    _roll_forward(index_dir)


def write_manifest(index_dir: Path, manifest: IndexManifest) -> None:
    """Replace ``<name>.json`` alone, atomically (an index file edited in place by ``forget``)."""
    replace_synced(Path(index_dir) / f"{manifest.name}.json", json.dumps(asdict(manifest), indent=2).encode())


def write_index(index_dir: Path, index: faiss.Index, manifest: IndexManifest) -> None:
    """Write ``<name>.faiss`` and ``<name>.json`` atomically (temp + rename)."""
    write_indexes(index_dir, [(index, manifest)])


def pending_commit(index_dir: Path) -> bool:
    """True when a group write reached its commit point but not all of its renames, or an
    in-place erasure (:mod:`~bonesearch.index.erase_in_place`) was interrupted.

    Writers pass ``write_indexes`` with :func:`index_lock` held.
    """
    return (Path(index_dir) / COMMIT_FILE).is_file() or pending_erasures(index_dir)


def finish_pending_commit(index_dir: Path) -> bool:
    """Roll forward an interrupted group write (when no writer holds the lock); True if one was."""
    index_dir = Path(index_dir)
    if not pending_commit(index_dir):
        return False
    try:
        with index_lock(index_dir):
            if pending_commit(index_dir):
                _roll_forward(index_dir)
    except StoreBusy:
        if pending_erasures(index_dir):  # its files are being edited in place: not readable until it ends
            raise StoreBusy(f"an erasure (bonesearch forget) is editing the indexes of {index_dir.parent}: "
                            f"retry in a moment") from None
        return False  # the writer holding the lock finishes it
    return True


def read_manifest(index_dir: Path, name: str = "images") -> IndexManifest:
    """The manifest of index ``name``; :class:`IndexNotFound` when there is none."""
    index_dir = Path(index_dir)
    finish_pending_commit(index_dir)
    path = index_dir / f"{name}.json"
    if not path.is_file():
        raise IndexNotFound(index_dir.parent)
    return IndexManifest.from_dict(json.loads(path.read_text()))


def read_index(index_dir: Path, name: str = "images", mmap: bool | None = None) -> tuple[faiss.Index, IndexManifest]:
    """Load index ``name`` and its manifest, search parameters set.

    ``mmap``: search an IVF index's inverted lists memory-mapped from the file instead of
    loading them (read-only; RAM is the page cache, not the index). Default: when the file is
    larger than :func:`~bonesearch.index.memory.memory_budget`. Writers pass ``False``.
    To search on another device or with another backend, hand the index to
    :func:`bonesearch.index.search_backends.place_index`.
    """
    manifest = read_manifest(index_dir, name)
    path = Path(index_dir) / f"{name}.faiss"
    if not path.is_file():
        raise IndexNotFound(Path(index_dir).parent)
    if mmap is None:
        mmap = path.stat().st_size > memory_budget()
    index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY) if mmap else faiss.read_index(str(path))
    if mmap:
        serve_mapped_lists(index)
    apply_search_params(index, manifest.search_params)
    return index, manifest


@contextmanager
def index_lock(index_dir: Path) -> Iterator[None]:
    """Hold the store's writer lock (``index/.lock``); :class:`StoreBusy` when another process has it."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK_FILE, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreBusy(
                f"another bonesearch job (index or forget) is writing {index_dir.parent}: wait for it to finish, then rerun"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def recover_writes(index_dir: Path) -> None:
    """Finish an interrupted group write and delete the temp files of writes that died before
    their commit point. Writers call it first, with :func:`index_lock` held."""
    if pending_commit(index_dir):
        _roll_forward(Path(index_dir))
    for path in Path(index_dir).glob(f".*{TMP_SUFFIX}"):
        path.unlink(missing_ok=True)


def _roll_forward(index_dir: Path) -> None:
    finish_erasures(index_dir)
    journal = index_dir / COMMIT_FILE
    if not journal.is_file():
        return
    for tmp, final in json.loads(journal.read_text())["renames"]:
        try:
            os.replace(index_dir / tmp, index_dir / final)
        except FileNotFoundError:
            pass  # renamed before the interruption
    fsync_path(index_dir)
    journal.unlink(missing_ok=True)


def _write_synced(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


__all__ = [
    "INDEX_NAMES", "ID_COLUMNS", "IndexManifest", "build_flat_index", "finish_pending_commit", "index_lock",
    "pending_commit", "read_index", "read_manifest", "recover_writes", "search", "write_index", "write_indexes", "write_manifest",
]
