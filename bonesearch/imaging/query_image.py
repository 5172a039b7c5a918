"""A user's query image — a web upload, or the file given to ``bonesearch similar`` — decoded
without trusting it.

```python
pixels = load_query_image(upload_bytes, "image envoyée")   # uint8 [256, 256], or InvalidQueryImage
pixels = load_query_image(Path("cliche.dcm"))
```

The image is decoded at the size the search needs, not at full resolution: JPEG with
Pillow's ``draft`` (DCT scaling, 1/2 to 1/8), DICOM with ``decode_greyscale(min_size=…)``
(a JPEG 2000 wavelet level, or a box average of the stored values), so a 12000² JPEG 2000
file costs a 375² decode. What would still be decoded is counted from the headers first
(the DICOM header, and the compressed stream's own header, which the codec follows) and
refused above :data:`MAX_QUERY_PIXELS` (:class:`QueryImageTooLarge`) before any decoding.
Deflated DICOM (a zlib stream over the whole dataset, which pydicom inflates in one go) is
refused. Any other failure — a PNG text or ICC chunk that inflates past Pillow's limits, a
broken window or VOI LUT, a codec error, memory — is an :class:`InvalidQueryImage`, never a
traceback; its ``reason_class`` names the failure without quoting the file.
"""

from __future__ import annotations

import functools
import io
import math
import struct
import warnings
from pathlib import Path

import numpy as np
from PIL import Image

from bonesearch.errors import InvalidDicom, InvalidQueryImage, QueryImageTooLarge
from bonesearch.imaging.pixel_cache import CACHE_SIZE, to_cached_square

__all__ = ["MAX_QUERY_PIXELS", "PICTURE_FORMATS", "decoded_pixels", "load_query_image", "quiet_pillow_bomb_warning"]

#: Most pixels a query image may decode to: 50 M (≈ 7000²). Detector radiographs are 5–20 M,
#: stitched long-leg or spine images up to ~30 M; beyond is a bomb or not a radiograph.
MAX_QUERY_PIXELS = 50_000_000
PICTURE_FORMATS = ("PNG", "JPEG")  # Pillow plugins a query may reach (besides DICOM): no TIFF, PSD, …
HEAD_BYTES = 4096  # enough for the DICM preamble and the file meta group
HIGH_DEPTH_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I", "F")  # windowed, not clipped at 255


def load_query_image(source: Path | str | bytes, name: str | None = None, size: int = CACHE_SIZE) -> np.ndarray:
    """``source`` (a file, or an upload's bytes, decoded in memory and never written) as a
    uint8 ``[size, size]`` square, decoded at no more than it needs (longest side ≥ ``size``).

    ``name`` labels the image in error messages (an upload's file name is never used). Only
    pixels are read: a DICOM's header is not used beyond decoding.

    Raises:
        QueryImageTooLarge: it would decode to more than :data:`MAX_QUERY_PIXELS` pixels.
        InvalidQueryImage: anything else that makes it unusable (``reason_class`` says what).
    """
    quiet_pillow_bomb_warning()
    if isinstance(source, bytes):
        label, head = name or "image", source[:HEAD_BYTES]
    else:
        source = Path(source)
        label = name or source.name
        try:
            with open(source, "rb") as fh:
                head = fh.read(HEAD_BYTES)
        except OSError as exc:
            raise InvalidQueryImage(f"{label}: cannot be read ({exc.strerror or type(exc).__name__})",
                                    reason_class="unreadable_file") from None
    dicom = head[128:132] == b"DICM" or Path(label).suffix.lower() in (".dcm", ".dicom")
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        image = _dicom_pixels(stream, head, label, size) if dicom else _picture_pixels(stream, label, size)
        return to_cached_square(image, size)
    except InvalidQueryImage:
        raise
    except InvalidDicom as exc:
        reason = str(exc) if str(exc).startswith(label) else f"{label}: {exc}"
        raise InvalidQueryImage(f"{reason.removesuffix('; skipped')}; give a PNG, JPEG or DICOM radiograph",
                                reason_class=getattr(exc, "reason_class", "invalid_dicom")) from None
    except Image.DecompressionBombError:
        raise QueryImageTooLarge(f"{label}: its header announces more pixels than a query image may have "
                                 f"({MAX_QUERY_PIXELS:,}); give the radiograph at its acquired size") from None
    except Exception as exc:  # PIL, pydicom, NumPy and the codecs raise many things on hostile files
        what = "DICOM display values or pixels could not be used" if dicom else "not a readable image"
        raise InvalidQueryImage(f"{label}: {what} ({_short(exc)}); give a PNG, JPEG or DICOM radiograph",
                                reason_class="damaged_dicom" if dicom else "not_an_image") from None


@functools.cache
def quiet_pillow_bomb_warning() -> None:
    """Silence Pillow's DecompressionBombWarning (once per process, as ``dicom_io.quiet_pydicom``
    does for pydicom): query images are capped at :data:`MAX_QUERY_PIXELS`, below its threshold,
    and a large JPEG 2000 frame is decoded at a reduced level; the warning would only write an
    uploaded file's size into the server log. Pillow's DecompressionBombError still applies."""
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def decoded_pixels(ds, min_size: int) -> int:
    """How many pixels decoding ``ds``'s first frame with ``decode_greyscale(min_size=…)`` makes at most.

    The header's Rows × Columns, or the compressed frame's own size when that is larger
    (codecs follow their stream); a JPEG 2000 greyscale frame that ``decode_reduced`` can
    decode at a reduced level counts that level only.
    """
    from bonesearch.imaging.dicom import header_int
    from bonesearch.imaging.jpeg2000 import codestream_precision, reduction_level

    rows, cols = header_int(ds, "Rows", 0), header_int(ds, "Columns", 0)
    frame = _first_frame(ds)
    shape = _stream_shape(frame) if frame is not None else None
    if shape is None:
        return rows * cols
    width, height, levels = shape
    full = max(rows * cols, width * height)
    greyscale = str(ds.get("PhotometricInterpretation", "")).strip().upper() in ("MONOCHROME1", "MONOCHROME2")
    precision = codestream_precision(frame) if frame[:2] == b"\xff\x4f" else None
    reducible = (greyscale and levels and precision is not None and not precision[1] and precision[0] <= 16
                 and header_int(ds, "SamplesPerPixel", 1) == 1 and header_int(ds, "PixelRepresentation", 0) == 0
                 and (Image.MAX_IMAGE_PIXELS is None or width * height <= 2 * Image.MAX_IMAGE_PIXELS))
    level = min(reduction_level(rows, cols, min_size), levels or 0) if reducible else 0
    if level == 0:
        return full
    return math.ceil(width / 2**level) * math.ceil(height / 2**level)


# ---------------------------------------------------------------- decoding
def _picture_pixels(source: io.BytesIO | Path, label: str, size: int) -> np.ndarray:
    """A PNG or JPEG as uint8 (or float [0, 1] for 16-bit data), JPEG decoded at a reduced scale."""
    with Image.open(source, formats=PICTURE_FORMATS) as img:
        img.draft("L", (size, size))  # JPEG only: the smallest DCT scale still ≥ size on both sides
        _check_pixels(img.width * img.height, label)
        if img.mode in HIGH_DEPTH_MODES:
            return _windowed(np.asarray(img))
        return np.asarray(img.convert("L"))


def _dicom_pixels(source: io.BytesIO | Path, head: bytes, label: str, size: int) -> np.ndarray:
    from bonesearch.imaging.dicom import decode_greyscale, is_deflated, read_dataset

    if is_deflated(head):
        raise InvalidQueryImage(f"{label}: a deflated DICOM (the whole dataset zlib-compressed) is not accepted as a "
                                f"query image; export it uncompressed or in JPEG 2000", reason_class="deflated_dicom")
    ds = read_dataset(source, label)
    _check_pixels(decoded_pixels(ds, size), label)
    return decode_greyscale(ds, label, min_size=size, as_uint8=True)


def _check_pixels(pixels: int, label: str) -> None:
    if pixels > MAX_QUERY_PIXELS:
        raise QueryImageTooLarge(f"{label}: decoding it would make {pixels:,} pixels, more than a query image may "
                                 f"have ({MAX_QUERY_PIXELS:,}); give the radiograph at its acquired size")


def _windowed(values: np.ndarray) -> np.ndarray:
    """16-bit or float greyscale → float [0, 1] over its 0.5–99.5 percentile range (as DICOM without a window)."""
    sample = values[:: max(1, values.shape[0] // 512), :: max(1, values.shape[1] // 512)].astype(np.float32)
    low, high = (float(v) for v in np.percentile(sample, [0.5, 99.5]))
    if high <= low:
        return np.zeros(values.shape, dtype=np.float32)
    scaled = (values.astype(np.float32) - np.float32(low)) / np.float32(high - low)
    return np.clip(scaled, 0.0, 1.0, out=scaled)


def _short(exc: BaseException, limit: int = 160) -> str:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- headers, read without decoding
def _first_frame(ds) -> bytes | None:
    """The first frame of encapsulated pixel data, or None (native data, or unreadable)."""
    from pydicom.encaps import get_frame

    from bonesearch.imaging.dicom import frame_count

    syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
    if syntax is None or not syntax.is_transfer_syntax or not syntax.is_encapsulated:
        return None
    try:
        return bytes(get_frame(ds.PixelData, 0, number_of_frames=frame_count(ds)))
    except Exception:
        return None


def _stream_shape(frame: bytes) -> tuple[int, int, int | None] | None:
    """(width, height, wavelet levels or None) a JPEG 2000 / JPEG / JPEG-LS frame declares, or None."""
    if frame[:2] == b"\xff\x4f":
        return _j2k_shape(frame)
    if frame[:2] == b"\xff\xd8":
        return _jpeg_shape(frame)
    return None


def _j2k_shape(cs: bytes) -> tuple[int, int, int | None] | None:
    """Image size from the SIZ segment, and the fewest decomposition levels any COD/COC (main
    or tile-part header) gives: a reduced decode cannot go deeper than that."""
    if len(cs) < 4 + 38 or cs[2:4] != b"\xff\x51":
        return None
    xsiz, ysiz, x0, y0 = struct.unpack(">IIII", cs[8:24])
    levels: list[int] = []
    pos, tile_end = 2, None
    while pos + 4 <= len(cs):
        marker = struct.unpack(">H", cs[pos : pos + 2])[0]
        if marker == 0xFF93:  # SOD: the tile-part's data follow, up to the end its SOT gave
            if tile_end is None or tile_end <= pos:
                break
            pos, tile_end = tile_end, None
            continue
        length = struct.unpack(">H", cs[pos + 2 : pos + 4])[0]
        if marker >> 8 != 0xFF or marker == 0xFFD9 or length < 2:
            break
        if marker == 0xFF52 and pos + 10 <= len(cs):  # COD: Lcod, Scod, progression, layers (2), MCT, levels
            levels.append(cs[pos + 9])
        elif marker == 0xFF53 and pos + 7 <= len(cs):  # COC: Lcoc, component (< 257 components), Scoc, levels
            levels.append(cs[pos + 6])
        elif marker == 0xFF90 and pos + 10 <= len(cs):  # SOT: Lsot, tile index, Psot (0: up to the end)
            psot = struct.unpack(">I", cs[pos + 6 : pos + 10])[0]
            tile_end = pos + psot if psot else len(cs)
        pos += 2 + length
    return xsiz - x0, ysiz - y0, min(levels) if levels else None


def _jpeg_shape(data: bytes) -> tuple[int, int, None] | None:
    """Image size from the first SOF segment of a JPEG or JPEG-LS stream (SOF55)."""
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        code = data[pos + 1]
        if code == 0xFF:  # fill byte
            pos += 1
            continue
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if (0xC0 <= code <= 0xCF and code not in (0xC4, 0xC8, 0xCC)) or code == 0xF7:
            if pos + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height, None
        if code == 0xDA or length < 2:  # start of scan before any frame header
            return None
        pos += 2 + length
    return None
