"""What a typed query means to the report index: expanded, split by negation, analysed.

1. **Cleaned**: control characters out, at most :data:`MAX_QUERY_CHARS` characters kept.
2. **Expanded** from ``data/vocabulary_fr.tsv`` (abbreviations, eponyms, lay and English
   words of musculoskeletal radiology → the words French reports use): each known word or
   phrase is followed by its expansion, in place, so that a negation still covers it
   (« pas de fx » → « pas de fx fracture »). Matching ignores case and accents.
3. **Split** into affirmed and negated words (:mod:`bonesearch.search.query_negation`: rules
   that agree with the reports' qualifiers, without loading spaCy).
4. **Analysed** like the index (:func:`bonesearch.index.lexical.analyse`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from bonesearch.word_match import edit_distance, fold

MAX_QUERY_CHARS = 500
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class QueryTerms:
    """A query as the lexical index reads it."""

    expanded: str  # the query with the vocabulary's expansions inserted
    affirmed: list[str]  # analysed terms the query asserts
    negated: list[str]  # analysed terms it denies (« pas de fracture »)

    @property
    def empty(self) -> bool:
        return not (self.affirmed or self.negated)


def data_lines(name: str) -> list[tuple[int, str]]:
    """(line number, line) of ``bonesearch/search/data/NAME`` without blank and ``#`` comment lines."""
    text = resources.files("bonesearch.search").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, str]:
    """Folded term → expansion, from ``bonesearch/search/data/vocabulary_fr.tsv``."""
    entries = {}
    for number, line in data_lines("vocabulary_fr.tsv"):
        term, sep, expansion = line.partition("\t")
        if not sep or not term.strip() or not expansion.strip():
            raise ValueError(f"vocabulary_fr.tsv, line {number}: expected TERM<TAB>EXPANSION")
        entries[fold(term.strip())] = expansion.strip()
    return entries


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    terms = sorted(vocabulary(), key=len, reverse=True)  # longest first: « pouteau-colles » before « colles »
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(t) for t in terms) + r")(?![\w-])")


@lru_cache(maxsize=1)
def finding_words() -> dict[str, str]:
    """Analysed word of ``data/findings_fr.txt`` → the list's spelling of it (the first line giving it)."""
    from bonesearch.index.lexical import analyse

    names: dict[str, str] = {}
    for _, line in data_lines("findings_fr.txt"):
        for term in analyse(line):
            names.setdefault(term, line.strip())
    return names


@lru_cache(maxsize=1)
def finding_terms() -> frozenset[str]:
    """The analysed words of ``data/findings_fr.txt``: words that name a finding a report can deny."""
    return frozenset(finding_words())


@lru_cache(maxsize=1)
def _body_part_words() -> dict[str, tuple[str, ...]]:
    """Folded word or phrase → DICOM body-part terms, from ``data/body_parts_fr.tsv``."""
    entries = {}
    for number, line in data_lines("body_parts_fr.tsv"):
        word, sep, terms = line.partition("\t")
        if not sep or not terms.split():
            raise ValueError(f"body_parts_fr.tsv, line {number}: expected WORD<TAB>TERM[ TERM…]")
        entries[fold(word.strip())] = tuple(terms.split())
    return entries


@lru_cache(maxsize=1)
def _body_part_pattern() -> re.Pattern[str]:
    words = sorted(_body_part_words(), key=len, reverse=True)  # « col femoral » before « col »
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w-])")


#: a word this long that names no body part may be one typed with one letter wrong (« calcanium »)
MIN_TYPO_BODY_WORD = 7
#: a word this long followed by a full stop may abbreviate a body-part word (« olécr. »)
MIN_ABBREVIATED_BODY_WORD = 4


def _near_body_part(word: str, abbreviated: bool) -> tuple[str, ...]:
    """The body-part terms of the one body-part word ``word`` abbreviates or misspells (one edit),
    or () when none or several parts fit."""
    words = _body_part_words()
    if abbreviated and len(word) >= MIN_ABBREVIATED_BODY_WORD:
        found = {words[w] for w in words if w.startswith(word) and " " not in w}
    elif len(word) >= MIN_TYPO_BODY_WORD and word not in vocabulary():
        found = {words[w] for w in words if " " not in w and edit_distance(word, w, 1, swaps=True) <= 1}
    else:
        return ()
    return next(iter(found)) if len(found) == 1 else ()


@lru_cache(maxsize=256)
def body_parts(query: str) -> frozenset[str]:
    """The DICOM body-part terms (« WRIST »…) the words of ``query`` name, after expansion
    (« knee » → genou → KNEE), with a word or phrase of ``data/body_parts_fr.tsv``, an
    abbreviation of one (« olécr. ») or one letter wrong (« calcanium »); empty when it names none."""
    text = fold(expand(query))  # the vocabulary's expansions keep their accents
    words = _body_part_words()
    matches = list(_body_part_pattern().finditer(text))
    found = {t for m in matches for t in words[m.group(1)]}
    covered = {i for m in matches for i in range(m.start(), m.end())}
    for m in re.finditer(r"[\w-]+(\.)?", text):
        if m.start() not in covered:
            found.update(_near_body_part(m.group(0).rstrip("."), abbreviated=bool(m.group(1))))
    return frozenset(found)


def clean(query: str) -> str:
    """``query`` without control characters, spaces collapsed, cut at :data:`MAX_QUERY_CHARS`."""
    return " ".join(_CONTROL.sub(" ", query).split())[:MAX_QUERY_CHARS]


def expand(query: str) -> str:
    """``query`` with each vocabulary term followed by its expansion (on the folded text); a term
    whose expansion is itself (an English word French reports also use: « tibial ») stays single."""
    folded = fold(clean(query))

    def expanded(m: re.Match[str]) -> str:
        term, expansion = m.group(1), vocabulary()[m.group(1)]
        return term if fold(expansion) == term else f"{term} {expansion}"

    return _pattern().sub(expanded, folded)


@lru_cache(maxsize=256)
def query_terms(query: str) -> QueryTerms:
    """The affirmed and negated index terms of ``query`` (see the module docstring)."""
    from bonesearch.index.lexical import analyse
    from bonesearch.search.query_negation import split_query

    expanded = expand(query)
    mentions = split_query(expanded)
    return QueryTerms(expanded, analyse(mentions.affirmed), analyse(mentions.negated))
