"""French phrase banks for the demo radiology reports (several phrasings per finding).

Placeholders: ``{part}`` "poignet droit", ``{du_part}`` "du poignet droit", ``{site}``
a site description ("de l'extrémité distale du radius"), ``{disp}`` a displacement
descriptor, ``{grade}`` a grade, ``{hw}`` a hardware description.
"""

from __future__ import annotations

# body part: (noun, gender, article form "du/de la/de l'")
PARTS = {
    "wrist": ("poignet", "m", "du"), "hand": ("main", "f", "de la"), "elbow": ("coude", "m", "du"),
    "shoulder": ("épaule", "f", "de l'"), "hip": ("hanche", "f", "de la"),
    "knee": ("genou", "m", "du"), "ankle": ("cheville", "f", "de la"), "foot": ("pied", "m", "du"),
    "forearm": ("avant-bras", "m", "de l'"), "leg": ("jambe", "f", "de la"),
    "pelvis": ("bassin", "m", "du"), "spine": ("rachis lombaire", "m", "du"),
}
LIMB = {"wrist": "supérieur", "hand": "supérieur", "elbow": "supérieur", "shoulder": "supérieur",
        "forearm": "supérieur", "hip": "inférieur", "knee": "inférieur", "ankle": "inférieur",
        "foot": "inférieur", "leg": "inférieur"}
STUDY_DESC = {"wrist": "POIGNET", "hand": "MAIN", "elbow": "COUDE", "shoulder": "EPAULE",
              "hip": "HANCHE", "knee": "GENOU", "ankle": "CHEVILLE", "foot": "PIED",
              "forearm": "AVANT-BRAS", "leg": "JAMBE", "pelvis": "BASSIN", "spine": "RACHIS LOMBAIRE"}
VIEW_FR = {"AP": ["face", "incidence de face"], "PA": ["face", "face (PA)"],
           "LAT": ["profil", "incidence de profil"], "OBL": ["trois-quarts", "oblique"]}

# fracture site -> descriptions (after "fracture ")
SITES = {
    "distal_radius": ["de l'extrémité distale du radius", "du radius distal",
                      "métaphysaire distale du radius", "sus-articulaire du radius distal",
                      "de Pouteau-Colles", "de l'extrémité inférieure du radius"],
    "scaphoid": ["du scaphoïde carpien", "du tiers moyen du scaphoïde", "de la taille du scaphoïde",
                 "du corps du scaphoïde"],
    "metacarpal": ["du col du 5e métacarpien", "du col du cinquième métacarpien (fracture du boxeur)",
                   "sous-capitale du 5e métacarpien", "du col de M5"],
    "phalanx": ["de la première phalange du 4e doigt", "diaphysaire de P1 du quatrième rayon",
                "de la phalange proximale de l'annulaire", "phalangienne (P1 D4)"],
    "radial_head": ["de la tête radiale", "de la tête du radius", "de la cupule radiale",
                    "parcellaire de la tête radiale (Mason II)"],
    "olecranon": ["de l'olécrane", "olécranienne", "transversale de l'olécrâne",
                  "de l'extrémité proximale de l'ulna (olécrane)"],
    "humeral_neck": ["du col chirurgical de l'humérus", "de l'extrémité supérieure de l'humérus",
                     "sous-tubérositaire de l'humérus", "du col chirurgical huméral"],
    "clavicle": ["de la clavicule", "du tiers moyen de la clavicule", "diaphysaire de la clavicule",
                 "claviculaire médio-diaphysaire"],
    "femoral_neck": ["du col fémoral", "du col du fémur", "cervicale vraie du fémur",
                     "sous-capitale du col fémoral"],
    "tibial_plateau": ["du plateau tibial latéral", "du plateau tibial externe",
                       "uni-tubérositaire externe du tibia", "séparation-enfoncement du plateau tibial latéral"],
    "malleolus": ["de la malléole latérale", "de la malléole externe",
                  "de la fibula distale, type Weber B", "sus-tuberculaire de la malléole latérale"],
    "metatarsal": ["de la base du 5e métatarsien", "de Jones (5e métatarsien)",
                   "diaphysaire proximale du cinquième métatarsien", "du 5e métatarsien"],
    "calcaneus": ["du calcanéum", "thalamique du calcanéus", "du corps du calcanéum",
                  "articulaire du calcanéum"],
    "vertebral_body": ["-tassement du corps vertébral de {level}", "-tassement de {level}",
                       "cunéiforme antérieure de {level}", "du corps vertébral de {level}"],
    "forearm_shaft": ["diaphysaire des deux os de l'avant-bras", "des deux os de l'avant-bras",
                      "médio-diaphysaire du radius et de l'ulna"],
    "tibial_shaft": ["diaphysaire de jambe", "des deux os de la jambe",
                     "spiroïde du tiers moyen du tibia, associée à une fracture de la fibula"],
}
SITE_EXTRA = {  # optional second sentence, site specific
    "distal_radius": ["Bascule postérieure du fragment épiphysaire.", "Pas de fracture de la styloïde ulnaire.",
                      "Fracture associée de la styloïde ulnaire.", "Pas d'extension articulaire."],
    "malleolus": ["Pas de fracture de Maisonneuve associée : fibula proximale d'aspect normal.",
                  "Mortaise tibio-talienne congruente.", "Pas de diastasis tibio-fibulaire."],
    "forearm_shaft": ["Pas de lésion de type Monteggia ni Galeazzi.",
                      "Articulations radio-ulnaires proximale et distale congruentes."],
    "femoral_neck": ["Classification de Garden : stade {garden}.", "Garden {garden}."],
    "scaphoid": ["Pas de déplacement notable.", "Une TDM pourra être proposée en cas de doute."],
    "tibial_plateau": ["Enfoncement de la surface articulaire estimé à 5 mm.", "Schatzker II."],
    "calcaneus": ["Diminution de l'angle de Böhler.", "Angle de Böhler abaissé."],
    "vertebral_body": ["Mur postérieur respecté.", "Pas de recul du mur postérieur.",
                       "Perte de hauteur antérieure d'environ 30 %."],
    "metacarpal": ["Bascule palmaire de la tête métacarpienne."],
    "radial_head": ["Hémarthrose : refoulement des liserés graisseux."],
}
DISP = ["non déplacée", "peu déplacée", "déplacée", "engrenée", "avec discret déplacement",
        "avec angulation", "à déplacement modéré", "comminutive", "sans déplacement significatif"]
FRACTURE_FINDINGS = [
    "{Fx} {disp}.", "Trait de {fx} {disp}.", "Mise en évidence d'une {fx} {disp}.",
    "On note une {fx}, {disp}.",
    "Solution de continuité corticale au niveau {du_part} témoignant d'une {fx} {disp}.",
    "Présence d'un trait de {fx}, {disp}.", "Aspect de {fx} {disp}.", "{Fx} récente, {disp}.",
    "Il existe une {fx} {disp}.", "Visualisation d'un trait de {fx} {disp}.",
]
FRACTURE_CONCL = ["{Fx} {disp}.", "{Fx}.", "{Fx} récente.", "{Fx} {disp}. Avis orthopédique souhaitable.",
                  "Lésion traumatique : {fx}.", "{Fx} {disp} ({part}).",
                  "{Fx} ; pas d'autre lésion osseuse.", "Aspect compatible avec une {fx}."]
NORMAL_FINDINGS = [
    "Pas de fracture visible.", "Absence de lésion osseuse traumatique décelable.",
    "Pas de trait de fracture visible.", "Structures osseuses d'aspect normal.",
    "Intégrité des structures osseuses.", "Pas d'anomalie ostéo-articulaire décelable.",
    "Interlignes articulaires respectés.", "Congruence articulaire conservée.",
    "Minéralisation osseuse normale.", "Pas d'épanchement articulaire décelable.",
    "Parties molles sans particularité.", "Corticales continues, sans solution de continuité.",
    "Pas de luxation.", "Rapports articulaires normaux.",
]
NORMAL_CONCL = ["Examen radiographique normal.", "Pas de lésion osseuse traumatique.",
                "Radiographies {du_part} sans anomalie.", "Absence de fracture.",
                "Bilan radiographique normal {du_part}.", "Pas d'argument radiologique pour une fracture.",
                "Aspect radiologique normal.", "Pas d'anomalie décelée.", "Radiographies normales."]
KL_ROMAN = ["0", "I", "II", "III", "IV"]
KNEE_OA = {
    1: ["Discret pincement fémoro-tibial interne douteux.", "Ébauche ostéophytique des épines tibiales.",
        "Interligne fémoro-tibial médial à la limite inférieure de la normale, avec ostéophyte débutant."],
    2: ["Pincement fémoro-tibial interne modéré.", "Ostéophytes marginaux fémoro-tibiaux internes.",
        "Pincement partiel de l'interligne fémoro-tibial médial avec ostéophytes nets."],
    3: ["Pincement fémoro-tibial interne marqué.", "Ostéophytes marginaux multiples.",
        "Condensation sous-chondrale du plateau tibial médial.", "Pincement net de l'interligne médial."],
    4: ["Disparition quasi complète de l'interligne fémoro-tibial interne.", "Ostéophytose exubérante.",
        "Sclérose sous-chondrale marquée avec déformation des surfaces articulaires.",
        "Pincement global majeur prédominant en interne."],
}
KNEE_OA_CONCL = ["Gonarthrose fémoro-tibiale interne, stade {roman} de Kellgren-Lawrence.",
                 "Gonarthrose {side_f} (KL {grade}).", "Arthrose fémoro-tibiale médiale grade {grade} de Kellgren et Lawrence.",
                 "Gonarthrose stade {roman} (classification de Kellgren-Lawrence).",
                 "Arthrose du genou {side_adj}, Kellgren-Lawrence {grade}.",
                 "Gonarthrose à prédominance interne, KL {roman}.", "Gonarthrose {stage_word}, stade {roman} de KL.",
                 "Signes d'arthrose fémoro-tibiale interne (Kellgren-Lawrence {grade}/4)."]
STAGE_WORD = {1: "débutante", 2: "modérée", 3: "évoluée", 4: "sévère"}
HIP_OA = ["Pincement de l'interligne coxo-fémoral supéro-externe.", "Ostéophytes de la tête fémorale et du rebord cotyloïdien.",
          "Condensation sous-chondrale du toit du cotyle.", "Pincement polaire supérieur de l'interligne coxo-fémoral.",
          "Géodes sous-chondrales du toit cotyloïdien.", "Ostéophyte en collerette cervico-céphalique."]
HIP_OA_CONCL = ["Coxarthrose {side_f} {stage_word}.", "Coxarthrose {side_f}.", "Arthrose coxo-fémorale {side_f} {stage_word}.",
                "Signes de coxarthrose {side_f}.", "Coxarthrose supéro-externe {side_f}.",
                "Coxopathie dégénérative {side_f} {stage_word}.", "Arthrose de hanche {side_f}.",
                "Coxarthrose {stage_word} {side_f}."]
HAND_OA = {"interphalangeal": ["Pincement des articulations interphalangiennes distales avec ostéophytes (nodules d'Heberden).",
                               "Arthrose interphalangienne distale et proximale.",
                               "Pincement articulaire et ostéophytes des IPD.",
                               "Condensation sous-chondrale des interphalangiennes distales."],
           "trapeziometacarpal": ["Pincement de l'articulation trapézo-métacarpienne avec ostéophytes.",
                                  "Subluxation externe de la base du premier métacarpien.",
                                  "Pincement trapézo-métacarpien et condensation sous-chondrale."]}
HAND_OA_CONCL = {"interphalangeal": ["Arthrose digitale interphalangienne distale.", "Polyarthrose digitale (nodules d'Heberden).",
                                     "Arthrose des interphalangiennes distales de la main {side_adj}.",
                                     "Signes d'arthrose digitale."],
                 "trapeziometacarpal": ["Rhizarthrose {side_f}.", "Arthrose trapézo-métacarpienne (rhizarthrose).",
                                        "Rhizarthrose évoluée."]}
DISLOCATION = {
    "glenohumeral": ["Luxation antéro-interne de l'épaule {side_adj} : tête humérale en position sous-coracoïdienne.",
                     "Perte de congruence gléno-humérale avec tête humérale déplacée en dedans et en bas.",
                     "Luxation gléno-humérale antéro-médiale.", "Tête humérale luxée en avant et en dedans de la glène."],
    "humeroulnar": ["Luxation postérieure du coude {side_adj}.", "Perte des rapports huméro-ulnaires et huméro-radiaux : luxation postéro-externe.",
              "Luxation du coude avec déplacement postérieur des deux os de l'avant-bras.",
              "Incongruence articulaire du coude : luxation postérieure."],
    "interphalangeal": ["Luxation dorsale de l'interphalangienne proximale du 5e doigt.",
                        "Perte de congruence de l'IPP du 5e doigt : luxation.",
                        "Luxation interphalangienne proximale de l'auriculaire.",
                        "Déplacement latéral de P2 sur P1 du 5e rayon : luxation de l'IPP."],
}
DISLOCATION_CONCL = {
    "glenohumeral": ["Luxation antéro-interne de l'épaule {side_adj}.", "Luxation gléno-humérale antérieure.",
                     "Luxation antérieure de l'épaule, sans fracture associée visible.",
                     "Luxation de l'épaule {side_adj} (antéro-médiale)."],
    "humeroulnar": ["Luxation postérieure du coude {side_adj}.", "Luxation du coude.", "Luxation postéro-externe du coude."],
    "interphalangeal": ["Luxation de l'IPP du 5e doigt.", "Luxation interphalangienne proximale du 5e doigt de la main {side_adj}."],
}
DISLOCATION_EXTRA = ["Pas de fracture associée décelable.", "Pas d'encoche de Hill-Sachs visible.",
                     "Contrôle après réduction souhaitable.", "Pas d'arrachement osseux visible."]
HARDWARE = {
    ("wrist", "plate"): ["plaque vissée antérieure du radius distal", "ostéosynthèse du radius distal par plaque et vis",
                         "plaque palmaire verrouillée du radius distal"],
    ("wrist", "wires"): ["embrochage du radius distal (broches de Kirschner)", "brochage percutané du radius distal"],
    ("hand", "wires"): ["embrochage du 5e métacarpien", "broches de Kirschner dans le 5e métacarpien"],
    ("forearm", "plate"): ["ostéosynthèse des deux os de l'avant-bras par plaques vissées", "plaques vissées radiale et ulnaire"],
    ("elbow", "wires"): ["haubanage de l'olécrane", "ostéosynthèse de l'olécrane par broches et hauban"],
    ("shoulder", "plate"): ["plaque vissée de l'extrémité supérieure de l'humérus", "ostéosynthèse humérale proximale par plaque"],
    ("shoulder", "nail"): ["enclouage centromédullaire de l'humérus", "clou centromédullaire huméral verrouillé"],
    ("hip", "prosthesis"): ["prothèse de hanche", "arthroplastie de hanche", "prothèse totale de hanche"],
    ("hip", "screws"): ["vis-plaque dynamique (DHS)", "ostéosynthèse du col fémoral par vis-plaque"],
    ("pelvis", "prosthesis"): ["prothèse de hanche", "arthroplastie de hanche"],
    ("knee", "screws"): ["ostéosynthèse du plateau tibial par plaque et vis", "vissage et plaque du plateau tibial latéral"],
    ("leg", "nail"): ["enclouage centromédullaire verrouillé du tibia", "clou tibial verrouillé"],
    ("ankle", "plate"): ["ostéosynthèse de la malléole latérale par plaque vissée et vissage de la malléole médiale",
                         "plaque fibulaire et vis malléolaires"],
    ("foot", "plate"): ["plaque vissée du premier métatarsien et vis de la base du 5e métatarsien",
                        "ostéosynthèse par plaque et vis"],
    ("spine", "rods"): ["arthrodèse lombaire par vis pédiculaires et tiges", "ostéosynthèse rachidienne postérieure (vis et tiges)"],
}
OSTEO_FINDINGS = ["Matériel d'ostéosynthèse en place : {hw}.", "{Hw} en place.", "Présence d'un matériel : {hw}.",
                  "{Hw}, sans démontage du matériel.", "Status post-opératoire : {hw}.",
                  "Matériel en place ({hw}), sans signe de démontage.", "On note : {hw}, en bonne position.",
                  "{Hw} : pas de fracture du matériel.", "Aspect post-opératoire {du_part} : {hw}."]
OSTEO_EXTRA = ["Pas de signe de descellement.", "Pas de liseré péri-prothétique.", "Consolidation en cours.",
               "Cal osseux en formation.", "Pas de déplacement secondaire.", "Bonne position du matériel."]
OSTEO_CONCL = ["Matériel d'ostéosynthèse en place.", "{Hw} en place, sans complication.", "Contrôle post-opératoire satisfaisant.",
               "Pas de déplacement secondaire du matériel.", "Bon positionnement du matériel d'ostéosynthèse.",
               "{Hw} : aspect satisfaisant.", "Matériel en place, pas de démontage.", "Status post-ostéosynthèse sans complication."]
BONE_AGE = ["Âge osseux selon Greulich et Pyle estimé à {ba} pour un âge chronologique de {ca}.",
            "Âge osseux : {ba} (atlas de Greulich & Pyle). Âge civil : {ca}.",
            "Selon la méthode de Greulich et Pyle, l'âge osseux est évalué à {ba} (âge réel {ca}).",
            "Âge osseux estimé à {ba} ; âge chronologique {ca}.",
            "Maturation osseuse correspondant à {ba} (Greulich et Pyle) pour un âge de {ca}.",
            "L'âge osseux correspond à {ba} selon l'atlas de Greulich et Pyle ; âge civil {ca}.",
            "Âge osseux (GP) : {ba}. Âge chronologique : {ca}.",
            "Radiographie de la main {side_adj} de face : âge osseux de {ba} pour un âge civil de {ca}."]
BONE_AGE_EXTRA = ["Cartilages de croissance ouverts.", "Noyaux d'ossification carpiens au nombre de {n}.",
                  "Pas d'anomalie morphologique des os de la main.", "Sésamoïde du pouce {sesamoid}."]
BONE_AGE_CONCL = {"equal": ["Âge osseux en accord avec l'âge chronologique.", "Âge osseux concordant avec l'âge civil.",
                            "Pas d'avance ni de retard d'âge osseux."],
                  "late": ["Retard d'âge osseux d'environ {diff}.", "Âge osseux retardé ({diff}).",
                           "Retard de maturation osseuse de {diff}."],
                  "early": ["Avance d'âge osseux d'environ {diff}.", "Âge osseux avancé ({diff}).",
                            "Avance de maturation osseuse de {diff}."]}
INDICATIONS = {
    "trauma": ["Traumatisme {du_part} suite à une chute de sa hauteur.", "Chute, douleur {du_part}.",
               "Douleur et impotence fonctionnelle {du_part} après traumatisme.", "Chute de vélo. Douleur {du_part}.",
               "Traumatisme sportif {du_part}. Recherche de fracture.", "Accident domestique, douleur {du_part}.",
               "Suspicion de fracture {du_part}.", "Traumatisme {du_part} ; éliminer une lésion osseuse."],
    "pain": ["Douleur mécanique {du_part}.", "Bilan de douleurs chroniques {du_part}.",
             "Douleurs {du_part} d'horaire mécanique.", "Raideur et douleurs {du_part}.", "Bilan d'arthrose {du_part}."],
    "control": ["Contrôle post-opératoire.", "Suivi d'ostéosynthèse à 6 semaines.", "Contrôle à distance de l'intervention.",
                "Contrôle du matériel.", "Suivi post-opératoire {du_part}."],
    "dislocation": ["Traumatisme {du_part}, déformation visible.", "Impotence fonctionnelle {du_part} après chute.",
                    "Suspicion de luxation {du_part}.", "Traumatisme en rotation externe, douleur {du_part}."],
    "growth": ["Bilan d'âge osseux.", "Petite taille, bilan d'âge osseux.", "Retard de croissance staturale.",
               "Suspicion d'avance pubertaire.", "Évaluation de la maturation osseuse."],
}
TECHNIQUE = ["Radiographies {du_part} : {views}.", "Clichés standards {du_part} ({views}).",
             "Radiographie standard {du_part}, {views}.", "Rx {part} {views}."]
HEADER_FIELDS = {"patient": ["Patient : {civ} {given} {FAMILY}, {born} le {dob}", "Nom : {FAMILY} {given} — Date de naissance : {dob}",
                             "Patient(e) : {FAMILY} {given} ({sex}), né(e) le {dob}", "{civ} {FAMILY} {given}, {born} le {dob}"],
                 "ipp": ["IPP : {ipp}", "N° patient : {ipp}", "Identifiant : {ipp}", "IPP {ipp}"],
                 "acc": ["N° examen : {acc}", "N° d'accession : {acc}", "Examen n° {acc}", "Réf. : {acc}"],
                 "date": ["Date de l'examen : {date}", "Examen du {date}", "Réalisé le {date}"],
                 "ref": ["Médecin demandeur : Dr {rgiven} {RFAMILY}", "Prescripteur : Dr {RFAMILY}",
                         "Adressé par le Dr {rgiven} {RFAMILY}", "Demandé par : Docteur {RFAMILY}"]}
FOOTERS = ["Compte rendu validé électroniquement par le Dr {dgiven} {DFAMILY} le {vdate}.",
           "Dr {dgiven} {DFAMILY} — validé le {vdate}.", "Signé électroniquement : Docteur {DFAMILY}, {vdate}.",
           "Le radiologue : Dr {DFAMILY} ({vdate})."]
