"""Comparing words loosely: accent and case folding, and a bounded edit distance.

Shared by the report index's query side (:mod:`bonesearch.search.query_text`,
:mod:`bonesearch.reports.mentions`, :mod:`bonesearch.index.lexical`) and the burned-in
text screen (:mod:`bonesearch.deid.burned_in_identity`). Importing it costs nothing (no
spaCy: :func:`bonesearch.deid.vocab.fold`, which keeps offsets, loads spaCy's stop words).
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """``text`` in lower case without accents (combining marks dropped after NFD)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def edit_distance(a: str, b: str, limit: int, swaps: bool = False) -> int:
    """Levenshtein distance of ``a`` and ``b`` (with ``swaps``, optimal string alignment: two
    adjacent letters swapped count one edit), or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if swaps and before is not None and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], before[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        before, previous = previous, row
    return previous[-1]
