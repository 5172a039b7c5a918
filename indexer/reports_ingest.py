"""The report half of ingest: read, link reports to studies, de-identify, parse sections, store.

Linking, in order:

1. by accession number: the report's accession pseudonym equals ``studies.accession_pseudo``;
2. else by patient and date: the pseudonym of the report's patient id equals
   ``studies.patient_pseudo`` and the report date, shifted by that patient's offset, is
   within ``date_window_days`` of the (equally shifted) study date; the nearest study wins,
   and a tie leaves the report unlinked (a wrong link would pair an image with another
   exam's findings).

Reports without a study and studies without a report are both counted; the former are
listed with a safe label and the reason. Nothing returned or stored holds a raw accession
number, patient id, date or file path: labels are ``reports export (.csv) row 12`` or ``report file 3
(.pdf)``, and distances are in days.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bonesearch.deid.key import PseudonymKey
from bonesearch.deid.known_identity import KnownIdentity
from bonesearch.reports.records import RawReport
from bonesearch.store import Store

if TYPE_CHECKING:
    from indexer.ingest import IngestSummary


PARALLEL_DEID_MIN_REPORTS = 300  # below this, starting NER worker processes costs more than it saves
DEFAULT_DATE_WINDOW_DAYS = 7  # report date vs study date, when linking by patient


@dataclass
class ReportContext:
    """What de-identifying one study's report needs, held in memory only."""

    patient_key: str  # the real patient id: the date-shift key, never stored
    study_uid: str  # pseudonymised
    names: set[str]  # every name in the DICOM header (patient, physicians, operators), to scrub
    patient_names: set[str]  # the patient's own names (replaced by [PATIENT])
    known: KnownIdentity = field(default_factory=KnownIdentity)  # the header's values, found in every form


@dataclass
class ReportsSummary:
    """What the report stage did; every field is safe to print and to write to a JSON report."""

    read: int = 0  # usable reports in the input
    ingested: int = 0  # stored by this run
    already_stored: int = 0  # linked to a study that already had its report (a rerun)
    blank_reports_removed: int = 0  # reports with no visible text stored by older versions, deleted
    linked_by_accession: int = 0  # of the linked reports (stored now or before)
    linked_by_patient_date: int = 0
    orphans: list[tuple[str, str]] = field(default_factory=list)  # reports without a study: (label, reason)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # unreadable rows/files: (label, reason)
    undated: int = 0  # reports whose date could not be read
    studies_without_report: int = 0  # studies in the store with no report after this run
    encoding: str = ""  # how the input was decoded ("utf-8", "cp1252", "mixed"…)
    template_lines_removed: int = 0  # PDF letterhead/footer/page-number lines dropped
    dates_out_of_range: int = 0  # report dates dropped as placeholders (9999-12-31, 0001-01-01…); reports kept
    reports_with_controls: int = 0  # reports read whose control characters / terminal escapes were removed

    def orphan_reasons(self) -> dict[str, int]:
        """How many orphan reports per reason, numbers generalised ("nearest N days away"), for the JSON report."""
        return _generalised_counts(self.orphans)

    def skipped_reasons(self) -> dict[str, int]:
        """How many skipped rows/files per reason, numbers generalised ("N characters"), for the JSON report."""
        return _generalised_counts(self.skipped)


def _generalised_counts(labelled: list[tuple[str, str]]) -> dict[str, int]:
    """``{reason with every number replaced by N: count}`` of ``(label, reason)`` pairs, sorted."""
    counts: dict[str, int] = {}
    for _, reason in labelled:
        general = re.sub(r"\d+", "N", reason)
        counts[general] = counts.get(general, 0) + 1
    return dict(sorted(counts.items()))


@dataclass(frozen=True)
class Link:
    """Where one report goes: a study, or nowhere and why."""

    study_id: int | None
    how: str = ""  # "accession" | "patient+date"
    reason: str = ""  # why unlinked; never holds an identifier
    patient_key: str = ""  # the report's patient id as matched (date-shift key); in memory only


@dataclass
class StudyIndex:
    """The store's studies, keyed the ways a report can reach them."""

    by_accession: dict[str, int]  # accession_pseudo → study_id
    by_patient: dict[str, list[tuple[int, dt.date | None]]]  # patient_pseudo → [(study_id, shifted date)]
    accession_of: dict[int, str | None]  # study_id → accession_pseudo
    patient_of: dict[int, str]  # study_id → patient_pseudo
    uid_of: dict[int, str]  # study_id → study_uid (pseudonymised)

    @classmethod
    def load(cls, store: Store) -> "StudyIndex":
        """Read every study's keys from the store."""
        index = cls({}, {}, {}, {}, {})
        rows = store.con.execute(
            "SELECT study_id, study_uid, patient_pseudo, accession_pseudo, study_date FROM studies ORDER BY study_id"
        ).fetchall()
        for study_id, uid, patient, accession, date in rows:
            if accession:
                index.by_accession.setdefault(accession, study_id)
            index.by_patient.setdefault(patient, []).append((study_id, date))
            index.accession_of[study_id], index.patient_of[study_id], index.uid_of[study_id] = accession, patient, uid
        return index


def _variants(identifier: str) -> list[str]:
    """The identifier as written, upper-cased, and without spaces/dashes/dots (RIS and PACS format them differently)."""
    out = []
    for value in (identifier.strip(), identifier.strip().upper(), re.sub(r"[\s\-./]", "", identifier).upper()):
        if value and value not in out:
            out.append(value)
    return out


def link_report(report: RawReport, key: PseudonymKey, studies: StudyIndex,
                window_days: int = DEFAULT_DATE_WINDOW_DAYS) -> Link:
    """The study ``report`` belongs to: by accession number, else by patient + nearest date within ``window_days``."""
    for accession in _variants(report.accession_number):
        study_id = studies.by_accession.get(key.pseudonym("accession", accession))
        if study_id is not None:
            patient = next((p for p in _variants(report.patient_id)
                            if key.pseudonym("patient", p) == studies.patient_of[study_id]), "")
            return Link(study_id, "accession", patient_key=patient)
    why = "accession number matches no study; " if report.accession_number else "no accession number; "
    if not report.patient_id:
        return Link(None, reason=why + "no patient id to link by patient and date")
    patient = next((p for p in _variants(report.patient_id) if key.pseudonym("patient", p) in studies.by_patient), None)
    if patient is None:
        return Link(None, reason=why + "no study of this patient in the store")
    if report.report_date is None:
        return Link(None, reason=why + "no report date to pick among the patient's studies")
    shifted = key.shift_date(patient, report.report_date)
    if shifted is None:
        return Link(None, reason=why + "the report date is a placeholder out of range; add the accession number")
    distances = sorted((abs((date - shifted).days), study_id)
                       for study_id, date in studies.by_patient[key.pseudonym("patient", patient)] if date)
    if not distances:
        return Link(None, reason=why + "the patient's studies have no date")
    best = distances[0][0]
    if best > window_days:
        return Link(None, reason=why + f"no study of this patient within ±{window_days} days of the report date "
                                       f"(nearest {best} days away)")
    tied = [study_id for distance, study_id in distances if distance == best]
    if len(tied) > 1:
        return Link(None, reason=why + f"{len(tied)} studies of this patient are equally near the report date "
                                       f"({best} days); add the accession number to link it")
    return Link(tied[0], "patient+date", patient_key=patient)


def _remove_blank_reports(store: Store) -> int:
    """Delete reports with no visible character (NUL bytes, controls) that older versions stored: each
    blocked its study's real report. Their vectors leave the index at the next ``index --update``."""
    blank = "regexp_replace(text, ?, '', 'g') = ''"
    pattern = "[\\x00-\\x20\\x7f-\\xa0\\x{200b}-\\x{200f}\\x{2028}-\\x{202e}\\x{feff}]"
    ids = [i for (i,) in store.con.execute(f"SELECT report_id FROM reports WHERE {blank}", [pattern]).fetchall()]
    if ids:
        store.con.execute("DELETE FROM sealed_reports WHERE report_id IN (SELECT unnest(?::INTEGER[]))", [ids])
        store.report_keys.destroy(ids)
    return len(ids)


def ingest_reports(
    store: Store,
    reports_path: Path,
    key: PseudonymKey,
    contexts: dict[str, ReportContext],
    summary: "IngestSummary",
    header_loader: Callable[[], dict[str, ReportContext]],
    workers: int = 1,
    date_window_days: int = DEFAULT_DATE_WINDOW_DAYS,
) -> ReportsSummary:
    """Read, link, de-identify and store the reports not yet in the store; returns what happened.

    ``contexts`` maps accession pseudonyms to header names and the date-shift key; when a
    linked study is missing from it, ``header_loader`` re-reads the headers once. NER runs in
    ``workers`` processes when there are enough reports to pay for the start-up. The counts
    of ``summary`` (reports ingested, orphans, skipped, PHI replacements) are updated too.
    """
    from bonesearch.reports.sources import read_reports

    read = read_reports(reports_path)
    result = ReportsSummary(read=len(read.reports), skipped=list(read.skipped), undated=len(read.undated),
                            encoding=read.encoding, template_lines_removed=read.template_lines_removed,
                            dates_out_of_range=len(read.dates_out_of_range),
                            reports_with_controls=read.reports_with_controls)
    studies = StudyIndex.load(store)
    result.blank_reports_removed = _remove_blank_reports(store)
    stored = {row[0] for row in store.con.execute("SELECT DISTINCT study_id FROM reports").fetchall()}
    todo: list[tuple[RawReport, Link]] = []
    for report in read.reports:
        link = link_report(report, key, studies, date_window_days)
        if link.study_id is None:
            result.orphans.append((report.source, link.reason))
            continue
        result.linked_by_accession += link.how == "accession"
        result.linked_by_patient_date += link.how == "patient+date"
        if link.study_id in stored:
            result.already_stored += 1
        else:
            todo.append((report, link))
    if any(studies.accession_of[link.study_id] not in contexts for _, link in todo):
        contexts = {**header_loader(), **contexts}
    items = []
    for report, link in todo:
        ctx = contexts.get(studies.accession_of[link.study_id] or "")
        if ctx is None and link.patient_key:  # a study without accession number: the report's own patient id
            ctx = ReportContext(link.patient_key, studies.uid_of[link.study_id], set(), set())
        if ctx is None:
            result.orphans.append((report.source, "the study's DICOM files are no longer in the archive and the "
                                                  "report has no patient id; restore the files or add the IPP"))
            continue
        items.append((report, link, ctx))
    if items:
        _deidentify_and_store(store, key, items, result, summary, workers)
    result.studies_without_report = int(store.con.execute(
        "SELECT count(*) FROM studies s WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.study_id = s.study_id)"
    ).fetchone()[0])
    summary.reports_skipped.extend(result.skipped)
    summary.reports_orphan += len(result.orphans)
    return result


def _deidentify_and_store(
    store: Store, key: PseudonymKey, items: list[tuple[RawReport, Link, ReportContext]], result: ReportsSummary,
    summary: "IngestSummary", workers: int,
) -> None:
    """De-identify ``items`` and insert them in one transaction (a crash stores none of them)."""
    from bonesearch.deid.text import DeidRequest, ReportDeidentifier
    from bonesearch.reports.sections import parse_sections

    deid = ReportDeidentifier(key)
    results = deid.deidentify_many(
        [DeidRequest(r.text, ctx.patient_key, sorted(ctx.names), r.report_date, sorted(ctx.patient_names), ctx.known)
         for r, _, ctx in items],
        n_process=workers if len(items) >= PARALLEL_DEID_MIN_REPORTS else 1,
    )
    rows = []
    next_id = store.next_id("reports", "report_id")
    for (report, link, ctx), deidentified in zip(items, results):
        sections = parse_sections(deidentified.text)
        rows.append(dict(report_id=next_id, study_id=link.study_id, text=deidentified.text,
                         report_date=key.shift_date(ctx.patient_key, report.report_date) if report.report_date else None,
                         indication=sections.indication, technique=sections.technique, findings=sections.findings,
                         conclusion=sections.conclusion))
        next_id += 1
        for category, n in deidentified.counts.items():
            summary.phi_replacements[category] = summary.phi_replacements.get(category, 0) + n
    with store.transaction():
        result.ingested += store.insert_reports(rows)
    summary.reports_ingested += result.ingested
