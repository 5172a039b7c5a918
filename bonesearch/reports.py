"""Radiology reports: reading the hospital's reports CSV and splitting French reports into sections.

The export is one CSV row per report — ``accession_number,report_date,text`` — in whatever
encoding and dialect the hospital's system wrote (UTF-8 with or without BOM, cp1252,
commas or semicolons, multi-line quoted text). :func:`read_reports_csv` takes all of them.
:func:`parse_sections` recognises the usual French headings ("Indication", "Technique",
"Résultats", "Conclusion"…) so training can use the findings and conclusion only.

Nothing here prints or raises report text: errors name the file, the row and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Literal

from bonesearch.errors import ReportFileError

# ---- reading the CSV ---------------------------------------------------------------------

# Accepted column names, compared after lower-casing and dropping accents, spaces and
# punctuation ("Accession Number", "accession_number" and "AccessionNumber" are one name).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "accession_number": ("accessionnumber", "accession", "accessionno", "accessionnum", "accno", "acc",
                         "numeroaccession", "numaccession", "numeroexamen", "numexamen", "nexamen"),
    "report_date": ("reportdate", "date", "studydate", "examdate", "dateexamen", "datedexamen", "datecr",
                    "datecompterendu", "daterapport"),
    "text": ("text", "texte", "report", "reporttext", "rapport", "compterendu", "cr", "textecompterendu",
             "contenu", "body"),
}
REQUIRED_COLUMNS = ("accession_number", "text")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")


@dataclass
class RawReport:
    """One report as exported, before de-identification."""

    accession_number: str  # links the report to its DICOM study
    report_date: dt.date | None  # None when absent or unreadable
    text: str  # the report, line breaks kept
    source: str  # where it came from, e.g. "reports.csv:row 12" (row 1 is the header)


@dataclass
class ReportsReadResult:
    """What :func:`read_reports_csv` found: the usable reports and the rows it skipped.

    Iterating over it (or ``len``) goes over ``reports``.
    """

    reports: list[RawReport]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, reason), no report text
    encoding: str = "utf-8"  # the encoding the file was read with
    undated: list[str] = field(default_factory=list)  # sources whose date could not be read

    def __iter__(self) -> Iterator[RawReport]:
        return iter(self.reports)

    def __len__(self) -> int:
        return len(self.reports)


def _norm_header(name: str) -> str:
    name = unicodedata.normalize("NFKD", name.strip().lstrip("\ufeff")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _decode(raw: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (BOM or not), else cp1252, else latin-1."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"


def parse_report_date(value: str) -> dt.date | None:
    """A report date in YYYY-MM-DD, DD/MM/YYYY or YYYYMMDD (a time part is ignored); None if unreadable."""
    value = value.strip()
    if not value:
        return None
    value = re.split(r"[ T]", value, maxsplit=1)[0]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _delimiter(text: str) -> str:
    """The delimiter used on the header line: ',' (default), ';', tab or '|'."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_reports_csv(path: Path) -> ReportsReadResult:
    """Read the reports CSV export.

    Columns ``accession_number`` and ``text`` are required, ``report_date`` optional; common
    aliases (``accession``, ``AccessionNumber``, ``date``, ``report``, ``texte``…) are accepted,
    in any case. Rows without an accession number or text are skipped and listed in
    ``result.skipped``. Raises :class:`ReportFileError` when the file is missing, unreadable
    or lacks a required column.
    """
    path = Path(path)
    if not path.is_file():
        raise ReportFileError(
            f"{path}: no such reports file; pass the CSV exported with the images "
            f"(columns accession_number,report_date,text)" + (" — this is a folder" if path.is_dir() else "")
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReportFileError(f"{path}: cannot be read ({exc.strerror}); check its permissions") from None
    text, encoding = _decode(raw)
    if not text.strip():
        raise ReportFileError(f"{path}: the reports file is empty; expected a header accession_number,report_date,text")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader)
    except csv.Error as exc:
        raise ReportFileError(f"{path}: not a readable CSV ({exc})") from None
    columns = _map_columns(path, header)
    result = ReportsReadResult(reports=[], encoding=encoding)
    row_number = 1
    try:
        for row in reader:
            row_number += 1
            if not any(cell.strip() for cell in row):
                continue  # blank line
            source = f"{path.name}:row {row_number}"
            cells = {key: (row[i] if i < len(row) else "") for key, i in columns.items()}
            accession = cells["accession_number"].strip()
            body = cells["text"].replace("\r\n", "\n").replace("\r", "\n").strip()
            if not accession:
                result.skipped.append((source, "empty accession number"))
                continue
            if not body:
                result.skipped.append((source, "empty report text"))
                continue
            date = parse_report_date(cells.get("report_date", ""))
            if date is None and cells.get("report_date", "").strip():
                result.undated.append(source)
            result.reports.append(RawReport(accession, date, body, source))
    except csv.Error as exc:
        raise ReportFileError(
            f"{path}: malformed CSV near row {row_number} ({exc}); check the quoting of multi-line texts"
        ) from None
    return result


def _map_columns(path: Path, header: list[str]) -> dict[str, int]:
    found = {_norm_header(h): i for i, h in reversed(list(enumerate(header)))}
    columns: dict[str, int] = {}
    for canonical, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in found:
                columns[canonical] = found[alias]
                break
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        accepted = "; ".join(f"{c}: {', '.join(COLUMN_ALIASES[c][:6])}" for c in missing)
        # echo the header only when it looks like one: a header-less file would put a report here
        names = [h.strip().lstrip("\ufeff") for h in header]
        looks_like_header = all(len(h) <= 40 and re.fullmatch(r"[^\W\d][\w .()'\-/]*", h)
                                and sum(ch.isdigit() for ch in h) < 3 for h in names if h)
        found = (f"found: {', '.join(names)}" if looks_like_header
                 else f"the first row, {len(names)} cells, does not look like a header")
        raise ReportFileError(
            f"{path}: missing required column(s) {', '.join(missing)} ({found}). "
            f"Expected a header like accession_number,report_date,text; accepted names — {accepted}"
        )
    return columns


# ---- sections ---------------------------------------------------------------------------------

Section = Literal["indication", "technique", "findings", "conclusion"]

# Headings, written without accents: matched case- and accent-insensitively.
HEADINGS: dict[Section, tuple[str, ...]] = {
    "indication": ("indications?", "motifs?(?: de l'examen| de la demande| d'examen)?",
                   "renseignements? cliniques?(?: fournis)?", "contexte(?: clinique)?", "histoire clinique",
                   "antecedents?", "demande"),
    "technique": ("techniques?(?: d'examen| utilisee)?", "protocole", "incidences?", "examen realise"),
    "findings": ("resultats?(?: de l'examen)?", "descriptions?", "comptes?[ -]rendus?", "constatations?",
                 "observations?", "analyse", "commentaires?"),
    "conclusion": ("conclusions?(?: de l'examen)?", "en conclusion", "syntheses?", "avis", "impressions?"),
}

_ACCENTS = {"a": "aàâä", "e": "eéèêë", "i": "iîï", "o": "oôö", "u": "uùûü", "c": "cç"}


def _accent_insensitive(pattern: str) -> str:
    return "".join(f"[{_ACCENTS[ch]}]" if ch in _ACCENTS else ch for ch in pattern)


def _heading_regex() -> re.Pattern[str]:
    groups = []
    for section, alternatives in HEADINGS.items():
        body = "|".join(_accent_insensitive(a).replace(" ", r"\s+").replace("'", "['’]") for a in alternatives)
        groups.append(f"(?P<{section}>{body})")
    names = "|".join(groups)
    # at a line start: "Conclusion", "CONCLUSION :", "Résultats -", "Indication clinique :" (up to
    # three qualifying words before the colon); inside a line: "… . Conclusion : …"
    return re.compile(
        rf"(?:(?P<bol>^[ \t]*(?:[-*•#]+[ \t]*)?)|(?<=[.;!?)])[ \t]+)(?:{names})"
        rf"(?(bol)(?:(?:[ \t]+[^\W\d_][\w'’\-]*){{0,3}}[ \t]*[:\-–][ \t]*|[ \t]*$)|[ \t]*:[ \t]*)",
        re.IGNORECASE | re.MULTILINE,
    )


_HEADING = _heading_regex()


@dataclass
class ReportSections:
    """A report split at its headings; text before the first heading (headers) is ``other``."""

    indication: str = ""
    technique: str = ""
    findings: str = ""
    conclusion: str = ""
    other: str = ""


def _clean(text: str) -> str:
    return " ".join(text.split())


#: Where a report's sign-off footer starts (signature, validation, secretariat, contact lines).
_FOOTER = re.compile(
    r"^[ \t]*(?:compte[ \t]+rendu[ \t]+valid|valid[ée]\b|sign[ée]\b|le[ \t]+radiologue|radiologue[ \t]*:|"
    r"secr[ée]tariat|dr\.?[ \t]+\[|docteur[ \t]+\[|pr\.?[ \t]+\[|t[ée]l[ .:]|courriel|e-?mail|cordialement|"
    r"dict[ée][ \t]+(?:par|le)|frapp[ée][ \t]+(?:par|le))",
    re.IGNORECASE | re.MULTILINE,
)


def _split_footer(text: str) -> tuple[str, str]:
    """(body, footer) of the last section's text: the sign-off lines are not findings."""
    match = _FOOTER.search(text)
    return (text[: match.start()], text[match.start():]) if match else (text, "")


def parse_sections(text: str) -> ReportSections:
    """Split a French report at its headings ("Indication :", "Résultats", "CONCLUSION"…).

    Headings are recognised case- and accent-insensitively, with or without a colon, alone
    on their line or inline after a sentence ("… . Conclusion : …"). Text of a repeated
    section is joined; whitespace is collapsed.
    """
    parts: dict[str, list[str]] = {k: [] for k in ("indication", "technique", "findings", "conclusion", "other")}
    current, pos = "other", 0
    for m in _HEADING.finditer(text or ""):
        parts[current].append(text[pos:m.start()])
        current = next(name for name, value in m.groupdict().items() if value is not None and name != "bol")
        pos = m.end()
    body, footer = _split_footer((text or "")[pos:])
    parts[current].append(body)
    parts["other"].append(footer)
    return ReportSections(**{k: _clean(" ".join(v)) for k, v in parts.items()})


TrainingMode = Literal["findings+conclusion", "full"]


def report_text_for_training(sections: ReportSections, mode: TrainingMode = "findings+conclusion") -> str:
    """The text a text tower trains on.

    ``findings+conclusion`` (default, as in the paper: what the image shows) falls back to
    ``full`` when the report has neither section; ``full`` is every section in reading order.
    """
    full = [sections.other, sections.indication, sections.technique, sections.findings, sections.conclusion]
    if mode == "findings+conclusion":
        chosen = [sections.findings, sections.conclusion]
        if any(chosen):
            return " ".join(p for p in chosen if p)
    elif mode != "full":
        raise ValueError(f"unknown training text mode {mode!r}; use 'findings+conclusion' or 'full'")
    return " ".join(p for p in full if p)
