"""Burned-in text: the header-flag policy and a Tesseract OCR screen of the pixels.

Two checks decide whether an image may enter the store:

1. The header: ``BurnedInAnnotation=YES`` → ``exclude`` (default; counted in the ingest
   summary) or ``keep`` (:func:`flag_decision`, called before decoding).
2. The pixels of images the header does not flag (:func:`screen_pixels`): Tesseract
   (French + English, sparse-text page segmentation) reads the candidate text lines, and
   the image is excluded when the report de-identifier finds identity in what it read —
   a name, an ID, a date (of birth or not), a phone, an e-mail — whatever the length
   (:mod:`bonesearch.deid.burned_in_identity`), or, second trigger, when it recognises
   ``max_chars`` or more confident alphanumeric characters (on lines of two words or more) — 35, as Englebert et al.
   (arXiv 2405.08932) did. A character count alone let short stamps through
   (« DUPONT JEAN 12/03/1950 » is 19). Laterality and view labels ("D", "G", "DEBOUT",
   "EN CHARGE") are neither identity nor 35 characters.

Images smaller than ``BurnedInPolicy.screen_size`` are enlarged to it first
(:func:`upsampled`): ingest never decodes above the stored size, so a 384 × 284 file would
otherwise be screened with 3/4 of the text height a 512-px one gets.

Tesseract costs ~0.2 s per call (mostly loading its models), far above the per-image
budget of ingest, so a cheap pre-filter runs first (:mod:`bonesearch.deid.text_lines`): it
finds character-sized strokes (pixels ≥ 25 % of the grey range brighter or darker than
their local mean, then ≥ 12 % in a second pass for faint stamps over anatomy; ≥ 8 % on a
smooth near-black or near-white background, where stamps sit), groups them into text lines and estimates how many characters they hold. Only images
whose estimate reaches ``identity_min_chars`` (5) go to Tesseract, and only the bands of
rows around the candidate lines, each scaled so its text is about the height Tesseract
reads best and binarised against the strongest strokes of its faintest line, with long straight
strokes (a stamp's frame) erased; a band holding both light and dark lines is read both ways.
When that reading finds fewer characters than the pre-filter saw, or reads a word unclearly
(confidence under 80), a second one (the same bands in grey) follows.
Recognised text is PHI: it is counted and classified, never returned, logged or put in a
reason (reasons name classes: « burned-in identity text (DATE, PATIENT) »).

What the screen lets through is not stored as it is: ingest then blacks out every region the
learned detector of :mod:`bonesearch.deid.text_detector` takes for text in the square the store
keeps (``BurnedInPolicy.redact_text``).

What is screened (for the data protection officer): the whole image, every region — not
only the corners or borders — for light and for dark text. What is not caught: text whose
characters are smaller than ~4 pixels on the (enlarged) copy the pre-filter sees, text
with less contrast than a quarter of the grey range over anatomy (or than 8 % on a flat
background), and text Tesseract cannot read (e.g. blurred, over bright bone or metal).
``bench/burned_in_stamps.py`` measures it on 5,000 phantom radiographs with stamps of
varied size, font, contrast and place (BENCHMARKS.md). Ingest screens the copy it decodes
for the cache, at a long side of at least ``BurnedInPolicy.screen_size`` (512 by default),
so the smallest text caught is a share of the image's long side. Measured before issue 14
(count rule only) on 2048-3000 px phantom plates with a 3-line identity block (bottom-left
corner or mid-image over bone; light and dark; ``bench/ocr_screen.py --plates``):

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

import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageFilter
from scipy import ndimage

from bonesearch.deid.burned_in_identity import IDENTITY_LABELS, OcrWord, identity_labels, ocr_lines
from bonesearch.deid.text_lines import FRAGMENT_RATIO, TextLine, _as_uint8, find_text_lines
from bonesearch.errors import OcrUnavailable

FLAGGED_REASON = "BurnedInAnnotation=YES (text burned into the pixels)"
INSTALL_HINT = "install it (Debian/Ubuntu: `apt-get install tesseract-ocr tesseract-ocr-fra`; `pip install pytesseract`)"


@dataclass(frozen=True)
class BurnedInPolicy:
    """What ingest does about text burned into the pixels."""

    flagged: str = "exclude"  # header BurnedInAnnotation=YES: "exclude" (and count) or "keep"
    ocr: bool = True  # screen the pixels of images the header does not flag
    max_chars: int = 35  # exclude at this many recognised characters or more (the paper's 35)
    min_confidence: float = 50.0  # Tesseract word confidence (0-100) below which a word is not counted
    # towards max_chars (the identity check catches short and small stamps; at 15, bone texture read
    # as noise words on CLAHE-enhanced radiographs passed 35 characters)
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
    identity: bool = True  # also run the report de-identifier on the OCR text: a name, ID, date (of birth
    # or not), phone or e-mail excludes the image whatever its length (the count stays as a second trigger)
    identity_labels: tuple[str, ...] = IDENTITY_LABELS  # the de-identifier's labels that exclude
    identity_min_chars: int = 5  # with identity on, the pre-filter calls Tesseract from this estimated count
    name_confidence: float = 50.0  # Tesseract confidence (0-100) a name's words need to count as read (bone
    # texture is read as short capitalised "words" at 30-59 on real radiographs) ...
    run_confidence: float = 60.0  # ... capitalised words without a context (« MARTIN ODILE » alone) ...
    word_confidence: float = 70.0  # ... and one word of 5+ capitals, not vocabulary nor a label
    caret_confidence: float = 40.0  # DICOM's FAMILY^GIVEN with the caret misread (« DUMAS*JULIEN »)
    redact_text: bool = True  # black out what the learned text detector finds in the stored square of every
    # image that enters the store (:mod:`bonesearch.deid.text_detector`): text the OCR screen did not read
    id_digits: int = 5  # an identifier read by OCR counts from this many digits (noise reads as « 1 », « 104 »)
    inks: tuple[float, ...] = (0.3, 0.0)  # OCR readings of the candidate lines, in turn: binarised at this
    # share of the strokes' contrast, or (0) as grey; Tesseract misreads some stamps in either form
    retry_below: float = 1.0  # read again (identity on) while fewer characters than this share of the
    # pre-filter's estimate were read, or while a word was read with confidence under ``clean_confidence``:
    clean_confidence: float = 80.0  # a label read whole and clearly (« DEBOUT » at 95) is not read twice

    def __post_init__(self) -> None:
        if self.flagged not in ("exclude", "keep"):
            raise ValueError(f"BurnedInPolicy.flagged must be 'exclude' or 'keep', not {self.flagged!r}")
        if self.max_chars < 1:
            raise ValueError("BurnedInPolicy.max_chars must be at least 1")
        if not self.inks or any(not 0.0 <= ink < 1.0 for ink in self.inks):
            raise ValueError("BurnedInPolicy.inks must hold one or more shares in [0, 1) (0 = read in grey)")


@dataclass
class ScreenResult:
    """The outcome of :func:`screen_pixels`; ``reason`` never holds recognised text."""

    excluded: bool
    reason: str
    chars: int = 0  # confident alphanumeric characters recognised (0 when Tesseract did not run)
    ocr_run: bool = False  # whether Tesseract was called
    estimated_chars: int = 0  # the pre-filter's estimate
    identity: tuple[str, ...] = ()  # identity classes the de-identifier found in the OCR text (never the text)


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


def _zoomed(band: np.ndarray, zoom: float, text_height: int) -> tuple[np.ndarray, np.ndarray]:
    """``band`` (uint8) scaled by ``zoom``, and its mean over about a text height around (float32)."""
    img = Image.fromarray(band)
    if abs(zoom - 1.0) > 0.1:
        img = img.resize((max(1, round(img.width * zoom)), max(1, round(img.height * zoom))), Image.Resampling.BICUBIC)
    blur = img.filter(ImageFilter.BoxBlur(max(4, int(text_height * 0.75))))
    return np.asarray(img, dtype=np.float32), np.asarray(blur, dtype=np.float32)


def _flatten(arr: np.ndarray, blur: np.ndarray, zoom: float, text_height: int, bright: bool, contrast: float,
             ink: float, boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
    """A band (``arr`` and its local mean ``blur``, :func:`_zoomed` by ``zoom``), text dark on white:
    how much a pixel stands out from that mean, as a share of the strongest strokes of the faintest text
    line in ``boxes`` (top, bottom, left, right in ``band`` pixels; a bright marker beside a faint
    stamp must not set the scale); black above ``ink`` and white under it, or that share as grey
    when ``ink`` is 0. Long straight strokes (a box drawn around a stamp, a ruler) are erased:
    Tesseract reads boxed text as a picture."""
    diff = (arr - blur) if bright else (blur - arr)
    top = max(_faintest_text(diff, boxes, zoom), contrast * 255.0)  # at least ``contrast``
    out = np.where(diff > ink * top, 0, 255).astype(np.uint8) if ink > 0 else \
        (255.0 - 255.0 * np.clip(diff / top, 0.0, 1.0)).astype(np.uint8)
    return _erase_rules(out, text_height)


def _faintest_text(diff: np.ndarray, boxes: list[tuple[int, int, int, int]], zoom: float) -> float:
    """The contrast of the strongest strokes (99.5th percentile of ``diff``) of the faintest of
    ``boxes`` (band pixels before ``zoom``), or of the whole of ``diff`` without boxes."""
    tops = []
    for t, b, left, r in boxes:
        y0, x0 = int(t * zoom), int(left * zoom)
        part = diff[y0:max(y0 + 1, int(b * zoom)), x0:max(x0 + 1, int(r * zoom))]
        if part.size:
            tops.append(float(np.percentile(part, 99.5)))
    return min(tops) if tops else float(np.percentile(diff, 99.5))


def _erase_rules(img: np.ndarray, text_height: int) -> np.ndarray:
    """``img`` (text dark on white, text ``text_height`` high) without its long straight dark
    strokes: rows of ink longer than three text heights, columns taller than one and a half."""
    dark = img < 128
    rules = (ndimage.binary_opening(dark, structure=np.ones((1, 3 * text_height), bool))
             | ndimage.binary_opening(dark, structure=np.ones((int(1.5 * text_height), 1), bool)))
    if not rules.any():
        return img
    out = img.copy()
    out[ndimage.binary_dilation(rules, iterations=1)] = 255
    return out


def _same_scale(line: TextLine, band: list[TextLine]) -> bool:
    """Whether ``line`` can be read at the scale of ``band``'s lines: text of very different sizes on
    the same rows (a stamp beside a row of short strokes, light letters beside the dark gaps of a
    hand) is read in bands of its own, each enlarged to its own size."""
    height = _typical_height(band)
    return height / FRAGMENT_RATIO < line.height < height * FRAGMENT_RATIO


def _typical_height(lines: list[TextLine]) -> float:
    """The height of the text most characters of ``lines`` are in (a median weighted by characters):
    a line of a few strokes beside a long stamp must not set the band's scale."""
    ordered = sorted(lines, key=lambda ln: ln.height)
    half = sum(max(ln.chars, 1) for ln in ordered) / 2.0
    seen = 0
    for ln in ordered:
        seen += max(ln.chars, 1)
        if seen >= half:
            return float(ln.height)
    return float(ordered[-1].height)


def _ocr_crop(image: np.ndarray, lines: list[TextLine], scale: float, text_height: int,
              contrast: float = 0.08, ink: float = 0.3) -> Image.Image:
    """The rows holding ``lines``, cut from the full image, scaled and flattened for Tesseract.

    Each line's band of rows (1.5 line heights above and below; overlapping bands of text of a similar size merged,
    :func:`_same_scale`) spans the full width (a line's low-contrast part, e.g. over bone, may have escaped the
    pre-filter); the bands are stacked with a blank gap, so rows of anatomy between two
    distant lines are not read; each band is scaled so that its own text is ``text_height``
    high, and a blank margin surrounds them. Within a band, what stands out from its neighbourhood
    becomes dark on white, stretched so that the band's faintest text line is black
    (:func:`_flatten`): Tesseract's global threshold fails on text over a bone-to-air
    gradient, and a fixed threshold erases faint or thin text. ``contrast`` bounds the
    stretch, so that a band without text is not stretched into noise. A band holding both
    bright and dark lines (light text in a dark box, a dark outline around light letters,
    which the pre-filter also reads as a line) is flattened both ways, the polarity with
    more characters first: which one is the text is Tesseract's to say.
    """
    u8 = _as_uint8(image)
    inv = 1.0 / scale
    spans: list[list] = []
    for line in sorted(lines, key=lambda ln: ln.top):
        pad = line.height * 1.5
        top, bottom = max(0, int((line.top - pad) * inv)), min(u8.shape[0], int((line.bottom + pad) * inv) + 1)
        span = next((sp for sp in spans if top <= sp[1] and sp[0] <= bottom and _same_scale(line, sp[2])), None)
        if span is not None:
            span[0], span[1] = min(span[0], top), max(span[1], bottom)
            span[2].append(line)
        else:
            spans.append([top, bottom, [line]])
    pieces: list[np.ndarray] = []
    for top, bottom, members in spans:
        height = _typical_height(members) * inv  # each band at its own text's size
        zoom = min(text_height / max(height, 1.0), 4.0, 2400.0 / max(bottom - top, u8.shape[1]))
        chars = {bright: sum(ln.chars for ln in members if ln.bright == bright) for bright in (True, False)}
        arr, blur = _zoomed(u8[top:bottom], zoom, text_height)  # once per band, whichever polarities are read
        for bright in sorted([b for b in chars if chars[b]] or [True], key=lambda b: -chars[b]):
            boxes = [(ln.top * inv - top, ln.bottom * inv - top, ln.left * inv, ln.right * inv)
                     for ln in members if ln.bright == bright]
            pieces.append(_flatten(arr, blur, zoom, text_height, bright, contrast, ink, boxes))
    width = max(p.shape[1] for p in pieces) + 2 * text_height
    out = np.full((sum(p.shape[0] for p in pieces) + text_height * (len(pieces) + 1), width), 255, np.uint8)
    y = text_height  # a blank margin around and between the bands: Tesseract drops text touching an edge
    for p in pieces:
        out[y:y + p.shape[0], text_height:text_height + p.shape[1]] = p
        y += p.shape[0] + text_height
    return Image.fromarray(out)


#: a word alone on its OCR line counts towards ``max_chars`` from this many characters (« DEBOUT »)
WORD_ALONE = 5


def read_words(img: Image.Image, policy: BurnedInPolicy) -> tuple[int, list[list[OcrWord]]]:
    """What Tesseract reads in ``img``: the number of confident alphanumeric characters and the
    words by line (kept in memory for the identity check, never logged or returned by the screen).

    Characters count in words of two or more read with confidence ≥ ``policy.min_confidence``,
    on lines that hold two such words or more, or in a word of :data:`WORD_ALONE` characters or
    more alone on its line: text is read as lines of words, bone texture as scattered short
    fragments (« ee », « LA », « 4 »), one or two to a line, which on a CLAHE-enhanced knee
    add up past 35."""
    import pytesseract

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one worker per core: Tesseract must not spawn threads
    pytesseract.pytesseract.tesseract_cmd = policy.tesseract_cmd
    data = pytesseract.image_to_data(img, lang=policy.languages, config=f"--psm {policy.psm}",
                                     output_type=pytesseract.Output.DICT, timeout=policy.timeout_s)
    lines = ocr_lines(data)
    n = 0
    for line in lines:
        counted = [c for c in (sum(ch.isalnum() for ch in w.text) for w in line if w.conf >= policy.min_confidence)
                   if c >= 2]
        n += sum(counted) if len(counted) >= 2 else sum(c for c in counted if c >= WORD_ALONE)
    return n, lines


def count_characters(img: Image.Image, policy: BurnedInPolicy) -> int:
    """Confident alphanumeric characters Tesseract reads in ``img`` (the text itself is dropped)."""
    return read_words(img, policy)[0]


def upsampled(image: np.ndarray, size: int) -> np.ndarray:
    """``image`` as uint8, enlarged (bicubic) to a long side of ``size`` when it is smaller.

    Ingest never decodes an image above its stored size, so a 384 × 284 file reaches the
    screen at 384 px whatever ``screen_size`` says; enlarging it gives the pre-filter and
    Tesseract the same text size (in pixels) as on an image decoded at ``size``.
    """
    u8 = _as_uint8(image)
    long_side = max(u8.shape)
    if long_side >= size:
        return u8
    zoom = size / long_side
    shape = (max(1, round(u8.shape[1] * zoom)), max(1, round(u8.shape[0] * zoom)))
    return np.asarray(Image.fromarray(u8).resize(shape, Image.Resampling.BICUBIC))


def screen_pixels(image: np.ndarray, policy: BurnedInPolicy, label: str = "image") -> ScreenResult:
    """Decide whether a decoded image carries burned-in text (``image``: greyscale, bone bright).

    Images smaller than ``policy.screen_size`` are first enlarged to it (:func:`upsampled`).
    The image is excluded when the report de-identifier finds identity (a name, an ID, a
    birth date, a phone: ``policy.identity_labels``) in what Tesseract reads, whatever its
    length, or when Tesseract reads ``policy.max_chars`` confident characters or more.
    Returns a :class:`ScreenResult` whose ``reason`` (safe to log: it holds identity
    classes and counts, never the recognised text) says why an image is excluded. A
    Tesseract failure excludes the image (fail closed). Raises
    :class:`~bonesearch.errors.OcrUnavailable` when OCR is on and Tesseract is missing.
    """
    if not policy.ocr:
        return ScreenResult(False, "")
    check_tesseract(policy)
    if image.ndim != 2:
        raise ValueError(f"{label}: screen_pixels needs a 2-D greyscale image, got shape {image.shape}")
    image = upsampled(image, policy.screen_size)
    lines, scale = find_text_lines(image, policy.detect_size)
    estimate = sum(line.chars for line in lines)
    needed = policy.prefilter_share * policy.max_chars
    if policy.identity:
        needed = min(needed, policy.identity_min_chars)
    if policy.prefilter and estimate < needed:
        return ScreenResult(False, "", 0, False, estimate)
    if not lines:  # pre-filter off and nothing found: read the whole image
        lines = [TextLine(0, image.shape[0], 0, image.shape[1], image.shape[0] / 20.0, 0, True)]
        scale = 1.0
    import pytesseract

    best, clean = 0, False
    for k, ink in enumerate(policy.inks if policy.identity else policy.inks[:1]):
        if k and best >= policy.retry_below * estimate and clean:
            break  # the first reading found as many characters as the pre-filter saw, clearly: no second one
        try:
            n, words = read_words(_ocr_crop(image, lines, scale, policy.text_height, ink=ink), policy)
        except (pytesseract.TesseractError, RuntimeError, OSError) as exc:
            return ScreenResult(True, f"{label}: OCR screen failed ({type(exc).__name__}); excluded to be safe",
                                best, True, estimate)
        best = max(best, n)
        clean = all(w.conf >= policy.clean_confidence for line in words for w in line)
        found = (identity_labels(words, policy.name_confidence, policy.identity_labels, policy.word_confidence,
                                 policy.run_confidence, policy.id_digits, policy.caret_confidence)
                 if policy.identity else ())
        if found:
            return ScreenResult(True, f"burned-in identity text ({', '.join(found)}) read by OCR in the pixels "
                                      f"({n} characters); excluded", n, True, estimate, found)
        if n >= policy.max_chars:
            return ScreenResult(True, f"burned-in text: OCR read {n} characters in the pixels "
                                      f"(threshold {policy.max_chars}); excluded", n, True, estimate)
    return ScreenResult(False, "", best, True, estimate)
