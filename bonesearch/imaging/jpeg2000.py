"""Reduced-resolution decoding of JPEG 2000 pixel data.

A JPEG 2000 codestream holds a wavelet pyramid: decoding only the resolution level a small
pixel cache needs skips most of the work (on a 1760² CR file: ~4× faster at half size,
~15× at quarter size). Pillow's OpenJPEG plugin exposes it as ``Image.reduce``. Pillow
scales samples to 16 bits, so the codestream's own bit depth (its SIZ marker) is read to
undo that; anything unusual (signed samples, colour, a decode error) returns
``None`` and the caller decodes in full with pydicom.
"""

from __future__ import annotations

import io
import struct

import numpy as np
from PIL import Image
from pydicom.dataset import Dataset
from pydicom.encaps import get_frame
from pydicom.uid import JPEG2000, JPEG2000Lossless

from bonesearch.imaging.dicom import frame_count, header_int

J2K_SYNTAXES = (JPEG2000Lossless, JPEG2000)
SIZ_MARKER = b"\xff\x51"


def codestream_precision(codestream: bytes) -> tuple[int, bool] | None:
    """(bit depth, signed) of the first component, from the SIZ marker segment."""
    at = codestream.find(SIZ_MARKER, 0, 256)
    if at < 0 or len(codestream) < at + 41:
        return None
    (components,) = struct.unpack(">H", codestream[at + 38 : at + 40])
    if components != 1:
        return None
    ssiz = codestream[at + 40]
    return (ssiz & 0x7F) + 1, bool(ssiz & 0x80)


def reduction_level(rows: int, cols: int, min_size: int) -> int:
    """The largest r such that the longest side halved r times is still ≥ ``min_size``."""
    longest, level = max(rows, cols), 0
    while longest >> (level + 1) >= min_size and level < 5:
        level += 1
    return level


def decode_reduced(ds: Dataset, min_size: int) -> np.ndarray | None:
    """Stored values of the first frame at a reduced resolution (longest side ≥ ``min_size``), or None.

    ``None`` means: decode in full with pydicom (not JPEG 2000, signed or colour samples, too
    small to reduce, or a codestream Pillow cannot reduce).
    """
    syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
    if syntax not in J2K_SYNTAXES:
        return None
    # read as the query-image size check reads them (bonesearch.imaging.query_image.decoded_pixels)
    if header_int(ds, "SamplesPerPixel", 1) != 1 or header_int(ds, "PixelRepresentation", 0) != 0:
        return None
    try:  # odd Rows/Columns (a hostile header) mean: let the full decode handle or report it
        level = reduction_level(int(ds.Rows), int(ds.Columns), min_size)
    except (TypeError, ValueError, AttributeError, OverflowError):
        return None
    frames = frame_count(ds)
    if level == 0:
        return None
    try:
        codestream = get_frame(ds.PixelData, 0, number_of_frames=frames)  # multi-frame: the first frame
    except Exception:
        return None
    precision = codestream_precision(codestream)
    if precision is None or precision[1] or precision[0] > 16:
        return None
    for attempt in range(level, 0, -1):  # some codestreams have fewer decomposition levels
        decoded = _decode_level(codestream, attempt)
        if decoded is not None:
            break
    else:
        return None
    mode, values = decoded
    if mode == "I;16" and precision[0] < 16:
        values = values >> (16 - precision[0])
    elif mode not in ("I;16", "L"):
        return None
    return values.astype(np.uint16 if values.dtype != np.uint8 else np.uint8)


def _decode_level(codestream: bytes, level: int) -> tuple[str, np.ndarray] | None:
    try:
        with Image.open(io.BytesIO(codestream)) as image:
            image.reduce = level
            image.load()
            return image.mode, np.asarray(image)
    except Exception:  # an unusual codestream: the full pydicom decode handles (or reports) it
        return None
