"""The search engine a long-running server uses: an in-memory snapshot of the store's
DuckDB plus its FAISS indexes, reopened when the store changes on disk.

Engines are opened by :meth:`SearchEngine.open` with ``snapshot=True`` (same errors as the
CLI's). The server never keeps ``meta.duckdb`` open: DuckDB locks a database file against
writers while any process holds it, and ``bonesearch forget`` (right to erasure) or
``bonesearch index --update`` must be able to rewrite the store under a running server.
Each request compares the store files' identity (inode, size, mtime) with the loaded
snapshot's and reloads on a change; while a writer holds the file the previous snapshot
keeps answering; while a ``forget`` is in progress (its journal exists) requests get
:class:`~bonesearch.errors.StoreBusy` (503) instead of rows that are being erased.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from bonesearch.errors import StoreBusy, StoreLocked
from bonesearch.search.engine import SearchEngine
from bonesearch.store import DB_NAME
from bonesearch.web.schemas import Facets

__all__ = ["FORGET_JOURNAL", "LiveEngine"]

#: ``indexer.forget.JOURNAL``: present while an erasure is under way (bonesearch never imports indexer).
FORGET_JOURNAL = ".forget-pending.json"
WATCHED = (DB_NAME, "index/images.faiss", "index/images.json", "index/studies.faiss", "index/studies.json")
SNAPSHOT_TRIES = 3  # a snapshot taken while a writer swaps the file in is retried
log = logging.getLogger("bonesearch.web")


class LiveEngine:
    """A :class:`SearchEngine` over a snapshot of ``store_path``, one request at a time.

    ``with live.use() as engine:`` reloads first when the store changed, and holds a lock
    for the block (DuckDB connections and the model are not shared between threads).
    """

    def __init__(self, store_path: Path | str, device: str = "cpu") -> None:
        self.path = Path(store_path)
        self.device = device
        self._lock = threading.Lock()
        self._engine: SearchEngine | None = None
        self._open_engines: list[SearchEngine] = []  # closed when this object goes, or at exit at the latest
        weakref.finalize(self, _close_all, self._open_engines)
        self._signature: tuple | None = None
        self.facets: Facets | None = None
        self.counts: dict[str, int] = {}
        self.study_similarity = False
        with self._lock:
            self._refresh()

    @contextmanager
    def use(self) -> Iterator[SearchEngine]:
        """The current engine, reloaded first if the store changed; raises StoreBusy during an erasure."""
        with self._lock:
            self._refresh()
            yield self._engine

    def close(self) -> None:
        """Drop the snapshot (DuckDB's in-memory database is closed, not left to interpreter exit)."""
        with self._lock:
            _close_all(self._open_engines)
            self._engine = None

    # ---------------------------------------------------------------- internals
    def _files_signature(self) -> tuple:
        signature = []
        for name in WATCHED:
            try:
                st = (self.path / name).stat()
                signature.append((name, st.st_ino, st.st_size, st.st_mtime_ns))
            except FileNotFoundError:
                signature.append((name, None))
        return tuple(signature)

    def _refresh(self) -> None:
        if (self.path / FORGET_JOURNAL).exists():
            raise StoreBusy(f"the store {self.path} is being updated (an erasure is in progress): retry in a moment; "
                            f"if it lasts, run `bonesearch forget --store {self.path} --resume`")
        signature = self._files_signature()
        if signature == self._signature and self._engine is not None:
            return
        for attempt in range(SNAPSHOT_TRIES):
            try:
                engine = self._open()
                break
            except (StoreLocked, duckdb.Error) as exc:  # a writer holds the file, or swapped it during the copy
                if attempt == SNAPSHOT_TRIES - 1:
                    if self._engine is None:
                        if isinstance(exc, StoreLocked):
                            raise
                        raise StoreBusy(f"the store {self.path} could not be read while another process rewrote it: "
                                        f"retry in a moment") from None
                    log.warning("store changed but could not be reopened yet; still serving the previous snapshot")
                    return
                time.sleep(0.05 * (attempt + 1))
        if self._engine is not None:
            _close_all(self._open_engines)
            log.info("store changed on disk: reopened")
        self._engine, self._signature = engine, signature
        self._open_engines.append(engine)
        self._describe(engine)

    def _open(self) -> SearchEngine:
        """A new engine over a snapshot of the store; the model is reused while it is the index's."""
        loaded = self._engine.loaded_clip if self._engine is not None else None
        return SearchEngine.open(self.path, device=self.device, snapshot=True, loaded_model=loaded)

    def _describe(self, engine: SearchEngine) -> None:
        """Counts and filter values of the loaded snapshot, for /api/info."""
        con = engine.store.con

        def values(sql: str) -> list[str]:
            return [row[0] for row in con.execute(sql).fetchall() if row[0]]

        self.counts = {"images": engine.store.count("images"), "studies": engine.store.count("studies")}
        ages = con.execute("SELECT min(age_months), max(age_months) FROM studies").fetchone()
        dates = con.execute("SELECT CAST(min(study_date) AS VARCHAR), CAST(max(study_date) AS VARCHAR) FROM studies").fetchone()
        self.facets = Facets(
            body_parts=values("SELECT DISTINCT coalesce(i.body_part, s.body_part) AS b FROM images i "
                              "JOIN studies s USING (study_id) ORDER BY b"),
            laterality=values("SELECT DISTINCT laterality FROM images ORDER BY 1"),
            sex=values("SELECT DISTINCT sex FROM studies ORDER BY 1"),
            age_years=(ages[0] // 12, ages[1] // 12) if ages[0] is not None else None,
            study_dates=tuple(dates) if dates[0] is not None else None,
        )
        self.study_similarity = (self.path / "index" / "studies.faiss").is_file()


def _close_all(engines: list[SearchEngine]) -> None:
    while engines:
        engines.pop().close()
