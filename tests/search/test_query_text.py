"""Query understanding: cleaning, expansion from the vocabulary file (each expansion occurs in
realistic reports), negation of the query, the findings list."""

from __future__ import annotations

from bonesearch.index.lexical import analyse
from bonesearch.search.query_text import (MAX_QUERY_CHARS, body_parts, clean, expand, finding_terms, query_terms,
                                          vocabulary)
from tests.search.report_corpus import annotated_reports, demo_reports


def test_every_expansion_occurs_in_realistic_reports() -> None:
    """An expansion is worth having only if reports use its words: each one's index terms occur in
    the demo's reports or the hand-written annotated ones (French and Belgian hospitals)."""
    terms = {t for text in demo_reports() + annotated_reports() for t in analyse(text)}
    missing = {entry: [t for t in analyse(expansion) if t not in terms] for entry, expansion in vocabulary().items()}
    assert not {k: v for k, v in missing.items() if v}


def test_finding_words_are_report_words() -> None:
    """Most listed findings occur in these reports (« entorse », « pseudarthrose », « ostéoporose »…
    are real findings the test corpora happen not to hold), and the main ones are there."""
    terms = {t for text in demo_reports() + annotated_reports() for t in analyse(text)}
    assert len(finding_terms()) >= 30
    assert len(finding_terms() & terms) >= 0.7 * len(finding_terms())
    assert {"fractur", "luxat", "arthros", "anomal", "lesion", "osteosynthes"} <= finding_terms() & terms


def test_expansion_in_place_ignores_case_and_accents() -> None:
    assert expand("Fx EDR G") == "fx fracture edr extrémité distale du radius g"
    assert "fracture extrémité distale du radius" in expand("Pouteau-Colles")
    assert expand("fracture du radius") == "fracture du radius"  # nothing to expand
    assert "luxation" in expand("épaule DÉBOÎTÉE")
    assert expand("fxx") == "fxx"  # whole words only


def test_a_negation_covers_the_expanded_words() -> None:
    terms = query_terms("pas de fx du poignet")
    assert "fractur" in terms.negated and "fractur" not in terms.affirmed
    assert query_terms("no fracture wrist").negated  # English « no » expands to « pas de »


def test_clean_removes_control_characters_and_caps_length() -> None:
    assert clean("fracture\x00\x1b[2J\tdu\n radius") == "fracture [2J du radius"
    assert len(clean("x" * 10_000)) == MAX_QUERY_CHARS
    assert query_terms("de la du le").empty  # stop words only


def test_body_parts_named_by_a_query() -> None:
    assert body_parts("fracture du poignet gauche") == {"WRIST"}
    assert body_parts("normal KNEE x-ray") == {"KNEE"}  # English, through the expansion
    assert body_parts("Épaule déboîtée") == {"SHOULDER"}
    assert body_parts("pas de fracture du col fémoral") == {"HIP"}  # a phrase: the femoral neck is the hip's
    assert body_parts("fracture du plateau tibial") == {"KNEE"}  # the phrase, not « tibial » (LEG) inside it
    assert body_parts("fracture du calcanium") == {"FOOT"}  # one letter wrong
    assert body_parts("fx olécr. déplacée") == {"ELBOW"}  # abbreviated, with its full stop
    assert body_parts("fx olécr déplacée") == set()  # no full stop: not taken for an abbreviation
    assert body_parts("fracture de fatigue") == set()  # no body-part word: no guess
    assert body_parts("fracture de l'avant-bras") == {"FOREARM"}
