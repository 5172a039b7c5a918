"""A third set of annotated reports (second held-out round), written after the first
held-out measurement, with harder layouts: no DICOM names, lower-case dictation,
particles in names, ranges of dates, Belgian and bulleted formats.

Same format as ``fr_report_corpus.REPORTS``.
"""

from __future__ import annotations

import datetime as dt

REPORTS: list[dict] = [
    dict(
        name="h2_minuscules",
        patient_key="IPP90000001",
        known_names=[],
        report_date=dt.date(2023, 3, 15),
        text="""compte rendu de radiographie du genou gauche
patiente : mme sylvie dumas, 67 ans
examen du 15/03/2023 demandé par le dr françois tessier

indication : gonalgie mécanique.
résultats : pincement fémoro-tibial médial, ostéophytes, stade ii de kellgren-lawrence.
pas de fracture. pas de chondrocalcinose.
conclusion : gonarthrose fémoro-tibiale médiale débutante.""",
        phi={
            "PATIENT": ["sylvie dumas"],
            "DATE": ["15/03/2023"],
            "STAFF": ["françois tessier"],
        },
        ages=["67 ans"],
        keep=["stade ii de kellgren-lawrence", "pas de fracture", "pas de chondrocalcinose", "67 ans",
              "gonarthrose fémoro-tibiale médiale débutante"],
    ),
    dict(
        name="h2_particules",
        patient_key="IPP90000002",
        known_names=["DE LA TOUR D'AUVERGNE^HENRI", "VAN DEN BERG^PIETER"],
        report_date=dt.date(2022, 5, 6),
        text="""Clinique Sainte-Anne - Imagerie ostéo-articulaire
Patient : M. Henri de La Tour d'Auvergne, né le 9 novembre 1950
Médecin traitant : Dr. Van den Berg

Radiographies du poignet droit du 6 mai 2022.
Chute de sa hauteur le 4 mai 2022, puis douleur persistante.

Fracture du scaphoïde carpien au tiers moyen, non déplacée (Herbert B2). Pas de fracture de
Pouteau-Colles. Pas de signe de Terry-Thomas. Interligne scapho-lunaire normal.

Conclusion : fracture du tiers moyen du scaphoïde. Immobilisation et contrôle TDM.
M. de La Tour d'Auvergne sera revu en consultation.""",
        phi={
            "INSTITUTION": ["Clinique Sainte-Anne"],
            "PATIENT": ["Henri", "de La Tour d'Auvergne"],
            "DATE": ["6 mai 2022", "4 mai 2022"],
            "BIRTHDATE": ["9 novembre 1950"],
            "STAFF": ["Van den Berg"],
        },
        keep=["(Herbert B2)", "Pas de fracture de\nPouteau-Colles", "Pas de signe de Terry-Thomas",
              "Interligne scapho-lunaire normal", "contrôle TDM"],
    ),
    dict(
        name="h2_puces_contacts",
        patient_key="IPP90000003",
        known_names=["GAUTHIER^JEAN-MARC"],
        report_date=dt.date(2024, 1, 9),
        text="""IMAGERIE MÉDICALE DU VAL - 8 bis rue Pasteur - BP 45 - 94100 Saint-Maur-des-Fossés
Tél. 01-45-67-89-10 / Fax 01-45-67-89-11 - RDV en ligne : www.imagerie-du-val.fr

Patient : GAUTHIER Jean-Marc - N° IPP : 5501234 - Âge : 58 ans
Date de l'examen : 09/01/2024 à 10h30

Bilan de la cheville droite :
- Fracture bimalléolaire de type Weber B.
- Lésion de Tillaux-Chaput non visible.
- Kyste de Baker non exploré.
- Pas de fracture de Maisonneuve.

Conclusion :
- Fracture bimalléolaire Weber B déplacée.
- Avis chirurgical auprès du Dr Jean-Luc Perrin (jl.perrin@imagerie-du-val.fr).""",
        phi={
            "INSTITUTION": ["IMAGERIE MÉDICALE DU VAL"],
            "ADDRESS": ["8 bis rue Pasteur - BP 45 - 94100 Saint-Maur-des-Fossés"],
            "PHONE": ["01-45-67-89-10", "01-45-67-89-11"],
            "URL": ["www.imagerie-du-val.fr"],
            "PATIENT": ["GAUTHIER", "Jean-Marc"],
            "ID": ["5501234"],
            "DATE": ["09/01/2024"],
            "STAFF": ["Jean-Luc Perrin"],
            "EMAIL": ["jl.perrin@imagerie-du-val.fr"],
        },
        ages=["58 ans"],
        keep=["Fracture bimalléolaire de type Weber B", "Kyste de Baker", "Pas de fracture de Maisonneuve",
              "à 10h30", "58 ans", "Weber B déplacée"],
    ),
    dict(
        name="h2_sans_nom_dicom_suivi",
        patient_key="IPP90000004",
        known_names=[],
        report_date=dt.date(2021, 6, 30),
        text="""Centre Hospitalier de Valenciennes
Radiographie du bassin et de la hanche droite - contrôle à 3 mois

Monsieur Albert Vandenbroucke, 89 ans, opéré le 2 avril 2021 d'une prothèse intermédiaire
de hanche droite pour fracture du col fémoral Garden IV.

Prothèse en place, sans descellement ni liseré péri-prothétique (zones de Gruen normales).
Pas d'ossification hétérotopique (Brooker 0). Pas de luxation.
Comparaison avec les clichés post-opératoires du 3 avril 2021 : pas de migration.

Conclusion : prothèse intermédiaire de hanche droite en bonne position.
Monsieur Vandenbroucke peut reprendre l'appui complet.
Dr A. Lecomte""",
        phi={
            "INSTITUTION": ["Centre Hospitalier de Valenciennes"],
            "PATIENT": ["Albert Vandenbroucke", "Vandenbroucke"],
            "DATE": ["2 avril 2021", "3 avril 2021"],
            "STAFF": ["A. Lecomte"],
        },
        ages=["89 ans"],
        keep=["Garden IV", "zones de Gruen normales", "(Brooker 0)", "89 ans", "Pas de luxation",
              "sans descellement"],
    ),
    dict(
        name="h2_coude_enfant_belge",
        patient_key="NISS15021412345",
        known_names=["PEETERS^LOUISE"],
        report_date=dt.date(2023, 10, 2),
        text="""CHU Saint-Pierre - Service de radiologie pédiatrique
Rue Haute 322, 1000 Bruxelles

Enfant Louise Peeters (8 ans), N° dossier 2310-0456.
Coude gauche face et profil du 02.10.2023.

Chute de la trampoline. Fracture supracondylienne de l'humérus de type III de Gartland,
déplacement postérieur. Signe du croissant. Épanchement intra-articulaire (fat pad sign).
Pas de fracture du condyle latéral. Noyaux d'ossification selon CRITOE en rapport avec l'âge.

Conclusion : fracture supracondylienne Gartland III. Prise en charge chirurgicale.
La maman (0476 12 34 56) est informée.""",
        phi={
            "INSTITUTION": ["CHU Saint-Pierre"],
            "ADDRESS": ["Rue Haute 322, 1000 Bruxelles"],
            "PATIENT": ["Louise", "Peeters"],
            "ID": ["2310-0456"],
            "DATE": ["02.10.2023"],
            "PHONE": ["0476 12 34 56"],
        },
        ages=["8 ans"],
        keep=["type III de Gartland", "Gartland III", "Signe du croissant", "(fat pad sign)", "CRITOE",
              "(8 ans)"],
    ),
]
