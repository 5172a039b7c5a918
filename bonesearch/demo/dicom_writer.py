"""Write phantom radiographs as realistic DX/CR DICOM files (pydicom 3).

Covers what ingest must cope with: MONOCHROME1 (stored inverted) and MONOCHROME2,
BitsStored 12-16, optional Rescale Slope/Intercept, a VOI window, a VOI LUT Sequence or
neither, RLE / JPEG-LS / JPEG 2000 lossless compression, PHI in the usual header
attributes plus a private block holding the patient's name, and burned-in text.
UIDs are hashed from the archive seed and accession (:func:`make_uid`), never random.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (PYDICOM_IMPLEMENTATION_UID, UID, ExplicitVRLittleEndian, JPEG2000Lossless,
                         JPEGLSLossless, RLELossless)

DX_STORAGE = UID("1.2.840.10008.5.1.4.1.1.1.1")  # Digital X-Ray Image Storage - For Presentation
CR_STORAGE = UID("1.2.840.10008.5.1.4.1.1.1")  # Computed Radiography Image Storage
SYNTAXES = {"explicit": ExplicitVRLittleEndian, "rle": RLELossless, "jpegls": JPEGLSLossless,
            "j2k": JPEG2000Lossless}
PRIVATE_CREATOR = "BONESEARCH_DEMO_XR 1.0"


def make_uid(*parts: object) -> UID:
    """A deterministic UID in the 2.25 (UUID-derived) form, hashed from ``parts``."""
    digest = hashlib.sha256("\x1f".join(["bonesearch-demo", *map(str, parts)]).encode()).digest()
    return UID(f"2.25.{int.from_bytes(digest[:16], 'big')}")


@dataclass
class ImageHeader:
    """Everything the writer puts into one file besides the pixels."""

    patient_name: str  # FAMILY^Given
    patient_id: str
    birth_date: str  # YYYYMMDD
    sex: str
    age: str  # '067Y'
    private_name: str  # patient name as a modality's private block writes it
    institution: str
    institution_address: str
    referring: str  # FAMILY^Given
    performing: str
    operator: str
    accession: str
    study_uid: str
    series_uid: str
    sop_uid: str
    study_date: dt.date
    study_time: str  # HHMMSS
    study_description: str
    series_description: str
    series_number: int
    instance_number: int
    body_part: str  # DICOM BodyPartExamined
    laterality: str  # R, L, or '' (pelvis/spine)
    view: str  # AP PA LAT OBL
    modality: str  # DX or CR
    manufacturer: str
    model: str
    station: str
    pixel_spacing: float  # mm
    burned_in: bool | None  # BurnedInAnnotation YES / NO; None leaves the attribute out


@dataclass
class PixelFormat:
    """How the pixels are stored: bit depth, photometry, rescale, VOI and transfer syntax."""

    bits: int = 12
    photometric: str = "MONOCHROME2"
    rescale: tuple[float, float] | None = None  # (slope, intercept)
    voi: str = "window"  # window, lut or none
    syntax: str = "explicit"  # explicit, rle, jpegls, j2k
    lo: float = 0.02  # fraction of the range used by black
    hi: float = 0.97  # fraction of the range used by white


def quantize(img: np.ndarray, fmt: PixelFormat) -> np.ndarray:
    """Map a display image in [0, 1] (bone bright) to stored values (inverted for MONOCHROME1)."""
    maxval = (1 << fmt.bits) - 1
    v = fmt.lo * maxval + np.clip(img, 0.0, 1.0) * (fmt.hi - fmt.lo) * maxval
    out = np.rint(v).astype(np.uint16)
    if fmt.photometric == "MONOCHROME1":
        out = (maxval - out).astype(np.uint16)
    return out


def _voi(ds: Dataset, stored: np.ndarray, fmt: PixelFormat) -> None:
    slope, icpt = fmt.rescale or (1.0, 0.0)
    sample = stored[::4, ::4].astype(np.float64) * slope + icpt
    p1, p99 = np.percentile(sample, [1.0, 99.5])
    if fmt.voi == "window" or (fmt.voi == "lut" and (fmt.rescale is not None or fmt.bits > 14)):
        ds.WindowCenter = f"{(p1 + p99) / 2:.1f}"
        ds.WindowWidth = f"{max(p99 - p1, 2.0) * 1.05:.1f}"
        ds.VOILUTFunction = "LINEAR"
        ds.WindowCenterWidthExplanation = "NORMAL"
    elif fmt.voi == "lut":
        first, last = int(p1), int(np.ceil(p99))
        n = max(last - first + 1, 16)
        x = np.linspace(-4.0, 4.0, n)
        curve = 1.0 / (1.0 + np.exp(-x))
        curve = (curve - curve[0]) / (curve[-1] - curve[0])
        item = Dataset()
        item.LUTDescriptor = [n if n < 65536 else 0, first, 16]
        item.LUTExplanation = "SIGMOID BONE"
        item.add_new(0x00283006, "OW", np.rint(curve * 65535).astype("<u2").tobytes())
        ds.VOILUTSequence = [item]


def build_dataset(h: ImageHeader, stored: np.ndarray, fmt: PixelFormat) -> Dataset:
    """A complete DX/CR dataset with file meta, uncompressed (see :func:`write_dicom`)."""
    sop_class = DX_STORAGE if h.modality == "DX" else CR_STORAGE
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = h.sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    meta.ImplementationVersionName = "BONESEARCH_DEMO"
    ds = Dataset()
    ds.file_meta = meta
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = h.sop_uid
    d = h.study_date.strftime("%Y%m%d")
    t2 = f"{int(h.study_time[:2]):02d}{min(int(h.study_time[2:4]) + h.instance_number, 59):02d}{h.study_time[4:6]}"
    ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = d
    ds.StudyTime = h.study_time
    ds.SeriesTime = ds.AcquisitionTime = ds.ContentTime = t2
    ds.AccessionNumber = h.accession
    ds.Modality = h.modality
    if h.modality == "DX":
        ds.PresentationIntentType = "FOR PRESENTATION"
    ds.Manufacturer = h.manufacturer
    ds.InstitutionName = h.institution
    ds.InstitutionAddress = h.institution_address
    ds.ReferringPhysicianName = h.referring
    ds.StationName = h.station
    ds.StudyDescription = h.study_description
    ds.SeriesDescription = h.series_description
    ds.PerformingPhysicianName = h.performing
    ds.OperatorsName = h.operator
    ds.ManufacturerModelName = h.model
    ds.PatientName = h.patient_name
    ds.PatientID = h.patient_id
    ds.IssuerOfPatientID = "IPP"
    ds.PatientBirthDate = h.birth_date
    ds.PatientSex = h.sex
    ds.PatientAge = h.age
    ds.BodyPartExamined = h.body_part
    ds.ViewPosition = h.view
    ds.StudyInstanceUID = h.study_uid
    ds.SeriesInstanceUID = h.series_uid
    ds.StudyID = h.accession[-8:]
    ds.SeriesNumber = h.series_number
    ds.InstanceNumber = h.instance_number
    if h.laterality:
        if h.modality == "DX":
            ds.ImageLaterality = h.laterality
        else:
            ds.Laterality = h.laterality
    elif h.modality == "DX":
        ds.ImageLaterality = "U" if h.body_part.endswith("SPINE") else "B"
    if h.burned_in is not None:
        ds.BurnedInAnnotation = "YES" if h.burned_in else "NO"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = fmt.photometric
    ds.Rows, ds.Columns = int(stored.shape[0]), int(stored.shape[1])
    sp = [f"{h.pixel_spacing:.4f}", f"{h.pixel_spacing:.4f}"]
    if h.modality == "DX":
        ds.ImagerPixelSpacing = sp
    else:
        ds.PixelSpacing = sp
    ds.BitsAllocated = 16
    ds.BitsStored = fmt.bits
    ds.HighBit = fmt.bits - 1
    ds.PixelRepresentation = 0
    if fmt.rescale is not None:
        ds.RescaleIntercept = f"{fmt.rescale[1]:g}"
        ds.RescaleSlope = f"{fmt.rescale[0]:g}"
        ds.RescaleType = "US"
    if fmt.voi != "none":
        _voi(ds, stored, fmt)
    ds.LossyImageCompression = "00"
    block = ds.private_block(0x0019, PRIVATE_CREATOR, create=True)
    block.add_new(0x10, "LO", h.private_name)
    block.add_new(0x11, "LO", f"EXAM {h.accession}")
    block.add_new(0x12, "DS", f"{h.pixel_spacing:.4f}")
    ds.PixelData = np.ascontiguousarray(stored, dtype="<u2").tobytes()
    return ds


def write_dicom(path: Path, ds: Dataset, syntax: str = "explicit") -> None:
    """Compress ``ds`` with ``syntax`` (keeping its SOP Instance UID) and save it as a Part 10 file."""
    if syntax != "explicit":
        ds.compress(SYNTAXES[syntax], generate_instance_uid=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
