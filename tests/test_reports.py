"""Reading the reports CSV export and splitting reports into sections."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bonesearch.errors import ReportFileError
from bonesearch.reports import (RawReport, ReportSections, parse_report_date, parse_sections, read_reports_csv,
                                report_text_for_training)

REPORT = "Indication : chute.\nRésultats : fracture du radius distal, déplacée.\nConclusion : fracture de Pouteau-Colles."


def _write(tmp_path: Path, content: str, encoding: str = "utf-8", name: str = "reports.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    return path


# ---- CSV -----------------------------------------------------------------------------------
def test_utf8_multiline_quoted_text(tmp_path):
    path = _write(tmp_path, 'accession_number,report_date,text\n'
                            f'A001,2024-03-12,"{REPORT}"\n'
                            'A002,12/03/2024,"Genou : gonarthrose, stade III de Kellgren-Lawrence."\n'
                            'A003,20240312,"Pas de fracture, pas de luxation."\n')
    result = read_reports_csv(path)
    assert len(result) == 3 and result.skipped == [] and result.encoding == "utf-8"
    first = result.reports[0]
    assert first == RawReport("A001", dt.date(2024, 3, 12), REPORT, "reports.csv:row 2")
    assert [r.report_date for r in result] == [dt.date(2024, 3, 12)] * 3
    assert result.reports[1].text.startswith("Genou : gonarthrose, stade III")
    assert result.reports[2].source == "reports.csv:row 4"  # a record's row (header = row 1), not its line


def test_cp1252_with_accents(tmp_path):
    text = "Épaule : luxation antéro-interne, lésion de Hill-Sachs. Créé à l'hôpital — « œdème »."
    path = _write(tmp_path, f'accession_number;report_date;text\r\nB7;03/01/2023;"{text}"\r\n', encoding="cp1252")
    result = read_reports_csv(path)
    assert result.encoding == "cp1252"
    assert result.reports[0].text == text and result.reports[0].accession_number == "B7"


def test_latin1_fallback(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("accession,text\nC1,fracture du f\xe9mur \x81\n".encode("latin-1"))
    result = read_reports_csv(path)
    assert result.encoding == "latin-1" and result.reports[0].text.startswith("fracture du fémur")


def test_bom_and_aliases_case_insensitive(tmp_path):
    path = _write(tmp_path, "\ufeffAccessionNumber,DATE,Texte\nX9,2023-05-06,Pas de fracture.\n")
    result = read_reports_csv(path)
    assert result.encoding == "utf-8-sig"
    assert result.reports[0] == RawReport("X9", dt.date(2023, 5, 6), "Pas de fracture.", "reports.csv:row 2")


@pytest.mark.parametrize("header", ["accession,date,report", "Accession Number;Report Date;Report Text",
                                    "ACCESSION_NUMBER\tREPORT_DATE\tTEXT", "numéro_examen,date_examen,compte_rendu"])
def test_header_aliases(tmp_path, header):
    sep = ";" if ";" in header else "\t" if "\t" in header else ","
    path = _write(tmp_path, f"{header}\nK1{sep}2022-01-02{sep}Texte du compte rendu.\n")
    [report] = read_reports_csv(path).reports
    assert (report.accession_number, report.report_date, report.text) == ("K1", dt.date(2022, 1, 2), "Texte du compte rendu.")


def test_date_column_optional_and_bad_dates_kept(tmp_path):
    path = _write(tmp_path, "accession_number,text\nA,texte\n")
    assert read_reports_csv(path).reports[0].report_date is None
    path = _write(tmp_path, "accession_number,report_date,text\nA,hier,texte\nB,,texte\n", name="b.csv")
    result = read_reports_csv(path)
    assert [r.report_date for r in result] == [None, None] and result.undated == ["b.csv:row 2"]


def test_empty_rows_skipped_and_counted(tmp_path):
    path = _write(tmp_path, "accession_number,report_date,text\n"
                            ",2024-01-01,Texte sans accession\n"
                            "A2,2024-01-01,\n"
                            "\n"
                            "A3,2024-01-01,   \n"
                            "A4,2024-01-01,Bon texte\n")
    result = read_reports_csv(path)
    assert [r.accession_number for r in result] == ["A4"]
    assert result.skipped == [("reports.csv:row 2", "empty accession number"), ("reports.csv:row 3", "empty report text"),
                              ("reports.csv:row 5", "empty report text")]
    assert "Texte" not in repr(result.skipped)  # reasons never quote the report


def test_missing_column_error_names_file_and_column(tmp_path):
    path = _write(tmp_path, "accession_number,report_date,body_of_report\nA,2024-01-01,x\n", name="export.csv")
    with pytest.raises(ReportFileError) as err:
        read_reports_csv(path)
    message = str(err.value)
    assert "export.csv" in message and "missing required column(s) text" in message
    assert "body_of_report" in message and "accession_number,report_date,text" in message


def test_headerless_file_error_does_not_echo_the_first_report(tmp_path):
    path = _write(tmp_path, "A0451234,2024-03-12,Mme Jeanne DUPONT : fracture du radius\n")
    with pytest.raises(ReportFileError, match="does not look like a header"):
        read_reports_csv(_write(tmp_path, "A0451234,Pas de fracture\n", name="b.csv"))
    with pytest.raises(ReportFileError) as err:
        read_reports_csv(path)
    message = str(err.value)
    assert "does not look like a header" in message and "accession_number,report_date,text" in message
    assert "DUPONT" not in message and "A0451234" not in message


def test_missing_or_empty_file(tmp_path):
    with pytest.raises(ReportFileError, match="no such reports file"):
        read_reports_csv(tmp_path / "absent.csv")
    with pytest.raises(ReportFileError, match="is empty"):
        read_reports_csv(_write(tmp_path, "  \n"))
    with pytest.raises(ReportFileError, match="folder"):
        read_reports_csv(tmp_path)


@pytest.mark.parametrize("value, expected", [("2024-03-12", dt.date(2024, 3, 12)), ("12/03/2024", dt.date(2024, 3, 12)),
                                             ("20240312", dt.date(2024, 3, 12)), ("2024-03-12 08:15:00", dt.date(2024, 3, 12)),
                                             ("2024-03-12T08:15", dt.date(2024, 3, 12)), ("31/02/2024", None), ("", None)])
def test_parse_report_date(value, expected):
    assert parse_report_date(value) == expected


# ---- sections ----------------------------------------------------------------------------
def test_sections_on_their_own_lines():
    text = """CHU - Service de radiologie
Radiographie du genou droit

INDICATION
Gonalgie.

Technique :
Face, profil, schuss.

RÉSULTATS :
Pincement   fémoro-tibial médial.
Pas de fracture.

Conclusion
Gonarthrose stade III de Kellgren-Lawrence."""
    s = parse_sections(text)
    assert s == ReportSections(indication="Gonalgie.", technique="Face, profil, schuss.",
                               findings="Pincement fémoro-tibial médial. Pas de fracture.",
                               conclusion="Gonarthrose stade III de Kellgren-Lawrence.",
                               other="CHU - Service de radiologie Radiographie du genou droit")


def test_sections_inline_and_variants():
    text = ("Motif : chute. Technique : face et profil. Description : fracture de Pouteau-Colles. "
            "Synthèse : fracture déplacée.")
    s = parse_sections(text)
    assert (s.indication, s.technique, s.findings, s.conclusion) == (
        "chute.", "face et profil.", "fracture de Pouteau-Colles.", "fracture déplacée.")


@pytest.mark.parametrize("heading, field", [
    ("Renseignements cliniques :", "indication"), ("renseignements cliniques", "indication"),
    ("Indications -", "indication"), ("Motif de l'examen :", "indication"), ("Resultats:", "findings"),
    ("Compte rendu :", "findings"), ("COMPTE-RENDU", "findings"), ("Avis :", "conclusion"),
    ("SYNTHESE", "conclusion"), ("- Conclusion :", "conclusion"), ("En conclusion :", "conclusion"),
    ("Indication clinique :", "indication"), ("Technique d'examen :", "technique"),
    ("Conclusion de l'examen -", "conclusion"), ("Incidences :", "technique"),
])
def test_heading_variants(heading, field):
    s = parse_sections(f"En-tête\n{heading}\ncorps du texte")
    assert getattr(s, field) == "corps du texte" and s.other == "En-tête"


def test_words_that_are_not_headings():
    text = "Résultats : Avis orthopédique souhaité. Compte rendu validé par le Dr X.\nIncidences de Judet normales."
    s = parse_sections(text)
    assert s.findings == text[len("Résultats : "):].replace("\n", " ") and s.conclusion == ""


def test_no_headings_goes_to_other_and_training_text_falls_back():
    s = parse_sections("  Fracture   du scaphoïde.\n\nPas de luxation. ")
    assert s.other == "Fracture du scaphoïde. Pas de luxation." and s.findings == ""
    assert report_text_for_training(s) == "Fracture du scaphoïde. Pas de luxation."


def test_report_text_for_training_modes():
    s = parse_sections("Entête\n" + REPORT)
    assert report_text_for_training(s) == "fracture du radius distal, déplacée. fracture de Pouteau-Colles."
    assert report_text_for_training(s, "full") == ("Entête chute. fracture du radius distal, déplacée. "
                                                   "fracture de Pouteau-Colles.")
    with pytest.raises(ValueError, match="findings\\+conclusion"):
        report_text_for_training(s, "everything")  # type: ignore[arg-type]


def test_signoff_footer_is_not_part_of_the_conclusion():
    text = (
        "Résultats :\nSignes de coxarthrose débutante.\n\nConclusion : Signes de coxarthrose gauche.\n\n"
        "Compte rendu validé électroniquement par le Dr [NOM] le 5 novembre 2024.\nSecrétariat : [TEL] — [EMAIL]"
    )
    sections = parse_sections(text)
    assert sections.findings == "Signes de coxarthrose débutante."
    assert sections.conclusion == "Signes de coxarthrose gauche."
    assert "[TEL]" in sections.other and "[NOM]" in sections.other
