"""DICOM header de-identification: PS3.15 Basic Application Level Confidentiality Profile.

Options applied: *Retain Longitudinal Temporal Information with Modified Dates* (every
DA/DT moved by the patient's offset from the :class:`PseudonymKey`, the same offset the
report text uses) and *Retain Patient Characteristics* (sex, age capped at 90 years).

The engine is dicognito's element-handler chain (``dicognito`` 0.19): its handler classes
walk the dataset, sequences and file meta included, and are configured here with the
project's key rather than dicognito's own random state:

* UIDs (every UI that is not a class or transfer syntax UID) → ``key.uid(original)``,
  so Study/Series/SOP Instance UIDs equal what :func:`extract_metadata` stores in DuckDB;
* PatientID / AccessionNumber → the key's pseudonyms (as in DuckDB); PatientName → the
  patient pseudonym; every other person name → empty; PatientBirthDate → empty;
* the other identifiers dicognito knows (StudyID, StationName, RequestedProcedureID…) →
  dicognito's keyed replacement values (seeded from our key, so stable across runs);
* DA/DT → shifted by whole days with dicognito's ``DateTimeAnonymizer`` (times unchanged);
* private tags, overlay/curve groups, icon images, original/encrypted attribute
  sequences and digital signatures → removed;
* every other free-text value (LO, SH, LT, ST, UT, UC, UR, AE) → emptied unless it is a
  technical or coded value listed in :data:`KEEP_TEXT` (fail-closed: an attribute this
  module has never heard of loses its text), UN values → removed;
* the coded attributes the store also keeps (BodyPartExamined, ViewPosition, laterality,
  PatientSex, Modality, Manufacturer) → the defined term :mod:`bonesearch.deid.coded_values`
  maps them to, or empty when unknown (a CS value can hold a planted name as well as a code);
  RescaleType / ModalityLUTType → kept only when a defined term.

Pixels are never touched: ``BurnedInAnnotation`` is kept for the ingest policy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from dicognito.datetimeanonymizer import DateTimeAnonymizer
from dicognito.element_anonymizer import ElementAnonymizer
from dicognito.idanonymizer import IDAnonymizer
from dicognito.randomizer import Randomizer
from dicognito.unwantedelements import UnwantedElementsStripper
from pydicom.config import disable_value_validation
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.datadict import dictionary_VR, keyword_dict, keyword_for_tag
from pydicom.multival import MultiValue
from pydicom.sr.codedict import codes

from bonesearch.deid import coded_values as coded
from bonesearch.deid.headers import ImageMetadata, extract_metadata
from bonesearch.deid.dates import is_shiftable
from bonesearch.deid.key import PseudonymKey
from bonesearch.errors import DicomExportError

# DeidentificationMethod (LO, ≤ 64 characters a value, multi-valued)
METHOD_TEXT = ("bonesearch PS3.15 Basic Application Confidentiality Profile",
               "Retain Longitudinal Temporal Information Modified Dates Option",
               "Retain Patient Characteristics Option (sex, age capped at 90)")
METHOD_CODES = (
    codes.DCM.BasicApplicationConfidentialityProfile,  # 113100
    codes.DCM.RetainLongitudinalTemporalInformationModifiedDatesOption,  # 113107
    codes.DCM.RetainPatientCharacteristicsOption,  # 113108 (sex, capped age)
)
# Free-text attributes that stay as written: our own values only. The model name and the
# window/LUT/spacing explanations are free text typed on site: they are emptied with the rest.
KEEP_TEXT = frozenset({
    "DeidentificationMethod", "ImplementationVersionName",
    "PatientID", "AccessionNumber",  # already our pseudonyms when the fallback sees them
})
RESCALE_TYPES = frozenset({"OD", "HU", "US", "MGML", "Z_EFF", "ED", "EDW", "HU_MOD", "PCT"})  # PS3.3 C.11.1.1.2


def _rescale_type(value: object) -> str:
    term = coded.clean(value).replace(" ", "_")
    return term if term in RESCALE_TYPES else ""


# Text attributes (LO) that hold a known term: rewritten to that term, wherever they are, else emptied.
CODED_TEXT: dict[str, Callable[[object], str]] = {
    "Manufacturer": lambda v: coded.manufacturer(v) or "",  # not in the profile's table: device type, not identity
    "RescaleType": _rescale_type,
    "ModalityLUTType": _rescale_type,
}
# Code items keep their text only when the coding scheme is a standard one (a local scheme's
# "code meaning" is free text typed at the hospital: a name, a ward, a procedure label).
CODE_TEXT = frozenset({"CodeValue", "CodingSchemeDesignator", "CodingSchemeVersion", "CodeMeaning",
                       "LongCodeValue", "URNCodeValue", "ContextIdentifier", "MappingResource"})
STANDARD_SCHEMES = frozenset({"DCM", "SCT", "SRT", "LN", "UCUM", "FMA", "RADLEX", "NCIT", "UMLS", "ICD10",
                              "I10", "ICD10CM", "I10C", "ACR", "MDC", "SNM3", "99SDM"})
# Binary values kept: pixels, LUTs, colour profile and file meta version; any other OB/OW… is removed.
KEEP_BINARY = frozenset({
    "PixelData", "FloatPixelData", "DoubleFloatPixelData", "ExtendedOffsetTable", "ExtendedOffsetTableLengths",
    "LUTData", "RedPaletteColorLookupTableData", "GreenPaletteColorLookupTableData",
    "BluePaletteColorLookupTableData", "AlphaPaletteColorLookupTableData", "ICCProfile",
    "FileMetaInformationVersion",
})
TEXT_VRS = frozenset({"LO", "SH", "LT", "ST", "UT", "UC", "UR", "AE"})
# Non-text attributes the profile removes (X) that no VR rule catches.
REMOVED = (
    "OriginalAttributesSequence", "ModifiedAttributesSequence", "EncryptedAttributesSequence",
    "DigitalSignaturesSequence", "MACParametersSequence", "IconImageSequence", "EncapsulatedDocument",
    "ReferencedPatientPhotoSequence", "PatientTelecomInformation", "OtherPatientIDsSequence",
    "ReferencedPatientSequence", "IssuerOfPatientID", "PatientBirthTime",
)
# dicognito's identifier list, less the two that must carry our pseudonyms.
DICOGNITO_IDS = (
    "OtherPatientIDs", "FillerOrderNumberImagingServiceRequest", "FillerOrderNumberProcedure",
    "PerformedProcedureStepID", "PlacerOrderNumberImagingServiceRequest", "PlacerOrderNumberProcedure",
    "RequestedProcedureID", "ScheduledProcedureStepID", "StationName", "StudyID",
)
MAX_AGE_YEARS = 90
_PIXEL_GROUPS = (0x5000, 0x6000)  # curves and overlays (repeating groups 50xx, 60xx): removed
_CONVERT_VRS = frozenset({"UI", "PN", "DA", "DT", "SQ", "UN"})  # VRs some rule always looks at
_KEEP_TEXT_TAGS = frozenset(keyword_dict[k] for k in KEEP_TEXT if k not in ("PatientID", "AccessionNumber"))
_BINARY_VRS = frozenset({"OB", "OD", "OF", "OL", "OV", "OW", "OB or OW", "US or OW"})
_KEEP_BINARY_TAGS = frozenset(keyword_dict[k] for k in KEEP_BINARY)
_IDENTITY_KEYWORDS = ("PatientID", "PatientName", "AccessionNumber", "PatientBirthDate", "PatientAge")
_FIXED_UIDS = {"StudyInstanceUID": "study_uid", "SeriesInstanceUID": "series_uid", "SOPInstanceUID": "sop_uid"}


def _dictionary_vr(tag: int) -> str:
    """The VR of a public tag read with implicit VR ('UN' when the dictionary does not know it)."""
    try:
        return dictionary_VR(tag)
    except KeyError:
        return "UN"


def _age_string(months: int | None) -> str:
    """DICOM AS for an age in months, capped at 90 years ('090Y')."""
    if months is None:
        return ""
    if months >= 24:
        return f"{min(months // 12, MAX_AGE_YEARS):03d}Y"
    return f"{months:03d}M"


def _known_term(term: str) -> str:
    """A stored coded value as written into an export: unknown (OTHER/UNKNOWN) becomes empty."""
    return "" if term in (coded.OTHER, "UNKNOWN") else term


class _KeyedIdentity(ElementAnonymizer):
    """UIDs, patient identifiers and names, from the project's key and the stored metadata."""

    def __init__(self, key: PseudonymKey) -> None:
        self._key = key
        self._meta: ImageMetadata | None = None
        # tag -> what to write, read from the metadata of the dataset being walked
        self._actions: dict[int, Callable[[ImageMetadata], str]] = {
            keyword_dict["StudyInstanceUID"]: lambda m: m.study_uid,
            keyword_dict["SeriesInstanceUID"]: lambda m: m.series_uid,
            keyword_dict["SOPInstanceUID"]: lambda m: m.sop_uid,
            keyword_dict["MediaStorageSOPInstanceUID"]: lambda m: m.sop_uid,
            keyword_dict["PatientID"]: lambda m: m.patient_pseudo,
            keyword_dict["PatientName"]: lambda m: m.patient_pseudo,
            keyword_dict["AccessionNumber"]: lambda m: m.accession_pseudo or "",
            keyword_dict["PatientBirthDate"]: lambda m: "",
            keyword_dict["PatientAge"]: lambda m: _age_string(m.age_months),
        }
        self._kept_uids = {keyword_dict["TransferSyntaxUID"]}
        self._uid_cache: dict[str, str] = {}

    def start(self, meta: ImageMetadata) -> None:
        """Set the metadata of the dataset about to be walked."""
        self._meta = meta

    def _uid(self, value: str) -> str:
        new = self._uid_cache.get(value)
        if new is None:
            if len(self._uid_cache) > 4096:
                self._uid_cache.clear()
            new = self._uid_cache[value] = self._key.uid(value)
        return new

    def __call__(self, dataset: Dataset, data_element: DataElement) -> bool:
        meta = self._meta
        if meta is None:
            raise RuntimeError("_KeyedIdentity.start() must be called before walking a dataset")
        tag = data_element.tag
        action = self._actions.get(tag)
        if action is not None:
            data_element.value = action(meta)
            return True
        vr = data_element.VR
        if vr == "UI":
            value = data_element.value
            if value and tag not in self._kept_uids and not keyword_for_tag(tag).endswith("ClassUID"):
                data_element.value = ([self._uid(str(v)) for v in value] if isinstance(value, (list, MultiValue))
                                      else self._uid(str(value)))
            return True
        if vr == "PN":
            data_element.value = ""
            return True
        return False

    def describe_actions(self) -> Iterator[str]:
        yield "Replace UIDs (not class/transfer syntax UIDs) with key.uid(original), as stored in DuckDB"
        yield "Replace PatientID, AccessionNumber, PatientName with the key's pseudonyms; empty other names"
        yield "Empty PatientBirthDate; PatientAge from the birth date, capped at 090Y"


class _Gated(ElementAnonymizer):
    """A dicognito handler called only for its own tags (a set look-up instead of its list scan)."""

    def __init__(self, handler: ElementAnonymizer, keywords: tuple[str, ...]) -> None:
        self._handler = handler
        self._tags = frozenset(keyword_dict[k] for k in keywords)

    def __call__(self, dataset: Dataset, data_element: DataElement) -> bool:
        return data_element.tag in self._tags and self._handler(dataset, data_element)

    def describe_actions(self) -> Iterator[str]:
        return self._handler.describe_actions()


class _PatientDates(DateTimeAnonymizer):
    """dicognito's DA/DT shifter with the patient's offset (whole days); bad dates are emptied."""

    def __init__(self) -> None:
        super().__init__(offset_hours=0)

    def start(self, offset_days: int) -> None:
        """Set the offset of the patient whose dataset is about to be walked."""
        self.offset = dt.timedelta(days=offset_days)

    def _shift_datetime(self, datetime_value: str) -> str:
        """Shift one DA/DT value; a placeholder outside the plausible window (9999-12-31…) is refused, not
        shifted: its shifted form would tell anyone who guesses the placeholder the patient's offset."""
        day = dt.datetime.strptime(datetime_value[:8], "%Y%m%d").date()
        if not is_shiftable(day):
            raise ValueError("date outside the plausible window")
        return super()._shift_datetime(datetime_value)

    def __call__(self, dataset: Dataset, data_element: DataElement) -> bool:
        try:
            if data_element.VR == "DA" and "Date" not in data_element.keyword and data_element.value:
                # dicognito pairs a DA with the TM named like it; without "Date" in the name it
                # would pair the element with itself: shift it alone
                values = self._get_value_as_sequence(data_element)
                data_element.value = [self._shift_datetime(v.replace(".", "")) for v in values]
                return True
            return super().__call__(dataset, data_element)
        except (ValueError, TypeError, OverflowError):  # a malformed date: drop it rather than keep it
            data_element.value = ""
            time_keyword = data_element.keyword.replace("Date", "Time")
            if data_element.VR == "DA" and time_keyword in dataset:
                dataset[time_keyword].value = ""
            return True


class _TextFallback(ElementAnonymizer):
    """Fail-closed: free text not listed in KEEP_TEXT is emptied; UN values are removed."""

    def __call__(self, dataset: Dataset, data_element: DataElement) -> bool:
        vr = data_element.VR
        if vr == "UN":
            del dataset[data_element.tag]
            return True
        if vr not in TEXT_VRS or data_element.value in ("", None):
            return False
        keyword = data_element.keyword
        if keyword in KEEP_TEXT:
            return False
        if keyword in CODED_TEXT:
            data_element.value = CODED_TEXT[keyword](data_element.value)
            return True
        if keyword in CODE_TEXT and str(dataset.get("CodingSchemeDesignator", "")).upper() in STANDARD_SCHEMES:
            return False
        data_element.value = ""
        return True

    def describe_actions(self) -> Iterator[str]:
        yield f"Empty free text ({', '.join(sorted(TEXT_VRS))}) except {', '.join(sorted(KEEP_TEXT))}; remove UN"
        yield f"Rewrite {', '.join(sorted(CODED_TEXT))} to a known term (canonical vendor, defined term), else empty"
        yield f"Keep code items only from standard coding schemes ({', '.join(sorted(STANDARD_SCHEMES))})"


class HeaderDeidentifier:
    """De-identifies DICOM headers in place; build one per worker from the pseudonymisation key."""

    def __init__(self, key: PseudonymKey) -> None:
        self.key = key
        seed = hmac.new(key.salt, b"dicognito-seed", hashlib.sha256).hexdigest()
        self._identity = _KeyedIdentity(key)
        self._dates = _PatientDates()
        self._handlers: list[ElementAnonymizer] = [
            _Gated(UnwantedElementsStripper(*REMOVED), REMOVED),
            self._identity,
            _Gated(IDAnonymizer(Randomizer(seed), "", "", *DICOGNITO_IDS), DICOGNITO_IDS),
            self._dates,
            _TextFallback(),
        ]
        self._rule_tags = frozenset(keyword_dict[k] for k in (*REMOVED, *DICOGNITO_IDS, *_IDENTITY_KEYWORDS))

    def describe_actions(self) -> str:
        """What is done to every header, one action a line (for docs and audits)."""
        actions = ["Remove private tags and overlay/curve groups (50xx, 60xx)", "Remove GPS attributes",
                   f"Remove binary values except {', '.join(sorted(KEEP_BINARY))}"]
        actions += [a for h in self._handlers for a in h.describe_actions()]
        return "\n".join(f"* {a}" for a in actions)

    def _walk(self, dataset: Dataset) -> None:
        """Run the handler chain over ``dataset`` and its sequence items.

        Like :meth:`Dataset.walk`, but an element is converted from its raw bytes only when
        a rule may apply to it (pydicom's walk converts every lazily-read element, which
        was half of the cost): numbers, code strings, pixel data and kept text stay raw.
        """
        for tag in sorted(dataset.keys()):
            raw = dataset.get_item(tag)
            if tag.is_private or (tag.group & 0xFF00) in _PIXEL_GROUPS:
                del dataset[tag]
                continue
            vr = raw.VR or _dictionary_vr(tag)
            if (vr in _BINARY_VRS and tag not in _KEEP_BINARY_TAGS) or keyword_for_tag(tag).startswith("GPS"):
                del dataset[tag]  # binary blobs (signatures, maker notes…) and photo geolocation
                continue
            if tag not in self._rule_tags and vr not in _CONVERT_VRS:
                if vr not in TEXT_VRS or tag in _KEEP_TEXT_TAGS or getattr(raw, "length", 1) == 0:
                    continue
            element = dataset[tag]
            for handler in self._handlers:
                if handler(dataset, element):
                    break
            if element.VR == "SQ" and tag in dataset:
                for item in element.value:
                    self._walk(item)

    def deidentify(self, ds: Dataset, meta: ImageMetadata | None = None) -> ImageMetadata:
        """De-identify ``ds`` in place (headers only; PixelData untouched) and return its metadata.

        ``meta`` is what :func:`extract_metadata` returned for ``ds`` *before* this call
        (ingest has it already); it is computed here when omitted. The written UIDs,
        pseudonyms and shifted dates equal the ones in ``meta`` and in the store.
        """
        if meta is None:
            meta = extract_metadata(ds, self.key)
        self._identity.start(meta)
        self._dates.start(self.key.date_offset_days(meta.patient_key))
        file_meta = getattr(ds, "file_meta", None)
        with disable_value_validation():  # values written here are valid by construction (-17 % time)
            if file_meta is not None:
                self._walk(file_meta)
            self._walk(ds)
        required = {**{k: getattr(meta, f) for k, f in _FIXED_UIDS.items()},
                    "PatientID": meta.patient_pseudo, "PatientName": meta.patient_pseudo}
        for keyword, value in required.items():
            if keyword not in ds:  # missing in the source: write the values the store uses
                setattr(ds, keyword, value)
        if "PatientAge" not in ds and meta.age_months is not None:
            ds.PatientAge = _age_string(meta.age_months)  # the birth date is gone: keep the age
        self._write_coded(ds, meta)
        self._write_method(ds)
        return meta

    @staticmethod
    def _write_coded(ds: Dataset, meta: ImageMetadata) -> None:
        """Coded attributes as their defined terms (the store's values), empty when unknown; never as written."""
        known = _known_term
        if "BodyPartExamined" in ds or known(meta.body_part):
            ds.BodyPartExamined = known(meta.body_part)  # also when inferred from the (now emptied) descriptions
        if "ViewPosition" in ds:
            ds.ViewPosition = known(meta.view)
        for keyword in ("ImageLaterality", "Laterality"):
            if keyword in ds:  # each its own: U (unpaired) is a defined term here, only the store drops it
                value = ds[keyword].value
                ds[keyword].value = "U" if coded.clean(value) == "U" else coded.laterality(value) or ""
        if "PatientSex" in ds:
            ds.PatientSex = coded.sex(ds.PatientSex) or ""
        if "Modality" in ds:
            ds.Modality = meta.modality

    @staticmethod
    def _write_method(ds: Dataset) -> None:
        burned = str(ds.get("BurnedInAnnotation", "")).strip().upper() == "YES"
        ds.PatientIdentityRemoved = "NO" if burned else "YES"  # pixels may still show identity
        ds.DeidentificationMethod = list(METHOD_TEXT)
        items = []
        for code in METHOD_CODES:
            item = Dataset()
            item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = code.value, code.scheme_designator, code.meaning
            items.append(item)
        ds.DeidentificationMethodCodeSequence = items


def export_filename(ds: Dataset) -> str:
    """The file name of a de-identified export: its (pseudonymised) SOP Instance UID."""
    return f"{ds.SOPInstanceUID}.dcm"


def write_deidentified(ds: Dataset, out_dir: Path) -> Path:
    """Write an already de-identified ``ds`` into ``out_dir`` atomically (temp file + rename).

    The name comes from the SOP Instance UID pseudonym only, never from the source path.
    Raises :class:`DicomExportError` when the dataset was not de-identified or cannot be written.
    """
    if str(ds.get("PatientIdentityRemoved", "")).upper() not in ("YES", "NO") or "DeidentificationMethod" not in ds:
        raise DicomExportError("refusing to export a dataset that HeaderDeidentifier.deidentify() has not processed")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / export_filename(ds)
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".tmp-", suffix=".dcm")
    try:
        with os.fdopen(fd, "wb") as fh:
            ds.save_as(fh, enforce_file_format=True)
        os.replace(tmp, target)
    except Exception as exc:
        Path(tmp).unlink(missing_ok=True)
        raise DicomExportError(
            f"could not write the de-identified copy {target.name} into {out_dir} ({type(exc).__name__}); "
            f"check free space and permissions of --export-dicom"
        ) from None
    return target
