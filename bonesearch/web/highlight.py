"""Where a French query's words fall in a report excerpt, for the page to mark them.

Matching ignores case and accents (« fracture du scaphoide » marks « Fracture du
scaphoïde »), drops short function words, and finds a word inside a longer one
(« arthrose » in « gonarthrose »). Offsets index the original text, unchanged.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["query_terms", "term_spans"]

STOPWORDS = frozenset(
    "au aux avec ce ces dans de des du en et la le les par pas pour sans sur un une ou".split()
)
MIN_TERM = 3  # shorter words are not marked; 3-letter words only at a word's start


def fold(text: str) -> str:
    """``text`` lower-cased without accents, one character per character of ``text``."""
    return "".join((unicodedata.normalize("NFD", ch)[:1] or ch).lower()[:1] or ch for ch in text)


def query_terms(query: str) -> list[str]:
    """The folded words of ``query`` worth marking, longest first, each once."""
    words = {w for w in re.findall(r"\w+", fold(query)) if len(w) >= MIN_TERM and w not in STOPWORDS}
    return sorted(words, key=lambda w: (-len(w), w))


def term_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Sorted, non-overlapping ``(start, end)`` offsets of ``query``'s terms in ``text``."""
    folded = fold(text)
    spans = []
    for term in query_terms(query):
        for match in re.finditer(re.escape(term), folded):
            start = match.start()
            if len(term) == MIN_TERM and start > 0 and folded[start - 1].isalnum():
                continue
            spans.append((start, match.end()))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
