"""A fifth, small set written last and measured once before any change (the figures are in
the test module's docstring of ``test_blind_set_recall``): varied layouts again, with the
evaluation labels. Same format as ``fr_report_templates.REPORTS``.
"""

from __future__ import annotations

import datetime as dt

REPORTS: list[dict] = [
    dict(
        name="b_teleradio_membres",
        patient_key="B-01",
        known_names=[],
        report_date=dt.date(2024, 4, 9),
        text="""HÔPITAL FOCH – 40 rue Worth – 92150 SURESNES
Imagerie ostéo-articulaire – rdv : 01 46 25 20 00

Identité patient : GRIMAUD, Bastien – né le 17.01.2010 – IPP F00923411
Demande du Dr Hélène VASSEUR-LOPEZ (chirurgie orthopédique pédiatrique)

Pangonogramme debout (EOS) du 09/04/2024.
Inégalité de longueur des membres inférieurs : membre inférieur gauche plus court de 14 mm.
Axes mécaniques normaux. Pas d'épiphysiolyse. Cartilages de croissance ouverts, Risser 1.

Bastien sera revu dans 6 mois avec un nouveau cliché.""",
        phi={
            "INSTITUTION": ["HÔPITAL FOCH"],
            "ADDRESS": ["40 rue Worth – 92150 SURESNES"],
            "PHONE": ["01 46 25 20 00"],
            "PATIENT": ["GRIMAUD, Bastien", "Bastien"],
            "BIRTHDATE": ["17.01.2010"],
            "ID": ["F00923411"],
            "STAFF": ["Hélène VASSEUR-LOPEZ"],
            "DATE": ["09/04/2024"],
        },
        keep=["Risser 1", "Pas d'épiphysiolyse", "dans 6 mois"],
    ),
    dict(
        name="b_courrier_rhumato",
        patient_key="B-02",
        known_names=[],
        report_date=dt.date(2023, 12, 1),
        text="""Dr Nicolas FERRY – Rhumatologue
Cabinet de rhumatologie, 8 cours Mirabeau, 13100 Aix-en-Provence

Aix, le 1er décembre 2023

Objet : M. Raymond ESCOFFIER, né le 28/02/1941

Cher ami,

J'ai revu ce jour ton patient, âgé de 82 ans, pour des douleurs mécaniques des genoux. Les
radiographies montrent une gonarthrose fémoro-tibiale interne bilatérale stade IV de
Kellgren-Lawrence et une chondrocalcinose. Son épouse, Mme Ginette ESCOFFIER, l'accompagnait.

Amitiés,
Nicolas""",
        phi={
            "STAFF": ["Nicolas FERRY", "Mme ⟨Ginette ESCOFFIER⟩", "Amitiés,\n⟨Nicolas⟩"],
            "ADDRESS": ["8 cours Mirabeau, 13100 Aix-en-Provence"],
            "CITY": ["Aix"],
            "DATE": ["1er décembre 2023"],
            "PATIENT": ["Raymond ESCOFFIER"],
            "BIRTHDATE": ["28/02/1941"],
        },
        ages=["82 ans"],
        keep=["stade IV de\nKellgren-Lawrence", "chondrocalcinose"],
    ),
    dict(
        name="b_urgences_mono_ligne",
        patient_key="B-03",
        known_names=[],
        report_date=dt.date(2024, 7, 14),
        text="""URG CHU Amiens-Picardie 14/07/24 02h10 – Pte TRAN Thi Mai 39a – IPP 80 012 334 – poignet D : fracture du radius distal extra-articulaire type Pouteau-Colles, bascule dorsale 20°. Styloïde ulnaire intacte. Dr O. BENHAMOU / interne A. QUÉRÉ""",
        phi={
            "INSTITUTION": ["CHU Amiens-Picardie"],
            "DATE": ["14/07/24"],
            "PATIENT": ["TRAN Thi Mai"],
            "ID": ["80 012 334"],
            "STAFF": ["O. BENHAMOU", "A. QUÉRÉ"],
        },
        ages=["39a"],
        keep=["type Pouteau-Colles", "Styloïde ulnaire intacte"],
    ),
    dict(
        name="b_bilan_myelome",
        patient_key="B-04",
        known_names=[],
        report_date=dt.date(2024, 1, 8),
        text="""Institut Paoli-Calmettes – Département d'imagerie
232 boulevard de Sainte-Marguerite, 13009 Marseille

Nom : ABOUDARHAM      Prénom : Rachel      Date de naissance : 03/05/1958
Dossier : 2400117
Prescripteur : Pr Didier BLAISE

Bilan osseux (squelette complet) du 8 janvier 2024.
Lacunes à l'emporte-pièce de la voûte crânienne et des deux fémurs, sans lyse corticale
menaçante (score de Mirels inférieur à 8). Tassement de L3 ancien.

Conclusion : atteinte osseuse diffuse compatible avec le myélome connu.
Secrétariat : imagerie.ipc@marseille.unicancer.fr""",
        phi={
            "INSTITUTION": ["Institut Paoli-Calmettes"],
            "ADDRESS": ["232 boulevard de Sainte-Marguerite, 13009 Marseille"],
            "PATIENT": ["ABOUDARHAM", "Rachel"],
            "BIRTHDATE": ["03/05/1958"],
            "ID": ["2400117"],
            "STAFF": ["Didier BLAISE"],
            "DATE": ["8 janvier 2024"],
            "EMAIL": ["imagerie.ipc@marseille.unicancer.fr"],
        },
        keep=["score de Mirels", "Tassement de L3 ancien"],
    ),
    dict(
        name="b_pied_diabetique",
        patient_key="B-05",
        known_names=[],
        report_date=dt.date(2024, 3, 22),
        text="""Centre Hospitalier Intercommunal de Créteil – Radiologie
Patient : M. Abdelkader BELKACEM (NIP 94-557102), 67 ans, hospitalisé en diabétologie
Médecin : Dr Sylvie NAKACHE – poste 4521

Pied gauche F + 3/4 + profil, le 22 mars 2024.
Ostéolyse de la tête du 2e métatarsien et de la base de P1 en regard d'un mal perforant,
évocatrice d'ostéite. Neuro-arthropathie de Charcot du médio-pied au stade de fragmentation
(Eichenholtz 1). Médiacalcose artérielle.

Conclusion : ostéite probable du 2e rayon ; Charcot médio-tarsien actif. IRM conseillée.""",
        phi={
            "INSTITUTION": ["Centre Hospitalier Intercommunal de Créteil"],
            "PATIENT": ["Abdelkader BELKACEM"],
            "ID": ["94-557102"],
            "STAFF": ["Sylvie NAKACHE"],
            "DATE": ["22 mars 2024"],
        },
        ages=["67 ans"],
        keep=["Neuro-arthropathie de Charcot", "(Eichenholtz 1)", "Charcot médio-tarsien actif"],
    ),
    dict(
        name="b_suisse_lausanne",
        patient_key="B-06",
        known_names=[],
        report_date=dt.date(2023, 10, 5),
        text="""Centre hospitalier universitaire vaudois (CHUV) – Service de radiodiagnostic
Rue du Bugnon 46, CH-1011 Lausanne – +41 21 314 11 11

Patiente : Mme Chantal PYTHOUD, 1952, domiciliée à Vevey
Date de l'examen : 05.10.2023
Médecin requérant : Dr méd. Urs BACHMANN

Épaule droite : fracture du col chirurgical de l'humérus à 3 fragments selon Neer,
engrenée, avec déplacement du trochiter. Pas de luxation gléno-humérale.""",
        phi={
            "INSTITUTION": ["Centre hospitalier universitaire vaudois", "CHUV"],
            "ADDRESS": ["Rue du Bugnon 46, CH-1011 Lausanne"],
            "PHONE": ["+41 21 314 11 11"],
            "PATIENT": ["Chantal PYTHOUD"],
            "CITY": ["Vevey"],
            "DATE": ["05.10.2023"],
            "STAFF": ["Urs BACHMANN"],
        },
        keep=["3 fragments selon Neer", "Pas de luxation gléno-humérale"],
    ),
]
