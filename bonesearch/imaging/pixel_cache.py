"""Image preprocessing shared by ingest, training, indexing and queries."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
from PIL import Image

CACHE_SIZE = 256  # default side of the square greyscale images cached in the store (ingest --cache-size)
MAX_UPSAMPLE = 0.15  # a cached square may be upsampled from a decode up to 15 % smaller (ingest --max-upsample)
PNG_COMPRESS_LEVEL = 1  # zlib level 1 with the Z_RLE strategy: on filtered radiograph rows it writes
PNG_COMPRESS_TYPE = 3  # smaller files than the default strategy (−25 % on the real CR file) and no slower


def box_reduce(image: np.ndarray, factor: int, max_value: int | None = None) -> np.ndarray:
    """Average ``factor`` × ``factor`` blocks of a 2-D image (integer maths for integer data).

    Returns the same dtype (rounded mean for integers). Works on read-only and memory-mapped
    arrays: only strided views of the input are read, and the only allocations are
    ``1/factor`` and ``1/factor²`` of its size — no float copy of the full image. The last
    ``shape % factor`` rows and columns are dropped (less than one output pixel).
    ``max_value`` (e.g. ``2**BitsStored - 1`` for unsigned data) lets the first pass add in
    16 bits when ``factor × max_value`` fits (checked against the data), which is faster.
    """
    if factor <= 1:
        return image
    h, w = (image.shape[0] // factor) * factor, (image.shape[1] // factor) * factor
    if h == 0 or w == 0:
        return image
    if image.dtype.kind == "u" and max_value is not None and factor * max_value < 1 << 16 and image.max() <= max_value:
        acc = np.uint16
    elif image.dtype.kind == "u":
        acc = np.uint32 if image.dtype.itemsize <= 2 else np.uint64
    elif image.dtype.kind == "i":
        acc = np.int32 if image.dtype.itemsize <= 2 else np.int64
    else:
        acc = np.float32
    rows = image[0:h:factor, :w].astype(acc)
    for i in range(1, factor):
        rows += image[i:h:factor, :w]
    out = rows[:, 0:w:factor].astype(np.uint32 if acc is np.uint16 else acc)
    for j in range(1, factor):
        out += rows[:, j:w:factor]
    n = factor * factor
    if image.dtype.kind in "ui":
        return ((out + n // 2) // n).astype(image.dtype)
    return (out / n).astype(image.dtype)


def to_cached_square(image: np.ndarray, size: int = CACHE_SIZE) -> np.ndarray:
    """Resize a float [0, 1] (or uint8) image so its longest side is ``size`` and pad it square.

    The aspect ratio is kept; the padding is black (as collimated film borders are).
    Returns uint8 ``[size, size]``.
    """
    if image.dtype != np.uint8:
        image = np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8)
    nh, nw, top, left = _placement(image.shape, size)
    resized = np.asarray(Image.fromarray(image).resize((nw, nh), Image.Resampling.BILINEAR, reducing_gap=2.0))
    out = np.zeros((size, size), dtype=np.uint8)
    out[top : top + nh, left : left + nw] = resized
    return out


def _placement(shape: tuple[int, int], size: int) -> tuple[int, int, int, int]:
    """(height, width, top, left) of an image of ``shape`` inside its cached square of side ``size``."""
    h, w = shape
    scale = size / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    return nh, nw, (size - nh) // 2, (size - nw) // 2


def box_in_cached_square(box: tuple[float, float, float, float], shape: tuple[int, int],
                         size: int = CACHE_SIZE) -> tuple[int, int, int, int]:
    """Where a (top, left, bottom, right) box of an image of ``shape`` lies in its :func:`to_cached_square`
    (widened to whole pixels)."""
    _, _, top, left = _placement(shape, size)
    scale = size / max(shape)
    t, lft, b, r = box
    return (top + int(t * scale), left + int(lft * scale), top + int(math.ceil(b * scale)),
            left + int(math.ceil(r * scale)))


def encode_png(image: np.ndarray) -> bytes:
    """A uint8 greyscale image as PNG bytes (done in ingest workers; the parent only writes them)."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL, compress_type=PNG_COMPRESS_TYPE)
    return buffer.getvalue()


def save_png(image: np.ndarray | bytes, path: Path) -> None:
    """Write a uint8 greyscale image (or PNG bytes from :func:`encode_png`) atomically: temp file, then rename."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(image if isinstance(image, bytes) else encode_png(image))
    tmp.replace(path)


def load_png(path: Path) -> np.ndarray:
    """Read a cached greyscale PNG as uint8 ``[H, W]``."""
    with Image.open(path) as img:
        return np.asarray(img.convert("L"))
