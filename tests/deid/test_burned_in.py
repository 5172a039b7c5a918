"""Burned-in text: the header-flag policy and the Tesseract OCR screen, on demo DICOM files.

The demo stamps a CR-plate identity block (name, IPP, birth and exam dates) into ~2 % of
studies with ``BurnedInAnnotation=YES`` and ~1.5 % more whose header says NO or nothing,
and draws harmless "D"/"G"/"DEBOUT" markers on others. Tests read those files back through
the ingest decoder and screen the decoded pixels.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from bonesearch.demo.archive import render_study, stamp_lines, study_dir
from bonesearch.demo.phantom_core import PhantomParams, stamp, text_mask
from bonesearch.demo.phantoms import render_phantom
from bonesearch.demo.plan import StudyPlan, plan_archive
from bonesearch.deid.burned_in import (FLAGGED_REASON, BurnedInPolicy, check_tesseract, flag_decision,
                                       screen_pixels, upsampled)
from bonesearch.imaging.dicom import decode_greyscale, read_dataset
from bonesearch.errors import OcrUnavailable

try:
    import pytesseract  # noqa: F401

    HAVE_PYTESSERACT = True
except ImportError:
    HAVE_PYTESSERACT = False

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None or not HAVE_PYTESSERACT,
    reason="Tesseract OCR is not installed here (apt-get install tesseract-ocr tesseract-ocr-fra; "
           "pip install pytesseract); CI installs it")

N_STUDIES, SEED = 80, 4


@pytest.fixture(scope="module")
def demo_images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[StudyPlan, np.ndarray]]]:
    """Decoded pixels of the demo's stamped studies, of images with markers, and of clean images."""
    plans = plan_archive(N_STUDIES, SEED)
    out = tmp_path_factory.mktemp("burned")
    groups: dict[str, list[tuple[StudyPlan, np.ndarray]]] = {"flagged": [], "undeclared": [], "marker": [],
                                                            "clean": []}
    clean_studies = [st for st in plans if not st.pixel_phi and not any(i.marker for i in st.images)][:4]
    marker_studies = [st for st in plans if not st.pixel_phi and any(i.marker for i in st.images)][:8]
    for st in [s for s in plans if s.pixel_phi] + marker_studies + clean_studies:
        render_study(st, out)
        for img in st.images:
            path = study_dir(out, st) / f"IM{img.number}.dcm"
            pixels = decode_greyscale(read_dataset(path, path.name), path.name)
            if st.pixel_phi:
                groups["flagged" if st.burned_in else "undeclared"].append((st, pixels))
            else:
                groups["marker" if img.marker else "clean"].append((st, pixels))
    assert all(groups.values()), {k: len(v) for k, v in groups.items()}
    return groups


def test_flag_policy() -> None:
    assert flag_decision(True, BurnedInPolicy()) == FLAGGED_REASON
    assert flag_decision(True, BurnedInPolicy(flagged="keep")) is None
    assert flag_decision(False, BurnedInPolicy()) is None
    with pytest.raises(ValueError, match="exclude"):
        BurnedInPolicy(flagged="drop")


def test_demo_stamps_include_undeclared_headers(demo_images) -> None:
    undeclared = {st.accession: st for st, _ in demo_images["undeclared"]}
    assert undeclared and all(not st.burned_in for st in undeclared.values())
    assert {i.marker for st, _ in demo_images["marker"] for i in st.images} & {"D", "G"}


@needs_tesseract
@pytest.mark.parametrize("group", ["flagged", "undeclared"])
def test_ocr_excludes_stamped_images_without_revealing_the_text(demo_images, group) -> None:
    policy = BurnedInPolicy()
    for st, pixels in demo_images[group]:
        result = screen_pixels(pixels, policy, label="IM1.dcm")
        assert result.excluded and result.ocr_run, (st.accession, result.chars, result.estimated_chars)
        assert "excluded" in result.reason
        assert result.chars >= policy.max_chars or "identity text" in result.reason
        stamped_words = {w for line in stamp_lines(st) for w in re.findall(r"\w{2,}", line)}
        assert not [w for w in stamped_words if w.lower() in result.reason.lower() and w not in ("IPP", "NE", "LE")]
        assert not re.search(r"\d{2}/\d{2}", result.reason) and st.patient.ipp not in result.reason


@needs_tesseract
@pytest.mark.parametrize("group", ["marker", "clean"])
def test_markers_and_clean_phantoms_are_kept(demo_images, group) -> None:
    for st, pixels in demo_images[group]:
        result = screen_pixels(pixels, BurnedInPolicy())
        assert not result.excluded and result.reason == "", (st.accession, result.chars)


@needs_tesseract
def test_clean_images_do_not_reach_tesseract(demo_images) -> None:
    """The pre-filter is what keeps the screen cheap: most images never call Tesseract."""
    results = [screen_pixels(p, BurnedInPolicy()) for _, p in demo_images["clean"] + demo_images["marker"]]
    assert sum(r.ocr_run for r in results) <= len(results) // 4


@needs_tesseract
def test_threshold_is_configurable(demo_images) -> None:
    st, pixels = demo_images["undeclared"][0]
    lenient = screen_pixels(pixels, BurnedInPolicy(max_chars=500, prefilter=False, identity=False))
    assert not lenient.excluded and lenient.ocr_run and lenient.chars > 20
    debout = _stamped(_plate(512, 6), ["DEBOUT"], 20, corner="tl")
    assert not screen_pixels(debout, BurnedInPolicy()).excluded
    strict = screen_pixels(debout, BurnedInPolicy(max_chars=2))
    assert strict.excluded and "OCR read" in strict.reason  # a word-long marker, once the threshold allows it


@needs_tesseract
def test_without_prefilter_the_whole_image_is_read(demo_images) -> None:
    _, pixels = demo_images["flagged"][0]
    assert screen_pixels(pixels, BurnedInPolicy(prefilter=False)).excluded
    _, clean = demo_images["clean"][0]
    result = screen_pixels(clean, BurnedInPolicy(prefilter=False))
    assert result.ocr_run and not result.excluded


@needs_tesseract
def test_small_stamp_on_a_large_plate_is_found() -> None:
    """A 2048-px plate with a 14-px-high stamp (0.7 % of its height), bright or dark, float or uint8."""
    img = render_phantom(PhantomParams(body_part="knee", view="AP", side="R", finding="normal",
                                       long_side=2048, seed=11)).image
    for k, line in enumerate(["MARTIN ODILE", "IPP 04417282 NE LE 02/11/1948", "03/05/2021 16:20"]):
        stamp(img, text_mask(line, 18), 1880 + k * 27, 80, 0.98, mode="over")
    assert screen_pixels(img, BurnedInPolicy()).excluded
    dark = np.clip((1.0 - img) * 255 + 0.5, 0, 255).astype(np.uint8)
    assert screen_pixels(dark, BurnedInPolicy()).excluded


@needs_tesseract
def test_tesseract_failure_excludes_the_image(demo_images, monkeypatch) -> None:
    import pytesseract

    from bonesearch.deid import burned_in

    def broken(*_args, **_kwargs):
        raise pytesseract.TesseractError(1, "Error opening data file")

    monkeypatch.setattr(burned_in, "read_words", broken)
    _, pixels = demo_images["undeclared"][0]
    result = screen_pixels(pixels, BurnedInPolicy(), label="IM2.dcm")
    assert result.excluded and "IM2.dcm: OCR screen failed (TesseractError)" in result.reason


def test_missing_tesseract_names_the_fix(tmp_path: Path) -> None:
    policy = BurnedInPolicy(tesseract_cmd=str(tmp_path / "bin" / "tesseract"))
    with pytest.raises(OcrUnavailable, match="apt-get install tesseract-ocr tesseract-ocr-fra") as err:
        check_tesseract(policy)
    assert "--no-ocr" in str(err.value) and str(tmp_path) in str(err.value)
    with pytest.raises(OcrUnavailable):
        screen_pixels(np.zeros((64, 64), np.float32), policy)


def test_ocr_off_needs_no_tesseract(tmp_path: Path) -> None:
    policy = BurnedInPolicy(ocr=False, tesseract_cmd=str(tmp_path / "absent"))
    assert check_tesseract(policy) is None
    img = np.zeros((64, 64), np.float32)
    stamp(img, text_mask("DUPONT JEAN 12/03/1950", 10), 20, 2, 1.0, mode="over")
    assert screen_pixels(img, policy).excluded is False


@needs_tesseract
def test_missing_language_names_the_package() -> None:
    with pytest.raises(OcrUnavailable, match="tesseract-ocr-zzz"):
        check_tesseract(BurnedInPolicy(languages="fra+zzz"))


@needs_tesseract
def test_ingest_sized_copy_of_a_large_plate() -> None:
    """Ingest screens the copy it decodes (long side >= screen_size): a 3 % corner stamp on a
    2500-px plate is still found there, and the clean plate never reaches Tesseract."""
    from bonesearch.imaging.pixel_cache import box_reduce
    from indexer.decode_worker import WorkerOptions

    policy = BurnedInPolicy()
    assert WorkerOptions("00", 256, policy).decode_size == policy.screen_size
    assert WorkerOptions("00", 256, BurnedInPolicy(ocr=False)).decode_size == 218  # the cache may upsample 15 %
    assert WorkerOptions("00", 256, BurnedInPolicy(ocr=False), max_upsample=0.0).decode_size == 256
    img = render_phantom(PhantomParams(body_part="pelvis", view="AP", side="", finding="normal",
                                       long_side=2500, seed=7)).image
    u8 = np.clip(img * 255 + 0.5, 0, 255).astype(np.uint8)
    clean = screen_pixels(box_reduce(u8, 2500 // policy.screen_size), policy)
    assert not clean.excluded and not clean.ocr_run
    for k, line in enumerate(["MARTIN ODILE", "IPP 04417282 NE LE 02/11/1948", "03/05/2021 16:20"]):
        stamp(img, text_mask(line, 100), 1580 + k * 110, 100, 0.98, mode="over")  # bottom-left of 2000 x 2500
    u8 = np.clip(img * 255 + 0.5, 0, 255).astype(np.uint8)
    assert screen_pixels(box_reduce(u8, 2500 // policy.screen_size), policy).excluded


# ---- issue 14, item 3: identity stamps under the character count -----------------------------------

def _assert_no_phi(reason: str, lines: list[str]) -> None:
    """``reason`` names classes and counts, never a word or number of the stamp."""
    words = {w for line in lines for w in re.findall(r"\w{2,}", line)} - {"IPP", "NE", "LE", "ID", "Tel"}
    assert not [w for w in words if w.lower() in reason.lower()], reason
    assert not re.search(r"\d{2}[/.]\d{2}|\d{4,}", reason), reason


def _plate(long_side: int, seed: int, part: str = "knee") -> np.ndarray:
    return render_phantom(PhantomParams(body_part=part, view="AP", side="R", finding="normal",
                                        long_side=long_side, seed=seed)).image


def _stamped(img: np.ndarray, lines: list[str], height: int, corner: str = "bl", value: float = 0.98) -> np.ndarray:
    """``img`` (float, bone bright) with ``lines`` stamped in a corner, as uint8 (what ingest screens)."""
    img = img.copy()
    h, w = img.shape
    masks = [text_mask(line, height) for line in lines]
    step = int(height * 1.5)
    top = int(0.06 * h) if corner[0] == "t" else h - int(0.05 * h) - step * len(masks)
    for k, m in enumerate(masks):
        left = int(0.04 * w) if corner[1] == "l" else w - int(0.04 * w) - m.shape[1]
        stamp(img, m, top + k * step, left, value, mode="over")
    return np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)


@needs_tesseract
def test_demo_small_image_whose_stamp_reads_under_the_count_is_excluded(tmp_path: Path) -> None:
    """The defect of issue 14: study RX17084308137 of the 9,600-study demo (seed 0) has a
    384 × 284 image, never decoded up to ``screen_size``, whose clearly readable stamp
    (name, IPP, birth date) Tesseract read as 32-34 characters, under the 35 threshold."""
    from bonesearch.imaging.pixel_cache import CACHE_SIZE
    from indexer.decode_worker import WorkerOptions

    st = next((s for s in plan_archive(9600, 0) if s.accession == "RX17084308137"), None)
    assert st is not None and st.pixel_phi and not st.burned_in, "the demo plan changed: pick the new small stamped image"
    render_study(st, tmp_path)
    path = study_dir(tmp_path, st) / "IM2.dcm"
    policy = BurnedInPolicy()
    pixels = decode_greyscale(read_dataset(path, path.name), path.name,
                              min_size=WorkerOptions("00", CACHE_SIZE, policy).decode_size, as_uint8=True)
    assert pixels.shape == (384, 284)  # what ingest screens: no larger copy exists
    result = screen_pixels(pixels, policy, label="IM2.dcm")
    assert result.excluded and result.ocr_run, (result.chars, result.estimated_chars)
    assert "identity text" in result.reason
    _assert_no_phi(result.reason, stamp_lines(st))


SHORT_STAMPS = {  # all far under the 35-character count
    "name+birth": (["DUPONT JEAN 12/03/1950"], "PATIENT"),
    "ipp": (["IPP 04417282"], "ID"),
    "birth": (["NE LE 02/11/1948"], "BIRTHDATE"),
    "phone": (["Tel 06 12 34 56 78"], "PHONE"),
    "name": (["MARTIN ODILE"], "PATIENT"),
}


@needs_tesseract
@pytest.mark.parametrize("case", sorted(SHORT_STAMPS))
@pytest.mark.parametrize("long_side,height", [(512, 16), (256, 9)])
def test_short_identity_stamps_are_excluded_whatever_their_length(case: str, long_side: int, height: int) -> None:
    """A name, an ID, a birth date or a phone is excluded even when it reads as a few characters,
    on a 512-px image and on a 256-px one (upsampled to the screen size before the OCR)."""
    lines, label = SHORT_STAMPS[case]
    pixels = _stamped(_plate(long_side, 3), lines, height)
    result = screen_pixels(pixels, BurnedInPolicy(), label="IM1.dcm")
    assert result.excluded and result.chars < BurnedInPolicy().max_chars, (result.chars, result.estimated_chars)
    assert result.reason.startswith("burned-in identity text (") and label in result.reason, result.reason
    _assert_no_phi(result.reason, lines)


@needs_tesseract
def test_dark_identity_stamp_on_a_small_image_is_excluded() -> None:
    """Dark text on a bright background, top-right, on a 384-px image."""
    lines = ["LEROY MONIQUE", "ID 5512093"]
    img = 1.0 - _plate(384, 8, "hand")  # shown bone dark, background bright
    pixels = _stamped(img, lines, 12, corner="tr", value=0.02)
    result = screen_pixels(pixels, BurnedInPolicy())
    assert result.excluded and "identity text" in result.reason, (result.chars, result.estimated_chars)
    _assert_no_phi(result.reason, lines)


@needs_tesseract
def test_count_rule_still_excludes_long_text_without_identity() -> None:
    """The paper's rule stays as the second trigger: 35 characters or more, whatever they say."""
    lines = ["RADIOGRAPHIE GENOU DROIT", "FACE ET PROFIL EN CHARGE"]
    result = screen_pixels(_stamped(_plate(512, 5), lines, 16), BurnedInPolicy())
    assert result.excluded and result.chars >= 35 and "OCR read" in result.reason, result


@needs_tesseract
@pytest.mark.parametrize("marker", ["D", "G", "DEBOUT", "FACE", "PROFIL"])
def test_short_harmless_labels_are_kept(marker: str) -> None:
    """Laterality and view labels are not identity: kept, on a small image too."""
    for long_side, height in ((512, 20), (300, 12)):
        result = screen_pixels(_stamped(_plate(long_side, 6), [marker], height, corner="tl"), BurnedInPolicy())
        assert not result.excluded, (marker, long_side, result)


@needs_tesseract
def test_faint_stamp_over_anatomy_is_excluded() -> None:
    """A name only 0.18 of the grey range brighter than the bone under it, mid-image: the
    pre-filter's low-contrast pass finds it (the 0.25 pass alone estimated 0 characters)."""
    img = _plate(512, 3, "knee")
    mask = text_mask("LAMBERT COLETTE", 16)
    h, w = img.shape
    top, left = h // 2 - 8, (w - mask.shape[1]) // 2
    region = img[top:top + mask.shape[0], left:left + mask.shape[1]]
    img[top:top + mask.shape[0], left:left + mask.shape[1]] = np.where(mask > 0.5, np.clip(region + 0.18, 0, 1), region)
    result = screen_pixels(np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8), BurnedInPolicy())
    assert result.excluded and "PATIENT" in result.identity, (result.estimated_chars, result.reason)
    _assert_no_phi(result.reason, ["LAMBERT COLETTE"])


def _bold(mask: np.ndarray, width: int) -> np.ndarray:
    """``mask`` with its strokes thickened by ``width`` pixels (a bold or smeared font)."""
    from scipy import ndimage

    return ndimage.grey_dilation(mask, size=(width, width))


def test_prefilter_finds_bold_text() -> None:
    """Bold letters fill 0.62-0.8 of their box, like a bone end; their strokes stay thin for their
    height, which tells them apart (« GARNIER MEHDI » in a bold font was estimated at 0 characters)."""
    from bonesearch.deid.text_lines import find_text_lines

    img = _plate(736, 4, "ankle")
    mask = _bold(text_mask("GARNIER MEHDI", 22), 3)
    stamp(img, mask, 560, img.shape[1] - 20 - mask.shape[1], 0.98, mode="over")
    lines, _ = find_text_lines(np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8))
    assert sum(line.chars for line in lines if line.bright and line.top > 540) >= 8, lines


@needs_tesseract
def test_boxed_stamp_is_read() -> None:
    """A stamp framed by a drawn rectangle: Tesseract reads a boxed word as a picture unless the
    frame is erased (« ID: 132594500 » was read as « | »)."""
    lines = ["IPP 132594500"]
    pixels = _stamped(_plate(512, 9), lines, 14, corner="tr")
    rows, cols = np.nonzero(pixels[: pixels.shape[0] // 3] == 250)  # the stamp's own pixels
    top, bottom, left, right = rows.min() - 6, rows.max() + 6, cols.min() - 6, cols.max() + 6
    pixels[top:bottom + 1, [left, left + 1, right - 1, right]] = 250
    pixels[[top, top + 1, bottom - 1, bottom], left:right + 1] = 250
    result = screen_pixels(pixels, BurnedInPolicy())
    assert result.excluded and "ID" in result.identity, (result.estimated_chars, result.reason)


@needs_tesseract
def test_a_band_with_lines_of_both_polarities_is_read_both_ways(monkeypatch) -> None:
    """Light letters in a dark box: the pre-filter also found the gaps between the letters as a
    dark « line », estimated at more characters than the letters (bench image #423), and the
    band was read inverted only: nothing. Both polarities are read now."""
    from bonesearch.deid import burned_in
    from bonesearch.deid.text_lines import TextLine, find_text_lines

    lines = ["GAUTHIER LOUISE 07/11/1931"]
    pixels = _stamped(_plate(640, 2), lines, 20, corner="tl")
    found, scale = find_text_lines(pixels)
    text = [ln for ln in found if ln.bright]
    assert text, found
    gaps = TextLine(min(ln.top for ln in text) - 4, max(ln.bottom for ln in text) + 4, min(ln.left for ln in text),
                    max(ln.right for ln in text), 30.0, 2 * sum(ln.chars for ln in text), False)
    monkeypatch.setattr(burned_in, "find_text_lines", lambda image, size: (text + [gaps], scale))
    result = screen_pixels(pixels, BurnedInPolicy())
    assert result.excluded and "PATIENT" in result.identity, (result.estimated_chars, result.reason)
    _assert_no_phi(result.reason, lines)


@needs_tesseract
def test_faint_stamp_beside_a_bright_marker_is_read() -> None:
    """A faint name (0.15 above a dark background) on the rows of a bright « R » marker: each
    line is stretched to its own contrast, so the marker does not set the faint text to white."""
    img = _plate(560, 11, "hand") * 0.6
    name = text_mask("PICARD PIERRE 24-08-1967", 12)
    region = img[32:32 + name.shape[0], 10:10 + name.shape[1]]
    img[32:32 + name.shape[0], 10:10 + name.shape[1]] = np.where(name > 0.5, region + 0.15, region)
    stamp(img, text_mask("R", 30), 20, img.shape[1] - 40, 1.0, mode="over")
    result = screen_pixels(np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8), BurnedInPolicy())
    assert result.excluded and result.identity, (result.estimated_chars, result.reason)


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Debian's fonts-dejavu-core (make setup)
needs_dejavu = pytest.mark.skipif(not DEJAVU.exists(), reason="DejaVu Sans is not installed (fonts-dejavu-core)")


def _large_stamp() -> tuple[np.ndarray, int]:
    """Bench image #1588 (seed 0): « Dossier 84543108 » in DejaVu Sans, 26 px high, in white across the
    top of a 640-px hand, on the black of the detector."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(DEJAVU), 34)
    text = "Dossier 84543108"
    box = font.getbbox(text)
    canvas = Image.new("L", (box[2] + 4, box[3] + 4), 0)
    ImageDraw.Draw(canvas).text((2, 2), text, fill=255, font=font)
    mask = np.asarray(canvas, np.float32) / 255.0
    rows, cols = np.nonzero(mask > 0.05)
    mask = mask[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    img = _plate(640, 3, "hand")
    stamp(img, mask, 20, img.shape[1] - 20 - mask.shape[1], 0.96, mode="over")
    return np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8), mask.shape[0]


@needs_dejavu
def test_large_letters_keep_their_height_in_the_prefilter() -> None:
    """The faint pass found the anti-aliased feet of large letters as a row of 7-px strokes, counted
    them as more characters than the letters themselves, and replaced the line: Tesseract then read
    the band enlarged four times, the letters' stems erased as rules, and kept the stamp."""
    from bonesearch.deid.text_lines import find_text_lines

    pixels, height = _large_stamp()
    lines, scale = find_text_lines(pixels)
    top = [ln for ln in lines if ln.bright and ln.bottom * scale < pixels.shape[0] // 4]
    assert top and max(ln.height for ln in top) / scale >= 0.6 * height, lines


def test_a_fragment_line_does_not_replace_the_whole_line() -> None:
    """Merging the passes: the line whose rows hold a much shorter one keeps its height (and the
    higher character count); fragments found first give way to the whole line."""
    from bonesearch.deid.text_lines import TextLine, _merge

    whole = TextLine(20, 53, 174, 488, 26.0, 16, True)
    feet = TextLine(46, 53, 347, 464, 7.0, 21, True)
    for first, second in ((whole, feet), (feet, whole)):
        merged = _merge([first], [second])
        assert [(ln.height, ln.chars) for ln in merged] == [(26.0, 21)], merged
    beside = TextLine(100, 107, 10, 90, 7.0, 12, True)  # another line: both kept
    assert len(_merge([whole], [beside])) == 2


@needs_dejavu
@needs_tesseract
def test_large_stamp_is_excluded() -> None:
    pixels, _ = _large_stamp()
    result = screen_pixels(pixels, BurnedInPolicy())
    assert result.excluded and "ID" in result.identity, (result.estimated_chars, result.reason)


@needs_tesseract
def test_text_beside_larger_strokes_is_read_at_its_own_size(monkeypatch) -> None:
    """Bench image #4253: a phone number over the fingers of a hand, on the same rows as the dark
    gaps between the fingers, which the pre-filter took for a line of larger « characters ». The
    band was enlarged for the gaps, the digits stayed too small, Tesseract read nothing. Lines
    of very different sizes are now read in bands of their own."""
    from bonesearch.deid import burned_in
    from bonesearch.deid.text_lines import TextLine, find_text_lines

    lines = ["Tel: 03-32-86-50-30"]
    pixels = _stamped(_plate(464, 5, "hand"), lines, 9, corner="bl")
    screened = upsampled(pixels, BurnedInPolicy().screen_size)  # what the pre-filter sees
    found, scale = find_text_lines(screened)
    text = [ln for ln in found if ln.bright and ln.top / scale > screened.shape[0] // 2]
    assert text, found
    top, bottom = min(ln.top for ln in text), max(ln.bottom for ln in text)
    left, right = min(ln.left for ln in text), max(ln.right for ln in text)
    tall = 4.5 * max(ln.height for ln in text)
    gaps = [TextLine(top - 12, bottom + 12, left + k, right, tall, 3 * sum(ln.chars for ln in text), False)
            for k in (0, 4)]
    monkeypatch.setattr(burned_in, "find_text_lines", lambda image, size: (text + gaps, scale))
    result = screen_pixels(pixels, BurnedInPolicy())
    assert result.excluded and "PHONE" in result.identity, (result.estimated_chars, result.reason)
