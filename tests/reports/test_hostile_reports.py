"""Hostile report exports (issue 14): nothing lost, nothing leaked, no traceback.

Placeholder dates (``9999-12-31``, ``0001-01-01``), oversized reports, NUL bytes, terminal
escape sequences, bidi overrides, and UTF-16/UTF-32 exports with or without a byte-order
mark. Every case ends with the other reports stored and the bad one counted with a reason
that names the row, never its content.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from bonesearch.deid.headers import extract_metadata
from bonesearch.deid.key import PseudonymKey
from bonesearch.deid.text import ReportDeidentifier
from bonesearch.errors import ReportFileError
from bonesearch.reports.sources import read_reports
from bonesearch.reports.records import MAX_REPORT_CHARS, parse_report_date, read_reports_csv, read_reports_jsonl
from bonesearch.reports.text import clean_report_text, decode_report_bytes
from bonesearch.store import Store
from indexer.reports_ingest import ReportContext, ingest_reports

KEY = PseudonymKey.for_demo(14)
DAY = dt.date(2024, 3, 12)
STUDIES = [("00451234", "A100"), ("00451234", "A101"), ("00777001", "A102"), ("00777002", "A103")]
REPORT = ("Patient : Mme Jeanne DUPONT, née le 12/03/1958.\n"
          "Indication : chute de sa hauteur le 10/03/2024, douleur du poignet gauche.\n"
          "Résultats : fracture extra-articulaire du radius distal avec bascule postérieure.\n"
          "Conclusion : fracture de Pouteau-Colles.\nDr Paul MARTIN")


def _store(tmp_path: Path) -> Store:
    store = Store.create(tmp_path / "store")
    for study_id, (patient, accession) in enumerate(STUDIES, start=1):
        store.con.execute("INSERT INTO studies VALUES (?, ?, ?, ?, ?, 'CR', 'WRIST', 600, 'F')", [
            study_id, KEY.uid(f"study-{study_id}"), KEY.pseudonym("patient", patient),
            KEY.pseudonym("accession", accession), KEY.shift_date(patient, DAY)])
    return store


def _contexts() -> dict[str, ReportContext]:
    return {KEY.pseudonym("accession", acc): ReportContext(patient, "2.25.1", {"DUPONT^JEANNE", "MARTIN^PAUL"},
                                                           {"DUPONT^JEANNE"}) for patient, acc in STUDIES}


def _summary() -> SimpleNamespace:
    return SimpleNamespace(reports_skipped=[], reports_orphan=0, reports_ingested=0, phi_replacements={})


def _csv(path: Path, rows: list[tuple[str, str, str]], encoding: str = "utf-8") -> Path:
    lines = ["accession_number;report_date;text"] + [f'{a};{d};"{t}"' for a, d, t in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _ingest(tmp_path: Path, store: Store, path: Path):
    return ingest_reports(store, path, KEY, _contexts(), _summary(), header_loader=dict)


def _no_content(reasons: list[tuple[str, str]]) -> None:
    shown = repr(reasons)
    for phi in ("DUPONT", "Jeanne", "MARTIN", "Pouteau", "radius", "A100", "A101", "00451234"):
        assert phi not in shown, phi


# ---- 7. placeholder dates ----------------------------------------------------------------------
@pytest.mark.parametrize("placeholder", [dt.date(9999, 12, 31), dt.date(1, 1, 1), dt.date.max, dt.date.min])
def test_shift_date_of_a_placeholder_is_dropped_not_an_overflow(placeholder):
    for patient in ("00451234", "00777001", "00777002", "P-1", "P-2"):  # both signs of offset
        assert KEY.shift_date(patient, placeholder) is None
    assert KEY.shift_date("00451234", DAY) == DAY + dt.timedelta(days=KEY.date_offset_days("00451234"))


@pytest.mark.parametrize("value", ["9999-12-31", "31/12/9999", "0001-01-01", "99991231", "01/01/0001"])
def test_placeholder_report_date_is_unreadable(value):
    assert parse_report_date(value) is None


@pytest.mark.parametrize("study_date", ["99991231", "00010101"])
def test_header_placeholder_study_date_keeps_the_image(study_date):
    from pydicom.dataset import Dataset

    ds = Dataset()
    for k, v in dict(PatientName="DUPONT^Jeanne", PatientID="00451234", StudyDate=study_date,
                     StudyInstanceUID="1.2.250.1.59.453.1", SeriesInstanceUID="1.2.250.1.59.453.1.1",
                     SOPInstanceUID="1.2.250.1.59.453.1.1.1", Modality="DX", Rows=512, Columns=400).items():
        setattr(ds, k, v)
    meta = extract_metadata(ds, KEY)  # raised OverflowError: the image was skipped
    assert meta.study_date is None and meta.patient_pseudo == KEY.pseudonym("patient", "00451234")


def test_placeholder_dates_in_text_and_as_report_date_do_not_raise():
    deid = ReportDeidentifier(KEY, use_ner=False)
    text = ("Contrôle prévu le 31/12/9999. Examen antérieur du 0001-01-01, revu le 3.\n"
            "Douleur depuis mars dernier. Chute le 10/03/2024.")
    for ref in (dt.date(9999, 12, 31), dt.date(1, 1, 1), None):
        out = deid.deidentify(text, patient_key="00451234", report_date=ref).text
        assert "10/03/2024" not in out  # the real date still moves
        assert "9999" not in out and "0001-01-01" not in out  # placeholders become [DATE] (no offset leaks)


def test_placeholder_report_dates_do_not_stop_ingest(tmp_path):
    pytest.importorskip("spacy")
    path = _csv(tmp_path / "export.csv", [("A100", "9999-12-31", REPORT), ("A101", "0001-01-01", REPORT),
                                          ("A102", "12/03/2024", REPORT)])
    with _store(tmp_path) as store:
        result = _ingest(tmp_path, store, path)
        rows = store.con.execute("SELECT study_id, report_date FROM reports ORDER BY study_id").fetchall()
    assert rows == [(1, None), (2, None), (3, KEY.shift_date("00777001", DAY))]
    assert result.ingested == 3 and result.dates_out_of_range == 2


# ---- 8. oversized reports ----------------------------------------------------------------------
def test_report_over_csv_field_limit_and_spacy_limit_is_skipped_alone(tmp_path):
    pytest.importorskip("spacy")
    huge = (REPORT + "\n") * (1_000_001 // len(REPORT) + 2)  # over spaCy's 1,000,000 and csv's 131,072
    path = _csv(tmp_path / "export.csv", [("A100", "12/03/2024", REPORT), ("A101", "12/03/2024", huge),
                                          ("A102", "12/03/2024", REPORT)])
    with _store(tmp_path) as store:
        result = _ingest(tmp_path, store, path)
        stored = [r[0] for r in store.con.execute("SELECT study_id FROM reports ORDER BY study_id").fetchall()]
    assert stored == [1, 3] and result.ingested == 2
    [(label, reason)] = result.skipped
    assert label == "reports export (.csv) row 3"
    assert f"over the {MAX_REPORT_CHARS}-character limit" in reason
    _no_content(result.skipped)


def test_csv_field_over_131072_characters_does_not_reject_the_export(tmp_path):
    long = "Résultats : " + "pas de lésion osseuse focale. " * 5000  # 150,012 characters: over csv's and our limit
    rows = [("A100", "12/03/2024", REPORT), ("A101", "12/03/2024", "Pas de\nfracture."), ("A102", "12/03/2024", long),
            ("A103", "12/03/2024", REPORT)]
    result = read_reports_csv(_csv(tmp_path / "export.csv", rows))
    assert [r.accession_number for r in result] == ["A100", "A101", "A103"]
    assert [label for label, _ in result.skipped] == ["reports export (.csv) row 4"]  # a record's row, header = 1
    assert f"{len(long.strip())} characters" in result.skipped[0][1] and "line 9" in result.skipped[0][1]
    assert "lésion" not in result.skipped[0][1]


def test_malformed_csv_names_the_row_being_read(tmp_path, monkeypatch):
    import bonesearch.reports.records as reports

    monkeypatch.setattr(reports, "CSV_FIELD_LIMIT", 1000)
    import csv

    old = csv.field_size_limit()
    csv.field_size_limit(1000)
    try:
        rows = [("A100", "12/03/2024", "Pas de fracture."), ("A101", "12/03/2024", "Pas de\nfracture."),
                ("A102", "12/03/2024", "x" * 2000)]
        with pytest.raises(ReportFileError) as err:
            read_reports_csv(_csv(tmp_path / "export.csv", rows))
    finally:
        csv.field_size_limit(old)
    assert "row 4" in str(err.value) and "line 5" in str(err.value) and "xxx" not in str(err.value)


def test_deidentifier_runs_ner_in_chunks_past_the_model_limit():
    pytest.importorskip("spacy")
    deid = ReportDeidentifier(KEY)
    filler = "Trame osseuse normale, pas de lésion focale. Vu avec Ginette Lacombe, kinésithérapeute.\n" * 150
    text = "Patient : Mme Jeanne DUPONT.\n" + filler + "Validé par le Dr Paul MARTIN le 12/03/2024.\n" + filler
    [(whole, _)] = deid.analyze_many([(text, "00451234", (), DAY, ())])  # one piece: 26,000 characters
    deid.nlp.max_length = 5_000  # spaCy raises past it (E088); the real limit is 1,000,000
    try:
        [(spans, result)] = deid.analyze_many([(text, "00451234", (), DAY, ())])
    finally:
        deid.nlp.max_length = 1_000_000
    assert "DUPONT" not in result.text and "MARTIN" not in result.text and "12/03/2024" not in result.text
    assert spans == whole  # pieces cut at line ends: the same detections, at the same offsets
    assert "Lacombe" not in result.text and result.text.count("Trame osseuse normale, pas de lésion focale.") == 300


@pytest.mark.parametrize("text, limit", [("", 10), ("Pas de fracture.", 100), ("a" * 95, 10),
                                         ("Ligne un.\nLigne deux. Suite de la ligne deux.\n" * 40, 64)])
def test_ner_pieces_cover_the_text_within_the_limit(text, limit):
    from bonesearch.deid.text import ner_pieces

    pieces = ner_pieces(text, limit)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:])) and all(e - s <= limit for s, e in pieces)
    if "\n" in text:
        assert all(text[e - 1] == "\n" for _, e in pieces[:-1])


# ---- 12. control characters and escape sequences ------------------------------------------------
HOSTILE = ("\x1b[2J\x1b[H\x1b]0;pwned\x07\x1b]2;titre\x1b\\Résultats : fracture\x00 du \u202eradius\u202c distal"
           "\x9b31m, déplacée\x1b[0m.\x07\x08\nConclusion : \u2066fracture de Pouteau-Colles\u2069.\x0c\x85Dr MARTIN")


def test_clean_report_text_strips_controls_escapes_and_bidi():
    text, removed = clean_report_text(HOSTILE)
    assert text == ("Résultats : fracture du radius distal, déplacée.\n"
                    "Conclusion : fracture de Pouteau-Colles.\n\nDr MARTIN")
    assert removed > 0
    assert clean_report_text("Pas de fracture.\n\tGenou droit.") == ("Pas de fracture.\n\tGenou droit.", 0)
    # an unterminated OSC keeps the text after it (no report swallowed), without the escape
    assert clean_report_text("\x1b]0;Conclusion : normal.") == ("0;Conclusion : normal.", 2)


def test_csv_and_jsonl_reports_are_stored_without_controls(tmp_path):
    csv_result = read_reports_csv(_csv(tmp_path / "export.csv", [("A100\x00", "12/03/2024", HOSTILE)]))
    lines = [json.dumps({"accession": "A100", "text": HOSTILE}, ensure_ascii=False),
             json.dumps({"accession": "A101", "text": "Ligne 1\u2028suite\x85 et fin."}, ensure_ascii=False)]
    (tmp_path / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    jsonl_result = read_reports_jsonl(tmp_path / "export.jsonl")
    for result in (csv_result, jsonl_result):
        report = result.reports[0]
        assert report.accession_number == "A100" and not any(ord(c) < 32 and c not in "\n\t" for c in report.text)
        assert "\x1b" not in report.text and "\u202e" not in report.text and "pwned" not in report.text
        assert result.reports_with_controls >= 1
    # U+2028 and NEL inside a JSON string do not split the line (they did: the record was lost)
    assert jsonl_result.skipped == [] and jsonl_result.reports[1].text == "Ligne 1\nsuite\n et fin."


def test_nul_only_report_is_skipped_and_does_not_block_the_real_one(tmp_path):
    pytest.importorskip("spacy")
    first = _csv(tmp_path / "first.csv", [("A100", "12/03/2024", "\x00" * 40), ("A101", "12/03/2024", "\x1b[2J\x07")])
    second = _csv(tmp_path / "second.csv", [("A100", "12/03/2024", REPORT)])
    jsonl = tmp_path / "nul.jsonl"
    jsonl.write_text(json.dumps({"accession": "A102", "text": "\u0000\u0000\u0000"}) + "\n", encoding="utf-8")
    with _store(tmp_path) as store:
        one = _ingest(tmp_path, store, first)
        assert store.count("reports") == 0
        assert one.skipped == [("reports export (.csv) row 2", one.skipped[0][1]),
                               ("reports export (.csv) row 3", one.skipped[1][1])]
        assert all("control characters" in reason for _, reason in one.skipped)
        two = _ingest(tmp_path, store, second)
        three = _ingest(tmp_path, store, jsonl)
        [(study_id, text)] = store.con.execute("SELECT study_id, text FROM reports").fetchall()
    assert (two.ingested, two.already_stored, study_id) == (1, 0, 1) and "Pouteau-Colles" in text
    assert three.ingested == 0 and three.skipped[0][0] == "reports export (.jsonl) line 1"


def test_txt_report_with_escapes_is_cleaned(tmp_path):
    folder = tmp_path / "cr"
    folder.mkdir()
    (folder / "CR_A100.txt").write_text("N° d'examen : A100\n\x1b]0;pwned\x07" + REPORT, encoding="utf-8")
    (folder / "CR_A101.txt").write_bytes(b"\x1b[2J\x1b[H\x07\x1b]0;x\x07\n")  # nothing but escapes
    result = read_reports(folder)
    [report] = result.reports
    assert "\x1b" not in report.text and "pwned" not in report.text and "Pouteau-Colles" in report.text
    assert result.skipped == [("report file 2 (.txt)", result.skipped[0][1])]


# ---- 13. UTF-16 / UTF-32 -----------------------------------------------------------------------
ROWS = [("A100", "12/03/2024", "Fracture déplacée du radius — « bascule » postérieure, ’apostrophe’."),
        ("A101", "13/03/2024", "Gonarthrose fémoro-tibiale médiale.")]


@pytest.mark.parametrize("encoding, name", [
    ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be"), ("utf-16", "utf-16"),
    ("utf-32-le", "utf-32-le"), ("utf-32-be", "utf-32-be"), ("utf-32", "utf-32")])
def test_wide_csv_with_or_without_bom(tmp_path, encoding, name):
    result = read_reports_csv(_csv(tmp_path / "export.csv", ROWS, encoding))
    assert [(r.accession_number, r.report_date, r.text) for r in result] == [
        (a, parse_report_date(d), t) for a, d, t in ROWS]
    assert result.encoding == name and result.skipped == []


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16", "utf-32"])
def test_wide_jsonl_and_txt(tmp_path, encoding):
    lines = [json.dumps({"accession": a, "date": d, "text": t}, ensure_ascii=False) for a, d, t in ROWS]
    (tmp_path / "export.jsonl").write_bytes(("\n".join(lines) + "\n").encode(encoding))
    result = read_reports_jsonl(tmp_path / "export.jsonl")
    assert [r.text for r in result] == [t for _, _, t in ROWS] and result.skipped == []
    folder = tmp_path / "cr"
    folder.mkdir()
    (folder / "CR_A100").write_bytes(("N° d'examen : A100\n" + ROWS[0][2]).encode(encoding))  # no suffix
    (folder / "export").write_bytes(("\n".join(lines) + "\n").encode(encoding))  # JSONL without suffix
    folder_result = read_reports(folder)
    assert folder_result.skipped == [] and len(folder_result) == 3
    [txt] = [r for r in folder_result if r.text.startswith("N° d'examen")]
    assert txt.accession_number == "A100" and txt.text.endswith(ROWS[0][2])


def test_header_in_unrecognised_utf16_fails_with_the_encoding_named(tmp_path):
    # a UTF-16 header (no BOM) over rows appended in UTF-8: neither reading fits the whole file
    path = tmp_path / "export.csv"
    rows = "".join(f"A{100 + i};12/03/2024;Pas de fracture, pas de luxation.\n" for i in range(80))
    path.write_bytes("accession_number;report_date;text\n".encode("utf-16-le") + rows.encode("utf-8"))
    with pytest.raises(ReportFileError) as err:
        read_reports_csv(path)
    assert "UTF-16" in str(err.value) and "utf-8" in str(err.value) and "export.csv" in str(err.value)
    assert "fracture" not in str(err.value)


def test_truncated_utf16_without_bom_is_read(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("accession_number;report_date;text\nA100;12/03/2024;Pas de fracture.\n".encode("utf-16-le")[:-1])
    result = read_reports_csv(path)
    assert [r.text for r in result] == ["Pas de fracture."] and result.encoding == "utf-16-le"


def test_utf8_and_cp1252_are_not_mistaken_for_wide_encodings():
    assert decode_report_bytes("Fracture déplacée.".encode("utf-8")) == ("Fracture déplacée.", "utf-8")
    assert decode_report_bytes("Fracture déplacée.".encode("cp1252")) == ("Fracture déplacée.", "cp1252")


def test_a_blank_report_stored_by_an_older_version_gives_way_to_the_real_one(tmp_path):
    pytest.importorskip("spacy")
    second = _csv(tmp_path / "second.csv", [("A100", "12/03/2024", REPORT)])
    with _store(tmp_path) as store:
        store.insert_reports([dict(report_id=1, study_id=1, text="\x00" * 40)])
        summary = _ingest(tmp_path, store, second)
        [(text,)] = store.con.execute("SELECT text FROM reports").fetchall()
    assert summary.blank_reports_removed == 1 and summary.ingested == 1 and "Pouteau-Colles" in text
