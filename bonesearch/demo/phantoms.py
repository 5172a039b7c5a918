"""Procedural radiograph phantoms whose pixels carry the labels.

``render_phantom(PhantomParams(...))`` draws one radiograph: soft tissue and the body
part's bones (see ``anatomy_*``), the finding (fracture line cut at the site landmark,
joint-space narrowing/osteophytes/sclerosis, dislocation, bright metal), then heel
effect, noise, a collimation shutter and a lead L/R marker. Everything derives from
``params.seed``; geometry, finding details and noise use separate streams so that the
same seed with and without a fracture differs only around the fracture site.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from bonesearch.demo import anatomy_axial, anatomy_lower, anatomy_upper
from bonesearch.demo.phantom_core import Canvas, Landmark, PhantomParams, finish, stamp, text_mask

__all__ = ["PhantomParams", "Phantom", "render_phantom", "BODY_PARTS", "VIEWS", "image_size"]

BODY_PARTS = ("wrist", "hand", "elbow", "shoulder", "hip", "knee", "ankle", "foot", "forearm",
              "leg", "pelvis", "spine")
VIEWS = {  # usual projections per body part, first = main view
    "wrist": ("PA", "LAT"), "hand": ("PA", "OBL", "LAT"), "elbow": ("AP", "LAT"),
    "shoulder": ("AP", "OBL"), "hip": ("AP", "LAT"), "knee": ("AP", "LAT"),
    "ankle": ("AP", "LAT"), "foot": ("AP", "OBL", "LAT"), "forearm": ("AP", "LAT"),
    "leg": ("AP", "LAT"), "pelvis": ("AP",), "spine": ("AP", "LAT"),
}
Drawer = Callable[[Canvas, PhantomParams, np.random.Generator], None]


@dataclass(frozen=True)
class _Layout:
    draw: Drawer
    aspect: float  # image height / width
    native: str = "R"  # side the drawer's layout represents
    zoom: float = 1.0
    center: tuple[float, float] | None = None
    gain: float = 1.0  # bone contrast (exposure chosen for the body part)


def _layout(part: str, view: str) -> tuple[_Layout, float]:
    """Drawer, framing and lateral squeeze for a body part and view."""
    up, lo, ax = anatomy_upper, anatomy_lower, anatomy_axial
    lat = view == "LAT"
    obl = view == "OBL"
    table: dict[str, _Layout] = {
        "hand": _Layout(up.draw_hand, 1.25, center=(0.5, 0.72), gain=2.2),
        "wrist": _Layout(up.draw_hand, 1.2, zoom=1.9, center=(0.5, 1.05), gain=1.2),
        "forearm": _Layout(up.draw_forearm, 1.35, gain=2.2),
        "elbow": _Layout(up.draw_elbow, 1.15 if not lat else 0.95,
                         center=(0.5, 0.58) if not lat else (0.6, 0.5), gain=1.4),
        "shoulder": _Layout(up.draw_shoulder, 1.0, native="L", gain=1.4),
        "hip": _Layout(ax.draw_hip, 1.05, gain=1.4),
        "pelvis": _Layout(ax.draw_pelvis, 0.8, gain=1.8),
        "spine": _Layout(ax.draw_spine, 1.3, gain=0.9),
        "knee": _Layout(lo.draw_knee, 1.2, gain=0.9),
        "leg": _Layout(lo.draw_leg, 1.35, gain=0.95),
        "ankle": _Layout(lo.draw_ankle, 1.2, gain=1.1),
        "foot": _Layout(lo.draw_foot, 1.3 if not lat else 0.8, gain=2.0),
    }
    lay = table[part]
    custom_lat = part in ("elbow", "knee", "ankle", "foot", "spine")
    squeeze = 1.0
    if lat and not custom_lat:
        squeeze = 0.35
    elif obl:
        squeeze = 0.72
    return lay, squeeze


@dataclass
class Phantom:
    """A rendered phantom: display image (0..1, bone bright), bone layer and landmarks (px)."""

    image: np.ndarray
    bone: np.ndarray
    landmarks: dict[str, tuple[float, float]]
    params: PhantomParams
    flipped: bool = False
    collimation: tuple[int, int, int, int] = (0, 0, 0, 0)  # top, bottom, left, right (px)


def image_size(part: str, view: str, long_side: int) -> tuple[int, int]:
    """(rows, columns) of the image for a body part/view with the given longest side."""
    lay, _ = _layout(part, view)
    if lay.aspect >= 1:
        return int(long_side), int(round(long_side / lay.aspect))
    return int(round(long_side * lay.aspect)), int(long_side)


def _fracture(cv: Canvas, lm: Landmark, rng: np.random.Generator) -> None:
    toward = lm.angle + math.pi / 2
    direction = lm.shift if lm.shift is not None else toward + rng.uniform(-0.7, 0.7)
    mag = rng.uniform(0.01, 0.03)
    unit = cv.ln(1.0)
    width = float(np.clip(0.45 * lm.half_len / unit, 0.018, 0.03)) * rng.uniform(0.85, 1.15)
    cv.band(lm, width=width, factor=0.03, jag=rng.uniform(0.5, 1.1), rng=rng,
            shift=(mag * math.cos(direction), mag * math.sin(direction)),
            rotate_deg=rng.uniform(-7.0, 7.0), sclerosis=0.6 if rng.random() < 0.4 else 0.0)


def render_phantom(params: PhantomParams) -> Phantom:
    """Render the phantom radiograph described by ``params`` (deterministic per seed)."""
    p = params
    lay, squeeze = _layout(p.body_part, p.view)
    h, w = image_size(p.body_part, p.view, p.long_side)
    pose = np.random.default_rng([p.seed, 1]) if p.jitter else None
    cv = Canvas(h, w, pose, squeeze=squeeze, squeeze_x=0.5, zoom=lay.zoom, center=lay.center)
    lay.draw(cv, p, np.random.default_rng([p.seed, 2]))
    if p.finding == "fracture" and p.site and p.site not in anatomy_axial.GEOMETRIC_FRACTURES:
        frng = np.random.default_rng([p.seed, 4])
        for name in (p.site, p.site + "_2"):
            if name in cv.landmarks:
                _fracture(cv, cv.landmarks[name], frng)
    cv.layers["bone"] *= lay.gain
    nrng = np.random.default_rng([p.seed, 3])
    img = finish(cv, nrng, noise=p.noise)
    bone = cv.layers["bone"]
    flip = p.side in ("L", "R") and p.side != lay.native
    marks = {k: (v.x, v.y) for k, v in cv.landmarks.items()}
    t, b, lft, r = cv.collimation
    if flip:
        img, bone = img[:, ::-1].copy(), bone[:, ::-1].copy()
        marks = {k: (w - 1 - x, y) for k, (x, y) in marks.items()}
        lft, r = w - r, w - lft
    if p.marker:
        letter = p.side if p.side in ("L", "R") else ("R" if nrng.random() < 0.5 else "L")
        m = text_mask(letter, max(int(0.06 * max(h, w)), 10))
        top = t + int(0.02 * h)
        left = lft + int(0.03 * w) if nrng.random() < 0.5 else r - m.shape[1] - int(0.03 * w)
        stamp(img, m, top, left, 0.97, mode="over")
    return Phantom(img, bone, marks, p, flip, (t, b, lft, r))
