"""Fictional but realistic French identities for the demo archive (all PHI is made up).

Names avoid ordinary French words (no "Petit", "Blanc", "Pierre", "Claire"...) so that
a leak check can search for them in text without false alarms from report vocabulary.
Hospitals, towns and streets are invented; phone numbers use the formats seen on real
French reports ("04 78 12 34 56", "+33 4 78 12 34 56", "04.78.12.34.56").
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

FAMILY = """Dupont Durand Moreau Lefebvre Leroy Roussel Girard Bonnefoy Lambert Fournier
Mercier Garnier Faure Rousseau Chevallier Gauthier Perrin Morin Masson Dumas Guerin Boyer
Lemaire Renaud Colin Vidal Caron Picard Roger Aubert Barbier Arnaud Brunet Schmitt Lemoine
Marechal Gaillard Duval Charpentier Perrot Carpentier Hubert Jacquet Rolland Bertin Deschamps
Huet Lecomte Benard Maillard Collet Poirier Guillot Lebreton Marty Tessier Besnard Pelletier
Leclercq Hamon Millet Royer Texier Joly Bailly Cordier Vasseur Langlois Grondin Lacroix
Gilbert Hoarau Benoit Kervella Ollivier Delorme Abadie Etcheverry Lagarde Tournier
Raynaud Vannier Brossard Chauvin Gimenez Navarro Ferrand Laborde Castel""".split()
GIVEN_F = """Jeanne Monique Nathalie Isabelle Sylvie Catherine Martine Christine Francoise
Valerie Sandrine Stephanie Veronique Sophie Celine Chantal Patricia Nicole Brigitte Aurelie
Camille Manon Emma Chloe Ines Lucie Juliette Mathilde Elodie Laetitia Genevieve Odile Josiane
Yvette Ginette Simone Huguette Colette Bernadette Paulette Louise Margaux Apolline Clemence
Romane Oceane Solene Gaelle Maelys Lilou""".split()
GIVEN_M = """Jean Michel Philippe Alain Patrick Nicolas Christophe Yves-Marie Christian Daniel
Bernard Eric Frederic Laurent Stephane Olivier Thierry Julien Sebastien Gerard Didier Jean-Yves
Bruno Hugo Lucas Nathan Enzo Mathis Theo Raphael Thibault Yannick Gilles Jacques Rene Roland
Marcel Lucien Maurice Fernand Gaston Arthur Timothee Baptiste Quentin Corentin Matteo Noah
Killian Loic""".split()
ACCENTS = {"Francoise": "Françoise", "Valerie": "Valérie", "Stephanie": "Stéphanie",
           "Veronique": "Véronique", "Celine": "Céline", "Aurelie": "Aurélie", "Chloe": "Chloé",
           "Ines": "Inès", "Elodie": "Élodie", "Genevieve": "Geneviève", "Clemence": "Clémence",
           "Oceane": "Océane", "Solene": "Solène", "Gaelle": "Gaëlle", "Maelys": "Maëlys",
           "Laetitia": "Lætitia", "Eric": "Éric", "Frederic": "Frédéric", "Stephane": "Stéphane",
           "Sebastien": "Sébastien", "Gerard": "Gérard", "Theo": "Théo", "Raphael": "Raphaël",
           "Rene": "René", "Timothee": "Timothée", "Loic": "Loïc", "Mathis": "Mathis",
           "Guerin": "Guérin", "Marechal": "Maréchal", "Benard": "Bénard"}

TOWNS = [  # invented towns: (name, postcode, phone prefix)
    ("Valmont-sur-Loire", "42310", "04 77"), ("Saint-Aubin-des-Vignes", "69820", "04 78"),
    ("Montferrand-le-Haut", "63450", "04 73"), ("Bellerive-en-Vexin", "95640", "01 34"),
    ("Castelnau-d'Orbieu", "11220", "04 68"), ("Kerlouan-Plage", "29890", "02 98"),
    ("Fontenoy-la-Garenne", "54380", "03 83"), ("Sainte-Maxence-du-Var", "83560", "04 94"),
]
STREETS = ["rue des Acacias", "avenue du Maréchal Foch", "boulevard Pasteur", "rue de la République",
           "chemin des Tilleuls", "place de l'Hôtel de Ville", "rue du Docteur Roux",
           "allée des Marronniers", "avenue Jean Jaurès", "rue Claude Bernard"]
HOSPITAL_KINDS = [("Centre Hospitalier de {t}", "ch-{s}.fr"), ("Clinique du Parc de {t}", "clinique-parc-{s}.fr"),
                  ("Hôpital privé de {t}", "hp-{s}.fr"), ("CHU de {t}", "chu-{s}.fr"),
                  ("Polyclinique de {t}", "polyclinique-{s}.fr"),
                  ("Centre d'imagerie médicale de {t}", "imagerie-{s}.fr")]
MANUFACTURERS = [("AGFA", "DX-D 400"), ("Carestream Health", "DRX-Evolution"), ("FUJIFILM Corporation", "FCR Profect"),
                 ("Philips Medical Systems", "DigitalDiagnost"), ("SIEMENS", "Ysio Max"),
                 ("GE Healthcare", "Definium 6000"), ("Canon Medical Systems", "RADREX-i")]


def _slug(town: str) -> str:
    t = town.lower().replace("'", "-").replace(" ", "-")
    for a, b in (("é", "e"), ("è", "e"), ("ê", "e"), ("ô", "o"), ("î", "i"), ("à", "a")):
        t = t.replace(a, b)
    return t.split("-sur-")[0].split("-en-")[0].split("-du-")[0]


def phone(rng: random.Random, prefix: str) -> str:
    """A French landline in one of the usual written formats."""
    digits = prefix.replace(" ", "") + "".join(str(rng.randint(0, 9)) for _ in range(6))
    pairs = [digits[i:i + 2] for i in range(0, 10, 2)]
    style = rng.randrange(4)
    if style == 0:
        return " ".join(pairs)
    if style == 1:
        return "+33 " + digits[1] + " " + " ".join(pairs[1:])
    if style == 2:
        return ".".join(pairs)
    return digits


@dataclass
class Person:
    """A patient or a physician."""

    family: str  # as written in headers: upper case
    given: str
    sex: str = "F"  # F or M
    birth: dt.date | None = None
    ipp: str = ""  # patient identifier (IPP), 8 digits

    @property
    def dicom_name(self) -> str:
        """PatientName value: FAMILY^Given."""
        return f"{self.family}^{self.given}"

    @property
    def family_title(self) -> str:
        """Family name in title case ("Dupont"), as written inside sentences."""
        return "-".join(part.capitalize() for part in self.family.split("-"))

    @property
    def civ(self) -> str:
        """Civility: Mme or M."""
        return "Mme" if self.sex == "F" else "M."


@dataclass
class Hospital:
    """An imaging site: letterhead details and its staff."""

    name: str
    service: str
    street: str
    postcode: str
    town: str
    phone: str
    email: str
    radiologists: list[Person] = field(default_factory=list)
    referrers: list[Person] = field(default_factory=list)
    manufacturer: tuple[str, str] = ("AGFA", "DX-D 400")

    @property
    def address(self) -> str:
        """One-line postal address."""
        return f"{self.street}, {self.postcode} {self.town}"


class IdentityFactory:
    """Draws unique fictional patients and a small set of hospitals from one seeded RNG."""

    def __init__(self, rng: random.Random) -> None:
        """Create the factory; every draw comes from ``rng``."""
        self.rng = rng
        self._ipps: set[str] = set()
        self._names: set[tuple[str, str]] = set()

    def _given(self, sex: str) -> str:
        g = self.rng.choice(GIVEN_F if sex == "F" else GIVEN_M)
        return ACCENTS.get(g, g)

    def person(self, sex: str | None = None) -> Person:
        """A unique (family, given) pair with the given or a random sex."""
        sex = sex or self.rng.choice("FM")
        for _ in range(1000):
            fam = self.rng.choice(FAMILY)
            if self.rng.random() < 0.08:
                fam = fam + "-" + self.rng.choice(FAMILY)
            fam = ACCENTS.get(fam, fam).upper()
            given = self._given(sex)
            if (fam, given) not in self._names:
                self._names.add((fam, given))
                return Person(fam, given, sex)
        return Person(fam, given, sex)

    def patient(self, sex: str, birth: dt.date) -> Person:
        """A patient with a unique 8-digit IPP."""
        p = self.person(sex)
        p.birth = birth
        while True:
            ipp = f"{self.rng.randint(0, 9)}{self.rng.randint(0, 9)}{self.rng.randint(100000, 999999)}"
            if ipp not in self._ipps:
                self._ipps.add(ipp)
                p.ipp = ipp
                return p

    def hospitals(self, n: int = 4) -> list[Hospital]:
        """``n`` hospitals in distinct invented towns, each with radiologists and referrers."""
        towns = self.rng.sample(TOWNS, n)
        out = []
        for town, cp, prefix in towns:
            kind, dom = self.rng.choice(HOSPITAL_KINDS)
            service = self.rng.choice(["Service d'Imagerie Médicale", "Service de Radiologie",
                                       "Imagerie ostéo-articulaire", "Département de Radiologie"])
            street = f"{self.rng.randint(1, 180)} {self.rng.choice(STREETS)}"
            box = self.rng.choice(["secretariat.radiologie", "imagerie", "radiologie", "rdv.imagerie"])
            h = Hospital(kind.format(t=town), service, street, cp, town, phone(self.rng, prefix),
                         f"{box}@{dom.format(s=_slug(town))}",
                         manufacturer=self.rng.choice(MANUFACTURERS))
            h.radiologists = [self.person() for _ in range(3)]
            h.referrers = [self.person() for _ in range(6)]
            out.append(h)
        return out
