"""Orthopaedic hardware drawn into the metal layer: plates, screws, nails, wires, prostheses.

Metal is drawn with a high density so that it saturates to near white on the film,
which keeps it obvious after downscaling to 128 px.
"""

from __future__ import annotations

import math

from bonesearch.demo.phantom_core import Canvas

METAL = 4.0  # density of metal relative to cortical bone path lengths


def screw(cv: Canvas, p: tuple[float, float], angle_deg: float, length: float,
          r: float = 0.007) -> None:
    """A screw of ``length`` units starting at ``p`` (head) pointing along ``angle_deg``."""
    a = math.radians(angle_deg)
    q = (p[0] + length * math.cos(a), p[1] + length * math.sin(a))
    cv.capsule("metal", p, q, r * 1.25, r * 0.8, rho=METAL)
    cv.ellipse("metal", p, r * 1.8, r * 1.8, depth=r * 1.2, rho=METAL)


def plate(cv: Canvas, p0: tuple[float, float], p1: tuple[float, float], width: float = 0.022,
          n_screws: int = 4, screw_len: float = 0.07, toward_deg: float = 0.0,
          t_head: bool = False) -> None:
    """A straight plate from p0 to p1 with ``n_screws`` screws driven towards ``toward_deg``.

    ``t_head`` adds a transverse head at p0 with two extra screws (distal radius plate).
    """
    (x0, y0), (x1, y1) = p0, p1
    L = math.hypot(x1 - x0, y1 - y0)
    ang = math.degrees(math.atan2(y1 - y0, x1 - x0))
    cv.plate("metal", ((x0 + x1) / 2, (y0 + y1) / 2), L, width, ang, rho=METAL, depth=0.006)
    for i in range(n_screws):
        t = (i + 0.5) / n_screws
        sp = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
        screw(cv, sp, toward_deg, screw_len)
    if t_head:
        perp = ang + 90.0
        a = math.radians(perp)
        hw = width * 2.2
        cv.plate("metal", (x0, y0), hw * 2, width * 1.1, perp, rho=METAL, depth=0.006)
        for k in (-1, 1):
            sp = (x0 + k * hw * 0.7 * math.cos(a), y0 + k * hw * 0.7 * math.sin(a))
            screw(cv, sp, ang + 180.0, screw_len * 0.7)


def nail(cv: Canvas, p0: tuple[float, float], p1: tuple[float, float], r: float = 0.014,
         locking: int = 2) -> None:
    """An intramedullary nail with ``locking`` transverse screws at each end."""
    (x0, y0), (x1, y1) = p0, p1
    cv.capsule("metal", p0, p1, r, r * 0.85, rho=METAL)
    ang = math.degrees(math.atan2(y1 - y0, x1 - x0)) + 90.0
    for i in range(locking):
        for t in (0.06 + 0.05 * i, 0.94 - 0.05 * i):
            c = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
            a = math.radians(ang)
            start = (c[0] - 0.05 * math.cos(a), c[1] - 0.05 * math.sin(a))
            screw(cv, start, ang, 0.1, r=0.006)


def wire(cv: Canvas, p0: tuple[float, float], p1: tuple[float, float], r: float = 0.004) -> None:
    """A Kirschner wire (thin, very bright line)."""
    cv.capsule("metal", p0, p1, r, r, rho=METAL * 1.5)


def hip_prosthesis(cv: Canvas, head: tuple[float, float], r_head: float,
                   neck_end: tuple[float, float], stem_end: tuple[float, float],
                   cup: bool = True) -> None:
    """A femoral stem + head (and an acetabular cup when ``cup``: total hip)."""
    cv.ellipse("metal", head, r_head * 0.8, r_head * 0.8, depth=r_head * 0.8, rho=METAL)
    cv.capsule("metal", head, neck_end, 0.018, 0.022, rho=METAL)
    cv.capsule("metal", neck_end, stem_end, 0.024, 0.01, rho=METAL)
    if cup:
        cv.ellipse("metal", head, r_head * 1.15, r_head * 1.15, depth=r_head * 1.15,
                   rho=METAL * 0.5, hollow=0.85, rho_in=0.0)
