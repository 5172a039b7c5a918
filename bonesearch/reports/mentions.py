"""Which words of a French report are affirmed, negated or only supposed.

« Pas de fracture », « absence de luxation », « fracture ? », « suspicion de … » must not
count as the finding. :func:`split_mentions` runs AP-HP's rule-based clinical qualifiers
(edsnlp's ``eds.negation`` and ``eds.hypothesis``, token by token) and returns the text in
three parts: affirmed words, negated words and hypothetical words. The lexical index
(:mod:`bonesearch.index.lexical`) indexes the first two apart, and the same split of a query
(« pas de fracture du poignet ») says which part it should match.

Sentences without any negation or hypothesis cue are affirmed as they are, without running
the pipeline (most sentences of a report: « Arthrose fémoro-tibiale médiale. »): the cue
check is a superset of the qualifiers' triggers, so it changes no result, only the cost.

Known limits of the qualifiers kept as they are: their scope runs to the end of the
sentence or to a termination word, so « pas de fracture du poignet » also negates
« poignet » (the lexical index keeps the whole text in a third field, so the body part
still matches).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: « non déplacée » qualifies the fracture, it does not deny it; edsnlp's « non » would
PSEUDO_NEGATIONS = ("non déplacé", "non déplacée", "non déplacées", "non déplacés", "non compliqué",
                    "non compliquée", "non compliquées", "non compliqués", "non consolidé", "non consolidée",
                    "non consolidées", "non consolidés", "non récent", "non récente", "non appuyé")

#: a sentence reaches the qualifiers only when it holds one of these (accents folded, lower case):
#: every negation and hypothesis trigger of edsnlp starts with or contains one of them
_CUES = re.compile(
    r"\b(?:pas|sans|absen\w*|aucun\w*|ni|non|ne|n'|rien|nega\w*|neg|nul\w*|exclu\w*|elimin\w*|ecart\w*|infirm\w*|"
    r"normal\w*|depourv\w*|disparu\w*|impossible|improbable|suspi\w*|evoqu\w*|possibl\w*|probabl\w*|doute\w*|"
    r"hypoth\w*|eventuel\w*|pourrai\w*|peut|peuvent|semble\w*|compatible\w*|discut\w*|douteu\w*|incertain\w*|"
    r"presum\w*|suppos\w*|suggest\w*|recherche\w*|faveur|envisag\w*|si|soit|ou|\?|question\w*|controle\w*|"
    r"cas|eventualite|vraisemblabl\w*|probablement|parfois|risque\w*|craint\w*|eliminer)\b|\?",
    re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?;\n]+[.!?;]*|[.!?;\n]+")


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


@dataclass(frozen=True)
class Mentions:
    """A text's words in three parts (each a space-joined string of the original words)."""

    affirmed: str
    negated: str
    hypothetical: str


@lru_cache(maxsize=1)
def _pipeline():
    """edsnlp's blank French pipeline with sentence splitting, normalisation and the two qualifiers."""
    import edsnlp
    import edsnlp.pipes as eds
    from edsnlp.pipes.qualifiers.negation import patterns

    nlp = edsnlp.blank("eds")
    nlp.add_pipe(eds.sentences())
    nlp.add_pipe(eds.normalizer())
    nlp.add_pipe(eds.negation(on_ents_only=False, pseudo=list(patterns.pseudo) + list(PSEUDO_NEGATIONS)))
    nlp.add_pipe(eds.hypothesis(on_ents_only=False))
    return nlp


def split_mentions(text: str) -> Mentions:
    """The words of ``text`` (a report's findings and conclusion, or a query) by their status."""
    return split_many([text])[0]


def split_many(texts: list[str]) -> list[Mentions]:
    """:func:`split_mentions` for many texts, the qualified sentences in one pipeline batch; each
    part keeps the words in the order of the text."""
    parts: list[list[tuple[str, str]]] = [[] for _ in texts]  # per text: (status, words) in text order
    qualified: list[tuple[int, int]] = []  # (text, position in its parts) of the sentences to qualify
    sentences: list[str] = []
    for n, text in enumerate(texts):
        for sentence in _SENTENCE.findall(text or ""):
            if not sentence.strip():
                continue
            if _CUES.search(_fold(sentence)):
                qualified.append((n, len(parts[n])))
                sentences.append(sentence)
                parts[n].append(("", ""))  # filled below
            else:
                parts[n].append(("affirmed", sentence.strip()))
    if sentences:
        for (n, at), doc in zip(qualified, _pipeline().pipe(sentences)):
            words = {"affirmed": [], "negated": [], "hypothetical": []}
            for token in doc:
                if not (token.is_punct or token.is_space):
                    status = "negated" if token._.negation else "hypothetical" if token._.hypothesis else "affirmed"
                    words[status].append(token.text)
            parts[n][at] = ("qualified", words)
    out = []
    for text_parts in parts:
        joined = {"affirmed": [], "negated": [], "hypothetical": []}
        for status, words in text_parts:
            if status == "affirmed":
                joined["affirmed"].append(words)
            else:
                for key, value in words.items():
                    joined[key].extend(value)
        out.append(Mentions(*(" ".join(joined[key]) for key in ("affirmed", "negated", "hypothetical"))))
    return out
