"""`--engine ray --address`: the CLI joins a Ray cluster that was started apart (`ray start --head`),
as on a hospital's cluster, and writes the store the local engine writes."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bonesearch.deid.key import default_key_path
from indexer.ingest import ingest_archive
from tests.indexer.test_engines import store_dump

pytest.importorskip("ray")
RAY = Path(sys.executable).with_name("ray")
BONESEARCH = Path(sys.executable).with_name("bonesearch")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def head_node(tmp_path_factory):
    """A one-node Ray cluster (2 CPUs, loopback, its own auth token) in its own process group, stopped
    after the module; yields (address, the environment its clients need)."""
    if not RAY.exists():
        pytest.skip(f"no `ray` command beside {sys.executable}: pip install 'ray[data]'")
    port = _free_port()
    temp = tmp_path_factory.mktemp("ray")
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    head = subprocess.Popen(
        [str(RAY), "start", "--head", "--block", "--node-ip-address", "127.0.0.1", "--port", str(port),
         "--num-cpus", "2", "--include-dashboard", "false", "--disable-usage-stats", "--temp-dir", str(temp)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    address = f"127.0.0.1:{port}"
    deadline = time.time() + 60
    while subprocess.run([str(RAY), "status", "--address", address], capture_output=True, env=env).returncode:
        if head.poll() is not None or time.time() > deadline:
            os.killpg(head.pid, signal.SIGKILL)
            pytest.fail("the Ray head node did not start within 60 s")
        time.sleep(1)
    yield address, env
    os.killpg(head.pid, signal.SIGTERM)
    try:
        head.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(head.pid, signal.SIGKILL)


def test_cli_ingest_joins_an_existing_cluster(head_node, tmp_path):
    address, env = head_node
    from bonesearch.demo.archive import write_demo_archive

    write_demo_archive(tmp_path / "demo", studies=12, seed=11)
    archive = tmp_path / "demo" / "export"
    local = tmp_path / "local"
    ingest_archive(archive, local, workers=2)
    on_cluster = tmp_path / "cluster"
    result = subprocess.run(
        [str(BONESEARCH), "ingest", str(archive), "--store", str(on_cluster), "--engine", "ray",
         "--address", address, "--key", str(default_key_path(local))],
        capture_output=True, text=True, timeout=600, env={**env, "COLUMNS": "200"})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "ray (1 node, 2 CPUs)" in result.stdout and "images ingested" in result.stdout
    assert store_dump(on_cluster) == store_dump(local)
    shutil.rmtree(tmp_path / "demo")


def test_a_wrong_token_gets_a_clear_error(head_node, tmp_path, monkeypatch):
    from bonesearch.errors import EngineError
    from indexer.ray_engine import ray_session

    address, env = head_node
    monkeypatch.setenv("RAY_AUTH_MODE", "token")
    monkeypatch.setenv("RAY_AUTH_TOKEN", "0" * 64)
    with pytest.raises(EngineError, match=f"could not start or reach the Ray cluster at {address}.*token"):
        with ray_session(address):
            pass
