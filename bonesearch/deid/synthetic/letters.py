"""Synthetic French medical letters / consultation notes about bone X-rays
(France, Suisse romande, Québec, Luxembourg) with exact PHI spans, built piece
by piece (noise applied before offsets are recorded).

Titles are outside spans; other patients are PATIENT, every other person
(relatives, coaches, typists...) STAFF; the patient's birth date/year is
BIRTHDATE, other dates DATE (no times); relative times, bone ages and
eponyms (Weber B, Bouchard...) are never PHI; street+postcode+town is ONE
ADDRESS, a lone town is CITY.
"""

import datetime as _dt
import random
import re
import unicodedata as _ud

__all__ = ["LABELS", "generate"]

LABELS = ("PATIENT", "STAFF", "DATE", "BIRTHDATE", "AGE", "ID", "PHONE",
          "EMAIL", "URL", "ADDRESS", "CITY", "INSTITUTION")

# builder

_SUB = {"é": "e", "è": "e", "à": "a", "ô": "o", "ç": "c", "l": "1", "I": "l",
        "O": "0", "o": "0", "i": "l", "e": "c", "S": "5", "B": "8", "1": "l",
        "0": "O", "n": "u", "u": "n", ":": ";", ".": ",", "h": "b"}


def _ocr(s, rng, rate, inner):
    """Light OCR-like noise; first/last characters and newlines are kept."""
    if len(s) < 3:
        return s
    out = [s[0]]
    for ch in s[1:-1]:
        if ch == "\n" or rng.random() > rate:
            out.append(ch)
        elif ch == " ":
            out.append(" " if inner else "  ")
        elif ch == "m":
            out.append("rn")
        else:
            out.append(_SUB.get(ch, ch))
    out.append(s[-1])
    return "".join(out)


_PH = re.compile(r"\{(\w+)\}")
_TPL = {}


class _B:
    """Concatenates pieces and records exact span offsets."""

    __slots__ = ("parts", "spans", "pos", "rng", "mode", "ctx")

    def __init__(self, rng, mode, ctx):
        self.parts, self.spans, self.pos = [], [], 0
        self.rng, self.mode, self.ctx = rng, mode, ctx

    def add(self, text, label=None):
        if label:
            text = text.strip()
        if not text:
            return self
        if self.mode == 1:
            text = text.lower()
        elif self.mode == 2:
            text = _ocr(text, self.rng, 0.03 if label else 0.05, bool(label))
        if label:
            self.spans.append({"start": self.pos, "end": self.pos + len(text),
                               "label": label})
        self.parts.append(text)
        self.pos += len(text)
        return self

    def _put(self, v):
        if callable(v):
            v = v()
        if isinstance(v, tuple):
            self.add(v[0], v[1])
        elif isinstance(v, list):
            for x in v:
                self._put(x)
        else:
            self.add(v)

    def f(self, tpl, **kw):
        """Template with {KEY} placeholders looked up in kw then the context.
        Values: str (plain), (text, label), list of those, or a callable."""
        pieces = _TPL.get(tpl)
        if pieces is None:
            pieces = _TPL[tpl] = _PH.split(tpl)
        ctx = self.ctx
        for i, p in enumerate(pieces):
            if i % 2 == 0:
                if p:
                    self.add(p)
            else:
                self._put(kw[p] if p in kw else ctx[p])
        return self

    def result(self):
        return {"text": "".join(self.parts), "spans": self.spans}


# pools

_FAM_GEN = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau "
    "Simon Laurent Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier "
    "Morel Girard André Mercier Dupont Lambert Bonnet François Martinez "
    "Legrand Garnier Faure Rousseau Blanc Guérin Henry Roussel Perrin Morin "
    "Mathieu Clément Gauthier Dumont Lopez Fontaine Chevalier Robin Masson "
    "Sanchez Nguyen Boyer Denis Lemaire Duval Joly Roche Noël Meyer Lucas "
    "Meunier Marchand Dufour Blanchard Barbier Brun Dumas Brunet Schmitt "
    "Leroux Colin Fernandez Lenoir Boulanger Jones Bennett Garden Segond "
    "Colles Lebrun Ferreira Pereira Rodrigues Benali Haddad Traoré Diallo "
    "Koné Mensah Kowalski Nowak Rossi Bianchi Esposito Yilmaz Tran Pham "
    "Hoarau Payet Lebon").split() + [
    "Le Goff", "Le Gall", "de La Rochebrune", "Dos Santos", "N'Diaye",
    "Da Silva", "El Amrani", "Ben Saïd", "d'Almeida", "de Oliveira",
    "Van den Berg", "Le Bihan", "Ait Kaci", "de Villiers", "Saint-Jean"]
_FAM_CO = {
    "CH": ("Rochat Favre Cuendet Jaquier Pittet Bonvin Fellay Zufferey "
           "Vuilleumier Schneider Weber Müller Pasche Chappuis Dubuis Crettenand "
           "Monnier Berset Python Jaccard Gay Aebischer").split(),
    "QC": ("Tremblay Gagnon Côté Bouchard Pelletier Bélanger Lévesque Bergeron "
           "Ouellet Fortin Gagné Cloutier Paquette Boucher Lavoie Gingras "
           "Thibodeau Desjardins Lachance Bissonnette").split()
          + ["Tremblay-Gagnon", "St-Pierre", "Côté-Leblanc", "Saint-Onge"],
    "LU": ("Kieffer Hoffmann Wagner Thill Reuter Kremer Schroeder Weber "
           "Muller Schmit Hansen Klein Steffen Weis Lentz Feller Goerens "
           "Majerus Welter").split() + ["Da Costa", "Dos Reis"],
    "FR": ("Bouchard Weber Guillou Lacroix Leclerc Arnaud Picard "
           "Royer Carpentier Renaud Hamon").split() + ["Le Floch", "Le Roux"],
}
_EPO = ("Bouchard", "Weber", "Petit", "Jones", "Bennett", "Garden", "Segond",
        "Colles", "Lisfranc", "Sever", "Hoffa", "Maisonneuve", "Jones", "Bouchard", "Weber")
_GIV_M = (
    "Lucas Hugo Louis Gabriel Jules Adam Arthur Raphaël Nathan Léo Théo "
    "Mathis Noah Ethan Paul Pierre Jean Michel Philippe Alain Bernard Jacques "
    "Daniel Patrick Christophe Nicolas Olivier Thierry François Julien Mohamed "
    "Youssef Karim Mehdi Amadou Moussa Kofi João Miguel Tiago Luca Marco "
    "Jonas Yannick Loïc Gaëtan Maxime Félix Samuel William Émile Zacharie "
    "Luc Gilles Serge Réjean Gaston Mathéo Ibrahim Kevin Dylan Tom Noé Nils "
    "Fabrice Jean-François Marc-André Jean-Claude Gérard Roger Henri").split()
_GIV_F = (
    "Léa Emma Jade Louise Alice Chloé Inès Manon Camille Sarah Lina Zoé "
    "Juliette Marie Anne Catherine Isabelle Nathalie Sylvie Martine Françoise "
    "Monique Jacqueline Christiane Sophie Céline Aurore Élodie Amélie Fatima "
    "Aïcha Yasmine Nadia Leïla Aminata Fatou Mariama Ana Sofia Beatriz Giulia "
    "Chiara Mélanie Geneviève Josée Marie-Ève Marie-Claude Océane Maëlle "
    "Anaïs Margaux Elsa Clara Lou Agathe Capucine Noémie Nora Mia Ella "
    "Ginette Huguette Colette Odette Denise Thérèse Mireille Solène Gwenaëlle "
    "Annick Valérie").split()

# (town, postcode)
_TOWNS = {k: [tuple(x.split(":")) for x in v.split(";")] for k, v in dict(
    FR=("Nantes:44000;Lyon:69003;Rennes:35000;Toulouse:31000;Bordeaux:33000;"
        "Lille:59000;Grenoble:38000;Angers:49000;Brest:29200;Dijon:21000;"
        "Metz:57000;Tours:37000;Pau:64000;Annecy:74000;Montpellier:34000;"
        "Quimper:29000;Limoges:87000;Nancy:54000;Rouen:76000;"
        "Saint-Étienne:42000;Clermont-Ferrand:63000;Besançon:25000;"
        "Vannes:56000;Colmar:68000;Saint-Nazaire:44600"),
    CH=("Lausanne:1011;Genève:1205;Sion:1950;Fribourg:1700;Neuchâtel:2000;"
        "Yverdon-les-Bains:1400;Morges:1110;Delémont:2800;Martigny:1920;"
        "Nyon:1260;Vevey:1800;Montreux:1820;La Chaux-de-Fonds:2300;"
        "Bulle:1630"),
    QC=("Montréal:H2L 4M1;Québec:G1R 2J6;Sherbrooke:J1H 5N4;"
        "Trois-Rivières:G9A 5C9;Gatineau:J8Y 3R8;Laval:H7N 5L1;"
        "Rimouski:G5L 3A1;Saguenay:G7H 5H6;Lévis:G6V 3Z1;"
        "Saint-Jérôme:J7Z 5T3"),
    LU=("Luxembourg:1210;Esch-sur-Alzette:4240;Differdange:4570;"
        "Dudelange:3440;Ettelbruck:9080;Diekirch:9233;Wiltz:9530;Mersch:7526"),
).items()}
_STREETS = {
    "FR": ["rue des Lilas", "avenue Jean-Jaurès", "boulevard Pasteur",
           "impasse des Tilleuls", "place de la République",
           "chemin des Vignes", "allée des Peupliers", "rue Victor-Hugo",
           "quai de la Fosse", "rue du Général-Leclerc", "rue de la Paix",
           "avenue des Acacias"],
    "CH": ["Rue du Bugnon", "Avenue de la Gare", "Chemin des Pâquerettes",
           "Route de Berne", "Rue du Simplon", "Avenue de Morges", "Grand-Rue",
           "Rue des Alpes", "Chemin de la Vuachère"],
    "QC": ["rue Sherbrooke Est", "boulevard René-Lévesque", "avenue Cartier",
           "rue Saint-Denis", "chemin Sainte-Foy", "boulevard Laurier",
           "rue King Ouest", "3e Avenue"],
    "LU": ["rue Nicolas Ernest Barblé", "boulevard Royal", "rue de l'Alzette",
           "avenue de la Liberté", "route d'Arlon", "rue Principale",
           "rue de la Gare"],
}
# hospitals / clinics (name, domain)
_INST = {k: [tuple(x.split("|")) for x in v.split(";")] for k, v in dict(
    FR=("Centre hospitalier de la Côte d'Émeraude|ch-cote-emeraude.fr;"
        "Clinique Saint-Aubin|clinique-saint-aubin.fr;"
        "Polyclinique du Val de Loire|polyclinique-valdeloire.fr;"
        "Hôpital privé des Tilleuls|hp-tilleuls.fr;"
        "Centre hospitalier Jacques-Cœur|ch-jacquescoeur.fr;"
        "Hôpital Sainte-Blandine|hopital-sainte-blandine.fr;"
        "Clinique mutualiste de l'Estuaire|cm-estuaire.fr;"
        "Centre hospitalier intercommunal des Deux-Rives|chi-2rives.fr;"
        "Centre d'imagerie médicale Pasteur|imagerie-pasteur.fr;"
        "Clinique orthopédique du Mail|clinique-du-mail.fr;"
        "CHU de la Haute-Vallée|chu-hautevallee.fr;"
        "Maison de santé pluriprofessionnelle des Marronniers|msp-marronniers.fr"),
    CH=("Hôpital du Chablais-Riviera|hcr-sante.ch;"
        "Clinique de la Source-Bleue|source-bleue.ch;"
        "Centre hospitalier du Nord vaudois|chnv.ch;"
        "Clinique Bois-Cerf-Lavaux|boiscerf-lavaux.ch;"
        "Hôpital de la Gruyère-Sud|hgsud.ch;"
        "Clinique Valmont-Léman|valmont-leman.ch;"
        "Centre médical des Eaux-Vives|cm-eauxvives.ch;"
        "Permanence médicale de Chauderon|pmchauderon.ch;"
        "Hôpital régional de la Vièze|hr-vieze.ch"),
    QC=("Centre hospitalier régional du Bas-Fleuve|chrbf.qc.ca;"
        "Hôpital Notre-Dame-de-la-Merci|hndm.qc.ca;"
        "CLSC des Faubourgs|clsc-faubourgs.qc.ca;"
        "Clinique médicale Saint-Laurent|cmsaintlaurent.ca;"
        "CISSS des Laurentides – Hôpital de la Rivière-du-Nord|cissslaurentides.ca;"
        "Centre de santé Maisonneuve-Hochelaga|csmh.qc.ca;"
        "Clinique de médecine sportive du Plateau|cmsplateau.ca;"
        "GMF des Érables|gmf-erables.ca"),
    LU=("Centre hospitalier du Kirchberg-Est|chke.lu;"
        "Hôpital Émile-Mayrisch-Sud|hems.lu;"
        "Clinique Sainte-Zithe-Nord|clinique-szn.lu;"
        "Centre médical de l'Alzette|cm-alzette.lu;"
        "Hôpital du Nord Sûre|hnsure.lu;"
        "Maison médicale de Belval|mm-belval.lu"),
).items()}
_SCHOOL = {k: v.split(";") for k, v in dict(
    FR=("école primaire Jean-Moulin;collège Victor-Hugo;"
        "école maternelle Les Coquelicots;lycée Camille-Claudel"),
    CH=("École des Pâquis;Collège de la Planta;"
        "Établissement primaire de Floréal"),
    QC=("École secondaire Cavelier-De LaSalle;École primaire des Grands-Ducs;"
        "Collège Saint-Charles-Garnier"),
    LU=("Lycée technique d'Esch;École fondamentale Gellé Fra;"
        "Lycée du Nord Wiltz"),
).items()}
_CLUB = {k: v.split(";") for k, v in dict(
    FR=("AS Saint-Aubin Football;Stade Nantais Rugby;"
        "Handball Club des Deux-Rives;Judo Club Vannetais"),
    CH=("Lausanne Basket Club Malley;FC Valère-Sion Juniors;"
        "Ski-Club Les Diablerets;Volley Riviera"),
    QC=("Club de hockey Les Riverains;Club de gymnastique L'Envol;"
        "Soccer Laval-Ouest"),
    LU=("Racing Club Differdange;Basket Esch Juniors;Club de judo Ettelbruck"),
).items()}
_EMPL = {k: v.split(";") for k, v in dict(
    FR=("Transports Bertin & Fils;Boulangerie Au Bon Grain;"
        "SARL Bâtiment Océan;Entrepôts Logimar"),
    CH=("Construction Favre SA;Menuiserie du Léman Sàrl;"
        "Coop Riviera Logistique"),
    QC=("Logistique Saint-Laurent inc.;Hydro-Rive inc.;"
        "Construction Lachance ltée"),
    LU=("Menuiserie Kremer Sàrl;Sidérurgie du Sud SA;Luxtrans Logistique"),
).items()}
_EHPAD = {k: v.split(";") for k, v in dict(
    FR=("EHPAD Les Glycines;Résidence Les Jardins d'Automne"),
    CH=("EMS La Roselière;EMS Les Tamaris"),
    QC=("CHSLD Saint-Joseph-de-la-Rive;Résidence Les Pionniers"),
    LU=("Maison de soins Op der Heed;CIPA Beim Kiosk"),
).items()}
_INSUR = {k: v.split(";") for k, v in dict(
    FR=("CPAM de Loire-Atlantique;MGEN;Mutuelle Saint-Christophe"),
    CH=("SUVA;Groupe Mutuel;CSS Assurance;Helsana"),
    QC=("CNESST;SAAQ;Desjardins Assurances"),
    LU=("CNS;Association d'assurance accident;DKV Luxembourg"),
).items()}

_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet",
           "août", "septembre", "octobre", "novembre", "décembre")
_WD = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_U = ("zéro un deux trois quatre cinq six sept huit neuf dix onze douze "
      "treize quatorze quinze seize dix-sept dix-huit dix-neuf").split()
_T = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _fr(n):
    if n < 20:
        return _U[n]
    t, u = divmod(n, 10)
    if u == 0:
        return _T[t]
    return _T[t] + (" et un" if u == 1 else "-" + _U[u])


# clinical scenarios (never PHI); {cote}/{cotef} = droit/droite, {PRc} =

_SC = [dict(zip(("k", "a", "reg", "mot", "ex", "rx", "cc", "pl"), t)) for t in (
    ("adult elder", (50, 90), "poignet {cote}",
     "une chute de sa hauteur avec réception sur la main {cotef} en extension",
     "Poignet {cote} tuméfié, déformation en dos de fourchette, pas de trouble sensitivo-moteur, pouls radial perçu.",
     "Radiographies du poignet {cote} face et profil : fracture extra-articulaire de l'extrémité distale du radius avec bascule postérieure, type Pouteau-Colles, associée à un arrachement de la styloïde ulnaire.",
     "Fracture de Pouteau-Colles du poignet {cote}.",
     "Réduction sous anesthésie locorégionale puis plâtre antébrachio-palmaire pendant 6 semaines, contrôle radiographique à J8 et à J21."),
    ("adult sport", (18, 75), "cheville {cotef}",
     "une entorse de la cheville {cotef} en inversion dans un escalier",
     "Œdème et douleur en regard de la malléole latérale, critères d'Ottawa positifs, appui impossible.",
     "Cheville {cotef} face, profil et mortaise : fracture oblique de la malléole latérale au niveau de la syndesmose, type Weber B, sans élargissement de l'espace clair médial.",
     "Fracture isolée de la malléole latérale {cotef}, Weber B stable.",
     "Botte de marche en résine 6 semaines, appui selon douleur, anticoagulation préventive."),
    ("adult sport", (20, 60), "cheville et jambe {cotef}s",
     "un traumatisme en rotation externe de la cheville {cotef}",
     "Douleur de la malléole médiale et du tiers proximal de la jambe, col de la fibula douloureux à la palpation.",
     "Cheville {cotef} : élargissement de l'espace clair médial. Cliché de jambe entière : fracture haute du col de la fibula, aspect de fracture de Maisonneuve.",
     "Fracture de Maisonneuve {cotef} avec lésion de la syndesmose.",
     "Indication de vissage de la syndesmose, décharge stricte dans l'intervalle."),
    ("elder", (72, 98), "hanche {cotef}",
     "une chute à domicile avec impotence fonctionnelle du membre inférieur {cote}",
     "Membre inférieur {cote} raccourci en rotation externe, douleur à la mobilisation de la hanche.",
     "Bassin de face et hanche {cotef} : fracture du col fémoral déplacée, Garden IV. Coxarthrose controlatérale modérée, ostéopénie diffuse.",
     "Fracture du col du fémur {cote} Garden IV.",
     "Arthroplastie intermédiaire de hanche, lever précoce, bilan de chute et d'ostéoporose."),
    ("adult work", (20, 62), "pied {cote}",
     "une chute d'une échelle avec réception sur l'avant-pied {cote}",
     "Ecchymose plantaire du médio-pied, douleur de l'interligne tarso-métatarsien.",
     "Pied {cote} face, trois-quarts et profil en charge : diastasis de 3 mm entre les bases de M1 et M2 avec petit fragment osseux (signe de Fleck), compatible avec une lésion de Lisfranc. Interligne de Chopart respecté.",
     "Lésion de Lisfranc du pied {cote}.",
     "Scanner complémentaire, décharge, avis chirurgical pour ostéosynthèse."),
    ("adult work", (22, 65), "pied {cote}",
     "un accident de moto avec torsion du pied {cote}",
     "Déformation du médio-pied en adduction, peau menacée.",
     "Luxation de l'articulation de Chopart (talo-naviculaire et calcanéo-cuboïdienne) avec fracture du processus antérieur du calcanéus. Pas de lésion de Lisfranc associée.",
     "Luxation médio-tarsienne de Chopart {cote}.",
     "Réduction au bloc opératoire et brochage, botte plâtrée 6 semaines."),
    ("sport adult", (16, 45), "épaule {cotef}",
     "une récidive de luxation antéro-interne de l'épaule {cotef}",
     "Test d'appréhension positif, pas de déficit du nerf axillaire.",
     "Épaule {cotef} face et profil de Lamy après réduction : encoche de Hill-Sachs de la tête humérale et lésion osseuse de Bankart du rebord glénoïdien antéro-inférieur.",
     "Instabilité antérieure chronique de l'épaule {cotef} avec lésion de Hill-Sachs.",
     "Arthroscanner puis discussion d'une butée coracoïdienne de type Latarjet."),
    ("paed", (4, 12), "avant-bras {cote}",
     "une chute de vélo sur le bras {cote}",
     "Coude {cote} douloureux, tuméfaction de l'avant-bras, pas de déficit du nerf radial.",
     "Avant-bras {cote} de face et profil incluant le coude : fracture de la diaphyse ulnaire avec luxation antérieure de la tête radiale, ligne radio-capitellaire non respectée. Lésion de Monteggia type I de Bado.",
     "Fracture de Monteggia de l'avant-bras {cote}.",
     "Réduction orthopédique sous anesthésie générale, plâtre brachio-antébrachio-palmaire."),
    ("adult sport", (18, 55), "pouce {cote}",
     "une chute à ski, bâton en main, avec douleur de la base du pouce {cote}",
     "Tuméfaction de la base du pouce {cote}, ecchymose thénarienne.",
     "Pouce {cote} face et profil : fracture-luxation articulaire de la base du premier métacarpien, fragment palmo-ulnaire resté en place, fracture de Bennett.",
     "Fracture de Bennett {cotef}.",
     "Embrochage percutané puis attelle pouce-poignet 5 semaines."),
    ("sport", (16, 35), "pied {cote}",
     "une douleur du bord latéral du pied {cote} après une réception de saut",
     "Douleur élective de la base du 5e métatarsien, appui douloureux.",
     "Pied {cote} : trait transversal de la jonction métaphyso-diaphysaire du 5e métatarsien (zone 2), fracture de Jones. Pas d'arrachement de la styloïde.",
     "Fracture de Jones du pied {cote}.",
     "Décharge 6 semaines en botte, discussion d'un vissage intramédullaire compte tenu du niveau sportif."),
    ("sport adult", (16, 40), "genou {cote}",
     "une torsion du genou {cote} au ski avec craquement audible",
     "Hémarthrose, Lachman positif, tiroir antérieur sans arrêt dur.",
     "Genou {cote} face et profil : petit arrachement osseux du bord latéral du plateau tibial (fracture de Segond), évocateur d'une rupture du ligament croisé antérieur. Pas de fracture de Hoffa.",
     "Fracture de Segond, probable rupture du LCA {cote}.",
     "IRM du genou, attelle, kinésithérapie et avis chirurgical."),
    ("adult", (25, 70), "genou {cote}",
     "un choc direct sur le genou {cote} fléchi lors d'un accident de la voie publique",
     "Genou {cote} tuméfié, flexion impossible au-delà de 30°.",
     "Genou {cote} face et profil : trait frontal du condyle fémoral latéral, fracture de Hoffa, mieux visible sur le profil strict.",
     "Fracture de Hoffa du condyle latéral {cote}.",
     "Ostéosynthèse par vissage antéro-postérieur, rééducation précoce."),
    ("adult sport", (30, 60), "cheville {cotef}",
     "une sensation de coup de pied dans le mollet {cote} au badminton",
     "Dépression palpable au-dessus du calcanéus, test de Thompson positif.",
     "Cheville {cotef} de profil : pas de fracture ni d'arrachement calcanéen, comblement du triangle de Kager, aspect compatible avec une rupture du tendon d'Achille.",
     "Rupture du tendon d'Achille {cote}.",
     "Échographie de confirmation, traitement fonctionnel en équin dans une botte articulée."),
    ("rheum", (55, 88), "genoux",
     "des gonalgies {cotef}s mécaniques évoluant depuis 2 ans",
     "Genou {cote} : épanchement modéré, flessum de 5°, crépitants rotuliens.",
     "Genoux en charge face, schuss et défilés fémoro-patellaires : pincement fémoro-tibial médial, ostéophytes marginaux, condensation sous-chondrale. Arthrose stade III de Kellgren-Lawrence à {cotef}, stade II controlatéral.",
     "Gonarthrose fémoro-tibiale médiale Kellgren-Lawrence III.",
     "Infiltration, activité physique adaptée, perte de poids, réévaluation dans 6 mois."),
    ("rheum", (50, 88), "mains",
     "des douleurs et une déformation progressive des doigts",
     "Nodosités de Heberden sur les IPD et de Bouchard sur les IPP, rétraction de l'aponévrose palmaire (maladie de Dupuytren) au 4e rayon {cote}.",
     "Mains de face : arthrose digitale des IPD et IPP, rhizarthrose bilatérale, minéralisation normale. Pas d'érosion marginale évoquant une polyarthrite.",
     "Arthrose digitale avec nodosités de Heberden et de Bouchard ; maladie de Dupuytren.",
     "Orthèse nocturne, avis d'un chirurgien de la main pour la maladie de Dupuytren."),
    ("paed sport", (12, 18), "rachis",
     "des dorsalgies et une attitude cyphotique",
     "Cyphose thoracique raide, non réductible en décubitus.",
     "Rachis entier face et profil : cyphose thoracique à 55°, cunéiformisation de trois vertèbres contiguës, irrégularités des plateaux et nodules de Schmorl, maladie de Scheuermann.",
     "Maladie de Scheuermann.",
     "Kinésithérapie, corset à discuter, contrôle dans 6 mois."),
    ("paed", (8, 15), "poignet {cote}",
     "une chute en trottinette sur le poignet {cote}",
     "Tuméfaction du poignet {cote}, pas de trouble neurologique.",
     "Poignet {cote} : décollement épiphysaire de l'extrémité distale du radius avec fragment métaphysaire postérieur, Salter-Harris II, déplacement minime.",
     "Décollement épiphysaire Salter-Harris II du radius distal {cote}.",
     "Plâtre 4 semaines, contrôle radiographique dans 1 semaine, surveillance de la croissance."),
    ("paed", (4, 9), "hanche {cotef}",
     "une boiterie indolore depuis 3 semaines",
     "Limitation de l'abduction et de la rotation interne de la hanche {cotef}.",
     "Bassin de face et Lauenstein : densification et aplatissement du noyau épiphysaire fémoral {cote}, aspect d'ostéochondrite primitive de hanche (maladie de Legg-Calvé-Perthes).",
     "Maladie de Perthes {cotef}.",
     "Décharge relative, surveillance radiographique tous les 3 mois."),
    ("paed sport", (10, 15), "genou {cote}",
     "des douleurs de la tubérosité tibiale antérieure {cotef} à la course",
     "Tubérosité tibiale saillante et douloureuse, pas d'épanchement.",
     "Genou {cote} de profil : fragmentation de l'apophyse tibiale antérieure avec tuméfaction des parties molles, maladie d'Osgood-Schlatter.",
     "Maladie d'Osgood-Schlatter {cote}.",
     "Réduction des sports à impulsion pendant 6 semaines, étirements du quadriceps."),
    ("paed sport", (8, 13), "talon {cote}",
     "des talalgies {cotef}s à l'effort",
     "Douleur à la compression latérale du calcanéus, tendon d'Achille souple.",
     "Calcanéum {cote} de profil : apophyse calcanéenne densifiée et fragmentée, aspect compatible avec une maladie de Sever, sans fracture.",
     "Apophysite calcanéenne (maladie de Sever).",
     "Talonnettes, repos sportif relatif pendant 4 semaines."),
    ("paed", (9, 14), "âge osseux",
     "une petite taille, pour avis sur l'âge osseux",
     "Taille à -2 DS, stade pubertaire Tanner 1, examen par ailleurs normal.",
     "Main et poignet gauches de face : selon l'atlas de Greulich et Pyle, âge osseux estimé à 10 ans, retard d'environ 2 ans sur l'âge civil.",
     "Retard d'âge osseux harmonieux.",
     "Bilan endocrinien, nouvel âge osseux dans 1 an."),
    ("paed", (3, 9), "coude {cote}",
     "une chute de trampoline sur le coude {cote}",
     "Coude {cote} déformé, pouls radial perçu, pas de déficit du nerf interosseux antérieur.",
     "Coude {cote} face et profil : fracture supracondylienne de l'humérus en extension, stade II de Lagrange et Rigault, ligne humérale antérieure passant en avant du capitellum.",
     "Fracture supracondylienne stade II {cotef}.",
     "Réduction et embrochage latéral au bloc opératoire, surveillance vasculaire."),
    ("work adult", (20, 62), "talon {cote}",
     "une chute d'un échafaudage d'environ 3 mètres, réception sur les talons",
     "Talon {cote} élargi, phlyctènes, rachis lombaire sensible.",
     "Calcanéum {cote} profil et incidence rétro-tibiale : fracture thalamique avec angle de Böhler diminué à 10°. Rachis lombaire : pas de tassement.",
     "Fracture thalamique du calcanéus {cote}.",
     "Scanner, décharge, ostéosynthèse différée après fonte de l'œdème."),
    ("adult sport work", (16, 50), "poignet {cote}",
     "une chute sur la paume de la main {cotef}",
     "Tabatière anatomique douloureuse, pas de déformation.",
     "Poignet {cote} face, profil et incidences scaphoïdiennes : fine fracture du tiers moyen du scaphoïde carpien, non déplacée.",
     "Fracture non déplacée du scaphoïde {cote}.",
     "Manchette plâtrée prenant la colonne du pouce 8 semaines, scanner à 6 semaines."),
)]
for _s in _SC:
    _s["k"] = _s["k"].split()
_BYKIND = {}
for _s in _SC:
    for _k in _s["k"]:
        _BYKIND.setdefault(_k, []).append(_s)


# value generators

def _ascii(s):
    return "".join(c for c in _ud.normalize("NFKD", s) if c.isalnum() or c in ".-").lower()


def _num(rng, n):
    return str(rng.randrange(10 ** (n - 1), 10 ** n))


def _person(rng, co, g=None):
    if g is None:
        g = rng.choice("MF")
    fam = rng.choice(_FAM_CO[co]) if rng.random() < 0.4 else rng.choice(_FAM_GEN)
    giv = rng.choice(_GIV_M if g == "M" else _GIV_F)
    return (giv, fam, g)


def _initials(p):
    f = p[1].replace("'", " ").replace("-", " ").split()
    return p[0][0].upper() + "." + f[-1][0].upper() + "."


def _staff_form(rng, p):
    g, f = p[0], p[1]
    return rng.choices((g + " " + f, (g[0] + ". " if g[0] != "M" else g + " ") + f, f, f.upper() + " " + g), (50, 20, 18, 12))[0]


def _pat_form(rng, p):
    g, f = p[0], p[1]
    return rng.choices((g + " " + f, f.upper() + " " + g, g + " " + f.upper(), f, (g[0] + ". " if g[0] != "M" else g + " ") + f,
                        _initials(p)), (40, 22, 10, 14, 8, 6))[0]


def _date(rng, d, co, style=None):
    if style is None:
        r = rng.random()
        style = ("num" if r < 0.45 else "long" if r < 0.65 else "wd" if r < 0.75
                 else "short" if r < 0.83 else "iso" if r < 0.9 else
                 "sp" if r < 0.96 else "dash")
        if co == "QC" and rng.random() < 0.4:
            style = "iso"
    dd, mm, yy = d.day, d.month, d.year
    if style == "num":
        sep = "." if co in ("CH", "LU") and rng.random() < 0.7 else "/"
        return "%02d%s%02d%s%d" % (dd, sep, mm, sep, yy)
    if style == "short":
        return "%02d/%02d/%02d" % (dd, mm, yy % 100)
    if style == "iso":
        return "%d-%02d-%02d" % (yy, mm, dd)
    if style == "dash":
        return "%02d-%02d-%d" % (dd, mm, yy)
    if style == "noyear":
        return "%02d/%02d" % (dd, mm)
    day = "1er" if dd == 1 else str(dd)
    if style == "long":
        return "%s %s %d" % (day, _MONTHS[mm - 1], yy)
    if style == "wd":
        return "%s %s %s %d" % (_WD[d.weekday()], day, _MONTHS[mm - 1], yy)
    # spelled out
    y = "deux mille" + ("" if yy == 2000 else " " + _fr(yy - 2000))
    return "%s %s %s" % ("premier" if dd == 1 else _fr(dd), _MONTHS[mm - 1], y)


def _bdate(rng, d, co):
    r = rng.random()
    return _date(rng, d, co, "num" if r < 0.6 else "long" if r < 0.8 else
                 "iso" if r < 0.9 or co == "QC" else "dash")


def _age(rng, bd, d):
    m = (d.year - bd.year) * 12 + d.month - bd.month - (d.day < bd.day)
    y, mm = divmod(m, 12)
    if y < 3 and rng.random() < 0.7:
        return "%d mois" % m
    if y < 16 and 5 <= mm <= 7 and rng.random() < 0.5:
        return "%d ans 1/2" % y
    if y < 16 and mm and rng.random() < 0.25:
        return "%d ans et %d mois" % (y, mm)
    r = rng.random()
    return "%d ans" % y if r < 0.85 else "%d a" % y if r < 0.95 else "%da" % y


def _phone(rng, co, mobile=False):
    if co == "FR":
        n = [rng.choice(("06", "07") if mobile else ("01", "02", "03", "04", "05"))]
        n += ["%02d" % rng.randrange(100) for _ in range(4)]
        r = rng.random()
        if r < 0.55:
            return " ".join(n)
        if r < 0.7:
            return ".".join(n)
        if r < 0.88:
            return "+33 " + n[0][1] + " " + " ".join(n[1:])
        return "".join(n)
    if co == "CH":
        a = rng.choice(("079", "078", "076")) if mobile else rng.choice(
            ("021", "022", "024", "026", "027", "032"))
        rest = "%03d %02d %02d" % (rng.randrange(100, 1000), rng.randrange(100), rng.randrange(100))
        r = rng.random()
        return ("+41 " + a[1:] + " " + rest if r < 0.4 else a + " " + rest if r < 0.85
                else "+41 (0)" + a[1:] + " " + rest)
    if co == "QC":
        a = rng.choice(("514", "438", "418", "819", "450", "581"))
        x, y = rng.randrange(200, 1000), rng.randrange(10000)
        r = rng.random()
        return ("%s-%03d-%04d" % (a, x, y) if r < 0.5 else "(%s) %03d-%04d" % (a, x, y)
                if r < 0.8 else "%s %03d-%04d" % (a, x, y) if r < 0.92 else
                "1 %s %03d-%04d" % (a, x, y))
    if mobile:
        s = "6%d1 %03d %03d" % (rng.choice((2, 6, 9)), rng.randrange(1000), rng.randrange(1000))
    elif rng.random() < 0.5:
        s = "%02d %02d %02d" % (rng.randrange(22, 99), rng.randrange(100), rng.randrange(100))
    else:
        s = "%02d %02d %02d %02d" % (rng.randrange(22, 99), rng.randrange(100),
                                     rng.randrange(100), rng.randrange(100))
    return ("+352 " if rng.random() < 0.6 else "") + s


def _address(rng, co, town, sep=", "):
    t, cp = town
    st = rng.choice(_STREETS[co])
    n = rng.randrange(1, 180)
    if co == "FR":
        return "%d%s %s%s%s %s" % (n, rng.choice(("", "", "", " bis", " ter")), st, sep, cp, t)
    if co == "CH":
        return "%s %d%s%s %s" % (st, n, sep, cp, t)
    if co == "QC":
        return "%d, %s%s%s (Québec) %s" % (n * 10 + rng.randrange(10), st, sep, t, cp)
    return "%d, %s%sL-%s %s" % (n, st, sep, cp, t)


def _street_only(rng, co):
    st = rng.choice(_STREETS[co])
    n = rng.randrange(1, 120)
    return "%s %d" % (st, n) if co == "CH" else "%d %s" % (n, st)


def _natid(rng, co, p, bd):
    """National insurance number for the patient: (field name, value)."""
    if co == "FR":
        v = "%d %02d %02d %02d %03d %03d %02d" % (
            1 if p[2] == "M" else 2, bd.year % 100, bd.month, rng.randrange(1, 96),
            rng.randrange(1, 990), rng.randrange(1, 999), rng.randrange(1, 98))
        return rng.choice(("NIR", "N° de sécurité sociale", "N° SS")), v
    if co == "CH":
        v = "756.%04d.%04d.%02d" % (rng.randrange(10000), rng.randrange(10000), rng.randrange(100))
        return rng.choice(("N° AVS", "AVS", "N° d'assuré")), v
    if co == "QC":
        fam = _ascii(p[1]).replace("-", "").replace(".", "").upper()
        fam = (fam + "XXX")[:3]
        mm = bd.month + (50 if p[2] == "F" else 0)
        v = "%s%s %02d%02d %02d%02d" % (fam, _ascii(p[0])[0].upper(), bd.year % 100, mm,
                                        bd.day, rng.randrange(100))
        return rng.choice(("RAMQ", "No RAMQ", "N° d'assurance maladie")), v
    v = "%d%02d%02d%05d" % (bd.year, bd.month, bd.day, rng.randrange(100000))
    if rng.random() < 0.5:
        v = "%s %s %s %s" % (v[:4], v[4:8], v[8:11], v[11:])
    return rng.choice(("Matricule", "Matricule CNS", "N° CNS")), v


def _proid(rng, co):
    """Professional identifier of a physician: (field name, value)."""
    if co == "FR":
        if rng.random() < 0.7:
            return "RPPS", "10" + _num(rng, 9)
        return "ADELI", _num(rng, 9)
    if co == "CH":
        return rng.choice(("GLN", "EAN")), "7601000" + _num(rng, 6)
    if co == "QC":
        return rng.choice(("No de permis", "Permis")), "%d-%05d" % (rng.randrange(1, 3), rng.randrange(100000))
    return "Code médecin", "%06d-%02d" % (rng.randrange(1000000), rng.randrange(100))


def _patid(rng, co):
    r = rng.random()
    if r < 0.35:
        return "IPP", _num(rng, 8)
    if r < 0.6:
        return rng.choice(("N° de dossier", "Dossier", "No dossier")), "%d-%06d" % (rng.randrange(2015, 2026), rng.randrange(1000000))
    if r < 0.8:
        return rng.choice(("N° patient", "Réf.")), _num(rng, rng.randrange(6, 10))
    return "NIP", rng.choice("ABCDEFGHKMPRS") + _num(rng, 7)


# per-document context

def _ctx(rng, co, kinds):
    pool = []
    for k in kinds:
        pool.extend(_BYKIND.get(k, ()))
    sc = rng.choice(pool)
    d0 = _dt.date(2015, 1, 1) + _dt.timedelta(days=rng.randrange(3800))
    ay = rng.randint(*sc["a"])
    bd = d0 - _dt.timedelta(days=ay * 365 + rng.randrange(365))
    pat = _person(rng, co)
    if rng.random() < 0.1:
        pat = (pat[0], rng.choice(_EPO), pat[2])
    fem = pat[2] == "F"
    s1, s2, s3 = _person(rng, co), _person(rng, co), _person(rng, co)
    nurse, rel = _person(rng, co), _person(rng, co)
    if rng.random() < 0.6:
        rel = (rel[0], pat[1], rel[2])
    towns = _TOWNS[co]
    town, town2, ptown = rng.choice(towns), rng.choice(towns), rng.choice(towns)
    inst, inst2 = rng.sample(_INST[co], 2)
    da = d0 - _dt.timedelta(days=rng.randrange(0, 25))
    dn = d0 + _dt.timedelta(days=rng.choice((7, 10, 14, 21, 28, 42, 45, 60, 90)))
    cote = rng.choice(("droit", "gauche"))
    nat = _natid(rng, co, pat, bd)
    pro1, pro2 = _proid(rng, co), _proid(rng, co)
    pid = _patid(rng, co)
    paed = "paed" in sc["k"] and ay < 16

    def tdr(p):
        if co == "QC" and p[2] == "F":
            return "Dre"
        return rng.choice(("Dr", "Dr", "Dr", "Dr", "Docteur", "Pr")) if co != "QC" else "Dr"

    def staff(p):
        return lambda: (_staff_form(rng, p), "STAFF")

    def full(p, lab="STAFF"):
        return lambda: ((p[0] + " " + p[1]) if rng.random() < 0.75 else
                        (p[0] + " " + p[1].upper()), lab)

    def mail(p, dom):
        g, f = _ascii(p[0]), _ascii(p[1]).replace(" ", "")
        r = rng.random()
        local = (g + "." + f if r < 0.6 else g[0] + f if r < 0.8 else f + "." + g)
        return lambda: (local + "@" + dom, "EMAIL")

    def date(d):
        return lambda: (_date(rng, d, co), "DATE")

    def pref():
        if paed:
            return (pat[0], "PATIENT")
        if rng.random() < 0.5:
            return "la patiente" if fem else "le patient"
        return [("Mme " if fem else "M. "), (pat[1], "PATIENT")]

    def prefc():
        v = pref()
        if isinstance(v, str):
            return v[0].upper() + v[1:]
        return v

    side = {"cote": cote, "cotef": cote + ("e" if cote == "droit" else "")}

    def clin(key):
        s = sc[key]
        return s.replace("{cote}", side["cote"]).replace("{cotef}", side["cotef"])

    c = dict(
        co=co, sc=sc, paed=paed, fem=fem, d0=d0, da=da, dn=dn, bd=bd, pat=pat,
        s1=s1, s2=s2, s3=s3, nurse=nurse, rel=rel, town=town,
        civ="Mme" if fem else "M.", civl="Madame" if fem else "Monsieur",
        e="e" if fem else "", il="elle" if fem else "il", Il="Elle" if fem else "Il",
        le="la" if fem else "le", lui="elle" if fem else "lui",
        enf="votre fille" if fem else "votre fils",
        P=lambda: (_pat_form(rng, pat), "PATIENT"),
        PN=full(pat, "PATIENT"),
        PF=lambda: (pat[1].upper() + " " + pat[0], "PATIENT"),
        PS=(pat[1], "PATIENT"), PG=(pat[0], "PATIENT"),
        PI=(_initials(pat), "PATIENT"), PR=pref, PRc=prefc,
        AGE=lambda: (_age(rng, bd, d0), "AGE"),
        BD=lambda: (_bdate(rng, bd, co), "BIRTHDATE"),
        BY=(str(bd.year), "BIRTHDATE"),
        D0=date(d0), DA=date(da), DN=date(dn),
        DAn=(_date(rng, da, co, "noyear"), "DATE"),
        D0l=lambda: (_date(rng, d0, co, rng.choice(("long", "wd", "sp"))), "DATE"),
        D0w=(_date(rng, d0, co, "wd"), "DATE"),
        S1=staff(s1), S1N=full(s1), S1G=(s1[0], "STAFF"), S2=staff(s2),
        S2N=full(s2), S2G=(s2[0], "STAFF"), S3=staff(s3), S3N=full(s3),
        NU=staff(nurse), NUG=(nurse[0], "STAFF"), REL=full(rel),
        t1=tdr(s1), t2=tdr(s2), t3=tdr(s3),
        cher=("Chère Consœur" if s2[2] == "F" else "Cher Confrère") if co != "CH" or rng.random() < 0.5
        else ("Chère Collègue" if s2[2] == "F" else "Cher Collègue"),
        INI=(s1[0][0] + "".join(w[0] for w in s1[1].replace("'", " ").replace("-", " ").split()).upper(), "STAFF"),
        SEC=("".join(rng.choice("abcdefghjlmnprstv") for _ in range(2)), "STAFF"),
        LOGIN=((_ascii(s1[0])[0] + _ascii(s1[1])).replace(" ", "").replace(".", "")[:12], "STAFF"),
        INST=(inst[0], "INSTITUTION"), INST2=(inst2[0], "INSTITUTION"),
        SCHOOL=(rng.choice(_SCHOOL[co]), "INSTITUTION"),
        CLUB=(rng.choice(_CLUB[co]), "INSTITUTION"),
        EMPL=(rng.choice(_EMPL[co]), "INSTITUTION"),
        EHPAD=(rng.choice(_EHPAD[co]), "INSTITUTION"),
        INS=(rng.choice(_INSUR[co]), "INSTITUTION"),
        CITY=(town[0], "CITY"), CITY2=(town2[0], "CITY"), PCITY=(ptown[0], "CITY"),
        ADDR=lambda: (_address(rng, co, ptown, rng.choice((", ", ", ", "\n"))), "ADDRESS"),
        IADDR=lambda: (_address(rng, co, town, rng.choice((", ", "\n"))), "ADDRESS"),
        ADDR2=lambda: (_address(rng, co, town2, "\n"), "ADDRESS"),
        STREET=lambda: (_street_only(rng, co), "ADDRESS"),
        TEL=lambda: (_phone(rng, co), "PHONE"), FAX=lambda: (_phone(rng, co), "PHONE"),
        MOB=lambda: (_phone(rng, co, True), "PHONE"),
        MAIL1=mail(s1, inst[1]), MAIL2=mail(s2, inst2[1]),
        PMAIL=mail(pat, rng.choice(("gmail.com", "hotmail.fr", "bluewin.ch",
                                    "videotron.ca", "pt.lu", "orange.fr"))),
        SECMAIL=(rng.choice(("secretariat.ortho", "rdv.radiologie", "accueil")) + "@" + inst[1], "EMAIL"),
        URL=lambda: (rng.choice(("www.", "https://www.", "http://")) + inst[1]
                     + rng.choice(("", "", "/rendez-vous", "/consultations", "/orthopedie")), "URL"),
        NATN=nat[0], NAT=(nat[1], "ID"), PRO1N=pro1[0], PRO1=(pro1[1], "ID"),
        PRO2N=pro2[0], PRO2=(pro2[1], "ID"), PIDN=pid[0], PID=(pid[1], "ID"),
        ROOM=(str(rng.randrange(1, 6)) + "%02d" % rng.randrange(1, 40)
              + rng.choice(("", "", "A", "B")), "ID"),
        BED=(str(rng.randrange(1, 30)), "ID"),
        reg=clin("reg"), mot=clin("mot"), ex=clin("ex"), rx=clin("rx"),
        cc=clin("cc"), pl=clin("pl"), **side)
    return c


# shared pieces

def _body_struct(b, c, rng):
    h = rng.choice((("Motif", "Anamnèse", "Examen clinique", "Imagerie", "Conclusion", "Proposition"),
                    ("MOTIF", "HISTOIRE", "EXAMEN", "RADIOGRAPHIES", "DIAGNOSTIC", "CONDUITE À TENIR"),
                    ("Motif de consultation", "Histoire de la maladie", "Status", "Radiologie",
                     "Appréciation", "Plan")))
    b.f(h[0] + " : " + "{mot}.\n\n")
    b.f(h[1] + " : {PRc}, {AGE}, " + rng.choice((
        "sans antécédent notable, ", "droitière, " if c["fem"] else "droitier, ", "traité" + c["e"] + " pour HTA, ",
        "ostéoporose connue, ", "")) + "rapporte un événement survenu le {DA}. "
        + rng.choice(("Douleur persistante depuis.", "Antalgiques de palier 1 insuffisants.",
                      "Pas de perte de connaissance.", "Douleurs depuis 3 semaines, aggravées à l'effort.")) + "\n\n")
    b.f(h[2] + " : {ex}\n\n" + h[3] + " : {rx}\n\n" + h[4] + " : {cc}\n\n" + h[5] + " : {pl}\n")


def _body_narr(b, c, rng):
    b.f(rng.choice(("{PRc} a présenté le {DA} ", "Le {DA}, {PR} a présenté ",
                    "{PRc} consulte pour ")) + "{mot}. ")
    b.f(rng.choice(("À l'examen : ", "Cliniquement, ", "L'examen retrouve : ")) + "{ex}\n")
    b.f(rng.choice(("Les radiographies réalisées ce jour montrent : ", "Bilan radiographique : ",
                    "Radiographies du {DA} : ")) + "{rx}\n")
    b.f("Au total : {cc}\n" + rng.choice(("Je propose : ", "Proposition : ", "Conduite à tenir : ")) + "{pl}\n")


def _sig(b, c, rng, title="Médecin"):
    b.f("\n{t1} {S1N}\n" + title + "\n")
    r = rng.random()
    if r < 0.35:
        b.f("{PRO1N} : {PRO1}\n")
    if rng.random() < 0.3:
        b.f("{INI}/{SEC}\n")
    elif rng.random() < 0.2:
        b.f("Signé électroniquement par {LOGIN} le {D0}\n")


# layouts

def _l_referral(b, c, rng):
    """GP referral letter to an orthopaedic surgeon."""
    b.f("{t1} {S1N}\nMédecine générale\n{IADDR}\nTél. : {TEL}\n")
    if rng.random() < 0.5:
        b.f("{PRO1N} : {PRO1}\n")
    b.f("\n\t\t\t\t{t2} {S2N}\n\t\t\t\tChirurgie orthopédique\n\t\t\t\t{INST2}\n\t\t\t\t{CITY2}\n\n")
    b.f("{CITY}, le {D0}\n\nObjet : {civ} {PN}, né{e} le {BD} – {reg}\n\n{cher},\n\n")
    b.f("Je vous adresse {civ} {P}, âgé{e} de {AGE}, pour {mot} le {DA}. ")
    b.f("{ex}\n{rx}\n")
    b.f(rng.choice(("Je vous remercie de bien vouloir {le} recevoir en consultation et de me faire part de votre avis.\n",
                    "Merci de votre avis quant à une éventuelle prise en charge chirurgicale.\n")))
    b.f("\nJe vous prie d'agréer, {cher}, l'expression de mes sentiments confraternels.\n")
    _sig(b, c, rng, "Médecin généraliste")
    if rng.random() < 0.5:
        b.f(rng.choice(("\ncc : {civ} {PN}, {ADDR}\n", "\ncc : {t3} {S3N}, {INST}\n")))


def _l_reply(b, c, rng):
    """Orthopaedic consult letter back to the GP."""
    b.f("{INST}\nService d'orthopédie et de traumatologie\n{IADDR}\n")
    b.f("Secrétariat : {TEL} – Fax : {FAX}\n")
    if rng.random() < 0.6:
        b.f("{URL}\n")
    b.f("\n{t2} {S2N}\n{ADDR2}\n\n{CITY}, le {D0}\n\n")
    b.f(rng.choice(("Objet", "Concerne", "Réf.")) + " : {PF}, né{e} le {BD}, {PIDN} {PID}\n\n{cher},\n\n")
    b.f("J'ai vu en consultation ce jour votre patient{e} {civ} {P}, {AGE}, pour {mot}.\n")
    b.f("Examen : {ex}\nImagerie : {rx}\nConclusion : {cc}\nProposition : {pl} ")
    b.f("Je {le} reverrai le {DN} avec de nouvelles radiographies.\n\n")
    b.f(rng.choice(("Bien confraternellement,\n", "Avec mes salutations confraternelles,\n",
                    "Bien à vous,\n")))
    _sig(b, c, rng, rng.choice(("Chef de clinique", "Chirurgien orthopédiste", "Praticien hospitalier")))


def _l_consult(b, c, rng):
    """Structured consultation note."""
    b.f("CONSULTATION D'ORTHOPÉDIE – {INST}\nDate : {D0}\n")
    b.f("Patient{e} : {PF}   DDN : {BD}   {PIDN} : {PID}\n")
    if rng.random() < 0.5:
        b.f("Adressé{e} par : {t2} {S2}\n")
    b.f("Médecin : {t1} {S1}\n\n")
    _body_struct(b, c, rng)
    if rng.random() < 0.6:
        b.f("Prochain rendez-vous : {DN}\n")


def _l_email(b, c, rng):
    """Short e-mail between physicians."""
    b.f("De : {S1N} <{MAIL1}>\nÀ : {S2N} <{MAIL2}>\n")
    if rng.random() < 0.4:
        b.f("Cc : {SECMAIL}\n")
    b.f("Envoyé : {D0w} " + "%02d:%02d" % (rng.randrange(7, 22), rng.randrange(60)) + "\n")
    b.f("Objet : " + rng.choice(("RE: ", "TR: ", "")) + "avis radio {reg} – {PI}\n\n")
    b.f(rng.choice(("Salut {S2G},\n\n", "Bonjour {S2G},\n\n", "Cher {S2},\n\n", "Bonjour,\n\n")))
    b.f("Petit avis pour {civ} {PS} ({BY}), vu{e} aux urgences le {DA} pour {mot}. ")
    b.f("{rx}\nJ'évoque : {cc} ")
    b.f(rng.choice(("Tu peux {le} voir en consultation cette semaine ?", "Peux-tu jeter un œil aux images sur le PACS ?",
                    "Tu me dis si tu veux {le} prendre au bloc.")) + "\n")
    b.f("Son numéro : {MOB}.\n\nMerci !\n{S1G}\n\n--\n{S1N}\n")
    b.f(rng.choice(("Interne", "Chef de clinique", "Médecin assistant", "Résident")) + ", {INST}\n")
    b.f("Tél. : {TEL}\n")
    if rng.random() < 0.5:
        b.f("{URL}\n")


def _l_handover(b, c, rng):
    """Intern's on-call handover."""
    co = c["co"]
    p2 = _person(rng, co)
    bd2 = c["d0"] - _dt.timedelta(days=rng.randrange(20, 95) * 365)
    b.f(rng.choice(("TRANSMISSIONS DE GARDE – ", "Relève ortho – nuit du ", "Transmissions ")) + "{D0}\n")
    b.f(rng.choice(("Service d'orthopédie, {INST}\n\n", "Urgences – secteur traumato\n\n")))
    b.f("1) {PF}, {AGE}, box " + rng.choice(("", "n° ")) + "{BED} : {mot}. {rx} ")
    b.f("Plan : {pl}\n")
    if rng.random() < 0.6:
        b.f("   Famille prévenue (" + rng.choice(("fille", "fils", "époux", "épouse")) + ", {REL}, {MOB}).\n")
    b.add("2) ")
    b.add(p2[1].upper() + " " + p2[0] if rng.random() < 0.6 else p2[0] + " " + p2[1], "PATIENT")
    b.add(" (")
    b.add(_bdate(rng, bd2, co) if rng.random() < 0.5 else str(bd2.year), "BIRTHDATE")
    b.add("), ch. ")
    b.f("{ROOM} : " + rng.choice((
        "J2 post-op ostéosynthèse de cheville Weber B, radio de contrôle OK, kiné à prévoir.",
        "fracture de Garden I, traitement fonctionnel, à revoir par le chef.",
        "entorse du Lisfranc ? Scanner demandé ce matin, à récupérer.",
        "Salter-Harris II, plâtre fendu, surveiller la vascularisation.")) + "\n")
    b.f("\nÀ faire : rappeler {t2} {S2} pour le résultat du scanner ; IDE {NUG} prévenue.\n\n")
    b.f(rng.choice(("{S1G} (interne)\n", "{S1G}, interne de garde\n", "Bonne journée ! {S1G} (FFI)\n")))
    if rng.random() < 0.4:
        b.f("bip {BED}0\n")


def _l_discharge(b, c, rng):
    """Hospital discharge letter."""
    dadm = c["da"]
    b.f("{INST}\nPôle Appareil locomoteur\n{IADDR}\nStandard : {TEL}\n\n")
    b.f("COMPTE RENDU D'HOSPITALISATION\n\n")
    b.f("{civl} {PF}\nNé{e} le {BD}\n{PIDN} : {PID}   Chambre {ROOM}\n")
    b.f("Hospitalisé{e} du {DA} au {D0}\n\n")
    b.f("Destinataire : {t2} {S2N}, {CITY2}\n\n")
    b.f("Motif d'hospitalisation : {mot}.\n\n")
    b.f("Histoire : {PRc}, {AGE}, est admis{e} par les urgences. {ex}\n")
    b.f("Imagerie d'entrée : {rx}\n\n")
    b.add("Évolution : ")
    b.f("J0 = {DAn}. " + rng.choice(("Intervention à J1. ", "Prise en charge au bloc à J2. ", "")) +
        "Suites simples, radiographie de contrôle à J3 satisfaisante. Verticalisation à J4 avec "
        + rng.choice(("le kinésithérapeute, M. ", "la kinésithérapeute, Mme ")) + "{S3}.\n\n")
    b.f("Diagnostic de sortie : {cc}\n\nTraitement et suivi : {pl} Consultation de contrôle le {DN}.\n")
    if rng.random() < 0.4:
        b.f("Sortie vers {EHPAD}.\n")
    _sig(b, c, rng, rng.choice(("Praticien hospitalier", "Chef de service")))
    if rng.random() < 0.5:
        b.f("\nCopie : {t3} {S3N} ; {civ} {PN}, {ADDR}\n")


def _l_sports(b, c, rng):
    """Sports medicine note."""
    b.f(rng.choice(("Centre de médecine du sport – {INST}\n", "{INST} – Médecine et traumatologie du sport\n")))
    b.f("Consultation du {D0}\n\nAthlète : {PN} ({AGE})\nClub : {CLUB}\n")
    b.f("Sport : " + rng.choice(("football", "basketball", "handball", "hockey", "rugby", "ski alpin",
                                "athlétisme (sauts)", "gymnastique")) + ", " +
        rng.choice(("4 entraînements par semaine", "niveau régional", "niveau national", "loisir")) + "\n\n")
    b.f("Motif : {mot}.\n")
    b.f("Anamnèse : blessure survenue le {DA} " + rng.choice(("à l'entraînement", "en match", "en compétition")) +
        ". Entraîneur : {REL}.\n")
    b.f("Examen : {ex}\nImagerie : {rx}\n\nConclusion : {cc}\n")
    b.f("Reprise : {pl} Pas de compétition avant réévaluation dans 6 semaines ; reprise progressive "
        "encadrée par le préparateur physique {S3}.\n")
    if rng.random() < 0.5:
        b.f("Certificat de non-contre-indication suspendu. Contact club : {TEL}\n")
    _sig(b, c, rng, "Médecine du sport")


def _l_paed(b, c, rng):
    """Paediatric consultation note with parents."""
    b.f("{INST} – Urgences pédiatriques\n{IADDR}\n\n")
    b.f("Enfant : {PF}, né{e} le {BD}, {AGE}\n")
    mo, fa = _person(rng, c["co"], "F"), _person(rng, c["co"], "M")
    fam = c["pat"][1] if rng.random() < 0.7 else fa[1]
    if rng.random() < 0.6:
        b.f("Parents : {A} et {B}, {MOB}\n", A=(mo[0], "STAFF"), B=(fa[0] + " " + fam, "STAFF"))
    else:
        b.f("Accompagné{e} de sa mère, Mme {A} ({MOB}), et de son père {B}\n", A=(mo[0] + " " + mo[1], "STAFF"),
            B=(fa[0] + " " + fam, "STAFF"))
    b.f("Établissement scolaire : {SCHOOL}, {PCITY}\n\nVu le {D0}\n\n")
    b.f("{PG} présente {mot}. " + rng.choice(("{PG} a chuté", "Selon sa mère, {PG} est tombé" + c["e"],
                                             "D'après son père, {PG} a chuté")) + " le {DA}. ")
    b.f("Pas d'antécédent, vaccins à jour.\n{ex}\n\n{rx}\n\nConclusion : {cc}\nConduite à tenir : {pl}\n")
    b.f("Éviction sportive, certificat remis pour l'école. Revoir {PG} dans 10 jours.\n")
    _sig(b, c, rng, rng.choice(("Pédiatre", "Chirurgien pédiatre", "Interne de pédiatrie")))


def _l_rheum(b, c, rng):
    """Rheumatology follow-up letter."""
    b.f("Service de rhumatologie – {INST}\n{IADDR}\nSecrétariat : {TEL} – {SECMAIL}\n\n")
    b.f("{CITY}, le {D0l}\n\n{t2} {S2N}\n{ADDR2}\n\n")
    b.f("Concerne : {civ} {PF} ({BY})\n\n{cher},\n\n")
    b.f("J'ai revu en consultation de suivi votre patient{e} {civ} {P}, {AGE}, que je suis pour {mot}. ")
    b.f("Depuis la dernière consultation du {DA}, " + rng.choice(("pas d'amélioration notable.", "amélioration partielle sous antalgiques.",
                                                                 "aggravation nocturne récente.")) + "\n")
    b.f("{ex}\nRadiographies du jour : {rx}\n\nEn conclusion : {cc}\nPropositions : {pl}\n")
    if rng.random() < 0.5:
        b.f("Ostéodensitométrie prévue le {DN}.\n")
    b.f("\nJe reste à votre disposition et vous prie de croire, {cher}, à mes sentiments les meilleurs.\n")
    _sig(b, c, rng, "Rhumatologue")


def _l_occ(b, c, rng):
    """Occupational medicine / work accident note."""
    co = c["co"]
    b.f(rng.choice(("Service de santé au travail – {INST}\n", "Médecine du travail\n{INST}\n")))
    b.f("{IADDR}\n\nVisite de reprise / pré-reprise du {D0}\n\n")
    b.f("Salarié{e} : {PN}, né{e} le {BD}\n{NATN} : {NAT}\n")
    b.f("Employeur : {EMPL}, responsable : {REL} ({TEL})\nPoste : " +
        rng.choice(("cariste", "maçon", "magasinier", "aide-soignant" + c["e"], "boulanger" + ("e" if c["fem"] else ""),
                    "chauffeur-livreur", "couvreur")) + "\n")
    b.f("Accident du travail du {DA}, déclaré à {INS}" + (" (dossier n° {PID})" if rng.random() < 0.5 else "") + ".\n\n")
    b.f("Mécanisme : {mot}.\n{ex}\nImagerie transmise : {rx}\nDiagnostic : {cc}\n\n")
    b.f("Avis : " + rng.choice(("inapte temporaire", "apte avec restrictions", "reprise en temps partiel thérapeutique")) +
        " – pas de port de charges > 10 kg, pas de travail en hauteur jusqu'au {DN}.\n")
    _sig(b, c, rng, "Médecin du travail")


def _l_ch(b, c, rng):
    """Swiss (Romandie) letter, 'Concerne'."""
    b.f("{INST}\nDépartement de l'appareil locomoteur\n{IADDR}\nT {TEL}\n{URL}\n\n")
    b.f("{t2} {S2N}\n{ADDR2}\n\n")
    b.f("Concerne : {civ} {PN}, né{e} le {BD}, {ADDR}\n{NATN} : {NAT}\n\n")
    b.f("Chère Collègue, cher Collègue,\n\n" if rng.random() < 0.5 else "{cher},\n\n")
    b.f("Nous avons vu à notre policlinique le {D0} {civ} {PS}, {AGE}, résidant à {PCITY}, pour {mot}.\n")
    b.f("Status : {ex}\nRadiographies : {rx}\n\nDiagnostic : {cc}\nProcédure : {pl}\n")
    b.f("Arrêt de travail à 100 % jusqu'au {DN}. Assurance accidents : {INS}.\n\n")
    b.f("En vous remerciant de votre confiance, nous vous adressons, {cher}, nos salutations les meilleures.\n")
    b.f("\nFait à {CITY}, le {D0}\n\n{t1} {S1N}, médecin adjoint{a1}\n{t3} {S3N}, médecin assistant{a3}\n",
        a1="e" if c["s1"][2] == "F" else "", a3="e" if c["s3"][2] == "F" else "")


def _l_qc(b, c, rng):
    """Québec consultation note."""
    b.f("{INST}\n{IADDR}\nTél. : {TEL}   Téléc. : {FAX}\n\n")
    b.f("NOTE DE CONSULTATION – ORTHOPÉDIE\nDate : {D0}\n\n")
    b.f("Nom : {PF}\nDate de naissance : {BD}\n{NATN} : {NAT}\nNo de dossier : {PID}\n")
    b.f("Référé{e} par : {t2} {S2N} ({PRO2N} {PRO2}), {INST2}\n\n")
    _body_struct(b, c, rng)
    if "work" in c["sc"]["k"] or rng.random() < 0.3:
        b.f("Formulaire CNESST complété, employeur : {EMPL}.\n")
    b.f("Revoir le {DN} avec radiographies de contrôle.\n")
    b.f("\n{t1} {S1N}, orthopédiste\n{PRO1N} : {PRO1}\n")


def _l_lu(b, c, rng):
    """Luxembourg letter with CNS matricule."""
    b.f("{INST}\nService de traumatologie\n{IADDR}\nTél. {TEL} | {URL}\n\n")
    b.f("{t2} {S2N}\nMédecin généraliste\n{ADDR2}\n\n{CITY}, le {D0}\n\n")
    b.f("Patient{e} : {civ} {PF}, né{e} le {BD}\n{NATN} : {NAT}\n\n")
    b.f("{cher},\n\n")
    _body_narr(b, c, rng)
    b.f("Prochain contrôle radiologique le {DN}. La prise en charge est assurée par {INS}.\n\n")
    b.f("Avec mes salutations confraternelles,\n")
    _sig(b, c, rng, "Médecin spécialiste en orthopédie")


def _l_followup(b, c, rng):
    """Fracture follow-up note with J+ timeline."""
    b.f("Suivi de fracture – {PF} ({BY})\n{PIDN} : {PID}\n\n")
    b.f("J0 = {DAn} : {cc}\n")
    b.f("J1 : {rx}\n")
    b.f("J8 (" + "{D8}) : contrôle radiographique, pas de déplacement secondaire.\n",
        D8=(_date(rng, c["da"] + _dt.timedelta(days=8), c["co"], "noyear"), "DATE"))
    b.f("J21 : cal osseux débutant, " + rng.choice(("douleurs en amélioration.", "ablation du plâtre prévue à J45.",
                                                   "kinésithérapie débutée avec Mme {S3}.")) + "\n")
    dl = lambda k: (_date(rng, c["da"] + _dt.timedelta(days=k), c["co"]), "DATE")
    b.f("J45 ({D}) : consolidation radiologique en cours, mobilité satisfaisante.\n", D=dl(45))
    b.f("\nProposition : {pl}\nProchain contrôle dans 2 mois, le {D}.\n", D=dl(105))
    b.f("\n{t1} {S1} – {INST}\n")


def _l_phone(b, c, rng):
    """Telephone message note (relative calling)."""
    b.f("Note téléphonique – {D0} à " + "%dh%02d" % (rng.randrange(8, 19), rng.randrange(60)) + "\n")
    fr = c["rel"][2] == "F"
    b.f("Appel de " + rng.choice(("sa nièce", "sa fille", "sa voisine", "son épouse" if not c["fem"] else "sa sœur")
                                 if fr else ("son neveu", "son fils", "son voisin", "son mari" if c["fem"] else "son frère")) +
        ", {civr} {REL}, {MOB}, concernant {civ} {P} ({BY}), " + rng.choice((
            "qui s'inquiète des résultats", "qui souhaite un rendez-vous plus rapide",
            "qui demande si une intervention est nécessaire")) + ".\n", civr="Mme" if fr else "M.")
    b.f("Question sur les radiographies du {DA} : {rx}\n")
    b.f("Expliqué : {cc} {pl}\n")
    b.f("Je lui ai rappelé que les radiographies de contrôle sont prévues le {DN} et qu'en cas de douleur "
        "croissante, de fièvre ou de troubles sensitifs il faut reconsulter aux urgences.\n")
    b.f("Rappel prévu au {TEL} si besoin. Message transmis au {t2} {S2}.\n\n{NUG}, IDE\n")


def _l_ehpad(b, c, rng):
    """Nursing-home transfer letter."""
    b.f("{EHPAD}\n{IADDR}\nTél. infirmerie : {TEL}\n\n")
    b.f("À l'attention du service des urgences, {INST}\n\n{CITY}, le {D0}\n\n")
    b.f("{cherc},\n\nNous vous adressons notre résident{e}, {civ} {PF}, né{e} le {BD} ({AGE}), chambre {ROOM}, ",
        cherc="Chère Consœur, cher Confrère")
    b.f("pour {mot}. Chute constatée le {DA} par l'équipe de nuit (IDE {NU}).\n")
    b.f("Antécédents : démence modérée, " + rng.choice(("fracture de Pouteau-Colles ancienne", "prothèse de hanche controlatérale",
                                                       "maladie de Dupuytren", "ostéoporose fracturaire")) + ".\n")
    b.f("Personne de confiance : {REL} (" + rng.choice(("nièce", "fille", "fils", "neveu", "tutrice")) + "), {MOB}.\n")
    b.f("Médecin traitant : {t2} {S2}.\n\nRadiographies réalisées sur place : {rx}\n\n")
    b.f("Merci de nous tenir informés.\n\n{t1} {S1N}, médecin coordonnateur\n")


def _l_tele(b, c, rng):
    """Tele-expertise request / second opinion."""
    b.f("DEMANDE DE TÉLÉ-EXPERTISE\nPlateforme : {URL}\nDate de la demande : {D0}\n\n")
    b.f("Requérant : {t1} {S1N}, {INST} ({PRO1N} {PRO1}) – {MAIL1}\n")
    b.f("Requis : {t2} {S2N}, {INST2}\n\n")
    b.f("Patient{e} : {PI}, {AGE}\n{NATN} : {NAT}\n\n")
    b.f("Question posée : " + rng.choice(("indication chirurgicale ?", "faut-il un scanner ?", "délai de reprise de l'appui ?")) + "\n")
    b.f("Contexte : {mot} le {DA}.\nImages : {rx}\n\n")
    b.f("Réponse du requis ({D0}) : {cc} {pl}\n\n{S2N}\n")


def _l_er(b, c, rng):
    """Emergency department liaison letter."""
    b.f("LETTRE DE LIAISON – SERVICE DES URGENCES\n{INST}, {IADDR}\n\n")
    b.f("Patient{e} : {PF}\nNé{e} le : {BD}\nÂge : {AGE}\nAdresse : {ADDR}\nTél. : {MOB}\n")
    b.f("{PIDN} : {PID}\nEntrée le {D0} à " + "%02dh%02d" % (rng.randrange(24), rng.randrange(60)) + "\n\n")
    b.f("Médecin traitant : {t2} {S2N}, {CITY2}\n\n")
    _body_narr(b, c, rng)
    b.f("Sortie : retour à domicile (" + rng.choice(("accompagné{e} de {REL}", "seul{e}", "en ambulance")) + ").\n")
    b.f("Ordonnance remise. Consultation d'orthopédie le {DN}.\n")
    _sig(b, c, rng, "Urgentiste")


def _l_minute(b, c, rng):
    """Minimal dictated note (lower structure, initials, dotted dates)."""
    b.f("{CITY}, {D0}\nN/Réf. {INI}/{SEC} – V/Réf. {PID}\n\n")
    b.f("Mon cher {S2G},\n\n" if c["s2"][2] == "M" else "Ma chère {S2G},\n\n")
    b.f("Je te remercie de m'avoir adressé {civ} {P}, {AGE}, domicilié{e} {STREET} à {PCITY}. ")
    b.f("Motif : {mot}, le {DA}. {ex}\nRadios : {rx}\nAu total : {cc}\nJe propose : {pl}\n")
    b.f("Je te tiens au courant.\n\nAmitiés,\n{S1G}\n")


_LAYOUTS = [
    (_l_referral, None, ("adult", "elder", "rheum", "sport", "work")),
    (_l_reply, None, ("adult", "elder", "sport", "work")),
    (_l_consult, None, ("adult", "sport", "paed", "work")),
    (_l_email, None, ("adult", "elder", "sport", "paed")),
    (_l_handover, None, ("adult", "elder")),
    (_l_discharge, None, ("elder", "adult", "work")),
    (_l_sports, None, ("sport",)),
    (_l_paed, None, ("paed",)),
    (_l_rheum, None, ("rheum",)),
    (_l_occ, None, ("work",)),
    (_l_ch, "CH", ("adult", "elder", "sport", "work")),
    (_l_qc, "QC", ("adult", "sport", "work", "paed")),
    (_l_lu, "LU", ("adult", "elder", "work", "rheum")),
    (_l_followup, None, ("adult", "elder", "paed", "sport")),
    (_l_phone, None, ("elder", "rheum", "adult")),
    (_l_ehpad, None, ("elder",)),
    (_l_tele, None, ("adult", "paed", "work")),
    (_l_er, None, ("adult", "elder", "sport")),
    (_l_minute, None, ("adult", "rheum", "sport")),
]
_COUNTRIES = ("FR", "CH", "QC", "LU")
_CW = (5, 3, 3, 2)


def _one(rng):
    fn, co, kinds = rng.choice(_LAYOUTS)
    if co is None:
        co = rng.choices(_COUNTRIES, _CW)[0]
    c = _ctx(rng, co, kinds)
    r = rng.random()
    mode = 1 if r < 0.05 else 2 if r < 0.10 else 0
    b = _B(rng, mode, c)
    fn(b, c, rng)
    return b.result()


def generate(rng: random.Random, n: int) -> list:
    """n documents: {"text", "spans"}; spans sorted, non-overlapping, exact."""
    return [_one(rng) for _ in range(n)]
