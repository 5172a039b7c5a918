"""Writing the de-identified text: what each detected span becomes.

Two modes:

* ``"surrogate"`` (default, what ingest stores): people, towns and institutions become
  realistic surrogates (:mod:`bonesearch.deid.surrogates`); dates and birth dates move by
  the patient's offset in their original format; ages above 89 are capped ("92 ans" →
  "90 ans ou plus"), younger ages stay; phones, e-mails, URLs, identifiers and street
  addresses are removed, replaced by a neutral tag (``[TEL] [EMAIL] [URL] [ID] [ADRESSE]``).
* ``"tag"``: every detected span becomes its label in angle brackets (``<PATIENT>``,
  ``<STAFF>``, ``<DATE>``…), ages included: for evaluation and for users who want no
  realistic-looking text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from bonesearch.deid.dates import DateSpan
from bonesearch.deid.key import PseudonymKey
from bonesearch.deid.patterns import Candidate
from bonesearch.deid.places import institution_kind
from bonesearch.deid.surrogates import SurrogateMaker
from bonesearch.deid.vocab import fold, word_tokens

Mode = Literal["surrogate", "tag"]
MODES: tuple[str, ...] = ("surrogate", "tag")

#: what a removed span is written as in surrogate mode (tags the text tokenizer keeps whole)
REMOVED_TAGS = {"PHONE": "[TEL]", "EMAIL": "[EMAIL]", "URL": "[URL]", "ID": "[ID]", "ADDRESS": "[ADRESSE]"}
AGE_CAP = 90

_FEMALE_BEFORE = re.compile(r"(?:\b(?:mme|madame|mlle|mademoiselle|mesdames|patiente|nee|epouse|veuve|fille)\.?"
                            r"|\b(?:la|sa)\s+(?:patiente|fille|mere|femme))[\s:,]*$")
_MALE_BEFORE = re.compile(r"(?:\b(?:m|mr|monsieur|patient|ne|epoux|fils)\.?|\ble\s+patient)[\s:,]*$")
_NUMBER = re.compile(r"\d+")


def _gender(folded: str, start: int) -> bool | None:
    """True (female) / False (male) when the words before a name say it, else None."""
    before = folded[max(0, start - 30):start]
    if _FEMALE_BEFORE.search(before):
        return True
    if _MALE_BEFORE.search(before):
        return False
    return None


def _capped_age(original: str) -> str:
    """"92 ans" → "90 ans ou plus", "centenaire" → "90 ans ou plus"; younger ages (and ages
    in months, weeks or days) are returned unchanged."""
    folded = fold(original)
    numbers = [int(n) for n in _NUMBER.findall(original)]
    if not numbers:
        return f"{AGE_CAP} ans ou plus" if folded.endswith(("nonagenaire", "centenaire", "nonagenaires", "centenaires")) else original
    if numbers[0] < AGE_CAP or not re.search(r"\d\s*(?:ans?|a)\b|^\d+$", folded):
        return original
    return f"{AGE_CAP} ans ou plus" if re.search(r"\d\s*ans?\b", folded) else f"{AGE_CAP}+"


def render(text: str, spans: Sequence[Candidate], dates: dict[int, DateSpan], key: PseudonymKey,
           patient_key: str, mode: Mode = "surrogate") -> tuple[str, dict[str, int]]:
    """The de-identified text and the number of spans per label (see the module docstring)."""
    folded = fold(text)
    maker = None
    if mode == "surrogate":
        report_words = {folded[s:e] for s, e in word_tokens(text)}
        maker = SurrogateMaker(key, patient_key, report_words)
    parts: list[str] = []
    counts: dict[str, int] = {}
    pos = 0
    for c in spans:
        original = text[c.start:c.end]
        parts.append(text[pos:c.start])
        if maker is None:
            parts.append(f"<{c.category}>")
        elif c.category in ("DATE", "BIRTHDATE") and c.start in dates:
            d = dates[c.start]
            parts.append(d.render(key.shift_date(patient_key, d.value)))
        elif c.category in ("PATIENT", "STAFF"):
            parts.append(maker.person(original, _gender(folded, c.start)))
        elif c.category == "CITY":
            parts.append(maker.city(original))
        elif c.category == "INSTITUTION":
            parts.append(maker.institution(original, institution_kind(text, c.start, c.end)))
        elif c.category == "AGE":
            parts.append(_capped_age(original))
        else:
            parts.append(REMOVED_TAGS.get(c.category, f"[{c.category}]"))
        if parts[-1] != original:
            counts[c.category] = counts.get(c.category, 0) + 1
        pos = c.end
    parts.append(text[pos:])
    return "".join(parts), counts
