"""French knee reports written from Kellgren–Lawrence grades, and a hospital-like export of the knee images.

Usage: python bench/knee_reports.py ../shared/data/knee-kl/train OUT [--seed 0] [--limit N]

Writes what ``bonesearch ingest OUT/export --store STORE`` takes::

    OUT/export/DICOM/<IPP>/<accession>/IM1.dcm   one DX file per PNG (8-bit MONOCHROME2, KNEE, R/L)
    OUT/export/reports.csv                      accession_number,report_date,text
    OUT/labels.csv                              image, oai_id, side, kl_grade, ipp, accession (never ingested)

One study per knee: each knee gets its own accession number and report, as when a
radiologist reports each knee of a bilateral request separately. Both knees of an OAI
participant belong to one fictional patient (same IPP, same exam day), so a split by
patient keeps them together. Reports are varied the way radiologists word them (several
phrasings per sign, optional indication, grade number in only about half the
conclusions); every one is consistent with its grade:

KL 0 no sign; 1 doubtful narrowing, possible osteophytic lipping; 2 definite osteophytes,
possible narrowing; 3 multiple osteophytes, definite narrowing, some sclerosis, possible
deformity; 4 large osteophytes, marked narrowing, severe sclerosis, definite deformity.

Headers, identities and sign-off reuse the demo archive's helpers (:mod:`bonesearch.demo`).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bonesearch.demo import phrases_fr as P
from bonesearch.demo.archive import REPORT_COLUMNS
from bonesearch.demo.dicom_writer import ImageHeader, PixelFormat, build_dataset, make_uid, write_dicom
from bonesearch.demo.identities import Hospital, IdentityFactory, Person
from bonesearch.demo.reports_fr import SECTION_LABELS, ReportInput, fmt_date
from bonesearch.imaging.pixel_cache import load_png

LABEL_COLUMNS = ["image", "oai_id", "side", "kl_grade", "ipp", "accession"]
NAME = re.compile(r"^(?P<oai>\d+)(?P<side>[LR])$")

# ------------------------------------------------------------------------------ phrase banks
# {comp}: "interne", "médial"…; {comps}: its plural; {side}: "droit"/"gauche"; {varus}: "varum"/"valgum"
NARROWING = {
    "none": ["Interligne fémoro-tibial {comp} de hauteur normale.", "Pas de pincement de l'interligne fémoro-tibial.",
             "Interlignes fémoro-tibiaux conservés.", "Hauteur des interlignes fémoro-tibiaux préservée.",
             "Absence de pincement articulaire.", "Interlignes fémoro-tibiaux interne et externe de hauteur normale."],
    "doubtful": ["Discret pincement fémoro-tibial {comp} douteux.",
                 "Interligne fémoro-tibial {comp} à la limite inférieure de la normale.",
                 "Pincement douteux de l'interligne fémoro-tibial {comp}.",
                 "Possible pincement débutant de l'interligne {comp}.",
                 "Interligne {comp} peut-être discrètement aminci."],
    "mild": ["Pincement fémoro-tibial {comp} débutant.", "Discret pincement de l'interligne fémoro-tibial {comp}.",
             "Pincement débutant de l'interligne {comp}.", "Léger pincement fémoro-tibial {comp}.",
             "Interligne fémoro-tibial {comp} discrètement pincé."],
    "moderate": ["Pincement fémoro-tibial {comp} modéré.", "Pincement net de l'interligne fémoro-tibial {comp}.",
                 "Pincement de l'interligne {comp} estimé à 50 %.",
                 "Réduction nette de la hauteur de l'interligne fémoro-tibial {comp}.",
                 "Pincement fémoro-tibial {comp} franc."],
    "severe": ["Pincement fémoro-tibial {comp} sévère.", "Pincement majeur de l'interligne fémoro-tibial {comp}.",
               "Disparition quasi complète de l'interligne fémoro-tibial {comp}.",
               "Pincement complet de l'interligne {comp} avec contact os-os.",
               "Interligne fémoro-tibial {comp} quasi virtuel (pincement sévère)."],
}
SEVERE_NARROWING_WORDS = ("sévère", "majeur", "quasi complète", "complet", "virtuel")  # every "severe" phrase has one
OSTEOPHYTES = {
    "none": ["Pas d'ostéophyte.", "Absence d'ostéophyte.", "Pas de production ostéophytique.",
             "Pas d'ostéophytose marginale.", "Rebords articulaires nets, sans ostéophyte."],
    "doubtful": ["Ébauche ostéophytique des épines tibiales.", "Discrète ébauche ostéophytique {where}.",
                 "Ostéophyte douteux {where}.", "Aspect effilé des épines tibiales.",
                 "Minime bec ostéophytique douteux {where}.", "Possible ébauche d'ostéophyte marginal {where}."],
    "definite": ["Ostéophytes marginaux {where}.", "Petits ostéophytes nets {where}.",
                 "Ostéophytose marginale débutante {where}.", "Présence d'ostéophytes {where}.",
                 "Ostéophytes fémoro-tibiaux {comps} de petite taille.", "Ostéophytes marginaux nets, fémoraux et tibiaux."],
    "multiple": ["Ostéophytes marginaux multiples.", "Ostéophytose marginale fémoro-tibiale franche.",
                 "Ostéophytes francs {where}.", "Multiples ostéophytes fémoraux et tibiaux.",
                 "Ostéophytose marquée {where}.", "Ostéophytes marginaux fémoraux et tibiaux {comps} multiples."],
    "large": ["Volumineux ostéophytes {where}.", "Ostéophytose exubérante.", "Ostéophytes volumineux fémoro-tibiaux.",
              "Importante ostéophytose marginale fémorale et tibiale.", "Ostéophytes marginaux volumineux, en bec.",
              "Ostéophytose marginale exubérante {where}."],
}
WHERE = ["du compartiment {comp}", "au niveau du compartiment fémoro-tibial {comp}", "des plateaux tibiaux",
         "du condyle fémoral et du plateau tibial {comps}", "des rebords fémoro-tibiaux {comps}"]
SCLEROSIS = {
    "none": ["Pas de condensation sous-chondrale.", "Os sous-chondral d'aspect normal.",
             "Pas d'ostéocondensation sous-chondrale."],
    "mild": ["Discrète condensation sous-chondrale {tib}.", "Condensation sous-chondrale débutante {tib}.",
             "Légère sclérose sous-chondrale {tib}."],
    "definite": ["Condensation sous-chondrale {tib}.", "Sclérose sous-chondrale {tib}.",
                 "Ostéocondensation sous-chondrale du plateau tibial {comp}."],
    "severe": ["Condensation sous-chondrale marquée {tib}.", "Importante sclérose sous-chondrale {tib}.",
               "Ostéosclérose sous-chondrale sévère des surfaces portantes.",
               "Condensation sous-chondrale dense du condyle et du plateau tibial {comps}."],
}
TIB = ["du plateau tibial {comp}", "du compartiment {comp}", "des versants fémoral et tibial {comps}"]
GEODES = ["Géodes sous-chondrales {tib}.", "Petite géode sous-chondrale du plateau tibial {comp}.",
          "Kystes sous-chondraux (géodes) tibiaux {comps}.", "Remaniements géodiques sous-chondraux {tib}."]
DEFORMITY = {
    "possible": ["Discrète déviation en genu {varus}.", "Tendance au genu {varus}.", "Discrète désaxation en {varus}."],
    "definite": ["Désaxation en genu {varus}.", "Déformation des surfaces articulaires avec genu {varus} marqué.",
                 "Subluxation tibiale et désaxation en {varus}.",
                 "Aplatissement du condyle fémoral {comp} avec déformation en {varus}.",
                 "Déformation des épiphyses et désaxation en {varus}."],
}
NORMAL_EXTRA = ["Minéralisation osseuse normale.", "Pas de lésion osseuse focale.", "Pas de chondrocalcinose visible.",
                "Parties molles sans particularité.", "Trame osseuse homogène.", "Épines tibiales bien individualisées."]
NEUTRAL_EXTRA = ["Calcifications vasculaires des parties molles.", "Minéralisation osseuse normale.",
                 "Discrète déminéralisation osseuse diffuse.", "Parties molles sans particularité.",
                 "Liseré de chondrocalcinose méniscale."]
CONCLUSION = {
    0: ["Pas de signe d'arthrose.", "Pas de signe radiologique de gonarthrose.", "Radiographie du genou {side} normale.",
        "Genou {side} sans anomalie radiologique.", "Absence de gonarthrose.", "Examen dans les limites de la normale.",
        "Pas d'argument radiologique pour une gonarthrose.", "Interlignes préservés, pas d'arthrose."],
    1: ["Discrets signes dégénératifs douteux.", "Remaniements dégénératifs minimes, de signification douteuse.",
        "Doute sur une gonarthrose {comp_f} débutante.", "Ébauche de gonarthrose fémoro-tibiale {comp_f}.",
        "Arthrose fémoro-tibiale {comp_f} possible, à un stade très débutant.", "Signes très discrets de gonarthrose."],
    2: ["Gonarthrose fémoro-tibiale {comp_f} débutante.", "Gonarthrose débutante.",
        "Arthrose fémoro-tibiale {comp_f} peu évoluée.", "Gonarthrose {comp_f} débutante du genou {side}.",
        "Signes d'arthrose fémoro-tibiale {comp_f} débutante.", "Gonarthrose {side_f} débutante."],
    3: ["Gonarthrose fémoro-tibiale {comp_f} évoluée.", "Gonarthrose {comp_f} modérée à sévère.",
        "Arthrose fémoro-tibiale {comp_f} nette.", "Gonarthrose {comp_f} évoluée avec pincement net.",
        "Gonarthrose fémoro-tibiale {comp_f} modérée.", "Gonarthrose {side_f} évoluée."],
    4: ["Gonarthrose sévère.", "Gonarthrose fémoro-tibiale {comp_f} très évoluée.", "Gonarthrose évoluée, stade terminal.",
        "Gonarthrose {comp_f} sévère avec désaxation en {varus}.", "Arthrose fémoro-tibiale {comp_f} évoluée et destructrice.",
        "Gonarthrose {side_f} sévère."],
}
STAGE_ONLY = ["Gonarthrose stade {roman}.", "Gonarthrose {side_f} stade {roman} de Kellgren-Lawrence.",
              "Arthrose du genou {side}, Kellgren-Lawrence {n}."]
STAGE_SUFFIX = [" (stade {roman} de Kellgren-Lawrence)", ", stade {roman} de Kellgren et Lawrence", ", KL {n}",
                " — Kellgren-Lawrence {n}/4", " (grade {n} de Kellgren-Lawrence)", ". Stade {roman} selon Kellgren-Lawrence"]
TECHNIQUE = ["Radiographie du genou {side} de face en charge.", "Genou {side} : face en charge.",
             "Radiographies du genou {side} de face, en charge.", "Incidence en schuss (face en charge, genou fléchi) du genou {side}.",
             "Radiographie standard du genou {side}, incidence de face en charge.", "Rx genou {side_short} face en charge.",
             "Cliché du genou {side} de face en appui bipodal."]
INDICATION = ["Gonalgies {side_fp}.", "Gonalgies mécaniques {side_fp}.", "Douleurs du genou {side}.", "Gonalgies chroniques.",
              "Bilan de gonalgies.", "Douleur mécanique du genou {side}.", "Gonalgie {side_f} d'horaire mécanique.",
              "Gonalgies {side_fp} depuis plusieurs mois.", "Raideur et douleurs du genou {side}.",
              "Bilan d'arthrose du genou {side}."]
INDICATION_FOLLOW_UP = ["Suivi de gonarthrose connue.", "Contrôle d'une gonarthrose.", "Gonarthrose connue, bilan évolutif."]
COMPARTMENTS = {"medial": (["interne", "médial"], ["internes", "médiaux"], ["interne", "médiale"], "varum"),
                "lateral": (["externe", "latéral"], ["externes", "latéraux"], ["externe", "latérale"], "valgum")}


@dataclass(frozen=True)
class KneeImage:
    """One labelled knee radiograph: ``<grade>/<OAI id><L|R>.png``."""

    path: Path
    grade: int  # Kellgren–Lawrence 0-4
    oai_id: str
    side: str  # R or L


def list_knee_images(folder: Path) -> list[KneeImage]:
    """Every ``folder/<grade>/<OAI id><L|R>.png``, sorted by file name."""
    images = []
    for png in sorted(Path(folder).glob("[0-4]/*.png"), key=lambda p: (p.name, p.parent.name)):
        match = NAME.match(png.stem)
        if not match:
            raise ValueError(f"{png}: expected a name <OAI id><L|R>.png as in knee-kl (e.g. 9001695L.png)")
        images.append(KneeImage(png, int(png.parent.name), match["oai"], match["side"]))
    if not images:
        raise ValueError(f"{folder} holds no <grade>/*.png: pass a knee-kl split folder such as knee-kl/train")
    return images


# ------------------------------------------------------------------------------ report text
def _levels(grade: int, rng: random.Random) -> dict[str, str | None]:
    """The radiographic signs of one knee of ``grade`` (None: not mentioned)."""
    def pick(options: dict[str | None, float]) -> str | None:
        return rng.choices(list(options), weights=list(options.values()))[0]

    if grade == 0:
        return {"narrowing": pick({"none": 0.8, None: 0.2}), "osteophytes": pick({"none": 0.7, None: 0.3}),
                "sclerosis": pick({"none": 0.3, None: 0.7}), "geodes": None, "deformity": None}
    if grade == 1:
        narrowing = pick({"doubtful": 0.55, "none": 0.3, None: 0.15})
        osteophytes = pick({"doubtful": 0.85, "none": 0.15}) if narrowing == "doubtful" else "doubtful"
        return {"narrowing": narrowing, "osteophytes": osteophytes, "sclerosis": pick({"none": 0.2, None: 0.8}),
                "geodes": None, "deformity": None}
    if grade == 2:
        return {"narrowing": pick({"none": 0.3, "doubtful": 0.25, "mild": 0.35, None: 0.1}), "osteophytes": "definite",
                "sclerosis": pick({"none": 0.25, "mild": 0.15, None: 0.6}), "geodes": None, "deformity": None}
    if grade == 3:
        return {"narrowing": pick({"moderate": 0.8, "mild": 0.1, "severe": 0.1}),
                "osteophytes": pick({"multiple": 0.8, "definite": 0.2}),
                "sclerosis": pick({"mild": 0.3, "definite": 0.45, None: 0.25}),
                "geodes": pick({"yes": 0.15, None: 0.85}), "deformity": pick({"possible": 0.4, None: 0.6})}
    return {"narrowing": "severe", "osteophytes": pick({"large": 0.8, "multiple": 0.2}),
            "sclerosis": pick({"severe": 0.6, "definite": 0.3, None: 0.1}), "geodes": pick({"yes": 0.4, None: 0.6}),
            "deformity": pick({"definite": 0.85, "possible": 0.15})}


def _words(side: str, rng: random.Random) -> dict[str, str]:
    """Placeholder values of one report: side, compartment (mostly medial) and its agreeing forms."""
    comp = rng.choices(["medial", "lateral"], weights=[0.82, 0.18])[0]
    singular, plural, feminine, varus = COMPARTMENTS[comp]
    k = rng.randrange(2)
    right = side == "R"
    return {"side": "droit" if right else "gauche", "side_f": "droite" if right else "gauche",
            "side_fp": "droites" if right else "gauches", "side_short": "D" if right else "G",
            "comp": singular[k], "comps": plural[k], "comp_f": feminine[k], "varus": varus}


def _fill(template: str, words: dict[str, str], rng: random.Random) -> str:
    """``template`` with its placeholders; {where} and {tib} are drawn first, then filled in turn."""
    text = template.replace("{where}", rng.choice(WHERE)).replace("{tib}", rng.choice(TIB))
    return text.format(**words)


def _conclusion(grade: int, words: dict[str, str], rng: random.Random) -> str:
    """The conclusion; the KL grade is written in about half of them (a sixth for grade 0)."""
    stage = {"n": str(grade), "roman": P.KL_ROMAN[grade]}
    roll = rng.random()
    if grade > 0 and roll < 0.15:
        return rng.choice(STAGE_ONLY).format(**words, **stage)
    text = _fill(rng.choice(CONCLUSION[grade]), words, rng)
    if roll < (0.5 if grade > 0 else 0.15):
        text = text.rstrip(".") + rng.choice(STAGE_SUFFIX).format(**stage) + "."
    return text


def knee_report_body(grade: int, side: str, rng: random.Random) -> dict[str, str | list[str]]:
    """Indication ("" when left out), technique, findings (sentences) and conclusion for one knee."""
    if grade not in range(5):
        raise ValueError(f"Kellgren-Lawrence grade {grade!r}: expected 0 to 4")
    words = _words(side, rng)
    levels = _levels(grade, rng)
    findings = []
    for sign, bank in (("narrowing", NARROWING), ("osteophytes", OSTEOPHYTES), ("sclerosis", SCLEROSIS),
                       ("deformity", DEFORMITY)):
        if levels[sign]:
            findings.append(_fill(rng.choice(bank[levels[sign]]), words, rng))
    if levels["geodes"]:
        findings.append(_fill(rng.choice(GEODES), words, rng))
    if rng.random() < 0.3:  # radiologists often open with the osteophytes, not the joint space
        rng.shuffle(findings)
    extras = NORMAL_EXTRA if grade == 0 else NEUTRAL_EXTRA
    findings += rng.sample(extras, rng.choice([0, 1, 1, 2]))
    indication = ""
    if rng.random() < 0.7:
        bank = INDICATION_FOLLOW_UP if grade >= 2 and rng.random() < 0.15 else INDICATION
        indication = rng.choice(bank).format(**words)
    return {"indication": indication, "technique": rng.choice(TECHNIQUE).format(**words), "findings": findings,
            "conclusion": _conclusion(grade, words, rng)}


def knee_report(exam: ReportInput, rng: random.Random) -> str:
    """A whole report of ``exam`` (its ``kl_grade`` and ``side``) as exported by a hospital:
    letterhead and patient block, sections, signature."""
    side = exam.side
    body = knee_report_body(exam.kl_grade, side, rng)
    pt, h = exam.patient, exam.hospital
    labels = {k: rng.choice(v) for k, v in SECTION_LABELS.items()}
    lines = [h.name, h.service]
    lines.append(rng.choice(P.HEADER_FIELDS["patient"]).format(
        civ=pt.civ, given=pt.given, FAMILY=pt.family, born="née" if pt.sex == "F" else "né",
        dob=fmt_date(pt.birth, rng.choice([0, 1, 2])), sex=pt.sex))
    lines.append(rng.choice(P.HEADER_FIELDS["ipp"]).format(ipp=pt.ipp))
    lines.append(rng.choice(P.HEADER_FIELDS["acc"]).format(acc=exam.accession))
    lines.append(rng.choice(P.HEADER_FIELDS["date"]).format(date=fmt_date(exam.exam_date, rng.randrange(5))))
    lines.append(rng.choice(P.HEADER_FIELDS["ref"]).format(rgiven=exam.referrer.given, RFAMILY=exam.referrer.family))
    lines.append("")
    if rng.random() < 0.6:
        lines.append(f"RADIOGRAPHIE DU GENOU {'DROIT' if side == 'R' else 'GAUCHE'}")
    if body["indication"]:
        lines += [f"{labels['indication']} {body['indication']}", ""]
    lines += [f"{labels['technique']} {body['technique']}", ""]
    if rng.random() < 0.5:
        lines += [labels["results"], *body["findings"]]
    else:
        lines.append(f"{labels['results']} {' '.join(body['findings'])}")
    lines += ["", f"{labels['conclusion']} {body['conclusion']}", ""]
    lines.append(rng.choice(P.FOOTERS).format(dgiven=exam.radiologist.given, DFAMILY=exam.radiologist.family,
                                              vdate=fmt_date(exam.report_date, rng.randrange(5))))
    return "\n".join(lines)


# ------------------------------------------------------------------------------ DICOM export
def knee_dicom(pixels: np.ndarray, header: ImageHeader):
    """An 8-bit MONOCHROME2 DX dataset wrapping ``pixels`` (uint8) as they are (window 128/256: identity)."""
    ds = build_dataset(header, pixels.astype(np.uint16), PixelFormat(bits=8, voi="none"))
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
    ds.PixelData = np.ascontiguousarray(pixels, dtype=np.uint8).tobytes()
    ds.WindowCenter, ds.WindowWidth = "128", "256"
    ds.ImageType = ["DERIVED", "PRIMARY"]  # the knee-kl images are contrast-equalised (CLAHE) copies
    return ds


def _header(image: KneeImage, exam: ReportInput, rng: random.Random, seed: int) -> ImageHeader:
    pt, h = exam.patient, exam.hospital
    side = "DROIT" if image.side == "R" else "GAUCHE"
    age = (exam.exam_date - pt.birth).days // 365
    return ImageHeader(
        patient_name=pt.dicom_name, patient_id=pt.ipp, birth_date=pt.birth.strftime("%Y%m%d"), sex=pt.sex,
        age=f"{age:03d}Y", private_name=f"{pt.family} {pt.given.upper()}", institution=h.name,
        institution_address=h.address, referring=exam.referrer.dicom_name, performing=exam.radiologist.dicom_name,
        operator=h.radiologists[0].dicom_name, accession=exam.accession,
        study_uid=make_uid("knee", seed, exam.accession, "study"), series_uid=make_uid("knee", seed, exam.accession, "series"),
        sop_uid=make_uid("knee", seed, exam.accession, "image"), study_date=exam.exam_date,
        study_time=f"{rng.randint(8, 18):02d}{rng.randint(0, 59):02d}{rng.randint(0, 59):02d}",
        study_description=f"RX GENOU {side} F EN CHARGE", series_description="GENOU F", series_number=1,
        instance_number=1, body_part="KNEE", laterality=image.side, view="PA", modality="DX",
        manufacturer=h.manufacturer[0], model=h.manufacturer[1], station="RX01", pixel_spacing=0.2, burned_in=False)


@dataclass
class KneeExportSummary:
    """What :func:`write_knee_export` wrote."""

    out: Path
    images: int
    patients: int
    reports: int
    seconds: float


def write_knee_export(images: list[KneeImage], out: Path, seed: int = 0) -> KneeExportSummary:
    """Write ``images`` as a hospital export with one report per knee (see the module docstring)."""
    start = time.perf_counter()
    out = Path(out)
    factory = IdentityFactory(random.Random(f"knee-identities-{seed}"))
    hospitals = factory.hospitals(2)
    patients: dict[str, tuple[Person, dt.date, Hospital]] = {}
    reports, labels = [], []
    for n, image in enumerate(images):
        rng = random.Random(f"knee-{seed}-{image.oai_id}{image.side}")
        if image.oai_id not in patients:
            prng = random.Random(f"knee-patient-{seed}-{image.oai_id}")
            exam_date = dt.date(2015, 1, 1) + dt.timedelta(days=prng.randrange(3650))
            birth = exam_date - dt.timedelta(days=int(365.25 * prng.uniform(45, 80)))
            patients[image.oai_id] = (factory.patient(prng.choice("FM"), birth), exam_date, prng.choice(hospitals))
        patient, exam_date, hospital = patients[image.oai_id]
        exam = ReportInput(patient, hospital, rng.choice(hospital.radiologists), rng.choice(hospital.referrers),
                           accession=f"KN{seed:02d}{n:06d}", exam_date=exam_date,
                           report_date=exam_date + dt.timedelta(days=rng.choice([0, 0, 0, 1, 2])),
                           body_part="knee", side=image.side, views=["PA"],
                           finding="osteoarthritis" if image.grade else "normal", kl_grade=image.grade)
        ds = knee_dicom(load_png(image.path), _header(image, exam, rng, seed))
        write_dicom(out / "export" / "DICOM" / patient.ipp / exam.accession / "IM1.dcm", ds)
        reports.append({"accession_number": exam.accession, "report_date": exam.report_date.isoformat(),
                        "text": knee_report(exam, rng)})
        labels.append({"image": f"{image.grade}/{image.path.name}", "oai_id": image.oai_id, "side": image.side,
                       "kl_grade": image.grade, "ipp": patient.ipp, "accession": exam.accession})
    _write_csv(out / "export" / "reports.csv", REPORT_COLUMNS, reports)
    _write_csv(out / "labels.csv", LABEL_COLUMNS, labels)
    return KneeExportSummary(out, len(images), len(patients), len(reports), time.perf_counter() - start)


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path, help="knee-kl split folder: <grade>/<OAI id><L|R>.png")
    parser.add_argument("out", type=Path, help="folder to write export/ and labels.csv into (export/ must not exist)")
    parser.add_argument("--seed", type=int, default=0, help="same seed, same identities and reports")
    parser.add_argument("--limit", type=int, default=None, help="only the first N images (by file name)")
    args = parser.parse_args(argv)
    if (args.out / "export").exists():
        raise SystemExit(f"{args.out / 'export'} already exists: pass a new folder (or remove it)")
    images = list_knee_images(args.source)[: args.limit]
    summary = write_knee_export(images, args.out, seed=args.seed)
    print(f"knee export: {summary.images} images, {summary.patients} patients, {summary.reports} reports "
          f"→ {summary.out / 'export'} in {summary.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
