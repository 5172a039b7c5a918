"""French radiology report text for the demo archive, with a record of the PHI it injects.

A report has a letterhead (hospital, service, address, phone), a patient block (name,
birth date, IPP, exam number, referring physician), the sections Indication /
Technique / Résultats / Conclusion under varying labels, and a signature footer. The
wording is drawn from :mod:`bonesearch.demo.phrases_fr` so that the same finding is
phrased many ways, but the text always states the labelled finding, site and side.
Every identifying string written is returned in ``Report.phi`` and every date in
``Report.dates``, exactly as written.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from bonesearch.demo import phrases_fr as P
from bonesearch.demo.identities import Hospital, Person

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre"]
SECTION_LABELS = {
    "indication": ["Indication :", "INDICATION :", "Indication clinique :", "Renseignements cliniques :"],
    "technique": ["Technique :", "TECHNIQUE :", "Incidences :"],
    "results": ["Résultats :", "RÉSULTATS :", "Description :", "Résultat :"],
    "conclusion": ["Conclusion :", "CONCLUSION :", "En conclusion :"],
}


def fmt_date(d: dt.date, style: int) -> str:
    """Format a date as French reports do: 12/03/2024, 12.03.24, 12 mars 2024, 2024-03-12, 12/03/24."""
    if style == 0:
        return d.strftime("%d/%m/%Y")
    if style == 1:
        return d.strftime("%d.%m.%y")
    if style == 2:
        day = "1er" if d.day == 1 else str(d.day)
        return f"{day} {MONTHS[d.month - 1]} {d.year}"
    if style == 3:
        return d.isoformat()
    return d.strftime("%d/%m/%y")


def years_months(months: int) -> str:
    """'8 ans 6 mois', '9 ans', '1 an 3 mois'."""
    y, m = divmod(int(months), 12)
    ys = f"{y} an" + ("s" if y > 1 else "")
    return ys if m == 0 else f"{ys} {m} mois"


@dataclass
class ReportInput:
    """What a report describes: the study, its people and its (true) finding."""

    patient: Person
    hospital: Hospital
    radiologist: Person
    referrer: Person
    accession: str
    exam_date: dt.date
    report_date: dt.date
    body_part: str
    side: str  # R, L or ''
    views: list[str]
    finding: str
    site: str = ""
    kl_grade: int = 0  # knee KL grade, or OA severity elsewhere (1-4)
    hardware: str = ""
    affected_side: str = ""  # pelvis: R, L or B
    age_months: int = 0
    bone_age_months: int | None = None
    prior_date: dt.date | None = None
    level: str = "L1"  # vertebral level of a vertebral fracture
    fused_levels: str = "L2-L4"  # spinal fusion levels
    n_carpals: int = 8


@dataclass
class Report:
    """Report text plus the identifying strings and dates written into it."""

    text: str
    phi: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)


def _side_words(side: str, gender: str) -> tuple[str, str, str]:
    """(agreeing adjective, feminine, masculine) for a side code."""
    if side == "B":
        return ("bilatérale" if gender == "f" else "bilatéral"), "bilatérale", "bilatéral"
    if side not in ("R", "L"):
        return "", "", ""
    m = "droit" if side == "R" else "gauche"
    f = "droite" if side == "R" else "gauche"
    return (f if gender == "f" else m), f, m


class _Writer:
    def __init__(self, r: ReportInput, rng: random.Random) -> None:
        self.r, self.rng = r, rng
        self.phi: list[str] = []
        self.dates: list[str] = []
        noun, gender, art = P.PARTS[r.body_part]
        side = r.affected_side if r.body_part == "pelvis" else r.side
        adj, f, m = _side_words(side, gender)
        part_side = noun if r.body_part in ("pelvis", "spine") else f"{noun} {adj}".strip()
        if r.side in ("R", "L") and rng.random() < 0.12:
            part_side = f"{noun} {'D' if r.side == 'R' else 'G'}"
        du = f"{art}{'' if art.endswith(chr(39)) else ' '}{part_side}"
        if r.body_part in P.LIMB and rng.random() < 0.15:
            du += f" (membre {P.LIMB[r.body_part]} {m})"
        self.v = {"part": part_side, "du_part": du, "side_adj": adj, "side_f": f, "side_m": m}

    def pick(self, seq: list[str], **kw: object) -> str:
        return self.rng.choice(seq).format(**self.v, **kw)

    def date(self, d: dt.date) -> str:
        s = fmt_date(d, self.rng.randrange(5))
        self.dates.append(s)
        return s

    def put(self, s: str) -> str:
        self.phi.append(s)
        return s

    # ---- blocks -------------------------------------------------------------------------
    def header(self) -> list[str]:
        r, h, pt = self.r, self.r.hospital, self.r.patient
        lines = [self.put(h.name.upper() if self.rng.random() < 0.4 else h.name), h.service]
        if self.rng.random() < 0.8:
            lines.append(f"{self.put(h.street)}, {h.postcode} {self.put(h.town)}")
        lines.append(self.rng.choice(["Tél : ", "Tél. ", "Secrétariat : "]) + self.put(h.phone))
        lines.append("")
        dob = fmt_date(pt.birth, self.rng.choice([0, 0, 1, 2, 4]))
        pl = self.rng.choice(P.HEADER_FIELDS["patient"]).format(
            civ=pt.civ, given=self.put(pt.given), FAMILY=self.put(pt.family),
            born="née" if pt.sex == "F" else "né", dob=self.put(dob), sex=pt.sex)
        for full in (f"{pt.given} {pt.family}", f"{pt.family} {pt.given}"):
            if full in pl:
                self.put(full)
        lines.append(pl)
        lines.append(self.rng.choice(P.HEADER_FIELDS["ipp"]).format(ipp=self.put(pt.ipp)))
        lines.append(self.rng.choice(P.HEADER_FIELDS["acc"]).format(acc=self.put(r.accession)))
        lines.append(self.rng.choice(P.HEADER_FIELDS["date"]).format(date=self.date(r.exam_date)))
        ref = r.referrer
        rl = self.rng.choice(P.HEADER_FIELDS["ref"]).format(rgiven=ref.given, RFAMILY=self.put(ref.family))
        if ref.given in rl:
            self.put(ref.given)
        lines.append(rl)
        lines.append("")
        title = f"RADIOGRAPHIE {self.v['du_part'].upper()}"
        if self.rng.random() < 0.7:
            lines.append(title)
        return lines

    def indication(self) -> str:
        r = self.r
        kind = {"normal": "trauma", "fracture": "trauma", "osteoarthritis": "pain",
                "osteosynthesis": "control", "dislocation": "dislocation", "bone_age": "growth"}[r.finding]
        if r.finding == "normal" and self.rng.random() < 0.3:
            kind = "pain"
        text = self.pick(P.INDICATIONS[kind])
        age_y = r.age_months // 12
        roll = self.rng.random()
        if roll < 0.25:
            who = "Patiente" if r.patient.sex == "F" else "Patient"
            text = f"{who} de {age_y} ans. {text}"
        elif roll < 0.4 and r.finding != "bone_age":
            fam = self.put(r.patient.family_title)
            text += f" {r.patient.civ} {fam} signale " + self.rng.choice(
                ["une douleur persistante.", "une gêne fonctionnelle.", "des douleurs depuis quelques jours.",
                 "une chute ce jour."])
        return text

    def technique(self) -> str:
        names = [self.rng.choice(P.VIEW_FR[v]) for v in self.r.views]
        views = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]
        if self.r.body_part == "knee" and self.r.finding == "osteoarthritis" and self.rng.random() < 0.5:
            views += " en charge"
        return self.pick(P.TECHNIQUE, views=views)

    def results_conclusion(self) -> tuple[list[str], str]:
        r, rng = self.r, self.rng
        res: list[str] = []
        if r.prior_date is not None and rng.random() < 0.7:
            res.append(f"Comparaison avec le cliché du {self.date(r.prior_date)}.")
        if r.finding == "normal":
            res += rng.sample(P.NORMAL_FINDINGS, rng.randint(2, 4))
            return res, self.pick(P.NORMAL_CONCL)
        if r.finding == "fracture":
            desc = rng.choice(P.SITES[r.site]).format(level=r.level)
            fx = "fracture" + ("" if desc.startswith("-") else " ") + desc
            kw = dict(fx=fx, Fx=fx[0].upper() + fx[1:], disp=rng.choice(P.DISP))
            res.append(self.pick(P.FRACTURE_FINDINGS, **kw))
            if r.site in P.SITE_EXTRA and rng.random() < 0.6:
                res.append(self.pick(P.SITE_EXTRA[r.site], garden=rng.choice(["I", "II", "III", "IV"])))
            res += rng.sample(["Pas d'autre lésion osseuse visible.", "Pas de luxation associée.",
                               "Tuméfaction des parties molles en regard.", "Minéralisation osseuse normale."],
                              rng.randint(0, 2))
            return res, self.pick(P.FRACTURE_CONCL, **kw)
        if r.finding == "osteoarthritis":
            g = max(1, min(4, int(r.kl_grade)))
            kw = dict(grade=g, roman=P.KL_ROMAN[g], stage_word=P.STAGE_WORD[g])
            if r.body_part == "knee":
                res += rng.sample(P.KNEE_OA[g], min(len(P.KNEE_OA[g]), rng.randint(2, 3)))
                return res, self.pick(P.KNEE_OA_CONCL, **kw)
            if r.body_part in ("hip", "pelvis"):
                res += rng.sample(P.HIP_OA, min(g + 1, 4))
                return res, self.pick(P.HIP_OA_CONCL, **kw)
            key = r.site if r.site in P.HAND_OA else "interphalangeal"
            res += rng.sample(P.HAND_OA[key], 2)
            return res, self.pick(P.HAND_OA_CONCL[key], **kw)
        if r.finding == "dislocation":
            res.append(self.pick(P.DISLOCATION[r.site]))
            res += rng.sample(P.DISLOCATION_EXTRA, rng.randint(1, 2))
            return res, self.pick(P.DISLOCATION_CONCL[r.site])
        if r.finding == "osteosynthesis":
            hw = rng.choice(P.HARDWARE[(r.body_part, r.hardware)])
            if r.body_part == "spine":
                hw += f" {r.fused_levels}"
            kw = dict(hw=hw, Hw=hw[0].upper() + hw[1:])
            res.append(self.pick(P.OSTEO_FINDINGS, **kw))
            res += rng.sample(P.OSTEO_EXTRA, rng.randint(1, 2))
            return res, self.pick(P.OSTEO_CONCL, **kw)
        # bone age
        ba, ca = int(r.bone_age_months or 0), int(r.age_months)
        res.append(self.pick(P.BONE_AGE, ba=years_months(ba), ca=years_months(ca)))
        res += [self.pick(P.BONE_AGE_EXTRA, n=r.n_carpals,
                          sesamoid="visible" if ba >= 156 else "non encore ossifié")]
        diff = ba - ca
        key = "equal" if abs(diff) < 12 else ("late" if diff < 0 else "early")
        return res, self.pick(P.BONE_AGE_CONCL[key], diff=years_months(abs(diff)))

    def footer(self) -> list[str]:
        d, h = self.r.radiologist, self.r.hospital
        line = self.rng.choice(P.FOOTERS).format(dgiven=d.given, DFAMILY=self.put(d.family),
                                                 vdate=self.date(self.r.report_date))
        if d.given in line:
            self.put(d.given)
        out = ["", line]
        if self.rng.random() < 0.6:
            out.append(f"Secrétariat : {self.put(h.phone)} — {self.put(h.email)}")
        return out


def write_report(r: ReportInput, rng: random.Random) -> Report:
    """Compose one French report for ``r``; deterministic given ``rng``'s state."""
    w = _Writer(r, rng)
    lab = {k: rng.choice(v) for k, v in SECTION_LABELS.items()}
    lines = w.header()
    lines += [f"{lab['indication']} {w.indication()}", "", f"{lab['technique']} {w.technique()}", ""]
    res, concl = w.results_conclusion()
    if rng.random() < 0.5:
        lines += [lab["results"], *res]
    else:
        lines += [f"{lab['results']} {' '.join(res)}"]
    lines += ["", f"{lab['conclusion']} {concl}"]
    lines += w.footer()
    phi = [s for s in dict.fromkeys(w.phi) if s]
    return Report("\n".join(lines), phi, list(dict.fromkeys(w.dates)))
