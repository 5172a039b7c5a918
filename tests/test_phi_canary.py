"""PHI canary: identity planted in headers, folder names, report text and pixels never leaves ingest.

A demo archive gets one extra patient whose name, IDs, birth date, physician, institution
and phone are distinctive strings (so a hit cannot be a coincidence). They are written into
every DICOM header of one study (standard and private tags), the folder names, the linked
report, and burned into the pixels of one image whose header does not declare it. After
``bonesearch ingest --export-dicom`` (the CLI, as a user runs it), the test greps everything
ingest produced: every DuckDB cell, every file of the store (names and bytes), the JSON
report, the de-identified DICOM copies (bytes and every element), the console output, and
what OCR reads back from the stored thumbnails of that patient.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import unicodedata

import numpy as np
import pydicom
import pytest
from PIL import Image, ImageDraw, ImageFont
from pydicom.uid import ExplicitVRLittleEndian
from typer.testing import CliRunner

from bonesearch.deid.key import PseudonymKey, default_key_path
from bonesearch.store import Store
from cli import app
from tests.store_dump import store_cells_text

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None,
                                reason="needs Tesseract (apt-get install tesseract-ocr tesseract-ocr-fra); CI has it")

CANARY = {
    "family": "QUARTERMAINE",
    "given": "Evangelina",
    "ipp": "CNRY77810429",
    "accession": "ACCNRY552190",
    "birth": "19380214",
    "physician": "VANDERSTRAETEN^Hubertus",
    "institution": "Clinique Zephyrine-Oudinot",
    "phone": "01 47 58 93 26",
}
# every form a canary could take in text: names in any case/accents, IDs, dates, phone
NEEDLES = [
    "QUARTERMAINE", "Evangelina", "CNRY77810429", "77810429", "ACCNRY552190", "552190", "VANDERSTRAETEN", "Hubertus",
    "Zephyrine", "Zéphyrine", "Oudinot", "01 47 58 93 26", "0147589326", "01.47.58.93.26",
    "19380214", "14/02/1938", "1938-02-14", "14.02.1938", "14 février 1938",
]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _leaks(text: str) -> list[str]:
    folded = _fold(text)
    return [n for n in NEEDLES if _fold(n) in folded]


def _stamp(ds: pydicom.Dataset, lines: list[str]) -> None:
    """Burn ``lines`` into the top-left corner of the pixels, as a CR plate stamp (header says nothing)."""
    ds.decompress() if ds.file_meta.TransferSyntaxUID.is_compressed else None
    pixels = ds.pixel_array.copy()
    h, w = pixels.shape[:2]
    size = max(14, h // 40)
    canvas = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=size)
    for i, line in enumerate(lines):
        draw.text((size, size + i * int(size * 1.4)), line, fill=255, font=font)
    ink = np.asarray(canvas) > 127
    bright = pixels.max() if ds.PhotometricInterpretation == "MONOCHROME2" else pixels.min()
    pixels[ink] = bright
    ds.PixelData = pixels.astype(pixels.dtype).tobytes()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    if "BurnedInAnnotation" in ds:
        del ds.BurnedInAnnotation


@pytest.fixture(scope="module")
def canary_run(tmp_path_factory):
    from bonesearch.demo.archive import write_demo_archive

    root = tmp_path_factory.mktemp("canary")
    write_demo_archive(root / "archive", studies=16, seed=21)
    export = root / "archive" / "export"
    # the canary study: a study whose header does not already declare burned-in text
    with open(root / "archive" / "labels.csv", newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["pixel_phi"] != "1"]
    per_study: dict[str, int] = {}
    for r in rows:
        per_study[r["accession_number"]] = per_study.get(r["accession_number"], 0) + 1
    accession = next(a for a, n in per_study.items() if n >= 2)
    study_dir = next(p for p in (export / "DICOM").glob(f"*/{accession}") if p.is_dir())
    canary_dir = export / "DICOM" / f"{CANARY['family']}_{CANARY['given']}_{CANARY['ipp']}" / CANARY["accession"]
    canary_dir.parent.mkdir(parents=True)
    shutil.move(study_dir, canary_dir)
    files = sorted(canary_dir.glob("*.dcm"))
    assert len(files) >= 2, "the canary study needs one stamped image and at least one clean one"
    for i, path in enumerate(files):
        ds = pydicom.dcmread(path)
        ds.PatientName = f"{CANARY['family']}^{CANARY['given']}"
        ds.PatientID = CANARY["ipp"]
        ds.OtherPatientIDs = CANARY["ipp"][4:]
        ds.AccessionNumber = CANARY["accession"]
        ds.PatientBirthDate = CANARY["birth"]
        ds.ReferringPhysicianName = CANARY["physician"]
        ds.InstitutionName = CANARY["institution"]
        ds.InstitutionAddress = f"12 rue Oudinot, 75007 Paris, tél. {CANARY['phone']}"
        ds.StudyDescription = f"RX {CANARY['family']} {CANARY['given']}"
        block = ds.private_block(0x0011, "CANARY HOSPITAL PACS", create=True)
        block.add_new(0x01, "LO", f"{CANARY['family']} {CANARY['given']} {CANARY['ipp']}")
        if i == 0:
            _stamp(ds, [f"{CANARY['family']} {CANARY['given']}", f"IPP {CANARY['ipp']} NE LE 14/02/1938"])
        ds.save_as(path, enforce_file_format=True)
    # the linked report, with the same identity in its header and body
    reports = export / "reports.csv"
    with open(reports, newline="", encoding="utf-8") as fh:
        report_rows = list(csv.DictReader(fh))
    row = next(r for r in report_rows if r["accession_number"] == accession)
    row["accession_number"] = CANARY["accession"]
    row["text"] = (
        f"{CANARY['institution']}\nService d'imagerie — Tél. {CANARY['phone']}\n"
        f"Patiente : Mme {CANARY['given']} {CANARY['family']}, née le 14/02/1938, IPP {CANARY['ipp']}\n"
        f"N° d'examen : {CANARY['accession']}\nDemandé par le Dr Hubertus VANDERSTRAETEN\n\n" + row["text"]
        + f"\n\nMme {CANARY['family']} est revue en consultation. Compte rendu validé par le Dr VANDERSTRAETEN."
    )
    with open(reports, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(report_rows[0]))
        writer.writeheader()
        writer.writerows(report_rows)

    store, dicom_out = root / "store", root / "deid-dicom"
    result = CliRunner().invoke(app, ["ingest", str(export), "--store", str(store), "--workers", "2",
                                      "--export-dicom", str(dicom_out)])
    assert result.exit_code == 0, result.output
    return {"root": root, "store": store, "dicom_out": dicom_out, "output": result.output,
            "canary_files": len(files)}


def test_the_canary_was_planted_and_ingested(canary_run):
    """Guards the test itself: the canary study is in the store (so the checks below look at something)."""
    key = PseudonymKey.load(default_key_path(canary_run["store"]))
    with Store.open(canary_run["store"]) as s:
        n, texts = s.con.execute(
            "SELECT count(*), any_value(r.text) FROM images i JOIN studies st USING (study_id) "
            "LEFT JOIN reports r USING (study_id) WHERE st.patient_pseudo = ?", [key.pseudonym("patient", CANARY["ipp"])]
        ).fetchone()
    assert n == canary_run["canary_files"] - 1  # the stamped image is excluded, the others are stored
    assert texts and "Service d'imagerie" in texts  # its report is linked (and de-identified: the tests below)


def test_no_canary_in_duckdb(canary_run):
    assert not _leaks(store_cells_text(canary_run["store"]))


def test_no_canary_in_any_store_file_or_name(canary_run):
    store = canary_run["store"]
    for path in store.rglob("*"):
        assert not _leaks(str(path.relative_to(store))), path
        if path.is_file() and path.suffix != ".duckdb":  # DuckDB compresses strings: read through SQL above
            assert not _leaks(path.read_bytes().decode("latin-1")), path


def test_no_canary_in_the_console_or_the_json_report(canary_run):
    assert not _leaks(canary_run["output"])
    report = json.loads((canary_run["store"] / "ingest-report.json").read_text())
    assert not _leaks(json.dumps(report, ensure_ascii=False))


def test_no_canary_in_exported_dicom(canary_run):
    exported = sorted(canary_run["dicom_out"].glob("*.dcm"))
    with Store.open(canary_run["store"]) as s:
        stored = {uid for (uid,) in s.con.execute("SELECT sop_uid FROM images").fetchall()}
    assert {pydicom.dcmread(p, stop_before_pixels=True).SOPInstanceUID for p in exported} == stored
    for path in exported:
        assert not _leaks(path.read_bytes().decode("latin-1")), path.name
        ds = pydicom.dcmread(path)
        values = []
        ds.walk(lambda _, elem: values.append(str(elem.value)) if elem.VR not in ("OB", "OW", "SQ") else None)
        assert not _leaks("\n".join(values)), path.name
        assert ds.PatientIdentityRemoved == "YES" and "DeidentificationMethodCodeSequence" in ds
        assert not any(elem.tag.is_private for elem in ds.iterall())


def test_ocr_reads_no_canary_in_the_stored_thumbnails(canary_run):
    """The stamped image was excluded; OCR over every stored thumbnail of the patient finds no trace."""
    import pytesseract

    key = PseudonymKey.load(default_key_path(canary_run["store"]))
    with Store.open(canary_run["store"]) as s:
        paths = [p for (p,) in s.con.execute(
            "SELECT i.pixel_path FROM images i JOIN studies st USING (study_id) WHERE st.patient_pseudo = ?",
            [key.pseudonym("patient", CANARY["ipp"])]).fetchall()]
    assert paths
    for rel in paths:
        img = Image.open(canary_run["store"] / rel).convert("L")
        big = img.resize((img.width * 4, img.height * 4))
        read = pytesseract.image_to_string(big, lang="fra+eng", config="--psm 11")
        squeezed = re.sub(r"\s+", "", read)  # OCR splits words ("QUARTE RMAINE" from a stamped thumbnail)
        assert not _leaks(read) and not re.search(r"CNRY|QUARTER|RMAINE|EVANG", squeezed, re.IGNORECASE)
