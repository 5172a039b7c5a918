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
  after the learned text detector's redaction (:mod:`bonesearch.deid.text_detector`) when the
  policy has it on (``--no-redaction``: without it);
* ``false_exclusions``: unstamped images excluded (anchor ≤ 1 %), and how many unstamped images
  the detector redacted (a label, or a false alarm: not an exclusion, a blacked-out region);
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
from pathlib import Path

import numpy as np
from PIL import Image

from bonesearch.deid.burned_in import BurnedInPolicy, check_tesseract, screen_pixels
from bonesearch.deid.text_detector import load_detector
from bonesearch.demo.stamps import (LABELS, Identity, StampStyle, available_fonts, draw_text, random_identity,
                                    random_long_side, random_phantom, stamp_layout)
from bonesearch.imaging.pixel_cache import CACHE_SIZE, box_in_cached_square, box_reduce, to_cached_square

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
    redacted: int = 0  # regions the text detector blacked out in the stored square
    excluded: bool = False
    reason_kind: str = ""  # identity | count | failed | ""
    ocr_run: bool = False
    chars: int = 0
    estimated: int = 0
    screen_s: float = 0.0
    lines: list[str] = field(default_factory=list)


def _fold(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().upper()


def _describe(case: Case, style: StampStyle) -> None:
    case.font, case.place, case.boxed, case.blur = style.font, style.place, style.boxed, style.blur
    case.polarity, case.contrast, case.text_px = style.polarity, style.contrast, style.text_px


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
    long_side = random_long_side(rng)
    img = random_phantom(rng, long_side)
    r = rng.random()
    group = "stamped" if r < stamped_share else "label" if r < stamped_share + label_share else "plain"
    case = Case(index, group, long_side)
    idn, box = None, None
    if group == "stamped":
        idn = random_identity(rng)
        case.layout, case.lines = stamp_layout(idn, rng)
        frac = math.exp(rng.uniform(math.log(0.009), math.log(0.05)))
        style = draw_text(img, case.lines, rng, fonts, frac)
        box = style.box
        _describe(case, style)
    elif group == "label":
        case.layout, case.lines = "label", [rng.choice(LABELS)]
        _describe(case, draw_text(img, case.lines, rng, fonts, math.exp(rng.uniform(math.log(0.015), math.log(0.06)))))
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
    if not case.excluded:
        stored = to_cached_square(copy, cache_size)
        if policy.redact_text:
            stored, redaction = load_detector().redact(stored)
            case.redacted = len(redaction.boxes)
        if case.readable:  # kept: is it still readable in what the store keeps?
            stored_items = _readable_in_cache(stored, copy.shape, (t, left, b, rr), idn, case.text_px)
            case.readable_stored = "+".join(stored_items)
    return case


def _readable_in_cache(stored: np.ndarray, shape: tuple[int, int], box: tuple[int, int, int, int], idn: Identity,
                       text_px: float) -> list[str]:
    """Identity items Tesseract reads in the stamp's box of the square the store keeps (ingest's
    :func:`to_cached_square` of the screened copy of ``shape``, redacted), read as :func:`_readable` reads."""
    cache_size = stored.shape[0]
    cached_box = box_in_cached_square(box, shape, cache_size)
    return _readable(stored, cached_box, idn, text_px * cache_size / max(shape))


def _chunk(args: tuple) -> list[Case]:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    indices, seed, stamped, labels, decode_size, policy, fonts, cache_size = args
    if policy.redact_text:
        load_detector(single_thread=True)  # as in ingest's workers: one torch thread per process
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
    parser.add_argument("--no-redaction", action="store_true", help="measure the store without the text detector")
    parser.add_argument("--out", type=Path, help="write one CSV row per image (fictional values only)")
    parser.add_argument("--real", type=Path, help="also screen the PNG radiographs under this folder (no stamps: "
                                                  "e.g. ../shared/data) and count their exclusions")
    args = parser.parse_args()
    policy = BurnedInPolicy(redact_text=not args.no_redaction)
    decode_size = WorkerOptions("00", args.cache_size, policy).decode_size
    fonts = available_fonts()
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
    excluded, ocr, t, redacted = 0, 0, 0.0, 0
    for path in files:
        u8 = np.asarray(Image.open(path).convert("L"))
        factor = max(1, max(u8.shape) // decode_size)
        copy = box_reduce(u8, factor) if factor > 1 else u8
        t0 = time.perf_counter()
        r = screen_pixels(copy, policy, label=path.name)
        t += time.perf_counter() - t0
        excluded, ocr = excluded + r.excluded, ocr + r.ocr_run
        if policy.redact_text and not r.excluded:
            redacted += bool(load_detector().redact(to_cached_square(copy))[1].boxes)
    print(f"real_false_exclusions: {excluded} of {len(files)} real radiographs under {root} "
          f"({100 * excluded / max(1, len(files)):.2f} %); Tesseract called on {ocr}; "
          f"{1000 * t / max(1, len(files)):.1f} ms/image; text detector redacted {redacted} "
          f"({100 * redacted / max(1, len(files)):.2f} %)")


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
    kept = [c for c in cases if not c.excluded]
    print("redacted by the text detector (kept images with a region blacked out): "
          + ", ".join(f"{g} {sum(c.redacted > 0 for c in kept if c.group == g)} of {sum(c.group == g for c in kept)}"
                      for g in ("plain", "label", "stamped")))
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
