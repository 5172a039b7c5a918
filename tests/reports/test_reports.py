"""Reading the reports CSV export and splitting reports into sections."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bonesearch.errors import ReportFileError
from bonesearch.reports.records import RawReport, parse_report_date, read_reports_csv
from bonesearch.reports.sections import ReportSections, parse_sections, report_text_for_training

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
    assert first == RawReport("A001", dt.date(2024, 3, 12), REPORT, "reports export (.csv) row 2")
    assert [r.report_date for r in result] == [dt.date(2024, 3, 12)] * 3
    assert result.reports[1].text.startswith("Genou : gonarthrose, stade III")
    assert result.reports[2].source == "reports export (.csv) row 4"  # a record's row (header = row 1), not its line


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
    assert result.reports[0] == RawReport("X9", dt.date(2023, 5, 6), "Pas de fracture.", "reports export (.csv) row 2")


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
    assert [r.report_date for r in result] == [None, None] and result.undated == ["reports export (.csv) row 2"]


def test_empty_rows_skipped_and_counted(tmp_path):
    path = _write(tmp_path, "accession_number,report_date,text\n"
                            ",2024-01-01,Texte sans accession\n"
                            "A2,2024-01-01,\n"
                            "\n"
                            "A3,2024-01-01,   \n"
                            "A4,2024-01-01,Bon texte\n")
    result = read_reports_csv(path)
    assert [r.accession_number for r in result] == ["A4"]
    assert result.skipped == [("reports export (.csv) row 2", "empty accession number"), ("reports export (.csv) row 3", "empty report text"),
                              ("reports export (.csv) row 5", "empty report text")]
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


@pytest.mark.parametrize("text, expected", [
    # 1. all caps, no colons, headings alone on their lines
    ("RADIOGRAPHIE DU BASSIN\nRENSEIGNEMENTS CLINIQUES\nDouleur de hanche.\nINCIDENCES\nBassin de face.\n"
     "DESCRIPTION\nPincement coxo-fémoral.\nEN CONCLUSION\nCoxarthrose.",
     ("Douleur de hanche.", "Bassin de face.", "Pincement coxo-fémoral.", "Coxarthrose.")),
    # 2. numbered headings
    ("1. Indication : traumatisme.\n2. Technique : face, profil.\n3. Résultats : fracture de Monteggia.\n"
     "4. Conclusion : fracture-luxation de Monteggia.",
     ("traumatisme.", "face, profil.", "fracture de Monteggia.", "fracture-luxation de Monteggia.")),
    # 3. roman numerals and dashes
    ("I - HISTOIRE CLINIQUE\nChute à vélo.\nII - PROTOCOLE\nÉpaule face.\nIII - ANALYSE\nFracture de la clavicule.\n"
     "IV - SYNTHÈSE\nFracture du tiers moyen de la clavicule.",
     ("Chute à vélo.", "Épaule face.", "Fracture de la clavicule.", "Fracture du tiers moyen de la clavicule.")),
    # 4. dotted leaders and underscored rules from a word-processor template
    ("Motif ........................ : entorse\n____________________\nTechnique ......... : cheville F+P\n"
     "Compte rendu ...... : pas de fracture des malléoles.\n____________________\nAvis ........ : entorse simple.",
     ("entorse", "cheville F+P", "pas de fracture des malléoles.", "entorse simple.")),
    # 5. page markers and a signature block after the conclusion
    ("Indication : bilan.\nRésultats : gonarthrose fémoro-tibiale interne.\nPage 1/2\n"
     "Stade III de Kellgren-Lawrence.\n- 2 -\nInterprétation : gonarthrose évoluée.\n\nDr Jean MARTIN\n"
     "Compte rendu validé électroniquement",
     ("bilan.", "", "gonarthrose fémoro-tibiale interne. Stade III de Kellgren-Lawrence.", "gonarthrose évoluée.")),
    # 6. inline headings on one line
    ("Renseignements cliniques : boiterie. Technique : bassin. Constatations : épiphysiolyse. Conclusion : épiphysiolyse "
     "fémorale supérieure.", ("boiterie.", "bassin.", "épiphysiolyse.", "épiphysiolyse fémorale supérieure.")),
    # 7. bullets and markdown-like headings
    ("• Indication : douleur.\n• Incidences : main F + 3/4.\n## Résultats\nRhizarthrose.\n## Conclusion\n"
     "Rhizarthrose évoluée.", ("douleur.", "main F + 3/4.", "Rhizarthrose.", "Rhizarthrose évoluée.")),
    # 8. accents missing, lower case, no technique
    ("motif: chute\nresultats: fracture du scaphoide\nconclusion: fracture du scaphoide carpien",
     ("chute", "", "fracture du scaphoide", "fracture du scaphoide carpien")),
    # 9. "Question posée" / "Examen réalisé" / "Commentaires" / "Impression"
    ("Question posée : fracture ?\nExamen réalisé : poignet F/P.\nCommentaires : trait de Pouteau-Colles.\n"
     "Impression : fracture non déplacée.\nFait à Lyon, le 12 mars 2024",
     ("fracture ?", "poignet F/P.", "trait de Pouteau-Colles.", "fracture non déplacée.")),
    # 10. a title line, then "Contexte clinique", "Modalités", "Observations", "Conclusions"
    ("COMPTE RENDU RADIOLOGIQUE\nContexte clinique - entorse de Lisfranc ?\nModalités - pied F+3/4.\n"
     "Observations - diastasis C1-M2.\nConclusions - lésion de Lisfranc.\nCordialement,\nDr A. DURAND",
     ("entorse de Lisfranc ?", "pied F+3/4.", "diastasis C1-M2.", "lésion de Lisfranc.")),
    # 11. heading with a qualifier and "Description" after a patient header
    ("Patient : [PATIENT] — IPP [ID]\nIndication clinique : maladie d'Osgood-Schlatter ?\nDescription :\n"
     "Fragmentation de la tubérosité tibiale antérieure.\nConclusion de l'examen : Osgood-Schlatter.",
     ("maladie d'Osgood-Schlatter ?", "", "Fragmentation de la tubérosité tibiale antérieure.", "Osgood-Schlatter.")),
])
def test_sections_on_varied_layouts(text, expected):
    s = parse_sections(text)
    assert (s.indication, s.technique, s.findings, s.conclusion) == expected
    for debris in ("....", "____", "Page 1/2", "- 2 -"):
        assert debris not in s.other + s.findings + s.conclusion


def test_signature_block_goes_to_other_not_conclusion():
    s = parse_sections("Conclusion : tendinopathie du tendon d'Achille.\nDr Jean MARTIN\nCompte rendu validé électroniquement")
    assert s.conclusion == "tendinopathie du tendon d'Achille."
    assert s.other == "Dr Jean MARTIN Compte rendu validé électroniquement"


def test_institution_line_is_not_a_heading():
    s = parse_sections("Clinique des Lilas - Service de radiologie\nAvis orthopédique demandé.\nConclusion : normal.")
    assert s.indication == "" and s.conclusion == "normal."
    assert s.other == "Clinique des Lilas - Service de radiologie Avis orthopédique demandé."


# ---- linking reports to studies -----------------------------------------------------------------
from types import SimpleNamespace  # noqa: E402

from bonesearch.deid.key import PseudonymKey  # noqa: E402
from bonesearch.store import Store  # noqa: E402
from indexer.reports_ingest import ReportContext, StudyIndex, ingest_reports, link_report  # noqa: E402

KEY = PseudonymKey.for_demo(7)
DAY = dt.date(2024, 3, 12)
# (patient id, accession number or None, real study date)
STUDIES = [
    ("00451234", "A100", DAY),  # 1
    ("00451234", None, DAY + dt.timedelta(days=40)),  # 2: no accession, reachable by patient + date only
    ("00777001", "A300", DAY - dt.timedelta(days=2)),  # 3 ┐ equally near DAY: a tie
    ("00777001", "A400", DAY + dt.timedelta(days=2)),  # 4 ┘
    ("00999999", "A500", DAY),  # 5: never gets a report
]


def _store(tmp_path: Path) -> Store:
    store = Store.create(tmp_path / "store")
    for study_id, (patient, accession, date) in enumerate(STUDIES, start=1):
        store.con.execute("INSERT INTO studies VALUES (?, ?, ?, ?, ?, 'CR', 'KNEE', 600, 'F')", [
            study_id, KEY.uid(f"study-{study_id}"), KEY.pseudonym("patient", patient),
            KEY.pseudonym("accession", accession) if accession else None, KEY.shift_date(patient, date)])
    return store


def _report(accession="", patient="", date=None, source="reports export (.csv) row 2") -> RawReport:
    return RawReport(accession, date, "Conclusion : pas de fracture.", source, patient)


@pytest.mark.parametrize("report, study_id, how", [
    (_report("A100"), 1, "accession"),
    (_report("a-100"), 1, "accession"),  # case and separators differ between RIS and PACS
    (_report("", "00451234", DAY + dt.timedelta(days=38)), 2, "patient+date"),  # nearest within ±7 days
    (_report("UNKNOWN", "00451234", DAY + dt.timedelta(days=3)), 1, "patient+date"),  # accession falls back
    (_report("", "00451234", DAY + dt.timedelta(days=7)), 1, "patient+date"),  # the window's edge is inside
])
def test_link_report(tmp_path, report, study_id, how):
    with _store(tmp_path) as store:
        link = link_report(report, KEY, StudyIndex.load(store))
    assert (link.study_id, link.how, link.reason) == (study_id, how, "")


@pytest.mark.parametrize("report, window, reason", [
    (_report("", "00451234", DAY + dt.timedelta(days=25)), 7,
     "no accession number; no study of this patient within ±7 days of the report date (nearest 15 days away)"),
    (_report("", "00777001", DAY), 7,
     "no accession number; 2 studies of this patient are equally near the report date (2 days); "
     "add the accession number to link it"),
    (_report("A999", "", DAY), 7, "accession number matches no study; no patient id to link by patient and date"),
    (_report("", "00000042", DAY), 7, "no accession number; no study of this patient in the store"),
    (_report("", "00451234", None), 7, "no accession number; no report date to pick among the patient's studies"),
    (_report("", "00451234", DAY + dt.timedelta(days=25)), 30, None),  # a wider window reaches study 2
])
def test_unlinked_reports_say_why(tmp_path, report, window, reason):
    with _store(tmp_path) as store:
        link = link_report(report, KEY, StudyIndex.load(store), window_days=window)
    if reason is None:
        assert link.study_id == 2
    else:
        assert (link.study_id, link.reason) == (None, reason)
        assert "00451234" not in reason and "A999" not in reason


def test_ingest_reports_links_stores_and_reports_orphans_on_both_sides(tmp_path):
    pytest.importorskip("spacy")
    csv_path = tmp_path / "export.csv"
    csv_path.write_text(
        "accession_number;patient_id;report_date;text\n"
        'A100;00451234;12/03/2024;"Indication : chute.\nConclusion : fracture de Pouteau-Colles."\n'
        ";00451234;2024-04-20;Résultats : consolidation. Conclusion : pas de déplacement secondaire.\n"
        ";00777001;12/03/2024;Conclusion : normal.\n"
        "A999;;12/03/2024;Conclusion : normal.\n"
        ";;12/03/2024;Texte sans identifiant.\n", encoding="utf-8")
    summary = SimpleNamespace(reports_skipped=[], reports_orphan=0, reports_ingested=0, phi_replacements={})
    contexts = {KEY.pseudonym("accession", "A100"): ReportContext("00451234", "2.25.1", {"DUPONT^JEANNE"}, {"DUPONT^JEANNE"})}
    with _store(tmp_path) as store:
        result = ingest_reports(store, csv_path, KEY, contexts, summary, header_loader=dict)
        rows = store.con.execute("SELECT study_id, report_date, conclusion FROM reports ORDER BY study_id").fetchall()
        again = ingest_reports(store, csv_path, KEY, contexts, summary, header_loader=dict)
        assert store.count("reports") == 2  # the rerun adds nothing
    assert rows == [(1, KEY.shift_date("00451234", DAY), "fracture de Pouteau-Colles."),
                    (2, KEY.shift_date("00451234", dt.date(2024, 4, 20)), "pas de déplacement secondaire.")]
    assert (result.read, result.ingested, result.linked_by_accession, result.linked_by_patient_date) == (4, 2, 1, 1)
    assert result.orphans == [
        ("reports export (.csv) row 4", "no accession number; 2 studies of this patient are equally near the report date "
                             "(2 days); add the accession number to link it"),
        ("reports export (.csv) row 5", "accession number matches no study; no patient id to link by patient and date")]
    assert result.skipped == [("reports export (.csv) row 6", "empty accession number and patient id")]
    assert result.studies_without_report == 3  # the two tied studies and the one never reported
    assert (again.ingested, again.already_stored, again.studies_without_report) == (0, 2, 3)
    assert summary.reports_ingested == 2 and summary.reports_orphan == 4
    shown = repr(result)
    for identifier in ("00451234", "00777001", "A100", "A999", str(tmp_path)):
        assert identifier not in shown


def test_orphan_reasons_are_grouped_without_numbers():
    from indexer.reports_ingest import ReportsSummary

    summary = ReportsSummary(orphans=[("reports export (.csv) row 2", "no accession number; no study of this patient within ±7 days of "
                                                      "the report date (nearest 15 days away)"),
                                      ("reports export (.csv) row 3", "no accession number; no study of this patient within ±7 days of "
                                                      "the report date (nearest 9 days away)"),
                                      ("reports export (.csv) row 4", "no accession number; no study of this patient in the store")])
    assert summary.orphan_reasons() == {
        "no accession number; no study of this patient in the store": 1,
        "no accession number; no study of this patient within ±N days of the report date (nearest N days away)": 2}


@pytest.mark.parametrize("signature", ["Dr Michèle BOUVET — validé le 2016-02-09.", "Dr A. Durand, radiologue",
                                       "Pr LEFÈVRE - signé électroniquement", "Docteur Jean MARTIN"])
def test_a_signature_line_with_its_validation_is_not_part_of_the_conclusion(signature):
    sections = parse_sections(f"RADIOGRAPHIE DU GENOU\nCONCLUSION : Gonarthrose interne, KL III.\n{signature}")
    assert sections.conclusion == "Gonarthrose interne, KL III."
    assert signature.split()[1] in sections.other


def test_a_doctor_named_inside_the_conclusion_sentence_stays():
    assert parse_sections("Conclusion : fracture du radius. Dr Martin a été prévenu.").conclusion == (
        "fracture du radius. Dr Martin a été prévenu.")
