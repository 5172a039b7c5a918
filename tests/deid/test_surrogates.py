"""Realistic surrogates: deterministic per key and patient, consistent, never a medical term."""

from __future__ import annotations

import re

import pytest

from bonesearch.deid.key import PseudonymKey
from bonesearch.deid.surrogates import (
    CITIES, GIVEN_F, GIVEN_M, NAMED_PLACES, SURNAMES, SurrogateMaker, all_surrogate_words, is_female_given_name,
    match_case,
)
from bonesearch.deid.text import ReportDeidentifier
from bonesearch.deid.vocab import EPONYMS, FIRST_NAMES, NAME_CONNECTORS, fold, is_vocab

KEY = PseudonymKey(salt=bytes(range(32)))
LETTER = """Patient : Mme Jeanne DUPONT, 67 ans.
Médecin prescripteur : Dr Alain LEFEVRE.
Mme Dupont signale une chute. CHU de Bordeaux, Clinique du Parc.
Lyon, le 3 mars 2024."""


@pytest.fixture(scope="module")
def deid() -> ReportDeidentifier:
    return ReportDeidentifier(KEY, use_ner=False)


def _maker(patient: str = "P1", words: set[str] = frozenset(), key: PseudonymKey = KEY) -> SurrogateMaker:
    return SurrogateMaker(key, patient, set(words))


# ---- the lists -------------------------------------------------------------------------------
def test_lists_hold_no_eponym_vocabulary_or_duplicate():
    eponym_words = {w for e in EPONYMS for w in re.findall(r"[^\W\d_]+", fold(e))}
    for name in SURNAMES + GIVEN_F + GIVEN_M + CITIES:
        f = fold(name)
        assert f not in eponym_words and not is_vocab(f), name
    for items in (SURNAMES, GIVEN_F, GIVEN_M, CITIES, NAMED_PLACES):
        assert len({fold(i) for i in items}) == len(items)
    assert not {fold(n) for n in GIVEN_F} & {fold(n) for n in GIVEN_M}


def test_lists_avoid_the_demo_identities():
    """The demo store's leak check greps for the demo's names: a surrogate must never look like one."""
    identities = pytest.importorskip("bonesearch.demo.identities")
    demo = {fold(w) for group in (identities.FAMILY, identities.GIVEN_F, identities.GIVEN_M) for w in group}
    demo |= {fold(w) for town, _, _ in identities.TOWNS for w in re.findall(r"[^\W\d_]+", town)}
    demo |= {fold(w) for name in identities.ACCENTS.values() for w in [name]}
    clash = (all_surrogate_words() - NAME_CONNECTORS) & demo
    assert not clash, clash


def test_case_style_and_gender():
    assert match_case("DUPONT", "Fabre") == "FABRE" and match_case("dupont", "Fabre") == "fabre"
    assert match_case("Dupont", "Fabre") == "Fabre"
    assert is_female_given_name("jeanne") and is_female_given_name("marie-claire")
    assert not is_female_given_name("pierre") and not is_female_given_name("jean-baptiste")
    assert not is_female_given_name("paul")


# ---- people ------------------------------------------------------------------------------------
def test_person_keeps_structure_case_and_gender():
    m = _maker(words={"dupont", "jeanne", "le", "goff", "anne-marie", "j"})
    out = m.person("DUPONT Jeanne")
    surname, given = out.split(" ")
    assert surname.isupper() and fold(surname) in {fold(s) for s in SURNAMES}
    assert given in GIVEN_F
    assert m.person("Jeanne DUPONT") == f"{given} {surname}"  # the same words, the same surrogates
    assert m.person("dupont") == surname.lower()
    initial = m.person("J. Dupont")
    assert re.fullmatch(r"[A-Z]\. [A-Z][a-zà-ÿ]+", initial) and initial.endswith(surname.title()[1:])
    assert m.person("Pierre DUPONT", female=True).split(" ")[0] in GIVEN_F
    assert _maker().person("Pierre MARTIN").split(" ")[0] in GIVEN_M
    mixed = _maker().person("Odile SAINT-MARTIN")  # case tells the given name, even one no list knows
    assert re.fullmatch(r"[A-ZÉ][a-zà-ÿ]+ [A-ZÀ-Ü\-]+", mixed) and mixed.split(" ")[0] in GIVEN_F
    assert _maker().person("HADDOU Samia", female=True).split(" ")[1] in GIVEN_F
    compound = m.person("LE GOFF Anne-Marie")
    assert len(compound.split(" ")) == 2 and compound.split(" ")[1] in GIVEN_F


def test_same_patient_same_surrogate_across_reports_and_runs():
    first = _maker("P1", {"dupont"}).person("DUPONT")
    assert _maker("P1", {"dupont", "fracture"}).person("DUPONT") == first
    assert SurrogateMaker(PseudonymKey(salt=bytes(range(32))), "P1", {"dupont"}).person("DUPONT") == first
    others = {_maker(f"P{i}", {"dupont"}).person("DUPONT") for i in range(2, 12)}
    assert len(others) > 3  # other patients: spread over the list
    other_key = {_maker("P1", {"dupont"}, PseudonymKey(salt=bytes([s]) * 32)).person("DUPONT") for s in range(8)}
    assert len(other_key) > 3


def test_different_names_get_different_surrogates_and_none_recreates_an_input_word():
    words = {fold(s) for s in SURNAMES[:40]}  # a report that happens to hold many list names
    m = _maker("P1", words | {"dupont", "durand"})
    outs = {m.person(n) for n in ("DUPONT", "DURAND", "MOREAU", "GIRARD", "LAMBERT")}
    assert len(outs) == 5
    assert not {fold(o) for o in outs} & (words | {"dupont", "durand"})


def test_places_keep_their_kind():
    m = _maker()
    assert m.city("LYON").isupper() and fold(m.city("LYON")) in {fold(c) for c in CITIES}
    chu = m.institution("CHU de Bordeaux", "CHU de ")
    assert re.fullmatch(r"CHU (?:de|d') ?\S+", chu) and "Bordeaux" not in chu
    clinic = m.institution("Clinique du Parc", "Clinique du ")
    assert clinic.startswith("Clinique ") and clinic[len("Clinique "):] in NAMED_PLACES
    assert m.institution("AP-HP", "AP-HP").startswith("GROUPE HOSPITALIER ")
    assert "CHUV" not in m.institution("CHUV", "CHUV")  # a name alone keeps nothing of itself
    assert m.institution("CENTRE HOSPITALIER DE DREUX", "CENTRE HOSPITALIER DE ").startswith("CENTRE HOSPITALIER ")


# ---- through the de-identifier -------------------------------------------------------------------
def test_report_gets_consistent_realistic_surrogates(deid):
    out = deid.deidentify(LETTER, patient_key="P1").text
    m = re.search(r"Patient : Mme (\w+) ([A-ZÀ-Ü]+), 67 ans", out)
    assert m and m.group(1) in GIVEN_F, out
    assert f"Mme {m.group(2).title()} signale" in out  # the same family name, Title case as written
    staff = re.search(r"Dr (\w+) ([A-ZÀ-Ü]+)\.", out)
    assert staff and staff.group(1) in GIVEN_M and staff.group(2) != m.group(2)
    for real in ("Jeanne", "DUPONT", "Dupont", "Alain", "LEFEVRE", "Bordeaux", "Parc", "Lyon", "3 mars 2024"):
        assert real not in out, (real, out)
    assert "67 ans" in out and re.search(r"CHU (?:de|d') ?\S+, Clinique ", out)
    again = deid.deidentify(LETTER.replace("chute", "gonalgie"), patient_key="P1").text
    assert again.split("\n")[0] == out.split("\n")[0]
    other = deid.deidentify(LETTER, patient_key="P2").text
    assert other.split("\n")[0] != out.split("\n")[0]


def test_surrogates_are_never_known_first_names_of_the_report(deid):
    text = "Patient : M. " + " ".join(f"{n.upper()}" for n in ("Martin", "Fabre", "Robin")) + ", vu par Dr Simon RICHARD."
    out = deid.deidentify(text, patient_key="P9").text
    for real in ("MARTIN", "FABRE", "ROBIN", "Simon", "RICHARD"):
        assert real not in out, out


def test_first_names_used_as_given_names_are_common_french_given_names():
    assert {"jeanne", "jean", "alain"} <= FIRST_NAMES
