"""Synthetic Belgian (FR and FR/NL) bone X-ray reports with exact PHI spans.

Training data for the de-identification token classifier.  Every report is
built piece by piece with a small builder that records character offsets, so
the spans are exact by construction (including after the optional OCR noise,
which is applied to each piece *before* it is recorded).

    generate(rng, n) -> [{"text": str, "spans": [{"start", "end", "label"}]}]

Conventions (see LABELS):
  * titles (Mme, M., Dr, Prof.) and field names are never inside spans;
  * a street address followed by its postcode and town (same or next line)
    is ONE ADDRESS span; a town on its own is CITY;
  * the patient's birth date is BIRTHDATE, every other calendar date is DATE;
    relative times ("il y a 3 semaines", "J+10") are not PHI;
  * AGE covers the number and unit only ("63 ans", "63a", "6 mois") or the
    bare number after "âge :" / between brackets;
  * the estimated bone age ("âge osseux ... 11 ans") is a measurement, not PHI;
  * medical eponyms (Pouteau-Colles, Weber B, Garden III, ...) are never PHI,
    even when the patient is called Mme Colles or M. Weber.
"""

import datetime as _dt
import random
import unicodedata as _ud

__all__ = ["LABELS", "generate"]

LABELS = ("PATIENT", "STAFF", "DATE", "BIRTHDATE", "AGE", "ID", "PHONE",
          "EMAIL", "URL", "ADDRESS", "CITY", "INSTITUTION")

# ---------------------------------------------------------------------------
# builder
# ---------------------------------------------------------------------------

_OCR_SUB = {
    "é": "e", "è": "e", "ê": "e", "à": "a", "ô": "o", "ç": "c", "û": "u",
    "l": "1", "I": "l", "O": "0", "o": "0", "i": "l", "e": "c", "a": "o",
    "S": "5", "B": "8", "1": "l", "0": "O", "n": "u", "u": "n", "t": "f",
    ":": ";", ".": ",", "h": "b", "c": "e",
}


def _ocr(s, rng, rate, inner_only):
    """Light OCR noise; never touches the first/last char or newlines."""
    n = len(s)
    if n < 4:
        return s
    out = [s[0]]
    for i in range(1, n - 1):
        ch = s[i]
        if ch == "\n" or rng.random() > rate:
            out.append(ch)
            continue
        r = rng.random()
        if ch == " ":
            if inner_only:
                out.append(ch)
            elif r < 0.6:
                out.append("  ")
            elif r < 0.8 and s[i - 1] != " " and s[i + 1] not in " \n":
                pass  # dropped space
            else:
                out.append(ch)
        elif ch == "m" and r < 0.4:
            out.append("rn")
        elif ch in _OCR_SUB and r < 0.85:
            out.append(_OCR_SUB[ch])
        elif not inner_only and r < 0.9:
            out.append(ch)
            out.append(rng.choice(("'", ".", "`", ",")))
        else:
            out.append(ch)
    out.append(s[-1])
    return "".join(out)


class _B:
    """Text builder that records exact span offsets."""

    __slots__ = ("parts", "spans", "pos", "rng", "noise", "lower", "upper")

    def __init__(self, rng, noise=0.0):
        self.parts = []
        self.spans = []
        self.pos = 0
        self.rng = rng
        self.noise = noise
        self.lower = False
        self.upper = False

    def add(self, text, label=None):
        if not text:
            return self
        if self.lower:
            text = text.lower()
        elif self.upper:
            text = text.upper()
        if self.noise:
            text = _ocr(text, self.rng,
                        self.noise * (0.35 if label else 1.0), label is not None)
        if label is not None:
            self.spans.append({"start": self.pos, "end": self.pos + len(text),
                               "label": label})
        self.parts.append(text)
        self.pos += len(text)
        return self

    def nl(self, k=1):
        self.parts.append("\n" * k)
        self.pos += k
        return self

    def result(self):
        return {"text": "".join(self.parts), "spans": self.spans}


# ---------------------------------------------------------------------------
# pools
# ---------------------------------------------------------------------------

_FAM = {
    "fr": ("Dupont Lambert Dubois Martin Leroy Renard Simon Laurent Lejeune "
           "Collard Jacquet Gilson Michaux Remy Hubert Delvaux Dethier Lemaire "
           "Mathieu Gérard Henrard Piette Lecomte Noël Dumont Thiry Gillet "
           "Legrand François Bodart Defossez Wilmotte Masson Lhoest Delhaye "
           "Hennuy Warnier Bertrand Pirard Closset Dury Herman Baudoux Paquet "
           "Lenoir Leblanc Fontaine Marchal Delcourt Dessart").split(),
    "nl": ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems",
           "Claes", "Goossens", "Wouters", "De Smet", "Van den Broeck",
           "D'Hondt", "Vandenbroucke", "Verhaegen", "Vermeulen", "De Backer",
           "Van Damme", "Verstraeten", "Desmet", "Van Acker", "De Clercq",
           "Claeys", "Vanderheyden", "Van de Velde", "De Vos", "Van Hoof",
           "Verbeke", "Vanhoutte", "De Wilde", "Van Langenhove", "Coppens",
           "Baert", "Van der Linden", "Vandamme", "Van Mol", "Dewulf",
           "Segers", "Lauwers", "Van Cauwenberghe", "T'Kint"],
    "ma": ["El Amrani", "Benali", "Aït Benali", "El Idrissi", "Bouzid",
           "Azzouzi", "Ouali", "Cherkaoui", "El Khattabi", "Tahiri", "Mansouri",
           "Ben Ahmed", "Bakkali", "El Ouardi", "Boukhari", "Haddou",
           "Ait Ouaziz", "Lamrani", "Zerrouki", "El Hajji"],
    "tr": ["Yilmaz", "Demir", "Kaya", "Öztürk", "Çelik", "Aydin", "Arslan",
           "Dogan", "Şahin", "Kiliç", "Yildiz", "Koç", "Erdogan", "Polat"],
    "cd": ["Mukendi", "Kabongo", "Tshibangu", "Ilunga", "Mbuyi", "Kalonji",
           "Lukusa", "Nkulu", "Mutombo", "Kasongo", "Tshimanga", "Mulumba",
           "Kanku", "Ngalula", "Lokwa", "Matondo", "Nsimba", "Makiese"],
    "pl": ["Kowalski", "Nowak", "Wiśniewska", "Wójcik", "Kamińska",
           "Lewandowski", "Zieliński", "Szymańska", "Dąbrowski", "Kaczmarek"],
    "it": ["Rossi", "Di Stefano", "Russo", "Lombardi", "Esposito", "Greco",
           "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Costa",
           "Giordano", "D'Angelo", "Lo Bue", "Di Marco", "Cacciatore",
           "La Rocca"],
    "ro": ["Popescu", "Ionescu", "Popa", "Constantin", "Dumitru", "Stan",
           "Stoica", "Munteanu", "Moldovan", "Rusu"],
    "wa": ["Diallo", "Traoré", "Ndiaye", "Camara", "Sow", "Keita", "Ba",
           "Coulibaly"],
    "xx": ["O'Neill", "Nguyen", "Sanchez", "Garcia", "Fernandez",
           "Papadopoulos", "Da Silva", "Rodrigues", "Ferreira", "Murphy"],
}

_GIV = {
    "fr": ("Jean Pierre Luc Philippe Michel André Marcel Georges Léon Louis "
           "Noah Hugo Arthur Jules Thomas Maxime Jean-Pierre Jean-Luc Christian "
           "Didier Olivier Benoît Guy Raymond Albert Nathan Achille".split(),
           "Marie Anne Sophie Nathalie Isabelle Jacqueline Monique Chantal "
           "Christiane Lucie Emma Lina Chloé Manon Camille Julie Céline Valérie "
           "Véronique Martine Françoise Dominique Marie-Claire Anne-Sophie "
           "Ginette Josiane Louise Léa".split()),
    "nl": ("Jan Pieter Koen Bart Wim Stijn Jens Wout Dirk Marc Kris Bram Tom "
           "Jef Rik Jozef Frans Lucas Arne".split(),
           "Els Griet An Lieve Hilde Joke Lotte Sien Ilse Veerle Annelies Lies "
           "Femke Mieke Godelieve Marleen Nele Fien".split()),
    "ma": ("Mohamed Youssef Ahmed Rachid Karim Amine Hamza Soufiane Zakaria "
           "Ilyas Bilal Mehdi Abdelkader Said".split(),
           "Fatima Khadija Nadia Samira Yasmina Imane Meryem Hanae Nour Salma "
           "Houda Latifa".split()),
    "tr": ("Mehmet Emre Burak Mustafa Hakan Ahmet Murat Yusuf".split(),
           "Ayşe Elif Zeynep Fatma Özlem Emine Hatice".split()),
    "cd": ("Dieudonné Espoir Bienvenu Jonathan Exaucé Patrick Jean-Marie "
           "Héritier".split(),
           "Grâce Merveille Bénédicte Patience Christelle Nadège Divine "
           "Rachel".split()),
    "pl": ("Piotr Krzysztof Tomasz Łukasz Paweł".split(),
           "Agnieszka Katarzyna Małgorzata Magdalena Ewa".split()),
    "it": ("Giuseppe Giovanni Antonio Salvatore Luca Vincenzo Angelo".split(),
           "Francesca Rosa Giulia Carmela Maria Concetta".split()),
    "ro": ("Ionuț Mihai Gheorghe Vasile Florin Andrei".split(),
           "Andreea Elena Ioana Mihaela Raluca".split()),
    "wa": ("Mamadou Ousmane Moussa Ibrahima".split(),
           "Fatou Aminata Mariama Awa".split()),
    "xx": ("Seán Tiago Minh Carlos Nikos".split(),
           "Siobhan Ana Linh Carmen Eleni".split()),
}

_ORIGINS = ("fr", "nl", "ma", "tr", "cd", "pl", "it", "ro", "wa", "xx")
_ORIGIN_W = (30, 20, 12, 6, 7, 4, 7, 4, 4, 3)

# surnames that are also eponyms / everyday words (only the name is PHI)
_EPO_SURNAMES = ["Colles", "Smith", "Weber", "Garden", "Neer", "Hoffa",
                 "Segond", "Bennett", "Jones", "Maisonneuve", "Lisfranc",
                 "Petit", "Blanc", "Fort", "Lebon", "Moulin"]

# (postcode, names (FR first, NL alternative), phone zone)
_TOWNS = [
    (1000, ("Bruxelles", "Brussel"), "2"), (1020, ("Laeken", "Laken"), "2"),
    (1030, ("Schaerbeek", "Schaarbeek"), "2"), (1040, ("Etterbeek",), "2"),
    (1050, ("Ixelles", "Elsene"), "2"), (1060, ("Saint-Gilles", "Sint-Gillis"), "2"),
    (1070, ("Anderlecht",), "2"),
    (1080, ("Molenbeek-Saint-Jean", "Sint-Jans-Molenbeek"), "2"),
    (1081, ("Koekelberg",), "2"), (1082, ("Berchem-Sainte-Agathe", "Sint-Agatha-Berchem"), "2"),
    (1083, ("Ganshoren",), "2"), (1090, ("Jette",), "2"), (1140, ("Evere",), "2"),
    (1150, ("Woluwe-Saint-Pierre", "Sint-Pieters-Woluwe"), "2"),
    (1160, ("Auderghem", "Oudergem"), "2"), (1170, ("Watermael-Boitsfort", "Watermaal-Bosvoorde"), "2"),
    (1180, ("Uccle", "Ukkel"), "2"), (1190, ("Forest", "Vorst"), "2"),
    (1200, ("Woluwe-Saint-Lambert", "Sint-Lambrechts-Woluwe"), "2"),
    (1210, ("Saint-Josse-ten-Noode", "Sint-Joost-ten-Node"), "2"),
    (1300, ("Wavre", "Waver"), "10"), (1340, ("Ottignies",), "10"),
    (1348, ("Louvain-la-Neuve",), "10"), (1370, ("Jodoigne", "Geldenaken"), "10"),
    (1400, ("Nivelles", "Nijvel"), "67"), (1410, ("Waterloo",), "2"),
    (1420, ("Braine-l'Alleud", "Eigenbrakel"), "2"), (1480, ("Tubize", "Tubeke"), "2"),
    (1500, ("Hal", "Halle"), "2"), (1620, ("Drogenbos",), "2"),
    (1630, ("Linkebeek",), "2"), (1640, ("Rhode-Saint-Genèse", "Sint-Genesius-Rode"), "2"),
    (1700, ("Dilbeek",), "2"), (1780, ("Wemmel",), "2"),
    (1800, ("Vilvorde", "Vilvoorde"), "2"), (1930, ("Zaventem",), "2"),
    (1950, ("Kraainem",), "2"), (1970, ("Wezembeek-Oppem",), "2"),
    (2000, ("Anvers", "Antwerpen"), "3"), (2800, ("Malines", "Mechelen"), "15"),
    (3000, ("Louvain", "Leuven"), "16"), (3500, ("Hasselt",), "11"),
    (4000, ("Liège", "Luik"), "4"), (4040, ("Herstal",), "4"),
    (4100, ("Seraing",), "4"), (4500, ("Huy", "Hoei"), "85"),
    (4700, ("Eupen",), "87"), (4800, ("Verviers",), "87"), (4900, ("Spa",), "87"),
    (4960, ("Malmedy",), "80"), (5000, ("Namur", "Namen"), "81"),
    (5030, ("Gembloux",), "81"), (5060, ("Sambreville",), "71"),
    (5300, ("Andenne",), "85"), (5500, ("Dinant",), "82"), (5580, ("Rochefort",), "84"),
    (5590, ("Ciney",), "83"), (5600, ("Philippeville",), "71"), (5660, ("Couvin",), "60"),
    (6000, ("Charleroi",), "71"), (6140, ("Fontaine-l'Évêque",), "71"),
    (6200, ("Châtelet",), "71"), (6220, ("Fleurus",), "71"), (6460, ("Chimay",), "60"),
    (6600, ("Bastogne",), "61"), (6700, ("Arlon", "Aarlen"), "63"),
    (6760, ("Virton",), "63"), (6800, ("Libramont-Chevigny",), "61"),
    (6830, ("Bouillon",), "61"), (6900, ("Marche-en-Famenne",), "84"),
    (6940, ("Durbuy",), "86"), (6990, ("Hotton",), "84"),
    (7000, ("Mons", "Bergen"), "65"), (7060, ("Soignies", "Zinnik"), "67"),
    (7090, ("Braine-le-Comte", "'s-Gravenbrakel"), "67"),
    (7100, ("La Louvière",), "64"), (7130, ("Binche",), "64"),
    (7500, ("Tournai", "Doornik"), "69"), (7700, ("Mouscron", "Moeskroen"), "56"),
    (7780, ("Comines-Warneton", "Komen-Waasten"), "56"), (7800, ("Ath", "Aat"), "68"),
    (7850, ("Enghien", "Edingen"), "2"), (8000, ("Bruges", "Brugge"), "50"),
    (8500, ("Courtrai", "Kortrijk"), "56"), (9000, ("Gand", "Gent"), "9"),
    (9300, ("Alost", "Aalst"), "53"),
]

_FOREIGN = ["Kinshasa", "Lubumbashi", "Casablanca", "Tanger", "Nador",
            "Istanbul", "Ankara", "Cracovie", "Varsovie", "Palerme", "Naples",
            "Bucarest", "Cluj-Napoca", "Dakar", "Conakry", "Lille", "Roubaix",
            "Maastricht", "Luxembourg"]

_STREETS = [
    "Rue de la Station", "Rue de l'Église", "Chaussée de Mons",
    "Chaussée de Louvain", "Chaussée de Waterloo", "Avenue Louise", "Rue Haute",
    "Rue du Moulin", "Rue des Écoles", "Place communale", "Rue de la Rosée",
    "Avenue Hippocrate", "Rue Saint-Lambert", "Boulevard de l'Europe",
    "Rue des Tilleuls", "Rue du Centre", "Rue Grande", "Rue de Namur",
    "Avenue des Acacias", "Rue Émile Vandervelde", "Rue Jules Destrée",
    "Rue de Fer", "Quai de Rome", "Rue Reine Astrid", "Avenue du Roi Albert",
    "Rue des Champs", "Clos des Lilas", "Drève de Linkebeek", "Sentier du Bois",
    "Rue Albert Ier", "Rue Ernest Solvay", "Boulevard Tirou",
    "Rue Lambert Lombard", "Chemin du Calvaire", "Rue du Fort",
    "Allée des Peupliers", "Rue de Bruxelles", "Rue Pierre Paulus",
    "Chaussée de Gand", "Rue de la Loi", "Avenue de la Couronne",
    "Rue Sainte-Walburge", "Rue de Marchienne", "Place du Marché",
    "Kerkstraat", "Stationsstraat", "Dorpsstraat", "Molenstraat",
    "Nieuwstraat", "Schoolstraat", "Kapelstraat", "Brusselsesteenweg",
    "Ninoofsesteenweg", "Leuvensesteenweg", "Gemeenteplein", "Heirbaan",
    "Lindenlaan", "Beukenlaan", "Boulevard du Souverain", "Rue Vanderkindere",
]

_SAINTS = ["Saint-Pierre", "Sainte-Anne", "Saint-Joseph", "Notre-Dame",
           "Sainte-Élisabeth", "Saint-Rémi", "Saint-Michel", "Sainte-Thérèse",
           "Saint-Nicolas", "Saint-Vincent", "Sainte-Claire", "Saint-Jean",
           "Saint-Luc", "Sainte-Marie", "Saint-Hubert", "Saint-Benoît",
           "Sainte-Gertrude", "Saint-Roch"]
_SINTS = ["Sint-Jan", "Sint-Maarten", "Sint-Lucas", "Heilig Hart",
          "Sint-Elisabeth", "Sint-Vincentius", "Sint-Blasius", "Maria Middelares",
          "Sint-Dimpna", "Sint-Rembert"]
_REGIONS = ["Haute-Senne", "Famenne", "Ardenne", "Sambre et Meuse",
            "Basse-Meuse", "Val de Sambre", "Hesbaye", "Condroz", "Pays Vert",
            "Borinage", "Haute-Meuse", "Pays de Herve", "Entre-Sambre",
            "Fagne", "Brabant Ouest", "Senne et Dendre"]
_NETWORKS = ["HELORA", "Vivalia", "CHIREC", "Epicura", "Humani", "Chwapi",
             "H.U.B", "Santé Sambre", "MedOuest", "NovaSanté", "Meuse Santé",
             "Hainaut Santé", "Réseau Hospitalier Ardennais", "Réseau Mosan",
             "CHC", "Iris Sud"]
_REAL_INST = ["Cliniques universitaires Saint-Luc", "Grand Hôpital de Charleroi",
              "CHC MontLégia", "CHU de Liège", "CHU UCL Namur", "Hôpital Erasme",
              "CHU Brugmann", "Clinique Saint-Jean", "AZ Groeninge", "UZ Leuven",
              "CHR de la Citadelle", "Hôpital de Jolimont", "CHU Tivoli",
              "Clinique Saint-Pierre Ottignies", "CHR Sambre et Meuse",
              "Hôpital Ambroise Paré", "CHU Saint-Pierre", "AZ Delta"]
_HOME_PREF = ["MRS", "MR", "Résidence", "Home", "Maison de repos", "Seniorie",
              "Résidence-services", "WZC", "MR/MRS"]
_HOME_NAME = ["Les Tilleuls", "Le Grand Chêne", "Saint-Joseph", "du Parc",
              "de la Forêt", "Les Glycines", "Ter Linde", "Le Bois Fleuri",
              "Les Charmilles", "Le Clos des Roses", "Sainte-Thérèse",
              "Les Jardins de la Meuse", "Le Val Fleuri", "Les Aubépines",
              "Notre-Dame de Banneux", "La Roseraie", "Ter Beuken", "Le Chenoy"]
_MM_NAME = ["des Marolles", "Le Gué", "du Nord", "La Passerelle",
            "Espace Santé", "Le Maelbeek", "des Riches-Claires",
            "Santé Plurielle", "La Clé", "du Vieux Moulin", "Les Arsouilles",
            "de la Senne", "Bautista van Schowen", "Le Noyer"]

_MOIS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet",
         "août", "septembre", "octobre", "novembre", "décembre"]
_MAAND = ["januari", "februari", "maart", "april", "mei", "juni", "juli",
          "augustus", "september", "oktober", "november", "december"]
_JOURS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
          "dimanche"]


def _strip_acc(s):
    return "".join(ch for ch in _ud.normalize("NFKD", s)
                   if not _ud.combining(ch))


def _slug(s, sep=""):
    s = _strip_acc(s).lower()
    out = []
    for ch in s:
        if ch.isalnum():
            out.append(ch)
        elif ch in " -'./" and sep:
            out.append(sep)
    r = "".join(out)
    while sep and sep + sep in r:
        r = r.replace(sep + sep, sep)
    return r.strip(sep)


def _digits(rng, k):
    return "".join(rng.choice("0123456789") for _ in range(k))


# ---------------------------------------------------------------------------
# persons
# ---------------------------------------------------------------------------

def _person(rng, sex=None, origin=None, last=None):
    if sex is None:
        sex = "F" if rng.random() < 0.5 else "M"
    if origin is None:
        origin = rng.choices(_ORIGINS, _ORIGIN_W)[0]
    g = _GIV[origin][0 if sex == "M" else 1]
    if rng.random() < 0.12:  # mixed origin
        g = _GIV[rng.choice(_ORIGINS)][0 if sex == "M" else 1]
    first = rng.choice(g)
    if last is None:
        r = rng.random()
        if r < 0.05:
            last = rng.choice(_EPO_SURNAMES)
        elif r < 0.12:
            a = rng.choice(_FAM[rng.choice(("fr", "nl", "fr"))])
            b = rng.choice(_FAM[rng.choice(_ORIGINS)])
            last = a + "-" + b if a != b else a
        else:
            last = rng.choice(_FAM[origin])
    if rng.random() < 0.05 and origin in ("fr", "nl", "it", "pl"):
        first2 = rng.choice(g)
        if first2 != first and "-" not in first:
            first = first + " " + first2
    return {"first": first, "last": last, "sex": sex, "origin": origin}


def _initials(p, dots=True):
    fi = "".join(w[0] for w in p["first"].replace("-", " ").split()[:1])
    li = p["last"][0]
    if dots:
        return fi.upper() + "." + li.upper() + "."
    return (fi + li).upper()


def _name(p, rng, style=None, patient=True):
    f, l = p["first"], p["last"]
    L = l.upper()
    if style is None:
        r = rng.random()
        if patient:
            style = ("LF" if r < 0.25 else "FL" if r < 0.45 else "Fl" if r < 0.58
                     else "LFU" if r < 0.66 else "iL" if r < 0.74 else "Lf"
                     if r < 0.82 else "L,F" if r < 0.86 else "low" if r < 0.9
                     else "init" if r < 0.93 else "L" if r < 0.97 else "Li")
        else:
            style = ("Fl" if r < 0.25 else "FL" if r < 0.4 else "iL" if r < 0.55
                     else "L" if r < 0.72 else "Lf" if r < 0.8 else "LF"
                     if r < 0.9 else "Li" if r < 0.96 else "il")
    fi = f[0].upper() + "."
    if "-" in f:
        fi = "-".join(x[0].upper() + "." for x in f.split("-"))
    if style == "LF":
        return L + " " + f
    if style == "FL":
        return f + " " + L
    if style == "Fl":
        return f + " " + l
    if style == "LFU":
        return L + " " + f.upper()
    if style == "iL":
        return fi + " " + L
    if style == "il":
        return fi + " " + l
    if style == "Lf":
        return l + " " + f
    if style == "L,F":
        return L + ", " + f
    if style == "low":
        return f.lower() + " " + l.lower()
    if style == "init":
        return _initials(p)
    if style == "L":
        return L if rng.random() < 0.5 else l
    if style == "Li":
        return L + " " + fi
    if style == "dicom":
        return L + "^" + f.upper().replace(" ", "^")
    if style == "f":
        return f
    return f + " " + l


def _title(p, rng, short=True, child=False):
    if child:
        return ""
    if p["sex"] == "F":
        return rng.choice(("Mme ", "Mme ", "Madame ", "Mme. ", "Mlle ") if short
                          else ("Madame ",))
    return rng.choice(("M. ", "M. ", "Monsieur ", "Mr ", "Mr. ") if short
                      else ("Monsieur ",))


def _dr(rng):
    return rng.choice(("Dr ", "Dr ", "Dr. ", "Docteur ", "dr. ", "Dr ", "Prof. ",
                       "Pr ", "DR "))


def _login(p, rng):
    base = _slug(p["first"])[:1] + _slug(p["last"])[:9]
    r = rng.random()
    if r < 0.3:
        return rng.choice(("ADM\\", "CHU\\", "HOSP\\", "RAD\\")) + base
    if r < 0.5:
        return _slug(p["first"]) + "." + _slug(p["last"])
    if r < 0.6:
        return base.upper()
    return base


def _typist(rad, sec, rng):
    parts = rad["last"].replace("-", " ").replace("'", " ").split()
    if len(parts) > 1:
        ini = "".join(w[0] for w in parts).upper()
    else:
        ini = (rad["first"][0] + rad["last"][0]).upper()
    s = (sec["first"][0] + sec["last"][0]).lower()
    return ini + rng.choice(("/", "/", "/", "-", " / ")) + s


# ---------------------------------------------------------------------------
# formats
# ---------------------------------------------------------------------------

def _fdate(d, rng, style=None, birth=False):
    if style is None:
        r = rng.random()
        if birth:
            style = ("dmY" if r < 0.45 else "d.m.Y" if r < 0.65 else "d.m.y"
                     if r < 0.7 else "long" if r < 0.82 else "Y-m-d" if r < 0.86
                     else "d-m-Y" if r < 0.92 else "d/m/y" if r < 0.97 else "j/m/Y")
        else:
            style = ("dmY" if r < 0.38 else "d.m.Y" if r < 0.5 else "d.m.y"
                     if r < 0.56 else "long" if r < 0.68 else "wlong" if r < 0.73
                     else "Y-m-d" if r < 0.78 else "d-m-Y" if r < 0.82
                     else "d/m/y" if r < 0.86 else "dm" if r < 0.9
                     else "dmonth" if r < 0.94 else "mY" if r < 0.96
                     else "j/m/Y" if r < 0.98 else "LONG")
    dd, mm, yy = d.day, d.month, d.year
    if style == "dmY":
        return f"{dd:02d}/{mm:02d}/{yy}"
    if style == "j/m/Y":
        return f"{dd}/{mm}/{yy}"
    if style == "d.m.Y":
        return f"{dd:02d}.{mm:02d}.{yy}"
    if style == "d.m.y":
        return f"{dd:02d}.{mm:02d}.{yy % 100:02d}"
    if style == "d/m/y":
        return f"{dd:02d}/{mm:02d}/{yy % 100:02d}"
    if style == "Y-m-d":
        return f"{yy}-{mm:02d}-{dd:02d}"
    if style == "d-m-Y":
        return f"{dd:02d}-{mm:02d}-{yy}"
    if style == "compact":
        return f"{yy}{mm:02d}{dd:02d}"
    if style == "dm":
        return f"{dd:02d}/{mm:02d}"
    if style == "mY":
        return f"{_MOIS[mm - 1]} {yy}"
    if style == "dmonth":
        return f"{'1er' if dd == 1 else dd} {_MOIS[mm - 1]}"
    if style == "nl":
        return f"{dd} {_MAAND[mm - 1]} {yy}"
    if style == "wlong":
        return f"{_JOURS[d.weekday()]} {dd} {_MOIS[mm - 1]} {yy}"
    if style == "LONG":
        return f"{dd} {_MOIS[mm - 1].upper()} {yy}"
    # long
    return f"{'1er' if dd == 1 and rng.random() < 0.5 else dd} {_MOIS[mm - 1]} {yy}"


def _time(rng):
    return f"{rng.randint(7, 22):02d}{rng.choice(':h:')}{rng.randint(0, 59):02d}"


def _phone(rng, zone="2", mobile=False):
    if mobile:
        z = "4" + str(rng.randint(70, 99))
        d = _digits(rng, 6)
        a, b, c = d[:2], d[2:4], d[4:]
        return rng.choice((f"0{z} {a} {b} {c}", f"0{z}/{a}.{b}.{c}",
                           f"+32 {z} {a} {b} {c}", f"0{z}{d}",
                           f"0032 {z} {a} {b} {c}", f"0{z}/{d[:3]} {d[3:]}",
                           f"0{z} {a}.{b}.{c}", f"+32{z}{d}"))
    if len(zone) == 1:
        d = str(rng.randint(2, 9)) + _digits(rng, 6)
        a, b, c = d[:3], d[3:5], d[5:]
        return rng.choice((f"0{zone}/{a}.{b}.{c}", f"0{zone} {a} {b} {c}",
                           f"+32 {zone} {a} {b} {c}", f"+32 (0){zone} {a} {b} {c}",
                           f"0{zone}/{a} {b} {c}", f"0{zone}-{a}.{b}.{c}",
                           f"0{zone}{d}", f"0{zone}/{a}{b}{c}"))
    d = str(rng.randint(2, 9)) + _digits(rng, 5)
    a, b, c = d[:2], d[2:4], d[4:]
    return rng.choice((f"0{zone}/{a}.{b}.{c}", f"0{zone} {a} {b} {c}",
                       f"+32 {zone} {a} {b} {c}", f"0{zone}/{a} {b} {c}",
                       f"0{zone}-{a}.{b}.{c}", f"0{zone} {d}",
                       f"+32 (0){zone} {a} {b} {c}", f"0{zone}/{d}"))


def _niss(birth, sex, rng):
    seq = rng.randint(1, 997)
    if (seq % 2 == 1) != (sex == "M"):
        seq += 1
    core = f"{birth.year % 100:02d}{birth.month:02d}{birth.day:02d}{seq:03d}"
    base = int(("2" if birth.year >= 2000 else "") + core)
    chk = 97 - base % 97
    y, m, d, s, c = core[:2], core[2:4], core[4:6], core[6:], f"{chk:02d}"
    return rng.choice((f"{y}.{m}.{d}-{s}.{c}", f"{y}{m}{d}{s}{c}",
                       f"{y}.{m}.{d}-{s}.{c}", f"{y}{m}{d} {s} {c}",
                       f"{y}.{m}.{d} {s}-{c}", f"{y}{m}{d}-{s}-{c}"))


def _inami(rng):
    a, b, c, d = str(rng.choice((1, 1, 1, 3))), _digits(rng, 5), _digits(rng, 2), \
        rng.choice(("000", "003", "004", "460", "450", "451", "570", "580",
                    "710", "910"))
    return rng.choice((f"{a}-{b}-{c}-{d}", f"{a}-{b}-{c}-{d}", f"{a}.{b}.{c}.{d}",
                       f"{a}{b}{c}{d}", f"{a} {b} {c} {d}", f"{a}/{b}/{c}/{d}"))


def _pid(rng, year):
    r = rng.random()
    if r < 0.25:
        return _digits(rng, rng.choice((7, 8, 10)))
    if r < 0.4:
        return "P" + _digits(rng, 7)
    if r < 0.5:
        return f"{year}/{_digits(rng, 6)}"
    if r < 0.6:
        return str(rng.randint(1, 9)) + _digits(rng, 5) + "-" + _digits(rng, 2)
    if r < 0.7:
        return "00" + _digits(rng, 8)
    if r < 0.8:
        return f"{_digits(rng, 3)}.{_digits(rng, 3)}.{_digits(rng, 3)}"
    if r < 0.9:
        return rng.choice("ABCDEFGHJKLMN") + _digits(rng, 6)
    return _digits(rng, 6) + rng.choice("ABCDEFGHJ")


def _acc(rng, d):
    y2 = d.year % 100
    r = rng.random()
    if r < 0.25:
        return f"RX{y2:02d}-{_digits(rng, 6)}"
    if r < 0.45:
        return f"{d.year}{d.month:02d}{d.day:02d}{_digits(rng, 4)}"
    if r < 0.6:
        return f"CR{_digits(rng, 8)}"
    if r < 0.7:
        return f"A{y2:02d}.{_digits(rng, 6)}"
    if r < 0.8:
        return f"{_digits(rng, 2)}-{_digits(rng, 7)}"
    if r < 0.9:
        return f"IMG{_digits(rng, 7)}"
    return _digits(rng, 9)


def _episode(rng):
    r = rng.random()
    if r < 0.4:
        return _digits(rng, 10)
    if r < 0.7:
        return "E" + _digits(rng, 8)
    return f"{_digits(rng, 4)}-{_digits(rng, 5)}"


def _room(rng):
    r = rng.random()
    if r < 0.5:
        return str(rng.randint(1, 6)) + str(rng.randint(0, 3)) + str(rng.randint(0, 9))
    if r < 0.7:
        return f"{rng.randint(1, 5)}{rng.choice('ABCD')}-{rng.randint(1, 40):02d}"
    if r < 0.85:
        return f"{rng.randint(100, 460)}{rng.choice('ABab')}"
    return f"{rng.choice('ABCDE')}{rng.randint(1, 4)}.{rng.randint(1, 30):02d}"


def _bed(rng):
    r = rng.random()
    if r < 0.5:
        return str(rng.randint(1, 4))
    if r < 0.8:
        return f"{rng.randint(1, 6)}{rng.choice('AB')}-{rng.randint(1, 30):02d}"
    return rng.choice("ABCD")


# ---------------------------------------------------------------------------
# addresses / institutions
# ---------------------------------------------------------------------------

def _town(rng):
    return rng.choice(_TOWNS)


def _town_name(t, rng, nl_ok=True):
    names = t[1]
    if len(names) > 1 and rng.random() < 0.2:
        if nl_ok and rng.random() < 0.5:
            return names[0] + "/" + names[1] if rng.random() < 0.5 else names[1]
        return names[0]
    return names[0]


def _address(rng, t=None):
    if t is None:
        t = _town(rng)
    street = rng.choice(_STREETS)
    num = str(rng.choice((rng.randint(1, 40), rng.randint(1, 250),
                          rng.randint(1, 700))))
    r = rng.random()
    if r < 0.12:
        num += f"/{rng.randint(1, 12)}"
    elif r < 0.22:
        num += rng.choice((" bte ", " boîte ", " bus ", " b", " Bte ")) + str(rng.randint(1, 30))
    elif r < 0.27:
        num += rng.choice(("A", "B", "a"))
    return {"street": street, "num": num, "town": t}


def _addr_str(a, rng, with_city=True, force_sep=None):
    r = rng.random()
    st = a["street"]
    if r < 0.08:
        st = st.upper()
    if rng.random() < 0.1:
        s = st + ", " + a["num"]
    elif rng.random() < 0.05:
        s = st + " n° " + a["num"]
    else:
        s = st + " " + a["num"]
    if not with_city:
        return s
    t = a["town"]
    tn = _town_name(t, rng)
    if rng.random() < 0.12:
        tn = tn.upper()
    pc = ("B-" if rng.random() < 0.1 else "") + str(t[0])
    sep = force_sep or rng.choice((", ", ", ", " - ", "\n", " – ", "  ", "\n"))
    return s + sep + pc + " " + tn


def _inst_name(rng, t=None):
    if t is None:
        t = _town(rng)
    tn = t[1][0]
    r = rng.random()
    if r < 0.15:
        return rng.choice(_REAL_INST)
    pat = rng.randint(0, 15)
    if pat == 0:
        return "Clinique " + rng.choice(_SAINTS)
    if pat == 1:
        return "Centre Hospitalier " + rng.choice(_SAINTS)
    if pat == 2:
        return "CHR " + rng.choice(_REGIONS)
    if pat == 3:
        return "CHU " + rng.choice(_SAINTS)
    if pat == 4:
        return "Hôpital " + rng.choice(_SAINTS)
    if pat == 5:
        return "Grand Hôpital de " + tn
    if pat == 6:
        return "Centre Hospitalier de " + tn
    if pat == 7:
        return "Cliniques universitaires " + rng.choice(_SAINTS)
    if pat == 8:
        return "Clinique " + rng.choice(_SAINTS) + " de " + tn
    if pat == 9:
        return "AZ " + rng.choice(_SINTS)
    if pat == 10:
        return rng.choice(("UZ Leuven", "UZ Gent", "UZ Brussel", "UZA", "UZ Antwerpen"))
    if pat == 11:
        return "CHC " + rng.choice(("Heusy", "Waremme", "Hermalle", "Montlégia",
                                    "Sainte-Élisabeth", "Saint-Vincent"))
    if pat == 12:
        return "Polyclinique de " + tn
    if pat == 13:
        return "CH " + rng.choice(_REGIONS)
    if pat == 14:
        return "Centre Hospitalier Régional de " + tn
    return "Hôpital " + rng.choice(("Civil", "de la Citadelle", "du Val",
                                    "de la Reine Fabiola", "Princesse Paola",
                                    "Marie Curie", "Vésale", "André Renard"))


def _home_name(rng):
    return rng.choice(_HOME_PREF) + " " + rng.choice(_HOME_NAME)


def _mm_name(rng):
    return rng.choice(("Maison médicale ", "Maison Médicale ", "MM ",
                       "Centre de santé ")) + rng.choice(_MM_NAME)


def _school(rng, tn):
    return rng.choice((f"Athénée royal de {tn}", "Institut Saint-Joseph",
                       "Collège Saint-Pierre", f"École communale de {tn}",
                       "Institut de la Providence", "Sint-Jozefscollege",
                       "Centre scolaire Saint-Benoît", f"Lycée de {tn}",
                       "École fondamentale Les Petits Pas",
                       f"Institut Notre-Dame de {tn}", "Collège Saint-Michel",
                       f"Athénée Jean Absil", "École Decroly"))


def _club(rng, tn):
    return rng.choice((f"RFC {tn}", f"Royal Excelsior {tn}", f"Basket Club {tn}",
                       f"Judo Club {tn}", f"Royal Hockey Club {tn}",
                       f"RCS {tn}", f"Tennis Club {tn}", f"Rugby Club {tn}",
                       f"Royal Gym {tn}", f"Volley {tn}", f"Union {tn}",
                       f"JS {tn}", f"Cercle d'escalade de {tn}"))


def _employer(rng, tn):
    return rng.choice(("Carrières du Hainaut", "Sambre Métal SA",
                       "Transports Lemaire sprl", "STIB", "bpost",
                       f"TEC {tn}", f"Ville de {tn}", f"CPAS de {tn}",
                       "Logistique Wallonne SA", "Menuiserie Gilson & Fils",
                       "Chantiers Meuse-Escaut", "Boulangerie Dethier",
                       "Intérim Plus Belgium", "Toitures Collard srl",
                       f"Administration communale de {tn}", "Brasserie du Pays Noir",
                       "Ardenne Bois SA", "Nettoyage Express sprl"))


def _inst(rng):
    t = _town(rng)
    name = _inst_name(rng, t)
    slug = _slug(name, "-")
    if len(slug) > 22 or rng.random() < 0.4:
        slug = "".join(w[0] for w in _slug(name, " ").split()) + _slug(t[1][0])[:6]
    dom = slug + rng.choice((".be", ".be", ".be", "-sante.be", ".org"))
    return {
        "name": name, "town": t, "addr": _address(rng, t),
        "phone": _phone(rng, t[2]), "fax": _phone(rng, t[2]),
        "dom": dom, "net": rng.choice(_NETWORKS) if rng.random() < 0.3 else None,
        "site": None,
    }


def _url(rng, inst):
    d = inst["dom"]
    return rng.choice((f"www.{d}", f"www.{d}", f"https://www.{d}",
                       f"http://www.{d}/imagerie", f"https://{d}/radiologie",
                       f"https://portail.{d}/resultats", f"www.{d}/rx",
                       f"https://www.{d}/fr/services/imagerie-medicale"))


def _email_inst(rng, inst, who=None):
    d = inst["dom"]
    if who is not None:
        loc = rng.choice((_slug(who["first"]) + "." + _slug(who["last"]),
                          _slug(who["first"])[:1] + _slug(who["last"]),
                          _slug(who["last"])))
        return loc + "@" + d
    return rng.choice(("radiologie", "imagerie", "secretariat.rx", "rx.urgences",
                       "rdv.imagerie", "info", "imagerie.medicale")) + "@" + d


def _email_pers(rng, p):
    base = rng.choice((_slug(p["first"]) + "." + _slug(p["last"]),
                       _slug(p["first"]) + _slug(p["last"]) + str(rng.randint(1, 99)),
                       _slug(p["last"]) + "." + _slug(p["first"])[:1],
                       _slug(p["first"])[:1] + _slug(p["last"]) + str(rng.randint(50, 2005))))
    return base + "@" + rng.choice(("gmail.com", "hotmail.com", "skynet.be",
                                    "telenet.be", "proximus.be", "outlook.be",
                                    "yahoo.fr", "voo.be", "hotmail.be"))


# ---------------------------------------------------------------------------
# clinical scenarios (no PHI in their text)
# ---------------------------------------------------------------------------

def _side(rng):
    if rng.random() < 0.5:
        return {"m": "gauche", "f": "gauche", "a": "g", "A": "G", "U": "GAUCHE",
                "F": "GAUCHE"}
    return {"m": "droit", "f": "droite", "a": "d", "A": "D", "U": "DROIT",
            "F": "DROITE"}


_EXTRA = [
    "Minéralisation osseuse conservée.",
    "Déminéralisation osseuse diffuse compatible avec l'âge.",
    "Pas de corps étranger radio-opaque.",
    "Tuméfaction des parties molles en regard.",
    "Pas de lésion osseuse focale suspecte.",
    "Rapports articulaires conservés.",
    "Calcifications vasculaires des parties molles.",
    "Absence d'épanchement articulaire visible.",
    "Pas d'autre trait de fracture décelable sur les incidences réalisées.",
    "Pas de lésion lytique ni condensante.",
    "Corticales régulières en dehors du foyer décrit.",
    "Examen réalisé en position antalgique, qualité limitée.",
]


_EXTRA_CHILD = [e for e in _EXTRA if "âge" not in e and "vasculaires" not in e]


def _extras(c):
    return _EXTRA if c.age_y >= 60 else _EXTRA_CHILD


def _rel_word(p, rng, kind="adult"):
    if kind == "parent":
        return rng.choice(("maman ", "mère : ", "Mme ")) if p["sex"] == "F" else \
            rng.choice(("papa ", "père : ", "M. "))
    if p["sex"] == "F":
        return rng.choice(("épouse ", "fille ", "soeur ", "nièce ", "belle-fille ", "voisine "))
    return rng.choice(("époux ", "fils ", "frère ", "neveu ", "beau-fils ", "voisin "))


def _sc_wrist(rng, c):
    s = _side(rng)
    smith = (rng.random() < 0.3 or c.epo == "Smith") and c.epo != "Colles"
    ang, mm = rng.randint(12, 35), rng.randint(2, 6)
    mech = rng.choice((f"Chute de sa hauteur sur la main {s['f']} en hyperextension",
                       f"Chute à vélo avec réception sur le poignet {s['m']}",
                       f"Chute dans les escaliers, réception sur le poignet {s['m']}",
                       f"Chute sur le verglas, main {s['f']} en avant",
                       f"Traumatisme du poignet {s['m']} lors d'une chute en trottinette"))
    ind = mech + ". " + rng.choice(("Déformation en dos de fourchette.",
                                    "Impotence fonctionnelle, tuméfaction.",
                                    "Douleur à la palpation du radius distal.",
                                    "Douleur depuis 2 jours, suspicion de fracture."))
    tech = f"Radiographies du poignet {s['m']} de face et de profil."
    if smith:
        res = (f"Fracture extra-articulaire de la métaphyse radiale distale avec bascule "
               f"palmaire de l'épiphyse de {ang}° (fracture de Goyrand-Smith). "
               f"{rng.choice(('Petit arrachement de la styloïde ulnaire.', 'Styloïde ulnaire intacte.'))} "
               "Interligne radio-carpien respecté. Scaphoïde sans trait de fracture visible.")
        concl = f"Fracture de Goyrand-Smith du radius distal {s['m']}."
        short = f"fx radius distal {s['a']} type goyrand-smith, bascule palmaire"
    else:
        res = (f"Fracture métaphysaire du radius distal avec bascule dorsale de {ang}° et "
               f"impaction de {mm} mm, aspect de fracture de Pouteau-Colles. "
               f"{rng.choice(('Fracture associée de la styloïde ulnaire.', 'Petit fragment détaché de la pointe de la styloïde ulnaire.', 'Pas de lésion ulnaire.'))} "
               f"{rng.choice(('Pas de refend articulaire.', 'Refend articulaire non déplacé.'))} "
               "Os du carpe sans anomalie.")
        concl = rng.choice((f"Fracture de Pouteau-Colles {s['f']} avec bascule dorsale de {ang}°.",
                            f"Fracture du radius distal {s['m']} type Pouteau-Colles, déplacée."))
        short = f"fx radius distal {s['a']} type pouteau-colles, bascule dorsale {ang}°"
    return {"region": f"POIGNET {s['U']}", "ind": ind, "tech": tech, "res": res,
            "concl": concl, "short": short}


def _sc_forearm(rng, c):
    s = _side(rng)
    if rng.random() < 0.5:
        res = ("Fracture diaphysaire du tiers proximal de l'ulna avec angulation antérieure, "
               "associée à une luxation antérieure de la tête radiale : lésion de Monteggia "
               "(type I de Bado). Le radius distal est intact.")
        concl = f"Fracture-luxation de Monteggia de l'avant-bras {s['m']}."
        short = f"fx ulna prox + luxation tete radiale {s['a']} = monteggia"
    else:
        res = ("Fracture diaphysaire du tiers distal du radius, déplacée, avec diastasis "
               "de l'articulation radio-ulnaire distale : fracture de Galeazzi. "
               "L'ulna est intacte. Coude sans anomalie.")
        concl = f"Fracture de Galeazzi de l'avant-bras {s['m']}, indication chirurgicale."
        short = f"fx radius 1/3 distal {s['a']} + luxation RUD (galeazzi)"
    return {"region": f"AVANT-BRAS {s['U']}",
            "ind": f"Chute sur le bras {s['m']} tendu, déformation de l'avant-bras.",
            "tech": f"Avant-bras {s['m']} face et profil, incluant coude et poignet.",
            "res": res, "concl": concl, "short": short}


def _sc_ankle(rng, c):
    s = _side(rng)
    r = rng.random()
    if c.epo == "Maisonneuve":
        r = 0.9
    elif c.epo == "Weber":
        r = 0.1
    if r < 0.6:
        w = rng.choice(("A", "B", "B", "B", "C"))
        res = (f"Fracture de la malléole latérale de type Weber {w}, "
               f"{rng.choice(('non déplacée', 'peu déplacée', 'déplacée de 3 mm'))}. "
               f"{rng.choice(('Malléole médiale intacte.', 'Arrachement de la pointe de la malléole médiale.', 'Fracture associée de la malléole médiale (bimalléolaire).'))} "
               f"{rng.choice(('Mortaise talo-crurale congruente.', 'Élargissement de l espace clair médial.', 'Pas de subluxation talienne.'))} "
               "Tuméfaction des parties molles péri-malléolaires.")
        concl = f"Fracture malléolaire latérale Weber {w} de la cheville {s['f']}."
        short = f"fx malléole ext {s['a']} weber {w.lower()}"
    else:
        res = ("Élargissement de l'espace clair médial et du tibio-fibulaire distal. "
               "Le cliché complémentaire de jambe montre une fracture spiroïde du col de la "
               "fibula : fracture de Maisonneuve. Rupture probable de la syndesmose.")
        concl = f"Fracture de Maisonneuve de la jambe {s['f']} avec diastasis tibio-fibulaire."
        short = f"fx col fibula {s['a']} + diastasis = maisonneuve"
    return {"region": f"CHEVILLE {s['F']}",
            "ind": rng.choice((f"Entorse en inversion de la cheville {s['f']}",
                               f"Entorse de la cheville {s['f']} il y a 3 semaines, douleur persistante",
                               f"Torsion de la cheville {s['f']} il y a 2 jours",
                               f"Torsion de la cheville {s['f']} en descendant du trottoir",
                               f"Traumatisme de la cheville {s['f']} au football")) +
            rng.choice((". Critères d'Ottawa positifs.", ". Douleur malléolaire, appui impossible.",
                        ". Oedème important.")),
            "tech": f"Cheville {s['f']} face, profil et incidence de mortaise.",
            "res": res, "concl": concl, "short": short}


def _sc_hip(rng, c):
    s = _side(rng)
    r = rng.random()
    if c.epo == "Garden":
        r = 0.1
    if r < 0.55:
        g = rng.choice(("I", "II", "III", "III", "IV"))
        res = (f"Fracture sous-capitale du col fémoral {s['m']}, classée Garden {g}, "
               f"{rng.choice(('avec verticalisation des travées', 'avec déplacement en varus', 'engrenée en valgus'))}. "
               f"{rng.choice(('Coxarthrose controlatérale modérée.', 'Pas de lésion du cadre obturateur.', 'Déminéralisation osseuse diffuse.'))}")
        concl = f"Fracture du col fémoral {s['m']} Garden {g}. Avis orthopédique."
        short = f"fx col fémur {s['a']} garden {g}"
    elif r < 0.8:
        k = rng.choice(("2", "3", "3", "4"))
        res = (f"Pincement supéro-externe de l'interligne coxo-fémoral {s['m']}, ostéophytes "
               f"marginaux et géodes sous-chondrales acétabulaires. Stade Kellgren-Lawrence {k}. "
               "Pas de fracture. Sacro-iliaques sans particularité.")
        concl = f"Coxarthrose {s['f']} Kellgren-Lawrence {k}."
        short = f"coxarthrose {s['a']} KL {k}, pas de fx"
    else:
        res = (f"Prothèse totale de hanche {s['f']} en place. Pas de liseré péri-prothétique, "
               "pas de descellement ni d'ossification hétérotopique significative. "
               "Cupule en bonne position, inclinaison d'environ 42°.")
        concl = f"PTH {s['f']} sans complication radiologique."
        short = f"PTH {s['a']} en place, ok"
    return {"region": f"BASSIN + HANCHE {s['F']}",
            "ind": rng.choice((f"Chute à domicile, douleur de la hanche {s['f']}, raccourcissement et rotation externe du membre inférieur.",
                               f"Douleur inguinale {s['f']} mécanique depuis plusieurs mois.",
                               f"Contrôle de la hanche {s['f']}, boiterie.")),
            "tech": f"Bassin de face et hanche {s['f']} de profil (Lauenstein).",
            "res": res, "concl": concl, "short": short}


def _sc_shoulder(rng, c):
    s = _side(rng)
    if rng.random() < 0.5 or c.epo == "Neer":
        p = rng.choice(("2", "3", "3", "4"))
        res = (f"Fracture de l'extrémité proximale de l'humérus à {p} fragments selon Neer, "
               f"intéressant le col chirurgical{' et le trochiter' if p != '2' else ''}. "
               "Tête humérale centrée dans la glène. Pas de luxation.")
        concl = f"Fracture de l'humérus proximal {s['m']}, Neer {p} parts."
        short = f"fx humérus prox {s['a']} neer {p} parts"
        ind = f"Chute sur l'épaule {s['f']}, douleur et hématome."
    else:
        res = ("Luxation gléno-humérale antéro-interne. Encoche de Hill-Sachs au niveau de la "
               "tête humérale et petite fracture du rebord glénoïdien antéro-inférieur "
               "(Bankart osseux). Contrôle post-réduction : tête humérale réintégrée.")
        concl = f"Luxation antérieure de l'épaule {s['f']} avec Hill-Sachs et Bankart osseux, réduite."
        short = f"luxation ant épaule {s['a']}, hill-sachs +, bankart osseux"
        ind = f"Luxation récidivante de l'épaule {s['f']} au handball."
    return {"region": f"ÉPAULE {s['F']}", "ind": ind,
            "tech": f"Épaule {s['f']} face vraie, profil de Lamy et incidence axillaire.",
            "res": res, "concl": concl, "short": short}


def _sc_knee(rng, c):
    s = _side(rng)
    r = rng.random()
    if c.epo == "Segond":
        r = 0.5
    elif c.epo == "Hoffa":
        r = 0.8
    if r < 0.4:
        k = rng.choice(("1", "2", "3", "4"))
        res = (f"Pincement de l'interligne fémoro-tibial médial, ostéophytose marginale "
               f"et condensation sous-chondrale : gonarthrose grade {k} de Kellgren-Lawrence. "
               f"{rng.choice(('Arthrose fémoro-patellaire associée.', 'Chondrocalcinose méniscale.', 'Pas d épanchement.'))}")
        concl = f"Gonarthrose fémoro-tibiale médiale {s['f']}, Kellgren-Lawrence {k}."
        short = f"gonarthrose {s['a']} KL{k}"
        ind = f"Gonalgies {s['f']}s mécaniques chroniques." if s['f'] == "droite" else \
            "Gonalgies gauches mécaniques chroniques."
    elif r < 0.7:
        res = ("Petit arrachement osseux en regard du bord latéral du plateau tibial externe "
               "(fracture de Segond), très évocateur d'une rupture du ligament croisé antérieur. "
               "Épanchement intra-articulaire. Graisse de Hoffa infiltrée.")
        concl = f"Fracture de Segond du genou {s['m']} : rechercher une lésion du LCA (IRM)."
        short = f"segond genou {s['a']} -> LCA ? IRM"
        ind = f"Entorse du genou {s['m']} en valgus-rotation au ski, tiroir antérieur."
    else:
        res = ("Fracture coronale du condyle fémoral latéral (fracture de Hoffa), peu déplacée. "
               "Lipohémarthrose sur le profil. Rotule en place.")
        concl = f"Fracture de Hoffa du condyle latéral {s['m']}. Complément scanner."
        short = f"fx hoffa condyle lat {s['a']}"
        ind = f"Choc direct du genou {s['m']} contre le tableau de bord."
    return {"region": f"GENOU {s['U']}", "ind": ind,
            "tech": f"Genou {s['m']} face en charge, profil et défilé fémoro-patellaire à 30°.",
            "res": res, "concl": concl, "short": short}


def _sc_foot(rng, c):
    s = _side(rng)
    r = rng.random()
    if c.epo == "Jones":
        r = 0.1
    elif c.epo == "Lisfranc":
        r = 0.5
    if r < 0.35:
        res = ("Fracture transverse de la base du 5e métatarsien à la jonction "
               "métaphyso-diaphysaire (fracture de Jones), non déplacée. "
               "Distinguer d'un arrachement de la styloïde. Articulation de Chopart respectée.")
        concl = f"Fracture de Jones du 5e métatarsien {s['m']}."
        short = f"fx base 5e méta {s['a']} (jones), non déplacée"
    elif r < 0.7:
        res = ("Diastasis de 3 mm entre la base du 2e métatarsien et le cunéiforme médial "
               "avec fleck sign : lésion de l'articulation de Lisfranc. "
               "Interligne de Chopart normal. Pas d'autre fracture.")
        concl = f"Lésion de Lisfranc du pied {s['m']}. CT conseillé."
        short = f"lisfranc pied {s['a']} : diastasis M2-C1, fleck sign"
    else:
        res = ("Fracture-arrachement du bord dorsal de l'os naviculaire et du processus antérieur "
               "du calcanéus, à hauteur de l'interligne de Chopart. Interligne de Lisfranc "
               "respecté. Bases métatarsiennes sans lésion.")
        concl = f"Lésion de l'articulation de Chopart du pied {s['m']}."
        short = f"arrachement chopart pied {s['a']}"
    return {"region": f"PIED {s['U']}",
            "ind": rng.choice((f"Traumatisme en inversion du pied {s['m']}.",
                               f"Chute d'un escabeau, réception sur le pied {s['m']}.",
                               f"Douleur du bord externe du pied {s['m']} après un match de basket.")),
            "tech": f"Pied {s['m']} face, 3/4 et profil.",
            "res": res, "concl": concl, "short": short}


def _sc_heel(rng, c):
    s = _side(rng)
    if rng.random() < 0.5:
        b = rng.randint(8, 22)
        res = (f"Fracture thalamique du calcanéum avec effondrement de l'angle de Böhler "
               f"mesuré à {b}°. Pas de fracture du talus. Tendon d'Achille : pas de "
               "calcification d'insertion.")
        concl = f"Fracture thalamique du calcanéum {s['m']}, Böhler {b}°."
        short = f"fx calcanéum {s['a']}, böhler {b}°"
        ind = f"Chute d'une échelle de 2 mètres, réception sur le talon {s['m']}."
    else:
        res = ("Enthésopathie calcifiante à l'insertion calcanéenne du tendon d'Achille avec "
               "épine postérieure. Déformation de Haglund. Épine calcanéenne plantaire. "
               "Pas de fracture de fatigue.")
        concl = f"Enthésopathie achilléenne {s['f']} (tendon d'Achille) et Haglund."
        short = f"talalgie {s['a']}, calcif insertion tendon d'achille"
        ind = f"Talalgie postérieure {s['f']} depuis 3 mois, coureur."
    return {"region": f"CALCANÉUM {s['U']}", "ind": ind,
            "tech": f"Calcanéum {s['m']} profil et incidence rétro-tibiale (axiale).",
            "res": res, "concl": concl, "short": short}


def _sc_hand(rng, c):
    s = _side(rng)
    r = rng.random()
    if c.epo == "Bennett":
        r = 0.1
    if r < 0.4:
        res = ("Fracture intra-articulaire oblique de la base du 1er métacarpien avec petit "
               "fragment palmo-ulnaire resté en place et subluxation dorso-radiale de la "
               "diaphyse : fracture de Bennett.")
        concl = f"Fracture de Bennett du pouce {s['m']}."
        short = f"fx bennett pouce {s['a']}"
    elif r < 0.65:
        res = ("Fracture comminutive en Y de la base du 1er métacarpien, intra-articulaire "
               "(fracture de Rolando). Trapèze intact.")
        concl = f"Fracture de Rolando du 1er métacarpien {s['m']}."
        short = f"fx rolando M1 {s['a']}"
    else:
        res = ("Fracture du col du 5e métacarpien avec bascule palmaire de la tête d'environ "
               "35° (fracture du boxeur). Pas de rotation clinique rapportée.")
        concl = f"Fracture du col du 5e métacarpien de la main {s['f']}."
        short = f"fx col M5 main {s['a']} (boxer), bascule 35°"
    return {"region": f"MAIN {s['F']}",
            "ind": rng.choice((f"Coup de poing dans un mur, main {s['f']}.",
                               f"Chute à ski, pouce {s['m']} en abduction.",
                               f"Traumatisme de la main {s['f']} lors d'une bagarre.")),
            "tech": f"Main {s['f']} face et oblique, pouce face/profil.",
            "res": res, "concl": concl, "short": short}


def _sc_salter(rng, c):
    s = _side(rng)
    t = rng.choice(("I", "II", "II", "III", "IV"))
    site, reg = rng.choice((("du radius distal", f"POIGNET {s['U']}"),
                            ("du tibia distal", f"CHEVILLE {s['F']}"),
                            ("de la phalange proximale du 5e doigt", f"MAIN {s['F']}"),
                            ("de la fibula distale", f"CHEVILLE {s['F']}")))
    res = (f"Décollement épiphysaire {site}, type {t} de Salter-Harris, "
           f"{rng.choice(('peu déplacé', 'non déplacé', 'avec fragment métaphysaire postérieur'))}. "
           "Cartilages de croissance par ailleurs ouverts et réguliers. "
           "Pas d'autre lésion traumatique.")
    return {"region": reg,
            "ind": rng.choice(("Chute en trampoline, douleur et refus d'utiliser le membre.",
                               "Chute dans la cour de récréation.",
                               "Traumatisme lors d'un match de football.")),
            "tech": "Face et profil, comparatif si nécessaire.",
            "res": res, "concl": f"Fracture Salter-Harris {t} {site} {s['m']}.",
            "short": f"salter-harris {t.lower()} {site}, cote {s['a']}"}


def _sc_osgood(rng, c):
    s = _side(rng)
    res = ("Fragmentation et irrégularité de l'apophyse tibiale antérieure avec tuméfaction "
           "des parties molles pré-tibiales, compatible avec une maladie d'Osgood-Schlatter. "
           "Cartilages de croissance ouverts. Rotule de morphologie normale.")
    return {"region": f"GENOU {s['U']}",
            "ind": f"Douleur de la tubérosité tibiale antérieure {s['f']}, sportif.",
            "tech": f"Genou {s['m']} face et profil.", "res": res,
            "concl": "Aspect d'Osgood-Schlatter.",
            "short": f"osgood-schlatter genou {s['a']}"}


def _sc_boneage(rng, c):
    delta = rng.choice(("en accord avec", "en avance d'environ 1 an sur",
                        "en retard d'environ 18 mois sur", "légèrement inférieur à"))
    ba = max(2, c.age_y + rng.choice((-2, -1, 0, 0, 1)))
    res = (f"Selon l'atlas de Greulich et Pyle, l'âge osseux est estimé à {ba} ans, "
           f"{delta} l'âge chronologique. Noyaux d'ossification du carpe "
           f"{rng.choice(('au nombre de 7', 'complets', 'en cours d apparition'))}. "
           "Pas d'anomalie morphologique. Sésamoïde du pouce "
           f"{rng.choice(('non encore visible', 'visible'))}.")
    return {"region": "ÂGE OSSEUX - MAIN ET POIGNET GAUCHES",
            "ind": rng.choice(("Petite taille, bilan endocrinien.", "Puberté précoce ?",
                               "Retard de croissance, suivi pédiatrique.")),
            "tech": "Main et poignet gauches de face.", "res": res,
            "concl": f"Âge osseux {delta} l'âge chronologique (Greulich et Pyle).",
            "short": f"âge osseux greulich et pyle : {ba} ans"}


def _sc_osteo(rng, c):
    s = _side(rng)
    when, days = rng.choice((("J+10", 10), ("à 6 semaines", 42), ("à 3 mois", 91),
                             ("J+1", 1), ("à 6 mois", 182), ("à 1 an", 365),
                             ("à J+21", 21)))
    mat = rng.choice(("plaque vissée antérieure du radius distal",
                      "clou gamma du fémur proximal", "plaque tiers de tube et vis de syndesmose",
                      "vis canulées du col fémoral", "clou centromédullaire tibial verrouillé",
                      "broches de Kirschner"))
    res = (f"Contrôle {when} post-ostéosynthèse par {mat}. Matériel en place, sans "
           f"démontage ni bris. {rng.choice(('Cal osseux en formation.', 'Consolidation en cours, trait encore visible.', 'Consolidation acquise.', 'Pas de déplacement secondaire.'))} "
           f"{rng.choice(('Pas de liseré autour des vis.', 'Discret liseré autour d une vis, à surveiller.', 'Alignement satisfaisant.'))}")
    return {"region": f"CONTRÔLE POST-OP {s['U']}",
            "ind": f"Contrôle post-opératoire {when}, ostéosynthèse {s['f']}.",
            "tech": "Face et profil du foyer opéré.", "res": res,
            "concl": rng.choice(("Évolution favorable, matériel en place.",
                                 "Pas de complication du matériel d'ostéosynthèse.",
                                 "Consolidation en cours, sans déplacement secondaire.")),
            "short": f"ctrl {when} ostéosynthèse {s['a']} : matériel ok", "days": days}


def _sc_spine(rng, c):
    lv = rng.choice(("L1", "L2", "D12", "L3", "D11"))
    pct = rng.randint(15, 45)
    res = (f"Tassement cunéiforme du plateau supérieur de {lv}, perte de hauteur antérieure "
           f"d'environ {pct} %, mur postérieur respecté. Discopathies étagées L4-L5 et L5-S1 avec "
           "ostéophytose antérieure. Arthrose inter-apophysaire postérieure. Pas de "
           "listhésis.")
    return {"region": "RACHIS LOMBAIRE F+P",
            "ind": rng.choice(("Lombalgie aiguë après effort de soulèvement.",
                               "Chute sur les fesses, douleur dorso-lombaire.",
                               "Lombalgies chroniques, ostéoporose connue.",
                               "Dorsalgie brutale depuis 10 jours, sans traumatisme.")),
            "tech": "Rachis lombaire face et profil.", "res": res,
            "concl": f"Tassement {lv} d'allure ostéoporotique (perte {pct} %). Arthrose lombaire.",
            "short": f"tassement {lv} {pct}%, arthrose"}


def _sc_clav(rng, c):
    s = _side(rng)
    res = (f"Fracture du tiers moyen de la clavicule {s['f']}, "
           f"{rng.choice(('déplacée d une largeur de corticale', 'chevauchante de 15 mm', 'non déplacée'))}. "
           "Articulations acromio-claviculaire et sterno-claviculaire en place. "
           "Pas de pneumothorax apical visible.")
    return {"region": f"CLAVICULE {s['F']}",
            "ind": rng.choice((f"Chute à vélo sur le moignon de l'épaule {s['f']}.",
                               f"Chute sur l'épaule {s['f']} il y a une semaine, contrôle.")),
            "tech": f"Clavicule {s['f']} face et incidence ascendante 30°.", "res": res,
            "concl": f"Fracture médio-claviculaire {s['f']}.",
            "short": f"fx clavicule {s['a']} 1/3 moyen"}


def _sc_scaph(rng, c):
    s = _side(rng)
    res = ("Trait de fracture du tiers moyen (taille) du scaphoïde, non déplacé, visible "
           "uniquement sur l'incidence de Schneck. Pas de dissociation scapho-lunaire. "
           "Radius distal intact.")
    return {"region": f"SCAPHOÏDE {s['U']}",
            "ind": f"Chute sur la paume {s['f']}, douleur de la tabatière anatomique.",
            "tech": f"Poignet {s['m']} face, profil et incidences de Schneck.", "res": res,
            "concl": f"Fracture non déplacée du scaphoïde {s['m']}. Immobilisation, contrôle à 10 jours.",
            "short": f"fx scaphoide {s['a']} taille, non déplacée"}


def _sc_elbow(rng, c):
    s = _side(rng)
    m = rng.choice(("I", "II", "III"))
    res = (f"Fracture de la tête radiale type {m} de Mason, "
           f"{rng.choice(('avec marche d escalier de 2 mm', 'non déplacée', 'comminutive'))}. "
           "Signe du coussinet graisseux postérieur positif. Rapports huméro-ulnaires normaux.")
    return {"region": f"COUDE {s['U']}",
            "ind": f"Chute sur la main {s['f']} tendue, douleur du coude, flexion limitée.",
            "tech": f"Coude {s['m']} face et profil.", "res": res,
            "concl": f"Fracture de la tête radiale {s['f']}, Mason {m}.",
            "short": f"fx tête radiale {s['a']} mason {m}"}


def _sc_ribs(rng, c):
    s = _side(rng)
    a, b = sorted(rng.sample(range(3, 11), 2))
    res = (f"Fractures des arcs antéro-latéraux des {a}e à {b}e côtes {s['f']}s, peu déplacées. "
           "Pas de pneumothorax. Pas d'épanchement pleural. Silhouette cardio-médiastinale "
           "normale.") if s['f'] != "gauche" else (
        f"Fractures des arcs antéro-latéraux des {a}e à {b}e côtes gauches, peu déplacées. "
        "Pas de pneumothorax. Pas d'épanchement pleural. Silhouette cardio-médiastinale normale.")
    return {"region": "GRIL COSTAL + THORAX",
            "ind": "Chute contre le bord de la baignoire, douleur thoracique.",
            "tech": "Thorax de face et gril costal oblique.", "res": res,
            "concl": f"Fractures costales {a} à {b} {s['f']}, sans complication pleuro-pulmonaire.",
            "short": f"fx côtes {a}-{b} {s['a']}, pas de PNO"}


def _sc_pelvis(rng, c):
    s = _side(rng)
    res = (f"Fracture des branches ilio- et ischio-pubiennes {s['f']}s, peu déplacées. "
           if s['f'] == "droite" else
           "Fracture des branches ilio- et ischio-pubiennes gauches, peu déplacées. ") + \
        ("Aileron sacré à examiner au scanner. Coxarthrose bilatérale modérée. "
         "Déminéralisation osseuse diffuse.")
    return {"region": "BASSIN DE FACE",
            "ind": "Chute de sa hauteur en maison de repos, douleur inguinale, appui difficile.",
            "tech": "Bassin de face, hanches de profil.", "res": res,
            "concl": "Fracture du cadre obturateur, fragilité osseuse.",
            "short": f"fx branches pubiennes {s['a']}"}


# (function, min age, max age, weight, eponyms favoured)
_SCEN = [
    (_sc_wrist, 12, 98, 14, ("Colles", "Smith")),
    (_sc_forearm, 6, 80, 4, ()),
    (_sc_ankle, 14, 85, 12, ("Weber", "Maisonneuve")),
    (_sc_hip, 45, 99, 9, ("Garden",)),
    (_sc_shoulder, 16, 95, 7, ("Neer",)),
    (_sc_knee, 16, 90, 8, ("Segond", "Hoffa")),
    (_sc_foot, 14, 80, 8, ("Jones", "Lisfranc")),
    (_sc_heel, 18, 80, 4, ()),
    (_sc_hand, 14, 70, 6, ("Bennett",)),
    (_sc_salter, 3, 15, 5, ()),
    (_sc_osgood, 10, 15, 2, ()),
    (_sc_boneage, 4, 15, 4, ()),
    (_sc_osteo, 16, 95, 7, ()),
    (_sc_spine, 45, 95, 4, ()),
    (_sc_clav, 8, 70, 3, ()),
    (_sc_scaph, 14, 55, 3, ()),
    (_sc_elbow, 14, 75, 3, ()),
    (_sc_ribs, 30, 95, 3, ()),
    (_sc_pelvis, 65, 99, 3, ()),
]
_PED = (_sc_salter, _sc_osgood, _sc_boneage, _sc_wrist, _sc_forearm, _sc_clav)
_SPORT = (_sc_ankle, _sc_knee, _sc_shoulder, _sc_hand, _sc_foot, _sc_clav,
          _sc_scaph, _sc_elbow, _sc_wrist, _sc_heel, _sc_forearm)
_OLD = (_sc_hip, _sc_pelvis, _sc_wrist, _sc_shoulder, _sc_spine, _sc_ribs, _sc_osteo)


# ---------------------------------------------------------------------------
# context
# ---------------------------------------------------------------------------

class _C:
    pass


def _ctx(rng, kind="any"):
    c = _C()
    # scenario and age
    if kind == "child":
        cands = [s for s in _SCEN if s[0] in _PED]
    elif kind == "old":
        cands = [s for s in _SCEN if s[0] in _OLD]
    elif kind == "work":
        cands = [s for s in _SCEN if s[0] not in _PED[:3] and s[0] not in (_sc_pelvis,)]
    elif kind == "sport":
        cands = [s for s in _SCEN if s[0] in _SPORT]
    else:
        cands = _SCEN
    c.p = _person(rng)
    c.epo = c.p["last"] if c.p["last"] in _EPO_SURNAMES else None
    if c.p["first"] == "Achille" and rng.random() < 0.7:
        c.epo = "Achille"
    sc = None
    if c.epo:
        fav = [s for s in cands if c.epo in s[4]]
        if c.epo == "Achille":
            fav = [s for s in cands if s[0] is _sc_heel]
        if fav and rng.random() < 0.8:
            sc = rng.choice(fav)
    if sc is None:
        sc = rng.choices(cands, [s[3] for s in cands])[0]
    lo, hi = sc[1], sc[2]
    if kind == "child":
        hi = min(hi, 15)
        lo = min(lo, hi)
    elif kind == "old":
        lo = max(lo, 72)
    elif kind == "work":
        lo, hi = max(lo, 18), min(hi, 64)
    elif kind == "sport":
        lo, hi = max(lo, 12), min(hi, 48)
    if lo > hi:
        lo, hi = 18, 64
    c.exam = _dt.date(2014, 1, 1) + _dt.timedelta(days=rng.randint(0, 4200))
    if rng.random() < 0.04 and lo <= 1:
        c.age_y = 0
    else:
        c.age_y = rng.randint(lo, hi)
    c.birth = c.exam - _dt.timedelta(days=int(c.age_y * 365.25) + rng.randint(1, 360))
    days = (c.exam - c.birth).days
    c.age_y = int(days // 365.25)
    c.age_m = int((days - c.age_y * 365.25) // 30.44)
    c.child = c.age_y < 16
    c.sc = sc[0](rng, c)
    c.report = c.exam + _dt.timedelta(days=rng.choice((0, 0, 0, 0, 1, 1, 2, 3)))
    c.prior = c.exam - _dt.timedelta(days=rng.randint(20, 1600))
    c.accident = c.exam - _dt.timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 5, 12)))
    c.surgery = c.exam - _dt.timedelta(days=c.sc.get("days") or rng.randint(8, 200))
    # identifiers
    c.pid = _pid(rng, c.exam.year)
    c.acc = _acc(rng, c.exam)
    c.episode = _episode(rng)
    c.niss = _niss(c.birth, c.p["sex"], rng)
    # address / contact
    c.town = _town(rng)
    c.addr = _address(rng, c.town)
    c.ptel = _phone(rng, c.town[2], mobile=rng.random() < 0.6)
    c.pmail = _email_pers(rng, c.p)
    c.birthplace = rng.choice(_FOREIGN) if c.p["origin"] not in ("fr", "nl") and \
        rng.random() < 0.6 else _town(rng)[1][0]
    # institutions / staff
    c.inst = _inst(rng)
    c.rad = _person(rng, origin=rng.choices(_ORIGINS, (45, 30, 6, 2, 3, 3, 6, 3, 1, 1))[0])
    c.rad2 = _person(rng, origin=rng.choice(("fr", "nl", "it", "fr")))
    c.req = _person(rng, origin=rng.choices(_ORIGINS, (45, 25, 8, 3, 4, 3, 6, 3, 2, 1))[0])
    c.ortho = _person(rng)
    c.sec = _person(rng, sex="F" if rng.random() < 0.85 else "M")
    c.tech = _person(rng)
    c.nurse = _person(rng, sex="F" if rng.random() < 0.8 else "M")
    c.rel = _person(rng, last=c.p["last"] if rng.random() < 0.6 else None)
    c.mother = _person(rng, sex="F", last=c.p["last"] if rng.random() < 0.5 else None)
    c.rad_inami = _inami(rng)
    c.req_inami = _inami(rng)
    c.req_addr = _address(rng)
    c.req_tel = _phone(rng, c.req_addr["town"][2])
    return c


def _age_text(c, rng, style=None):
    y, m = c.age_y, c.age_m
    if y < 2:
        mo = y * 12 + m
        if mo < 1:
            return f"{rng.randint(3, 27)} jours"
        if y == 1 and rng.random() < 0.4:
            return f"1 an et {m} mois" if m else "1 an"
        return f"{max(mo, 1)} mois"
    if y < 6 and rng.random() < 0.5 and m:
        return f"{y} ans et {m} mois"
    if style is None:
        style = rng.choice(("ans", "ans", "ans", "a", "a", "A", "ans."))
    if style == "a":
        return f"{y} a" if rng.random() < 0.6 else f"{y}a"
    if style == "A":
        return f"{y} ANS" if rng.random() < 0.5 else f"{y}A"
    if style == "bare":
        return str(y)
    return f"{y} ans"


# ---------------------------------------------------------------------------
# shared blocks
# ---------------------------------------------------------------------------

def _letterhead(b, c, rng, full=True):
    A = b.add
    inst = c.inst
    if inst["net"] and rng.random() < 0.6:
        A(inst["net"], "INSTITUTION")
        A(rng.choice((" – ", " - ", "\n", " | ")))
    A(inst["name"] if rng.random() < 0.8 else inst["name"].upper(), "INSTITUTION")
    if rng.random() < 0.25:
        A(rng.choice((" – site ", ", site ", "\nSite ")))
        A(rng.choice(("Notre-Dame", "Jolimont", "Sainte-Anne", "Saint-Joseph",
                      "Les Bruyères", "Mont-Godinne", "Lobbes", "Vésale",
                      "Sainte-Élisabeth", "Saint-Rémi")), "INSTITUTION")
    b.nl()
    A(rng.choice(("Service d'Imagerie Médicale", "Service de Radiologie",
                  "Département d'imagerie médicale", "IMAGERIE MÉDICALE",
                  "Radiologie - Medische Beeldvorming",
                  "Service de radiologie et d'imagerie médicale",
                  "Dienst Radiologie / Service de Radiologie")))
    b.nl()
    if full or rng.random() < 0.6:
        A(_addr_str(inst["addr"], rng), "ADDRESS")
        b.nl()
    r = rng.random()
    A(rng.choice(("Tél. : ", "Tél : ", "T. ", "Tel. ", "Tél./Tel. : ", "Secrétariat : ")))
    A(inst["phone"], "PHONE")
    if r < 0.7:
        A(rng.choice((" – Fax : ", "  Fax ", " - F. ", "\nFax : ")))
        A(inst["fax"], "PHONE")
    b.nl()
    if rng.random() < 0.6:
        A(_url(rng, inst), "URL")
        if rng.random() < 0.5:
            A(rng.choice((" – ", " | ", "\n", "  ")))
            A(_email_inst(rng, inst), "EMAIL")
        b.nl()
    elif rng.random() < 0.5:
        A("E-mail : ")
        A(_email_inst(rng, inst), "EMAIL")
        b.nl()
    if rng.random() < 0.35:
        docs = [c.rad, c.rad2, _person(rng)]
        A(rng.choice(("Radiologues : ", "Médecins : ", "")))
        for i, d in enumerate(docs):
            if i:
                A(rng.choice((" – ", ", ", " - ", "\n")))
            A(_dr(rng))
            A(_name(d, rng, "iL" if rng.random() < 0.5 else "FL", False), "STAFF")
        b.nl()
    b.nl()


def _patient_line(b, c, rng, with_title=True, style=None):
    if with_title and not c.child:
        b.add(_title(c.p, rng))
    b.add(_name(c.p, rng, style), "PATIENT")


def _birth(b, c, rng, pre=None, style=None):
    if pre is None:
        pre = rng.choice(("né" + ("e" if c.p["sex"] == "F" else "") + " le ", "°", "° ",
                          "DN : ", "Date de naissance : ", "D.N. ", "geb. ",
                          "né(e) le ", "Né(e) le : "))
    b.add(pre)
    b.add(_fdate(c.birth, rng, style, birth=True), "BIRTHDATE")


def _sec_heads(rng, kind):
    h = {
        "ind": ("Indication", "Renseignements cliniques", "Motif", "INDICATION",
                "Motif de l'examen", "Clinique", "Histoire clinique"),
        "tech": ("Technique", "Incidences", "TECHNIQUE", "Examen"),
        "res": ("Résultat", "Protocole", "Description", "Constatations", "RÉSULTAT",
                "Résultats", "Rapport"),
        "concl": ("Conclusion", "CONCLUSION", "Conclusions", "En conclusion",
                  "Impression", "CONCLUSION "),
    }[kind]
    return rng.choice(h)


def _body(b, c, rng, style="std", compare=None):
    A = b.add
    sc = c.sc
    if compare is None:
        compare = rng.random() < 0.3
    colon = rng.choice((" : ", ": ", " :\n", ":\n", "\n"))
    upper_heads = rng.random() < 0.3
    for key in ("ind", "tech", "res", "concl"):
        if key == "tech" and rng.random() < 0.25:
            continue
        head = _sec_heads(rng, key)
        A((head.upper() if upper_heads else head) + colon)
        if key == "res" and compare:
            A(rng.choice(("Comparaison avec l'examen du ", "Comparatif : RX du ",
                          "Par rapport au cliché du ", "Comparaison : ")))
            A(_fdate(c.prior, rng), "DATE")
            if rng.random() < 0.3:
                A(rng.choice((" – ", " (", ", ")))
                A(_inst_name(rng), "INSTITUTION")
                A(")" if b.parts[-2] == " (" else "")
            A(". ")
        txt = sc[key]
        if key == "res" and rng.random() < 0.6:
            txt += " " + " ".join(rng.sample(_extras(c), rng.randint(1, 3)))
        A(txt)
        b.nl(rng.choice((1, 2)))


def _signature(b, c, rng, validated=True):
    A = b.add
    r = rng.random()
    if r < 0.3:
        A(rng.choice(("Dr ", "Docteur ", "Dr. ")))
        A(_name(c.rad, rng, rng.choice(("FL", "Fl", "iL")), False), "STAFF")
        A(rng.choice((" – INAMI ", " - INAMI : ", ", INAMI ", " – RIZIV ", "\nINAMI ")))
        A(c.rad_inami, "ID")
    elif r < 0.6:
        A(rng.choice(("Dr ", "")))
        A(_name(c.rad, rng, rng.choice(("FL", "Fl", "LF")), False), "STAFF")
        A(rng.choice(("\nRadiologue", "\nMédecin radiologue", ", radiologue",
                      "\nSpécialiste en radiodiagnostic")))
        if rng.random() < 0.6:
            A(rng.choice(("\nINAMI ", "\nN° INAMI : ", " (", "\nRIZIV-nr ")))
            A(c.rad_inami, "ID")
            if b.parts[-2] == " (":
                A(")")
    else:
        A(rng.choice(("Protocole rédigé par le ", "Lu et signé par ", "Radiologue : ",
                      "Signé : ")))
        A(_dr(rng))
        A(_name(c.rad, rng, None, False), "STAFF")
    b.nl()
    if validated:
        r = rng.random()
        if r < 0.5:
            A(rng.choice(("Validé électroniquement le ", "Signé électroniquement le ",
                          "Validé le ", "Validation : ")))
            A(_fdate(c.report, rng), "DATE")
            A(rng.choice((" à ", " - ", " ")))
            A(_time(rng))
            b.nl()
        elif r < 0.7:
            A(rng.choice(("Document validé par ", "Validé par ")))
            A(_login(c.rad, rng), "STAFF")
            A(" le ")
            A(_fdate(c.report, rng, "dmY"), "DATE")
            A(" " + _time(rng))
            b.nl()
    if rng.random() < 0.3:
        A(rng.choice(("Réf. : ", "", "Dact. ")))
        A(_typist(c.rad, c.sec, rng), "STAFF")
        b.nl()


def _cc(b, c, rng):
    A = b.add
    A(rng.choice(("Copie à : ", "Cc : ", "Copies : ", "Destinataires : ", "c.c. ")))
    people = [c.req, c.ortho, _person(rng)][:rng.randint(1, 3)]
    for i, p in enumerate(people):
        if i:
            A(rng.choice(("; ", ", ", " – ", "\n         ")))
        A(_dr(rng))
        A(_name(p, rng, None, False), "STAFF")
        if rng.random() < 0.3:
            A(rng.choice((" (MG)", " (médecin traitant)", " (orthopédie)", " (urgences)")))
    if rng.random() < 0.5:
        A("; dossier patient")
    b.nl()


# ---------------------------------------------------------------------------
# layouts
# ---------------------------------------------------------------------------

def _L01_classic(b, c, rng):
    A = b.add
    _letterhead(b, c, rng)
    A(rng.choice(("Patient : ", "Patient(e) : ", "Nom : ", "PATIENT : ")))
    _patient_line(b, c, rng)
    A(rng.choice(("    ", " – ", "\n", ", ")))
    _birth(b, c, rng)
    if rng.random() < 0.5:
        A(rng.choice((" (", " – ")))
        A(_age_text(c, rng, "bare" if b.parts[-1] == " (" and rng.random() < 0.4
                    and c.age_y >= 2 else None), "AGE")
        A(")" if b.parts[-2] == " (" else "")
    b.nl()
    A(rng.choice(("N° patient : ", "N° dossier : ", "NIP : ", "ID patient : ")))
    A(c.pid, "ID")
    A(rng.choice(("    N° examen : ", " – Accession : ", "\nN° de demande : ", "  Acc. ")))
    A(c.acc, "ID")
    b.nl()
    A(rng.choice(("Médecin demandeur : ", "Demandé par : ", "Prescripteur : ")))
    A(_dr(rng))
    A(_name(c.req, rng, None, False), "STAFF")
    b.nl()
    A(rng.choice(("Date de l'examen : ", "Date examen : ", "Examen du ", "Date : ")))
    A(_fdate(c.exam, rng), "DATE")
    b.nl(2)
    A(rng.choice(("RX ", "RADIOGRAPHIE ", "Radiographie - ", "")) + c.sc["region"])
    b.nl(2)
    _body(b, c, rng)
    b.nl()
    _signature(b, c, rng)
    if rng.random() < 0.3:
        _cc(b, c, rng)


def _L02_bilingual(b, c, rng):
    A = b.add
    _letterhead(b, c, rng, full=rng.random() < 0.5)
    sep = rng.choice((" : ", ": ", "\t", " "))
    A("NOM/NAAM" + sep)
    A(c.p["last"].upper(), "PATIENT")
    b.nl()
    A("Prénom/Voornaam" + sep)
    A(c.p["first"] if rng.random() < 0.7 else c.p["first"].upper(), "PATIENT")
    b.nl()
    A(rng.choice(("DN/GD", "Date naiss./Geboortedatum", "Né(e) le/Geboren op")) + sep)
    A(_fdate(c.birth, rng, rng.choice(("dmY", "d.m.Y", "d/m/y"))), "BIRTHDATE")
    if rng.random() < 0.5:
        A("   Sexe/Geslacht" + sep + ("F/V" if c.p["sex"] == "F" else "M"))
    b.nl()
    if rng.random() < 0.6:
        A("Adresse/Adres" + sep)
        A(_addr_str(c.addr, rng, force_sep=", "), "ADDRESS")
        b.nl()
    A(rng.choice(("NISS/INSZ", "N° nat./Rijksregisternr.", "NN/RR")) + sep)
    A(c.niss, "ID")
    b.nl()
    A("N° patient/Patiëntnr." + sep)
    A(c.pid, "ID")
    A("   Episode" + sep)
    A(c.episode, "ID")
    b.nl()
    A("Médecin prescripteur/Aanvragende arts" + sep)
    A(_dr(rng))
    A(_name(c.req, rng, None, False), "STAFF")
    b.nl()
    A("Date examen/Onderzoeksdatum" + sep)
    A(_fdate(c.exam, rng, rng.choice(("dmY", "d.m.Y"))), "DATE")
    b.nl(2)
    A(c.sc["region"])
    b.nl(2)
    _body(b, c, rng)
    b.nl()
    _signature(b, c, rng)


def _L03_pipe(b, c, rng):
    A = b.add
    A("| ")
    A(c.inst["name"], "INSTITUTION")
    A(" | Imagerie médicale | ")
    A(c.inst["phone"], "PHONE")
    A(" |")
    b.nl()
    A("|---|---|---|---|")
    b.nl()
    A("| Patient | ")
    A(_name(c.p, rng, rng.choice(("LF", "LFU", "L,F"))), "PATIENT")
    A(" | DN | ")
    A(_fdate(c.birth, rng, "dmY"), "BIRTHDATE")
    A(" |")
    b.nl()
    A("| Âge | ")
    A(_age_text(c, rng, rng.choice(("ans", "a"))), "AGE")
    A(" | Sexe | " + c.p["sex"] + " |")
    b.nl()
    A("| N° patient | ")
    A(c.pid, "ID")
    A(" | N° examen | ")
    A(c.acc, "ID")
    A(" |")
    b.nl()
    A("| Demandeur | Dr ")
    A(_name(c.req, rng, "iL", False), "STAFF")
    A(" | Date | ")
    A(_fdate(c.exam, rng, rng.choice(("dmY", "Y-m-d", "d.m.Y"))), "DATE")
    A(" |")
    b.nl()
    if rng.random() < 0.6:
        A("| Adresse | ")
        A(_addr_str(c.addr, rng, force_sep=", "), "ADDRESS")
        A(" | Tél | ")
        A(c.ptel, "PHONE")
        A(" |")
        b.nl()
    if rng.random() < 0.5:
        A("| Technologue | ")
        A(_name(c.tech, rng, rng.choice(("Fl", "iL", "f")), False), "STAFF")
        A(" | Salle | RX" + str(rng.randint(1, 6)) + " |")
        b.nl()
    b.nl()
    A("Examen : " + c.sc["region"].lower())
    b.nl(2)
    _body(b, c, rng)
    _signature(b, c, rng)


def _L04_tabs(b, c, rng):
    A = b.add
    A("PROTOCOLE D'IMAGERIE\t\t")
    A(c.inst["name"].upper() if rng.random() < 0.5 else c.inst["name"], "INSTITUTION")
    b.nl(2)
    A("Nom\t\t")
    A(c.p["last"].upper(), "PATIENT")
    A("\tPrénom\t")
    A(c.p["first"], "PATIENT")
    b.nl()
    A("Né(e) le\t" if rng.random() < 0.5 else "DDN\t\t")
    A(_fdate(c.birth, rng, rng.choice(("dmY", "d.m.Y", "d.m.y"))), "BIRTHDATE")
    A("\tÂge\t")
    A(_age_text(c, rng, "bare") if not c.child or c.age_y >= 2 else _age_text(c, rng), "AGE")
    b.nl()
    A("Dossier\t\t")
    A(c.pid, "ID")
    A("\tSéjour\t")
    A(c.episode, "ID")
    b.nl()
    A("Service\t\t" + rng.choice(("URG", "ORTHO", "GERIA", "CONS", "HOSP 4B", "PEDIA")))
    A("\tChambre\t")
    A(_room(rng), "ID")
    b.nl()
    A("Prescr.\t\t")
    A(_name(c.req, rng, "LF", False), "STAFF")
    A("\tINAMI\t")
    A(c.req_inami, "ID")
    b.nl()
    A("Date\t\t")
    A(_fdate(c.exam, rng, rng.choice(("dmY", "d.m.Y", "Y-m-d"))), "DATE")
    A("\tHeure\t" + _time(rng))
    b.nl(2)
    A(c.sc["region"])
    b.nl()
    _body(b, c, rng)
    A("Radiologue\t")
    A(_name(c.rad, rng, rng.choice(("LF", "iL")), False), "STAFF")
    b.nl()
    if rng.random() < 0.5:
        A("Dactylo\t\t")
        A(_typist(c.rad, c.sec, rng), "STAFF")
        A("\t")
        A(_fdate(c.report, rng, "d.m.Y"), "DATE")
        b.nl()


def _L05_urg_lower(b, c, rng):
    A = b.add
    b.lower = True
    A("urgences ")
    t = rng.random()
    if t < 0.5:
        A("de ")
        A(c.inst["town"][1][0], "CITY")
    else:
        A("- ")
        A(c.inst["name"], "INSTITUTION")
    A(" - " + _time(rng) + " - ")
    A(_fdate(c.exam, rng, rng.choice(("dmY", "d/m/y", "dm"))), "DATE")
    b.nl()
    A("pt: ")
    _patient_line(b, c, rng, with_title=False, style=rng.choice(("LF", "Fl", "low")))
    A(", ")
    A(_age_text(c, rng, "a"), "AGE")
    A(", ")
    _birth(b, c, rng, pre=rng.choice(("°", "dn ", "° ")), style=rng.choice(("dmY", "d.m.y", "d/m/y")))
    A(rng.choice((" box ", ", box ", " - box ")))
    A(str(rng.randint(1, 24)), "ID")
    b.nl()
    A(rng.choice(("vu par dr ", "md urg: dr ", "médecin: ")))
    A(_name(c.ortho, rng, rng.choice(("L", "iL", "Fl")), False), "STAFF")
    A(rng.choice((", inf: ", " / inf ", " - inf. ")))
    A(_name(c.nurse, rng, rng.choice(("f", "Fl", "il")), False), "STAFF")
    b.nl(2)
    A("anamnèse: " + c.sc["ind"].lower() + " ")
    A(rng.choice(("atcd: hta, dt2. ", "pas d'atcd notable. ", "atcd: ostéoporose, fa sous aod. ",
                  "atcd: rien. ", "allergies: 0. ")))
    if c.child:
        A("accompagné" + ("e" if c.p["sex"] == "F" else "") + " de sa maman ")
        A(_name(c.mother, rng, rng.choice(("Fl", "f")), False), "STAFF")
        A(" (")
        A(_phone(rng, mobile=True), "PHONE")
        A("). ")
    b.nl()
    A("ex clinique: douleur, tuméfaction, pas de trouble vasculo-nerveux distal.")
    b.nl()
    A("rx: " + c.sc["short"] + ". ")
    A(rng.choice(("protocole radio: ", "radiologue: ")) + c.sc["res"].lower())
    b.nl()
    A("cat: " + rng.choice(("attelle plâtrée, antalgiques, contrôle à j+10.",
                            "avis ortho, hospitalisation.", "immobilisation, consultation ortho à 1 semaine.",
                            "réduction sous sédation puis plâtre brachio-antébrachio-palmaire.")))
    b.nl()
    if rng.random() < 0.5:
        A("mt: dr ")
        A(_name(c.req, rng, "L", False), "STAFF")
        A(" (")
        A(_town_name(c.req_addr["town"], rng), "CITY")
        A(")")
        b.nl()
    A(rng.choice(("user: ", "encodé par ")))
    A(_login(c.ortho, rng), "STAFF")
    b.nl()


def _L06_urg_short(b, c, rng):
    A = b.add
    A(rng.choice(("SERVICE DES URGENCES", "Urgences", "SU", "URGENCES - SMUR")))
    A(rng.choice((" – ", " ", "\n")))
    A(c.inst["name"], "INSTITUTION")
    b.nl()
    A(rng.choice(("Pt ", "pt ", "Patient ")))
    A(_name(c.p, rng, rng.choice(("LF", "iL", "Li", "init"))), "PATIENT")
    A(" ")
    A(_age_text(c, rng, "a"), "AGE")
    A(" " + c.p["sex"])
    A(" – adm. ")
    A(_fdate(c.exam, rng, rng.choice(("dm", "dmY", "d.m.y"))), "DATE")
    A(" " + _time(rng))
    A(" – SAP ")
    A(c.episode, "ID")
    b.nl()
    A("Ambulance de ")
    A(_town_name(c.town, rng), "CITY")
    A(rng.choice((" (112)", "", " SMUR")) + ". ")
    A(c.sc["ind"])
    b.nl()
    A("RX " + c.sc["region"].lower() + " : " + c.sc["short"])
    b.nl()
    A("Lecture radiologue : " + c.sc["concl"])
    b.nl()
    A("Résultat détaillé : " + c.sc["res"])
    b.nl()
    A(rng.choice(("Pas de TC, pas de PC. ", "GCS 15. ", "Paramètres stables. ")))
    A(rng.choice(("Tétanos à jour. ", "Vaccin tétanos fait. ", "")))
    A("Antalgie : paracétamol 1 g IV, " + rng.choice(("tramadol 50 mg.", "piritramide 2 mg.",
                                                      "ibuprofène 400 mg.")))
    b.nl()
    A("Famille prévenue : ")
    A(_rel_word(c.rel, rng))
    A(_name(c.rel, rng, rng.choice(("FL", "Fl", "f")), False), "STAFF")
    A(" ")
    A(_phone(rng, mobile=True), "PHONE")
    b.nl()
    A("Urgentiste : Dr ")
    A(_name(c.ortho, rng, "L", False), "STAFF")
    A(rng.choice((" / ", " - ")))
    A(_typist(c.ortho, c.nurse, rng), "STAFF")
    b.nl()


def _L07_nursing(b, c, rng):
    A = b.add
    home = _home_name(rng)
    A(rng.choice(("Transfert de la ", "TRANSFERT - ", "Patient(e) transféré(e) de la ",
                  "Fiche de liaison – ")))
    A(home, "INSTITUTION")
    A(rng.choice((" vers ", " → ", " – destination : ")))
    A(c.inst["name"], "INSTITUTION")
    b.nl()
    A(rng.choice(("Résident(e) : ", "Nom du résident : ", "Résident : ")))
    _patient_line(b, c, rng)
    A(", ")
    _birth(b, c, rng)
    A(", ")
    A(_age_text(c, rng), "AGE")
    b.nl()
    A("Chambre ")
    A(_room(rng), "ID")
    if rng.random() < 0.6:
        A(rng.choice((", lit ", " lit ", " – lit ")))
        A(_bed(rng), "ID")
    A(" – ")
    A(_addr_str(_address(rng, c.town), rng, force_sep=", "), "ADDRESS")
    b.nl()
    A("Domicilié" + ("e" if c.p["sex"] == "F" else "") + " auparavant à ")
    A(_town_name(_town(rng), rng), "CITY")
    A(". Personne de contact : ")
    A(_rel_word(c.rel, rng))
    A(_name(c.rel, rng, rng.choice(("FL", "Fl")), False), "STAFF")
    A(rng.choice((" – GSM ", " tél. ", ", ")))
    A(_phone(rng, mobile=True), "PHONE")
    b.nl()
    A("Infirmière de référence : " if c.nurse["sex"] == "F" else "Infirmier de référence : ")
    A(_name(c.nurse, rng, rng.choice(("Fl", "f", "iL")), False), "STAFF")
    A(" (")
    A(_phone(rng, c.town[2]), "PHONE")
    A(")")
    b.nl()
    A("Médecin coordinateur : Dr ")
    A(_name(c.req, rng, None, False), "STAFF")
    b.nl(2)
    A(rng.choice(("Motif : ", "Circonstances : ")))
    A(rng.choice(("chute nocturne en se rendant aux toilettes, retrouvée au sol par l'équipe de nuit. ",
                  "chute dans sa chambre, pas de témoin. ", "glissade dans la salle de bain. ")))
    A(c.sc["ind"])
    b.nl(2)
    A("Radiographie réalisée le ")
    A(_fdate(c.exam, rng), "DATE")
    A(" :")
    b.nl()
    A(c.sc["res"])
    b.nl()
    A("Conclusion : " + c.sc["concl"])
    b.nl(2)
    _signature(b, c, rng)


def _L08_gp_letter(b, c, rng):
    A = b.add
    _letterhead(b, c, rng, full=rng.random() < 0.6)
    A(rng.choice(("Docteur ", "Dr ", "Au Docteur ")))
    A(_name(c.req, rng, rng.choice(("FL", "Fl", "iL")), False), "STAFF")
    b.nl()
    A(_addr_str(c.req_addr, rng, force_sep="\n"), "ADDRESS")
    b.nl(2)
    A(rng.choice(("Fait à ", "")))
    if b.parts[-1].startswith("Fait") or b.parts[-1].startswith("fait"):
        A(c.inst["town"][1][0], "CITY")
        A(", le ")
    else:
        A(c.inst["town"][1][0], "CITY")
        A(rng.choice((", le ", ", ")))
    A(_fdate(c.report, rng, rng.choice(("long", "dmY", "wlong"))), "DATE")
    b.nl(2)
    A(rng.choice(("Concerne : ", "Objet : ", "Réf. : ")))
    A(rng.choice(("votre patient" + ("e " if c.p["sex"] == "F" else " "), "")))
    _patient_line(b, c, rng, style=rng.choice(("FL", "Fl", "LF")))
    A(", ")
    _birth(b, c, rng)
    if rng.random() < 0.6:
        A(rng.choice((", domicilié" + ("e" if c.p["sex"] == "F" else "") + " ",
                      ", demeurant ")))
        A(_addr_str(c.addr, rng, force_sep=", "), "ADDRESS")
    b.nl(2)
    A(rng.choice(("Chère Consoeur,", "Chère Collègue,", "Chère Consoeur, Cher Confrère,"))
      if c.req["sex"] == "F" else rng.choice(("Cher Confrère,", "Cher Collègue,", "Cher Ami,")))
    b.nl(2)
    A("Nous avons vu en date du ")
    A(_fdate(c.exam, rng), "DATE")
    A(" votre patient" + ("e" if c.p["sex"] == "F" else "") + ", âgé" +
      ("e" if c.p["sex"] == "F" else "") + " de ")
    A(_age_text(c, rng, "ans"), "AGE")
    A(", pour une radiographie. " + c.sc["ind"])
    b.nl(2)
    A(c.sc["tech"] + " " + c.sc["res"])
    b.nl(2)
    A("En conclusion : " + c.sc["concl"])
    b.nl(2)
    A(rng.choice(("Je vous prie d'agréer, " + ("chère Consoeur" if c.req["sex"] == "F" else "cher Confrère")
                  + ", l'expression de mes sentiments confraternels.",
                  "Confraternellement,", "Bien à vous,", "Avec mes salutations confraternelles,")))
    b.nl(2)
    _signature(b, c, rng, validated=rng.random() < 0.5)
    if rng.random() < 0.5:
        _cc(b, c, rng)


def _L09_cc_protocol(b, c, rng):
    A = b.add
    A(rng.choice(("PROTOCOLE RADIOLOGIQUE", "Compte rendu d'imagerie", "RAPPORT RX")))
    A(" – ")
    A(c.inst["name"], "INSTITUTION")
    b.nl(2)
    A("Destinataires :")
    b.nl()
    for p, role in ((c.req, "médecin traitant"), (c.ortho, "chirurgien orthopédiste"),
                    (_person(rng), "kinésithérapeute")):
        if rng.random() < 0.8:
            A("  - " + ("Dr " if role != "kinésithérapeute" else "M./Mme "))
            A(_name(p, rng, None, False), "STAFF")
            A(" (" + role + ")")
            if rng.random() < 0.35:
                A(", ")
                A(_email_inst(rng, c.inst, p) if role != "médecin traitant" else
                  _email_pers(rng, p), "EMAIL")
            b.nl()
    b.nl()
    A(rng.choice(("Pour : ", "Patient : ")))
    _patient_line(b, c, rng)
    A(rng.choice((" (", " – ")))
    A(_age_text(c, rng), "AGE")
    A(")" if b.parts[-2] == " (" else "")
    A(", ")
    _birth(b, c, rng)
    b.nl()
    A("NISS : ")
    A(c.niss, "ID")
    A(" – Réf. : ")
    A(c.acc, "ID")
    b.nl()
    A("Examen réalisé le ")
    A(_fdate(c.exam, rng), "DATE")
    A(" par ")
    A(_name(c.tech, rng, rng.choice(("Fl", "iL", "f")), False), "STAFF")
    A(" (technologue)")
    b.nl(2)
    _body(b, c, rng)
    _signature(b, c, rng)


def _L10_dicom(b, c, rng):
    A = b.add
    kv = rng.choice((": ", " = ", "\t"))
    A("(0008,0080) InstitutionName" + kv)
    A(c.inst["name"].upper(), "INSTITUTION")
    b.nl()
    A("(0010,0010) PatientName" + kv)
    A(_name(c.p, rng, "dicom"), "PATIENT")
    b.nl()
    A("(0010,0020) PatientID" + kv)
    A(c.pid, "ID")
    b.nl()
    A("(0010,0030) PatientBirthDate" + kv)
    A(_fdate(c.birth, rng, "compact"), "BIRTHDATE")
    b.nl()
    A("(0010,1010) PatientAge" + kv)
    A(f"{c.age_y:03d}Y" if c.age_y >= 2 else f"{c.age_y * 12 + c.age_m:03d}M", "AGE")
    b.nl()
    A("(0008,0020) StudyDate" + kv)
    A(_fdate(c.exam, rng, "compact"), "DATE")
    b.nl()
    A("(0008,0050) AccessionNumber" + kv)
    A(c.acc, "ID")
    b.nl()
    A("(0008,0090) ReferringPhysicianName" + kv)
    A(_name(c.req, rng, "dicom", False), "STAFF")
    b.nl()
    A("(0008,1030) StudyDescription" + kv + "RX " + c.sc["region"])
    b.nl()
    if rng.random() < 0.5:
        A("(0008,1070) OperatorsName" + kv)
        A(_name(c.tech, rng, "dicom", False), "STAFF")
        b.nl()
    b.nl()
    A("--- Rapport associé ---")
    b.nl()
    _body(b, c, rng, compare=False)
    A("Radiologue : ")
    A(_name(c.rad, rng, "LF", False), "STAFF")
    A(" – ")
    A(_fdate(c.report, rng, "dmY"), "DATE")
    b.nl()


def _L11_pediatric(b, c, rng):
    A = b.add
    _letterhead(b, c, rng, full=rng.random() < 0.5)
    A(rng.choice(("Imagerie pédiatrique", "RADIOLOGIE PÉDIATRIQUE", "Pédiatrie – Rx")))
    b.nl(2)
    A(rng.choice(("Enfant : ", "Patient : ", "Nom de l'enfant : ")))
    _patient_line(b, c, rng, with_title=False, style=rng.choice(("FL", "LF", "Fl")))
    b.nl()
    _birth(b, c, rng, pre=rng.choice(("Né" + ("e" if c.p["sex"] == "F" else "") + " le ",
                                       "DN : ", "°")))
    A(rng.choice((" – âge : ", ", ", " (")))
    A(_age_text(c, rng), "AGE")
    A(")" if b.parts[-2] == " (" else "")
    b.nl()
    A("Parent(s) : ")
    A(_rel_word(c.mother, rng, "parent"))
    A(_name(c.mother, rng, rng.choice(("FL", "Fl")), False), "STAFF")
    if rng.random() < 0.5:
        A(", papa ")
        A(_name(_person(rng, sex="M", last=c.p["last"]), rng, "Fl", False), "STAFF")
    A(" – GSM ")
    A(_phone(rng, mobile=True), "PHONE")
    b.nl()
    if rng.random() < 0.7:
        tn = c.town[1][0]
        A(rng.choice(("Élève à l'", "Scolarisé" + ("e" if c.p["sex"] == "F" else "") + " : ",
                      "École : ")))
        A(_school(rng, tn), "INSTITUTION")
        if c.sc.get("region", "").startswith("GENOU") or rng.random() < 0.4:
            A(rng.choice(("; pratique le football au ", "; club : ", "; licencié au ")))
            A(_club(rng, tn), "INSTITUTION")
        b.nl()
    A("Pédiatre : Dr ")
    A(_name(c.req, rng, None, False), "STAFF")
    A(rng.choice((" – ", ", ")))
    A(_mm_name(rng) if rng.random() < 0.3 else c.inst["name"], "INSTITUTION")
    b.nl()
    A("Date : ")
    A(_fdate(c.exam, rng), "DATE")
    A("   N° : ")
    A(c.pid, "ID")
    b.nl(2)
    _body(b, c, rng)
    _signature(b, c, rng)


def _L12_sport(b, c, rng):
    A = b.add
    tn = _town_name(c.town, rng, nl_ok=False)
    club = _club(rng, tn)
    _letterhead(b, c, rng, full=False)
    A("Médecine du sport – bilan radiologique")
    b.nl(2)
    A("Sportif : ")
    _patient_line(b, c, rng)
    A(", ")
    A(_age_text(c, rng), "AGE")
    A(rng.choice((", joueur au ", ", licencié au ", " – club : ", ", membre du ")))
    A(club, "INSTITUTION")
    b.nl()
    A("Accident survenu le ")
    A(_fdate(c.accident, rng), "DATE")
    A(rng.choice((" lors du match contre le ", " à l'entraînement (terrain de ", " au tournoi de ")))
    if b.parts[-1].endswith("le "):
        A(_club(rng, _town(rng)[1][0]), "INSTITUTION")
    else:
        A(_town(rng)[1][0], "CITY")
        A(")" if b.parts[-2].endswith("(terrain de ") else "")
    A(". ")
    A(rng.choice(("Entraîneur : ", "Vu sur le terrain par le kiné du club, ", "Coach : ")))
    A(_name(_person(rng), rng, rng.choice(("FL", "Fl", "f")), False), "STAFF")
    A(".")
    b.nl()
    A("Déclaration d'accident n° ")
    A(_digits(rng, 2) + "/" + _digits(rng, 6), "ID")
    b.nl(2)
    _body(b, c, rng)
    A("Reprise du sport à discuter " + rng.choice(("à 6 semaines", "après consolidation",
                                                   "dans 3 mois", "après contrôle à J+21")) + ".")
    b.nl(2)
    _signature(b, c, rng)


def _L13_work(b, c, rng):
    A = b.add
    tn = _town_name(_town(rng), rng, nl_ok=False)
    emp = _employer(rng, tn)
    _letterhead(b, c, rng)
    A(rng.choice(("ACCIDENT DE TRAVAIL", "Accident du travail – rapport radiologique",
                  "AT / Arbeidsongeval")))
    b.nl(2)
    A("Victime : ")
    _patient_line(b, c, rng)
    A(" (")
    A(_age_text(c, rng), "AGE")
    A("), ")
    _birth(b, c, rng)
    b.nl()
    A("Employeur : ")
    A(emp, "INSTITUTION")
    if rng.random() < 0.5:
        A(", ")
        A(_addr_str(_address(rng), rng, force_sep=", "), "ADDRESS")
    b.nl()
    A("Date de l'accident : ")
    A(_fdate(c.accident, rng), "DATE")
    A(" – lieu : ")
    A(tn, "CITY")
    b.nl()
    A(rng.choice(("Assureur-loi réf. : ", "N° sinistre : ", "Dossier AT n° ")))
    A(rng.choice(("AT", "S", "")) + _digits(rng, 8), "ID")
    b.nl()
    A("Médecin du travail : Dr ")
    A(_name(c.req, rng, None, False), "STAFF")
    A(", tél. ")
    A(c.req_tel, "PHONE")
    b.nl(2)
    A("Circonstances : " + rng.choice(("chute d'un échafaudage. ", "écrasement par une palette. ",
                                       "glissade sur un sol mouillé. ", "chute dans un escalier de service. ")))
    A(c.sc["ind"])
    b.nl(2)
    _body(b, c, rng)
    A("Incapacité de travail : " + rng.choice(("100 % jusqu'au contrôle.", "à évaluer.", "3 semaines.")))
    b.nl(2)
    _signature(b, c, rng)


def _L14_followup(b, c, rng):
    A = b.add
    sc = _sc_osteo(rng, c) if rng.random() < 0.7 else c.sc
    if sc.get("days"):
        c.surgery = c.exam - _dt.timedelta(days=sc["days"])
    _letterhead(b, c, rng, full=rng.random() < 0.5)
    A("Consultation d'orthopédie – Dr ")
    A(_name(c.ortho, rng, None, False), "STAFF")
    b.nl()
    A(rng.choice(("Patient : ", "")))
    _patient_line(b, c, rng)
    A(rng.choice((" – ", ", ")))
    _birth(b, c, rng)
    A(rng.choice((" – dossier ", ", NIP ")))
    A(c.pid, "ID")
    b.nl(2)
    A("Opéré" + ("e" if c.p["sex"] == "F" else "") + " le ")
    A(_fdate(c.surgery, rng), "DATE")
    A(rng.choice((" par le Dr ", " (opérateur : Dr ")))
    A(_name(c.ortho, rng, "L", False), "STAFF")
    A(")" if b.parts[-2].endswith("Dr ") and "(" in b.parts[-2] else "")
    A(rng.choice((" au ", " à la ", " – ")))
    A(_inst_name(rng) if rng.random() < 0.4 else c.inst["name"], "INSTITUTION")
    A(". ")
    A(sc["ind"])
    b.nl()
    A(rng.choice(("RX de contrôle du ", "Cliché de contrôle réalisé le ", "Radiographies du ")))
    A(_fdate(c.exam, rng), "DATE")
    A(" :")
    b.nl()
    A(sc["res"] + " " + rng.choice(_extras(c)))
    b.nl()
    A("Comparatif avec le cliché post-opératoire immédiat du ")
    A(_fdate(c.surgery + _dt.timedelta(days=1 if c.exam > c.surgery + _dt.timedelta(days=1) else 0), rng), "DATE")
    A(" : pas de modification de la position du matériel.")
    b.nl(2)
    A("Conclusion : " + sc["concl"])
    b.nl()
    A("Prochain contrôle " + rng.choice(("à 6 semaines", "dans 3 mois", "à 1 an", "le ")))
    if b.parts[-1].endswith("le "):
        A(_fdate(c.exam + _dt.timedelta(days=rng.randint(30, 120)), rng), "DATE")
    A(". Kiné : ")
    A(_name(_person(rng), rng, rng.choice(("FL", "Fl")), False), "STAFF")
    A(rng.choice((" (", ", tél. ")))
    A(_phone(rng, c.town[2], mobile=rng.random() < 0.5), "PHONE")
    A(")" if b.parts[-2] == " (" else "")
    b.nl(2)
    _signature(b, c, rng, validated=rng.random() < 0.5)


def _L15_comparative(b, c, rng):
    A = b.add
    _letterhead(b, c, rng)
    A(rng.choice(("Nom : ", "Patient : ")))
    _patient_line(b, c, rng)
    A("  ")
    _birth(b, c, rng)
    A("  ")
    A(rng.choice(("âge : ", "Âge : ")))
    A(str(c.age_y) if c.age_y >= 1 else _age_text(c, rng), "AGE")
    b.nl()
    A("Date : ")
    A(_fdate(c.exam, rng), "DATE")
    A(" – N° : ")
    A(c.acc, "ID")
    b.nl(2)
    A("Examens antérieurs disponibles :")
    b.nl()
    prev = sorted({c.prior, c.prior - _dt.timedelta(days=rng.randint(40, 900))}, reverse=True)
    for d in prev:
        A("- RX du ")
        A(_fdate(d, rng, rng.choice(("dmY", "d.m.Y", "long", "mY"))), "DATE")
        if rng.random() < 0.5:
            A(" (")
            A(_inst_name(rng), "INSTITUTION")
            A(")")
        A(rng.choice((" : sans particularité.", " : fracture en cours de consolidation.",
                      " : arthrose débutante.", "")))
        b.nl()
    b.nl()
    _body(b, c, rng, compare=True)
    A("Évolution par rapport à l'examen de " +
      rng.choice(("référence", "l'an dernier", "il y a 3 semaines", "J+10")) + " : " +
      rng.choice(("stable.", "aggravation modérée.", "amélioration nette.")))
    b.nl(2)
    _signature(b, c, rng)


def _L16_email(b, c, rng):
    A = b.add
    A("De : ")
    A(_email_inst(rng, c.inst), "EMAIL")
    b.nl()
    A("À : ")
    A(_email_pers(rng, c.req) if rng.random() < 0.5 else _email_inst(rng, _inst(rng), c.req), "EMAIL")
    b.nl()
    A("Envoyé : ")
    A(_fdate(c.report, rng, "wlong"), "DATE")
    A(" " + _time(rng))
    b.nl()
    A("Objet : Résultat RX – ")
    A(_name(c.p, rng, rng.choice(("LF", "LFU", "Li"))), "PATIENT")
    A(" (°")
    A(_fdate(c.birth, rng, rng.choice(("dmY", "d.m.Y"))), "BIRTHDATE")
    A(")")
    b.nl(2)
    A(rng.choice(("Bonjour Docteur ", "Cher Docteur ", "Chère Consoeur, Cher Confrère, Dr ")))
    A(_name(c.req, rng, "L", False), "STAFF")
    A(",")
    b.nl(2)
    A("Veuillez trouver ci-dessous le protocole de l'examen réalisé le ")
    A(_fdate(c.exam, rng), "DATE")
    A(" chez votre patient" + ("e" if c.p["sex"] == "F" else "") + " (")
    A(_age_text(c, rng), "AGE")
    A(").")
    b.nl(2)
    _body(b, c, rng)
    A("Les images sont consultables sur ")
    A(_url(rng, c.inst), "URL")
    A(" avec le code d'accès ")
    A(_digits(rng, 4) + "-" + _digits(rng, 4), "ID")
    A(".")
    b.nl(2)
    A("Cordialement,")
    b.nl()
    A(_name(c.sec, rng, rng.choice(("Fl", "FL")), False), "STAFF")
    b.nl()
    A("Secrétariat d'imagerie – ")
    A(c.inst["name"], "INSTITUTION")
    b.nl()
    A("Tél. ")
    A(c.inst["phone"], "PHONE")
    b.nl()
    A("Ce message est confidentiel et destiné exclusivement à son destinataire.")
    b.nl()


def _L17_portal(b, c, rng):
    A = b.add
    A(_url(rng, c.inst), "URL")
    A(rng.choice(("  –  Portail patient", " | Mes résultats", "   Page 1/1")))
    b.nl()
    A("Imprimé le ")
    A(_fdate(c.report + _dt.timedelta(days=rng.randint(0, 20)), rng, "dmY"), "DATE")
    A(" " + _time(rng) + " par ")
    A(_login(c.sec, rng), "STAFF")
    b.nl(2)
    A("*")
    A(c.acc, "ID")
    A("*")
    b.nl()
    A(c.inst["name"], "INSTITUTION")
    b.nl()
    A("Patient : ")
    A(_name(c.p, rng, rng.choice(("LF", "LFU", "L,F"))), "PATIENT")
    A(rng.choice((" | ", "   ")))
    A(rng.choice(("Sexe : ", "")) + c.p["sex"] + rng.choice((" | ", "   ")))
    _birth(b, c, rng, pre="Né(e) le : ")
    b.nl()
    A("Adresse : ")
    A(_addr_str(c.addr, rng), "ADDRESS")
    b.nl()
    A("Contact : ")
    A(c.ptel, "PHONE")
    A(" – ")
    A(c.pmail, "EMAIL")
    b.nl()
    A("Prescripteur : ")
    A(_name(c.req, rng, "LF", False), "STAFF")
    A(" – INAMI ")
    A(c.req_inami, "ID")
    b.nl(2)
    A("Examen : " + c.sc["region"] + " – ")
    A(_fdate(c.exam, rng, "dmY"), "DATE")
    b.nl()
    _body(b, c, rng)
    _signature(b, c, rng)
    A("Document généré automatiquement – ne pas répondre.")
    b.nl()


def _L18_dictation(b, c, rng):
    A = b.add
    A(rng.choice(("[Dictée ", "DICTÉE N° ", "Dictaphone – job ")))
    A(_digits(rng, 6), "ID")
    A(rng.choice(("] ", " – ", " ")))
    A("dicté le ")
    A(_fdate(c.exam, rng, rng.choice(("dmY", "d.m.Y"))), "DATE")
    A(" " + _time(rng) + " par ")
    A(_login(c.rad, rng), "STAFF")
    A(", retranscrit le ")
    A(_fdate(c.report, rng, rng.choice(("dmY", "d.m.Y"))), "DATE")
    A(" par ")
    A(_name(c.sec, rng, rng.choice(("f", "Fl", "iL")), False), "STAFF")
    b.nl(2)
    A(rng.choice(("Radiographie ", "Rx ", "Examen ")) +
      ("de la patiente " if c.p["sex"] == "F" else "du patient "))
    _patient_line(b, c, rng, with_title=False)
    A(" ")
    _birth(b, c, rng, pre=rng.choice(("né" + ("e" if c.p["sex"] == "F" else "") + " le ", "°")))
    A(", adressé" + ("e" if c.p["sex"] == "F" else "") + " par le docteur ")
    A(_name(c.req, rng, None, False), "STAFF")
    A(rng.choice((" de ", " à ")))
    A(_town_name(c.req_addr["town"], rng), "CITY")
    A(". ")
    A(c.sc["ind"] + " ")
    A(c.sc["tech"])
    b.nl(2)
    A(c.sc["res"] + " " + " ".join(rng.sample(_extras(c), 2)))
    b.nl(2)
    A("Conclusion " + rng.choice(("deux points ", ": ", "")) + c.sc["concl"])
    b.nl(2)
    A(_typist(c.rad, c.sec, rng), "STAFF")
    b.nl()


def _L19_nl_fr(b, c, rng):
    A = b.add
    A(c.inst["name"], "INSTITUTION")
    A(" – Dienst Medische Beeldvorming / Service d'imagerie")
    b.nl()
    A(_addr_str(c.inst["addr"], rng), "ADDRESS")
    A(" – ")
    A(c.inst["phone"], "PHONE")
    b.nl(2)
    A("VERSLAG RADIOLOGIE / PROTOCOLE")
    b.nl()
    A("Patiënt : ")
    _patient_line(b, c, rng, with_title=False, style=rng.choice(("LF", "LFU")))
    b.nl()
    A("Geboortedatum / Date de naissance : ")
    A(_fdate(c.birth, rng, rng.choice(("dmY", "d.m.Y", "nl"))), "BIRTHDATE")
    A(" (")
    A(f"{c.age_y} j" if rng.random() < 0.4 and c.age_y >= 2 else _age_text(c, rng), "AGE")
    A(")")
    b.nl()
    A("Adres : ")
    A(_addr_str(c.addr, rng), "ADDRESS")
    b.nl()
    A("Rijksregisternummer : ")
    A(c.niss, "ID")
    b.nl()
    A("Aanvrager / Demandeur : dr. ")
    A(_name(c.req, rng, None, False), "STAFF")
    b.nl()
    A("Onderzoeksdatum : ")
    A(_fdate(c.exam, rng, rng.choice(("nl", "dmY", "d.m.Y"))), "DATE")
    A(" – Kamer/Chambre ")
    A(_room(rng), "ID")
    b.nl(2)
    A("Onderzoek : RX " + c.sc["region"].lower())
    b.nl(2)
    _body(b, c, rng)
    A("Met collegiale groeten / Salutations confraternelles,")
    b.nl()
    A("dr. ")
    A(_name(c.rad, rng, rng.choice(("FL", "Fl")), False), "STAFF")
    A(" – RIZIV ")
    A(c.rad_inami, "ID")
    b.nl()
    A("Gevalideerd op / Validé le ")
    A(_fdate(c.report, rng, rng.choice(("nl", "dmY"))), "DATE")
    b.nl()


def _L20_consult(b, c, rng):
    A = b.add
    A(rng.choice(("Consultation ", "CONSULTATION ")) +
      rng.choice(("d'orthopédie", "de traumatologie", "de rhumatologie", "de médecine physique")))
    A(" – ")
    A(c.inst["name"], "INSTITUTION")
    b.nl()
    A("Date : ")
    A(_fdate(c.exam, rng), "DATE")
    A(" – Médecin : Dr ")
    A(_name(c.ortho, rng, None, False), "STAFF")
    b.nl(2)
    _patient_line(b, c, rng)
    A(", ")
    A(_age_text(c, rng), "AGE")
    A(rng.choice((", connu" + ("e" if c.p["sex"] == "F" else "") + " pour ",
                  ", antécédents : ")))
    A(rng.choice(("HTA et diabète de type 2.", "ostéoporose sous dénosumab.",
                  "aucun antécédent notable.", "PTG controlatérale en 2019.")) + " ")
    if rng.random() < 0.5:
        A("Travaille comme " + rng.choice(("magasinier", "infirmière", "ouvrier", "employé")) + " chez ")
        A(_employer(rng, c.town[1][0]), "INSTITUTION")
        A(". ")
    A("Adressé" + ("e" if c.p["sex"] == "F" else "") + " par le Dr ")
    A(_name(c.req, rng, None, False), "STAFF")
    A(rng.choice((" (", ", ")))
    A(_mm_name(rng), "INSTITUTION")
    A(")." if b.parts[-2] == " (" else ".")
    b.nl(2)
    A("Plainte : " + c.sc["ind"])
    b.nl()
    A("Examen : " + rng.choice(("douleur à la palpation, mobilité limitée.",
                                "pas de déficit neurologique, pouls distaux perçus.",
                                "tuméfaction et hématome, testing limité par la douleur.")))
    b.nl()
    A("RX faite ce jour : " + c.sc["res"])
    b.nl()
    A("Avis radiologique (Dr ")
    A(_name(c.rad, rng, "L", False), "STAFF")
    A(") : " + c.sc["concl"])
    b.nl(2)
    A("Attitude : " + rng.choice(("traitement conservateur, botte de marche 6 semaines.",
                                  "programmation d'une ostéosynthèse le ", "infiltration, kiné.",
                                  "réévaluation à J+10 avec nouveau cliché.")))
    if b.parts[-1].endswith("le "):
        A(_fdate(c.exam + _dt.timedelta(days=rng.randint(1, 10)), rng,
                 rng.choice(("dmonth", "dm", "wlong"))), "DATE")
        A(".")
    b.nl(2)
    _cc(b, c, rng)


def _L21_addendum(b, c, rng):
    A = b.add
    _L01_classic(b, c, rng)
    b.nl()
    A(rng.choice(("ADDENDUM du ", "Addendum – ", "Complément du ")))
    A(_fdate(c.report + _dt.timedelta(days=rng.randint(0, 5)), rng), "DATE")
    A(" : ")
    A(rng.choice(("après relecture avec le Dr ", "après discussion avec le Dr ",
                  "suite à l'appel du Dr ")))
    A(_name(c.rad2, rng, None, False), "STAFF")
    A(", ")
    A(rng.choice(("un petit arrachement osseux supplémentaire est noté.",
                  "la conclusion est maintenue.",
                  "un complément par scanner est recommandé.",
                  "le trait de fracture est confirmé sur les incidences complémentaires.")))
    b.nl()
    A("Appel téléphonique au médecin demandeur à " + _time(rng) + " (")
    A(c.req_tel, "PHONE")
    A(").")
    b.nl()


def _L22_homecare(b, c, rng):
    A = b.add
    mm = _mm_name(rng)
    A(mm, "INSTITUTION")
    b.nl()
    A(_addr_str(_address(rng, c.town), rng), "ADDRESS")
    b.nl()
    A("Tél. ")
    A(_phone(rng, c.town[2]), "PHONE")
    if rng.random() < 0.5:
        A(" – ")
        A("mm." + _slug(mm.split(" ", 2)[-1], "") + rng.choice(("@gmail.com", "@skynet.be",
                                                               "@mmsante.be")), "EMAIL")
    b.nl(2)
    A("DEMANDE D'EXAMEN RADIOLOGIQUE")
    b.nl()
    A("à l'attention du service de radiologie – ")
    A(c.inst["name"], "INSTITUTION")
    b.nl(2)
    A("Patient" + ("e" if c.p["sex"] == "F" else "") + " : ")
    _patient_line(b, c, rng)
    b.nl()
    _birth(b, c, rng, pre="Date de naissance : ")
    A(" – ")
    A(_age_text(c, rng), "AGE")
    b.nl()
    A("Domicile : ")
    A(_addr_str(c.addr, rng), "ADDRESS")
    b.nl()
    A("GSM : ")
    A(c.ptel, "PHONE")
    b.nl()
    A("Suivi par l'infirmière à domicile ")
    A(_name(c.nurse, rng, rng.choice(("FL", "Fl")), False), "STAFF")
    A(rng.choice((" (", " – ")))
    A(_phone(rng, mobile=True), "PHONE")
    A(")" if b.parts[-2] == " (" else "")
    A(".")
    b.nl(2)
    A("Renseignements cliniques : " + c.sc["ind"])
    b.nl()
    A("Examen demandé : " + c.sc["region"].lower() + ".")
    b.nl()
    A("Dr ")
    A(_name(c.req, rng, None, False), "STAFF")
    A(", INAMI ")
    A(c.req_inami, "ID")
    A(", le ")
    A(_fdate(c.exam - _dt.timedelta(days=rng.randint(0, 4)), rng), "DATE")
    b.nl(2)
    A("--- Réponse du radiologue ---")
    b.nl()
    A(c.sc["res"])
    b.nl()
    A("Conclusion : " + c.sc["concl"])
    b.nl()
    _signature(b, c, rng)


def _L23_fax(b, c, rng):
    A = b.add
    A("FAX")
    A(" – " + rng.choice(("URGENT", "CONFIDENTIEL", "Résultat d'examen")))
    b.nl(2)
    A("À : Dr ")
    A(_name(c.req, rng, None, False), "STAFF")
    b.nl()
    A("Fax : ")
    A(_phone(rng, c.req_addr["town"][2]), "PHONE")
    b.nl()
    A("De : ")
    A(c.inst["name"], "INSTITUTION")
    A(" – secrétariat RX (")
    A(_name(c.sec, rng, "f", False), "STAFF")
    A(")")
    b.nl()
    A("Fax : ")
    A(c.inst["fax"], "PHONE")
    A("   Tél. : ")
    A(c.inst["phone"], "PHONE")
    b.nl()
    A("Date : ")
    A(_fdate(c.report, rng, rng.choice(("dmY", "d/m/y", "d.m.Y"))), "DATE")
    A("   Pages : " + str(rng.randint(1, 3)))
    b.nl()
    A("Concerne : ")
    _patient_line(b, c, rng)
    A(" ")
    _birth(b, c, rng, pre="°")
    b.nl(2)
    _body(b, c, rng)
    _signature(b, c, rng)
    A("Si vous avez reçu ce fax par erreur, merci de nous avertir au ")
    A(c.inst["phone"], "PHONE")
    A(".")
    b.nl()


def _L24_compact(b, c, rng):
    A = b.add
    A("Pat: ")
    A(_name(c.p, rng, rng.choice(("Li", "LF", "iL"))), "PATIENT")
    A(" | ")
    _birth(b, c, rng, pre=rng.choice(("° ", "°", "DN ")), style=rng.choice(("d.m.y", "dmY", "d.m.Y")))
    A(" | ")
    A(_age_text(c, rng, "a"), "AGE")
    A(" | ID ")
    A(c.pid, "ID")
    A(" | Ep ")
    A(c.episode, "ID")
    b.nl()
    A("Exam: RX " + c.sc["region"].lower() + " | ")
    A(_fdate(c.exam, rng, rng.choice(("d.m.y", "dmY", "Y-m-d"))), "DATE")
    A(" | Acc ")
    A(c.acc, "ID")
    A(" | Prescr ")
    A(_name(c.req, rng, "Li", False), "STAFF")
    A(" | Loc ")
    A(c.inst["name"], "INSTITUTION")
    A(" ch. ")
    A(_room(rng), "ID")
    b.nl()
    A("Tech: ")
    A(_initials(c.tech, dots=False), "STAFF")
    A(" | Rad: ")
    A(_name(c.rad, rng, "Li", False), "STAFF")
    b.nl(2)
    A("Ind: " + c.sc["ind"])
    b.nl()
    A("Res: " + c.sc["res"] + " " + rng.choice(_extras(c)))
    b.nl()
    A("Concl: " + c.sc["concl"])
    b.nl()
    if rng.random() < 0.5:
        A("Cmp: ")
        A(_fdate(c.prior, rng, rng.choice(("mY", "dmY", "d.m.y"))), "DATE")
        A(" – " + rng.choice(("idem.", "stable.", "nouveau.")))
        b.nl()
    A("Val: ")
    A(_login(c.rad, rng), "STAFF")
    A(" ")
    A(_fdate(c.report, rng, "dmY"), "DATE")
    A(" " + _time(rng))
    b.nl()


def _L25_born_abroad(b, c, rng):
    """Patient block with birthplace, nationality and full identity details."""
    A = b.add
    _letterhead(b, c, rng)
    A("IDENTITÉ DU PATIENT")
    b.nl()
    A(rng.choice(("Nom, prénom : ", "Nom et prénom : ")))
    A(_name(c.p, rng, rng.choice(("L,F", "LF", "LFU"))), "PATIENT")
    b.nl()
    _birth(b, c, rng, pre="Né" + ("e" if c.p["sex"] == "F" else "") + " le ")
    A(" à ")
    bp = c.birthplace
    A(bp, "CITY")
    b.nl()
    A("Domicile : ")
    A(_addr_str(c.addr, rng, force_sep=rng.choice(("\n", ", "))), "ADDRESS")
    b.nl()
    A("Tél. : ")
    A(c.ptel, "PHONE")
    if rng.random() < 0.5:
        A("   E-mail : ")
        A(c.pmail, "EMAIL")
    b.nl()
    A("NISS : ")
    A(c.niss, "ID")
    b.nl(2)
    A("Examen du ")
    A(_fdate(c.exam, rng), "DATE")
    A(", demandé par le Dr ")
    A(_name(c.req, rng, None, False), "STAFF")
    A(".")
    b.nl(2)
    _body(b, c, rng)
    _signature(b, c, rng)


_LAYOUTS = [
    (_L01_classic, "any", 10), (_L02_bilingual, "any", 6), (_L03_pipe, "any", 4),
    (_L04_tabs, "any", 4), (_L05_urg_lower, "any", 5), (_L06_urg_short, "any", 5),
    (_L07_nursing, "old", 5), (_L08_gp_letter, "any", 5), (_L09_cc_protocol, "any", 4),
    (_L10_dicom, "any", 3), (_L11_pediatric, "child", 4), (_L12_sport, "sport", 3),
    (_L13_work, "work", 3), (_L14_followup, "any", 4), (_L15_comparative, "any", 4),
    (_L16_email, "any", 3), (_L17_portal, "any", 3), (_L18_dictation, "any", 4),
    (_L19_nl_fr, "any", 4), (_L20_consult, "any", 4), (_L21_addendum, "any", 3),
    (_L22_homecare, "any", 3), (_L23_fax, "any", 3), (_L24_compact, "any", 4),
    (_L25_born_abroad, "any", 3),
]
_LW = [w for _, _, w in _LAYOUTS]


def _word_count(text):
    return len(text.split())


def _one(rng):
    fn, kind, _ = rng.choices(_LAYOUTS, _LW)[0]
    c = _ctx(rng, kind)
    noise = rng.uniform(0.01, 0.04) if rng.random() < 0.1 else 0.0
    b = _B(rng, noise)
    fn(b, c, rng)
    # pad short reports with non-PHI findings, trim very long ones by retrying
    wc = _word_count("".join(b.parts))
    if wc < 80:
        b.add("Remarques : ")
        extra = list(_extras(c))
        rng.shuffle(extra)
        for s in extra:
            b.add(s + " ")
            wc += len(s.split())
            if wc >= 85:
                break
        b.nl()
    return b.result()


def generate(rng: random.Random, n: int) -> list:
    """n reports: {"text": str, "spans": [{"start", "end", "label"}, ...]}.

    Spans are sorted, non-overlapping and text[start:end] is the exact
    identifying string.
    """
    out = []
    while len(out) < n:
        r = _one(rng)
        if _word_count(r["text"]) > 350:
            continue
        out.append(r)
    return out
