"""Realistic French bone radiology report texts for the search tests: the demo's generated
reports (600 studies) and the hand-written annotated reports of the de-identification tests."""

from __future__ import annotations

import random
from functools import lru_cache

from bonesearch.demo.plan import plan_archive
from bonesearch.demo.reports_fr import ReportInput, write_report


@lru_cache(maxsize=1)
def demo_reports(studies: int = 600, seed: int = 0) -> list[str]:
    """The report texts a demo archive of ``studies`` studies carries (the demo's own generator)."""
    texts = []
    for st in plan_archive(studies, seed):
        report = write_report(ReportInput(
            patient=st.patient, hospital=st.hospital, radiologist=st.radiologist, referrer=st.referrer,
            accession=st.accession, exam_date=st.exam_date, report_date=st.report_date,
            body_part=st.body_part, side=st.side, views=[i.view for i in st.images], finding=st.finding,
            site=st.site, kl_grade=st.severity, hardware=st.hardware, affected_side=st.affected_side,
            age_months=st.age_months, bone_age_months=st.bone_age_months, prior_date=st.prior_date,
            level=st.level, fused_levels=st.fused_levels, n_carpals=st.n_carpals),
            random.Random(f"report-{seed}-{st.accession}"))
        texts.append(report.text)
    return texts


@lru_cache(maxsize=1)
def annotated_reports() -> list[str]:
    """The hand-written reports of tests/deid (five sets, French and Belgian hospitals)."""
    from tests.deid import fr_report_blind, fr_report_corpus, fr_report_heldout, fr_report_heldout2

    texts = []
    for module in (fr_report_corpus, fr_report_heldout, fr_report_heldout2, fr_report_blind):
        texts += [r["text"] for r in module.REPORTS]
    return texts
