"""Another process holding a store's DuckDB file open, as a running ``bonesearch ingest`` (writing)
or ``bonesearch query`` (reading) does."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bonesearch.store import DB_NAME

HOLDER = "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'read'); " \
         "print('holding', flush=True); sys.stdin.read()"


@contextmanager
def held(store: Path, mode: str = "write") -> Iterator[int]:
    """A child process holds ``store``'s database open (``write`` or ``read``) until the block ends; yields its PID."""
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(Path(store) / DB_NAME), mode],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "holding"
        yield child.pid
    finally:
        child.stdin.close()
        child.wait(timeout=60)
        child.stdout.close()
