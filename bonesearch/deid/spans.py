"""Choosing among candidate spans: eponym protection, overlaps, merging neighbours.

Every recogniser (rules, known names, NER) proposes :class:`Candidate` spans; :func:`resolve`
decides what is finally replaced:

1. nothing touches an existing tag (``[TEL]``, ``<PATIENT>``…), so de-identifying twice is harmless;
2. a medical eponym protects itself from weak guesses (NER: "Fracture de Monteggia") and,
   when used clinically ("type Weber B", "maladie de Kienböck", "… et de Bouchard"), from
   known or propagated names too;
3. of overlapping candidates the highest priority wins; a lower-priority name keeps the
   parts that stick out (NER "Paul Martin Radiologue" next to rule "Paul Martin" adds nothing);
4. neighbours of one kind merge (first name + surname → one person, street + postcode → one address).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bonesearch.deid.patterns import Candidate, Strength
from bonesearch.deid.vocab import EPONYM_CONTEXT_WORDS, eponym_regex, fold, is_vocab, word_tokens

NAME_LIKE = frozenset({"PATIENT", "STAFF", "CITY", "INSTITUTION"})

TAG = re.compile(r"\[[A-Z]{2,14}\]|<[A-Z]{2,14}>")
_EPONYMS = eponym_regex()
# "fracture de", "stade III de", "classification de type": a capitalised word after it is an eponym
_CONTEXT_NOUN = r"\b(?:" + "|".join(sorted(EPONYM_CONTEXT_WORDS, key=len, reverse=True)) + r")\s+"
# "critères radiographiques de", "angle métaphyso-diaphysaire tibial de": up to two adjectives, then "de"
_ADJECTIVE = (r"(?!(?:des|les|par|sur|dans|pour|avec|chez|une|est|sont|pas|sans|qui|que|aux|entre|ou|et)\b)"
              r"[a-z][a-z'\-]{2,}\s+")
_EPONYM_CONTEXT = re.compile(
    _CONTEXT_NOUN + r"(?:(?:" + _ADJECTIVE + r"){1,2}(?:(?:[ivx]{1,4}|\d{1,2}[a-c]?)\s+)?(?:(?:de|du|des|selon)\s+|d')"
    r"|(?:(?:[ivx]{1,4}|\d{1,2}[a-c]?)\s+)?(?:(?:de\s+type|de\s+la|type|de|du|des|selon)\s+|d')?)"
)
# "Lagrange et Rigault", "Gruen ni de DeLee et Charnley": more names of one eponym
_EPONYM_CHAIN = re.compile(r"[ \t]+(?:et|ni|ou)[ \t]+(?:de[ \t]+|d['’])?(?=[A-ZÀ-ÖØ-Þ])")
_CAP_WORD = re.compile(r"[A-ZÀ-ÖØ-Þ][^\W\d_]*(?:['’\-][^\W\d_]+)*")
_TITLE_WORD = re.compile(r"(?:M|Mme|Mlle|Dr|Pr|Mr|MM|Drs)\b\.?")
# "Garden III", "Weber B", "Meyers et McKeever type II": a grade after the word
GRADE_AFTER = re.compile(r"(?:[ \t]+et[ \t]+[A-Z][\w'\-]+)?[ \t]*(?:type[ \t]+|stade[ \t]+|grade[ \t]+)?"
                         r"(?:[IVX]{1,4}|[A-D]\d?|[0-4])\b")
# "type A de Gärtner", "stade 2 de Tönnis": a capitalised word after "type X de"
_TYPE_OF = re.compile(r"\b(?:type|stade|grade|classe)\s+(?:[a-d]\d?|[ivx]{1,4}|\d{1,2}[a-c]?)\s+(?:de\s+|d')(?P<e>(?:la\s+|le\s+)?[\w'\-]+)")
# "signe du « chien de La Chapelle »": capitalised words in a quoted sign
_QUOTED_SIGN = re.compile(r"\b(?:signe|aspect|image|sign)\s+(?:du|de\s+la|des|de\s+l'|de|en)?\s*[«\"“]\s*(?P<e>[^»\"”\n]{1,50})[»\"”]")
# "distance pointe-apex (Baumgaertner)", "indice (Caton)": a name in brackets after a measurement
_MEASURE_PAREN = re.compile(r"\b(?:distance|indice|index|angle|rapport|ratio|ligne|mesure|score|methode|technique|"
                            r"classification|critere|critères|test|manoeuvre|signe)s?\b[^()\n.;]{0,30}\(\s*(?P<e>[\w'\-]+(?:\s+et\s+[\w'\-]+)?)\s*\)")
# "incidence de face et de De Sèze", "clichés de profil et de Lequesne": a person's incidence after another one
_AND_OF = re.compile(r"\b(?:incidences?|cliches?|vues?|radiographies?|positions?)\s+(?:de\s+|en\s+)?[a-z'\-]+"
                     r"(?:\s+[a-z'\-]+)?\s+(?:et|ou)\s+(?:de\s+|d'|en\s+)")
# "Naviculaire normal (Köhler exclue)": a listed eponym opening a bracket
_OPEN_BRACKET = re.compile(r"\(\s*$")
_OF_BEFORE = re.compile(r"(?:\b(?:de|du|des|selon|type|sec\.)\s+|\bd')$")
_OF = re.compile(r"[ \t]+(?:de|du|des|d')[ \t]*")
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_MERGE_GAP = {"ADDRESS": re.compile(r"[ \t,\-–]*"), "name": re.compile(r"[ \u00a0\-]{0,3}")}  # not across table columns


def eponym_spans(text: str, folded: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(every listed eponym, eponyms used clinically — listed or not) as (start, end) spans."""
    eponyms, clinical = [], []
    for m in _EPONYMS.finditer(folded):
        eponyms.append((m.start(), m.end()))
        before = _EPONYM_CONTEXT.search(folded, max(0, m.start() - 40), m.start() + 1)
        if ((before and before.end() == m.start()) or GRADE_AFTER.match(text, m.end())
                or (text[m.start()].isupper() and _OPEN_BRACKET.search(folded, max(0, m.start() - 4), m.start()))):
            clinical.append((m.start(), m.end()))
    for m in _EPONYM_CONTEXT.finditer(folded):  # "maladie de Xyz": an unlisted eponym
        w = _CAP_WORD.match(text, m.end())
        if w and not _TITLE_WORD.match(text, m.end()):
            end = w.end()
            if (nxt := re.match(r"[ \t]+([A-ZÀ-ÖØ-Þ][^\W\d_]+)", text[end:end + 40])):  # "New York"
                end += nxt.end()
            clinical.append((w.start(), end))
    for m in _AND_OF.finditer(folded):  # "incidence de face et de De Sèze"
        w = _CAP_WORD.match(text, m.end())
        if w and not _TITLE_WORD.match(text, m.end()):
            end = w.end()
            if (nxt := re.match(r"[ \t]+([A-ZÀ-ÖØ-Þ][^\W\d_]+)", text[end:end + 40])):
                end += nxt.end()
            clinical.append((w.start(), end))
    for rx in (_TYPE_OF, _QUOTED_SIGN, _MEASURE_PAREN):  # "type A de Gärtner", "« chien de La Chapelle »"
        for m in rx.finditer(folded):
            s, e = m.start("e"), m.end("e")
            for w in _CAP_WORD.finditer(text, s, e):
                if not _TITLE_WORD.fullmatch(w.group()):
                    clinical.append((w.start(), w.end()))
    more = []
    for s, e in clinical:  # "zones de Gruen ni de DeLee et Charnley"
        while (c := _EPONYM_CHAIN.match(text, e)) and (w := _CAP_WORD.match(text, c.end())):
            if _TITLE_WORD.match(text, c.end()):
                break
            more.append((w.start(), w.end()))
            e = w.end()
    return eponyms, clinical + more


def _mask(n: int, spans: Iterable[tuple[int, int]]) -> bytearray:
    mask = bytearray(n)
    for s, e in spans:
        mask[s:e] = b"\x01" * (e - s)
    return mask


def resolve(text: str, folded: str, cands: list[Candidate]) -> list[Candidate]:
    """The spans to replace, sorted and disjoint (see the module docstring for the rules)."""
    n = len(text)
    tags = _mask(n, ((m.start(), m.end()) for m in TAG.finditer(text)))
    eponyms, clinical = eponym_spans(text, folded)
    any_eponym, clinical_eponym = _mask(n, eponyms + clinical), _mask(n, clinical)
    eponym_starts = {s for s, _ in eponyms} | {s for s, _ in clinical}
    kept = []
    for c in cands:
        if c.end <= c.start or any(tags[c.start:c.end]):
            continue
        if c.strength == Strength.WEAK and (
            any(any_eponym[c.start:c.end]) or GRADE_AFTER.match(text, c.end)
            or ((of := _OF.match(folded, c.end)) and of.end() in eponym_starts)  # "Encoche de Hill-Sachs"
        ):
            continue
        if c.strength == Strength.CONTEXTUAL and (
            any(clinical_eponym[c.start:c.end])
            or (any(any_eponym[c.start:c.end]) and _OF_BEFORE.search(folded, max(0, c.start - 12), c.start))
        ):  # "nodosités de Heberden et de Bouchard" when the patient is Mme Bouchard
            continue
        kept.append(c)
    accepted: list[Candidate] = []
    owner = [-1] * n  # index in ``accepted`` of the span covering each character
    for c in sorted(kept, key=lambda c: (-c.priority, c.start - c.end, c.start)):
        hits = [accepted[i] for i in sorted(set(owner[c.start:c.end]) - {-1})]
        if not hits:
            new = [c]
        elif c.category in NAME_LIKE and all(a.category in NAME_LIKE for a in hits):
            new = [Candidate(s, e, c.category, c.priority, c.strength)
                   for s, e in _remainders(text, c, [(a.start, a.end) for a in hits])]
        else:
            continue
        for span in new:
            owner[span.start:span.end] = [len(accepted)] * (span.end - span.start)
            accepted.append(span)
    return _merge(text, sorted(accepted, key=lambda c: c.start))


def _remainders(text: str, c: Candidate, hits: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Parts of ``c`` outside ``hits`` that still hold a capitalised, non-vocabulary word."""
    out, pos = [], c.start
    for s, e in sorted(hits) + [(c.end, c.end)]:
        if s > pos:
            words = [(pos + a, pos + b) for a, b in word_tokens(text[pos:min(s, c.end)])
                     if text[pos + a].isupper() and not is_vocab(fold(text[pos + a:pos + b]))]
            if words:
                out.append((words[0][0], words[-1][1]))
        pos = max(pos, e)
    return out


def _merge(text: str, spans: list[Candidate]) -> list[Candidate]:
    out: list[Candidate] = []
    for c in spans:
        if out:
            p = out[-1]
            persons = {p.category, c.category} <= {"PATIENT", "STAFF"}
            same = persons or (p.category == c.category and (p.category in NAME_LIKE or p.category == "ADDRESS"))
            gap = _MERGE_GAP["ADDRESS" if c.category == "ADDRESS" else "name"]
            if same and c.start >= p.end and gap.fullmatch(text, p.end, c.start):
                category = "PATIENT" if "PATIENT" in (p.category, c.category) else p.category
                out[-1] = Candidate(p.start, c.end, category, max(p.priority, c.priority), p.strength)
                continue
        out.append(c)
    return out
