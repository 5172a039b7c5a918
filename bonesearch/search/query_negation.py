"""Which words of a typed query it denies (« pas de fracture du poignet »), without spaCy.

Reports are qualified by edsnlp's clinical qualifiers (:mod:`bonesearch.reports.mentions`),
which load spaCy, thinc and torch: seconds before a first query. A query is a few words,
so it is split here by the same kind of rules, read from ``data/query_negation_fr.tsv``: a
``before`` cue negates the words after it up to a ``stop`` (« pas de fracture, arthrose »)
or the end; an ``after`` cue negates the words before it back to a stop or the start
(« fracture exclue »); a ``pseudo`` phrase (« non déplacée ») is no cue. As in the reports'
qualifiers, the cue words themselves stay in the affirmed part and the scope runs to the
end of the query when nothing stops it, so « pas de fracture du poignet » also negates
« poignet » (the index's whole-text field still matches it).

Queries do not need the hypothesis qualifier: a supposed finding (« suspicion de fracture »)
is searched as the finding.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bonesearch.reports.mentions import Mentions
from bonesearch.search.query_text import data_lines
from bonesearch.word_match import fold

KINDS = ("before", "after", "pseudo", "stop")
_TOKEN = re.compile(r"\w+['’]?|[^\w\s]")


@lru_cache(maxsize=1)
def cues() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Kind → its phrases as folded token tuples, longest first (``data/query_negation_fr.tsv``)."""
    found: dict[str, list[tuple[str, ...]]] = {kind: [] for kind in KINDS}
    for number, line in data_lines("query_negation_fr.tsv"):
        kind, sep, phrase = line.partition("\t")
        tokens = tuple(_TOKEN.findall(fold(phrase.strip())))
        if not sep or kind not in found or not tokens:
            raise ValueError(f"query_negation_fr.tsv, line {number}: expected KIND<TAB>PHRASE with KIND one of "
                             f"{', '.join(KINDS)}")
        found[kind].append(tokens)
    return {kind: tuple(sorted(set(phrases), key=len, reverse=True)) for kind, phrases in found.items()}


def _match(words: list[str], at: int, phrases: tuple[tuple[str, ...], ...]) -> int:
    """Length of the longest of ``phrases`` that starts at ``words[at]`` (0: none)."""
    for phrase in phrases:
        if tuple(words[at:at + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def _roles(words: list[str]) -> list[str]:
    """Per token: ``before``, ``after``, ``stop`` (cue or stop, first token of each) or ``""``
    (a word), after the pseudo phrases are set aside as plain words."""
    table = cues()
    roles = [""] * len(words)
    at = 0
    while at < len(words):
        pseudo = _match(words, at, table["pseudo"])
        if pseudo:
            at += pseudo
            continue
        for kind in ("before", "after", "stop"):
            length = _match(words, at, table[kind])
            if length:
                roles[at:at + length] = [kind] + ["cue"] * (length - 1)
                at += length
                break
        else:
            at += 1
    return roles


def split_query(text: str) -> Mentions:
    """The words of the query ``text`` in its affirmed and negated parts (each in query order,
    taken from ``text`` itself); the hypothetical part is always empty."""
    spans = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    words = [fold(text[a:b]) for a, b in spans]
    roles = _roles(words)
    negated = [False] * len(words)
    for at, role in enumerate(roles):
        if role == "before":
            end = at + 1
            while end < len(words) and roles[end] in ("", "cue"):
                end += 1
            for n in range(at + 1, end):
                negated[n] = roles[n] == ""
        elif role == "after":
            start = at
            while start > 0 and roles[start - 1] == "":
                start -= 1
            for n in range(start, at):
                negated[n] = True
    parts: dict[bool, list[str]] = {False: [], True: []}
    run_start = None
    for n, (a, b) in enumerate(spans):
        if run_start is None or negated[n] != negated[n - 1]:
            if run_start is not None:
                parts[negated[n - 1]].append(text[run_start:spans[n - 1][1]].strip())
            run_start = a
    if run_start is not None:
        parts[negated[-1]].append(text[run_start:spans[-1][1]].strip())
    return Mentions(" ".join(parts[False]), " ".join(parts[True]), "")
