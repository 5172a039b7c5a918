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
    ("DEB OUT",), ("DEBULT",), ("G DEBOUT.", "DEBOI"),  # read apart, two letters wrong, one lost
    ("ROTAT _ EXT", "RQ", "ATION EXE"), ("ROT ATION EXT",),  # « ROTATION EXT » cut in pieces (bench seed 5)
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


@pytest.mark.parametrize("words", [
    [[OcrWord("DUMAS*‘JULIEN", 44)]],  # DICOM's FAMILY^GIVEN, the caret read as two marks, low confidence
    [[OcrWord("ROUX*ANH", 49), OcrWord("10.04.", 95)]],
    [[OcrWord("GAILLARD”", 44), OcrWord("LUCAS", 54)]],  # the caret read as a quote ending the family name
])
def test_dicom_name_form_with_a_misread_caret_is_identity(words: list[list[OcrWord]]) -> None:
    """The shape FAMILY^GIVEN is a name's whatever the confidence of its letters (above 40)."""
    assert identity_labels(words) == ("PATIENT",)


def test_caret_shape_on_a_label_word_is_not_identity() -> None:
    assert identity_labels([[OcrWord("DEBOUT”", 44), OcrWord("FACE", 60)]]) == ()
    assert identity_labels([[OcrWord("DUMAS*JULIEN", 30)]]) == ()  # under the caret confidence


def test_a_date_split_after_its_separators_is_read_whole() -> None:
    """Tesseract splits « 1968-09-27 » into « 1968- » and « 09-27 »: the pieces are one date."""
    assert "DATE" in identity_labels([[OcrWord("Enzo", 89), OcrWord("1968-", 91), OcrWord("09-27", 65)]])
    assert "DATE" in identity_labels([[OcrWord("19-", 92), OcrWord("12-", 92), OcrWord("1984", 92)]])


def test_a_name_run_counts_by_its_mean_confidence() -> None:
    """« CHARLES, Mamadou » read at 59 and 96: a name (each word ≥ 50, the mean ≥ 60)."""
    assert identity_labels([[OcrWord("‘CHARLES,", 59), OcrWord("Mamadou", 96)]]) == ("PATIENT",)
    assert identity_labels([[OcrWord("Ver", 55), OcrWord("Zhe", 52)]]) == ()


@pytest.mark.parametrize("words", [
    [[OcrWord("207717", 47)]],  # six digits read with low confidence in a real knee's texture
    [[OcrWord("113629", 53)]],
    [[OcrWord("Ve", 50), OcrWord("1/08", 26)]],  # a « date »
    [[OcrWord("ASS", 30), OcrWord("PTE", 0), OcrWord("Dal", 54)]],  # « Pte » (patient) and a short word at 54
])
def test_texture_read_after_a_context_word_is_not_identity(words: list[list[OcrWord]]) -> None:
    assert identity_labels(words) == ()


def test_a_long_identifier_counts_whatever_its_confidence() -> None:
    """Eight digits in a row are not what OCR makes of bone texture: an ID even at 44."""
    assert identity_labels([[OcrWord("ID:", 50), OcrWord("32594500", 44)]]) == ("ID",)
