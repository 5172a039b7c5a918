"""What counts as identity in the words Tesseract reads from a radiograph (no Tesseract needed).

The OCR readings below are the kind Tesseract 5 returns on stamps of the bench
(``bench/burned_in_stamps.py``): a caret read as « A » or « ! », a hyphen read apart, a
given name misread, and label words with one letter wrong or glued to a side letter.
"""

from __future__ import annotations

import pytest

from bonesearch.deid.burned_in_identity import OcrWord, identity_labels


def _read(*lines: str, conf: float = 90.0) -> list[list[OcrWord]]:
    return [[OcrWord(word, conf) for word in line.split()] for line in lines]


@pytest.mark.parametrize("lines", [
    ("FLEURY", "1888"),  # a family name alone on its line, the ID misread
    ("HADDAD!MARGAUX",),  # caret read as « ! »
    ("SCHNEIDERASYLVIE",),  # caret read as « A »: one word
    ("BOURGEOIS, loana",),  # « Ioana » read with a small L
    ("ROUSSEAU - BOYER GIRETD",),  # the hyphen of a double name read apart
])
def test_a_name_read_imperfectly_is_identity(lines: tuple[str, ...]) -> None:
    assert "PATIENT" in identity_labels(_read(*lines))


def test_double_name_with_a_hyphen_read_apart_needs_no_third_word() -> None:
    """« ROUSSEAU - BOYER » (the given name unreadable) is two name words of one run."""
    words = [[OcrWord("ROUSSEAU", 75), OcrWord("-", 75), OcrWord("BOYER", 96), OcrWord("GIRETD", 13)]]
    assert identity_labels(words, word_confidence=99.0) == ("PATIENT",)


@pytest.mark.parametrize("lines", [
    ("ROTATIQN Py",), ("BLIQUE-",), ("DFACE",), ("EBOUT",), ("AROFIL", "Fa"), ("OBLIQRE",), ("G PEBOUT", "PAN"),
    ("RADIOGRAPHIE GENOU DROIT",), ("EN CHARGE",), ("URGENCES PEDIATRIE",), ("FUJIFILM",),
])
def test_labels_and_their_misreadings_are_not_identity(lines: tuple[str, ...]) -> None:
    assert identity_labels(_read(*lines)) == ()


def test_an_unknown_word_read_with_low_confidence_is_not_identity() -> None:
    """Bone texture read as letters comes with low confidence: not a name."""
    assert identity_labels(_read("MERDAL", conf=40.0)) == ()
    assert identity_labels(_read("MERDAL", conf=40.0), word_confidence=30.0) == ("PATIENT",)


@pytest.mark.parametrize("words", [
    [[OcrWord("Ver", 48), OcrWord("Zhe", 37)]],  # bone texture of a real knee, read as two « names »
    [[OcrWord("MER", 46), OcrWord("AMET", 46)]],
    [[OcrWord("LES", 55), OcrWord("App", 40)]],
    [[OcrWord("ID", 60), OcrWord("104", 41)]],  # digits read in texture: not an identifier
])
def test_texture_read_as_words_is_not_identity(words: list[list[OcrWord]]) -> None:
    """What Tesseract reads in bone texture comes with confidences under 60 and short digit runs."""
    assert identity_labels(words) == ()


def test_a_stamped_name_and_ipp_read_with_confidence_are_identity() -> None:
    assert identity_labels([[OcrWord("MARTIN", 91), OcrWord("ODILE", 88)]]) == ("PATIENT",)
    assert "ID" in identity_labels([[OcrWord("IPP", 90), OcrWord("04417282", 85)]])
