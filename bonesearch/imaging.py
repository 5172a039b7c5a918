"""Image preprocessing shared by ingest, training, indexing and queries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

CACHE_SIZE = 256  # side of the square greyscale images cached in the store


def to_cached_square(image: np.ndarray, size: int = CACHE_SIZE) -> np.ndarray:
    """Resize a float [0, 1] (or uint8) image so its longest side is ``size`` and pad it square.

    The aspect ratio is kept; the padding is black (as collimated film borders are).
    Returns uint8 ``[size, size]``.
    """
    if image.dtype != np.uint8:
        image = np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8)
    h, w = image.shape
    scale = size / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    resized = np.asarray(Image.fromarray(image).resize((nw, nh), Image.Resampling.BILINEAR, reducing_gap=2.0))
    out = np.zeros((size, size), dtype=np.uint8)
    top, left = (size - nh) // 2, (size - nw) // 2
    out[top : top + nh, left : left + nw] = resized
    return out


def save_png(image: np.ndarray, path: Path) -> None:
    """Write a uint8 greyscale image atomically (temp file, then rename)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    Image.fromarray(image).save(tmp, format="PNG", compress_level=1)
    tmp.replace(path)


def load_png(path: Path) -> np.ndarray:
    """Read a cached greyscale PNG as uint8 ``[H, W]``."""
    with Image.open(path) as img:
        return np.asarray(img.convert("L"))


def load_query_image(path: Path) -> np.ndarray:
    """Read a user's query image (PNG/JPEG/…, or DICOM) as a cached-size uint8 square.

    Only pixels are used: a DICOM's header is never read beyond what decoding needs.
    """
    from bonesearch.dicom_io import decode_greyscale, read_dataset
    from bonesearch.errors import InvalidDicom, InvalidQueryImage

    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(132)
    try:
        if head[128:132] == b"DICM" or path.suffix.lower() in (".dcm", ".dicom"):
            image = decode_greyscale(read_dataset(path, path.name), path.name)
        else:
            with Image.open(path) as img:
                image = np.asarray(img.convert("L"))
    except (InvalidDicom, UnidentifiedImageError, OSError) as exc:
        reason = str(exc) if isinstance(exc, InvalidDicom) else "not a readable image"
        raise InvalidQueryImage(f"{path.name}: {reason}; give a PNG, JPEG or DICOM radiograph") from None
    return to_cached_square(image)
