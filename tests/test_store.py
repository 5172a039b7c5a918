"""The store's own API: transactions (commit, rollback on any exception), the in-memory
snapshot a server searches, and the one L2 normalisation the indexes use."""

from __future__ import annotations

import numpy as np
import pytest

from bonesearch.errors import StoreNotFound
from bonesearch.index.vectors import l2_normalise
from bonesearch.store import Store


def _study(con, study_id: int) -> None:
    con.execute("INSERT INTO studies (study_id, study_uid, patient_pseudo) VALUES (?, ?, ?)",
                [study_id, f"2.25.{study_id}", f"PAT-{study_id}"])


def test_a_transaction_commits_its_block(tmp_path):
    with Store.create(tmp_path / "store") as store:
        with store.transaction() as con:
            _study(con, 1)
            _study(con, 2)
    with Store.open(tmp_path / "store") as store:
        assert store.count("studies") == 2


@pytest.mark.parametrize("failure", ["python", "sql"])
def test_a_failing_block_is_rolled_back_and_its_error_raised(tmp_path, failure):
    with Store.create(tmp_path / "store") as store:
        _study(store.con, 1)
        with pytest.raises(KeyboardInterrupt if failure == "python" else Exception) as raised:
            with store.transaction() as con:
                _study(con, 2)
                store.set_meta("checked", "yes")
                if failure == "python":
                    raise KeyboardInterrupt  # any exception, not only Exception subclasses
                _study(con, 1)  # duplicate key
        if failure == "sql":
            assert "Constraint" in type(raised.value).__name__
        assert store.count("studies") == 1 and store.get_meta("checked") is None
        with store.transaction() as con:  # the connection is usable again
            _study(con, 3)
        assert store.count("studies") == 2


def test_a_snapshot_is_a_copy_in_memory(tmp_path):
    with Store.create(tmp_path / "store") as store:
        _study(store.con, 1)
    snapshot = Store.snapshot(tmp_path / "store")
    try:
        with Store.open(tmp_path / "store", read_only=False) as writer:  # the file is not held by the snapshot
            _study(writer.con, 2)
        assert snapshot.count("studies") == 1  # the copy taken before
    finally:
        snapshot.close()
    with pytest.raises(StoreNotFound, match="bonesearch ingest"):
        Store.snapshot(tmp_path / "nothing")


def test_l2_normalise_gives_unit_rows_and_keeps_zero_rows():
    rows = np.array([[3.0, 4.0], [0.0, 0.0], [1e-3, 0.0]], dtype=np.float64)
    out = l2_normalise(rows)
    assert out.dtype == np.float32 and out.shape == (3, 2)
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0], [1.0, 0.0]], rtol=1e-7)
    np.testing.assert_allclose(l2_normalise(np.array([0.0, 2.0], np.float32)), [[0.0, 1.0]])
    assert rows[0, 0] == 3.0  # the input is left alone
