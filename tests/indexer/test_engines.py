"""`--engine local | ray`: the Ray engine writes the local engine's store and indexes, and a worker
that dies (injected crashes, :mod:`tests.indexer.crash_injection`) loses and duplicates nothing,
on either engine.

The Ray tests run a local cluster of 2 CPUs (loopback only), started once for the module.
"""

from __future__ import annotations

import csv
import hashlib
import os
from pathlib import Path

import pytest

import indexer.ingest
import indexer.ray_engine
from bonesearch.deid.key import default_key_path
from bonesearch.errors import EngineError
from bonesearch.store import Store
from indexer.ingest import ingest_archive
from indexer.worker_pool import map_ordered_local
from tests.indexer.crash_injection import CrashingDecode, CrashingPixelReader, CrashList
from tests.index_store import assert_same_indexes, build, copy_store, tiny_checkpoint

STUDIES = 30
TABLES = {  # every DuckDB table the ingest writes, in a stable order
    "studies": "study_id", "images": "image_id", "reports": "report_id", "sources": "source_hash",
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    from bonesearch.demo.archive import write_demo_archive

    out = tmp_path_factory.mktemp("engines-demo")
    write_demo_archive(out, studies=STUDIES, seed=5)
    return out / "export"


@pytest.fixture(scope="module")
def local_store(archive, tmp_path_factory):
    store = tmp_path_factory.mktemp("local") / "store"
    return store, ingest_archive(archive, store, workers=2)


@pytest.fixture(scope="module")
def ray_cluster():
    pytest.importorskip("ray")
    from indexer.ray_engine import ray_session

    with ray_session(num_cpus=2) as ray:
        yield ray


def store_dump(store: Path) -> dict[str, list]:
    """Every row of every ingest table, in key order, and the SHA-256 of every cached PNG."""
    with Store.open(store) as s:
        dump = {table: s.con.execute(f"SELECT * FROM {table} ORDER BY {key}").fetchall() for table, key in TABLES.items()}
    dump["pixels"] = sorted((p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in (store / "pixels").iterdir())
    return dump


def ingestible_files(archive: Path, store: Path, n: int) -> list[str]:
    """``n`` archive-relative paths of files the clean ingest stored (not in its skipped list)."""
    skipped_list = store.parent / f"{store.name}.ingest-skipped.csv"
    problems = {row["path"] for row in csv.DictReader(skipped_list.open())} if skipped_list.exists() else set()
    files = sorted(str(p) for p in archive.rglob("*.dcm") if str(p) not in problems)
    return [Path(f).relative_to(archive).as_posix() for f in files[3 : 3 + 7 * n : 7]]


def _square_or_crash(x: int, marker: str) -> int:
    """Worker function of the pool test: dies on 5 always, on 9 the first time only."""
    if x == 5 or (x == 9 and not os.path.exists(marker)):
        if x == 9:
            Path(marker).touch()
        os._exit(70)
    return x * x


def test_local_pool_retries_a_crash_alone_and_reports_the_job_that_keeps_crashing(tmp_path):
    jobs = [(x, str(tmp_path / "crashed-9")) for x in range(40)]
    results = list(map_ordered_local(_square_or_crash, jobs, workers=2, on_crash=lambda job: ("crashed", job[0])))
    assert results == [("crashed", 5) if x == 5 else x * x for x in range(40)]  # 9 retried, order kept


@pytest.mark.parametrize("engine", ["local", "ray"])
def test_worker_crashes_are_retried_or_reported_and_nothing_is_lost_or_duplicated(
        engine, archive, local_store, tmp_path, monkeypatch, request):
    if engine == "ray":
        request.getfixturevalue("ray_cluster")
    clean_store, clean = local_store
    always, once = ingestible_files(archive, clean_store, 2)
    store = tmp_path / "store"
    key = default_key_path(clean_store)
    with monkeypatch.context() as patch:  # the workers of this first run die on two files
        patch.setattr(indexer.ingest, "decode_file", CrashingDecode(CrashList((always,), (once,), str(tmp_path))))
        summary = ingest_archive(archive, store, workers=2, key_path=key, engine=engine)
    assert list(tmp_path.glob("crashed-*"))  # a worker did die on the once-crashing file

    crashed = [reason for _, reason in summary.skipped if "worker died" in reason]
    assert len(crashed) == 1 and "rerun ingest" in crashed[0]  # the file that always crashes, reported
    assert summary.images_ingested == clean.images_ingested - 1  # the once-crashing file was retried and stored
    assert always not in crashed[0] and Path(always).name not in crashed[0]  # named by keyed hash only
    operator_list = (tmp_path / "store.ingest-skipped.csv").read_text()
    assert f"{always}," in operator_list.replace(str(archive) + "/", "")
    with Store.open(store) as s:
        assert s.count("sources") == clean.files_seen - 1  # no row for the crashed file: the rerun retries it

    rerun = ingest_archive(archive, store, workers=2, key_path=key, engine=engine)
    assert rerun.images_ingested == 1 and rerun.already_ingested == clean.files_seen - 1
    ours, theirs = store_dump(store), store_dump(clean_store)
    for table, column in (("images", 3), ("sources", 0)):  # same content (sop_uid / source hash), none twice
        mine = sorted(row[column] for row in ours[table])
        assert mine == sorted(row[column] for row in theirs[table]) and len(set(mine)) == len(mine)
    assert len(ours["reports"]) == len(theirs["reports"])


def test_ray_ingest_writes_the_local_engines_store(ray_cluster, archive, local_store, tmp_path):
    clean_store, clean = local_store
    store = tmp_path / "store"
    summary = ingest_archive(archive, store, workers=2, key_path=default_key_path(clean_store), engine="ray")
    assert summary.engine == "ray (1 node, 2 CPUs)" and summary.workers == 2
    assert (summary.files_seen, summary.images_ingested, summary.studies_total, summary.reports_ingested) == (
        clean.files_seen, clean.images_ingested, clean.studies_total, clean.reports_ingested)
    assert sorted(summary.skipped) == sorted(clean.skipped) and sorted(summary.excluded) == sorted(clean.excluded)
    assert store_dump(store) == store_dump(clean_store)  # identical ids, rows and pixels


@pytest.mark.parametrize("crash", [False, True])
def test_ray_index_equals_the_local_index(ray_cluster, local_store, tmp_path, monkeypatch, crash):
    """Same vectors under the same ids; with a reading worker that always crashes, its block is
    embedded again on the driver and the index is still complete."""
    clean_store, clean = local_store
    checkpoint = tiny_checkpoint(tmp_path / "ckpt")
    local = copy_store(clean_store, tmp_path / "a", with_index=False)
    on_ray = copy_store(clean_store, tmp_path / "b", with_index=False)
    build(local, checkpoint)
    if crash:
        monkeypatch.setattr(indexer.ray_engine, "read_pixels_batch", CrashingPixelReader(CrashList(("pixels/7.png",))))
    summary = build(on_ray, checkpoint, engine="ray")
    assert summary.engine.startswith("ray (")
    assert (summary.retried_images > 0) == crash and summary.images == summary.images_total == clean.images_ingested
    assert_same_indexes(local, on_ray)
    # the report words, qualified by Ray tasks on the cluster: the same documents as the local build
    from bonesearch.index.lexical import LEXICAL_DIR, LexicalIndex

    def documents(store):
        return sorted(LexicalIndex.open(store / "index" / LEXICAL_DIR).documents(), key=lambda d: d.report_id)

    assert summary.lexical_total > 0 and documents(on_ray) == documents(local)


def test_cli_ingest_on_ray_shows_the_local_summary(ray_cluster, archive, local_store, tmp_path):
    from typer.testing import CliRunner

    from cli import app

    clean_store, _ = local_store
    result = CliRunner().invoke(app, ["ingest", str(archive), "--store", str(tmp_path / "store"), "--engine", "ray",
                                      "--workers", "2", "--key", str(default_key_path(clean_store))])
    assert result.exit_code == 0, result.output
    for line in ("images ingested", "engine", "ray (1 node, 2 CPUs)", "studies in store", "ingest report"):
        assert line in result.output


def test_engine_options_are_checked_before_any_work(archive, tmp_path):
    with pytest.raises(EngineError, match="unknown --engine 'spark'"):
        ingest_archive(archive, tmp_path / "s", engine="spark")
    with pytest.raises(EngineError, match="add --engine ray"):
        ingest_archive(archive, tmp_path / "s", address="auto")
    assert not (tmp_path / "s").exists()
