"""Header-informed report de-identification on the demo's reports (issue 18, item 1).

Usage::

    python bench/deid_demo_headers.py [--studies 600] [--seed 0]

Plans a demo archive (no pixels written), writes each study's French report, and finds every
occurrence of the patient's family and given names in it (whole words, any case or accents;
not inside a physician's name or the hospital's address): the gold PATIENT spans. Three runs
of the de-identifier, on the same reports:

* **rules alone** — no header (what ``deid-text`` does with a bare record);
* **names only** — the header's person names, as ingest passed them before issue 18;
* **whole header** — :func:`bonesearch.deid.headers.header_identity` of the study's DICOM header
  (names, birth date, IPP, accession, physicians, institution and address), as ingest does now.

For each: PATIENT recall (a gold span is found when PATIENT predictions cover ≥ 50 % of it), the
share of the report's identifying strings (everything the generator inserted) left readable in
the output, and words/s. Target: PATIENT recall ≥ 0.995 with the header.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_PATIENT_RECALL = 0.995


def _gold_patient_spans(text: str, names: list[str], others: list[str]) -> list[tuple[int, int]]:
    """Whole-word occurrences of the patient's name parts, except inside ``others`` (a physician or a
    street that shares a name with the patient: « Dr Monique CHAUVIN », « avenue Jean Jaurès »)."""
    from bonesearch.deid.vocab import fold

    folded = fold(text)
    taken = [(m.start(), m.end()) for other in others if len(other) >= 3
             for m in re.finditer(re.escape(fold(other)), folded)]
    spans = []
    for name in names:
        for part in re.split(r"[\s\-]+", fold(name)):
            if len(part) >= 2:
                spans += [(m.start(), m.end()) for m in re.finditer(rf"(?<![\w]){re.escape(part)}(?![\w])", folded)
                          if not any(s <= m.start() and m.end() <= e for s, e in taken)]
    return sorted(set(spans))


def _others(st) -> list[str]:
    """The strings of ``st``'s report that name someone or something other than the patient."""
    out = [st.hospital.name, st.hospital.street, st.hospital.town]
    for person in (st.referrer, st.radiologist, st.operator):
        out += [f"{person.given} {person.family}", f"{person.family} {person.given}", f"Dr {person.family}",
                f"Docteur {person.family}", person.family]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=600)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from pydicom.dataset import Dataset

    from bonesearch.demo.archive import study_report
    from bonesearch.demo.plan import plan_archive
    from bonesearch.deid.headers import header_identity, person_names
    from bonesearch.deid.key import PseudonymKey
    from bonesearch.deid.text import DeidRequest, ReportDeidentifier

    studies = plan_archive(args.studies, args.seed)
    reports = [study_report(st, args.seed) for st in studies]
    headers = []
    for st in studies:
        ds = Dataset()
        pt, h = st.patient, st.hospital
        ds.PatientName, ds.PatientID, ds.PatientBirthDate = pt.dicom_name, pt.ipp, pt.birth.strftime("%Y%m%d")
        ds.AccessionNumber, ds.InstitutionName, ds.InstitutionAddress = st.accession, h.name, h.address
        ds.ReferringPhysicianName, ds.PerformingPhysicianName = st.referrer.dicom_name, st.radiologist.dicom_name
        ds.OperatorsName = st.operator.dicom_name
        headers.append(ds)
    gold = [_gold_patient_spans(r.text, [st.patient.family, st.patient.given], _others(st))
            for st, r in zip(studies, reports)]
    words = sum(len(r.text.split()) for r in reports)
    deid = ReportDeidentifier(PseudonymKey.create(), mode="tag")
    deid.deidentify("Patient : Mme Jeanne DUPONT.", patient_key="warm-up")
    runs = {
        "rules alone": [DeidRequest(r.text, st.patient.ipp) for st, r in zip(studies, reports)],
        "names only": [DeidRequest(r.text, st.patient.ipp, person_names(ds), None, person_names(ds, ("PatientName",)))
                       for st, r, ds in zip(studies, reports, headers)],
        "whole header": [DeidRequest(r.text, st.patient.ipp, person_names(ds), None,
                                     person_names(ds, ("PatientName",)), header_identity(ds))
                         for st, r, ds in zip(studies, reports, headers)],
    }
    print(f"{len(reports)} demo reports (seed {args.seed}), {words} words, {sum(map(len, gold))} patient-name "
          f"mentions, {sum(len(r.phi) for r in reports)} identifying strings")
    for name, requests in runs.items():
        start = time.perf_counter()
        results = deid.analyze_many(requests)
        seconds = time.perf_counter() - start
        found = total = 0
        for spans, (detections, _) in zip(gold, results):
            covered = [0] * (max([e for _, e in spans], default=0) + 1)
            for d in detections:
                if d.category == "PATIENT":
                    for i in range(d.start, min(d.end, len(covered))):
                        covered[i] = 1
            for s, e in spans:
                total += 1
                found += sum(covered[s:e]) >= 0.5 * (e - s)
        readable = sum(p in result.text for r, (_, result) in zip(reports, results) for p in r.phi if len(p) >= 3)
        phi = sum(1 for r in reports for p in r.phi if len(p) >= 3)
        recall = found / max(total, 1)
        print(f"{name:13s} PATIENT recall {recall:.4f} ({found}/{total}; ratio to {TARGET_PATIENT_RECALL}: "
              f"{recall / TARGET_PATIENT_RECALL:.3f})  identifying strings readable {readable}/{phi}  "
              f"{words / seconds:,.0f} words/s")


if __name__ == "__main__":
    main()
