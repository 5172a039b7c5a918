"""`bonesearch forget`: erase a patient (or one study) from a store — right to erasure.

What goes, in this order (each step is idempotent; a journal makes the whole resumable):

1. ``STORE/.forget-pending.json`` is written: the ids and keys to erase (the journal).
2. DuckDB, in one transaction: every row of every table that names an erased study, image
   or report (by ``study_id``, ``image_id``, ``report_id``; tables without those columns by
   ``study_uid``, ``sop_uid``, ``accession_pseudo`` or — for a patient — ``patient_pseudo``).
   The ``sources`` rows of the erased images are kept with status ``forgotten``, reason
   ``forgotten: erased on request`` and **no image id**: a source row holds only keyed hashes
   (where the file was seen, its bytes, and a token of its SOP Instance UID found nowhere else
   in the store or its exports), nothing about the patient. Keeping it is what stops a re-run
   of ``ingest`` — on the same export or on any other that carries the same images — from
   silently bringing the patient back (:mod:`indexer.image_identity`). New images of the same
   person (other SOP Instance UIDs) are ingested: the store keeps no trace that could
   recognise the person.
3. The erased reports' keys (``STORE/keys/``, :mod:`bonesearch.report_keys`): their key files
   rewritten without them. From here on their text cannot be decrypted, wherever its
   (sealed) bytes still sit in the database file.
4. Every FAISS index (images, studies, reports): the erased ids' vectors — an exact index is
   edited in place, its erased vectors overwritten (:mod:`bonesearch.index.erase_in_place`:
   the cost of the patient's vectors, not of the archive), another type rewritten atomically;
   the lexical index (report words) rewritten without the erased reports (a Tantivy delete
   alone leaves their words in the segment files).
5. Cached pixels (``pixels/<image_id>.png``): also the only thumbnails the store has (the
   contact sheet embeds them from there; sheets already written elsewhere are the user's).
6. The physical purge of DuckDB: a DELETE only marks rows, and their bytes stay in the
   database file (even after CHECKPOINT and VACUUM) until the blocks are reused, so the file
   is rewritten into a fresh one and swapped in (temp + rename). That costs the whole file
   (1.6 s at 100 k studies, growing with the archive), so ``forget`` does it itself only for a
   database up to :data:`PURGE_NOW_BYTES` (or with ``purge="now"``); for a larger one it
   records the pending purge (``STORE/.purge-pending.json``: a count and a time, no
   identifier), which ``bonesearch forget --purge`` performs for every erasure since (run it
   nightly; ``bonesearch check`` reminds). Until then the erased rows' bytes in the file are
   their sealed report text (undecryptable: step 3) and pseudonymous metadata (keyed-hash
   UIDs, shifted dates, age, sex, body part, image geometry); nothing the store's queries,
   API or exports can reach.
7. The journal is deleted.

``forget`` refuses to start while another writer (``index``) holds the store, and an
interrupted ``forget`` is finished by ``bonesearch forget --store STORE --resume`` (or by
the next ``forget``), which ``bonesearch check`` tells the user to run.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import numpy as np

from bonesearch.durable import replace_synced
from bonesearch.errors import BonesearchError, NotInStore, StoreLocked
from bonesearch.report_keys import ReportKeys
from bonesearch.store import DB_NAME, Store
from bonesearch.index.backends import remove_ids
from bonesearch.index.erase_in_place import erase_in_place, flat_layout
from bonesearch.index.files import (INDEX_NAMES, index_lock, now_utc, read_index, read_manifest, recover_writes,
                                    write_indexes, write_manifest)
from indexer.ingest_summary import stored_reason
from indexer.lexical_build import purge_lexical_reports

JOURNAL = ".forget-pending.json"
PURGE_PENDING = ".purge-pending.json"  # {"erasures": N, "since": ISO time}: erasures awaiting the DuckDB rewrite
PURGE_NOW_BYTES = 16 * 2**20  # forget rewrites a database up to this size itself (~0.4 s on 2 cores)
PURGE_CHOICES = ("auto", "now", "later")
FORGOTTEN_STATUS = "forgotten"
FORGOTTEN_REASON = stored_reason("forgotten", "erased on request (bonesearch forget)")
ID_COLUMNS = ("image_id", "study_id", "report_id")  # a table with any of these is cleared by them only
KEY_COLUMNS = ("sop_uid", "study_uid", "accession_pseudo", "patient_pseudo")  # for tables without ids
INDEX_KEYS = {"images": "image_id", "studies": "study_id", "reports": "report_id"}


@dataclass
class Erasure:
    """Everything to erase, by column (the journal's content)."""

    values: dict[str, list] = field(default_factory=dict)  # column -> values (ids, uids, pseudonyms)
    pixel_paths: list[str] = field(default_factory=list)  # relative to the store

    def ids(self, column: str) -> list:
        """The values to erase in ``column`` (empty when none)."""
        return self.values.get(column, [])


@dataclass
class ForgetSummary:
    """What `forget` removed."""

    studies: int = 0
    images: int = 0
    reports: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # DuckDB rows deleted, by table
    sources_marked: int = 0  # sources rows kept as 'forgotten' (no image id)
    vectors: dict[str, int] = field(default_factory=dict)  # vectors removed, by index
    lexical: int = 0  # reports removed from the lexical index
    keys: int = 0  # report keys destroyed (their text unreadable from then on)
    pixel_files: int = 0
    purged: bool = False  # the database file rewritten (else the purge is pending: `forget --purge`)
    pending_purges: int = 0  # erasures awaiting `forget --purge` after this one
    resumed: bool = False  # an interrupted forget was finished first


def forget(store_path: Path, patient: str | None = None, study: str | None = None, resume: bool = False,
           purge: str = "auto") -> ForgetSummary:
    """Erase patient ``patient`` (a ``PAT-…`` pseudonym) or study ``study`` (its UID) from the store.

    With ``resume=True`` and neither, only finish an interrupted forget. ``purge``: when the
    database file is rewritten (step 6 of the module doc) — ``auto`` (now when it is small),
    ``now``, or ``later`` (by :func:`purge`). Raises :class:`NotInStore` when the store holds
    no such patient or study.
    """
    if (patient is None) == (study is None) and not (resume and patient is None and study is None):
        raise BonesearchError("forget needs exactly one of --patient PSEUDONYM or --study UID (or --resume)")
    if purge not in PURGE_CHOICES:
        raise BonesearchError(f"--purge-when must be one of {', '.join(PURGE_CHOICES)}, not {purge!r}")
    store_path = Path(store_path)
    Store.open(store_path).close()  # StoreNotFound
    index_dir = store_path / "index"
    summary = ForgetSummary()
    with index_lock(index_dir):
        recover_writes(index_dir)
        pending = read_journal(store_path)
        if pending is not None:
            _erase(store_path, pending, ForgetSummary(), purge)
            summary.resumed = True
        if patient is None and study is None:
            summary.pending_purges = pending_purge(store_path)[0]
            return summary
        with Store.open(store_path) as store:
            erasure = _collect(store, patient, study)
        _write_journal(store_path, erasure)
        _erase(store_path, erasure, summary, purge)
    return summary


def purge(store_path: Path) -> PurgeSummary:
    """The physical purge of every erasure since the last one: the database file rewritten (no
    erased row's bytes left), keys that belong to no report deleted. Finishes an interrupted
    forget first. Safe to run at any time (``bonesearch forget --purge``, e.g. nightly)."""
    store_path = Path(store_path)
    Store.open(store_path).close()  # StoreNotFound
    index_dir = store_path / "index"
    with index_lock(index_dir):
        recover_writes(index_dir)
        pending = read_journal(store_path)
        if pending is not None:
            _erase(store_path, pending, ForgetSummary(), "later")
        erasures, since = pending_purge(store_path)
        with Store.open(store_path) as store:
            live = {int(i) for (i,) in store.con.execute("SELECT report_id FROM sealed_reports").fetchall()}
        keys = ReportKeys(store_path)
        orphans = [int(i) for i in keys.report_ids() if int(i) not in live]
        destroyed = keys.destroy(orphans)
        rewrite_database(store_path)
        (store_path / PURGE_PENDING).unlink(missing_ok=True)
    return PurgeSummary(erasures=erasures, since=since, orphan_keys=destroyed)


@dataclass
class PurgeSummary:
    """What :func:`purge` did."""

    erasures: int  # erasures whose rows' bytes it removed
    since: str | None  # when the oldest of them was made
    orphan_keys: int  # keys of no report (an interrupted ingest) deleted


def pending_purge(store_path: Path) -> tuple[int, str | None]:
    """(erasures awaiting the physical purge, time of the oldest) — (0, None) when none."""
    path = Path(store_path) / PURGE_PENDING
    if not path.is_file():
        return 0, None
    data = json.loads(path.read_text(encoding="utf-8"))
    return int(data.get("erasures", 0)), data.get("since")


def _record_pending_purge(store_path: Path) -> int:
    erasures, since = pending_purge(store_path)
    replace_synced(Path(store_path) / PURGE_PENDING,
                   json.dumps({"erasures": erasures + 1, "since": since or now_utc()}).encode())
    return erasures + 1


def read_journal(store_path: Path) -> Erasure | None:
    """The erasure an interrupted ``forget`` left to finish, or None."""
    path = Path(store_path) / JOURNAL
    if not path.is_file():
        return None
    return Erasure(**json.loads(path.read_text(encoding="utf-8")))


def _collect(store: Store, patient: str | None, study: str | None) -> Erasure:
    if patient is not None:
        where, arg, label = "patient_pseudo = ?", patient, f"patient {patient}"
    else:
        where, arg, label = "study_uid = ?", study, f"study {study}"
    studies = store.con.execute(f"SELECT study_id, study_uid, accession_pseudo FROM studies WHERE {where}", [arg]).fetchall()
    if not studies:
        flag = "--patient PAT-…" if patient is not None else "--study UID"
        column = "studies.patient_pseudo" if patient is not None else "studies.study_uid"
        raise NotInStore(f"{store.path} holds no {label}: pass {flag} exactly as stored in {column} "
                         f"(pseudonyms, not the hospital's identifiers)")
    study_ids = [int(s[0]) for s in studies]
    images = store.con.execute("SELECT image_id, sop_uid, pixel_path FROM images WHERE study_id IN (SELECT unnest(?::INTEGER[]))",
                               [study_ids]).fetchall()
    reports = store.con.execute("SELECT report_id FROM reports WHERE study_id IN (SELECT unnest(?::INTEGER[]))",
                                [study_ids]).fetchall()
    values = {
        "study_id": study_ids,
        "image_id": [int(i[0]) for i in images],
        "report_id": [int(r[0]) for r in reports],
        "study_uid": [s[1] for s in studies],
        "sop_uid": [i[1] for i in images],
        "accession_pseudo": [s[2] for s in studies if s[2]],
    }
    if patient is not None:
        values["patient_pseudo"] = [patient]
    return Erasure(values=values, pixel_paths=[i[2] for i in images])


def _write_journal(store_path: Path, erasure: Erasure) -> None:
    replace_synced(Path(store_path) / JOURNAL, json.dumps(asdict(erasure)).encode())


def _erase(store_path: Path, erasure: Erasure, summary: ForgetSummary, purge: str) -> None:
    summary.studies = len(erasure.ids("study_id"))
    summary.images = len(erasure.ids("image_id"))
    summary.reports = len(erasure.ids("report_id"))
    try:
        store = Store.open(store_path, read_only=False)
    except StoreLocked as exc:  # the erasure is journalled: --resume finishes it
        raise StoreLocked(store_path, writing=True, pid=exc.pid,
                          rerun=f"bonesearch forget --store {store_path} --resume") from None
    with store:
        _delete_rows(store, erasure, summary)
        store.con.execute("CHECKPOINT")
    summary.keys = ReportKeys(store_path).destroy(erasure.ids("report_id"))
    _remove_vectors(store_path / "index", erasure, summary)
    summary.lexical = purge_lexical_reports(store_path / "index", erasure.ids("report_id"))
    for relative in erasure.pixel_paths:
        path = store_path / relative
        if path.is_file():
            path.unlink()
            summary.pixel_files += 1
    if purge == "now" or (purge == "auto" and (store_path / DB_NAME).stat().st_size <= PURGE_NOW_BYTES):
        rewrite_database(store_path)
        (store_path / PURGE_PENDING).unlink(missing_ok=True)  # the rewrite purged the earlier erasures too
        summary.purged = True
    else:
        summary.pending_purges = _record_pending_purge(store_path)
    (store_path / JOURNAL).unlink(missing_ok=True)


def _delete_rows(store: Store, erasure: Erasure, summary: ForgetSummary) -> None:
    con = store.con
    tables = [t for (t,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"
    ).fetchall()]
    with store.transaction():
        store.keep_id_high_water()  # a forgotten patient's ids are never given to anyone else
        image_ids = erasure.ids("image_id")
        if "sources" in tables and image_ids:
            summary.sources_marked = _count(con.execute(
                "UPDATE sources SET status = ?, reason = ?, image_id = NULL WHERE image_id IN (SELECT unnest(?::BIGINT[]))",
                [FORGOTTEN_STATUS, FORGOTTEN_REASON, image_ids]))
        for table in tables:
            if table in ("sources", "store_meta"):
                continue
            columns = {c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()}
            keys = [c for c in ID_COLUMNS if c in columns] or [c for c in KEY_COLUMNS if c in columns]
            conditions = [(f'"{c}" IN (SELECT unnest(?))', erasure.ids(c)) for c in keys if erasure.ids(c)]
            if conditions:
                sql = f'DELETE FROM "{table}" WHERE ' + " OR ".join(c for c, _ in conditions)
                deleted = _count(con.execute(sql, [v for _, v in conditions]))
                if deleted:
                    summary.rows[table] = deleted


def _remove_vectors(index_dir: Path, erasure: Erasure, summary: ForgetSummary) -> None:
    edited = []
    for name in INDEX_NAMES:
        path = index_dir / f"{name}.faiss"
        if not path.is_file():
            continue
        ids = np.asarray(erasure.ids(INDEX_KEYS[name]), dtype=np.int64)
        removed = erase_in_place(path, ids)
        if removed is not None:  # an exact index: its file edited where the vectors were
            manifest = read_manifest(index_dir, name)
            count = flat_layout(path).count
            if removed:
                summary.vectors[name] = removed
            if removed or manifest.count != count:  # (a resumed erasure may have edited the file already)
                manifest.count, manifest.updated = count, now_utc()
                write_manifest(index_dir, manifest)
            continue
        index, manifest = read_index(index_dir, name, mmap=False)
        before = index.ntotal
        index = remove_ids(index, ids, manifest.factory)
        if index.ntotal != before:
            summary.vectors[name] = int(before - index.ntotal)
            manifest.updated = now_utc()
            edited.append((index, manifest))
    if edited:
        write_indexes(index_dir, edited)


def rewrite_database(store_path: Path) -> None:
    """Copy the store's DuckDB into a fresh file and swap it in: deleted rows leave no bytes behind."""
    db = Path(store_path) / DB_NAME
    tmp = db.with_name(f".{DB_NAME}.rewrite")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        target = con.execute("SELECT current_database()").fetchone()[0]
        quoted = str(db).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS old_store (READ_ONLY)")
        con.execute(f'COPY FROM DATABASE old_store TO "{target}"')
        con.execute("DETACH old_store")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    if db.with_name(db.name + ".wal").exists():
        raise BonesearchError(f"{db}.wal exists: another process has the store open; close it and rerun "
                              f"`bonesearch forget --store {store_path} --resume`")
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, db)


def _count(cursor) -> int:
    row = cursor.fetchone()
    return int(row[0]) if row else 0


__all__ = ["forget", "read_journal", "rewrite_database", "ForgetSummary", "Erasure", "JOURNAL"]
