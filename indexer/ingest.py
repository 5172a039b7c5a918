"""`bonesearch ingest`: a hospital export (DICOM tree + reports) → a de-identified store.

Resumable: every archive file is recorded in ``sources`` under a keyed hash of its
relative path, so a rerun decodes only what is new. Bad files are skipped with a
reason and the job goes on. The operator-side list of skipped files with their real
paths goes to ``<store>.ingest-skipped.csv`` beside the key, never inside the store.
"""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bonesearch.deid.headers import ImageMetadata
from bonesearch.deid.key import PseudonymKey, default_key_path
from bonesearch.imaging import CACHE_SIZE, save_png
from bonesearch.progress import Advance, no_progress
from bonesearch.store import Store
from indexer.decode_worker import DecodedImage, decode_file, safe_label
from indexer.reports_ingest import ReportContext, ingest_reports

REPORT_FILE_NAMES = ("reports.csv",)
COMMIT_EVERY = 256  # files per transaction: a crash loses at most this much work, never consistency


@dataclass
class IngestSummary:
    """One screen of what ingest did."""

    files_seen: int = 0
    images_ingested: int = 0
    already_ingested: int = 0
    excluded: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    studies_total: int = 0
    reports_ingested: int = 0
    reports_orphan: int = 0
    reports_skipped: list[tuple[str, str]] = field(default_factory=list)
    studies_without_report: int = 0
    phi_replacements: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    skipped_list_path: Path | None = None

    @property
    def images_per_second(self) -> float:
        return self.images_ingested / self.seconds if self.seconds else 0.0


def iter_archive_files(archive: Path, exclude: set[Path]) -> Iterator[Path]:
    """Every regular file under ``archive`` (sorted, hidden files skipped) except ``exclude``."""
    for root, dirs, files in os.walk(archive):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(root) / name
            if not name.startswith(".") and path.resolve() not in exclude:
                yield path


def ingest_archive(
    archive: Path,
    store_path: Path,
    *,
    reports_path: Path | None = None,
    key_path: Path | None = None,
    workers: int = 2,
    cache_size: int = CACHE_SIZE,
    advance: Advance = no_progress,
    on_total: "callable | None" = None,
    commit_every: int = COMMIT_EVERY,
) -> IngestSummary:
    """Ingest ``archive`` into ``store_path``; returns the summary. See the module docstring."""
    start = time.perf_counter()
    archive = Path(archive)
    if reports_path is None:
        candidates = [archive / name for name in REPORT_FILE_NAMES if (archive / name).is_file()]
        reports_path = candidates[0] if candidates else None
    key_path = Path(key_path) if key_path else default_key_path(store_path)
    key = PseudonymKey.load_or_create(key_path)
    summary = IngestSummary()
    store = Store.create(store_path)
    try:
        fingerprint = store.get_meta("key_fingerprint")
        if fingerprint and fingerprint != key.fingerprint():
            from bonesearch.errors import KeyFileError

            raise KeyFileError(
                f"{key_path} is not the key this store was built with; pass --key with the original key file"
            )
        store.set_meta("key_fingerprint", key.fingerprint())
        exclude = {reports_path.resolve()} if reports_path else set()
        # every archive file with its keyed path hash, computed once for the whole job
        sources = [(path, _source_hash(key, archive, path)) for path in iter_archive_files(archive, exclude)]
        summary.files_seen = len(sources)
        if on_total:
            on_total(len(sources))
        contexts = _ingest_images(store, sources, key, workers, cache_size, summary, advance, commit_every)
        if reports_path is not None:
            ingest_reports(store, reports_path, key, contexts, summary, workers=workers,
                           header_loader=lambda: _header_contexts(sources, key, workers))
        summary.studies_total = store.count("studies")
        summary.studies_without_report = int(
            store.con.execute(
                "SELECT count(*) FROM studies s WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.study_id = s.study_id)"
            ).fetchone()[0]
        )
        store.con.execute("CHECKPOINT")
    finally:
        store.close()
    summary.skipped_list_path = _write_skipped_list(store_path, sources, summary)
    summary.seconds = time.perf_counter() - start
    return summary


def _source_hash(key: PseudonymKey, archive: Path, path: Path) -> str:
    return key.pseudonym("source", path.relative_to(archive).as_posix(), length=16).split("-", 1)[1]


def _ingest_images(
    store: Store, sources: list[tuple[Path, str]], key: PseudonymKey, workers: int, cache_size: int,
    summary: IngestSummary, advance: Advance, commit_every: int = COMMIT_EVERY,
) -> dict[str, ReportContext]:
    _remove_crash_leftovers(store)
    done = {row[0] for row in store.con.execute("SELECT source_hash FROM sources").fetchall()}
    jobs = []
    for path, source_hash in sources:
        if source_hash in done:
            summary.already_ingested += 1
            advance(1)
            continue
        jobs.append((str(path), source_hash, safe_label(path.name, source_hash), key.salt.hex(), cache_size))
    contexts: dict[str, ReportContext] = {}
    pending: list[DecodedImage] = []
    for result in _run_jobs(jobs, workers):
        pending.append(result)
        if len(pending) >= commit_every:
            _write_batch(store, pending, summary, contexts)
            pending = []
        advance(1)
    _write_batch(store, pending, summary, contexts)
    return contexts


def _remove_crash_leftovers(store: Store) -> None:
    """Delete cached pixels written by a run that died before committing their rows."""
    last = store.next_id("images", "image_id") - 1
    for path in store.pixels_dir.iterdir():
        stem = path.name.split(".", 1)[0]
        if path.name.endswith(".tmp") or (stem.isdigit() and int(stem) > last):
            path.unlink(missing_ok=True)


def _run_jobs(jobs: list[tuple], workers: int) -> Iterator[DecodedImage]:
    if workers <= 1 or len(jobs) < 8:
        for job in jobs:
            yield decode_file(*job)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(decode_file, *zip(*jobs), chunksize=8)


def _header_contexts(sources: list[tuple[Path, str]], key: PseudonymKey, workers: int) -> dict[str, ReportContext]:
    """Re-read headers (no pixels) of already-ingested files: names/keys for late reports."""
    jobs = [(str(p), h, safe_label(p.name, h), key.salt.hex(), 0, True) for p, h in sources]
    contexts: dict[str, ReportContext] = {}
    for result in _run_jobs(jobs, workers):
        if result.metadata is not None:
            _remember_context(contexts, result.metadata)
    return contexts


def _remember_context(contexts: dict[str, ReportContext], meta: ImageMetadata) -> None:
    if meta.accession_pseudo:
        ctx = contexts.setdefault(meta.accession_pseudo, ReportContext(meta.patient_key, meta.study_uid, set(), set()))
        ctx.names.update(meta.names)
        ctx.patient_names.update(meta.patient_names)


def _write_batch(store: Store, batch: list[DecodedImage], summary: IngestSummary, contexts: dict[str, ReportContext]) -> None:
    if not batch:
        return
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        next_image = store.next_id("images", "image_id")
        for item in batch:
            image_id = None
            if item.status == "ingested":
                meta = item.metadata
                if con.execute("SELECT 1 FROM images WHERE sop_uid = ?", [meta.sop_uid]).fetchone():
                    item.status, item.reason = "skipped", f"{item.label}: duplicate of an image already in the store; skipped"
                else:
                    study_id = _study_id(store, meta)
                    image_id = next_image
                    next_image += 1
                    relative = f"pixels/{image_id}.png"
                    save_png(item.pixels, store.path / relative)
                    con.execute(
                        "INSERT INTO images VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [image_id, study_id, meta.sop_uid, meta.series_uid, meta.modality, meta.body_part, meta.view,
                         meta.laterality, meta.manufacturer, meta.rows, meta.cols, meta.pixel_spacing_mm, meta.photometric,
                         meta.transfer_syntax, meta.bits_stored, relative],
                    )
                    summary.images_ingested += 1
            if item.metadata is not None:
                _remember_context(contexts, item.metadata)
            if item.status == "skipped":
                summary.skipped.append((item.label, item.reason))
            elif item.status == "excluded":
                summary.excluded.append((item.label, item.reason))
            con.execute("INSERT INTO sources VALUES (?, ?, ?, ?)", [item.source_hash, item.status, item.reason, image_id])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _study_id(store: Store, meta: ImageMetadata) -> int:
    row = store.con.execute("SELECT study_id FROM studies WHERE study_uid = ?", [meta.study_uid]).fetchone()
    if row:
        return int(row[0])
    study_id = store.next_id("studies", "study_id")
    store.con.execute(
        "INSERT INTO studies VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [study_id, meta.study_uid, meta.patient_pseudo, meta.accession_pseudo, meta.study_date, meta.modality,
         meta.body_part, meta.age_months, meta.sex],
    )
    return study_id


def _write_skipped_list(store_path: Path, sources: list[tuple[Path, str]], summary: IngestSummary) -> Path | None:
    """Operator-side CSV (real paths) of skipped/excluded files, beside the store, not in it."""
    problems = {label.rsplit("[", 1)[-1].rstrip("]"): reason for label, reason in summary.skipped + summary.excluded}
    if not problems:
        return None
    out = Path(store_path).absolute()
    out = out.parent / f"{out.name}.ingest-skipped.csv"
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["path", "source_hash", "reason"])
        for path, source_hash in sources:
            if source_hash in problems:
                writer.writerow([str(path), source_hash, problems[source_hash]])
    os.chmod(out, 0o600)
    return out
