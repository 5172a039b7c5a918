"""The demo archive follows the layout contract, decodes, is deterministic and truthful.

Timing (for the record, not asserted): 600 studies / 1,105 images with seed 0 took
about 41 s on the 2-core development machine (2 worker processes).
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pydicom
import pytest

from bonesearch.demo import write_demo_archive
from bonesearch.demo.archive import LABEL_COLUMNS

N_STUDIES = 30
FINDINGS = {"normal", "fracture", "osteoarthritis", "dislocation", "osteosynthesis", "bone_age"}
PARTS = {"wrist", "hand", "elbow", "shoulder", "hip", "knee", "ankle", "foot", "forearm", "leg",
         "pelvis", "spine"}
SITES = {"distal_radius", "scaphoid", "metacarpal", "phalanx", "radial_head", "olecranon",
         "humeral_neck", "clavicle", "femoral_neck", "tibial_plateau", "malleolus", "metatarsal",
         "calcaneus", "vertebral_body", "forearm_shaft", "tibial_shaft"}
JOINTS = {"femorotibial", "coxofemoral", "interphalangeal", "trapeziometacarpal", "glenohumeral",
          "humeroulnar"}


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.DictReader(f)
        return list(r.fieldnames or []), list(r)


def _dicom_path(root: Path, row: dict[str, str]) -> Path:
    folder = root / "export" / "DICOM" / row["patient_id"] / row["accession_number"]
    for p in sorted(folder.glob("IM*.dcm")):
        try:
            ds = pydicom.dcmread(p, stop_before_pixels=True)
        except Exception:
            continue
        if ds.SOPInstanceUID == row["sop_instance_uid"]:
            return p
    raise AssertionError(f"no file for {row['sop_instance_uid']} in {folder}")


def _header_text(ds: pydicom.Dataset) -> str:
    parts = []
    for elem in ds.iterall():
        if elem.tag == (0x7FE0, 0x0010) or elem.VR in ("OB", "OW", "SQ", "UN"):
            continue
        parts.append(str(elem.value))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("demo")
    a = write_demo_archive(base / "a", studies=N_STUDIES, seed=1)
    assert a.studies == N_STUDIES and a.reports == N_STUDIES and a.junk_files == 3
    write_demo_archive(base / "b", studies=N_STUDIES, seed=1, workers=1)
    write_demo_archive(base / "c", studies=N_STUDIES, seed=2)
    return {"a": base / "a", "b": base / "b", "c": base / "c"}


def test_layout_and_label_columns(archives: dict[str, Path]) -> None:
    root = archives["a"]
    assert (root / "export" / "reports.csv").is_file() and (root / "labels.csv").is_file()
    assert (root / "phi.json").is_file() and not (root / "export" / "labels.csv").exists()
    cols, rows = _read_csv(root / "labels.csv")
    assert cols == LABEL_COLUMNS
    assert len({r["sop_instance_uid"] for r in rows}) == len(rows)
    for r in rows:
        assert r["finding"] in FINDINGS and r["body_part"] in PARTS
        assert r["laterality"] == ("" if r["body_part"] in ("pelvis", "spine") else r["laterality"])
        assert r["laterality"] in ("L", "R", "")
        assert r["view"] in ("AP", "PA", "LAT", "OBL") and r["modality"] in ("DX", "CR")
        assert r["sex"] in ("F", "M") and int(r["age_months"]) >= 0
        if r["finding"] == "fracture":
            assert r["finding_site"] in SITES
        elif r["finding"] in ("osteoarthritis", "dislocation"):
            assert r["finding_site"] in JOINTS
        else:
            assert r["finding_site"] == ""
        assert (r["kl_grade"] != "") == (r["body_part"] == "knee")
        assert (r["bone_age_months"] != "") == (r["finding"] == "bone_age")
        if r["finding"] == "bone_age":
            assert r["body_part"] == "hand" and 24 <= int(r["age_months"]) <= 215
    assert len({r["accession_number"] for r in rows}) == N_STUDIES
    assert any(r["burned_in"] == "1" for r in rows)
    # identity stamped in the pixels without the header declaring it: only an OCR screen catches it
    assert any(r["pixel_phi"] == "1" and r["burned_in"] == "0" for r in rows)
    assert {r["pixel_marker"] for r in rows} <= {"", "D", "G", "DEBOUT"}
    assert any(r["pixel_marker"] in ("D", "G") for r in rows)


def test_every_image_decodes_with_the_expected_formats(archives: dict[str, Path]) -> None:
    root = archives["a"]
    _, rows = _read_csv(root / "labels.csv")
    syntaxes, photometric = set(), set()
    for r in rows:
        ds = pydicom.dcmread(_dicom_path(root, r))
        arr = ds.pixel_array
        assert arr.shape == (ds.Rows, ds.Columns) and 384 <= max(arr.shape) <= 640
        assert 12 <= ds.BitsStored <= 16 and ds.BitsAllocated == 16
        assert int(arr.max()) < (1 << ds.BitsStored) and arr.std() > 10
        assert ds.SOPClassUID in ("1.2.840.10008.5.1.4.1.1.1.1", "1.2.840.10008.5.1.4.1.1.1")
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID == r["sop_instance_uid"]
        assert ds.StudyInstanceUID == r["study_instance_uid"] and ds.PatientID == r["patient_id"]
        assert ds.AccessionNumber == r["accession_number"] and ds.Modality == r["modality"]
        assert ds.get("BurnedInAnnotation") in (("YES",) if r["burned_in"] == "1" else ("NO", None))
        assert r["pixel_phi"] == "1" or r["burned_in"] == "0"  # a declared stamp is always drawn
        assert ds.ViewPosition == r["view"]
        syntaxes.add(ds.file_meta.TransferSyntaxUID)
        photometric.add(ds.PhotometricInterpretation)
    assert photometric == {"MONOCHROME1", "MONOCHROME2"}
    assert {pydicom.uid.ExplicitVRLittleEndian, pydicom.uid.RLELossless,
            pydicom.uid.JPEGLSLossless, pydicom.uid.JPEG2000Lossless} <= syntaxes


def test_junk_files_exist_and_have_no_label(archives: dict[str, Path]) -> None:
    root = archives["a"]
    _, rows = _read_csv(root / "labels.csv")
    files = sorted((root / "export" / "DICOM").rglob("*"))
    dcm = [p for p in files if p.suffix == ".dcm"]
    assert len(dcm) == len(rows) + 1  # one truncated file
    bad = []
    for p in dcm:
        try:
            pydicom.dcmread(p).pixel_array
        except Exception:
            bad.append(p)
    assert len(bad) == 1
    assert (root / "export" / "DICOM" / "LISEZMOI.txt").is_file()
    assert any(p.name == "Thumbs.db" for p in files)


def test_reports_csv(archives: dict[str, Path]) -> None:
    root = archives["a"]
    cols, reports = _read_csv(root / "export" / "reports.csv")
    assert cols == ["accession_number", "report_date", "text"]
    _, rows = _read_csv(root / "labels.csv")
    assert sorted(r["accession_number"] for r in reports) == sorted({r["accession_number"] for r in rows})
    for rep in reports:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", rep["report_date"])
        t = rep["text"].lower()
        assert "indication" in t or "renseignements" in t
        assert "technique" in t or "incidences" in t
        assert "résultat" in t or "description" in t
        assert "conclusion" in t


def test_determinism(archives: dict[str, Path]) -> None:
    a, b, c = archives["a"], archives["b"], archives["c"]
    for name in ("labels.csv", "export/reports.csv", "phi.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
        assert (a / name).read_bytes() != (c / name).read_bytes(), name
    _, rows = _read_csv(a / "labels.csv")
    for r in rows:
        pa, pb = _dicom_path(a, r), _dicom_path(b, r)
        assert pa.relative_to(a) == pb.relative_to(b)
        assert np.array_equal(pydicom.dcmread(pa).pixel_array, pydicom.dcmread(pb).pixel_array)


def test_phi_json_is_truthful(archives: dict[str, Path]) -> None:
    """Every PHI string listed for a study occurs in that study's headers or report."""
    root = archives["a"]
    phi = json.loads((root / "phi.json").read_text(encoding="utf-8"))
    _, reports = _read_csv(root / "export" / "reports.csv")
    text = {r["accession_number"]: r["text"] for r in reports}
    _, rows = _read_csv(root / "labels.csv")
    headers: dict[str, str] = {}
    for r in rows:
        ds = pydicom.dcmread(_dicom_path(root, r), stop_before_pixels=True)
        headers[r["accession_number"]] = headers.get(r["accession_number"], "") + _header_text(ds)
    assert set(phi["by_study"]) == set(text)
    assert phi["strings"] == sorted({s for v in phi["by_study"].values() for s in v})
    for acc, strings in phi["by_study"].items():
        assert len(strings) >= 10
        where = headers[acc] + "\n" + text[acc]
        missing = [s for s in strings if s not in where]
        assert not missing, (acc, missing)
        # the patient's name and IPP appear in both places
        ds_name = [s for s in strings if "^" in s]
        assert ds_name and any(s in headers[acc] for s in ds_name)
    for acc, dates in phi["dates_by_study"].items():
        assert dates
    stamped = {r["accession_number"] for r in rows if r["pixel_phi"] == "1"}
    assert stamped and set(phi["pixel_text_by_study"]) == stamped
    for acc in stamped:  # the stamp shows the patient's IPP and dates listed for the study
        lines = " ".join(phi["pixel_text_by_study"][acc])
        assert any(s in lines for s in phi["by_study"][acc] if s.isdigit() and len(s) == 8)
        stamp_dates = re.findall(r"\d{2}/\d{2}/\d{4}", lines)
        assert len(stamp_dates) == 2 and set(stamp_dates) <= set(phi["dates_by_study"][acc])


def test_progress_callback(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    s = write_demo_archive(tmp_path / "p", studies=4, seed=3, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (4, 4) and s.images >= 4 and s.patients >= 1
