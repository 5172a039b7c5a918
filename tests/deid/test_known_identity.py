"""Header-informed de-identification (issue 18): what the DICOM header says about the patient, the
staff and the institution is found in the linked report in every form a report writes it, without
touching eponyms or everyday words; ``deid-text`` reads the same from ``"known"``; ingest passes it."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest

from bonesearch.deid.jsonl import deidentify_jsonl
from bonesearch.deid.key import PseudonymKey
from bonesearch.deid.known_identity import KnownIdentity, birth_date_regex, ids_regex
from bonesearch.deid.text import ReportDeidentifier
from bonesearch.deid.vocab import fold
from bonesearch.errors import ReportFileError

KNOWN = KnownIdentity(
    patient=("EL AMRANI^FATIMA",), birth_date=dt.date(1961, 3, 14), ids=("SR-0045871", "RX24-118734"),
    staff=("BOUZID^KARIM",), institution=("Cliniques universitaires Saint-Rémi",),
    address=("Avenue de l'Assomption 71, 1200 Woluwe-Saint-Lambert",))


@pytest.fixture(scope="module")
def deid():
    return ReportDeidentifier(PseudonymKey.create(), use_ner=False, mode="tag")


def _found(deid, text: str, known: KnownIdentity | None = KNOWN) -> dict[str, str]:
    """Each detected surface → its label."""
    return {text[d.start:d.end]: d.category for d in deid.detect(text, known=known)}


@pytest.mark.parametrize("surface", [
    "EL AMRANI^FATIMA", "Fatima El Amrani", "EL AMRANI Fatima", "fatima el amrani", "F. EL AMRANI", "F.E.",
    "FE", "E.F.", "Amrani",
])
def test_every_form_of_the_patient_name(deid, surface) -> None:
    text = f"Compte rendu. Patiente vue ce jour : {surface}, revue en consultation."
    redacted = deid.deidentify(text, patient_key="p", known=KNOWN).text
    assert surface not in redacted and "<PATIENT>" in redacted, redacted


def test_without_the_header_initials_and_a_bare_name_stay(deid) -> None:
    """The check above can fail: the same text without ``known`` keeps them."""
    text = "Résultat transmis, initiales F.E., dossier SR 0045871, née 19610314."
    assert "F.E." in deid.deidentify(text, patient_key="p").text
    redacted = deid.deidentify(text, patient_key="p", known=KNOWN).text
    assert "F.E." not in redacted and "0045871" not in redacted and "19610314" not in redacted, redacted


@pytest.mark.parametrize("written", ["14/03/1961", "14.3.61", "14-03-61", "1961-03-14", "19610314", "14031961",
                                     "14 mars 1961", "14 MARS 1961", "14 mar. 1961"])
def test_the_birth_date_in_every_format_is_a_birth_date(deid, written) -> None:
    text = f"Antécédents notables ; {written} ; examen du 02/05/2024."
    found = _found(deid, text)
    assert found.get(written) == "BIRTHDATE", found
    assert found.get("02/05/2024") == "DATE"  # another date stays a date


def test_other_dates_and_numbers_are_not_the_birth_date() -> None:
    rx = birth_date_regex(dt.date(1961, 3, 14))
    for text in ("14/03/1962", "114/03/1961", "14/03/19612", "1/4/61", "5.14.3.61"):
        assert not rx.search(fold(text)), text


@pytest.mark.parametrize("written", ["SR-0045871", "SR 0045871", "SR0045871", "sr-0045871", "RX24118734",
                                     "RX 24-118734"])
def test_identifiers_with_or_without_separators(deid, written) -> None:
    found = _found(deid, f"Référence {written} à rappeler.")
    assert found.get(written) == "ID", found


def test_short_codes_and_longer_numbers_are_not_identifiers() -> None:
    assert ids_regex(("1234",)) is None and ids_regex(("A12",)) is None  # would catch measurements
    rx = ids_regex(("0045871",))
    assert rx.search("dossier 0045871") and not rx.search("100458712") and not rx.search("A0045871")


def test_institution_by_name_and_by_its_distinctive_part(deid) -> None:
    text = "Examen réalisé aux Cliniques universitaires Saint-Rémi. Contrôle prévu à Saint-Rémi, avenue de " \
           "l'Assomption 71."
    found = _found(deid, text)
    assert found.get("Cliniques universitaires Saint-Rémi") == "INSTITUTION"
    assert found.get("Saint-Rémi") == "INSTITUTION" and found.get("avenue de l'Assomption 71") == "ADDRESS", found


def test_generic_institution_names_give_no_distinctive_part(deid) -> None:
    """« Centre hospitalier universitaire » or « Clinique du Parc » alone would catch ordinary words."""
    known = KnownIdentity(institution=("Centre Hospitalier Universitaire", "Clinique du Parc"))
    text = "Au niveau du parc, le centre de la diaphyse est normal. Hospitalier."
    assert deid.detect(text, known=known) == []


def test_eponyms_and_everyday_words_survive_a_patient_named_like_them(deid) -> None:
    known = KnownIdentity(patient=("COLLES^MARIE", "PETIT^LOUIS"))
    text = "Fracture de Pouteau-Colles. Petit fragment osseux. Mme Marie COLLES, M. Louis PETIT."
    redacted = deid.deidentify(text, patient_key="p", known=known).text
    assert "Pouteau-Colles" in redacted and "Petit fragment" in redacted
    assert "COLLES" not in redacted.replace("Pouteau-Colles", "") and "PETIT" not in redacted, redacted


def test_known_identity_never_shows_its_values() -> None:
    assert "AMRANI" not in repr(KNOWN) and "0045871" not in repr(KNOWN) and "1961" not in repr(KNOWN)
    assert not KnownIdentity() and KNOWN
    merged = KnownIdentity(patient=("A^B",)).merged(KnownIdentity(patient=("A^B", "C^D"), ids=("XY12345",)))
    assert merged.patient == ("A^B", "C^D") and merged.ids == ("XY12345",)


def test_hostile_header_values_neither_crash_nor_hang(deid) -> None:
    """Regex metacharacters, a 50,000-character value, blanks: matched literally or ignored."""
    import time

    known = KnownIdentity.from_json({"patient": ["(.*)+^[", "A" * 50_000, "  ", "O'BRIEN^SEÁN"],
                                     "ids": ["[0-9]+$", "X" * 300, "AB.12-34/5"], "institution": "*?+{2}",
                                     "address": ["\\d+ rue", "(?P<x>)"]}, "test:1")
    text = ("Patient O'Brien Seán, dossier AB12345, 1234 rue des Lilas. " + "(.*)+^[ [0-9]+$ *?+{2} " * 20
            + "A" * 5_000)
    start = time.perf_counter()
    redacted = deid.deidentify(text, patient_key="p", known=known).text
    assert time.perf_counter() - start < 5.0
    assert "O'Brien" not in redacted and "AB12345" not in redacted
    assert "A" * 50 in redacted  # the 50,000-character "name" was ignored, not matched


# ---- deid-text "known" ----------------------------------------------------------------------------------
def test_deid_text_reads_known_per_record(tmp_path) -> None:
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    text = "Mme F.E. (SR 0045871), née le 14.3.61, vue à Saint-Rémi."
    records = [{"id": "a", "text": text, "known": {"patient": "EL AMRANI^FATIMA", "birth_date": "19610314",
                                                   "ids": ["SR-0045871"], "institution": "Clinique Saint-Rémi"}},
               {"id": "b", "text": text}]
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    deidentify_jsonl(src, dst, PseudonymKey.create(), mode="tag")
    with_known, without = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]
    labels = {text[s["start"]:s["end"]]: s["label"] for s in with_known["spans"]}
    assert labels.get("F.E.") == "PATIENT" and labels.get("SR 0045871") == "ID", labels
    assert labels.get("14.3.61") == "BIRTHDATE" and labels.get("Saint-Rémi") == "INSTITUTION", labels
    assert not any(s["label"] == "BIRTHDATE" and text[s["start"]:s["end"]] == "19610314" for s in without["spans"])


@pytest.mark.parametrize("known, message", [
    ("DUPONT", '"known" must be an object'),
    ({"patients": "DUPONT^JEAN"}, "no field 'patients'"),
    ({"birth_date": "14/02/1947"}, "known.birth_date"),
    ({"birth_date": "1947-02-31"}, "known.birth_date"),
    ({"ids": [12345678]}, "known.ids"),
    ({"staff": {"name": "MARTIN"}}, "known.staff"),
])
def test_deid_text_known_errors_name_the_line_and_not_the_value(tmp_path, known, message) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "ok", "text": "Rien."}) + "\n"
                   + json.dumps({"id": "x", "text": "Rien.", "known": known}) + "\n", encoding="utf-8")
    with pytest.raises(ReportFileError, match=message) as err:
        deidentify_jsonl(src, tmp_path / "out.jsonl", PseudonymKey.create(), mode="tag")
    assert f"{src}:2" in str(err.value)
    for value in ("DUPONT", "14/02/1947", "12345678", "MARTIN"):
        assert value not in str(err.value)


# ---- ingest ----------------------------------------------------------------------------------------------
def test_ingest_scrubs_the_header_values_from_the_linked_report(tmp_path) -> None:
    """The report writes the IPP with spaces, the birth date compact, the patient's initials and the
    hospital's short name: none of it reaches the store."""
    from bonesearch.store import Store
    from indexer.ingest import ingest_archive
    from tests.indexer.test_ingest import _good_dicom

    export = tmp_path / "export"
    (export / "DICOM").mkdir(parents=True)
    ds = _good_dicom(41, PatientName="EL AMRANI^FATIMA", PatientID="SR-0045871", AccessionNumber="RX24-118734",
                     PatientBirthDate="19610314", InstitutionName="Cliniques universitaires Saint-Rémi",
                     ReferringPhysicianName="BOUZID^KARIM")
    ds.save_as(export / "DICOM" / "IM1.dcm", enforce_file_format=True)
    report = ("Radiographie du poignet gauche. Patiente F.E., dossier SR 0045871, née le 19610314, adressée par "
              "le Dr Bouzid. Contrôle à Saint-Rémi. Fracture de Pouteau-Colles.")
    with open(export / "reports.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["accession_number", "report_date", "text"], ["RX24-118734", "2019-03-14", report]])
    summary = ingest_archive(export, tmp_path / "store", workers=1)
    assert summary.reports_ingested == 1
    with Store.open(tmp_path / "store") as store:
        [(stored,)] = store.con.execute("SELECT text FROM reports").fetchall()
    for value in ("F.E.", "0045871", "19610314", "Bouzid", "Saint-Rémi"):
        assert value not in stored, value
    assert "Pouteau-Colles" in stored
