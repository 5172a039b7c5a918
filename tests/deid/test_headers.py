"""Header metadata extraction keeps what search needs and nothing that identifies."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

import pytest
from pydicom.dataset import Dataset, FileMetaDataset

from bonesearch.deid.headers import extract_metadata
from bonesearch.deid.key import PseudonymKey

KEY = PseudonymKey(b"k" * 32)


def _header(**over) -> Dataset:
    ds = Dataset()
    values = dict(
        PatientName="DUPONT^Jeanne^Marie", PatientID="00451234", PatientBirthDate="19580312", PatientSex="F",
        InstitutionName="Clinique Saint-Joseph", ReferringPhysicianName="LEFEVRE^Marc", OperatorsName="MARTIN^Paul",
        AccessionNumber="A20240312001", StudyDate="20240312", StudyInstanceUID="1.2.250.1.59.453.1",
        SeriesInstanceUID="1.2.250.1.59.453.1.1", SOPInstanceUID="1.2.250.1.59.453.1.1.1", Modality="DX",
        BodyPartExamined="WRIST", ViewPosition="PA", ImageLaterality="L", Manufacturer="AGFA",
        Rows=512, Columns=400, PixelSpacing=[0.15, 0.15], PhotometricInterpretation="MONOCHROME1", BitsStored=12,
        BurnedInAnnotation="NO",
    )
    values.update(over)
    for k, v in values.items():
        setattr(ds, k, v)
    return ds


def test_metadata_is_pseudonymised_and_shifted():
    meta = extract_metadata(_header(), KEY)
    stored = {k: v for k, v in asdict(meta).items() if k not in ("patient_key", "names", "patient_names", "known")}
    text = repr(stored) + repr(meta)  # the in-memory fields never print
    for phi in ("DUPONT", "Jeanne", "00451234", "1958", "Saint-Joseph", "LEFEVRE", "MARTIN", "A20240312001",
                "1.2.250.1.59.453", "2024-03-12"):
        assert phi not in text, phi
    assert meta.body_part == "WRIST" and meta.laterality == "L" and meta.view == "PA" and meta.sex == "F"
    assert meta.age_months == 66 * 12  # born 1958-03-12, examined 2024-03-12
    assert meta.study_date == KEY.shift_date("00451234", dt.date(2024, 3, 12))
    assert meta.study_date != dt.date(2024, 3, 12)
    assert meta.patient_pseudo == KEY.pseudonym("patient", "00451234")
    assert set(meta.names) >= {"DUPONT", "Jeanne", "Marie", "LEFEVRE", "Marc", "MARTIN", "Paul"}


def test_same_patient_same_pseudonym_and_shift_across_studies():
    a = extract_metadata(_header(), KEY)
    b = extract_metadata(_header(StudyDate="20240412", StudyInstanceUID="1.2.3.9", SOPInstanceUID="1.2.3.9.1"), KEY)
    assert a.patient_pseudo == b.patient_pseudo
    assert (b.study_date - a.study_date).days == 31
    assert a.study_uid != b.study_uid


def test_very_old_patients_are_grouped_at_90():
    meta = extract_metadata(_header(PatientBirthDate="19200101"), KEY)
    assert meta.age_months == 90 * 12


def test_age_from_patient_age_when_no_birth_date():
    ds = _header(PatientAge="009Y")
    del ds.PatientBirthDate
    assert extract_metadata(ds, KEY).age_months == 108


def test_body_part_from_french_description_when_missing():
    ds = _header(StudyDescription="RX GENOU DROIT")
    del ds.BodyPartExamined
    assert extract_metadata(ds, KEY).body_part == "KNEE"


# ---- coded attributes: mapped to their defined terms, never stored as written -------------------------

PLANTED = "DUPONTEL MARCEL 06 12 34 56 78"
ESCAPE = "\x1b[2J\x1b]0;owned\x07"  # clear screen + set the terminal title


def _stored_text(meta) -> str:
    return repr({k: v for k, v in asdict(meta).items() if k not in ("patient_key", "names", "patient_names")})


def test_planted_name_and_phone_in_coded_attributes_never_reach_the_metadata():
    """Issue 14 item 5: Manufacturer, BodyPartExamined, ViewPosition… reached the store as written."""
    ds = _header(Manufacturer=PLANTED, BodyPartExamined=PLANTED[:16], ViewPosition="DUPONTEL", ImageLaterality="DUP",
                 Modality="DUPONTEL", PatientSex="DUPONTEL", PhotometricInterpretation="DUPONTEL MARCEL",
                 PixelSpacing=["612345678", "612345678"])
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = "DUPONTEL MARCEL"
    meta = extract_metadata(ds, KEY)
    text = _stored_text(meta)
    for needle in ("DUPONTEL", "MARCEL", "0612345678", "06 12 34 56 78", "612345678", "owned"):
        assert needle not in text, needle
    assert (meta.manufacturer, meta.body_part, meta.view, meta.laterality) == ("OTHER", "OTHER", "OTHER", "")
    assert (meta.modality, meta.sex, meta.photometric, meta.transfer_syntax) == ("OT", "", "OTHER", "OTHER")
    assert meta.pixel_spacing_mm is None
    assert set(meta.unmapped) == {"Manufacturer", "BodyPartExamined", "ViewPosition", "ImageLaterality", "Modality",
                                  "PatientSex", "PhotometricInterpretation", "TransferSyntaxUID"}


def test_control_characters_and_escape_sequences_are_stripped_before_mapping():
    meta = extract_metadata(_header(BodyPartExamined=f"{ESCAPE}KNEE\x1b[0m", ViewPosition="A\x00P",
                                    Manufacturer=f"SIEMENS{ESCAPE}"), KEY)
    assert (meta.body_part, meta.view, meta.manufacturer) == ("KNEE", "AP", "SIEMENS")
    assert "\x1b" not in _stored_text(meta) and "owned" not in _stored_text(meta)
    assert meta.unmapped == []


def test_escape_strings_are_removed_whole_as_in_report_text():
    """A DCS string (ESC P … BEL; ESC \\ would split a DICOM value) goes with its payload, as in report
    text (bonesearch.safe_text.strip_escapes serves both), so the value behind it still maps."""
    meta = extract_metadata(_header(BodyPartExamined="\x1bP1$r0m\x07KNEE"), KEY)
    assert meta.body_part == "KNEE" and meta.unmapped == []


@pytest.mark.parametrize("written, expected", [
    ("HAND", "HAND"), ("Main", "HAND"), ("KNEE ", "KNEE"), ("GENOU", "KNEE"), ("genoux", "KNEE"),
    ("L-SPINE", "LSPINE"), ("L SPINE", "LSPINE"), ("LUMBAR SPINE", "LSPINE"), ("RACHIS LOMBAIRE", "LSPINE"),
    ("C-SPINE", "CSPINE"), ("Épaule", "SHOULDER"), ("EPAULE", "SHOULDER"), ("POIGNET", "WRIST"), ("WRIST", "WRIST"),
    ("AVANT-BRAS", "FOREARM"), ("cheville", "ANKLE"), ("Hanche", "HIP"), ("BASSIN", "PELVIS"), ("THORAX", "CHEST"),
    ("EXTREMITY", "EXTREMITY"), ("SPINE", "SPINE"), ("LEG", "LEG"), ("FOOT", "FOOT"), ("KNEES", "KNEE"),
])
def test_real_world_body_part_variants_keep_their_body_part(written, expected):
    meta = extract_metadata(_header(BodyPartExamined=written), KEY)
    assert meta.body_part == expected and meta.unmapped == []


@pytest.mark.parametrize("written, expected", [
    ("AP", "AP"), ("PA ", "PA"), ("LAT", "LAT"), ("LATERAL", "LAT"), ("LL", "LL"), ("RL", "RL"), ("OBL", "OBL"),
    ("OBLIQUE", "OBL"), ("PROFIL", "LAT"), ("", ""),
])
def test_view_position_variants(written, expected):
    meta = extract_metadata(_header(ViewPosition=written), KEY)
    assert meta.view == expected and meta.unmapped == []


@pytest.mark.parametrize("written, expected", [("L", "L"), ("R", "R"), ("B", "B"), ("U", ""), ("D", "R"), ("G", "L"),
                                               ("GAUCHE", "L"), ("RIGHT", "R"), ("", "")])
def test_laterality_variants(written, expected):
    meta = extract_metadata(_header(ImageLaterality=written), KEY)
    assert meta.laterality == expected and meta.unmapped == []


@pytest.mark.parametrize("written, expected", [
    ("AGFA", "AGFA"), ("Agfa-Gevaert", "AGFA"), ("Carestream Health", "Carestream Health"),
    ("FUJIFILM Corporation", "FUJIFILM Corporation"), ("FUJI PHOTO FILM Co., ltd.", "FUJIFILM Corporation"),
    ("Philips Medical Systems", "Philips Medical Systems"), ("SIEMENS", "SIEMENS"), ("Siemens Healthineers", "SIEMENS"),
    ("GE Healthcare", "GE Healthcare"), ("GE MEDICAL SYSTEMS", "GE Healthcare"),
    ("Canon Medical Systems", "Canon Medical Systems"), ("TOSHIBA_MEC", "Canon Medical Systems"), ("", ""),
])
def test_known_manufacturers_keep_a_canonical_name(written, expected):
    meta = extract_metadata(_header(Manufacturer=written), KEY)
    assert meta.manufacturer == expected and meta.unmapped == []


def test_unknown_manufacturer_becomes_other_and_is_counted():
    meta = extract_metadata(_header(Manufacturer="Fictional Medical"), KEY)
    assert meta.manufacturer == "OTHER" and meta.unmapped == ["Manufacturer"]


def test_unknown_body_part_falls_back_to_the_description_and_is_counted():
    meta = extract_metadata(_header(BodyPartExamined="DUPONTEL", StudyDescription="RX GENOU DROIT"), KEY)
    assert meta.body_part == "KNEE" and meta.unmapped == ["BodyPartExamined"]
    meta = extract_metadata(_header(BodyPartExamined="DUPONTEL", StudyDescription="RX DUPONTEL"), KEY)
    assert meta.body_part == "OTHER" and meta.unmapped == ["BodyPartExamined"]


def test_description_words_not_substrings_give_the_body_part():
    """'DOMAINE' holds MAIN; a study description never gives HAND from inside another word."""
    ds = _header(StudyDescription="RX DOMAINE PUBLIC")
    del ds.BodyPartExamined
    assert extract_metadata(ds, KEY).body_part == "UNKNOWN"
    ds = _header(SeriesDescription="Main gauche F")
    del ds.BodyPartExamined
    assert extract_metadata(ds, KEY).body_part == "HAND"


def test_multi_valued_coded_attribute_uses_its_first_value():
    meta = extract_metadata(_header(ViewPosition=["PA", "DUPONTEL"]), KEY)
    assert meta.view == "PA" and "DUPONTEL" not in _stored_text(meta)


def test_known_transfer_syntax_and_photometric_are_kept():
    ds = _header()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.90"
    meta = extract_metadata(ds, KEY)
    assert (meta.transfer_syntax, meta.photometric, meta.modality) == ("1.2.840.10008.1.2.4.90", "MONOCHROME1", "DX")
    assert meta.unmapped == []


def test_absent_coded_attributes_are_empty_and_not_counted():
    ds = _header()
    for keyword in ("Manufacturer", "ViewPosition", "ImageLaterality", "PatientSex", "PhotometricInterpretation",
                    "Modality"):
        del ds[keyword]
    meta = extract_metadata(ds, KEY)
    assert (meta.manufacturer, meta.view, meta.laterality, meta.sex, meta.photometric) == ("", "", "", "", "")
    assert meta.modality == "OT" and meta.transfer_syntax == "" and meta.unmapped == []
