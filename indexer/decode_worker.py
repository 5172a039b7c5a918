"""The per-file work of ingest, run in worker processes: read, de-identify the header, decode, resize.

:func:`decode_file` is the whole per-file pipeline, in this order (each step timed):

1. ``read``    parse the header; the pixel data stay on disk (deferred / memory-mapped);
2. ``header``  de-identified metadata for DuckDB (:func:`extract_metadata`: an allowlist with
               keyed pseudonyms and shifted dates);
3. policy     ``BurnedInAnnotation=YES`` → excluded (default policy), before any decode;
4. ``decode``  pixels → display greyscale at the reduced resolution the cache and the OCR need;
5. ``ocr``     burned-in text screen (:func:`screen_pixels`) of images the header does not flag;
6. ``resize``  to the cached square; ``redact``: regions the learned text detector takes for text
               are blacked out (:mod:`bonesearch.deid.text_detector`); then ``encode`` to PNG bytes;
7. ``export``  with ``--export-dicom``: the PS3.15 header profile (:class:`HeaderDeidentifier`)
               and a de-identified DICOM copy named by its SOP UID pseudonym.

The parent process only writes the PNG bytes and the DuckDB rows (it assigns image ids).
"""

from __future__ import annotations

import math
import multiprocessing
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bonesearch.deid.burned_in import BurnedInPolicy, flag_decision, screen_pixels
from bonesearch.deid.headers import ImageMetadata, extract_metadata
from bonesearch.deid.key import PseudonymKey
from bonesearch.deid.text_detector import load_detector
from bonesearch.imaging.dicom import decode_greyscale, frame_count, read_dataset, read_header
from bonesearch.errors import DicomExportError, InvalidDicom, OcrUnavailable, TextDetectorUnavailable
from bonesearch.imaging.pixel_cache import MAX_UPSAMPLE, encode_png, to_cached_square
from indexer.archive_files import PROBLEMS
from indexer.image_identity import instance_token


WORKER_CRASH = "worker_crash"  # reason class of a file whose worker process died (retried by the next run)


@dataclass(frozen=True)
class WorkerOptions:
    """What every file of one ingest job is processed with (sent once per task to the workers)."""

    salt_hex: str  # the pseudonymisation key's secret, hex
    cache_size: int  # side of the cached square
    burned_in: BurnedInPolicy = field(default_factory=BurnedInPolicy)
    export_dir: str | None = None  # write de-identified DICOM copies here (PS3.15 profile)
    max_upsample: float = MAX_UPSAMPLE  # the cache may be upsampled from a decode this fraction smaller

    @property
    def decode_size(self) -> int:
        """The smallest long side to decode at: what the cache needs, or the OCR screen's ``screen_size`` when it runs.

        The cache accepts a decode up to ``max_upsample`` smaller than its side (a JPEG 2000
        level of 440 px for a 512-px cache: a 4× faster decode than the 880-px level); the
        OCR screen never does, so its smallest catchable text does not change. The pre-filter
        works on whatever copy it gets (pooled down to ``detect_size`` only when larger);
        ``screen_size`` sets the smallest text the screen can catch in ingest.
        """
        cache_needs = math.ceil(self.cache_size * (1.0 - self.max_upsample))
        return max(cache_needs, self.burned_in.screen_size if self.burned_in.ocr else 0)


@dataclass
class DecodedImage:
    """A decoded file: de-identified metadata and the cached PNG (or why it was skipped)."""

    source_hash: str
    label: str  # for the operator's console: file name + keyed hash, no folders
    metadata: ImageMetadata | None = None
    png: bytes | None = None  # the cached square, PNG-encoded
    status: str = "ingested"  # ingested | skipped | excluded
    reason: str = ""  # human-readable, names the file by ``label``
    reason_class: str = ""  # stable key for reports: not_dicom, empty_file, burned_in_annotation, …
    frames: int = 1  # NumberOfFrames; only the first frame is cached
    text_regions_redacted: int = 0  # regions of the cached square the text detector blacked out
    content_hash: str | None = None  # keyed hash of the file's bytes (with the SOP UID: what the file is)
    instance_token: str | None = None  # keyed token of the SOP Instance UID for ``sources`` (see indexer.image_identity)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage in the worker

    @property
    def anonymous_reason(self) -> str:
        """``reason`` with the file named by its keyed hash only (for the store and the JSON report)."""
        return self.reason.replace(self.label, f"[{self.source_hash}]")

    def skip(self, status: str, reason_class: str, reason: str) -> "DecodedImage":
        """Mark as skipped/excluded with a reason; returns self."""
        self.status, self.reason_class, self.reason = status, reason_class, reason
        return self


def crashed_result(job: tuple) -> DecodedImage:
    """What the file of a :func:`decode_file` job that killed its worker twice becomes: skipped, with no
    ``sources`` row, so a rerun retries it."""
    _, source_hash, label = job[:3]
    return DecodedImage(source_hash=source_hash, label=label).skip(
        "skipped", WORKER_CRASH,
        f"{label}: the decode worker died on this file twice (a codec crash or out of memory); skipped — "
        f"rerun ingest to retry it",
    )


def safe_label(relative: str, source_hash: str) -> str:
    """How a file is named in logs: its keyed hash and extension, never its name or folders.

    Exports name files and folders after patients, accession numbers and dates; the
    operator-side skipped list (outside the store) maps each hash back to the real path.
    """
    suffix = Path(relative).suffix.lower()
    suffix = suffix if 1 < len(suffix) <= 8 and suffix[1:].isalnum() else ""
    return f"file [{source_hash}]{suffix}"


@lru_cache(maxsize=4)
def _header_profile(salt_hex: str):
    """One PS3.15 :class:`HeaderDeidentifier` per key and worker process (dicognito loads only when exporting)."""
    from bonesearch.deid.dicom_profile import HeaderDeidentifier

    return HeaderDeidentifier(PseudonymKey(bytes.fromhex(salt_hex)))


def decode_file(path: str, source_hash: str, label: str, options: WorkerOptions, header_only: bool = False) -> DecodedImage:
    """Process one archive file; never raises for bad input (the reason is returned instead).

    Raises only for what stops the whole job: OCR screening on without Tesseract, or an
    export folder that cannot be written.
    """
    key = PseudonymKey(bytes.fromhex(options.salt_hex))
    cache_size = options.cache_size
    result = DecodedImage(source_hash=source_hash, label=label)
    clock = _Clock(result.timings)
    if not header_only:
        try:
            result.content_hash = key.content_hash(Path(path))  # also warms the page cache for the read below
        except OSError:
            return result.skip("skipped", "unreadable", f"{label}: {PROBLEMS['unreadable']}")
        clock.lap("hash")
    try:
        ds = read_header(Path(path), label) if header_only else read_dataset(Path(path), label)
        clock.lap("read")
        result.metadata = extract_metadata(ds, key)
        result.instance_token = instance_token(key, result.metadata.sop_uid)
        result.frames = frame_count(ds)
        clock.lap("header")
        if header_only:
            return result
        flagged = flag_decision(result.metadata.burned_in_annotation, options.burned_in)
        if flagged:
            return result.skip("excluded", "burned_in_annotation", f"{label}: {flagged}; excluded")
        image = decode_greyscale(ds, label, min_size=options.decode_size, as_uint8=True)
        clock.lap("decode")
        if options.burned_in.ocr and not result.metadata.burned_in_annotation:
            screen = screen_pixels(image, options.burned_in, label)
            clock.lap("ocr")
            if screen.excluded:
                return result.skip("excluded", "burned_in_text", f"{label}: {screen.reason}")
        cached = to_cached_square(image, cache_size)
        clock.lap("resize")
        if options.burned_in.redact_text:
            cached, redaction = load_detector(single_thread=in_worker_process()).redact(cached)
            result.text_regions_redacted = len(redaction.boxes)
            clock.lap("redact")
        result.png = encode_png(cached)
        clock.lap("encode")
        if options.export_dir:
            from bonesearch.deid.dicom_profile import write_deidentified

            _header_profile(options.salt_hex).deidentify(ds, result.metadata)
            write_deidentified(ds, Path(options.export_dir))
            clock.lap("export")
    except InvalidDicom as exc:
        result.skip("skipped", getattr(exc, "reason_class", "invalid_dicom"), str(exc))
    except (OcrUnavailable, DicomExportError, TextDetectorUnavailable):
        raise  # the job's setup is wrong, not this file: stop and say the fix
    except MemoryError:
        result.skip("skipped", "out_of_memory", f"{label}: not enough memory to decode this image; skipped")
    except Exception as exc:  # a decoder bug must not stop a 10,000-file job
        result.skip("skipped", "unexpected_error", f"{label}: unexpected {type(exc).__name__} while decoding; skipped")
    return result


def in_worker_process() -> bool:
    """True in a pool's worker (a child process), False where ingest decodes in its own process."""
    return multiprocessing.parent_process() is not None


class _Clock:
    """Adds the seconds since the previous lap to ``timings[stage]``."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings, self.last = timings, time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
        self.last = now
