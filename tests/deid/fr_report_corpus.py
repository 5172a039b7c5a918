"""Hand-written French bone radiology reports with every identifier annotated.

All people, numbers and addresses are invented. ``phi`` lists each identifying string
by category (every case-insensitive whole-word occurrence counts); ``keep`` lists
clinical phrases that must survive de-identification verbatim.
"""

from __future__ import annotations

import datetime as dt

REPORTS: list[dict] = [
    dict(
        name="poignet_pouteau_colles",
        patient_key="IPP00451234",
        known_names=["DUPONT^JEANNE", "LEFEVRE^ALAIN"],
        report_date=dt.date(2024, 3, 3),
        text="""CHU DE LILLE - Service de Radiologie et Imagerie Musculosquelettique
2 avenue Oscar Lambret, 59037 Lille Cedex - Tél : 03 20 44 59 62
Patient : Mme Jeanne DUPONT, née le 12/03/1958 - IPP : 00451234
Médecin prescripteur : Dr Alain Lefèvre

RADIOGRAPHIE DU POIGNET GAUCHE FACE ET PROFIL

Indication : Chute de sa hauteur le 1er mars 2024. Douleur et déformation du poignet.
Technique : Clichés de face et de profil.
Résultats :
Fracture de Pouteau-Colles du radius distal avec bascule postérieure de l'épiphyse.
Arrachement de la styloïde ulnaire. Pas de fracture du scaphoïde.
Comparaison avec le cliché du 12/01/2023 : pas de lésion à cette date.
M. Dupont, son époux, signale une chute similaire en 2019.
Conclusion : Fracture de Pouteau-Colles déplacée. Avis orthopédique.

Compte rendu validé par le Dr Paul Martin le 3 mars 2024.
Secrétariat : radiologie.secretariat@chu-lille.fr""",
        phi={
            "INSTITUTION": ["CHU DE LILLE"],
            "ADDRESS": ["2 avenue Oscar Lambret, 59037 Lille Cedex"],
            "PHONE": ["03 20 44 59 62"],
            "PATIENT": ["Jeanne", "DUPONT"],
            "STAFF": ["Alain Lefèvre", "Paul Martin", "M. ⟨Dupont⟩, son époux"],
            "DATE": ["1er mars 2024", "12/01/2023", "3 mars 2024"],
            "BIRTHDATE": ["12/03/1958"],
            "ID": ["00451234"],
            "EMAIL": ["radiologie.secretariat@chu-lille.fr"],
        },
        keep=["Fracture de Pouteau-Colles du radius distal", "Pas de fracture du scaphoïde",
              "styloïde ulnaire", "Indication :", "Conclusion :"],
    ),
    dict(
        name="genou_kellgren",
        patient_key="IPP00987001",
        known_names=["LEROY^BERNARD", "GARNIER^SOPHIE"],
        report_date=dt.date(2023, 6, 5),
        text="""Clinique du Parc - Imagerie médicale
155 boulevard Stalingrad, 69006 Lyon. Tél. 04.78.12.34.56 - Fax 04.78.12.34.57
Lyon, le 5 juin 2023

Patient : M. Bernard LEROY (93 ans)
Examen demandé par le Dr Sophie Garnier.

Motif : gonalgies bilatérales, bilan de gonarthrose.
Radiographies des deux genoux en charge, face, profil et schuss.

Résultats
Genou droit : pincement fémoro-tibial médial sévère, ostéophytes marginaux, ostéocondensation
sous-chondrale. Stade IV de Kellgren-Lawrence. Calcification de Pellegrini-Stieda.
Genou gauche : pincement modéré, stade III de Kellgren-Lawrence, grade 2 d'Ahlbäck.
Pas d'épanchement visible. Pas de fracture.

Conclusion
Gonarthrose bilatérale prédominant à droite, stade IV de Kellgren-Lawrence à droite.
Dr Sophie GARNIER""",
        phi={
            "INSTITUTION": ["Clinique du Parc"],
            "ADDRESS": ["155 boulevard Stalingrad, 69006 Lyon"],
            "PHONE": ["04.78.12.34.56", "04.78.12.34.57"],
            "CITY": ["Lyon"],
            "DATE": ["5 juin 2023"],
            "PATIENT": ["Bernard", "LEROY"],
            "AGE": ["93 ans"],
            "STAFF": ["Sophie Garnier"],
        },
        keep=["Stade IV de Kellgren-Lawrence", "stade III de Kellgren-Lawrence", "Pellegrini-Stieda",
              "grade 2 d'Ahlbäck", "Pas de fracture", "pincement fémoro-tibial médial"],
    ),
    dict(
        name="age_osseux_greulich",
        patient_key="NIP7788123",
        known_names=["MOREAU^LUCAS"],
        report_date=dt.date(2024, 1, 22),
        text="""Hôpital Necker-Enfants Malades - Radiologie pédiatrique
149 rue de Sèvres, 75015 Paris

Enfant : Lucas MOREAU, né le 14 février 2015 (8 ans 11 mois).
Parents joignables au 06 12 34 56 78.

Indication : petite taille, bilan d'âge osseux.
Technique : radiographie de la main et du poignet gauches de face.

Résultats : l'âge osseux selon l'atlas de Greulich et Pyle est estimé à 7 ans 6 mois, soit un
retard de 17 mois par rapport à l'âge chronologique. Méthode de Sauvegrain non réalisée.
Cartilages de croissance d'aspect normal. Pas de lésion osseuse.
Conclusion : retard d'âge osseux d'environ 1 an et demi (Greulich et Pyle).

Le 22/01/2024, Pr Hélène Vasseur""",
        phi={
            "INSTITUTION": ["Hôpital Necker-Enfants Malades"],
            "ADDRESS": ["149 rue de Sèvres, 75015 Paris"],
            "PATIENT": ["Lucas", "MOREAU"],
            "DATE": ["22/01/2024"],
            "BIRTHDATE": ["14 février 2015"],
            "PHONE": ["06 12 34 56 78"],
            "STAFF": ["Hélène Vasseur"],
        },
        ages=["8 ans 11 mois"],
        keep=["atlas de Greulich et Pyle", "Méthode de Sauvegrain", "(Greulich et Pyle)",
              "8 ans 11 mois", "Pas de lésion osseuse", "petite taille"],
    ),
    dict(
        name="cheville_majuscules",
        patient_key="IPP12345678",
        known_names=["BENALI^KARIM"],
        report_date=dt.date(2022, 11, 18),
        text="""CENTRE HOSPITALIER DE ROUBAIX
SERVICE D'IMAGERIE MEDICALE - 11-17 BOULEVARD LACORDAIRE - 59100 ROUBAIX

PATIENT : M. KARIM BENALI   NE LE 03/07/1985   IPP 12345678
EXAMEN DU 18/11/2022

RADIOGRAPHIES DE LA CHEVILLE DROITE ET DE LA JAMBE DROITE

INDICATION : TRAUMATISME EN TORSION LORS D'UN MATCH DE FOOTBALL.

RESULTATS :
FRACTURE SPIROIDE DU TIERS PROXIMAL DE LA FIBULA ASSOCIEE A UN ELARGISSEMENT DE L'ESPACE
CLAIR MEDIAL : FRACTURE DE MAISONNEUVE. PAS DE FRACTURE MALLEOLAIRE MEDIALE.
PAS DE LESION DE TYPE WEBER B.

CONCLUSION : FRACTURE DE MAISONNEUVE DE LA JAMBE DROITE.

DR F. LAMBERT""",
        phi={
            "INSTITUTION": ["CENTRE HOSPITALIER DE ROUBAIX"],
            "ADDRESS": ["11-17 BOULEVARD LACORDAIRE - 59100 ROUBAIX"],
            "PATIENT": ["KARIM", "BENALI"],
            "DATE": ["18/11/2022"],
            "BIRTHDATE": ["03/07/1985"],
            "ID": ["12345678"],
            "STAFF": ["F. LAMBERT"],
        },
        keep=["FRACTURE DE MAISONNEUVE", "TYPE WEBER B", "PAS DE FRACTURE MALLEOLAIRE MEDIALE",
              "TIERS PROXIMAL DE LA FIBULA", "INDICATION :", "CONCLUSION :"],
    ),
    dict(
        name="epaule_hill_sachs_nom_commun",
        patient_key="IPP55512121",
        known_names=["PETIT^CHLOE"],
        report_date=dt.date(2023, 9, 14),
        text="""Polyclinique Saint-Côme - 7 rue Jean-Jacques Bernard, 60200 Compiègne
Téléphone : 03 44 92 60 00 - https://www.polyclinique-saint-come.fr

Mlle Chloé Petit, 24 ans. Dossier n° 23-118742.
Examen réalisé le jeudi 14 septembre 2023.

Renseignements cliniques : luxation antéro-interne de l'épaule droite réduite aux urgences.

Description :
Épaule droite de face en rotations et profil de Lamy. Encoche de Hill-Sachs de la tête humérale.
Petit fragment osseux en regard du rebord glénoïdien antéro-inférieur : lésion de Bankart osseuse.
Pas de fracture du trochiter. Le petit tubercule est normal. Classification de Neer non applicable.

Synthèse : lésion de Hill-Sachs et Bankart osseux après luxation antéro-interne.
Mlle Petit sera revue en consultation.""",
        phi={
            "INSTITUTION": ["Polyclinique Saint-Côme"],
            "ADDRESS": ["7 rue Jean-Jacques Bernard, 60200 Compiègne"],
            "PHONE": ["03 44 92 60 00"],
            "URL": ["https://www.polyclinique-saint-come.fr"],
            "PATIENT": ["Chloé", "Chloé ⟨Petit⟩", "Mlle ⟨Petit⟩"],
            "ID": ["23-118742"],
            "DATE": ["jeudi 14 septembre 2023"],
        },
        ages=["24 ans"],
        keep=["Encoche de Hill-Sachs", "Petit fragment osseux", "lésion de Bankart", "Le petit tubercule",
              "profil de Lamy", "Classification de Neer", "24 ans"],
    ),
    dict(
        name="hanche_garden_aphp",
        patient_key="IPP00777415",
        known_names=["LE GOFF^MARIE-THERESE", "ROUSSEAU^JEAN-PIERRE"],
        report_date=dt.date(2021, 2, 8),
        text="""Hôpital Saint-Antoine (AP-HP) - Service de Radiologie
184 rue du Faubourg Saint-Antoine, 75012 Paris

Nom : LE GOFF   Prénom : Marie-Thérèse   Âge : 95 ans
Date de l'examen : 08/02/2021

Bassin de face et hanche gauche de face et profil.
Indication : chute à domicile, impotence fonctionnelle du membre inférieur gauche.

Fracture du col fémoral gauche Garden III, déplacée en varus.
Coxarthrose controlatérale modérée. Pas d'autre fracture du cadre obturateur.
Comparatif du 10.05.2019 : absence de lésion.

Conclusion : fracture cervicale vraie gauche Garden III. Mme Le Goff est adressée à l'orthopédie.

Dr J.-P. Rousseau - secretariat.radio.sat@aphp.fr""",
        phi={
            "INSTITUTION": ["Hôpital Saint-Antoine", "AP-HP"],
            "ADDRESS": ["184 rue du Faubourg Saint-Antoine, 75012 Paris"],
            "PATIENT": ["LE GOFF", "Marie-Thérèse"],
            "AGE": ["95 ans"],
            "DATE": ["08/02/2021", "10.05.2019"],
            "STAFF": ["J.-P. Rousseau"],
            "EMAIL": ["secretariat.radio.sat@aphp.fr"],
        },
        keep=["Garden III", "Fracture du col fémoral gauche", "Coxarthrose controlatérale modérée",
              "cadre obturateur", "Pas d'autre fracture"],
    ),
    dict(
        name="coude_monteggia_enfant",
        patient_key="NIP55443322",
        known_names=["FONTAINE^EMMA", "BARRE^PHILIPPE"],
        report_date=dt.date(2024, 3, 4),
        text="""Groupe Hospitalier Pellegrin - CHU de Bordeaux
Place Amélie Raba-Léon, 33076 Bordeaux cedex. Standard : +33 5 56 79 56 79

Compte rendu radiologique du lundi 4 mars 2024
Emma FONTAINE, 9 ans, adressée par le Dr Philippe Barré (urgences pédiatriques).

Indication : chute sur la main, douleur de l'avant-bras gauche depuis le 1er mars.

Résultats : fracture de la diaphyse ulnaire avec luxation antérieure de la tête radiale :
lésion de Monteggia de type I de Bado. Pas de lésion de Galeazzi.
Décollement épiphysaire de l'extrémité distale du radius de type Salter-Harris II.
Pas de lésion d'Essex-Lopresti.

Conclusion : lésion de Monteggia (Bado I). Fracture Salter-Harris II du radius distal.""",
        phi={
            "INSTITUTION": ["Groupe Hospitalier Pellegrin", "CHU de Bordeaux"],
            "ADDRESS": ["Place Amélie Raba-Léon, 33076 Bordeaux cedex"],
            "PHONE": ["+33 5 56 79 56 79"],
            "DATE": ["lundi 4 mars 2024", "1er mars"],
            "PATIENT": ["Emma", "FONTAINE"],
            "STAFF": ["Philippe Barré"],
        },
        ages=["9 ans"],
        keep=["lésion de Monteggia de type I de Bado", "Pas de lésion de Galeazzi", "Salter-Harris II",
              "Essex-Lopresti", "(Bado I)", "9 ans"],
    ),
    dict(
        name="main_bennett",
        patient_key="IPP33301010",
        known_names=["MERCIER^JULIEN"],
        report_date=dt.date(2023, 12, 1),
        text="""Centre d'Imagerie Vauban - 45 rue Nationale, 59800 Lille - Tél 03.20.55.66.77
N° examen : 2023IM004512

M. Julien MERCIER, né le 22/09/79, adressé par son médecin traitant.
Radiographies de la main droite et du pouce, le 01/12/2023.

Résultats : fracture articulaire de la base du premier métacarpien avec fragment
palmo-ulnaire : fracture de Bennett. Pas de fracture de Rolando.
Rétraction de l'aponévrose palmaire connue (maladie de Dupuytren), flessum de l'annulaire.
Pas de lésion du scaphoïde.

Conclusion : fracture de Bennett du pouce droit.
M. Mercier a été informé. Dr Claire Dubois""",
        phi={
            "INSTITUTION": ["Centre d'Imagerie Vauban"],
            "ADDRESS": ["45 rue Nationale, 59800 Lille"],
            "PHONE": ["03.20.55.66.77"],
            "ID": ["2023IM004512"],
            "PATIENT": ["Julien", "MERCIER"],
            "DATE": ["01/12/2023"],
            "BIRTHDATE": ["22/09/79"],
            "STAFF": ["Claire Dubois"],
        },
        keep=["fracture de Bennett", "Pas de fracture de Rolando", "maladie de Dupuytren",
              "premier métacarpien", "Pas de lésion du scaphoïde"],
    ),
    dict(
        name="pied_lisfranc_genou_segond",
        patient_key="IPP40404040",
        known_names=["NGUYEN^THI LAN", "ROUX^ANTOINE"],
        report_date=dt.date(2022, 7, 19),
        text="""Clinique des Cèdres, 12 chemin des Vignes, 31700 Blagnac.
Patiente : Mme NGUYEN Thi Lan. NIR : 2 76 04 31 555 123 45.

Radiographies du pied droit et du genou droit du 19 juillet 2022.

Indication : accident de la voie publique (moto), plaie ouverte de la jambe.

Pied : diastasis entre la base du 1er et du 2e métatarsien, fracture-luxation de Lisfranc.
Interligne de Chopart respecté.
Genou : arrachement du bord latéral du plateau tibial (fracture de Segond), fracture du plateau
tibial latéral de type Schatzker II. Jambe : fracture ouverte de type Gustilo IIIA.

Conclusion : fracture-luxation de Lisfranc, fracture de Segond et Schatzker II, fracture ouverte
Gustilo IIIA. Avis chirurgical urgent demandé au Dr Antoine Roux (06 98 76 54 32).""",
        phi={
            "INSTITUTION": ["Clinique des Cèdres"],
            "ADDRESS": ["12 chemin des Vignes, 31700 Blagnac"],
            "PATIENT": ["NGUYEN", "Thi Lan"],
            "ID": ["2 76 04 31 555 123 45"],
            "DATE": ["19 juillet 2022"],
            "STAFF": ["Antoine Roux"],
            "PHONE": ["06 98 76 54 32"],
        },
        keep=["fracture-luxation de Lisfranc", "Interligne de Chopart respecté", "fracture de Segond",
              "Schatzker II", "Gustilo IIIA", "1er et du 2e métatarsien"],
    ),
    dict(
        name="rachis_belge",
        patient_key="NISS85073003361",
        known_names=["JANSSENS^PIETER"],
        report_date=dt.date(2020, 10, 30),
        text="""Cliniques universitaires Saint-Luc - Service d'imagerie
Avenue Hippocrate 10, B-1200 Bruxelles - tél. +32 2 764 11 11

Patient : JANSSENS Pieter - NISS 85.07.30-033.61 - né le 30 juillet 1985
Date : 30-10-2020

RX rachis dorsal et lombaire face et profil.
Renseignements cliniques : dorsalgies chroniques, antécédent de maladie de Scheuermann.

Cyphose thoracique accentuée avec cunéiformisation de trois vertèbres et nodules de Schmorl
étagés, compatibles avec une maladie de Scheuermann. Élargissement et condensation du corps
vertébral de L3 évocateur de maladie de Paget. Pas de tassement récent.

Conclusion : séquelles de maladie de Scheuermann. Maladie de Paget de L3 probable.
Rapport lu et validé par le Dr Koen Peeters, radiologue.""",
        phi={
            "INSTITUTION": ["Cliniques universitaires Saint-Luc"],
            "ADDRESS": ["Avenue Hippocrate 10, B-1200 Bruxelles"],
            "PHONE": ["+32 2 764 11 11"],
            "PATIENT": ["JANSSENS", "Pieter"],
            "ID": ["85.07.30-033.61"],
            "DATE": ["30-10-2020"],
            "BIRTHDATE": ["30 juillet 1985"],
            "STAFF": ["Koen Peeters"],
        },
        keep=["nodules de Schmorl", "maladie de Scheuermann", "maladie de Paget", "Pas de tassement récent",
              "vertébral de L3"],
    ),
    dict(
        name="epaule_tossy_barton",
        patient_key="IPP20202020",
        known_names=["GIRARD^THOMAS", "REY^NATHALIE"],
        report_date=dt.date(2019, 5, 27),
        text="""Institut Calot - Berck-sur-Mer
Consultation de traumatologie du sport

M. Thomas Girard, âgé de 91 ans, ancien cycliste, chute de vélo le 25/05/2019.

Épaule gauche : disjonction acromio-claviculaire stade III de Tossy (Rockwood III).
Poignet gauche : fracture marginale antérieure du radius distal (fracture de Barton antérieure).
Genou gauche : infiltration du paquet adipeux de Hoffa ; séquelles d'Osgood-Schlatter
(ossicule de la tubérosité tibiale antérieure).

Conclusion : Tossy III gauche, fracture de Barton, pas de fracture du genou.
Dr Nathalie REY - 27.05.2019""",
        phi={
            "INSTITUTION": ["Institut Calot"],
            "CITY": ["Berck-sur-Mer"],
            "PATIENT": ["Thomas", "Girard"],
            "AGE": ["91 ans"],
            "DATE": ["25/05/2019", "27.05.2019"],
            "STAFF": ["Nathalie REY"],
        },
        keep=["stade III de Tossy", "(Rockwood III)", "fracture de Barton", "paquet adipeux de Hoffa",
              "Osgood-Schlatter", "pas de fracture du genou"],
    ),
    dict(
        name="dictee_sans_titres",
        patient_key="IPP60606060",
        known_names=["LEFEBVRE^MONIQUE", "CARON^VINCENT"],
        report_date=dt.date(2023, 9, 12),
        text="""Madame Lefebvre Monique, 78 ans, adressée par son médecin traitant le Docteur Vincent Caron
pour douleurs de hanche droite. Examen du 12-09-2023.

Bassin de face, hanche droite de face et profil de Ducroquet : pincement supéro-externe de
l'interligne coxo-fémoral droit avec ostéophytose, coxarthrose droite évoluée. Hanche gauche
normale. Pas de fracture. Pas d'ostéonécrose de la tête fémorale.

En conclusion, coxarthrose droite. Mme Lefebvre sera revue le 26 septembre avec une
radiographie de contrôle. Joindre le secrétariat au 01 47 58 62 13, poste 4512.""",
        phi={
            "PATIENT": ["Lefebvre", "Monique"],
            "STAFF": ["Vincent Caron"],
            "DATE": ["12-09-2023", "26 septembre"],
            "PHONE": ["01 47 58 62 13"],
        },
        ages=["78 ans"],
        keep=["profil de Ducroquet", "coxarthrose droite évoluée", "Pas de fracture", "78 ans",
              "Pas d'ostéonécrose de la tête fémorale"],
    ),
    dict(
        name="osteosynthese_ids",
        patient_key="IPP19045821",
        known_names=["MARCHAND^GEORGES", "MEUNIER^ISABELLE"],
        report_date=dt.date(2024, 4, 11),
        text="""CHR d'Orléans - Pôle imagerie - 14 avenue de l'Hôpital, CS 86709, 45067 Orléans Cedex 2
Fax : 02 38 51 40 41

Patient : MARCHAND Georges, né le 04/11/47
N° de dossier : 19-045821   Accession : A24-0031567   NIR : 1 47 11 75 108 042 31

Contrôle post-opératoire de l'humérus droit à 6 semaines (ostéosynthèse du 29/02/2024).
Fracture de l'extrémité supérieure de l'humérus à 3 fragments selon Neer, traitée par
plaque verrouillée. Consolidation en cours, pas de démontage du matériel, pas de
déplacement secondaire. Pas d'ostéonécrose céphalique.

Conclusion : évolution favorable. Prochain contrôle en mai 2024.
Validé électroniquement par Isabelle Meunier le 11/04/2024.""",
        phi={
            "INSTITUTION": ["CHR d'Orléans"],
            "ADDRESS": ["14 avenue de l'Hôpital, CS 86709, 45067 Orléans Cedex 2"],
            "PHONE": ["02 38 51 40 41"],
            "PATIENT": ["MARCHAND", "Georges"],
            "DATE": ["29/02/2024", "mai 2024", "11/04/2024"],
            "BIRTHDATE": ["04/11/47"],
            "ID": ["19-045821", "A24-0031567", "1 47 11 75 108 042 31"],
            "STAFF": ["Isabelle Meunier"],
        },
        keep=["3 fragments selon Neer", "plaque verrouillée", "pas de démontage du matériel",
              "Pas d'ostéonécrose céphalique", "à 6 semaines"],
    ),
    dict(
        name="scoliose_pediatrique",
        patient_key="NIP99887766",
        known_names=["COHEN^LEA", "COHEN^SARAH"],
        report_date=dt.date(2023, 11, 28),
        text="""Fondation Lenval - Hôpital pour enfants, 57 avenue de la Californie, 06200 Nice

Léa COHEN, 13 ans. Accompagnée de Mme Sarah Cohen (mère), joignable au 07 81 23 45 67
ou par courriel s.cohen@gmail.com. Date de l'examen : 2023-11-28.

Indication : suivi de scoliose idiopathique.
Technique : télémétrie du rachis entier de face et profil (EOS).

Résultats : scoliose thoraco-lombaire droite de 24° selon Cobb (T6-L1), 19° au dernier contrôle
du 15/05/2023. Test de Risser 2. Pas de spondylolisthésis. Cartilages en Y ouverts.

Conclusion : aggravation de 5° de la courbure. Maturation osseuse : Risser 2.""",
        phi={
            "INSTITUTION": ["Fondation Lenval"],
            "ADDRESS": ["57 avenue de la Californie, 06200 Nice"],
            "PATIENT": ["Léa", "COHEN"],
            "STAFF": ["Mme ⟨Sarah Cohen⟩ (mère)"],
            "PHONE": ["07 81 23 45 67"],
            "EMAIL": ["s.cohen@gmail.com"],
            "DATE": ["2023-11-28", "15/05/2023"],
        },
        ages=["13 ans"],
        keep=["24° selon Cobb", "Test de Risser 2", "Pas de spondylolisthésis", "Cartilages en Y ouverts",
              "13 ans"],
    ),
    dict(
        name="eponymes_sans_phi",
        patient_key="IPP00000001",
        known_names=[],
        report_date=None,
        text="""Indication : polytraumatisme.
Technique : bilan radiographique standard.
Résultats :
Fracture de Goyrand-Smith du radius gauche. Fracture de Pouteau-Colles à droite.
Fracture de Rolando du pouce. Luxation de Chopart. Fracture de Galeazzi.
Kienböck stade II. Maladie de Osgood-Schlatter. Lésion de Hill-Sachs. Gonarthrose grade 3 de
Kellgren et Lawrence. Fracture trimalléolaire type Weber C. Fracture de Tillaux.
Salter et Harris type III. Signe de Segond. Schatzker VI. Gustilo II. Tossy II.
Maladie de Paget. Maladie de Dupuytren. Fracture de Jones du 5e métatarsien.
Conclusion : multiples fractures. Synthèse : avis orthopédique. Avis : chirurgical.""",
        phi={},
        keep=["Goyrand-Smith", "Pouteau-Colles", "Rolando", "Chopart", "Galeazzi", "Kienböck stade II",
              "Osgood-Schlatter", "Hill-Sachs", "Kellgren et Lawrence", "Weber C", "Tillaux",
              "Salter et Harris type III", "Signe de Segond", "Schatzker VI", "Gustilo II", "Tossy II",
              "Maladie de Paget", "Maladie de Dupuytren", "Fracture de Jones", "Conclusion :", "Synthèse :"],
    ),
]
