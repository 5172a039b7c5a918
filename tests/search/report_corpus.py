"""Realistic French bone radiology report texts for the search tests: the demo's generated
reports (600 studies) and the hand-written annotated reports of the de-identification tests."""

from __future__ import annotations

from functools import lru_cache

from bonesearch.demo.archive import study_report
from bonesearch.demo.plan import plan_archive


@lru_cache(maxsize=1)
def demo_reports(studies: int = 600, seed: int = 0) -> list[str]:
    """The report texts a demo archive of ``studies`` studies carries (the demo's own generator)."""
    return [study_report(st, seed).text for st in plan_archive(studies, seed)]


@lru_cache(maxsize=1)
def annotated_reports() -> list[str]:
    """The hand-written reports of tests/deid (five sets, French and Belgian hospitals)."""
    from tests.deid import fr_report_blind, fr_report_corpus, fr_report_heldout, fr_report_heldout2

    texts = []
    for module in (fr_report_corpus, fr_report_heldout, fr_report_heldout2, fr_report_blind):
        texts += [r["text"] for r in module.REPORTS]
    return texts
