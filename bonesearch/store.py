"""The store: a folder with the DuckDB metadata, cached pixels and the search index.

```
STORE/meta.duckdb            studies, images, sealed_reports (+ the reports view), sources, store_meta
STORE/keys/<n>.keys          one random key per report (bonesearch.report_keys)
STORE/pixels/<image_id>.png  greyscale, longest side 256, padded square
STORE/index/                 FAISS indexes + manifest.json
```
Nothing identifying is ever written here (see ``bonesearch.deid``). The de-identified report
text is stored encrypted, each report under its own key (``sealed_reports``), and read through
the ``reports`` view, so that erasing a report's key makes its text unreadable at once
(:mod:`bonesearch.report_keys`). Write report rows with ``bonesearch_seal(report_id, text)``
into ``sealed_reports``; read them from ``reports``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from bonesearch.errors import StoreLocked, StoreNotFound
from bonesearch.report_keys import ReportKeys, register_functions

SCHEMA_VERSION = 2  # 2: report text sealed (sealed_reports + the reports view)
from bonesearch.store_paths import DB_NAME  # noqa: E402 (re-exported)
INDEX_DIR = "index"  # FAISS indexes + manifests, inside the store

SCHEMA = """
CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS studies (
    study_id        INTEGER PRIMARY KEY,
    study_uid       VARCHAR UNIQUE NOT NULL,   -- keyed pseudonym (2.25.x)
    patient_pseudo  VARCHAR NOT NULL,          -- keyed pseudonym PAT-…
    accession_pseudo VARCHAR,                  -- keyed pseudonym ACC-…
    study_date      DATE,                      -- shifted by the patient's offset
    modality        VARCHAR,
    body_part       VARCHAR,
    age_months      INTEGER,                   -- capped at 1080 (90 y)
    sex             VARCHAR
);
CREATE TABLE IF NOT EXISTS images (
    image_id        BIGINT PRIMARY KEY,        -- = FAISS id
    study_id        INTEGER NOT NULL,
    sop_uid         VARCHAR UNIQUE NOT NULL,   -- keyed pseudonym
    series_uid      VARCHAR,
    modality        VARCHAR,
    body_part       VARCHAR,
    view            VARCHAR,
    laterality      VARCHAR,
    manufacturer    VARCHAR,
    rows            INTEGER,
    cols            INTEGER,
    pixel_spacing_mm DOUBLE,
    photometric     VARCHAR,
    transfer_syntax VARCHAR,
    bits_stored     INTEGER,
    pixel_path      VARCHAR NOT NULL           -- relative to the store
);
CREATE TABLE IF NOT EXISTS sealed_reports (
    report_id       INTEGER PRIMARY KEY,
    study_id        INTEGER NOT NULL,
    report_date     DATE,                      -- shifted
    text            BLOB NOT NULL,             -- de-identified full text, sealed (bonesearch_seal)
    indication      BLOB,                      -- its sections, sealed
    technique       BLOB,
    findings        BLOB,
    conclusion      BLOB
);
CREATE TABLE IF NOT EXISTS sources (
    source_hash     VARCHAR PRIMARY KEY,       -- keyed hash of where the file was seen (path, size, times)
    status          VARCHAR NOT NULL,          -- ingested | duplicate | replaced | skipped | excluded | forgotten
    reason          VARCHAR,
    image_id        BIGINT,
    content_hash    VARCHAR,                   -- keyed hash of the file's bytes
    instance_token  VARCHAR                    -- keyed token of its SOP Instance UID (what the file is); not
                                               -- the images.sop_uid pseudonym, so an erased image's row links
                                               -- to none of its de-identified copies
);
"""
REPORT_TEXT_COLUMNS = ("text", "indication", "technique", "findings", "conclusion")
REPORTS_VIEW = "CREATE VIEW IF NOT EXISTS reports AS SELECT report_id, study_id, report_date, " + ", ".join(
    f"bonesearch_unseal(report_id, {c}) AS {c}" for c in REPORT_TEXT_COLUMNS) + " FROM sealed_reports"
# Columns added after a store's first version: (table, column, type), added on open for writing.
MIGRATIONS = (("sources", "content_hash", "VARCHAR"), ("sources", "instance_token", "VARCHAR"))


ID_SEQUENCES = (("studies", "study_id"), ("images", "image_id"), ("reports", "report_id"))


def _high_water_key(table: str, column: str) -> str:
    return f"next_id:{table}.{column}"


class Store:
    """An open store: the DuckDB connection plus the folder layout."""

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection) -> None:
        self.path = Path(path)
        self.con = con
        self.report_keys = ReportKeys(self.path)  # to seal or read report text outside SQL

    # ---- opening -------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path) -> "Store":
        """Open ``path`` for writing, creating the folder and schema when needed.

        Raises :class:`~bonesearch.errors.StoreLocked` when another process has the store open.
        """
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "pixels").mkdir(exist_ok=True)
        con = _connect(path, read_only=False)
        con.execute(SCHEMA)
        for table, column, sql_type in MIGRATIONS:
            con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {sql_type}")
        store = cls(path, con)
        if _written_before_sealing(con):
            _seal_plain_reports(store)
        con.execute(REPORTS_VIEW)
        con.execute(
            "INSERT INTO store_meta VALUES ('schema_version', ?) ON CONFLICT DO UPDATE SET value = excluded.value",
            [str(SCHEMA_VERSION)],
        )
        return store

    @classmethod
    def open(cls, path: Path, read_only: bool = True) -> "Store":
        """Open an existing store.

        Raises:
            StoreNotFound: no store at ``path`` (the message says how to create one).
            StoreLocked: another process holds the store (a writer; any process when
                ``read_only`` is False): DuckDB allows one writing process or many readers.
        """
        path = Path(path)
        if not (path / DB_NAME).is_file():
            raise StoreNotFound(path)
        con = _connect(path, read_only=read_only)
        if _written_before_sealing(con):  # upgraded once, then opened as asked
            con.close()
            _upgrade(path)
            con = _connect(path, read_only=read_only)
        return cls(path, con)

    @classmethod
    def snapshot(cls, path: Path) -> "Store":
        """An in-memory copy of an existing store's tables; the file is closed on return.

        For a long-running reader (``bonesearch serve``) that must never keep the file
        locked against writers. Raises as :meth:`open` does.
        """
        path = Path(path)
        if not (path / DB_NAME).is_file():
            raise StoreNotFound(path)
        with _connect(path, read_only=True) as con:
            old = _written_before_sealing(con)
        if old:
            _upgrade(path)
        con = duckdb.connect(":memory:")
        try:
            with _lock_conflict_as_store_locked(path, writing=False):
                con.execute(f"ATTACH '{_sql_string(path / DB_NAME)}' AS src (READ_ONLY)")
            con.execute("COPY FROM DATABASE src TO memory")
            con.execute("DETACH src")
            register_functions(con, path)
        except BaseException:
            con.close()
            raise
        return cls(path, con)

    def close(self) -> None:
        """Close the DuckDB connection."""
        self.con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """``BEGIN`` … ``COMMIT`` around the block; ``ROLLBACK`` on any exception, which is re-raised.

        ```python
        with store.transaction() as con:
            con.execute("DELETE FROM images WHERE study_id = ?", [study_id])
            con.execute("DELETE FROM studies WHERE study_id = ?", [study_id])
        ```
        """
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    # ---- layout --------------------------------------------------------------------
    @property
    def pixels_dir(self) -> Path:
        return self.path / "pixels"

    @property
    def index_dir(self) -> Path:
        return self.path / INDEX_DIR

    def pixel_file(self, relative: str) -> Path:
        """Absolute path of a cached image given its ``images.pixel_path``."""
        return self.path / relative

    # ---- small helpers -------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.con.execute("SELECT value FROM store_meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.con.execute(
            "INSERT INTO store_meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value]
        )

    def count(self, table: str) -> int:
        """Row count of one of the store's tables."""
        if table not in ("studies", "images", "reports", "sources"):
            raise ValueError(f"unknown table {table!r}")
        return int(self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def insert_reports(self, rows: Iterable[dict]) -> int:
        """Insert report rows (``report_id``, ``study_id``, optional ``report_date`` and text columns), their
        text sealed under new keys (synced before the rows are written); returns how many."""
        rows = list(rows)
        keys = self.report_keys
        keys.ensure(row["report_id"] for row in rows)
        columns = ("report_id", "study_id", "report_date", *REPORT_TEXT_COLUMNS)
        values = [[row["report_id"], row["study_id"], row.get("report_date"),
                   *(keys.seal(row["report_id"], row.get(c)) for c in REPORT_TEXT_COLUMNS)] for row in rows]
        if values:
            self.con.executemany(f"INSERT INTO sealed_reports ({', '.join(columns)}) "
                                 f"VALUES ({', '.join('?' * len(columns))})", values)
        return len(values)

    def next_id(self, table: str, column: str) -> int:
        """The next free id: one more than the largest in use or ever erased (ids are never reused).

        Erasure (``bonesearch forget``) records the high-water mark first (:meth:`keep_id_high_water`),
        so an image id once given to a forgotten patient never names another patient's image.
        """
        in_use = int(self.con.execute(f"SELECT coalesce(max({column}), 0) + 1 FROM {table}").fetchone()[0])
        floor = self.get_meta(_high_water_key(table, column))
        return max(in_use, int(floor)) if floor is not None else in_use

    def keep_id_high_water(self) -> None:
        """Record every id column's next free id, before rows are deleted (see :meth:`next_id`)."""
        for table, column in ID_SEQUENCES:
            self.set_meta(_high_water_key(table, column), str(self.next_id(table, column)))


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A connection to the store's DuckDB file (the report functions registered); a lock held by
    another process is :class:`StoreLocked`."""
    with _lock_conflict_as_store_locked(path, writing=not read_only):
        con = duckdb.connect(str(path / DB_NAME), read_only=read_only)
    register_functions(con, path)
    return con


def _written_before_sealing(con: duckdb.DuckDBPyConnection) -> bool:
    """True for a store whose ``reports`` is still a plain table (schema version 1)."""
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' "
                       "AND table_name = 'reports' AND table_type = 'BASE TABLE'").fetchall()[0][0] > 0


def _upgrade(path: Path) -> None:
    """Seal the report text of a store written by an earlier version (once; needs it for writing)."""
    try:
        Store.create(path).close()
    except StoreLocked as exc:  # "wait for it to finish, then rerun": the upgrade happens then
        raise StoreLocked(path, writing=True, pid=exc.pid) from None


def _seal_plain_reports(store: Store) -> None:
    """A store written before report text was sealed: move its ``reports`` table into ``sealed_reports``
    (each report given its key) and drop it, in one transaction. The plain text stays in the file's free
    blocks until the next rewrite (``bonesearch forget --purge``): it is the live reports' own text."""
    sealed = ", ".join(f"bonesearch_seal(report_id, {c})" for c in REPORT_TEXT_COLUMNS)
    with store.transaction() as con:
        con.execute(f"INSERT INTO sealed_reports SELECT report_id, study_id, report_date, {sealed} FROM reports")
        con.execute("DROP TABLE reports")


@contextmanager
def _lock_conflict_as_store_locked(path: Path, writing: bool) -> Iterator[None]:
    """Turn DuckDB's ``Could not set lock on file`` into :class:`StoreLocked` (no DuckDB message)."""
    try:
        yield
    except duckdb.IOException as exc:
        message = str(exc)
        if "Could not set lock" not in message:
            raise
        pid = re.search(r"\(PID (\d+)\)", message)
        raise StoreLocked(path, writing=writing, pid=int(pid.group(1)) if pid else None) from None


def _sql_string(path: Path) -> str:
    """``path`` inside a single-quoted SQL literal."""
    return str(path).replace("'", "''")
