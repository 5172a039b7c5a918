"""Lower-limb anatomy drawers: knee, leg, ankle, foot (right-side layouts, fibula on the left).

Same conventions as :mod:`bonesearch.demo.anatomy_upper`. The knee's joint space
narrows with the Kellgren-Lawrence grade (medial compartment first), osteophytes and
subchondral sclerosis grow with it; ``medial_joint`` marks the medial compartment.
"""

from __future__ import annotations

import numpy as np

from bonesearch.demo import hardware as hw
from bonesearch.demo.phantom_core import Canvas, PhantomParams, long_bone

SOFT = 1.0
KL_MEDIAL = (1.0, 0.78, 0.55, 0.32, 0.1)  # medial joint space factor per KL grade
KL_LATERAL = (1.0, 0.96, 0.9, 0.82, 0.72)
KL_OSTEO = (0.0, 0.007, 0.013, 0.02, 0.028)  # osteophyte size (units)
JOINT_GAP = 0.036


def _kl(p: PhantomParams) -> int:
    return int(np.clip(p.kl_grade, 0, 4)) if p.finding == "osteoarthritis" else 0


def draw_knee(cv: Canvas, p: PhantomParams, rng: np.random.Generator) -> None:
    """Knee AP (two condyles over two plateaus) or LAT (round condyle, patella in front)."""
    kl, m = _kl(p), p.maturity
    gm, gl = JOINT_GAP * KL_MEDIAL[kl], JOINT_GAP * KL_LATERAL[kl]
    ost = KL_OSTEO[kl]
    if p.view == "LAT":
        cv.capsule("soft", (0.45, -0.2), (0.5, 1.5), 0.3, 0.24, rho=SOFT, union=True)
        long_bone(cv, (0.44, -0.2), (0.5, 0.42), 0.07, 0.07, 0.1, maturity=m)
        cv.ellipse("bone", (0.52, 0.52), 0.115, 0.11, depth=0.1, rho=1.0, hollow=0.8, rho_in=0.45)
        top = 0.63 + gm
        cv.ellipse("bone", (0.53, top + 0.035), 0.15, 0.035, -4.0, depth=0.09, rho=1.0,
                   hollow=0.75, rho_in=0.5, p=3.0)
        long_bone(cv, (0.52, 0.78), (0.48, 1.5), 0.1, 0.06, 0.06, maturity=m)
        cv.ellipse("bone", (0.41, 0.78), 0.03, 0.04, depth=0.03, rho=0.9)  # tuberosity
        cv.ellipse("bone", (0.33, 0.47), 0.042, 0.09, 12.0, depth=0.05, rho=1.0, hollow=0.75,
                   rho_in=0.5)  # patella
        cv.ellipse("bone", (0.62, 0.73), 0.035, 0.03, depth=0.03, rho=1.0)
        long_bone(cv, (0.62, 0.74), (0.58, 1.5), 0.028, 0.02, 0.02, maturity=m)
        for x, y in ((0.4, 0.6), (0.66, 0.6)):
            if ost:
                cv.ellipse("bone", (x, y), ost * 1.2, ost * 0.7, depth=0.01, rho=1.5)
        cv.mark("medial_joint", 0.53, 0.63 + gm / 2)
        cv.mark("tibial_plateau", 0.55, top + 0.04, toward_deg=180.0, half_len=0.05, shift_deg=100.0)
        if m < 0.95:
            cv.band((0.5, 0.47), 0.0, 0.14, 0.012, factor=0.2)
            cv.band((0.52, top + 0.085), 0.0, 0.15, 0.012, factor=0.2)
        return
    cv.capsule("soft", (0.5, -0.2), (0.5, 1.5), 0.34, 0.27, rho=SOFT, union=True)
    long_bone(cv, (0.5, -0.2), (0.5, 0.43), 0.075, 0.075, 0.125, maturity=m)
    bottom = 0.595
    for x in (0.415, 0.585):
        cv.ellipse("bone", (x, bottom - 0.06), 0.08, 0.06, depth=0.08, rho=1.0, hollow=0.8,
                   rho_in=0.45)
    cv.ellipse("bone", (0.5, bottom - 0.03), 0.025, 0.03, depth=0.04, rho=-0.7)  # notch
    cv.ellipse("bone", (0.5, 0.47), 0.065, 0.08, depth=0.04, rho=0.55, hollow=0.8, rho_in=0.3)
    ym, yl = bottom + gm, bottom + gl
    for x, y in ((0.585, ym), (0.415, yl)):
        cv.ellipse("bone", (x, y + 0.04), 0.085, 0.04, depth=0.09, rho=1.0, hollow=0.8,
                   rho_in=0.5, p=3.0)
    for x in (0.488, 0.512):
        cv.ellipse("bone", (x, min(ym, yl) + 0.004), 0.01, 0.018, depth=0.02, rho=0.9)
    long_bone(cv, (0.5, 0.755), (0.5, 1.5), 0.125, 0.065, 0.065, maturity=m)
    cv.ellipse("bone", (0.35, 0.74), 0.036, 0.03, depth=0.03, rho=1.0, hollow=0.7, rho_in=0.5)
    long_bone(cv, (0.35, 0.75), (0.37, 1.5), 0.028, 0.02, 0.02, maturity=m)
    if kl:
        for x, y, s in ((0.67, bottom - 0.012, 1.0), (0.672, ym + 0.012, 1.0),
                        (0.33, bottom - 0.012, 0.6), (0.328, yl + 0.012, 0.6)):
            cv.ellipse("bone", (x, y), ost * 1.4 * s, ost * 0.7 * s, depth=0.012, rho=1.6)
        cv.ellipse("bone", (0.585, ym + 0.013), 0.07, 0.011, depth=0.06, rho=0.5 * kl)
        cv.ellipse("bone", (0.585, bottom - 0.012), 0.06, 0.009, depth=0.06, rho=0.3 * kl)
    if m < 0.95:
        cv.band((0.5, 0.46), 0.0, 0.17, 0.012, factor=0.2)
        cv.band((0.5, ym + 0.09), 0.0, 0.17, 0.012, factor=0.2)
    cv.mark("medial_joint", 0.585, bottom + gm / 2)
    cv.mark("tibial_plateau", 0.43, yl + 0.045, toward_deg=180.0, half_len=0.05, shift_deg=100.0)
    if p.finding == "osteosynthesis":
        for y in (yl + 0.05, yl + 0.09):
            hw.screw(cv, (0.3, y), 0.0, 0.3)
        hw.plate(cv, (0.32, yl + 0.03), (0.34, yl + 0.35), n_screws=4, screw_len=0.15,
                 toward_deg=0.0)


def draw_leg(cv: Canvas, p: PhantomParams, rng: np.random.Generator) -> None:
    """Leg: tibia and fibula full length, knee at the top, ankle at the bottom."""
    m = p.maturity
    cv.capsule("soft", (0.5, -0.2), (0.5, 1.55), 0.3, 0.17, rho=SOFT, union=True)
    for x in (0.42, 0.6):
        cv.ellipse("bone", (x, -0.04), 0.08, 0.05, depth=0.06, rho=1.0, hollow=0.8, rho_in=0.45)
    cv.ellipse("bone", (0.51, 0.07), 0.17, 0.04, depth=0.08, rho=1.0, hollow=0.8, rho_in=0.5, p=3)
    long_bone(cv, (0.51, 0.1), (0.52, 1.22), 0.12, 0.043, 0.085, epi=1, maturity=m)
    cv.ellipse("bone", (0.52, 1.3), 0.1, 0.06, depth=0.06, rho=1.0, hollow=0.8, rho_in=0.45)
    cv.ellipse("bone", (0.355, 0.15), 0.03, 0.03, depth=0.03, rho=1.0)
    long_bone(cv, (0.355, 0.16), (0.375, 1.27), 0.022, 0.016, 0.026, epi=1, maturity=m)
    cv.mark("tibial_shaft", 0.515, 0.78, toward_deg=80.0, half_len=0.055, shift_deg=20.0)
    cv.mark("tibial_shaft_2", 0.368, 0.56, toward_deg=95.0, half_len=0.025)
    cv.mark("tibial_plateau", 0.45, 0.09, toward_deg=180.0, half_len=0.05, shift_deg=100.0)
    cv.mark("malleolus", 0.375, 1.2, toward_deg=120.0, half_len=0.03)
    if p.finding == "osteosynthesis":
        hw.nail(cv, (0.51, 0.06), (0.52, 1.18), r=0.017)


def draw_ankle(cv: Canvas, p: PhantomParams, rng: np.random.Generator) -> None:
    """Ankle AP (mortise: tibia, both malleoli, talar dome) or LAT (with calcaneus)."""
    m = p.maturity
    if p.view == "LAT":
        cv.capsule("soft", (0.5, -0.2), (0.52, 0.75), 0.19, 0.17, rho=SOFT, union=True)
        cv.chain("soft", [(0.72, 0.86), (0.4, 0.86), (-0.2, 0.93)], [0.12, 0.13, 0.08],
                 rho=SOFT, union=True)
        long_bone(cv, (0.5, -0.2), (0.5, 0.45), 0.065, 0.065, 0.1, epi=1, maturity=m)
        cv.ellipse("bone", (0.5, 0.53), 0.12, 0.05, depth=0.08, rho=1.0, hollow=0.8, rho_in=0.5,
                   p=4.0)
        long_bone(cv, (0.57, -0.2), (0.575, 0.6), 0.025, 0.02, 0.03, maturity=m)
        cv.capsule("bone", (0.575, 0.58), (0.58, 0.68), 0.032, 0.022, rho=1.0)
        cv.ellipse("bone", (0.5, 0.67), 0.13, 0.09, depth=0.09, rho=1.0, hollow=0.8, rho_in=0.45)
        cv.ellipse("bone", (0.64, 0.86), 0.2, 0.09, 15.0, depth=0.09, rho=1.0, hollow=0.8,
                   rho_in=0.45)
        cv.ellipse("bone", (0.33, 0.73), 0.04, 0.05, 20.0, depth=0.05, rho=1.0, hollow=0.7, rho_in=0.5)
        cv.ellipse("bone", (0.41, 0.85), 0.05, 0.04, depth=0.05, rho=1.0, hollow=0.7, rho_in=0.5)
        long_bone(cv, (0.3, 0.8), (-0.1, 0.9), 0.025, 0.018, 0.022, maturity=m)
        cv.mark("malleolus", 0.578, 0.63, toward_deg=120.0, half_len=0.035)
        cv.mark("calcaneus", 0.66, 0.85, toward_deg=20.0, half_len=0.09, shift_deg=90.0)
        if p.finding == "osteosynthesis":
            hw.plate(cv, (0.6, 0.3), (0.6, 0.58), n_screws=4, screw_len=0.06, toward_deg=180.0)
        return
    cv.capsule("soft", (0.5, -0.2), (0.5, 0.72), 0.2, 0.19, rho=SOFT, union=True)
    cv.ellipse("soft", (0.5, 0.92), 0.24, 0.2, depth=0.15, rho=SOFT, union=True)
    long_bone(cv, (0.52, -0.2), (0.52, 0.46), 0.065, 0.065, 0.11, maturity=m)
    cv.ellipse("bone", (0.52, 0.55), 0.13, 0.06, depth=0.09, rho=1.0, hollow=0.8, rho_in=0.5, p=4.0)
    cv.capsule("bone", (0.625, 0.56), (0.635, 0.68), 0.032, 0.026, rho=1.0)
    long_bone(cv, (0.32, -0.2), (0.335, 0.56), 0.024, 0.021, 0.03, maturity=m)
    cv.capsule("bone", (0.335, 0.56), (0.345, 0.74), 0.035, 0.024, rho=1.0)
    cv.ellipse("bone", (0.5, 0.72), 0.12, 0.09, depth=0.09, rho=1.0, hollow=0.8, rho_in=0.45, p=2.4)
    cv.ellipse("bone", (0.5, 0.9), 0.14, 0.07, depth=0.05, rho=0.8, hollow=0.7, rho_in=0.5)
    if m < 0.95:
        cv.band((0.52, 0.48), 0.0, 0.13, 0.012, factor=0.2)
        cv.band((0.335, 0.57), 0.0, 0.04, 0.01, factor=0.2)
    cv.mark("malleolus", 0.338, 0.63, toward_deg=120.0, half_len=0.045)
    cv.mark("joint", 0.51, 0.62)
    if p.finding == "osteosynthesis":
        hw.plate(cv, (0.3, 0.36), (0.31, 0.68), n_screws=5, screw_len=0.07, toward_deg=0.0)
        for x in (0.62, 0.645):
            hw.screw(cv, (x, 0.72), -95.0, 0.15)


MT = [  # base, head, radius (R foot: hallux on the image right)
    ((0.64, 0.82), (0.70, 0.47), 0.03),
    ((0.565, 0.80), (0.585, 0.40), 0.02),
    ((0.495, 0.80), (0.495, 0.42), 0.019),
    ((0.43, 0.82), (0.41, 0.45), 0.018),
    ((0.365, 0.86), (0.32, 0.50), 0.018),
]


def draw_foot(cv: Canvas, p: PhantomParams, rng: np.random.Generator) -> None:
    """Foot dorsoplantar/oblique (toes up, hallux on the right) or LAT (heel on the right)."""
    m = p.maturity
    if p.view == "LAT":
        cv.capsule("soft", (0.62, -0.2), (0.62, 0.3), 0.13, 0.13, rho=SOFT, union=True)
        cv.chain("soft", [(0.8, 0.45), (0.4, 0.45), (0.05, 0.55), (-0.1, 0.56)],
                 [0.13, 0.12, 0.06, 0.05], rho=SOFT, union=True)
        long_bone(cv, (0.62, -0.2), (0.62, 0.15), 0.07, 0.07, 0.09, maturity=m)
        cv.capsule("bone", (0.67, -0.2), (0.675, 0.26), 0.022, 0.026, rho=1.0)
        cv.ellipse("bone", (0.6, 0.27), 0.11, 0.07, depth=0.08, rho=1.0, hollow=0.8, rho_in=0.45)
        cv.ellipse("bone", (0.74, 0.45), 0.17, 0.085, 18.0, depth=0.09, rho=1.0, hollow=0.8,
                   rho_in=0.45)
        cv.ellipse("bone", (0.44, 0.33), 0.035, 0.05, 20.0, depth=0.05, rho=1.0, hollow=0.7, rho_in=0.5)
        cv.ellipse("bone", (0.37, 0.38), 0.04, 0.045, depth=0.05, rho=1.0, hollow=0.7, rho_in=0.5)
        cv.ellipse("bone", (0.5, 0.44), 0.05, 0.04, depth=0.05, rho=1.0, hollow=0.7, rho_in=0.5)
        for a, b in (((0.33, 0.40), (0.08, 0.54)), ((0.34, 0.43), (0.09, 0.56)),
                     ((0.45, 0.47), (0.12, 0.58))):
            long_bone(cv, a, b, 0.024, 0.017, 0.022, maturity=m)
        cv.capsule("bone", (0.07, 0.545), (-0.06, 0.56), 0.014, 0.011, rho=1.0)
        cv.mark("calcaneus", 0.74, 0.44, toward_deg=60.0, half_len=0.09, shift_deg=90.0)
        cv.mark("metatarsal", 0.28, 0.5, toward_deg=160.0, half_len=0.04)
        if p.finding == "osteosynthesis":
            hw.plate(cv, (0.62, 0.42), (0.86, 0.5), n_screws=5, screw_len=0.09, toward_deg=100.0)
        return
    cv.ellipse("soft", (0.5, 0.78), 0.26, 0.62, depth=0.09, rho=SOFT, p=2.2, union=True)
    for (b, hd, r), lengths in zip(MT, ((0.1, 0.07), (0.07, 0.035, 0.03), (0.065, 0.033, 0.028),
                                       (0.06, 0.03, 0.026), (0.055, 0.028, 0.025))):
        long_bone(cv, b, hd, r * 1.3, r * 0.8, r * 1.2, epi=(0 if r > 0.025 else 1), maturity=m)
        dx, dy = hd[0] - b[0], hd[1] - b[1]
        n = (dx * dx + dy * dy) ** 0.5
        ux, uy = dx / n, dy / n
        x, y = hd[0] + ux * 0.015, hd[1] + uy * 0.015
        rr = r * (0.9 if r > 0.025 else 0.75)
        cv.capsule("soft", (x, y), (x + ux * sum(lengths), y + uy * sum(lengths)), rr * 2.2,
                   rr * 1.8, rho=SOFT, union=True)
        for L in lengths:
            e = (x + ux * L, y + uy * L)
            long_bone(cv, (x, y), e, rr * 1.2, rr * 0.75, rr, epi=0, maturity=m)
            x, y = e[0] + ux * 0.012, e[1] + uy * 0.012
    cv.ellipse("bone", (0.345, 0.87), 0.03, 0.025, depth=0.03, rho=1.0)  # MT5 tuberosity
    for c, ax, ay, ang in (((0.625, 0.88), 0.035, 0.045, 0.0), ((0.555, 0.875), 0.025, 0.035, 0.0),
                           ((0.49, 0.88), 0.027, 0.035, 0.0), ((0.41, 0.93), 0.045, 0.05, 20.0),
                           ((0.57, 0.96), 0.075, 0.03, -10.0), ((0.57, 1.06), 0.08, 0.08, 0.0),
                           ((0.47, 1.17), 0.1, 0.15, 10.0)):
        cv.ellipse("bone", c, ax, ay, ang, depth=min(ax, ay) * 1.2, rho=1.0, hollow=0.75, rho_in=0.5)
    b, hd, _ = MT[4]
    cv.mark("metatarsal", b[0] + (hd[0] - b[0]) * 0.3, b[1] + (hd[1] - b[1]) * 0.3,
            toward_deg=-100.0, half_len=0.028)
    cv.mark("calcaneus", 0.47, 1.17, toward_deg=0.0, half_len=0.09)
    if p.finding == "osteosynthesis":
        hw.plate(cv, (0.64, 0.78), (0.695, 0.5), n_screws=4, screw_len=0.04, toward_deg=180.0)
        hw.screw(cv, (0.33, 0.9), -80.0, 0.12)
