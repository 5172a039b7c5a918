"""DICOM decoding on real CR files and on synthetic edge cases."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from bonesearch.imaging.dicom import decode_greyscale, read_dataset
from bonesearch.errors import InvalidDicom


def _dataset(pixels: np.ndarray, photometric: str = "MONOCHROME2", **extra) -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1"
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.1"
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = photometric
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
    ds.PixelRepresentation = 0
    ds.PixelData = pixels.astype(np.uint16).tobytes()
    for k, v in extra.items():
        setattr(ds, k, v)
    return ds


def test_real_cr_jpeg2000_monochrome1_comes_out_bone_bright(shared_data):
    """RG3 (distal tibia, MONOCHROME1, JPEG 2000): unexposed border white, air dark, bone bright."""
    ds = read_dataset(shared_data / "dicom" / "RG3_J2KR.dcm", "RG3_J2KR.dcm")
    raw = ds.pixel_array
    image = decode_greyscale(ds, "RG3_J2KR.dcm")
    assert image.shape == raw.shape and image.dtype == np.float32
    assert 0.0 <= image.min() and image.max() <= 1.0
    # MONOCHROME1: the raw minimum must display white, the raw maximum black
    assert image[raw == raw.min()].mean() > 0.95
    assert image[raw >= np.percentile(raw, 99)].mean() < 0.1


def test_lossy_and_lossless_jpeg2000_agree(shared_data):
    lossless = decode_greyscale(read_dataset(shared_data / "dicom" / "RG3_J2KR.dcm"), "a")
    lossy = decode_greyscale(read_dataset(shared_data / "dicom" / "RG3_J2KI.dcm"), "b")
    assert np.abs(lossless - lossy).mean() < 0.05


def test_tiny_real_cr_files_decode(shared_data):
    files = sorted((shared_data / "dicom" / "cr_headers_only").rglob("*"))
    files = [f for f in files if f.is_file()]
    assert files
    for path in files:
        assert decode_greyscale(read_dataset(path), path.name).shape == (16, 16)


def test_window_is_applied_and_monochrome1_inverted():
    ramp = np.tile(np.arange(0, 4096, 16, dtype=np.uint16), (16, 1))  # 16 x 256
    plain = decode_greyscale(_dataset(ramp, WindowCenter=2048, WindowWidth=1024), "ramp")
    assert plain[0, 0] == 0.0 and plain[0, -1] == 1.0  # clipped outside the window
    inside = (ramp[0] > 1600) & (ramp[0] < 2500)
    assert np.all(np.diff(plain[0, inside]) >= 0)
    inverted = decode_greyscale(_dataset(ramp, "MONOCHROME1", WindowCenter=2048, WindowWidth=1024), "ramp")
    np.testing.assert_allclose(inverted, 1.0 - plain, atol=1e-6)


def test_not_dicom_and_no_pixels_are_clear_errors(tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("pas une image")
    with pytest.raises(InvalidDicom, match="notes.txt is not a DICOM file"):
        read_dataset(junk, "notes.txt")
    ds = _dataset(np.zeros((8, 8)))
    del ds.PixelData
    path = tmp_path / "sr.dcm"
    ds.save_as(path, enforce_file_format=True)
    with pytest.raises(InvalidDicom, match="no PixelData"):
        read_dataset(path, "sr.dcm")


def test_truncated_file_is_invalid(tmp_path):
    ds = _dataset(np.random.default_rng(0).integers(0, 4000, (64, 64)))
    path = tmp_path / "full.dcm"
    ds.save_as(path, enforce_file_format=True)
    cut = tmp_path / "cut.dcm"
    cut.write_bytes(path.read_bytes()[:900])
    with pytest.raises(InvalidDicom, match="cut.dcm"):
        decode_greyscale(read_dataset(cut, "cut.dcm"), "cut.dcm")


def test_query_image_from_png_dicom_and_garbage(tmp_path, shared_data):
    from PIL import Image

    from bonesearch.errors import InvalidQueryImage
    from bonesearch.imaging.query_image import load_query_image

    png = tmp_path / "hand.png"
    Image.open(shared_data / "boneage" / "images" / next(p.name for p in (shared_data / "boneage" / "images").glob("*.png"))).save(png)
    assert load_query_image(png).shape == (256, 256)
    assert load_query_image(shared_data / "dicom" / "RG3_J2KI.dcm").shape == (256, 256)
    junk = tmp_path / "notes.png"
    junk.write_text("pas une image")
    with pytest.raises(InvalidQueryImage, match="notes.png: not a readable image"):
        load_query_image(junk)


@pytest.mark.parametrize("size", [256, 512])
@pytest.mark.parametrize("name", ["RG3_J2KR.dcm", "RG3_J2KI.dcm", "RG1_J2KI.dcm"])
def test_reduced_jpeg2000_decode_matches_full_decode(shared_data, name, size):
    """Decoding only the wavelet level the cache needs gives the same cached image (and uint8 = float path)."""
    from bonesearch.imaging.pixel_cache import to_cached_square
    from bonesearch.imaging.jpeg2000 import decode_reduced

    ds = read_dataset(shared_data / "dicom" / name, name)
    full = to_cached_square(decode_greyscale(ds, name), size).astype(int)
    reduced_raw = decode_reduced(read_dataset(shared_data / "dicom" / name, name), size)
    assert reduced_raw is not None and max(reduced_raw.shape) >= size and reduced_raw.max() < 2 ** ds.BitsStored
    reduced = to_cached_square(decode_greyscale(read_dataset(shared_data / "dicom" / name, name), name, min_size=size), size)
    as_uint8 = to_cached_square(decode_greyscale(read_dataset(shared_data / "dicom" / name, name), name, min_size=size,
                                                 as_uint8=True), size)
    assert np.abs(as_uint8.astype(int) - reduced).max() <= 1
    assert np.abs(full - reduced).mean() < 2.0  # grey levels out of 255
    assert np.corrcoef(full.ravel(), reduced.ravel())[0, 1] > 0.99


def test_cache_may_upsample_a_smaller_level_but_the_ocr_screen_never_does(shared_data):
    """1760-px JPEG 2000 into a 512 cache: the 440-px level (within 15 %) unless the OCR screen needs 512."""
    from io import BytesIO

    from PIL import Image

    from bonesearch.deid.burned_in import BurnedInPolicy
    from bonesearch.imaging.jpeg2000 import decode_reduced
    from indexer.decode_worker import WorkerOptions, decode_file

    no_ocr = BurnedInPolicy(ocr=False)
    assert WorkerOptions("00" * 32, 512, no_ocr).decode_size == 436
    assert WorkerOptions("00" * 32, 512, no_ocr, max_upsample=0.0).decode_size == 512
    assert WorkerOptions("00" * 32, 512).decode_size == 512  # OCR screen on: its 512 px win
    path = shared_data / "dicom" / "RG3_J2KR.dcm"
    assert decode_reduced(read_dataset(path), 436).shape == (440, 440)

    def cached(options: WorkerOptions) -> np.ndarray:
        result = decode_file(str(path), "h" * 16, "RG3_J2KR.dcm [h]", options)
        assert result.status == "ingested", result.reason
        return np.asarray(Image.open(BytesIO(result.png))).astype(int)

    upsampled, exact = cached(WorkerOptions("00" * 32, 512, no_ocr)), cached(WorkerOptions("00" * 32, 512, no_ocr, max_upsample=0.0))
    assert upsampled.shape == exact.shape == (512, 512)
    assert 0 < np.abs(upsampled - exact).mean() < 2.0 and np.corrcoef(upsampled.ravel(), exact.ravel())[0, 1] > 0.995


def test_codestream_precision_reads_the_siz_marker(shared_data):
    from pydicom.encaps import get_frame

    from bonesearch.imaging.jpeg2000 import codestream_precision

    ds = read_dataset(shared_data / "dicom" / "RG3_J2KR.dcm")
    assert codestream_precision(get_frame(ds.PixelData, 0, number_of_frames=1)) == (10, False)


# ---- multi-frame, colour, spacing, bad headers, huge images ---------------------------------------


def _save(ds: Dataset, path) -> object:
    ds.save_as(path, enforce_file_format=True)
    return path


def _colour(rgb: np.ndarray, photometric: str = "RGB") -> Dataset:
    """An 8-bit colour secondary capture holding ``rgb`` (converted to ``photometric``)."""
    from pydicom.pixels import convert_color_space

    ds = _dataset(np.zeros(rgb.shape[:2]), photometric)
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"  # Secondary Capture
    ds.SamplesPerPixel, ds.PlanarConfiguration = 3, 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
    if photometric == "RGB":
        data = rgb
    else:
        data = convert_color_space(rgb, "RGB", "YBR_FULL")
    if photometric == "YBR_FULL_422":  # two luma samples then one shared Cb, Cr per pixel pair
        pairs = data.reshape(data.shape[0], -1, 2, 3)
        data = np.stack([pairs[..., 0, 0], pairs[..., 1, 0], pairs[..., 0, 1], pairs[..., 0, 2]], axis=-1)
    ds.PixelData = np.ascontiguousarray(data, dtype=np.uint8).tobytes()
    return ds


@pytest.mark.parametrize("photometric", ["RGB", "YBR_FULL", "YBR_FULL_422"])
def test_colour_secondary_captures_become_their_luma(tmp_path, photometric):
    grey = np.tile(np.linspace(10, 240, 64).astype(np.uint8), (48, 1))  # a grey ramp stored as colour
    path = _save(_colour(np.repeat(grey[..., None], 3, axis=-1), photometric), tmp_path / "sc.dcm")
    image = decode_greyscale(read_dataset(path, "sc.dcm"), "sc.dcm")
    assert image.shape == grey.shape
    np.testing.assert_allclose(image * 255.0, grey, atol=2.0)
    reduced = decode_greyscale(read_dataset(path, "sc.dcm"), "sc.dcm", min_size=16)
    assert reduced.shape == (12, 16) and np.all(np.diff(reduced[0]) > 0)


def test_palette_colour_is_skipped_with_a_reason(tmp_path):
    from bonesearch.errors import UnsupportedPixels

    path = _save(_dataset(np.zeros((16, 16)), "PALETTE COLOR"), tmp_path / "pal.dcm")
    with pytest.raises(UnsupportedPixels, match="pal.dcm: photometric interpretation PALETTE COLOR") as info:
        decode_greyscale(read_dataset(path, "pal.dcm"), "pal.dcm")
    assert info.value.reason_class == "unsupported_pixels"


@pytest.mark.parametrize("syntax", ["explicit", "rle"])
def test_multi_frame_indexes_the_first_frame(tmp_path, syntax):
    from pydicom.uid import RLELossless

    frames = np.stack([np.tile(np.arange(0, 4000, 50, dtype=np.uint16), (60, 1)) + 10 * k for k in range(3)])
    frames[1] = frames[1][:, ::-1]  # frames that differ: the second one is mirrored
    ds = _dataset(frames[0], WindowCenter=2000, WindowWidth=4000)
    ds.NumberOfFrames = 3
    ds.PixelData = frames.astype(np.uint16).tobytes()
    if syntax == "rle":
        ds.compress(RLELossless, frames, generate_instance_uid=False)
    path = _save(ds, tmp_path / f"multi-{syntax}.dcm")
    first = decode_greyscale(read_dataset(path, "m"), "m")
    assert first.shape == (60, 80)
    single = decode_greyscale(_dataset(frames[0], WindowCenter=2000, WindowWidth=4000), "one")
    np.testing.assert_allclose(first, single, atol=1e-6)
    assert decode_greyscale(read_dataset(path, "m"), "m", min_size=20).shape == (15, 20)  # 4 × 4 boxes


def test_pixel_spacing_kept_from_pixel_or_imager_spacing():
    from bonesearch.deid.headers import extract_metadata
    from bonesearch.deid.key import PseudonymKey

    key = PseudonymKey(b"k" * 32)
    cr = _dataset(np.zeros((8, 8)), PixelSpacing=["0.1000", "0.1000"], ImagerPixelSpacing=["0.1500", "0.1500"])
    dx = _dataset(np.zeros((8, 8)), ImagerPixelSpacing=["0.1390", "0.1390"])
    assert extract_metadata(cr, key).pixel_spacing_mm == pytest.approx(0.1)
    assert extract_metadata(dx, key).pixel_spacing_mm == pytest.approx(0.139)
    assert extract_metadata(_dataset(np.zeros((8, 8))), key).pixel_spacing_mm is None


def test_header_dimensions_larger_than_the_pixel_data_are_flagged(tmp_path):
    from bonesearch.errors import PixelDataMismatch

    ds = _dataset(np.zeros((8, 8)))
    ds.Rows = ds.Columns = 10000  # the header claims 200 MB, the file holds 128 bytes
    path = _save(ds, tmp_path / "liar.dcm")
    with pytest.raises(PixelDataMismatch, match=r"liar.dcm: PixelData holds fewer bytes than Rows × Columns") as info:
        decode_greyscale(read_dataset(path, "liar.dcm"), "liar.dcm", min_size=256)
    assert info.value.reason_class == "pixel_data_mismatch"


def test_file_truncated_inside_large_pixel_data_is_flagged(tmp_path):
    from bonesearch.errors import PixelDataMismatch

    path = _save(_dataset(np.random.default_rng(1).integers(0, 4000, (512, 512))), tmp_path / "full.dcm")
    cut = tmp_path / "cut.dcm"
    cut.write_bytes(path.read_bytes()[:-100_000])  # the deferred PixelData value runs past the end of the file
    with pytest.raises(PixelDataMismatch, match="cut.dcm"):
        decode_greyscale(read_dataset(cut, "cut.dcm"), "cut.dcm", min_size=256)


def test_bad_files_raise_their_reason_class(tmp_path):
    from pydicom.fileset import FileSet

    from bonesearch.errors import CorruptDicom, DicomDirectory, EmptyFile, NoPixelData, NotDicom

    (tmp_path / "empty.dcm").write_bytes(b"")
    (tmp_path / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(600))
    no_pixels = _dataset(np.zeros((8, 8)))
    no_pixels.SOPClassUID = no_pixels.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.88.11"  # Basic Text SR
    del no_pixels.PixelData
    _save(no_pixels, tmp_path / "sr.dcm")
    cut = _dataset(np.zeros((8, 8)))
    del cut.PixelData  # a CR image object without pixels: what pydicom makes of a file cut inside its header
    _save(cut, tmp_path / "cut.dcm")
    fs = FileSet()
    fs.add(_dataset(np.zeros((8, 8)), PatientID="X", StudyInstanceUID=generate_uid(), SeriesInstanceUID=generate_uid(),
                    Modality="CR", StudyDate="20200101", StudyTime="1200", StudyID="1", SeriesNumber=1, InstanceNumber=1))
    fs.write(tmp_path / "media")
    cases = {"empty.dcm": (EmptyFile, "empty_file"), "Thumbs.db": (NotDicom, "not_dicom"),
             "sr.dcm": (NoPixelData, "no_pixel_data"), "cut.dcm": (CorruptDicom, "corrupt_dicom"),
             "media/DICOMDIR": (DicomDirectory, "dicomdir")}
    for name, (error, reason_class) in cases.items():
        with pytest.raises(error, match=name.rsplit("/", 1)[-1]) as info:
            read_dataset(tmp_path / name, name.rsplit("/", 1)[-1])
        assert info.value.reason_class == reason_class


@pytest.mark.parametrize("fmt", [
    dict(bits=12, photometric="MONOCHROME2", rescale=None, voi="window"),
    dict(bits=12, photometric="MONOCHROME1", rescale=None, voi="lut"),
    dict(bits=14, photometric="MONOCHROME2", rescale=(1.0, -1024.0), voi="window"),
    dict(bits=16, photometric="MONOCHROME2", rescale=None, voi="none"),
    dict(bits=10, photometric="MONOCHROME1", rescale=None, voi="none"),
])
def test_reduced_decode_matches_full_decode_for_every_lut_kind(tmp_path, fmt):
    """Box-averaging stored values before the LUTs gives the same cached image as LUTs at full size."""
    from bonesearch.demo.dicom_writer import PixelFormat, _voi, quantize
    from bonesearch.imaging.pixel_cache import to_cached_square

    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:1500, 0:1200] / 1500.0
    display = np.clip(0.5 + 0.4 * np.sin(6 * x) * np.cos(4 * y) + rng.normal(0, 0.02, x.shape), 0, 1)
    pf = PixelFormat(**fmt)
    stored = quantize(display, pf)
    ds = _dataset(stored, pf.photometric)
    ds.BitsStored, ds.HighBit = pf.bits, pf.bits - 1
    if pf.rescale:
        ds.RescaleSlope, ds.RescaleIntercept = pf.rescale
    if pf.voi != "none":
        _voi(ds, stored, pf)
    path = _save(ds, tmp_path / "x.dcm")
    full = to_cached_square(decode_greyscale(read_dataset(path, "x"), "x")).astype(int)
    reduced = to_cached_square(decode_greyscale(read_dataset(path, "x"), "x", min_size=256)).astype(int)
    assert np.abs(full - reduced).mean() < 2.0  # grey levels out of 255
    assert np.corrcoef(full.ravel(), reduced.ravel())[0, 1] > 0.99
    # and both show the phantom bone-bright (MONOCHROME1 inverted back)
    shown = to_cached_square(display.astype(np.float32)).astype(int)
    assert np.corrcoef(shown.ravel(), reduced.ravel())[0, 1] > 0.95


def test_10k_by_10k_uncompressed_image_decodes_in_bounded_memory(tmp_path):
    """A 200 MB frame is memory-mapped and box-reduced: Python/numpy allocations stay far below its size."""
    import tracemalloc

    from indexer.decode_worker import WorkerOptions, decode_file

    side = 10_000
    pixels = np.zeros((side, side), dtype=np.uint16)
    pixels[:, : side // 2] = 3000  # left half bright, right half dark
    pixels[side // 2 - 100 : side // 2 + 100, :] = 1500  # and a grey band across the middle
    ds = _dataset(pixels[:8, :8], WindowCenter=1500, WindowWidth=3000)
    ds.Rows = ds.Columns = side
    ds.PixelData = pixels.tobytes()
    del pixels
    path = _save(ds, tmp_path / "huge.dcm")
    del ds
    tracemalloc.start()
    try:
        result = decode_file(str(path), "h" * 16, "huge.dcm [h]", WorkerOptions("00" * 32, 256))  # OCR screen on
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.status == "ingested", result.reason
    assert peak < 40 * 2**20, f"peak {peak / 2**20:.0f} MiB for a 200 MB frame"
    from io import BytesIO

    from PIL import Image

    cached = np.asarray(Image.open(BytesIO(result.png)))
    assert cached.shape == (256, 256)
    assert cached[20, 20] > 240 and cached[20, 235] < 15 and 100 < cached[128, 200] < 155


# ---- hostile headers: no value quoted in a reason, no blank image indexed, no unexpected error ------------

PLANTED = "DUPONTEL MARCEL"  # a patient name typed into an attribute that should hold a code


def _ramp(**extra) -> Dataset:
    """A 12-bit horizontal ramp (64 × 256) with a valid window and rescale, then ``extra`` over them."""
    ramp = np.tile(np.linspace(100, 4000, 256).astype(np.uint16), (64, 1))
    values = dict(WindowCenter=2048, WindowWidth=4000, RescaleSlope=1, RescaleIntercept=0)
    values.update(extra)
    return _dataset(ramp, **values)


def _shows_the_ramp(image: np.ndarray) -> bool:
    """The decode is the ramp, visible: rising left to right over most of the grey scale."""
    row = image.astype(np.float64).mean(axis=0)
    scale = 255.0 if image.dtype == np.uint8 else 1.0
    return bool(row[-1] - row[0] > 0.5 * scale and np.all(np.diff(row) >= -1e-6 * scale))


def test_photometric_interpretation_value_is_never_quoted(tmp_path):
    from bonesearch.errors import UnsupportedPixels

    path = _save(_dataset(np.zeros((16, 16)), PLANTED), tmp_path / "p.dcm")
    with pytest.raises(UnsupportedPixels, match="p.dcm: photometric interpretation") as info:
        decode_greyscale(read_dataset(path, "p.dcm"), "p.dcm")
    assert "DUPONTEL" not in str(info.value) and "MARCEL" not in str(info.value)


def test_transfer_syntax_holding_a_name_is_never_quoted(tmp_path):
    from bonesearch.errors import PixelDecodeError

    ds = _ramp()
    ds.file_meta.TransferSyntaxUID = PLANTED
    path = tmp_path / "ts.dcm"
    ds.save_as(path, enforce_file_format=True, implicit_vr=False, little_endian=True)
    with pytest.raises(PixelDecodeError, match="ts.dcm: pixel data could not be decoded") as info:
        decode_greyscale(read_dataset(path, "ts.dcm"), "ts.dcm")
    assert "DUPONTEL" not in str(info.value)
    assert "unknown transfer syntax" in str(info.value)


def test_sop_class_uid_holding_a_name_is_never_quoted(tmp_path):
    """An image object without pixels is named by the standard's SOP class name, never by a made-up UID."""
    from bonesearch.errors import NoPixelData

    ds = _ramp()
    del ds.PixelData
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = "Image Storage DUPONTEL"
    path = _save(ds, tmp_path / "sop.dcm")
    with pytest.raises(NoPixelData, match="sop.dcm has no PixelData") as info:
        read_dataset(path, "sop.dcm")
    assert "DUPONTEL" not in str(info.value)


def test_number_of_frames_holding_a_phone_number_is_never_quoted(tmp_path):
    from bonesearch.errors import PixelDataMismatch

    ds = _ramp(NumberOfFrames="0612345678")
    path = _save(ds, tmp_path / "nf.dcm")
    with pytest.raises(PixelDataMismatch, match="nf.dcm") as info:
        decode_greyscale(read_dataset(path, "nf.dcm"), "nf.dcm", min_size=32)
    assert "612345678" not in str(info.value)


def test_hand_typed_integers_are_read_one_way():
    """header_int / frame_count: what the decoder, the JPEG 2000 reduced path, the query-image size
    check and ingest's frame count read from a header (absent, empty, zero or not a number → the default)."""
    from bonesearch.imaging.dicom import frame_count, header_int

    ds = Dataset()
    assert (header_int(ds, "Rows", 0), header_int(ds, "BitsStored", 12), frame_count(ds)) == (0, 12, 1)
    ds.Rows, ds.BitsStored, ds.SamplesPerPixel, ds.NumberOfFrames = 512, "", 0, "3"
    assert (header_int(ds, "Rows", 0), header_int(ds, "BitsStored", 12), header_int(ds, "SamplesPerPixel", 1)) == (
        512, 12, 1)
    assert frame_count(ds) == 3
    ds.NumberOfFrames = "-2"
    assert frame_count(ds) == 1
    ds.NumberOfFrames = ["2", "3"]  # multi-valued: not a number
    assert frame_count(ds) == 1


@pytest.mark.parametrize("attribute, value", [
    ("RescaleSlope", "0"), ("RescaleSlope", "NaN"), ("RescaleSlope", "1e308"), ("RescaleSlope", "-inf"),
    ("RescaleIntercept", "inf"), ("RescaleIntercept", "NaN"),
    ("WindowWidth", "NaN"), ("WindowWidth", "inf"), ("WindowWidth", "0"), ("WindowWidth", "-100"),
    ("WindowWidth", "0.5"), ("WindowWidth", "1e300"), ("WindowCenter", "NaN"), ("WindowCenter", "60000"),
    ("BitsStored", 0), ("BitsStored", 20), ("VOILUTFunction", PLANTED[:16]),
])
@pytest.mark.parametrize("as_uint8", [False, True])
def test_hostile_but_valid_lut_attributes_fall_back_to_the_data_range(tmp_path, attribute, value, as_uint8):
    """Unusable rescale/window/bit depth: the image shows its data (never black, NaN or an exception)."""
    ds = _ramp()
    setattr(ds, attribute, value)
    path = _save(ds, tmp_path / "h.dcm")
    for min_size in (None, 32):
        image = decode_greyscale(read_dataset(path, "h.dcm"), "h.dcm", min_size=min_size, as_uint8=as_uint8)
        assert not np.isnan(image.astype(np.float64)).any()
        assert _shows_the_ramp(image), (attribute, value, min_size)


@pytest.mark.parametrize("window_function", ["LINEAR", "LINEAR_EXACT", "SIGMOID"])
def test_zero_or_negative_window_width_falls_back_for_every_voi_function(window_function):
    for width in ("0", "-1"):
        image = decode_greyscale(_ramp(WindowWidth=width, VOILUTFunction=window_function), "w")
        assert _shows_the_ramp(image)


def test_short_voi_and_modality_luts_fall_back_instead_of_failing(tmp_path):
    """A VOI or modality LUT whose data are shorter than its descriptor says: not used, no traceback."""
    for sequence, depth in (("VOILUTSequence", 12), ("ModalityLUTSequence", 16)):
        for vr in ("US", "OW"):
            ds = _ramp()
            item = Dataset()
            item.LUTDescriptor = [4096, 0, depth]
            data = np.arange(10, dtype=np.uint16)
            item.add_new(0x00283006, vr, data.tobytes() if vr == "OW" else data.tolist())
            setattr(ds, sequence, [item])
            path = _save(ds, tmp_path / f"lut-{sequence}-{vr}.dcm")
            for as_uint8 in (False, True):
                image = decode_greyscale(read_dataset(path, "l"), "l", min_size=32, as_uint8=as_uint8)
                assert _shows_the_ramp(image), (sequence, vr)


def test_usable_luts_are_still_applied():
    """The fallbacks leave valid headers alone: a window that clips half the ramp still clips it."""
    image = decode_greyscale(_ramp(WindowCenter=1000, WindowWidth=1000), "w")
    assert (image[0] == 1.0).mean() > 0.5 and (image[0] == 0.0).sum() > 0


def test_constant_image_is_skipped_as_blank(tmp_path):
    from bonesearch.errors import BlankImage

    for stored in (np.full((32, 32), 1000), np.zeros((32, 32))):
        path = _save(_dataset(stored, WindowCenter=2048, WindowWidth=4000), tmp_path / "blank.dcm")
        for as_uint8 in (False, True):
            with pytest.raises(BlankImage, match="blank.dcm") as info:
                decode_greyscale(read_dataset(path, "blank.dcm"), "blank.dcm", min_size=16, as_uint8=as_uint8)
            assert info.value.reason_class == "blank_image"


def test_slope_zero_on_real_cr_file_is_not_black(shared_data, tmp_path):
    """Real CR (tiny C-spine, MONOCHROME1): RescaleSlope 0 made every pixel one value; now it shows the data."""
    source = next(p for p in sorted((shared_data / "dicom" / "cr_headers_only").rglob("*")) if p.is_file())
    good = decode_greyscale(read_dataset(source), "cr")
    ds = pydicom.dcmread(source)
    ds.RescaleSlope, ds.RescaleIntercept = "0", "0"
    image = decode_greyscale(read_dataset(_save(ds, tmp_path / "slope0.dcm")), "cr")
    assert image.max() - image.min() > 0.5
    assert np.corrcoef(good.ravel(), image.ravel())[0, 1] > 0.9


def test_8_bit_allocated_on_16_bit_data_is_skipped(tmp_path):
    """BitsAllocated 8 with 12 bits stored and twice the bytes: 16-bit data under a wrong header."""
    from bonesearch.errors import PixelDataMismatch

    ds = _ramp()
    ds.BitsAllocated = 8
    path = _save(ds, tmp_path / "b8.dcm")
    with pytest.raises(PixelDataMismatch, match="b8.dcm: BitsAllocated"):
        decode_greyscale(read_dataset(path, "b8.dcm"), "b8.dcm", min_size=32, as_uint8=True)


def test_32_bit_data_with_a_nan_slope_fall_back_too():
    ramp = np.tile(np.linspace(100, 4000, 256).astype(np.uint32), (64, 1))
    ds = _dataset(ramp.astype(np.uint16), WindowCenter=2048, WindowWidth="NaN", RescaleSlope="NaN", RescaleIntercept=0)
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 32, 32, 31
    ds.PixelData = ramp.tobytes()
    for as_uint8 in (False, True):
        assert _shows_the_ramp(decode_greyscale(ds, "f", as_uint8=as_uint8))


def test_hostile_attributes_in_jpeg2000_headers_raise_no_unexpected_error(shared_data, tmp_path):
    """Empty SamplesPerPixel / PixelRepresentation on a real JPEG 2000 file: reduced decode still works."""
    ds = pydicom.dcmread(shared_data / "dicom" / "RG3_J2KI.dcm")
    ds.WindowWidth = "-10"
    path = _save(ds, tmp_path / "j2k.dcm")
    ds = read_dataset(path, "j")
    ds["PixelRepresentation"].value = None
    image = decode_greyscale(ds, "j", min_size=256, as_uint8=True)
    assert image.max() - image.min() > 128


def test_a_deflate_bomb_is_refused_before_it_is_inflated(tmp_path, monkeypatch):
    """A deflated dataset of zeros: a few hundred KB on disk, hundreds of MB once pydicom inflates it."""
    import numpy as np
    import pydicom
    from pydicom.uid import DeflatedExplicitVRLittleEndian

    from bonesearch.imaging import dicom as dicom_io
    from bonesearch.errors import InflateLimit
    from tests.indexer.test_ingest import _good_dicom

    ds = _good_dicom(900, shape=(2000, 2000))
    ds.PixelData = np.zeros((2000, 2000), np.uint16).tobytes()  # 8 MB of zeros
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    path = tmp_path / "bomb.dcm"
    ds.save_as(path, enforce_file_format=True)
    assert path.stat().st_size < 100_000
    assert dicom_io.read_dataset(path, "bomb.dcm").Rows == 2000  # under the limit: read as usual
    monkeypatch.setattr(dicom_io, "MAX_INFLATED_BYTES", 4 << 20)
    with pytest.raises(InflateLimit, match="bomb.dcm: its deflated dataset inflates to more than 4 MiB"):
        dicom_io.read_dataset(path, "bomb.dcm")
    with open(path, "rb") as fh:  # uploads arrive as streams: same refusal, stream left where it was
        with pytest.raises(InflateLimit):
            dicom_io.read_dataset(fh, "upload")
        assert fh.tell() == 0
    assert pydicom.dcmread(path).file_meta.TransferSyntaxUID == DeflatedExplicitVRLittleEndian
