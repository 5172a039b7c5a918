"""Ages in French report text: "45 ans", "âgée de 92 ans", "enfant de 18 mois", "(3 ans et 6 mois)".

Every age of the patient is found (the AGE label of the evaluation); what happens to it
is :mod:`bonesearch.deid.render`'s concern (ages above 89 are capped, others kept).
Durations are not ages: "il y a 3 ans", "depuis 2 ans", "5 ans d'évolution". A bone age
("âge osseux estimé à 12 ans") is a finding, not the patient's age. Regexes run on
folded text (lower case, no accents).
"""

from __future__ import annotations

import re

from bonesearch.deid.patterns import Candidate

_AGE_OLD = re.compile(  # ages of 90 and more: PHI in any context
    r"(?<![\d,.])(?:9\d|1[0-4]\d)\s?ans?\b"
    r"|(?<=\bage )(?:9\d|1[0-4]\d)\b(?!\s?(?:mois|kg|cm|mm|%))|(?<=\bagee de )(?:9\d|1[0-4]\d)\b"
    r"|(?<=\bage de )(?:9\d|1[0-4]\d)\b|(?<=\bage : )(?:9\d|1[0-4]\d)\b"
    r"|\b(?:nonagenaire|centenaire|supercentenaire)s?\b"
)
# "45 ans", "3 ans et 6 mois", "3 ans 1/2", "18 mois", "6 semaines", "45a"
_AGE_VALUE = (r"(?:\d{1,3}\s?(?:ans?\b|a\b)(?:\s*(?:et\s+)?(?:\d{1,2}\s?mois\b|1/2|demi\b))?"
              r"|\d{1,2}\s?mois\b(?:\s*(?:et\s+)?\d{1,2}\s?(?:jours?|j)\b)?|\d{1,2}\s?(?:jours?|semaines?|sem)\b)")
_PERSON_NOUN = (r"(?:patient(?:e|s|es)?|enfant|garcon|fille|fillette|nourrisson|bebe|nouveau-ne|homme|femme|"
                r"adolescent(?:e)?|jeune|sujet|monsieur|madame|mademoiselle|garconnet|petit|petite)")
# an age whatever its unit, after an explicit context
_AGE_CONTEXT = re.compile(
    rf"(?:\bage(?:e|s|es)?(?:[ \t\u00a0\u202f]+de|[ \t\u00a0\u202f]*:)?|\b{_PERSON_NOUN}[ \t\u00a0\u202f]+(?:de|d'environ|:)|\b(?:ne|nee)\s+il\s+y\s+a|"
    rf"\bage\s+(?:reel|civil|chronologique)\s*(?:de|:)?)[ \t\u00a0\u202f]*({_AGE_VALUE})"
)
# "N ans" elsewhere is an age unless it reads as a duration ("il y a 3 ans", "depuis 2 ans")
_AGE_YEARS = re.compile(r"(?<![\d,./])(\d{1,3}\s?ans?(?:\s*(?:et\s+)?\d{1,2}\s?mois\b|\s*1/2|\s+et\s+demi\b)?)\b")
_DURATION_BEFORE = re.compile(
    r"(?:\bil\s+y\s+a|\bya|\bdepuis|\bpendant|\bdurant|\bdans|\bapres|\bavant|\ben|\bsur|\ba|\bau\s+bout\s+de|"
    r"\bde\s+plus\s+de|\bplus\s+de|\bmoins\s+de|\btous\s+les|\bdes|\bchaque|\bprevu|\brecul\s+de|\bou|\bet|"
    r"\benviron|\bpres\s+de|\bdepuis\s+environ|\bles|\bces|\bdernieres?|\bpremieres?|\bquelques|\b\d+\s*(?:a|-))"
    rf"[ \t\u00a0\u202f]*$"
)
# "BRUNET, 9 mois", "KONÉ Ibrahim 28 a": an age right after a name at the top of a report
_AGE_AFTER_NAME = re.compile(
    r"(?m)(?<=[a-z])(?:,[ \t]*(\d{1,2}\s?(?:mois|semaines?|jours?)\b(?:\s+(?:et\s+)?\d{1,2}\s?(?:jours?|j)\b)?)"
    r"|(?:,[ \t]*|[ \t]+|[ \t]*\([ \t]*)(\d{1,3}\s?a)(?=[ \t]*(?:$|[,;)–|]|[ \t](?:ddn|nee?|ne\(e\))\b)))"
)
# "Âge osseux selon Greulich et Pyle : 13 ans 6 mois": a bone age is a finding, not the patient's age
_BONE_AGE_BEFORE = re.compile(r"\bage\s+osseux\b[^\n.;]{0,50}$")
_DURATION_AFTER = re.compile(r"\s*(?:plus\s+tot|auparavant|d'evolution|de\s+recul|d'intervalle|apres|post|"
                             r"d'ecart|de\s+suivi|de\s+delai|de\s+retard|d'avance|par\s+an)")


def find_ages(folded: str) -> list[Candidate]:
    """Ages: "45 ans", "âgée de 92 ans", "enfant de 18 mois", "(3 ans et 6 mois)"; not
    durations ("il y a 3 ans", "depuis 2 ans", "5 ans d'évolution")."""
    out = [Candidate(m.start(), m.end(), "AGE", 75) for m in _AGE_OLD.finditer(folded)]
    out += [Candidate(m.start(1), m.end(1), "AGE", 74) for m in _AGE_CONTEXT.finditer(folded)]
    for m in _AGE_AFTER_NAME.finditer(folded):
        g = 1 if m.group(1) else 2
        if not (_DURATION_BEFORE.search(folded, max(0, m.start(g) - 25), m.start(g))
                or (g == 1 and _DURATION_AFTER.match(folded, m.end(g)))):
            out.append(Candidate(m.start(g), m.end(g), "AGE", 73))
    for m in _AGE_YEARS.finditer(folded):
        if (_DURATION_BEFORE.search(folded, max(0, m.start() - 25), m.start()) or _DURATION_AFTER.match(folded, m.end())
                or _BONE_AGE_BEFORE.search(folded, max(0, m.start() - 60), m.start())):
            continue
        out.append(Candidate(m.start(1), m.end(1), "AGE", 73))
    return out
