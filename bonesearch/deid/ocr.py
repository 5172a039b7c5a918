"""Undo common OCR slips in scanned reports before detection, keeping every offset.

Only substitutions are made (same length), so the spans found on the repaired text are
valid on the original one:

* identity labels with one wrong letter ("Non :", "Prenon", "Dote de naissance",
  "N° dossler", "Potient", "0DN", "Prescrlpteur", "demondeur"), only in a label position:
  at a line start or after a tab / two spaces, and followed by a colon on the same line;
* letters read for digits ("14/O2/1947", "O2 31 67 89 12", "l40 087 662"): O/o → 0,
  l/I → 1, only in tokens that are otherwise digit-shaped (digits and separators).
"""

from __future__ import annotations

import re

from bonesearch.deid.vocab import fold

_LABEL_WORDS = tuple(sorted(set("""nom prenom prenoms date naissance dossier patient patiente ddn prescripteur
demandeur medecin sexe ipp examen adresse telephone cabinet traitant identite venue sejour""".split())))
_BY_LEN: dict[int, tuple[str, ...]] = {}
for _w in _LABEL_WORDS:
    _BY_LEN[len(_w)] = _BY_LEN.get(len(_w), ()) + (_w,)

# a label phrase (1-4 words) at a line start or after a tab / 2+ spaces, ending in a colon
_LABEL_PHRASE = re.compile(r"(?m)(?:^|(?<=\t)|(?<=  ))[ \t]*((?:N°[ \t]*)?[\w()]+(?:[ '’][\w()]+){0,3})[ \t]*:")
_TOKEN = re.compile(r"\w+")
# digit-shaped tokens: digits, separators and the letters OCR takes for digits
_DIGITISH = re.compile(r"(?<![\w])[0-9OolI](?:[0-9OolI]|[/.\-](?=[0-9OolI]))*(?![\w])")
_DIGIT_MAP = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1"})
# real labels one letter away from an identity label: left alone
_ALREADY = frozenset(_LABEL_WORDS) | frozenset("nam nda ndi nip ins nir niss iep age ages tel fax lit ref mrn avs acc".split())


def _fix_word(word: str) -> str | None:
    low = fold(word)
    if len(word) < 3 or low in _ALREADY or not any(ch.isalpha() for ch in word):
        return None
    for cand in _BY_LEN.get(len(word), ()):
        diff = [i for i, (a, b) in enumerate(zip(low, cand)) if a != b]
        if len(diff) == 1:
            i = diff[0]
            ch = cand[i].upper() if (word[i].isupper() or (not word[i].isalpha() and word.isupper()) or
                                     (not word[i].isalpha() and i + 1 < len(word) and word[i + 1].isupper())) else cand[i]
            return word[:i] + ch + word[i + 1:]
    return None


def repair_ocr(text: str) -> str:
    """``text`` with OCR-damaged labels and digits repaired, same length (see the module doc)."""
    chars: list[str] | None = None
    for m in _LABEL_PHRASE.finditer(text):
        for w in _TOKEN.finditer(m.group(1)):
            fixed = _fix_word(w.group())
            if fixed is not None:
                if chars is None:
                    chars = list(text)
                s = m.start(1) + w.start()
                chars[s:s + len(fixed)] = fixed
    for m in _DIGITISH.finditer(text):
        tok = m.group()
        digits = sum(ch.isdigit() for ch in tok)
        if digits == len(tok) or digits < 1 or digits < len(tok) - digits - 0:
            continue
        if sum(ch.isalpha() for ch in tok) > 2:
            continue
        if chars is None:
            chars = list(text)
        chars[m.start():m.end()] = tok.translate(_DIGIT_MAP)
    return "".join(chars) if chars is not None else text
