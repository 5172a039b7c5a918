"""Rule-based recognisers for places in French radiology reports: institutions ("CHU de
Lille", "Clinique du Parc", "AP-HP"), towns ("Lille, le 3 mars 2024", "domicilié à Lyon",
"Dr X, Douai") and postal addresses ("12 bis rue des Lilas, 75013 PARIS", "BP 84", "CEDEX").

Patterns that need case run on the original text, the others on the folded text (lower
case, no accents, same offsets); people are in :mod:`bonesearch.deid.patterns`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bonesearch.deid.patterns import CAPITALISED as CAP
from bonesearch.deid.patterns import SPACE as SP
from bonesearch.deid.patterns import UPPER as UP
from bonesearch.deid.patterns import Candidate, Strength, name_after
from bonesearch.deid.vocab import EPONYM_CONTEXT_WORDS, VOCAB_CLINICAL, fold, is_vocab

_HOSPITAL = re.compile(
    r"(?<![\w])(?:CHU|CHRU|CHR|CHIC|CHI|CHG|CHS|CHD|CH|GHU|GHT|GHI|GH|HIA|GMF(?:-[UR])?|CISSS|CIUSSS|CSSS|CLSC|CHSLD|"
    r"(?i:h[oô]pital|h[oô]pitaux|"
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
    rf"[Gg][ée]n[ée]raliste|[Mm][ée]decin(?:{SP}+(?:traitant|g[ée]n[ée]raliste|install[ée]e?|exer[çc]ant))?|[Kk]in[ée]sith[ée]rapeute|[Ii]nstall[ée]e?|[Ee]xer[çc]ant|[Vv]ivant|[Vv]it|[Hh]abite|[Ss]'est{SP}+install[ée]e?){SP}+(?:à|a|au|de|d'|du){SP}*"
    rf"|\b[Ss]ite{SP}+(?:de{SP}+|d['’]))")


_MONTHS_RX = r"(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre)"
_PLACE_AFTER_DATE = re.compile(rf"(?i:\b(?:{_MONTHS_RX}{SP}+|en{SP}+|\d{{1,2}}/)\d{{4}}){SP}*,?{SP}+(?:à|a){SP}+(?=[{UP}])")
_PLACE_AFTER_DOCTOR = re.compile(rf"\b(?:dr|docteur|pr|professeur)\.?{SP}+[a-z'\-]+(?:{SP}+[a-z'\-]+){{0,2}}{SP}*\({SP}*"
                                 rf"(?P<p>[a-z][a-z'\-]+(?:{SP}[a-z'\-]+){{0,2}}){SP}*\)")
_PLACE_AFTER_AGE = re.compile(rf"\b\d{{1,3}}{SP}?ans{SP}*,{SP}*(?P<p>[{UP}][a-zß-öø-ÿ]+(?:[\-'’][{UP}]?[a-zß-öø-ÿ]+)*){SP}*,")
_DESCRIPTOR_ENDINGS = ("ier", "iere", "if", "ive", "eur", "euse", "iste", "ant", "ante", "aire", "ais", "aise", "ien", "ienne")
_NOT_PLACE_IN_BRACKETS = frozenset("remplacant remplacante interne senior chef assistant assistante absent absente cf "
                                   "pediatre radiologue orthopediste rhumatologue chirurgien urgentiste".split())
_LINE_FINAL_PLACE = re.compile(
    rf"(?im)^[^\n]*?\b(?:dr|docteur|pr|professeur|m[ée]decin|prescripteur|chu|chr|ch|gh|ghu|clinique|polyclinique|"
    rf"centre|h[oô]pital|institut|cabinet|groupe|site|service|imagerie|radiologie|selarl|gmf|cisss|ciusss|clsc|ehpad|r[ée]sidence|maison|p[oô]le|hia)\b[^\n]*?{SP}*[,–—\-]{SP}*"
    rf"(?P<place>(?-i:[{UP}][^\W\d_]+(?:[\-'’][^\W\d_]+)*(?:{SP}[{UP}][^\W\d_]+(?:[\-'’][^\W\d_]+)*)?))"
    rf"(?:{SP}*\((?:\d{{2,3}}|(?-i:[{UP}][^\W\d_]+(?:[ \-][^\W\d_]+)*))\))?[ \t\u00a0\u202f.)]*$"
)
# the same in lower-case letterheads: "cabinet de rhumatologie – dr hélène marchal – quimper",
# "(clinique de l'union, saint-jean)"
_LINE_FINAL_PLACE_LOWER = re.compile(
    rf"(?m)^[^\n]*?\b(?:dr|docteur|pr|professeur|medecin|prescripteur|chu|chr|ch|clinique|polyclinique|"
    rf"centre|hopital|institut|cabinet|groupe|site|service|imagerie|radiologie|selarl|gmf|clsc)\b[^\n]*?{SP}*[,–—\-]{SP}*"
    rf"(?P<place>[a-z][a-z'\-]+(?:{SP}[a-z][a-z'\-]+)?)"
    rf"(?:{SP}*\([a-z0-9 \-]+\))?[ \t\u00a0\u202f.)]*$"
)
# "Clinique Saint-Paul – Fort-de-France", "Hôpital Erasme – H.U.B": an acronym beside an institution
_ACRONYM_BESIDE = re.compile(rf"{SP}*(?:[–—\-]|\(){SP}*(?P<acr>[{UP}](?:\.?[{UP}]){{1,5}}\.?)(?={SP}*(?:[–—\-,)]|$))", re.M)
# institutions named after a physician: "Cabinet de radiologie Dr Cohen et associés", "Cabinet du Dr Martin"
_PERSON_INSTITUTION = re.compile(
    rf"(?<![\w])(?:[Cc]abinet|CABINET|[Cc]entre|CENTRE|SELARL|[Ss]elarl|[Gg]roupe|GROUPE)"
    rf"(?:{SP}+(?:de{SP}+|d['’])?(?i:radiologie|imagerie|rhumatologie|orthop[ée]die)(?:{SP}+(?i:m[ée]dicale))?)?"
    rf"{SP}+(?:(?i:du|des){SP}+)?(?:Drs?|DRS?|Docteurs?|Pr)\.?{SP}+"
)
_PERSON_INSTITUTION_TAIL = re.compile(rf"(?:{SP}+(?:et|&){SP}+(?:(?i:associ[ée]s|partenaires|coll[èe]gues|collaborateurs)|{CAP}))?")
_LOWER_HOSPITAL = re.compile(
    rf"(?<![\w])(?:clinique|polyclinique|h[oô]pital|centre{SP}+hospitalier(?:{SP}+universitaire)?|chu|gmf|clsc)"
    rf"{SP}+(?:(?:de{SP}+la|du|des|de|la|le|les){SP}+|[dl]['’])"
    rf"(?P<name>[a-zß-öø-ÿ][a-zß-öø-ÿ'’\-]*(?:{SP}+(?:(?:de|du|des|la|le|les){SP}+|[dl]['’])?[a-zß-öø-ÿ][a-zß-öø-ÿ'’\-]*){{0,2}})"
    rf"(?={SP}*(?:[,)–—;]|{SP}-{SP}|$))", re.M
)
_GENERIC_AFTER_HOSPITAL = frozenset("jour nuit semaine proximite reference garde secteur ville quartier".split())
_COMPASS = frozenset("nord sud est ouest centre".split())
# nouns that "clinique" qualifies as an adjective: "examen clinique", "ténosynovite clinique"
_CLINICAL_NOUNS = EPONYM_CONTEXT_WORDS | frozenset(
    """examen examens bilan renseignement renseignements contexte tableau suspicion diagnostic forme aspect evaluation
    donnees symptomatologie argument arguments instabilite laxite douleur tumefaction presentation""".split())
_HOSPITAL_WORDS = frozenset("""femme femmes mere enfant enfants pere famille cote basque pays main coeur residence site pole allee allees
    parc val mont jardin jardins sante medecine physique readaptation reeducation sport sports universitaire regional
    stade gare port lac pont marche moulin chateau plaine foret bois colline vallee mer montagne riviere source sources
    fontaine tour ile cedres pins chenes tilleuls plateau cap nord sud ouest
    regionale general generale prive privee militaire mutualiste pediatrique orthopedique chirurgie traumatologie
    rhumatologie cancer rein os appareil locomoteur fondation porte portes croix rive rives orient ocean atlantique
    plage vallon coteau""".split())
# "Centre de médecine du sport de Vichy", "Institut de rééducation de Berck": lower-case words, then a name
_HOSPITAL_SPECIALTY = re.compile(
    rf"(?<![\w])(?:[Cc]entre|CENTRE|[Ii]nstitut|INSTITUT|[Mm]aison|[Pp]ôle|[Hh]ôpital)[ \t]+(?:de[ \t]+|d['’]|du[ \t]+)"
    rf"(?:[a-zß-öø-ÿ][a-zß-öø-ÿ'’\-]*[ \t]+){{1,4}}?(?:de[ \t]+la[ \t]+|de[ \t]+|du[ \t]+|des[ \t]+|d['’])(?=[{UP}])"
)
_MALADES = re.compile(r"[ \t]+malades\b", re.I)
# "HÔPITAL NECKER – ENFANTS MALADES", "Hôpital Nord – Femme Mère Enfant": a dash inside the name
_DASH_TAIL = re.compile(rf"{SP}*[–\-]{SP}*((?:[^\W\d_]+(?:{SP}+|(?=[\s,;)(]|$))){{1,3}})")
# "Centre hospitalier de Dax – Côte d'Argent": a region after a dash, part of the name
_REGION_TAIL = re.compile(rf"{SP}*[–\-]{SP}*(?:C[ôo]te|Pays|Val|Mont|Porte|Rives?){SP}*(?:d['’]|de{SP}+|du{SP}+|des{SP}+)?{CAP}(?={SP}*$)", re.M)
# "Service d'Imagerie – Saint-Mandé", "Imagerie – Rx": a department, then a dash: no name follows
_DEPARTMENT_DASH = re.compile(rf"(?:d['’]|de{SP}+)?(?:imagerie|radiologie)(?:{SP}+medicale)?{SP}*[–\-]{SP}*")
# "Hôpital Pierre Zobda-Quitman⏎Fort-de-France": a line holding only a town under a letterhead line
_LINE_ALONE_PLACE = re.compile(
    rf"(?m)^[ \t]*(?P<place>{CAP}(?:(?:[ \-](?:(?:de|du|des|sur|sous|en|la|le|les|lès|lez|aux)[ \-]|[dl]['’])?{CAP})){{0,3}})"
    rf"(?:{SP}+(?:Cedex|CEDEX))?[ \t.]*$")
_LETTERHEAD_WORDS = re.compile(r"\b(?:chu|chru|chr|ch|chi|gh|ghu|hia|clinique|polyclinique|centre|hopital|institut|cabinet|"
                               r"groupe|ehpad|residence|imagerie|radiologie|selarl|fondation|maison|service)\b")
# "suivie auparavant à Paris", "opéré à Lyon en 2019": a town after a care verb
_PLACE_AFTER_CARE = re.compile(
    rf"\b(?:[Ss]uivie?s?|[Oo]p[ée]r[ée]e?s?|[Hh]ospitalis[ée]e?s?|[Ss]oign[ée]e?s?|[Tt]rait[ée]e?s?|[Pp]ris(?:e|es)?{SP}+en{SP}+charge|"
    rf"[Dd]omicili[ée]e?s?|[Nn][ée]e?s?|[Aa]dress[ée]e?s?|[Ii]mmobilis[ée]e?s?|[Pp]l[âa]tr[ée]e?s?)"
    rf"(?:{SP}+(?:auparavant|pr[ée]c[ée]demment|initialement|ant[ée]rieurement|jusqu'ici|jusqu'alors|d[ée]j[àa]|en{SP}+urgence))?"
    rf"{SP}+(?:à|a){SP}+(?=[{UP}][a-zß-öø-ÿ])")
# "Dr Isabelle MOREAU de Montélimar pour…": a doctor's town at the end of a phrase
_PLACE_OF_DOCTOR = re.compile(
    rf"\b(?:Dr|Docteur|Pr|Professeur)\.?{SP}+(?:{CAP}{SP}+){{0,2}}[{UP}]{{2,}}(?:[\-'’][{UP}]{{2,}})*{SP}+(?:de|d['’]){SP}*"
    rf"(?P<p>[{UP}][a-zß-öø-ÿ]+(?:-(?:[a-zß-öø-ÿ]+-)*[{UP}]?[a-zß-öø-ÿ]+)*)"
    rf"(?={SP}*(?:[,.;:)\n]|$)|{SP}+(?:pour|qui|depuis|en|le|du|et|car)\b)")
# "SOS Médecins Nantes", "SAMU de Lyon": an emergency service and its town
_SERVICE_TOWN = re.compile(rf"\b(?:SOS{SP}*M[ée]decins|SAMU|SMUR|SDIS|Maison{SP}+m[ée]dicale{SP}+de{SP}+garde){SP}+(?:de{SP}+|d['’])?"
                           rf"(?P<p>{CAP}(?:-{CAP})*)")
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


def find_institutions_places(text: str, is_word: Callable[[str], bool] = lambda w: False) -> list[Candidate]:
    """Hospitals and clinics with their name ("CHU de Lille", "Clinique du Parc") and the
    places of letter headers ("Lille, le 3 mars 2024", "fait à Lille", "née à Roubaix").

    ``is_word`` tells common French words, to find places in lower-case letterheads."""
    out: list[Candidate] = []
    for rx in (_HOSPITAL, _HOSPITAL_SPECIALTY):
        for m in rx.finditer(text):
            if rx is _HOSPITAL and _adjective_clinique(text, m.start()):  # "ténosynovite clinique de De Quervain"
                continue
            if rx is _HOSPITAL and _DEPARTMENT_DASH.fullmatch(fold(m.group())):  # "Service d'Imagerie – Saint-Mandé"
                continue
            if span := name_after(text, m.end(), stop=_hospital_stop):
                end = span[1]
                if malades := _MALADES.match(text, end):  # "Hôpital Necker-Enfants malades"
                    end = malades.end()
                elif region := _REGION_TAIL.match(text, end):  # "… de Dax – Côte d'Argent"
                    end = region.end()
                elif (tail := _DASH_TAIL.match(text, end)) and all(
                        fold(w) in _HOSPITAL_WORDS or fold(w) == "malades" for w in tail.group(1).split()):
                    end = tail.end(1) - (len(tail.group(1)) - len(tail.group(1).rstrip()))
                if end - span[0] <= 2 and text[span[0]:end].isupper():  # "Service de Radiologie B"
                    continue
                out.append(Candidate(m.start(), end, "INSTITUTION", 59))
    for m in _HOSPITAL_ALONE.finditer(text):
        out.append(Candidate(m.start(), m.end(), "INSTITUTION", 59))
    out += [Candidate(m.start(), m.end(), "INSTITUTION", 58) for m in _HOSPITAL_DEMONYM.finditer(text)]
    for m in _PERSON_INSTITUTION.finditer(text):
        if span := name_after(text, m.end()):
            tail = _PERSON_INSTITUTION_TAIL.match(text, span[1])
            out.append(Candidate(m.start(), tail.end(), "INSTITUTION", 66))
    for m in _LOWER_HOSPITAL.finditer(text):
        words = [fold(w) for w in re.findall(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", m.group("name"))]
        if (not _adjective_clinique(text, m.start()) and words
                and not any(w in VOCAB_CLINICAL or w in _GENERIC_AFTER_HOSPITAL for w in words)):
            out.append(Candidate(m.start(), m.end("name"), "INSTITUTION", 57))
    for m in _SITE.finditer(text):
        if (span := name_after(text, m.end(), stop=_hospital_stop)) and fold(text[span[0]:span[1]]) not in _COMPASS:
            out.append(Candidate(*span, "INSTITUTION", 54))
    for m in _PLACE.finditer(text):
        if span := name_after(text, m.end()):
            out.append(Candidate(*span, "CITY", 59, Strength.WEAK))
    for rx in (_PLACE_AFTER_CARE, _PLACE_OF_DOCTOR, _SERVICE_TOWN):  # "suivie auparavant à Paris", "SOS Médecins Nantes"
        for m in rx.finditer(text):
            span = (m.start("p"), m.end("p")) if "p" in rx.groupindex else name_after(text, m.end())
            if span and not all(is_vocab(fold(w)) or is_word(fold(w)) for w in re.findall(r"[^\W\d_]+", text[span[0]:span[1]])):
                out.append(Candidate(*span, "CITY", 61, Strength.WEAK))
    lines = text.split("\n")
    pos, prev = 0, ""
    for line in lines[:8]:  # "Hôpital Pierre Zobda-Quitman⏎Fort-de-France"
        if (m := _LINE_ALONE_PLACE.fullmatch(line)) and _LETTERHEAD_WORDS.search(fold(prev)):
            words = m.group("place").split()
            if not any(is_vocab(fold(w)) or (is_word(fold(w)) and len(words) == 1) for w in words if len(w) > 3):
                out.append(Candidate(pos + m.start("place"), pos + m.end("place"), "CITY", 52, Strength.WEAK))
        if line.strip():
            prev = line
        pos += len(line) + 1
    for m in _PLACE_AFTER_DATE.finditer(text):  # "en mai 2015 à Sens"
        if span := name_after(text, m.end()):
            out.append(Candidate(*span, "CITY", 60, Strength.WEAK))
    for m in _PLACE_AFTER_DOCTOR.finditer(fold(text)):  # "dr marc petit (sens)"
        if not any(is_vocab(w) or w in _NOT_PLACE_IN_BRACKETS or w.endswith(("ie", "ique", "logue", "iatre"))
                   for w in m.group("p").split()):
            out.append(Candidate(m.start("p"), m.end("p"), "CITY", 60, Strength.WEAK))
    for m in _PLACE_AFTER_AGE.finditer(text):  # "M. Dimitri ROSE, 39 ans, Tours, chute"
        word = fold(m.group("p"))
        if not (is_vocab(word) or word.endswith(_DESCRIPTOR_ENDINGS) or m.group("p").endswith(("é", "ée"))):
            out.append(Candidate(m.start("p"), m.end("p"), "CITY", 60, Strength.WEAK))
    for m in _LINE_FINAL_PLACE.finditer(text):  # "Dr Henri CARPENTIER, Douai", "Institut Calot – Berck-sur-Mer"
        span = name_after(text, m.start("place"))
        place = text[m.start("place"):m.end("place")]
        if (span and span[1] == m.end("place") and (not place.isupper() or len(place) >= 4)
                and not all(is_vocab(fold(w)) or (is_word(fold(w)) and fold(w).endswith(("graphie", "logie", "scopie")))
                            for w in re.findall(r"[^\W\d_]+", place))):  # "– Mammographie"
            out.append(Candidate(*span, "CITY", 52, Strength.WEAK))
    for m in _LINE_FINAL_PLACE_LOWER.finditer(text):  # "… – dr hélène marchal – quimper"
        words = m.group("place").split()  # (the spaCy lemma list holds town names: vocabulary only)
        if all(len(w) >= 3 and not is_vocab(fold(w)) for w in words):
            out.append(Candidate(m.start("place"), m.end("place"), "CITY", 52, Strength.WEAK))
    institutions = [c for c in out if c.category == "INSTITUTION"]
    for c in institutions:  # "Hôpital Erasme – H.U.B", "Centre hospitalier … (CHUV)"
        m = _ACRONYM_BESIDE.match(text, c.end)
        if not m or is_vocab(fold(m.group("acr")).replace(".", "")):
            continue
        line = text[text.rfind("\n", 0, c.start) + 1:(text.find("\n", c.end) + 1 or len(text) + 1) - 1]
        if "." in m.group("acr") or any(ch.islower() for ch in line):  # "LYON" on a capitals line is a town
            out.append(Candidate(m.start("acr"), m.end("acr"), "INSTITUTION", 50))
    return out


def _adjective_clinique(text: str, start: int) -> bool:
    """"clinique" after a clinical noun is an adjective ("examen clinique", "TÉNOSYNOVITE CLINIQUE")."""
    if fold(text[start:start + 8]) != "clinique":
        return False
    before = re.search(r"([^\W\d_]+)[ \t\u00a0]+$", text[max(0, start - 30):start])
    return before is not None and fold(before.group(1)) in _CLINICAL_NOUNS


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
# "41 Grande Rue", "3 Grand-Rue": the street type is the name
_ADDR_TYPE_NAME = re.compile(rf"(?<![\w,.])\d{{1,4}}(?:{SP}?(?:bis|ter))?,?{SP}+(?:grande?|grand['’])[ \-]?rue\b")
_BOX = re.compile(r"\b(?:bp|b\.p\.|cs|tsa)\s?\d{1,6}\b")
# "Montréal (Québec) H2X 3E4", "Greenfield Park QC J4V 2H1": a town before a Canadian postcode
_CA_POSTCODE = re.compile(
    rf"(?<![\w])(?:{CAP}(?:[ \-]{CAP}){{0,3}}),?{SP}*(?:\({CAP}(?:[ \-]{CAP})?\)|QC|Qc|ON|NB){SP}+"
    rf"[A-CEGHJ-NPR-TVXY]\d[A-CEGHJ-NPR-TV-Z]{SP}?\d[A-CEGHJ-NPR-TV-Z]\d(?![\w])"
)
# "Grand-Rue 14, 1095 Lutry", "Kerkstraat 5, B-2000 Antwerpen": street name, number, 4-digit postcode, town
_STREET_FIRST = re.compile(
    rf"(?:(?<=^)|(?<=\n)|(?<=,{SP})|(?<=[–—]{SP}))(?P<street>{CAP}(?:{SP}+(?:(?i:de{SP}+la|du|des|de|la|le|les|aux){SP}+|[dl]['’])?{CAP}){{0,3}})"
    rf"{SP}+\d{{1,4}}(?:{SP}?(?:bis|ter|[a-dA-D]))?{SP}*,{SP}*(?:[BCHL]-{SP}?)?\d{{4}}{SP}+(?={CAP})"
)


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
    out += [Candidate(m.start(), m.end(), "ADDRESS", 70) for m in _ADDR_TYPE_NAME.finditer(folded)]
    for m in _CA_POSTCODE.finditer(text):
        if not is_vocab(fold(_WORD_AT.match(text, m.start()).group())):
            out.append(Candidate(m.start(), m.end(), "ADDRESS", 70))
    for m in _STREET_FIRST.finditer(text):
        if (span := name_after(text, m.end())) and not all(is_vocab(fold(w)) for w in m.group("street").split()):
            out.append(Candidate(m.start(), span[1], "ADDRESS", 69))
    return out
