"""The web tests' demo store: the session's ``pretrain_store`` indexed with a tiny model, built
once per session and shared by the API and browser tests."""

from __future__ import annotations

import shutil
from pathlib import Path

_BUILT: dict[str, Path] = {}


def indexed_demo_store(pretrain_store: Path, root: Path) -> Path:
    """``pretrain_store`` copied under ``root`` and indexed (images, studies, reports) with a
    fresh tiny model; the copy is made once per session and reused."""
    from tests.index_store import indexed_copy

    if "store" not in _BUILT:
        store, _checkpoint, _summary = indexed_copy(pretrain_store, root)
        _BUILT["store"] = store
    return _BUILT["store"]


def writable_copy(store: Path, dest: Path) -> Path:
    """A copy of an indexed store that a test may erase from (its index points at the same checkpoint)."""
    shutil.copytree(store, dest)
    return dest


def archive_dicoms(pretrain_store: Path) -> list[Path]:
    """The DICOM files of the demo export ``pretrain_store`` was ingested from."""
    return sorted((pretrain_store.parent / "archive" / "export").rglob("*.dcm"))
