"""Synthetic, fully annotated French bone X-ray reports in structured / semi-structured layouts.

Training data for the de-identification token classifier.  Every report is built piece by
piece (``_B.add(text, label)``), so span offsets are exact by construction; labelled pieces
are stripped of surrounding whitespace when the span is recorded.

Layouts cover hospital information system exports (key-value headers, pipe / tab tables,
CSV lines, HL7-like segments, DICOM header dumps, JSON / XML exports, RIS key=value dumps,
worklist printouts), letters, fax covers, request forms, emergency (urgences) notes, scanned
reports with OCR noise, addenda, pediatric, EHPAD, work-accident and overseas (DOM) reports.

Standard library only.
"""
from __future__ import annotations

import datetime as _dt
import random
import re
import unicodedata

__all__ = ["LABELS", "LAYOUTS", "generate"]

LABELS = ("PATIENT", "STAFF", "DATE", "BIRTHDATE", "AGE", "ID", "PHONE", "EMAIL", "URL",
          "ADDRESS", "CITY", "INSTITUTION")

PAT, STF, DAT, BIR, AGE, IDN, TEL, MEL, WEB, ADR, CIT, INS = LABELS


# --------------------------------------------------------------------------------------------
# builder
# --------------------------------------------------------------------------------------------

class _B:
    """Concatenates (text, label) pieces; spans are computed on build()."""

    __slots__ = ("p", "ctx")

    def __init__(self, ctx=None):
        self.p: list[tuple[str, str | None]] = []
        self.ctx = ctx

    def add(self, text, label=None):
        if text:
            self.p.append((text, label))
        return self

    def ext(self, pieces):
        for t, l in pieces:
            if t:
                self.p.append((t, l))
        return self

    def nl(self, k=1):
        self.p.append(("\n" * k, None))
        return self

    def words(self):
        return len("".join(t for t, _ in self.p).split())

    def build(self):
        out, spans, n = [], [], 0
        for t, l in self.p:
            if l:
                a = len(t) - len(t.lstrip())
                e = len(t.rstrip())
                if e > a:
                    spans.append({"start": n + a, "end": n + e, "label": l})
            out.append(t)
            n += len(t)
        return {"text": "".join(out), "spans": spans}


def _lower(pieces):
    return [(t.lower(), l) for t, l in pieces]


def _upper(pieces):
    return [(t.upper(), l) for t, l in pieces]


def _plain(pieces):
    return "".join(t for t, _ in pieces)


def _unacc(s):
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def _slug(s):
    s = _unacc(s).lower().replace("'", "").replace("’", "")
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s


def _digits(rng, k):
    return "".join(rng.choice("0123456789") for _ in range(k))


# --------------------------------------------------------------------------------------------
# pools
# --------------------------------------------------------------------------------------------

FAM = {
    "fr": ["Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
           "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
           "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
           "Lefèvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier",
           "François", "Legrand", "Gauthier", "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry",
           "Roussel", "Mathieu", "Masson", "Marchand", "Duval", "Denis", "Dumont", "Lemaire", "Noël",
           "Dufour", "Meunier", "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet",
           "Gaillard", "Barbier", "Arnaud", "Gérard", "Roche", "Renard", "Roy", "Leroux", "Colin",
           "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas",
           "Lacroix", "Olivier", "Bourgeois", "Benoît", "Leclerc", "Delattre", "Vandenbussche",
           "Dewaele", "Lecomte", "Deschamps", "Le Goff", "Le Gall", "Kervella", "Tanguy", "Le Bihan",
           "Guillou", "Cadiou", "Schneider", "Klein", "Fischer", "Meyer", "Schmitt", "Muller",
           "Grand", "Droit", "Bras", "Léger", "Pierre", "Hamon", "Prigent", "Courtois", "Besnard"],
    "mag": ["Benali", "Bouzid", "Hamidi", "Cherif", "Mansouri", "Bensaïd", "El Amrani", "Belkacem",
            "Haddad", "Saïdi", "Touati", "Bouaziz", "Ziani", "Khelifi", "Meziane", "Brahimi",
            "Aït Ali", "Ben Youssef", "Boukhari", "Chaouch", "Laaroussi", "Ouali"],
    "waf": ["Diallo", "Traoré", "Koné", "Coulibaly", "Diop", "N'Diaye", "Sow", "Ba", "Cissé", "Keïta",
            "Sylla", "Camara", "Touré", "Fofana", "Dembélé", "Sangaré", "Ouédraogo", "Mendy"],
    "pt": ["Da Silva", "Dos Santos", "Pereira", "Ferreira", "Rodrigues", "Oliveira", "Martins",
           "Gonçalves", "Fernandes", "Lopes", "Carvalho", "De Sousa", "Teixeira", "Mendes"],
    "vn": ["Nguyen", "Tran", "Le", "Pham", "Hoang", "Huynh", "Vo", "Dang", "Bui", "Ngo", "Duong",
           "Truong", "Nguyen Van", "Lam"],
    "ant": ["Jean-Baptiste", "Célestine", "Marie-Sainte", "Joseph", "Alexis", "Édouard", "Louis-Joseph",
            "Sainte-Rose", "Désiré", "Zébo", "Bellance", "Romain", "Anelka", "Jean-Louis", "Pamphile",
            "Cornélie", "Laviolette", "Boisdur"],
    "reu": ["Payet", "Hoarau", "Grondin", "Nativel", "Lauret", "Técher", "Maillot", "Séry", "Fontaine",
            "Robert", "Boyer", "Dijoux", "Turpin", "Ethève", "Clain", "Técher", "Vienne", "Lebon"],
    "eu": ["Rossi", "Bianchi", "Russo", "Esposito", "Nowak", "Kowalski", "Lopez", "Sanchez",
           "Fernandez", "Gonzalez", "Perez", "Garcia", "Martinez", "Yilmaz", "Kaya"],
}

GIV = {
    "fr": {"F": ["Jeanne", "Marie", "Monique", "Françoise", "Catherine", "Nathalie", "Isabelle",
                 "Sylvie", "Christine", "Martine", "Sophie", "Julie", "Camille", "Léa", "Manon", "Chloé",
                 "Emma", "Jade", "Louise", "Alice", "Zoé", "Anne-Marie", "Marie-Claire",
                 "Marie-Thérèse", "Ginette", "Odette", "Colette", "Simone", "Yvette", "Huguette",
                 "Paulette", "Annick", "Gwenaëlle", "Nolwenn", "Soizic", "Maëlys", "Clémence",
                 "Océane", "Agathe", "Rose", "Prudence", "Élise", "Lucette", "Bernadette"],
           "M": ["Jean", "Pierre", "Michel", "Philippe", "Alain", "Bernard", "Jacques", "Daniel",
                 "Patrick", "Christian", "Thierry", "Nicolas", "Julien", "Thomas", "Lucas", "Hugo",
                 "Louis", "Gabriel", "Nathan", "Enzo", "Léo", "Jules", "Raphaël", "Arthur",
                 "Jean-Pierre", "Jean-Claude", "Jean-Marc", "Jean-Luc", "Gérard", "Lucien", "Fernand",
                 "Marcel", "Yannick", "Erwan", "Gwenaël", "Loïc", "Ronan", "Baptiste", "Mathis",
                 "Timothée", "Ange", "Dominique", "Claude"]},
    "mag": {"F": ["Fatima", "Khadija", "Amina", "Yasmine", "Nadia", "Samira", "Leïla", "Meriem",
                  "Salima", "Aïcha", "Malika", "Nour"],
            "M": ["Mohamed", "Ahmed", "Karim", "Rachid", "Mehdi", "Youssef", "Samir", "Bilal",
                  "Nassim", "Ayoub", "Hakim", "Sofiane"]},
    "waf": {"F": ["Fatoumata", "Aminata", "Mariama", "Awa", "Kadiatou", "Fanta", "Oumou", "Binta"],
            "M": ["Moussa", "Mamadou", "Ibrahima", "Ousmane", "Abdoulaye", "Seydou", "Boubacar",
                  "Amadou", "Souleymane"]},
    "pt": {"F": ["Ana", "Maria", "Conceição", "Fernanda", "Rosa", "Lúcia", "Joana", "Inês"],
           "M": ["João", "José", "Manuel", "António", "Joaquim", "Rui", "Paulo", "Tiago"]},
    "vn": {"F": ["Thi Lan", "Thi Hoa", "Mai", "Linh", "Ngoc Anh", "Huong", "Thu Trang"],
           "M": ["Minh", "Tuan", "Van Thanh", "Duc", "Quang", "Hung", "Van Long"]},
    "ant": {"F": ["Marie-Josée", "Rose-Aimée", "Suzy", "Marie-Lise", "Ketty", "Murielle", "Line",
                  "Marie-Hélène", "Nadège"],
            "M": ["Sully", "Dorian", "Teddy", "Willy", "Fabrice", "Eddy", "Jocelyn", "Harry",
                  "Rodrigue"]},
    "reu": {"F": ["Marie-Annick", "Josiane", "Marie-Noëlle", "Sandrine", "Gisèle", "Jessica"],
            "M": ["Johan", "Kévin", "Dylan", "Jean-Max", "Frédéric", "Willy", "Jean-Hugues"]},
    "eu": {"F": ["Giulia", "Agnieszka", "Carmen", "Elena", "Ayşe"],
           "M": ["Marco", "Piotr", "Javier", "Alejandro", "Mehmet"]},
}

ORIGIN_W = [("fr", 52), ("mag", 13), ("waf", 8), ("pt", 7), ("vn", 5), ("ant", 5), ("reu", 4), ("eu", 6)]

# surnames that coincide with an eponym or an everyday word of the report
EPO_SURN = {"Colles": "Pouteau-Colles", "Smith": "Goyrand-Smith", "Garden": "Garden", "Weber": "Weber",
            "Jones": "Jones", "Paget": "Paget", "Bennett": "Bennett", "Segond": "Segond", "Neer": "Neer",
            "Maisonneuve": "Maisonneuve", "Lefort": "Lefort", "Morel": "Morel-Lavallée",
            "Rolando": "Rolando", "Petit": "petit", "Grand": "grand", "Léger": "léger", "Bras": "bras",
            "Droit": "droit", "Perthes": "Perthes"}

# (town, postal code)
TOWNS = [("Lille", "59000"), ("Roubaix", "59100"), ("Tourcoing", "59200"), ("Villeneuve-d'Ascq", "59650"),
         ("Dunkerque", "59140"), ("Valenciennes", "59300"), ("Arras", "62000"), ("Lens", "62300"),
         ("Amiens", "80000"), ("Rouen", "76000"), ("Le Havre", "76600"), ("Caen", "14000"),
         ("Rennes", "35000"), ("Brest", "29200"), ("Quimper", "29000"), ("Vannes", "56000"),
         ("Lorient", "56100"), ("Saint-Brieuc", "22000"), ("Nantes", "44000"), ("Angers", "49000"),
         ("Le Mans", "72000"), ("Tours", "37000"), ("Orléans", "45000"), ("Poitiers", "86000"),
         ("Limoges", "87000"), ("Bordeaux", "33000"), ("Pau", "64000"), ("Bayonne", "64100"),
         ("Toulouse", "31000"), ("Montpellier", "34000"), ("Nîmes", "30000"), ("Perpignan", "66000"),
         ("Marseille", "13005"), ("Aix-en-Provence", "13100"), ("Toulon", "83000"), ("Nice", "06000"),
         ("Avignon", "84000"), ("Grenoble", "38000"), ("Chambéry", "73000"), ("Annecy", "74000"),
         ("Lyon", "69003"), ("Villeurbanne", "69100"), ("Saint-Étienne", "42000"),
         ("Clermont-Ferrand", "63000"), ("Dijon", "21000"), ("Besançon", "25000"),
         ("Strasbourg", "67000"), ("Colmar", "68000"), ("Mulhouse", "68100"), ("Metz", "57000"),
         ("Nancy", "54000"), ("Reims", "51100"), ("Troyes", "10000"), ("Paris", "75010"),
         ("Paris", "75013"), ("Boulogne-Billancourt", "92100"), ("Créteil", "94000"),
         ("Saint-Denis", "93200"), ("Argenteuil", "95100"), ("Versailles", "78000"),
         ("Évry-Courcouronnes", "91000"), ("Meaux", "77100"), ("Beauvais", "60000"),
         ("Chartres", "28000"), ("Bourges", "18000"), ("Nevers", "58000"), ("Auxerre", "89000"),
         ("La Roche-sur-Yon", "85000"), ("Niort", "79000"), ("La Rochelle", "17000"),
         ("Angoulême", "16000"), ("Périgueux", "24000"), ("Agen", "47000"), ("Montauban", "82000"),
         ("Albi", "81000"), ("Rodez", "12000"), ("Tarbes", "65000"), ("Valence", "26000"),
         ("Gap", "05000"), ("Plouay", "56240"), ("Landerneau", "29800"), ("Hazebrouck", "59190"),
         ("Armentières", "59280"), ("Saint-Omer", "62500"), ("Bergerac", "24100"), ("Lunel", "34400"),
         ("Vierzon", "18100"), ("Romorantin-Lanthenay", "41200"), ("Pluguffan", "29700"),
         ("La Guerche-de-Bretagne", "35130"), ("Fontaine-lès-Dijon", "21121"), ("Wattrelos", "59150"),
         ("Bondy", "93140"), ("Vénissieux", "69200"), ("Cholet", "49300"), ("Laval", "53000")]

DOM = {
    "972": dict(name="Martinique", fix="0596", mob="0696", intl="+596",
                towns=[("Fort-de-France", "97200"), ("Le Lamentin", "97232"), ("Schœlcher", "97233"),
                       ("Le Robert", "97231"), ("Sainte-Marie", "97230"), ("Le François", "97240"),
                       ("Rivière-Pilote", "97211")],
                inst=["CHU de Martinique – Hôpital Pierre Zobda-Quitman", "CHU de Martinique – Hôpital Mangot Vulcin",
                      "Clinique Saint-Paul", "Cabinet de radiologie du Lamentin", "Centre d'imagerie de la Pointe des Sables"]),
    "971": dict(name="Guadeloupe", fix="0590", mob="0690", intl="+590",
                towns=[("Pointe-à-Pitre", "97110"), ("Les Abymes", "97139"), ("Baie-Mahault", "97122"),
                       ("Basse-Terre", "97100"), ("Le Gosier", "97190"), ("Sainte-Anne", "97180"),
                       ("Le Moule", "97160")],
                inst=["CHU de la Guadeloupe", "Clinique Les Eaux Claires", "Polyclinique de la Guadeloupe",
                      "Centre d'imagerie de Jarry", "Centre Hospitalier de la Basse-Terre"]),
    "973": dict(name="Guyane", fix="0594", mob="0694", intl="+594",
                towns=[("Cayenne", "97300"), ("Kourou", "97310"), ("Saint-Laurent-du-Maroni", "97320"),
                       ("Matoury", "97351"), ("Rémire-Montjoly", "97354")],
                inst=["Centre Hospitalier de Cayenne Andrée Rosemon", "Centre Hospitalier de l'Ouest Guyanais",
                      "Centre Médico-Chirurgical de Kourou", "Imagerie Médicale de Guyane"]),
    "974": dict(name="La Réunion", fix="0262", mob="0692", intl="+262",
                towns=[("Saint-Denis", "97400"), ("Saint-Pierre", "97410"), ("Le Tampon", "97430"),
                       ("Saint-Paul", "97460"), ("Saint-Benoît", "97470"), ("Sainte-Clotilde", "97490"),
                       ("Saint-André", "97440")],
                inst=["CHU de La Réunion – site Félix Guyon", "CHU de La Réunion – site Sud",
                      "Centre Hospitalier Gabriel Martin", "Groupe Hospitalier Est Réunion",
                      "Clinique Sainte-Clotilde", "Imagerie Médicale de Bellepierre"]),
}

STREETS = ["avenue Oscar Lambret", "rue de la République", "rue Nationale", "boulevard Victor Hugo",
           "rue Jean Jaurès", "avenue du Général de Gaulle", "rue Pasteur", "rue Gambetta",
           "place de la Mairie", "chemin des Vignes", "allée des Tilleuls", "impasse des Lilas",
           "rue du Moulin", "rue des Écoles", "rue Émile Zola", "avenue de la Libération",
           "rue Saint-Michel", "rue de Paris", "rue du Maréchal Foch", "boulevard de la Liberté",
           "rue Anatole France", "rue Paul Bert", "rue Voltaire", "rue des Capucins", "rue de Verdun",
           "quai de la Fosse", "cours Lafayette", "route de Lyon", "rue des Acacias",
           "rue Henri Barbusse", "avenue Jean Moulin", "rue de la Gare", "rue du Château",
           "rue des Peupliers", "boulevard Carnot", "rue Léon Blum", "rue Pierre et Marie Curie",
           "rue Marcel Pagnol", "rue du 8 Mai 1945", "rue du 11 Novembre", "avenue des Sports",
           "rue Lamartine", "chemin de la Croix Rouge", "rue du Docteur Roux", "avenue Henri Poincaré",
           "rue de Lille", "boulevard de l'Hôpital", "rue Sainte-Catherine"]
DOM_STREETS = ["avenue Aimé Césaire", "rue Victor Schœlcher", "chemin Bois Rouge", "rue Roland Garros",
               "boulevard Lacaussade", "route des Plaines", "rue Félix Éboué", "route de la Trinité",
               "rue Lamartine", "boulevard du Général de Gaulle", "chemin Morne Rouge", "rue Juliette Dodu"]
LIEUDITS = ["Kerbernez", "La Croix Blanche", "Le Bourg", "Hameau de Vaux", "Les Quatre Chemins",
            "La Métairie Neuve", "Le Moulin du Pont", "Kerlann", "Les Granges"]
DOM_LIEUDITS = ["Quartier Bellevue", "Morne Rouge", "Quartier Trénelle", "Cité Dillon", "Lotissement Les Flamboyants",
                "Quartier Bois d'Olive", "Résidence Les Alizés", "Chemin Piton"]

CHU_SITES = {
    "Lille": (["CHU de Lille", "CHRU de Lille", "CHU Lille"],
              ["Hôpital Roger Salengro", "Hôpital Claude Huriez", "Hôpital Jeanne de Flandre"], "59037"),
    "Rennes": (["CHU de Rennes", "CHU Rennes"], ["Hôpital Pontchaillou", "Hôpital Sud"], "35033"),
    "Bordeaux": (["CHU de Bordeaux"], ["Hôpital Pellegrin", "Hôpital Haut-Lévêque"], "33076"),
    "Toulouse": (["CHU de Toulouse"], ["Hôpital Purpan", "Hôpital Rangueil"], "31059"),
    "Nantes": (["CHU de Nantes"], ["Hôtel-Dieu", "Hôpital Nord Laennec"], "44093"),
    "Lyon": (["Hospices Civils de Lyon", "HCL"], ["Hôpital Édouard Herriot", "Hôpital de la Croix-Rousse",
                                                    "Centre Hospitalier Lyon Sud"], "69437"),
    "Marseille": (["AP-HM", "Assistance Publique – Hôpitaux de Marseille"],
                  ["Hôpital de la Timone", "Hôpital Nord"], "13385"),
    "Paris": (["AP-HP", "Assistance Publique – Hôpitaux de Paris", "GHU AP-HP.Nord", "GHU AP-HP.Centre"],
              ["Hôpital Lariboisière", "Hôpital Bichat", "Hôpital Necker-Enfants malades", "Hôpital Cochin",
               "Hôpital de la Pitié-Salpêtrière", "Hôpital Européen Georges-Pompidou",
               "Hôpital Saint-Antoine", "Hôpital Armand-Trousseau", "Hôpital Bicêtre"], "75475"),
    "Strasbourg": (["Hôpitaux Universitaires de Strasbourg", "HUS"],
                   ["Hôpital de Hautepierre", "Nouvel Hôpital Civil"], "67098"),
    "Montpellier": (["CHU de Montpellier"], ["Hôpital Lapeyronie", "Hôpital Gui de Chauliac"], "34295"),
    "Grenoble": (["CHU Grenoble Alpes"], ["Hôpital Michallon", "Hôpital Sud"], "38043"),
    "Nancy": (["CHRU de Nancy"], ["Hôpital Central", "Hôpital de Brabois"], "54035"),
    "Brest": (["CHU de Brest"], ["Hôpital de la Cavale Blanche", "Hôpital Morvan"], "29609"),
    "Caen": (["CHU de Caen Normandie"], ["Hôpital de la Côte de Nacre"], "14033"),
    "Rouen": (["CHU de Rouen"], ["Hôpital Charles-Nicolle"], "76031"),
    "Dijon": (["CHU Dijon Bourgogne"], ["Hôpital François Mitterrand"], "21079"),
    "Clermont-Ferrand": (["CHU de Clermont-Ferrand"], ["Hôpital Gabriel-Montpied", "Hôpital Estaing"], "63003"),
    "Tours": (["CHRU de Tours"], ["Hôpital Trousseau", "Hôpital Bretonneau"], "37044"),
    "Limoges": (["CHU de Limoges"], ["Hôpital Dupuytren"], "87042"),
    "Poitiers": (["CHU de Poitiers"], ["Hôpital de la Milétrie"], "86021"),
    "Reims": (["CHU de Reims"], ["Hôpital Maison Blanche"], "51092"),
    "Nice": (["CHU de Nice"], ["Hôpital Pasteur 2", "Hôpital de l'Archet"], "06001"),
    "Amiens": (["CHU Amiens-Picardie"], ["site Sud"], "80054"),
    "Angers": (["CHU d'Angers"], ["Hôpital Larrey"], "49933"),
}
CH_NAMED = [("Centre Hospitalier Victor Dupouy", "Argenteuil", "95100"),
            ("Centre Hospitalier Sud Francilien", "Évry-Courcouronnes", "91000"),
            ("Centre Hospitalier Intercommunal de Créteil", "Créteil", "94000"),
            ("Groupe Hospitalier Bretagne Sud", "Lorient", "56100"),
            ("Centre Hospitalier Bretagne Atlantique", "Vannes", "56000"),
            ("CHR Metz-Thionville – Hôpital de Mercy", "Metz", "57000"),
            ("CHR d'Orléans", "Orléans", "45000"),
            ("Centre Hospitalier Yves Le Foll", "Saint-Brieuc", "22000"),
            ("Centre Hospitalier de Cornouaille", "Quimper", "29000"),
            ("Groupe Hospitalier Seclin Carvin", "Seclin", "59113"),
            ("Centre Hospitalier Départemental Vendée", "La Roche-sur-Yon", "85000"),
            ("Hôpital Delafontaine", "Saint-Denis", "93200"),
            ("Centre Hospitalier Annecy Genevois", "Annecy", "74000"),
            ("Centre Hospitalier de la Côte Basque", "Bayonne", "64100")]
CLIN_NAMES = ["Clinique du Parc", "Clinique des Cèdres", "Clinique de l'Anjou", "Clinique Pasteur",
              "Clinique Jeanne d'Arc", "Clinique Sainte-Marie", "Clinique Saint-Vincent",
              "Clinique du Pont de Chaume", "Clinique Bel Air", "Clinique des Franciscaines",
              "Polyclinique de la Louvière", "Polyclinique du Parc", "Polyclinique Saint-Côme",
              "Polyclinique de Navarre", "Polyclinique Sainte-Odile", "Hôpital privé Jean Mermoz",
              "Hôpital privé de l'Estuaire", "Hôpital privé Arnault Tzanck", "Clinique Mutualiste de l'Estuaire",
              "Clinique du Sport", "Polyclinique du Littoral", "Hôpital privé La Louvière",
              "Clinique Océane", "Clinique Saint-Jean de Dieu"]
CAB_NAMES = ["Cabinet de radiologie des Capucins", "Cabinet de radiologie du Centre", "Cabinet de radiologie du Marché",
             "Cabinet de radiologie du Port", "Cabinet d'imagerie Pasteur", "Cabinet d'imagerie de la Gare",
             "Imagerie Médicale du Parc", "Imagerie Médicale du Val", "Imagerie Médicale du Vieux Port",
             "Imagerie Médicale du Littoral", "Centre d'Imagerie Médicale des Lilas", "Centre d'Imagerie Saint-Jean",
             "Centre d'Imagerie de l'Ouest", "Radiologie Nord Est", "Radiologie Atlantique",
             "Scanner IRM Radiologie des Flandres", "SELARL Imagerie Océane", "Groupe Radiologie Sud Loire",
             "Centre de Radiologie Foch", "Imagerie des Trois Rivières", "Cabinet de radiologie Bellevue",
             "Centre d'imagerie médicale Jean Jaurès", "Imagerie du Grand Large"]
REEDUC = ["Centre de rééducation fonctionnelle de Kerpape", "Centre de MPR Les Herbiers", "SSR Le Clos Fleuri",
          "Centre de rééducation Les Trois Épis", "Centre Hélio-Marin de Berck", "SMR La Châtaigneraie"]
EHPAD = ["EHPAD Les Tilleuls", "EHPAD Résidence du Parc", "EHPAD Les Glycines", "EHPAD Saint-Joseph",
         "EHPAD La Roseraie", "EHPAD Les Jardins d'Arcadie", "Résidence Korian Les Lilas", "EHPAD Ker Maria"]
SCHOOLS = ["Collège Jean Moulin", "Lycée Victor Hugo", "école élémentaire Jules Ferry", "Lycée professionnel Louis Armand",
           "Collège Anne Frank", "école maternelle Les Coquelicots", "Lycée Pierre de Coubertin",
           "Collège Sainte-Thérèse", "Institut Médico-Éducatif Les Peupliers", "école Saint-Joseph"]
CLUBS = ["US Tourcoing Football", "Stade Rennais Rugby", "AS Roubaix Handball", "Judo Club de Lorient",
         "ASPTT Nantes", "Olympique Lunellois"]
EMPLOYERS = ["SNCF", "La Poste", "Airbus Opérations", "Renault Douai", "Entreprise Leroy BTP",
             "Transports Dubois et Fils", "Carrefour Market", "Décathlon Lille", "Bâtiments Caron SARL",
             "Boulangerie Marchand", "Entreprise Da Silva Maçonnerie", "Keolis Rennes", "Amazon France Logistique",
             "Intermarché", "Veolia Eau", "Lactalis", "Menuiserie Le Gall"]
CPAM = ["CPAM de Lille-Douai", "CPAM d'Ille-et-Vilaine", "CPAM de la Gironde", "CPAM du Rhône",
        "CGSS de la Martinique", "CGSS de La Réunion", "MSA Armorique", "MGEN"]

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre"]
MONTHS_AB = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


# --------------------------------------------------------------------------------------------
# formatting helpers
# --------------------------------------------------------------------------------------------

def _fdate(rng, d, style=None):
    if style is None:
        style = rng.choice(("slash", "slash", "slash", "slash", "slash2", "dot", "dot2", "dash", "iso",
                            "long", "long", "longab", "nozero"))
    dd, mm, yy = d.day, d.month, d.year
    if style == "slash":
        return f"{dd:02d}/{mm:02d}/{yy}"
    if style == "slash2":
        return f"{dd:02d}/{mm:02d}/{yy % 100:02d}"
    if style == "dot":
        return f"{dd:02d}.{mm:02d}.{yy}"
    if style == "dot2":
        return f"{dd:02d}.{mm:02d}.{yy % 100:02d}"
    if style == "dash":
        return f"{dd:02d}-{mm:02d}-{yy}"
    if style == "iso":
        return f"{yy}-{mm:02d}-{dd:02d}"
    if style == "compact":
        return f"{yy}{mm:02d}{dd:02d}"
    if style == "long":
        return f"{'1er' if dd == 1 else dd} {MONTHS[mm - 1]} {yy}"
    if style == "LONG":
        return f"{dd} {MONTHS[mm - 1].upper()} {yy}"
    if style == "longab":
        return f"{dd} {MONTHS_AB[mm - 1]} {yy}"
    if style == "dm":
        return f"{'1er' if dd == 1 else dd} {MONTHS[mm - 1]}"
    if style == "dmslash":
        return f"{dd:02d}/{mm:02d}"
    if style == "my":
        return f"{mm:02d}/{yy}"
    if style == "monthyear":
        return f"{MONTHS[mm - 1]} {yy}"
    if style == "nozero":
        return f"{dd}/{mm}/{yy}"
    raise ValueError(style)


def _ftime(rng, style=None):
    h, m = rng.randint(7, 21), rng.randint(0, 59)
    style = style or rng.choice(("colon", "colon", "h", "H"))
    if style == "colon":
        return f"{h:02d}:{m:02d}"
    if style == "h":
        return f"{h}h{m:02d}"
    if style == "H":
        return f"{h:02d}H{m:02d}"
    return f"{h:02d}{m:02d}{rng.randint(0, 59):02d}"


def _rand_date(rng, y0, y1):
    a = _dt.date(y0, 1, 1).toordinal()
    b = _dt.date(y1, 12, 31).toordinal()
    return _dt.date.fromordinal(rng.randint(a, b))


def _age_of(birth, at):
    y = at.year - birth.year - ((at.month, at.day) < (birth.month, birth.day))
    m = (at.year - birth.year) * 12 + at.month - birth.month - (at.day < birth.day)
    return y, m % 12, m


def _age_pieces(rng, p, style=None):
    """AGE expression pieces (span on the number + unit, or on the number only for 'âge : 66')."""
    y, mo, tot = p["age"]
    if tot < 1:
        days = max(3, (p["exam"] - p["birth"]).days)
        return [(f"{days} jours" if days < 21 else f"{days // 7} semaines", AGE)]
    if y < 2:
        return [(rng.choice((f"{tot} mois", f"{tot} mois", f"{tot}m")), AGE)]
    if style is None:
        opts = ["ans", "ans", "ans", "a", "A", "age", "paren"]
        if y < 16:
            opts += ["ansmois", "ansmois"]
        style = rng.choice(opts)
    if style == "ans":
        return [(f"{y} ans", AGE)]
    if style == "a":
        return [(f"{y}a", AGE)]
    if style == "A":
        return [(f"{y} A", AGE)]
    if style == "age":
        return [(rng.choice(("âge : ", "Âge : ", "âge: ", "Age ")), None), (str(y), AGE)]
    if style == "paren":
        return [("(", None), (f"{y} ans", AGE), (")", None)]
    if style == "ansmois":
        return [(f"{y} ans {mo} mois" if mo else f"{y} ans", AGE)]
    return [(f"{y} ans", AGE)]


def _phone_digits(rng, prefix):
    return prefix + _digits(rng, 10 - len(prefix))


def _fphone(rng, digits, dom=None, style=None):
    d = digits
    style = style or rng.choice(("sp", "sp", "sp", "dot", "intl", "intl0", "compact", "dash"))
    pairs = " ".join(d[i:i + 2] for i in range(0, 10, 2))
    if style == "sp":
        return pairs
    if style == "dot":
        return ".".join(d[i:i + 2] for i in range(0, 10, 2))
    if style == "dash":
        return "-".join(d[i:i + 2] for i in range(0, 10, 2))
    if style == "compact":
        return d
    rest = " ".join(d[i:i + 2] for i in range(2, 10, 2))
    if dom and d[:4] in (DOM[dom]["fix"], DOM[dom]["mob"]):
        # +596 596 12 34 56 / +262 692 12 34 56
        return f"{DOM[dom]['intl']} {d[1:4]} {d[4:6]} {d[6:8]} {d[8:10]}"
    if style == "intl0":
        return f"+33 (0){d[1]} {rest}"
    return f"+33 {d[1]} {rest}"


def _region_prefix(cp):
    dep = cp[:2]
    if cp.startswith("97"):
        return None
    if dep in ("75", "77", "78", "91", "92", "93", "94", "95"):
        return "01"
    if dep in ("14", "22", "27", "28", "29", "35", "36", "37", "41", "44", "45", "49", "50", "53", "56",
               "61", "72", "76", "85", "18"):
        return "02"
    if dep in ("10", "21", "25", "51", "52", "54", "55", "57", "58", "59", "60", "62", "67", "68", "70",
               "71", "80", "88", "89", "90", "02", "08", "39"):
        return "03"
    if dep in ("12", "16", "17", "19", "23", "24", "31", "32", "33", "40", "46", "47", "64", "65", "79",
               "81", "82", "86", "87", "09"):
        return "05"
    return "04"


# --------------------------------------------------------------------------------------------
# entities
# --------------------------------------------------------------------------------------------

def _origin(rng, dom=None):
    if dom:
        if dom in ("972", "971", "973"):
            return rng.choice(("ant", "ant", "ant", "fr", "waf"))
        return rng.choice(("reu", "reu", "reu", "fr", "mag"))
    r = rng.random() * sum(w for _, w in ORIGIN_W)
    for o, w in ORIGIN_W:
        r -= w
        if r < 0:
            return o
    return "fr"


def _person(rng, sex=None, dom=None, origin=None):
    origin = origin or _origin(rng, dom)
    sex = sex or rng.choice("FM")
    fam = rng.choice(FAM[origin])
    giv = rng.choice(GIV[origin][sex])
    return {"sex": sex, "family": fam, "given": giv, "origin": origin}


def _initials(given, family, dots=False, mixed=False):
    gi = [w[0] for w in re.split(r"[\s\-]+", given) if w]
    fi = [w[0] for w in re.split(r"[\s\-']+", family) if w and w[0].isalpha()][:1]
    if dots:
        return ".".join(gi + fi) + "."
    s = "".join(gi + fi)
    return s.upper() if not mixed else s.lower()


def _address(rng, town, cp, dom=None, inst=False, multiline=False):
    r = rng.random()
    streets = DOM_STREETS if dom else STREETS
    num = str(rng.randint(1, 180))
    if not inst and rng.random() < 0.12:
        num += rng.choice((" bis", " ter", "B", "bis"))
    if not inst and r < 0.1:
        line1 = rng.choice(DOM_LIEUDITS if dom else ["Lieu-dit " + x for x in LIEUDITS] + LIEUDITS)
    elif not inst and r < 0.2:
        res = rng.choice(("Résidence Les Acacias", "Résidence du Parc", "Bât. C", "Appt 12",
                          "Résidence Les Flamboyants", "Cité des Fleurs", "Esc. B, 3e étage"))
        line1 = f"{res}, {num} {rng.choice(streets)}"
    else:
        line1 = f"{num} {rng.choice(streets)}"
    extra = ""
    if inst and rng.random() < 0.45:
        extra = rng.choice((f"BP {rng.randint(10, 9999)}", f"CS {rng.randint(10000, 99999)}",
                            f"CS {rng.randint(10, 99)}{rng.randint(100, 999)}"))
    city = town
    if inst and rng.random() < 0.4:
        city += rng.choice((" Cedex", " Cedex", " Cedex 9", " CEDEX", " Cedex 2"))
    cpu = cp
    sep = "\n" if multiline else ", "
    parts = [line1] + ([extra] if extra else []) + [f"{cpu} {city}"]
    s = sep.join(parts)
    if rng.random() < 0.15:
        s = s.upper() if rng.random() < 0.5 else s
    return s


def _institution(rng, dom=None, kinds=None):
    """Returns dict with name, town, cp, address, phones, email/url domains, finess."""
    if dom:
        d = DOM[dom]
        name = rng.choice(d["inst"])
        town, cp = rng.choice(d["towns"])
        kind = "chu" if name.startswith(("CHU", "Centre Hosp", "Groupe")) else "cab"
    else:
        kind = rng.choice(kinds or ("chu", "chu", "ch", "ch", "clin", "clin", "cab", "cab", "cab"))
        if kind == "chu":
            city = rng.choice(sorted(CHU_SITES))
            groups, sites, cp = CHU_SITES[city]
            g, s = rng.choice(groups), rng.choice(sites)
            r = rng.random()
            if r < 0.35:
                name = g
            elif r < 0.7:
                name = f"{s} – {g}" if rng.random() < 0.5 else f"{g} – {s}"
            elif r < 0.85:
                name = f"{g}, {s}"
            else:
                name = f"{s} ({g})"
            if "de " not in g and "HCL" not in g and "AP-" not in g and "HUS" not in g and rng.random() < 0.3:
                name = name
            town = city
            if rng.random() < 0.5:
                cp = dict(TOWNS).get(city, cp) if city != "Paris" else rng.choice(("75010", "75018", "75013", "75014", "75012", "75015"))
        elif kind == "ch":
            if rng.random() < 0.4:
                name, town, cp = rng.choice(CH_NAMED)
            else:
                town, cp = rng.choice(TOWNS)
                pre = rng.choice(("Centre Hospitalier de ", "CH de ", "Centre hospitalier de ", "CH ",
                                  "Centre Hospitalier Intercommunal de ", "Hôpital de "))
                t = town
                if pre.endswith("de ") and t[0] in "AEIOUÉÈÎaeiou":
                    pre, t = pre[:-3] + "d'", t
                name = pre + t
        elif kind == "clin":
            name = rng.choice(CLIN_NAMES)
            town, cp = rng.choice(TOWNS)
        else:
            name = rng.choice(CAB_NAMES)
            town, cp = rng.choice(TOWNS)
    pref = DOM[dom]["fix"] if dom else _region_prefix(cp)
    base = _phone_digits(rng, pref)
    fax = base[:-2] + _digits(rng, 2)
    core = re.sub(r"^(cabinet-de-radiologie-|cabinet-d-imagerie-|centre-d-imagerie-medicale-|centre-d-imagerie-|"
                  r"centre-hospitalier-|hopital-prive-|polyclinique-|clinique-|selarl-)", "",
                  _slug(name.split(" – ")[0].split(",")[0].split(" (")[0]))
    if kind == "chu" and not dom:
        dom_name = rng.choice((f"chu-{_slug(town)}.fr", f"{_slug(town)[:6]}-chu.fr", f"chu{_slug(town).replace('-', '')}.fr"))
        if town == "Paris":
            dom_name = "aphp.fr"
        elif town == "Lyon":
            dom_name = "chu-lyon.fr"
        elif town == "Marseille":
            dom_name = "ap-hm.fr"
    elif kind == "ch":
        dom_name = f"ch-{_slug(town)}.fr"
    else:
        dom_name = rng.choice((f"{core}.fr", f"{core}.com", f"{core[:20].strip('-')}.fr",
                               f"{core}.fr" if core.startswith(("radiologie", "imagerie", "scanner")) else f"radiologie-{core}.fr"))
    finess = (cp[:3] if cp.startswith("97") else cp[:2]) + _digits(rng, 9 - (3 if cp.startswith("97") else 2))
    return {"name": name, "town": town, "cp": cp, "kind": kind, "dom": dom,
            "address": _address(rng, town, cp, dom, inst=True),
            "tel": base, "fax": fax, "domain": dom_name, "finess": finess,
            "hl7": _hl7_code(rng, name, town, kind)}


_STOP = {"de", "des", "du", "la", "le", "les", "l", "d", "et", "en", "au", "aux", "a"}


def _hl7_code(rng, name, town, kind):
    base = name.split(" – ")[0].split(",")[0].split(" (")[0]
    words = [w for w in re.split(r"[\s'’\-]+", _unacc(base)) if w and w.lower() not in _STOP]
    t = _unacc(town).upper().replace(" ", "").replace("-", "").replace("'", "")[:10]
    if kind == "chu" and words and words[0].upper() in ("CHU", "CHRU"):
        return rng.choice((f"CHU_{t}", f"CHU{t[:5]}", f"CHU-{t}"))
    acro = "".join(w[0] for w in words).upper()
    if len(words) <= 2:
        acro = "".join(w[:4] for w in words).upper()
    return rng.choice((f"{acro}_{t}", acro, f"{acro}{t[:3]}"))


def _url(rng, inst, staff=None):
    d = inst["domain"]
    r = rng.random()
    if staff is not None and r < 0.15:
        return f"https://www.doctolib.fr/radiologue/{_slug(inst['town'])}/{_slug(staff['given'])}-{_slug(staff['family'])}"
    return rng.choice((f"www.{d}", f"www.{d}", f"https://www.{d}", f"http://www.{d}", f"https://{d}/radiologie",
                       f"https://resultats.{d}", f"https://www.{d}/prendre-rendez-vous", f"{d}",
                       f"https://portail-patient.{d}/login"))


def _email_staff(rng, s, inst):
    g, f = _slug(s["given"]), _slug(s["family"]).replace("-", "")
    return rng.choice((f"{g}.{f}@{inst['domain']}", f"{g[0]}.{f}@{inst['domain']}", f"{g[0]}{f}@{inst['domain']}",
                       f"{f}.{g}@{inst['domain']}"))


def _email_generic(rng, inst):
    return rng.choice(("secretariat", "radiologie", "secretariat.radio", "contact", "imagerie", "rdv.radio",
                       "accueil", "resultats", "radio-urgences")) + "@" + inst["domain"]


def _email_patient(rng, p):
    g, f = _slug(p["given"].split()[0]), _slug(p["family"]).replace("-", "")
    dom = rng.choice(("gmail.com", "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "hotmail.fr", "sfr.fr",
                      "yahoo.fr", "outlook.fr", "icloud.com"))
    user = rng.choice((f"{g}.{f}", f"{g}{f}", f"{g[0]}{f}", f"{f}.{g}", f"{g}.{f}{p['birth'].year % 100:02d}",
                       f"{g}{rng.randint(1, 99)}", f"{f}{g[0]}{p['birth'].year}"))
    return f"{user}@{dom}"


def _nir(rng, p, style=None):
    sex = "1" if p["sex"] == "M" else "2"
    yy = f"{p['birth'].year % 100:02d}"
    mm = f"{p['birth'].month:02d}"
    dom = p.get("dom")
    if dom and rng.random() < 0.8:
        dep, com = dom, _digits(rng, 2)
    elif rng.random() < 0.08:
        dep, com = "99", rng.choice(("350", "351", "352", "134", "139", "243", "341"))
    else:
        dep, com = rng.choice(TOWNS)[1][:2], _digits(rng, 3)
        if dep == "20":
            dep = "2A"
    order = f"{rng.randint(1, 999):03d}"
    num = int((sex + yy + mm + dep + com + order).replace("2A", "19").replace("2B", "18"))
    key = f"{97 - num % 97:02d}"
    style = style or rng.choice(("sp", "sp", "compact", "key"))
    if style == "sp":
        return f"{sex} {yy} {mm} {dep} {com} {order} {key}"
    if style == "key":
        return f"{sex}{yy}{mm}{dep}{com}{order} {key}"
    return f"{sex}{yy}{mm}{dep}{com}{order}{key}"


def _ipp(rng):
    return rng.choice((lambda: _digits(rng, 8), lambda: "00" + _digits(rng, 6), lambda: _digits(rng, 10),
                       lambda: "P" + _digits(rng, 7), lambda: _digits(rng, 9),
                       lambda: str(rng.randint(1, 9)) + _digits(rng, 6)))()


def _nda(rng, d):
    return rng.choice((lambda: _digits(rng, 9), lambda: f"{d.year}{_digits(rng, 6)}",
                       lambda: "V" + _digits(rng, 8), lambda: f"{d.year % 100:02d}{_digits(rng, 7)}",
                       lambda: "S" + _digits(rng, 7)))()


def _accession(rng, d):
    return rng.choice((lambda: f"RX{d.year % 100:02d}-{_digits(rng, 6)}",
                       lambda: f"A{d.year}{d.month:02d}{d.day:02d}{_digits(rng, 3)}",
                       lambda: f"CR-{d.year}-{_digits(rng, 6)}", lambda: f"{d.year % 100:02d}RX{_digits(rng, 6)}",
                       lambda: "EX" + _digits(rng, 10), lambda: _digits(rng, 8),
                       lambda: f"{d.year}{d.month:02d}{d.day:02d}{_digits(rng, 4)}",
                       lambda: f"DX{_digits(rng, 7)}"))()


def _rpps(rng):
    return "10" + _digits(rng, 9)


def _adeli(rng, cp):
    return cp[:2] + rng.choice("0123456789") + _digits(rng, 6)


def _room(rng):
    return rng.choice((lambda: f"{rng.randint(1, 6)}{rng.randint(0, 3)}{rng.randint(0, 9)}{rng.choice(('', '', 'A', 'B', 'bis'))}",
                       lambda: str(rng.randint(1, 40)), lambda: f"{rng.choice('ABCDE')}{rng.randint(1, 30)}"))()


def _patient(rng, exam, age_range, dom=None, sex=None, family=None):
    p = _person(rng, sex=sex, dom=dom)
    if family:
        p["family"] = family
    lo, hi = age_range
    days_lo = int(lo * 365.25) + 1
    days_hi = int(hi * 365.25) + 300
    birth = exam - _dt.timedelta(days=rng.randint(days_lo, max(days_lo + 1, days_hi)))
    p["birth"] = birth
    p["exam"] = exam
    p["age"] = _age_of(birth, exam)
    p["dom"] = dom
    if rng.random() < 0.25:
        extra = rng.choice(GIV[p["origin"]][p["sex"]] + GIV["fr"][p["sex"]])
        if extra != p["given"]:
            p["given_all"] = f"{p['given']} {extra}" if rng.random() < 0.7 else f"{p['given']}, {extra}"
    p.setdefault("given_all", p["given"])
    p["maiden"] = None
    if p["sex"] == "F" and p["age"][0] > 22 and rng.random() < 0.35:
        m = _person(rng, dom=dom)["family"]
        if m != p["family"]:
            p["maiden"] = m
    if dom:
        town, cp = rng.choice(DOM[dom]["towns"])
    else:
        town, cp = rng.choice(TOWNS)
    p["town"], p["cp"] = town, cp
    p["address"] = _address(rng, town, cp, dom)
    p["phone"] = _phone_digits(rng, (DOM[dom]["mob"] if rng.random() < 0.6 else DOM[dom]["fix"]) if dom
                               else rng.choice(("06", "07", "06", _region_prefix(cp))))
    p["ipp"] = _ipp(rng)
    p["nda"] = _nda(rng, exam)
    p["birthplace"] = rng.choice(DOM[dom]["towns"])[0] if dom and rng.random() < 0.7 else rng.choice(TOWNS)[0]
    return p


def _staff(rng, dom=None, sex=None):
    s = _person(rng, sex=sex, dom=dom if dom and rng.random() < 0.5 else None)
    s["rpps"] = _rpps(rng)
    return s


# --------------------------------------------------------------------------------------------
# name rendering
# --------------------------------------------------------------------------------------------

def _ptitle(rng, p, long=False):
    y = p["age"][0]
    if y < 13:
        return rng.choice(("Enfant", "l'enfant", "Enfant", "le petit" if p["sex"] == "M" else "la petite")) \
            if long else rng.choice(("Enfant", "ENF.", "Enfant", "Bébé" if y < 2 else "Enfant"))
    if p["sex"] == "F":
        return rng.choice(("Madame", "Mme", "MME", "Mme", "Mlle" if y < 30 else "Mme")) if long else \
            rng.choice(("Mme", "Mme", "MME", "Madame"))
    return rng.choice(("Monsieur", "M.", "M.", "Mr", "MR")) if long else rng.choice(("M.", "M.", "M", "Mr", "Monsieur"))


def _stitle(rng, prof=True):
    if prof:
        return rng.choice(("Dr", "Dr", "Dr", "Dr.", "Docteur", "DR", "Pr", "Dr"))
    return ""


def _cap(s):
    """Title-case a name while keeping particles."""
    return s


def _name_str(rng, person, style, given=None, family=None):
    g = given or person["given"]
    f = family or person["family"]
    F = f.upper()
    if style == "GF":
        return f"{g} {F}" if rng.random() < 0.7 else f"{g} {f}"
    if style == "FG":
        return f"{F} {g}" if rng.random() < 0.8 else f"{F} {g.upper()}"
    if style == "F":
        return F if rng.random() < 0.7 else f
    if style == "iF":
        parts = [w for w in g.split("-") if w]
        ini = ".-".join(w[0] for w in parts) + "."
        return f"{ini} {F}" if rng.random() < 0.8 else f"{ini} {f}"
    if style == "caret":
        return f"{_unacc(F)}^{_unacc(g.upper()).replace(' ', '^', 1) if False else _unacc(g.upper())}"
    if style == "init":
        return _initials(g, f)
    if style == "lower":
        return rng.choice((f"{f} {g}", f"{g} {f}", f)).lower()
    raise ValueError(style)


def _pname(rng, p, style=None, title=None, maiden=None):
    """Patient name pieces; titles are outside spans, maiden names are separate spans."""
    if style is None:
        style = rng.choice(("GF", "GF", "FG", "FG", "F", "iF"))
    out = []
    if title is None:
        title = rng.random() < 0.7 and style not in ("init", "caret")
    if title:
        t = title if isinstance(title, str) else _ptitle(rng, p)
        out.append((t + " ", None))
    out.append((_name_str(rng, p, style), PAT))
    if maiden is None:
        maiden = p["maiden"] and rng.random() < 0.5
    if maiden and p["maiden"]:
        m = p["maiden"]
        conn = rng.choice((" née ", " née ", " ép. ", " épouse ", " NEE ", " (née ", " nom de naissance : "))
        out.append((conn, None))
        out.append((m.upper() if rng.random() < 0.8 else m, PAT))
        if conn.startswith(" ("):
            out.append((")", None))
    return out


def _sname(rng, s, style=None, title=True):
    """Staff name pieces."""
    if style is None:
        style = rng.choice(("GF", "GF", "GF", "F", "iF", "FG"))
    out = []
    if title:
        t = title if isinstance(title, str) else _stitle(rng)
        out.append((t + " ", None))
    out.append((_name_str(rng, s, style), STF))
    return out


def _caret(rng, person, label, title_suffix=None):
    """DICOM / HL7 style NAME^GIVEN; trailing ^^MME (title) stays outside the span."""
    v = f"{_unacc(person['family'].upper())}^{_unacc(person['given'].upper())}"
    if rng.random() < 0.15 and person.get("given_all", person["given"]) != person["given"]:
        v = f"{_unacc(person['family'].upper())}^{_unacc(person['given'].upper())}^" \
            f"{_unacc(person['given_all'].replace(',', '').split()[-1].upper())}"
    out = [(v, label)]
    if title_suffix is None:
        title_suffix = rng.random() < 0.3
    if title_suffix:
        if label == PAT:
            t = "MME" if person["sex"] == "F" else rng.choice(("M", "MR", "M."))
        else:
            t = rng.choice(("DR", "Dr", "PR"))
        out.append((rng.choice(("^^", "^^^")) + t, None))
    return out


# --------------------------------------------------------------------------------------------
# clinical content
# --------------------------------------------------------------------------------------------

REG = {
    "poignet": ("m", ["Radiographie du poignet {s}", "RX POIGNET {S} F+P", "Poignet {s} face et profil",
                      "Radiographies du poignet {s}"],
                ["Incidences de face et de profil.", "Face, profil et incidences scaphoïdiennes (série de Schneck).",
                 "Clichés de face et de profil strict."],
                ["Chute de sa hauteur sur la main en hyperextension.",
                 "Douleur de la tabatière anatomique après chute à vélo.",
                 "Traumatisme du poignet {s} lors d'une chute en rollers.",
                 "Déformation en dos de fourchette après chute dans les escaliers."]),
    "main": ("f", ["Radiographie de la main {s}", "RX MAIN {S} F + 3/4", "Main {s} face et oblique",
                   "Radiographie de la colonne du pouce {s}"],
             ["Incidences de face et de trois-quarts.", "Face, profil et incidence de Kapandji du pouce."],
             ["Coup de poing dans un mur.", "Traumatisme du pouce lors d'une chute au ski.",
              "Douleur de la base du pouce, gonflement.", "Traumatisme de la main, écrasement dans une porte."]),
    "avant-bras": ("m", ["Radiographie de l'avant-bras {s}", "RX AVANT-BRAS {S}",
                         "Avant-bras {s} F+P prenant coude et poignet"],
                   ["Incidences de face et de profil prenant les articulations sus- et sous-jacentes."],
                   ["Chute sur l'avant-bras, déformation.", "Traumatisme direct de l'avant-bras (coup de bâton)."]),
    "coude": ("m", ["Radiographie du coude {s}", "RX COUDE {S} F+P", "Coude {s} face et profil"],
              ["Incidences de face et de profil à 90° de flexion."],
              ["Chute sur le coude, impotence fonctionnelle.", "Chute du trampoline, douleur du coude.",
               "Pronation douloureuse suspectée, réduction non obtenue."]),
    "épaule": ("f", ["Radiographie de l'épaule {s}", "RX EPAULE {S} F 3 ROT + PROFIL", "Épaule {s} face et profil de Lamy"],
               ["Face en rotation neutre, interne et externe, et profil de Lamy.",
                "Incidences de face et profil axillaire."],
               ["Luxation de l'épaule {s} après chute en ski.", "Chute sur le moignon de l'épaule.",
                "Douleur de l'épaule {s} chronique, suspicion de tendinopathie calcifiante."]),
    "hanche": ("f", ["Radiographie du bassin et de la hanche {s}", "RX BASSIN F + HANCHE {S} PROFIL",
                     "Bassin de face et hanche {s} face et profil"],
               ["Bassin de face debout et hanche de face et de profil (Dunn).",
                "Bassin de face couché et profil chirurgical d'Arcelin."],
               ["Chute de sa hauteur avec impotence fonctionnelle totale du membre inférieur {m}.",
                "Raccourcissement et rotation externe du membre inférieur après chute.",
                "Douleurs mécaniques de hanche, périmètre de marche limité.",
                "Boiterie et douleur de la hanche chez l'enfant."]),
    "genou": ("m", ["Radiographie du genou {s}", "RX GENOU {S} F+P", "Genou {s} face, profil et défilé fémoro-patellaire",
                    "Genoux de face en charge et en schuss"],
              ["Face et profil.", "Face en charge, schuss et défilés fémoro-patellaires à 30°.",
               "Incidences de face et profil, défilé fémoro-patellaire."],
              ["Entorse du genou au football, épanchement.", "Gonalgies mécaniques bilatérales.",
               "Douleur de la tubérosité tibiale antérieure chez un jeune sportif.",
               "Chute à moto, choc direct sur le genou."]),
    "cheville": ("f", ["Radiographie de la cheville {s}", "RX CHEVILLE {S} F+P", "Cheville {s} face, profil et 3/4"],
                 ["Face, profil et face en rotation interne de 20° (mortaise).", "Incidences de face et de profil."],
                 ["Entorse de la cheville {s} en varus, critères d'Ottawa positifs.",
                  "Chute dans les escaliers, torsion de la cheville.",
                  "Douleur du talon après un saut, suspicion de rupture du tendon d'Achille."]),
    "pied": ("m", ["Radiographie du pied {s}", "RX PIED {S} F + 3/4", "Pied {s} face, trois-quarts et profil en charge"],
             ["Incidences de face, trois-quarts et profil.", "Pied en charge face et profil."],
             ["Traumatisme du médio-pied, chute d'une échelle.", "Torsion du pied en descendant du trottoir.",
              "Douleur du bord latéral du pied après entorse.", "Métatarsalgies chez un coureur à pied."]),
    "rachis": ("m", ["Radiographie du rachis lombaire", "RX RACHIS LOMBAIRE F+P", "Rachis dorso-lombaire face et profil"],
               ["Incidences de face et de profil.", "Face et profil debout, incidence de De Sèze."],
               ["Lombalgie aiguë après effort de soulèvement.", "Chute de sa hauteur, douleur lombaire, ostéoporose connue.",
                "Lombalgies chroniques."]),
    "jambe": ("f", ["Radiographie de la jambe {s}", "RX JAMBE {S} F+P"],
              ["Incidences de face et de profil prenant genou et cheville."],
              ["Refus d'appui après chute chez un enfant de deux ans.", "Choc direct au football."]),
    "ageos": ("m", ["Radiographie de la main gauche pour âge osseux", "Âge osseux (main et poignet gauches de face)"],
              ["Main et poignet gauches de face."],
              ["Bilan de petite taille.", "Puberté précoce, évaluation de la maturation osseuse.",
               "Avance staturale, bilan endocrinien."]),
    "bilan": ("m", ["Bilan radiographique des mains et des pieds", "Bilan articulaire : genoux, hanches et mains",
                    "Radiographies des mains, pieds et bassin"],
              ["Mains et poignets de face, pieds de face et trois-quarts, bassin de face."],
              ["Polyarthralgies inflammatoires, suspicion de polyarthrite rhumatoïde.",
               "Bilan d'arthrose diffuse.", "Élévation des phosphatases alcalines, recherche de maladie de Paget."]),
}

# (region, result sentence, conclusion, flag) flag: p = pediatric only, o = older, a = any adult, "" = any
FINDINGS = [
    ("poignet", "Fracture extra-articulaire de l'extrémité distale du radius avec bascule postérieure de 20° et impaction, de type Pouteau-Colles. Arrachement de la styloïde ulnaire.",
     "Fracture de Pouteau-Colles déplacée.", "a"),
    ("poignet", "Fracture de l'extrémité distale du radius à déplacement antérieur, de type Goyrand-Smith, sans extension articulaire.",
     "Fracture de Goyrand-Smith.", "a"),
    ("poignet", "Trait de fracture non déplacé du tiers moyen du scaphoïde carpien.",
     "Fracture du scaphoïde non déplacée. Contrôle à J+10 ou scanner si doute.", "a"),
    ("poignet", "Condensation et fragmentation du semi-lunaire avec perte de hauteur, évoquant une maladie de Kienböck stade III de Lichtman.",
     "Aspect de maladie de Kienböck.", "a"),
    ("poignet", "Fracture en motte de beurre de la métaphyse radiale distale, sans déplacement.",
     "Fracture en motte de beurre du radius distal.", "p"),
    ("poignet", "Décollement épiphysaire de l'extrémité distale du radius avec fragment métaphysaire postérieur, type II de Salter-Harris.",
     "Fracture Salter-Harris II du radius distal.", "p"),
    ("poignet", "Liseré de chondrocalcinose du ligament triangulaire. Pas de fracture.",
     "Chondrocalcinose, pas de lésion traumatique.", "o"),
    ("main", "Fracture articulaire de la base du premier métacarpien avec subluxation trapézo-métacarpienne : fracture de Bennett.",
     "Fracture de Bennett.", "a"),
    ("main", "Fracture articulaire comminutive en Y de la base du premier métacarpien, de type Rolando.",
     "Fracture de Rolando.", "a"),
    ("main", "Fracture du col du 5e métacarpien avec bascule palmaire de 35° (fracture du boxeur).",
     "Fracture du col du 5e métacarpien.", "a"),
    ("main", "Petit arrachement osseux palmaire de la base de P2 du 3e doigt (plaque palmaire).",
     "Arrachement de la plaque palmaire de l'IPP du 3e doigt.", ""),
    ("main", "Rhizarthrose évoluée avec pincement, ostéophytose et subluxation trapézo-métacarpienne.",
     "Rhizarthrose.", "o"),
    ("avant-bras", "Fracture du tiers proximal de la diaphyse ulnaire associée à une luxation antérieure de la tête radiale : lésion de Monteggia.",
     "Fracture-luxation de Monteggia.", ""),
    ("avant-bras", "Fracture du tiers distal de la diaphyse radiale avec luxation de l'articulation radio-ulnaire distale : fracture de Galeazzi.",
     "Fracture de Galeazzi.", "a"),
    ("avant-bras", "Fracture en bois vert des deux os de l'avant-bras au tiers moyen, angulation de 15°.",
     "Fracture en bois vert des deux os de l'avant-bras.", "p"),
    ("coude", "Épanchement intra-articulaire avec signe du fat pad postérieur, sans trait de fracture visible.",
     "Épanchement du coude, fracture occulte de la tête radiale possible.", ""),
    ("coude", "Fracture parcellaire de la tête radiale, Mason II, déplacement de 3 mm.",
     "Fracture de la tête radiale Mason II.", "a"),
    ("coude", "Fracture supracondylienne de l'humérus en extension, stade II de Lagrange et Rigault.",
     "Fracture supracondylienne stade II.", "p"),
    ("épaule", "Fracture du col chirurgical de l'humérus, deux fragments selon Neer, engrenée.",
     "Fracture du col chirurgical, Neer 2 parties.", "o"),
    ("épaule", "Fracture céphalo-tubérositaire à 3 fragments selon la classification de Neer avec détachement du trochiter.",
     "Fracture de l'extrémité proximale de l'humérus Neer 3 parties.", "o"),
    ("épaule", "Luxation antéro-interne gléno-humérale. Encoche de Hill-Sachs de la tête humérale et fragment osseux glénoïdien antéro-inférieur évocateur d'un Bankart osseux.",
     "Luxation antérieure de l'épaule avec Hill-Sachs et Bankart osseux.", "a"),
    ("épaule", "Calcification de la coiffe des rotateurs en regard du tendon du supra-épineux, mesurant 12 mm, type A.",
     "Tendinopathie calcifiante du supra-épineux.", "a"),
    ("épaule", "Fracture du tiers moyen de la clavicule avec chevauchement de 1 cm.",
     "Fracture déplacée de la clavicule.", ""),
    ("hanche", "Fracture cervicale vraie du col fémoral, déplacée, avec verticalisation des travées : Garden III.",
     "Fracture du col fémoral Garden III.", "o"),
    ("hanche", "Fracture sous-capitale engrenée en coxa valga, Garden I.",
     "Fracture du col fémoral Garden I.", "o"),
    ("hanche", "Fracture pertrochantérienne simple, avec détachement du petit trochanter.",
     "Fracture pertrochantérienne.", "o"),
    ("hanche", "Pincement supéro-latéral de l'interligne coxo-fémoral, ostéophytes et géodes sous-chondrales, stade 3 de Kellgren-Lawrence (KL 3).",
     "Coxarthrose KL 3.", "o"),
    ("hanche", "Aplatissement, condensation et fragmentation du noyau épiphysaire fémoral : aspect de maladie de Legg-Calvé-Perthes.",
     "Ostéochondrite primitive de hanche (Perthes).", "p"),
    ("hanche", "Épaississement cortical et trabéculaire de l'hémi-bassin avec élargissement de l'os coxal, aspect de maladie de Paget.",
     "Maladie de Paget du bassin.", "o"),
    ("hanche", "Collection des parties molles en regard du grand trochanter évoquant un épanchement de Morel-Lavallée. Pas de fracture.",
     "Épanchement de Morel-Lavallée, pas de lésion osseuse.", "a"),
    ("hanche", "Fracture des branches ilio- et ischio-pubiennes, peu déplacée.",
     "Fracture du cadre obturateur.", "o"),
    ("genou", "Pincement fémoro-tibial médial, ostéophytes marginaux et condensation sous-chondrale : gonarthrose stade 3 de Kellgren-Lawrence (KL 3).",
     "Gonarthrose fémoro-tibiale médiale KL 3.", "o"),
    ("genou", "Arrachement osseux du bord latéral du plateau tibial (fracture de Segond), évocateur d'une rupture du LCA.",
     "Fracture de Segond : IRM recommandée à la recherche d'une lésion du LCA.", "a"),
    ("genou", "Trait de fracture frontal du condyle fémoral latéral : fracture de Hoffa. Hémarthrose.",
     "Fracture de Hoffa du condyle latéral.", "a"),
    ("genou", "Densification du corps adipeux de Hoffa et épanchement intra-articulaire modéré, sans fracture.",
     "Épanchement du genou sans lésion osseuse.", ""),
    ("genou", "Fragmentation de l'apophyse tibiale antérieure avec épaississement du tendon patellaire : maladie d'Osgood-Schlatter.",
     "Maladie d'Osgood-Schlatter.", "p"),
    ("genou", "Décollement épiphysaire de l'extrémité distale du fémur, type II de Salter-Harris.",
     "Fracture Salter-Harris II du fémur distal.", "p"),
    ("genou", "Fracture-séparation du plateau tibial latéral avec enfoncement de 6 mm, Schatzker II.",
     "Fracture du plateau tibial latéral Schatzker II.", "a"),
    ("genou", "Léger pincement fémoro-tibial et liseré de chondrocalcinose méniscale.",
     "Chondrocalcinose méniscale.", "o"),
    ("cheville", "Fracture spiroïde de la malléole latérale débutant à hauteur de la syndesmose, Weber B, sans élargissement de l'espace clair médial.",
     "Fracture malléolaire latérale Weber B stable.", "a"),
    ("cheville", "Fracture de la malléole latérale sus-syndesmotique, Weber C, avec diastasis tibio-fibulaire.",
     "Fracture Weber C instable.", "a"),
    ("cheville", "Élargissement de l'espace clair médial et fracture du col de la fibula sur le cliché de jambe : fracture de Maisonneuve.",
     "Fracture de Maisonneuve.", "a"),
    ("cheville", "Arrachement du tubercule antérieur de la fibula (fragment de Wagstaffe-Lefort).",
     "Fracture de Wagstaffe-Lefort.", "a"),
    ("cheville", "Épaississement des parties molles en regard du tendon d'Achille avec effacement du triangle de Kager.",
     "Aspect évocateur d'une rupture du tendon d'Achille, échographie recommandée.", "a"),
    ("cheville", "Fracture de la partie antéro-latérale de l'épiphyse tibiale distale (Tillaux juvénile), Salter-Harris III.",
     "Fracture de Tillaux juvénile Salter-Harris III.", "p"),
    ("cheville", "Fracture trimalléolaire avec fragment marginal postérieur (Destot) de 25 % de la surface articulaire.",
     "Fracture trimalléolaire.", "o"),
    ("pied", "Diastasis de 3 mm entre les bases des 1er et 2e métatarsiens avec fleck sign : lésion de l'articulation de Lisfranc.",
     "Lésion de Lisfranc, scanner recommandé.", "a"),
    ("pied", "Arrachement osseux dorsal de la tête du talus : entorse de l'articulation de Chopart.",
     "Entorse du Chopart avec arrachement.", "a"),
    ("pied", "Fracture transversale de la jonction métaphyso-diaphysaire du 5e métatarsien (zone 2), fracture de Jones.",
     "Fracture de Jones.", "a"),
    ("pied", "Fracture de la base du 5e métatarsien (arrachement du court fibulaire), zone 1.",
     "Fracture-arrachement de la base du 5e métatarsien.", ""),
    ("pied", "Apposition périostée du col du 2e métatarsien, fracture de fatigue.",
     "Fracture de fatigue du 2e métatarsien.", "a"),
    ("pied", "Fracture thalamique du calcanéus avec angle de Böhler à 10°.",
     "Fracture thalamique du calcanéus.", "a"),
    ("pied", "Hallux valgus avec angle M1-P1 de 35° et métatarsus varus.",
     "Hallux valgus.", "a"),
    ("rachis", "Tassement cunéiforme antérieur de L1 avec perte de hauteur de 30 %, mur postérieur respecté.",
     "Fracture-tassement de L1.", "o"),
    ("rachis", "Discarthrose étagée L4-L5 et L5-S1 avec pincements discaux et ostéophytes antérieurs.",
     "Discarthrose lombaire basse.", "a"),
    ("rachis", "Spondylolisthésis de L5 sur S1 grade 1 de Meyerding sur lyse isthmique.",
     "Spondylolisthésis L5-S1 grade 1.", "a"),
    ("rachis", "Vertèbre L3 élargie avec aspect en cadre, évocatrice d'une maladie de Paget.",
     "Maladie de Paget vertébrale L3.", "o"),
    ("jambe", "Fracture spiroïde non déplacée du tiers distal du tibia (fracture du toddler).",
     "Fracture du toddler.", "p"),
    ("jambe", "Fracture spiroïde du tiers distal du tibia associée à une fracture du tiers proximal de la fibula.",
     "Fracture bifocale de jambe.", "a"),
    ("ageos", "Âge osseux concordant avec l'âge civil selon l'atlas de Greulich et Pyle.",
     "Maturation osseuse normale (Greulich et Pyle).", "p"),
    ("ageos", "Avance d'âge osseux d'environ 18 mois selon la méthode de Greulich et Pyle.",
     "Avance d'âge osseux modérée.", "p"),
    ("ageos", "Retard d'âge osseux d'environ deux ans selon Greulich et Pyle, cartilages de croissance ouverts.",
     "Retard d'âge osseux.", "p"),
    ("bilan", "Érosions marginales des 2e et 3e articulations métacarpo-phalangiennes et de la 5e métatarso-phalangienne.",
     "Aspect compatible avec une polyarthrite rhumatoïde érosive.", "a"),
    ("bilan", "Arthrose digitale interphalangienne distale (nodules d'Heberden) et gonarthrose bilatérale KL 3.",
     "Polyarthrose.", "o"),
    ("bilan", "Épaississement cortical du tibia avec déformation en lame de sabre, maladie de Paget.",
     "Maladie de Paget tibiale.", "o"),
]

GENERIC_RES = ["Minéralisation osseuse normale.", "Déminéralisation osseuse diffuse.",
               "Parties molles sans particularité.", "Tuméfaction des parties molles en regard.",
               "Interlignes articulaires respectés.", "Pas d'épanchement articulaire visible.",
               "Rapports articulaires conservés.", "Pas de corps étranger radio-opaque.",
               "Calcifications vasculaires athéromateuses.", "Pas d'autre lésion osseuse décelable.",
               "Pas de lésion osseuse focale suspecte.", "Cartilages de croissance d'aspect normal.",
               "Enthésophyte calcanéen inférieur incident.", "Pas de signe de descellement du matériel."]
NORMAL_RES = ["Pas de trait de fracture visible.", "Absence de lésion osseuse traumatique décelable.",
              "Pas de fracture ni de luxation.", "Examen radiographique sans anomalie."]
NORMAL_CONCL = ["Pas de lésion osseuse traumatique visible.", "Radiographies normales.",
                "Absence de fracture. Si persistance des douleurs, contrôle à 10 jours."]
REL_TIME = ["Contrôle à J+10 conseillé.", "Consolidation attendue à 6 semaines.",
            "Antécédent de fracture homolatérale il y a 2 ans.", "Nouveau contrôle radiographique à 3 mois.",
            "Contrôle post-réductionnel à J+7.", "Appui autorisé à 6 semaines selon l'évolution clinique.",
            "Douleurs évoluant depuis 3 semaines.", "Ablation du plâtre prévue à J+45.",
            "Antécédent de prothèse controlatérale il y a 5 ans.", "Avis orthopédique souhaitable.",
            "Immobilisation par attelle pendant 3 semaines."]
WORD_SENT = {"petit": "Petit épanchement intra-articulaire associé.",
             "grand": "Discrète enthésopathie du grand trochanter.",
             "léger": "Léger œdème des parties molles.",
             "bras": "Immobilisation coude au corps, bras en écharpe.",
             "droit": None}


def _prep_a(name):
    """'au CHU de …', 'à la Clinique …', 'à l'Hôpital …', 'à l'AP-HP' (with trailing space)."""
    low = _unacc(name).lower()
    if low.startswith(("clinique", "polyclinique", "selarl", "scm", "maison")):
        return "à la "
    if low.startswith(("hopital", "imagerie", "ap-h", "assistance", "ehpad", "institut", "hotel")):
        return "à l'" if low[0] in "aeiouh" else "à "
    if low.startswith(("chu", "ch ", "chr", "centre", "cabinet", "groupe", "ghu", "gh", "scanner", "ssr", "smr")):
        return "au "
    if low.startswith(("hospices", "hopitaux", "hcl", "hus")):
        return "aux " if low.startswith(("hospices", "hopitaux")) else "aux "
    return "à "


def _side(rng, region):
    g = REG[region][0]
    right = rng.random() < 0.55
    if g == "f":
        return "droite" if right else "gauche"
    return "droit" if right else "gauche"


def _choose_finding(rng, peds, old, word=None):
    cands = []
    for f in FINDINGS:
        flag = f[3]
        if peds and flag not in ("p", ""):
            continue
        if not peds and flag == "p":
            continue
        if word and word.lower() not in (f[1] + " " + f[2]).lower():
            continue
        cands.append(f)
    if not cands:
        return None
    if old is not None and not word:
        pref = [f for f in cands if (f[3] == "o") == old or f[3] == ""]
        if pref and rng.random() < 0.7:
            cands = pref
    return rng.choice(cands)


def _clinical(rng, ctx, region=None):
    """Clinical body. Returns dict of pieces lists. Contains DATE / INSTITUTION spans in comparisons."""
    p = ctx["pat"]
    peds = p["age"][0] < 16
    word = ctx.get("epo_word")
    f = ctx.get("finding")
    if f is None or (region and f[0] != region):
        f = None
        if region:
            cands = [x for x in FINDINGS if x[0] == region and (x[3] in ("p", "") if peds else x[3] != "p")]
            f = rng.choice(cands) if cands else None
        if f is None:
            f = _choose_finding(rng, peds, p["age"][0] > 60)
    region = f[0]
    side = ctx.get("side") or _side(rng, region)
    if word == "droit":
        side = "droite" if REG[region][0] == "f" else "droit"
    reg = REG[region]
    title = rng.choice(reg[1]).replace("{s}", side).replace("{S}", _unacc(side.upper()))
    if rng.random() < 0.2:
        title = title.upper()
    tech = rng.choice(reg[2])
    mside = {"droite": "droit"}.get(side, side)
    ind = [(rng.choice(reg[3]).replace("{s}", side).replace("{m}", mside), None)]
    exam = p["exam"]
    r = rng.random()
    if region in ("ageos", "bilan"):
        r = 1.0
    if r < 0.3:
        d = exam - _dt.timedelta(days=rng.randint(0, 6))
        ind = [(rng.choice(("Chute le ", "Traumatisme le ", "Accident survenu le ", "Chute survenue le ")), None),
               (_fdate(rng, d, rng.choice(("dm", "dm", "slash", "dmslash", "long"))), DAT),
               (". ", None)] + ind
    elif r < 0.4:
        ind = ind + [(" " + rng.choice(("Chute il y a 3 jours.", "Douleurs depuis 2 semaines.",
                                         "Traumatisme il y a 48 heures.", "Opéré il y a 6 semaines.")), None)]
    res: list[list] = []
    normal = rng.random() < 0.12 and not word
    if normal:
        res.append([(rng.choice(NORMAL_RES), None)])
    else:
        res.append([(f[1], None)])
    pool = [s for s in GENERIC_RES
            if not (("croissance" in s and not peds) or ("athérom" in s and p["age"][0] < 50)
                    or ("matériel" in s and rng.random() < 0.7) or ("Déminéralisation" in s and p["age"][0] < 40))]
    picked = rng.sample(pool, rng.randint(1, 3))
    if "Minéralisation osseuse normale." in picked and "Déminéralisation osseuse diffuse." in picked:
        picked.remove("Minéralisation osseuse normale.")
    for s in picked:
        res.append([(s, None)])
    if word and word in WORD_SENT and WORD_SENT[word] and word not in f[1].lower():
        res.insert(1, [(WORD_SENT[word], None)])
    # comparison with a prior exam (DATE, sometimes INSTITUTION)
    if rng.random() < 0.35:
        d = exam - _dt.timedelta(days=rng.randint(7, 900))
        st = rng.choice(("slash", "slash", "long", "my", "monthyear", "dm", "slash2", "dot"))
        sent = [(rng.choice(("Comparaison avec le cliché du ", "Par rapport à l'examen du ", "Comparativement au bilan du ",
                              "Confrontation au cliché antérieur du ")), None), (_fdate(rng, d, st), DAT)]
        if rng.random() < 0.35:
            oi = _institution(rng, ctx.get("dom"))
            sent += [(rng.choice((" réalisé " + _prep_a(oi["name"]), " (", " effectué " + _prep_a(oi["name"]))), None),
                     (oi["name"], INS)]
            if sent[-2][0] == " (":
                sent.append((")", None))
        if region in ("ageos", "bilan", "rachis"):
            sent.append((rng.choice((" : stabilité.", " : aggravation modérée.", ".", " : pas d'élément nouveau.")), None))
        else:
            sent.append((rng.choice((" : stabilité.", " : pas de déplacement secondaire.", ", consolidation en cours.",
                                     " : aggravation modérée.", ".")), None))
        res.append(sent)
    if rng.random() < 0.2 and region not in ("ageos", "bilan"):
        d = exam - _dt.timedelta(days=rng.randint(20, 400))
        res.append([(rng.choice(("Matériel d'ostéosynthèse (plaque vissée) mis en place le ",
                                  "Status post-ostéosynthèse du ", "Réduction sous AG réalisée le ")), None),
                    (_fdate(rng, d, rng.choice(("slash", "long", "dm", "slash2"))), DAT),
                    (rng.choice((", sans démontage.", ", en place.", ".")), None)])
    if rng.random() < 0.35:
        res.append([(rng.choice(REL_TIME), None)])
    concl = [rng.choice(NORMAL_CONCL) if normal else f[2]]
    if rng.random() < 0.3:
        concl.append(rng.choice(("Avis orthopédique.", "Contrôle radiographique à J+10.", "Consultation d'orthopédie à J+7.",
                                 "À confronter à la clinique.", "Contrôle à 6 semaines.")))
    return {"region": region, "side": side, "title": title, "tech": tech, "ind": ind, "res": res,
            "concl": concl, "finding": f}


# --------------------------------------------------------------------------------------------
# context
# --------------------------------------------------------------------------------------------

def _ctx(rng, peds=None, age_range=None, dom=None, inst_kinds=None, region=None):
    if peds is None:
        peds = rng.random() < 0.15
    word, fam = None, None
    if rng.random() < 0.09:
        fam = rng.choice(sorted(EPO_SURN))
        word = EPO_SURN[fam]
    finding = None
    if word and word not in WORD_SENT:
        finding = _choose_finding(rng, peds, None, word)
        if finding is None:
            word, fam = None, None
    if finding is None and region:
        cands = [x for x in FINDINGS if x[0] == region and (x[3] in ("p", "") if peds else x[3] != "p")]
        finding = rng.choice(cands)
    if finding is None:
        finding = _choose_finding(rng, peds, rng.random() < 0.45)
    flag = finding[3]
    if age_range is None:
        if peds:
            age_range = (0, 15) if finding[0] != "jambe" else (1, 3)
            if finding[0] == "ageos":
                age_range = (5, 15)
        elif flag == "o":
            age_range = (55, 98)
        else:
            age_range = (16, 92)
    exam = _rand_date(rng, 2013, 2025)
    if exam > _dt.date(2025, 12, 31):
        exam = _dt.date(2025, 12, 31)
    pat = _patient(rng, exam, age_range, dom=dom, family=fam)
    inst = _institution(rng, dom, inst_kinds)
    rad = _staff(rng, dom)
    rad2 = _staff(rng, dom)
    presc = _staff(rng, dom)
    manip = _staff(rng, dom)
    sec = _staff(rng, dom, sex=rng.choice("FFFM"))
    ctx = {"pat": pat, "inst": inst, "rad": rad, "rad2": rad2, "presc": presc, "manip": manip, "sec": sec,
           "exam": exam, "dom": dom, "finding": finding, "epo_word": word,
           "acc": _accession(rng, exam), "time": _ftime(rng, "colon")}
    ctx["clin"] = _clinical(rng, ctx)
    return ctx


# --------------------------------------------------------------------------------------------
# shared blocks
# --------------------------------------------------------------------------------------------

def _kv(b, key, pieces, sep=None, end="\n"):
    b.add(key)
    b.add(sep if sep is not None else " : ")
    if isinstance(pieces, str):
        b.add(pieces)
    else:
        b.ext(pieces)
    b.add(end)


def _letterhead(rng, b, ctx, full=True):
    inst = ctx["inst"]
    b.add(inst["name"] if rng.random() < 0.8 else inst["name"].upper(), INS).nl()
    if rng.random() < 0.7:
        b.add(rng.choice(("Service de Radiologie", "Service d'Imagerie Médicale", "Pôle Imagerie",
                          "Radiologie et Imagerie Musculo-squelettique", "Imagerie Médicale — Urgences",
                          "Radiologie conventionnelle – Scanner – IRM – Échographie"))).nl()
    if full and rng.random() < 0.85:
        b.add(_address(rng, inst["town"], inst["cp"], inst["dom"], inst=True, multiline=rng.random() < 0.3)
              if rng.random() < 0.5 else inst["address"], ADR).nl()
    if full:
        parts = []
        parts.append([(rng.choice(("Tél. : ", "Tél : ", "Tel ", "☎ ", "Secrétariat : ", "Standard : ")), None),
                      (_fphone(rng, inst["tel"], inst["dom"]), TEL)])
        if rng.random() < 0.6:
            parts.append([(rng.choice(("Fax : ", "Fax ", "Télécopie : ")), None), (_fphone(rng, inst["fax"], inst["dom"]), TEL)])
        if rng.random() < 0.5:
            parts.append([(rng.choice(("Mail : ", "E-mail : ", "Courriel : ", "")), None), (_email_generic(rng, inst), MEL)])
        if rng.random() < 0.45:
            parts.append([(rng.choice(("", "Site : ", "Web : ", "RDV en ligne : ")), None), (_url(rng, inst), WEB)])
        sep = rng.choice((" – ", " | ", "\n", " - ", "  "))
        for i, pc in enumerate(parts):
            if i:
                b.add(sep)
            b.ext(pc)
        b.nl()
        if rng.random() < 0.35:
            b.add(rng.choice(("FINESS : ", "N° FINESS ", "FINESS EJ : ", "Finess : "))).add(inst["finess"], IDN).nl()


def _staff_list(rng, b, ctx, n=None):
    n = n or rng.randint(1, 3)
    docs = [ctx["rad"], ctx["rad2"]] + [_staff(rng, ctx["dom"]) for _ in range(max(0, n - 2))]
    for s in docs[:n]:
        b.ext(_sname(rng, s, rng.choice(("GF", "GF", "FG", "iF")), title=_stitle(rng)))
        if rng.random() < 0.4:
            b.add(rng.choice((" – RPPS ", " - RPPS : ", " (RPPS ", " N° RPPS "))).add(s["rpps"], IDN)
            if b.p[-2][0] == " (RPPS ":
                b.add(")")
        elif rng.random() < 0.2:
            b.add(rng.choice((" – ", ", "))).add(rng.choice(("Radiologue", "Ancien chef de clinique", "Ancien interne des Hôpitaux",
                                                             "Radiologie ostéo-articulaire")))
        b.nl()


def _protocol(rng, b, ctx, style=None, sep="\n"):
    c = ctx["clin"]
    style = style or rng.choice(("caps", "title", "inline", "short"))
    heads = {
        "caps": ("INDICATION", "TECHNIQUE", "RÉSULTATS", "CONCLUSION"),
        "title": (rng.choice(("Indication", "Renseignements cliniques", "Motif de l'examen", "Contexte clinique")),
                  rng.choice(("Technique", "Incidences", "Protocole")),
                  rng.choice(("Résultats", "Résultat", "Compte rendu", "Description")),
                  rng.choice(("Conclusion", "En conclusion", "Synthèse", "Au total"))),
        "inline": ("Indication", "Technique", "Résultats", "Conclusion"),
        "short": ("Clinique", "Technique", "Résultat", "Conclusion"),
    }[style]
    colon = rng.choice((" : ", " : ", ": ", "\u00a0: "))
    joiner = " " if rng.random() < 0.6 else "\n"
    if rng.random() < 0.8:
        b.add(c["title"]).add("\n\n" if sep == "\n" else sep)
    for i, (h, body) in enumerate(((heads[0], c["ind"]), (heads[1], [(c["tech"], None)]))):
        b.add(h)
        if style == "caps" and rng.random() < 0.5:
            b.add(colon.rstrip() + sep)
        else:
            b.add(colon)
        b.ext(body).add(sep + ("\n" if sep == "\n" and rng.random() < 0.5 else ""))
    b.add(heads[2])
    b.add(colon.rstrip() + sep if (style == "caps" or rng.random() < 0.5) else colon)
    for i, sent in enumerate(c["res"]):
        if i:
            b.add(joiner if sep == "\n" else " ")
        if joiner == "\n" and sep == "\n" and rng.random() < 0.3:
            b.add("- ")
        b.ext(sent)
    b.add(sep + ("\n" if sep == "\n" else ""))
    b.add(heads[3]).add(colon)
    b.add(" ".join(c["concl"]))
    b.add(sep)


def _signature(rng, b, ctx, kind=None):
    rad = ctx["rad"]
    exam = ctx["exam"]
    kind = kind or rng.choice(("valid", "valid", "plain", "elec", "iso", "dict"))
    vd = exam + _dt.timedelta(days=rng.choice((0, 0, 0, 1, 2)))
    if kind == "valid":
        b.add(rng.choice(("Compte rendu validé par ", "Validé électroniquement par ", "Validé par ", "Signé par ")))
        b.ext(_sname(rng, rad, rng.choice(("GF", "FG", "F")), title=_stitle(rng)))
        b.add(rng.choice((" le ", ", le ", " – "))).add(_fdate(rng, vd, rng.choice(("slash", "slash", "long", "dot", "slash2"))), DAT)
        b.add(rng.choice((" à ", " ", " à "))).add(_ftime(rng)).nl()
    elif kind == "plain":
        b.ext(_sname(rng, rad, rng.choice(("GF", "GF", "iF")), title=_stitle(rng))).nl()
        if rng.random() < 0.5:
            b.add("RPPS : ").add(rad["rpps"], IDN).nl()
    elif kind == "elec":
        b.add("Signature électronique : ").add(rng.choice((_slug(rad["given"])[0] + _slug(rad["family"]).replace("-", ""),
                                                            _slug(rad["family"]).replace("-", "")[:8])), STF)
        b.add(" – ").add(_fdate(rng, vd, "slash"), DAT).add(" " + _ftime(rng, "colon") + ":" + f"{rng.randint(0, 59):02d}").nl()
    elif kind == "iso":
        b.add(rng.choice(("Validation : ", "Horodatage validation : ", "validated_at=")))
        b.add(_fdate(rng, vd, "iso"), DAT).add(f"T{_ftime(rng, 'colon')}" + rng.choice(("", ":00", ":12+01:00")))
        b.add(rng.choice((" par ", " – ", " / "))).ext(_sname(rng, rad, "GF", title=_stitle(rng))).nl()
    else:
        b.add("Dicté le ").add(_fdate(rng, exam, rng.choice(("slash", "slash2"))), DAT)
        b.add(", frappé le ").add(_fdate(rng, vd, rng.choice(("slash", "slash2"))), DAT)
        b.add(" – ").add(_initials(rad["given"], rad["family"]) + "/" + _initials(ctx["sec"]["given"], ctx["sec"]["family"], mixed=True), STF).nl()
        b.ext(_sname(rng, rad, "GF", title=_stitle(rng))).nl()


def _patient_kv(rng, b, ctx, full=True, sep_style=None):
    """'Nom : | Prénom : | Né(e) le : | IPP :' header."""
    p = ctx["pat"]
    sep_style = sep_style or rng.choice(("nl", "nl", "pipe", "two"))
    items = []
    if p["maiden"] and rng.random() < 0.5:
        items.append(("Nom de naissance", [(p["maiden"].upper(), PAT)]))
        items.append(("Nom utilisé", [(p["family"].upper(), PAT)]))
        items.append(("Prénom(s) de naissance" if rng.random() < 0.5 else "Prénom", [(p["given_all"], PAT)]))
    else:
        items.append((rng.choice(("Nom", "NOM", "Nom patient", "Patient")), [(p["family"].upper(), PAT)]))
        items.append((rng.choice(("Prénom", "PRENOM", "Prénom(s)")), [(p["given"] if rng.random() < 0.7 else p["given_all"], PAT)]))
    bd_key = rng.choice(("Né(e) le", "Date de naissance", "DDN", "Né(e) le", "Naissance", "Né le" if p["sex"] == "M" else "Née le"))
    items.append((bd_key, [(_fdate(rng, p["birth"], rng.choice(("slash", "slash", "slash", "dot", "iso", "long", "slash2"))), BIR)]
                  + ([(" ", None)] + _age_pieces(rng, p, "paren") if rng.random() < 0.4 else [])))
    if rng.random() < 0.5:
        items.append(("Sexe", [(rng.choice((p["sex"], "Féminin" if p["sex"] == "F" else "Masculin")), None)]))
    if rng.random() < 0.3:
        items.append(("Âge", _age_pieces(rng, p, rng.choice(("ans", "A", "a")))))
    items.append((rng.choice(("IPP", "N° IPP", "NIP", "N° patient", "ID patient")), [(p["ipp"], IDN)]))
    if full:
        if rng.random() < 0.5:
            items.append((rng.choice(("NDA", "N° séjour", "N° de venue", "Venue")), [(p["nda"], IDN)]))
        if rng.random() < 0.35:
            items.append((rng.choice(("INS", "Matricule INS", "NIR", "N° SS", "N° Sécurité sociale")), [(_nir(rng, p), IDN)]))
        if rng.random() < 0.35:
            items.append(("Adresse", [(p["address"], ADR)]))
        if rng.random() < 0.3:
            items.append((rng.choice(("Tél", "Téléphone", "Tél. portable", "Tel")), [(_fphone(rng, p["phone"], p["dom"]), TEL)]))
        if rng.random() < 0.12:
            items.append(("Email", [(_email_patient(rng, p), MEL)]))
        if rng.random() < 0.25:
            items.append((rng.choice(("Lieu de naissance", "Né(e) à")), [(p["birthplace"], CIT)]))
        if rng.random() < 0.3:
            items.append((rng.choice(("Chambre", "Ch.", "Lit", "Box")), [(_room(rng), IDN)]))
        if rng.random() < 0.25:
            items.append(("UF", [(str(rng.randint(1000, 9999)), IDN)]))
    if sep_style == "nl":
        for k, v in items:
            _kv(b, k, v, sep=rng.choice((" : ", ": ", "\t: ", " :\t")))
    elif sep_style == "pipe":
        for i, (k, v) in enumerate(items):
            if i:
                b.add(" | ")
            b.add(k + " : ").ext(v)
        b.nl()
    else:
        for i, (k, v) in enumerate(items):
            b.add(k + " : ").ext(v)
            b.add("\n" if i % 2 else "    ")
        b.nl()


def _exam_line(rng, b, ctx, keys=True):
    exam = ctx["exam"]
    b.add(rng.choice(("Date de l'examen : ", "Examen du ", "Date d'examen : ", "Réalisé le ", "Date : ")))
    b.add(_fdate(rng, exam, rng.choice(("slash", "slash", "long", "dot", "iso"))), DAT)
    if rng.random() < 0.5:
        b.add(rng.choice((" à ", " ", " – "))).add(_ftime(rng))
    b.nl()
    if keys and rng.random() < 0.7:
        b.add(rng.choice(("N° d'examen : ", "Accession : ", "N° accession : ", "Réf. examen : ", "N° de demande : ")))
        b.add(ctx["acc"], IDN).nl()
    if keys and rng.random() < 0.7:
        b.add(rng.choice(("Prescripteur : ", "Médecin demandeur : ", "Demandé par : ", "Adressé par : ")))
        b.ext(_sname(rng, ctx["presc"], rng.choice(("GF", "FG", "F", "iF")), title=_stitle(rng)))
        if rng.random() < 0.3:
            b.add(" (").add(rng.choice(("Urgences", "Orthopédie", "Médecin traitant", "Rhumatologie", "Pédiatrie",
                                          "SOS Médecins", "Gériatrie"))).add(")")
        b.nl()


# --------------------------------------------------------------------------------------------
# layouts
# --------------------------------------------------------------------------------------------

def _L_kv_classic(rng):
    ctx = _ctx(rng)
    b = _B(ctx)
    if rng.random() < 0.75:
        _letterhead(rng, b, ctx, full=rng.random() < 0.6)
        b.nl()
    b.add(rng.choice(("COMPTE RENDU D'EXAMEN", "COMPTE-RENDU RADIOLOGIQUE", "Compte rendu", "RADIOLOGIE CONVENTIONNELLE",
                      "CR IMAGERIE"))).nl(2)
    _patient_kv(rng, b, ctx)
    _exam_line(rng, b, ctx)
    b.nl()
    _protocol(rng, b, ctx)
    b.nl()
    _signature(rng, b, ctx)
    return b


def _L_pipe_table(rng):
    ctx = _ctx(rng)
    p = ctx["pat"]
    b = _B(ctx)
    b.add(ctx["inst"]["name"], INS).add(" — ").add(rng.choice(("Export RIS", "Extraction DPI", "Dossier radiologique"))).nl(2)
    cols = [("Nom", [(p["family"].upper(), PAT)]), ("Prénom", [(p["given"], PAT)]),
            ("Né(e) le", [(_fdate(rng, p["birth"], rng.choice(("slash", "iso", "dot"))), BIR)]),
            ("Sexe", [(p["sex"], None)]), ("IPP", [(p["ipp"], IDN)])]
    if rng.random() < 0.6:
        cols.append(("Âge", _age_pieces(rng, p, rng.choice(("ans", "a", "A")))))
    cols += [("Date examen", [(_fdate(rng, ctx["exam"], rng.choice(("slash", "iso", "slash2"))), DAT)]),
             ("N° examen", [(ctx["acc"], IDN)])]
    if rng.random() < 0.6:
        cols.append(("Prescripteur", [(_name_str(rng, ctx["presc"], rng.choice(("FG", "F", "iF"))), STF)]))
    if rng.random() < 0.4:
        cols.append(("Chambre", [(_room(rng), IDN)]))
    b.add("| " + " | ".join(k for k, _ in cols) + " |").nl()
    b.add("|" + "|".join("-" * (len(k) + 2) for k, _ in cols) + "|").nl()
    b.add("| ")
    for i, (_, v) in enumerate(cols):
        if i:
            b.add(" | ")
        b.ext(v)
    b.add(" |").nl(2)
    _protocol(rng, b, ctx, style=rng.choice(("caps", "title")))
    b.nl()
    _signature(rng, b, ctx)
    return b


def _L_tab_table(rng):
    ctx = _ctx(rng)
    p = ctx["pat"]
    b = _B(ctx)
    hdr = ["NOM", "PRENOM", "DDN", "IPP", "DATE_EXAM", "MODALITE", "LIBELLE", "PRESCRIPTEUR", "RADIOLOGUE"]
    b.add("\t".join(hdr)).nl()
    vals = [[(p["family"].upper(), PAT)], [(p["given"].upper() if rng.random() < 0.5 else p["given"], PAT)],
            [(_fdate(rng, p["birth"], rng.choice(("slash", "compact", "iso"))), BIR)], [(p["ipp"], IDN)],
            [(_fdate(rng, ctx["exam"], rng.choice(("slash", "iso"))), DAT), (" " + _ftime(rng, "colon"), None)],
            [("CR" if rng.random() < 0.3 else "DX", None)], [(_unacc(ctx["clin"]["title"].upper()), None)],
            [(_name_str(rng, ctx["presc"], "FG"), STF)], [(_name_str(rng, ctx["rad"], "FG"), STF)]]
    for i, v in enumerate(vals):
        if i:
            b.add("\t")
        b.ext(v)
    b.nl(2)
    b.add("Compte rendu :").nl()
    _protocol(rng, b, ctx, style=rng.choice(("caps", "inline", "short")))
    b.nl()
    _signature(rng, b, ctx, rng.choice(("valid", "elec", "iso")))
    return b


def _L_csv(rng):
    ctx = _ctx(rng)
    p = ctx["pat"]
    b = _B(ctx)
    sep = rng.choice((";", ";", ","))
    q = rng.choice(("", '"'))
    hdr = ["IPP", "NOM", "PRENOM", "DATE_NAISSANCE", "SEXE", "DATE_EXAMEN", "ACCESSION", "EXAMEN", "PRESCRIPTEUR",
           "UF", "ETABLISSEMENT"]
    b.add(sep.join(hdr)).nl()
    vals = [[(p["ipp"], IDN)], [(p["family"].upper(), PAT)], [(p["given"], PAT)],
            [(_fdate(rng, p["birth"], rng.choice(("slash", "iso", "compact"))), BIR)], [(p["sex"], None)],
            [(_fdate(rng, ctx["exam"], rng.choice(("slash", "iso"))), DAT)], [(ctx["acc"], IDN)],
            [(_unacc(ctx["clin"]["title"].upper()), None)],
            [(_name_str(rng, ctx["presc"], rng.choice(("FG", "F"))), STF)],
            [(str(rng.randint(1000, 9999)), IDN)], [(ctx["inst"]["name"], INS)]]
    for i, v in enumerate(vals):
        if i:
            b.add(sep)
        b.add(q).ext(v).add(q)
    b.nl()
    b.add("COMPTE_RENDU" + sep + '"')
    _protocol(rng, b, ctx, style="inline", sep=" ")
    b.add('"').nl()
    if rng.random() < 0.5:
        b.add("VALIDEUR" + sep).add(_name_str(rng, ctx["rad"], "FG"), STF).add(sep)
        b.add(_fdate(rng, ctx["exam"], "iso"), DAT).add(" " + _ftime(rng, "colon")).nl()
    return b


def _hl7ts(rng, d):
    return [(_fdate(rng, d, "compact"), DAT), (f"{rng.randint(7, 20):02d}{rng.randint(0, 59):02d}" + rng.choice(("", "00", "32")), None)]


def _L_hl7(rng):
    ctx = _ctx(rng)
    p, inst = ctx["pat"], ctx["inst"]
    b = _B(ctx)
    fac = inst["hl7"]
    b.add("MSH|^~\\&|RIS|").add(fac, INS).add("|PACS|").add(fac, INS).add("|").ext(_hl7ts(rng, ctx["exam"]))
    b.add("||ORU^R01^ORU_R01|").add("MSG" + _digits(rng, 8), IDN).add("|P|2.5|||||FRA|8859/1").nl()
    b.add("PID|1||").add(p["ipp"], IDN).add("^^^").add(fac, INS).add("^PI")
    if rng.random() < 0.4:
        b.add("~").add(_nir(rng, p, "compact"), IDN).add("^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS")
    b.add("||")
    b.ext(_caret(rng, p, PAT, title_suffix=False)).add("^^^" + ("MME" if p["sex"] == "F" else "M") + "^^D")
    if p["maiden"]:
        b.add("~").add(f"{_unacc(p['maiden'].upper())}^{_unacc(p['given'].upper())}", PAT).add("^^^^^L")
    b.add("||").add(_fdate(rng, p["birth"], "compact"), BIR).add("|" + p["sex"] + "|||")
    if rng.random() < 0.6:
        a = p["address"].replace("\n", " ").split(", ")
        street = _unacc(a[0].upper())
        cp, town = p["cp"], _unacc(p["town"].upper())
        b.add(f"{street}^^{town}^^{cp}", ADR).add("^FRA^H")
    b.add("||")
    if rng.random() < 0.6:
        b.add(p["phone"], TEL).add("^PRN^PH")
    b.nl()
    b.add("PV1|1|").add(rng.choice(("U", "I", "O", "E"))).add("|")
    b.add(str(rng.randint(1000, 9999)), IDN).add("^").add(_room(rng), IDN).add("^").add(str(rng.randint(1, 3)), IDN)
    b.add("^").add(fac, INS).add("||||")
    b.add(ctx["presc"]["rpps"], IDN).add("^").ext(_caret(rng, ctx["presc"], STF, title_suffix=False)).add("^^^DR")
    b.add("|||||||||||").add(p["nda"], IDN).nl()
    b.add("ORC|RE|").add(_digits(rng, 9), IDN).add("|").add(ctx["acc"], IDN).nl()
    b.add("OBR|1|").add(_digits(rng, 9), IDN).add("|").add(ctx["acc"], IDN)
    b.add("|" + _unacc(ctx["clin"]["region"].upper()[:6]) + "^" + _unacc(ctx["clin"]["title"].upper()) + "|||")
    b.ext(_hl7ts(rng, ctx["exam"])).add("||||||||")
    b.add(ctx["presc"]["rpps"], IDN).add("^").ext(_caret(rng, ctx["presc"], STF, title_suffix=False))
    b.add("||||||").ext(_hl7ts(rng, ctx["exam"])).add("||CR|F|||||||")
    b.add(ctx["rad"]["rpps"], IDN).add("&").add(f"{_unacc(ctx['rad']['family'].upper())}&{_unacc(ctx['rad']['given'].upper())}", STF).nl()
    c = ctx["clin"]
    lines = [[("Indication : ", None)] + c["ind"], [("Technique : " + c["tech"], None)], [("Résultats :", None)]]
    lines += c["res"]
    lines.append([("Conclusion : " + " ".join(c["concl"]), None)])
    for i, ln in enumerate(lines, 1):
        b.add(f"OBX|{i}|TX|RXCR^Compte rendu||").ext(ln).add("||||||F").nl()
    return b


def _dcm_line(b, tag, vr, pieces, kw):
    b.add(f"({tag}) {vr} [")
    b.ext(pieces)
    ln = sum(len(t) for t, _ in pieces)
    b.add("]" + " " * max(1, 38 - ln) + f"# {ln + ln % 2:3d}, 1 {kw}").nl()


def _L_dicom(rng):
    ctx = _ctx(rng)
    p, inst = ctx["pat"], ctx["inst"]
    b = _B(ctx)
    b.add("# Dicom-File-Format").nl(2).add("# Dicom-Meta-Information-Header").nl()
    b.add("(0002,0002) UI =DigitalXRayImageStorageForPresentation      #  28, 1 MediaStorageSOPClassUID").nl()
    b.add("(0002,0010) UI =LittleEndianExplicit                        #  20, 1 TransferSyntaxUID").nl(2)
    b.add("# Dicom-Data-Set").nl()
    ex = ctx["exam"]
    _dcm_line(b, "0008,0020", "DA", [(_fdate(rng, ex, "compact"), DAT)], "StudyDate")
    _dcm_line(b, "0008,0030", "TM", [(_ftime(rng, "hms"), None)], "StudyTime")
    _dcm_line(b, "0008,0050", "SH", [(ctx["acc"], IDN)], "AccessionNumber")
    _dcm_line(b, "0008,0060", "CS", [("DX" if rng.random() < 0.6 else "CR", None)], "Modality")
    _dcm_line(b, "0008,0070", "LO", [(rng.choice(("FUJIFILM Corporation", "Carestream Health", "SIEMENS", "Philips", "GE Healthcare", "AGFA")), None)], "Manufacturer")
    _dcm_line(b, "0008,0080", "LO", [(_unacc(inst["name"].upper()) if rng.random() < 0.6 else inst["name"], INS)], "InstitutionName")
    if rng.random() < 0.6:
        _dcm_line(b, "0008,0081", "ST", [(_unacc(inst["address"].replace("\n", " ").upper()), ADR)], "InstitutionAddress")
    _dcm_line(b, "0008,0090", "PN", _caret(rng, ctx["presc"], STF), "ReferringPhysicianName")
    _dcm_line(b, "0008,1030", "LO", [(_unacc(ctx["clin"]["title"].upper()), None)], "StudyDescription")
    if rng.random() < 0.6:
        _dcm_line(b, "0008,1050", "PN", _caret(rng, ctx["rad"], STF), "PerformingPhysicianName")
    if rng.random() < 0.6:
        _dcm_line(b, "0008,1070", "PN", _caret(rng, ctx["manip"], STF, title_suffix=False), "OperatorsName")
    _dcm_line(b, "0010,0010", "PN", _caret(rng, p, PAT), "PatientName")
    _dcm_line(b, "0010,0020", "LO", [(p["ipp"], IDN)], "PatientID")
    if rng.random() < 0.4:
        _dcm_line(b, "0010,0021", "LO", [(inst["hl7"], INS)], "IssuerOfPatientID")
    _dcm_line(b, "0010,0030", "DA", [(_fdate(rng, p["birth"], "compact"), BIR)], "PatientBirthDate")
    _dcm_line(b, "0010,0040", "CS", [(p["sex"], None)], "PatientSex")
    y = p["age"][0]
    _dcm_line(b, "0010,1010", "AS", [(f"{y:03d}Y" if y >= 2 else f"{p['age'][2]:03d}M", AGE)], "PatientAge")
    if rng.random() < 0.4:
        _dcm_line(b, "0010,1000", "LO", [(_nir(rng, p, "compact"), IDN)], "OtherPatientIDs")
    if rng.random() < 0.35:
        _dcm_line(b, "0010,1040", "LO", [(_unacc(p["address"].replace("\n", " ").upper()), ADR)], "PatientAddress")
    if rng.random() < 0.35:
        _dcm_line(b, "0010,2154", "SH", [(p["phone"], TEL)], "PatientTelephoneNumbers")
    if p["maiden"] and rng.random() < 0.5:
        _dcm_line(b, "0010,1060", "PN", [(_unacc(p["maiden"].upper()), PAT)], "PatientMotherBirthName" if False else "PatientBirthName")
    bp = {"poignet": "WRIST", "main": "HAND", "avant-bras": "FOREARM", "coude": "ELBOW", "épaule": "SHOULDER",
          "hanche": "HIP", "genou": "KNEE", "cheville": "ANKLE", "pied": "FOOT", "rachis": "LSPINE", "jambe": "LEG",
          "ageos": "HAND", "bilan": "EXTREMITY"}[ctx["clin"]["region"]]
    _dcm_line(b, "0018,0015", "CS", [(bp, None)], "BodyPartExamined")
    uid = "1.2.250.1." + ".".join(str(rng.randint(1, 99999)) for _ in range(rng.randint(4, 6)))
    _dcm_line(b, "0020,000d", "UI", [(uid, IDN)], "StudyInstanceUID")
    if rng.random() < 0.5:
        _dcm_line(b, "0032,1032", "PN", _caret(rng, ctx["presc"], STF), "RequestingPhysician")
    if rng.random() < 0.4:
        _dcm_line(b, "0038,0010", "LO", [(p["nda"], IDN)], "AdmissionID")
    b.nl()
    b.add(rng.choice(("--- Compte rendu associé ---", "=== SR / CR texte ===", "[Rapport]"))).nl()
    _protocol(rng, b, ctx, style=rng.choice(("caps", "short")))
    _signature(rng, b, ctx, rng.choice(("valid", "plain")))
    return b


def _L_worklist(rng):
    ctx = _ctx(rng)
    inst = ctx["inst"]
    b = _B(ctx)
    b.add("LISTE DE TRAVAIL – ").add(rng.choice(("Radiologie conventionnelle", "Salle os", "RX Urgences", "Radio standard")))
    b.add(" – ").add(inst["name"], INS).nl()
    b.add("Imprimé le ").add(_fdate(rng, ctx["exam"], "slash"), DAT).add(" à " + _ftime(rng, "colon") + " par ")
    b.add(_slug(ctx["manip"]["given"])[0] + _slug(ctx["manip"]["family"]).replace("-", "")[:10], STF).nl(2)
    b.add("Heure  | Patient                    | DDN        | Âge | IPP        | Examen                 | Provenance").nl()
    b.add("-" * 100).nl()
    n = rng.randint(3, 6)
    main = rng.randrange(n)
    for i in range(n):
        if i == main:
            p, title = ctx["pat"], ctx["clin"]["title"]
        else:
            oc = _patient(rng, ctx["exam"], (1, 95), dom=ctx["dom"])
            rg = rng.choice(list(REG))
            sd = _side(rng, rg)
            p, title = oc, rng.choice(REG[rg][1]).replace("{s}", sd).replace("{S}", _unacc(sd.upper()))
        b.add(_ftime(rng, "colon") + "  | ")
        nm = f"{p['family'].upper()} {p['given']}"
        b.add(nm, PAT).add(" (" + p["sex"] + ")" + " " * max(1, 22 - len(nm)) + "| ")
        b.add(_fdate(rng, p["birth"], "slash"), BIR).add(" | ").ext(_age_pieces(rng, p, rng.choice(("a", "A", "ans"))))
        b.add(" | ").add(p["ipp"], IDN).add(" | ").add(_unacc(title.upper())[:24]).add(" | ")
        r = rng.random()
        if r < 0.35:
            b.add("URG box ").add(str(rng.randint(1, 20)), IDN)
        elif r < 0.6:
            b.add(rng.choice(("Ortho ch. ", "Gériatrie ch. ", "Médecine ch. "))).add(_room(rng), IDN)
        else:
            b.add(rng.choice(("Externe", "Consultation", "Externe RDV")))
        b.nl()
    b.nl()
    b.add("Patient en cours : ").ext(_pname(rng, ctx["pat"], "FG", title=True)).add(" — N° ").add(ctx["acc"], IDN).nl()
    b.add("Manipulateur : ").ext(_sname(rng, ctx["manip"], rng.choice(("GF", "F")), title=False)).nl(2)
    _protocol(rng, b, ctx, style="short")
    b.nl()
    _signature(rng, b, ctx, rng.choice(("plain", "valid")))
    return b


_OCR_SUBS = [("O", "0"), ("0", "O"), ("l", "1"), ("1", "l"), ("I", "l"), ("rn", "m"), ("m", "rn"), ("é", "e"),
             ("è", "e"), ("à", "a"), (",", "."), ("S", "5"), ("B", "8"), ("e", "c"), ("ll", "Il"), ("5", "S"),
             ("u", "ii"), ("n", "ri"), (":", ";"), ("i", "ï"), ("'", "’")]


def _ocr_noise(rng, s, rate, labeled):
    out = []
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        if rng.random() >= rate:
            out.append(ch)
            i += 1
            continue
        r = rng.random()
        done = False
        if r < 0.7:
            for a, c in rng.sample(_OCR_SUBS, 6):
                if s.startswith(a, i):
                    out.append(c)
                    i += len(a)
                    done = True
                    break
        elif r < 0.85 and ch.isalpha() and 0 < i < n - 1:
            out.append(" " + ch)            # broken word
            i += 1
            done = True
        elif ch == " " and 0 < i < n - 1 and r < 0.95:
            i += 1                          # glued words
            done = True
        elif ch == " ":
            out.append("  ")
            i += 1
            done = True
        if not done:
            out.append(ch)
            i += 1
    return "".join(out)


def _ocrify(rng, b, rate=None, width=None):
    rate = rate if rate is not None else rng.uniform(0.01, 0.045)
    width = width or rng.randint(55, 80)
    pieces = [(_ocr_noise(rng, t, rate, l is not None), l) for t, l in b.p]
    out, col = [], 0
    for t, l in pieces:
        res = []
        for tok in re.split(r"(\s+)", t):
            if not tok:
                continue
            if tok.isspace():
                if "\n" in tok:
                    col = len(tok) - tok.rfind("\n") - 1
                else:
                    col += len(tok)
                res.append(tok)
                continue
            if col + len(tok) > width and col > 0:
                if len(tok) >= 8 and tok.isalpha() and rng.random() < 0.5:
                    k = rng.randint(3, len(tok) - 3)
                    res.append(tok[:k] + "-\n" + tok[k:])
                    col = len(tok) - k
                    continue
                if res and res[-1] == " ":
                    res[-1] = "\n"
                else:
                    res.append("\n")
                col = 0
            res.append(tok)
            col += len(tok)
        out.append(("".join(res), l))
    b.p = out
    return b


def _L_ocr_scan(rng):
    ctx = _ctx(rng, dom=None if rng.random() < 0.85 else rng.choice(sorted(DOM)), inst_kinds=("cab", "cab", "clin", "ch"))
    b = _B(ctx)
    _letterhead(rng, b, ctx, full=True)
    if rng.random() < 0.6:
        _staff_list(rng, b, ctx)
    b.nl()
    town = ctx["inst"]["town"]
    if rng.random() < 0.5:
        b.add(town, CIT).add(", le ").add(_fdate(rng, ctx["exam"], rng.choice(("long", "slash"))), DAT).nl(2)
    b.add(rng.choice(("Patient(e) : ", "Concerne : ", "Nom : ", ""))).ext(_pname(rng, ctx["pat"], rng.choice(("GF", "FG")), title=True))
    p = ctx["pat"]
    b.add(rng.choice((", née le " if p["sex"] == "F" else ", né le ", " – DDN : ", "\nNé(e) le : ")))
    b.add(_fdate(rng, p["birth"], rng.choice(("slash", "slash2", "long"))), BIR).nl()
    if rng.random() < 0.5:
        b.add("Dossier n° ").add(p["ipp"], IDN).add(" – Examen n° ").add(ctx["acc"], IDN).nl()
    if rng.random() < 0.5:
        b.add("Examen du ").add(_fdate(rng, ctx["exam"], "slash"), DAT).nl()
    if rng.random() < 0.6:
        b.add("Médecin prescripteur : ").ext(_sname(rng, ctx["presc"], title=_stitle(rng))).nl()
    b.nl()
    _protocol(rng, b, ctx)
    b.nl()
    _signature(rng, b, ctx, rng.choice(("plain", "valid", "dict")))
    if rng.random() < 0.4:
        b.add(rng.choice(("SELARL au capital de 10 000 € – SIRET ", "SCM Radiologie – SIRET ", "RCS ")))
        b.add(_digits(rng, 14), IDN).nl()
    b.add(rng.choice(("Page 1/1", "1/1", "- 1 -", "Page 1 sur 1"))).nl()
    return _ocrify(rng, b)


def _L_urgences(rng):
    ctx = _ctx(rng)
    p = ctx["pat"]
    c = ctx["clin"]
    b = _B(ctx)
    ex = ctx["exam"]
    b.add(rng.choice(("urg", "SAU", "urgences", "UHCD", "urg adultes" if p["age"][0] > 15 else "urg péd")))
    r = rng.random()
    if r < 0.8:
        b.add(rng.choice((" - box ", " box ", " - BOX "))).add(str(rng.randint(1, 24)) if rng.random() < 0.8 else rng.choice(("B3", "C12", "A4")), IDN)
    else:
        b.add(rng.choice((" - déchoc ", " - SAUV ", " - couloir "))).add(str(rng.randint(1, 6)), IDN)
    b.add(" - ").add(_fdate(rng, ex, rng.choice(("dmslash", "slash", "slash2"))), DAT).add(" " + _ftime(rng, "h")).nl()
    nm = [(rng.choice(("mme ", "mr ", "m. ", "pat ", "")) if p["age"][0] > 15 else rng.choice(("enf ", "")), None),
          (_name_str(rng, p, "lower"), PAT)]
    b.ext(nm).add(", ").ext(_lower(_age_pieces(rng, p, rng.choice(("a", "ans", "A")))))
    if rng.random() < 0.6:
        b.add(", ddn ").add(_fdate(rng, p["birth"], rng.choice(("slash", "slash2"))), BIR)
    if rng.random() < 0.5:
        b.add(", ipp ").add(p["ipp"], IDN)
    b.nl()
    region = c["region"]
    sd = "" if region in ("rachis", "bilan", "ageos") else " " + c["side"][:1]
    b.add("mdt: ").ext(_lower(c["ind"])).nl()
    atcd = rng.sample(["hta", "dnid", "fa sous aod", "ostéoporose", "bpco", "ptg g il y a 2 ans", "alzheimer",
                       "aucun", "asthme", "drépanocytose", "tabac 20 pa", "ethylisme chronique"], rng.randint(1, 3))
    b.add("atcd: " + ", ".join(atcd)).nl()
    b.add("ex: dlr " + region + sd + ", " + rng.choice(("eva 7/10", "eva 5/10", "eva 8")) + ", "
          + rng.choice(("pas de trouble sensitivo-moteur", "pouls perçus", "pas d'ouverture cutanée", "oedème ++")) + ".").nl()
    fnd = c["finding"][2].lower() if c["finding"] else ""
    b.add("rx " + region + sd + " f+p: " + fnd).nl()
    r = rng.random()
    if r < 0.7:
        b.add("avis ortho (").ext(_lower(_sname(rng, ctx["presc"], rng.choice(("F", "GF")), title="dr"))).add("): ")
        b.add(rng.choice(("ttt ortho, plâtre babp", "réduction sous meopa + attelle", "bloc demain", "ttt fonctionnel",
                          "immobilisation et cs à j+7", "hospit en ortho"))).nl()
    b.add("ccl: " + rng.choice(("rad", "rad avec attelle", "hospit", "uhcd", "transfert")) + ", cs ortho à j+7, rx contrôle à j+10").nl()
    if rng.random() < 0.5:
        who = rng.choice(("fille", "fils", "mari", "épouse", "voisine", "mère", "père"))
        b.add("tel " + who + " : ").add(_fphone(rng, _phone_digits(rng, rng.choice(("06", "07"))), None, rng.choice(("sp", "compact", "dot"))), TEL).nl()
    if rng.random() < 0.3:
        b.add("transfert vers ").add(_institution(rng, ctx["dom"], ("ch", "clin", "chu"))["name"].lower(), INS).nl()
    b.add(rng.choice(("dr ", "interne ", ""))).add(_name_str(rng, ctx["rad2"], rng.choice(("F", "lower"))).lower(), STF)
    if rng.random() < 0.6:
        b.add(" / ide ").add(ctx["sec"]["given"].lower(), STF)
    b.nl()
    if b.words() < 62:
        b.add("rx relue par radiologue: ").add(" ".join(s for s in c["concl"]).lower()).add(" " + rng.choice(REL_TIME).lower()).nl()
        for s in rng.sample(GENERIC_RES, 3):
            b.add(s.lower() + " ")
        b.nl()
    return b


def _L_letter(rng):
    ctx = _ctx(rng)
    p, inst = ctx["pat"], ctx["inst"]
    b = _B(ctx)
    _letterhead(rng, b, ctx)
    if rng.random() < 0.5:
        _staff_list(rng, b, ctx, rng.randint(1, 3))
    b.nl()
    doc = ctx["presc"]
    b.add(rng.choice(("Docteur ", "Dr ", "Cher Docteur "))).add(_name_str(rng, doc, rng.choice(("GF", "F", "FG"))), STF).nl()
    if rng.random() < 0.7:
        t, cp = rng.choice(TOWNS) if not ctx["dom"] else rng.choice(DOM[ctx["dom"]]["towns"])
        b.add(_address(rng, t, cp, ctx["dom"], multiline=True), ADR).nl()
    b.nl()
    b.add(rng.choice(("", "Fait à ")) if rng.random() < 0.5 else "").add(inst["town"], CIT)
    b.add(", le ").add(_fdate(rng, ctx["exam"] + _dt.timedelta(days=rng.choice((0, 0, 1))), rng.choice(("long", "long", "slash"))), DAT).nl(2)
    b.add("Objet : ").add(ctx["clin"]["title"]).add(" de ").ext(_pname(rng, p, rng.choice(("GF", "FG")), title=True)).nl(2)
    b.add(rng.choice(("Cher Confrère,", "Chère Consœur,", "Cher ami,", "Mon cher Confrère,"))).nl(2)
    poss = "votre patiente" if p["sex"] == "F" else "votre patient"
    b.add(f"J'ai vu ce jour {poss} ").ext(_pname(rng, p, rng.choice(("GF", "F")), title=True))
    b.add(", âgé" + ("e" if p["sex"] == "F" else "") + " de ").ext(_age_pieces(rng, p, "ans"))
    if rng.random() < 0.4:
        b.add(", domicilié" + ("e" if p["sex"] == "F" else "") + " à ").add(p["town"], CIT)
    b.add(", pour " + ctx["clin"]["title"].lower() + ".").nl(2)
    _protocol(rng, b, ctx, style="title")
    b.nl()
    b.add(rng.choice(("Je vous prie de croire, cher Confrère, en l'expression de mes sentiments confraternels.",
                      "Bien confraternellement.", "Je reste à votre disposition. Bien cordialement.",
                      "Avec mes remerciements pour votre confiance."))).nl(2)
    _signature(rng, b, ctx, rng.choice(("plain", "plain", "dict")))
    if rng.random() < 0.3:
        b.add("Copie : ").ext(_sname(rng, ctx["rad2"], title=_stitle(rng)))
        b.add(rng.choice((", chirurgien orthopédiste", ", médecin traitant", ", rhumatologue", ""))).nl()
    return b


def _L_addendum(rng):
    b = _L_kv_classic(rng) if rng.random() < 0.6 else _L_pipe_table(rng)
    # build a fresh context only for the addendum staff / dates: reuse text pieces
    ctx = b.ctx
    add_date = ctx["exam"] + _dt.timedelta(days=rng.choice((0, 1, 1, 2, 5)))
    b.nl()
    b.add(rng.choice(("ADDENDUM", "Addendum", "COMPLÉMENT", "ADDENDUM – relecture", "Complément d'information")))
    b.add(rng.choice((" du ", " – ", " en date du "))).add(_fdate(rng, add_date, rng.choice(("slash", "long"))), DAT).add(" :").nl()
    b.add(rng.choice(("Après relecture en double lecture, ", "Après avis spécialisé, ", "Suite à l'appel du service, ",
                      "Après comparaison avec les clichés antérieurs, ")))
    b.add(rng.choice(("on note également une fracture non déplacée de la styloïde ulnaire.",
                      "il existe un petit arrachement osseux de la pointe de la malléole latérale.",
                      "pas de modification de la conclusion.",
                      "l'aspect est stable depuis l'examen du ")))
    if b.p[-1][0].endswith("du "):
        b.add(_fdate(rng, ctx["exam"] - _dt.timedelta(days=rng.randint(30, 700)), "slash"), DAT).add(".")
    b.nl()
    b.add("Information transmise à ").ext(_sname(rng, ctx["presc"], rng.choice(("GF", "F")), title=_stitle(rng)))
    b.add(rng.choice((" par téléphone", " (urgentiste)", ", chirurgien de garde", ""))).add(" à " + _ftime(rng, "h") + ".").nl()
    b.ext(_sname(rng, ctx["rad2"], rng.choice(("GF", "iF")), title=_stitle(rng))).nl()
    return b


def _L_ris_kv(rng):
    ctx = _ctx(rng)
    p = ctx["pat"]
    b = _B(ctx)
    sep = rng.choice(("=", ": ", "="))
    kv = [("PatientName", _caret(rng, p, PAT)), ("PatientID", [(p["ipp"], IDN)]),
          ("PatientBirthDate", [(_fdate(rng, p["birth"], rng.choice(("compact", "iso"))), BIR)]),
          ("PatientSex", [(p["sex"], None)]),
          ("PatientAge", [(f"{p['age'][0]:03d}Y" if p["age"][0] >= 2 else f"{p['age'][2]:03d}M", AGE)]),
          ("AccessionNumber", [(ctx["acc"], IDN)]),
          ("StudyDate", [(_fdate(rng, ctx["exam"], "iso"), DAT), ("T" + _ftime(rng, "colon") + ":00", None)]),
          ("Modality", [("DX", None)]), ("StudyDescription", [(_unacc(ctx["clin"]["title"].upper()), None)]),
          ("ReferringPhysician", _caret(rng, ctx["presc"], STF)), ("InstitutionName", [(ctx["inst"]["name"], INS)])]
    if rng.random() < 0.5:
        kv.append(("ReadingPhysician", _caret(rng, ctx["rad"], STF)))
    if rng.random() < 0.4:
        kv.append(("PatientPhone", [(p["phone"], TEL)]))
    if rng.random() < 0.3:
        kv.append(("VisitNumber", [(p["nda"], IDN)]))
    if rng.random() < 0.3:
        kv.append(("Operator", [(_slug(ctx["manip"]["given"])[0] + _slug(ctx["manip"]["family"]).replace("-", ""), STF)]))
    if rng.random() < 0.25:
        kv.append(("Workstation_user", [("u" + _digits(rng, 3) + "".join(rng.choice("abcdefghijkmnpqrstuvwxyz") for _ in range(3)), IDN)]))
    for k, v in kv:
        b.add(k + sep).ext(v).nl()
    b.add("ReportStatus" + sep + "FINAL").nl()
    b.add("ReportText" + sep).nl()
    _protocol(rng, b, ctx, style=rng.choice(("caps", "inline")))
    b.add("SignedBy" + sep).ext(_caret(rng, ctx["rad"], STF, title_suffix=False)).nl()
    b.add("SignedAt" + sep).add(_fdate(rng, ctx["exam"], "iso"), DAT).add("T" + _ftime(rng, "colon")).nl()
    return b


def _L_dom(rng):
    dom = rng.choice(sorted(DOM))
    ctx = _ctx(rng, dom=dom)
    p, inst = ctx["pat"], ctx["inst"]
    b = _B(ctx)
    _letterhead(rng, b, ctx)
    b.nl()
    style = rng.random()
    if style < 0.5:
        _patient_kv(rng, b, ctx)
    else:
        b.add(rng.choice(("Patient : ", "Nom du patient : "))).ext(_pname(rng, p, rng.choice(("FG", "GF")), title=True)).nl()
        b.add("Né(e) le ").add(_fdate(rng, p["birth"], "slash"), BIR).add(" à ").add(p["birthplace"], CIT)
        b.add(" (").ext(_age_pieces(rng, p, "ans")).add(")").nl()
        b.add("Adresse : ").add(p["address"], ADR).nl()
        b.add(rng.choice(("Tél : ", "Portable : ", "GSM : "))).add(_fphone(rng, p["phone"], dom), TEL).nl()
        b.add("IPP : ").add(p["ipp"], IDN).add(" – NDA : ").add(p["nda"], IDN).nl()
    if rng.random() < 0.4:
        b.add("Caisse : ").add(rng.choice(("CGSS de la Martinique", "CGSS de la Guadeloupe", "CGSS de la Guyane", "CGSS de La Réunion", "Caisse de Sécurité Sociale de Mayotte")), INS)
        b.add(" – N° SS : ").add(_nir(rng, p), IDN).nl()
    _exam_line(rng, b, ctx)
    if rng.random() < 0.4:
        b.add("Médecin traitant : ").ext(_sname(rng, _staff(rng, dom), title=_stitle(rng)))
        b.add(", ").add(rng.choice(DOM[dom]["towns"])[0], CIT)
        b.add(" – ").add(_fphone(rng, _phone_digits(rng, DOM[dom]["fix"]), dom), TEL).nl()
    b.nl()
    _protocol(rng, b, ctx)
    b.nl()
    _signature(rng, b, ctx)
    return b


def _L_request(rng):
    ctx = _ctx(rng)
    p, inst = ctx["pat"], ctx["inst"]
    b = _B(ctx)
    b.add("DEMANDE D'EXAMEN RADIOLOGIQUE").add(" – ").add(inst["name"], INS).nl()
    b.add(rng.choice(("Code-barres : ", "Étiquette : *", "N° demande : "))).add(_digits(rng, rng.choice((10, 12, 13))), IDN)
    if b.p[-2][0].endswith("*"):
        b.add("*")
    b.nl(2)
    b.add("Patient : ").ext(_pname(rng, p, "FG", title=True, maiden=True)).nl()
    b.add("DDN : ").add(_fdate(rng, p["birth"], "slash"), BIR).add("   Âge : ").ext(_age_pieces(rng, p, rng.choice(("ans", "A")))).add("   Sexe : " + p["sex"]).nl()
    b.add("IPP : ").add(p["ipp"], IDN).add("   Séjour : ").add(p["nda"], IDN).nl()
    y = p["age"][0]
    svc = (("Chirurgie pédiatrique", "Urgences pédiatriques", "Pédiatrie générale") if y < 16 else
           ("Gériatrie aiguë", "Orthogériatrie", "SSR", "Médecine polyvalente", "Orthopédie-Traumatologie") if y > 75 else
           ("Orthopédie-Traumatologie", "Médecine polyvalente", "Rhumatologie", "Chirurgie ambulatoire", "UHCD"))
    b.add("Service demandeur : ").add(rng.choice(svc))
    b.add(" – UF ").add(str(rng.randint(1000, 9999)), IDN).nl()
    b.add(rng.choice(("Chambre ", "Ch. ", "ch. "))).add(_room(rng), IDN).add(" – Lit ").add(str(rng.randint(1, 2)), IDN).nl()
    b.add("Mode de transport : ").add(rng.choice(("brancard", "fauteuil", "valide", "lit"))).nl()
    b.add("Médecin demandeur : ").ext(_sname(rng, ctx["presc"], rng.choice(("GF", "FG")), title=_stitle(rng)))
    b.add(" – RPPS ").add(ctx["presc"]["rpps"], IDN)
    b.add(" – Bip ").add(str(rng.randint(1000, 9999)), TEL).nl()
    b.add("Examen demandé : ").add(ctx["clin"]["title"]).nl()
    b.add("Renseignements cliniques : ").ext(ctx["clin"]["ind"]).nl()
    b.add(rng.choice(("Grossesse : non", "Allergie : aucune connue", "Isolement : non", "Porteur BMR : non"))).nl()
    b.add("Date souhaitée : ").add(_fdate(rng, ctx["exam"], "slash"), DAT).nl(2)
    b.add("— Réponse du service d'imagerie —").nl()
    _protocol(rng, b, ctx, style=rng.choice(("short", "caps")))
    b.add("Manipulateur : ").ext(_sname(rng, ctx["manip"], rng.choice(("GF", "iF", "F")), title=False)).nl()
    _signature(rng, b, ctx)
    return b


def _L_pediatric(rng):
    ctx = _ctx(rng, peds=True)
    p = ctx["pat"]
    b = _B(ctx)
    _letterhead(rng, b, ctx, full=rng.random() < 0.5)
    b.add(rng.choice(("Radiologie pédiatrique", "Imagerie de l'enfant", "Urgences pédiatriques – Radiologie"))).nl(2)
    b.add(rng.choice(("Enfant : ", "Patient : ", "Nom de l'enfant : "))).ext(_pname(rng, p, rng.choice(("GF", "FG")), title=False)).nl()
    b.add(rng.choice(("Né le " if p["sex"] == "M" else "Née le ", "Date de naissance : ", "DDN : ")))
    b.add(_fdate(rng, p["birth"], rng.choice(("slash", "long"))), BIR).add(" – Âge : ").ext(_age_pieces(rng, p)).nl()
    b.add("IPP : ").add(p["ipp"], IDN).nl()
    r = rng.random()
    if r < 0.4 and p["age"][0] >= 3:
        b.add(rng.choice(("Scolarisé" + ("e" if p["sex"] == "F" else "") + " à l'", "École : ", "Établissement scolaire : ")))
        b.add(rng.choice(SCHOOLS), INS)
        b.add(rng.choice((" de ", ", "))).add(rng.choice(TOWNS)[0], CIT).nl()
    elif r < 0.6 and p["age"][0] >= 6:
        b.add("Licencié" + ("e" if p["sex"] == "F" else "") + " au club ").add(rng.choice(CLUBS), INS).nl()
    if rng.random() < 0.5:
        par = _person(rng, sex=rng.choice("FM"), origin=p["origin"])
        par["family"] = p["family"] if rng.random() < 0.7 else par["family"]
        b.add(rng.choice(("Accompagné" + ("e" if p["sex"] == "F" else "") + " de ", "Responsable légal : ", "Parent : ")))
        b.add("sa mère, " if par["sex"] == "F" and rng.random() < 0.4 else "")
        b.ext(_sname(rng, par, rng.choice(("GF", "FG")), title=("Mme" if par["sex"] == "F" else "M.")))
        if rng.random() < 0.6:
            b.add(" – tél. ").add(_fphone(rng, _phone_digits(rng, rng.choice(("06", "07"))), None), TEL)
        b.nl()
    _exam_line(rng, b, ctx)
    b.nl()
    c = ctx["clin"]
    if c["region"] == "ageos":
        b.add("Âge civil : ").ext(_age_pieces(rng, p, "ansmois")).nl()
    _protocol(rng, b, ctx)
    b.nl()
    _signature(rng, b, ctx)
    return b


def _L_followup(rng):
    ctx = _ctx(rng, peds=False)
    p = ctx["pat"]
    b = _B(ctx)
    _letterhead(rng, b, ctx, full=rng.random() < 0.4)
    b.nl()
    b.add(rng.choice(("RADIOGRAPHIE DE CONTRÔLE", "Contrôle post-opératoire", "Suivi de consolidation"))).nl()
    b.ext(_pname(rng, p, rng.choice(("FG", "GF")), title=True)).add(" – ")
    b.add(rng.choice(("né le " if p["sex"] == "M" else "née le ", "DDN ")))
    b.add(_fdate(rng, p["birth"], rng.choice(("slash", "dot"))), BIR).add(" – IPP ").add(p["ipp"], IDN).nl()
    ex = ctx["exam"]
    op = ex - _dt.timedelta(days=rng.randint(10, 120))
    b.add("Intervention : ").add(rng.choice(("ostéosynthèse par plaque verrouillée", "enclouage centromédullaire",
                                             "prothèse intermédiaire de hanche", "embrochage", "vissage percutané")))
    b.add(" le ").add(_fdate(rng, op, rng.choice(("slash", "long", "dm"))), DAT)
    if rng.random() < 0.5:
        b.add(" à la ").add(_institution(rng, None, ("clin",))["name"], INS)
    b.add(" par ").ext(_sname(rng, ctx["presc"], rng.choice(("GF", "F")), title=_stitle(rng))).add(".").nl()
    if rng.random() < 0.35:
        rc = rng.choice(REEDUC)
        b.add(rng.choice(("Actuellement en rééducation " + _prep_a(rc), "Provenance : ", "Adressé par le "))).add(rc, INS)
        if rng.random() < 0.5:
            t, cp = rng.choice(TOWNS)
            b.add(", ").add(t, CIT)
        b.add(".").nl()
    b.add("Contrôle à " + rng.choice(("J+10", "J+21", "6 semaines", "3 mois", "J+45")) + ", réalisé le ")
    b.add(_fdate(rng, ex, rng.choice(("slash", "long"))), DAT).add(".").nl(2)
    _protocol(rng, b, ctx, style=rng.choice(("caps", "title")))
    b.add("Clichés antérieurs : ")
    for i in range(rng.randint(1, 3)):
        if i:
            b.add(", ")
        b.add(_fdate(rng, ex - _dt.timedelta(days=rng.randint(5, 400)), rng.choice(("slash", "slash2", "my"))), DAT)
    b.add(".").nl()
    _signature(rng, b, ctx)
    return b


def _jstr(s):
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _L_json(rng):
    ctx = _ctx(rng)
    p = ctx["pat"]
    b = _B(ctx)
    ind = rng.choice(("  ", "    ", ""))
    nl = "\n" if ind else " "

    def kvl(k, pieces, last=False, lvl=2):
        b.add(ind * lvl + f'"{k}": "').ext([(_jstr(t), l) for t, l in pieces]).add('"' + ("" if last else ",") + nl)

    b.add("{" + nl + ind + '"patient": {' + nl)
    kvl("nom_naissance", [((p["maiden"] or p["family"]).upper(), PAT)])
    if p["maiden"]:
        kvl("nom_usage", [(p["family"].upper(), PAT)])
    kvl("prenoms", [(p["given_all"], PAT)])
    kvl("date_naissance", [(_fdate(rng, p["birth"], "iso"), BIR)])
    kvl("sexe", [(p["sex"], None)])
    if rng.random() < 0.5:
        kvl("ins", [(_nir(rng, p, "compact"), IDN)])
    if rng.random() < 0.3:
        kvl("telephone", [(p["phone"], TEL)])
    if rng.random() < 0.3:
        kvl("adresse", [(p["address"], ADR)])
    kvl("ipp", [(p["ipp"], IDN)], last=True)
    b.add(ind + "}," + nl + ind + '"examen": {' + nl)
    kvl("accession", [(ctx["acc"], IDN)])
    kvl("date", [(_fdate(rng, ctx["exam"], "iso"), DAT), ("T" + _ftime(rng, "colon") + ":00", None)])
    kvl("libelle", [(ctx["clin"]["title"], None)])
    kvl("etablissement", [(ctx["inst"]["name"], INS)])
    kvl("prescripteur", [(_name_str(rng, ctx["presc"], "FG"), STF)])
    if rng.random() < 0.5:
        kvl("age_patient", [(f"{p['age'][0]} ans", AGE)])
    kvl("radiologue", [(_name_str(rng, ctx["rad"], "FG"), STF)], last=True)
    b.add(ind + "}," + nl + ind + '"compte_rendu": "')
    sub = _B()
    _protocol(rng, sub, ctx, style=rng.choice(("caps", "inline")))
    b.ext([(_jstr(t), l) for t, l in sub.p])
    b.add('",' + nl + ind + '"statut": "VALIDE",' + nl + ind + '"valide_le": "')
    b.add(_fdate(rng, ctx["exam"], "iso"), DAT).add("T" + _ftime(rng, "colon") + '"' + nl + "}")
    return b


def _L_xml(rng):
    ctx = _ctx(rng)
    p = ctx["pat"]
    b = _B(ctx)
    b.add('<?xml version="1.0" encoding="UTF-8"?>').nl().add("<CompteRendu>").nl()

    def tag(t, pieces, lvl=2):
        b.add(" " * lvl + f"<{t}>").ext(pieces).add(f"</{t}>").nl()

    b.add("  <Patient>").nl()
    tag("Nom", [(p["family"].upper(), PAT)], 4)
    if p["maiden"]:
        tag("NomNaissance", [(p["maiden"].upper(), PAT)], 4)
    tag("Prenom", [(p["given"], PAT)], 4)
    tag("DateNaissance", [(_fdate(rng, p["birth"], rng.choice(("iso", "slash"))), BIR)], 4)
    tag("IPP", [(p["ipp"], IDN)], 4)
    if rng.random() < 0.4:
        tag("Telephone", [(_fphone(rng, p["phone"], p["dom"]), TEL)], 4)
    if rng.random() < 0.3:
        tag("Courriel", [(_email_patient(rng, p), MEL)], 4)
    b.add("  </Patient>").nl().add("  <Examen>").nl()
    tag("NumeroAccession", [(ctx["acc"], IDN)], 4)
    tag("DateExamen", [(_fdate(rng, ctx["exam"], "iso"), DAT)], 4)
    tag("Libelle", [(ctx["clin"]["title"], None)], 4)
    tag("Etablissement", [(ctx["inst"]["name"], INS)], 4)
    tag("Prescripteur", [(_name_str(rng, ctx["presc"], "FG"), STF)], 4)
    tag("RPPSPrescripteur", [(ctx["presc"]["rpps"], IDN)], 4)
    b.add("  </Examen>").nl().add("  <Texte><![CDATA[").nl()
    _protocol(rng, b, ctx)
    b.add("]]></Texte>").nl()
    b.add("  <Validation date=\"").add(_fdate(rng, ctx["exam"], "iso"), DAT).add("\">")
    b.add(_name_str(rng, ctx["rad"], "FG"), STF).add("</Validation>").nl()
    b.add("</CompteRendu>").nl()
    return b


def _L_work_accident(rng):
    ctx = _ctx(rng, peds=False, age_range=(18, 63))
    p = ctx["pat"]
    b = _B(ctx)
    _letterhead(rng, b, ctx, full=rng.random() < 0.5)
    b.nl()
    b.add(rng.choice(("ACCIDENT DU TRAVAIL", "AT – Radiographie", "Accident de travail – bilan radiologique"))).nl()
    b.ext(_pname(rng, p, rng.choice(("FG", "GF")), title=True)).add(", ").ext(_age_pieces(rng, p, rng.choice(("ans", "paren")))).nl()
    b.add("N° de sécurité sociale : ").add(_nir(rng, p), IDN).nl()
    emp = rng.choice(EMPLOYERS)
    b.add(rng.choice(("Employeur : ", "Entreprise : "))).add(emp, INS)
    if rng.random() < 0.6:
        t, cp = rng.choice(TOWNS)
        b.add(", ").add(rng.choice((f"ZI des Hauts Champs, {cp} {t}", f"ZA du Moulin, {cp} {t}",
                                    _address(rng, t, cp, inst=True))), ADR)
    b.nl()
    b.add("Poste : ").add(rng.choice(("maçon", "cariste", "aide-soignante", "livreur", "agent d'entretien", "couvreur",
                                      "manutentionnaire", "boulanger"))).nl()
    b.add("Date de l'accident : ").add(_fdate(rng, ctx["exam"] - _dt.timedelta(days=rng.randint(0, 3)), "slash"), DAT).nl()
    b.add("Caisse : ").add(rng.choice(CPAM), INS).nl()
    b.add("CMI établi par ").ext(_sname(rng, ctx["presc"], title=_stitle(rng))).nl(2)
    _protocol(rng, b, ctx)
    b.nl()
    _signature(rng, b, ctx)
    return b


def _L_rheumato(rng):
    ctx = _ctx(rng, peds=False, age_range=(45, 92), region="bilan")
    p = ctx["pat"]
    b = _B(ctx)
    _letterhead(rng, b, ctx, full=rng.random() < 0.5)
    b.nl()
    _patient_kv(rng, b, ctx, full=False, sep_style=rng.choice(("nl", "pipe")))
    _exam_line(rng, b, ctx, keys=False)
    b.add("Adressé" + ("e" if p["sex"] == "F" else "") + " par ").ext(_sname(rng, _staff(rng), title=_stitle(rng)))
    b.add(", rhumatologue").add(rng.choice((" à ", " – ")))
    b.add(rng.choice(TOWNS)[0], CIT).nl(2)
    b.add("BILAN RADIOGRAPHIQUE").nl()
    sites = rng.sample(["Mains : arthrose interphalangienne distale, nodules d'Heberden, rhizarthrose bilatérale.",
                        "Genou droit : pincement fémoro-tibial médial, KL 3.",
                        "Genou gauche : ostéophytes débutants, KL 2.",
                        "Hanches : interlignes conservés à droite, pincement supéro-latéral à gauche (KL 3).",
                        "Pieds : hallux valgus bilatéral, pas d'érosion.",
                        "Bassin : hypertrophie corticale de l'hémi-bassin, aspect de maladie de Paget.",
                        "Poignets : liseré de chondrocalcinose du ligament triangulaire.",
                        "Rachis lombaire : discarthrose L4-L5."], rng.randint(3, 5))
    for s in sites:
        b.add("- " + s).nl()
    b.nl()
    _protocol(rng, b, ctx, style="title")
    b.add("Classification de Kellgren-Lawrence rappelée : KL 0 à KL 4.").nl()
    _signature(rng, b, ctx)
    return b


def _L_fax(rng):
    ctx = _ctx(rng)
    inst = ctx["inst"]
    b = _B(ctx)
    b.add(rng.choice(("TÉLÉCOPIE", "FAX", "BORDEREAU DE TRANSMISSION PAR FAX"))).nl(2)
    b.add("Date : ").add(_fdate(rng, ctx["exam"], "slash"), DAT).add("   Heure : " + _ftime(rng, "colon")).nl()
    b.add("De : ").add(inst["name"], INS).nl()
    b.add("Tél. : ").add(_fphone(rng, inst["tel"], inst["dom"]), TEL).add("   Fax : ").add(_fphone(rng, inst["fax"], inst["dom"]), TEL).nl()
    b.add("À l'attention de : ").ext(_sname(rng, ctx["presc"], rng.choice(("GF", "FG")), title=_stitle(rng))).nl()
    oi = _institution(rng, ctx["dom"], ("ch", "clin", "chu"))
    b.add("Établissement : ").add(oi["name"], INS).nl()
    b.add("Fax destinataire : ").add(_fphone(rng, oi["fax"], oi["dom"]), TEL).nl()
    b.add("Nombre de pages (y compris celle-ci) : " + str(rng.randint(2, 4))).nl()
    b.add("Objet : compte rendu de radiographie de ").ext(_pname(rng, ctx["pat"], rng.choice(("GF", "FG", "iF")), title=True)).nl(2)
    b.add("Ce document contient des informations médicales confidentielles. Si vous l'avez reçu par erreur, merci de nous en informer et de le détruire.").nl(2)
    b.add("-" * 40).nl()
    _patient_kv(rng, b, ctx, full=False)
    _exam_line(rng, b, ctx, keys=False)
    _protocol(rng, b, ctx)
    _signature(rng, b, ctx)
    if rng.random() < 0.25:
        return _ocrify(rng, b, rate=rng.uniform(0.005, 0.02))
    return b


def _L_dictation(rng):
    ctx = _ctx(rng)
    b = _B(ctx)
    rad, sec = ctx["rad"], ctx["sec"]
    b.add(rng.choice(("Dictée n° ", "DICT-", "Dictaphone réf. "))).add(_digits(rng, 7), IDN).nl()
    b.add("Dicté par : ").ext(_sname(rng, rad, rng.choice(("GF", "FG")), title=_stitle(rng))).add(" le ")
    b.add(_fdate(rng, ctx["exam"], "slash"), DAT).add(" à " + _ftime(rng, "h")).nl()
    login = _slug(sec["given"])[0] + _slug(sec["family"]).replace("-", "")[:10]
    b.add("Saisi par : ").add(login, STF).add(" le ").add(_fdate(rng, ctx["exam"] + _dt.timedelta(days=rng.choice((0, 1))), "slash"), DAT).nl()
    b.add("Réf. : ").add(_initials(rad["given"], rad["family"]) + "/" + _initials(sec["given"], sec["family"], mixed=True), STF).nl(2)
    b.add("Patient : ").ext(_pname(rng, ctx["pat"], rng.choice(("FG", "GF")), title=True))
    b.add(" (").ext(_age_pieces(rng, ctx["pat"], rng.choice(("ans", "A")))).add(")")
    b.add(" – IPP ").add(ctx["pat"]["ipp"], IDN).nl()
    b.add("Examen réalisé par ").ext(_sname(rng, ctx["manip"], rng.choice(("GF", "F")), title=False)).add(", manipulat" + ("rice" if ctx["manip"]["sex"] == "F" else "eur") + ".").nl(2)
    _protocol(rng, b, ctx)
    b.nl()
    b.add(_initials(rad["given"], rad["family"]) + "/" + _initials(sec["given"], sec["family"], mixed=True), STF).nl()
    return b


def _L_ehpad(rng):
    ctx = _ctx(rng, peds=False, age_range=(75, 101))
    p = ctx["pat"]
    b = _B(ctx)
    _letterhead(rng, b, ctx, full=rng.random() < 0.4)
    b.nl()
    b.add("Radiographie – résident" + ("e" if p["sex"] == "F" else "") + " d'EHPAD").nl()
    b.ext(_pname(rng, p, rng.choice(("FG", "GF")), title=True, maiden=True)).add(", ").ext(_age_pieces(rng, p, "ans")).nl()
    b.add("Date de naissance : ").add(_fdate(rng, p["birth"], "slash"), BIR).nl()
    eh = rng.choice(EHPAD)
    t, cp = rng.choice(TOWNS)
    b.add("Provenance : ").add(eh, INS)
    if rng.random() < 0.5:
        b.add(", ").add(_address(rng, t, cp, inst=True), ADR)
    else:
        b.add(" (").add(t, CIT).add(")")
    b.add(", chambre ").add(str(rng.randint(1, 120)), IDN).nl()
    b.add("Tél. EHPAD : ").add(_fphone(rng, _phone_digits(rng, _region_prefix(cp))), TEL).nl()
    b.add("Médecin coordonnateur : ").ext(_sname(rng, ctx["presc"], rng.choice(("GF", "F")), title=_stitle(rng))).nl()
    b.add("Transmis par ").add(rng.choice(("IDE ", "l'IDE ", "AS "))).ext(_sname(rng, ctx["sec"], rng.choice(("GF", "F")), title=rng.choice((False, "Mme")))).nl()
    b.add("Date de l'examen : ").add(_fdate(rng, ctx["exam"], "slash"), DAT).nl(2)
    _protocol(rng, b, ctx)
    b.nl()
    _signature(rng, b, ctx)
    return b


def _L_portal(rng):
    ctx = _ctx(rng, peds=False)
    p, inst = ctx["pat"], ctx["inst"]
    b = _B(ctx)
    b.add("De : ").add("noreply@" + inst["domain"], MEL).nl()
    b.add("À : ").add(_email_patient(rng, p), MEL).nl()
    b.add("Date : ").add(_fdate(rng, ctx["exam"] + _dt.timedelta(days=1), rng.choice(("long", "slash"))), DAT).add(" " + _ftime(rng, "colon")).nl()
    b.add("Objet : Vos résultats d'examen du ").add(_fdate(rng, ctx["exam"], "slash"), DAT).nl(2)
    b.add("Bonjour " + ("Madame " if p["sex"] == "F" else "Monsieur ")).add(p["family"].upper() if rng.random() < 0.6 else p["family"], PAT).add(",").nl(2)
    b.add("Le compte rendu de votre examen réalisé au sein de ").add(inst["name"], INS).add(" est disponible. ")
    b.add("Connectez-vous sur ").add(_url(rng, inst), WEB).add(" avec votre identifiant ").add(p["ipp"], IDN)
    b.add(" et le code ").add("".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(4)) + "-" +
                               "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(4)), IDN)
    b.add(rng.choice((" (valable 30 jours).", ".", " ; le code expire dans 15 jours."))).nl(2)
    b.add("Extrait du compte rendu :").nl()
    _protocol(rng, b, ctx, style=rng.choice(("inline", "title")))
    b.nl()
    b.add("Pour toute question, contactez le secrétariat au ").add(_fphone(rng, inst["tel"], inst["dom"]), TEL)
    b.add(" ou par courriel : ").add(_email_generic(rng, inst), MEL).add(".").nl()
    b.add("Ceci est un message automatique, merci de ne pas y répondre.").nl()
    return b


def _L_cabinet_report(rng):
    """Private practice report with full header (staff list, RPPS, url, FINESS) and 'Fait à'."""
    ctx = _ctx(rng, inst_kinds=("cab",))
    p, inst = ctx["pat"], ctx["inst"]
    b = _B(ctx)
    _letterhead(rng, b, ctx)
    _staff_list(rng, b, ctx, rng.randint(2, 4))
    b.add(rng.choice(("Conventionnés secteur 1 – ", "Secteur 2 – ", ""))).add("Agrément FINESS ").add(inst["finess"], IDN).nl(2)
    b.ext(_pname(rng, p, rng.choice(("GF", "FG")), title=True, maiden=None))
    b.add(" – ").ext(_age_pieces(rng, p)).nl()
    if rng.random() < 0.5:
        b.add(p["address"], ADR).nl()
    b.add("Examen du ").add(_fdate(rng, ctx["exam"], rng.choice(("slash", "long"))), DAT)
    b.add(" – Réf. ").add(ctx["acc"], IDN).nl()
    b.add("Adressé" + ("e" if p["sex"] == "F" else "") + " par ").ext(_sname(rng, ctx["presc"], title=_stitle(rng))).nl(2)
    _protocol(rng, b, ctx)
    b.nl()
    b.add("Fait à ").add(inst["town"], CIT).add(", le ").add(_fdate(rng, ctx["exam"], rng.choice(("slash", "long"))), DAT).nl()
    b.ext(_sname(rng, ctx["rad"], rng.choice(("GF", "iF")), title=_stitle(rng))).nl()
    if rng.random() < 0.5:
        b.add("Résultats et images en ligne : ").add(_url(rng, inst, ctx["rad"]), WEB).nl()
    return b


def _L_admin_header(rng):
    """Hospital 'étiquette' block + social security / mutual insurance + CR."""
    ctx = _ctx(rng)
    p = ctx["pat"]
    b = _B(ctx)
    b.add(ctx["inst"]["name"], INS).nl()
    b.add("*").add(p["ipp"], IDN).add("*").nl()
    b.add(_name_str(rng, p, "FG").upper(), PAT)
    if p["maiden"]:
        b.add(" NÉE ").add(p["maiden"].upper(), PAT)
    b.nl()
    b.add(_fdate(rng, p["birth"], rng.choice(("slash", "dot"))), BIR).add(" " + p["sex"] + " ").ext(_age_pieces(rng, p, rng.choice(("A", "a", "ans")))).nl()
    b.add("IPP ").add(p["ipp"], IDN).add(" NDA ").add(p["nda"], IDN).nl()
    b.add("UF ").add(str(rng.randint(1000, 9999)), IDN).add(" – ").add(rng.choice(("URG", "ORTHO", "GERIA", "MED INT", "CHIR PED"))).nl()
    if rng.random() < 0.5:
        b.add("Box ").add(str(rng.randint(1, 20)), IDN).nl()
    b.add("INS : ").add(_nir(rng, p), IDN)
    b.add(" (").add(rng.choice(("identité qualifiée", "identité provisoire", "identité validée"))).add(")").nl()
    b.add("Mutuelle : ").add(rng.choice(("MGEN", "Harmonie Mutuelle", "AG2R La Mondiale", "Malakoff Humanis", "MNT",
                                          "Mutuelle Générale", "Groupama")), INS)
    b.add(" – N° adhérent ").add(_digits(rng, 9), IDN).nl()
    if rng.random() < 0.4:
        b.add("Personne à prévenir : ").ext(_sname(rng, _person(rng), rng.choice(("GF", "FG")), title=rng.choice(("Mme", "M.", False))))
        b.add(rng.choice((" (fille)", " (époux)", " (fils)", " (voisine)", ""))).add(" – ")
        b.add(_fphone(rng, _phone_digits(rng, rng.choice(("06", "07"))), None), TEL).nl()
    b.add("Médecin traitant : ").ext(_sname(rng, _staff(rng), title=rng.choice(("Dr", "Dr", "Docteur", "DR"))))
    if rng.random() < 0.5:
        b.add(" – ").add(rng.choice(TOWNS)[0], CIT)
    b.nl(2)
    _exam_line(rng, b, ctx)
    _protocol(rng, b, ctx)
    _signature(rng, b, ctx)
    return b


LAYOUTS = {
    "kv_classic": (_L_kv_classic, 9),
    "pipe_table": (_L_pipe_table, 5),
    "tab_table": (_L_tab_table, 4),
    "csv": (_L_csv, 4),
    "hl7": (_L_hl7, 5),
    "dicom_dump": (_L_dicom, 5),
    "worklist": (_L_worklist, 4),
    "ocr_scan": (_L_ocr_scan, 7),
    "urgences": (_L_urgences, 7),
    "letter": (_L_letter, 5),
    "addendum": (_L_addendum, 3),
    "ris_kv": (_L_ris_kv, 4),
    "dom": (_L_dom, 6),
    "request": (_L_request, 4),
    "pediatric": (_L_pediatric, 5),
    "followup": (_L_followup, 4),
    "json": (_L_json, 3),
    "xml": (_L_xml, 3),
    "work_accident": (_L_work_accident, 3),
    "rheumato": (_L_rheumato, 3),
    "fax": (_L_fax, 3),
    "dictation": (_L_dictation, 4),
    "ehpad": (_L_ehpad, 3),
    "portal": (_L_portal, 3),
    "cabinet": (_L_cabinet_report, 5),
    "admin_header": (_L_admin_header, 4),
}
_LAY_NAMES = list(LAYOUTS)
_LAY_W = [LAYOUTS[k][1] for k in _LAY_NAMES]


def _pad(rng, b):
    """Top up a too-short report with non-identifying clinical text."""
    b.nl().add("Commentaire : ")
    for s in rng.sample(GENERIC_RES + REL_TIME, 6):
        b.add(s + " ")
        if b.words() >= 64:
            break
    b.nl()


def generate(rng: random.Random, n: int) -> list[dict]:
    """n reports: {"text": str, "spans": [{"start", "end", "label"}]} with spans sorted and non-overlapping."""
    out = []
    for _ in range(n):
        for attempt in range(8):
            name = rng.choices(_LAY_NAMES, _LAY_W)[0]
            b = LAYOUTS[name][0](rng)
            if name not in ("ocr_scan",) and rng.random() < 0.04:
                _ocrify(rng, b)
            w = b.words()
            if w < 60:
                _pad(rng, b)
                w = b.words()
            if 60 <= w <= 350:
                break
        out.append(b.build())
    return out
