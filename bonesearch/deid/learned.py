"""A token classifier trained on synthetic reports, unioned with the rules (issue 18, item 2).

Rules find what they were written for; every new blind set brought formats they were not.
This spaCy NER (``bonesearch/deid/data/learned_ner/``: a blank French pipeline whose ``ner``
predicts the twelve evaluation labels, trained by :mod:`bonesearch.deid.learned_training` on
tens of thousands of generated French, Belgian, Swiss and Québec reports, letters, tables and
OCR-damaged scans — never on an evaluation set) reads the same text. Its spans join the rules'
candidates below every rule and above spaCy's own NER guesses (:data:`LEARNED_PRIORITY`): where a
rule found something the rule's span and label win; where spaCy's NER and the model disagree on
a label, the model's wins (it tells the patient from staff and an institution from a town);
each fills what the others missed. Its name and place guesses are weak candidates, so a medical
eponym under them (« fracture de Maisonneuve ») keeps them out, as it does for spaCy's guesses.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bonesearch.deid import patterns as P
from bonesearch.deid.vocab import fold, is_vocab, word_tokens
from bonesearch.errors import DeidModelError

#: the shipped model (spaCy ``nlp.to_disk`` folder)
MODEL_DIR = Path(__file__).resolve().parent / "data" / "learned_ner"
#: below every rule (the model never relabels or cuts a rule's span), above spaCy's NER guesses (30)
LEARNED_PRIORITY = 35
#: guesses about people and places, which eponyms and clinical words must be able to veto
_WEAK_LABELS = frozenset({"PATIENT", "STAFF", "CITY", "INSTITUTION"})
#: words that name no particular institution: « CHU – site Nord » says where in a hospital, not which
_GENERIC_PLACE_WORDS = frozenset(fold(w) for w in (
    "chu chr chru ch chi ghu hôpital hopital clinique polyclinique centre hospitalier universitaire site service "
    "pôle pole unité unite bâtiment batiment aile nord sud est ouest central centrale principal principale de du "
    "des la le les l d au aux et – -").split())
_LABELS = frozenset({"PATIENT", "STAFF", "DATE", "BIRTHDATE", "AGE", "ID", "PHONE", "EMAIL", "URL", "ADDRESS", "CITY",
                     "INSTITUTION"})


def load_learned_model(path: Path = MODEL_DIR) -> Any:
    """The trained spaCy pipeline at ``path``; DeidModelError naming what to do when it is missing or damaged."""
    import spacy

    if not (path / "meta.json").is_file():
        raise DeidModelError(f"no learned de-identification model at {path}: reinstall bonesearch, or train one with "
                             f"`python bench/train_deid_ner.py --out {path}` (or pass learned=False)")
    try:
        return spacy.load(path)
    except Exception as exc:  # a truncated or foreign folder: say which, never a traceback
        raise DeidModelError(f"the learned de-identification model at {path} cannot be loaded "
                             f"({type(exc).__name__}); reinstall bonesearch or retrain it") from None


def learned_candidates(text: str, parts: list[tuple[int, Any]],
                       is_word: Callable[[str], bool] = lambda word: False) -> list[P.Candidate]:
    """The model's entities in ``text`` as candidates (``parts``: its docs with their offsets).

    A person or place guess without a capital is kept only on a line written all in lower case
    (« pt bilal demir 27 a ») and when it holds a word that is neither clinical vocabulary nor, by
    ``is_word`` (folded), a French word: « son mari », « fat pad sign » stay.
    """
    out = []
    for base, doc in parts:
        for ent in doc.ents:
            label = ent.label_
            if label not in _LABELS:
                continue
            start, end = base + ent.start_char, base + ent.end_char
            weak = label in _WEAK_LABELS
            if weak and not _holds_a_name(text, start, end, is_word):
                continue
            if label == "INSTITUTION" and _only_generic(text[start:end]):
                continue
            out.append(P.Candidate(start, end, label, LEARNED_PRIORITY,
                                   P.Strength.WEAK if weak else P.Strength.STRONG))
    return out


def _only_generic(surface: str) -> bool:
    """Whether an institution guess is made only of words that every hospital has (« CHU – site Nord »)."""
    return all(fold(surface[s:e]) in _GENERIC_PLACE_WORDS for s, e in word_tokens(surface))


def _holds_a_name(text: str, start: int, end: int, is_word: Callable[[str], bool]) -> bool:
    """Whether ``text[start:end]`` can be a name: a capitalised word, or, on an all-lower-case line,
    a word that is no French or clinical word."""
    surface = text[start:end]
    words = [surface[s:e] for s, e in word_tokens(surface)]
    if any(w[:1].isupper() for w in words):
        return True
    line_start, line_end = text.rfind("\n", 0, start) + 1, text.find("\n", end)
    if any(ch.isupper() for ch in text[line_start:line_end if line_end >= 0 else len(text)]):
        return False
    return any(not (is_vocab(fold(w)) or is_word(fold(w))) for w in words)
