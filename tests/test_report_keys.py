"""Report text sealed under one key per report: plain text through the ``reports`` view, only
ciphertext in the database file, and a destroyed key leaves nothing anyone can read."""

from __future__ import annotations

import duckdb
import pytest

from bonesearch.errors import ReportKeyError
from bonesearch.report_keys import BUCKET_REPORTS, KEYS_DIR, ReportKeys
from bonesearch.store import DB_NAME, Store

TEXT = "Fracture déplacée de l'extrémité distale du radius gauche. Conclusion : fracture de Pouteau-Colles."


def _store(tmp_path, reports: int = 3):
    store = Store.create(tmp_path / "store")
    store.insert_reports(dict(report_id=i, study_id=i, text=f"{TEXT} n°{i}", conclusion=f"fracture n°{i}")
                         for i in range(1, reports + 1))
    return store


def test_the_view_reads_plain_text_and_the_file_holds_none(tmp_path):
    with _store(tmp_path) as store:
        rows = store.con.execute("SELECT report_id, text, conclusion, indication FROM reports ORDER BY 1").fetchall()
        store.con.execute("PRAGMA force_compression='uncompressed'")
        store.con.execute("CHECKPOINT")
    assert rows[0] == (1, f"{TEXT} n°1", "fracture n°1", None)
    data = (tmp_path / "store" / DB_NAME).read_bytes()
    for word in ("Pouteau", "radius", "fracture n°"):
        assert word.encode() not in data
    with duckdb.connect(str(tmp_path / "store" / DB_NAME), read_only=True) as raw:  # outside bonesearch: ciphertext
        sealed = raw.execute("SELECT text FROM sealed_reports WHERE report_id = 1").fetchone()[0]
    assert TEXT.encode() not in sealed and len(sealed) > len(TEXT.encode())


def test_sealing_twice_gives_different_bytes_and_the_same_text(tmp_path):
    keys = ReportKeys(tmp_path)
    first, second = keys.seal(7, TEXT), keys.seal(7, TEXT)
    assert first != second  # a fresh nonce each time
    assert ReportKeys(tmp_path).unseal(7, first) == ReportKeys(tmp_path).unseal(7, second) == TEXT


def test_a_destroyed_key_makes_the_text_unreadable_and_leaves_the_others(tmp_path):
    with _store(tmp_path, reports=5) as store:
        sealed = dict(store.con.execute("SELECT report_id, text FROM sealed_reports").fetchall())
    key_file = tmp_path / "store" / KEYS_DIR / "00000.keys"
    key_of_2 = ReportKeys(tmp_path / "store")._load(0)[2]
    assert key_of_2 in key_file.read_bytes()

    assert ReportKeys(tmp_path / "store").destroy([2, 99]) == 1

    assert key_of_2 not in key_file.read_bytes()
    with pytest.raises(ReportKeyError, match="report 2 has no key"):
        ReportKeys(tmp_path / "store").unseal(2, sealed[2])
    assert ReportKeys(tmp_path / "store").unseal(3, sealed[3]) == f"{TEXT} n°3"
    assert sorted(ReportKeys(tmp_path / "store").report_ids().tolist()) == [1, 3, 4, 5]


def test_keys_are_grouped_by_id_range_and_an_emptied_file_goes(tmp_path):
    keys = ReportKeys(tmp_path)
    keys.ensure([1, 2, BUCKET_REPORTS + 5])
    assert sorted(p.name for p in (tmp_path / KEYS_DIR).iterdir()) == ["00000.keys", "00001.keys"]
    keys.destroy([BUCKET_REPORTS + 5])
    assert sorted(p.name for p in (tmp_path / KEYS_DIR).iterdir()) == ["00000.keys"]
    assert keys.ensure([1, 2, 3]) == 1  # existing keys are kept


def test_damaged_keys_are_clear_errors_naming_the_file(tmp_path):
    keys = ReportKeys(tmp_path)
    sealed = keys.seal(1, TEXT)
    (tmp_path / KEYS_DIR / "00000.keys").write_bytes(b"\x00" * 41)
    with pytest.raises(ReportKeyError, match="00000.keys is damaged"):
        ReportKeys(tmp_path).unseal(1, sealed)
    ReportKeys(tmp_path / "other").ensure([1])  # another store's key under the same id
    (tmp_path / KEYS_DIR / "00000.keys").write_bytes((tmp_path / "other" / KEYS_DIR / "00000.keys").read_bytes())
    with pytest.raises(ReportKeyError, match="does not decrypt") as error:
        ReportKeys(tmp_path).unseal(1, sealed)
    assert "Fracture" not in str(error.value)
    with pytest.raises(ReportKeyError, match="not a sealed value"):
        ReportKeys(tmp_path).unseal(1, TEXT.encode())


def test_a_store_written_before_sealing_is_sealed_when_opened_for_writing(tmp_path):
    path = tmp_path / "old"
    path.mkdir()
    with duckdb.connect(str(path / DB_NAME)) as con:  # the version-1 layout: a plain reports table
        con.execute("CREATE TABLE reports (report_id INTEGER PRIMARY KEY, study_id INTEGER NOT NULL, report_date DATE, "
                    "text VARCHAR NOT NULL, indication VARCHAR, technique VARCHAR, findings VARCHAR, conclusion VARCHAR)")
        con.execute("INSERT INTO reports VALUES (1, 1, NULL, ?, NULL, NULL, 'radius', 'fracture'), "
                    "(2, 2, '2020-01-02', 'Genou normal.', NULL, NULL, NULL, NULL)", [TEXT])
    with Store.open(path) as old:  # read as it is
        assert old.con.execute("SELECT text FROM reports WHERE report_id = 1").fetchone()[0] == TEXT

    with Store.create(path) as store:
        rows = store.con.execute("SELECT * FROM reports ORDER BY report_id").fetchall()
        kinds = dict(store.con.execute("SELECT table_name, table_type FROM information_schema.tables").fetchall())

    assert rows[0][3:] == (TEXT, None, None, "radius", "fracture") and rows[1][3] == "Genou normal."
    assert kinds["reports"] == "VIEW" and kinds["sealed_reports"] == "BASE TABLE"
    assert sorted(ReportKeys(path).report_ids().tolist()) == [1, 2]
    with Store.create(path) as again:  # opening again changes nothing
        assert again.con.execute("SELECT count(*) FROM reports").fetchone()[0] == 2


def test_a_key_error_inside_a_query_is_one_clear_line_on_the_command_line(tmp_path):
    from typer.testing import CliRunner

    from bonesearch.report_keys import key_error_in
    from cli import app

    with _store(tmp_path) as store:
        pass
    (tmp_path / "store" / KEYS_DIR / "00000.keys").unlink()  # every key lost
    with Store.open(tmp_path / "store") as store:
        with pytest.raises(duckdb.Error) as wrapped:
            store.con.execute("SELECT text FROM reports").fetchall()
    assert key_error_in(wrapped.value).startswith("report 1 has no key in")
    assert key_error_in(ValueError("ReportKeyError: not from DuckDB")) is None

    result = CliRunner().invoke(app, ["check", str(tmp_path / "store")])
    assert "have no key" in " ".join(result.output.split()) and "Traceback" not in result.output
