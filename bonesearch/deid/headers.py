"""De-identified metadata from a DICOM header: an allowlist plus keyed pseudonyms.

Only the attributes search needs are read (body part, view, laterality, modality,
manufacturer, age, sex, geometry); identifiers become keyed pseudonyms and dates are
shifted by the patient's offset. Names are read only to hand them, in memory, to the
report de-identifier so it can remove them from the linked report.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

from bonesearch.deid.key import PseudonymKey

MAX_AGE_MONTHS = 90 * 12  # ages above 89 are grouped (they identify)
NAME_ATTRIBUTES = (
    "PatientName",
    "ReferringPhysicianName",
    "PerformingPhysicianName",
    "OperatorsName",
    "NameOfPhysiciansReadingStudy",
    "PhysiciansOfRecord",
    "RequestingPhysician",
)
BODY_PARTS_FROM_DESCRIPTION = {
    "POIGNET": "WRIST", "MAIN": "HAND", "COUDE": "ELBOW", "EPAULE": "SHOULDER", "ÉPAULE": "SHOULDER",
    "HANCHE": "HIP", "GENOU": "KNEE", "CHEVILLE": "ANKLE", "PIED": "FOOT", "AVANT-BRAS": "FOREARM",
    "JAMBE": "LEG", "BASSIN": "PELVIS", "RACHIS": "SPINE",
}


@dataclass
class ImageMetadata:
    """What the store keeps of one image's header (nothing identifying)."""

    patient_pseudo: str
    study_uid: str
    series_uid: str
    sop_uid: str
    accession_pseudo: str | None
    study_date: dt.date | None
    modality: str
    body_part: str
    view: str
    laterality: str
    manufacturer: str
    age_months: int | None
    sex: str
    rows: int
    cols: int
    pixel_spacing_mm: float | None
    photometric: str
    transfer_syntax: str
    bits_stored: int | None
    burned_in_annotation: bool
    # in memory only, never stored: the real patient id (date-shift key) and the names
    # that the linked report must not contain
    patient_key: str = field(repr=False, default="")
    names: list[str] = field(repr=False, default_factory=list)
    patient_names: list[str] = field(repr=False, default_factory=list)


def _text(ds: Dataset, keyword: str) -> str:
    value = ds.get(keyword, "")
    return str(value).strip() if value is not None else ""


def _parse_da(value: str) -> dt.date | None:
    value = value.strip()
    if re.fullmatch(r"\d{8}", value):
        try:
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            return None
    return None


def _age_months(ds: Dataset, study_date: dt.date | None) -> int | None:
    birth = _parse_da(_text(ds, "PatientBirthDate"))
    if birth and study_date:
        months = (study_date.year - birth.year) * 12 + (study_date.month - birth.month)
        months -= study_date.day < birth.day
        age = months if months >= 0 else None
    else:
        match = re.fullmatch(r"(\d{3})([DWMY])", _text(ds, "PatientAge"))
        if not match:
            return None
        n, unit = int(match.group(1)), match.group(2)
        age = {"D": n // 30, "W": n * 7 // 30, "M": n, "Y": n * 12}[unit]
    return min(age, MAX_AGE_MONTHS) if age is not None else None


def person_names(ds: Dataset, keywords: tuple[str, ...] = NAME_ATTRIBUTES) -> list[str]:
    """Every name component found in the given person-name attributes (for report scrubbing)."""
    names: list[str] = []
    for keyword in keywords:
        values = ds.get(keyword)
        if values is None:
            continue
        values = list(values) if isinstance(values, (MultiValue, list, tuple)) else [values]
        for value in values:
            for part in re.split(r"[\^=]", str(value)):
                part = part.strip()
                if len(part) >= 2 and part.upper() not in {"DR", "PR", "MR", "MME", "M"}:
                    names.append(part)
    # private blocks often repeat the patient's name: never read them, but the names above suffice
    return sorted(set(names))


def _body_part(ds: Dataset) -> str:
    body_part = _text(ds, "BodyPartExamined").upper()
    if body_part:
        return body_part
    description = (_text(ds, "StudyDescription") + " " + _text(ds, "SeriesDescription")).upper()
    for word, code in BODY_PARTS_FROM_DESCRIPTION.items():
        if word in description:
            return code
    return "UNKNOWN"


def extract_metadata(ds: Dataset, key: PseudonymKey) -> ImageMetadata:
    """The de-identified metadata of ``ds`` (pseudonymised ids, shifted dates)."""
    patient_key = _text(ds, "PatientID") or _text(ds, "PatientName") or _text(ds, "StudyInstanceUID")
    raw_date = _parse_da(_text(ds, "StudyDate")) or _parse_da(_text(ds, "SeriesDate")) or _parse_da(_text(ds, "ContentDate"))
    accession = _text(ds, "AccessionNumber")
    spacing = ds.get("PixelSpacing") or ds.get("ImagerPixelSpacing")
    try:
        spacing_mm = float(spacing[0]) if spacing else None
    except (TypeError, ValueError, IndexError):
        spacing_mm = None
    bits = ds.get("BitsStored")
    syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
    laterality = _text(ds, "ImageLaterality") or _text(ds, "Laterality")
    return ImageMetadata(
        patient_pseudo=key.pseudonym("patient", patient_key),
        study_uid=key.uid(_text(ds, "StudyInstanceUID") or f"no-study:{patient_key}:{raw_date}"),
        series_uid=key.uid(_text(ds, "SeriesInstanceUID") or _text(ds, "StudyInstanceUID")),
        sop_uid=key.uid(_text(ds, "SOPInstanceUID")),
        accession_pseudo=key.pseudonym("accession", accession) if accession else None,
        study_date=key.shift_date(patient_key, raw_date) if raw_date else None,
        modality=_text(ds, "Modality").upper() or "OT",
        body_part=_body_part(ds),
        view=_text(ds, "ViewPosition").upper(),
        laterality=laterality.upper() if laterality.upper() in ("L", "R", "B") else "",
        manufacturer=_text(ds, "Manufacturer")[:64],
        age_months=_age_months(ds, raw_date),
        sex=_text(ds, "PatientSex").upper() if _text(ds, "PatientSex").upper() in ("M", "F", "O") else "",
        rows=int(ds.get("Rows", 0) or 0),
        cols=int(ds.get("Columns", 0) or 0),
        pixel_spacing_mm=spacing_mm,
        photometric=_text(ds, "PhotometricInterpretation").upper(),
        transfer_syntax=str(syntax) if syntax else "",
        bits_stored=int(bits) if bits is not None else None,
        burned_in_annotation=_text(ds, "BurnedInAnnotation").upper() == "YES",
        patient_key=patient_key,
        names=person_names(ds),
        patient_names=person_names(ds, ("PatientName",)),
    )
