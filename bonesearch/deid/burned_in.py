"""Burned-in text: the header-flag policy and a Tesseract OCR screen of the pixels.

Two checks decide whether an image may enter the store:

1. The header: ``BurnedInAnnotation=YES`` → ``exclude`` (default; counted in the ingest
   summary) or ``keep`` (:func:`flag_decision`, called before decoding).
2. The pixels of images the header does not flag (:func:`screen_pixels`): Tesseract
   (French + English, sparse-text page segmentation) reads a copy of the image, and the
   image is excluded when it recognises ``max_chars`` or more confident alphanumeric
   characters — 35, as Englebert et al. (arXiv 2405.08932) did. Laterality markers
   ("D", "G", "R", "L", "DEBOUT") and a ruler's numbers stay under that threshold.

Tesseract costs ~0.2 s per call (mostly loading its models), far above the per-image
budget of ingest, so a cheap pre-filter runs first: it finds character-sized, high-contrast
strokes (pixels ≥ 25 % of the grey range brighter or darker than their local mean), groups
them into text lines and estimates how many characters they hold. Only images whose
estimate could reach the threshold go to Tesseract, and only the band of rows around the
candidate lines, scaled so its text is about the height Tesseract reads best. Recognised
text is PHI: it is counted, never returned, logged or put in a reason.

What is screened (for the data protection officer): the whole image, every region — not
only the corners or borders — for light and for dark text. What is not caught: text whose
characters are smaller than ~4 pixels on the copy the pre-filter sees, text with less
contrast than a quarter of the grey range against its surroundings, and text Tesseract
cannot read well enough to count 35 characters (e.g. over bright bone or metal). Ingest
screens the copy it decodes for the cache, at a long side of at least
``BurnedInPolicy.screen_size`` (512 by default), so the smallest text caught is a share of
the image's long side. Measured on 2048-3000 px phantom plates with a 3-line identity block
(bottom-left corner or mid-image over bone; light and dark; ``bench/ocr_screen.py --plates``):

=====================  ==========  ==========  ==========
text height (% of      screen_size screen_size full image
the long side)         512         1024        (direct call)
=====================  ==========  ==========  ==========
0.5 %                  0/16        4/16        2/16
0.7 %                  0/16        4/16        8/16
1.0 %                  9/16        12/16       14/16
2.0 %                  12/16       14/16       14/16
3.0 % (the demo's)     12/16       12/16       12/16
=====================  ==========  ==========  ==========

The misses at ≥ 1 % are mostly stamps mid-image over bone or metal (too little contrast:
some the pre-filter does not find, others Tesseract reads under 35 characters). Text
height here is 0.75 × the font size.
``screen_size=1024`` catches more text under 2 % at about twice
the screening cost, and decodes JPEG 2000 files under 2048 px at full resolution.
"""

from __future__ import annotations

import bisect
import os
import statistics
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageFilter
from scipy import ndimage

from bonesearch.errors import OcrUnavailable

FLAGGED_REASON = "BurnedInAnnotation=YES (text burned into the pixels)"
INSTALL_HINT = "install it (Debian/Ubuntu: `apt-get install tesseract-ocr tesseract-ocr-fra`; `pip install pytesseract`)"


@dataclass(frozen=True)
class BurnedInPolicy:
    """What ingest does about text burned into the pixels."""

    flagged: str = "exclude"  # header BurnedInAnnotation=YES: "exclude" (and count) or "keep"
    ocr: bool = True  # screen the pixels of images the header does not flag
    max_chars: int = 35  # exclude at this many recognised characters or more (the paper's 35)
    min_confidence: float = 15.0  # Tesseract word confidence (0-100) below which a word is not counted
    # (small stamps read with low confidence; noise words on clean images stay rare after binarisation)
    languages: str = "fra+eng"  # Tesseract language models
    psm: int = 11  # page segmentation mode: 11 = sparse text, no order assumed
    tesseract_cmd: str = "tesseract"  # the binary: a name on PATH or a path
    timeout_s: float = 20.0  # a Tesseract call running longer fails closed (image excluded)
    prefilter: bool = True  # call Tesseract only when text-like strokes could hold enough characters
    prefilter_share: float = 0.4  # ... i.e. when the estimated count reaches this share of max_chars
    detect_size: int = 1024  # the pre-filter pools a larger image down to this long side (text must be >= ~7 px there)
    screen_size: int = 512  # ingest decodes at a long side >= max(cache size, this) and screens that copy:
    # 512 keeps the clean-image screen ~1.3 ms and a 1760 px JPEG 2000 at half resolution, but on a
    # 2000-3000 px plate only text >= ~1 % of the long side is caught (see the module docstring);
    # 1024 catches text >= ~0.7 % at ~2x the cost and decodes such JPEG 2000 files at full resolution
    text_height: int = 32  # height (px) candidate text is scaled to for Tesseract

    def __post_init__(self) -> None:
        if self.flagged not in ("exclude", "keep"):
            raise ValueError(f"BurnedInPolicy.flagged must be 'exclude' or 'keep', not {self.flagged!r}")
        if self.max_chars < 1:
            raise ValueError("BurnedInPolicy.max_chars must be at least 1")


@dataclass
class ScreenResult:
    """The outcome of :func:`screen_pixels`; ``reason`` never holds recognised text."""

    excluded: bool
    reason: str
    chars: int = 0  # confident alphanumeric characters recognised (0 when Tesseract did not run)
    ocr_run: bool = False  # whether Tesseract was called
    estimated_chars: int = 0  # the pre-filter's estimate


def flag_decision(burned_in_annotation: bool, policy: BurnedInPolicy) -> str | None:
    """The exclusion reason for an image whose header flags burned-in text, or None to go on."""
    if burned_in_annotation and policy.flagged == "exclude":
        return FLAGGED_REASON
    return None


@lru_cache(maxsize=8)
def _check(cmd: str, languages: str) -> str:
    try:
        import pytesseract
    except ImportError:
        raise OcrUnavailable(
            f"OCR screening of burned-in text is on but the Python package pytesseract is missing: {INSTALL_HINT}, "
            f"or turn screening off (`bonesearch ingest --no-ocr`)") from None
    pytesseract.pytesseract.tesseract_cmd = cmd
    try:
        version = str(pytesseract.get_tesseract_version())
        available = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, OSError):
        raise OcrUnavailable(
            f"OCR screening of burned-in text is on but the Tesseract binary {cmd!r} was not found or does not run: "
            f"{INSTALL_HINT}, set BurnedInPolicy.tesseract_cmd to its path, or turn screening off "
            f"(`bonesearch ingest --no-ocr`)") from None
    missing = [lang for lang in languages.split("+") if lang not in available]
    if missing:
        packages = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
        raise OcrUnavailable(
            f"Tesseract {version} ({cmd}) lacks the language model(s) {', '.join(missing)} needed by OCR "
            f"screening: install `{packages}` or change the languages")
    return version


def check_tesseract(policy: BurnedInPolicy) -> str | None:
    """Check that Tesseract and its languages are usable when ``policy`` needs them.

    Returns the Tesseract version (None when OCR screening is off). Raises
    :class:`~bonesearch.errors.OcrUnavailable`, naming the fix, when it is not. Call it
    once before starting workers so a missing binary stops the job at once.
    """
    if not policy.ocr:
        return None
    return _check(policy.tesseract_cmd, policy.languages)  # failures are not cached: a fix is seen at once


def _as_uint8(image: np.ndarray) -> np.ndarray:
    if image.dtype == np.uint8:
        return image
    return np.clip(image.astype(np.float32) * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _pool(image: np.ndarray, factor: int) -> tuple[np.ndarray, np.ndarray]:
    """(max-pooled, min-pooled) uint8 copies of ``image`` reduced by an integer ``factor``.

    Pooling keeps a one-pixel stroke at full contrast, where averaging would fade it below
    the detection threshold: bright text survives the max, dark text the min. With
    ``factor`` 1 both are the same array. Rows are pooled first (whole contiguous rows),
    then columns on the ``factor`` times smaller result.
    """
    if factor <= 1:
        u8 = _as_uint8(image)
        return u8, u8
    h, w = (image.shape[0] // factor) * factor, (image.shape[1] // factor) * factor
    hi = image[0:h:factor, :w].copy()
    lo = hi.copy()
    for dy in range(1, factor):
        sub = image[dy:h:factor, :w]
        np.maximum(hi, sub, out=hi)
        np.minimum(lo, sub, out=lo)
    hi_c, lo_c = hi[:, 0::factor].copy(), lo[:, 0::factor].copy()
    for dx in range(1, factor):
        np.maximum(hi_c, hi[:, dx::factor], out=hi_c)
        np.minimum(lo_c, lo[:, dx::factor], out=lo_c)
    return _as_uint8(hi_c), _as_uint8(lo_c)


def _background(img: np.ndarray, cell: int) -> np.ndarray:
    """The local mean of uint8 ``img`` at the centres of ``cell``-pixel squares (float32, one value per cell).

    Each value is the mean of the 3 × 3 cells around it (a window about three cells wide):
    a box blur computed on a grid ``cell²`` times smaller than the image.
    """
    coarse = np.asarray(Image.fromarray(img).reduce(cell), dtype=np.float32)  # partial edge cells included
    return ndimage.uniform_filter(coarse, 3, mode="nearest")


def _interp(n: int, n_cells: int, cell: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear interpolation from cell centres to pixels 0..n-1: (left cell, right cell, weight of the right)."""
    pos = np.clip((np.arange(n, dtype=np.float32) + 0.5) / cell - 0.5, 0, n_cells - 1)
    i0 = pos.astype(np.intp)
    return i0, np.minimum(i0 + 1, n_cells - 1), (pos - i0).astype(np.float32)


def _strokes(img: np.ndarray, background: np.ndarray, cell: int, level: int,
             bright: bool) -> tuple[np.ndarray, np.ndarray]:
    """Stroke pixels: brighter (``bright``) or darker than the local mean by more than ``level``.

    The local mean is ``background`` interpolated bilinearly between cell centres (a
    piecewise-constant one would cut a long bright edge into character-sized pieces).
    Two passes keep it cheap: one uint8 comparison of the whole image with, between each
    2 × 2 cell centres, the loosest of their four thresholds (the interpolated one cannot
    be looser), then the interpolated threshold at the few pixels that pass it.
    Returns the strokes' (row, column) indices.
    """
    thr = background + level if bright else background - level
    h, w = img.shape
    r0, r1, ry = _interp(h, thr.shape[0], cell)
    c0, c1, cx = _interp(w, thr.shape[1], cell)
    pick = np.minimum if bright else np.maximum
    nr, nc = thr.shape
    loose = pick(thr, thr[np.minimum(np.arange(1, nr + 1), nr - 1)])
    loose = pick(loose, loose[:, np.minimum(np.arange(1, nc + 1), nc - 1)])
    loose = np.clip(np.floor(loose) if bright else np.ceil(loose), 0, 255).astype(np.uint8)  # > 255: none here
    full = np.repeat(np.repeat(loose, np.bincount(c0, minlength=nc), axis=1),
                     np.bincount(r0, minlength=nr), axis=0)
    flat = np.flatnonzero(img > full if bright else img < full)  # (2-D np.nonzero is ~10x slower)
    ys = flat // w
    xs = flat - ys * w
    if ys.size == 0:
        return ys, xs
    rows = thr[r0] * (1 - ry[:, None]) + thr[r1] * ry[:, None]  # interpolated down the rows: h × cells, small
    wx = cx[xs]
    t = rows[ys, c0[xs]] * (1 - wx) + rows[ys, c1[xs]] * wx
    v = img[ys, xs]
    ok = v > t if bright else v < t
    return ys[ok], xs[ok]


def _compact(index: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Drop the rows (or columns) 0..n-1 not in ``index``, keeping one empty one after each run.

    Returns (original index of each kept one, kept position of each original one). Two
    kept rows are adjacent exactly when they were, so 8-connectivity is unchanged.
    """
    used = np.zeros(n + 1, bool)
    used[index] = True
    keep = used.copy()
    keep[1:] |= used[:-1]
    return np.flatnonzero(keep), np.cumsum(keep) - 1


@dataclass
class TextLine:
    """A row of character-sized strokes found by the pre-filter (detection-scale pixels)."""

    top: int
    bottom: int
    left: int
    right: int
    height: float  # median character height
    chars: int  # estimated number of characters
    bright: bool  # light text on a darker background


def _components(ys: np.ndarray, xs: np.ndarray, shape: tuple[int, int], max_h: int) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (top, bottom, left, right) of connected strokes shaped like characters.

    ``ys``/``xs``: the stroke pixels of an image of ``shape`` (a few thousand on a clean
    image). They are labelled on a grid without the rows and columns that hold none
    (:func:`_compact`): a small fraction of the image, with the same connectivity.

    A character is 4 to ``max_h`` pixels high and made of thin strokes: it fills little of
    its box (round bone ends and joint spaces fill most of theirs) unless it is narrow
    (``I``, ``1``).
    """
    if ys.size == 0:
        return []
    row_of, row_at = _compact(ys, shape[0])
    col_of, col_at = _compact(xs, shape[1])
    sub = np.zeros((row_of.size, col_of.size), bool)
    sub[row_at[ys], col_at[xs]] = True
    labels, n = ndimage.label(sub, structure=np.ones((3, 3), bool))
    label = labels[row_at[ys], col_at[xs]]  # the component of each stroke pixel
    order = np.argsort(label, kind="stable")
    label, y, x = label[order], ys[order], xs[order]
    starts = np.flatnonzero(np.r_[True, label[1:] != label[:-1]])
    areas = np.diff(np.r_[starts, label.size])
    big = areas >= 6  # speckle (most components of a noisy image) is dropped
    if not big.any():
        return []
    starts, areas = starts[big], areas[big]
    boxes = np.stack([np.minimum.reduceat(y, starts), np.maximum.reduceat(y, starts) + 1,
                      np.minimum.reduceat(x, starts), np.maximum.reduceat(x, starts) + 1], axis=1)
    h, w = boxes[:, 1] - boxes[:, 0], boxes[:, 3] - boxes[:, 2]
    fill = areas / (h * w)
    ok = (h >= 4) & (h <= max_h) & (w <= 8 * h) & ((fill < 0.62) | (w <= 0.4 * h))
    return [tuple(int(v) for v in b) for b in boxes[ok]]


def _lines(boxes: list[tuple[int, int, int, int]], bright: bool) -> list[TextLine]:
    """Group character boxes into horizontal lines (similar height and baseline, small gaps)."""
    lines: list[TextLine] = []
    used = [False] * len(boxes)
    order = sorted(range(len(boxes)), key=lambda i: boxes[i][2])
    lefts = [boxes[i][2] for i in order]
    for i in order:
        if used[i]:
            continue
        used[i] = True
        t, b, left, r = boxes[i]
        members = [boxes[i]]
        # boxes are sorted by left edge: start where a neighbour can begin (gap >= -2) and stop
        # once the gap exceeds what any box may bridge (1.2 x a height at most 1.7 x this line's)
        for j in order[bisect.bisect_left(lefts, r - 2):]:
            if used[j]:
                continue
            tj, bj, lj, rj = boxes[j]
            if lj - r > 2.04 * (b - t) + 1:
                break
            h = max(b - t, bj - tj)
            same_row = abs((tj + bj) - (t + b)) <= 0.6 * h and 0.6 <= (bj - tj) / (b - t) <= 1.7
            if same_row and -2 <= lj - r <= 1.2 * h:
                used[j] = True
                members.append(boxes[j])
                t, b, r = min(t, tj), max(b, bj), max(r, rj)
        if len(members) < 3:  # one or two strokes: a marker, a bone edge, noise
            continue
        hh = float(statistics.median(m[1] - m[0] for m in members))
        chars = int(round(sum((m[3] - m[2]) / (0.6 * (m[1] - m[0])) for m in members)))
        lines.append(TextLine(t, b, left, r, hh, max(chars, len(members)), bright))
    return lines


def find_text_lines(image: np.ndarray, detect_size: int = 1024, contrast: float = 0.25) -> tuple[list[TextLine], float]:
    """The pre-filter: candidate text lines on copies of ``image`` pooled down to ``detect_size``.

    ``image`` is greyscale, float in [0, 1] or uint8. A stroke is a pixel that differs
    from its local mean by more than ``contrast`` (bright text on dark, or dark on
    bright); strokes are grouped into character boxes and boxes into lines. Returns the
    lines (detection-scale coordinates) and the scale from ``image`` to that copy.
    """
    factor = max(1, -(-max(image.shape) // detect_size))  # ceil: the copy's long side <= detect_size
    bright_img, dark_img = _pool(image, factor)
    long_side = max(bright_img.shape)
    cell = max(3, long_side // 72)  # local mean over ~3 cells: about long_side / 24, as a blur of radius / 48
    level = int(contrast * 255)
    max_h = max(12, long_side // 10)
    lines: list[TextLine] = []
    background = _background(bright_img, cell)
    for img, bright in ((bright_img, True), (dark_img, False)):
        if img is not bright_img:
            background = _background(img, cell)
        lines += _lines(_components(*_strokes(img, background, cell, level, bright), img.shape, max_h), bright)
    scale = 1.0 / factor
    return lines, scale


def _ocr_crop(image: np.ndarray, lines: list[TextLine], scale: float, text_height: int,
              contrast: float = 0.25) -> Image.Image:
    """The band of rows holding ``lines``, cut from the full image, scaled and binarised for Tesseract.

    The band spans the full width (a line's low-contrast part, e.g. over bone, may have
    escaped the pre-filter). Strokes that stand out from their neighbourhood become black
    on white: Tesseract's global threshold fails on text over a bone-to-air gradient.
    """
    u8 = _as_uint8(image)
    inv = 1.0 / scale
    pad = max(line.height for line in lines) * 1.5
    top = max(0, int((min(line.top for line in lines) - pad) * inv))
    bottom = min(u8.shape[0], int((max(line.bottom for line in lines) + pad) * inv) + 1)
    crop = u8[top:bottom]
    height = float(np.median([line.height for line in lines])) * inv
    zoom = min(text_height / max(height, 1.0), 4.0, 2400.0 / max(crop.shape))
    img = Image.fromarray(crop)
    if abs(zoom - 1.0) > 0.1:
        img = img.resize((max(1, round(img.width * zoom)), max(1, round(img.height * zoom))), Image.Resampling.BICUBIC)
    arr = np.asarray(img, dtype=np.int16)
    blur = np.asarray(img.filter(ImageFilter.BoxBlur(max(4, int(text_height * 0.75)))), dtype=np.int16)
    level = int(contrast * 255)
    bright = sum(line.chars for line in lines if line.bright) >= sum(line.chars for line in lines if not line.bright)
    text = (arr - blur > level) if bright else (blur - arr > level)
    return Image.fromarray(np.where(text, 0, 255).astype(np.uint8))


def count_characters(img: Image.Image, policy: BurnedInPolicy) -> int:
    """Confident alphanumeric characters Tesseract reads in ``img`` (the text itself is dropped)."""
    import pytesseract

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one worker per core: Tesseract must not spawn threads
    pytesseract.pytesseract.tesseract_cmd = policy.tesseract_cmd
    data = pytesseract.image_to_data(img, lang=policy.languages, config=f"--psm {policy.psm}",
                                     output_type=pytesseract.Output.DICT, timeout=policy.timeout_s)
    n = 0
    for word, conf in zip(data["text"], data["conf"]):
        if float(conf) >= policy.min_confidence:
            n += sum(ch.isalnum() for ch in word)
    return n


def screen_pixels(image: np.ndarray, policy: BurnedInPolicy, label: str = "image") -> ScreenResult:
    """Decide whether a decoded image carries burned-in text (``image``: greyscale, bone bright).

    Returns a :class:`ScreenResult` whose ``reason`` (safe to log: it holds counts, never
    the recognised text) says why an image is excluded. A Tesseract failure excludes the
    image (fail closed). Raises :class:`~bonesearch.errors.OcrUnavailable` when OCR is on
    and Tesseract is missing.
    """
    if not policy.ocr:
        return ScreenResult(False, "")
    check_tesseract(policy)
    if image.ndim != 2:
        raise ValueError(f"{label}: screen_pixels needs a 2-D greyscale image, got shape {image.shape}")
    lines, scale = find_text_lines(image, policy.detect_size)
    estimate = sum(line.chars for line in lines)
    if policy.prefilter and estimate < policy.prefilter_share * policy.max_chars:
        return ScreenResult(False, "", 0, False, estimate)
    if not lines:  # pre-filter off and nothing found: read the whole image
        lines = [TextLine(0, image.shape[0], 0, image.shape[1], image.shape[0] / 20.0, 0, True)]
        scale = 1.0
    import pytesseract

    try:
        n = count_characters(_ocr_crop(image, lines, scale, policy.text_height), policy)
    except (pytesseract.TesseractError, RuntimeError, OSError) as exc:
        return ScreenResult(True, f"{label}: OCR screen failed ({type(exc).__name__}); excluded to be safe",
                            0, True, estimate)
    if n >= policy.max_chars:
        return ScreenResult(True, f"burned-in text: OCR read {n} characters in the pixels "
                                  f"(threshold {policy.max_chars}); excluded", n, True, estimate)
    return ScreenResult(False, "", n, True, estimate)
