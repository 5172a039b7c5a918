"""Fault injection for the crash-recovery tests: make a worker process die on chosen files.

Inert unless ``BONESEARCH_INJECT_CRASH`` is set (one environment lookup per file).
Its value is a comma-separated list of ``NAME:MODE`` items: a worker that starts on a
file whose path ends with ``/NAME`` (``NAME`` may hold folders) exits at once (``os._exit``, as a segfaulting codec or the OOM
killer would end it), either ``always`` or only the first ``once`` (a transient node
failure; the marker lives in ``BONESEARCH_INJECT_CRASH_DIR``, shared by all workers).
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_CRASH = "BONESEARCH_INJECT_CRASH"
ENV_CRASH_DIR = "BONESEARCH_INJECT_CRASH_DIR"


def maybe_crash(path: str) -> None:
    """Kill this process if ``path`` is listed in ``BONESEARCH_INJECT_CRASH``."""
    spec = os.environ.get(ENV_CRASH)
    if not spec:
        return
    posix = Path(path).as_posix()
    for item in spec.split(","):
        target, _, mode = item.strip().partition(":")
        if not target or not (posix == target or posix.endswith("/" + target)):
            continue
        if mode == "once":
            marker = Path(os.environ.get(ENV_CRASH_DIR, "/tmp")) / f"crashed-{target.replace('/', '_')}"
            try:
                marker.touch(exist_ok=False)  # the first worker to get here crashes; retries go through
            except FileExistsError:
                return
        os._exit(70)


def injected_env() -> dict[str, str]:
    """The fault-injection variables set in this process (for workers that don't inherit its environment)."""
    return {name: os.environ[name] for name in (ENV_CRASH, ENV_CRASH_DIR) if name in os.environ}
