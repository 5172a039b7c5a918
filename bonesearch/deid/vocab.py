"""Word lists for report de-identification: what must survive, and what looks like a name.

Everything here is *folded* (lower case, accents removed, see :func:`fold`), so lookups
are case- and accent-insensitive. Three lists matter:

* :data:`EPONYMS` — medical eponyms and classifications (Pouteau-Colles, Kellgren-Lawrence…).
  A span that only an NER model or a weak rule calls a name is never replaced when it
  falls on one of these. Explicit person contexts ("Dr Weber", "Patient : Mme Weber")
  still win.
* :data:`VOCAB` — clinical vocabulary, section headings, header words and French stop
  words: a capitalised word from this list is never a name.
* :data:`FIRST_NAMES` — common French given names, for "Jeanne DUPONT"-style names
  written without a title.
"""

from __future__ import annotations

import re

from spacy.lang.fr.stop_words import STOP_WORDS

_ACCENTED = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝŸ’‘ʼ"
_PLAIN = "aaaaaaceeeeiiiinooooouuuuyyaaaaaaceeeeiiiinooooouuuuyy'''"
_FOLD_TABLE = str.maketrans(
    {**{a: p for a, p in zip(_ACCENTED, _PLAIN)}, **{chr(c): chr(c + 32) for c in range(65, 91)}, "Œ": "œ", "Æ": "æ"}
)


def fold(text: str) -> str:
    """Lower-case and strip accents, keeping the length (offsets stay valid)."""
    return text.translate(_FOLD_TABLE)


def _words(block: str) -> set[str]:
    return {fold(w) for w in block.split()}


# Medical eponyms, classifications and named signs/views used in bone radiology.
# Compounds are written with '-', and also match with spaces or ' et '.
EPONYMS: tuple[str, ...] = tuple(
    """
    Pouteau-Colles Pouteau Colles Goyrand-Smith Goyrand Smith Kellgren-Lawrence Kellgren Ahlbäck Ahlback
    Garden Pauwels Neer Weber Danis-Weber Lauge-Hansen Maisonneuve Monteggia Galeazzi Bennett Rolando
    Lisfranc Chopart Salter-Harris Salter Harris Greulich-Pyle Greulich Pyle Tanner-Whitehouse Sempé
    Sauvegrain Hill-Sachs Bankart Segond Schatzker Gustilo Gustilo-Anderson Tossy Rockwood Essex-Lopresti
    Barton Hoffa Osgood-Schlatter Osgood Schlatter Scheuermann Paget Dupuytren Kienböck Kienbock Preiser
    Legg-Calvé-Perthes Legg-Perthes-Calvé Perthes Calvé Sinding-Larsen-Johansson Sinding-Larsen Freiberg
    Köhler Kohler Mueller-Weiss Müller-Weiss Sever Haglund Morton Sudeck Charcot Baker Stener Jones Tillaux
    Volkmann Destot Letournel Judet Duparc Pipkin Delbet Mason Gartland Frykman Herbert Mayo Ideberg Hawkins
    Sanders Böhler Bohler Gissane Pellegrini-Stieda Stieda Fairbank Outerbridge Tönnis Tonnis Hamada
    Goutallier Cobb Risser Meyerding Schmorl Forestier Baastrup Modic Pfirrmann Bertolotti Chance Jefferson
    Anderson-D'Alonzo Tinel Phalen Finkelstein Quervain Heberden Bouchard Madelung Kirner Sprengel
    Klippel-Feil Ewing Looser-Milkman Looser Milkman Blount Perkins Hilgenreiner Shenton Wiberg Ménard
    Lequesne Lachman Wrisberg Humphry Gerdy Insall-Salvati Insall Caton-Deschamps Blackburne-Peel Dejour
    Kager Bado Herscovici Rüedi-Allgöwer Ruedi-Allgower Tscherne Evans Tronzo Jensen Ender Küntscher
    Kirschner Steinmann Ilizarov Harrington Cotrel-Dubousset Charnley Brooker Gruen Paprosky Vancouver
    Hohl Ogden Watson-Jones Codman Grashey Lamy Velpeau Bernageau Garth Stryker Schuss Rosenberg Merchant
    Laurin Léri Lapidus Méary Djian-Annonier Kite Mallet Southwick Trethowan Klein Milch Jakob Mayfield
    Gilula Terry-Thomas Lichtman Mannerfelt Vaughan-Jackson Sauvé-Kapandji Kapandji Darrach Bechterew
    Reiter Sjögren Lyme Gaucher Cushing Ollier Maffucci Jaffe-Lichtenstein Brodie Garré Pott Albright
    McCune-Albright Langerhans Kahler Waldenström Hodgkin Engelmann Camurati-Engelmann Caffey Silverman
    Ehlers-Danlos Marfan Morquio Hurler Gorham Mazabraud Lobstein Gardner Recklinghausen Mouchet
    Thiemann Iselin Renander Panner Catterall Herring Stulberg Graf Ombredanne Crowe Hartofilakidis Dunn
    Lauenstein Ducroquet Barlow Ortolani Pavlik Lenke Moe Nash Ferguson Ficat Arlet Ficat-Arlet Steinberg
    Maquet Hughston Ottawa Gilcreest Neviaser Hutchinson Parsonage-Turner Bristow Latarjet Bosworth
    Weil Hallux Morel-Lavallée Lavallée Kanavel Boutonnière Stenner Kaplan Zanca Schneider Roos Wright
    Adson Tietze Patte Thibierge Rokitansky Mauclaire Tile Denis Magerl Roy-Camille Roy-Camille Vidal
    Young-Burgess Burgess Judet-Letournel Moore Thompson Austin-Moore Dias-Tachdjian Kocher Lorenz
    Regan-Morrey Morrey Aitken Poland Holt-Oram Apert Kümmell Kummell Brown-Séquard Bankart-Perthes
    Perthes-Jungling Segond-Tillaux Pilon Volkmann Larsen Johansson Wilson Stieda-Pellegrini
    Hoffmann Meyers-McKeever Bigliani Lichtman Haglund Tillaux-Chaput Chaput Gruen Brooker Allman Dell
    Young-Burgess Herbert Gartland CRITOE Bado Frykman Kaplan Hangman Thurstan-Holland
    """.split()
) + (
    "Greulich et Pyle", "Salter et Harris", "Kellgren et Lawrence", "de Quervain", "van Neck",
    "Tanner et Whitehouse", "Sauvegrain et Nahum", "Insall et Salvati", "Caton et Deschamps",
    "Ficat et Arlet", "Hill et Sachs", "Lauge et Hansen", "Gustilo et Anderson", "Osgood et Schlatter",
    "Achille", "Schneck", "Walch", "Letenneur", "Milwaukee", "Boston", "Chêneau", "Cheneau", "Lyonnais", "Kapandji",
    "Mose", "Lequesne", "Bouchard", "Heberden", "Kager", "Gruen", "Meyerding", "Cobb", "Harris", "Mueller", "Müller",
    "Heijde", "van der Heijde", "Sharp", "Genant", "Nash", "Larsen", "Steinbrocker", "Ratliff", "Mirels", "Magnusson",
    "Thurston-Holland", "DeLee", "Drennan", "Destot", "Trendelenburg", "Scheie", "Lisfranc", "Bohler", "Gissane", "Kohler", "Letournel",
)

# Clinical nouns after which a capitalised word is an eponym, not a person: "maladie de
# Kienböck", "classification de Schatzker", "signe de Segond"… (folded).
EPONYM_CONTEXT_WORDS: frozenset[str] = frozenset(_words("""
    fracture fractures classification classifications stade stades grade grades signe signes maladie
    syndrome syndromes lesion lesions luxation luxations type types incidence incidences ligne lignes
    angle angles index methode score scores critere criteres atlas cliche cliches profil deformation
    triade osteochondrite epiphysiolyse apophysite osteonecrose kyste kystes nodule nodules test
    manoeuvre arthrodese osteotomie clou plaque vis broche broches prothese technique indice rapport
    selon bursite tendinite tenosynovite kyste anomalie ilot encoche tubercule tubercules pseudarthrose
    ostéite osteite osteochondrose osteochondromatose dysplasie exostose lame arc tuberosite
    fixateur clou plaque vis cupule tige ancre agrafe cerclage attelle orthese
    nevrome serie corset glene nodosite nodosites tendon triangle zone zones appelee appele dit dite
    point points loi courbe repere reperes abord fragment fragments
    """))

VOCAB_CLINICAL = _words("""
    rx diastasis venue radiopediatrie refus entier
    indication indications motif renseignement renseignements clinique cliniques technique techniques
    resultat resultats description compte rendu compte-rendu conclusion conclusions synthese avis
    impression commentaire commentaires observation observations constatations analyse protocole
    antecedent antecedents contexte histoire demande examen examens bilan controle comparaison
    comparatif comparatifs radiographie radiographies radio radiologie radiologique radiologiques
    radiologue radiologues imagerie medicale medical scanner tdm irm echographie echo scintigraphie
    osteodensitometrie arthroscanner arthrographie cliche cliches incidence incidences face profil
    oblique obliques axiale axial defile comparatives comparative centre centree dynamique
    service unite pole departement secretariat accueil consultation urgences urgence hospitalisation
    patient patiente patients nom prenom prenoms ne nee age sexe date dates tel telephone fax email
    mail courriel page ipp nip nda dossier accession numero validation valide validee signe signee
    docteur professeur madame monsieur mademoiselle dr pr mme mlle interne externe assistant chef
    prescripteur demandeur traitant correspondant medecin manipulateur operateur
    fracture fractures fracturaire fissure fissuraire luxation subluxation entorse contusion
    arthrose gonarthrose coxarthrose omarthrose rhizarthrose arthropathie arthrite ostéophyte
    osteophyte osteophytes osteophytose pincement pincements interligne epanchement hydarthrose
    chondrocalcinose calcification calcifications calcifiee calcifie enthesopathie tendinopathie
    geode geodes condensation condensations sclerose osteosclerose osteolyse lyse lacune lacunes
    demineralisation osteopenie osteoporose tassement tassements cal consolidation consolidee
    pseudarthrose cal vicieux deplacement deplace deplacee deplacees bascule angulation translation
    raccourcissement impaction engrenement comminutif comminutive esquille esquilles fragment
    fragments arrachement avulsion decollement epiphysaire metaphysaire diaphysaire articulaire
    intra-articulaire extra-articulaire corticale cortical trabeculaire spongieux sous-chondral
    materiel osteosynthese prothese protheses arthroplastie clou plaque vis broche broches cerclage
    agrafe ancre implant implants platre attelle resine immobilisation descellement liseré lisere
    radiotransparent radio-opaque corps etranger etrangere tuméfaction tumefaction oedeme œdeme
    infiltration parties molles tissus aspect normal normale normaux normales sans anomalie anomalies
    absence pas discret discrete minime minimes modere moderee important importante majeur majeure
    net nette franc franche probable possible suspect suspecte signe signes visible visibles
    evolution evolutif stable stabilite recent recente ancien ancienne sequelle sequellaire
    droit droite gauche bilateral bilaterale lateral laterale medial mediale interne externe
    proximal proximale distal distale superieur superieure inferieur inferieure posterieur
    posterieure anterieur anterieure dorsal dorsale palmaire plantaire radial radiale ulnaire
    cubital cubitale tibial tibiale fibulaire femoral femorale humeral humerale
    radius ulna cubitus scaphoide lunatum semi-lunaire pyramidal pisiforme trapeze trapezoide
    capitatum hamatum crochu carpe carpien carpienne metacarpe metacarpien metacarpienne metacarpiens
    phalange phalanges phalangienne interphalangienne tarse tarsien metatarse metatarsien metatarsienne
    metatarsiens calcaneum calcaneus talus astragale naviculaire cuboide cuneiforme malleole
    malleolaire bimalleolaire trimalleolaire tibia fibula perone femur rotule patella rotulien
    rotulienne femoro-patellaire femoro-tibial femoro-tibiale humerus clavicule omoplate scapula
    acromion acromio-claviculaire coracoide glene glenoide olecrane coronoide epicondyle epitrochlee
    condyle condyles plateau plateaux tibiaux rachis vertebre vertebres vertebral vertebrale cervical
    cervicale cervicales lombaire lombaires thoracique sacrum sacre coccyx bassin cotyle acetabulum
    ilion iliaque ischion pubis pubienne symphyse sacro-iliaque sacro-iliaques hanche hanches genou
    genoux cheville chevilles pied pieds poignet poignets main mains coude coudes epaule epaules
    avant-bras bras jambe jambes cuisse doigt doigts orteil orteils pouce hallux col tete diaphyse
    metaphyse epiphyse physe cartilage cartilage ligament ligaments tendon tendons menisque menisques
    synoviale capsule bourse os osseux osseuse osseuses squelette squelettique crane cote cotes
    sternum trochanter trochanterien pertrochanterienne sous-trochanterienne cervico-trochanterienne
    styloide apophyse tuberosite epine spinal disque discale discopathie uncarthrose arthrose
    scoliose cyphose lordose spondylolisthesis spondylolyse listhesis lombalgie gonalgie douleur
    douleurs traumatisme trauma chute chutes choc torsion reception impotence boiterie tumefaction
    age osseux maturation croissance cartilage conjugaison noyau noyaux ossification greffe
    stade grade type classification score aspect sous dessous interligne lame trait traits
    recherche eliminer suspicion bilan suivi post-operatoire postoperatoire preoperatoire
    bonne bon mauvaise correcte correct satisfaisant satisfaisante reduction reduite alignement
    congruence congruente respect respecte respectee preserve preservee conserve conservee
    ras rad tdm irm ap lca lcp lli lle pa dap mgy kv mas cm mm kg ao iv ii iii iv vi cedex bp cs
    madame monsieur patient patiente mr mrs mme ms mlle me
    lundi mardi mercredi jeudi vendredi samedi dimanche janvier fevrier mars avril mai juin juillet
    aout septembre octobre novembre decembre
    hopital clinique polyclinique chu chr chru ch chi centre hospitalier universitaire groupe
    hospitalier institut cabinet fondation site batiment etage porte pavillon aile
    rue avenue boulevard allee chemin impasse quai place route france
    ref reference references contact copie courrier madame cher chere confrere consoeur cordialement salutations
    fait lu signe electroniquement dicte tape
    musculosquelettique musculo-squelettique osteo-articulaire osteoarticulaire interventionnelle
    pediatrique pediatriques adulte adultes traumatologie orthopedie orthopedique orthopediques rhumatologie
    neurologie chirurgie chirurgical chirurgicale reeducation medecine sport urgentiste generaliste
    diagnostic diagnostique therapeutique numerisee numerique standard standards panoramique telemetrie
    pangonogramme goniometrie orthopantomogramme dose irradiation grossesse contre-indication
    enfant enfants parent parents mere pere epoux epouse conjoint famille fils fille accompagne accompagnee
    cartilage encoche cyphose elargissement etage etagee etages compatible evocateur probable
    scopie radioscopie fluoroscopie infiltration injection ponction biopsie arthrographie ciment cupule tige
    fixateur orthese unicompartimentale totale intermediaire bipolaire cimentee verrouillee centromedullaire
    enchondrome chondrome exostose osteome osteoide fibrome dysplasie tumeur kyste geode ilot condensant
    osteochondrite apophysite epiphysiolyse osteonecrose necrose algodystrophie osteite osteomyelite
    spondylodiscite spondylarthrite polyarthrite rhumatoide goutte psoriasique erosion erosions
    uncodiscarthrose discarthrose spondylolyse spondylolisthesis arthrodese laminectomie
    instabilite variance conflit impaction fatigue insuffisance stress avulsion ascension migration
    trochiter trochin tubercule tuberosite glenoide sus-epineux supra-epineux sous-epineux infra-epineux
    coiffe rotateurs biceps triceps quadriceps rotulien achilleen calcaneen plantaire aponevrose fascia
    mineralisation ossification osteopenie osteoporose densite identite sesamoide sesamoides fabella
    hallux valgus varus flessum recurvatum genu coxa profunda protrusion dent axis atlas odontoide
    foramen foraminal isthmique interapophysaire uncovertebral mur murs lordose alignement
    nourrisson nourrissons bebe fillette garcon garconnet adolescent adolescente nouveau-ne thorax osteo
    metatarsus enthesophyte enthesophytes anterolisthesis retrolisthesis exam selarl rpps finess adeli
    pt pth ptg ptc pte pts tdm ras residence site pole sau smur senior
    repos appui marche reprise kinesitherapie surveillance antalgiques glace sportif sportive
    rhumatologue orthopediste chirurgien chirurgienne pediatre generaliste kinesitherapeute endocrinologue
    gériatre geriatre medecin-chef urgentiste anesthesiste radiopediatre interne externe med
    ramq nam niss inss inami avs mutuelle mutualite affilie affiliation registre national assurance assureur carte
    acc concerne objet nord sud ouest ehpad ehpa usld ssr traumato rhumato ortho arthro angio myelo scano uro neuro""")

STOP_WORDS_FOLDED: frozenset[str] = frozenset(fold(w) for w in STOP_WORDS)
VOCAB: frozenset[str] = STOP_WORDS_FOLDED | VOCAB_CLINICAL | EPONYM_CONTEXT_WORDS
_PLURAL_BASES = VOCAB_CLINICAL | EPONYM_CONTEXT_WORDS  # "Aix" is no plural of the stop word "ai"

# Common French given names (folded) — only used next to another capitalised word.
FIRST_NAMES: frozenset[str] = frozenset(_words("""
    jean pierre michel andre philippe alain jacques bernard patrick daniel christian nicolas francois
    eric laurent stephane frederic pascal david olivier thierry christophe sebastien julien guillaume
    vincent dominique antoine thomas alexandre maxime romain mathieu matthieu hugo lucas louis paul
    gabriel arthur raphael leo jules adam nathan ethan enzo noah mohamed mohammed ahmed ali karim
    yves claude gerard roger marcel rene robert henri georges joseph emile lucien maurice fernand
    serge gilles didier bruno herve yannick cedric jerome arnaud benoit fabrice franck loic gael
    marie jeanne francoise monique catherine nathalie isabelle sylvie christine martine anne
    nicole sophie valerie sandrine celine stephanie veronique aurelie julie camille emma lea chloe
    manon ines sarah laura pauline claire helene chantal brigitte michele jacqueline danielle
    colette denise simone suzanne madeleine odette yvette genevieve josiane annie patricia
    florence caroline virginie emilie elodie melanie audrey lucie juliette alice louise jade lina
    rose anna mila zoe agathe charlotte margaux mathilde marion amandine laetitia karine severine
    corinne muriel beatrice evelyne mireille paulette germaine marguerite yvonne therese lucienne
    fatima aicha khadija samira nadia leila yasmine
    jean-pierre jean-paul jean-claude jean-marc jean-luc jean-louis jean-michel jean-francois
    jean-jacques marie-claire marie-christine marie-france marie-therese anne-marie marie-helene
"""))

# Words that join the parts of a name or a place: "Le Goff", "van der Berg", "Saint-Louis".
NAME_CONNECTORS: frozenset[str] = frozenset(
    _words("de du des d' la le les l' van von der den di da del della dos ben el al bin saint sainte st ste sur en et")
)

_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")


def is_vocab(folded_word: str) -> bool:
    """True when a (folded) word is clinical vocabulary, a header word or a stop word."""
    if folded_word in VOCAB or (folded_word[-1:] in ("s", "x") and folded_word[:-1] in _PLURAL_BASES):
        return True
    # "l'hôpital", "d'imagerie": judge the word after the elision.
    if len(folded_word) > 2 and folded_word[1] == "'":
        return folded_word[2:] in VOCAB
    return False


def eponym_regex() -> re.Pattern[str]:
    """One regex over *folded* text that finds every eponym of :data:`EPONYMS`."""
    forms: set[str] = set()
    for ep in EPONYMS:
        f = fold(ep)
        forms.add(f)
        if "-" in f:
            forms.add(f.replace("-", " et "))
    alts = sorted(forms, key=len, reverse=True)
    body = "|".join(re.escape(a).replace(r"\-", r"[\s\-]+").replace(r"\ ", r"\s+") for a in alts)
    return re.compile(rf"(?<![\w])(?:{body})(?![\w])")


def word_tokens(text: str) -> list[tuple[int, int]]:
    """(start, end) of every alphabetic word (hyphen/apostrophe compounds kept whole)."""
    return [(m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]
