"""``STORE/ingest-report.json``: what the latest ingest run did, and what the store holds.

Written atomically (temp file, then rename) at the end of every run. It is inside the
store, so it holds nothing from the archive that could identify anyone: files are named by
their keyed path hash only, reasons are the anonymous ones (no file or folder names), and
there are no dates, paths, names or raw identifiers — only counts, rates and classes.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bonesearch.store import Store

if TYPE_CHECKING:
    from indexer.ingest import IngestSummary

REPORT_NAME = "ingest-report.json"
REPORT_VERSION = 1
REASON_CLASS = re.compile(r"[a-z][a-z0-9_]{0,40}")


def stored_reason(reason_class: str, anonymous_reason: str) -> str:
    """The ``sources.reason`` cell: ``class: reason`` (the class lets totals be grouped later)."""
    return f"{reason_class}: {anonymous_reason}" if anonymous_reason else ""


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read a cell as a formula


def csv_safe(cell: str) -> str:
    """``cell`` made inert for spreadsheets: a leading formula character is escaped with ``'`` (OWASP CSV injection).

    The operator opens ``STORE.ingest-skipped.csv`` in a spreadsheet; a file named
    ``=HYPERLINK(…).dcm`` must show as text there, not run as a formula.
    """
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def reason_class_of(stored: str | None) -> str:
    """The class back from a ``sources.reason`` cell (``other`` for cells written by older versions)."""
    head = (stored or "").split(":", 1)[0].strip()
    return head if REASON_CLASS.fullmatch(head) else "other"


def _safe_counts(obj: Any) -> dict[str, Any] | None:
    """A reports summary dataclass as JSON: numbers and short words kept, lists replaced by their length."""
    if obj is None or not dataclasses.is_dataclass(obj):
        return None
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, bool) or isinstance(value, (int, float)):
            out[f.name] = value
        elif isinstance(value, (list, tuple, set, dict)):
            out[f.name] = len(value)
        elif isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9_.+\-]{0,24}", value):
            out[f.name] = value  # e.g. an encoding name
    return out


def build_report(store: Store, summary: "IngestSummary") -> dict[str, Any]:
    """The report's content: this run (counts, reasons, throughput, stage timings) and store totals."""
    processed = summary.files_processed
    seconds = max(summary.seconds, 1e-9)
    rows = store.con.execute("SELECT status, reason, count(*) FROM sources GROUP BY status, reason").fetchall()
    by_status: dict[str, int] = {}
    by_reason: dict[str, dict[str, int]] = {}
    for status, reason, n in rows:
        by_status[status] = by_status.get(status, 0) + n
        if status in ("skipped", "excluded"):
            bucket = by_reason.setdefault(status, {})
            cls = reason_class_of(reason)
            bucket[cls] = bucket.get(cls, 0) + n
    problems = store.con.execute(
        "SELECT source_hash, status, reason FROM sources WHERE status IN ('skipped', 'excluded') "
        "ORDER BY status, source_hash"
    ).fetchall()
    return {
        "format": "bonesearch-ingest-report",
        "version": REPORT_VERSION,
        "run": {
            "files_seen": summary.files_seen,
            "already_in_store": summary.already_ingested,
            "copies_of_stored_images": summary.duplicates,
            "replaced_by_newer_version": summary.replaced,
            "erased_on_request_not_ingested": summary.forgotten,
            "processed": processed,
            "images_ingested": summary.images_ingested,
            "excluded": len(summary.excluded),
            "skipped": len(summary.skipped),
            "excluded_by_reason": summary.problems_by_reason("excluded"),
            "skipped_by_reason": summary.problems_by_reason("skipped"),
            "multi_frame_first_frame_only": summary.multi_frame,
            "text_regions_redacted_images": summary.text_redacted,
            "header_values_not_in_vocabulary": dict(sorted(summary.unmapped.items())),
            "reports_ingested": summary.reports_ingested,
            "reports_without_study": summary.reports_orphan,
            "reports_skipped": len(summary.reports_skipped),
            "studies_without_report": summary.studies_without_report,
            "phi_replaced_in_reports": dict(sorted(summary.phi_replacements.items())),
            "reports": _safe_counts(summary.reports),
            "reports_without_study_by_reason": summary.reports.orphan_reasons() if summary.reports else {},
            "reports_skipped_by_reason": summary.reports.skipped_reasons() if summary.reports else {},
        },
        "throughput": {
            "engine": summary.engine,
            "workers": summary.workers,
            "cache_size": summary.cache_size,
            "seconds": round(summary.seconds, 3),
            "files_per_second": round(processed / seconds, 2),
            "files_per_second_per_worker": round(summary.files_per_second_per_worker, 2),
            "images_per_second": round(summary.images_ingested / seconds, 2),
        },
        "stages_seconds": {k: round(v, 3) for k, v in summary.stage_seconds.items()},
        "stages_cpu_seconds": {k: round(v, 3) for k, v in summary.worker_seconds.items()},
        "totals": {
            "images": store.count("images"),
            "studies": store.count("studies"),
            "reports": store.count("reports"),
            "sources": dict(sorted(by_status.items())),
            "sources_by_reason": {k: dict(sorted(v.items())) for k, v in sorted(by_reason.items())},
        },
        "skipped": [
            {"source": h, "status": status, "reason_class": reason_class_of(reason),
             "reason": (reason or "").split(": ", 1)[-1]}
            for h, status, reason in problems
        ],
    }


def write_report(store: Store, summary: "IngestSummary") -> Path:
    """Write ``STORE/ingest-report.json`` atomically; returns its path."""
    path = store.path / REPORT_NAME
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(build_report(store, summary), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path
