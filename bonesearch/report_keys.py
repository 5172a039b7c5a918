"""One encryption key per report: what makes an erased report unreadable the moment ``forget`` returns.

The report text lives in DuckDB, and DuckDB never erases bytes in place: a deleted row stays
in its block, a rewritten column leaves the old block in the free list, until the whole file
is copied (``indexer.forget.rewrite_database``) — seconds at 100 k reports, minutes for a
hospital network. So the text columns of ``sealed_reports`` hold only ciphertext
(AES-256-GCM, a fresh 96-bit nonce per value), each report under its own random key, and the
keys live outside DuckDB in small files that can be rewritten whole:

```
STORE/keys/<n>.keys   keys of report ids [n·4096, (n+1)·4096): records of (report_id int64, key 32 bytes)
```

``forget`` rewrites the one or two key files of the patient's reports without their keys
(temp file, fsync, rename): their text, wherever its bytes still sit in the database file, can
no longer be decrypted by anyone. The physical purge of those bytes follows
(``bonesearch forget --purge``). Keys are random, never derived from anything, and never
leave this folder; they protect erasure, not confidentiality (whoever reads the store reads
its keys).

DuckDB sees two functions, registered on every connection of the store
(:func:`register_functions`): ``bonesearch_seal(report_id, text)`` (creating the report's key
when it has none) and ``bonesearch_unseal(report_id, sealed)``; the ``reports`` view reads
through the second, so queries read plain text.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from bonesearch.durable import fsync_path, replace_synced
from bonesearch.errors import ReportKeyError

KEYS_DIR = "keys"
BUCKET_REPORTS = 4096  # report ids per key file: ingest fills one file at a time, erasure rewrites one
KEY_BYTES = 32
NONCE_BYTES = 12
SEAL_VERSION = b"\x01"
RECORD = np.dtype([("report_id", "<i8"), ("key", f"V{KEY_BYTES}")])


class ReportKeys:
    """The key files of one store, read lazily and cached per instance (one per connection)."""

    def __init__(self, store_path: Path) -> None:
        self.directory = Path(store_path) / KEYS_DIR
        self._buckets: dict[int, dict[int, bytes]] = {}

    # ------------------------------------------------------------------ keys
    def ensure(self, report_ids: Iterable[int]) -> int:
        """Give each of ``report_ids`` a key if it has none (written and synced before return); how many were new."""
        created = 0
        for bucket, ids in _by_bucket(report_ids).items():
            keys = self._load(bucket, fresh=True)
            new = [i for i in ids if i not in keys]
            if new:
                keys.update((i, secrets.token_bytes(KEY_BYTES)) for i in new)
                self._write(bucket, keys)
                created += len(new)
        return created

    def destroy(self, report_ids: Iterable[int]) -> int:
        """Delete the keys of ``report_ids`` (their key files rewritten, synced); how many existed."""
        destroyed = 0
        for bucket, ids in _by_bucket(report_ids).items():
            keys = self._load(bucket, fresh=True)
            present = ids & keys.keys()
            if present:
                for report_id in present:
                    del keys[report_id]
                self._write(bucket, keys)
                destroyed += len(present)
        return destroyed

    def report_ids(self) -> np.ndarray:
        """Every report id that has a key, sorted (``check``, the purge of orphan keys)."""
        ids = [np.fromfile(path, dtype=RECORD)["report_id"] for path in self._files()]
        return np.sort(np.concatenate(ids)) if ids else np.zeros(0, dtype=np.int64)

    # ------------------------------------------------------------------ values
    def seal(self, report_id: int, text: str | None) -> bytes | None:
        """``text`` encrypted under the report's key (created when missing); None stays None."""
        if text is None:
            return None
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = secrets.token_bytes(NONCE_BYTES)
        return SEAL_VERSION + nonce + AESGCM(self._key(int(report_id), create=True)).encrypt(nonce, text.encode(), None)

    def unseal(self, report_id: int, sealed: bytes | None) -> str | None:
        """The text of a sealed value; :class:`ReportKeyError` when its key is gone or it does not decrypt."""
        if sealed is None:
            return None
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        sealed = bytes(sealed)
        if sealed[:1] != SEAL_VERSION or len(sealed) < 1 + NONCE_BYTES + 16:
            raise ReportKeyError(f"report {report_id}: its stored text is not a sealed value (a damaged store?); "
                                 f"run `bonesearch check`")
        report_id = int(report_id)
        nonce, body = sealed[1:1 + NONCE_BYTES], sealed[1 + NONCE_BYTES:]
        try:
            plain = AESGCM(self._key(report_id)).decrypt(nonce, body, None)
        except InvalidTag:  # the id's key was replaced since this process read it (a deleted report's id reused)?
            self._load(_bucket_of(report_id), fresh=True)
            try:
                plain = AESGCM(self._key(report_id)).decrypt(nonce, body, None)
            except InvalidTag:
                raise ReportKeyError(f"report {report_id}: its text does not decrypt with its key in "
                                     f"{self._path(_bucket_of(report_id))} (keys folder replaced or damaged); "
                                     f"restore the folder from the store's backup, or re-ingest the reports") from None
        return plain.decode()

    def seal_column(self, report_ids, texts):
        """Arrow UDF ``bonesearch_seal(report_id, text)``: key files read again and keys created once per batch."""
        import pyarrow as pa

        ids, values = report_ids.to_pylist(), texts.to_pylist()
        self.ensure(i for i, v in zip(ids, values) if v is not None)  # re-reads the files: never a replaced key
        return pa.array([self.seal(i, v) for i, v in zip(ids, values)], pa.binary())

    def unseal_column(self, report_ids, sealed):
        """Arrow UDF ``bonesearch_unseal(report_id, sealed)``."""
        import pyarrow as pa

        return pa.array([self.unseal(i, v) for i, v in zip(report_ids.to_pylist(), sealed.to_pylist())], pa.string())

    # ------------------------------------------------------------------ files
    def _key(self, report_id: int, create: bool = False) -> bytes:
        bucket = _bucket_of(report_id)
        key = self._load(bucket).get(report_id)
        if key is None:  # another process may have added it since this one read the file
            key = self._load(bucket, fresh=True).get(report_id)
        if key is None and create:
            self.ensure([report_id])
            key = self._load(bucket).get(report_id)
        if key is None:
            raise ReportKeyError(f"report {report_id} has no key in {self._path(bucket)}: its text cannot be read "
                                 f"(erased by `bonesearch forget`, or the keys folder was damaged: "
                                 f"run `bonesearch check`)")
        return key

    def _load(self, bucket: int, fresh: bool = False) -> dict[int, bytes]:
        if fresh or bucket not in self._buckets:
            path = self._path(bucket)
            keys: dict[int, bytes] = {}
            if path.is_file():
                if path.stat().st_size % RECORD.itemsize:
                    raise ReportKeyError(f"{path} is damaged (its size is not a whole number of keys): restore "
                                         f"the store's keys folder from its backup")
                records = np.fromfile(path, dtype=RECORD)
                keys = {int(i): bytes(k) for i, k in zip(records["report_id"], records["key"])}
            self._buckets[bucket] = keys
        return self._buckets[bucket]

    def _write(self, bucket: int, keys: dict[int, bytes]) -> None:
        path = self._path(bucket)
        self.directory.mkdir(parents=True, exist_ok=True)
        if not keys:
            path.unlink(missing_ok=True)
        else:
            records = np.zeros(len(keys), dtype=RECORD)
            records["report_id"] = list(keys)
            records["key"] = [np.void(k) for k in keys.values()]
            replace_synced(path, records.tobytes())
        fsync_path(self.directory)
        self._buckets[bucket] = keys

    def _path(self, bucket: int) -> Path:
        return self.directory / f"{bucket:05d}.keys"

    def _files(self) -> list[Path]:
        return sorted(self.directory.glob("*.keys")) if self.directory.is_dir() else []


def key_error_in(exc: BaseException) -> str | None:
    """The message of a :class:`ReportKeyError` that DuckDB wrapped (raised inside ``bonesearch_unseal``
    during a query), or None when ``exc`` is something else."""
    marker = f"{ReportKeyError.__name__}: "
    text = str(exc)
    if type(exc).__module__.lstrip("_").startswith("duckdb") and marker in text:
        return text.split(marker, 1)[1]
    return None


def register_functions(con, store_path: Path) -> None:
    """Register ``bonesearch_seal`` / ``bonesearch_unseal`` on DuckDB connection ``con`` for the store at ``store_path``."""
    try:
        from duckdb.sqltypes import BIGINT, BLOB, VARCHAR
    except ImportError:  # DuckDB before 1.4
        from duckdb.typing import BIGINT, BLOB, VARCHAR

    import duckdb

    keys = ReportKeys(store_path)
    try:
        con.create_function("bonesearch_unseal", keys.unseal_column, [BIGINT, BLOB], VARCHAR, type="arrow")
        con.create_function("bonesearch_seal", keys.seal_column, [BIGINT, VARCHAR], BLOB, type="arrow",
                            side_effects=True)
    except duckdb.CatalogException:  # the same file opened twice in one process shares one database, whose
        pass  # functions an earlier connection registered for this same store


def _bucket_of(report_id: int) -> int:
    return int(report_id) // BUCKET_REPORTS


def _by_bucket(report_ids: Iterable[int]) -> dict[int, set[int]]:
    """The distinct ``report_ids`` grouped by key file."""
    groups: dict[int, set[int]] = {}
    for report_id in {int(i) for i in report_ids}:
        groups.setdefault(_bucket_of(report_id), set()).add(report_id)
    return groups

