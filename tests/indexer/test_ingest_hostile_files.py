"""Hostile export trees: link loops, dangling links, pipes, formula file names, and a parent killed mid-job.

Issue 14, items 2, 4 and 14: nothing here may stop the job, print a path, or outlive its parent.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.ingest import ingest_archive
from tests.indexer.test_ingest import _good_dicom

PATIENT_FOLDER = "DUPONTEL_Marcel_IPP8812345"  # exports name folders after patients


@pytest.fixture()
def linked_export(tmp_path) -> Path:
    """Two good images beside a one-link loop, a two-link loop, a dangling link, a pipe and a linked folder."""
    root = tmp_path / "export"
    folder = root / PATIENT_FOLDER / "ACC5512"
    folder.mkdir(parents=True)
    _good_dicom(700).save_as(folder / "IM0.dcm", enforce_file_format=True)
    _good_dicom(701).save_as(folder / "IM1.dcm", enforce_file_format=True)
    os.symlink("self.dcm", folder / "self.dcm")  # a link to itself
    os.symlink("ping.dcm", folder / "pong.dcm")  # two links to each other
    os.symlink("pong.dcm", folder / "ping.dcm")
    os.symlink("gone.dcm", folder / "dangling.dcm")
    os.mkfifo(folder / "pipe.dcm")  # would block a reader forever
    os.symlink("..", folder / "up")  # a folder link back to its parent (a loop if followed)
    os.symlink(folder / "IM0.dcm", folder / "IM0-link.dcm")  # a link to a good file: read, a copy
    return root


EXPECTED = {"self.dcm": "symlink_loop", "pong.dcm": "symlink_loop", "ping.dcm": "symlink_loop",
            "dangling.dcm": "broken_link", "pipe.dcm": "not_regular_file", "up": "symlink_folder"}


def test_link_loops_and_pipes_are_skipped_with_a_reason_and_no_path(linked_export, tmp_path, capsys):
    store = tmp_path / "store"
    summary = ingest_archive(linked_export, store, workers=1)
    assert summary.images_ingested == 2 and summary.duplicates == 1
    by_class = {}
    for record in summary.problems:
        by_class[record.reason_class] = by_class.get(record.reason_class, 0) + 1
    assert by_class == {"symlink_loop": 3, "broken_link": 1, "not_regular_file": 1, "symlink_folder": 1}
    with open(summary.skipped_list_path, newline="", encoding="utf-8") as fh:
        listed = {Path(row["path"]).name: row["reason_class"] for row in csv.DictReader(fh)}
    assert listed == EXPECTED  # the operator's list (outside the store) maps each hash to its real path
    printed = json.dumps([summary.skipped, [r.reason for r in summary.problems]]) + capsys.readouterr().out
    report = (store / "ingest-report.json").read_text(encoding="utf-8")
    for text in (printed, report):
        assert PATIENT_FOLDER not in text and "IPP8812345" not in text and str(tmp_path) not in text
    assert all(r.reason.startswith(f"[{r.source_hash}]") for r in summary.problems), summary.problems
    again = ingest_archive(linked_export, store, workers=1)  # retried, still skipped, still no traceback
    assert again.images_ingested == 0 and len(again.problems) == len(EXPECTED)


def test_cli_ingest_of_a_link_loop_prints_no_traceback_and_no_path(linked_export, tmp_path):
    from typer.testing import CliRunner

    from cli import app

    result = CliRunner().invoke(app, ["ingest", str(linked_export), "--store", str(tmp_path / "store"),
                                      "--workers", "1", "--no-ocr"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and PATIENT_FOLDER not in result.output
    assert "symbolic link loop" in result.output


def test_formula_file_names_are_inert_in_the_operator_csv(tmp_path):
    root = tmp_path / "export"
    root.mkdir()
    (root / '=HYPERLINK("evil.example";"x").dcm').write_bytes(b"not a dicom")
    (root / "+cmd.dcm").write_bytes(b"")
    (root / "@SUM(A1).dcm").write_bytes(b"neither")
    cwd = os.getcwd()
    os.chdir(root)  # `bonesearch ingest .`: the path cell is the bare file name
    try:
        summary = ingest_archive(Path("."), tmp_path / "store", workers=1)
    finally:
        os.chdir(cwd)
    with open(summary.skipped_list_path, newline="", encoding="utf-8") as fh:
        cells = [cell for row in csv.reader(fh) for cell in row]
    assert len(cells) == 4 * 4
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    assert [cell for cell in cells if cell.endswith('=HYPERLINK("evil.example";"x").dcm')]


def test_csv_safe_escapes_every_formula_prefix():
    from indexer.ingest_summary import csv_safe

    for hostile in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert csv_safe(hostile) == "'" + hostile
    assert csv_safe("/data/IM0.dcm") == "/data/IM0.dcm" and csv_safe("") == ""


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def _survivors(pids: list[int], seconds: float = 15) -> list[int]:
    """The processes of ``pids`` still alive after ``seconds``; killed before returning (no orphan left behind)."""
    deadline = time.time() + seconds
    while time.time() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    alive = [p for p in pids if _alive(p)]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    return alive


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc to list child processes")
def test_kill_9_of_the_parent_takes_its_workers_down(tmp_path):
    from bonesearch.demo.archive import write_demo_archive

    write_demo_archive(tmp_path / "demo", studies=40, seed=5)
    code = ("from indexer.ingest import ingest_archive; "
            f"ingest_archive({str(tmp_path / 'demo' / 'export')!r}, {str(tmp_path / 'store')!r}, workers=2)")
    proc = subprocess.Popen([sys.executable, "-c", code])
    workers: list[int] = []
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None and len(workers) < 2:
        workers = [c for c in _children(proc.pid) if _alive(c)]
        time.sleep(0.05)
    assert len(workers) >= 2, "the ingest ended before its workers could be seen"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not _survivors(workers), "worker processes outlived their killed parent"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc to list child processes")
def test_processes_forked_by_libraries_during_ingest_die_with_it_too(tmp_path):
    """spaCy's NER workers (report stage) are plain multiprocessing children: the fork hook covers them."""
    code = ("import multiprocessing, time; from indexer.worker_pool import children_die_with_this_process; "
            "children_die_with_this_process(); "
            "p = multiprocessing.get_context('fork').Process(target=time.sleep, args=(600,)); p.start(); time.sleep(600)")
    proc = subprocess.Popen([sys.executable, "-c", code])
    children: list[int] = []
    deadline = time.time() + 30
    while time.time() < deadline and not children:
        children = [c for c in _children(proc.pid) if _alive(c)]
        time.sleep(0.05)
    assert children
    time.sleep(0.3)  # let the child run its after-fork hook
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not _survivors(children)


def test_excluded_paths_are_left_out_by_name_and_through_links(tmp_path):
    """The reports export and the --export-dicom folder are not archive files, however they are reached."""
    from bonesearch.deid.key import PseudonymKey
    from indexer.archive_files import list_archive, real_paths

    root = tmp_path / "export"
    (root / "DICOM").mkdir(parents=True)
    (root / "deid-out").mkdir()
    (root / "DICOM" / "IM0.dcm").write_bytes(b"x")
    (root / "deid-out" / "copy.dcm").write_bytes(b"x")
    (root / "reports.csv").write_text("accession_number,text\n", encoding="utf-8")
    os.symlink(root / "reports.csv", root / "DICOM" / "alias.csv")  # another name, the same file
    listed = list_archive(root, PseudonymKey.create(), real_paths([root / "reports.csv", root / "deid-out"]))
    assert [entry.path.name for entry in listed] == ["IM0.dcm"]
