"""Axial-skeleton drawers: hip (one side), pelvis (both hips), lumbar spine (AP/LAT).

The hip is drawn in a local frame so the pelvis can reuse it twice, mirrored and
scaled. Coxarthrosis narrows the head-acetabulum space and adds osteophytes and roof
sclerosis; osteosynthesis is a hip prosthesis or a dynamic hip screw. A vertebral
fracture is geometric (a compressed, wedged body with an impaction band), listed in
:data:`GEOMETRIC_FRACTURES` so the generic fracture cut is not applied to it.
"""

from __future__ import annotations

import math

import numpy as np

from bonesearch.demo import hardware as hw
from bonesearch.demo.phantom_core import Canvas, PhantomParams, long_bone

SOFT = 1.0
GEOMETRIC_FRACTURES = {"vertebral_body"}
HIP_GAP = (1.0, 0.78, 0.55, 0.32, 0.12)  # joint space factor per OA severity


class _Frame:
    """Local hip frame -> canvas units: scale, offset and optional mirror about x=0.5."""

    def __init__(self, s: float = 1.0, ox: float = 0.0, oy: float = 0.0, mirror: bool = False):
        self.s, self.ox, self.oy, self.mirror = s, ox, oy, mirror

    def P(self, x: float, y: float) -> tuple[float, float]:
        X = self.ox + self.s * x
        return (1.0 - X if self.mirror else X), self.oy + self.s * y

    def A(self, a: float) -> float:
        return 180.0 - a if self.mirror else a


def _hip_unit(cv: Canvas, f: _Frame, p: PhantomParams, sev: int, hardware: str,
              fracture_marks: bool) -> None:
    """One hemipelvis + proximal femur in the local frame (lateral on the left)."""
    s, P, m = f.s, f.P, p.maturity
    gap = 0.026 * HIP_GAP[sev]
    H, rh = (0.56, 0.40), 0.085
    N = (0.42, 0.50)
    cv.ellipse("bone", P(0.70, 0.13), 0.32 * s, 0.2 * s, f.A(-28.0), depth=0.03 * s, rho=1.0,
               hollow=0.9, rho_in=0.6)  # iliac wing
    cv.ellipse("bone", P(0.66, 0.36), 0.12 * s, 0.14 * s, depth=0.05 * s, rho=1.0, hollow=0.8,
               rho_in=0.5)  # acetabular column
    ra = rh + gap
    arc = [P(H[0] + ra * math.cos(t), H[1] + ra * math.sin(t))
           for t in np.radians(np.linspace(195, 345, 7))]
    cv.chain("bone", arc, [0.011 * s] * len(arc), rho=1.2 + 0.5 * sev)
    cv.ellipse("bone", P(0.81, 0.60), 0.16 * s, 0.115 * s, f.A(8.0), depth=0.035 * s, rho=1.0,
               hollow=0.62, rho_in=0.0)  # obturator ring (pubic and ischial rami)
    cv.capsule("bone", P(0.9, 0.53), P(0.99, 0.57), 0.035 * s, 0.04 * s, rho=1.0)  # pubic body
    if hardware == "prosthesis":
        hw.hip_prosthesis(cv, P(*H), rh * s, P(*N), P(0.39, 0.95), cup=p.age_years < 80)
    else:
        cv.ellipse("bone", P(*H), rh * s, rh * s, depth=rh * s, rho=1.0, hollow=0.8, rho_in=0.5)
        cv.capsule("bone", P(*H), P(*N), 0.05 * s, 0.056 * s, rho=1.0, hollow=0.6, rho_in=0.4)
        if m < 0.95:
            cv.band(P(0.525, 0.43), f.A(-35.0 + 90.0), 0.08 * s, 0.01 * s, factor=0.2)
    cv.ellipse("bone", P(0.36, 0.50), 0.05 * s, 0.07 * s, depth=0.05 * s, rho=1.0, hollow=0.7,
               rho_in=0.5)
    cv.ellipse("bone", P(0.47, 0.63), 0.025 * s, 0.03 * s, depth=0.03 * s, rho=1.0)
    long_bone(cv, P(0.40, 0.52), P(0.37, 1.3), 0.07 * s, 0.055 * s, 0.055 * s, maturity=m)
    if sev:
        o = 0.006 + 0.006 * sev
        for t in (200.0, 330.0):
            x, y = H[0] + (ra + 0.01) * math.cos(math.radians(t)), H[1] + (ra + 0.01) * math.sin(math.radians(t))
            cv.ellipse("bone", P(x, y), o * s, o * 0.6 * s, f.A(t), depth=0.012 * s, rho=1.6)
        cv.ellipse("bone", P(0.49, 0.47), o * 0.8 * s, o * 0.6 * s, depth=0.012 * s, rho=1.5)
    if hardware == "screws":
        cv.capsule("metal", P(0.33, 0.58), P(0.545, 0.41), 0.014 * s, 0.012 * s, rho=hw.METAL)
        hw.plate(cv, P(0.33, 0.56), P(0.34, 0.86), n_screws=4, screw_len=0.07 * s,
                 toward_deg=f.A(0.0))
    if fracture_marks:
        cv.mark("femoral_neck", *P(0.49, 0.45), toward_deg=f.A(-35.5), half_len=0.07 * s)
    cv.mark("joint", *P(H[0], H[1] - rh - gap / 2))


def draw_hip(cv: Canvas, p: PhantomParams, rng: np.random.Generator) -> None:
    """Hip AP: hemipelvis, acetabulum, femoral head/neck/trochanters, proximal shaft."""
    cv.ellipse("soft", (0.55, 0.6), 0.8, 0.75, depth=0.25, rho=SOFT, union=True)
    cv.capsule("soft", (0.4, 0.5), (0.38, 1.4), 0.3, 0.25, rho=SOFT, union=True)
    sev = int(np.clip(p.kl_grade, 1, 4)) if p.finding == "osteoarthritis" else 0
    hwk = p.hardware if p.finding == "osteosynthesis" else ""
    _hip_unit(cv, _Frame(), p, sev, hwk, True)


def draw_pelvis(cv: Canvas, p: PhantomParams, rng: np.random.Generator) -> None:
    """Pelvis AP: sacrum, L5, both hemipelves and hips; the finding on ``affected_side``."""
    cv.ellipse("soft", (0.5, 0.45), 0.62, 0.55, depth=0.3, rho=SOFT, union=True)
    cv.ellipse("bone", (0.5, 0.05), 0.09, 0.045, depth=0.06, rho=1.0, hollow=0.85, rho_in=0.5, p=3.5)
    cv.ellipse("bone", (0.5, 0.25), 0.095, 0.15, depth=0.04, rho=0.8, hollow=0.85, rho_in=0.45, p=2.3)
    cv.ellipse("bone", (0.5, 0.43), 0.2, 0.14, depth=0.02, rho=1.0, hollow=0.9, rho_in=0.0)
    sev = int(np.clip(p.kl_grade, 1, 4)) if p.finding == "osteoarthritis" else 0
    hwk = p.hardware if p.finding == "osteosynthesis" else ""
    for side, mirror in (("R", False), ("L", True)):
        hit = p.affected_side in (side, "B")
        f = _Frame(0.56, -0.06, 0.16, mirror)
        _hip_unit(cv, f, p, sev if hit else 0, hwk if hit else "", False)
        key = "joint_" + side
        cv.landmarks[key] = cv.landmarks.pop("joint")


def spine_levels(variant: int) -> tuple[int, int]:
    """(fractured body index 0=L1.., first fused body index) chosen by a study's variant."""
    return variant % 2, 1 + (variant // 2) % 2


def draw_spine(cv: Canvas, p: PhantomParams, rng: np.random.Generator) -> None:
    """Lumbar spine AP (bodies, pedicles, processes) or LAT (bodies, discs, posterior arch)."""
    k_frac, k_hw = spine_levels(p.variant)
    frac = p.finding == "fracture" and p.site == "vertebral_body"
    lat = p.view == "LAT"
    cv.ellipse("soft", (0.5, 0.65), 0.7, 0.9, depth=0.3, rho=SOFT, union=True)
    for k in range(-1, 6):
        y = 0.18 + 0.22 * k
        x = 0.42 + (0.04 * math.sin(math.pi * (k + 1) / 6) if lat else 0.08)
        ay, ang = 0.075, 0.0
        if frac and k == k_frac:
            ay, ang = 0.048, (9.0 if lat else 0.0)
        ax = 0.14 if lat else 0.13
        cv.ellipse("bone", (x, y), ax, ay, ang, depth=0.12, rho=1.0, hollow=0.85, rho_in=0.5, p=3.5)
        if frac and k == k_frac:
            cv.ellipse("bone", (x, y), ax * 0.9, 0.012, ang, depth=0.1, rho=1.2)
            cv.mark("vertebral_body", x, y, half_len=0.12)
        elif k == k_frac:
            cv.mark("vertebral_body", x, y, half_len=0.12)
        if lat:
            cv.capsule("bone", (x + 0.13, y - 0.02), (x + 0.25, y - 0.03), 0.024, 0.02, rho=1.0)
            cv.capsule("bone", (x + 0.27, y + 0.0), (x + 0.38, y + 0.04), 0.032, 0.026, rho=1.0,
                       hollow=0.6, rho_in=0.5)
            cv.ellipse("bone", (x + 0.24, y + 0.09), 0.025, 0.03, depth=0.03, rho=1.0)
        else:
            for s in (-1, 1):
                cv.ellipse("bone", (0.5 + s * 0.085, y - 0.02), 0.02, 0.03, depth=0.03, rho=1.3,
                           hollow=0.6, rho_in=0.3)
                cv.capsule("bone", (0.5 + s * 0.12, y), (0.5 + s * 0.22, y - 0.005), 0.017, 0.012,
                           rho=1.0)
            cv.ellipse("bone", (0.5, y + 0.05), 0.018, 0.04, depth=0.03, rho=1.0)
    if not lat:
        for s in (-1, 1):
            cv.ellipse("bone", (0.5 + s * 0.36, 1.36), 0.2, 0.12, s * 25.0, depth=0.02, rho=1.0,
                       hollow=0.88, rho_in=0.55)
    if p.finding == "osteosynthesis":
        y0, y1 = 0.18 + 0.22 * k_hw, 0.18 + 0.22 * (k_hw + 2)
        if lat:
            x = 0.42 + 0.04
            for k in range(k_hw, k_hw + 3):
                y = 0.18 + 0.22 * k
                hw.screw(cv, (x + 0.25, y - 0.02), 178.0, 0.24, r=0.01)
            cv.capsule("metal", (x + 0.26, y0 - 0.05), (x + 0.26, y1 + 0.03), 0.009, 0.009, rho=hw.METAL)
        else:
            for s in (-1, 1):
                cv.capsule("metal", (0.5 + s * 0.1, y0 - 0.05), (0.5 + s * 0.1, y1 + 0.03), 0.009,
                           0.009, rho=hw.METAL)
                for k in range(k_hw, k_hw + 3):
                    y = 0.18 + 0.22 * k - 0.02
                    hw.screw(cv, (0.5 + s * 0.11, y), 90.0 + s * 70.0, 0.1, r=0.009)
