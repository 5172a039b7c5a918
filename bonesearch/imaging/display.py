"""Stored pixel values → display values, bone bright, whatever the header says.

The LUT maths is pydicom's (``apply_modality_lut``, ``apply_voi_lut``), run on a *checked
copy* of the header's LUT attributes (:func:`lut_header`) rather than on the header itself:
a hostile-but-valid header (RescaleSlope 0, NaN or 1e308; WindowWidth NaN, infinite or
≤ 0; BitsStored 0; a VOI or modality LUT shorter than its descriptor; an unknown
VOILUTFunction) would otherwise give an all-black or NaN image, or an exception. Each
unusable part is dropped and the display falls back, in this order:

1. the header's modality LUT/rescale and VOI LUT/window, as pydicom applies them;
2. if that shows a flat image (or the VOI was unusable): the modality values' own range
   (0.5–99.5 percentiles, else min–max);
3. if still flat (or the modality LUT/rescale was unusable): the stored values' own range;
4. if still flat, the image is blank: :class:`~bonesearch.errors.BlankImage`, skipped.

A window or LUT is never *replaced* when it is usable and shows the image: fallbacks only
change what would have been a blank decode or an error.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.pixels import apply_modality_lut, apply_voi_lut
from pydicom.uid import UID

from bonesearch.errors import BlankImage

MAX_TABLE_BITS = 16  # LUTs as a table up to 65,536 stored values; wider data take the float path
MAX_MAGNITUDE = 1e30  # rescaled values or window bounds beyond this are not a real image's (float32 tops at 3e38)
FLAT = 6.0 / 255.0  # a display spanning fewer grey levels than this shows nothing: its window is not used
VOI_FUNCTIONS = ("LINEAR", "LINEAR_EXACT", "SIGMOID")
SAMPLE_SIDE = 512  # the flatness and percentile checks look at about this many pixels a side


def display_greyscale(stored: np.ndarray, ds: Dataset, as_uint8: bool = False, label: str = "image") -> np.ndarray:
    """Stored values → float32 display values in [0, 1] (or uint8), bone bright (modality LUT, VOI, MONOCHROME1).

    Integer data of ≤ 16 bits go through a table computed over every possible stored value,
    so the window's output range (not this image's extremes) sets the grey scale; with
    ``as_uint8`` the table itself is uint8, so no float image is ever made. Unusable LUT
    attributes fall back as the module docstring says; a blank image raises
    :class:`BlankImage` naming ``label``.
    """
    inverted = str(ds.get("PhotometricInterpretation", "")).strip().upper() == "MONOCHROME1"
    sample = _sample(stored)
    for header in _fallbacks(lut_header(ds, stored.dtype)):
        if stored.dtype.kind in "ui" and stored.dtype.itemsize <= 2:
            first, lut = _display_table(sample, header)
            shown = lut[np.clip(sample, first, first + len(lut) - 1).astype(np.int64) - first]
        else:
            first, lut = 0, None
            shown = _display_float(stored, header)
        if _span(shown) >= FLAT:
            break
    else:
        raise BlankImage(f"{label}: the decoded image is blank (one grey level, whatever the window); skipped")
    if lut is None:
        image = 1.0 - shown if inverted else shown
        return np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8) if as_uint8 else image
    if inverted:
        lut = 1.0 - lut
    if as_uint8:
        lut = np.clip(lut * 255.0 + 0.5, 0, 255).astype(np.uint8)
    index = np.clip(stored, first, first + len(lut) - 1)
    return lut[index.astype(np.int32) - first] if first else lut[index]


def _sample(image: np.ndarray) -> np.ndarray:
    """About SAMPLE_SIDE² pixels of ``image``, evenly strided (a view, no copy)."""
    return image[:: max(1, image.shape[0] // SAMPLE_SIDE), :: max(1, image.shape[1] // SAMPLE_SIDE)]


def _span(shown: np.ndarray) -> float:
    return float(shown.max()) - float(shown.min()) if shown.size else 0.0


def _fallbacks(header: Dataset) -> Iterator[Dataset]:
    """The header as checked, then without its VOI, then without its modality LUT/rescale too."""
    yield header
    if _has_voi(header):
        header = _without(header, "VOILUTSequence", "WindowCenter", "WindowWidth", "VOILUTFunction")
        yield header
    if _has_modality(header):
        yield _without(header, "ModalityLUTSequence", "RescaleSlope", "RescaleIntercept")


def _without(header: Dataset, *keywords: str) -> Dataset:
    copy = Dataset()
    for element in header:
        if element.keyword not in keywords:
            copy.add(element)
    return copy


# ---- the checked header ---------------------------------------------------------------------------------


def lut_header(ds: Dataset, dtype: np.dtype) -> Dataset:
    """A new dataset with the LUT attributes of ``ds`` that are usable, as numbers pydicom can apply.

    Unusable parts are left out: a bit depth outside 1…BitsAllocated becomes the data's own;
    a rescale or modality LUT that is not finite, zero or malformed is dropped *with* the VOI
    (a window is in modality units); a malformed VOI LUT or window is dropped alone.
    """
    header = Dataset()
    header.PhotometricInterpretation = str(ds.get("PhotometricInterpretation", "MONOCHROME2")).strip().upper()
    width = 8 * dtype.itemsize
    allocated = _int(ds, "BitsAllocated")
    allocated = allocated if allocated and 1 <= allocated <= width else width
    bits = _int(ds, "BitsStored")
    header.BitsStored = bits if bits and 1 <= bits <= allocated else allocated
    header.PixelRepresentation = 1 if dtype.kind == "i" else 0
    little = _little_endian(ds)
    modality_lut = _lut_item(ds, "ModalityLUTSequence", (8, 16), little)
    rescale = _rescale(ds, header.BitsStored)
    if modality_lut is False or rescale is False:
        return header  # the modality values are unknown: no VOI either, the data's range will be shown
    if modality_lut is not None:
        header.ModalityLUTSequence = [modality_lut]
    elif rescale is not None:
        header.RescaleSlope, header.RescaleIntercept = rescale
    voi_lut = _lut_item(ds, "VOILUTSequence", (8, *range(10, 17)), little)
    if voi_lut:
        header.VOILUTSequence = [voi_lut]
    window = _window(ds)
    if window is not None:
        header.WindowCenter, header.WindowWidth, header.VOILUTFunction = window
    return header


def _number(ds: Dataset, keyword: str) -> float | None:
    """The first value of a numeric attribute as a float; None when absent or unreadable."""
    try:
        value = ds.get(keyword)
        if value is None or value == "":
            return None
        if isinstance(value, (list, tuple, MultiValue)):
            value = value[0]
        return float(value)
    except (TypeError, ValueError, IndexError, OverflowError, KeyError):
        return None


def _int(ds: Dataset, keyword: str) -> int | None:
    value = _number(ds, keyword)
    return int(value) if value is not None and math.isfinite(value) else None


def _finite(*values: float | None) -> bool:
    return all(v is not None and math.isfinite(v) and abs(v) < MAX_MAGNITUDE for v in values)


def _rescale(ds: Dataset, bits: int) -> tuple[float, float] | None | bool:
    """(slope, intercept) when usable, None when absent (pydicom needs both), False when unusable."""
    if "RescaleSlope" not in ds or "RescaleIntercept" not in ds:
        return None
    slope, intercept = _number(ds, "RescaleSlope"), _number(ds, "RescaleIntercept")
    if not _finite(slope, intercept) or slope == 0:
        return False
    if abs(slope) * 2.0**bits + abs(intercept) >= MAX_MAGNITUDE:  # type: ignore[operator]
        return False
    return float(slope), float(intercept)  # type: ignore[arg-type]


def _window(ds: Dataset) -> tuple[float, float, str] | None:
    """(centre, width, function) of the first window when usable (pydicom's rules), else None."""
    if "WindowCenter" not in ds or "WindowWidth" not in ds:
        return None
    centre, width = _number(ds, "WindowCenter"), _number(ds, "WindowWidth")
    function = str(ds.get("VOILUTFunction", "") or "LINEAR").strip().upper()
    function = function if function in VOI_FUNCTIONS else "LINEAR"
    if not _finite(centre, width) or width <= 0 or (function == "LINEAR" and width < 1):  # type: ignore[operator]
        return None
    return float(centre), float(width), function  # type: ignore[arg-type]


def _little_endian(ds: Dataset) -> bool:
    syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
    try:
        if syntax is not None and UID(str(syntax)).is_transfer_syntax:
            return bool(UID(str(syntax)).is_little_endian)
    except (ValueError, AttributeError):
        pass
    encoding = getattr(ds, "original_encoding", (None, None))
    return encoding[1] is not False


def _lut_item(ds: Dataset, keyword: str, depths: tuple[int, ...], little: bool) -> Dataset | None | bool:
    """The first LUT of a sequence rebuilt with its data as a list of entries; None when absent, False when unusable.

    Unusable: a descriptor without three numbers, a bit depth outside ``depths``, or fewer
    entries than the descriptor announces (pydicom would index past the end).
    """
    try:
        items = ds.get(keyword)
        if not items:
            return None
        item = items[0]
        descriptor = [int(v) for v in item.LUTDescriptor]
        data = item["LUTData"]
        if len(descriptor) != 3 or descriptor[2] not in depths or data.value is None:
            return False
        entries = descriptor[0] or 1 << 16
        if isinstance(data.value, (bytes, bytearray)):
            values = np.frombuffer(data.value, dtype="<u2" if little else ">u2", count=len(data.value) // 2)
        else:
            values = np.atleast_1d(np.asarray(data.value, dtype=np.int64))
        values = values[:entries]
        if len(values) < entries or values.min() < 0 or values.max() >= 1 << (8 if descriptor[2] == 8 else 16):
            return False  # short, or entries pydicom cannot hold in the LUT's dtype
    except (AttributeError, KeyError, TypeError, ValueError, IndexError, OverflowError):
        return False
    rebuilt = Dataset()
    rebuilt.LUTDescriptor = descriptor
    rebuilt.add_new(0x00283006, "US", values.astype(np.int64).tolist())  # LUTData
    return rebuilt


# ---- the pipeline on a checked header -------------------------------------------------------------------


def _has_voi(header: Dataset) -> bool:
    return "VOILUTSequence" in header or ("WindowCenter" in header and "WindowWidth" in header)


def _has_modality(header: Dataset) -> bool:
    return "ModalityLUTSequence" in header or "RescaleSlope" in header


def _voi(values: np.ndarray, header: Dataset) -> np.ndarray:
    if "VOILUTSequence" in header and values.dtype.kind == "f":
        values = np.rint(values).astype(np.int64)  # LUT lookups index by integer value
    return apply_voi_lut(values, header, prefer_lut=True)


def _display_table(sample: np.ndarray, header: Dataset) -> tuple[int, np.ndarray]:
    """(first stored value, float32 table) mapping every stored value to its display value."""
    bits = min(int(header.BitsStored), 8 * sample.dtype.itemsize, MAX_TABLE_BITS)
    signed = sample.dtype.kind == "i"
    first = -(1 << (bits - 1)) if signed else 0
    domain = np.arange(first, first + (1 << bits), dtype=np.int32)
    values = np.asarray(apply_modality_lut(domain, header), dtype=np.float64)
    if _has_voi(header):
        out = np.asarray(_voi(values, header), dtype=np.float64)
        # the window's output range: probe far outside the data so that clipping shows its ends
        probe = np.asarray(_voi(np.array([values.min() - 1e6, values.max() + 1e6]), header), dtype=np.float64)
        low, high = min(out.min(), probe.min()), max(out.max(), probe.max())
    else:
        low, high = _data_range(values[np.clip(sample, first, first + len(values) - 1).astype(np.int64) - first])
        out = values
    return first, _normalise(out, low, high)


def _display_float(stored: np.ndarray, header: Dataset) -> np.ndarray:
    """The same pipeline on float or 32-bit data, with the image's own range."""
    values = np.asarray(apply_modality_lut(stored, header), dtype=np.float64)
    if _has_voi(header):
        values = _voi(values, header)
        low, high = float(values.min()), float(values.max())
    else:
        low, high = _data_range(_sample(values))
    return _normalise(values, low, high)


def _data_range(values: np.ndarray) -> tuple[float, float]:
    """The 0.5–99.5 percentile window of ``values``; their min–max when that is flat (a mostly uniform image)."""
    low, high = (float(v) for v in np.percentile(values, [0.5, 99.5]))
    if high <= low:
        low, high = float(values.min()), float(values.max())
    return low, high


def _normalise(values: np.ndarray, low: float, high: float) -> np.ndarray:
    if not high > low or not math.isfinite(high - low):
        return np.zeros(np.shape(values), dtype=np.float32)
    scaled = (np.asarray(values, dtype=np.float32) - np.float32(low)) / np.float32(high - low)
    return np.clip(scaled, 0.0, 1.0, out=scaled)
