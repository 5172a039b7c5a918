"""Reading DICOM files and turning their pixels into display-ready greyscale images.

Decoding is pydicom 3 with the pylibjpeg plugins (JPEG, JPEG-LS, JPEG 2000, RLE);
the LUT pipeline is pydicom's: modality LUT/rescale, then the VOI LUT or window when the
file has one (else a robust percentile window), then MONOCHROME1 inversion so that bone
is always bright. Nothing here looks at identifying attributes.
"""

from __future__ import annotations

import functools
import logging
import warnings
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.pixels import apply_modality_lut, apply_voi_lut

from bonesearch.errors import InvalidDicom

GREYSCALE = ("MONOCHROME1", "MONOCHROME2")
COLOUR = ("RGB", "YBR_FULL", "YBR_FULL_422", "YBR_RCT", "YBR_ICT", "PALETTE COLOR")


def read_header(path: Path, label: str | None = None) -> Dataset:
    """Read a DICOM file's header (no pixel data). ``label`` names the file in errors."""
    return _read(path, label or str(path), stop_before_pixels=True)


def read_dataset(path: Path, label: str | None = None) -> Dataset:
    """Read a whole DICOM file; raise :class:`InvalidDicom` when it is not usable."""
    return _read(path, label or str(path), stop_before_pixels=False)


@functools.cache
def quiet_pydicom() -> None:
    """Silence pydicom's warnings and log lines: they quote file paths, which may hold patient ids.

    Runs once per process (cached): every read calls it, so worker processes are covered too.
    """
    logging.getLogger("pydicom").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", module=r"pydicom(\.|$)")


def _read(path: Path, label: str, stop_before_pixels: bool) -> Dataset:
    quiet_pydicom()
    try:
        ds = pydicom.dcmread(path, stop_before_pixels=stop_before_pixels)
    except InvalidDicomError:
        raise InvalidDicom(f"{label} is not a DICOM file (no DICM preamble); skipped") from None
    except Exception as exc:  # truncated or malformed files raise many things inside pydicom
        raise InvalidDicom(f"{label} could not be parsed as DICOM ({type(exc).__name__}); skipped") from None
    if not stop_before_pixels and "PixelData" not in ds:
        raise InvalidDicom(f"{label} has no PixelData (a report, SR or presentation state?); skipped")
    return ds


def decode_greyscale(ds: Dataset, label: str, min_size: int | None = None) -> np.ndarray:
    """Return the first frame as float32 in [0, 1], bone bright, whatever the encoding.

    Applies the modality LUT (rescale), the VOI LUT or window centre/width when present
    (otherwise a 0.5–99.5 percentile window), and inverts MONOCHROME1. Colour images
    (secondary captures) are converted to luminance. With ``min_size``, a JPEG 2000 image
    may be decoded at a reduced resolution level whose longest side is still ≥ ``min_size``
    (see :func:`bonesearch.jpeg2000.decode_reduced`): several times faster for a small cache.
    """
    from bonesearch.jpeg2000 import decode_reduced

    photometric = str(ds.get("PhotometricInterpretation", "")).strip().upper()
    reduced = decode_reduced(ds, min_size) if min_size else None
    if reduced is not None:
        return _greyscale_pipeline(reduced, ds)
    try:
        arr = ds.pixel_array
    except Exception as exc:
        syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
        name = getattr(syntax, "name", syntax)
        raise InvalidDicom(
            f"{label}: pixel data could not be decoded (transfer syntax {name}: {type(exc).__name__}); "
            f"install the pylibjpeg plugins if it is compressed; skipped"
        ) from None

    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if photometric in GREYSCALE:
        if frames > 1:
            arr = arr[0]
        image = _greyscale_pipeline(arr, ds)
    elif photometric in COLOUR or arr.ndim == 3 and arr.shape[-1] == 3:
        if frames > 1:
            arr = arr[0]
        rgb = arr.astype(np.float32)
        image = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
        image = _normalise(image, image.min(), image.max())
    else:
        raise InvalidDicom(f"{label}: photometric interpretation {photometric!r} is not supported; skipped")
    if image.ndim != 2 or min(image.shape) < 8:
        raise InvalidDicom(f"{label}: image of shape {image.shape} is too small or not 2-D; skipped")
    return image


def _greyscale_pipeline(arr: np.ndarray, ds: Dataset) -> np.ndarray:
    values = apply_modality_lut(arr, ds)
    has_voi = "VOILUTSequence" in ds or ("WindowCenter" in ds and "WindowWidth" in ds)
    if has_voi:
        if "VOILUTSequence" in ds and values.dtype.kind == "f":
            values = np.rint(values).astype(np.int64)  # LUT lookups index by integer value
        values = apply_voi_lut(values, ds, prefer_lut=True).astype(np.float32)
        low, high = float(values.min()), float(values.max())
    else:
        low, high = (float(v) for v in np.percentile(values[::4, ::4], [0.5, 99.5]))
    image = _normalise(values, low, high)
    if str(ds.get("PhotometricInterpretation", "")).upper() == "MONOCHROME1":
        image = 1.0 - image
    return image


def _normalise(values: np.ndarray, low: float, high: float) -> np.ndarray:
    if high <= low:
        return np.zeros(values.shape, dtype=np.float32)
    return np.clip((values - low) / (high - low), 0.0, 1.0).astype(np.float32)
