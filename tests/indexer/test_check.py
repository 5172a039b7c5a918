"""`bonesearch check`: DuckDB, FAISS and the pixel cache agree; a killed `index --update` re-run ends consistent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from bonesearch.index.backends import remove_ids
from bonesearch.index.files import COMMIT_FILE, read_index, write_index
from cli import app
from indexer.check import check_store
from tests.index_store import add_image, build, column, copy_store, indexed_copy

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]

# Runs `index --update` and SIGKILLs itself at the N-th os.replace of the job: N = 1 is the
# index group's commit point (every temp file written, nothing renamed), N = 2 the first
# rename after it.
KILLED_UPDATE = """
import os, signal, sys
from indexer.build_index import build_image_index
store, checkpoint, kill_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
real_replace, calls = os.replace, []
def replace(src, dst):
    calls.append(dst)
    if len(calls) == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    real_replace(src, dst)
os.replace = replace
build_image_index(store, checkpoint, device="cpu", workers=0, update=True)
"""


@pytest.fixture(scope="module")
def indexed(pretrain_store, tmp_path_factory):
    return indexed_copy(pretrain_store, tmp_path_factory.mktemp("check"))[:2]


def _output(result) -> str:
    return " ".join(result.output.split())


def test_a_consistent_store_passes(indexed):
    store, _ = indexed
    result = runner.invoke(app, ["check", str(store)])
    assert result.exit_code == 0, result.output
    assert "store consistent" in result.output


def test_problems_are_listed_with_their_fix(indexed, tmp_path):
    store = copy_store(indexed[0], tmp_path / "store")
    pixel_paths = column(store, "SELECT pixel_path FROM images ORDER BY image_id")
    (store / pixel_paths[0]).unlink()
    (store / "pixels" / "99999.png").write_bytes(b"")
    index, manifest = read_index(store / "index", "images")
    gone = int(column(store, "SELECT image_id FROM images ORDER BY image_id")[-1])
    write_index(store / "index", remove_ids(index, np.array([gone]), manifest.factory), manifest)
    studies = json.loads((store / "index" / "studies.json").read_text())
    (store / "index" / "studies.json").write_text(json.dumps({**studies, "model_fingerprint": "0123456789abcdef"}))

    result = runner.invoke(app, ["check", str(store)])

    assert result.exit_code == 1
    out = _output(result)
    assert "4 problem(s)" in out
    assert "1 images have no cached pixels" in out and "bonesearch forget --study UID" in out
    assert "99999.png" in out
    assert f"1 images in DuckDB have no vector in the images index (ids {gone})" in out and "--update" in out
    assert "built by different models" in out and "without --update" in out


def test_manifest_count_disagreeing_with_faiss_is_a_problem(indexed, tmp_path):
    store = copy_store(indexed[0], tmp_path / "store")
    manifest = json.loads((store / "index" / "reports.json").read_text())
    (store / "index" / "reports.json").write_text(json.dumps({**manifest, "count": manifest["count"] + 1}))
    report = check_store(store)
    assert [p.what for p in report.problems] == [
        f"reports.json says {manifest['count'] + 1} vectors of dimension {manifest['dim']}, reports.faiss holds "
        f"{manifest['count']} of dimension {manifest['dim']}"]


def test_stale_study_vector_is_found(indexed, tmp_path):
    store = copy_store(indexed[0], tmp_path / "store")
    studies, manifest = read_index(store / "index", "studies")
    first = int(column(store, "SELECT study_id FROM images ORDER BY image_id")[0])
    others = np.array([s for s in set(column(store, "SELECT study_id FROM images")) if s != first])
    from bonesearch.index.backends import add_vectors, reconstruct

    swapped = reconstruct(studies, others[:1])
    studies = remove_ids(studies, np.array([first]), manifest.factory)
    add_vectors(studies, np.array([first]), swapped)  # another study's vector under this id
    write_index(store / "index", studies, manifest)
    report = check_store(store)
    assert len(report.problems) == 1 and f"study ids {first}" in report.problems[0].what


@pytest.mark.parametrize("kill_at", [1, 2], ids=["before-commit", "after-commit"])
def test_killed_index_update_rerun_ends_consistent(indexed, tmp_path, kill_at):
    store, checkpoint = indexed
    store = copy_store(store, tmp_path / "store")
    new_image, _ = add_image(store)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    killed = subprocess.run([sys.executable, "-c", KILLED_UPDATE, str(store), str(checkpoint), str(kill_at)],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert (store / "index" / COMMIT_FILE).exists() == (kill_at == 2)

    report = check_store(store)  # reading rolls a committed write forward; an uncommitted one left no trace
    if kill_at == 1:
        assert [p for p in report.problems if f"ids {new_image}" in p.what and "--update" in p.fix]
    else:
        assert report.ok, report.problems

    build(store, checkpoint, update=True)
    assert check_store(store).ok
    assert not list((store / "index").glob(".*tmp"))
    assert new_image in set(column(store, "SELECT image_id FROM images"))


@pytest.mark.parametrize("layout", ["{}", "not json", '{"shards": 0}', '{"shards": "x"}', '{"shards": 3}'])
def test_a_malformed_lexical_layout_is_a_problem_and_a_clear_query_error(indexed, tmp_path, layout):
    """`check` names the damage and the fix; a hybrid query says the same instead of a traceback."""
    store = copy_store(indexed[0], tmp_path / "store")
    layout_file = store / "index" / "lexical" / "lexical.json"
    shards = json.loads(layout_file.read_text())["shards"]
    if layout == '{"shards": 3}' and shards >= 3:
        pytest.skip("the store already has three shards")
    layout_file.write_text(layout)
    report = check_store(store)
    assert len(report.problems) == 1 and "the lexical index in" in report.problems[0].what
    assert "without --update" in report.problems[0].what
    result = runner.invoke(app, ["query", "fracture", "--store", str(store), "--mode", "hybrid"])
    assert result.exit_code != 0 and "lexical index" in _output(result) and "Traceback" not in _output(result)
