"""A source is what it is, not where it was: same-named exports, corrected files, copies and erasures.

Issue 14, item 1: two exports whose files carry the same relative names (``DICOM/IM0000.dcm`` …)
must both be ingested; a corrected file re-exported under the same name must be read again.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from bonesearch.store import Store
from indexer.ingest import ingest_archive
from tests.indexer.test_ingest import _good_dicom


def _export(root: Path, first_uid: int, count: int = 4, **extra) -> Path:
    """``root/DICOM/IM0000.dcm`` … as a PACS writes them, holding images ``first_uid`` … ``first_uid + count - 1``."""
    folder = root / "DICOM"
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        _good_dicom(first_uid + n, **extra).save_as(folder / f"IM{n:04d}.dcm", enforce_file_format=True)
    return root


def _column(store: Path, sql: str) -> list:
    with Store.open(store) as s:
        return [row[0] for row in s.con.execute(sql).fetchall()]


def test_two_exports_with_the_same_file_names_are_both_ingested(tmp_path):
    col_a = _export(tmp_path / "colA", 100)
    col_b = _export(tmp_path / "colB", 200)
    store = tmp_path / "store"
    first = ingest_archive(col_a, store, workers=1)
    second = ingest_archive(col_b, store, workers=1)
    assert first.images_ingested == 4
    assert second.images_ingested == 4 and second.already_ingested == 0 and second.duplicates == 0
    assert len(_column(store, "SELECT image_id FROM images")) == 8


def test_rerun_opens_nothing_and_a_moved_copy_is_recognised_by_content(tmp_path):
    export = _export(tmp_path / "export", 300)
    store = tmp_path / "store"
    ingest_archive(export, store, workers=1)
    again = ingest_archive(export, store, workers=1)
    assert again.already_ingested == 4 and again.images_ingested == 0
    moved = tmp_path / "elsewhere"
    shutil.copytree(export, moved)  # same files, another place: read, found to be copies
    copies = ingest_archive(moved, store, workers=1)
    assert copies.images_ingested == 0 and copies.duplicates == 4 and not copies.skipped
    assert len(_column(store, "SELECT image_id FROM images")) == 4
    assert sorted(_column(store, "SELECT status FROM sources")) == ["duplicate"] * 4 + ["ingested"] * 4


def test_a_corrected_file_under_the_same_name_replaces_the_older_version(tmp_path):
    export = _export(tmp_path / "export", 400)
    store = tmp_path / "store"
    ingest_archive(export, store, workers=1)
    patient_before = _column(store, "SELECT patient_pseudo FROM studies")
    before = dict(zip(_column(store, "SELECT sop_uid FROM images ORDER BY image_id"),
                      _column(store, "SELECT pixel_path FROM images ORDER BY image_id")))
    # the PACS corrects the laterality and the patient of one instance and re-exports it under the same name
    corrected = _good_dicom(401, ImageLaterality="L", PatientID="IPP0000042")
    path = export / "DICOM" / "IM0001.dcm"
    corrected.save_as(path, enforce_file_format=True)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    again = ingest_archive(export, store, workers=1)
    assert again.replaced == 1 and again.images_ingested == 1 and again.already_ingested == 3
    rows = dict(zip(_column(store, "SELECT sop_uid FROM images"), _column(store, "SELECT laterality FROM images")))
    assert len(rows) == 4 and sorted(rows.values(), key=str).count("L") == 1
    after = dict(zip(_column(store, "SELECT sop_uid FROM images"), _column(store, "SELECT pixel_path FROM images")))
    changed = [sop for sop in after if after[sop] != before[sop]]
    assert len(changed) == 1  # a new image id: `index --update` embeds it and drops the old vector
    assert not (store / before[changed[0]]).exists() and (store / after[changed[0]]).is_file()
    # the newer header wins for the study too: the image now belongs to the corrected patient
    patients = _column(store, "SELECT patient_pseudo FROM studies")
    assert len(patients) == 1 and patients != patient_before
    assert sorted(_column(store, "SELECT status FROM sources")) == ["ingested"] * 4 + ["replaced"]


def test_an_image_erased_on_request_does_not_come_back_from_another_export(tmp_path):
    from indexer.forget import forget

    export = _export(tmp_path / "export", 500)
    store = tmp_path / "store"
    ingest_archive(export, store, workers=1)
    patient = _column(store, "SELECT DISTINCT patient_pseudo FROM studies")[0]
    forget(store, patient=patient)
    assert _column(store, "SELECT count(*) FROM images") == [0]
    reexport = tmp_path / "reexport"
    shutil.copytree(export, reexport)
    again = ingest_archive(reexport, store, workers=1)
    assert again.images_ingested == 0 and again.forgotten == 4
    assert _column(store, "SELECT count(*) FROM images") == [0]


def test_same_uid_twice_in_one_batch_keeps_the_last_file(tmp_path):
    export = tmp_path / "export"
    (export / "a").mkdir(parents=True)
    (export / "b").mkdir()
    _good_dicom(600, ImageLaterality="R").save_as(export / "a" / "IM0.dcm", enforce_file_format=True)
    _good_dicom(600, ImageLaterality="L").save_as(export / "b" / "IM0.dcm", enforce_file_format=True)
    store = tmp_path / "store"
    summary = ingest_archive(export, store, workers=1)
    assert summary.replaced == 1 and summary.images_ingested == 2
    assert _column(store, "SELECT laterality FROM images") == ["L"]
    assert [p.name for p in (store / "pixels").glob("*.png")] == [Path(_column(store, "SELECT pixel_path FROM images")[0]).name]


def test_an_erasure_recorded_by_an_older_version_still_keeps_the_patient_out(tmp_path):
    """Stores written before instance tokens named erased sources by their relative path's keyed hash only."""
    from bonesearch.deid.key import PseudonymKey, default_key_path
    from indexer.forget import forget

    export = _export(tmp_path / "export", 800)
    store = tmp_path / "store"
    ingest_archive(export, store, workers=1)
    forget(store, patient=_column(store, "SELECT DISTINCT patient_pseudo FROM studies")[0])
    key = PseudonymKey.load(default_key_path(store))
    legacy = [key.pseudonym("source", f"DICOM/IM{n:04d}.dcm", length=16).split("-", 1)[1] for n in range(4)]
    with Store.open(store, read_only=False) as s:  # the rows as the older version wrote them
        s.con.execute("DELETE FROM sources")
        for source_hash in legacy:
            s.con.execute("INSERT INTO sources (source_hash, status, reason) VALUES (?, 'forgotten', 'forgotten: x')",
                          [source_hash])
    again = ingest_archive(export, store, workers=1)
    assert again.images_ingested == 0 and again.forgotten == 4
