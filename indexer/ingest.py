"""`bonesearch ingest`: a hospital export (DICOM tree + reports) → a de-identified store.

Resumable: every archive file is recorded in ``sources`` under a keyed hash of where it was
seen (:mod:`indexer.archive_files`), so a rerun opens only what is new or changed. What a file
*is* — its SOP Instance UID and a keyed hash of its bytes — decides what happens to it: a
new image, a copy of one already held, a newer version that replaces it, or an image erased
on request (:mod:`indexer.image_identity`). Bad files are skipped with a
reason and the job goes on. The operator-side list of skipped files with their real
paths goes to ``<store>.ingest-skipped.csv`` beside the key, never inside the store;
``STORE/ingest-report.json`` (see :mod:`indexer.ingest_summary`) holds counts, reasons by
class, throughput and stage timings, with files named by keyed hash only.

Work split: worker processes do everything per file up to PNG bytes
(:func:`indexer.decode_worker.decode_file`); the parent assigns ids, writes the PNGs and
inserts DuckDB rows a batch at a time (multi-row INSERTs), so it stays far from being the
bottleneck. The cache size is recorded in the store: a rerun must use the same one.
"""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bonesearch.deid.headers import ImageMetadata
from bonesearch.deid.key import PseudonymKey, default_key_path
from bonesearch.errors import StoreConfigMismatch
from bonesearch.imaging.pixel_cache import CACHE_SIZE, MAX_UPSAMPLE, save_png
from bonesearch.progress import Advance, no_progress
from bonesearch.store import Store
from bonesearch.deid.burned_in import BurnedInPolicy, check_tesseract
from bonesearch.deid.text_detector import check_detector
from indexer.archive_files import PROBLEMS, ArchiveFile, legacy_location_hash, list_archive, real_paths
from indexer.decode_worker import WORKER_CRASH, DecodedImage, WorkerOptions, crashed_result, decode_file, safe_label
from indexer.engine import Runner, check_engine, start_engine
from indexer.image_identity import DUPLICATE, FORGOTTEN, REPLACE, BatchIdentities, KnownImage
from indexer.ingest_summary import csv_safe, stored_reason, write_report
from indexer.worker_pool import children_die_with_this_process
from indexer.reports_ingest import ReportContext, ReportsSummary, ingest_reports

REPORT_FILE_NAMES = ("reports.csv", "reports.jsonl", "reports")  # default report inputs beside the images
COMMIT_EVERY = 256  # files per transaction: a crash loses at most this much work, never consistency
INSERT_ROWS = 128  # rows per multi-row INSERT statement
MIN_CACHE_SIZE, MAX_CACHE_SIZE = 32, 2048
NOT_RECORDED = {WORKER_CRASH, *PROBLEMS}  # reason classes retried by every run: no sources row
REPLACED_REASON = stored_reason("replaced", "a newer version of this image (same SOP Instance UID, other content) "
                                            "replaced it")


@dataclass
class SkipRecord:
    """One skipped or excluded file, as the JSON report and the operator CSV need it."""

    source_hash: str  # keyed hash of the archive-relative path
    status: str  # skipped | excluded
    reason_class: str  # not_dicom, empty_file, burned_in_annotation, …
    reason: str  # names the file by its hash only


@dataclass
class IngestSummary:
    """One screen of what ingest did."""

    files_seen: int = 0
    images_ingested: int = 0
    already_ingested: int = 0  # files seen by an earlier run, where they are and as they are: not opened
    duplicates: int = 0  # files whose image (SOP Instance UID and content) the store already holds
    replaced: int = 0  # images replaced by a newer version (same SOP Instance UID, other content)
    text_redacted: int = 0  # stored images with regions blacked out by the burned-in text detector
    forgotten: int = 0  # images erased on request (bonesearch forget), found again: not ingested
    unmapped: dict[str, int] = field(default_factory=dict)  # header attribute -> stored images whose value was unknown
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
    problems: list[SkipRecord] = field(default_factory=list)  # this run's skipped + excluded, by hash
    multi_frame: int = 0  # multi-frame files of which the first frame was cached
    workers: int = 1
    engine: str = "local"  # where decode ran: local (N processes) or ray (nodes, CPUs)
    cache_size: int = CACHE_SIZE
    stage_seconds: dict[str, float] = field(default_factory=dict)  # parent wall time per stage
    worker_seconds: dict[str, float] = field(default_factory=dict)  # per-file stages, summed over workers
    reports: ReportsSummary | None = None  # the report stage's summary (orphans on both sides…), when reports were read
    report_path: Path | None = None  # STORE/ingest-report.json

    @property
    def images_per_second(self) -> float:
        return self.images_ingested / self.seconds if self.seconds else 0.0

    @property
    def files_processed(self) -> int:
        """Files this run opened (those an earlier run had ingested are not)."""
        return self.files_seen - self.already_ingested

    @property
    def files_per_second_per_worker(self) -> float:
        """Files opened per second by each decode worker."""
        return self.files_processed / max(self.seconds, 1e-9) / max(1, self.workers)

    def problems_by_reason(self, status: str) -> dict[str, int]:
        """This run's ``excluded`` or ``skipped`` files counted by reason class, in the order of the classes."""
        counts: dict[str, int] = {}
        for record in self.problems:
            if record.status == status:
                counts[record.reason_class] = counts.get(record.reason_class, 0) + 1
        return dict(sorted(counts.items()))


def ingest_archive(
    archive: Path,
    store_path: Path,
    *,
    reports_path: Path | None = None,
    key_path: Path | None = None,
    workers: int = 2,
    cache_size: int | None = None,
    burned_in: BurnedInPolicy | None = None,
    export_dicom: Path | None = None,
    date_window_days: int = 7,
    max_upsample: float = MAX_UPSAMPLE,
    advance: Advance = no_progress,
    on_total: "callable | None" = None,
    commit_every: int = COMMIT_EVERY,
    engine: str = "local",
    address: str | None = None,
) -> IngestSummary:
    """Ingest ``archive`` into ``store_path``; returns the summary. See the module docstring.

    ``cache_size`` is the side of the cached square images: default the store's own (set by
    its first ingest), else :data:`CACHE_SIZE`; a different size for an existing store raises
    :class:`StoreConfigMismatch`. ``workers`` processes decode in parallel (1: in-process).
    ``burned_in`` is the burned-in text policy (default: exclude flagged images, OCR-screen the
    others); ``export_dicom`` a folder for de-identified DICOM copies (PS3.15 header profile);
    ``date_window_days`` how far a report's date may be from its study's when it is linked by
    patient (reports without an accession number); ``max_upsample`` how much smaller than the
    cache a decoded resolution level may be (then upsampled; 0: never). ``engine`` ``ray``
    runs the per-file work on Ray Data (a local cluster of ``workers`` CPUs, or the cluster
    at ``address``); the store it writes is the local engine's.
    """
    burned_in = burned_in or BurnedInPolicy()
    check_engine(engine, address)
    children_die_with_this_process()  # decode workers and the report stage's NER processes
    check_tesseract(burned_in)  # OCR on without Tesseract: stop now with the fix, not after listing files
    if burned_in.redact_text:
        check_detector()
    start = time.perf_counter()
    archive = Path(archive)
    if reports_path is None:
        candidates = [archive / name for name in REPORT_FILE_NAMES if (archive / name).exists()]
        reports_path = candidates[0] if candidates else None
    key_path = Path(key_path) if key_path else default_key_path(store_path)
    key = PseudonymKey.load_or_create(key_path)
    summary = IngestSummary(workers=max(1, workers))
    store = Store.create(store_path)
    try:
        fingerprint = store.get_meta("key_fingerprint")
        if fingerprint and fingerprint != key.fingerprint():
            from bonesearch.errors import KeyFileError

            raise KeyFileError(
                f"{key_path} is not the key this store was built with; pass --key with the original key file"
            )
        summary.cache_size = _check_cache_size(store, cache_size)
        store.set_meta("key_fingerprint", key.fingerprint())
        # report exports beside the images are not DICOM files (nor is the export folder, if inside)
        exclude = real_paths([archive / name for name in REPORT_FILE_NAMES] + [reports_path, export_dicom])
        # every archive file with its keyed location hash, computed once for the whole job
        sources = list(list_archive(archive, key, exclude))
        summary.files_seen = len(sources)
        summary.stage_seconds["list_and_hash"] = time.perf_counter() - start
        if on_total:
            on_total(len(sources))
        options = WorkerOptions(key.salt.hex(), summary.cache_size, burned_in,
                                str(Path(export_dicom).resolve()) if export_dicom else None, max_upsample)
        with start_engine(engine, workers, address) as runner:
            summary.engine, summary.workers = runner.description, runner.workers
            t = time.perf_counter()
            contexts = _ingest_images(store, sources, runner, options, summary, advance, commit_every,
                                      legacy=_legacy_forgotten(store, key, archive))
            summary.stage_seconds["images"] = time.perf_counter() - t
            if reports_path is not None:
                t = time.perf_counter()
                summary.reports = ingest_reports(store, reports_path, key, contexts, summary, workers=workers,
                                                 date_window_days=date_window_days,
                                                 header_loader=lambda: _header_contexts(sources, key, runner))
                summary.stage_seconds["reports"] = time.perf_counter() - t
        summary.studies_total = store.count("studies")
        summary.studies_without_report = int(
            store.con.execute(
                "SELECT count(*) FROM studies s WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.study_id = s.study_id)"
            ).fetchone()[0]
        )
        store.con.execute("CHECKPOINT")
        summary.seconds = time.perf_counter() - start
        summary.report_path = write_report(store, summary)
    finally:
        store.close()
    summary.skipped_list_path = _write_skipped_list(store_path, sources, summary)
    summary.seconds = time.perf_counter() - start
    return summary


def _check_cache_size(store: Store, requested: int | None) -> int:
    """The cache size to use: the store's own when it has images; refuse a different one."""
    recorded = store.get_meta("cache_size")
    if recorded is None and store.count("images"):
        recorded = "256"  # stores from before --cache-size existed were all 256
    size = int(requested or recorded or CACHE_SIZE)
    if not MIN_CACHE_SIZE <= size <= MAX_CACHE_SIZE:
        raise StoreConfigMismatch(f"--cache-size {size} is out of range; use {MIN_CACHE_SIZE}–{MAX_CACHE_SIZE} (256 or 512)")
    if recorded is not None and int(recorded) != size:
        raise StoreConfigMismatch(
            f"{store.path} caches {recorded}-px images; rerun with --cache-size {recorded} (or leave it out), "
            f"or ingest into a new store to change the size"
        )
    store.set_meta("cache_size", str(size))
    return size


def _ingest_images(
    store: Store, sources: list[ArchiveFile], runner: Runner, options: WorkerOptions,
    summary: IngestSummary, advance: Advance, commit_every: int = COMMIT_EVERY,
    legacy: Callable[[ArchiveFile], bool] = lambda entry: False,
) -> dict[str, ReportContext]:
    _remove_crash_leftovers(store)
    done = {row[0] for row in store.con.execute("SELECT source_hash FROM sources").fetchall()}
    jobs = []
    pending: list[DecodedImage] = []
    for entry in sources:
        if entry.source_hash in done:
            summary.already_ingested += 1
            advance(1)
        elif legacy(entry):  # erased before sources named files by what they are
            summary.forgotten += 1
            advance(1)
        elif entry.problem:  # found while listing (a link loop, a named pipe…): no worker needed
            label = safe_label(entry.path.name, entry.source_hash)
            pending.append(DecodedImage(entry.source_hash, label).skip("skipped", entry.problem, f"{label}: {entry.detail}"))
            advance(1)
        else:
            jobs.append((str(entry.path), entry.source_hash, safe_label(entry.path.name, entry.source_hash)))
    contexts: dict[str, ReportContext] = {}
    write_seconds = 0.0
    for result in runner.map_ordered(decode_file, jobs, crashed_result, common=(options,)):
        pending.append(result)
        if len(pending) >= commit_every:
            write_seconds += _write_batch(store, pending, summary, contexts)
            pending = []
        advance(1)
    write_seconds += _write_batch(store, pending, summary, contexts)
    summary.stage_seconds["write"] = write_seconds
    return contexts


def _legacy_forgotten(store: Store, key: PseudonymKey, archive: Path) -> Callable[[ArchiveFile], bool]:
    """Whether a file is one erased from a store written before sources carried instance tokens.

    Such ``forgotten`` rows hold only the keyed hash of the file's path relative to the export
    (the old naming); a file of the same export at the same place is not ingested again.
    """
    erased = {h for (h,) in store.con.execute(
        "SELECT source_hash FROM sources WHERE status = 'forgotten' AND instance_token IS NULL").fetchall()}
    if not erased:
        return lambda entry: False
    root = Path(os.path.abspath(archive))

    def was_erased(entry: ArchiveFile) -> bool:
        try:
            relative = entry.path.relative_to(root).as_posix()
        except ValueError:
            return False
        return legacy_location_hash(key, relative) in erased

    return was_erased


def _remove_crash_leftovers(store: Store) -> None:
    """Delete cached pixels written by a run that died before committing their rows."""
    last = store.next_id("images", "image_id") - 1
    for path in store.pixels_dir.iterdir():
        stem = path.name.split(".", 1)[0]
        if path.name.endswith(".tmp") or (stem.isdigit() and int(stem) > last):
            path.unlink(missing_ok=True)


def _header_contexts(sources: list[ArchiveFile], key: PseudonymKey, runner: Runner) -> dict[str, ReportContext]:
    """Re-read headers (no pixels) of already-ingested files: names/keys for late reports."""
    options = WorkerOptions(key.salt.hex(), 0, BurnedInPolicy(ocr=False))
    jobs = [(str(e.path), e.source_hash, safe_label(e.path.name, e.source_hash)) for e in sources if not e.problem]
    contexts: dict[str, ReportContext] = {}
    for result in runner.map_ordered(decode_file, jobs, crashed_result, common=(options, True)):
        if result.metadata is not None:
            _remember_context(contexts, result.metadata)
    return contexts


def _remember_context(contexts: dict[str, ReportContext], meta: ImageMetadata) -> None:
    if meta.accession_pseudo:
        ctx = contexts.setdefault(meta.accession_pseudo, ReportContext(meta.patient_key, meta.study_uid, set(), set()))
        ctx.names.update(meta.names)
        ctx.patient_names.update(meta.patient_names)
        ctx.known = ctx.known.merged(meta.known)


def _write_batch(store: Store, batch: list[DecodedImage], summary: IngestSummary, contexts: dict[str, ReportContext]) -> float:
    """Write one batch in one transaction: PNGs (atomic renames), then images/studies/sources rows.

    A crash before COMMIT leaves PNGs without rows, which the next run deletes
    (:func:`_remove_crash_leftovers`) before redoing those files. The pixels of images replaced
    by a newer version are deleted after COMMIT. Returns the seconds spent.
    """
    if not batch:
        return 0.0
    start = time.perf_counter()
    con = store.con
    decoded = [item for item in batch if item.status == "ingested"]
    identities = BatchIdentities(store, [item.metadata.sop_uid for item in decoded],
                                 [item.instance_token for item in decoded])
    studies = _existing(store, "studies", "study_uid", "study_id", [item.metadata.study_uid for item in decoded])
    writer = _BatchRows(store.next_id("images", "image_id"), store.next_id("studies", "study_id"))
    replaced_pixels: list[str] = []
    with store.transaction():
        for item in batch:
            image_id = None
            if item.status == "ingested":
                image_id = _place_image(store, item, identities, studies, writer, summary, replaced_pixels)
            if item.metadata is not None:
                _remember_context(contexts, item.metadata)
            if item.status in ("skipped", "excluded"):
                (summary.skipped if item.status == "skipped" else summary.excluded).append((item.label, item.reason))
                summary.problems.append(SkipRecord(item.source_hash, item.status, item.reason_class, item.anonymous_reason))
            for stage, seconds in item.timings.items():
                summary.worker_seconds[stage] = summary.worker_seconds.get(stage, 0.0) + seconds
            if item.reason_class in NOT_RECORDED:
                continue  # no sources row: the next run retries the file
            writer.sources.append([item.source_hash, item.status,
                                   stored_reason(item.reason_class, item.anonymous_reason), image_id,
                                   item.content_hash, item.instance_token])
        _insert_rows(con, "studies", writer.studies)
        _insert_rows(con, "images", writer.images)
        _insert_rows(con, "sources", writer.sources)
    for relative in replaced_pixels:  # after COMMIT: a crash before it keeps the old version whole
        store.pixel_file(relative).unlink(missing_ok=True)
    return time.perf_counter() - start


@dataclass
class _BatchRows:
    """Rows of one batch, inserted together, and the next free ids."""

    next_image: int
    next_study: int
    images: list[list] = field(default_factory=list)
    studies: list[list] = field(default_factory=list)
    sources: list[list] = field(default_factory=list)


def _place_image(store: Store, item: DecodedImage, identities: BatchIdentities, studies: dict[str, object],
                 rows: _BatchRows, summary: IngestSummary, replaced_pixels: list[str]) -> int | None:
    """Decide what ``item`` is (new, copy, newer version, erased), write what that needs; its image id or None."""
    meta = item.metadata
    verdict, held = identities.decide(meta.sop_uid, item.instance_token, item.content_hash)
    if verdict == FORGOTTEN:
        item.skip("forgotten", "forgotten", f"{item.label}: this image was erased on request (bonesearch forget); "
                                            f"not ingested again")
        summary.forgotten += 1
        return None
    if verdict == DUPLICATE:
        item.skip("duplicate", "duplicate", f"{item.label}: the same image (SOP Instance UID and content) is already "
                                            f"in the store; recorded as a copy")
        summary.duplicates += 1
        return held.image_id
    if verdict == REPLACE:
        _drop_older_version(store, held, rows)
        replaced_pixels.append(held.pixel_path)
        summary.replaced += 1
    if meta.study_uid not in studies:
        studies[meta.study_uid] = rows.next_study
        rows.studies.append(_study_row(rows.next_study, meta))
        rows.next_study += 1
    elif verdict == REPLACE:  # the newer header's patient, date, age… win for the study too
        _update_study(store, int(studies[meta.study_uid]), meta, rows)
    image_id = rows.next_image
    rows.next_image += 1
    relative = f"pixels/{image_id}.png"
    save_png(item.png, store.path / relative)
    rows.images.append([image_id, studies[meta.study_uid], meta.sop_uid, meta.series_uid, meta.modality,
                        meta.body_part, meta.view, meta.laterality, meta.manufacturer, meta.rows,
                        meta.cols, meta.pixel_spacing_mm, meta.photometric, meta.transfer_syntax,
                        meta.bits_stored, relative])
    identities.remember(meta.sop_uid, KnownImage(image_id, item.content_hash, relative))
    summary.images_ingested += 1
    summary.multi_frame += item.frames > 1
    summary.text_redacted += item.text_regions_redacted > 0
    for keyword in meta.unmapped:  # stored as OTHER/empty: the value as written never reaches the store
        summary.unmapped[keyword] = summary.unmapped.get(keyword, 0) + 1
    return image_id


def _study_row(study_id: int, meta: ImageMetadata) -> list:
    return [study_id, meta.study_uid, meta.patient_pseudo, meta.accession_pseudo, meta.study_date, meta.modality,
            meta.body_part, meta.age_months, meta.sex]


def _drop_older_version(store: Store, held: KnownImage, rows: _BatchRows) -> None:
    """Remove the image a newer version replaces: its row (here or still pending in ``rows``) and its sources' link."""
    pending = [row for row in rows.images if row[0] == held.image_id]
    if pending:  # written earlier in this same batch
        rows.images.remove(pending[0])
        for source in rows.sources:
            if source[3] == held.image_id:
                source[1], source[2], source[3] = "replaced", REPLACED_REASON, None
        return
    store.con.execute("DELETE FROM images WHERE image_id = ?", [held.image_id])
    store.con.execute("UPDATE sources SET status = 'replaced', reason = ?, image_id = NULL WHERE image_id = ?",
                      [REPLACED_REASON, held.image_id])


def _update_study(store: Store, study_id: int, meta: ImageMetadata, rows: _BatchRows) -> None:
    values = _study_row(study_id, meta)
    pending = [row for row in rows.studies if row[0] == study_id]
    if pending:
        pending[0][:] = values
        return
    store.con.execute(
        "UPDATE studies SET patient_pseudo = ?, accession_pseudo = ?, study_date = ?, modality = ?, body_part = ?, "
        "age_months = ?, sex = ? WHERE study_id = ?", [*values[2:], study_id])


def _existing(store: Store, table: str, key_column: str, value_column: str, keys: list[str]) -> dict[str, object]:
    """``{key: value}`` for the ``keys`` already in ``table`` (one query per batch, not one per file)."""
    found: dict[str, object] = {}
    unique = sorted(set(keys))
    for start in range(0, len(unique), 1000):
        part = unique[start : start + 1000]
        marks = ", ".join("?" * len(part))
        rows = store.con.execute(
            f"SELECT {key_column}, {value_column} FROM {table} WHERE {key_column} IN ({marks})", part
        ).fetchall()
        found.update(rows)
    return found


def _insert_rows(con, table: str, rows: list[list]) -> None:
    """Multi-row INSERTs: a few statements per batch instead of one per file."""
    if not rows:
        return
    width = len(rows[0])
    for start in range(0, len(rows), INSERT_ROWS):
        part = rows[start : start + INSERT_ROWS]
        marks = ", ".join(["(" + ", ".join("?" * width) + ")"] * len(part))
        con.execute(f"INSERT INTO {table} VALUES {marks}", [v for row in part for v in row])


def _write_skipped_list(store_path: Path, sources: list[ArchiveFile], summary: IngestSummary) -> Path | None:
    """Operator-side CSV (real paths) of skipped/excluded files, beside the store, not in it."""
    problems = {record.source_hash: (record.reason_class, record.reason) for record in summary.problems}
    if not problems:
        return None
    out = Path(store_path).absolute()
    out = out.parent / f"{out.name}.ingest-skipped.csv"
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["path", "source_hash", "reason_class", "reason"])
        for entry in sources:
            if entry.source_hash in problems:
                writer.writerow([csv_safe(str(entry.path)), entry.source_hash,
                                 *(csv_safe(cell) for cell in problems[entry.source_hash])])
    os.chmod(out, 0o600)
    return out
