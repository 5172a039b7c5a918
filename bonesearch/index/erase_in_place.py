"""Erase vectors from an exact index file by editing it in place (``forget`` at archive scale).

Rewriting ``images.faiss`` to drop one patient's vectors costs the whole file (188 MB at
184 k images, ~1 GB at the seed hospital's 947 k): ``forget`` would take seconds and grow
with the archive. An exact index (``IDMap2,Flat`` / ``IDMap,Flat``: what
:func:`~bonesearch.index.backends.choose_factory` picks up to a million vectors) is a plain
layout on disk, so the erasure edits it where the vectors are:

1. each erased vector's slot receives the vector (and id) of one of the last slots that stay
   (swap-remove: the vectors' order means nothing behind an id map);
2. the counts in the headers and the id list shrink by the number erased;
3. every byte past the new end — the moved vectors' old copies, erased vectors that sat at
   the end, the old id list — is overwritten with zeros. The file keeps its length (a reader
   that memory-maps it must never find it shorter); a full write (``bonesearch index``)
   drops the zeros.

Cost: the erased vectors, the id list (8 bytes per vector) and one fsync, whatever the
archive size. Erased vectors are overwritten, never only unlinked.

Crash safety: every write (offset and bytes, none of them the erased vectors') is first saved
in a redo file ``.<name>.faiss.erase`` beside the index, synced, then applied; a crash
mid-way is finished by :func:`finish_erasures` (called by every writer and reader), which
applies the same writes again. A file whose layout is not the one described here (another
index type, a FAISS version that writes differently) is left alone: :func:`erase_in_place`
returns None and the caller rewrites the index instead.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bonesearch.durable import replace_synced

ID_MAP_CODES = (b"IxM2", b"IxMp")  # IndexIDMap2, IndexIDMap
FLAT_CODES = (b"IxFI", b"IxF2")  # IndexFlatIP, IndexFlatL2
REDO_SUFFIX = ".erase"
ZERO_CHUNK = 1 << 20
_HEADER = struct.Struct("<iqqq?i")  # d, ntotal, two placeholders, is_trained, metric_type
_COUNT = struct.Struct("<Q")
_WRITE = struct.Struct("<QQ?")  # offset, length, zeros (no bytes follow)
Write = tuple[int, "bytes | int"]  # (offset, the bytes) or (offset, how many zero bytes)


@dataclass(frozen=True)
class FlatLayout:
    """Where the parts of an ``IDMap(2),Flat`` index file are (byte offsets)."""

    dim: int
    count: int
    outer_ntotal: int  # offset of the id map's ntotal
    inner_ntotal: int  # offset of the flat index's ntotal
    codes_size: int  # offset of the codes' length field (in floats)
    codes: int  # offset of the first vector
    ids_size: int  # offset of the id list's length field
    ids: int  # offset of the first id
    end: int  # first byte after the id list

    @property
    def vector_bytes(self) -> int:
        """Bytes of one stored vector (float32)."""
        return 4 * self.dim


def flat_layout(path: Path) -> FlatLayout | None:
    """The layout of the exact index at ``path``, or None when the file is not one (or not as expected)."""
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        head = handle.read(2 * (4 + _HEADER.size + 4) + 8)
    outer = _read_header(head, 0, ID_MAP_CODES)
    if outer is None:
        return None
    dim, count, after_outer = outer
    inner = _read_header(head, after_outer, FLAT_CODES)
    if inner is None or inner[0] != dim or inner[1] != count:
        return None
    codes_size = inner[2]
    if len(head) < codes_size + 8 or _COUNT.unpack_from(head, codes_size)[0] != count * dim:
        return None
    codes = codes_size + 8
    ids_size = codes + 4 * dim * count
    if ids_size + 8 > size:
        return None
    with open(path, "rb") as handle:
        handle.seek(ids_size)
        if _COUNT.unpack(handle.read(8))[0] != count:
            return None
    end = ids_size + 8 + 8 * count
    if end > size:
        return None
    return FlatLayout(dim, count, 8, after_outer + 8, codes_size, codes, ids_size, ids_size + 8, end)


def _read_header(data: bytes, offset: int, codes: tuple[bytes, ...]) -> tuple[int, int, int] | None:
    """(dim, ntotal, offset after the header) of the index header at ``offset`` when its fourcc is one of ``codes``."""
    if data[offset:offset + 4] not in codes or len(data) < offset + 4 + _HEADER.size:
        return None
    dim, ntotal, _, _, _, metric = _HEADER.unpack_from(data, offset + 4)
    if dim <= 0 or ntotal < 0 or metric > 1:  # metrics past L2 carry an extra argument: not this layout
        return None
    return dim, ntotal, offset + 4 + _HEADER.size


def erase_in_place(path: Path, ids: np.ndarray) -> int | None:
    """Remove the vectors of ``ids`` from the exact index file ``path`` in place; how many went.

    None when ``path`` is not an ``IDMap(2),Flat`` file this module can edit (rewrite it).
    Absent ids are ignored. The caller holds the store's writer lock.
    """
    path = Path(path)
    layout = flat_layout(path)
    if layout is None:
        return None
    stored = np.fromfile(path, dtype="<i8", count=layout.count, offset=layout.ids)
    erased = np.flatnonzero(np.isin(stored, np.asarray(ids, dtype=np.int64)))
    if not len(erased):
        return 0
    writes = _plan(path, layout, stored, erased)
    redo = redo_path(path)
    _save_redo(redo, writes)
    _apply(path, writes)
    redo.unlink()
    return int(len(erased))


def _plan(path: Path, layout: FlatLayout, stored: np.ndarray, erased: np.ndarray) -> list[Write]:
    """The writes that turn the file into the index without the ``erased`` slots."""
    kept_count = layout.count - len(erased)
    holes = erased[erased < kept_count]  # erased slots inside the part that stays
    movers = np.setdiff1d(np.arange(kept_count, layout.count), erased)  # staying vectors past the new end
    assert len(holes) == len(movers)
    ids = stored[:kept_count].copy()
    ids[holes] = stored[movers]
    step = layout.vector_bytes
    writes: list[Write] = []
    with open(path, "rb") as handle:
        for hole, mover in zip(holes.tolist(), movers.tolist()):
            handle.seek(layout.codes + mover * step)
            writes.append((layout.codes + hole * step, handle.read(step)))
    new_ids_size = layout.codes + kept_count * step
    writes += [
        (layout.outer_ntotal, struct.pack("<q", kept_count)),
        (layout.inner_ntotal, struct.pack("<q", kept_count)),
        (layout.codes_size, _COUNT.pack(kept_count * layout.dim)),
        (new_ids_size, _COUNT.pack(kept_count) + ids.astype("<i8").tobytes()),
    ]
    tail = new_ids_size + 8 + 8 * kept_count
    writes.append((tail, layout.end - tail))  # zeros over everything past the new end (earlier erasures zeroed the rest)
    return writes


def redo_path(path: Path) -> Path:
    """The redo file of an in-place erasure of ``path`` (present only while one is under way)."""
    return path.with_name(f".{path.name}{REDO_SUFFIX}")


def _save_redo(redo: Path, writes: list[Write]) -> None:
    parts = [_COUNT.pack(len(writes))]
    for offset, data in writes:
        zeros = isinstance(data, int)
        parts.append(_WRITE.pack(offset, data if zeros else len(data), zeros))
        if not zeros:
            parts.append(data)
    replace_synced(redo, b"".join(parts))


def _load_redo(redo: Path) -> list[Write]:
    writes: list[Write] = []
    with open(redo, "rb") as handle:
        (count,) = _COUNT.unpack(handle.read(_COUNT.size))
        for _ in range(count):
            offset, length, zeros = _WRITE.unpack(handle.read(_WRITE.size))
            writes.append((offset, length if zeros else handle.read(length)))
    return writes


def _apply(path: Path, writes: list[Write]) -> None:
    with open(path, "r+b") as handle:
        for offset, data in writes:
            handle.seek(offset)
            if isinstance(data, int):
                for start in range(0, data, ZERO_CHUNK):
                    handle.write(bytes(min(ZERO_CHUNK, data - start)))
            else:
                handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def finish_erasures(index_dir: Path) -> list[str]:
    """Apply the redo files an interrupted in-place erasure left (idempotent); the index files finished.

    Call with the writer lock held (or when no writer holds it)."""
    finished = []
    for redo in sorted(Path(index_dir).glob(f".*.faiss{REDO_SUFFIX}")):
        target = redo.with_name(redo.name[1:-len(REDO_SUFFIX)])
        if target.is_file():
            _apply(target, _load_redo(redo))
            finished.append(target.name)
        redo.unlink()
    for tmp in Path(index_dir).glob(f"..*.faiss{REDO_SUFFIX}.tmp"):  # died before its commit point: nothing applied
        tmp.unlink()
    return finished


def pending_erasures(index_dir: Path) -> bool:
    """True while an in-place erasure of some index in ``index_dir`` is unfinished."""
    return any(Path(index_dir).glob(f".*.faiss{REDO_SUFFIX}"))

