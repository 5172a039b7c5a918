"""`--reports PATH`: whatever the hospital exported, read into :class:`~bonesearch.reports.records.RawReport` records.

:func:`read_reports` picks the reader from what ``PATH`` is:

* a CSV (``.csv``/``.tsv``, or a file of another suffix that is neither PDF nor JSON lines) → :func:`~bonesearch.reports.records.read_reports_csv`;
* a JSONL file (``.jsonl``/``.ndjson``, or one whose first character is ``{``) → :func:`~bonesearch.reports.records.read_reports_jsonl`;
* a folder → every file in it, recursively: ``.txt`` reports and PDF reports (they may be
  mixed; a file without a suffix is read as text), and CSV/JSONL exports; anything else is
  skipped with its reason;
* a single ``.txt`` or ``.pdf`` report.

A ``.txt`` or PDF report has no columns: its accession number comes from an
"N° d'examen : …" / "Accession : …" line, else from the file name (``CR_A0451234.pdf``);
its patient id from an "IPP : …" / "N° patient : …" line; its date from a
"Date d'examen : …" / "Examen du …" line. PDF letterheads and footers are dropped
(:mod:`bonesearch.reports.pdf`); the rest of the text, header lines naming the patient
included, goes to the de-identifier untouched.

Files are named in skip reasons by base name and position, never by folder (folder names
often hold patient ids); a base name with a long number in it is shortened.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from bonesearch.errors import ReportFileError
from bonesearch.reports.pdf import PdfText, PdfTextError, extract_pdf_pages, folder_template, remove_template_lines
from bonesearch.reports.sections import HEADING_PATTERN, is_heading_line
from bonesearch.reports.records import RawReport, ReportsReadResult, read_reports_csv, read_reports_jsonl
from bonesearch.reports.text import clean_report_text, decode_report_bytes, sniff_wide_encoding

SUFFIX_KINDS = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".txt": "text",
                ".text": "text", ".pdf": "pdf"}
_SUPPORTED = ".txt, .pdf, .csv or .jsonl"

# ---- identifiers written in a report's header --------------------------------------------------

_ID_VALUE = r"[ \t]*[:#=]?[ \t]*(?=[\w\-/]*\d)(?P<value>[A-Za-z0-9][\w\-/]*)"
_NUMBER = r"(?:n[°ºo]|num(?:[ée]ro)?|no)\.?[ \t]*"
_ACCESSION_LINE = re.compile(
    rf"(?:{_NUMBER}(?:d['’][ \t]*|de[ \t]+l['’][ \t]*|de[ \t]+|du[ \t]+)?(?:examen|accession|dossier[ \t]+radiologique)"
    rf"|\baccession(?:[ \t]*(?:number|n[°ºo]|no|#))?|\bacc\.?[ \t]*n[°ºo])\b\.?{_ID_VALUE}",
    re.IGNORECASE,
)
_PATIENT_LINE = re.compile(
    rf"(?:\b(?:ipp|nip|mrn)\b|\bid(?:entifiant)?[ \t]+(?:du[ \t]+)?patient\b|\bpatient[ \t]+id\b"
    rf"|{_NUMBER}(?:de[ \t]+|du[ \t]+)?patient\b)\.?{_ID_VALUE}",
    re.IGNORECASE,
)
_DATE_VALUE = r"[ \t]*:?[ \t]*(?P<date>\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}(?:er)?[ \t]+[^\W\d_]+\.?[ \t]+\d{4})"
_LABELLED_DATE = re.compile(
    rf"\bdate[ \t]+(?:de[ \t]+l['’][ \t]*|d['’][ \t]*|du[ \t]+|de[ \t]+)?(?:examen|exam)\b{_DATE_VALUE}", re.IGNORECASE
)
# "Examen du …", "Radiographie réalisée le …": only in the header, before the first section heading,
# so "comparaison avec l'examen du …" (a prior exam) in the findings is not taken
_HEADER_DATE = re.compile(
    rf"(?<![\w'’])(?:examen[ \t]+(?:r[ée]alis[ée]e?[ \t]+)?(?:du|le)|r[ée]alis[ée]e?[ \t]+le){_DATE_VALUE}", re.IGNORECASE
)
_FILE_PREFIX = re.compile(r"^(?:crr?|compte[_\- ]?rendu|report|rapport)[_\- ]+", re.IGNORECASE)


def header_fields(text: str, file_stem: str = "") -> tuple[str, str, str]:
    """(accession number, patient id, exam date as written) found in a report's text; "" when absent.

    The accession number falls back to ``file_stem`` (without a "CR_"/"report-" prefix) when
    that holds a digit and no space.
    """
    accession = _ACCESSION_LINE.search(text)
    patient = _PATIENT_LINE.search(text)
    heading = next((m.start() for m in HEADING_PATTERN.finditer(text)), len(text))
    date = _LABELLED_DATE.search(text) or _HEADER_DATE.search(text, 0, heading)
    acc = accession.group("value").strip("-/") if accession else ""
    if not acc:
        stem = _FILE_PREFIX.sub("", file_stem)
        if re.fullmatch(r"[A-Za-z0-9][\w\-.]*", stem) and any(ch.isdigit() for ch in stem):
            acc = stem
    return acc, (patient.group("value").strip("-/") if patient else ""), (date.group("date") if date else "")


def file_label(name: str, number: int) -> str:
    """How a report file is named in reasons: its position in the sorted folder listing and its extension.

    Never the name itself: exports often name reports after the patient or the accession number.
    """
    suffix = Path(name).suffix.lower()[:8] or "no extension"
    return f"report file {number} ({suffix})"


# ---- readers -----------------------------------------------------------------------------------


def read_reports(path: Path) -> ReportsReadResult:
    """Read the reports at ``path``: a CSV, a JSONL, a folder of ``.txt``/PDF reports, or one such report.

    Raises :class:`ReportFileError` when ``path`` does not exist, or when a CSV/JSONL given
    directly cannot be used; inside a folder, every unusable file is skipped with its reason.
    """
    path = Path(path)
    if path.is_dir():
        return read_reports_folder(path)
    if not path.is_file():
        raise ReportFileError(f"{path}: no such reports file or folder; pass the CSV, JSONL or folder of "
                              f"reports exported with the images")
    kind = _kind(path, default="csv")
    if kind == "csv":
        return read_reports_csv(path)
    if kind == "jsonl":
        return read_reports_jsonl(path)
    return _read_documents([(path, 1)])


def _kind(path: Path, default: str | None) -> str | None:
    """The reader for ``path``: by suffix, else by its first bytes, else ``default``."""
    kind = SUFFIX_KINDS.get(path.suffix.lower())
    if kind:
        return kind
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError:
        return None
    if head.startswith(b"%PDF"):
        return "pdf"
    if decode_report_bytes(head)[0].lstrip("\ufeff \t\r\n").startswith("{"):  # UTF-16/32 JSONL too
        return "jsonl"
    return default


def read_reports_folder(folder: Path) -> ReportsReadResult:
    """Every report file under ``folder`` (sorted, recursive, hidden files skipped); see :func:`read_reports`."""
    folder = Path(folder)
    files = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files.extend(Path(root) / n for n in sorted(names) if not n.startswith("."))
    if not files:
        raise ReportFileError(f"{folder}: the reports folder is empty; put the .txt/.pdf reports (or the CSV/JSONL "
                              f"export) in it")
    result = ReportsReadResult(reports=[])
    documents = []
    for number, path in enumerate(files, start=1):
        kind = _kind(path, default="text" if not path.suffix else None)
        label = file_label(path.name, number)
        if kind in ("csv", "jsonl"):
            try:
                result.extend((read_reports_csv if kind == "csv" else read_reports_jsonl)(path))
            except ReportFileError as exc:  # name the file by its label, never its path or name
                result.skipped.append((label, str(exc).replace(str(path), label).replace(path.name, label)))
        elif kind in ("text", "pdf"):
            documents.append((path, number))
        else:
            result.skipped.append((label, f"not a report file; reports are {_SUPPORTED}"))
    result.extend(_read_documents(documents))
    return result


def _read_documents(documents: list[tuple[Path, int]]) -> ReportsReadResult:
    """``.txt`` and PDF reports; PDF template lines found across all of them are dropped."""
    result = ReportsReadResult(reports=[])
    texts: list[tuple[Path, str, str]] = []  # (path, label, text)
    pdfs: dict[str, PdfText] = {}
    for path, number in documents:
        label = file_label(path.name, number)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            result.skipped.append((label, f"cannot be read ({exc.strerror}); check its permissions"))
            continue
        if not raw.strip():
            result.skipped.append((label, "empty file; re-export the report or remove the file"))
        elif raw.startswith(b"%PDF") or path.suffix.lower() == ".pdf":
            try:
                pdfs[label] = extract_pdf_pages(raw)
                result.encodings["pdf"] += 1
                texts.append((path, label, ""))
            except PdfTextError as exc:
                result.skipped.append((label, str(exc)))
        elif b"\0" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) \
                and sniff_wide_encoding(raw) is None:
            result.skipped.append((label, f"binary content, not a text report (or UTF-16 whose byte order could not "
                                          f"be told: re-export it as UTF-8); reports are {_SUPPORTED}"))
        else:
            text, encoding = decode_report_bytes(raw)
            result.encodings[encoding] += 1
            texts.append((path, label, text))
    template = folder_template(list(pdfs.values()), is_heading=is_heading_line)
    for path, label, text in texts:
        raw_text = text
        if label in pdfs:
            raw_text = "\n".join(line for page in pdfs[label].pages for line in page)
            text, removed = remove_template_lines(pdfs[label], template)
            result.template_lines_removed += removed
        _add_document(result, path, label, raw_text, text)
    result.encoding = next(iter(result.encodings)) if len(result.encodings) == 1 else "mixed"
    return result


def _add_document(result: ReportsReadResult, path: Path, label: str, raw_text: str, text: str) -> None:
    """One ``.txt``/PDF report: identifiers from its full text (running headers included), body without template."""
    text = result.clean_text(label, text, empty_reason="no text once the page template is removed; check the export")
    if text is None:
        return
    accession, patient, date_text = header_fields(clean_report_text(raw_text)[0], path.stem)
    if not accession and not patient:
        result.skipped.append((label, "no accession number (N° d'examen line or file name) and no patient id "
                                      "(IPP line); name the file after the accession number"))
        return
    result.reports.append(RawReport(accession, result.read_date(label, date_text), text, label, patient))

