"""A second set of annotated reports, written after the rules were tuned on
``fr_report_corpus.py`` and measured as they came (a held-out check of the rules).

Same format as ``fr_report_corpus.REPORTS``.
"""

from __future__ import annotations

import datetime as dt

REPORTS: list[dict] = [
    dict(
        name="ho_clavicule",
        patient_key="IPP80011223",
        known_names=["BOUCHER^MATHIEU", "DELMAS^AUDREY"],
        report_date=dt.date(2024, 5, 17),
        text="""HÔPITAL PRIVÉ DE LA LOIRE
39 boulevard de la Palle - 42100 Saint-Étienne
Secrétariat radiologie : 04 77 91 20 00

Nom du patient : BOUCHER Mathieu
Date de naissance : 02/08/1991
Demandeur : Docteur DELMAS Audrey
Date d'examen : 17/05/2024  N° d'examen : 240517-0153

Radiographie de la clavicule droite (face + incidence tangentielle).
Contexte : chute à vélo ce jour, déformation en regard du tiers moyen.

Résultat : fracture du tiers moyen de la clavicule droite, déplacée d'une largeur de diaphyse,
avec chevauchement de 12 mm. Articulations acromio-claviculaire et sterno-claviculaire congruentes.
Pas de pneumothorax visible sur le cliché.

Conclusion : fracture déplacée du tiers moyen de la clavicule droite (Allman I).""",
        phi={
            "INSTITUTION": ["HÔPITAL PRIVÉ DE LA LOIRE"],
            "ADDRESS": ["39 boulevard de la Palle - 42100 Saint-Étienne"],
            "PHONE": ["04 77 91 20 00"],
            "PATIENT": ["BOUCHER", "Mathieu"],
            "DATE": ["17/05/2024"],
            "BIRTHDATE": ["02/08/1991"],
            "STAFF": ["DELMAS", "Audrey"],
            "ID": ["240517-0153"],
        },
        keep=["fracture du tiers moyen de la clavicule droite", "chevauchement de 12 mm", "(Allman I)",
              "Pas de pneumothorax"],
    ),
    dict(
        name="ho_sans_noms_dicom",
        patient_key="IPP80011224",
        known_names=[],
        report_date=dt.date(2022, 1, 10),
        text="""Service de radiologie - Centre Hospitalier Sud Francilien
Madame Yasmine Haddad, 34 ans
Radiographie du pied gauche le 10 janvier 2022, à la demande du Dr Olivier Chevalier.

Douleur du médio-pied après un faux pas. Fracture de la base du 5e métatarsien en zone 1,
correspondant à une fracture-avulsion de la styloïde (pseudo-Jones). Pas de fracture de Jones
vraie. Interlignes de Lisfranc et de Chopart normaux. Os naturel : os trigone.

Conclusion : fracture-avulsion de la base du 5e métatarsien.
Mme Haddad est informée de la nécessité d'un contrôle à 6 semaines.
Dr Chevalier""",
        phi={
            "INSTITUTION": ["Centre Hospitalier Sud Francilien"],
            "PATIENT": ["Yasmine Haddad", "Haddad"],
            "DATE": ["10 janvier 2022"],
            "STAFF": ["Olivier Chevalier", "Chevalier"],
        },
        ages=["34 ans"],
        keep=["Pas de fracture de Jones", "Interlignes de Lisfranc et de Chopart normaux", "os trigone",
              "34 ans", "fracture-avulsion de la base du 5e métatarsien"],
    ),
    dict(
        name="ho_arthrose_mains",
        patient_key="IPP80011225",
        known_names=["ROBIN^GENEVIEVE"],
        report_date=dt.date(2021, 11, 3),
        text="""Cabinet de Radiologie des Tilleuls, 3 place du Marché, 78000 Versailles
contact@radiologie-tilleuls.fr

Mme ROBIN Geneviève (née le 5 avril 1941), vue le 3/11/2021.
Indication : douleurs des doigts, nodosités.

Mains face + 3/4 : arthrose interphalangienne distale érosive avec nodules d'Heberden aux 2e et 3e
rayons, nodules de Bouchard moins marqués. Rhizarthrose bilatérale stade 3 de Dell. Pas de
chondrocalcinose du ligament triangulaire. Minéralisation normale pour l'âge.

Conclusion : arthrose digitale érosive, rhizarthrose bilatérale.""",
        phi={
            "INSTITUTION": ["Cabinet de Radiologie des Tilleuls"],
            "ADDRESS": ["3 place du Marché, 78000 Versailles"],
            "EMAIL": ["contact@radiologie-tilleuls.fr"],
            "PATIENT": ["ROBIN", "Geneviève"],
            "DATE": ["3/11/2021"],
            "BIRTHDATE": ["5 avril 1941"],
        },
        keep=["nodules d'Heberden", "nodules de Bouchard", "stade 3 de Dell", "Pas de\nchondrocalcinose",
              "Rhizarthrose bilatérale"],
    ),
    dict(
        name="ho_bassin_trauma",
        patient_key="IPP80011226",
        known_names=["DIALLO^MAMADOU", "HUBERT^CAMILLE"],
        report_date=dt.date(2023, 8, 2),
        text="""CHU de Nantes - Hôtel-Dieu - Imagerie des urgences
1 place Alexis-Ricordeau 44093 Nantes Cedex 1 - Tél : 02.40.08.33.33

Identité : DIALLO Mamadou   Né(e) le : 17/12/1968   IPP : 7004123398
Prescripteur : HUBERT Camille (urgentiste)

Bassin de face, inlet et outlet, et incidences de Judet.
Accident de moto le 02/08/2023 à 14h15.

Disjonction de la symphyse pubienne de 35 mm avec diastasis sacro-iliaque droit antérieur :
lésion en « open book » type APC II de Young-Burgess. Fracture de la branche ilio-pubienne
gauche. Cotyles sans fracture sur les incidences de Judet.

Conclusion : lésion pelvienne APC II de Young-Burgess. Scanner recommandé.
Interprété par le Dr Vincent LEBLANC, joignable au poste 33 812 ou au 06 61 62 63 64.""",
        phi={
            "INSTITUTION": ["CHU de Nantes", "Hôtel-Dieu"],
            "ADDRESS": ["1 place Alexis-Ricordeau 44093 Nantes Cedex 1"],
            "PHONE": ["02.40.08.33.33", "06 61 62 63 64"],
            "PATIENT": ["DIALLO", "Mamadou"],
            "DATE": ["02/08/2023"],
            "BIRTHDATE": ["17/12/1968"],
            "ID": ["7004123398"],
            "STAFF": ["HUBERT", "Camille", "Vincent LEBLANC"],
        },
        keep=["APC II de Young-Burgess", "incidences de Judet", "Fracture de la branche ilio-pubienne",
              "à 14h15", "35 mm"],
    ),
    dict(
        name="ho_genou_enfant",
        patient_key="NIP80011227",
        known_names=["MARTINEZ^NOAH"],
        report_date=dt.date(2024, 2, 20),
        text="""Hôpital Femme Mère Enfant - Hospices Civils de Lyon
Radiopédiatrie - 59 boulevard Pinel, 69500 Bron

Noah MARTINEZ, 12 ans, footballeur. Examen du mardi 20 février 2024.
Douleur de la tubérosité tibiale antérieure droite depuis décembre 2023.

Genoux face et profil comparatifs : fragmentation de l'apophyse tibiale antérieure droite avec
tuméfaction des parties molles pré-tibiales, aspect typique de maladie d'Osgood-Schlatter.
Pas de lésion de Sinding-Larsen. Pas d'ostéochondrite disséquante du condyle fémoral médial.
Cartilages de croissance normaux.

Conclusion : maladie d'Osgood-Schlatter droite.
Le père, M. Diego Martinez, a reçu les explications (tél. 06.45.78.12.90).""",
        phi={
            "INSTITUTION": ["Hôpital Femme Mère Enfant", "Hospices Civils de Lyon"],
            "ADDRESS": ["59 boulevard Pinel, 69500 Bron"],
            "PATIENT": ["Noah", "MARTINEZ"],
            "DATE": ["mardi 20 février 2024", "décembre 2023"],
            "STAFF": ["M. ⟨Diego Martinez⟩"],
            "PHONE": ["06.45.78.12.90"],
        },
        ages=["12 ans"],
        keep=["maladie d'Osgood-Schlatter droite", "Pas de lésion de Sinding-Larsen",
              "Pas d'ostéochondrite disséquante", "12 ans"],
    ),
    dict(
        name="ho_epaule_neer",
        patient_key="IPP80011228",
        known_names=["FAURE^RENEE"],
        report_date=dt.date(2020, 12, 24),
        text="""Compte rendu d'examen
Clinique Saint-Jean-de-Dieu, Paris 7e

Patiente : Mme Renée FAURE, 90 ans, résidente de l'EHPAD Les Glycines à Sèvres.
Épaule gauche de face et profil de Lamy, le 24/12/2020.

Fracture de l'extrémité supérieure de l'humérus à 4 fragments selon Neer, avec luxation
antérieure de la tête humérale (fracture-luxation). Trochiter détaché. Ostéopénie diffuse.

Conclusion : fracture-luxation à 4 fragments de Neer de l'humérus gauche. Avis orthopédique
transmis au Pr Marc Lemoine.""",
        phi={
            "INSTITUTION": ["Clinique Saint-Jean-de-Dieu", "EHPAD Les Glycines"],
            "CITY": ["Paris 7e", "Sèvres"],
            "PATIENT": ["Renée", "FAURE"],
            "AGE": ["90 ans"],
            "DATE": ["24/12/2020"],
            "STAFF": ["Marc Lemoine"],
        },
        keep=["4 fragments selon Neer", "profil de Lamy", "Ostéopénie diffuse", "4 fragments de Neer"],
    ),
]
