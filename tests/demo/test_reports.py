"""French reports: varied wording, truthful content, PHI recorded as written."""

from __future__ import annotations

import random
import re
from collections import defaultdict

import pytest

from bonesearch.demo import phrases_fr as P
from bonesearch.demo.archive import report_input
from bonesearch.demo.plan import StudyPlan, allocate, plan_archive
from bonesearch.demo.reports_fr import Report, fmt_date, write_report, years_months


def _report(st: StudyPlan, salt: int = 0) -> Report:
    return write_report(report_input(st), random.Random(salt))


@pytest.fixture(scope="module")
def plans() -> list[StudyPlan]:
    return plan_archive(300, 11)


def _conclusion(text: str) -> str:
    m = re.search(r"(?im)^(?:conclusion|en conclusion)\s*:\s*(.+)$", text)
    assert m, text
    return m.group(1)


def test_phrase_banks_have_at_least_eight_phrasings_per_finding() -> None:
    banks = {
        "normal": P.NORMAL_FINDINGS + P.NORMAL_CONCL,
        "fracture": P.FRACTURE_FINDINGS + P.FRACTURE_CONCL,
        "osteoarthritis": P.KNEE_OA_CONCL + P.HIP_OA + P.HIP_OA_CONCL,
        "dislocation": [s for v in P.DISLOCATION.values() for s in v],
        "osteosynthesis": P.OSTEO_FINDINGS + P.OSTEO_CONCL,
        "bone_age": P.BONE_AGE,
    }
    for finding, bank in banks.items():
        assert len(set(bank)) >= 8, finding
    for site, names in P.SITES.items():
        assert len(names) >= 3, site


def test_allocation_follows_the_mix() -> None:
    cats = allocate(1000, random.Random(0))
    share = defaultdict(int)
    parts = defaultdict(int)
    for finding, part, _, _ in cats:
        share[finding] += 1
        parts[part] += 1
    assert abs(share["normal"] - 350) <= 5 and abs(share["fracture"] - 300) <= 5
    assert abs(share["bone_age"] - 60) <= 2
    assert min(parts.values()) >= 30  # every body part >= 3 %


def test_plan_is_deterministic() -> None:
    a, b = plan_archive(40, 3), plan_archive(40, 3)
    assert [(s.accession, s.patient.ipp, s.finding, s.body_part) for s in a] == \
           [(s.accession, s.patient.ipp, s.finding, s.body_part) for s in b]
    c = plan_archive(40, 4)
    assert [s.patient.ipp for s in a] != [s.patient.ipp for s in c]


def test_reports_describe_the_labelled_finding(plans: list[StudyPlan]) -> None:
    for st in plans:
        rep = _report(st, salt=st.index)
        text, concl = rep.text, _conclusion(rep.text).lower()
        if st.side in ("R", "L") and st.body_part != "pelvis":
            pattern = r"\b(droite?|d)\b" if st.side == "R" else r"\b(gauche|g)\b"
            assert re.search(pattern, text.lower()), text
        if st.finding == "normal":
            assert "fracture" not in concl or re.search(r"pas|absence", concl), concl
        elif st.finding == "fracture":
            assert "fracture" in concl and not concl.startswith("pas"), concl
        elif st.finding == "osteoarthritis" and st.body_part == "knee":
            g = st.severity
            assert re.search(rf"\b({g}|{P.KL_ROMAN[g]})\b", _conclusion(text)), concl
        elif st.finding == "osteoarthritis":
            assert "arthros" in concl or "coxopathie" in concl, concl
        elif st.finding == "dislocation":
            assert "luxation" in concl, concl
        elif st.finding == "osteosynthesis":
            assert any(w in text.lower() for w in ("matériel", "prothèse", "plaque", "clou", "vis",
                                                    "broche", "enclouage", "haubanage")), text
        elif st.finding == "bone_age":
            assert years_months(st.bone_age_months) in text and years_months(st.age_months) in text


def test_wording_varies(plans: list[StudyPlan]) -> None:
    by_finding: dict[str, set[str]] = defaultdict(set)
    for st in plans:
        by_finding[st.finding].add(_conclusion(_report(st, salt=st.index).text))
    for finding, concls in by_finding.items():
        assert len(concls) >= 5, (finding, concls)


def test_phi_is_recorded_as_written(plans: list[StudyPlan]) -> None:
    for st in plans[:80]:
        rep = _report(st, salt=st.index)
        for s in rep.phi + rep.dates:
            assert s in rep.text, s
        assert st.patient.family in rep.phi and st.patient.ipp in rep.phi and st.accession in rep.phi
        assert any(st.patient.birth.strftime(f) in rep.text or
                   fmt_date(st.patient.birth, 2) in rep.text
                   for f in ("%d/%m/%Y", "%d.%m.%y", "%d/%m/%y"))


def test_date_formats() -> None:
    import datetime as dt

    d = dt.date(2024, 3, 1)
    assert [fmt_date(d, i) for i in range(5)] == ["01/03/2024", "01.03.24", "1er mars 2024",
                                                  "2024-03-01", "01/03/24"]


def test_fictional_names_never_collide_with_report_vocabulary() -> None:
    """A leak check searching for names must not fire on eponyms or ordinary words."""
    from pathlib import Path

    from bonesearch.demo import identities as ident

    vocab = " ".join(Path(m.__file__).read_text(encoding="utf-8") for m in (P,)).lower()
    names = ident.FAMILY + ident.GIVEN_F + ident.GIVEN_M + list(ident.ACCENTS.values())
    hits = [n for n in names if re.search(rf"(?<!\w){re.escape(n.lower())}(?!\w)", vocab)]
    assert not hits, hits
