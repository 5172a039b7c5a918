"""Burned-in identity stamps: missed readable stamps and false exclusions of the ingest pixel screen.

Usage: python bench/burned_in_stamps.py [--images 5000] [--stamped 0.4] [--seed 0] [--workers 2]
                                        [--out results.csv]

Generates demo-like radiographs (the demo's phantoms: 12 body parts, fractures, arthrosis,
hardware, children; long side 256-2048 px, two thirds under 640 px) and stamps an identity
on a share of them: fictional names (French and other origins), IPP / ID numbers, birth
dates, phones, exam dates, in 1-3 lines of 11 layouts; 13 fonts (DejaVu, Liberation: sans,
serif, mono, bold, condensed; PIL's scalable default and its pixel bitmap font); text
0.9-5 % of the long side; bright or dark, from full contrast down to 0.1 of the grey
range, on a black box or not, slightly blurred or not; in a corner, along an edge or over
the anatomy. The other images are plain or carry harmless labels ("D", "G", "DEBOUT",
"FACE", "PROFIL"…), also of varied font, size, contrast and place.

Each image goes through what ingest does: uint8, box-reduced to a long side ≥ the decode
size ingest uses (:class:`indexer.decode_worker.WorkerOptions`; images smaller than it stay
as they are), then :func:`bonesearch.deid.burned_in.screen_pixels` (timed). A stamp is
*readable* when Tesseract, given the stamp's own box cut from that same copy, upscaled
(Lanczos) and contrast-normalised, reads one identity item exactly: the family name, the
full ID, the full phone or the birth date. Prints:

* ``stamps_missed``: readable identity stamps the screen kept (anchor 0), with their attributes;
* ``stamps_in_store``: of those, the ones still readable (same oracle) in the cached square the
  store keeps (``--cache-size``, 256 by default: a 4-px stamp on the screened copy is 2 px there);
* ``false_exclusions``: unstamped images excluded (anchor ≤ 1 %);
* throughput of the screen alone (images/s per process, ms/image by group).

Everything is fictional and seeded: the same arguments give the same images.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import random
import time
import unicodedata
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

from bonesearch.deid.burned_in import BurnedInPolicy, check_tesseract, screen_pixels
from bonesearch.demo.phantom_core import PhantomParams
from bonesearch.demo.phantoms import render_phantom
from bonesearch.imaging.pixel_cache import CACHE_SIZE, box_reduce, to_cached_square

FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation"]
FONT_FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf", "DejaVuSerif.ttf",
              "DejaVuSansCondensed.ttf", "LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf",
              "LiberationSerif-Regular.ttf", "LiberationMono-Regular.ttf", "LiberationSansNarrow-Regular.ttf",
              "DejaVuSansMono-Bold.ttf"]
FAMILY = """Martin Bernard Dubois Thomas Robert Richard Durand Leroy Moreau Simon Laurent Lefebvre
Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard Andre Mercier Dupont Lambert Bonnet
Francois Martinez Legrand Garnier Faure Rousseau Blanc Guerin Muller Henry Roussel Nicolas Perrin
Morin Mathieu Clement Gauthier Dumont Lopez Fontaine Chevalier Robin Masson Sanchez Gerard Nguyen
Boyer Denis Lemaire Duval Joly Gautier Roger Roche Roy Noel Meyer Lucas Meunier Jean Perez Marchand
Dufour Blanchard Marie Barbier Brun Dumas Brunet Schmitt Leroux Colin Fernandez Pierre Renard
Arnaud Rolland Caron Aubert Giraud Leclerc Vidal Bourgeois Renaud Lemoine Picard Gaillard Philippe
Leclercq Lacroix Fabre Dupuis Olivier Rodriguez Da-Silva Hubert Louis Charles Guillot Riviere
Le-Gall Guillaume Adam Rey Moulin Gonzalez Berger Lecomte Menard Fleury Deschamps Carpentier
Julien Benoit Paris Maillard Marchal Aubry Vasseur Le-Roux Renault Jacquet Collet Prevost Poirier
Charpentier Royer Huet Baron Dupuy Pons Paul Laine Carre Breton Remy Schneider Perrot Guyot
Barre Marty Cousin Benali Haddad Diallo Traore Kowalski Ferreira Rossi Yilmaz Popescu Tran Cohen
Benmoussa Kerbrat Ait-Ouali Dos-Santos Van-Damme Ouedraogo Nowak Lefevre Bouchard Hoarau
Payet Grondin Kone Mendes Silva Khelifi Bensaid Zidane Okafor Castelli Romano Weber""".split()
GIVEN = """Jean Marie Pierre Michel Andre Philippe Nathalie Isabelle Sylvie Catherine Francoise
Jacques Monique Christine Martine Daniel Bernard Alain Nicole Patrick Christian Anne Sophie
Valerie Sandrine Brigitte Celine Eric Laurent Stephane Olivier Thierry Julien Nicolas Odile
Josiane Yvette Simone Colette Paulette Louise Margaux Camille Manon Emma Chloe Ines Lucie Hugo
Lucas Nathan Enzo Theo Raphael Arthur Jules Leo Louis Gabriel Adam Mohamed Karim Rachid Fatima
Aicha Yasmine Samir Mehdi Nadia Leila Sarah Thi Minh Anh Duc Piotr Agnieszka Joao Ana Giulia
Marco Ahmet Elif Ioana Andrei Mamadou Aminata Moussa Fanta Lea Jade Alice Rose Anna Mila Zoe Noah
Ethan Liam Sacha Timothee Gaston Marcel Lucien Fernand Ginette Huguette Bernadette Germaine
Jean-Pierre Marie-Claire Anne-Sophie Jean-Luc""".split()
LABELS = ["D", "G", "DEBOUT", "FACE", "PROFIL", "COUCHE", "EN CHARGE", "R", "L", "AP", "LAT", "3/4",
          "G DEBOUT", "D FACE", "ROTATION EXT", "OBLIQUE"]


@dataclass
class Case:
    """One bench image: what it is and what happened to it (fictional values only)."""

    index: int
    group: str  # "stamped" | "label" | "plain"
    long_side: int
    screened: str = ""  # shape of the copy the screen saw
    layout: str = ""
    font: str = ""
    text_px: float = 0.0  # cap height on the screened copy (px)
    contrast: float = 0.0  # |text - background| as a share of the grey range
    polarity: str = ""  # bright | dark
    boxed: bool = False
    blur: float = 0.0
    place: str = ""
    readable: bool = False
    readable_items: str = ""
    readable_stored: str = ""  # kept readable stamps: the items still read in the store's cached square
    excluded: bool = False
    reason_kind: str = ""  # identity | count | failed | ""
    ocr_run: bool = False
    chars: int = 0
    estimated: int = 0
    screen_s: float = 0.0
    lines: list[str] = field(default_factory=list)


@dataclass
class Identity:
    family: str
    given: str
    ident: str
    birth: str  # dd/mm/yyyy
    phone: str
    exam: str


def _fold(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().upper()


def _identity(rng: random.Random) -> Identity:
    family = rng.choice(FAMILY).replace("-", " " if rng.random() < 0.5 else "-")
    if rng.random() < 0.1:
        family = f"{family}-{rng.choice(FAMILY)}"
    b = (rng.randint(1, 28), rng.randint(1, 12), rng.randint(1925, 2022))
    e = (rng.randint(1, 28), rng.randint(1, 12), rng.randint(2005, 2026))
    ident = "".join(rng.choice("0123456789") for _ in range(rng.choice([6, 7, 8, 8, 9, 10])))
    phone = "0" + rng.choice("1234567") + "".join(rng.choice("0123456789") for _ in range(8))
    return Identity(family, rng.choice(GIVEN), ident, f"{b[0]:02d}/{b[1]:02d}/{b[2]}", phone,
                    f"{e[0]:02d}/{e[1]:02d}/{e[2]} {rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}")


def _phone_text(p: str, rng: random.Random) -> str:
    sep = rng.choice([" ", ".", "", "-"])
    return sep.join(p[i:i + 2] for i in range(0, 10, 2))


def _date_text(d: str, rng: random.Random) -> str:
    dd, mm, yyyy = d.split("/")
    return rng.choice([d, d, f"{dd}.{mm}.{yyyy}", f"{yyyy}-{mm}-{dd}", f"{dd}-{mm}-{yyyy}"])


def _layout(idn: Identity, rng: random.Random) -> tuple[str, list[str]]:
    """A stamp layout and its lines: CR plate readers, PACS overlays, scanned labels."""
    fam, giv = idn.family.upper(), idn.given
    name = rng.choice([f"{fam} {giv.upper()}", f"{fam} {giv}", f"{giv} {fam}", f"{fam}, {giv}", f"{fam}^{giv.upper()}"])
    dob, tel = _date_text(idn.birth, rng), _phone_text(idn.phone, rng)
    ipp = rng.choice(["IPP", "ID", "N°", "NIP", "Dossier", "PID"])
    ne = rng.choice(["NE LE", "NE(E) LE", "Né le", "DDN", "DDN:", "Naiss."])
    layouts = {
        "demo3": [name, f"IPP {idn.ident} NE LE {dob}", idn.exam],
        "name": [name],
        "name_dob": [f"{name} {dob}"],
        "name_sex_dob": [f"{name} ({rng.choice('MF')}) {dob}"],
        "id": [f"{ipp} {idn.ident}" if rng.random() < 0.7 else f"{ipp}: {idn.ident}"],
        "id_bare": [name if rng.random() < 0.5 else f"{fam}", idn.ident],
        "dob": [f"{ne} {dob}"],
        "phone": [f"{rng.choice(['Tel', 'TEL', 'Tél.', 'Tel:'])} {tel}"],
        "labelled": [f"Nom: {fam}  Prénom: {giv}", f"DDN: {dob}"],
        "pacs2": [f"{name}  {ipp} {idn.ident}", f"{dob}  {idn.exam}"],
        "id_exam": [f"{ipp} {idn.ident}", idn.exam],
    }
    key = rng.choice(sorted(layouts))
    return key, layouts[key]


@lru_cache(maxsize=256)
def _font(name: str, size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    if name == "pil-default":
        return ImageFont.load_default(size=size)
    for d in FONT_DIRS:
        path = Path(d) / name
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def _fonts() -> list[str]:
    found = [f for f in FONT_FILES if any((Path(d) / f).exists() for d in FONT_DIRS)]
    return found + ["pil-default", "pil-bitmap"]


def _text_mask(text: str, font: str, size: int) -> np.ndarray:
    """Anti-aliased text mask in [0, 1], tight to the ink; ``size`` ≈ the font's em (cap height ≈ 0.7 ×)."""
    if font == "pil-bitmap":  # the fixed ~11-px pixel font, scaled by whole pixels as CR consoles do
        f = ImageFont.load_default_imagefont()
        scale = max(1, round(size / 11))
        im = Image.new("L", (8 * len(text) + 8, 20), 0)
        ImageDraw.Draw(im).text((2, 2), text, fill=255, font=f)
        im = im.resize((im.width * scale, im.height * scale), Image.Resampling.NEAREST)
    else:
        f = _font(font, size)
        box = f.getbbox(text)
        im = Image.new("L", (max(box[2], 1) + 6, max(box[3], 1) + 6), 0)
        ImageDraw.Draw(im).text((3, 3), text, fill=255, font=f)
    m = np.asarray(im, dtype=np.float32) / 255.0
    rows, cols = np.nonzero(m > 0.05)
    return m[rows.min():rows.max() + 1, cols.min():cols.max() + 1] if rows.size else m[:1, :1]


def _phantom(rng: random.Random, long_side: int) -> np.ndarray:
    part = rng.choice(["wrist", "hand", "elbow", "shoulder", "hip", "knee", "ankle", "foot", "forearm", "leg",
                       "pelvis", "spine"])
    finding = rng.choice(["normal", "normal", "normal", "fracture", "osteoarthritis", "osteosynthesis", "bone_age"])
    if finding == "bone_age":
        part = "hand"
    hardware = rng.choice(["plate", "screws", "nail", "wires", "prosthesis"]) if finding == "osteosynthesis" else ""
    view = rng.choice(["AP", "PA", "LAT", "OBL"])
    side = "" if part in ("pelvis", "spine") else rng.choice("RL")
    age = rng.uniform(4, 15) if finding == "bone_age" else rng.uniform(6, 92)
    return render_phantom(PhantomParams(body_part=part, view=view, side=side, finding=finding, hardware=hardware,
                                        age_years=age, long_side=long_side, seed=rng.randrange(1 << 30))).image


def _long_side(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.25:
        return rng.randrange(256, 384, 8)
    if r < 0.65:
        return rng.randrange(384, 641, 16)
    if r < 0.9:
        return rng.randrange(640, 1025, 32)
    return rng.randrange(1024, 2049, 64)


def _place_block(rng: random.Random, h: int, w: int, bh: int, bw: int) -> tuple[str, int, int]:
    r = rng.random()
    mx, my = int(rng.uniform(0.01, 0.06) * w), int(rng.uniform(0.01, 0.06) * h)
    if r < 0.7:
        corner = rng.choice(["tl", "tr", "bl", "br"])
        top = my if corner[0] == "t" else h - my - bh
        left = mx if corner[1] == "l" else w - mx - bw
        return corner, top, left
    if r < 0.8:
        return "edge", rng.randint(0, max(0, h - bh)), mx if rng.random() < 0.5 else w - mx - bw
    return "anatomy", rng.randint(int(0.25 * h), max(int(0.25 * h), int(0.75 * h) - bh)), \
        rng.randint(max(0, int(0.5 * w - bw)), max(0, min(w - bw, int(0.5 * w))))


def _draw(img: np.ndarray, lines: list[str], rng: random.Random, case: Case, fonts: list[str], frac: float) -> tuple[int, int, int, int]:
    """Stamp ``lines`` into ``img`` (float, in place); returns the block's box (top, left, bottom, right)."""
    h, w = img.shape
    font = rng.choice(fonts)
    size = max(7, round(frac * max(h, w) / 0.72))  # font em from the wanted cap height
    masks = [_text_mask(line, font, size) for line in lines]
    widest = max(m.shape[1] for m in masks)
    if widest > 0.92 * w:  # shrink so that every line fits, as stamping consoles do
        size = max(7, int(size * 0.92 * w / widest))
        masks = [_text_mask(line, font, size) for line in lines]
    step = int(max(m.shape[0] for m in masks) * rng.uniform(1.25, 1.7))
    bh = step * (len(masks) - 1) + masks[-1].shape[0]
    bw = max(m.shape[1] for m in masks)
    place, top, left = _place_block(rng, h, w, bh, bw)
    top, left = max(0, min(top, h - bh)), max(0, min(left, w - bw))
    pad = max(2, size // 4)
    region = (slice(max(0, top - pad), min(h, top + bh + pad)), slice(max(0, left - pad), min(w, left + bw + pad)))
    boxed = rng.random() < 0.12
    bright = rng.random() < 0.75
    if boxed:
        img[region] = 0.02 if bright else 0.98
    bg = float(np.median(img[region]))
    c = rng.random()
    delta = 1.0 if c < 0.45 else rng.uniform(0.35, 0.7) if c < 0.8 else rng.uniform(0.1, 0.35)
    value = min(1.0, bg + delta) if bright else max(0.0, bg - delta)
    if abs(value - bg) < 0.6 * delta:  # no room on that side: the other polarity
        bright = not bright
        value = min(1.0, bg + delta) if bright else max(0.0, bg - delta)
    align_right = place in ("tr", "br") or (place == "edge" and left > w // 2)
    for k, m in enumerate(masks):
        x = left + (bw - m.shape[1] if align_right else 0)
        y = top + k * step
        mh, mw = min(m.shape[0], h - y), min(m.shape[1], w - x)
        if mh > 0 and mw > 0:
            sub = img[y:y + mh, x:x + mw]
            sub[...] = sub * (1 - m[:mh, :mw]) + value * m[:mh, :mw]
    blur = rng.choice([0.0, 0.0, 0.0, 0.6, 1.0])
    if blur:
        img[region] = ndimage.gaussian_filter(img[region], blur * size / 16)
    case.font, case.place, case.boxed, case.blur = font, place, boxed, blur
    case.polarity, case.contrast = ("bright" if bright else "dark"), round(abs(value - bg), 3)
    case.text_px = round(0.8 * float(np.median([m.shape[0] for m in masks])), 1)  # ink height less descenders
    return top, left, top + bh, left + bw


def _screen_copy(img: np.ndarray, decode_size: int) -> tuple[np.ndarray, int]:
    """The uint8 copy ingest screens: box-reduced to a long side ≥ ``decode_size`` (or as is when smaller)."""
    u8 = np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)
    factor = max(1, max(u8.shape) // decode_size)
    return (box_reduce(u8, factor) if factor > 1 else u8), factor


def _readable(copy: np.ndarray, box: tuple[int, int, int, int], idn: Identity, text_px: float) -> list[str]:
    """Identity items Tesseract reads exactly in the stamp's box, upscaled and normalised."""
    import pytesseract

    t, left, b, r = box
    pad = max(3, int(text_px))
    crop = copy[max(0, t - pad):b + pad, max(0, left - pad):r + pad].astype(np.float32)
    lo, hi = np.percentile(crop, 1), np.percentile(crop, 99)
    crop = np.clip((crop - lo) / max(hi - lo, 1.0), 0, 1)
    if np.median(crop) < 0.5:  # bright text: make it dark on light
        crop = 1.0 - crop
    zoom = max(1.0, 40.0 / max(text_px, 1.0))
    im = Image.fromarray((crop * 255).astype(np.uint8))
    im = im.resize((max(1, round(im.width * zoom)), max(1, round(im.height * zoom))), Image.Resampling.LANCZOS)
    found: list[str] = []
    for psm in (6, 11):
        text = pytesseract.image_to_string(im, lang="fra+eng", config=f"--psm {psm}")
        folded = _fold(text)
        letters = "".join(ch for ch in folded if ch.isalpha())
        digits = "".join(ch for ch in folded if ch.isdigit())
        fam = "".join(ch for ch in _fold(idn.family) if ch.isalpha())
        dd, mm, yyyy = idn.birth.split("/")
        if fam in letters:
            found.append("name")
        if idn.ident in digits:
            found.append("id")
        if idn.phone in digits:
            found.append("phone")
        if dd + mm + yyyy in digits or yyyy + mm + dd in digits:
            found.append("birth")
        if found:
            break
    return found


def run_case(index: int, seed: int, stamped_share: float, label_share: float, decode_size: int,
             policy: BurnedInPolicy, fonts: list[str], cache_size: int = CACHE_SIZE) -> Case:
    """Generate image ``index`` and screen it (deterministic in ``seed``, ``index``)."""
    rng = random.Random(f"burned-in-bench-{seed}-{index}")
    long_side = _long_side(rng)
    img = _phantom(rng, long_side)
    r = rng.random()
    group = "stamped" if r < stamped_share else "label" if r < stamped_share + label_share else "plain"
    case = Case(index, group, long_side)
    idn, box = None, None
    if group == "stamped":
        idn = _identity(rng)
        case.layout, case.lines = _layout(idn, rng)
        frac = math.exp(rng.uniform(math.log(0.009), math.log(0.05)))
        box = _draw(img, case.lines, rng, case, fonts, frac)
    elif group == "label":
        case.layout, case.lines = "label", [rng.choice(LABELS)]
        _draw(img, case.lines, rng, case, fonts, math.exp(rng.uniform(math.log(0.015), math.log(0.06))))
    copy, factor = _screen_copy(img, decode_size)
    case.screened = f"{copy.shape[0]}x{copy.shape[1]}"
    case.text_px = round(case.text_px / factor, 1)
    t0 = time.perf_counter()
    res = screen_pixels(copy, policy, label="bench")
    case.screen_s = time.perf_counter() - t0
    case.excluded, case.ocr_run, case.chars, case.estimated = res.excluded, res.ocr_run, res.chars, res.estimated_chars
    case.reason_kind = ("" if not res.excluded else "failed" if "failed" in res.reason
                        else "identity" if "identity" in res.reason else "count")
    if idn is not None and box is not None:
        t, left, b, rr = (v // factor for v in box)
        items = _readable(copy, (t, left, b, rr), idn, case.text_px)
        case.readable, case.readable_items = bool(items), "+".join(items)
        if case.readable and not case.excluded:  # kept: is it still readable in what the store keeps?
            stored_items = _readable_in_cache(copy, (t, left, b, rr), idn, case.text_px, cache_size)
            case.readable_stored = "+".join(stored_items)
    return case


def _readable_in_cache(copy: np.ndarray, box: tuple[int, int, int, int], idn: Identity, text_px: float,
                       cache_size: int) -> list[str]:
    """Identity items Tesseract reads in the stamp's box of the square the store keeps (ingest's
    :func:`to_cached_square` of the screened copy, ``cache_size`` px), read as :func:`_readable` reads."""
    stored = to_cached_square(copy, cache_size)
    h, w = copy.shape
    scale = cache_size / max(h, w)
    top, left = (cache_size - max(1, round(h * scale))) // 2, (cache_size - max(1, round(w * scale))) // 2
    t, lft, b, r = box
    cached_box = (top + int(t * scale), left + int(lft * scale), top + int(math.ceil(b * scale)),
                  left + int(math.ceil(r * scale)))
    return _readable(stored, cached_box, idn, text_px * scale)


def _chunk(args: tuple) -> list[Case]:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    indices, seed, stamped, labels, decode_size, policy, fonts, cache_size = args
    return [run_case(i, seed, stamped, labels, decode_size, policy, fonts, cache_size) for i in indices]


def main() -> None:
    from indexer.decode_worker import WorkerOptions

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=5000)
    parser.add_argument("--stamped", type=float, default=0.35, help="share of images with an identity stamp")
    parser.add_argument("--labels", type=float, default=0.15, help="share with a harmless label (D, G, DEBOUT…)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache-size", type=int, default=CACHE_SIZE)
    parser.add_argument("--out", type=Path, help="write one CSV row per image (fictional values only)")
    parser.add_argument("--real", type=Path, help="also screen the PNG radiographs under this folder (no stamps: "
                                                  "e.g. ../shared/data) and count their exclusions")
    args = parser.parse_args()
    policy = BurnedInPolicy()
    decode_size = WorkerOptions("00", args.cache_size, policy).decode_size
    fonts = _fonts()
    print(f"tesseract {check_tesseract(policy)}; decode size {decode_size}; {len(fonts)} fonts; "
          f"{args.images} images, {args.workers} processes")
    step = 25
    chunks = [(list(range(i, min(i + step, args.images))), args.seed, args.stamped, args.labels, decode_size,
               policy, fonts, args.cache_size) for i in range(0, args.images, step)]
    t0 = time.perf_counter()
    cases: list[Case] = []
    with ProcessPoolExecutor(args.workers) as pool:
        for part in pool.map(_chunk, chunks):
            cases += part
            if len(cases) % 500 < step:
                print(f"  {len(cases)}/{args.images} images, {time.perf_counter() - t0:.0f} s", flush=True)
    wall = time.perf_counter() - t0
    report(cases, wall)
    if args.real:
        screen_real(args.real, policy, decode_size)
    children = os.times()
    print(f"cpu: {children.children_user + children.children_system:.0f} s in the worker processes "
          f"(Tesseract included)")
    if args.out:
        with open(args.out, "w", newline="", encoding="utf-8") as fh:
            cols = [k for k in asdict(cases[0]) if k != "lines"] + ["lines"]
            w = csv.DictWriter(fh, fieldnames=cols)
            w.writeheader()
            for c in cases:
                row = asdict(c)
                row["lines"] = " | ".join(c.lines)
                w.writerow(row)


def screen_real(root: Path, policy: BurnedInPolicy, decode_size: int) -> None:
    """Screen real radiographs (PNG, assumed free of identity stamps) as ingest would; print exclusions."""
    files = sorted(root.rglob("*.png"))
    excluded, ocr, t = 0, 0, 0.0
    for path in files:
        u8 = np.asarray(Image.open(path).convert("L"))
        factor = max(1, max(u8.shape) // decode_size)
        copy = box_reduce(u8, factor) if factor > 1 else u8
        t0 = time.perf_counter()
        r = screen_pixels(copy, policy, label=path.name)
        t += time.perf_counter() - t0
        excluded, ocr = excluded + r.excluded, ocr + r.ocr_run
    print(f"real_false_exclusions: {excluded} of {len(files)} real radiographs under {root} "
          f"({100 * excluded / max(1, len(files)):.2f} %); Tesseract called on {ocr}; "
          f"{1000 * t / max(1, len(files)):.1f} ms/image")


def report(cases: list[Case], wall: float) -> None:
    """Print the figures (see the module docstring)."""
    stamped = [c for c in cases if c.group == "stamped"]
    readable = [c for c in stamped if c.readable]
    missed = [c for c in readable if not c.excluded]
    unstamped = [c for c in cases if c.group != "stamped"]
    false_ex = [c for c in unstamped if c.excluded]
    print(f"images: {len(cases)} ({len(stamped)} stamped, {len(readable)} of them readable; "
          f"{sum(c.group == 'label' for c in cases)} with a harmless label, {sum(c.group == 'plain' for c in cases)} plain)")
    print(f"stamps_missed: {len(missed)} of {len(readable)} readable identity stamps kept (anchor 0)")
    print(f"stamps_in_store: {sum(bool(c.readable_stored) for c in missed)} of those {len(missed)} still readable "
          f"in the cached square the store keeps (--cache-size)")
    print(f"unreadable stamps excluded anyway: {sum(c.excluded for c in stamped if not c.readable)} of "
          f"{len(stamped) - len(readable)}")
    print(f"false_exclusions: {len(false_ex)} of {len(unstamped)} unstamped images "
          f"({100 * len(false_ex) / max(1, len(unstamped)):.2f} %; anchor ≤ 1 %): "
          f"{dict(Counter(c.group + '/' + c.reason_kind for c in false_ex))}")
    kinds = Counter(c.reason_kind for c in stamped if c.excluded)
    print(f"stamped exclusions by trigger: {dict(kinds)}")
    total = sum(c.screen_s for c in cases)
    print(f"screen: {len(cases) / total:.1f} images/s per process; ms/image: "
          + ", ".join(f"{g} {1000 * np.mean([c.screen_s for c in cases if c.group == g]):.1f}"
                      for g in ("plain", "label", "stamped") if any(c.group == g for c in cases))
          + f"; Tesseract called on {sum(c.ocr_run for c in unstamped)} of {len(unstamped)} unstamped")
    print(f"wall: {wall:.0f} s ({len(cases) / wall:.1f} images/s generated + screened + oracle; "
          f"load average {os.getloadavg()[0]:.1f})")
    if missed:
        print("missed readable stamps by attribute:")
        for attr in ("layout", "font", "polarity", "place", "boxed", "readable_items"):
            print(f"  {attr}: {dict(Counter(str(getattr(c, attr)) for c in missed))}")
        for c in missed[:40]:
            print(f"  #{c.index} {c.screened} {c.layout} {c.font} text {c.text_px} px contrast {c.contrast} "
                  f"{c.polarity} boxed={c.boxed} blur={c.blur} {c.place} read={c.readable_items} "
                  f"chars={c.chars} est={c.estimated} ocr={c.ocr_run}")
    if false_ex:
        for c in false_ex[:20]:
            print(f"  false exclusion #{c.index} {c.group} {c.screened} {c.lines} {c.reason_kind} chars={c.chars}")


if __name__ == "__main__":
    main()
