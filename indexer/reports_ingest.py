"""The report half of ingest: link reports to studies, de-identify, parse sections, store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bonesearch.deid.key import PseudonymKey
from bonesearch.store import Store

if TYPE_CHECKING:
    from indexer.ingest import IngestSummary


PARALLEL_DEID_MIN_REPORTS = 300  # below this, starting NER worker processes costs more than it saves


@dataclass
class ReportContext:
    """What de-identifying one study's report needs, held in memory only."""

    patient_key: str  # the real patient id: the date-shift key, never stored
    study_uid: str  # pseudonymised
    names: set[str]  # every name in the DICOM header (patient, physicians, operators), to scrub
    patient_names: set[str]  # the patient's own name parts (replaced by [PATIENT])


def ingest_reports(
    store: Store,
    reports_path: Path,
    key: PseudonymKey,
    contexts: dict[str, ReportContext],
    summary: "IngestSummary",
    header_loader: Callable[[], dict[str, ReportContext]],
    workers: int = 1,
) -> None:
    """Read, link, de-identify and store the reports not yet in the store.

    NER runs in ``workers`` processes when there are enough reports to pay for the start-up.
    """
    from bonesearch.deid.text import DeidRequest, ReportDeidentifier
    from bonesearch.reports import parse_sections, read_reports_csv

    read = read_reports_csv(reports_path)
    summary.reports_skipped.extend(read.skipped)
    stored = {
        row[0]
        for row in store.con.execute(
            "SELECT s.accession_pseudo FROM reports r JOIN studies s USING (study_id)"
        ).fetchall()
    }
    study_ids = dict(store.con.execute("SELECT accession_pseudo, study_id FROM studies WHERE accession_pseudo IS NOT NULL").fetchall())
    todo = []
    for report in read.reports:
        accession = key.pseudonym("accession", report.accession_number)
        if accession in stored:
            continue
        if accession not in study_ids:
            summary.reports_orphan += 1
            continue
        todo.append((accession, report))
    if any(acc not in contexts for acc, _ in todo):
        contexts = {**header_loader(), **contexts}
    items = []
    for accession, report in todo:
        ctx = contexts.get(accession)
        if ctx is None:  # the study's files vanished from the archive since the first run
            summary.reports_orphan += 1
            continue
        items.append((accession, report, ctx))
    if not items:
        return
    deid = ReportDeidentifier(key)
    results = deid.deidentify_many(
        [DeidRequest(r.text, ctx.patient_key, sorted(ctx.names), r.report_date, sorted(ctx.patient_names))
         for _, r, ctx in items],
        n_process=workers if len(items) >= PARALLEL_DEID_MIN_REPORTS else 1,
    )
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        next_id = store.next_id("reports", "report_id")
        for (accession, report, ctx), result in zip(items, results):
            sections = parse_sections(result.text)
            shifted = key.shift_date(ctx.patient_key, report.report_date) if report.report_date else None
            con.execute(
                "INSERT INTO reports VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [next_id, study_ids[accession], shifted, result.text, sections.indication, sections.technique,
                 sections.findings, sections.conclusion],
            )
            next_id += 1
            summary.reports_ingested += 1
            stored.add(accession)
            for category, n in result.counts.items():
                summary.phi_replacements[category] = summary.phi_replacements.get(category, 0) + n
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
