"""Drawing primitives for procedural radiograph phantoms.

A :class:`Canvas` holds three attenuation layers (soft tissue, bone, metal). Shapes are
given in *units*: x runs 0..1 across the image width, y runs 0..aspect down the image,
so one anatomy description serves every image size. Each primitive adds the X-ray path
length through a 3-D solid (capsule, ellipsoid, super-ellipsoid) inside its bounding box
only, with NumPy broadcasting, so a whole hand costs a few milliseconds. Hollow solids
(a cortex around a less dense medulla) give the bright-edged long bones of real films.

:func:`band` cuts a straight or jagged gap through the bone layer (growth plates,
fracture lines) and can displace the fragment on one side of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

LAYERS = ("soft", "bone", "metal")


@dataclass(frozen=True)
class Landmark:
    """A point of interest in pixel coordinates (before laterality flip is applied).

    ``angle`` is the direction (radians) of a fracture line drawn there and
    ``half_len`` its half length in pixels; ``shift`` the preferred displacement
    direction (radians) of the distal fragment, or None for a random one.
    """

    x: float
    y: float
    angle: float = 0.0
    half_len: float = 10.0
    shift: float | None = None


class Canvas:
    """Attenuation layers plus the global pose (rotation, scale, shift, squeeze) of the anatomy."""

    def __init__(self, h: int, w: int, rng: np.random.Generator | None = None,
                 squeeze: float = 1.0, squeeze_x: float = 0.5, zoom: float = 1.0,
                 center: tuple[float, float] | None = None) -> None:
        """Create an empty canvas; ``rng`` (if given) jitters the pose slightly.

        ``squeeze`` compresses x about ``squeeze_x`` (lateral/oblique views overlap the
        bones); ``zoom`` magnifies about ``center`` (units) to frame a sub-region.
        """
        self.h, self.w = int(h), int(w)
        self.aspect = self.h / self.w
        self.layers = {k: np.zeros((self.h, self.w), np.float32) for k in LAYERS}
        if rng is not None:
            self.theta = math.radians(rng.uniform(-5.0, 5.0))
            self.scale = rng.uniform(0.92, 1.04)
            self.tx, self.ty = rng.uniform(-0.03, 0.03, size=2)
        else:
            self.theta, self.scale, self.tx, self.ty = 0.0, 1.0, 0.0, 0.0
        self.squeeze, self.squeeze_x = squeeze, squeeze_x
        self.zoom = zoom
        self.center = center if center is not None else (0.5, self.aspect / 2)
        self.collimation = (0, self.h, 0, self.w)
        self._c, self._s = math.cos(self.theta), math.sin(self.theta)
        self.landmarks: dict[str, Landmark] = {}

    # ---- coordinate helpers ------------------------------------------------------------
    def pt(self, x: float, y: float) -> tuple[float, float]:
        """Map a point in units to pixel coordinates (column, row)."""
        x = self.squeeze_x + self.squeeze * (x - self.squeeze_x)
        cx, cy = 0.5, self.aspect / 2
        z = self.scale * self.zoom
        dx, dy = (x - self.center[0]) * z, (y - self.center[1]) * z
        rx = self._c * dx - self._s * dy + cx + self.tx
        ry = self._s * dx + self._c * dy + cy + self.ty
        return rx * self.w, ry * self.w

    def ln(self, r: float) -> float:
        """Map a length in units to pixels."""
        return r * self.scale * self.zoom * self.w

    def ang(self, a: float) -> float:
        """Map an angle in unit space (radians) to pixel space."""
        return a + self.theta

    def mark(self, name: str, x: float, y: float, toward_deg: float = 90.0,
             half_len: float = 0.05, shift_deg: float | None = None) -> None:
        """Record a landmark in units: a fracture line through (x, y), perpendicular to
        ``toward_deg`` (the direction, in degrees, of the fragment that moves)."""
        px, py = self.pt(x, y)
        sh = None if shift_deg is None else self.ang(math.radians(shift_deg))
        self.landmarks[name] = Landmark(px, py, self.ang(math.radians(toward_deg - 90.0)),
                                        self.ln(half_len), sh)

    def _grid(self, xs: list[float], ys: list[float], pad: float):
        x0 = max(int(math.floor(min(xs) - pad)), 0)
        x1 = min(int(math.ceil(max(xs) + pad)) + 1, self.w)
        y0 = max(int(math.floor(min(ys) - pad)), 0)
        y1 = min(int(math.ceil(max(ys) + pad)) + 1, self.h)
        if x0 >= x1 or y0 >= y1:
            return None
        yy = np.arange(y0, y1, dtype=np.float32)[:, None]
        xx = np.arange(x0, x1, dtype=np.float32)[None, :]
        return (slice(y0, y1), slice(x0, x1)), xx, yy

    # ---- primitives --------------------------------------------------------------------
    def capsule(self, layer: str, p0: tuple[float, float], p1: tuple[float, float],
                r0: float, r1: float | None = None, rho: float = 1.0,
                hollow: float = 0.0, rho_in: float = 0.0, caps: tuple[bool, bool] = (True, True),
                union: bool = False) -> None:
        """Add a (tapered) capsule from p0 to p1 with radii r0..r1; ``hollow`` = medulla radius fraction.

        ``union`` takes the maximum with the layer instead of adding (soft-tissue outlines).
        """
        r1 = r0 if r1 is None else r1
        (ax, ay), (bx, by) = self.pt(*p0), self.pt(*p1)
        R0, R1 = self.ln(r0), self.ln(r1)
        g = self._grid([ax, bx], [ay, by], max(R0, R1) + 1)
        if g is None:
            return
        sl, xx, yy = g
        dx, dy = bx - ax, by - ay
        l2 = max(dx * dx + dy * dy, 1e-6)
        traw = ((xx - ax) * dx + (yy - ay) * dy) / l2
        t = np.clip(traw, 0.0, 1.0)
        r = R0 + (R1 - R0) * t
        d2 = (xx - ax - t * dx) ** 2 + (yy - ay - t * dy) ** 2
        path = 2.0 * np.sqrt(np.maximum(r * r - d2, 0.0))
        if hollow > 0:
            ri = r * hollow
            path -= (1.0 - rho_in / rho) * 2.0 * np.sqrt(np.maximum(ri * ri - d2, 0.0))
        if not caps[0]:
            path = np.where(traw < 0, 0.0, path)
        if not caps[1]:
            path = np.where(traw >= 1, 0.0, path)
        self._put(layer, sl, (rho / self.w) * path, union)

    def _put(self, layer: str, sl, val: np.ndarray, union: bool) -> None:
        if union:
            np.maximum(self.layers[layer][sl], val, out=self.layers[layer][sl])
        else:
            self.layers[layer][sl] += val

    def chain(self, layer: str, pts: list[tuple[float, float]], radii: list[float],
              rho: float = 1.0, hollow: float = 0.0, rho_in: float = 0.0, union: bool = False) -> None:
        """Add a poly-capsule through ``pts`` with per-point radii (one seamless bone)."""
        n = len(pts) - 1
        for i in range(n):
            self.capsule(layer, pts[i], pts[i + 1], radii[i], radii[i + 1], rho, hollow, rho_in,
                         caps=(i == 0, i == n - 1), union=union)

    def ellipse(self, layer: str, c: tuple[float, float], ax: float, ay: float,
                angle_deg: float = 0.0, depth: float | None = None, rho: float = 1.0,
                hollow: float = 0.0, rho_in: float = 0.0, p: float = 2.0, union: bool = False) -> None:
        """Add a (super-)ellipsoid: in-plane semi-axes ax, ay; ``depth`` its half thickness."""
        depth = min(ax, ay) if depth is None else depth
        cx, cy = self.pt(*c)
        AX, AY, D = self.ln(ax), self.ln(ay), self.ln(depth)
        g = self._grid([cx], [cy], max(AX, AY) + 1)
        if g is None:
            return
        sl, xx, yy = g
        a = self.ang(math.radians(angle_deg))
        ca, sa = math.cos(a), math.sin(a)
        u = (xx - cx) * ca + (yy - cy) * sa
        v = -(xx - cx) * sa + (yy - cy) * ca
        if p == 2.0:
            q = (u / AX) ** 2 + (v / AY) ** 2
        else:
            q = np.abs(u / AX) ** p + np.abs(v / AY) ** p
        path = 2.0 * D * np.sqrt(np.maximum(1.0 - q, 0.0))
        if hollow > 0:
            qi = q / (hollow ** 2) if p == 2.0 else q / hollow ** p
            path -= (1.0 - rho_in / rho) * 2.0 * D * hollow * np.sqrt(np.maximum(1.0 - qi, 0.0))
        self._put(layer, sl, (rho / self.w) * path, union)

    def plate(self, layer: str, c: tuple[float, float], length: float, width: float,
              angle_deg: float, rho: float = 30.0, depth: float = 0.01) -> None:
        """Add a flat rectangular slab (metal plate, screw shank)."""
        self.ellipse(layer, c, length / 2, width / 2, angle_deg, depth=depth, rho=rho, p=12.0)

    def text(self, layer: str, s: str, x: float, y: float, size: float, rho: float) -> None:
        """Stamp text (e.g. a lead marker) in units; top-left at (x, y), ``size`` = text height."""
        px, py = self.pt(x, y)
        mask = text_mask(s, max(int(self.ln(size)), 8))
        stamp(self.layers[layer], mask, int(py), int(px), rho)

    # ---- local operations on the bone layer -------------------------------------------
    def band(self, c: tuple[float, float] | Landmark, angle_deg: float = 0.0, half_len: float = 0.05,
             width: float = 0.01, factor: float = 0.15, jag: float = 0.0,
             rng: np.random.Generator | None = None, shift: tuple[float, float] = (0.0, 0.0),
             rotate_deg: float = 0.0, sclerosis: float = 0.0) -> None:
        """Cut a gap through the bone layer, optionally jagged, displacing the + side.

        ``c`` is a point in units (angles/lengths in units/degrees) or a pixel
        :class:`Landmark`. ``shift`` (units) and ``rotate_deg`` move the fragment on
        the + side of the line; ``sclerosis`` brightens the - side edge (impaction).
        """
        if isinstance(c, Landmark):
            cx, cy, a, hl = c.x, c.y, c.angle, c.half_len
        else:
            cx, cy = self.pt(*c)
            a, hl = self.ang(math.radians(angle_deg)), self.ln(half_len)
        wpx = max(self.ln(width), 1.5)
        sx, sy = self.ln(shift[0]), self.ln(shift[1])
        R = hl * 1.7 + math.hypot(sx, sy)
        g = self._grid([cx], [cy], R)
        if g is None:
            return
        sl, xx, yy = g
        bone = self.layers["bone"]
        crop = bone[sl]
        ua, na = (math.cos(a), math.sin(a)), (-math.sin(a), math.cos(a))
        relx, rely = xx - cx, yy - cy
        s = relx * ua[0] + rely * ua[1]
        h = relx * na[0] + rely * na[1]
        if jag > 0 and rng is not None:
            f1, f2 = rng.uniform(0.15, 0.35, size=2) / max(wpx, 1.0)
            p1, p2 = rng.uniform(0, 2 * math.pi, size=2)
            amp = jag * wpx
            h = h - amp * (np.sin(f1 * s + p1) + 0.6 * np.sin(f2 * 2.3 * s + p2))
        side = (h > 0)
        if sx or sy or rotate_deg:
            dist = np.sqrt(relx * relx + rely * rely)
            wgt = np.clip((R - dist) / (0.45 * R), 0.0, 1.0) * side
            ph = math.radians(rotate_deg)
            rx = relx * math.cos(ph) - rely * math.sin(ph) - relx
            ry = relx * math.sin(ph) + rely * math.cos(ph) - rely
            srcx = np.rint(xx - wgt * (sx + rx)).astype(np.int64) - sl[1].start
            srcy = np.rint(yy - wgt * (sy + ry)).astype(np.int64) - sl[0].start
            srcx = np.clip(srcx, 0, crop.shape[1] - 1)
            srcy = np.clip(srcy, 0, crop.shape[0] - 1)
            crop = crop[srcy, srcx]
        inband = (np.abs(h) < wpx / 2) & (np.abs(s) < hl)
        out = np.where(inband, crop * factor, crop)
        if sclerosis > 0:
            edge = (h < -wpx / 2) & (h > -1.6 * wpx) & (np.abs(s) < hl)
            out = np.where(edge, out * (1.0 + sclerosis), out)
        bone[sl] = out


@lru_cache(maxsize=64)
def text_mask(s: str, height: int) -> np.ndarray:
    """Render ``s`` with PIL's default font at about ``height`` px; float mask in [0, 1]."""
    font = ImageFont.load_default(size=max(height, 8))
    bbox = font.getbbox(s)
    w, h = max(bbox[2], 1) + 4, max(bbox[3], 1) + 4
    im = Image.new("L", (w, h), 0)
    ImageDraw.Draw(im).text((2, 2), s, fill=255, font=font)
    m = np.asarray(im, dtype=np.float32) / 255.0
    rows, cols = np.nonzero(m > 0.05)
    if rows.size:
        m = m[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    return m


def stamp(img: np.ndarray, mask: np.ndarray, top: int, left: int, value: float,
          mode: str = "add") -> None:
    """Stamp ``mask`` (0..1) into ``img`` at (top, left), clipped to the image."""
    h, w = mask.shape
    t0, l0 = max(top, 0), max(left, 0)
    t1, l1 = min(top + h, img.shape[0]), min(left + w, img.shape[1])
    if t0 >= t1 or l0 >= l1:
        return
    m = mask[t0 - top:t1 - top, l0 - left:l1 - left]
    region = img[t0:t1, l0:l1]
    if mode == "add":
        region += value * m
    else:  # "over": blend towards value
        region[...] = region * (1 - m) + value * m


def smooth_noise(rng: np.random.Generator, h: int, w: int, cells: int = 12) -> np.ndarray:
    """Low-frequency noise field in about [-1, 1] (coarse Gaussian grid, bilinear upsample)."""
    ch, cw = max(2, cells * h // max(h, w)), max(2, cells * w // max(h, w))
    coarse = rng.standard_normal((ch, cw)).astype(np.float32)
    im = Image.fromarray(coarse, mode="F").resize((w, h), Image.BILINEAR)
    return np.asarray(im, dtype=np.float32)


def finish(cv: Canvas, rng: np.random.Generator, noise: bool = True,
           mu: tuple[float, float, float] = (1.0, 5.5, 60.0)) -> np.ndarray:
    """Turn the attenuation layers into a display image in [0, 1] (bone bright).

    Applies a heel-effect gradient, quantum + mottle noise (when ``noise``) and a
    uniform dark shutter outside a random collimation rectangle.
    """
    h, w = cv.h, cv.w
    bone = np.maximum(cv.layers["bone"], 0.0)
    att = mu[0] * cv.layers["soft"] + mu[1] * bone + mu[2] * cv.layers["metal"]
    img = 1.0 - np.exp(-att)
    heel = rng.uniform(0.04, 0.10) * (1 if rng.random() < 0.5 else -1)
    grad = np.linspace(-heel, heel, h, dtype=np.float32)[:, None]
    img = 0.04 + 0.94 * img * (1.0 + grad)
    m0, m1, m2, m3 = rng.uniform(0.0, 0.06, size=4)
    t, b = int(m0 * h), h - int(m1 * h)
    lft, r = int(m2 * w), w - int(m3 * w)
    if noise:
        mottle = smooth_noise(rng, h, w) * 0.012
        q = rng.standard_normal((h, w)).astype(np.float32)
        img = img + mottle + q * (0.006 + 0.014 * np.sqrt(np.clip(img, 0, 1)))
    shutter = np.full((h, w), True)
    shutter[t:b, lft:r] = False
    img = np.where(shutter, 0.015 + (img - 0.04) * 0.02, img)
    cv.collimation = (t, b, lft, r)
    return np.clip(img, 0.0, 1.0).astype(np.float32)


@dataclass
class PhantomParams:
    """Everything that determines one phantom radiograph (see :func:`phantoms.render_phantom`)."""

    body_part: str  # wrist hand elbow shoulder hip knee ankle foot forearm leg pelvis spine
    view: str = "AP"  # AP, PA, LAT, OBL
    side: str = "R"  # R, L, or '' for pelvis/spine
    finding: str = "normal"  # normal fracture osteoarthritis dislocation osteosynthesis bone_age
    site: str = ""  # fracture site or joint (labels.csv finding_site)
    kl_grade: int = 0  # knee Kellgren-Lawrence grade; other OA uses it as a 0-4 severity
    age_years: float = 40.0  # chronological age
    skeletal_age_years: float | None = None  # bone age (defaults to age_years)
    hardware: str = ""  # plate, screws, nail, wires, prosthesis, rods (osteosynthesis)
    affected_side: str = ""  # pelvis only: which hip (R/L/B) carries the finding
    variant: int = 0  # study-level choice of finding details (spine: fractured/fused levels)
    long_side: int = 512  # image longest side in pixels
    seed: int = 0  # geometry jitter, noise and finding details derive from it
    noise: bool = True  # quantum/mottle noise
    jitter: bool = True  # random pose (rotation/scale/shift)
    marker: bool = True  # lead L/R marker in a corner

    @property
    def bone_age(self) -> float:
        """Skeletal age in years used for growth plates and ossification centres."""
        return float(self.age_years if self.skeletal_age_years is None else self.skeletal_age_years)

    @property
    def maturity(self) -> float:
        """0 (newborn) .. 1 (growth plates fused)."""
        return float(np.clip((self.bone_age - 1.0) / 15.5, 0.0, 1.0))


def long_bone(cv: Canvas, p0: tuple[float, float], p1: tuple[float, float], r0: float,
              rs: float, r1: float, epi: int | None = None, maturity: float = 1.0,
              rho: float = 1.0, hollow: float = 0.62, rho_in: float = 0.25) -> None:
    """Draw a long bone p0..p1: flared ends r0/r1, shaft radius rs, cortex around medulla.

    In a child (``maturity`` < 0.95) the end ``epi`` (0 = p0, 1 = p1) is a separate
    ossification centre (epiphysis) behind a dark growth plate; both grow with maturity.
    """
    (x0, y0), (x1, y1) = p0, p1
    L = math.hypot(x1 - x0, y1 - y0)
    ux, uy = (x1 - x0) / L, (y1 - y0) / L
    if epi is not None and maturity < 0.95:
        re = r0 if epi == 0 else r1
        le = min(0.16 * L, 1.4 * re)
        gap = 0.004 + 0.012 * min((0.95 - maturity) / 0.3, 1.0)
        if epi == 0:
            ex, ey = x0 + ux * le * 0.5, y0 + uy * le * 0.5
            x0, y0 = x0 + ux * (le + gap), y0 + uy * (le + gap)
            r0 = r0 * 0.9
        else:
            ex, ey = x1 - ux * le * 0.5, y1 - uy * le * 0.5
            x1, y1 = x1 - ux * (le + gap), y1 - uy * (le + gap)
            r1 = r1 * 0.9
        f = 0.45 + 0.55 * maturity
        ang = math.degrees(math.atan2(uy, ux))
        cv.ellipse("bone", (ex, ey), le * 0.5 * (0.6 + 0.4 * f), re * f, ang, depth=re * f,
                   rho=rho, hollow=0.6, rho_in=0.55)
        L = math.hypot(x1 - x0, y1 - y0)
    a, b = 0.2, 0.8
    pts = [(x0, y0), (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a),
           (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b), (x1, y1)]
    cv.chain("bone", pts, [r0, rs, rs, r1], rho=rho, hollow=hollow, rho_in=rho_in)
