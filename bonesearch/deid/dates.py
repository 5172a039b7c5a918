"""Find French dates in report text and re-render them shifted, in the format they came in.

Every date of a patient moves by the same offset (:meth:`PseudonymKey.shift_date`), so
intervals inside a report, and between a report and its DICOM headers, are kept.
Regexes run on *folded* text (see :func:`bonesearch.deid.vocab.fold`); the original
text is read back only to copy its style (capitals, accents, zero padding).

Handled: ``12/03/2024 12/03/24 12.03.2024 12-03-2024 2024-03-12 le 12/03``,
``12 mars 2024 1er mars 2024 lundi 3 mars 2024 3 janv. 2024 12 mars``,
``mars 2024 03/2024``, and a day alone after "le"/"du" ("revu le 3.", "du 3 au 5 mars") in
the month of the date before it (or of the report). A year alone after "depuis", "en", "fin",
"début"… ("opérée en 2019") moves by the offset's whole years (rounded), unless a unit follows.

Placeholder dates ("31/12/9999", "0001-01-01") are found too, but fall outside
:data:`EARLIEST_DATE`–:data:`LATEST_DATE`: they are never shifted (:func:`is_shiftable`), since a
reader who guesses the placeholder would learn the patient's offset from its shifted copy; the
de-identifier removes them instead. A report date outside the window is ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
MONTH_ABBR = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
              "nov.", "déc.")
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

#: the window of plausible clinical dates (births included); outside it a date is a placeholder
#: or an error, and is dropped rather than shifted
EARLIEST_DATE = dt.date(1880, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


def is_shiftable(value: dt.date | None) -> bool:
    """Whether ``value`` is a plausible clinical date (in :data:`EARLIEST_DATE`–:data:`LATEST_DATE`), which
    may be shifted; False for None and placeholders such as 9999-12-31 or 0001-01-01."""
    if value is None:
        return False
    day = value.date() if isinstance(value, dt.datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE

_FULL = {"janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
         "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12}
_ABBR = {"janv": 1, "jan": 1, "fevr": 2, "fev": 2, "avr": 4, "juil": 7, "sept": 9, "sep": 9,
         "oct": 10, "nov": 11, "dec": 12}

_WD = r"(?:(?P<wd>lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?"
_FULL_ALT = "|".join(sorted(_FULL, key=len, reverse=True))
_ABBR_ALT = "|".join(sorted(_ABBR, key=len, reverse=True))
_END = r"(?!\d|[/.\-]\d)"

# Each pattern has a group ``date``: the text that gets replaced.
_TEXTUAL = re.compile(
    rf"(?<![\w/])(?P<date>(?:(?P<d0>1er|0?[1-9]|[12]\d|3[01])(?:er)?(?P<conn>\s*(?:au|et|-|a)\s*))?{_WD}(?P<d>1er|0?[1-9]|[12]\d|3[01])(?:er)?\s+"
    rf"(?:(?P<mf>{_FULL_ALT})|(?P<ma>{_ABBR_ALT})(?:\.|(?=\s+\d{{4}})))"
    rf"(?:\s+(?P<y>\d{{4}}))?)(?![\w])"
)
_MONTH_YEAR = re.compile(rf"(?<![\w])(?P<date>(?P<mf>{_FULL_ALT})\s+(?P<y>(?:1[89]|20)\d{{2}}))(?![\w])")
_NUMERIC = re.compile(
    rf"(?<![\d/.\-])(?P<date>{_WD}(?P<d>[0-3]?\d)(?P<sep>[/.\-])(?P<m>[01]?\d)(?P=sep)(?P<y>\d{{4}}|\d{{2}})){_END}"
)
_ISO = re.compile(
    rf"(?<![\d/.\-])(?P<date>(?P<y>\d{{4}})(?P<sep>[-/.])(?P<m>[01]\d)(?P=sep)(?P<d>[0-3]\d)){_END}"
)
# "08 08 1957": day, month and a four-digit year separated by spaces (not inside a phone number)
_SPACED = re.compile(
    rf"(?<![\d/.\-])(?<!\d )(?P<date>(?P<d>[0-3]\d)(?P<sep> )(?P<m>[01]\d) (?P<y>(?:19|20)\d{{2}}))(?![\d/.\-]|\s\d)"
)
# "mars dernier", "depuis janvier", "en février": a month without a year, relative to the report
_MONTH_REL = re.compile(
    rf"(?<![\w])(?:(?P<date>(?P<mf>{_FULL_ALT})\s+(?:dernier|passe|precedent|prochain))"
    rf"|(?:depuis|en|debut|fin|courant|mi-|(?:le\s+)?mois\s+d['e]\s*)\s*(?P<date2>(?P<mf2>{_FULL_ALT})))(?![\w])(?!\s+(?:\d|dernier|passe|precedent|prochain))"
)
_NUM_MONTH_YEAR = re.compile(rf"(?<![\d/.\-])(?P<date>(?P<m>0?[1-9]|1[0-2])/(?P<y>(?:19|20)\d{{2}})){_END}")
_DAY_MONTH = re.compile(
    r"\b(?:le|du|au|depuis le|des le|jusqu'au|dates? du)\s+"
    r"(?P<date>(?P<d>[0-3]?\d)(?P<sep>/)(?P<m>[01]?\d))(?![\d]|/\d)"
)


# "opéré le 3.", "revu le 14, puis…": a day alone, only before punctuation or a time word
_DAY_ALONE = re.compile(
    r"\b(?:le|du|depuis le|des le|jusqu'au|au)\s+(?P<date>(?P<d>1er|[12]\d|3[01]|0?[1-9]))"
    r"(?=\s*(?:[.,;:)]|$)|\s+(?:au|et)\s+(?:le\s+)?\d|\s+a\s+\d{1,2}\s*h|\s+(?:matin|soir|apres-midi|dernier|courant)\b)"
)


@dataclass(frozen=True)
class DateSpan:
    """A date found in text: where, what it means, and how to write its shifted value."""

    start: int
    end: int
    value: dt.date
    render: Callable[[dt.date], str]


_UNITS = ("zero un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize").split()
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def number_words(n: int) -> str:
    """French words for 0 <= n < 100: 21 "vingt et un", 71 "soixante et onze", 80 "quatre-vingts"."""
    if n < 17:
        return _UNITS[n]
    if n < 20:
        return "dix-" + _UNITS[n - 10]
    if n < 70:
        t, u = divmod(n, 10)
        return _TENS[t] + ("" if u == 0 else " et un" if u == 1 else "-" + _UNITS[u])
    if n < 80:
        return "soixante et onze" if n == 71 else "soixante-" + number_words(n - 60)
    return "quatre-vingts" if n == 80 else "quatre-vingt-" + number_words(n - 80)


def year_words(y: int) -> str:
    """French words for a year: 2024 "deux mille vingt-quatre", 1957 "mille neuf cent cinquante-sept"."""
    head, rest = ("deux mille", y - 2000) if y >= 2000 else ("mille neuf cent", y - 1900)
    return head + (" " + number_words(rest) if rest else "")


_WORD_NUMBERS = {fold_n: n for n in range(100) for fold_n in {number_words(n).replace("-", " ")}}
_WORD_NUMBERS.update({"premier": 1, "quatre vingt": 80, "un": 1})
_NUM_WORDS = "|".join(sorted((w.replace(" ", r"[\s\-]+") for w in _WORD_NUMBERS), key=len, reverse=True))
_SPELLED = re.compile(
    rf"(?<![\w\-])(?P<date>(?P<d>{_NUM_WORDS})\s+(?P<mf>{_FULL_ALT})"
    rf"(?:\s+(?P<y>(?:deux\s+mille|(?:mille|dix[\s\-]+neuf)\s+neuf\s+cents?|mille\s+neuf\s+cents?|dix[\s\-]+neuf\s+cents?)"
    rf"(?:[\s\-]+(?:{_NUM_WORDS}))?))?)(?![\w\-])"
)


def _words_value(words: str) -> int | None:
    return _WORD_NUMBERS.get(re.sub(r"[\s\-]+", " ", words).strip())


def _spelled(m: re.Match[str], orig: str, ref: dt.date | None) -> DateSpan | None:
    """"douze mars deux mille vingt-quatre" (dictation), re-written in words."""
    day = _words_value(m.group("d"))
    month = _FULL[m.group("mf")]
    year = None
    if y := m.group("y"):
        parts = re.match(r"(deux\s+mille|(?:mille|dix[\s\-]+neuf)\s+neuf\s+cents?|dix[\s\-]+neuf\s+cents?|mille\s+neuf\s+cents?)"
                         r"[\s\-]*(.*)", y)
        base = 2000 if parts.group(1).startswith("deux") else 1900
        rest = _words_value(parts.group(2)) if parts.group(2) else 0
        if rest is None:
            return None
        year = base + rest
    if not day or day > 31:
        return None
    try:
        value = dt.date(year, month, day) if year else _infer_year(day, month, ref)
    except ValueError:
        return None
    if value is None:
        return None
    sample = orig[m.start("date"):m.end("date")]
    month_orig = orig[m.start("mf"):m.end("mf")]
    first = m.group("d") == "premier"

    def render(new: dt.date) -> str:
        out = "premier" if new.day == 1 and first else number_words(new.day)
        out += " " + _style(month_orig, MONTHS[new.month - 1], MONTHS[month - 1])
        if year:
            out += " " + year_words(new.year)
        return out.upper() if sample.isupper() else out

    return DateSpan(m.start("date"), m.end("date"), value, render)


def _month_relative(m: re.Match[str], orig: str, ref: dt.date | None) -> DateSpan | None:
    """"mars dernier", "depuis janvier": the month nearest before (dernier) or after (prochain) the report."""
    g = "date" if m.group("date") else "date2"
    mf = m.group("mf") or m.group("mf2")
    month = _FULL[mf]
    ref = ref or dt.date(2000, 6, 15)
    future = "prochain" in m.group(g)
    year = ref.year + (1 if future and month <= ref.month else 0) - (1 if not future and month > ref.month else 0)
    value = dt.date(year, month, 15)
    mo_start = m.start("mf") if m.group("mf") else m.start("mf2")
    mo_orig = orig[mo_start:mo_start + len(mf)]
    tail = orig[mo_start + len(mf):m.end(g)]

    def render(new: dt.date) -> str:
        return _style(mo_orig, MONTHS[new.month - 1], MONTHS[month - 1]) + tail

    return DateSpan(m.start(g), m.end(g), value, render)


def _style(sample: str, word: str, canonical: str = "") -> str:
    """Write ``word`` in the case and accent style of ``sample`` (the original text, whose
    accented spelling is ``canonical``: "fevrier" is written without accents, "mars" is not)."""
    if sample.isascii() and not canonical.isascii():
        import unicodedata

        word = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
    if sample.isupper():
        return word.upper()
    if sample[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _infer_year(day: int, month: int, ref: dt.date | None) -> dt.date | None:
    """The date nearest to ``ref`` with this day and month (a leap year when ``ref`` is unknown)."""
    years = (ref.year - 1, ref.year, ref.year + 1) if ref else (2000,)
    best = None
    for y in years:
        try:
            cand = dt.date(y, month, day)
        except ValueError:
            continue
        if best is None or (ref and abs((cand - ref).days) < abs((best - ref).days)):
            best = cand
    return best


def _full_year(y: str, ref: dt.date | None) -> int:
    if len(y) == 4:
        return int(y)
    pivot = (ref or dt.date.today()).year
    year = 2000 + int(y)
    return year if year <= pivot + 1 else year - 100


def _numeric(m: re.Match[str], orig: str, ref: dt.date | None, iso: bool = False) -> DateSpan | None:
    d, mo, y = m.group("d"), m.group("m"), m.group("y") if "y" in m.re.groupindex else None
    try:
        value = dt.date(_full_year(y, ref), int(mo), int(d)) if y else _infer_year(int(d), int(mo), ref)
    except ValueError:
        return None
    if value is None:  # a four-digit year out of the window is kept: a placeholder, removed unshifted
        return None
    sep = m.group("sep")
    pad = iso or d.startswith("0") or mo.startswith("0") or (len(d) == 2 and len(mo) == 2)
    wd = m.groupdict().get("wd")
    wd_orig = orig[m.start("wd"):m.end("wd")] if wd else ""

    def render(new: dt.date) -> str:
        dd, mm = (f"{new.day:02d}", f"{new.month:02d}") if pad else (str(new.day), str(new.month))
        if iso:
            return f"{new.year}{sep}{mm}{sep}{dd}"
        parts = [dd, mm] + ([f"{new.year % 100:02d}" if len(y) == 2 else str(new.year)] if y else [])
        prefix = _style(wd_orig, WEEKDAYS[new.weekday()]) + " " if wd else ""
        return prefix + sep.join(parts)

    return DateSpan(m.start("date"), m.end("date"), value, render)


def _textual(m: re.Match[str], orig: str, ref: dt.date | None) -> DateSpan | None:
    month = _FULL[m.group("mf")] if m.group("mf") else _ABBR[m.group("ma")]
    d, y = m.group("d"), m.group("y")
    day = 1 if d == "1er" else int(d)
    try:
        value = dt.date(int(y), month, day) if y else _infer_year(day, month, ref)
    except ValueError:
        return None
    if value is None:
        return None
    month_orig = orig[m.start("mf"):m.end("mf")] if m.group("mf") else orig[m.start("ma"):m.end("ma")]
    abbreviated = m.group("ma") is not None
    wd_orig = orig[m.start("wd"):m.end("wd")] if m.group("wd") else ""
    pad = d.startswith("0")
    upper_er = orig[m.start("d"):m.end("d") + 2][-2:] == "ER"
    names = MONTH_ABBR if abbreviated else MONTHS
    # "du 12 au 15 mars 2024": the first day shares the month (the one before if it is larger)
    first = None
    if m.group("d0"):
        d0 = 1 if m.group("d0") == "1er" else int(m.group("d0"))
        try:
            first = value.replace(day=d0) if d0 < day else (value.replace(day=1) - dt.timedelta(days=1)).replace(day=d0)
        except (ValueError, OverflowError):  # "du 30 au 2 janvier 0001"
            first = None
    conn = orig[m.start("conn"):m.end("conn")] if first else ""

    def day_str(n: int) -> str:
        if n == 1 and not pad:
            return "1ER" if upper_er else "1er"
        return f"{n:02d}" if pad else str(n)

    def render(new: dt.date) -> str:
        out = f"{day_str(new.day)} {_style(month_orig, names[new.month - 1], names[month - 1])}"
        if y:
            out += f" {new.year}"
        if first:
            new0 = new - (value - first)
            same = (new0.year, new0.month) == (new.year, new.month)
            month0 = "" if same else " " + _style(month_orig, names[new0.month - 1], names[month - 1])
            year0 = f" {new0.year}" if y and new0.year != new.year else ""
            return f"{day_str(new0.day)}{month0}{year0}{conn}{out}"
        return (_style(wd_orig, WEEKDAYS[new.weekday()]) + " " if wd_orig else "") + out

    start = m.start("date") if first or not m.group("d0") else m.start("wd") if m.group("wd") else m.start("d")
    return DateSpan(start, m.end("date"), value, render)


def _month_year(m: re.Match[str], orig: str, numeric: bool) -> DateSpan | None:
    y = int(m.group("y"))
    month = int(m.group("m")) if numeric else _FULL[m.group("mf")]
    value = dt.date(y, month, 15)  # mid-month: the shifted month is the nearest one
    mo_orig = orig[m.start("m"):m.end("m")] if numeric else orig[m.start("mf"):m.end("mf")]

    def render(new: dt.date) -> str:
        if numeric:
            mm = f"{new.month:02d}" if len(mo_orig) == 2 else str(new.month)
            return f"{mm}/{new.year}"
        return f"{_style(mo_orig, MONTHS[new.month - 1], MONTHS[month - 1])} {new.year}"

    return DateSpan(m.start("date"), m.end("date"), value, render)


# "13 fév 24": an abbreviated month and a two-digit year
_ABBR_YY = re.compile(
    rf"(?<![\w/])(?P<date>(?P<d>1er|0?[1-9]|[12]\d|3[01])\s+(?P<ma>{_ABBR_ALT}|mars|mai|juin|aout)\.?\s+(?P<y>\d{{2}}))(?![\w/.,]\d|[\w]|\s*(?:ans?|mois|jours?|h|heures?|mm|cm|kg|%|semaines?|sa)\b)"
)
# "20240211": a compact date, not inside a longer number nor after an identifier label
_COMPACT = re.compile(
    r"(?<![\w\-/.])(?P<date>(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01]))(?![\w\-/]|[.,]\d)"
)
_ID_BEFORE = re.compile(r"(?:\b(?:ipp|nip|nda|ins|nir|id|n°|no|num|numero|dossier|examen|accession|acc|ref|reference|sejour|"
                        r"venue|demande|code|identifiant)\b[^\n\d]{0,12}|[\w\-])$")
# "été 2021", "hiver 2019": a season and a year
_SEASON = re.compile(r"(?<![\w])(?P<date>(?P<s>ete|hiver|printemps|automne)\s+(?:(?:de\s+)?l'annee\s+)?(?P<y>(?:19|20)\d{2}))(?![\w])")
_SEASON_MONTH = {"hiver": 1, "printemps": 4, "ete": 7, "automne": 10}
_SEASON_OF = {1: "hiver", 2: "hiver", 3: "printemps", 4: "printemps", 5: "printemps", 6: "été", 7: "été", 8: "été",
              9: "automne", 10: "automne", 11: "automne", 12: "hiver"}
# "17 III 1968": a Roman-numeral month between a day and a four-digit year
_ROMAN_MONTHS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10, "xi": 11,
                 "xii": 12}
_ROMAN = re.compile(r"(?<![\w/])(?P<date>(?P<d>0?[1-9]|[12]\d|3[01])(?P<sep>[ .\-/])(?P<m>xii|xi|x|ix|viii|vii|vi|v|iv|iii|ii|i)"
                    r"(?P=sep)(?P<y>(?:1[89]|20)\d{2}))(?![\w])")
_ROMAN_OUT = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


# "depuis 2019", "opérée en 2019", "fin 2021": a year alone after a time word, not a measure ("en 2000 UI")
_BARE_YEAR = re.compile(
    r"(?<![\w\-])(?:depuis|en|fin|debut|courant|mi-|des|avant|apres|jusqu'en|entre|annee)\s*(?:l'annee\s+)?"
    r"(?P<date>(?:19|20)\d{2})(?![\w\-/]|[.,]\d|\s*(?:[-–]\s*\d|ans?\b|mois\b|jours?\b|semaines?\b|h\b|heures?\b|mm\b|cm\b|"
    r"m\b|kg\b|g\b|mg\b|ml\b|l\b|ui\b|u\b|%|gy\b|msv\b|mgy\b|kv\b|mas\b|ms\b|hu\b|uh\b|points?\b|patients?\b|cas\b))"
)


def _bare_year(m: re.Match[str]) -> DateSpan:
    value = dt.date(int(m.group("date")), 7, 2)  # mid-year: the shifted year is the offset's rounded whole years
    return DateSpan(m.start("date"), m.end("date"), value, lambda new: str(new.year))


def _extra_dates(orig: str, folded: str, ref: dt.date | None) -> list[DateSpan]:
    out: list[DateSpan] = [_bare_year(m) for m in _BARE_YEAR.finditer(folded)]
    for m in _ABBR_YY.finditer(folded):
        d = m.group("d")
        mon = _ABBR.get(m.group("ma")) or _FULL[m.group("ma")]
        try:
            value = dt.date(_full_year(m.group("y"), ref), mon, 1 if d == "1er" else int(d))
        except ValueError:
            continue
        mo_orig = orig[m.start("ma"):m.end("date") - len(m.group("y"))].rstrip()
        names = [a.rstrip(".") for a in MONTH_ABBR]
        pad = d.startswith("0")

        def render(new: dt.date, mo_orig: str = mo_orig, mon: int = mon, names: list[str] = names, pad: bool = pad) -> str:
            dot = "." if mo_orig.endswith(".") else ""
            return (f"{new.day:02d}" if pad else str(new.day)) + " " + \
                _style(mo_orig.rstrip("."), names[new.month - 1], names[mon - 1]) + dot + f" {new.year % 100:02d}"

        out.append(DateSpan(m.start("date"), m.end("date"), value, render))
    for m in _COMPACT.finditer(folded):
        if _ID_BEFORE.search(folded, max(0, m.start() - 25), m.start()):
            continue
        try:
            value = dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        except ValueError:
            continue
        out.append(DateSpan(m.start("date"), m.end("date"), value, lambda new: f"{new.year}{new.month:02d}{new.day:02d}"))
    for m in _SEASON.finditer(folded):
        value = dt.date(int(m.group("y")), _SEASON_MONTH[m.group("s")] + 1, 15)
        s_orig = orig[m.start("s"):m.end("s")]

        def render(new: dt.date, s_orig: str = s_orig, m: re.Match[str] = m) -> str:
            word = _SEASON_OF[new.month]
            word = word.capitalize() if s_orig[:1].isupper() else word
            return word + orig[m.end("s"):m.start("y")] + str(new.year)

        out.append(DateSpan(m.start("date"), m.end("date"), value, render))
    for m in _ROMAN.finditer(folded):
        if not orig[m.start("m"):m.end("m")].isupper():
            continue
        try:
            value = dt.date(int(m.group("y")), _ROMAN_MONTHS[m.group("m")], int(m.group("d")))
        except ValueError:
            continue
        sep = m.group("sep")
        out.append(DateSpan(m.start("date"), m.end("date"), value,
                            lambda new, sep=sep: f"{new.day}{sep}{_ROMAN_OUT[new.month - 1]}{sep}{new.year}"))
    return out


def find_dates(orig: str, folded: str, ref: dt.date | None = None) -> list[DateSpan]:
    """Every date in ``orig`` (``folded`` is ``fold(orig)``), longest forms first, no overlaps.

    ``ref`` (the report date) picks the year of dates written without one ("le 12/03"); a ``ref``
    outside the plausible window (:func:`is_shiftable`) is ignored. Spans of placeholder dates are
    returned too: check :func:`is_shiftable` before shifting one.
    """
    if ref is not None and not is_shiftable(ref):
        ref = None
    found: list[DateSpan] = []
    for m in _TEXTUAL.finditer(folded):
        found.append(_textual(m, orig, ref))
    for m in _NUMERIC.finditer(folded):
        found.append(_numeric(m, orig, ref))
    for m in _ISO.finditer(folded):
        found.append(_numeric(m, orig, ref, iso=True))
    for m in _DAY_MONTH.finditer(folded):
        found.append(_numeric(m, orig, ref))
    for m in _MONTH_YEAR.finditer(folded):
        found.append(_month_year(m, orig, numeric=False))
    for m in _NUM_MONTH_YEAR.finditer(folded):
        found.append(_month_year(m, orig, numeric=True))
    for m in _SPACED.finditer(folded):
        found.append(_numeric(m, orig, ref))
    for m in _SPELLED.finditer(folded):
        found.append(_spelled(m, orig, ref))
    for m in _MONTH_REL.finditer(folded):
        found.append(_month_relative(m, orig, ref))
    found += _extra_dates(orig, folded, ref)
    spans: list[DateSpan] = []
    for span in sorted((s for s in found if s), key=lambda s: (s.start, -(s.end - s.start))):
        if not spans or span.start >= spans[-1].end:
            spans.append(span)
    alone = [a for m in _DAY_ALONE.finditer(folded)
             if not any(s.start <= m.start("date") < s.end for s in spans)
             and (a := _day_alone(m, orig, [s for s in spans if s.end <= m.start()], ref))]
    return sorted(spans + alone, key=lambda s: s.start) if alone else spans


def _day_alone(m: re.Match[str], orig: str, before: list[DateSpan], ref: dt.date | None) -> DateSpan | None:
    """"le 3": the 3rd of the month of the last full date before it, else of the report's month."""
    anchor = before[-1].value if before else ref
    if anchor is None:
        return None
    day = 1 if m.group("d") == "1er" else int(m.group("d"))
    try:
        value = anchor.replace(day=day)
    except ValueError:
        return None
    pad = m.group("d").startswith("0")

    def render(new: dt.date) -> str:
        return "1er" if new.day == 1 and not pad else f"{new.day:02d}" if pad else str(new.day)

    return DateSpan(m.start("date"), m.end("date"), value, render)


# "née le", "Date de naissance :", "DDN", "né(e) à Lyon le": the date after is a birth date
_BIRTH_CONTEXT = re.compile(
    r"(?:\bnee?s?(?:\(e\))?|\bnaissance|\bnaiss\.?|\bddn|\bd\.d\.n\.?)"
    r"(?:[ \t]+(?:a|en|au)?[ \t]*[^\s\d.;:,]+){0,3}?[ \t]*(?:le|:|en|du|(?:\.[ \t]*){3,})?[ \t]*[:\-]?[ \t]*$"
)


def is_birth_date(folded: str, start: int) -> bool:
    """Whether the date at ``start`` of ``folded`` text is a birth date, from the words just before."""
    return _BIRTH_CONTEXT.search(folded, max(0, start - 45), start) is not None
