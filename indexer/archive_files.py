"""Listing a hospital export: every file ingest should read, each with the keyed hash that names it.

A file is *named* (in logs, the store and the ingest report) by :func:`location_hash`: a keyed
hash of where it was seen and how it looked there (absolute path, size, modification and
change times). It is *identified* later, by what it is: its SOP Instance UID and a keyed hash
of its bytes (see :mod:`indexer.ingest`). The location hash only lets a rerun skip, without
opening it, a file it has already read; a second export whose files carry the same relative
names (``DICOM/IM0001.dcm`` …) is another location, and a file rewritten in place changes
its size or times, so both are read again.

Exports are hostile by accident: symbolic-link loops, links to nowhere, unreadable folders,
named pipes that would block a reader forever. Each becomes an :class:`ArchiveProblem` with a
reason class, named by its keyed hash only (the operator-side list maps it back to the path);
nothing here raises for one bad entry, and nothing resolves a path in a way a loop can break.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bonesearch.deid.key import PseudonymKey

HASH_LENGTH = 16  # hex digits of a location hash


@dataclass(frozen=True)
class ArchiveFile:
    """One entry of the export: a readable regular file, or a problem found while listing."""

    path: Path  # as reached from the archive root (links not resolved); operator-side only
    source_hash: str  # keyed location hash: how logs, the store and reports name it
    problem: str | None = None  # reason class when the entry cannot be read (symlink_loop, …)
    detail: str = ""  # what is wrong and what to do, without the path


# reason class -> what the operator reads after "file [hash]:" (never the path or a header value)
PROBLEMS = {
    "symlink_loop": "symbolic link loop (the link points back to itself); skipped — fix or remove the link",
    "broken_link": "symbolic link to a file that does not exist; skipped — fix the link or copy the file",
    "unreadable": "cannot be read (permission denied or I/O error); skipped — check its permissions and rerun",
    "not_regular_file": "not a regular file (named pipe, socket or device); skipped",
    "unreadable_folder": "folder cannot be listed (permission denied or I/O error); its files were not read — "
                         "check its permissions and rerun",
    "symlink_folder": "symbolic link to a folder, not followed; skipped — ingest the folder it points to directly "
                      "if its files belong to the export",
}


def location_hash(key: PseudonymKey, path: str, signature: str = "") -> str:
    """The keyed hash naming the file at ``path`` (absolute) as it is now (``signature``: size and times)."""
    return key.pseudonym("source", f"{path}\x00{signature}", length=HASH_LENGTH).split("-", 1)[1]


def legacy_location_hash(key: PseudonymKey, relative: str) -> str:
    """How versions before content identity named a file: a keyed hash of its path relative to the export.

    Still read to keep out files erased from stores those versions wrote (see :mod:`indexer.ingest`).
    """
    return key.pseudonym("source", relative, length=HASH_LENGTH).split("-", 1)[1]


def list_archive(archive: Path, key: PseudonymKey, exclude: set[str]) -> Iterator[ArchiveFile]:
    """Every non-hidden entry under ``archive``, sorted, except the real paths in ``exclude``.

    Folders are walked without following symbolic links (a linked folder is reported as
    ``symlink_folder``); a link to a file is followed once, by ``stat``, which reports loops
    and dangling links instead of raising.
    """
    archive = Path(os.path.abspath(archive))
    excluded_names = {os.path.basename(p) for p in exclude}
    problems: list[OSError] = []
    for root, dirs, files in os.walk(archive, onerror=problems.append):
        for error in problems:
            yield _problem(key, Path(error.filename or root), "unreadable_folder")
        problems.clear()
        kept = []
        for name in sorted(dirs):
            path = Path(root) / name
            if name.startswith(".") or _is_excluded(path, exclude, excluded_names):
                continue
            if os.path.islink(path):
                yield _problem(key, path, "symlink_folder")
            else:
                kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            path = Path(root) / name
            if not name.startswith(".") and not _is_excluded(path, exclude, excluded_names):
                yield _describe(key, path)
    for error in problems:  # the archive root itself could not be listed
        yield _problem(key, Path(error.filename or archive), "unreadable_folder")


def real_paths(paths: list[Path | str | None]) -> set[str]:
    """The real (link-free) absolute paths of ``paths`` (``None`` left out), as :func:`list_archive` compares them."""
    return {os.path.realpath(p) for p in paths if p is not None}


def _is_excluded(path: Path, exclude: set[str], excluded_names: set[str]) -> bool:
    """Whether ``path``'s real path is in ``exclude``, resolving only where that can be so.

    An entry that is not itself a link has its own name as the last part of its real path, so
    only entries named like an excluded path, or links, need ``realpath`` (a ``lstat`` per
    folder level): one ``lstat`` per entry instead of one per level on a 950 k-file export.
    """
    if path.name not in excluded_names and not os.path.islink(path):
        return False
    return os.path.realpath(path) in exclude


def _describe(key: PseudonymKey, path: Path) -> ArchiveFile:
    try:
        info = os.stat(path)  # follows a link to a file, once; loops and dangling links raise here
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return _problem(key, path, "symlink_loop")
        if exc.errno == errno.ENOENT and os.path.islink(path):
            return _problem(key, path, "broken_link")
        return _problem(key, path, "unreadable")
    if not stat.S_ISREG(info.st_mode):
        return _problem(key, path, "not_regular_file")
    signature = f"{info.st_size}\x00{info.st_mtime_ns}\x00{info.st_ctime_ns}"
    return ArchiveFile(path, location_hash(key, str(path), signature))


def _problem(key: PseudonymKey, path: Path, reason_class: str) -> ArchiveFile:
    return ArchiveFile(path, location_hash(key, str(path)), reason_class, PROBLEMS[reason_class])
