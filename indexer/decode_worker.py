"""The per-file work of ingest, run in worker processes: read, de-identify the header, decode, resize.

:func:`decode_file` is the whole per-file pipeline, in this order (each step timed):

1. ``read``    parse the header; the pixel data stay on disk (deferred / memory-mapped);
2. ``header``  de-identified metadata for DuckDB (:func:`extract_metadata`) — the PS3.15
               header profile plugs in here, on the same dataset;
3. policy     ``BurnedInAnnotation=YES`` → excluded (default policy), before any decode;
4. ``decode``  pixels → display greyscale at the reduced resolution the cache needs;
5.            pixel check (burned-in text OCR) plugs in here, on ``image``;
6. ``resize``  to the cached square, then ``encode`` to PNG bytes.

The parent process only writes the PNG bytes and the DuckDB rows (it assigns image ids).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from bonesearch.deid.headers import ImageMetadata, extract_metadata
from bonesearch.deid.key import PseudonymKey
from bonesearch.dicom_io import decode_greyscale, read_dataset, read_header
from bonesearch.errors import InvalidDicom
from bonesearch.imaging import encode_png, to_cached_square


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
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage in the worker

    @property
    def anonymous_reason(self) -> str:
        """``reason`` with the file named by its keyed hash only (for the store and the JSON report)."""
        return self.reason.replace(self.label, f"[{self.source_hash}]")

    def skip(self, status: str, reason_class: str, reason: str) -> "DecodedImage":
        """Mark as skipped/excluded with a reason; returns self."""
        self.status, self.reason_class, self.reason = status, reason_class, reason
        return self


def safe_label(relative: str, source_hash: str) -> str:
    """How a file is named in logs: its base name and keyed hash (folders may hold patient ids)."""
    name = Path(relative).name
    if any(ch.isdigit() for ch in name) and len(name) > 16:
        name = name[:4] + "…" + Path(name).suffix
    return f"{name} [{source_hash}]"


def decode_file(path: str, source_hash: str, label: str, salt_hex: str, cache_size: int, header_only: bool = False) -> DecodedImage:
    """Process one archive file; never raises for bad input (the reason is returned instead)."""
    key = PseudonymKey(bytes.fromhex(salt_hex))
    result = DecodedImage(source_hash=source_hash, label=label)
    clock = _Clock(result.timings)
    try:
        ds = read_header(Path(path), label) if header_only else read_dataset(Path(path), label)
        clock.lap("read")
        result.metadata = extract_metadata(ds, key)
        result.frames = max(1, int(ds.get("NumberOfFrames", 1) or 1))
        clock.lap("header")
        if header_only:
            return result
        if result.metadata.burned_in_annotation:
            return result.skip("excluded", "burned_in_annotation", f"{label}: BurnedInAnnotation=YES (text burned into the pixels); excluded")
        image = decode_greyscale(ds, label, min_size=cache_size, as_uint8=True)
        clock.lap("decode")
        cached = to_cached_square(image, cache_size)
        clock.lap("resize")
        result.png = encode_png(cached)
        clock.lap("encode")
    except InvalidDicom as exc:
        result.skip("skipped", getattr(exc, "reason_class", "invalid_dicom"), str(exc))
    except MemoryError:
        result.skip("skipped", "out_of_memory", f"{label}: not enough memory to decode this image; skipped")
    except Exception as exc:  # a decoder bug must not stop a 10,000-file job
        result.skip("skipped", "unexpected_error", f"{label}: unexpected {type(exc).__name__} while decoding; skipped")
    return result


class _Clock:
    """Adds the seconds since the previous lap to ``timings[stage]``."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings, self.last = timings, time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
        self.last = now
