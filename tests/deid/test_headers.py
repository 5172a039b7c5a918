"""Header metadata extraction keeps what search needs and nothing that identifies."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from pydicom.dataset import Dataset

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
        BodyPartExamined="WRIST", ViewPosition="PA", ImageLaterality="L", Manufacturer="Fictional Medical",
        Rows=512, Columns=400, PixelSpacing=[0.15, 0.15], PhotometricInterpretation="MONOCHROME1", BitsStored=12,
        BurnedInAnnotation="NO",
    )
    values.update(over)
    for k, v in values.items():
        setattr(ds, k, v)
    return ds


def test_metadata_is_pseudonymised_and_shifted():
    meta = extract_metadata(_header(), KEY)
    stored = {k: v for k, v in asdict(meta).items() if k not in ("patient_key", "names", "patient_names")}
    text = repr(stored)
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
