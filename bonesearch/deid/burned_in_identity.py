"""Identity in burned-in text: the report de-identifier run on what Tesseract reads in the pixels.

A character count (the seed paper's rule) lets a short stamp through: « DUPONT JEAN
12/03/1950 » is 19 characters, « IPP 04417282 » 11. So the OCR screen also hands the
words Tesseract read, line by line, to :class:`bonesearch.deid.text.ReportDeidentifier`
(its rules, no NER model: dates, birth dates, IDs, phones, e-mails, names with a context)
and excludes the image when it finds one of :data:`IDENTITY_LABELS`, whatever the length.

Stamps carry no labels (« MARTIN ODILE » alone is a CR plate's name line), so each run of
capitalised words is also read as if it followed « Patient : »: a name is then two or more
words of three or more letters that are neither clinical vocabulary (the de-identifier's
own: « DEBOUT », « FACE ») nor radiograph labels (« EN CHARGE », « ROTATION EXT »), each
read with Tesseract confidence ≥ ``name_confidence``. Single letters (« D », « G », lead
markers) never make a name.

Only labels are returned: the recognised text never leaves this module.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bonesearch.deid.vocab import fold, is_vocab
from bonesearch.word_match import edit_distance

#: what excludes an image: a name, an identifier, a date (of birth or not: the store shifts every
#: date by a per-patient offset that a real date beside its shifted copy would give away), a phone
#: or an e-mail
IDENTITY_LABELS = ("PATIENT", "STAFF", "ID", "BIRTHDATE", "DATE", "PHONE", "EMAIL")
NAME_LABELS = ("PATIENT", "STAFF")
_LABEL = "Patient : "
_VOWEL = re.compile(r"[aeiouy]")
#: words printed on radiographs that are not names (positions, techniques, devices), folded;
#: the de-identifier's clinical vocabulary (« debout », « face », « genou »…) is also not a name
LABEL_WORDS = frozenset("""
en charge couche assis debout rotation ext int externe interne post pre per op preop postop
flexion extension abduction adduction inspiration expiration neutre maxi max mini cliche
standing supine prone erect upright weight bearing portable left right lateral oblique
cross table axial view scout stitched long leg fuji fujifilm agfa kodak carestream philips
siemens canon konica minolta shimadzu samsung carestream dx cr dr ge healthcare
face profil gauche droite droit urgence urgences pediatrie radiologie imagerie service hopital clinique centre controle repere
marqueur calibration echelle bille decubitus procubitus dynamique stress valgus varus telemetrie
pangonogramme cliches incidence incidences comparatif comparative bilateral bilaterale
marker calibration image images series study scale ruler sitting lying dorsal plantar palmar
""".split())


@dataclass(frozen=True)
class OcrWord:
    """One word Tesseract read (kept in memory only; never logged)."""

    text: str
    conf: float  # Tesseract confidence 0-100


def ocr_lines(data: dict[str, list[Any]]) -> list[list[OcrWord]]:
    """The words of a ``pytesseract.image_to_data`` dict grouped into lines, in reading order."""
    lines: dict[tuple[int, int, int], list[OcrWord]] = {}
    for i, text in enumerate(data["text"]):
        word = str(text).strip()
        if not word:
            continue
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        lines.setdefault(key, []).append(OcrWord(word, float(data["conf"][i])))
    return [lines[k] for k in sorted(lines)]


@lru_cache(maxsize=1)
def _deidentifier() -> Any:
    """The report de-identifier, rules only (its key is unused: nothing is rendered)."""
    from bonesearch.deid.key import PseudonymKey
    from bonesearch.deid.text import ReportDeidentifier

    return ReportDeidentifier(PseudonymKey(bytes(32)), use_ner=False)


# « 1968- 09-27 », « 19- 12-1984 »: Tesseract splits a date after its separators; the pieces are joined
_DATE_PIECE = re.compile(r"\d[-./]$")


def _join(lines: Sequence[list[OcrWord]]) -> tuple[str, list[tuple[int, int, OcrWord]]]:
    """The lines as one text (words joined by a space, lines by a newline; a date's pieces,
    :data:`_DATE_PIECE`, without one) and each word's offsets."""
    parts: list[str] = []
    spans: list[tuple[int, int, OcrWord]] = []
    pos = 0
    for n, line in enumerate(lines):
        for k, w in enumerate(line):
            if k and not (_DATE_PIECE.search(line[k - 1].text) and w.text[:1].isdigit()):
                parts.append(" ")
                pos += 1
            spans.append((pos, pos + len(w.text), w))
            parts.append(w.text)
            pos += len(w.text)
        if n + 1 < len(lines):
            parts.append("\n")
            pos += 1
    return _SEPARATORS.sub(" ", "".join(parts)), spans  # same length: the offsets hold


# what OCR makes of DICOM's name separator (« DUPONT^JEAN » read « DUPONT"JEAN », « DUPONT*JEAN ») and
# stray marks at a word's edge (« .16.09.1948 », « |DUPONT »): spaces, so that names and dates stand apart
_MARKS = "\\^\"*°|~_`‘’“”«»!"
_SEPARATORS = re.compile(rf"(?<=[^\W\d_])[{_MARKS}](?=[^\W\d_])|(?:(?<=\s)|^)[.,;:'{_MARKS}]+(?=\w)"
                         rf"|(?<=\w)[,;'{_MARKS}]+(?=\s|$)", re.M)
_EDGE_MARKS = re.compile(rf"^[.,;:'{_MARKS}(]+|[.,;:'{_MARKS})]+$")
_INNER = re.compile(rf"[{_MARKS},]+")
_HYPHENS = frozenset("-‐‑–—")  # « DUPONT^JEAN », « DUPONT,JEAN »: two words read as one


def _name_words(spans: list[tuple[int, int, OcrWord]], start: int, end: int) -> list[tuple[str, float]]:
    """(word, confidence) of the alphabetic words of two or more letters within ``start:end``."""
    out = []
    for s, e, w in spans:
        if s < end and e > start:
            for part in re.split(rf"[\s\-,;:'.(){_MARKS}]+", w.text[max(0, start - s):end - s]):
                if sum(ch.isalpha() for ch in part) >= 2 and not any(ch.isdigit() for ch in part):
                    out.append((part, w.conf))
    return out


def _looks_like_a_name(words: list[tuple[str, float]], name_confidence: float) -> bool:
    """Read confidently and shaped like a name, not like OCR noise (« NN Be », « LL Fe », « af »):
    every word capitalised, with a vowel and confidence ≥ ``name_confidence``; one of three
    letters or more."""
    return (bool(words) and any(sum(ch.isalpha() for ch in w) >= 3 for w, _ in words)
            and all(c >= name_confidence and w[0].isupper() and _VOWEL.search(fold(w)) for w, c in words))


def _confident_name(words: list[tuple[str, float]], name_confidence: float, run_confidence: float) -> bool:
    """A name the de-identifier found in a context (« Pte X », « Dr X »): shaped like one
    (:func:`_looks_like_a_name`), and either a word of four letters or more or a mean confidence
    ≥ ``run_confidence`` (bone texture read « PTE Dal »: a context word and a short word at 54)."""
    return (_looks_like_a_name(words, name_confidence)
            and (any(sum(ch.isalpha() for ch in w) >= 4 for w, _ in words)
                 or sum(c for _, c in words) >= run_confidence * len(words)))


def _words_in(spans: list[tuple[int, int, OcrWord]], start: int, end: int) -> list[OcrWord]:
    """The OCR words overlapping ``start:end``."""
    return [w for s, e, w in spans if s < end and e > start]


#: an identifier or a date of this many digits counts whatever its confidence (texture is not read as 8 digits)
LONG_DIGITS = 8


def _confident_format(text: str, words: list[OcrWord], min_digits: int, confidence: float) -> bool:
    """A format the de-identifier found in OCR text (an ID, a date, a phone, an e-mail) counts with
    ``min_digits`` digits or more, read with a mean confidence ≥ ``confidence`` unless it holds
    :data:`LONG_DIGITS` digits: bone texture was read « 113629 » at 53 and « 1/08 » at 26."""
    digits = sum(ch.isdigit() for ch in text)
    mean = sum(w.conf for w in words) / max(1, len(words))
    return digits >= LONG_DIGITS or (digits >= min_digits and mean >= confidence)


def _capitalised_runs(line: list[OcrWord], name_confidence: float) -> list[list[OcrWord]]:
    """Runs of two or more consecutive capitalised words without digits, each read with confidence
    ≥ ``name_confidence`` (« Piotr DUMAS » in « : 7 Piotr DUMAS »; « DUPONT^JEAN » is two; a hyphen
    read apart, « ROUSSEAU - BOYER », does not end a run): OCR noise around a stamp's name, or a
    given name it could not read, does not hide the name from the label pass."""
    runs: list[list[OcrWord]] = [[]]
    for w in line:
        core = _EDGE_MARKS.sub("", w.text)
        if (sum(ch.isalpha() for ch in core) >= 2 and core[:1].isupper() and not any(ch.isdigit() for ch in core)
                and w.conf >= name_confidence):
            runs[-1].append(w)
        elif w.text.strip() in _HYPHENS and runs[-1]:
            continue
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if sum(len(_INNER.split(_EDGE_MARKS.sub("", w.text))) for w in r) >= 2]


def _misread_label(folded: str) -> bool:
    """Whether ``folded`` is a radiograph label word as OCR misreads it: one letter wrong, missing
    or added (two from six letters: « ROTATIQN », « EBOUT », « DEBULT », « DEBOI », « OBLIQRE »), or
    glued to a side letter (« DFACE », « GDEBOUT »), or a piece of one read apart (« ROTAT »,
    « ATION » of « ROTATION »)."""
    if len(folded) >= 4 and any(len(label) >= 6 and folded in label for label in LABEL_WORDS):
        return True
    for label in LABEL_WORDS:
        if len(label) < 4:
            continue
        limit = 1 if len(label) <= 5 else 2
        if edit_distance(folded, label, limit) <= limit:
            return True
        if len(folded) - len(label) <= 2 and (folded.endswith(label) or folded.startswith(label)):
            return True
    return False


def _label_piece(folded: str) -> bool:
    """Whether a word of a name run is a radiograph label word cut by OCR (« ROTAT », « ATION ») or
    read with one letter wrong: stricter than :func:`_misread_label`, for a word beside others
    (« CHARLES » is two edits from « CHARGE », and a name)."""
    if len(folded) < 4:
        return False
    return any((len(label) >= 6 and folded in label) or (len(label) >= 5 and edit_distance(folded, label, 1) <= 1)
               for label in LABEL_WORDS)


def _name_like(folded: str) -> bool:
    """Whether folded word ``folded`` could be a family name: it has a vowel and is neither a
    radiograph label word (:data:`LABEL_WORDS`), even misread (:func:`_misread_label`), nor
    clinical vocabulary."""
    return (bool(_VOWEL.search(folded)) and folded not in LABEL_WORDS and not is_vocab(folded)
            and not _misread_label(folded))


def _unknown_capitals(lines: Sequence[list[OcrWord]], word_confidence: float) -> bool:
    """Whether a word of five capitals or more, read with confidence ≥ ``word_confidence``, is
    neither clinical vocabulary nor a radiograph label word (:data:`LABEL_WORDS`), even misread
    (:func:`_misread_label`).

    On a radiograph such a word is presumed to be a family name (fail closed): a stamp's name
    alone (« FLEURY »), or one Tesseract ran together with the given name (« HADDAD^MARGAUX »
    read « HADDADAMARGAUX »), or whose given name it misread (« BOURGEOIS, loana »).
    """
    for line in lines:
        for w in line:
            if w.conf < word_confidence:
                continue
            for part in _INNER.split(_EDGE_MARKS.sub("", w.text)):
                for piece in part.split("-"):
                    if len(piece) >= 5 and piece.isalpha() and piece.isupper() and _name_like(fold(piece)):
                        return True
    return False


# « DUMAS^JULIEN » read « DUMAS*‘JULIEN », « ROUX*ANH », or « GAILLARD” LUCAS »: DICOM's name form
_CARET_NAME = re.compile(rf"^(?P<family>[^\W\d_]{{2,}})[{_MARKS}]+(?P<given>[^\W\d_]{{2,}})?$")


def _caret_name(lines: Sequence[list[OcrWord]], caret_confidence: float) -> bool:
    """Whether a line holds DICOM's ``FAMILY^GIVEN`` name form as OCR misreads the caret: capitals, a
    mark read for the caret, capitals (in one word, or a word ending in the mark and a capitalised
    word after it), read with confidence ≥ ``caret_confidence``, the family name neither a label
    word nor clinical vocabulary. The shape is a name's whatever the confidence of its letters:
    OCR reads bone texture as short words, not as capitals joined by a caret."""
    for line in lines:
        for k, w in enumerate(line):
            match = _CARET_NAME.match(w.text) if w.conf >= caret_confidence else None
            if match is None or not match["family"].isupper():
                continue
            given = match["given"] or (line[k + 1].text if k + 1 < len(line) else "")
            if not given[:1].isupper():
                continue
            if _name_like(fold(match["family"])):
                return True
    return False


def identity_labels(lines: Sequence[list[OcrWord]], name_confidence: float = 50.0,
                    labels: Sequence[str] = IDENTITY_LABELS, word_confidence: float = 70.0,
                    run_confidence: float = 60.0, id_digits: int = 5,
                    caret_confidence: float = 40.0) -> tuple[str, ...]:
    """The identity classes (of ``labels``) the de-identifier finds in OCR ``lines``, sorted; () if none.

    Formats (dates, phones, e-mails; IDs of ``id_digits`` digits or more) count when read with a
    mean confidence ≥ ``run_confidence`` or holding :data:`LONG_DIGITS` digits; a
    name counts when it looks like one (:func:`_looks_like_a_name`: capitalised words with a
    vowel, read with confidence ≥ ``name_confidence``): a name the de-identifier finds in
    context (« Dr X », « Nom : X », a known first name beside a capitalised word) as it is; a
    run of capitalised words read as if it followed « Patient : » only with two or more such
    words of three letters or more, read with a mean confidence ≥ ``run_confidence``, none of
    them a radiograph label word (:data:`LABEL_WORDS`) and one at least not clinical
    vocabulary; and, failing those, one word of five capitals or more that is neither
    (:func:`_unknown_capitals`, read with confidence ≥ ``word_confidence``), or DICOM's
    ``FAMILY^GIVEN`` form with the caret misread (:func:`_caret_name`, ``caret_confidence``).

    The confidences are set against bone texture, which Tesseract reads as short capitalised
    « words » (« Ver Zhe », « MER AMET ») with confidences of 30–59 on real radiographs, and
    against digits read in it (« 1 », « 104 »): a stamp read well enough to be read by a person
    is mostly read with confidence 60 or more.
    """
    if not lines:
        return ()
    deid = _deidentifier()
    whole, spans = _join(lines)
    found: set[str] = set()
    for d in deid.detect(whole):
        if d.category not in labels:
            continue
        if d.category not in NAME_LABELS and not _confident_format(
                whole[d.start:d.end], _words_in(spans, d.start, d.end), id_digits if d.category == "ID" else 0,
                run_confidence):
            continue
        if d.category not in NAME_LABELS:
            found.add(d.category)
        elif _confident_name(_name_words(spans, d.start, d.end), name_confidence, run_confidence):
            found.add(d.category)
    if "PATIENT" not in labels or "PATIENT" in found:
        return tuple(sorted(found))
    for run in (r for line in lines for r in _capitalised_runs(line, name_confidence)):
        if sum(w.conf for w in run) < run_confidence * len(run):
            continue
        text, line_spans = _join([run])
        for d in deid.detect(_LABEL + text):
            if d.category not in NAME_LABELS or d.start < len(_LABEL):
                continue
            words = _name_words(line_spans, d.start - len(_LABEL), d.end - len(_LABEL))
            folded = [fold(w) for w, _ in words]
            if (sum(sum(ch.isalpha() for ch in w) >= 3 for w, _ in words) >= 2  # « OE BOUT » is « DEBOUT »
                    and _looks_like_a_name(words, name_confidence)
                    and not any(f in LABEL_WORDS or _label_piece(f) for f in folded)
                    and not all(is_vocab(f) for f in folded)
                    and not _misread_label("".join(folded))  # « DEB OUT »: one label read in two
                    and not any(_misread_label(a + b) for a, b in zip(folded, folded[1:]))):  # « ROT ATION EXT »
                found.add("PATIENT")
                return tuple(sorted(found))
    if _unknown_capitals(lines, word_confidence) or _caret_name(lines, caret_confidence):
        found.add("PATIENT")
    return tuple(sorted(found))
