"""Synthetic identity stamps on phantom radiographs: what a careless export burns into pixels.

Fictional names (French and other origins), IPP / ID numbers, birth dates, phones and exam
dates in the layouts of CR plate readers, PACS overlays and scanned labels, drawn in the
system's fonts (DejaVu, Liberation; PIL's own) at varied size, contrast, polarity, place,
box and blur; harmless radiograph labels (« D », « DEBOUT »…) drawn the same way. Used by
``bench/burned_in_stamps.py`` (the pixel screen's benchmark) and by the text detector's
training (``pretrain/text_detector.py``). Everything is fictional and driven by the given
``random.Random``: the same seed gives the same images.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

from bonesearch.demo.phantom_core import PhantomParams
from bonesearch.demo.phantoms import render_phantom

Box = tuple[int, int, int, int]  # top, left, bottom, right (pixels, bottom/right exclusive)

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
class Identity:
    """A fictional patient as a stamp shows it."""

    family: str
    given: str
    ident: str
    birth: str  # dd/mm/yyyy
    phone: str
    exam: str


@dataclass
class StampStyle:
    """How :func:`draw_text` drew a block of text."""

    font: str
    place: str  # tl | tr | bl | br | edge | anatomy
    boxed: bool  # on a black (or white) box
    blur: float
    polarity: str  # bright | dark
    contrast: float  # |text - background| as a share of the grey range
    text_px: float  # median line height less descenders (px)
    box: Box  # the whole block
    line_boxes: list[Box]  # each drawn line's ink


def random_identity(rng: random.Random) -> Identity:
    """A fictional patient: family and given name, ID, birth date, phone, exam date and time."""
    family = rng.choice(FAMILY).replace("-", " " if rng.random() < 0.5 else "-")
    if rng.random() < 0.1:
        family = f"{family}-{rng.choice(FAMILY)}"
    b = (rng.randint(1, 28), rng.randint(1, 12), rng.randint(1925, 2022))
    e = (rng.randint(1, 28), rng.randint(1, 12), rng.randint(2005, 2026))
    ident = "".join(rng.choice("0123456789") for _ in range(rng.choice([6, 7, 8, 8, 9, 10])))
    phone = "0" + rng.choice("1234567") + "".join(rng.choice("0123456789") for _ in range(8))
    return Identity(family, rng.choice(GIVEN), ident, f"{b[0]:02d}/{b[1]:02d}/{b[2]}", phone,
                    f"{e[0]:02d}/{e[1]:02d}/{e[2]} {rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}")


def phone_text(p: str, rng: random.Random) -> str:
    """A ten-digit phone number as consoles print it (pairs with spaces, dots, dashes or nothing)."""
    sep = rng.choice([" ", ".", "", "-"])
    return sep.join(p[i:i + 2] for i in range(0, 10, 2))


def date_text(d: str, rng: random.Random) -> str:
    """A dd/mm/yyyy date in one of the formats stamps use."""
    dd, mm, yyyy = d.split("/")
    return rng.choice([d, d, f"{dd}.{mm}.{yyyy}", f"{yyyy}-{mm}-{dd}", f"{dd}-{mm}-{yyyy}"])


def stamp_layout(idn: Identity, rng: random.Random) -> tuple[str, list[str]]:
    """A stamp layout and its lines: CR plate readers, PACS overlays, scanned labels."""
    fam, giv = idn.family.upper(), idn.given
    name = rng.choice([f"{fam} {giv.upper()}", f"{fam} {giv}", f"{giv} {fam}", f"{fam}, {giv}", f"{fam}^{giv.upper()}"])
    dob, tel = date_text(idn.birth, rng), phone_text(idn.phone, rng)
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
def load_font(name: str, size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """A system font file by name at ``size`` px (PIL's scalable default when it is not installed)."""
    if name == "pil-default":
        return ImageFont.load_default(size=size)
    for d in FONT_DIRS:
        path = Path(d) / name
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def available_fonts() -> list[str]:
    """The stamp fonts installed here, plus PIL's scalable default and its pixel bitmap font."""
    found = [f for f in FONT_FILES if any((Path(d) / f).exists() for d in FONT_DIRS)]
    return found + ["pil-default", "pil-bitmap"]


def text_mask(text: str, font: str, size: int) -> np.ndarray:
    """Anti-aliased text mask in [0, 1], tight to the ink; ``size`` ≈ the font's em (cap height ≈ 0.7 ×)."""
    if font == "pil-bitmap":  # the fixed ~11-px pixel font, scaled by whole pixels as CR consoles do
        f = ImageFont.load_default_imagefont()
        scale = max(1, round(size / 11))
        im = Image.new("L", (8 * len(text) + 8, 20), 0)
        ImageDraw.Draw(im).text((2, 2), text, fill=255, font=f)
        im = im.resize((im.width * scale, im.height * scale), Image.Resampling.NEAREST)
    else:
        f = load_font(font, size)
        box = f.getbbox(text)
        im = Image.new("L", (max(box[2], 1) + 6, max(box[3], 1) + 6), 0)
        ImageDraw.Draw(im).text((3, 3), text, fill=255, font=f)
    m = np.asarray(im, dtype=np.float32) / 255.0
    rows, cols = np.nonzero(m > 0.05)
    return m[rows.min():rows.max() + 1, cols.min():cols.max() + 1] if rows.size else m[:1, :1]


def random_phantom(rng: random.Random, long_side: int, marker: bool = True) -> np.ndarray:
    """A demo phantom radiograph (float [0, 1]) of a random body part, view, side, finding and age,
    with its lead L/R marker unless ``marker`` is False."""
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
                                        age_years=age, long_side=long_side, seed=rng.randrange(1 << 30),
                                        marker=marker)).image


def random_long_side(rng: random.Random) -> int:
    """A file's long side as exports have them: two thirds under 640 px, a tenth over 1,024."""
    r = rng.random()
    if r < 0.25:
        return rng.randrange(256, 384, 8)
    if r < 0.65:
        return rng.randrange(384, 641, 16)
    if r < 0.9:
        return rng.randrange(640, 1025, 32)
    return rng.randrange(1024, 2049, 64)


def place_block(rng: random.Random, h: int, w: int, bh: int, bw: int) -> tuple[str, int, int]:
    """Where a ``bh`` × ``bw`` block goes: a corner (70 %), an edge, or over the anatomy; (place, top, left)."""
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


def draw_text(img: np.ndarray, lines: list[str], rng: random.Random, fonts: list[str], frac: float) -> StampStyle:
    """Stamp ``lines`` into ``img`` (float in [0, 1], in place): a random font, size ``frac`` of the long
    side, place, polarity, contrast, box and blur, drawn as stamping consoles do. Returns how it was drawn."""
    h, w = img.shape
    font = rng.choice(fonts)
    size = max(7, round(frac * max(h, w) / 0.72))  # font em from the wanted cap height
    masks = [text_mask(line, font, size) for line in lines]
    widest = max(m.shape[1] for m in masks)
    if widest > 0.92 * w:  # shrink so that every line fits, as stamping consoles do
        size = max(7, int(size * 0.92 * w / widest))
        masks = [text_mask(line, font, size) for line in lines]
    step = int(max(m.shape[0] for m in masks) * rng.uniform(1.25, 1.7))
    bh = step * (len(masks) - 1) + masks[-1].shape[0]
    bw = max(m.shape[1] for m in masks)
    place, top, left = place_block(rng, h, w, bh, bw)
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
    line_boxes: list[tuple[int, int, int, int]] = []
    for k, m in enumerate(masks):
        x = left + (bw - m.shape[1] if align_right else 0)
        y = top + k * step
        mh, mw = min(m.shape[0], h - y), min(m.shape[1], w - x)
        if mh > 0 and mw > 0:
            sub = img[y:y + mh, x:x + mw]
            sub[...] = sub * (1 - m[:mh, :mw]) + value * m[:mh, :mw]
            line_boxes.append((y, x, y + mh, x + mw))
    blur = rng.choice([0.0, 0.0, 0.0, 0.6, 1.0])
    if blur:
        img[region] = ndimage.gaussian_filter(img[region], blur * size / 16)
    return StampStyle(font=font, place=place, boxed=boxed, blur=blur, polarity="bright" if bright else "dark",
                      contrast=round(abs(value - bg), 3),
                      text_px=round(0.8 * float(np.median([m.shape[0] for m in masks])), 1),  # less descenders
                      box=(top, left, top + bh, left + bw), line_boxes=line_boxes)
