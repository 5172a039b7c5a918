"""Radiology reports as exported: the record type, text decoding, dates, CSV and JSONL exports.

Every reader of the hospital's reports (this module's tabular ones, and the ``.txt``/PDF
folder readers of :mod:`bonesearch.reports.sources`) yields :class:`RawReport` records in a
:class:`ReportsReadResult`, with the rows or files it could not use listed by a safe label
(``reports export (.csv) row 12``, ``report file 3 (.pdf)``) and the reason. Tabular exports may be in
whatever encoding and dialect the hospital's system wrote: UTF-8 with or without BOM, UTF-16
or UTF-32 with or without BOM, cp1252 or latin-1 (:func:`decode_report_bytes`), commas or
semicolons, multi-line quoted text of any length, French or English column names.

Every report's text is cleaned of control characters and terminal escapes
(:func:`~bonesearch.reports.text.clean_report_text`); one empty once cleaned, or longer than
:data:`MAX_REPORT_CHARS`, is skipped with its reason, and the others are read. A report date
outside the plausible window (a placeholder such as ``9999-12-31``) is dropped and counted.

Nothing here prints or raises report text: errors name the file, the row and the column.
Section parsing lives in :mod:`bonesearch.reports.sections`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from bonesearch.deid.dates import is_shiftable
from bonesearch.errors import ReportFileError
from bonesearch.reports.text import clean_report_text, decode_report_bytes

#: the longest report text kept (characters, once cleaned). A radiology report is a few thousand;
#: longer is an export error (reports merged into one field, a stray quote in a CSV) and would
#: cost seconds of de-identification. spaCy's own limit is 1,000,000.
MAX_REPORT_CHARS = 100_000
#: the csv module's field size limit while reading an export (its default, 131,072, rejected the
#: whole file for one long field); a field over MAX_REPORT_CHARS is then skipped alone
CSV_FIELD_LIMIT = 2**31 - 1

# ---- the record ----------------------------------------------------------------------------


@dataclass
class RawReport:
    """One report as exported, before de-identification (held in memory only)."""

    accession_number: str  # links the report to its DICOM study; "" when the export has none
    report_date: dt.date | None  # None when absent or unreadable
    text: str  # the report, line breaks kept
    source: str  # a safe label: "reports export (.csv) row 12", "report file 3 (.pdf)"; never a name or folder
    patient_id: str = ""  # the hospital's patient id (IPP), to link by patient + date; "" when unknown


@dataclass
class ReportsReadResult:
    """What a reader found: the usable reports and the rows or files it skipped.

    Iterating over it (or ``len``) goes over ``reports``.
    """

    reports: list[RawReport]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, reason), no report text
    encoding: str = "utf-8"  # the encoding the file was read with ("mixed" for a folder of several)
    undated: list[str] = field(default_factory=list)  # sources whose date could not be read
    encodings: Counter[str] = field(default_factory=Counter)  # files read per encoding
    template_lines_removed: int = 0  # PDF letterhead/footer lines dropped (see report_pdf)
    dates_out_of_range: list[str] = field(default_factory=list)  # sources whose date was a placeholder (9999-12-31…)
    reports_with_controls: int = 0  # reports whose control characters or terminal escapes were removed

    def __iter__(self) -> Iterator[RawReport]:
        return iter(self.reports)

    def __len__(self) -> int:
        return len(self.reports)

    def extend(self, other: "ReportsReadResult") -> None:
        """Add another file's result to this one (for folders)."""
        self.reports.extend(other.reports)
        self.skipped.extend(other.skipped)
        self.undated.extend(other.undated)
        self.encodings.update(other.encodings)
        self.template_lines_removed += other.template_lines_removed
        self.dates_out_of_range.extend(other.dates_out_of_range)
        self.reports_with_controls += other.reports_with_controls
        self.encoding = next(iter(self.encodings)) if len(self.encodings) == 1 else "mixed"

    def clean_text(self, source: str, text: str, *, empty_reason: str = "empty report text",
                   too_long_hint: str = "") -> str | None:
        """``text`` cleaned (:func:`clean_report_text`) and stripped; None, with the reason added to
        ``skipped``, when nothing is left or more than :data:`MAX_REPORT_CHARS` characters are."""
        text, removed = clean_report_text(text)
        text = text.strip()
        self.reports_with_controls += removed > 0
        if not text:
            self.skipped.append((source, "report text is empty once control characters and terminal escapes are "
                                         "removed (NUL bytes or escape codes only); re-export the report" if removed
                                 else empty_reason))
            return None
        if len(text) > MAX_REPORT_CHARS:
            self.skipped.append((source, f"report text is {len(text)} characters, over the {MAX_REPORT_CHARS}-character "
                                         f"limit for one report; " + (too_long_hint or "check that the export did not "
                                                                      "merge several reports into one")))
            return None
        return text

    def read_date(self, source: str, value: str) -> dt.date | None:
        """The report date written ``value``; None when absent, unreadable (counted in ``undated``) or a
        placeholder outside the plausible window (counted in ``dates_out_of_range``)."""
        date = _parse_any_date(value)
        if date is not None and not is_shiftable(date):
            self.dates_out_of_range.append(source)
            return None
        if date is None and (value or "").strip():
            self.undated.append(source)
        return date


# ---- dates ---------------------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%y")
_MONTHS = {"janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
           "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
           "janv": 1, "fevr": 2, "fev": 2, "avr": 4, "juil": 7, "sept": 9, "oct": 10, "nov": 11, "dec": 12}
_TEXT_DATE = re.compile(r"(\d{1,2})(?:er)?\s+([^\W\d_]+)\.?\s+(\d{4})")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def parse_report_date(value: str) -> dt.date | None:
    """A report date in YYYY-MM-DD, DD/MM/YYYY, YYYYMMDD or "1er mars 2024" (a time part is ignored); None if
    unreadable, or outside the plausible window (placeholders such as 9999-12-31, 0001-01-01)."""
    date = _parse_any_date(value)
    return date if date is not None and is_shiftable(date) else None


def _parse_any_date(value: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    words = _TEXT_DATE.fullmatch(value)
    if words:
        month = _MONTHS.get(_ascii(words.group(2)).lower())
        try:
            return dt.date(int(words.group(3)), month, int(words.group(1))) if month else None
        except ValueError:
            return None
    value = re.split(r"[ T]", value, maxsplit=1)[0]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


# ---- columns (CSV headers, JSONL keys) -------------------------------------------------------

# Accepted names, compared after lower-casing and dropping accents, spaces and punctuation
# ("Accession Number", "accession_number" and "AccessionNumber" are one name).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "accession_number": ("accessionnumber", "accession", "accessionno", "accessionnum", "accno", "acc",
                         "numeroaccession", "numaccession", "numeroexamen", "numexamen", "nexamen",
                         "numerodexamen", "ndexamen", "noexamen", "examid", "idexamen"),
    "patient_id": ("patientid", "ipp", "idpatient", "numeropatient", "numpatient", "npatient", "nopatient",
                   "numerodepatient", "ndepatient", "nip", "mrn", "pid", "patient"),
    "report_date": ("reportdate", "date", "studydate", "examdate", "dateexamen", "datedexamen", "datedelexamen",
                    "datecr", "datecompterendu", "daterapport", "dateexam"),
    "text": ("text", "texte", "report", "reporttext", "rapport", "compterendu", "cr", "textecompterendu",
             "contenu", "body"),
}
LINK_COLUMNS = ("accession_number", "patient_id")  # at least one is required, with text


def normalise_column(name: str) -> str:
    """A column or key name compared to :data:`COLUMN_ALIASES`: lower-case ASCII letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", _ascii(name.strip().lstrip("\ufeff")).lower())


def _canonical(names: list[str]) -> dict[str, int]:
    """canonical field → index of the first name that is one of its aliases."""
    found = {normalise_column(h): i for i, h in reversed(list(enumerate(names)))}
    columns: dict[str, int] = {}
    for canonical, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in found:
                columns[canonical] = found[alias]
                break
    return columns


def _record(result: ReportsReadResult, source: str, cells: dict[str, str], has_patient_field: bool,
            too_long_hint: str = "") -> None:
    """Add one row/line to ``result``: a report, or a skip with its reason."""
    accession = clean_report_text(cells.get("accession_number", ""))[0].strip()
    patient = clean_report_text(cells.get("patient_id", ""))[0].strip()
    if not accession and not patient:
        result.skipped.append((source, "empty accession number and patient id" if has_patient_field
                               else "empty accession number"))
        return
    body = result.clean_text(source, cells.get("text", ""), too_long_hint=too_long_hint)
    if body is None:
        return
    date = result.read_date(source, cells.get("report_date", ""))
    result.reports.append(RawReport(accession, date, body, source, patient))


def _decode_export(path: Path, raw: bytes) -> tuple[str, str]:
    """The text of a CSV/JSONL export and its encoding.

    Raises :class:`ReportFileError` when its first line (the CSV header, the first JSON record)
    still holds NUL characters once decoded: UTF-16/UTF-32 that could not be recognised (mixed
    with another encoding, or damaged), whose rows would otherwise all be lost to one another.
    """
    text, encoding = decode_report_bytes(raw)
    end = text.find("\n")
    if "\0" in (text if end < 0 else text[:end]):
        raise ReportFileError(
            f"{path}: its first line holds NUL bytes once read as {encoding}: the file is (partly) UTF-16 or UTF-32 "
            f"that could not be recognised, or not text; re-export it as UTF-8 (or UTF-16 with a byte-order mark)"
        )
    return text, encoding


def _read_bytes(path: Path, what: str) -> bytes:
    if not path.is_file():
        raise ReportFileError(
            f"{path}: no such reports file; pass the {what} exported with the images"
            + (" — this is a folder" if path.is_dir() else "")
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ReportFileError(f"{path}: cannot be read ({exc.strerror}); check its permissions") from None


# ---- CSV -----------------------------------------------------------------------------------


def _delimiter(text: str) -> str:
    """The delimiter used on the header line: ',' (default), ';', tab or '|'."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def export_label(path: Path) -> str:
    """How a tabular export's rows are named in summaries: by its extension, never its file name.

    The export's name is the hospital's choice (it may carry a patient's or a ward's name);
    row labels reach the ingest summary and ``STORE/ingest-report.json``.
    """
    return f"reports export ({path.suffix.lower() or 'no extension'})"


def read_reports_csv(path: Path) -> ReportsReadResult:
    """Read a reports CSV export.

    Column ``text`` is required with ``accession_number`` and/or ``patient_id``;
    ``report_date`` is optional. Common French and English names (``accession``, ``N° examen``,
    ``IPP``, ``date_examen``, ``compte_rendu``…) are accepted in any case; the delimiter
    (``,`` ``;`` tab ``|``) is sniffed from the header. Rows without an identifier or text are
    skipped and listed in ``result.skipped``. Raises :class:`ReportFileError` when the file is
    missing, unreadable, empty or lacks a required column.
    """
    path = Path(path)
    text, encoding = _decode_export(path, _read_bytes(path, "CSV (columns accession_number,report_date,text)"))
    if not text.strip():
        raise ReportFileError(f"{path}: the reports file is empty; expected a header accession_number,report_date,text")
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))  # process-wide; only ever raised
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader)
    except csv.Error as exc:
        raise ReportFileError(f"{path}: not a readable CSV ({exc})") from None
    columns = _map_columns(path, header)
    result = ReportsReadResult(reports=[], encoding=encoding, encodings=Counter({encoding: 1}))
    row_number = 1  # records, as a spreadsheet numbers them (header = row 1); a record may span lines
    first_line = reader.line_num + 1
    try:
        for row in reader:
            row_number += 1
            if any(cell.strip() for cell in row):  # else a blank line
                cells = {key: (row[i] if i < len(row) else "") for key, i in columns.items()}
                hint = (f"a stray double quote merges the rows after it into one field: check the quoting from "
                        f"line {first_line}")
                _record(result, f"{export_label(path)} row {row_number}", cells, "patient_id" in columns, hint)
            first_line = reader.line_num + 1
    except csv.Error as exc:
        raise ReportFileError(
            f"{path}: malformed CSV at row {row_number + 1} (line {reader.line_num}) ({exc}); check the quoting of "
            f"multi-line texts from line {first_line}"
        ) from None
    return result


def _map_columns(path: Path, header: list[str]) -> dict[str, int]:
    columns = _canonical(header)
    missing = [] if "text" in columns else ["text"]
    if not any(c in columns for c in LINK_COLUMNS):
        missing.insert(0, "accession_number (or patient_id)")
    if missing:
        accepted = "; ".join(f"{c.split()[0]}: {', '.join(COLUMN_ALIASES[c.split()[0]][:6])}" for c in missing)
        # echo the header only when it looks like one: a header-less file would put a report here
        names = [h.strip().lstrip("\ufeff") for h in header]
        looks_like_header = all(len(h) <= 40 and re.fullmatch(r"[^\W\d][\w .()'\-/°]*", h)
                                and sum(ch.isdigit() for ch in h) < 3 for h in names if h)
        found = (f"found: {', '.join(names)}" if looks_like_header
                 else f"the first row, {len(names)} cells, does not look like a header")
        raise ReportFileError(
            f"{path}: missing required column(s) {', '.join(missing)} ({found}). "
            f"Expected a header like accession_number,report_date,text; accepted names — {accepted}"
        )
    return columns


# ---- JSONL ---------------------------------------------------------------------------------


_JSON_LINE_BREAK = re.compile("\r\n|\r|\n")


def read_reports_jsonl(path: Path) -> ReportsReadResult:
    """Read a JSON Lines export: one object per line.

    Keys are matched like CSV columns (``accession_number`` or ``accession``, ``patient_id``
    or ``ipp``, ``report_date`` or ``date``, ``text``); numbers are accepted as identifiers.
    Lines that are not a JSON object with a ``text`` string, or that have no identifier, are
    skipped with their line number. Raises :class:`ReportFileError` when the file is missing,
    unreadable or empty.
    """
    path = Path(path)
    text, encoding = _decode_export(path, _read_bytes(path, "JSONL file"))
    if not text.strip():
        raise ReportFileError(f'{path}: the reports file is empty; expected one {{"accession_number": …, "text": …}} per line')
    result = ReportsReadResult(reports=[], encoding=encoding, encodings=Counter({encoding: 1}))
    # at CR/LF only (raw in a JSON string they are invalid): str.splitlines() also breaks at U+2028,
    # NEL, FS…, which a JSON string may hold raw, and the record was lost
    for number, line in enumerate(_JSON_LINE_BREAK.split(text), start=1):
        if not line.strip():
            continue
        source = f"{export_label(path)} line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            result.skipped.append((source, f"not valid JSON ({exc.msg} at column {exc.colno}); one object per line"))
            continue
        if not isinstance(record, dict):
            result.skipped.append((source, "not a JSON object; expected {\"accession_number\": …, \"text\": …}"))
            continue
        keys = list(record)
        fields = {canonical: record[keys[i]] for canonical, i in _canonical(keys).items()}
        if not isinstance(fields.get("text"), str):
            result.skipped.append((source, 'no "text" string'))
            continue
        cells = {k: ("" if v is None else str(v)) for k, v in fields.items() if isinstance(v, (str, int)) or v is None}
        _record(result, source, cells, has_patient_field=True)
    return result
