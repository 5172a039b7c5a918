"""bench/knee_reports.py: French knee reports from KL grades, and the export that ingest takes."""

from __future__ import annotations

import importlib.util
import random
import re
import sys
from pathlib import Path

import pytest

from bonesearch.store import Store
from indexer.ingest import ingest_archive

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("knee_reports", REPO / "bench" / "knee_reports.py")
kr = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("knee_reports", kr)  # dataclasses look their module up there
_spec.loader.exec_module(kr)

STAGE = re.compile(r"(?:stade|grade|KL|Kellgren-Lawrence|Kellgren et Lawrence)\s+(0|I{1,3}|IV|[0-4])\b")
ROMAN = {"0": 0, "I": 1, "II": 2, "III": 3, "IV": 4}


def _bodies(grade: int, side: str = "R", n: int = 200) -> list[dict]:
    return [kr.knee_report_body(grade, side, random.Random(f"test-{grade}-{side}-{i}")) for i in range(n)]


def _text(body: dict) -> str:
    return " ".join([body["indication"], body["technique"], *body["findings"], body["conclusion"]])


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=\.)\s+", text) if s]


@pytest.mark.parametrize("grade", range(5))
def test_reports_vary_within_a_grade(grade):
    bodies = _bodies(grade)
    assert len({_text(b) for b in bodies}) >= 190
    assert len({b["conclusion"] for b in bodies}) >= 8
    assert len({" ".join(b["findings"]) for b in bodies}) >= 60


@pytest.mark.parametrize("grade", range(5))
def test_grade_number_is_right_when_written_and_not_always_written(grade):
    conclusions = [b["conclusion"] for b in _bodies(grade)]
    written = [STAGE.search(c) for c in conclusions]
    for match in filter(None, written):
        value = match.group(1)
        assert (ROMAN[value] if value in ROMAN else int(value)) == grade
    with_number = sum(m is not None for m in written)
    assert 0 < with_number < len(conclusions)


@pytest.mark.parametrize("side, word, other", [("R", "droit", "gauche"), ("L", "gauche", "droit")])
def test_laterality_follows_the_file_name(side, word, other):
    for body in _bodies(2, side, 100):
        assert re.search(rf"\b{word}\b|\b{word[0].upper()}\b", body["technique"])
        assert other not in _text(body)


def test_grade_0_claims_no_osteophyte():
    for body in _bodies(0, n=300):
        for sentence in _sentences(_text(body)):
            if "ostéophyt" in sentence.lower():
                assert re.search(r"\b(pas|absence|sans)\b", sentence, re.IGNORECASE), sentence


def test_grade_4_mentions_severe_narrowing():
    for body in _bodies(4, n=300):
        narrowing = [s for s in body["findings"] if "pincement" in s.lower() or "interligne" in s.lower()]
        assert any(w in s for s in narrowing for w in kr.SEVERE_NARROWING_WORDS), body["findings"]


def test_grades_1_to_4_name_their_defining_sign():
    for body in _bodies(1):
        doubtful = ("douteu", "ébauche", "effilé", "possible", "limite inférieure", "peut-être")
        assert any(w in s.lower() for s in body["findings"] for w in doubtful), body["findings"]
    for grade in (2, 3, 4):
        for body in _bodies(grade):
            assert any("ostéophyt" in s.lower() and not s.startswith(("Pas", "Absence")) for s in body["findings"])


def test_bad_grade_and_file_name_say_what_is_expected(tmp_path):
    with pytest.raises(ValueError, match="expected 0 to 4"):
        kr.knee_report_body(5, "R", random.Random(0))
    (tmp_path / "2").mkdir()
    (tmp_path / "2" / "knee.png").write_bytes(b"")
    with pytest.raises(ValueError, match="<OAI id><L|R>.png"):
        kr.list_knee_images(tmp_path)


@pytest.mark.shared_data
def test_export_ingests_with_reports_linked(shared_data, tmp_path):
    folder = shared_data / "knee-kl" / "train"
    if not folder.is_dir():
        pytest.skip("../shared/data/knee-kl is absent")
    images = kr.list_knee_images(folder)
    subset = [im for grade in range(5) for im in [i for i in images if i.grade == grade][:4]]
    summary = kr.write_knee_export(subset, tmp_path / "out", seed=0)
    assert summary.images == summary.reports == 20
    result = ingest_archive(tmp_path / "out" / "export", tmp_path / "store", workers=1, cache_size=224)
    assert result.images_ingested == 20 and not result.skipped and not result.excluded
    assert result.reports_ingested == 20 and result.reports_orphan == 0 and result.studies_without_report == 0
    with Store.open(tmp_path / "store") as store:
        rows = store.con.execute(
            "SELECT i.body_part, i.laterality, s.patient_pseudo, r.conclusion FROM images i "
            "JOIN studies s USING (study_id) JOIN reports r USING (study_id)").fetchall()
    assert len(rows) == 20
    assert {r[0] for r in rows} == {"KNEE"}
    assert sorted(r[1] for r in rows) == sorted(im.side for im in subset)
    assert len({r[2] for r in rows}) == len({im.oai_id for im in subset})  # both knees of a patient: one patient
    assert all(r[3] for r in rows)  # every report's conclusion was found
