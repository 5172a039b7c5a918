"""The annotated French dev set (tests/data/deid_dev.jsonl), its generator, and the span scorer."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from bonesearch.deid.scoring import LABELS, TARGET_RECALL, coverage, score
from bonesearch.errors import DeidEvalError

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
DEV_SET = DATA / "deid_dev.jsonl"


def _load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]


# ------------------------------------------------------------------------------ the data file
def test_enough_reports_with_unique_ids(records):
    assert len(records) >= 60
    ids = [r["id"] for r in records]
    assert len(set(ids)) == len(ids)
    assert all(set(r) == {"id", "text", "spans", "keep"} for r in records)


def test_spans_are_in_range_labelled_and_trimmed(records):
    for r in records:
        text = r["text"]
        for span in r["spans"]:
            assert span["label"] in LABELS, (r["id"], span)
            assert 0 <= span["start"] < span["end"] <= len(text), (r["id"], span)
            surface = text[span["start"] : span["end"]]
            assert surface == surface.strip() and "[[" not in surface, (r["id"], surface)


def test_spans_do_not_overlap(records):
    for r in records:
        spans = sorted((s["start"], s["end"]) for s in r["spans"])
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert end <= start, (r["id"], spans)


def test_keep_terms_reread_and_lie_outside_phi(records):
    for r in records:
        for term in r["keep"]:
            assert r["text"][term["start"] : term["end"]] == term["term"], (r["id"], term)
            for span in r["spans"]:
                assert term["end"] <= span["start"] or span["end"] <= term["start"], (r["id"], term, span)


def test_every_label_and_the_named_eponyms_are_represented(records):
    counts = {label: 0 for label in LABELS}
    for r in records:
        for span in r["spans"]:
            counts[span["label"]] += 1
    assert all(counts[label] >= 5 for label in LABELS), counts
    assert set(TARGET_RECALL) == set(LABELS)
    terms = {t["term"].lower() for r in records for t in r["keep"]}
    for eponym in ("pouteau-colles", "monteggia", "lisfranc", "salter-harris", "kellgren-lawrence",
                   "osgood-schlatter", "tendon d'achille", "paget", "weber", "garden"):
        assert eponym in terms, eponym


def test_tricky_homonyms_are_annotated_both_ways(records):
    """A patient called Paget / Weber / Garden next to the eponym: PHI once, kept once."""
    for name in ("PAGET", "WEBER", "GARDEN"):
        as_patient = as_eponym = False
        for r in records:
            for span in r["spans"]:
                surface = r["text"][span["start"] : span["end"]]
                as_patient |= span["label"] == "PATIENT" and name in surface.upper().split()
            as_eponym |= any(t["term"].upper() == name for t in r["keep"])
        assert as_patient and as_eponym, name


def test_jsonl_is_in_sync_with_its_marked_up_source():
    generator = _load_module(DATA / "make_deid_dev.py", "make_deid_dev")
    rebuilt = generator.render(generator.parse_source(generator.SOURCE.read_text(encoding="utf-8")))
    assert rebuilt == DEV_SET.read_text(encoding="utf-8"), "run: python tests/data/make_deid_dev.py"


def test_generator_strips_markup_and_computes_offsets():
    generator = _load_module(DATA / "make_deid_dev.py", "make_deid_dev")
    record = generator.parse_report("t1", "Mme [[PATIENT:Anne LEROY]], fracture de {{Monteggia}} le [[DATE:3/4/2024]].")
    assert record["text"] == "Mme Anne LEROY, fracture de Monteggia le 3/4/2024."
    assert [(record["text"][s["start"] : s["end"]], s["label"]) for s in record["spans"]] == [
        ("Anne LEROY", "PATIENT"), ("3/4/2024", "DATE"),
    ]
    assert record["keep"] == [{"start": 28, "end": 37, "term": "Monteggia"}]
    with pytest.raises(generator.MarkupError, match="unknown label 'NAME'"):
        generator.parse_report("t2", "[[NAME:Anne]]")
    with pytest.raises(generator.MarkupError, match="unbalanced"):
        generator.parse_report("t3", "Mme [[PATIENT:Anne LEROY] vue")


# ------------------------------------------------------------------------------ the scorer
TEXT = "Mme Jeanne DUPONT, née le 12/03/1958, vue par le Dr Paul Martin : fracture de Pouteau-Colles."


def _at(text: str, surface: str, label: str) -> dict:
    start = text.index(surface)
    return {"start": start, "end": start + len(surface), "label": label}


GOLD = [
    {
        "id": "a", "text": TEXT,
        "spans": [_at(TEXT, "Jeanne DUPONT", "PATIENT"), _at(TEXT, "12/03/1958", "BIRTHDATE"),
                  _at(TEXT, "Paul Martin", "STAFF")],
        "keep": [{**_at(TEXT, "Pouteau-Colles", ""), "term": "Pouteau-Colles"}],
    },
    {"id": "b", "text": "Dr Paul Martin.", "spans": [_at("Dr Paul Martin.", "Paul Martin", "STAFF")], "keep": []},
]
PREDICTED = [
    {
        "id": "a", "text": TEXT,
        "spans": [_at(TEXT, "Jeanne", "PATIENT"), _at(TEXT, "DUPONT", "PATIENT"),  # two pieces add up
                  _at(TEXT, "12/03/1958", "DATE"),  # right place, wrong label
                  _at(TEXT, "Martin", "STAFF"),  # 6 of 11 characters: found
                  _at(TEXT, "Pouteau", "STAFF")],  # an eponym redacted: false positive
    },
    {"id": "b", "text": "Dr Paul Martin.", "spans": [_at("Dr Paul Martin.", "Paul", "STAFF")]},  # 4/11: missed
]


def test_score_counts_per_label():
    result = score(GOLD, PREDICTED)
    patient, staff = result.labels["PATIENT"], result.labels["STAFF"]
    assert (patient.gold, patient.found, patient.predicted, patient.correct) == (1, 1, 2, 2)
    assert (staff.gold, staff.found, staff.predicted, staff.correct) == (2, 1, 3, 2)
    assert staff.recall == 0.5 and staff.precision == pytest.approx(2 / 3) and staff.f1 == pytest.approx(4 / 7)
    assert result.labels["BIRTHDATE"].recall == 0.0
    assert result.labels["DATE"].precision == 0.0 and result.labels["DATE"].gold == 0
    assert [(m.record_id, m.label, m.surface) for m in result.misses] == [("a", "BIRTHDATE", "12/03/1958"),
                                                                          ("b", "STAFF", "Paul Martin")]
    assert result.misses[0].other_labels == ("DATE",) and "⟦12/03/1958⟧" in result.misses[0].context


def test_score_any_phi_keep_terms_and_compatible_labels():
    result = score(GOLD, PREDICTED)
    assert (result.any_phi.gold, result.any_phi.found) == (4, 3)  # the mislabelled date still counts as found
    assert (result.any_phi.predicted, result.any_phi.correct) == (6, 5)  # only "Pouteau" has no gold behind it
    assert result.keep_total == 1 and result.keep_redacted_fraction == 1.0
    assert result.keep_redacted[0].other_labels == ("STAFF",)
    assert [(fp.label, fp.surface) for fp in result.false_positives] == [("DATE", "12/03/1958"), ("STAFF", "Pouteau")]
    lenient = score(GOLD, PREDICTED, compatible={"BIRTHDATE": {"DATE"}})
    assert lenient.labels["BIRTHDATE"].recall == 1.0


def test_perfect_prediction_scores_one():
    perfect = [{"id": r["id"], "text": r["text"], "spans": r["spans"]} for r in GOLD]
    result = score(GOLD, perfect)
    assert all(s.recall == 1.0 and s.precision == 1.0 for s in result.labels.values())
    assert result.keep_redacted == [] and result.false_positives == []


def test_coverage_merges_overlapping_pieces():
    assert coverage(0, 10, [(0, 3), (2, 5), (8, 20)]) == pytest.approx(0.7)
    assert coverage(0, 10, []) == 0.0 and coverage(5, 5, [(0, 10)]) == 0.0


def test_score_refuses_misaligned_predictions():
    with pytest.raises(DeidEvalError, match="without a prediction"):
        score(GOLD, PREDICTED[:1])
    changed = [{**PREDICTED[0], "text": TEXT.upper()}, PREDICTED[1]]
    with pytest.raises(DeidEvalError, match="differs from the annotated text"):
        score(GOLD, changed)
    outside = [{**PREDICTED[0], "spans": [{"start": 0, "end": 999, "label": "PATIENT"}]}, PREDICTED[1]]
    with pytest.raises(DeidEvalError, match="outside its text"):
        score(GOLD, outside)


def test_bench_prints_per_label_ratios(tmp_path, capsys):
    bench = _load_module(REPO / "bench" / "deid_eval.py", "deid_eval")
    gold, pred = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    gold.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in GOLD), encoding="utf-8")
    pred.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in PREDICTED), encoding="utf-8")
    assert bench.main([str(gold), "--predictions", str(pred), "--show-misses"]) == 0
    out = capsys.readouterr().out
    assert "STAFF_recall: 0.500 (ratio to 0.95 target: 0.526)" in out
    assert "keep_terms_redacted: 100.0 % (1/1" in out
    assert "b STAFF: 'Paul Martin'" in out and "words_per_s" not in out
