"""What the DICOM header already says about a report: found in its text before the rules guess.

At ingest a report linked to a study knows that study's header before it is pseudonymised:
the patient's names and birth date, the patient ID and accession number, the physicians and
operators, the institution and its address. :class:`KnownIdentity` holds them, in memory
only; :func:`find_known` finds every surface form of them in a report:

* names: each part, the whole name in either order, the DICOM caret form (``DUPONT^JEAN``),
  with or without accents and capitals, particles split or joined (``Le Goff``, ``LEGOFF`` is
  not guessed), an initial before the family name (``J. DUPONT``) and the patient's initials
  alone in capitals (``J.D.``, ``JD``);
* the birth date in every numeric and French written format (``14/02/1947``, ``14.2.47``,
  ``1947-02-14``, ``19470214``, ``14 février 1947``, ``14 févr. 1947``);
* identifiers with or without separators (``SR-0045871``, ``SR 0045871``, ``SR0045871``);
* the institution's name, and its distinctive part without the generic words (« Clinique
  Saint-Luc » → « Saint-Luc »); the address's lines.

``bonesearch deid-text`` reads the same from a record's optional ``"known"`` object
(:meth:`KnownIdentity.from_json`). Nothing here logs or stores a value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from bonesearch.deid import patterns as P
from bonesearch.deid.dates import MONTH_ABBR, MONTHS
from bonesearch.deid.vocab import NAME_CONNECTORS, fold, is_vocab
from bonesearch.errors import ReportFileError

#: the header's identifiers, birth date and initials outrank every rule: the header is not a guess
KNOWN_PRIORITY = 90
#: its institution and address only fill what the place rules missed: they label a town inside
#: an address CITY, or the whole line ADDRESS, better than a header line can
KNOWN_PLACE_PRIORITY = 40
_TITLES = frozenset({"m", "mme", "mlle", "dr", "pr", "mr", "me"})
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_SEP = r"[\s\-^,]+"  # between the words of a name in a text: space, hyphen, the DICOM caret
_PLACE_SEP = r"[\s\-,/.]+"  # between the words and numbers of an address line ("14/3", "Av.")
#: words of an institution's name that every hospital shares: the rest is what identifies it
_GENERIC_INSTITUTION = frozenset(fold(w) for w in (
    "hôpital hopital hôpitaux hopitaux clinique cliniques polyclinique centre center centres hospitalier "
    "hospitalière hospitaliers universitaire universitaires régional regional chu chr chru ch chi gh ghu aphp "
    "ap-hp az uz groupe hospitalier site service imagerie radiologie médicale medicale cabinet institut "
    "fondation maison santé sante privé prive privée privee général general générale generale "
    "de du des la le les l' d' et sur en"
).split())
#: a longer value is no header value (DICOM's LO and PN hold 64 characters per component): ignored
MAX_VALUE_CHARS = 256
#: an identifier is matched only from this many letters and digits (pure digits: one more), so a
#: short code does not catch a measurement
MIN_ID_CHARS = 5


@dataclass(frozen=True)
class KnownIdentity:
    """The header values a report must not reveal (in memory only, never stored or logged)."""

    patient: tuple[str, ...] = ()  # PatientName, OtherPatientNames: "DUPONT^JEAN" or "Jean Dupont"
    birth_date: dt.date | None = None  # PatientBirthDate
    ids: tuple[str, ...] = ()  # PatientID, OtherPatientIDs, AccessionNumber
    staff: tuple[str, ...] = ()  # referring, performing, reading physicians; operators
    institution: tuple[str, ...] = ()  # InstitutionName, InstitutionalDepartmentName
    address: tuple[str, ...] = ()  # InstitutionAddress

    def __repr__(self) -> str:  # never the values
        counts = ", ".join(f"{f.name}={len(v) if isinstance(v, tuple) else int(v is not None)}"
                           for f in fields(self) for v in (getattr(self, f.name),))
        return f"KnownIdentity({counts})"

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def merged(self, other: "KnownIdentity") -> "KnownIdentity":
        """Both identities' values (the images of one study may differ: operators, other names)."""
        def union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(a + b))
        return KnownIdentity(union(self.patient, other.patient), self.birth_date or other.birth_date,
                             union(self.ids, other.ids), union(self.staff, other.staff),
                             union(self.institution, other.institution), union(self.address, other.address))

    @classmethod
    def from_json(cls, value: Any, where: str) -> "KnownIdentity":
        """A record's ``"known"`` object: each field a string or a list of strings; ``birth_date``
        ``YYYY-MM-DD`` or ``YYYYMMDD``. ``where`` (file:line) names the record in errors, which
        never quote a value."""
        if value is None:
            return cls()
        if not isinstance(value, Mapping):
            raise ReportFileError(f'{where}: "known" must be an object such as {{"patient": "NOM^PRENOM", '
                                  f'"birth_date": "AAAA-MM-JJ"}}')
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ReportFileError(f'{where}: "known" has no field {", ".join(map(repr, unknown))}; '
                                  f'use {", ".join(names)}')
        parsed: dict[str, Any] = {}
        for name in names:
            item = value.get(name)
            if name == "birth_date":
                parsed[name] = _parse_birth_date(item, where)
                continue
            items = [item] if isinstance(item, str) else item if isinstance(item, list) else [] if item is None else None
            if items is None or not all(isinstance(i, str) for i in items):
                raise ReportFileError(f'{where}: "known.{name}" must be a string or a list of strings')
            parsed[name] = usable_values(items)
        return cls(**parsed)


def usable_values(values: Iterable[str]) -> tuple[str, ...]:
    """``values`` without blanks, repeats and anything longer than :data:`MAX_VALUE_CHARS`."""
    return tuple(dict.fromkeys(v.strip() for v in values if v.strip() and len(v) <= MAX_VALUE_CHARS))


def _parse_birth_date(value: Any, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    text = value.strip() if isinstance(value, str) else ""
    match = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})", text)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        pass
    raise ReportFileError(f'{where}: "known.birth_date" must be a date written YYYY-MM-DD or YYYYMMDD (as DICOM '
                          f'PatientBirthDate)')


# ---- names -------------------------------------------------------------------------------
def _name_words(name: str) -> list[list[str]]:
    """The folded words of each caret/comma component of ``name``, titles dropped."""
    parts = []
    for part in re.split(r"[\^,;/()=]+", name or ""):
        words = [w for w in _WORD.findall(fold(part)) if w.rstrip(".") not in _TITLES]
        if words:
            parts.append(words)
    return parts


def _alternation(forms: Iterable[str], sep: str = _SEP) -> str:
    """Regex alternatives for ``forms`` (longest first), any run of ``sep`` between their words."""
    return "|".join(sep.join(re.escape(w) for w in re.split(r"[\s\-]+", f) if w)
                    for f in sorted(set(forms), key=len, reverse=True))


@lru_cache(maxsize=4096)
def names_regex(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """Whole-word regex over folded text for ``names``: each distinctive word, multi-word
    components (« le goff »), the whole name in either order, with an optional initial before."""
    forms: set[str] = set()
    initials: set[str] = set()
    for name in names:
        parts = _name_words(name)
        for words in parts:
            distinctive = [w for w in words if w not in NAME_CONNECTORS]
            if len(words) > 1 and distinctive:
                forms.add(" ".join(words))
            for w in distinctive:
                if len(w) >= 2:
                    forms.add(w)
                forms.update(p for p in w.split("-") if len(p) >= 3 and p not in NAME_CONNECTORS)
        if len(parts) >= 2:  # "DUPONT^JEAN": "jean dupont" and "dupont jean"
            family, given = " ".join(parts[0]), " ".join(parts[1])
            forms.update({f"{given} {family}", f"{family} {given}"})
            initials.update(w[0] for w in parts[1] if w not in NAME_CONNECTORS)
    if not forms:
        return None
    initial = rf"(?:[{''.join(sorted(initials))}]\.(?:-[a-z]\.)?[ \t\u00a0]*)?" if initials else ""
    return re.compile(rf"(?<![\w]){initial}(?:{_alternation(forms)})(?![\w])")


@lru_cache(maxsize=4096)
def initials_regex(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """The patient's initials alone, in capitals, over the original text: ``J.D.``, ``J. D.``, ``JD``,
    ``D.J.`` (family first, as the caret form orders them)."""
    pairs: set[tuple[str, str]] = set()
    for name in names:
        parts = _name_words(name)
        if len(parts) >= 2:
            family = [w for w in parts[0] if w not in NAME_CONNECTORS]
            given = [w for w in parts[1] if w not in NAME_CONNECTORS]
        else:
            words = [w for w in (parts[0] if parts else []) if w not in NAME_CONNECTORS]
            given, family = words[:1], words[1:]
        if given and family:
            for last in {family[0][0], (parts[0] if len(parts) >= 2 else family)[0][0]}:  # "F.E." of "El Amrani"
                pairs.update({(given[0][0], last), (last, given[0][0])})
    if not pairs:
        return None
    alts = "|".join(rf"{a.upper()}\.[ \u00a0]?{b.upper()}\.?|{a.upper()}{b.upper()}" for a, b in sorted(pairs))
    return re.compile(rf"(?<![\w.])(?:{alts})(?![\w])")


# ---- dates and identifiers ----------------------------------------------------------------
@lru_cache(maxsize=4096)
def birth_date_regex(day: dt.date) -> re.Pattern[str]:
    """Every way a report writes ``day``, over folded text."""
    d, m, y = day.day, day.month, day.year
    dd, mm = rf"0?{d}", rf"0?{m}"
    years = rf"(?:{y}|{y % 100:02d})"
    numeric = [rf"{dd}[ ]?[/.\-][ ]?{mm}[ ]?[/.\-][ ]?{years}", rf"{y}[/.\-]{m:02d}[/.\-]{d:02d}",
               rf"{y}{m:02d}{d:02d}", rf"{d:02d}{m:02d}{y}"]
    full = fold(MONTHS[m - 1])
    month_words = {full, full[:3], full[:4], fold(MONTH_ABBR[m - 1]).rstrip(".")}
    months = "|".join(re.escape(w) for w in sorted(month_words, key=len, reverse=True))
    day_word = "1er" if d == 1 else str(d)
    written = rf"(?:{day_word}|0?{d})(?:er)?\s+(?:{months})\.?\s+{years}"
    return re.compile(rf"(?<![\w/.\-])(?:{'|'.join(numeric)}|{written})(?![\w]|[/.\-]\d)")


def _id_pattern(value: str) -> str | None:
    chars = [c for c in fold(value) if c.isalnum()]
    if len(chars) < MIN_ID_CHARS + all(c.isdigit() for c in chars):
        return None
    return r"[\s.\-/]?".join(re.escape(c) for c in chars)


@lru_cache(maxsize=4096)
def ids_regex(ids: tuple[str, ...]) -> re.Pattern[str] | None:
    """The identifiers, with or without separators between their characters, over folded text."""
    alts = sorted({p for p in map(_id_pattern, ids) if p}, key=len, reverse=True)
    return re.compile(rf"(?<![\w])(?:{'|'.join(alts)})(?![\w])") if alts else None


# ---- places --------------------------------------------------------------------------------
def _distinctive_part(name: str) -> str | None:
    """The institution's name without the words every hospital has (« Saint-Luc » of « Clinique
    Saint-Luc »), when what is left identifies it."""
    words = _WORD.findall(fold(name))
    kept = [w for w in words if w not in _GENERIC_INSTITUTION]
    while kept and kept[0] in NAME_CONNECTORS:
        kept.pop(0)
    if not kept or sum(len(w) for w in kept) < 4 or all(is_vocab(w) for w in kept) or kept == words:
        return None
    return " ".join(kept)


@lru_cache(maxsize=4096)
def places_regex(values: tuple[str, ...], distinctive: bool) -> re.Pattern[str] | None:
    """Whole values (or, with ``distinctive``, their distinctive parts) over folded text."""
    forms: set[str] = set()
    for value in values:
        if distinctive:
            part = _distinctive_part(value)
            if part:
                forms.add(part)
        else:
            for line in re.split(r"[,;\n\r^]+", value):
                tokens = re.findall(r"[^\W_]+(?:['’][^\W_]+)*", fold(line))  # words and numbers
                if len(line.strip()) >= 6 and tokens:
                    forms.add(" ".join(tokens))
    forms.discard("")
    return re.compile(rf"(?<![\w])(?:{_alternation(forms, _PLACE_SEP)})(?![\w])") if forms else None


# ---- search --------------------------------------------------------------------------------
def find_known(text: str, folded: str, known: KnownIdentity | None) -> list[P.Candidate]:
    """Candidates for every occurrence of ``known``'s values in ``text`` (``folded``: its folded copy).

    Names are matched by :mod:`bonesearch.deid.text` (which checks that an everyday word is
    used as a name); this finds the initials, the birth date, the identifiers and the places.
    """
    if not known:
        return []
    out: list[P.Candidate] = []

    def add(rx: re.Pattern[str] | None, source: str, category: str, priority: int = KNOWN_PRIORITY,
            strength: P.Strength = P.Strength.STRONG, capitalised: bool = False) -> None:
        if rx is None:
            return
        for m in rx.finditer(source):
            if m.end() > m.start() and (not capitalised or text[m.start()].isupper()):
                out.append(P.Candidate(m.start(), m.end(), category, priority, strength))

    add(initials_regex(known.patient), text, "PATIENT")
    if known.birth_date is not None:
        add(birth_date_regex(known.birth_date), folded, "BIRTHDATE")
    add(ids_regex(known.ids), folded, "ID")
    add(places_regex(known.institution, False), folded, "INSTITUTION", KNOWN_PLACE_PRIORITY)
    add(places_regex(known.institution, True), folded, "INSTITUTION", KNOWN_PLACE_PRIORITY, P.Strength.CONTEXTUAL,
        capitalised=True)
    add(places_regex(known.address, False), folded, "ADDRESS", KNOWN_PLACE_PRIORITY)
    return out
