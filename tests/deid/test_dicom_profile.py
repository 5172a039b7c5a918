"""PS3.15 header de-identification: no planted PHI survives, UIDs/pseudonyms/dates agree with the store."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

from bonesearch.deid.dicom_profile import HeaderDeidentifier, write_deidentified
from bonesearch.deid.headers import extract_metadata
from bonesearch.deid.key import PseudonymKey
from bonesearch.errors import DicomExportError

KEY = PseudonymKey(b"k" * 32)
OTHER_KEY = PseudonymKey(b"q" * 32)
REAL_FILES = ("RG1_J2KI.dcm", "RG3_J2KI.dcm", "RG3_J2KR.dcm")


# ---- helpers ---------------------------------------------------------------------------
def _values(ds: Dataset) -> list[str]:
    """Every element value of ``ds`` as text, sequences and file meta included (not PixelData)."""
    out = []
    elements = list(ds.iterall()) + (list(ds.file_meta) if hasattr(ds, "file_meta") else [])
    for elem in elements:
        if elem.VR == "SQ" or elem.tag == 0x7FE00010:
            continue
        value = elem.value
        if isinstance(value, bytes):
            out.append(value.decode("latin-1"))
        else:
            out.append(str(value))
    return out


def _header_bytes(path: Path) -> bytes:
    """The file's bytes without its pixel data (binary pixels can hold any letters by chance)."""
    data = path.read_bytes()
    pixels = pydicom.dcmread(path).PixelData
    return data.replace(pixels, b"")


def _leaks(path: Path, phi: list[str]) -> list[str]:
    """The PHI strings found in the written file's header bytes or in any element value."""
    ds = pydicom.dcmread(path)
    text = "\n".join(_values(ds)).lower()
    raw = _header_bytes(path).lower()
    found = []
    for s in phi:
        if s.lower() in text or any(s.lower().encode(enc, "ignore") in raw for enc in ("utf-8", "latin-1")):
            found.append(s)
    return found


def _deid_copy(ds: Dataset, key: PseudonymKey = KEY) -> tuple[Dataset, object]:
    ds = copy.deepcopy(ds)
    meta = extract_metadata(ds, key)
    HeaderDeidentifier(key).deidentify(ds, meta)
    return ds, meta


def _synthetic(**over) -> Dataset:
    """A DX header with PHI everywhere, written with file meta (no pixels)."""
    ds = Dataset()
    values = dict(
        PatientName="DUPONT^Jeanne^Marie", PatientID="00451234", PatientBirthDate="19580312", PatientSex="F",
        InstitutionName="Clinique Saint-Joseph", InstitutionAddress="3 rue des Lilas, Lyon",
        ReferringPhysicianName="LEFEVRE^Marc", OperatorsName="MARTIN^Paul", AccessionNumber="A20240312001",
        StudyDate="20240312", StudyTime="101500", SeriesDate="20240314", SeriesTime="093000",
        AcquisitionDateTime="20240314093512.000000", StudyInstanceUID="1.2.250.1.59.453.1",
        SeriesInstanceUID="1.2.250.1.59.453.1.1", SOPInstanceUID="1.2.250.1.59.453.1.1.1",
        SOPClassUID="1.2.840.10008.5.1.4.1.1.1.1", FrameOfReferenceUID="1.2.250.1.59.453.9",
        Modality="DX", BodyPartExamined="WRIST", ViewPosition="PA", ImageLaterality="L",
        Manufacturer="Fictional Medical", ManufacturerModelName="FM-DR 3000", DeviceSerialNumber="SN-778899",
        StudyDescription="RX POIGNET GAUCHE DUPONT", ImageComments="patiente Jeanne DUPONT tel 0612345678",
        StudyID="00451234", StationName="RX-LYON-02", IssuerOfPatientID="IPP-LYON",
        Rows=4, Columns=4, PixelSpacing=[0.15, 0.15], PhotometricInterpretation="MONOCHROME2",
        BitsStored=12, BitsAllocated=16, HighBit=11, PixelRepresentation=0, SamplesPerPixel=1,
        BurnedInAnnotation="NO", WindowCenter="2000", WindowWidth="4000", WindowCenterWidthExplanation="NORMAL",
    )
    values.update(over)
    for k, v in values.items():
        setattr(ds, k, v)
    ref = Dataset()
    ref.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"
    ref.ReferencedSOPInstanceUID = "1.2.250.1.59.453.1.1.0"
    request = Dataset()
    request.RequestedProcedureDescription = "Poignet DUPONT Jeanne"
    request.RequestedProcedureID = "RP00451234"
    request.ScheduledProcedureStepStartDate = "20240311"
    ds.SourceImageSequence = [ref]
    ds.RequestAttributesSequence = [request]
    block = ds.private_block(0x0019, "HOSPITAL_PRIVATE 1.0", create=True)
    block.add_new(0x10, "LO", "DUPONT JEANNE")
    ds.add_new(0x60003000, "OW", b"\x01\x00" * 8)  # overlay bitmap (may hold burned-in text)
    ds.add_new(0x60000022, "LO", "DUPONT")  # overlay description
    ds.PixelData = np.arange(16, dtype="<u2").tobytes()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return ds


SYNTHETIC_PHI = ["DUPONT", "Jeanne", "00451234", "19580312", "Saint-Joseph", "Lilas", "LEFEVRE", "MARTIN",
                 "A20240312001", "1.2.250.1.59.453", "20240312", "20240314", "20240311", "SN-778899",
                 "RX-LYON", "IPP-LYON", "0612345678", "HOSPITAL_PRIVATE"]


# ---- synthetic headers -----------------------------------------------------------------
def test_synthetic_header_keeps_no_phi_and_what_search_needs(tmp_path):
    ds, meta = _deid_copy(_synthetic())
    path = write_deidentified(ds, tmp_path)
    assert not _leaks(path, SYNTHETIC_PHI)
    back = pydicom.dcmread(path)
    assert not [e for e in back.iterall() if e.tag.is_private]
    assert not [e for e in back.iterall() if (e.tag >> 16) & 0xFF00 == 0x6000]
    assert (back.BodyPartExamined, back.ViewPosition, back.ImageLaterality, back.PatientSex, back.Modality) == (
        "WRIST", "PA", "L", "F", "DX")
    # an unknown manufacturer is not copied (free text); the model and explanations are free text: emptied
    assert (back.Manufacturer, back.ManufacturerModelName) == ("", "")
    assert [float(v) for v in back.PixelSpacing] == [0.15, 0.15]
    assert back.PatientAge == "066Y" and back.PatientBirthDate == ""
    assert back.PatientID == meta.patient_pseudo == KEY.pseudonym("patient", "00451234")
    assert back.PatientName == meta.patient_pseudo
    assert back.AccessionNumber == meta.accession_pseudo == KEY.pseudonym("accession", "A20240312001")
    assert back.ReferringPhysicianName == "" and back.OperatorsName == ""
    assert back.WindowCenterWidthExplanation == "" and back.WindowCenter == 2000


def test_planted_values_in_coded_and_kept_attributes_do_not_reach_the_export(tmp_path):
    """Issue 14 item 5: CS attributes and the 'kept' free text carried a planted name and phone into exports."""
    planted = "DUPONTEL MARCEL 0612345678"
    equipment = Dataset()
    equipment.Manufacturer = f"AGFA {planted}"  # a known vendor's name around the planted text: the vendor only
    ds, meta = _deid_copy(_synthetic(
        BodyPartExamined="DUPONTEL MARCEL", ViewPosition="DUPONTEL", ImageLaterality="DUPONTEL", Laterality="MARCEL",
        PatientSex="DUPONTEL", Modality="DUPONTEL", Manufacturer=planted, ManufacturerModelName=planted,
        WindowCenterWidthExplanation=planted, RescaleType="DUPONTEL", PixelSpacingCalibrationDescription=planted,
        ContributingEquipmentSequence=[equipment]))
    path = write_deidentified(ds, tmp_path)
    assert not _leaks(path, ["DUPONTEL", "MARCEL", "0612345678"])
    assert pydicom.dcmread(path).ContributingEquipmentSequence[0].Manufacturer == "AGFA"
    back = pydicom.dcmread(path)
    # the body part is unknown as written, so it comes from the description's words ("RX POIGNET …")
    assert (back.BodyPartExamined, back.ViewPosition, back.ImageLaterality, back.Laterality) == ("WRIST", "", "", "")
    assert (back.PatientSex, back.Modality, back.Manufacturer, back.RescaleType) == ("", "OT", "", "")
    assert {"BodyPartExamined", "ViewPosition", "Manufacturer"} <= set(meta.unmapped)


def test_known_coded_values_are_written_as_their_defined_terms(tmp_path):
    ds, meta = _deid_copy(_synthetic(BodyPartExamined="Genou ", ViewPosition="Profil", ImageLaterality="G",
                                     Manufacturer="Siemens Healthineers", RescaleType="HU"))
    back = pydicom.dcmread(write_deidentified(ds, tmp_path))
    assert (back.BodyPartExamined, back.ViewPosition, back.ImageLaterality) == ("KNEE", "LAT", "L")
    assert (back.Manufacturer, back.RescaleType) == ("SIEMENS", "HU")


def test_deidentification_method_is_recorded(tmp_path):
    ds, _ = _deid_copy(_synthetic())
    back = pydicom.dcmread(write_deidentified(ds, tmp_path))
    assert back.PatientIdentityRemoved == "YES"
    codes = [(item.CodingSchemeDesignator, item.CodeValue) for item in back.DeidentificationMethodCodeSequence]
    assert codes == [("DCM", "113100"), ("DCM", "113107"), ("DCM", "113108")]
    assert any("Basic Application Confidentiality Profile" in v for v in back.DeidentificationMethod)
    assert back.BurnedInAnnotation == "NO"


def test_burned_in_flag_is_kept_and_identity_not_claimed_removed():
    ds, _ = _deid_copy(_synthetic(BurnedInAnnotation="YES"))
    assert ds.BurnedInAnnotation == "YES"
    assert ds.PatientIdentityRemoved == "NO"


def test_uids_match_the_store_and_depend_on_the_key_only():
    source = _synthetic()
    a, meta = _deid_copy(source)
    b, _ = _deid_copy(source)  # a second worker/run with the same key
    c, _ = _deid_copy(source, OTHER_KEY)
    triple = lambda d: (d.StudyInstanceUID, d.SeriesInstanceUID, d.SOPInstanceUID)  # noqa: E731
    assert triple(a) == (meta.study_uid, meta.series_uid, meta.sop_uid)
    assert a.file_meta.MediaStorageSOPInstanceUID == meta.sop_uid
    assert triple(a) == triple(b)
    assert set(triple(a)).isdisjoint(triple(c))
    # a referenced image maps to the UID that image gets in the store; class UIDs stay
    assert a.SourceImageSequence[0].ReferencedSOPInstanceUID == KEY.uid("1.2.250.1.59.453.1.1.0")
    assert a.SourceImageSequence[0].ReferencedSOPClassUID == "1.2.840.10008.5.1.4.1.1.1.1"
    assert a.SOPClassUID == source.SOPClassUID
    assert a.FrameOfReferenceUID == KEY.uid("1.2.250.1.59.453.9") != c.FrameOfReferenceUID
    assert all(pydicom.uid.UID(u).is_valid for u in triple(a))
    # the other identifiers dicognito replaces are keyed too: stable across runs, key-dependent
    assert a.StudyID == b.StudyID != c.StudyID and a.StudyID != "00451234"


def test_dates_shift_by_the_patients_offset_keeping_intervals():
    ds, meta = _deid_copy(_synthetic())
    offset = dt.timedelta(days=KEY.date_offset_days("00451234"))
    parse = lambda s: dt.datetime.strptime(s, "%Y%m%d").date()  # noqa: E731
    assert parse(ds.StudyDate) == dt.date(2024, 3, 12) + offset == meta.study_date
    assert parse(ds.SeriesDate) - parse(ds.StudyDate) == dt.timedelta(days=2)
    assert parse(ds.RequestAttributesSequence[0].ScheduledProcedureStepStartDate) == dt.date(2024, 3, 11) + offset
    assert ds.AcquisitionDateTime[:8] == (dt.date(2024, 3, 14) + offset).strftime("%Y%m%d")
    assert ds.StudyTime == "101500" and ds.AcquisitionDateTime[8:14] == "093512"  # whole days: times kept
    # the same patient in another study gets the same offset
    other, _ = _deid_copy(_synthetic(StudyDate="20250101", StudyInstanceUID="1.2.3.4", SOPInstanceUID="1.2.3.4.1"))
    assert parse(other.StudyDate) - parse(ds.StudyDate) == dt.date(2025, 1, 1) - dt.date(2024, 3, 12)


@pytest.mark.filterwarnings("ignore:Invalid value for VR DA")
def test_malformed_dates_are_dropped_not_kept():
    ds, _ = _deid_copy(_synthetic(SeriesDate="2024-3-1x"))
    assert ds.SeriesDate == "" and ds.SeriesTime == ""


def test_placeholder_dates_are_dropped_not_shifted():
    """A shifted 9999-12-31 would tell anyone who guesses the placeholder the patient's offset (issue 14, item 7)."""
    ds, meta = _deid_copy(_synthetic(StudyDate="99991231", SeriesDate="00010101"))
    assert ds.StudyDate == "" and ds.SeriesDate == "" and meta.study_date is None
    assert meta.age_months is None or meta.age_months < 1080  # not aged from year 9999


def test_very_old_patients_age_is_capped():
    ds, _ = _deid_copy(_synthetic(PatientBirthDate="19200101"))
    assert ds.PatientAge == "090Y" and ds.PatientBirthDate == ""


def test_free_text_is_emptied_even_in_sequences():
    ds, _ = _deid_copy(_synthetic())
    assert ds.StudyDescription == "" and ds.ImageComments == "" and ds.InstitutionName == ""
    assert ds.RequestAttributesSequence[0].RequestedProcedureDescription == ""
    assert ds.RequestAttributesSequence[0].RequestedProcedureID not in ("", "RP00451234")  # dicognito: keyed
    assert "IssuerOfPatientID" not in ds and ds.DeviceSerialNumber == ""


def test_local_codes_are_emptied_standard_codes_kept():
    source = _synthetic()
    local, standard = Dataset(), Dataset()
    local.CodeValue, local.CodingSchemeDesignator, local.CodeMeaning = "RXPG", "99CHULYON", "Poignet Dr LEFEVRE"
    standard.CodeValue, standard.CodingSchemeDesignator, standard.CodeMeaning = "85050009", "SCT", "Humerus"
    source.ProcedureCodeSequence = [local]
    source.AnatomicRegionSequence = [standard]
    source.add_new(0x04000115, "OB", b"signature LEFEVRE")  # CertificateOfSigner: binary blobs go too
    ds, _ = _deid_copy(source)
    item = ds.ProcedureCodeSequence[0]
    assert (item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning) == ("", "", "")
    assert ds.AnatomicRegionSequence[0].CodeMeaning == "Humerus"
    assert "CertificateOfSigner" not in ds and "PixelData" in ds


def test_body_part_inferred_from_description_is_written_back():
    source = _synthetic(StudyDescription="RX GENOU DROIT")
    del source.BodyPartExamined
    ds, meta = _deid_copy(source)
    assert ds.StudyDescription == "" and ds.BodyPartExamined == meta.body_part == "KNEE"


def test_implicit_vr_files_are_handled(tmp_path):
    source = _synthetic()
    source.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
    del source[0x00190010], source[0x00191010]  # implicit VR private elements would read back as UN
    path = tmp_path / "implicit.dcm"
    source.save_as(path, enforce_file_format=True)
    ds = pydicom.dcmread(path)
    assert ds.get_item(0x00100010).VR is None  # still raw, VR to be looked up
    HeaderDeidentifier(KEY).deidentify(ds)
    out = write_deidentified(ds, tmp_path / "out")
    assert not _leaks(out, SYNTHETIC_PHI)


def test_export_refuses_a_dataset_that_was_not_deidentified(tmp_path):
    with pytest.raises(DicomExportError, match="not processed"):
        write_deidentified(_synthetic(), tmp_path)
    assert not list(tmp_path.iterdir())


def test_export_is_named_by_the_uid_pseudonym_and_leaves_no_temp_file(tmp_path):
    ds, meta = _deid_copy(_synthetic())
    path = write_deidentified(ds, tmp_path)
    assert path.name == f"{meta.sop_uid}.dcm"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    write_deidentified(ds, tmp_path)  # rewriting replaces it
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


# ---- the real CR files -----------------------------------------------------------------
@pytest.mark.parametrize("name", REAL_FILES)
def test_real_cr_files(shared_data, tmp_path, name):
    src = shared_data / "dicom" / name
    original = pydicom.dcmread(src)
    phi = [str(original[k].value) for k in ("PatientName", "PatientID", "OtherPatientIDs", "InstitutionName",
                                             "StationName", "InstitutionalDepartmentName", "DeviceSerialNumber")
           if k in original and str(original[k].value)]
    phi += [original.PatientBirthDate, original.StudyDate, original.SOPInstanceUID, original.StudyInstanceUID,
            original.SeriesInstanceUID]
    phi += [str(e.value) for e in original.iterall() if e.VR == "UI" and not e.keyword.endswith("ClassUID")]
    ds, meta = _deid_copy(original)
    path = write_deidentified(ds, tmp_path)
    assert not _leaks(path, phi)
    back = pydicom.dcmread(path)
    assert (back.StudyInstanceUID, back.SeriesInstanceUID, back.SOPInstanceUID) == (
        meta.study_uid, meta.series_uid, meta.sop_uid)
    assert back.PatientIdentityRemoved == "YES" and "DeidentificationMethodCodeSequence" in back
    assert back.PhotometricInterpretation == "MONOCHROME1" and back.Modality == "CR"
    assert back.file_meta.TransferSyntaxUID == original.file_meta.TransferSyntaxUID
    assert np.array_equal(back.pixel_array, pydicom.dcmread(src).pixel_array)


# ---- a demo archive with planted PHI ---------------------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    from bonesearch.demo.archive import write_demo_archive

    out = tmp_path_factory.mktemp("demo")
    write_demo_archive(out, studies=6, seed=5, workers=1)
    return out


def test_demo_files_keep_none_of_the_planted_phi(demo, tmp_path):
    phi = json.loads((demo / "phi.json").read_text())
    with open(demo / "labels.csv", newline="", encoding="utf-8") as fh:
        labels = {row["sop_instance_uid"]: row for row in csv.DictReader(fh)}
    files = sorted((demo / "export" / "DICOM").rglob("IM*.dcm"))
    written = 0
    for src in files:
        try:
            original = pydicom.dcmread(src)
            pixels = original.pixel_array.copy()
        except Exception:  # the truncated stray file of the demo export
            continue
        row = labels[original.SOPInstanceUID]
        acc = row["accession_number"]
        planted = phi["by_study"][acc] + phi["dates_by_study"][acc] + [
            row["sop_instance_uid"], row["study_instance_uid"], original.SeriesInstanceUID, row["patient_id"],
            original.PatientBirthDate, original.StudyDate, original.InstitutionName]
        assert original.PatientName and any(t.is_private for t in original.keys())  # PHI really planted
        ds, meta = _deid_copy(original)
        path = write_deidentified(ds, tmp_path)
        leaked = _leaks(path, [p for p in planted if len(p) >= 4])
        assert not leaked, f"{src.name}: {leaked}"
        back = pydicom.dcmread(path)
        assert not [e for e in back.iterall() if e.tag.is_private]
        assert back.SOPInstanceUID == meta.sop_uid and back.PatientID == meta.patient_pseudo
        assert back.BurnedInAnnotation == original.get("BurnedInAnnotation", back.get("BurnedInAnnotation"))
        assert np.array_equal(back.pixel_array, pixels)
        written += 1
    assert written >= 8
