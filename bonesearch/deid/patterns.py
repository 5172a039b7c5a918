"""Rule-based recognisers for people and identifiers in French radiology reports.

Places, institutions and addresses are in :mod:`bonesearch.deid.places`, ages in
:mod:`bonesearch.deid.ages`. Each recogniser returns :class:`Candidate` spans; :mod:`bonesearch.deid.text` merges them
with the NER spans and the dates, resolves overlaps and writes the replacement tags.
Patterns that need case (names, places) run on the original text; the others run on the
folded text (lower case, no accents, same offsets).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

from spacy.lang.fr.stop_words import STOP_WORDS

from bonesearch.deid.vocab import FIRST_NAMES, NAME_CONNECTORS, fold, is_vocab, word_tokens


class Strength(IntEnum):
    """How a candidate reacts to a medical eponym under it."""

    WEAK = 0  # NER and place guesses: dropped on any eponym ("Fracture de Monteggia")
    CONTEXTUAL = 1  # known names, "Prénom NOM": dropped on an eponym used clinically ("Weber B")
    STRONG = 2  # explicit context ("Dr Weber", "Patient :", "CHU de …"), formats (phones, IDs)


@dataclass(frozen=True)
class Candidate:
    """A span to replace: ``text[start:end]`` becomes ``[category]`` (or a shifted date)."""

    start: int
    end: int
    category: str
    priority: int
    strength: Strength = Strength.STRONG


# ---- building blocks ------------------------------------------------------------------
_SP = r"[ \t\u00a0\u202f]"
_UP = "A-ZÀ-ÖØ-Þ"
# possessive: a hyphenated word ("Saint-Jean-de-Luz") is taken whole, never split back into parts; else,
# in the patterns that join capitalised words with "[ \-]", "A-A-A-…" could be split 2ⁿ ways (200
# characters took 10 s)
_CAP = rf"[{_UP}][^\W\d_]*+(?:['’\-][^\W\d_]+)*+"
_INIT = rf"[{_UP}]\.(?:-?[{_UP}]\.)*"
_CONN = r"(?i:de|du|des|la|le|les|van|von|der|den|di|da|del|della|dos|ben|el|sur|sous|en|l[eè]s|aux)"
# at most 4 initials and 12 more words (trim_name keeps 5): unbounded, "Dr Dr Dr …" made every match
# run to the end of the text, and a text of n such words cost n² steps
NAME = re.compile(rf"(?:{_INIT}{_SP}*){{0,4}}{_CAP}(?:{_SP}{{1,3}}(?:{_CONN}{_SP}+(?:{_CONN}{_SP}+)?|(?:{_CONN}{_SP}+)?[dl]['’])?(?:{_INIT}|{_CAP})){{0,12}}")
_NAME_SCAN = 400  # characters trim_name reads past a name's start (5 words and their particles fit)
_TITLE = r"(?:M\.|MM\.|Mr\.?|Mme\.?|MME\.?|Mmes|Mlle\.?|MLLE\.?|Dr\.?|DR\.?|Drs\.?|Pr\.?|PR\.?|Prs\.?|(?i:monsieur|madame|mademoiselle|docteurs?|professeurs?))"
#: building blocks shared with :mod:`bonesearch.deid.places`
SPACE, UPPER, CAPITALISED = _SP, _UP, _CAP
_FTITLE = r"(?:(?:dr|drs|docteur|pr|professeur|m|mr|mme|mlle|monsieur|madame|mademoiselle)\.?\s+)"


_MONTH_NAMES = frozenset("mai juin avril juillet".split())  # months that are also given names


def trim_name(text: str, start: int, end: int, max_words: int = 5, stop: Callable[[str], bool] = is_vocab) -> int | None:
    """End of the name that starts at ``start``: stop at the first word ``stop`` rejects
    (clinical/header vocabulary by default). ``None`` when no name word is left."""
    last = None
    n_words = 0
    particle = False  # the word before was a capitalised particle inside the name: "Morgane Le Saux"
    for ws, we in word_tokens(text[start:min(end, start + _NAME_SCAN)]):
        word = fold(text[start + ws:start + we])
        initial = we - ws == 1 and text[start + we:start + we + 1] == "." and text[start + ws].isupper()
        if word in NAME_CONNECTORS and not initial:  # "LE GOFF", "van der Berg", "Jean de La Fontaine"
            particle = bool(n_words) and text[start + ws].isupper()
            continue
        if particle and text[start + ws].isupper() and word not in STOP_WORDS and n_words < max_words:
            last, n_words, particle = start + we, n_words + 1, False
            continue
        particle = False
        month_name = (word in _MONTH_NAMES and n_words and text[start + ws].isupper()  # "TRAN Thi Mai", not "Mai 2024"
                      and not re.match(r"[ \t]*\d{4}", text[start + we:start + we + 6]))
        if (stop(word) and not initial and not month_name) or n_words >= max_words:
            break
        last, n_words = start + we, n_words + 1
        if initial:  # "J."
            last += 1
    return last


_LEAD = re.compile(rf"(?:(?:de|du|des|van|von|le|la|di|da|del){_SP}+|d['’])(?=[{_UP}])")
_PHRASE_END = re.compile(rf"{_SP}*(?:[(,;]|\n|$)")
_LOWER_WORD = re.compile(rf"{_SP}*([a-zß-öø-ÿ][a-zß-öø-ÿ'’\-]*)")
_LOWER_INITIALS = re.compile(rf"{_SP}*([a-zß-öø-ÿ]\.(?:-?[a-zß-öø-ÿ]\.)*){_SP}*(?=[a-zß-öø-ÿ]{{2}})")


def _person_after(text: str, pos: int, is_word: Callable[[str], bool], lower: bool,
                  strict_first: bool = False) -> tuple[int, int] | None:
    """The name after a title or a label: "Henri de La Tour d'Auvergne", "de Gaulle", and, in
    lower-case text, "sylvie dumas" (words after the first must not be French words)."""
    lead = _LEAD.match(text, pos)
    span = name_after(text, lead.end() if lead else pos)
    if span:
        return (pos if lead else span[0]), span[1]
    if not lower:
        return None
    start = end = None
    p = pos
    if init := _LOWER_INITIALS.match(text, pos):  # "o. garnier", "j.-p. martin"
        p = init.end()
    for n in range(3):
        m = _LOWER_WORD.match(text, p)
        if not m:
            break
        word = fold(m.group(1))
        if word in NAME_CONNECTORS and n:
            p = m.end()
            continue
        if (n == 1 and word not in STOP_WORDS and not is_vocab(word) and len(word) >= 3
                and _PHRASE_END.match(text, m.end())):  # "dr marc petit (sens)": a surname closing the phrase
            end, p = m.end(1), m.end()
            break
        if is_vocab(word) or ((n or strict_first) and word not in FIRST_NAMES and is_word(m.group(1))):
            break
        start, end, p = (m.start(1) if start is None else start), m.end(1), m.end()
    if start is not None and init:
        start = init.start(1)
    return (start, end) if start is not None else None


def name_after(text: str, pos: int, trim: bool = True, stop: Callable[[str], bool] = is_vocab) -> tuple[int, int] | None:
    """The capitalised name at ``pos`` ("Jean-Paul de La Tour", "Lille"), cut at the first word
    ``stop`` rejects (``trim=False``: uncut, for street names); None when there is none."""
    m = NAME.match(text, pos)
    if not m:
        return None
    if not trim:  # street names may hold any word: "avenue de l'Hôpital"
        return m.start(), m.end()
    end = trim_name(text, m.start(), m.end(), stop=stop)
    return (m.start(), end) if end else None


# ---- names with an explicit context ----------------------------------------------------
_TITLE_RE = re.compile(rf"(?<![\w.]){_TITLE}(?:{_SP}+|(?<=\.)(?=[{_UP}]))")
_CIVIL_TITLES = frozenset("m mm mr mme mlle mmes monsieur madame mademoiselle".split())
_RELATIVES = (r"(?:epoux|epouse|mari|femme|conjointe?|compagnon|compagne|mere|pere|parents?|fils|fille|frere|soeur|"
              r"tante|oncle|grand-mere|grand-pere|tuteur|tutrice|belle-fille|beau-fils|voisine?|aidant|aidante)")
_RELATIVE_BEFORE = re.compile(rf"(?:\b(?:son|sa|le|la|ses|les)\s+{_RELATIVES}\s*[,:]?|(?:^|\n|[|;,.])[ \t]*{_RELATIVES}\s*:|\baccompagnee?s?\s+(?:de|par))\s*$")
# carers and other professionals around the patient: "son aide à domicile, Mme X", "l'infirmière, Mme X",
# "son kiné (M. X)", "Copie au podologue, M. X"
_CARERS = (r"(?:aide[ \-]a[ \-]domicile|aide[ \-]menagere|auxiliaire\s+de\s+vie|aide[ \-]soignante?|infirmiere?s?|ide|"
           r"kine(?:sitherapeute)?s?|masseur[ \-]kinesitherapeute|podologue|osteopathe|pharmacien(?:ne)?|ergotherapeute|"
           r"orthoptiste|orthophoniste|sage[ \-]femme|dentiste|educat(?:eur|rice)|assistante?\s+sociale?|"
           r"medecin(?:\s+traitant)?|chirurgien(?:ne)?|generaliste|rhumatologue|orthopediste|prothesiste|psychologue)")
_CARER_BEFORE = re.compile(rf"(?:\b(?:son|sa|ses|le|la|les|au|aux|du|des|par|l'|l’){_SP}*{_CARERS}|\b{_RELATIVES})"
                           rf"{_SP}*[,:(]?{_SP}*$")
_RELATIVE_AFTER = re.compile(rf"\s*(?:,\s*|\(\s*)(?:(?:son|sa)\s+)?{_RELATIVES}\b")
_TITLE_WORDS = _CIVIL_TITLES | frozenset("dr drs pr prs docteur docteurs professeur professeurs".split())
_PLURAL_TITLES = frozenset("drs prs docteurs professeurs".split())
_AND = re.compile(rf"{_SP}+(?:et|&){_SP}+(?:{_TITLE}{_SP}+)?")
_MED_AFTER = re.compile(rf"m[ée]d\.{_SP}*")
_DOCTOR_AFTER = re.compile(rf"(?:le|la){_SP}+(?:dr|docteur|pr|professeur)\.?{_SP}+")
_LOWER_TITLE_RE = re.compile(rf"(?<![\w.])(?:mr|mme|mlle|dr|monsieur|madame|mademoiselle|docteur|professeur)\.?{_SP}+")
_PATIENT_LABEL = re.compile(
    r"\b(?:patient(?:\(e\)|e)?|pat|enfant|nom(?: de naissance| d'usage| marital| de famille| de jeune fille)?|prenom(?:\(s\)|s)?|"
    rf"identite|assure|beneficiaire|concerne|au\s+nom\s+de)(?:\s*:|[ \t]*(?:\.[ \t]*){{3,}}|(?<=\w)\t+)\s*{_FTITLE}?"
)
_MAIDEN = re.compile(r"\b(?:nee|epouse|ep\.|veuve|vve)\s+")
# "Pt KONÉ Ibrahim", "Enfant Mathis LEROY", "chez l'enfant Maël LE GOFF", "chez Ethan, 5 ans"
_PATIENT_NOUN = re.compile(
    r"\b(?:pt|pte|enfant|nourrisson|nouveau-nee?|bebe|fillette|garcon|adolescente?|chez(?:\s+(?:l'enfant|le\s+patient|la\s+patiente|"
    r"l'adolescente?|le\s+nourrisson|le\s+jeune|la\s+jeune|le\s+petit|la\s+petite))?)(?![\w'])[ \t]*:?[ \t]*"
)
# a name just before an age or a birth date: "Théo GAUTHIER, 13 ans", "LEFORT Capucine, 15 ans"
_NAME_BEFORE_AGE = re.compile(
    rf"((?:{_INIT}{_SP}*)*{_CAP}(?:{_SP}+(?:{_CONN}{_SP}+)?(?:{_INIT}|{_CAP})){{0,4}})"
    rf"{_SP}*(?:[,–\-(]|{_SP}){_SP}*(?:\(?{_SP}*)"
    rf"(?:(?:ado|adolescente?|enfant|jeune|garçon|fillette|bébé|nourrisson|patiente?|sportive?|homme|femme)(?:{_SP}+d[eu])?{_SP}+)?$"
)
_AGE_OR_BIRTH_AHEAD = re.compile(r"\d{1,3}\s?(?:ans?|a|mois|semaines?|jours?)\b|n[ée]e?\s+le\b|n[ée]\(e\)\s+le\b|ddn\b", re.IGNORECASE)
_OTHER_LABEL = re.compile(
    r"\b(?:medecin(?: prescripteur| traitant| demandeur| adresseur| radiologue| referent)?|prescripteur|"
    r"demandeur|radiologue|correspondant|manipulat(?:eur|rice)|operateur|interne|copie a|destinataire|"
    r"signataire|referent)\s*:\s*(?:(?:le|la)\s+)?" + _FTITLE + "?"
    r"|\b(?:interne|senior|assistante?|manipulat(?:eur|rice)|radiologue|externe)\b\s*:?\s*(?=(?:dr\.?\s+)?[a-z]\.\s*[a-z]|dr\b|docteur)"
    r"(?:dr\.?\s+|docteur\s+)?"
    r"|\b(?:adresse|valide|signe|interprete|dicte|redige|realise|relu|vu|examine|envoye|dactylographie|tape|frappe|saisi|"
    r"transcrit|supervise|pratique|effectue|lu)e?s?\s+par\s*:?\s*"
    r"(?:(?:le|la)\s+)?" + _FTITLE + "?"
)


def find_person_names(text: str, folded: str, is_word: Callable[[str], bool] = lambda w: False) -> list[Candidate]:
    """Names after titles (M., Mme, Dr…) and after labels ("Patient :", "validé par").

    ``is_word`` tells common French words, to end lower-case names ("m. dupont signale").
    """
    out: list[Candidate] = []
    for m in _PATIENT_LABEL.finditer(folded):
        if span := _person_after(text, m.end(), is_word, text[m.start()].islower()):
            end = span[1]
            comma = re.match(rf",{_SP}*", text[end:])  # "DUPONT, Jeanne"
            if comma and (more := name_after(text, end + comma.end())):
                end = more[1]
            out.append(Candidate(span[0], end, "PATIENT", 65))
    for m in _PATIENT_NOUN.finditer(folded):
        if (span := name_after(text, m.end())) and text[span[0]].isupper():
            out.append(Candidate(*span, "PATIENT", 63))
    for m in _AGE_OR_BIRTH_AHEAD.finditer(text):
        before = _NAME_BEFORE_AGE.search(text, max(0, m.start() - 60), m.start())
        if before and (span := _name_without_lead_words(text, before.start(1), before.end(1), is_word)):
            out.append(Candidate(*span, "PATIENT", 63))
    for m in _MAIDEN.finditer(folded):
        if (span := name_after(text, m.end())) and text[span[0]].isupper():
            out.append(Candidate(*span, "PATIENT", 64))
    for m in _OTHER_LABEL.finditer(folded):
        if span := _person_after(text, m.end(), is_word, text[m.start()].islower()):
            out.append(Candidate(span[0], _next_line_surname(text, span[1]), "STAFF", 62))
    for rx, lower in ((_TITLE_RE, False), (_LOWER_TITLE_RE, True)):
        for m in rx.finditer(text):
            title = fold(m.group()).strip(" .\t\u00a0")
            start = m.end()
            if title in _CIVIL_TITLES and (doc := _DOCTOR_AFTER.match(folded, start)):  # "Mme le Dr X"
                start, title = doc.end(), "dr"
            elif med := _MED_AFTER.match(folded, start):  # Swiss "Dr méd. Urs BACHMANN"
                start = med.end()
            # "Mme baker (jennifer)": a capitalised title before a lower-case word that is no French word
            if span := _person_after(text, start, is_word, True, strict_first=not lower):
                end = _next_line_surname(text, span[1])
                if title not in _CIVIL_TITLES:
                    out.append(Candidate(span[0], end, "STAFF", 60))
                    if title in _PLURAL_TITLES and (et := _AND.match(text, end)) and (more := name_after(text, et.end())):
                        out.append(Candidate(*more, "STAFF", 60))  # "Docteurs P. FAUCHER et S. DESCHAMPS"
                elif (_RELATIVE_BEFORE.search(folded, max(0, m.start() - 30), m.start()) or _RELATIVE_AFTER.match(folded, end)
                      or _CARER_BEFORE.search(folded, max(0, m.start() - 40), m.start())):
                    out.append(Candidate(span[0], end, "STAFF", 61))  # "sa mère, Mme X": another person
                else:  # a civil title names the patient
                    out.append(Candidate(span[0], end, "PATIENT", 60))
    return out


_NEXT_LINE_SURNAME = re.compile(
    rf"{_SP}*\n{_SP}*((?:(?:DE|DU|LE|LA|VAN|VON|DI|DA|D['’])[ \t]*)?[{_UP}]{{2,}}(?:[\-'’ ][{_UP}]{{2,}})*)(?![^\W\d_])"
)


def _next_line_surname(text: str, end: int) -> int:
    """A name cut by a line break goes on: "(Dr Paul-Henri⏎DE MONTFORT)" ends after MONTFORT."""
    m = _NEXT_LINE_SURNAME.match(text, end)
    words = [fold(w) for w in re.findall(r"[^\W\d_]{2,}", m.group(1))] if m else []
    if m and not text[end - 1].isupper() and not any(is_vocab(w) for w in words if w not in NAME_CONNECTORS):
        return m.end(1)
    return end


def _name_without_lead_words(text: str, start: int, end: int, is_word: Callable[[str], bool]) -> tuple[int, int] | None:
    """The name left in ``text[start:end]`` after dropping leading words that are vocabulary or
    common French words ("Nourrisson Nolan BRUNET" → "Nolan BRUNET"); None if nothing is left."""
    for s, e in word_tokens(text[start:end]):
        word = text[start + s:start + e]
        folded = fold(word)
        if folded in _TITLE_WORDS or (e - s == 1 and text[start + e:start + e + 1] != "."):  # "M.", "(F, 29 ans)"
            continue
        if folded in FIRST_NAMES or not (is_vocab(folded) or folded in NAME_CONNECTORS
                                         or (not word.isupper() and is_word(word.lower()))):
            last = trim_name(text, start + s, end)
            return (start + s, last) if last and last - start - s >= 2 else None
    return None


def find_first_name_pairs(text: str) -> list[Candidate]:
    """"Jeanne DUPONT", "DUPONT Jeanne", "Jean-Paul Martin": a common given name beside a
    capitalised word that is not clinical vocabulary."""
    toks = word_tokens(text)
    out: list[Candidate] = []

    def is_cap(i: int) -> bool:
        s, e = toks[i]
        return text[s].isupper() and not is_vocab(fold(text[s:e]))

    def adjacent(i: int) -> bool:
        return re.fullmatch(r"[ \u00a0\u202f]{1,3}", text[toks[i][1]:toks[i + 1][0]]) is not None  # not across columns

    for i, (s, e) in enumerate(toks):
        word = fold(text[s:e])
        if not text[s].isupper() or (word not in FIRST_NAMES and word.split("-")[0] not in FIRST_NAMES):
            continue
        if i + 1 < len(toks) and adjacent(i) and is_cap(i + 1):
            j = i + 1
            while j + 1 < len(toks) and j - i < 3 and adjacent(j) and is_cap(j + 1) and text[toks[j + 1][0]:toks[j + 1][1]].isupper():
                j += 1
            out.append(Candidate(s, toks[j][1], "STAFF", 45, Strength.CONTEXTUAL))
        elif i > 0 and adjacent(i - 1) and is_cap(i - 1):
            ps, pe = toks[i - 1]
            if text[ps:pe].isupper() and pe - ps >= 2:
                out.append(Candidate(ps, e, "STAFF", 45, Strength.CONTEXTUAL))
    return out


# ---- contacts and identifiers (folded text) ------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+|(?<![\w@.\-])[\w\-]+(?:\.[\w\-]+)*\.(?:fr|com|org|net|be|eu|info|io|ch|lu|sante\.fr)\b(?:/[^\s<>\"']*)?")
_PH = r"[ .\-\u00a0]?"
_TEL = re.compile(
    rf"(?:(?<![\w+])(?:(?:\+|00){_PH}33{_PH}(?:\(0\){_PH})?[1-9]|0[1-9])(?:{_PH}\d{{2}}){{4}}(?!\d)"
    rf"|(?<![\w+])(?:\+|00)\d{{2,3}}{_PH}(?:\(0\){_PH})?\d{{1,4}}(?:{_PH}\d{{2,4}}){{2,4}}(?!\d)"
    rf"|(?<![\w+])0\d{{1,3}}[ ./]\d{{2,3}}(?:[ .]\d{{2}}){{2}}(?!\d))"
    r"(?:,?[ \t]*(?:poste|ext\.?|extension)[ \t.:]*\d{2,5}(?!\d))?"  # an extension is part of the number
)
_TEL_LABEL = re.compile(
    r"\b(?:tel|telephone|fax|telecopie|portable|mobile|gsm|standard|secretariat|poste|tel\.?\s*/\s*fax)\.?\s*[:.]?\s*"
    r"(?P<v>\+?[\d(][\d ().\-/]{5,}\d)"
)
_ID_WHAT = (r"(?:dossier|examen|patient|sejour|accession|demande|venue|ss|secu(?:rite sociale)?|securite sociale|assure|ipp|"
            r"affilie|affiliation|adherent|mutuelle|national|registre(?:\s+national)?|carte(?:\s+(?:vitale|soleil|sis))?|"
            r"assurance(?:\s+maladie)?|archive|avs|inami|rpps|finess|beneficiaire|matricule|identification|client)")
# an identifier after its label: "IPP : 123", "RAMQ : TREM 8551 1512", "n° d'affilié 318-0047712-85"
_ID_LABEL = re.compile(
    r"\b(?:ipp|nip|nda|ndi|ins|ins-c|nir|niss|inss|iep|id|identifiant|accession|acc|ramq|nam|avs|inami|mrn|matricule|"
    r"numero national|registre national|carte soleil|"
    rf"(?:n°|nº|no\.?|num\.?|numero)\s*(?:de\s+|d'|du\s+)?{_ID_WHAT}|(?:dossier|examen|demande|ref(?:erence)?)\s*n°|"
    r"securite sociale|secu|ref(?:erence)?\.?(?=\s*:))\s*(?:n°|no\.?|num\.?|number|numero|nr)?\s*[:#]?\s*"
    r"(?P<v>(?:(?!(?:date|dans|avec|pour|sans)\b)[a-z]{3,5} (?=\d{3}))?[a-z]{0,5}[\-/]?\d(?:[a-z0-9\-/.]| (?=\d))*\d|\d)"
)
_NIR = re.compile(
    r"(?<![\d\w])[12][ .]?\d{2}[ .]?(?:0[1-9]|1[0-2]|[2-9]\d)[ .]?(?:\d{2}|2[ab])[ .]?\d{3}[ .]?\d{3}(?:[ .]?\d{2})?(?!\d)"
)
_NISS = re.compile(r"(?<![\d.])\d{2}\.\d{2}\.\d{2}[-.]\d{3}\.\d{2}(?![\d])")
_CODE = re.compile(r"(?<![\w\-/.])[a-z0-9]+(?:[\-/.][a-z0-9]+)*")
_DECIMAL = re.compile(r"\d{1,5}[.,]\d{1,3}")
def find_contacts_ids(folded: str) -> list[Candidate]:
    """E-mails, URLs, phone numbers, identifiers (IPP, NIR, accession, long digit runs)."""
    out = [Candidate(m.start(), m.end(), "EMAIL", 100) for m in _EMAIL.finditer(folded)]
    for m in _URL.finditer(folded):
        end = m.end()
        while end > m.start() and folded[end - 1] in ".,;:)]!?":
            end -= 1
        out.append(Candidate(m.start(), end, "URL", 95))
    out += [Candidate(m.start("v"), m.end("v"), "ID", 92) for m in _ID_LABEL.finditer(folded)]
    out += [Candidate(m.start("v"), m.end("v"), "PHONE", 91) for m in _TEL_LABEL.finditer(folded)]
    out += [Candidate(m.start(), m.end(), "PHONE", 90) for m in _TEL.finditer(folded)]
    out += [Candidate(m.start(), m.end(), "ID", 88) for rx in (_NIR, _NISS) for m in rx.finditer(folded)]
    for m in _CODE.finditer(folded):  # codes holding 6+ digits: "20240312.0045", "rx-2024-000123"
        code = m.group()
        if sum(ch.isdigit() for ch in code) >= 6 and re.search(r"\d{3}", code) and not _DECIMAL.fullmatch(code):
            out.append(Candidate(m.start(), m.end(), "ID", 80))
    return out


# ---- tables: a header row, then a value row ------------------------------------------------
_CELL_SPLIT = re.compile(r"\t+|[ \u00a0]{2,}|[ \t]*\|[ \t]*")
_HEADER_LABELS = {
    **dict.fromkeys(("nom", "prenom", "prenoms", "prenom(s)", "nom prenom", "nom-prenom", "nom/prenom", "patient",
                     "patiente", "nom de naissance", "nom d'usage", "nom usuel", "nom marital", "identite"), "PATIENT"),
    **dict.fromkeys(("ddn", "date de naissance", "ne le", "nee le", "ne(e) le", "naissance", "date naiss.",
                     "date naiss"), "BIRTHDATE"),
    **dict.fromkeys(("ipp", "nip", "nda", "ins", "nir", "id", "n° dossier", "dossier", "n° ipp", "n° patient",
                     "n° sejour", "sejour", "venue", "n° venue", "matricule", "identifiant"), "ID"),
}
_PRIORITY = {"PATIENT": 66, "BIRTHDATE": 96, "ID": 93}


def _cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    cells, pos = [], start
    for m in _CELL_SPLIT.finditer(text, start, end):
        if m.start() > pos:
            cells.append((pos, m.start()))
        pos = m.end()
    if end > pos:
        cells.append((pos, end))
    return [(s + len(text[s:e]) - len(text[s:e].lstrip()), s + len(text[s:e].rstrip())) for s, e in cells
            if text[s:e].strip()]


def find_table_values(text: str, folded: str) -> list[Candidate]:
    """"NOM   PRENOM   DDN   SEXE   IPP" then "FONTAINE   Rose   05/05/1955   F   009876543": each
    value takes its column's label (two identity columns or more, as many cells on both rows)."""
    out: list[Candidate] = []
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    for i, (ls, le) in enumerate(lines[:-1]):
        cells = _cells(folded, ls, le)
        if len(cells) < 3:
            continue
        labels = [_HEADER_LABELS.get(folded[s:e].rstrip(" :")) for s, e in cells]
        if sum(lab is not None for lab in labels) < 2 or not any(lab == "PATIENT" for lab in labels):
            continue
        values = _cells(text, *lines[i + 1])
        if len(values) != len(cells):
            continue
        for (s, e), lab in zip(values, labels):
            if lab == "PATIENT" and not re.search(r"\d", text[s:e]):
                out.append(Candidate(s, e, lab, _PRIORITY[lab]))
            elif lab in ("BIRTHDATE", "ID") and re.search(r"\d", text[s:e]):
                out.append(Candidate(s, e, lab, _PRIORITY[lab]))
    return out
