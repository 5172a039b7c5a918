"""Rule-based recognisers for places in French radiology reports: institutions ("CHU de
Lille", "Clinique du Parc", "AP-HP"), towns ("Lille, le 3 mars 2024", "domicilié à Lyon",
"Dr X, Douai") and postal addresses ("12 bis rue des Lilas, 75013 PARIS", "BP 84", "CEDEX").

Patterns that need case run on the original text, the others on the folded text (lower
case, no accents, same offsets); people are in :mod:`bonesearch.deid.patterns`.
"""

from __future__ import annotations

import re

from bonesearch.deid.patterns import CAPITALISED as CAP
from bonesearch.deid.patterns import SPACE as SP
from bonesearch.deid.patterns import UPPER as UP
from bonesearch.deid.patterns import Candidate, Strength, name_after
from bonesearch.deid.vocab import fold, is_vocab

_HOSPITAL = re.compile(
    r"(?<![\w])(?:CHU|CHRU|CHR|CHIC|CHI|CHG|CHS|CHD|CH|GHU|GHT|GHI|GH|HIA|(?i:h[oô]pital|h[oô]pitaux|"
    r"cliniques?|polyclinique|centre\s+hospitalier(?:\s+(?:universitaire|r[ée]gional|intercommunal|"
    r"g[ée]n[ée]ral|d[ée]partemental|sp[ée]cialis[ée]))*|groupe(?:ment)?\s+hospitalier|hospices\s+civils|"
    r"institut|(?:centre\s+|cabinet\s+|groupe\s+)?(?:d'|de\s+)?(?:imagerie|radiologie)(?:\s+m[ée]dicale)?|"
    r"centre|maison\s+de\s+sant[ée]|fondation|ehpad))"
    rf"(?:{SP}+(?i:universitaires?|r[ée]gionale?s?|priv[ée]e?s?|mutualiste|g[ée]n[ée]rale?|militaire|"
    r"intercommunale?|p[ée]diatrique|d'instruction\s+des\s+arm[ée]es))*"
    rf"(?:{SP}*[-–]{SP}*|{SP}+)(?:(?i:(?:de{SP}+)?[dl]['’])|(?i:de{SP}+la|du|des|de|la|le|les){SP}+)?"
)
_HOSPITAL_ALONE = re.compile(r"(?<![\w-])(?:AP-HP|APHP|AP-HM|APHM|HCL|(?i:assistance\s+publique(?:\s*-\s*h[oô]pitaux\s+de\s+\w+)?)|"
                             r"CHUV|HUG|CHUM|CHUQ|CHUL|(?i:h[oô]tel[\s-]dieu|piti[ée][\s-]salp[êe]tri[èe]re|quinze[\s-]vingts))(?![\w-])")
# "Centre hospitalier universitaire vaudois", "Hospices civils de Lyon" written in lower case
_HOSPITAL_DEMONYM = re.compile(
    r"(?i:centre\s+hospitalier|h[oô]pital|h[oô]pitaux|clinique|institut)(?:\s+(?i:universitaires?|r[ée]gionale?s?|"
    r"cantonale?s?|g[ée]n[ée]rale?s?|intercommunale?s?))*\s+[a-zß-öø-ÿ]+(?:ois|oise|ais|aise|ien|ienne|in|ine)s?\b"
)
_PLACE = re.compile(rf"(?m)(?:(?:^|(?<=[ \t\u00a0]{{3}})){SP}*(?={CAP}(?:[ \-]{CAP}){{0,3}}{SP}*,{SP}*le{SP}+(?:\d|1er))|\b(?:[Ff]ait|[Dd]omicili[ée]e?|[Dd]emeurant|[Hh]abitant|[Rr][ée]sidant|[Nn][ée]e?|[Tt]ransf[ée]r[ée]e?|[Oo]riginaire|"
    rf"[Gg][ée]n[ée]raliste|[Mm][ée]decin|[Kk]in[ée]sith[ée]rapeute|[Ii]nstall[ée]e?|[Ee]xer[çc]ant|[Vv]ivant){SP}+(?:à|a|au|de|d'|du){SP}*"
    rf"|\b[Ss]ite{SP}+(?:de{SP}+|d['’]))")


_LINE_FINAL_PLACE = re.compile(
    rf"(?im)^[^\n]*?\b(?:dr|docteur|pr|professeur|m[ée]decin|prescripteur|chu|chr|ch|gh|ghu|clinique|polyclinique|"
    rf"centre|h[oô]pital|institut|cabinet|groupe|site|service|imagerie|radiologie|selarl)\b[^\n]*?{SP}*[,–\-]{SP}*"
    rf"(?P<place>(?-i:[{UP}][^\W\d_]+(?:[\-'’][^\W\d_]+)*(?:{SP}[{UP}][^\W\d_]+(?:[\-'’][^\W\d_]+)*)?))"
    rf"(?:{SP}*\(\d{{2,3}}\))?[ \t\u00a0\u202f.)]*$"
)
_HOSPITAL_WORDS = frozenset("""femme femmes mere enfant enfants pere famille main coeur residence site pole allee allees
    parc val mont jardin jardins sante medecine physique readaptation reeducation sport sports universitaire regional
    regionale general generale prive privee militaire mutualiste pediatrique orthopedique chirurgie traumatologie
    rhumatologie cancer rein os appareil locomoteur fondation""".split())
# "Centre de médecine du sport de Vichy", "Institut de rééducation de Berck": lower-case words, then a name
_HOSPITAL_SPECIALTY = re.compile(
    rf"(?<![\w])(?:[Cc]entre|CENTRE|[Ii]nstitut|INSTITUT|[Mm]aison|[Pp]ôle|[Hh]ôpital)[ \t]+(?:de[ \t]+|d['’]|du[ \t]+)"
    rf"(?:[a-zß-öø-ÿ][a-zß-öø-ÿ'’\-]*[ \t]+){{1,4}}?(?:de[ \t]+la[ \t]+|de[ \t]+|du[ \t]+|des[ \t]+|d['’])(?=[{UP}])"
)
_MALADES = re.compile(r"[ \t]+malades\b")
_SITE = re.compile(rf"(?<![\w])(?:[Ss]ite|SITE){SP}+(?=[{UP}])")  # "Hôpital Delta – Site Chirec"


def _hospital_stop(word: str) -> bool:
    """Hospital names may hold words like "Mère" or "Enfant"; other vocabulary ends them."""
    return is_vocab(word) and word not in _HOSPITAL_WORDS


def institution_kind(text: str, start: int, end: int) -> str | None:
    """The part of an institution span that names its kind ("CHU de ", "Clinique du ",
    "AP-HP"), or None when the span has none (an NER guess)."""
    if (m := _HOSPITAL.match(text, start)) and m.end() < end:
        return text[start:m.end()]
    if m := _HOSPITAL_ALONE.match(text, start):
        return m.group()
    return None


def find_institutions_places(text: str) -> list[Candidate]:
    """Hospitals and clinics with their name ("CHU de Lille", "Clinique du Parc") and the
    places of letter headers ("Lille, le 3 mars 2024", "fait à Lille", "née à Roubaix")."""
    out: list[Candidate] = []
    for rx in (_HOSPITAL, _HOSPITAL_SPECIALTY):
        for m in rx.finditer(text):
            if span := name_after(text, m.end(), stop=_hospital_stop):
                end = span[1]
                if malades := _MALADES.match(text, end):  # "Hôpital Necker-Enfants malades"
                    end = malades.end()
                out.append(Candidate(m.start(), end, "INSTITUTION", 59))
    for m in _HOSPITAL_ALONE.finditer(text):
        out.append(Candidate(m.start(), m.end(), "INSTITUTION", 59))
    out += [Candidate(m.start(), m.end(), "INSTITUTION", 58) for m in _HOSPITAL_DEMONYM.finditer(text)]
    for m in _SITE.finditer(text):
        if span := name_after(text, m.end(), stop=_hospital_stop):
            out.append(Candidate(*span, "INSTITUTION", 54))
    for m in _PLACE.finditer(text):
        if span := name_after(text, m.end()):
            out.append(Candidate(*span, "CITY", 59, Strength.WEAK))
    for m in _LINE_FINAL_PLACE.finditer(text):  # "Dr Henri CARPENTIER, Douai", "Institut Calot – Berck-sur-Mer"
        span = name_after(text, m.start("place"))
        if span and span[1] == m.end("place") and not text[span[0]:span[1]].isupper():
            out.append(Candidate(*span, "CITY", 52, Strength.WEAK))
    return out


# ---- addresses (folded text) ------------------------------------------------------------
_STREET = (r"(?:rue|avenue|av\.|boulevard|bd|bld|place|pl\.|allees?|chemin|impasse|imp\.|quai|route|rte|cours|"
           r"square|voie|rond-point|faubourg|fbg|passage|parvis|esplanade|cite|residence|lotissement|lieu-dit|"
           r"hameau|sentier|promenade|chaussee|dreve)")
_STREET_BARE = r"(?:rue|avenue|boulevard|bd|allees?|impasse|quai|chemin|faubourg|chaussee|dreve|place|route|square|parvis|esplanade)"
_ADDR_NUM = re.compile(rf"(?<![\w,.])\d{{1,4}}(?:-\d{{1,4}})?(?:{SP}?(?:bis|ter|[a-d])\b)?,?{SP}+{_STREET}{SP}+")
_ADDR_BARE = re.compile(rf"(?<![\w])(?:{_STREET_BARE}){SP}+")
_ADDR_CAP = re.compile(rf"(?<![\w])(?:Place|PLACE|Cours|COURS|Route|ROUTE|Square|SQUARE|Passage|Parvis|Esplanade|"
                       rf"Cité|CITE|Résidence|Residence|RESIDENCE|Rond-Point|Promenade|Sentier|Hameau|Lieu-dit|Voie){SP}+")
_ADDR_CONN = re.compile(rf"(?:(?:de{SP}+la|du|des|de|la|le|les|aux){SP}+)?(?:[dl]['’])?(?:\d{{1,2}}{SP}+)?")
_POSTCODE = re.compile(rf"(?<![\w-])(?:(?:f|b|l|ch)-{SP}?\d{{4,5}}|\d{{5}}){SP}+")
_NUMBER_AFTER = re.compile(rf",?{SP}+\d{{1,4}}(?:{SP}?(?:bis|ter|[A-Da-d]))?\b")
_POSTCODE4 = re.compile(rf"{SP}*[,\-–]?{SP}*\d{{4}}{SP}+")
_CEDEX = re.compile(rf"{SP}+cedex(?:{SP}+\d{{1,2}})?\b")
_WORD_AT = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*|\S")
_BOX = re.compile(r"\b(?:bp|b\.p\.|cs|tsa)\s?\d{1,6}\b")


def find_addresses(text: str, folded: str) -> list[Candidate]:
    """Street addresses ("12 rue des Lilas"), postcodes with their city, postal boxes."""
    out: list[Candidate] = []
    for rx, source in ((_ADDR_NUM, folded), (_ADDR_BARE, folded), (_ADDR_CAP, text)):
        for m in rx.finditer(source):
            c = _ADDR_CONN.match(folded, m.end())
            if span := name_after(text, c.end(), trim=False):
                if rx is not _ADDR_NUM and c.end() == m.end() and is_vocab(fold(_WORD_AT.match(text, span[0]).group())):
                    continue  # "prothèse en place Pas de fracture" (dictation without a full stop)
                number = _NUMBER_AFTER.match(text, span[1]) if rx is not _ADDR_NUM else None  # "Avenue Hippocrate 10"
                bare = rx is _ADDR_CAP and not number
                out.append(Candidate(m.start(), number.end() if number else span[1], "ADDRESS", 58 if bare else 70))
    for c in list(out):  # a Belgian/Swiss 4-digit postcode after a street: "Rue Haute 322, 1000 Bruxelles"
        if (m := _POSTCODE4.match(folded, c.end)) and (span := name_after(text, m.end())):
            out.append(Candidate(c.start, span[1], "ADDRESS", 70))
    for m in _POSTCODE.finditer(folded):
        if span := name_after(text, m.end()):
            end = span[1]
            if cx := _CEDEX.match(folded, end):
                end = cx.end()
            out.append(Candidate(m.start(), end, "ADDRESS", 70))
    out += [Candidate(m.start(), m.end(), "ADDRESS", 70) for m in _BOX.finditer(folded)]
    return out
