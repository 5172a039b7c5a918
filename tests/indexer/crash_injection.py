"""Test-only fault injection: worker functions that kill their own process on chosen files.

The crash-recovery tests install these in place of the production worker functions
(``monkeypatch.setattr(indexer.ingest, "decode_file", CrashingDecode(...))``); the engines
then ship them to their real worker processes (the local pool pickles them, Ray Data
cloudpickles them), where a listed file ends the process at once with ``os._exit``, as a
segfaulting codec or the OOM killer would. Production code carries no crash hook: nothing
here can be switched on from outside a test.

A file is listed by its path's tail (``NAME`` matches ``…/NAME``; ``NAME`` may hold folders).
``always`` files crash every attempt; ``once`` files only the first (a transient failure):
the first worker to reach one leaves a marker in ``marker_dir``, shared by every worker,
and later attempts go through.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer import decode_worker, ray_engine

CRASH_EXIT_CODE = 70
#: the production reader, kept before any test replaces ``ray_engine.read_pixels_batch``
_READ_PIXELS_BATCH = ray_engine.read_pixels_batch


@dataclass(frozen=True)
class CrashList:
    """The files on which a worker dies: every time (``always``) or the first time only (``once``)."""

    always: tuple[str, ...] = ()
    once: tuple[str, ...] = ()
    marker_dir: str = ""  # where the first crash on a ``once`` file is remembered (needed with ``once``)

    def crash_if_listed(self, path: str) -> None:
        """End this process (``os._exit``) when ``path`` is listed and due to crash."""
        posix = Path(path).as_posix()
        if any(_matches(posix, target) for target in self.always):
            os._exit(CRASH_EXIT_CODE)
        for target in self.once:
            if _matches(posix, target):
                marker = Path(self.marker_dir) / f"crashed-{target.replace('/', '_')}"
                try:
                    marker.touch(exist_ok=False)  # the first worker to get here crashes; retries go through
                except FileExistsError:
                    return
                os._exit(CRASH_EXIT_CODE)


@dataclass(frozen=True)
class CrashingDecode:
    """:func:`indexer.decode_worker.decode_file`, except on the listed files (the ingest's worker function)."""

    crashes: CrashList

    def __call__(self, path: str, *rest) -> decode_worker.DecodedImage:
        self.crashes.crash_if_listed(path)
        return decode_worker.decode_file(path, *rest)


@dataclass(frozen=True)
class CrashingPixelReader:
    """:func:`indexer.ray_engine.read_pixels_batch`, except on batches holding a listed PNG (the Ray index's reader)."""

    crashes: CrashList

    def __call__(self, batch: dict[str, np.ndarray], root: str) -> dict[str, np.ndarray]:
        for relative in batch["pixel_path"]:
            self.crashes.crash_if_listed(str(relative))
        return _READ_PIXELS_BATCH(batch, root)


def _matches(posix: str, target: str) -> bool:
    return posix == target or posix.endswith("/" + target)
