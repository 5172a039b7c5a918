"""Per-label recall on both annotated sets (dev and held-out), through the deid-text interface
and :func:`bonesearch.deid.scoring.score`, plus the general rules the held-out set asked for."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bonesearch.deid.jsonl import deidentify_jsonl
from bonesearch.deid.key import PseudonymKey
from bonesearch.deid.scoring import KEEP_REDACTED_CEILING, TARGET_RECALL, score
from bonesearch.deid.text import ReportDeidentifier

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
SETS = {"dev": DATA / "deid_dev.jsonl", "holdout": DATA / "deid_holdout.jsonl",
        "holdout3": DATA / "deid_holdout3.jsonl", "holdout4": DATA / "deid_holdout4.jsonl",
        "holdout5": DATA / "deid_holdout5.jsonl"}


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def deid() -> ReportDeidentifier:
    return ReportDeidentifier(PseudonymKey.create())


@pytest.fixture(scope="module")
def tagger() -> ReportDeidentifier:
    return ReportDeidentifier(PseudonymKey.create(), mode="tag")


@pytest.mark.parametrize("name", sorted(SETS))
def test_recall_targets_per_label(deid, tmp_path, name):
    gold = _read(SETS[name])
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n" for r in gold),
                   encoding="utf-8")
    deidentify_jsonl(src, dst, PseudonymKey.create(), deidentifier=deid)
    result = score(gold, _read(dst))
    assert set(result.labels) >= set(TARGET_RECALL)
    below = {label: (round(s.recall, 3), [(m.record_id, m.surface) for m in result.misses if m.label == label])
             for label, s in result.labels.items() if label in TARGET_RECALL and s.recall < TARGET_RECALL[label]}
    assert not below, below
    assert result.keep_redacted_fraction <= KEEP_REDACTED_CEILING, result.keep_redacted
    assert result.any_phi.precision >= 0.95, result.false_positives


def _found(tagger: ReportDeidentifier, text: str, **kw) -> list[tuple[str, str]]:
    return [(d.category, text[d.start:d.end]) for d in tagger.detect(text, **kw)]


@pytest.mark.parametrize("text, expected", [
    ("NAM : BOUD 6203 1498   Dossier : 2231", ("ID", "BOUD 6203 1498")),
    ("RAMQ: LAVM 9912 2507", ("ID", "LAVM 9912 2507")),
    ("Mutualité chrétienne – n° d'affilié 126-0553190-42", ("ID", "126-0553190-42")),
    ("N° AVS : 756.1234.5678.97", ("ID", "756.1234.5678.97")),
])
def test_ids_after_their_label(tagger, text, expected):
    assert expected in _found(tagger, text)


@pytest.mark.parametrize("text, expected", [
    ("Née le 21 11 1949, adressée pour", ("BIRTHDATE", "21 11 1949")),
    ("gonalgie depuis janvier dernier, pas de trauma", ("DATE", "janvier dernier")),
    ("dictée le trois avril deux mille vingt-trois virgule", ("DATE", "trois avril deux mille vingt-trois")),
    ("Concerne : Mireille Vandenbussche (02/05/1951)", ("BIRTHDATE", "02/05/1951")),
])
def test_date_forms(tagger, text, expected):
    assert expected in _found(tagger, text, report_date=dt.date(2024, 3, 12))


def test_spaced_digits_of_a_phone_are_no_date(tagger):
    assert ("PHONE", "04 78 12 19 57") in _found(tagger, "Tél. 04 78 12 19 57")


def test_spelled_date_is_shifted_in_words():
    deid = ReportDeidentifier(PseudonymKey.create(), use_ner=False)
    text = "examen du douze mars deux mille vingt-quatre point"
    out = deid.deidentify(text, patient_key="p1").text
    assert "douze mars deux mille vingt-quatre" not in out and out.endswith(" point")
    assert "deux mille" in out


@pytest.mark.parametrize("text, expected", [
    ("CISSS des Laurentides – Hôpital régional de Saint-Jérôme", ("INSTITUTION", "CISSS des Laurentides")),
    ("Dr Luc Paquette, GMF Les Saules", ("INSTITUTION", "GMF Les Saules")),
    ("Cabinet d'imagerie Dr Morel et associés – 3 rue Vauban", ("INSTITUTION", "Cabinet d'imagerie Dr Morel et associés")),
    ("Clinique Saint-Jean – C.H.S.J. – Radiologie", ("INSTITUTION", "C.H.S.J.")),
    ("CLINIQUE DES LILAS – ROANNE\nIMAGERIE", ("CITY", "ROANNE")),
    ("Polyclinique du Golfe — Ajaccio (Corse-du-Sud)", ("CITY", "Ajaccio")),
    ("service d'orthopédie – dr paul morel – vannes\n", ("CITY", "vannes")),
    ("prescripteur : dr j. roux (clinique du pont, ploërmel)", ("STAFF", "j. roux")),
])
def test_institutions_and_letterhead_towns(tagger, text, expected):
    assert expected in _found(tagger, text)


@pytest.mark.parametrize("text, expected", [
    ("4565, chemin de la Reine-Marie, Montréal (Québec) H3W 1W5", "4565, chemin de la Reine-Marie, Montréal (Québec) H3W 1W5"),
    ("Dr Anne Roch, Chemin des Vignes 3, 1260 Nyon", "Chemin des Vignes 3, 1260 Nyon"),
])
def test_addresses_with_foreign_postcodes(tagger, text, expected):
    assert ("ADDRESS", expected) in _found(tagger, text)


def test_names_with_two_particles_and_patient_age_in_brackets(tagger):
    found = _found(tagger, "Dr Marie de la Fontaine-Roux, radiologue\nPatient : Hugo Marchand (41 a)")
    assert ("STAFF", "Marie de la Fontaine-Roux") in found and ("AGE", "41 a") in found


@pytest.mark.parametrize("text", [
    "TÉNOSYNOVITE CLINIQUE DE DE QUERVAIN.",
    "Axe mécanique passant par le point de Fujisawa.",
    "Âge osseux selon Greulich et Pyle : 11 ans 6 mois.",
    "contrôle du poignet, 6 semaines après réduction.",
    "arthro-IRM à discuter, bilan au CHU – site Nord",
])
def test_clinical_text_is_left_alone(tagger, text):
    assert [c for c in _found(tagger, text) if c[0] != "INSTITUTION" or "Nord" in c[1]] == []


# ---- general rules the third (blind) held-out set asked for --------------------------------
@pytest.mark.parametrize("text, expected", [
    ("Prénom(s) : Anne Sophie\nDate de naissance : 2001-01-02", ("PATIENT", "Anne Sophie")),
    ("pat : ana da costa  41 a  ddn 01/02/83", ("PATIENT", "ana da costa")),
    ("pat : ana da costa  41 a  ddn 01/02/83", ("AGE", "41 a")),
    ("dicté par dr b. martin, frappé par sylvie le 02/03/2024", ("STAFF", "sylvie")),
    ("Dicté par Dr Paul Morel, frappé par J.-L. Fournier le 13/03/24", ("STAFF", "J.-L. Fournier")),
    ("Conclusion : sans particularité.\n\nDr Gwenaëlle Le Saux\n", ("STAFF", "Gwenaëlle Le Saux")),
    ("Nouveau-né MARTIN Noé, 4 jours\nMère : Mme Julie MARTIN\n", ("AGE", "4 jours")),
    ("Nouveau-né MARTIN Noé, 4 jours\nMère : Mme Julie MARTIN\n", ("STAFF", "Julie MARTIN")),
    ("PATIENT: COSTA Ana | F | 1981-03-12 | 43 ans | IPP 123", ("BIRTHDATE", "1981-03-12")),
    ("Docteurs A. LEROY et B. SIMON\n", ("STAFF", "B. SIMON")),
    ("Enfant Lina DUBOIS, 4 ans et demi\n", ("AGE", "4 ans et demi")),
    ("12 Grande Rue, 59800 Lille — 03 20 00 00 00", ("ADDRESS", "12 Grande Rue, 59800 Lille")),
    ("HÔPITAL NORD – FEMME MÈRE ENFANT\nService de radiologie", ("INSTITUTION", "HÔPITAL NORD – FEMME MÈRE ENFANT")),
    ("Centre Hospitalier de la Côte Basque — Bayonne", ("INSTITUTION", "Centre Hospitalier de la Côte Basque")),
])
def test_holdout3_rules(tagger, text, expected):
    assert expected in _found(tagger, text)


@pytest.mark.parametrize("text", [
    "Pas de liseré dans les zones de Gruen ni de DeLee et Charnley.",
    "Déplacement modéré, stade II de Lagrange et Rigault.",
    "Sacro-iliite bilatérale répondant aux critères radiographiques de New York modifiés.",
    "Angle métaphyso-diaphysaire tibial de Drennan à 9°.",
    "Petit fragment de Thurston-Holland.",
])
def test_eponyms_after_clinical_nouns_survive(tagger, text):
    assert not [c for c, _ in _found(tagger, text) if c in ("PATIENT", "STAFF", "CITY", "INSTITUTION")], _found(tagger, text)


@pytest.mark.parametrize("text, expected", [
    # OCR-damaged labels and digits in scanned reports
    ("Non : DUPUIS        Prenon : Rose", [("PATIENT", "DUPUIS"), ("PATIENT", "Rose")]),
    ("Dote de naissance : 14/O2/1947    N° dossler : 24-118 532",
     [("BIRTHDATE", "14/O2/1947"), ("ID", "24-118 532")]),
    ("Potient : LEMAIRE Rose    Sexe : F    0DN : O1/12/1958",
     [("PATIENT", "LEMAIRE Rose"), ("BIRTHDATE", "O1/12/1958")]),
    ("Tel cabinet : O2 31 67 89 12", [("PHONE", "O2 31 67 89 12")]),
    ("N° IPP : l40 087 662", [("ID", "l40 087 662")]),
    # tables, tab and dotted-leader labels
    ("NOM          PRENOM        DDN           SEXE   IPP\nFONTAINE     Rose          05/05/1955    F      009876543",
     [("PATIENT", "FONTAINE"), ("PATIENT", "Rose"), ("BIRTHDATE", "05/05/1955"), ("ID", "009876543")]),
    ("\tPatient\tABDELKADER Sofiane\n", [("PATIENT", "ABDELKADER Sofiane")]),
    ("Nom de naissance . . . .  CHAUVIN\nDate de naissance  . . .  17 III 1968\n",
     [("PATIENT", "CHAUVIN"), ("BIRTHDATE", "17 III 1968")]),
    # date shapes
    ("Bassin de face – 13 fév 24", [("DATE", "13 fév 24")]),
    ("Bassin de face – 20240211\n", [("DATE", "20240211")]),
    ("ancienne fracture (été 2021, traitée)", [("DATE", "été 2021")]),
    # people around the patient are staff
    ("relevée par son aide à domicile, Mme Nadia OUALI.", [("STAFF", "Nadia OUALI")]),
    ("suivi par son kiné (M. Julien CARRÉ).", [("STAFF", "Julien CARRÉ")]),
    ("Copie au podologue, M. Kévin LAURENT.", [("STAFF", "Kévin LAURENT")]),
    ("CR — Théo GIRAUD-NKOULOU, ado de 15 ans, footballeur", [("PATIENT", "Théo GIRAUD-NKOULOU")]),
    # places in context
    ("Mme Nathalie GRASSE, 36 ans, vit à Grasse, douleurs", [("CITY", "Grasse")]),
    ("arthroscopie en mai 2015 à Sens ; fracture", [("CITY", "Sens")]),
    ("M. Dimitri ROSE, 39 ans, Tours, chute de vélo", [("CITY", "Tours")]),
])
def test_holdout4_general_rules(tagger, text, expected):
    found = _found(tagger, text)
    for item in expected:
        assert item in found, (item, found)


@pytest.mark.parametrize("text, eponym", [
    ("rétraction de 6 mm du sus-épineux, type A de Gärtner.", "Gärtner"),
    ("lyse isthmique (signe du « chien de La Chapelle » décapité)", "Chapelle"),
    ("distance pointe-apex (Baumgaertner) de 18 mm.", "Baumgaertner"),
])
def test_holdout4_eponyms_kept(tagger, text, eponym):
    assert not any(eponym in surface for _, surface in _found(tagger, text))


@pytest.mark.parametrize("text", [
    "Patient âgé de 12 mai 24 ans",  # not a date: "24 ans"
    "NAM : SMIJ 7861 0214",  # a real label one letter away from "Nom"
    "Non : pas de fracture.",  # "Non" without a label position
    "IPP : 20240211",  # a compact number after an ID label is an ID, not a date
])
def test_holdout4_rules_stay_precise(tagger, text):
    found = _found(tagger, text)
    if text.startswith("NAM"):
        assert ("ID", "SMIJ 7861 0214") in found
    elif text.startswith("IPP"):
        assert ("ID", "20240211") in found
    elif text.startswith("Non"):
        assert not any(cat == "PATIENT" for cat, _ in found)
    else:
        assert ("DATE", "12 mai 24") not in found


def test_a_plural_role_word_before_a_sentence_is_not_a_staff_initial():
    """« …internes. Interlignes… »: "interne" + "s." is not the intern "S. Martin" (seen on 10 % of knee reports)."""
    from bonesearch.deid.key import PseudonymKey
    from bonesearch.deid.text import ReportDeidentifier

    deid = ReportDeidentifier(PseudonymKey.for_demo(0))
    text = "Pincement des rebords fémoro-tibiaux internes. Interlignes conservés. Interne : S. Martin."
    spans = deid.detect(text)
    assert [(text[d.start:d.end], d.category) for d in spans] == [("S. Martin", "STAFF")]
