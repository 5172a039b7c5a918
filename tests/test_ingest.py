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

STUDIES = 30


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    from bonesearch.demo.archive import write_demo_archive

    out = tmp_path_factory.mktemp("demo")
    write_demo_archive(out, studies=STUDIES, seed=3)
    return out


@pytest.fixture(scope="module")
def ingested(archive, tmp_path_factory):
    store = tmp_path_factory.mktemp("s") / "store"
    summary = ingest_archive(archive / "export", store, workers=2)
    return store, summary


def _labels(archive: Path) -> list[dict]:
    with open(archive / "labels.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_counts_match_the_archive(archive, ingested):
    store, summary = ingested
    labels = _labels(archive)
    burned = sum(r["burned_in"] == "1" for r in labels)
    assert summary.images_ingested == len(labels) - burned
    assert len(summary.excluded) == burned
    assert len(summary.skipped) >= 1  # the stray non-DICOM / corrupt files
    assert all("is not a DICOM file" in r or "could not" in r or "PixelData" in r for _, r in summary.skipped)
    with Store.open(store) as s:
        assert s.count("images") == summary.images_ingested
        assert s.count("reports") == summary.reports_ingested
        assert s.count("studies") == len({r["study_instance_uid"] for r in labels if r["burned_in"] != "1"})
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
    """Everything in the store as text: every table cell, every file name, the manifest files."""
    parts = []
    with Store.open(store) as s:
        for table in ("studies", "images", "reports", "sources", "store_meta"):
            for row in s.con.execute(f"SELECT * FROM {table}").fetchall():
                parts.append(" | ".join("" if v is None else str(v) for v in row))
    parts.extend(str(p.relative_to(store)) for p in store.rglob("*"))
    return "\n".join(parts)


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
    from bonesearch.dicom_io import read_dataset
    from bonesearch.errors import InvalidDicom

    empty = tmp_path / "IM9.dcm"
    empty.write_bytes(b"")
    with pytest.raises(InvalidDicom, match="IM9.dcm"):
        read_dataset(empty, "IM9.dcm")
