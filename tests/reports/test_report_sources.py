"""Reading reports from whatever the hospital exported: PDF, .txt in any encoding, JSONL, CSV, mixed folders."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

fpdf = pytest.importorskip("fpdf")  # fpdf2 builds the test PDFs

from bonesearch.errors import ReportFileError  # noqa: E402
from bonesearch.reports.sections import parse_sections  # noqa: E402
from bonesearch.reports.sources import file_label, header_fields, read_reports  # noqa: E402
from bonesearch.reports.text import decode_report_bytes, repair_mojibake  # noqa: E402

LETTERHEAD = ("CENTRE HOSPITALIER SAINT-ÉLOI - Service d'imagerie médicale", "Tél. secrétariat 04 67 33 00 00")
FOOTER = "80 avenue Augustin Fliche, 34295 Montpellier Cedex 5"


class _Template(fpdf.FPDF):
    """A hospital's report template: letterhead on top of every page, address and page number at the bottom."""

    def header(self) -> None:
        self.set_font("Helvetica", "B", 11)
        for line in LETTERHEAD:
            self.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        self.ln(4)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 5, f"{FOOTER} - Page {self.page_no()}/{{nb}}", align="C")


def _pdf(path: Path, pages: list[str], template: bool = True) -> Path:
    pdf = _Template() if template else fpdf.FPDF()
    for text in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 6, text)
    path.write_bytes(bytes(pdf.output()))
    return path


PAGE_1 = """Patient : M. Jean DUPONT   IPP : 00451234
N° d'examen : A0451234
Examen du 12/03/2024
RADIOGRAPHIE DU POIGNET GAUCHE

Indication : chute de sa hauteur, douleur du poignet.
Technique : face et profil.
Résultats : fracture déplacée, épanchement, à noter une bascule postérieure."""
PAGE_2 = """Pas de fracture du scaphoïde.
Conclusion : fracture de Pouteau-Colles.
Dr Paul MARTIN"""


# ---- PDF -------------------------------------------------------------------------------------
def test_two_page_pdf_loses_its_template_and_keeps_the_report(tmp_path):
    result = read_reports(_pdf(tmp_path / "compte_rendu.pdf", [PAGE_1, PAGE_2]))
    assert result.skipped == [] and result.encoding == "pdf"
    [report] = result.reports
    assert (report.accession_number, report.patient_id, report.report_date) == ("A0451234", "00451234", dt.date(2024, 3, 12))
    text = report.text
    # the patient's header lines stay: the de-identifier reads them (and finds the names there)
    assert text.startswith("Patient : M. Jean DUPONT") and "fracture déplacée, épanchement, à noter" in text
    for template in ("SAINT-ÉLOI", "secrétariat", "Augustin Fliche", "Page 1", "Page 2"):
        assert template not in text
    assert result.template_lines_removed == 2 * 3  # two letterhead lines and one footer, on each page
    sections = parse_sections(text)
    assert sections.findings == "fracture déplacée, épanchement, à noter une bascule postérieure. Pas de fracture du scaphoïde."
    assert sections.conclusion == "fracture de Pouteau-Colles." and "Dr Paul MARTIN" in sections.other


def test_folder_of_single_page_pdfs_shares_one_template(tmp_path):
    folder = tmp_path / "cr"
    folder.mkdir()
    bodies = [("RX1001", "Genou : pincement fémoro-tibial médial.\nCONCLUSION\nPas de fracture."),
              ("RX1002", "Cheville : pas de lésion osseuse.\nCONCLUSION\nPas de fracture."),
              ("RX1003", "Main : arthrose trapézo-métacarpienne.\nCONCLUSION\nPas de fracture."),
              ("RX1004", "Hanche : coxarthrose débutante.\nCONCLUSION\nPas de fracture.")]
    for acc, body in bodies:
        _pdf(folder / f"{acc}.pdf", [f"N° d'examen : {acc}\n{body}"])
    result = read_reports(folder)
    assert [r.accession_number for r in result] == [acc for acc, _ in bodies]
    for report, (_, body) in zip(result, bodies):
        # a letterhead on a single page is found because every PDF of the folder has it; the shared
        # heading and the shared normal conclusion are content and stay
        assert "SAINT-ÉLOI" not in report.text and FOOTER not in report.text
        assert report.text.endswith(body.replace("\n", "\n")) and "CONCLUSION\nPas de fracture." in report.text


def test_unusable_pdfs_are_skipped_with_reasons(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    good = _pdf(folder / "RX2001.pdf", ["N° d'examen : RX2001\nConclusion : pas de fracture."])
    (folder / "truncated.pdf").write_bytes(good.read_bytes()[:400])
    scan = fpdf.FPDF()
    scan.add_page()
    scan.rect(10, 10, 100, 150)
    (folder / "scan.pdf").write_bytes(bytes(scan.output()))
    locked = fpdf.FPDF()
    locked.add_page()
    locked.set_font("Helvetica")
    locked.cell(0, 10, "Conclusion : normal.")
    locked.set_encryption(owner_password="owner", user_password="user")
    (folder / "locked.pdf").write_bytes(bytes(locked.output()))
    result = read_reports(folder)
    assert [r.accession_number for r in result] == ["RX2001"]
    reasons = dict(result.skipped)
    assert "password-protected" in reasons["report file 2 (.pdf)"]
    assert "without a text layer" in reasons["report file 3 (.pdf)"]
    assert "damaged PDF" in reasons["report file 4 (.pdf)"]


# ---- .txt and encodings -----------------------------------------------------------------------
ACCENTED = "Résultats : fracture déplacée, épanchement, à noter. Conclusion : arthrose de la hanche, cœur normal’."


@pytest.mark.parametrize("encoding, expected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"),
                                                ("utf-16", "utf-16")])
def test_txt_encodings_are_detected(tmp_path, encoding, expected):
    path = tmp_path / "RX3001.txt"
    path.write_bytes(f"IPP : 778899\n{ACCENTED}\n".encode(encoding))
    result = read_reports(path)
    assert result.encoding == expected and result.reports[0].text == f"IPP : 778899\n{ACCENTED}"


def test_latin1_txt_reads_right(tmp_path):
    text = "Examen du 3 février 2023\nGenou : épanchement, ostéophytes fémoro-patellaires. Âge osseux normal."
    path = tmp_path / "RX3002.txt"
    path.write_bytes(text.encode("latin-1"))
    [report] = read_reports(path).reports
    assert report.text == text and report.report_date == dt.date(2023, 2, 3)


def test_strict_rule_on_french_text():
    sample = "fracture déplacée, épanchement, à noter"
    for encoding in ("utf-8", "cp1252", "latin-1"):
        assert decode_report_bytes(sample.encode(encoding))[0] == sample
    assert decode_report_bytes("l’œdème – 5 €".encode("cp1252")) == ("l’œdème – 5 €", "cp1252")
    assert decode_report_bytes(b"fracture du f\xe9mur \x81") == ("fracture du fémur \x81", "latin-1")


def test_double_encoded_utf8_is_repaired():
    mojibake = "fracture dÃ©placÃ©e, Ã  noter, lâ€™Å“dÃ¨me, 90Â°"  # "Ã" + no-break space became a plain one
    assert repair_mojibake(mojibake) == ("fracture déplacée, à noter, l’œdème, 90°", 7)
    assert repair_mojibake("Ã\u00a0 droite")[0] == "à droite"
    text, encoding = decode_report_bytes(mojibake.encode("utf-8"))
    assert text == "fracture déplacée, à noter, l’œdème, 90°" and "repaired" in encoding
    assert repair_mojibake("Âge osseux, Ça va, ÉTÉ") == ("Âge osseux, Ça va, ÉTÉ", 0)


def test_txt_folder_identifiers_and_skips(tmp_path):
    folder = tmp_path / "reports"
    patient_folder = folder / "IPP00451234"  # folder names hold patient ids: they must never be shown
    patient_folder.mkdir(parents=True)
    (patient_folder / "CR_A0451234.txt").write_text("Radiographie du genou.\nConclusion : gonarthrose.", encoding="utf-8")
    (patient_folder / "suite.txt").write_text(
        "N° patient : 00451234\nRadiographie réalisée le 12/03/2024\nIndication : contrôle\n"
        "Comparaison avec l'examen du 01/01/2020.\nConclusion : consolidation.", encoding="cp1252")
    (folder / "vide.txt").write_bytes(b"  \r\n")
    (folder / "sans_id.txt").write_text("Pas de fracture.", encoding="utf-8")
    (folder / "scan.docx").write_bytes(b"PK\x03\x04 not a report")
    (folder / "junk.txt").write_bytes(b"\x00\x01\x02binary")
    (folder / ".DS_Store").write_bytes(b"\x00\x00")
    result = read_reports(folder)
    by_source = {r.source: r for r in result}
    # sorted walk: junk, sans_id, scan, vide, then the subfolder (IPP…/CR_A…, IPP…/suite)
    first, second = by_source["report file 5 (.txt)"], by_source["report file 6 (.txt)"]
    assert (first.accession_number, first.patient_id, first.report_date) == ("A0451234", "", None)
    assert (second.accession_number, second.patient_id, second.report_date) == ("", "00451234", dt.date(2024, 3, 12))
    assert dict(result.skipped) == {
        "report file 1 (.txt)": "binary content, not a text report (or UTF-16 whose byte order could not be told: "
                                "re-export it as UTF-8); reports are .txt, .pdf, .csv or .jsonl",
        "report file 2 (.txt)": "no accession number (N° d'examen line or file name) and no patient id (IPP line); "
                                "name the file after the accession number",
        "report file 3 (.docx)": "not a report file; reports are .txt, .pdf, .csv or .jsonl",
        "report file 4 (.txt)": "empty file; re-export the report or remove the file",
    }
    assert result.encoding == "mixed" and result.encodings == {"utf-8": 2, "cp1252": 1}
    shown = repr([(r.source, r.patient_id and "") for r in result] + result.skipped + result.undated)
    assert "IPP00451234" not in shown and "0451234" not in shown and str(tmp_path) not in shown


@pytest.mark.parametrize("text, stem, expected", [
    ("Patient : Mme Anne LEROY - IPP : 00987654\nDate d'examen : 05/06/2023\nAccession : RX-2023-0042", "x",
     ("RX-2023-0042", "00987654", "05/06/2023")),
    ("Numéro d'examen: 88123 | ID patient: P77\nExamen du 1er mars 2024", "", ("88123", "P77", "1er mars 2024")),
    ("NIP 123456\nRésultats : comparaison avec l'examen du 01/01/2020", "report-4471", ("4471", "123456", "")),
    ("Conclusion : normal.", "genou droit", ("", "", "")),
])
def test_header_fields(text, stem, expected):
    assert header_fields(text, stem) == expected


def test_file_labels_never_show_the_file_name():
    assert file_label("genou.txt", 2) == "report file 2 (.txt)"
    assert file_label("DUPONT_Jean_A0451234.PDF", 7) == "report file 7 (.pdf)"
    assert file_label("README", 1) == "report file 1 (no extension)"


# ---- JSONL and CSV ----------------------------------------------------------------------------
def test_jsonl_keys_and_bad_lines(tmp_path):
    lines = [
        json.dumps({"accession_number": "A1", "report_date": "2024-03-12", "text": "Fracture du radius."}, ensure_ascii=False),
        json.dumps({"accession": 4471, "patient_id": "00451234", "date": "12/03/2024", "text": "Épanchement."}, ensure_ascii=False),
        json.dumps({"IPP": "P9", "Date": None, "Texte": "Pas de fracture."}),
        "{not json",
        json.dumps(["A2", "texte"]),
        json.dumps({"accession": "A3", "text": 12}),
        json.dumps({"text": "Sans identifiant."}),
        "",
    ]
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = read_reports(path)
    assert [(r.accession_number, r.patient_id, r.report_date, r.text) for r in result] == [
        ("A1", "", dt.date(2024, 3, 12), "Fracture du radius."),
        ("4471", "00451234", dt.date(2024, 3, 12), "Épanchement."),
        ("", "P9", None, "Pas de fracture."),
    ]
    assert result.reports[1].source == "reports export (.jsonl) line 2"
    reasons = dict(result.skipped)
    assert reasons["reports export (.jsonl) line 4"].startswith("not valid JSON")
    assert reasons["reports export (.jsonl) line 5"].startswith("not a JSON object")
    assert reasons["reports export (.jsonl) line 6"] == 'no "text" string'
    assert reasons["reports export (.jsonl) line 7"] == "empty accession number and patient id"


def test_semicolon_csv_with_french_headers_and_patient_column(tmp_path):
    path = tmp_path / "export_ris.csv"
    path.write_bytes(("N° examen;IPP;Date d'examen;Compte rendu\r\n"
                      "RX1;00451234;12/03/2024;\"Indication : chute.\r\nConclusion : fracture déplacée.\"\r\n"
                      ";00451234;13/03/2024;Contrôle : pas de déplacement secondaire.\r\n"
                      ";;14/03/2024;Texte orphelin.\r\n").encode("cp1252"))
    result = read_reports(path)
    assert result.encoding == "cp1252"
    assert [(r.accession_number, r.patient_id, r.report_date) for r in result] == [
        ("RX1", "00451234", dt.date(2024, 3, 12)), ("", "00451234", dt.date(2024, 3, 13))]
    assert result.reports[0].text == "Indication : chute.\nConclusion : fracture déplacée."
    assert result.skipped == [("reports export (.csv) row 4", "empty accession number and patient id")]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_an_export_named_after_a_patient_is_never_named_in_row_labels(tmp_path, suffix):
    path = tmp_path / f"CR_DUPONTEL_Marguerite{suffix}"
    path.write_text("accession_number,text\nA1,Pas de fracture.\n,Texte orphelin.\n" if suffix == ".csv"
                    else '{"accession_number": "A1", "text": "Pas de fracture."}\n{"text": "Texte orphelin."}\n')
    result = read_reports(path)
    labels = [r.source for r in result] + [label for label, _ in result.skipped]
    assert len(labels) == 2 and not any("DUPONTEL" in label or "Marguerite" in label for label in labels)
    assert all(label.startswith(f"reports export ({suffix})") for label in labels)


def test_csv_needs_text_and_an_identifier(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("date;texte\n2024-01-01;Pas de fracture.\n", encoding="utf-8")
    with pytest.raises(ReportFileError, match=r"missing required column\(s\) accession_number \(or patient_id\)"):
        read_reports(path)


def test_folder_mixes_txt_pdf_and_exports(tmp_path):
    folder = tmp_path / "mix"
    folder.mkdir()
    _pdf(folder / "RX5001.pdf", ["Conclusion : fracture de Monteggia."])
    (folder / "RX5002.txt").write_text("Conclusion : maladie d'Osgood-Schlatter.", encoding="utf-8")
    (folder / "extra.jsonl").write_text(json.dumps({"accession": "RX5003", "text": "Lisfranc."}) + "\n", encoding="utf-8")
    (folder / "broken.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    result = read_reports(folder)
    assert sorted(r.accession_number for r in result) == ["RX5001", "RX5002", "RX5003"]
    [(label, reason)] = result.skipped
    assert label == "report file 3 (.csv)" and "report file 3 (.csv): missing required column" in reason
    assert "broken" not in reason
    assert str(folder) not in reason


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(ReportFileError, match="no such reports file or folder"):
        read_reports(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReportFileError, match="reports folder is empty"):
        read_reports(tmp_path / "empty")
