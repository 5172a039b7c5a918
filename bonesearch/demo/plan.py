"""Plan a demo archive: which studies, patients, findings, views and file formats.

The mix of (finding, body part, site) is allocated by quota (largest remainder) so that
the distribution holds exactly even for small archives; patients are then drawn with
ages and sexes that suit the finding, and some patients get follow-up studies (fracture
then osteosynthesis, osteoarthritis progression, repeated bone age). File formats
(modality, bit depth, photometry, rescale, VOI, compression) vary per image, with the
first three studies forced to cover every compression and both photometries.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import numpy as np

from bonesearch.demo.anatomy_axial import spine_levels
from bonesearch.demo.anatomy_upper import CARPALS
from bonesearch.demo.dicom_writer import PixelFormat, make_uid
from bonesearch.demo.identities import Hospital, IdentityFactory, Person
from bonesearch.demo.phantoms import VIEWS

FINDING_MIX = {"normal": 0.35, "fracture": 0.30, "osteoarthritis": 0.15, "osteosynthesis": 0.08,
               "dislocation": 0.06, "bone_age": 0.06}
NORMAL_PARTS = {"spine": 0.10, "knee": 0.12, "ankle": 0.10, "wrist": 0.10, "hand": 0.09,
                "shoulder": 0.09, "foot": 0.08, "elbow": 0.07, "hip": 0.06, "pelvis": 0.08,
                "forearm": 0.06, "leg": 0.05}
FRACTURE_SITES = {  # site: (body part, weight, (age lo, hi), P(female))
    "distal_radius": ("wrist", 0.16, (8, 90), 0.7), "scaphoid": ("wrist", 0.07, (15, 40), 0.25),
    "metacarpal": ("hand", 0.06, (15, 35), 0.2), "phalanx": ("hand", 0.05, (10, 60), 0.4),
    "radial_head": ("elbow", 0.06, (20, 60), 0.5), "olecranon": ("elbow", 0.04, (30, 85), 0.55),
    "humeral_neck": ("shoulder", 0.07, (60, 92), 0.7), "clavicle": ("shoulder", 0.06, (8, 40), 0.3),
    "femoral_neck": ("hip", 0.09, (65, 96), 0.75), "tibial_plateau": ("knee", 0.04, (35, 80), 0.5),
    "malleolus": ("ankle", 0.11, (18, 80), 0.5), "metatarsal": ("foot", 0.05, (18, 70), 0.55),
    "calcaneus": ("foot", 0.03, (25, 60), 0.2), "vertebral_body": ("spine", 0.05, (60, 92), 0.7),
    "forearm_shaft": ("forearm", 0.04, (5, 30), 0.35), "tibial_shaft": ("leg", 0.04, (16, 50), 0.25),
}
OA = [("knee", "femorotibial", 0.55), ("hip", "coxofemoral", 0.22), ("pelvis", "coxofemoral", 0.08),
      ("hand", "interphalangeal", 0.09), ("hand", "trapeziometacarpal", 0.06)]
DISLOCATION = [("shoulder", "glenohumeral", 0.6), ("elbow", "humeroulnar", 0.2),
               ("hand", "interphalangeal", 0.2)]
OSTEOSYNTHESIS = [("wrist", "plate", 0.18), ("wrist", "wires", 0.05), ("hand", "wires", 0.05),
                  ("forearm", "plate", 0.08), ("elbow", "wires", 0.05), ("shoulder", "plate", 0.06),
                  ("shoulder", "nail", 0.03), ("hip", "prosthesis", 0.14), ("hip", "screws", 0.06),
                  ("pelvis", "prosthesis", 0.05), ("knee", "screws", 0.05), ("leg", "nail", 0.08),
                  ("ankle", "plate", 0.10), ("foot", "plate", 0.04), ("spine", "rods", 0.06)]
AFTER_FRACTURE = {"distal_radius": "wrist", "metacarpal": "hand", "humeral_neck": "shoulder",
                  "femoral_neck": "hip", "tibial_plateau": "knee", "malleolus": "ankle",
                  "tibial_shaft": "leg", "forearm_shaft": "forearm", "olecranon": "elbow",
                  "vertebral_body": "spine", "metatarsal": "foot"}
DICOM_PART = {p: p.upper() for p in NORMAL_PARTS}
KL_WEIGHTS = (0.25, 0.30, 0.28, 0.17)
EPOCH0, EPOCH1 = dt.date(2016, 1, 4), dt.date(2024, 6, 28)
UNDECLARED_STAMP_SHARE = 0.015  # studies stamped with identity whose header says NO or nothing
MARKER_SHARE, STANDING_SHARE = 0.15, 0.04  # images with a "D"/"G" marker; with "DEBOUT"
STANDING_PARTS = {"knee", "leg", "ankle", "foot", "spine", "pelvis", "hip"}


@dataclass
class ImagePlan:
    """One image of a study: projection, size, pixel format and identifiers."""

    number: int
    view: str
    long_side: int
    seed: int
    fmt: PixelFormat
    sop_uid: str
    series_uid: str
    marker: str = ""  # extra harmless text in the pixels: French laterality "D"/"G" or "DEBOUT"


@dataclass
class StudyPlan:
    """One study: who, where, when, what finding, and its images."""

    index: int
    accession: str
    patient: Person
    hospital: Hospital
    radiologist: Person
    referrer: Person
    operator: Person
    exam_date: dt.date
    study_time: str
    report_date: dt.date
    body_part: str
    side: str
    finding: str
    site: str = ""
    severity: int = 0  # KL grade for knees, OA severity 1-4 elsewhere
    hardware: str = ""
    affected_side: str = ""
    prior_date: dt.date | None = None
    variant: int = 0
    modality: str = "DX"
    burned_in: bool = False  # the header says BurnedInAnnotation=YES (and the pixels carry a stamp)
    pixel_phi: bool = False  # name, IPP and dates stamped in the pixels, declared in the header or not
    burned_in_omitted: bool = False  # the header has no BurnedInAnnotation at all
    study_uid: str = ""
    images: list[ImagePlan] = field(default_factory=list)

    @property
    def age_months(self) -> int:
        """Age in completed months at the exam."""
        b, d = self.patient.birth, self.exam_date
        return (d.year - b.year) * 12 + d.month - b.month - (1 if d.day < b.day else 0)

    @property
    def bone_age_months(self) -> int | None:
        """Skeletal age (months, multiple of 6) for bone-age studies, else None."""
        if self.finding != "bone_age":
            return None
        rng = random.Random(f"{self.accession}-ba")
        v = self.age_months + rng.gauss(0.0, 13.0)
        return int(np.clip(round(v / 6.0) * 6, 12, 216))

    @property
    def level(self) -> str:
        """Vertebral level of a vertebral fracture."""
        return f"L{spine_levels(self.variant)[0] + 1}"

    @property
    def fused_levels(self) -> str:
        """Instrumented levels of a spinal fusion."""
        k = spine_levels(self.variant)[1]
        return f"L{k + 1}-L{k + 3}"

    @property
    def n_carpals(self) -> int:
        """Number of ossified carpal bones at the skeletal age."""
        a = (self.bone_age_months or self.age_months) / 12.0
        return sum(1 for v in CARPALS.values() if a > v[5])


def _categories() -> list[tuple[float, str, str, str, str]]:
    """(share, finding, part, site, hardware); shares within a finding follow its weights."""
    groups: dict[str, list[tuple[float, str, str, str]]] = {
        "normal": [(w, p, "", "") for p, w in NORMAL_PARTS.items()],
        "fracture": [(v[1], v[0], s, "") for s, v in FRACTURE_SITES.items()],
        "osteoarthritis": [(w, p, s, "") for p, s, w in OA],
        "dislocation": [(w, p, s, "") for p, s, w in DISLOCATION],
        "osteosynthesis": [(w, p, "", h) for p, h, w in OSTEOSYNTHESIS],
        "bone_age": [(1.0, "hand", "", "")],
    }
    cats = []
    for finding, items in groups.items():
        total = sum(w for w, *_ in items)
        cats += [(FINDING_MIX[finding] * w / total, finding, *rest) for w, *rest in items]
    return cats


def allocate(n: int, rng: random.Random) -> list[tuple[str, str, str, str]]:
    """``n`` (finding, part, site, hardware) tuples in shuffled order, by largest-remainder quota."""
    cats = _categories()
    exact = [w * n for w, *_ in cats]
    counts = [int(x) for x in exact]
    order = sorted(range(len(cats)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    out = [tuple(cats[i][1:]) for i in range(len(cats)) for _ in range(counts[i])]
    rng.shuffle(out)
    return out  # type: ignore[return-value]


def _age_sex(rng: random.Random, finding: str, part: str, site: str, hardware: str) -> tuple[float, str]:
    if finding == "bone_age":
        return rng.uniform(2.0, 17.5), rng.choice("FM")
    if finding == "fracture":
        _, _, (lo, hi), pf = FRACTURE_SITES[site]
        if site == "distal_radius" and rng.random() < 0.35:
            lo, hi = 6, 15
        return rng.uniform(lo, hi), ("F" if rng.random() < pf else "M")
    if finding == "osteoarthritis":
        return rng.uniform(48, 90), ("F" if rng.random() < 0.62 else "M")
    if finding == "dislocation":
        old = part == "shoulder" and rng.random() < 0.3
        return (rng.uniform(65, 88) if old else rng.uniform(15, 45)), ("F" if rng.random() < (0.6 if old else 0.3) else "M")
    if finding == "osteosynthesis":
        lo, hi = (65, 94) if hardware in ("prosthesis", "screws") else (18, 82)
        return rng.uniform(lo, hi), rng.choice("FM")
    if part in ("spine", "pelvis", "hip", "shoulder"):
        return rng.uniform(20, 88), rng.choice("FM")
    return (rng.uniform(4, 16) if rng.random() < 0.18 else rng.uniform(17, 88)), rng.choice("FM")


def _pixel_format(rng: random.Random, modality: str) -> PixelFormat:
    bits = rng.choices([12, 14, 15, 16], [0.35, 0.25, 0.1, 0.3])[0]
    mono1 = rng.random() < (0.5 if modality == "CR" else 0.2)
    r = rng.random()
    rescale = None if r < 0.35 else ((1.0, 0.0) if r < 0.8 else rng.choice([(0.5, 0.0), (2.0, -1024.0), (1.0, -1024.0)]))
    voi = rng.choices(["window", "lut", "none"], [0.55, 0.2, 0.25])[0]
    # pydicom's native RLE encoder is pure Python (~0.4 s per image): keep RLE rare and small
    syntax = rng.choices(["explicit", "jpegls", "j2k", "rle"], [0.715, 0.15, 0.11, 0.025])[0]
    return PixelFormat(bits, "MONOCHROME1" if mono1 else "MONOCHROME2", rescale, voi, syntax,
                       lo=rng.uniform(0.0, 0.05), hi=rng.uniform(0.9, 1.0))


def _views(rng: random.Random, part: str, finding: str, site: str) -> list[str]:
    if finding == "bone_age":
        return ["PA"]
    base = list(VIEWS[part])
    if site == "calcaneus":
        base = ["LAT", "AP"]
    r = rng.random()
    n = 1 if r < 0.1 else (3 if r > 0.8 else 2)
    return base[: min(n, len(base))]


def plan_archive(n_studies: int, seed: int) -> list[StudyPlan]:
    """Plan ``n_studies`` studies deterministically from ``seed``."""
    rng = random.Random(f"bonesearch-demo-{seed}")
    ids = IdentityFactory(rng)
    hospitals = ids.hospitals(4)
    operators = {h.name: [ids.person() for _ in range(3)] for h in hospitals}
    cats = allocate(n_studies, rng)
    burned = set(rng.sample(range(n_studies), max(1, round(0.02 * n_studies)))) if n_studies else set()
    studies: list[StudyPlan] = []
    used: set[int] = set()
    for i, (finding, part, site, hardware) in enumerate(cats):
        prior = _pick_prior(rng, studies, finding, part, site, used)
        if prior is not None:
            used.add(prior.index)
            patient, hospital = prior.patient, (prior.hospital if rng.random() < 0.8 else rng.choice(hospitals))
            gap = (40, 300) if finding == "osteosynthesis" else (200, 900)
            exam = prior.exam_date + dt.timedelta(days=rng.randint(*gap))
        else:
            age, sex = _age_sex(rng, finding, part, site, hardware)
            exam = EPOCH0 + dt.timedelta(days=rng.randint(0, (EPOCH1 - EPOCH0).days))
            birth = exam - dt.timedelta(days=int(age * 365.25))
            patient, hospital = ids.patient(sex, birth), rng.choice(hospitals)
        same_part = prior is not None and prior.body_part == part
        if part in ("pelvis", "spine"):
            side = ""
        else:
            side = prior.side if same_part and prior.side else rng.choice("RL")
        severity = 0
        if finding == "osteoarthritis":
            severity = rng.choices([1, 2, 3, 4], KL_WEIGHTS)[0]
            if same_part and prior.finding == "osteoarthritis":
                severity = min(4, max(prior.severity, 1) + rng.randint(0, 1))
        affected = ""
        if part == "pelvis" and finding in ("osteoarthritis", "osteosynthesis"):
            affected = rng.choice("RLB") if finding == "osteoarthritis" else rng.choice("RL")
        modality = "CR" if rng.random() < 0.3 else "DX"
        acc = f"RX{exam:%y%m}{rng.randint(10, 99)}{i:05d}"
        st = StudyPlan(
            index=i, accession=acc, patient=patient, hospital=hospital,
            radiologist=rng.choice(hospital.radiologists), referrer=rng.choice(hospital.referrers),
            operator=rng.choice(operators[hospital.name]), exam_date=exam,
            study_time=f"{rng.randint(7, 19):02d}{rng.randint(0, 59):02d}{rng.randint(0, 59):02d}",
            report_date=exam + dt.timedelta(days=rng.choice([0, 0, 0, 1, 1, 2, 3])),
            body_part=part, side=side, finding=finding, site=site, severity=severity,
            hardware=hardware, affected_side=affected,
            prior_date=prior.exam_date if same_part else None, variant=rng.randrange(4),
            modality=modality, burned_in=i in burned, study_uid=str(make_uid(seed, acc, "study")))
        for n, view in enumerate(_views(rng, part, finding, site), start=1):
            fmt = _pixel_format(rng, modality)
            if i < 3 and n == 1:  # make every codec and both photometries appear
                fmt.syntax = ("rle", "jpegls", "j2k")[i]
                fmt.photometric = ("MONOCHROME1", "MONOCHROME2", "MONOCHROME1")[i]
            img_seed = int(np.random.SeedSequence([seed, i, n]).generate_state(1)[0])
            long_side = rng.randrange(384, 641, 16)
            if fmt.syntax == "rle":
                long_side = min(long_side, 448)
            st.images.append(ImagePlan(n, view, long_side, img_seed, fmt,
                                       str(make_uid(seed, acc, "sop", n)),
                                       str(make_uid(seed, acc, "series", n))))
        studies.append(st)
    _plan_pixel_text(studies, seed)
    return studies


def _plan_pixel_text(studies: list[StudyPlan], seed: int) -> None:
    """Choose the undeclared identity stamps and the harmless text markers.

    Uses its own random stream, so the rest of the plan is the same as without them.
    Header-flagged studies carry a stamp too; about 1.5 % more carry one that the header
    does not declare (half ``BurnedInAnnotation=NO``, half without the attribute).
    """
    rng = random.Random(f"bonesearch-demo-{seed}-pixel-text")
    for st in studies:
        st.pixel_phi = st.burned_in
    free = [st for st in studies if not st.burned_in]
    k = min(len(free), max(1, round(UNDECLARED_STAMP_SHARE * len(studies)))) if len(studies) > 1 else 0
    for j, st in enumerate(rng.sample(free, k)):
        st.pixel_phi, st.burned_in_omitted = True, j % 2 == 1
    for st in studies:
        for img in st.images:
            r = rng.random()
            if r < MARKER_SHARE:
                img.marker = {"R": "D", "L": "G"}.get(st.side) or rng.choice("DG")
            elif r < MARKER_SHARE + STANDING_SHARE and st.body_part in STANDING_PARTS:
                img.marker = "DEBOUT"


def _pick_prior(rng: random.Random, studies: list[StudyPlan], finding: str, part: str,
                site: str, used: set[int]) -> StudyPlan | None:
    """An earlier study whose patient plausibly comes back for this one, or None."""
    if not studies:
        return None
    if finding == "osteosynthesis" and rng.random() < 0.6:
        pool = [s for s in studies if s.finding == "fracture" and AFTER_FRACTURE.get(s.site) == part]
    elif finding == "osteoarthritis" and rng.random() < 0.3:
        pool = [s for s in studies if s.finding == "osteoarthritis" and s.body_part == part and s.site == site]
    elif finding == "bone_age" and rng.random() < 0.3:
        pool = [s for s in studies if s.finding == "bone_age" and s.age_months < 170]
    elif finding == "normal" and rng.random() < 0.12:
        pool = [s for s in studies if s.age_months > 18 * 12 and s.finding != "bone_age"]
    else:
        return None
    pool = [s for s in pool if s.index not in used]
    return rng.choice(pool) if pool else None
