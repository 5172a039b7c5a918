"""DICOM decoding on real CR files and on synthetic edge cases."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from bonesearch.dicom_io import decode_greyscale, read_dataset
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
    from bonesearch.imaging import load_query_image

    png = tmp_path / "hand.png"
    Image.open(shared_data / "boneage" / "images" / next(p.name for p in (shared_data / "boneage" / "images").glob("*.png"))).save(png)
    assert load_query_image(png).shape == (256, 256)
    assert load_query_image(shared_data / "dicom" / "RG3_J2KI.dcm").shape == (256, 256)
    junk = tmp_path / "notes.png"
    junk.write_text("pas une image")
    with pytest.raises(InvalidQueryImage, match="notes.png: not a readable image"):
        load_query_image(junk)


@pytest.mark.parametrize("name", ["RG3_J2KR.dcm", "RG3_J2KI.dcm", "RG1_J2KI.dcm"])
def test_reduced_jpeg2000_decode_matches_full_decode(shared_data, name):
    """Decoding only the wavelet level the 256-px cache needs gives the same cached image."""
    from bonesearch.imaging import to_cached_square
    from bonesearch.jpeg2000 import codestream_precision, decode_reduced

    ds = read_dataset(shared_data / "dicom" / name, name)
    full = to_cached_square(decode_greyscale(ds, name)).astype(int)
    reduced_raw = decode_reduced(read_dataset(shared_data / "dicom" / name, name), 256)
    if reduced_raw is not None:
        assert max(reduced_raw.shape) >= 256 and reduced_raw.max() < 2 ** ds.BitsStored
    reduced = to_cached_square(decode_greyscale(read_dataset(shared_data / "dicom" / name, name), name, min_size=256))
    assert np.abs(full - reduced).mean() < 2.0  # grey levels out of 255
    assert np.corrcoef(full.ravel(), reduced.ravel())[0, 1] > 0.99


def test_codestream_precision_reads_the_siz_marker(shared_data):
    from pydicom.encaps import get_frame

    from bonesearch.jpeg2000 import codestream_precision

    ds = read_dataset(shared_data / "dicom" / "RG3_J2KR.dcm")
    assert codestream_precision(get_frame(ds.PixelData, 0, number_of_frames=1)) == (10, False)
