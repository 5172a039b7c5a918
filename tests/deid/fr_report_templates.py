"""A fourth set of annotated reports, written after the rules were tuned on the other sets
and on ``tests/data/deid_dev.jsonl``, and measured once as written: other hospital
templates (letters, Belgian and overseas layouts, PDF debris, bullet lists, RIS headers),
names without any DICOM help, the identifiers of French hospital paperwork (NIR, RPPS,
ADELI, FINESS, NDA) and a dense use of eponyms.

Same format as ``fr_report_corpus.REPORTS``, with the evaluation labels; ``ages`` lists
the patient's ages below 90, which are detected as AGE but kept in the text.
"""

from __future__ import annotations

import datetime as dt

REPORTS: list[dict] = [
    dict(
        name="t_lettre_confrere_hanche",
        patient_key="T-0001",
        known_names=[],
        report_date=dt.date(2024, 9, 18),
        text="""GROUPE HOSPITALIER PARIS SAINT-JOSEPH
185 rue Raymond Losserand – 75014 PARIS
Service d'imagerie médicale – Tél. : +33 (0)1 44 12 33 33

Paris, le 18 septembre 2024

Docteur Arnaud TISSERAND
Cabinet médical
14 place du Marché, 92170 Vanves

Cher Confrère,

Je vous remercie de m'avoir adressé Madame Huguette POTIER, 81 ans, pour des douleurs de hanche droite
depuis 3 mois.

Radiographies du bassin de face et de la hanche droite de face et profil de Ducroquet.

Coxarthrose droite avec pincement supéro-externe de l'interligne, ostéophytose et géodes
cotyloïdiennes. Coxométrie : angle de Lequesne à 28°. Pas de fracture.

En conclusion, coxarthrose droite évoluée. Mme Potier pourra être adressée en consultation
de chirurgie orthopédique.

Bien confraternellement,
Dr Valérie NGUYEN-THANH""",
        phi={
            "INSTITUTION": ["GROUPE HOSPITALIER PARIS SAINT-JOSEPH"],
            "ADDRESS": ["185 rue Raymond Losserand – 75014 PARIS", "14 place du Marché, 92170 Vanves"],
            "PHONE": ["+33 (0)1 44 12 33 33"],
            "CITY": ["Paris"],
            "DATE": ["18 septembre 2024"],
            "STAFF": ["Arnaud TISSERAND", "Valérie NGUYEN-THANH"],
            "PATIENT": ["Huguette POTIER", "Potier"],
        },
        ages=["81 ans"],
        keep=["angle de Lequesne", "profil de Ducroquet", "depuis 3 mois", "Pas de fracture", "coxarthrose droite évoluée"],
    ),
    dict(
        name="t_ris_entete_nir",
        patient_key="T-0002",
        known_names=[],
        report_date=dt.date(2024, 2, 7),
        text="""NOM : BERTHELOT                 Prénom : Gaston
Nom de naissance : BERTHELOT       Sexe : M
Date de naissance : 03/11/1949      N° SS : 1 49 11 33 063 118 42
NDA : 240012778      IPP : 000812345
Prescripteur : Dr M. AUBERTIN (RPPS 10101234567)
Examen réalisé le 07/02/2024 – Manipulateur : Mme Sandrine COUDERC

EXAMEN : RADIOGRAPHIE DU RACHIS LOMBAIRE F+P

Renseignements cliniques : lombalgies chroniques, bilan.

Résultats :
Discopathie L4-L5 et L5-S1 avec pincement discal et ostéophytose antérieure. Spondylolisthésis
L5-S1 de grade 1 selon Meyerding par lyse isthmique. Pas de tassement vertébral. Scoliose
lombaire minime, angle de Cobb à 8°.

Conclusion : discarthrose lombaire basse. Spondylolisthésis L5-S1 grade 1 de Meyerding.

Interprété par Dr Hugues LAFFARGUE le 07/02/2024""",
        phi={
            "PATIENT": ["BERTHELOT", "Gaston"],
            "BIRTHDATE": ["03/11/1949"],
            "ID": ["1 49 11 33 063 118 42", "240012778", "000812345", "10101234567"],
            "STAFF": ["M. AUBERTIN", "Sandrine COUDERC", "Hugues LAFFARGUE"],
            "DATE": ["07/02/2024"],
        },
        keep=["grade 1 selon Meyerding", "angle de Cobb", "Spondylolisthésis", "Pas de tassement vertébral"],
    ),
    dict(
        name="t_belge_chirec",
        patient_key="T-0003",
        known_names=[],
        report_date=dt.date(2023, 11, 22),
        text="""Hôpital Delta – Site Chirec
Boulevard du Triomphe 201, 1160 Auderghem
Tél. : +32 2 434 81 11 – radiologie.delta@chirec.be

Patiente : Mme Anneke VERMEULEN (née le 12.04.1976)
N° national : 76.04.12-236.54
Médecin demandeur : Dr Pieter JANSSENS, orthopédie

Date de l'examen : 22.11.2023

RX genou droit F/P + rotule axiale.
Fracture non déplacée du plateau tibial latéral, type II de Schatzker, avec enfoncement
minime. Lipohémarthrose. Pas d'avulsion de Segond.

Conclusion : fracture Schatzker II du plateau tibial latéral droit.

Dr Sofie DE SMET – radiologue""",
        phi={
            "INSTITUTION": ["Hôpital Delta", "Chirec"],
            "ADDRESS": ["Boulevard du Triomphe 201, 1160 Auderghem"],
            "PHONE": ["+32 2 434 81 11"],
            "EMAIL": ["radiologie.delta@chirec.be"],
            "PATIENT": ["Anneke VERMEULEN"],
            "BIRTHDATE": ["12.04.1976"],
            "ID": ["76.04.12-236.54"],
            "STAFF": ["Pieter JANSSENS", "Sofie DE SMET"],
            "DATE": ["22.11.2023"],
        },
        keep=["type II de Schatzker", "Pas d'avulsion de Segond", "fracture Schatzker II"],
    ),
    dict(
        name="t_pediatrie_salter",
        patient_key="T-0004",
        known_names=[],
        report_date=dt.date(2024, 6, 3),
        text="""Hôpital Necker-Enfants malades – AP-HP
Service de radiologie pédiatrique

Enfant : Kylian DIALLO, 11 ans
Date de naissance : 14/05/2013
Examen du 03/06/2024 — urgences pédiatriques

Cheville gauche F+P.
Traumatisme en torsion au handball.
Décollement épiphysaire de l'extrémité distale du tibia, type II de Salter-Harris, avec
fragment métaphysaire postéro-latéral (Thurstan-Holland). Pas de fracture de Tillaux.
Fibula intacte.

Conclusion : fracture Salter-Harris II du tibia distal gauche.
Avis orthopédique pédiatrique demandé (Pr Étienne VALLOIS).
Kylian et sa mère ont été informés.""",
        phi={
            "INSTITUTION": ["Hôpital Necker-Enfants malades", "AP-HP"],
            "PATIENT": ["Kylian DIALLO", "Kylian"],
            "BIRTHDATE": ["14/05/2013"],
            "DATE": ["03/06/2024"],
            "STAFF": ["Étienne VALLOIS"],
        },
        ages=["11 ans"],
        keep=["type II de Salter-Harris", "(Thurstan-Holland)", "Pas de fracture de Tillaux",
              "fracture Salter-Harris II"],
    ),
    dict(
        name="t_pdf_debris_epaule",
        patient_key="T-0005",
        known_names=[],
        report_date=dt.date(2024, 1, 29),
        text="""Centre d'Imagerie Médicale des Allées – SELARL
12 allées Jean Jaurès 31000 TOULOUSE – Tél 05 61 22 44 66 – Fax 05 61 22 44 67
www.imagerie-allees.fr
Page 1/1
Mme FERRAGUT Lucienne                                      Toulouse, le 29/01/2024
Née le 07/07/1938 (85 ans)
Réf. dossier : TLS-2024-004512

Radiographie de l'épaule gauche : face en rotations neutre, interne et externe, profil de Lamy.

Omarthrose excentrée avec ascension de la tête humérale, distance acromio-humérale à 4 mm,
stade 3 de Hamada. Calcification de la coiffe non visible. Pas de lésion de Hill-Sachs.

CONCLUSION : omarthrose excentrée gauche, Hamada 3.

Docteur Régis OLLIER
Document signé électroniquement – Page 1/1""",
        phi={
            "INSTITUTION": ["Centre d'Imagerie Médicale des Allées"],
            "ADDRESS": ["12 allées Jean Jaurès 31000 TOULOUSE"],
            "PHONE": ["05 61 22 44 66", "05 61 22 44 67"],
            "URL": ["www.imagerie-allees.fr"],
            "PATIENT": ["FERRAGUT Lucienne"],
            "CITY": ["Toulouse"],
            "DATE": ["29/01/2024"],
            "BIRTHDATE": ["07/07/1938"],
            "ID": ["TLS-2024-004512"],
            "STAFF": ["Régis OLLIER"],
        },
        ages=["85 ans"],
        keep=["profil de Lamy", "stade 3 de Hamada", "Pas de lésion de Hill-Sachs", "Hamada 3"],
    ),
    dict(
        name="t_ehpad_centenaire",
        patient_key="T-0006",
        known_names=[],
        report_date=dt.date(2024, 4, 15),
        text="""Centre Hospitalier de Dreux – Imagerie
44 avenue du Président Kennedy, CS 30217, 28102 DREUX CEDEX

Patiente transférée de l'EHPAD Les Jardins d'Automne (Vernouillet) pour chute.
Mme Gisèle HAMELIN, 101 ans, IPP 280045561.

Bassin de face et hanche gauche.
Fracture per-trochantérienne gauche déplacée, instable. Pas de fracture du cadre obturateur.
Ostéopénie diffuse.

Conclusion : fracture per-trochantérienne gauche.
Dr Alexandre BOUQUET, le 15 avril 2024 à 14 h 20.""",
        phi={
            "INSTITUTION": ["Centre Hospitalier de Dreux", "EHPAD Les Jardins d'Automne"],
            "ADDRESS": ["44 avenue du Président Kennedy, CS 30217, 28102 DREUX CEDEX"],
            "CITY": ["Vernouillet"],
            "PATIENT": ["Gisèle HAMELIN"],
            "AGE": ["101 ans"],
            "ID": ["280045561"],
            "STAFF": ["Alexandre BOUQUET"],
            "DATE": ["15 avril 2024"],
        },
        keep=["Fracture per-trochantérienne gauche déplacée", "Ostéopénie diffuse"],
    ),
    dict(
        name="t_puces_suivi_osteosynthese",
        patient_key="T-0007",
        known_names=[],
        report_date=dt.date(2024, 10, 2),
        text="""CLINIQUE DE L'ANJOU – IMAGERIE
• Patient : LE BIHAN Yann-Erwan
• Né le : 21/08/1990
• N° d'examen : 24100200187
• Demandeur : Dr Guénolé KERGOAT (chirurgien orthopédiste)
• Date : 2024-10-02

Contrôle à 6 semaines d'une ostéosynthèse par plaque vissée d'une fracture bimalléolaire
(Weber B) opérée le 2024-08-21.
- matériel en place, sans démontage ;
- consolidation en cours de la malléole latérale ;
- mortaise congruente, pas de diastasis tibio-fibulaire.

M. Le Bihan reprendra l'appui progressivement.
Compte rendu dicté par Dr Morgane TALEC, relu et validé le 02/10/2024.""",
        phi={
            "INSTITUTION": ["CLINIQUE DE L'ANJOU"],
            "PATIENT": ["LE BIHAN Yann-Erwan", "Le Bihan"],
            "BIRTHDATE": ["21/08/1990"],
            "ID": ["24100200187"],
            "STAFF": ["Guénolé KERGOAT", "Morgane TALEC"],
            "DATE": ["2024-10-02", "2024-08-21", "02/10/2024"],
        },
        keep=["(Weber B)", "Contrôle à 6 semaines", "pas de diastasis tibio-fibulaire"],
    ),
    dict(
        name="t_outremer_reunion",
        patient_key="T-0008",
        known_names=[],
        report_date=dt.date(2023, 8, 9),
        text="""CHU de La Réunion – site Félix Guyon
Allée des Topazes, 97400 Saint-Denis
Standard : 02 62 90 50 50

Patient : M. PAYET Jean-Hugues, 46 ans, domicilié à Saint-Pierre.
Examen du mercredi 9 août 2023.
Médecin traitant : Dr Sabine HOARAU-GRONDIN

Main droite F + 3/4.
Fracture du col du 5e métacarpien (fracture du boxeur) avec bascule palmaire de 40°.
Pas de fracture de Bennett ni de Rolando.

Conclusion : fracture du col du 5e métacarpien droit.""",
        phi={
            "INSTITUTION": ["CHU de La Réunion", "Félix Guyon"],
            "ADDRESS": ["Allée des Topazes, 97400 Saint-Denis"],
            "PHONE": ["02 62 90 50 50"],
            "PATIENT": ["PAYET Jean-Hugues"],
            "CITY": ["Saint-Pierre"],
            "DATE": ["mercredi 9 août 2023"],
            "STAFF": ["Sabine HOARAU-GRONDIN"],
        },
        ages=["46 ans"],
        keep=["Pas de fracture de Bennett ni de Rolando", "fracture du boxeur", "5e métacarpien"],
    ),
    dict(
        name="t_dictee_minuscules_mois",
        patient_key="T-0009",
        known_names=[],
        report_date=dt.date(2024, 3, 12),
        text="""radiographie du pied droit
mme rolande chabanel, 72 ans, adressée par le dr yves lemarchand pour métatarsalgies.
examen du 12 mars 2024, comparaison avec le cliché de février 2023.

hallux valgus avec angle métatarso-phalangien à 38°, métatarsus varus. sésamoïdes luxés.
pas de maladie de freiberg. arthrose de lisfranc débutante.

conclusion : hallux valgus sévère. avis chirurgical.
tél. secrétariat : 04 73 75 00 00""",
        phi={
            "PATIENT": ["rolande chabanel"],
            "STAFF": ["yves lemarchand"],
            "DATE": ["12 mars 2024", "février 2023"],
            "PHONE": ["04 73 75 00 00"],
        },
        ages=["72 ans"],
        keep=["pas de maladie de freiberg", "arthrose de lisfranc débutante", "hallux valgus sévère"],
    ),
    dict(
        name="t_cabinet_genou_adeli",
        patient_key="T-0010",
        known_names=[],
        report_date=dt.date(2024, 5, 27),
        text="""Cabinet de Radiologie du Val de Saône
3 quai Gambetta – BP 84 – 71100 Chalon-sur-Saône
ADELI 719912345 – FINESS 710012345

M. Lucien MOUGENOT
Né le 02 janvier 1956
Examen du 27/05/2024

GENOUX EN CHARGE F + SCHUSS + PROFILS + DÉFILÉS À 30°

Gonarthrose fémoro-tibiale médiale bilatérale, stade III de Kellgren-Lawrence à droite,
stade II à gauche. Chondrocalcinose méniscale. Pas de lésion de Pellegrini-Stieda.
Arthrose fémoro-patellaire latérale débutante.

Conclusion : gonarthrose bilatérale prédominant à droite (KL III).

Dr Françoise DESBOIS-MARTIN""",
        phi={
            "INSTITUTION": ["Cabinet de Radiologie du Val de Saône"],
            "ADDRESS": ["3 quai Gambetta – BP 84 – 71100 Chalon-sur-Saône"],
            "ID": ["719912345", "710012345"],
            "PATIENT": ["Lucien MOUGENOT"],
            "BIRTHDATE": ["02 janvier 1956"],
            "DATE": ["27/05/2024"],
            "STAFF": ["Françoise DESBOIS-MARTIN"],
        },
        keep=["stade III de Kellgren-Lawrence", "Pas de lésion de Pellegrini-Stieda", "(KL III)"],
    ),
    dict(
        name="t_maltraitance_nourrisson",
        patient_key="T-0011",
        known_names=[],
        report_date=dt.date(2024, 12, 5),
        text="""CHU de Nantes – Hôpital Femme-Enfant-Adolescent
Radiopédiatrie

Bilan squelettique complet chez le nourrisson Timéo GUILLOU, 4 mois, adressé par le
Dr Clémence RIOU (urgences pédiatriques) le 05/12/2024.

Fractures métaphysaires en « anse de seau » des deux tibias distaux. Fracture de côte
postérieure droite (7e arc) en voie de consolidation, plus ancienne. Pas de lésion du crâne.

Conclusion : lésions évocatrices de sévices ; signalement fait. Contrôle à J+14.
Dr Olivier PICHAVANT, radiopédiatre.""",
        phi={
            "INSTITUTION": ["CHU de Nantes", "Hôpital Femme-Enfant-Adolescent"],
            "PATIENT": ["Timéo GUILLOU"],
            "STAFF": ["Clémence RIOU", "Olivier PICHAVANT"],
            "DATE": ["05/12/2024"],
        },
        ages=["4 mois"],
        keep=["anse de seau", "Contrôle à J+14", "Pas de lésion du crâne"],
    ),
    dict(
        name="t_rhumato_mains_spa",
        patient_key="T-0012",
        known_names=[],
        report_date=dt.date(2024, 7, 1),
        text="""Polyclinique du Parc Rambot – Aix-en-Provence
Service d'imagerie – secretariat.imagerie@parc-rambot.fr

Identité : Mme SOLER née CASTELLANI Paola – DDN 19/09/1969
Indication : polyarthrite rhumatoïde, suivi (Dr Thierry ABITBOL, rhumatologue).

Mains et poignets de face, pieds de face et 3/4.
Érosions des 2e et 3e MCP droites et de la styloïde ulnaire gauche (score de Sharp
modifié par van der Heijde en augmentation). Carpite débutante. Pas de déformation en
coup de vent ulnaire. Nodules d'Heberden absents.

Conclusion : polyarthrite rhumatoïde érosive, progression depuis le bilan de juillet 2023.""",
        phi={
            "INSTITUTION": ["Polyclinique du Parc Rambot"],
            "CITY": ["Aix-en-Provence"],
            "EMAIL": ["secretariat.imagerie@parc-rambot.fr"],
            "PATIENT": ["SOLER", "CASTELLANI Paola"],
            "BIRTHDATE": ["19/09/1969"],
            "STAFF": ["Thierry ABITBOL"],
            "DATE": ["juillet 2023"],
        },
        keep=["score de Sharp\nmodifié par van der Heijde", "Nodules d'Heberden absents", "coup de vent ulnaire"],
    ),
    dict(
        name="t_sport_osgood",
        patient_key="T-0013",
        known_names=[],
        report_date=dt.date(2024, 10, 14),
        text="""Radiographie des genoux – Centre de médecine du sport de Vichy
Sportif : Mathéo BRUNEAU (14 ans), footballeur en sport-études, transféré de Cusset.
Examen du 14 octobre 2024.

Fragmentation et irrégularité de la tubérosité tibiale antérieure droite, aspect de
maladie d'Osgood-Schlatter. Pas de maladie de Sinding-Larsen-Johansson. Cartilages de
croissance normaux. Pas d'ostéochondrite disséquante.

Conclusion : Osgood-Schlatter droit. Repos sportif.
Dr Rémy FAUCHER – 06 71 45 88 20""",
        phi={
            "INSTITUTION": ["Centre de médecine du sport de Vichy"],
            "PATIENT": ["Mathéo BRUNEAU"],
            "CITY": ["Cusset"],
            "DATE": ["14 octobre 2024"],
            "STAFF": ["Rémy FAUCHER"],
            "PHONE": ["06 71 45 88 20"],
        },
        ages=["14 ans"],
        keep=["maladie d'Osgood-Schlatter", "Pas de maladie de Sinding-Larsen-Johansson", "Osgood-Schlatter droit",
              "Pas d'ostéochondrite disséquante"],
    ),
    dict(
        name="t_coude_urgences_nuit",
        patient_key="T-0014",
        known_names=[],
        report_date=dt.date(2024, 11, 30),
        text="""SAU – CH Annecy Genevois – 30/11/2024 03:12
Pt : DUCRET Marius, 34 a, IPP 7400998812
Coude G F+P : fracture de la tête radiale type II de Mason, hémarthrose (signe du
coussinet graisseux postérieur). Pas de luxation. Pas de lésion d'Essex-Lopresti clinique.
Contrôle à 10 j. Interne : Dr Capucine VIBERT. Senior : Dr Marc-Antoine DUNAND.""",
        phi={
            "INSTITUTION": ["CH Annecy Genevois"],
            "DATE": ["30/11/2024"],
            "PATIENT": ["DUCRET Marius"],
            "ID": ["7400998812"],
            "STAFF": ["Capucine VIBERT", "Marc-Antoine DUNAND"],
        },
        ages=["34 a"],
        keep=["type II de Mason", "Pas de lésion d'Essex-Lopresti", "Contrôle à 10 j"],
    ),
    dict(
        name="t_rachis_scoliose_lettre",
        patient_key="T-0015",
        known_names=[],
        report_date=dt.date(2024, 2, 20),
        text="""Institut Régional de Médecine Physique – Nancy
Nom d'usage : ROLLIN        Nom de naissance : ANTOINE        Prénom : Élise
Née le 30/06/2009 à Lunéville
Tél. parents : 03 83 44 12 98 / 06 11 90 27 65 – mail : famille.rollin@orange.fr

Téléradiographie du rachis entier de face et de profil debout (EOS).
Scoliose thoraco-lombaire droite T6-L2, angle de Cobb à 32°, vertèbre sommet T11,
Risser 3. Rotation vertébrale de grade 2 de Nash et Moe. Pas de spondylolyse.

Conclusion : scoliose idiopathique de l'adolescente à 32°, Risser 3, indication de corset
de type Chêneau à discuter (Pr Jean-Baptiste MATHIEU).
Le 20/02/2024.""",
        phi={
            "INSTITUTION": ["Institut Régional de Médecine Physique"],
            "CITY": ["Nancy", "Lunéville"],
            "PATIENT": ["ROLLIN", "ANTOINE", "Élise"],
            "BIRTHDATE": ["30/06/2009"],
            "PHONE": ["03 83 44 12 98", "06 11 90 27 65"],
            "EMAIL": ["famille.rollin@orange.fr"],
            "STAFF": ["Jean-Baptiste MATHIEU"],
            "DATE": ["20/02/2024"],
        },
        keep=["angle de Cobb", "Risser 3", "grade 2 de Nash et Moe", "corset\nde type Chêneau"],
    ),
    dict(
        name="t_osteoporose_tassement_nonagenaire",
        patient_key="T-0016",
        known_names=[],
        report_date=dt.date(2024, 8, 6),
        text="""Clinique Saint-Jean-de-Dieu – 19 rue Oudinot, 75007 Paris
Compte rendu : rachis dorsal et lombaire.
Madame Simone ARCHAMBAULT, âgée de 96 ans, hospitalisée en gériatrie (Dr Paul-Henri
DE MONTFORT).
Examen du 6 août 2024 (comparatif du 14 mars 2024).

Tassement cunéiforme récent de T12 (perte de hauteur antérieure de 40 %, grade 3 de
Genant), ancien tassement de L2 inchangé. Ostéopénie diffuse. Pas de recul du mur postérieur.

Conclusion : fracture ostéoporotique récente de T12.""",
        phi={
            "INSTITUTION": ["Clinique Saint-Jean-de-Dieu"],
            "ADDRESS": ["19 rue Oudinot, 75007 Paris"],
            "PATIENT": ["Simone ARCHAMBAULT"],
            "AGE": ["96 ans"],
            "STAFF": ["Paul-Henri\nDE MONTFORT"],
            "DATE": ["6 août 2024", "14 mars 2024"],
        },
        keep=["grade 3 de\nGenant", "Pas de recul du mur postérieur", "Ostéopénie diffuse"],
    ),
]
