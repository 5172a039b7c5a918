"""Upper-limb anatomy drawers: hand (also framed as the wrist), forearm, elbow, shoulder.

Each drawer paints soft tissue and bones into a :class:`Canvas` in units (x 0..1,
y 0..aspect, y down), records fracture-site landmarks with ``cv.mark`` and draws the
finding's geometry (osteoarthritis, dislocation, hardware, growth plates). Fracture
lines themselves are cut afterwards by :mod:`bonesearch.demo.phantoms` at the landmark.
Layouts are drawn for the right side (thumb/radius on the image left), except the
shoulder which is drawn as a left shoulder; the caller mirrors as needed.
"""

from __future__ import annotations

import math

import numpy as np

from bonesearch.demo import hardware as hw
from bonesearch.demo.phantom_core import Canvas, PhantomParams, long_bone

SOFT = 1.5

# index..little: base x, angle from vertical (deg), lengths MC, PP, MP, DP, shaft radius
FINGERS = [
    (0.425, -7.0, (0.27, 0.20, 0.12, 0.08), 0.021),
    (0.490, -1.0, (0.26, 0.22, 0.14, 0.085), 0.022),
    (0.555, 5.0, (0.245, 0.205, 0.13, 0.08), 0.020),
    (0.615, 11.0, (0.215, 0.165, 0.10, 0.07), 0.018),
]
# name: x, y, ax, ay, angle, age of appearance (years)
CARPALS = {
    "capitate": (0.495, 0.955, 0.032, 0.045, 0.0, 0.3),
    "hamate": (0.565, 0.955, 0.030, 0.040, 10.0, 0.4),
    "triquetrum": (0.592, 1.015, 0.026, 0.024, 0.0, 2.5),
    "lunate": (0.515, 1.030, 0.030, 0.025, 0.0, 4.0),
    "trapezium": (0.392, 0.962, 0.028, 0.028, 0.0, 5.0),
    "trapezoid": (0.442, 0.952, 0.022, 0.025, 0.0, 5.5),
    "scaphoid": (0.437, 1.020, 0.042, 0.022, 45.0, 5.5),
    "pisiform": (0.612, 1.000, 0.016, 0.016, 0.0, 10.0),
}


def _step(x: float, y: float, ang: float, length: float) -> tuple[float, float]:
    a = math.radians(ang)
    return x + length * math.sin(a), y - length * math.cos(a)


def _bone(cv: Canvas, p: PhantomParams, a: tuple[float, float], b: tuple[float, float],
          r: float, epi: int | None, tuft: bool = False) -> None:
    r0, rs, r1 = r * 1.25, r * 0.72, (r * 0.85 if tuft else r * 1.2)
    long_bone(cv, a, b, r0, rs, r1, epi=epi, maturity=p.maturity, hollow=0.55, rho_in=0.4)


def draw_hand(cv: Canvas, p: PhantomParams, rng: np.random.Generator) -> None:
    """Hand (PA/OBL/LAT by squeeze) with carpus and distal forearm; also used for the wrist."""
    age = p.bone_age
    sev = max(int(p.kl_grade), 1) if p.finding == "osteoarthritis" else 0
    child_scale = 0.85 + 0.15 * p.maturity
    cv.capsule("soft", (0.5, 0.95), (0.5, 1.6), 0.15, 0.14, rho=SOFT, union=True)
    cv.ellipse("soft", (0.515, 0.82), 0.19, 0.17, depth=0.07, rho=SOFT, union=True)
    disl_finger = 3  # little finger (reports say "5e doigt")
    for i, (bx, ang, lengths, r) in enumerate(FINGERS):
        r *= child_scale
        x, y = bx, 0.90
        tip = _step(x, y, ang + 2 * i, sum(lengths) + 0.05)
        cv.capsule("soft", _step(x, y, ang, lengths[0] * 0.8), tip, r * 1.9, r * 1.6,
                   rho=SOFT, union=True)
        gap = 0.014
        for j, L in enumerate(lengths):
            a = ang + (2.0 * i if j > 0 else 0.0)
            g = gap
            if sev and j >= 2:
                g = gap * (1.0 - 0.2 * sev)
            if j > 0:
                x, y = _step(x, y, a, g)
            if p.finding == "dislocation" and i == disl_finger and j == 2:
                x, y = x + 0.035, y + 0.01
                a += 18.0
            end = _step(x, y, a, L)
            _bone(cv, p, (x, y), end, r if j < 3 else r * 0.85,
                  epi=(1 if j == 0 else 0), tuft=(j == 3))
            if j == 0 and i == 3:
                cv.mark("metacarpal", *_step(x, y, a, L * 0.78), toward_deg=a - 90, half_len=0.04,
                        shift_deg=a + 110)
            if j == 1 and i == 2:
                cv.mark("phalanx", *_step(x, y, a, L * 0.5), toward_deg=a - 90, half_len=0.035)
            if sev and j >= 2:  # Heberden/Bouchard osteophytes + subchondral sclerosis
                for s in (-1, 1):
                    ox = x + s * r * 1.25 * math.cos(math.radians(a))
                    oy = y + s * r * 1.25 * math.sin(math.radians(a))
                    cv.ellipse("bone", (ox, oy), 0.004 * sev + 0.003, 0.004 * sev + 0.003,
                               depth=0.006, rho=1.4)
                cv.ellipse("bone", (x, y), r * 1.0, 0.004, a, depth=r, rho=0.35 * sev)
            x, y = end
    # thumb: MC1 (epiphysis proximal), PP1, DP1
    r = 0.022 * child_scale
    x, y, a = 0.378, 0.93, -38.0
    if sev and p.site == "trapeziometacarpal":
        x, y = x - 0.006 * sev, y - 0.004 * sev
        cv.ellipse("bone", (0.372, 0.955), 0.004 * sev + 0.004, 0.006 * sev, depth=0.008, rho=1.5)
    cv.capsule("soft", (0.42, 0.93), _step(x, y, a, 0.38), 0.05, 0.035, rho=SOFT, union=True)
    for j, L in enumerate((0.16, 0.11, 0.075)):
        if j:
            x, y = _step(x, y, a, 0.014)
        end = _step(x, y, a, L)
        _bone(cv, p, (x, y), end, r, epi=0, tuft=(j == 2))
        x, y, a = end[0], end[1], a + 8
    _carpus(cv, p, age)
    _distal_forearm(cv, p, age)
    _hand_hardware(cv, p)


def _carpus(cv: Canvas, p: PhantomParams, age: float) -> None:
    for name, (x, y, ax, ay, ang, appear) in CARPALS.items():
        if age <= appear:
            continue
        f = float(np.clip((age - appear) / 6.0, 0.3, 1.0))
        cv.ellipse("bone", (x, y), ax * f, ay * f, ang, depth=min(ax, ay) * f * 1.3,
                   rho=1.0, hollow=0.7, rho_in=0.5)
    if "scaphoid" in CARPALS:
        x, y, *_ = CARPALS["scaphoid"]
        cv.mark("scaphoid", x, y, toward_deg=-45.0, half_len=0.03)


def _distal_forearm(cv: Canvas, p: PhantomParams, age: float) -> None:
    m = p.maturity
    long_bone(cv, (0.46, 1.55), (0.45, 1.075), 0.04, 0.034, 0.063, epi=1, maturity=m)
    cv.capsule("bone", (0.41, 1.08), (0.395, 1.035), 0.016, 0.01, rho=1.0)
    ulna_end = 1.09 if age > 6 or m >= 0.95 else 1.12
    long_bone(cv, (0.585, 1.55), (0.585, ulna_end), 0.026, 0.024, 0.03,
              epi=(1 if age > 6 else None), maturity=m)
    cv.capsule("bone", (0.598, ulna_end - 0.005), (0.605, ulna_end - 0.03), 0.009, 0.006, rho=1.0)
    cv.mark("distal_radius", 0.452, 1.125, toward_deg=-90.0, half_len=0.07, shift_deg=150.0)


def _hand_hardware(cv: Canvas, p: PhantomParams) -> None:
    if p.finding != "osteosynthesis":
        return
    if p.body_part == "hand":
        hw.wire(cv, (0.60, 0.88), (0.655, 0.66))
        hw.wire(cv, (0.64, 0.87), (0.62, 0.66))
    elif p.hardware == "wires":
        hw.wire(cv, (0.39, 1.04), (0.47, 1.22))
        hw.wire(cv, (0.41, 1.03), (0.50, 1.20))
    else:
        hw.plate(cv, (0.45, 1.10), (0.46, 1.36), n_screws=3, screw_len=0.035, toward_deg=10.0,
                 t_head=True)


def draw_forearm(cv: Canvas, p: PhantomParams, rng: np.random.Generator) -> None:
    """Forearm: radius and ulna full length, wrist at the top, elbow at the bottom."""
    m = p.maturity
    cv.capsule("soft", (0.5, -0.2), (0.5, 1.5), 0.14, 0.19, rho=SOFT, union=True)
    for name, (x, y, ax, ay, ang, appear) in CARPALS.items():
        if p.bone_age > appear and y > 1.0:
            cv.ellipse("bone", (x, y - 1.02), ax, ay, ang, depth=min(ax, ay), rho=1.0,
                       hollow=0.7, rho_in=0.5)
    long_bone(cv, (0.43, 0.07), (0.46, 1.2), 0.055, 0.024, 0.03, epi=0, maturity=m)
    long_bone(cv, (0.585, 0.09), (0.565, 1.27), 0.024, 0.021, 0.045, epi=0, maturity=m)
    cv.ellipse("bone", (0.52, 1.36), 0.16, 0.06, depth=0.05, rho=1.0, hollow=0.7, rho_in=0.4)
    cv.mark("forearm_shaft", 0.445, 0.66, toward_deg=90.0, half_len=0.045, shift_deg=30.0)
    cv.mark("forearm_shaft_2", 0.574, 0.60, toward_deg=90.0, half_len=0.04, shift_deg=30.0)
    cv.mark("distal_radius", 0.432, 0.12, toward_deg=-90.0, half_len=0.06, shift_deg=-150.0)
    if p.finding == "osteosynthesis":
        hw.plate(cv, (0.415, 0.45), (0.425, 0.85), n_screws=6, screw_len=0.06, toward_deg=0.0)
        hw.plate(cv, (0.59, 0.42), (0.585, 0.80), n_screws=5, screw_len=0.05, toward_deg=180.0)


def draw_elbow(cv: Canvas, p: PhantomParams, rng: np.random.Generator) -> None:
    """Elbow: AP (extended) or LAT (flexed 90 degrees); posterior dislocation if asked."""
    m = p.maturity
    disl = p.finding == "dislocation"
    if p.view == "LAT":
        cv.capsule("soft", (0.45, -0.2), (0.45, 0.6), 0.19, 0.17, rho=SOFT, union=True)
        cv.capsule("soft", (0.42, 0.62), (1.3, 0.72), 0.16, 0.13, rho=SOFT, union=True)
        long_bone(cv, (0.45, -0.2), (0.46, 0.47), 0.05, 0.05, 0.08, maturity=m)
        cv.ellipse("bone", (0.47, 0.55), 0.075, 0.075, depth=0.06, rho=1.0, hollow=0.75, rho_in=0.5)
        dx, dy = (-0.14, -0.10) if disl else (0.0, 0.0)
        long_bone(cv, (0.40 + dx, 0.56 + dy), (1.3 + dx, 0.76 + dy), 0.05, 0.026, 0.03, epi=None,
                  maturity=m)
        cv.ellipse("bone", (0.375 + dx, 0.53 + dy), 0.045, 0.06, -20.0, depth=0.04, rho=1.0,
                   hollow=0.7, rho_in=0.45)
        long_bone(cv, (0.53 + dx, 0.62 + dy), (1.3 + dx, 0.68 + dy), 0.034, 0.022, 0.04, epi=0,
                  maturity=m)
        cv.mark("olecranon", 0.38 + dx, 0.53 + dy, toward_deg=-110.0, half_len=0.055,
                shift_deg=-100.0)
        cv.mark("radial_head", 0.55 + dx, 0.62 + dy, toward_deg=180.0, half_len=0.04)
        if p.finding == "osteosynthesis":
            hw.wire(cv, (0.34, 0.50), (0.70, 0.66))
            hw.wire(cv, (0.335, 0.54), (0.70, 0.70))
            hw.wire(cv, (0.36, 0.47), (0.62, 0.74), r=0.003)
        return
    cv.capsule("soft", (0.5, -0.2), (0.5, 1.5), 0.22, 0.17, rho=SOFT, union=True)
    long_bone(cv, (0.5, -0.2), (0.5, 0.42), 0.05, 0.05, 0.12, maturity=m)
    cv.ellipse("bone", (0.5, 0.5), 0.15, 0.06, depth=0.05, rho=1.0, hollow=0.8, rho_in=0.45, p=3.0)
    for x in (0.345, 0.655):  # epicondyles
        cv.ellipse("bone", (x, 0.46), 0.035, 0.04, depth=0.03, rho=1.0)
    cv.ellipse("bone", (0.5, 0.44), 0.045, 0.035, depth=0.03, rho=-0.8)  # olecranon fossa
    dx, dy = (-0.05, -0.09) if disl else (0.0, 0.0)
    long_bone(cv, (0.40 + dx, 0.60 + dy), (0.38 + dx, 1.5 + dy), 0.042, 0.024, 0.032, epi=0,
              maturity=m)
    long_bone(cv, (0.56 + dx, 0.50 + dy), (0.585 + dx, 1.5 + dy), 0.05, 0.026, 0.025, maturity=m)
    cv.mark("radial_head", 0.40 + dx, 0.64 + dy, toward_deg=180.0, half_len=0.05)
    cv.mark("olecranon", 0.56 + dx, 0.53 + dy, toward_deg=-90.0, half_len=0.055)
    if p.finding == "osteosynthesis":
        hw.wire(cv, (0.545, 0.44), (0.55, 0.85))
        hw.wire(cv, (0.575, 0.44), (0.58, 0.85))


def draw_shoulder(cv: Canvas, p: PhantomParams, rng: np.random.Generator) -> None:
    """Shoulder AP (left layout: humerus on the right, ribs towards the left)."""
    m = p.maturity
    cv.ellipse("soft", (0.4, 0.75), 0.75, 0.7, depth=0.2, rho=0.8, union=True)
    cv.capsule("soft", (0.62, 0.3), (0.75, 1.3), 0.2, 0.17, rho=SOFT, union=True)
    cv.ellipse("soft", (0.12, 0.8), 0.32, 0.5, depth=0.12, rho=-0.9)  # lung field
    for k in range(6):  # ribs
        y0 = 0.35 + 0.14 * k
        pts = [(-0.05, y0 - 0.05), (0.15, y0 - 0.08), (0.32, y0 + 0.0), (0.42, y0 + 0.12)]
        cv.chain("bone", pts, [0.013] * 4, rho=0.9, hollow=0.6, rho_in=0.2)
    cv.ellipse("bone", (0.33, 0.62), 0.13, 0.27, -18.0, depth=0.018, rho=1.0, hollow=0.85,
               rho_in=0.6)  # scapula body
    cv.ellipse("bone", (0.455, 0.44), 0.028, 0.075, depth=0.035, rho=1.0, hollow=0.7, rho_in=0.5)
    cv.chain("bone", [(0.40, 0.27), (0.55, 0.24), (0.68, 0.27)], [0.03, 0.03, 0.025], rho=1.0,
             hollow=0.6, rho_in=0.5)  # acromion / spine of scapula
    cv.capsule("bone", (0.44, 0.36), (0.52, 0.33), 0.022, 0.016, rho=1.0)  # coracoid
    cv.chain("bone", [(-0.05, 0.14), (0.18, 0.19), (0.38, 0.17), (0.56, 0.225)],
             [0.026, 0.025, 0.025, 0.03], rho=1.0, hollow=0.55, rho_in=0.35)  # clavicle
    cv.mark("clavicle", 0.28, 0.18, toward_deg=-5.0, half_len=0.045, shift_deg=70.0)
    dx, dy = (-0.13, 0.13) if p.finding == "dislocation" else (0.0, 0.0)
    hx, hy = 0.57 + dx, 0.44 + dy
    cv.ellipse("bone", (hx, hy), 0.105, 0.11, depth=0.1, rho=1.0, hollow=0.8, rho_in=0.45)
    cv.ellipse("bone", (hx + 0.09, hy - 0.03), 0.04, 0.05, depth=0.04, rho=0.8)  # tuberosity
    long_bone(cv, (hx + 0.05, hy + 0.08), (hx + 0.12, 1.4), 0.075, 0.05, 0.05, maturity=m)
    if m < 0.95:
        cv.band((hx + 0.02, hy + 0.05), 15.0, 0.12, 0.01, factor=0.2)
    cv.mark("humeral_neck", hx + 0.065, hy + 0.16, toward_deg=-100.0, half_len=0.08,
            shift_deg=170.0)
    if p.finding == "osteosynthesis":
        if p.hardware == "nail":
            hw.nail(cv, (hx + 0.02, hy - 0.1), (hx + 0.11, 1.2), r=0.014)
        else:
            hw.plate(cv, (hx + 0.14, hy - 0.02), (hx + 0.165, hy + 0.45), n_screws=6,
                     screw_len=0.14, toward_deg=195.0)
