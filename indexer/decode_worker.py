"""The per-file work of ingest, run in worker processes: read, de-identify the header, decode, resize."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bonesearch.deid.headers import ImageMetadata, extract_metadata
from bonesearch.deid.key import PseudonymKey
from bonesearch.dicom_io import decode_greyscale, read_dataset, read_header
from bonesearch.errors import InvalidDicom
from bonesearch.imaging import to_cached_square


@dataclass
class DecodedImage:
    """A decoded file: de-identified metadata and the cached-size pixels (or why it was skipped)."""

    source_hash: str
    label: str  # safe to print: file name + keyed hash, no folders
    metadata: ImageMetadata | None = None
    pixels: np.ndarray | None = None
    status: str = "ingested"  # ingested | skipped | excluded
    reason: str = ""


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
    try:
        ds = read_header(Path(path), label) if header_only else read_dataset(Path(path), label)
        result.metadata = extract_metadata(ds, key)
        if header_only:
            return result
        if result.metadata.burned_in_annotation:
            result.status, result.reason = "excluded", "BurnedInAnnotation=YES (text burned into the pixels)"
            return result
        result.pixels = to_cached_square(decode_greyscale(ds, label, min_size=cache_size), cache_size)
    except InvalidDicom as exc:
        result.status, result.reason = "skipped", str(exc)
    except Exception as exc:  # a decoder bug must not stop a 10,000-file job
        result.status, result.reason = "skipped", f"{label}: unexpected {type(exc).__name__} while decoding; skipped"
    return result
