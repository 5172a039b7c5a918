"""Ingest on a small demo archive: counts, resumability, bad input, and no PHI in the store."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from bonesearch.deid.key import PseudonymKey, default_key_path
from bonesearch.store import Store
from indexer.ingest import ingest_archive
from tests.store_dump import store_cells_text

STUDIES = 30


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    from bonesearch.demo.archive import write_demo_archive

    out = tmp_path_factory.mktemp("demo")
    write_demo_archive(out, studies=STUDIES, seed=3)
    return out


@pytest.fixture(scope="module")
def ingested(archive, tmp_path_factory):
    """The archive ingested with a fixed key: with a random one, a shifted surrogate date sometimes
    equals another patient's real date by chance (1 in 36,500 per pair) and the PHI greps flake."""
    store = tmp_path_factory.mktemp("s") / "store"
    PseudonymKey.for_demo(3).save(default_key_path(store))
    summary = ingest_archive(archive / "export", store, workers=2)
    return store, summary


def _labels(archive: Path) -> list[dict]:
    with open(archive / "labels.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_counts_match_the_archive(archive, ingested):
    store, summary = ingested
    labels = _labels(archive)
    # identity stamped in the pixels: declared in the header (excluded by policy) or not (caught by OCR)
    stamped = sum(r["pixel_phi"] == "1" for r in labels)
    assert stamped > sum(r["burned_in"] == "1" for r in labels) >= 1
    assert summary.images_ingested == len(labels) - stamped
    assert len(summary.excluded) == stamped
    classes = {p.reason_class for p in summary.problems if p.status == "excluded"}
    assert classes == {"burned_in_annotation", "burned_in_text"}
    assert len(summary.skipped) >= 1  # the stray non-DICOM / corrupt files
    assert all("is not a DICOM file" in r or "could not" in r or "PixelData" in r for _, r in summary.skipped)
    with Store.open(store) as s:
        assert s.count("images") == summary.images_ingested
        assert s.count("reports") == summary.reports_ingested
        assert s.count("studies") == len({r["study_instance_uid"] for r in labels if r["pixel_phi"] != "1"})
        assert summary.reports_ingested >= STUDIES * 0.9
        # each stored image has its cached pixels
        for (path,) in s.con.execute("SELECT pixel_path FROM images").fetchall():
            assert (store / path).is_file()


def test_labels_join_through_the_key(archive, ingested):
    store, _ = ingested
    key = PseudonymKey.load(default_key_path(store))
    with Store.open(store) as s:
        stored = dict(s.con.execute("SELECT sop_uid, body_part FROM images").fetchall())
    joined = [r for r in _labels(archive) if key.uid(r["sop_instance_uid"]) in stored]
    assert joined and all(stored[key.uid(r["sop_instance_uid"])].lower() == r["body_part"] for r in joined)


def _store_text(store: Path) -> str:
    """Everything in the store as text: every table cell and every file name."""
    return "\n".join([store_cells_text(store), *(str(p.relative_to(store)) for p in store.rglob("*"))])


def _contains_word(text: str, phrase: str) -> bool:
    """Whole-word, case-insensitive match ("Jean" must not match inside "Jeanne")."""
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, flags=re.IGNORECASE) is not None


def test_no_phi_reaches_the_store(archive, ingested):
    store, summary = ingested
    phi = json.loads((archive / "phi.json").read_text())["strings"]
    text = _store_text(store)
    leaked = [p for p in phi if len(p) >= 3 and not re.fullmatch(r"[\d/.\- :]+", p) and _contains_word(text, p)]
    assert not leaked, f"PHI in the store: {leaked[:10]}"
    # identifiers that are digit strings (IPP, accession, phone numbers) must not appear either
    numeric = [p for p in phi if re.fullmatch(r"[\d .+\-]{6,}", p)]
    assert numeric
    assert not [p for p in numeric if _contains_word(text, p)]
    # and no original UID
    for row in _labels(archive):
        assert not _contains_word(text, row["sop_instance_uid"]) and not _contains_word(text, row["study_instance_uid"])


def test_summary_names_no_phi(archive, ingested):
    _, summary = ingested
    phi = json.loads((archive / "phi.json").read_text())["strings"]
    printed = repr(summary.skipped + summary.excluded + summary.reports_skipped)
    assert not [p for p in phi if len(p) >= 4 and _contains_word(printed, p)]


def test_rerun_is_resumable_and_adds_only_new_files(archive, ingested, tmp_path):
    store, first = ingested
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    shutil.copy(default_key_path(store), default_key_path(copy))
    again = ingest_archive(archive / "export", copy, workers=1)
    assert again.images_ingested == 0 and again.reports_ingested == 0
    assert again.already_ingested == first.files_seen
    with Store.open(copy) as s:
        assert s.count("images") == first.images_ingested


def test_wrong_key_is_refused(archive, ingested, tmp_path):
    from bonesearch.errors import KeyFileError

    store, _ = ingested
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    PseudonymKey.create().save(default_key_path(copy))
    with pytest.raises(KeyFileError, match="not the key this store was built with"):
        ingest_archive(archive / "export", copy, workers=1)


def test_kill_9_mid_ingest_then_rerun_loses_and_duplicates_nothing(archive, ingested, tmp_path):
    """A hard kill between (or inside) batch commits, then a rerun, gives the same store as one clean run."""
    import signal
    import subprocess
    import sys
    import time

    _, clean = ingested
    store = tmp_path / "store"
    code = (
        "import sys; from indexer.ingest import ingest_archive; "
        f"ingest_archive({str(archive / 'export')!r}, {str(store)!r}, workers=1, commit_every=4)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.time() + 60
    while time.time() < deadline and len(list((store / "pixels").glob("*.png"))) < 12 and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    again = ingest_archive(archive / "export", store, workers=1)
    assert again.already_ingested > 0  # the kill did land mid-job
    with Store.open(store) as s:
        assert s.count("images") == clean.images_ingested
        assert s.count("reports") == clean.reports_ingested
        sops = [r[0] for r in s.con.execute("SELECT sop_uid FROM images").fetchall()]
        assert len(sops) == len(set(sops))
        paths = {r[0] for r in s.con.execute("SELECT pixel_path FROM images").fetchall()}
        sources = s.con.execute("SELECT count(*), count(DISTINCT source_hash) FROM sources").fetchone()
    assert sources[0] == sources[1] == clean.files_seen
    assert all((store / p).is_file() for p in paths)
    # no half-written files, no cached pixels without a row
    assert not list((store / "pixels").glob("*.tmp"))
    assert {f"pixels/{p.name}" for p in (store / "pixels").glob("*.png")} == paths


def test_zero_byte_file_is_skipped_with_a_reason(tmp_path):
    from bonesearch.imaging.dicom import read_dataset
    from bonesearch.errors import InvalidDicom

    empty = tmp_path / "IM9.dcm"
    empty.write_bytes(b"")
    with pytest.raises(InvalidDicom, match="IM9.dcm"):
        read_dataset(empty, "IM9.dcm")


# ---- bad input, JSON report, cache size ----------------------------------------------------------------


def _good_dicom(uid_seed: int, shape=(96, 80), **extra):
    """A small valid CR dataset (fictional header) with a ramp image."""
    import numpy as np
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian

    from bonesearch.demo.dicom_writer import make_uid

    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.1"
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID = make_uid("bad-archive", uid_seed)
    ds.StudyInstanceUID, ds.SeriesInstanceUID = make_uid("bad-archive-study"), make_uid("bad-archive-series")
    ds.PatientID, ds.PatientName, ds.AccessionNumber = "IPP7351902", "CANARI^Hortense", "ACC99812"
    ds.StudyDate, ds.Modality, ds.BodyPartExamined = "20190314", "CR", "HAND"
    ds.Rows, ds.Columns = shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelData = np.tile(np.linspace(0, 4000, shape[1]).astype(np.uint16), (shape[0], 1)).tobytes()
    for k, v in extra.items():
        setattr(ds, k, v)
    return ds


@pytest.fixture(scope="module")
def bad_archive(tmp_path_factory):
    """An export holding one of each kind of bad input, beside good images; returns (archive, expected)."""
    from pydicom.fileset import FileSet
    from pydicom.uid import RLELossless

    root = tmp_path_factory.mktemp("bad") / "export"
    folder = root / "CANARI_Hortense_IPP7351902" / "20190314"  # identifying folder names, as some exports have
    folder.mkdir(parents=True)
    expected = {}

    def put(name, ds_or_bytes, status, reason_class):
        path = folder / name
        if isinstance(ds_or_bytes, bytes):
            path.write_bytes(ds_or_bytes)
        else:
            ds_or_bytes.save_as(path, enforce_file_format=True)
        expected[name] = (status, reason_class)

    put("IM1.dcm", _good_dicom(1), "ingested", "")
    put("IM2.dcm", _good_dicom(2, PixelSpacing=["0.1", "0.1"]), "ingested", "")
    multi = _good_dicom(3)
    multi.NumberOfFrames = 3
    multi.PixelData = multi.PixelData * 3
    put("IM3.dcm", multi, "ingested", "")
    put("empty.dcm", b"", "skipped", "empty_file")
    put("LISEZMOI.txt", "Export PACS, ne pas modifier.".encode(), "skipped", "not_dicom")
    put("IM4.dcm", (folder / "IM1.dcm").read_bytes()[:300], "skipped", "corrupt_dicom")
    no_pixels = _good_dicom(5)
    no_pixels.SOPClassUID = no_pixels.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.88.11"  # an SR
    del no_pixels.PixelData
    put("SR5.dcm", no_pixels, "skipped", "no_pixel_data")
    liar = _good_dicom(6)
    liar.Rows = liar.Columns = 10_000
    put("IM6.dcm", liar, "skipped", "pixel_data_mismatch")
    put("IM7.dcm", _good_dicom(7, PhotometricInterpretation="PALETTE COLOR"), "skipped", "unsupported_pixels")
    rle = _good_dicom(8)
    rle.compress(RLELossless, generate_instance_uid=False)
    rle.PixelData = rle.PixelData[:40] + bytes(200)  # a broken RLE stream
    put("IM8.dcm", rle, "skipped", "decode_error")
    put("IM9.dcm", _good_dicom(9, BurnedInAnnotation="YES"), "excluded", "burned_in_annotation")
    put("IM10.dcm", (folder / "IM1.dcm").read_bytes(), "duplicate", "duplicate")  # the same image again: a copy
    fs = FileSet()
    fs.add(_good_dicom(11, StudyTime="1200", StudyID="1", SeriesNumber=1, InstanceNumber=1))
    fs.write(root / "media")
    expected["DICOMDIR"] = ("skipped", "dicomdir")
    expected["media_image"] = ("ingested", "")  # the image the DICOMDIR indexes
    return root, expected


@pytest.fixture(scope="module")
def bad_ingested(bad_archive, tmp_path_factory):
    root, _ = bad_archive
    store = tmp_path_factory.mktemp("bad-store") / "store"
    return store, ingest_archive(root, store, workers=1)


def test_each_bad_input_is_skipped_with_its_reason_and_the_job_finishes(bad_archive, bad_ingested):
    root, expected = bad_archive
    store, summary = bad_ingested
    with open(summary.skipped_list_path, newline="", encoding="utf-8") as fh:
        listed = {Path(row["path"]).name: row["reason_class"] for row in csv.DictReader(fh)}
    problems = {k: v for k, v in expected.items() if v[0] in ("skipped", "excluded")}
    assert listed == {name: cls for name, (_, cls) in problems.items()}
    assert summary.duplicates == 1 and summary.replaced == 0
    assert summary.images_ingested == sum(v[0] == "ingested" for v in expected.values())
    assert len(summary.excluded) == 1 and summary.multi_frame == 1
    assert summary.files_seen == len(expected)
    with Store.open(store) as s:
        assert s.count("images") == summary.images_ingested
        assert s.count("sources") == summary.files_seen
        spacing = s.con.execute("SELECT count(*) FROM images WHERE pixel_spacing_mm = 0.1").fetchone()[0]
    assert spacing == 1


def test_json_report_counts_and_names_nothing_from_the_archive(bad_archive, bad_ingested):
    root, expected = bad_archive
    store, summary = bad_ingested
    text = (store / "ingest-report.json").read_text(encoding="utf-8")
    report = json.loads(text)
    run = report["run"]
    assert run["files_seen"] == len(expected) and run["processed"] == len(expected)
    assert run["images_ingested"] == summary.images_ingested
    wanted: dict[str, int] = {}
    for status, cls in expected.values():
        if status == "skipped":
            wanted[cls] = wanted.get(cls, 0) + 1
    assert run["skipped_by_reason"] == dict(sorted(wanted.items()))
    assert run["excluded_by_reason"] == {"burned_in_annotation": 1}
    assert report["totals"]["sources"] == {"duplicate": 1, "excluded": 1, "ingested": summary.images_ingested,
                                           "skipped": sum(wanted.values())}
    assert run["copies_of_stored_images"] == 1
    assert report["throughput"]["workers"] == 1 and report["throughput"]["cache_size"] == 256
    assert {"read", "header", "decode", "resize", "encode"} <= set(report["stages_cpu_seconds"])
    assert len(report["skipped"]) == len(summary.problems) and all(len(r["source"]) == 16 for r in report["skipped"])
    for secret in ("CANARI", "Hortense", "IPP7351902", "ACC99812", "20190314", "2019", "export", str(root), "LISEZMOI",
                   "empty.dcm", "IM4"):
        assert secret.lower() not in text.lower(), secret
    with Store.open(store) as s:  # the reasons kept in the store name files by hash only, too
        reasons = " ".join(r[0] or "" for r in s.con.execute("SELECT reason FROM sources").fetchall())
    assert "LISEZMOI" not in reasons and "empty.dcm" not in reasons and "not_dicom: [" in reasons


def test_json_report_of_the_demo_holds_no_phi_and_rerun_reflects_totals(archive, ingested, tmp_path):
    store, first = ingested
    text = (store / "ingest-report.json").read_text(encoding="utf-8")
    phi = json.loads((archive / "phi.json").read_text())["strings"]
    assert not [p for p in phi if len(p) >= 4 and _contains_word(text, p)]
    folders = {p.name for p in (archive / "export").rglob("*") if p.is_dir()} - {"DICOM"}
    assert folders and not [f for f in folders if f in text]
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    shutil.copy(default_key_path(store), default_key_path(copy))
    ingest_archive(archive / "export", copy, workers=1)
    before, after = json.loads(text), json.loads((copy / "ingest-report.json").read_text(encoding="utf-8"))
    assert after["run"]["processed"] == 0 and after["run"]["already_in_store"] == first.files_seen
    assert after["totals"] == before["totals"]
    assert after["skipped"] == before["skipped"]


def test_cache_size_is_an_option_and_fixed_per_store(bad_archive, bad_ingested, tmp_path):
    from PIL import Image

    from bonesearch.errors import StoreConfigMismatch

    root, _ = bad_archive
    store, _ = bad_ingested
    big = tmp_path / "store512"
    summary = ingest_archive(root, big, workers=1, cache_size=512)
    with Store.open(big) as s:
        (path,) = s.con.execute("SELECT pixel_path FROM images LIMIT 1").fetchone()
    assert Image.open(big / path).size == (512, 512) and summary.cache_size == 512
    ingest_archive(root, big, workers=1)  # a rerun without the option keeps the store's size
    with pytest.raises(StoreConfigMismatch, match="caches 512-px images; rerun with --cache-size 512"):
        ingest_archive(root, big, workers=1, cache_size=256)
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    shutil.copy(default_key_path(store), default_key_path(copy))
    with pytest.raises(StoreConfigMismatch, match="caches 256-px images"):
        ingest_archive(root, copy, workers=1, cache_size=512)


def test_parallel_ingest_gives_the_same_store_as_one_process(bad_archive, bad_ingested, tmp_path):
    root, _ = bad_archive
    store, serial = bad_ingested
    parallel = ingest_archive(root, tmp_path / "store", workers=2, key_path=default_key_path(store))
    assert parallel.workers == 2
    with Store.open(store) as a, Store.open(tmp_path / "store") as b:
        query = "SELECT sop_uid, rows, cols, pixel_path FROM images ORDER BY image_id"
        assert a.con.execute(query).fetchall() == b.con.execute(query).fetchall()
        query = "SELECT source_hash, status, reason FROM sources ORDER BY source_hash"
        assert a.con.execute(query).fetchall() == b.con.execute(query).fetchall()
    for (path,) in [("pixels/1.png",), ("pixels/3.png",)]:
        assert (store / path).read_bytes() == (tmp_path / "store" / path).read_bytes()


def test_orphans_on_both_sides_are_counted_and_reported(archive, tmp_path):
    """A report whose study is missing and a study whose report is missing: both counted, the job finishes."""
    export = tmp_path / "export"
    shutil.copytree(archive / "export", export)
    with open(export / "reports.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    gone_study = next(p for p in (export / "DICOM").glob("*/*") if p.is_dir())  # its report becomes an orphan
    shutil.rmtree(gone_study)
    silent = next(r for r in rows if r["accession_number"] != gone_study.name)  # its study loses its report
    kept = [r for r in rows if r is not silent]
    with open(export / "reports.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(kept)
    summary = ingest_archive(export, tmp_path / "store", workers=2)
    assert summary.reports_orphan >= 1 and summary.studies_without_report >= 1
    report = json.loads((tmp_path / "store" / "ingest-report.json").read_text(encoding="utf-8"))
    assert report["run"]["reports_without_study"] == summary.reports_orphan
    assert report["run"]["studies_without_report"] == summary.studies_without_report
    assert sum(report["run"]["reports_without_study_by_reason"].values()) == summary.reports_orphan
    assert gone_study.name not in json.dumps(report)  # the accession number never appears
