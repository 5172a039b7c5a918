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
  only the wavelet level it needs (:mod:`bonesearch.imaging.jpeg2000`). The LUTs themselves are
  computed once per file over every possible stored value and applied as a table.
* Multi-frame images: the first frame is indexed (one cached image per SOP instance, as
  the store keys images by SOP Instance UID); only that frame is decoded.
* Colour secondary captures (RGB, YBR_*) become their luma (Y of pydicom's YBR_FULL
  conversion); PALETTE COLOR and other photometrics are skipped with a reason.
* Every way a file can fail raises a subclass of :class:`InvalidDicom` whose
  ``reason_class`` names the failure for the ingest report. Reasons name the attribute
  at fault and the problem, never its value: header values (even "coded" ones such as the
  photometric interpretation or the transfer syntax UID) can hold a patient's name.
* LUT attributes are checked before use and fall back when unusable
  (:mod:`bonesearch.imaging.display`); a blank decode is skipped, never indexed.
"""

from __future__ import annotations

import functools
import logging
import os
import struct
import warnings
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pydicom
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.pixels import convert_color_space
from pydicom.uid import UID, UID_dictionary

from bonesearch.imaging.display import display_greyscale
from bonesearch.errors import (CorruptDicom, DicomDirectory, EmptyFile, InflateLimit, InvalidDicom, NoPixelData, NotDicom,
                               PixelDataMismatch, PixelDecodeError, UnsupportedPixels)
from bonesearch.imaging.pixel_cache import box_reduce

__all__ = ["decode_greyscale", "frame_count", "header_int", "native_first_frame", "read_dataset", "read_header"]

GREYSCALE = ("MONOCHROME1", "MONOCHROME2")
COLOUR = ("RGB", "YBR_FULL", "YBR_FULL_422", "YBR_PARTIAL_420", "YBR_RCT", "YBR_ICT")
OTHER_PHOTOMETRICS = ("PALETTE COLOR", "YBR_PARTIAL_422", "HSV", "ARGB", "CMYK")  # defined terms not converted
MEDIA_STORAGE_DIRECTORY = "1.2.840.10008.1.3.10"  # the DICOMDIR's SOP class
PIXEL_DATA = 0x7FE00010
DEFER_BYTES = 64 * 1024  # values larger than this (pixel data, big LUTs) are read only when used
MAX_READ_BYTES = 64 * 1024 * 1024  # uncompressed frames above this are memory-mapped instead of read
MAX_INFLATED_BYTES = 1 << 30  # a deflated dataset inflating past 1 GiB is refused (pydicom inflates it whole)
MAX_DECODED_PIXELS = 1 << 28  # a full (non-reduced) decode larger than 16384² is refused, not attempted


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
        _check_inflated_size(path, label)
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
        sop_name = _uid_name(sop_class)
        if sop_name and "Image Storage" in sop_name:  # pydicom stops quietly at the end of a file cut inside its header
            raise CorruptDicom(f"{label} is an image object ({sop_name}) with no PixelData: truncated or damaged file; skipped")
        raise NoPixelData(f"{label} has no PixelData (a report, SR or presentation state?); skipped")
    return ds


def is_deflated(head: bytes) -> bool:
    """Whether the Part 10 file meta of ``head`` (a file's first bytes, preamble included) names a deflated
    transfer syntax: read element by element, without pydicom (which would inflate the dataset)."""
    pos, end = 132, len(head)
    while pos + 8 <= end and head[pos : pos + 2] == b"\x02\x00":
        element, vr = struct.unpack("<H", head[pos + 2 : pos + 4])[0], head[pos + 4 : pos + 6]
        if vr in (b"OB", b"OW", b"OF", b"SQ", b"UT", b"UN", b"UC", b"UR"):
            length, start = struct.unpack("<I", head[pos + 8 : pos + 12])[0] if pos + 12 <= end else 0, pos + 12
        else:
            length, start = struct.unpack("<H", head[pos + 6 : pos + 8])[0], pos + 8
        if element == 0x0010:
            syntax = UID(head[start : start + length].decode("ascii", "replace").strip("\0 "))
            return syntax.is_transfer_syntax and syntax.is_deflated
        pos = start + length
    return False


def _check_inflated_size(source: Path | BinaryIO, label: str, limit: int | None = None) -> None:
    """Refuse a deflated dataset that would inflate past ``limit`` bytes, by inflating it in a stream first.

    Cheap for everything else: the transfer syntax is read from the file meta group's first
    bytes, and only deflated files (rare) are inflated, in 1 MiB steps, never held whole.
    """
    limit = MAX_INFLATED_BYTES if limit is None else limit
    fh = open(source, "rb") if isinstance(source, Path) else source
    start = fh.tell() if fh is source else 0
    try:
        head = fh.read(132 + 12)
        if len(head) < 144 or head[128:132] != b"DICM" or head[132:136] != b"\x02\x00\x00\x00":
            return  # no standard file meta group: pydicom decides
        meta = fh.read(struct.unpack("<I", head[140:144])[0])
        if not is_deflated(head + meta):
            return
        inflater, total = zlib.decompressobj(-zlib.MAX_WBITS), 0
        while not inflater.eof and (chunk := fh.read(1 << 16)):
            while chunk and total <= limit:  # at most 1 MiB of output held at a time
                produced = len(inflater.decompress(chunk, 1 << 20))
                total += produced
                chunk = inflater.unconsumed_tail if produced and not inflater.eof else b""
            if total > limit:
                raise InflateLimit(f"{label}: its deflated dataset inflates to more than {limit >> 20} MiB "
                                   f"(a decompression bomb?); skipped")
    except zlib.error:
        return  # a broken stream: pydicom's read reports it as corrupt
    finally:
        if fh is source:
            fh.seek(start)
        else:
            fh.close()


def _uid_name(uid: object) -> str | None:
    """The standard's name of a UID, or None for a UID the standard does not define (never the value itself)."""
    text = str(uid or "").strip()
    return UID_dictionary[text][0] if text in UID_dictionary else None


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
    stored values, or a JPEG 2000 wavelet level, see :func:`bonesearch.imaging.jpeg2000.decode_reduced`):
    far faster and memory-bounded for a small cache. Without it, full resolution.
    """
    photometric = str(ds.get("PhotometricInterpretation", "")).strip().upper()
    rows, cols = int(ds.get("Rows", 0) or 0), int(ds.get("Columns", 0) or 0)
    if min(rows, cols) < 8:
        raise UnsupportedPixels(f"{label}: Rows or Columns is below 8 pixels (too small, or not a 2-D image); skipped")
    if photometric in GREYSCALE:
        stored = _greyscale_stored(ds, label, min_size)
        if min_size:
            bits = header_int(ds, "BitsStored", 16)
            bits = bits if 0 < bits <= 16 else 16
            stored = box_reduce(stored, max(1, max(stored.shape) // min_size), (1 << bits) - 1)
        return display_greyscale(stored, ds, as_uint8, label)
    if photometric in COLOUR:
        luma = _colour_luma(ds, label, min_size)
        return luma if as_uint8 else luma.astype(np.float32) / 255.0
    # a defined term of the standard may be named; anything else is a header value and is not quoted
    shown = f" {photometric}" if photometric in OTHER_PHOTOMETRICS else " (not a defined term)"
    raise UnsupportedPixels(
        f"{label}: photometric interpretation{shown} is not a greyscale or colour radiograph "
        f"(palette colour and others are not converted); skipped"
    )


def _greyscale_stored(ds: Dataset, label: str, min_size: int | None) -> np.ndarray:
    """Stored values of the first frame: memory-mapped if native, reduced J2K if possible, else pydicom."""
    from bonesearch.imaging.jpeg2000 import decode_reduced

    stored = native_first_frame(ds, label)
    if stored is not None:
        return stored
    if min_size:
        reduced = decode_reduced(ds, min_size)
        if reduced is not None:
            return reduced
    stored = _pixel_array(ds, label)
    if stored.ndim != 2:
        raise UnsupportedPixels(f"{label}: greyscale pixel data do not decode to one 2-D frame; skipped")
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
    allocated = header_int(ds, "BitsAllocated", 0)
    if header_int(ds, "SamplesPerPixel", 1) != 1 or allocated not in (8, 16, 32):
        return None
    rows, cols = int(ds.Rows), int(ds.Columns)
    bits_stored = header_int(ds, "BitsStored", allocated)
    frames = frame_count(ds)
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
            f"{label}: PixelData holds fewer bytes than Rows × Columns × BitsAllocated × NumberOfFrames "
            f"describe (truncated file or wrong header); skipped"
        )
    if bits_stored > allocated and length >= 2 * frame_bytes * frames:
        raise PixelDataMismatch(
            f"{label}: BitsAllocated is smaller than BitsStored and PixelData holds twice the bytes it describes "
            f"(wider samples than BitsAllocated says?); skipped"
        )
    if deferred and frame_bytes > MAX_READ_BYTES:  # huge: map it, only the reduced copy is allocated
        stored = np.memmap(ds.filename, dtype=dtype, mode="r", offset=element.value_tell, shape=(rows, cols))
    elif deferred:  # one read() beats page-faulting a mapping for ordinary radiographs
        stored = np.fromfile(ds.filename, dtype=dtype, count=rows * cols, offset=element.value_tell).reshape(rows, cols)
    else:
        stored = np.frombuffer(element.value, dtype=dtype, count=rows * cols).reshape(rows, cols)
    return _fit_bits_stored(stored, bits_stored, signed)


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
            f"{label}: Rows × Columns is too large to decode in full (limit {MAX_DECODED_PIXELS} pixels) "
            f"and has no reduced-resolution path; skipped"
        )
    try:
        if frame_count(ds) > 1:
            ds.pixel_array_options(index=0)
        return ds.pixel_array
    except Exception as exc:
        syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
        name = _uid_name(syntax) or "an unknown transfer syntax"
        raise PixelDecodeError(
            f"{label}: pixel data could not be decoded ({name}: {type(exc).__name__}); "
            f"the file may be truncated, or install the pylibjpeg plugins if it is compressed; skipped"
        ) from None


def _colour_luma(ds: Dataset, label: str, min_size: int | None) -> np.ndarray:
    """Luma (uint8) of a colour secondary capture (pydicom converts YBR to RGB, then RGB to YBR_FULL)."""
    rgb = _pixel_array(ds, label)
    if rgb.ndim != 3 or rgb.shape[-1] != 3:
        raise UnsupportedPixels(f"{label}: colour pixel data do not decode to one RGB frame; skipped")
    bits = header_int(ds, "BitsStored", 8)
    if 8 < bits <= 16:  # convert_color_space works on 8-bit samples
        rgb = (rgb >> (bits - 8)).astype(np.uint8)
    luma = convert_color_space(np.ascontiguousarray(rgb, dtype=np.uint8), "RGB", "YBR_FULL")[..., 0]
    if min_size:
        luma = box_reduce(luma, max(1, max(luma.shape) // min_size))
    return luma


def header_int(ds: Dataset, keyword: str, default: int) -> int:
    """The integer attribute ``keyword`` of ``ds``; ``default`` when absent, empty, zero or not a
    number (a header is typed by hand and may hold anything)."""
    try:
        return int(ds.get(keyword) or default)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return default


def frame_count(ds: Dataset) -> int:
    """NumberOfFrames as a count ≥ 1 (absent, empty or malformed counts as one frame; decoding checks the bytes)."""
    return max(1, header_int(ds, "NumberOfFrames", 1))
