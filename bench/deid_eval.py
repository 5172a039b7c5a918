"""Report de-identification on an annotated French set: per-label precision/recall/F1, eponyms, speed.

Usage:
    python bench/deid_eval.py [ANNOTATED.jsonl] [--headers] [--detector rules|model|union] [--show-misses] [--show-extra] [--predictions OUT.jsonl]

ANNOTATED.jsonl (default ``tests/data/deid_dev.jsonl``) holds ``{"id", "text", "spans", "keep"}``
per line. The de-identifier runs through the ``bonesearch deid-text`` interface
(:func:`bonesearch.deid.jsonl.deidentify_jsonl`) on the ids and texts alone, then
:func:`bonesearch.deid.scoring.score` compares spans (found = ≥ 50 % of a gold span covered
by predictions of the same label). With ``--predictions`` an existing deid-text output is
scored instead (no run, no speed figure). With ``--headers`` each record also gets the
``"known"`` object that ingest takes from a linked study's DICOM header (:func:`header_from_annotation`).

Anchors (ingest issue): span recall PATIENT/DATE/BIRTHDATE 0.98, ID 0.97, PHONE/EMAIL/URL 0.99,
STAFF/AGE 0.95, ADDRESS/CITY/INSTITUTION 0.90; ≤ 2 % of eponyms redacted; ≥ 5,000 words/s per core.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bonesearch.deid.scoring import KEEP_REDACTED_CEILING, TARGET_RECALL, Score, SpanReport, score  # noqa: E402

DEFAULT_SET = REPO / "tests" / "data" / "deid_dev.jsonl"
TARGET_WORDS_PER_S = 5000.0


def read_jsonl(path: Path) -> list[dict]:
    """The records of a JSONL file (blank lines skipped)."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def header_from_annotation(record: dict) -> dict:
    """The ``"known"`` object a linked study's DICOM header would give, built from the annotation:
    the longest PATIENT span as PatientName (capitalised words first, caret form), the first
    BIRTHDATE as PatientBirthDate, the first two IDs (PatientID, AccessionNumber), the two longest
    STAFF names (referring, performing), the first INSTITUTION and ADDRESS. Every other mention
    (other forms of the name, later dates, other people) must still be found in the text."""
    import datetime as dt

    from bonesearch.deid.dates import find_dates
    from bonesearch.deid.vocab import fold

    text = record["text"]
    by_label: dict[str, list[str]] = {}
    for span in record.get("spans", []):
        by_label.setdefault(span["label"], []).append(text[span["start"]:span["end"]])
    known: dict = {}
    if patients := by_label.get("PATIENT"):
        words = max(patients, key=len).split()
        family = [w for w in words if w.isupper() and len(w) > 1]
        given = [w for w in words if w not in family and w.rstrip(".").lower() not in {"m", "mme", "mlle"}]
        known["patient"] = "^".join(p for p in (" ".join(family), " ".join(given)) if p) if family else " ".join(words)
    for birth in by_label.get("BIRTHDATE", [])[:1]:
        found = find_dates(birth, fold(birth), dt.date(2024, 1, 1))
        if found and found[0].value:
            known["birth_date"] = found[0].value.isoformat()
    if ids := by_label.get("ID"):
        known["ids"] = ids[:2]
    if staff := by_label.get("STAFF"):
        known["staff"] = sorted(set(staff), key=len, reverse=True)[:2]
    for label, field in (("INSTITUTION", "institution"), ("ADDRESS", "address")):
        if values := by_label.get(label):
            known[field] = values[:1]
    return known


#: ``--detector`` → ReportDeidentifier options: the rules (with spaCy's NER), the learned NER alone, the rules
#: with the learned NER instead of spaCy's, or with both
DETECTORS = {"rules": {"learned": False}, "model": {"learned_only": True},
             "union": {"learned": True, "spacy_ner": False}, "union+spacy": {"learned": True, "spacy_ner": True}}


def run_deid_text(gold: list[dict], headers: bool = False, detector: str = "default") -> tuple[list[dict], float]:
    """Run the deid-text interface on the ids and texts of ``gold``; returns (output records, seconds).

    The de-identifier is built and warmed up on one report first, so the time is the
    steady-state cost (model loading excluded).
    """
    from bonesearch.deid.jsonl import deidentify_jsonl
    from bonesearch.deid.key import PseudonymKey
    from bonesearch.deid.text import ReportDeidentifier

    deidentifier = ReportDeidentifier(PseudonymKey.create(), **DETECTORS.get(detector, {}))
    with tempfile.TemporaryDirectory(prefix="deid-eval-") as tmp:
        src, warm, dst = Path(tmp) / "in.jsonl", Path(tmp) / "warm.jsonl", Path(tmp) / "out.jsonl"
        lines = [json.dumps({"id": r["id"], "text": r["text"],
                             **({"known": header_from_annotation(r)} if headers else {})}, ensure_ascii=False) + "\n"
                 for r in gold]
        warm.write_text(lines[0], encoding="utf-8")
        src.write_text("".join(lines), encoding="utf-8")
        deidentify_jsonl(warm, dst, PseudonymKey.create(), deidentifier=deidentifier)
        start = time.perf_counter()
        deidentify_jsonl(src, dst, PseudonymKey.create(), deidentifier=deidentifier)
        seconds = time.perf_counter() - start
        return read_jsonl(dst), seconds


def _print_reports(title: str, reports: list[SpanReport]) -> None:
    print(f"\n{title} ({len(reports)}):")
    for r in reports:
        other = f" [overlaps {', '.join(r.other_labels)}]" if r.other_labels else ""
        print(f"  {r.record_id} {r.label}: {r.surface!r}{other}  … {r.context} …")


def print_score(result: Score) -> None:
    """Print the per-label table in the bench style: ``name: value (ratio to target)``."""
    for label, s in result.labels.items():
        target = TARGET_RECALL.get(label)
        ratio = f"ratio to {target:.2f} target: {s.recall / target:.3f}" if target else "no target"
        print(
            f"{label}_recall: {s.recall:.3f} ({ratio})  precision: {s.precision:.3f}  f1: {s.f1:.3f}  "
            f"[found {s.found}/{s.gold}, correct {s.correct}/{s.predicted}]"
        )
    a = result.any_phi
    print(
        f"any_phi_recall: {a.recall:.3f} (label-agnostic)  precision: {a.precision:.3f}  f1: {a.f1:.3f}  "
        f"[found {a.found}/{a.gold}, correct {a.correct}/{a.predicted}]"
    )
    fraction = result.keep_redacted_fraction
    print(
        f"keep_terms_redacted: {100 * fraction:.1f} % ({len(result.keep_redacted)}/{result.keep_total}; "
        f"ratio to {100 * KEEP_REDACTED_CEILING:.0f} % ceiling: {fraction / KEEP_REDACTED_CEILING:.2f}, ≤ 1 passes)"
    )
    passed = [lab for lab, s in result.labels.items() if lab in TARGET_RECALL and s.recall >= TARGET_RECALL[lab]]
    scored = [lab for lab in result.labels if lab in TARGET_RECALL]
    print(f"labels_at_target: {len(passed)}/{len(scored)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("annotated", nargs="?", type=Path, default=DEFAULT_SET, help="annotated JSONL")
    parser.add_argument("--predictions", type=Path, help="score this deid-text output instead of running")
    parser.add_argument("--detector", choices=["default", *DETECTORS], default="default",
                        help="rules (with spaCy's NER), model (the learned NER alone), union (rules + learned NER), union+spacy "
                        "(and spaCy's NER: the package's default)")
    parser.add_argument("--headers", action="store_true",
                        help="give each record the header values of a linked study (ingest's path), from its annotation")
    parser.add_argument("--show-misses", action="store_true", help="list missed gold spans and redacted keep terms")
    parser.add_argument("--show-extra", action="store_true", help="list predicted spans with no gold span behind them")
    args = parser.parse_args(argv)

    gold = read_jsonl(args.annotated)
    words = sum(len(r["text"].split()) for r in gold)
    n_spans = sum(len(r.get("spans", [])) for r in gold)
    n_keep = sum(len(r.get("keep", [])) for r in gold)
    print(f"set: {args.annotated.name}, {len(gold)} reports, {words} words, {n_spans} PHI spans, {n_keep} keep terms"
          + (", with header values (--headers)" if args.headers else "") + f", detector {args.detector}")
    if args.predictions:
        predicted, seconds = read_jsonl(args.predictions), None
    else:
        predicted, seconds = run_deid_text(gold, args.headers, args.detector)
    result = score(gold, predicted)
    print_score(result)
    if seconds is not None:
        rate = words / seconds
        print(
            f"words_per_s: {rate:,.0f} (ratio to {TARGET_WORDS_PER_S:,.0f}/s per-core target: "
            f"{rate / TARGET_WORDS_PER_S:.2f}; one process, through the deid-text interface)"
        )
    if args.show_misses:
        _print_reports("missed PHI spans", result.misses)
        _print_reports("redacted keep terms", result.keep_redacted)
    if args.show_extra:
        _print_reports("predicted spans without gold", result.false_positives)
    return 0


if __name__ == "__main__":
    sys.exit(main())
