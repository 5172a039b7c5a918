"""Realistic surrogates for the names, places and institutions found in report text.

A surrogate is picked deterministically from the :class:`PseudonymKey`: an HMAC of the
patient key and the folded original word indexes a list, so the same patient's
"DUPONT" becomes the same "FABRE" in every report and every run, while another key
(or another patient) gives another surrogate. Within one report, two different real
names never share a surrogate, and a surrogate never re-creates a word of that report
(the next list entry is taken instead). The case style of the original is kept
("DUPONT Jean" → "FABRE Adrien", "dupont" → "fabre").

The lists hold ordinary French names and towns that are neither medical eponyms nor
clinical vocabulary (checked by tests), and none of the demo archive's invented
identities, so a leak check on the demo store cannot mistake a surrogate for a leak.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from bonesearch.deid.key import PseudonymKey
from bonesearch.deid.vocab import FIRST_NAMES, NAME_CONNECTORS, fold

SURNAMES: tuple[str, ...] = tuple("""
    Martin Richard Simon Guillemot Fontaine Robin Morvan Fabre Bertrand Bonnet Garcia Henry Rousset
    Blanchard Bouvier Meunier Dumont Leclerc Lemaitre Marchand Dufour Giraud Riviere Rey Rodriguez
    Lopez Perrier Lebrun Carre Dupuis Renard Aubry Hardy Bouchet Lejeune Prevost Leblanc Pichon
    Gaudin Besson Chabert Tanguy Leger Bouvet Marchal Regnier Pons Carlier Leveque Delmas Salaun
    Kerbrat Rigaud Vallet Baudry Ferrer Pasquier Lacombe Jourdan Guichard Chauvet Humbert Delattre
    Lemercier Bodin Leconte Hebert Charrier Pineau Bousquet Ferreira Toussaint Courtois Barre
    Gillet Lemonnier Laine Bigot Duhamel Roche Jacquemin Tessel Couturier Marin Bailleul Sabatier
""".split())
# the spelling with accents, when it has some
_ACCENTED = {"Riviere": "Rivière", "Carre": "Carré", "Prevost": "Prévost", "Leger": "Léger",
             "Regnier": "Régnier", "Leveque": "Lévêque", "Salaun": "Salaün", "Hebert": "Hébert",
             "Barre": "Barré", "Laine": "Lainé", "Lemaitre": "Lemaître"}

GIVEN_F: tuple[str, ...] = tuple("""
    Agnès Annick Armelle Bénédicte Blandine Cécile Claudine Delphine Édith Éliane Fabienne Gisèle
    Hélène Irène Jacqueline Joëlle Karine Laure Lydie Marianne Maryse Michèle Mireille Muriel Nadine
    Noémie Pascale Perrine Régine Roselyne Sabine Solange Sylviane Thérèse Viviane Yolande Anaïs
    Bérénice Coralie Estelle Ghislaine Henriette
""".split())
GIVEN_M: tuple[str, ...] = tuple("""
    Adrien Alexis Amaury Antoine Armand Aurélien Cédric Damien Édouard Emmanuel Étienne Fabien Félix
    Florian Gaëtan Georges Grégoire Guy Henri Hervé Jérôme Joël Lionel Marc Mathias Maxime Norbert
    Pascal Raymond Régis Rémi Serge Sylvain Tristan Valentin Xavier Yvon Anatole Bastien Clovis
    Gauvain Léon
""".split())
CITIES: tuple[str, ...] = tuple("""
    Vierzon Montluçon Saumur Auxerre Cognac Millau Vannes Lannion Épinal Morlaix Figeac Cahors Rodez
    Aurillac Guéret Nevers Autun Provins Dreux Laval Alençon Lisieux Fécamp Abbeville Péronne Sedan
    Verdun Lunéville Colmar Belfort Pontarlier Oyonnax Annonay Privas Alès Mâcon Chinon Blois
    Vendôme Romorantin Issoudun Châteauroux Montargis Sarlat
""".split())
# institution names after "Clinique", "Hôpital"…: each carries its own connector
NAMED_PLACES: tuple[str, ...] = (
    "des Cèdres", "Saint-Roch", "Sainte-Odile", "des Tilleuls", "du Val Fleuri", "Saint-Exupère",
    "des Peupliers", "du Mont-Ventoux", "Sainte-Clotilde", "des Glycines", "Saint-Gatien", "du Belvédère",
)

# Male given names that end like female ones ("-e"), to guess a name's gender.
_MALE_E = frozenset(fold(w) for w in """pierre philippe christophe stephane jerome maxime antoine guillaume
    georges jacques yves claude dominique rene andre serge gilles herve baptiste theophile jean-pierre
    jean-baptiste mathieu matthieu lucas thomas nicolas jules louis achille aime""".split())
_FEMALE_ENDINGS = ("e", "a", "ie", "ine", "elle", "ette")
_CITY_TYPES = re.compile(r"(?i)^(?:chu|chru|chr|chic|chi|chg|chs|chd|ch|ghu|ght|ghi|gh|hia|centre\s+hospitalier\b.*|"
                         r"groupe(?:ment)?\s+hospitalier\b.*|hospices\s+civils)$")
_TRAILING_CONNECTOR = re.compile(r"(?i)(?:[ \t\u00a0]*[-–])?[ \t\u00a0]+(?:de[ \t\u00a0]+la|du|des|de|la|le|les)[ \t\u00a0]*$|[ \t\u00a0]*[dl]['’]$")
_WORD = re.compile(r"[^\W\d_]\.(?![^\W\d_])|[^\W\d_]+(?:['’\-][^\W\d_]+)*")


def match_case(sample: str, word: str) -> str:
    """``word`` in the case style of ``sample``: UPPER, lower or as written (Title)."""
    letters = [c for c in sample if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return word.upper()
    if letters and all(c.islower() for c in letters):
        return word.lower()
    return word


def is_female_given_name(folded: str) -> bool:
    """Guess whether a (folded) French given name is female, from its ending."""
    first = folded.split("-")[0] if not folded.startswith("marie-") else "marie"
    return first not in _MALE_E and first.endswith(_FEMALE_ENDINGS)


class SurrogateMaker:
    """Picks the surrogates of one report (build one per report).

    ``key`` and ``patient_key`` seed every choice; ``report_words`` (folded words of the
    input text) are never re-created. ``female`` tells the gender to use for given names
    when the text says it ("Mme", "née"); otherwise it is guessed from the name.
    """

    def __init__(self, key: PseudonymKey, patient_key: str, report_words: set[str]):
        self.key = key
        self.patient_key = patient_key
        self.report_words = report_words
        self._given: dict[str, str] = {}  # folded original → surrogate (this report)
        self._used: set[str] = set()

    def _index(self, kind: str, original: str, n: int) -> int:
        msg = f"surrogate\x00{kind}\x00{self.patient_key}\x00{original}".encode("utf-8")
        return int.from_bytes(hmac.new(self.key.salt, msg, hashlib.sha256).digest()[:8], "big") % n

    def _pick(self, kind: str, original: str, choices: tuple[str, ...]) -> str:
        """The surrogate of ``original`` among ``choices``: stable, unused in this report,
        and not a word of the report."""
        memo = f"{kind}\x00{original}"
        if memo in self._given:
            return self._given[memo]
        start = self._index(kind, original, len(choices))
        pick = choices[start]
        for step in range(len(choices)):
            candidate = choices[(start + step) % len(choices)]
            folded = fold(candidate)
            if folded not in self._used and not (set(_WORD.findall(folded)) & self.report_words):
                pick = candidate
                break
        self._given[memo] = pick
        self._used.add(fold(pick))
        return pick

    # ---- people ------------------------------------------------------------------------
    def person(self, text: str, female: bool | None = None) -> str:
        """Surrogate for a person's name as written ("Mme Jeanne DUPONT" without the title,
        "DUPONT, Jeanne", "J. Dupont", "LE GOFF Anne-Marie"): given names stay given names
        (same gender), initials stay initials, each surname run becomes one surname."""
        out: list[str] = []
        pos = 0
        run: list[re.Match[str]] = []  # surname words (and their connectors) waiting to be replaced

        def flush_run() -> None:
            nonlocal pos
            if not run:
                return
            original = fold(" ".join(m.group() for m in run if fold(m.group()) not in NAME_CONNECTORS)) or fold(run[-1].group())
            sample = " ".join(m.group() for m in run if fold(m.group()) not in NAME_CONNECTORS) or run[-1].group()
            out.append(text[pos:run[0].start()])
            out.append(match_case(sample, _ACCENTED.get(s := self._pick("surname", original, SURNAMES), s)))
            pos = run[-1].end()
            run.clear()

        words = list(_WORD.finditer(text))
        # "Odile SAINT-MARTIN", "HADDOU Samia": when case tells them apart, capitals are the family
        # name and Title case the given names, whatever the lists say
        mixed = (any(len(w.group()) > 2 and w.group().isupper() for w in words)
                 and any(w.group()[:1].isupper() and w.group()[1:].islower() and len(w.group()) > 2 for w in words))

        def is_given(word: str, folded: str) -> bool:
            if mixed:
                return word[:1].isupper() and not word.isupper() and folded not in NAME_CONNECTORS
            return folded in FIRST_NAMES or folded.split("-")[0] in FIRST_NAMES

        for m in words:
            word = m.group()
            folded = fold(word)
            if word.endswith(".") and len(word) == 2:  # an initial: "J."
                flush_run()
                out.append(text[pos:m.start()])
                given = self._pick("initial", folded, GIVEN_F + GIVEN_M)
                out.append(fold(given)[0].upper() + ".")
                pos = m.end()
            elif is_given(word, folded):
                flush_run()
                is_f = female if female is not None else is_female_given_name(folded)
                out.append(text[pos:m.start()])
                out.append(match_case(word, self._pick("given", folded, GIVEN_F if is_f else GIVEN_M)))
                pos = m.end()
            elif folded in NAME_CONNECTORS and not run and not text[m.start()].isupper():
                continue  # "Henri de La Tour": "de" joins the next surname run
            else:
                run.append(m)
        flush_run()
        out.append(text[pos:])
        return "".join(out)

    # ---- places ------------------------------------------------------------------------
    def city(self, text: str) -> str:
        """A surrogate town, in the case style of ``text``."""
        return match_case(text, self._pick("city", fold(text), CITIES))

    def institution(self, text: str, kind_prefix: str | None) -> str:
        """A surrogate institution that keeps the kind of the original: ``kind_prefix`` is the
        part naming the kind ("CHU de ", "Clinique du "), or None when unknown."""
        folded = fold(text)
        if kind_prefix is None:
            return match_case(text, f"Centre Hospitalier {_of(self._pick('city', folded, CITIES))}")
        kind = _TRAILING_CONNECTOR.sub("", kind_prefix).strip()
        if fold(kind_prefix.strip()) == folded.strip():  # "AP-HP", "CHUV", "Hôtel-Dieu": a name, no kind to keep
            kind = "Groupe Hospitalier"
        if _CITY_TYPES.match(kind) or fold(kind).startswith(("assistance publique", "ap-h", "aph", "hcl")):
            if not _CITY_TYPES.match(kind):
                kind = "Groupe Hospitalier"
            name = _of(self._pick("city", folded, CITIES))
        else:
            name = self._pick("place", folded, NAMED_PLACES)
        return match_case(text, f"{kind} {name}")


def _of(city: str) -> str:
    """"de Vierzon", "d'Auxerre"."""
    return f"d'{city}" if fold(city)[0] in "aeiouy" else f"de {city}"


def all_surrogate_words() -> set[str]:
    """Every folded word a surrogate can contain (for tests and leak checks)."""
    words: set[str] = set()
    for item in SURNAMES + tuple(_ACCENTED.values()) + GIVEN_F + GIVEN_M + CITIES + NAMED_PLACES:
        words.update(fold(w) for w in _WORD.findall(item))
    return words
