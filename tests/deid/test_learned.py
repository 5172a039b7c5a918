"""The learned NER unioned with the rules (issue 18, item 2): it fills what the rules missed, never
relabels or cuts a rule's span, and eponyms and clinical words veto its guesses. A spaCy entity
ruler stands in for the trained model so each behaviour is exact; the shipped model is loaded and
scored separately."""

from __future__ import annotations

import pytest

from bonesearch.deid.key import PseudonymKey
from bonesearch.deid.learned import MODEL_DIR, load_learned_model
from bonesearch.deid.text import ReportDeidentifier
from bonesearch.errors import DeidModelError


@pytest.fixture(scope="module")
def stand_in():
    """A "model" that labels fixed phrases, as the trained NER would."""
    import spacy

    nlp = spacy.blank("fr")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([
        {"label": "PATIENT", "pattern": "Zorglub"},
        {"label": "STAFF", "pattern": "fracture"},  # a clinical word: must be vetoed
        {"label": "PATIENT", "pattern": "Maisonneuve"},  # an eponym here: must be vetoed
        {"label": "CITY", "pattern": [{"LOWER": "jeanne"}, {"LOWER": "dupont"}]},  # the rules say PATIENT
        {"label": "ID", "pattern": "QX-77-AB"},
    ])
    return nlp


def _labels(deid, text):
    return {text[d.start:d.end]: d.category for d in deid.detect(text)}


def test_the_model_fills_what_the_rules_missed(stand_in) -> None:
    text = "Revu ce jour avec Zorglub, code QX-77-AB. Fracture de Maisonneuve. Pas de fracture."
    rules = ReportDeidentifier(PseudonymKey.create(), use_ner=False, learned=False)
    union = ReportDeidentifier(PseudonymKey.create(), use_ner=False, learned=True, learned_model=stand_in)
    assert "Zorglub" not in _labels(rules, text)
    found = _labels(union, text)
    assert found.get("Zorglub") == "PATIENT" and found.get("QX-77-AB") == "ID", found
    assert "Maisonneuve" not in found and "fracture" not in found, found


def test_a_rule_span_keeps_its_label_and_extent(stand_in) -> None:
    text = "Patient : Mme Jeanne DUPONT, radiographie du poignet."
    union = ReportDeidentifier(PseudonymKey.create(), use_ner=False, learned=True, learned_model=stand_in)
    assert _labels(union, text) == {"Jeanne DUPONT": "PATIENT"}


def test_model_alone_runs_no_rule(stand_in) -> None:
    text = "Patient : Mme Jeanne DUPONT, tél. 06 12 34 56 78, vu avec Zorglub."
    alone = ReportDeidentifier(PseudonymKey.create(), use_ner=False, learned_only=True, learned_model=stand_in)
    assert _labels(alone, text) == {"Jeanne DUPONT": "CITY", "Zorglub": "PATIENT"}


def test_a_missing_or_damaged_model_says_what_to_do(tmp_path) -> None:
    with pytest.raises(DeidModelError, match="train one with"):
        load_learned_model(tmp_path / "nowhere")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "meta.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DeidModelError, match="cannot be loaded"):
        load_learned_model(tmp_path / "broken")


@pytest.mark.skipif(not (MODEL_DIR / "meta.json").is_file(), reason="no shipped learned model")
def test_the_shipped_model_finds_people_ids_and_places_without_the_rules() -> None:
    alone = ReportDeidentifier(PseudonymKey.create(), learned_only=True)
    text = ("Concerne : Mme Ngozi Adebayo-Lambrecht, dossier 4471-AZ-2219, domiciliée Rue des Tanneurs 41, "
            "4500 Huy. Fracture de Pouteau-Colles gauche, arthrose stade 3 de Kellgren-Lawrence.")
    found = _labels(alone, text)
    assert any("Adebayo" in s for s, label in found.items() if label == "PATIENT"), found
    assert not any("Pouteau" in s or "Kellgren" in s for s in found), found
