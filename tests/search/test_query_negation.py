"""A query's negated words without spaCy (bonesearch.search.query_negation): they agree with the
reports' qualifiers (edsnlp) on realistic queries, and a query never loads the qualifiers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bonesearch.index.lexical import analyse
from bonesearch.reports import mentions
from bonesearch.search.query_negation import split_query
from bonesearch.search.query_text import expand, query_terms

QUERIES = Path(__file__).resolve().parents[2] / "bench" / "queries" / "fr_search_blind.jsonl"

#: queries written for this test (not in the blind set): each style of denial a search box sees
WRITTEN = ["pas de fracture du poignet", "fracture non déplacée du radius", "sans fracture mais luxation de l'épaule",
           "absence de luxation, fracture du radius distal", "pas d'arthrose digitale", "no fracture of the wrist",
           "fracture du col fémoral éliminée", "aucune lésion osseuse traumatique", "suspicion de fracture du scaphoïde",
           "genou : pas d'épanchement", "pas de changement de la fracture", "cheville sans fracture ni luxation",
           "luxation absente", "fracture du tibia sans déplacement", "ni fracture ni luxation du coude",
           "Fracture NON DÉPLACÉE", "poignet sans fracture", "épaule normale, pas de luxation"]


def _terms(affirmed: str, negated: str) -> tuple[set[str], set[str]]:
    return set(analyse(affirmed)), set(analyse(negated))


@pytest.mark.parametrize("query,affirmed,negated", [
    ("pas de fracture du poignet", "", "fractur"),
    ("fracture non déplacée du radius", "fractur", ""),
    ("sans fracture mais luxation de l'épaule", "luxat", "fractur"),
    ("absence de luxation, fracture du radius distal", "fractur", "luxat"),
    ("fracture du col fémoral éliminée", "", "fractur"),
    ("cheville sans fracture ni luxation", "chevill", "luxat"),
    ("no fracture of the wrist", "", "fractur"),
])
def test_denied_words_are_in_the_negated_part(query, affirmed, negated) -> None:
    got = split_query(expand(query))
    terms_affirmed, terms_negated = _terms(got.affirmed, got.negated)
    if affirmed:
        assert affirmed in terms_affirmed and affirmed not in terms_negated, got
    if negated:
        assert negated in terms_negated and negated not in terms_affirmed, got


def test_the_rules_agree_with_the_reports_qualifiers() -> None:
    """On the project's query set and the queries above: the same index terms in each part as
    edsnlp's negation (hypothetical words counted as affirmed), for at least 98 % of queries."""
    queries = [json.loads(line)["query"] for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    differing = []
    for query in queries + WRITTEN:
        text = expand(query)
        light, reference = split_query(text), mentions.split_mentions(text)
        if _terms(light.affirmed, light.negated) != _terms(reference.affirmed + " " + reference.hypothetical,
                                                            reference.negated):
            differing.append(text)
    assert len(differing) <= 0.02 * len(queries + WRITTEN), differing


def test_words_are_taken_from_the_query_itself() -> None:
    got = split_query("Poignet G : pas de fx Pouteau-Colles ?")
    assert got.affirmed.startswith("Poignet G :") and "Pouteau-Colles" in got.negated
    assert split_query("") == mentions.Mentions("", "", "")
    assert split_query("🦴 ?! \\\"").negated == ""


def test_a_negated_query_does_not_import_spacy_or_torch() -> None:
    code = ("import sys; from bonesearch.search.query_text import query_terms; "
            "t = query_terms('pas de fracture du radius distal'); assert t.negated, t; "
            "print(sorted(m for m in ('spacy', 'torch', 'edsnlp', 'thinc') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "[]", (done.stdout, done.stderr[-2000:])


def test_query_terms_put_a_denied_finding_apart() -> None:
    terms = query_terms("pas de fracture du poignet")
    assert "fractur" in terms.negated and "fractur" not in terms.affirmed


@pytest.mark.parametrize("query", ["pas " * 2500, "🦴" * 300 + " sans fracture", "\x00\x1b[31mpas de\x07 fracture",
                                   "NOT fracture OR title:* AND \"pas\" -luxation", "?!;,()", "n' n' n' ni ni"])
def test_hostile_queries_are_split_without_error(query) -> None:
    terms = query_terms(query)  # cleaned (500 characters at most), expanded, split
    assert isinstance(terms.affirmed, list) and isinstance(terms.negated, list)
    assert all("\x00" not in t and "\x1b" not in t for t in terms.affirmed + terms.negated)
