"""De-identified metadata from a DICOM header: an allowlist plus keyed pseudonyms.

Only the attributes search needs are read (body part, view, laterality, modality,
manufacturer, age, sex, geometry); identifiers become keyed pseudonyms and dates are
shifted by the patient's offset. Names are read only to hand them, in memory, to the
report de-identifier so it can remove them from the linked report.

No header text is stored as written: coded attributes become terms of a closed vocabulary
(:mod:`bonesearch.deid.coded_values`), unknown values ``OTHER`` (or empty where no value
is the honest answer), and the attributes so mapped are listed in
:attr:`ImageMetadata.unmapped` for the ingest report. Numbers are range-checked.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

from bonesearch.deid import coded_values as coded
from bonesearch.deid.dates import is_shiftable
from bonesearch.deid.key import PseudonymKey
from bonesearch.deid.known_identity import KnownIdentity, usable_values

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
UNKNOWN_BODY_PART = "UNKNOWN"  # no BodyPartExamined and no body part named in the descriptions
MAX_PIXEL_SPACING_MM = 10.0  # a larger (or non-positive, or non-finite) spacing is a wrong header: dropped


@dataclass
class ImageMetadata:
    """What the store keeps of one image's header (nothing identifying, no header text as written).

    ``modality``, ``body_part``, ``view``, ``laterality``, ``manufacturer``, ``sex``,
    ``photometric`` and ``transfer_syntax`` are terms of closed vocabularies
    (:mod:`bonesearch.deid.coded_values`); ``unmapped`` names the attributes whose value was
    present but not recognised (stored as ``OTHER``, ``OT`` or empty), for the ingest report.
    """

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
    unmapped: list[str] = field(default_factory=list)  # attribute keywords, never their values
    # in memory only, never stored: the real patient id (date-shift key) and the names
    # that the linked report must not contain
    patient_key: str = field(repr=False, default="")
    names: list[str] = field(repr=False, default_factory=list)
    patient_names: list[str] = field(repr=False, default_factory=list)
    known: KnownIdentity = field(repr=False, default_factory=KnownIdentity)  # for the linked report only


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


#: the header values a linked report must not reveal, by :class:`KnownIdentity` field
KNOWN_ATTRIBUTES = {
    "patient": ("PatientName", "OtherPatientNames", "PatientBirthName", "PatientMotherBirthName"),
    "ids": ("PatientID", "OtherPatientIDs", "AccessionNumber", "IssuerOfPatientID"),
    "staff": NAME_ATTRIBUTES[1:],
    "institution": ("InstitutionName", "InstitutionalDepartmentName"),
    "address": ("InstitutionAddress",),
}


def _values(ds: Dataset, keywords: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for keyword in keywords:
        try:
            value = ds.get(keyword)
        except Exception:  # a malformed element must not stop ingest: its value is then not known
            continue
        values = list(value) if isinstance(value, (MultiValue, list, tuple)) else [value]
        out += [str(v) for v in values if v is not None]
    return usable_values(out)


def header_identity(ds: Dataset) -> KnownIdentity:
    """What ``ds`` says about its patient, staff and institution, to find in the linked report (in memory
    only): names as written (caret form), the birth date, identifiers, the institution and its address."""
    birth = _parse_da(_text(ds, "PatientBirthDate"))
    return KnownIdentity(birth_date=birth if is_shiftable(birth) else None,
                         **{name: _values(ds, keywords) for name, keywords in KNOWN_ATTRIBUTES.items()})


def _body_part(ds: Dataset, unmapped: list[str]) -> str:
    """BodyPartExamined as a defined term; else a body part named in the descriptions; else UNKNOWN/OTHER."""
    raw = ds.get("BodyPartExamined")
    term = coded.body_part(raw)
    if term:
        return term
    present = coded.is_present(raw)
    if present:
        unmapped.append("BodyPartExamined")
    description = _text(ds, "StudyDescription") + " " + _text(ds, "SeriesDescription")
    return coded.body_part_from_text(description) or (coded.OTHER if present else UNKNOWN_BODY_PART)


def _coded(ds: Dataset, keyword: str, mapper: Callable[[object], str | None], unknown: str, unmapped: list[str],
           value: object = None) -> str:
    """``mapper`` applied to the attribute ``keyword`` (or ``value``); ``unknown`` and a note when it fails."""
    raw = ds.get(keyword) if value is None else value
    term = mapper(raw)
    if term is not None:
        return term
    if coded.is_present(raw):
        unmapped.append(keyword)
    return unknown


def _laterality(ds: Dataset, unmapped: list[str]) -> str:
    """ImageLaterality, else (series) Laterality: R, L, B or ''."""
    for keyword in ("ImageLaterality", "Laterality"):
        side = _coded(ds, keyword, coded.laterality, "", unmapped)
        if side:
            return side
    return ""


def _pixel_spacing(ds: Dataset) -> float | None:
    """Row spacing in mm from PixelSpacing or ImagerPixelSpacing, when it is a plausible number."""
    try:
        spacing = ds.get("PixelSpacing") or ds.get("ImagerPixelSpacing")
        value = float(spacing[0]) if spacing else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if value is None or not math.isfinite(value) or not 0 < value <= MAX_PIXEL_SPACING_MM:
        return None
    return value


def _count(value: object, high: int) -> int | None:
    """An integer attribute in [0, high], else None."""
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 <= number <= high else None


def extract_metadata(ds: Dataset, key: PseudonymKey) -> ImageMetadata:
    """The de-identified metadata of ``ds`` (pseudonymised ids, shifted dates)."""
    patient_key = _text(ds, "PatientID") or _text(ds, "PatientName") or _text(ds, "StudyInstanceUID")
    raw_date = _parse_da(_text(ds, "StudyDate")) or _parse_da(_text(ds, "SeriesDate")) or _parse_da(_text(ds, "ContentDate"))
    accession = _text(ds, "AccessionNumber")
    syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
    unmapped: list[str] = []
    body_part = _body_part(ds, unmapped)
    return ImageMetadata(
        patient_pseudo=key.pseudonym("patient", patient_key),
        study_uid=key.uid(_text(ds, "StudyInstanceUID") or f"no-study:{patient_key}:{raw_date}"),
        series_uid=key.uid(_text(ds, "SeriesInstanceUID") or _text(ds, "StudyInstanceUID")),
        sop_uid=key.uid(_text(ds, "SOPInstanceUID")),
        accession_pseudo=key.pseudonym("accession", accession) if accession else None,
        study_date=key.shift_date(patient_key, raw_date) if raw_date else None,
        modality=_coded(ds, "Modality", coded.modality, "OT", unmapped),
        body_part=body_part,
        view=_coded(ds, "ViewPosition", coded.view, coded.OTHER, unmapped),
        laterality=_laterality(ds, unmapped),
        manufacturer=_coded(ds, "Manufacturer", coded.manufacturer, coded.OTHER, unmapped),
        age_months=_age_months(ds, raw_date if is_shiftable(raw_date) else None),  # not from a 9999 placeholder
        sex=_coded(ds, "PatientSex", coded.sex, "", unmapped),
        rows=_count(ds.get("Rows", 0) or 0, 0xFFFF) or 0,
        cols=_count(ds.get("Columns", 0) or 0, 0xFFFF) or 0,
        pixel_spacing_mm=_pixel_spacing(ds),
        photometric=_coded(ds, "PhotometricInterpretation", coded.photometric, coded.OTHER, unmapped),
        transfer_syntax=_coded(ds, "TransferSyntaxUID", coded.transfer_syntax, coded.OTHER, unmapped, syntax or ""),
        bits_stored=_count(ds.get("BitsStored"), 64),
        burned_in_annotation=_text(ds, "BurnedInAnnotation").upper() == "YES",
        unmapped=unmapped,
        patient_key=patient_key,
        names=person_names(ds),
        patient_names=person_names(ds, ("PatientName",)),
        known=header_identity(ds),
    )
