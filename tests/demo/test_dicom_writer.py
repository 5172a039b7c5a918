"""DICOM files round-trip losslessly for every transfer syntax, bit depth and photometry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.pixels import apply_modality_lut, apply_voi_lut

from bonesearch.demo.dicom_writer import (ImageHeader, PixelFormat, build_dataset, make_uid, quantize,
                                          write_dicom)
from bonesearch.demo.phantoms import PhantomParams, render_phantom


def _header(**kw: object) -> ImageHeader:
    base = dict(
        patient_name="DUPONT^Jeanne", patient_id="00451234", birth_date="19580312", sex="F",
        age="066Y", private_name="DUPONT JEANNE", institution="Centre Hospitalier de Valmont",
        institution_address="12 rue des Acacias, 42310 Valmont", referring="MORIN^Éric",
        performing="GIRARD^Sophie", operator="HUET^Loïc", accession="RX2403120001",
        study_uid=make_uid("t", "study"), series_uid=make_uid("t", "series"), sop_uid=make_uid("t", "sop"),
        study_date=dt.date(2024, 3, 12), study_time="101530", study_description="RX POIGNET GAUCHE F+P",
        series_description="POIGNET FACE", series_number=1, instance_number=1, body_part="WRIST",
        laterality="L", view="PA", modality="DX", manufacturer="AGFA", model="DX-D 400",
        station="RX01", pixel_spacing=0.15, burned_in=False)
    base.update(kw)
    return ImageHeader(**base)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def image() -> np.ndarray:
    return render_phantom(PhantomParams("wrist", view="PA", side="L", long_side=400, seed=9)).image


@pytest.mark.parametrize("syntax", ["explicit", "rle", "jpegls", "j2k"])
@pytest.mark.parametrize("bits,photometric", [(12, "MONOCHROME2"), (16, "MONOCHROME1"),
                                              (14, "MONOCHROME1"), (15, "MONOCHROME2")])
def test_lossless_round_trip(tmp_path: Path, image: np.ndarray, syntax: str, bits: int,
                             photometric: str) -> None:
    fmt = PixelFormat(bits=bits, photometric=photometric, syntax=syntax,
                      rescale=(2.0, -1024.0) if bits == 15 else None)
    stored = quantize(image, fmt)
    modality = "CR" if bits == 14 else "DX"
    ds = build_dataset(_header(modality=modality), stored, fmt)
    path = tmp_path / "IM1.dcm"
    write_dicom(path, ds, syntax)
    back = pydicom.dcmread(path)
    assert back.SOPInstanceUID == str(make_uid("t", "sop"))  # compress() kept our UID
    assert back.file_meta.TransferSyntaxUID == {"explicit": pydicom.uid.ExplicitVRLittleEndian,
                                                "rle": pydicom.uid.RLELossless,
                                                "jpegls": pydicom.uid.JPEGLSLossless,
                                                "j2k": pydicom.uid.JPEG2000Lossless}[syntax]
    assert np.array_equal(back.pixel_array, stored)
    assert int(stored.max()) < (1 << bits) and int(stored.max()) > (1 << (bits - 1))
    out = apply_voi_lut(apply_modality_lut(back.pixel_array, back), back)
    assert np.isfinite(out).all()


def test_monochrome1_is_stored_inverted(image: np.ndarray) -> None:
    m1 = quantize(image, PixelFormat(bits=12, photometric="MONOCHROME1"))
    m2 = quantize(image, PixelFormat(bits=12, photometric="MONOCHROME2"))
    assert np.array_equal(m1.astype(np.int32), 4095 - m2.astype(np.int32))


def test_voi_lut_sequence_and_private_block(tmp_path: Path, image: np.ndarray) -> None:
    fmt = PixelFormat(bits=12, voi="lut")
    stored = quantize(image, fmt)
    ds = build_dataset(_header(burned_in=True), stored, fmt)
    write_dicom(tmp_path / "a.dcm", ds)
    back = pydicom.dcmread(tmp_path / "a.dcm")
    assert "VOILUTSequence" in back and "WindowCenter" not in back
    out = apply_voi_lut(back.pixel_array, back)
    flat = stored.ravel()
    order = np.argsort(flat, kind="stable")
    assert np.all(np.diff(out.ravel()[order].astype(np.int64)) >= 0)  # monotonic LUT
    block = back.private_block(0x0019, "BONESEARCH_DEMO_XR 1.0")
    assert block[0x10].value == "DUPONT JEANNE"
    assert back.BurnedInAnnotation == "YES" and back.PatientName == "DUPONT^Jeanne"
    assert str(back.ReferringPhysicianName) == "MORIN^Éric"


def test_uids_are_deterministic_and_valid() -> None:
    a, b = make_uid(1, "RX1", "sop", 1), make_uid(1, "RX1", "sop", 1)
    assert a == b and a != make_uid(2, "RX1", "sop", 1)
    assert a.is_valid and len(a) <= 64
