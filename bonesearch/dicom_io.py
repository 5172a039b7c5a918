"""Reading DICOM files and turning their pixels into display-ready greyscale images.

Decoding is pydicom 3 with the pylibjpeg plugins (JPEG, JPEG-LS, JPEG 2000, RLE);
the LUT pipeline is pydicom's: modality LUT/rescale, then the VOI LUT or window when the
file has one (else a robust percentile window), then MONOCHROME1 inversion so that bone
is always bright. Nothing here looks at identifying attributes.

What is read, and how:

* Uncompressed pixel data is not loaded by ``dcmread``: the header is parsed with the
  PixelData value deferred, then the first frame alone is read in one call — or, above
  64 MB, memory-mapped: a 10,000 × 10,000 image costs its small reduced copy, not 200 MB
  (+ 800 MB of float64).
* For a small cache (``min_size``), the stored values are box-averaged (integer maths)
  down to the smallest size still ≥ ``min_size`` *before* the LUTs run; JPEG 2000 decodes
  only the wavelet level it needs (:mod:`bonesearch.jpeg2000`). The LUTs themselves are
  computed once per file over every possible stored value and applied as a table.
* Multi-frame images: the first frame is indexed (one cached image per SOP instance, as
  the store keys images by SOP Instance UID); only that frame is decoded.
* Colour secondary captures (RGB, YBR_*) become their luma (Y of pydicom's YBR_FULL
  conversion); PALETTE COLOR and other photometrics are skipped with a reason.
* Every way a file can fail raises a subclass of :class:`InvalidDicom` whose
  ``reason_class`` names the failure for the ingest report.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import warnings
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pydicom
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.pixels import apply_modality_lut, apply_voi_lut, convert_color_space
from pydicom.uid import UID

from bonesearch.errors import (CorruptDicom, DicomDirectory, EmptyFile, InvalidDicom, NoPixelData, NotDicom,
                               PixelDataMismatch, PixelDecodeError, UnsupportedPixels)
from bonesearch.imaging import box_reduce

GREYSCALE = ("MONOCHROME1", "MONOCHROME2")
COLOUR = ("RGB", "YBR_FULL", "YBR_FULL_422", "YBR_PARTIAL_420", "YBR_RCT", "YBR_ICT")
MEDIA_STORAGE_DIRECTORY = "1.2.840.10008.1.3.10"  # the DICOMDIR's SOP class
PIXEL_DATA = 0x7FE00010
DEFER_BYTES = 64 * 1024  # values larger than this (pixel data, big LUTs) are read only when used
MAX_READ_BYTES = 64 * 1024 * 1024  # uncompressed frames above this are memory-mapped instead of read
MAX_DECODED_PIXELS = 1 << 28  # a full (non-reduced) decode larger than 16384² is refused, not attempted
MAX_TABLE_BITS = 16  # LUTs as a table up to 65,536 stored values; wider data take the float path


def read_header(path: Path, label: str | None = None) -> Dataset:
    """Read a DICOM file's header (no pixel data). ``label`` names the file in errors."""
    return _read(Path(path), label or str(path), stop_before_pixels=True)


def read_dataset(path: Path | BinaryIO, label: str | None = None) -> Dataset:
    """Read a DICOM file (or an open binary stream, e.g. an upload held in memory) with its
    pixels; raise an :class:`InvalidDicom` subclass when it is not usable.

    Large values (the pixel data) are deferred: they are read, or memory-mapped, only when
    :func:`decode_greyscale` needs them (a stream must stay open until then).
    """
    source = path if hasattr(path, "read") else Path(path)
    return _read(source, label or str(path), stop_before_pixels=False)


@functools.cache
def quiet_pydicom() -> None:
    """Silence pydicom's warnings and log lines: they quote file paths, which may hold patient ids.

    Runs once per process (cached): every read calls it, so worker processes are covered too.
    """
    logging.getLogger("pydicom").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", module=r"pydicom(\.|$)")


def _read(path: Path | BinaryIO, label: str, stop_before_pixels: bool) -> Dataset:
    quiet_pydicom()
    try:
        if _byte_size(path) == 0:
            raise EmptyFile(f"{label} is empty (0 bytes: an interrupted copy?); skipped")
        defer = DEFER_BYTES if isinstance(path, Path) else None  # a stream is already in memory: read it whole
        ds = pydicom.dcmread(path, stop_before_pixels=stop_before_pixels, defer_size=defer)
    except InvalidDicom:
        raise
    except InvalidDicomError:
        raise NotDicom(f"{label} is not a DICOM file (no DICM preamble); skipped") from None
    except Exception as exc:  # truncated or malformed files raise many things inside pydicom
        raise CorruptDicom(f"{label} could not be parsed as DICOM ({type(exc).__name__}); skipped") from None
    sop_class = str(getattr(getattr(ds, "file_meta", None), "MediaStorageSOPClassUID", ""))
    if sop_class == MEDIA_STORAGE_DIRECTORY or "DirectoryRecordSequence" in ds:
        raise DicomDirectory(f"{label} is a DICOMDIR (an index of the media, not an image); skipped")
    if not stop_before_pixels and PIXEL_DATA not in ds:
        sop_name = getattr(UID(sop_class), "name", "") if sop_class else ""
        if "Image Storage" in sop_name:  # pydicom stops quietly at the end of a file cut inside its header
            raise CorruptDicom(f"{label} is an image object ({sop_name}) with no PixelData: truncated or damaged file; skipped")
        raise NoPixelData(f"{label} has no PixelData (a report, SR or presentation state?); skipped")
    return ds


def _byte_size(source: Path | BinaryIO) -> int:
    """Bytes in a file, or left to read in a seekable stream."""
    if isinstance(source, Path):
        return source.stat().st_size
    here = source.tell()
    end = source.seek(0, os.SEEK_END)
    source.seek(here)
    return end - here


def decode_greyscale(ds: Dataset, label: str, min_size: int | None = None, as_uint8: bool = False) -> np.ndarray:
    """Return the first frame as float32 in [0, 1] (uint8 0–255 with ``as_uint8``), bone bright, whatever the encoding.

    Applies the modality LUT (rescale), the VOI LUT or window centre/width when present
    (otherwise a 0.5–99.5 percentile window), and inverts MONOCHROME1. Colour images
    (secondary captures) are converted to luma. With ``min_size``, the image comes back at
    a reduced resolution whose longest side is still ≥ ``min_size`` (box average of the
    stored values, or a JPEG 2000 wavelet level, see :func:`bonesearch.jpeg2000.decode_reduced`):
    far faster and memory-bounded for a small cache. Without it, full resolution.
    """
    photometric = str(ds.get("PhotometricInterpretation", "")).strip().upper()
    rows, cols = int(ds.get("Rows", 0) or 0), int(ds.get("Columns", 0) or 0)
    if min(rows, cols) < 8:
        raise UnsupportedPixels(f"{label}: image of {rows} × {cols} pixels is too small or not 2-D; skipped")
    if photometric in GREYSCALE:
        stored = _greyscale_stored(ds, label, min_size)
        if min_size:
            bits = int(ds.get("BitsStored", 16) or 16)
            stored = box_reduce(stored, max(1, max(stored.shape) // min_size), (1 << min(bits, 16)) - 1)
        return display_greyscale(stored, ds, as_uint8)
    if photometric in COLOUR:
        luma = _colour_luma(ds, label, min_size)
        return luma if as_uint8 else luma.astype(np.float32) / 255.0
    shown = photometric if re.fullmatch(r"[A-Z0-9_ ]{1,16}", photometric) else "unreadable"
    raise UnsupportedPixels(
        f"{label}: photometric interpretation {shown} is not a greyscale or colour radiograph "
        f"(palette colour and others are not converted); skipped"
    )


def _greyscale_stored(ds: Dataset, label: str, min_size: int | None) -> np.ndarray:
    """Stored values of the first frame: memory-mapped if native, reduced J2K if possible, else pydicom."""
    from bonesearch.jpeg2000 import decode_reduced

    stored = native_first_frame(ds, label)
    if stored is not None:
        return stored
    if min_size:
        reduced = decode_reduced(ds, min_size)
        if reduced is not None:
            return reduced
    stored = _pixel_array(ds, label)
    if stored.ndim != 2:
        raise UnsupportedPixels(f"{label}: greyscale pixel data of shape {stored.shape} is not a 2-D frame; skipped")
    return stored


def native_first_frame(ds: Dataset, label: str) -> np.ndarray | None:
    """The first frame of uncompressed single-sample pixel data, without reading the file into memory.

    Returns the stored values (masked to BitsStored, sign-extended when signed) as a
    read-only array — memory-mapped when pydicom deferred the value — or ``None`` when the
    data are compressed, colour, or of a layout pydicom should handle (1-bit, deflated).
    Raises :class:`PixelDataMismatch` when the header promises more bytes than the file holds.
    """
    syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
    if syntax is None or not syntax.is_transfer_syntax or syntax.is_encapsulated or syntax.is_deflated:
        return None
    allocated = int(ds.get("BitsAllocated", 0) or 0)
    if int(ds.get("SamplesPerPixel", 1) or 1) != 1 or allocated not in (8, 16, 32):
        return None
    rows, cols = int(ds.Rows), int(ds.Columns)
    frames = max(1, _int(ds.get("NumberOfFrames", 1)))
    signed = int(ds.get("PixelRepresentation", 0) or 0) == 1
    dtype = np.dtype(f"{'<' if syntax.is_little_endian else '>'}{'i' if signed else 'u'}{allocated // 8}")
    frame_bytes = rows * cols * dtype.itemsize
    element = ds.get_item(PIXEL_DATA, keep_deferred=True)
    deferred = isinstance(element, RawDataElement) and element.value is None
    if deferred:
        length = min(element.length, os.path.getsize(ds.filename) - element.value_tell)  # truncated file: less
    else:
        length = len(element.value or b"")
    if length == 0xFFFFFFFF or length < frame_bytes * frames:
        raise PixelDataMismatch(
            f"{label}: the header describes {frames} frame(s) of {rows} × {cols} × {allocated} bits "
            f"({frame_bytes * frames} bytes) but PixelData holds {length} bytes (truncated file or wrong header); skipped"
        )
    if deferred and frame_bytes > MAX_READ_BYTES:  # huge: map it, only the reduced copy is allocated
        stored = np.memmap(ds.filename, dtype=dtype, mode="r", offset=element.value_tell, shape=(rows, cols))
    elif deferred:  # one read() beats page-faulting a mapping for ordinary radiographs
        stored = np.fromfile(ds.filename, dtype=dtype, count=rows * cols, offset=element.value_tell).reshape(rows, cols)
    else:
        stored = np.frombuffer(element.value, dtype=dtype, count=rows * cols).reshape(rows, cols)
    return _fit_bits_stored(stored, int(ds.get("BitsStored", allocated) or allocated), signed)


def _fit_bits_stored(stored: np.ndarray, bits: int, signed: bool) -> np.ndarray:
    """Drop bits above BitsStored (overlays, garbage) and sign-extend signed samples, as pydicom does."""
    width = stored.dtype.itemsize * 8
    if not 0 < bits < width:
        return stored
    if not signed:
        return stored if int(stored.max()) >> bits == 0 else stored & ((1 << bits) - 1)
    shift = width - bits
    return (stored << shift) >> shift  # arithmetic shift on the signed dtype


def _pixel_array(ds: Dataset, label: str) -> np.ndarray:
    """pydicom's decode of the first frame only, refusing absurd sizes before allocating them."""
    rows, cols = int(ds.Rows), int(ds.Columns)
    if rows * cols > MAX_DECODED_PIXELS:
        raise UnsupportedPixels(
            f"{label}: {rows} × {cols} pixels is too large to decode in full (limit {MAX_DECODED_PIXELS} pixels) "
            f"and has no reduced-resolution path; skipped"
        )
    try:
        if _int(ds.get("NumberOfFrames", 1)) > 1:
            ds.pixel_array_options(index=0)
        return ds.pixel_array
    except Exception as exc:
        syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
        name = getattr(syntax, "name", syntax)
        raise PixelDecodeError(
            f"{label}: pixel data could not be decoded (transfer syntax {name}: {type(exc).__name__}); "
            f"the file may be truncated, or install the pylibjpeg plugins if it is compressed; skipped"
        ) from None


def _colour_luma(ds: Dataset, label: str, min_size: int | None) -> np.ndarray:
    """Luma (uint8) of a colour secondary capture (pydicom converts YBR to RGB, then RGB to YBR_FULL)."""
    rgb = _pixel_array(ds, label)
    if rgb.ndim != 3 or rgb.shape[-1] != 3:
        raise UnsupportedPixels(f"{label}: colour pixel data of shape {rgb.shape} is not one RGB frame; skipped")
    bits = int(ds.get("BitsStored", 8) or 8)
    if bits > 8:  # convert_color_space works on 8-bit samples
        rgb = (rgb >> (bits - 8)).astype(np.uint8)
    luma = convert_color_space(np.ascontiguousarray(rgb, dtype=np.uint8), "RGB", "YBR_FULL")[..., 0]
    if min_size:
        luma = box_reduce(luma, max(1, max(luma.shape) // min_size))
    return luma


def display_greyscale(stored: np.ndarray, ds: Dataset, as_uint8: bool = False) -> np.ndarray:
    """Stored values → float32 display values in [0, 1] (or uint8), bone bright (modality LUT, VOI, MONOCHROME1).

    Integer data of ≤ 16 bits go through a table computed over every possible stored value,
    so the window's output range (not this image's extremes) sets the grey scale; with
    ``as_uint8`` the table itself is uint8, so no float image is ever made.
    """
    inverted = str(ds.get("PhotometricInterpretation", "")).strip().upper() == "MONOCHROME1"
    table = _display_table(stored, ds)
    if table is None:
        image = _display_float(stored, ds)
        image = 1.0 - image if inverted else image
        return np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8) if as_uint8 else image
    first, lut = table
    if inverted:
        lut = 1.0 - lut
    if as_uint8:
        lut = np.clip(lut * 255.0 + 0.5, 0, 255).astype(np.uint8)
    index = np.clip(stored, first, first + len(lut) - 1)
    return lut[index.astype(np.int32) - first] if first else lut[index]


def _has_voi(ds: Dataset) -> bool:
    return "VOILUTSequence" in ds or ("WindowCenter" in ds and "WindowWidth" in ds)


def _voi(values: np.ndarray, ds: Dataset) -> np.ndarray:
    if "VOILUTSequence" in ds and values.dtype.kind == "f":
        values = np.rint(values).astype(np.int64)  # LUT lookups index by integer value
    return apply_voi_lut(values, ds, prefer_lut=True)


def _display_table(stored: np.ndarray, ds: Dataset) -> tuple[int, np.ndarray] | None:
    """(first stored value, float32 table) mapping every stored value to its display value."""
    if stored.dtype.kind not in "ui" or stored.dtype.itemsize > 2:
        return None
    bits = min(int(ds.get("BitsStored", 8 * stored.dtype.itemsize) or 16), 8 * stored.dtype.itemsize, MAX_TABLE_BITS)
    signed = stored.dtype.kind == "i"
    first = -(1 << (bits - 1)) if signed else 0
    domain = np.arange(first, first + (1 << bits), dtype=np.int32)
    values = apply_modality_lut(domain, ds)
    if _has_voi(ds):
        out = np.asarray(_voi(values, ds), dtype=np.float64)
        # the window's output range: probe far outside the data so that clipping shows its ends
        probe = np.asarray(_voi(np.array([values.min() - 1e6, values.max() + 1e6]), ds), dtype=np.float64)
        low, high = min(out.min(), probe.min()), max(out.max(), probe.max())
    else:
        sample = stored[:: max(1, stored.shape[0] // 512), :: max(1, stored.shape[1] // 512)]
        sample_values = values[np.clip(sample, first, first + len(values) - 1).astype(np.int64) - first]
        low, high = (float(v) for v in np.percentile(sample_values, [0.5, 99.5]))
        out = values
    return first, _normalise(out, low, high)


def _display_float(stored: np.ndarray, ds: Dataset) -> np.ndarray:
    """The same pipeline on float or 32-bit data, with the image's own range."""
    values = apply_modality_lut(stored, ds)
    if _has_voi(ds):
        values = _voi(values, ds)
        low, high = float(values.min()), float(values.max())
    else:
        low, high = (float(v) for v in np.percentile(values[::4, ::4], [0.5, 99.5]))
    return _normalise(values, low, high)


def _normalise(values: np.ndarray, low: float, high: float) -> np.ndarray:
    if high <= low:
        return np.zeros(values.shape, dtype=np.float32)
    scaled = (np.asarray(values, dtype=np.float32) - np.float32(low)) / np.float32(high - low)
    return np.clip(scaled, 0.0, 1.0, out=scaled)


def _int(value: object) -> int:
    try:
        return int(value or 1)
    except (TypeError, ValueError):
        return 1
