"""The lexical report index (Tantivy): French stemming and folding, negation-aware ranking,
query syntax taken as plain words, typos, allowed-report filters, and erasure that leaves
nothing of a report in the index's files."""

from __future__ import annotations

import numpy as np
import pytest

from bonesearch.index.lexical import LexicalDoc, LexicalIndex, analyse
from bonesearch.reports.mentions import split_many
from bonesearch.search.query_text import finding_terms, query_terms

REPORTS = {
    1: "Radiographies du poignet droit. Fracture de l'extrémité distale du radius déplacée.",
    2: "Radiographies du poignet gauche. Pas de fracture du poignet. Interlignes respectés.",
    3: "Radiographies du poignet droit. Absence de fracture. Pas de luxation.",
    4: "Genou gauche. Gonarthrose fémoro-tibiale interne, pincement et ostéophytes.",
    5: "Épaule droite. Luxation antéro-interne gléno-humérale.",
    6: "Poignet gauche. Suspicion de fracture du scaphoïde ? Contrôle à 10 jours.",
    7: "Poignet droit. Pas de fracture du scaphoïde. Fracture du radius distal non déplacée.",
    8: "Hanche droite. Coxarthrose évoluée. Dr ZIDANEQQ Marcel.",
}


def _docs(reports: dict[int, str]) -> list[LexicalDoc]:
    mentions = split_many(list(reports.values()))
    return [LexicalDoc(i, text, m.affirmed, m.negated) for (i, text), m in zip(reports.items(), mentions)]


@pytest.fixture()
def index(tmp_path) -> LexicalIndex:
    built = LexicalIndex.create(tmp_path / "lexical")
    built.add(_docs(REPORTS), replace=False)
    return LexicalIndex.open(tmp_path / "lexical", finding_terms())


def _ranked(index: LexicalIndex, query: str, allowed=None) -> list[int]:
    terms = query_terms(query)
    return [i for i, _ in index.search(terms.affirmed, terms.negated, 10, allowed)]


def test_analysis_folds_accents_and_stems_french() -> None:
    assert analyse("Fractures DÉPLACÉES de l'épaule") == analyse("fracture deplacee epaule")
    assert "de" not in analyse("fracture de la hanche")  # French stop words out


def test_affirmed_fractures_rank_above_reports_that_deny_one(index) -> None:
    ranked = _ranked(index, "fracture du poignet")
    assert set(ranked[:2]) == {1, 7}, ranked  # 7 affirms a radius fracture beside a denied scaphoid one
    assert 2 not in ranked and 3 not in ranked  # they only deny it
    assert index.contradicting(*_terms("fracture du poignet"), [1, 2, 3, 6, 7]) == {2, 3}


def _terms(query: str) -> tuple[list[str], list[str]]:
    terms = query_terms(query)
    return terms.affirmed, terms.negated


def test_a_negated_query_prefers_reports_that_deny_it(index) -> None:
    ranked = _ranked(index, "pas de fracture du poignet")
    assert set(ranked[:2]) == {2, 3}, ranked
    assert 1 not in ranked  # it affirms the fracture the query denies
    assert 1 in index.contradicting(*_terms("pas de fracture du poignet"), [1, 2, 3])


def test_hypothesis_is_not_a_finding(index) -> None:
    mentions = split_many([REPORTS[6]])[0]
    assert "fracture" not in mentions.affirmed and "fracture" in mentions.hypothetical
    assert _ranked(index, "fracture du scaphoïde")[0] != 6


def test_query_syntax_is_plain_words(index) -> None:
    for query in ['"luxation" AND text:épaule', "luxation OR +(épaule)* -genou", "luxation^3 ~2 \\ épaule",
                  "épaule luxation 🦴 \x00\x1b[2J"]:
        assert _ranked(index, query)[0] == 5, query


def test_a_typo_still_finds_the_word(index) -> None:
    assert _ranked(index, "gonartrose")[0] == 4
    assert _ranked(index, "luxaton epaule")[0] == 5


def test_allowed_reports_restrict_the_results(index) -> None:
    assert _ranked(index, "fracture", allowed=np.array([7, 8])) == [7]
    assert _ranked(index, "fracture", allowed=np.array([], dtype=np.int64)) == []


def test_purge_leaves_no_trace_of_the_report(index, tmp_path) -> None:
    assert index.doc_freq("text", analyse("ZIDANEQQ")[0]) == 1
    assert index.purge([8]) == 1
    reopened = LexicalIndex.open(tmp_path / "lexical", finding_terms())
    assert reopened.doc_freq("text", analyse("ZIDANEQQ")[0]) == 0  # not a tombstone: the term is gone
    assert sorted(reopened.report_ids().tolist()) == [1, 2, 3, 4, 5, 6, 7]
    assert all("ZIDANEQQ" not in d.text for d in reopened.documents())
    for path in (tmp_path / "lexical").rglob("*"):
        if path.is_file():
            assert b"zidaneqq" not in path.read_bytes().lower(), path
    assert not any(p.name.startswith("lexical.") for p in tmp_path.iterdir())  # no leftover copy


def test_delete_then_add_replaces_a_report(index) -> None:
    index.add(_docs({4: "Genou gauche. Pas d'arthrose. Pas de fracture."}))
    assert index.count() == len(REPORTS)
    assert 4 not in _ranked(index, "gonarthrose")


def test_shards_answer_as_one_index_and_a_purge_rewrites_one(tmp_path) -> None:
    """Four shards hold the same reports as one: the same ranking for every query here, the same
    counts; a purge rewrites only the shard that held the erased report."""
    one = LexicalIndex.create(tmp_path / "one")
    one.add(_docs(REPORTS), replace=False)
    four = LexicalIndex.create(tmp_path / "four", shards=4)
    four.add(_docs(REPORTS), replace=False)
    four = LexicalIndex.open(tmp_path / "four", finding_terms())
    one = LexicalIndex.open(tmp_path / "one", finding_terms())
    assert four.count() == one.count() == len(REPORTS)
    assert four.report_ids().tolist() == one.report_ids().tolist()
    for query in ("fracture du poignet", "pas de fracture du poignet", "luxaton epaule", "gonarthrose"):
        assert {i for i, _ in _ranked_pairs(four, query)} == {i for i, _ in _ranked_pairs(one, query)}, query
    untouched = {p: p.stat().st_mtime_ns for p in (tmp_path / "four").rglob("*") if p.is_file()
                 and "shard-000" not in str(p) and p.name != "lexical.json"}
    assert four.purge([8]) == 1  # report 8 lives in shard 8 % 4 = 0
    assert {p: p.stat().st_mtime_ns for p in untouched if p.exists()} == untouched
    assert four.doc_freq("text", analyse("ZIDANEQQ")[0]) == 0 and four.count() == len(REPORTS) - 1


def _ranked_pairs(index: LexicalIndex, query: str) -> list[tuple[int, float]]:
    terms = query_terms(query)
    return index.search(terms.affirmed, terms.negated, 10)


def test_shard_count_follows_the_archive() -> None:
    assert LexicalIndex.shards_for(0) == LexicalIndex.shards_for(16_000) == 1
    assert LexicalIndex.shards_for(100_000) == 8 and LexicalIndex.shards_for(250_000) == 16
    assert LexicalIndex.shards_for(10_000_000) == 64
