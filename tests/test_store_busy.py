"""A store another process holds (a running ``bonesearch ingest``): every way into it says
what holds it and what to do, as a StoreBusy error without DuckDB's own message; the web
server keeps answering from its snapshot meanwhile."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from bonesearch.errors import StoreBusy, StoreLocked
from bonesearch.search.engine import SearchEngine
from bonesearch.store import DB_NAME, Store
from tests.search_store import build_search_store
from tests.store_holder import held

DUCKDB_WORDS = ("IO Error", "Could not set lock", "Conflicting lock", "duckdb", "Traceback")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_search_store(tmp_path_factory.mktemp("busy"))


def _says_what_holds_it_and_what_to_do(message: str, pid: int) -> None:
    assert f"another process (PID {pid})" in message and "ingest" in message and "wait for it to finish" in message
    assert not any(word in message for word in DUCKDB_WORDS), message


def test_opening_a_store_being_written_is_store_busy(built):
    with held(built.path) as pid:
        for open_store in (lambda: Store.open(built.path), lambda: Store.snapshot(built.path),
                           lambda: SearchEngine.open(built.path)):
            with pytest.raises(StoreBusy) as raised:
                open_store()
            assert isinstance(raised.value, StoreLocked) and raised.value.__cause__ is None
            _says_what_holds_it_and_what_to_do(str(raised.value), pid)
            assert "bonesearch serve" in str(raised.value)
        with pytest.raises(StoreLocked, match="is open in another process.*reading it; wait") as writing:
            Store.create(built.path)
        _says_what_holds_it_and_what_to_do(str(writing.value), pid)
    with SearchEngine.open(built.path) as engine:  # the writer is gone: the store opens
        assert engine.search_text("fracture", 3)


def test_a_reader_keeps_writers_out_but_not_other_readers(built):
    with held(built.path, "read") as pid:
        with Store.open(built.path) as store:
            assert store.count("images") > 0
        with pytest.raises(StoreLocked) as raised:
            Store.open(built.path, read_only=False)
        _says_what_holds_it_and_what_to_do(str(raised.value), pid)


def test_cli_query_on_a_store_being_written_is_one_red_line_and_status_2(built):
    from cli import app

    with held(built.path) as pid:
        result = CliRunner().invoke(app, ["query", "fracture du radius", "--store", str(built.path)],
                                    env={"COLUMNS": "1000"})  # no wrapping: the error is one line whatever its length
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output  # typer.Exit(2), no crash
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: the store"), result.output
    _says_what_holds_it_and_what_to_do(lines[0], pid)


def test_the_server_keeps_its_snapshot_while_a_writer_holds_the_store(built, tmp_path, caplog):
    import logging
    import shutil

    from bonesearch.web.live import LiveEngine

    caplog.set_level(logging.INFO, "bonesearch.web")
    store = tmp_path / "store"
    shutil.copytree(built.path, store)
    live = LiveEngine(store)
    try:
        with held(store) as pid:
            os.utime(store / DB_NAME, ns=(0, 0))  # the file changed on disk: the server tries to reload
            with live.use() as engine:
                assert engine.search_text("fracture", 3)  # the previous snapshot
            assert "still serving the previous snapshot" in caplog.text
            with pytest.raises(StoreLocked) as raised:  # a server started now cannot take a snapshot
                LiveEngine(store)
            _says_what_holds_it_and_what_to_do(str(raised.value), pid)
        with live.use() as engine:  # the writer is gone: reloaded
            assert engine.search_text("fracture", 3)
        assert "store changed on disk: reopened" in caplog.text
    finally:
        live.close()
