"""The OCR screen's pre-filter: where an image may hold lines of text, without calling Tesseract.

:func:`find_text_lines` finds character-sized strokes that stand out from their local
mean (bright text on dark or dark on bright), groups them into character boxes and the
boxes into lines, and estimates how many characters each line holds. It costs a few
milliseconds on a 512-px image; :mod:`bonesearch.deid.burned_in` calls Tesseract only on
images (and only on the rows) where it finds enough.
"""

from __future__ import annotations

import bisect
import statistics
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image
from scipy import ndimage


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


_CROSS = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], bool)


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
    (``I``, ``1``), or its strokes are thin for its height (a bold or blurred letter fills
    0.62-0.8 of its box, but its mean stroke width, twice its area over its outline, stays
    under 0.3 of its height; a bone end's is about half its height).
    """
    if ys.size == 0:
        return []
    row_of, row_at = _compact(ys, shape[0])
    col_of, col_at = _compact(xs, shape[1])
    sub = np.zeros((row_of.size, col_of.size), bool)
    sub[row_at[ys], col_at[xs]] = True
    labels, n = ndimage.label(sub, structure=np.ones((3, 3), bool))
    inner = ndimage.binary_erosion(sub, structure=_CROSS, border_value=0)
    label = labels[row_at[ys], col_at[xs]]  # the component of each stroke pixel
    outline = ~inner[row_at[ys], col_at[xs]]  # a stroke pixel with a 4-neighbour outside the strokes
    order = np.argsort(label, kind="stable")
    label, y, x, outline = label[order], ys[order], xs[order], outline[order]
    starts = np.flatnonzero(np.r_[True, label[1:] != label[:-1]])
    areas = np.diff(np.r_[starts, label.size])
    big = areas >= 6  # speckle (most components of a noisy image) is dropped
    if not big.any():
        return []
    outlines = np.add.reduceat(outline.astype(np.int64), starts)[big]
    starts, areas = starts[big], areas[big]
    boxes = np.stack([np.minimum.reduceat(y, starts), np.maximum.reduceat(y, starts) + 1,
                      np.minimum.reduceat(x, starts), np.maximum.reduceat(x, starts) + 1], axis=1)
    h, w = boxes[:, 1] - boxes[:, 0], boxes[:, 3] - boxes[:, 2]
    fill = areas / (h * w)
    stroke_width = 2.0 * areas / np.maximum(outlines, 1)
    thin = (fill < 0.62) | (w <= 0.4 * h) | ((h <= 8) & (fill < 0.8)) | ((fill < 0.85) & (stroke_width < 0.3 * h))
    ok = (h >= 4) & (h <= max_h) & (w <= 8 * h) & thin
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


def _roughness(img: np.ndarray, cell: int) -> np.ndarray:
    """Per ``cell``-pixel square of uint8 ``img``: the mean absolute difference between horizontal
    neighbours (grey levels), a low quartile over the 3 × 3 squares around (text in one row of
    squares does not make its neighbourhood rough; noise and bone texture do)."""
    wide = img.astype(np.int16)
    dx = np.abs(np.diff(wide, axis=1, append=wide[:, -1:])).astype(np.uint8)
    rough = np.asarray(Image.fromarray(dx).reduce(cell), dtype=np.float32)
    return ndimage.percentile_filter(rough, 25, size=3, mode="nearest")


def _overlaps(a: TextLine, b: TextLine) -> bool:
    return a.bright == b.bright and a.top < b.bottom and b.top < a.bottom and a.left < b.right and b.left < a.right


#: a line this many times shorter than another it lies within is a fragment of the other's letters
FRAGMENT_RATIO = 1.7


def _fragment_of(small: TextLine, tall: TextLine) -> bool:
    """Whether ``small`` lies within the rows of ``tall`` and is much shorter: pieces of its letters
    (a low-contrast pass finds the anti-aliased feet of large letters as a row of short strokes)."""
    slack = 0.25 * tall.height  # blurred letters spread a little above and below the line's box
    return (small.height * FRAGMENT_RATIO <= tall.height and tall.top - slack <= small.top
            and small.bottom <= tall.bottom + slack)


def _merge(found: list[TextLine], more: list[TextLine]) -> list[TextLine]:
    """``found`` with each line of ``more`` added, replacing the lines it overlaps when it holds more characters.

    A line never gives way to fragments of its own letters (:func:`_fragment_of`), though it keeps
    their character count when higher (the estimate decides whether Tesseract runs); fragments give
    way to the whole line. Its height decides the scale at which Tesseract reads the band: a
    fragment's would enlarge the letters until their stems are erased as rules."""
    for line in more:
        same = [m for m in found if _overlaps(line, m)]
        if not same:
            found = found + [line]
            continue
        rest = [m for m in found if m not in same]
        if all(_fragment_of(m, line) for m in same):
            found = rest + [replace(line, chars=max([line.chars] + [m.chars for m in same]))]
        elif any(_fragment_of(line, m) for m in same):
            found = [replace(m, chars=max(m.chars, line.chars)) if _fragment_of(line, m) else m for m in found]
        elif line.chars > max(m.chars for m in same):
            found = rest + [line]
    return found


def find_text_lines(image: np.ndarray, detect_size: int = 1024, contrast: float = 0.25,
                    faint: float = 0.08, flat: float = 0.25, low: float = 0.12) -> tuple[list[TextLine], float]:
    """The pre-filter: candidate text lines on copies of ``image`` pooled down to ``detect_size``.

    ``image`` is greyscale, float in [0, 1] or uint8. A stroke is a pixel that differs
    from its local mean by more than ``contrast`` (bright text on dark, or dark on
    bright); strokes are grouped into character boxes and boxes into lines. A second pass
    does the same at ``low`` contrast (a faint stamp over anatomy: 0.12 finds stamps of
    0.14-0.4 contrast that the first misses, and sends about one real radiograph in five to
    Tesseract instead of one in fifty). A third pass looks for faint text where stamps
    usually sit, on a background near black (bright text) or white (dark text), within
    ``flat`` of the grey range, and smooth (:func:`_roughness` under half the faint level):
    there a stroke needs only ``faint`` of contrast (on anatomy, bone texture would pass
    that level). ``low=0`` or ``faint=0`` skips its pass. Where two passes find a line, the
    one holding more characters is kept. Returns the lines (detection-scale coordinates) and the
    scale from ``image`` to that copy.
    """
    factor = max(1, -(-max(image.shape) // detect_size))  # ceil: the copy's long side <= detect_size
    bright_img, dark_img = _pool(image, factor)
    long_side = max(bright_img.shape)
    cell = max(3, long_side // 72)  # local mean over ~3 cells: about long_side / 24, as a blur of radius / 48
    level = int(contrast * 255)
    max_h = max(12, long_side // 10)
    lines: list[TextLine] = []
    for img, bright in ((bright_img, True), (dark_img, False)):
        background = _background(img, cell)
        found = _lines(_components(*_strokes(img, background, cell, level, bright), img.shape, max_h), bright)
        if 0 < low < contrast:
            found = _merge(found, _lines(_components(*_strokes(img, background, cell, int(low * 255), bright),
                                                     img.shape, max_h), bright))
        near = background < flat * 255 if bright else background > (1.0 - flat) * 255
        if faint > 0 and near.any():
            near &= _roughness(img, cell) * 2.0 < faint * 255  # smooth: its noise well under the faint level
        if faint > 0 and near.any():
            faint_level = np.where(near, faint * 255, 255.0).astype(np.float32)  # 255: no stroke off the flat parts
            found = _merge(found, _lines(_components(*_strokes(img, background, cell, faint_level, bright),
                                                     img.shape, max_h), bright))
        lines += found
    scale = 1.0 / factor
    return lines, scale
