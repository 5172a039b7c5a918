"""`bonesearch forget`: a patient (or a study) leaves no trace in DuckDB, FAISS or the store's files."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bonesearch.index.files import INDEX_NAMES, read_index
from bonesearch.index.lexical import LEXICAL_DIR, TEXT_FIELDS, LexicalIndex, analyse
from bonesearch.errors import ReportKeyError
from bonesearch.report_keys import ReportKeys
from bonesearch.store import Store
from cli import app
from indexer.check import check_store
from indexer.forget import JOURNAL, forget
from tests.index_store import column, copy_store, faiss_ids, indexed_copy
from tests.store_dump import store_cells_text
from tests.store_holder import held

runner = CliRunner()


@pytest.fixture(scope="module")
def indexed(pretrain_store, tmp_path_factory):
    return indexed_copy(pretrain_store, tmp_path_factory.mktemp("forget"))[0]


def _patient_with_most_studies(store: Path) -> str:
    return column(store, "SELECT patient_pseudo FROM studies GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")[0]


def _traces(store: Path, patient: str | None = None, study_uid: str | None = None) -> dict:
    """Everything that identifies the patient's (or the study's) records in the store."""
    where, arg = ("patient_pseudo = ?", patient) if patient else ("study_uid = ?", study_uid)
    with Store.open(store) as s:
        studies = s.con.execute(f"SELECT study_id, study_uid, accession_pseudo FROM studies WHERE {where}", [arg]).fetchall()
        study_ids = [r[0] for r in studies]
        images = s.con.execute("SELECT image_id, sop_uid, pixel_path FROM images WHERE list_contains(?, study_id)",
                               [study_ids]).fetchall()
        reports = s.con.execute("SELECT report_id FROM reports WHERE list_contains(?, study_id)", [study_ids]).fetchall()
        texts = s.con.execute("SELECT list_contains(?, study_id), text FROM reports", [study_ids]).fetchall()
    theirs = {t for mine, text in texts if mine for t in analyse(text)}
    others = {t for mine, text in texts if not mine for t in analyse(text)}
    strings = [r[1] for r in studies] + [r[2] for r in studies if r[2]] + [r[1] for r in images]
    ids = {"images": [r[0] for r in images], "studies": study_ids, "reports": [r[0] for r in reports]}
    vectors = []  # the bytes of every vector the erasure must overwrite
    for name in INDEX_NAMES:
        index = read_index(store / "index", name)[0]
        vectors += [index.reconstruct(int(i)).tobytes() for i in ids[name]]
    return {
        "strings": strings + ([patient] if patient else []),
        "study_ids": set(study_ids),
        "image_ids": {r[0] for r in images},
        "report_ids": {r[0] for r in reports},
        "pixel_names": {Path(r[2]).name for r in images},
        "report_words": theirs - others,  # index terms only their reports hold
        "vectors": vectors,
        "keys": [ReportKeys(store)._key(r[0]) for r in reports],  # 32 random bytes each
    }


def _assert_no_trace(store: Path, traces: dict) -> None:
    cells = store_cells_text(store)
    for text in traces["strings"]:
        assert text not in cells, f"{text} still in a DuckDB cell"
    for path in store.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for text in traces["strings"]:
                assert text.encode() not in data, f"{text} still in the bytes of {path.relative_to(store)}"
            assert not any(key in data for key in traces["keys"]), f"an erased report's key in {path.name}"
            if path.suffix == ".faiss":
                assert not any(vector in data for vector in traces["vectors"]), f"an erased vector in {path.name}"
    names = {p.name for p in store.rglob("*")}
    assert not traces["pixel_names"] & names
    assert not traces["image_ids"] & set(column(store, "SELECT image_id FROM images"))
    assert not traces["image_ids"] & set(column(store, "SELECT image_id FROM sources WHERE image_id IS NOT NULL"))
    assert not traces["study_ids"] & set(column(store, "SELECT study_id FROM studies"))
    assert not traces["report_ids"] & set(column(store, "SELECT report_id FROM reports"))
    ids = faiss_ids(store)
    assert not traces["image_ids"] & ids["images"]
    assert not traces["study_ids"] & ids["studies"]
    assert not traces["report_ids"] & ids["reports"]
    lexical = LexicalIndex.open(store / "index" / LEXICAL_DIR)
    assert not traces["report_ids"] & set(lexical.report_ids().tolist())
    for word in traces["report_words"]:  # gone from the term dictionaries, not only marked deleted
        assert all(lexical.doc_freq(field, word) == 0 for field in TEXT_FIELDS), word


def test_forget_patient_leaves_no_trace(indexed, tmp_path, pretrain_store):
    store = copy_store(indexed, tmp_path / "store")
    patient = _patient_with_most_studies(store)
    traces = _traces(store, patient=patient)
    assert len(traces["study_ids"]) >= 2 and traces["image_ids"] and traces["report_ids"] and traces["report_words"]
    assert patient.encode() in (store / "meta.duckdb").read_bytes()  # the byte scan below can see it
    images_before = len(column(store, "SELECT image_id FROM images"))

    result = runner.invoke(app, ["forget", "--store", str(store), "--patient", patient])

    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert f"{len(traces['study_ids'])} studies, {len(traces['image_ids'])} images" in output
    assert f"cached pixel files deleted: {len(traces['image_ids'])}" in output
    assert f"reports purged from the lexical index: {len(traces['report_ids'])}" in output
    _assert_no_trace(store, traces)
    assert len(column(store, "SELECT image_id FROM images")) == images_before - len(traces["image_ids"])
    assert len(column(store, "SELECT 1 FROM sources WHERE status = 'forgotten' AND image_id IS NULL")) == len(traces["image_ids"])
    assert check_store(store).ok

    # the same export ingested again: the forgotten files are skipped, the patient stays away
    from indexer.ingest import ingest_archive

    root = pretrain_store.parent
    summary = ingest_archive(root / "archive" / "export", store, key_path=root / "key.json", workers=1)
    assert summary.images_ingested == 0
    _assert_no_trace(store, traces)


def test_a_large_stores_rewrite_waits_for_purge_but_the_text_is_unreadable_at_once(indexed, tmp_path):
    store = copy_store(indexed, tmp_path / "store")
    patient = _patient_with_most_studies(store)
    traces = _traces(store, patient=patient)
    with Store.open(store) as s:
        sealed = s.con.execute("SELECT report_id, text FROM sealed_reports WHERE list_contains(?, report_id)",
                               [sorted(traces["report_ids"])]).fetchall()

    summary = forget(store, patient=patient, purge="later")  # what a database over PURGE_NOW_BYTES gets

    assert not summary.purged and summary.pending_purges == 1 and summary.keys == len(traces["report_ids"])
    for report_id, text in sealed:  # the rows' bytes may remain in the file: nobody can decrypt them
        with pytest.raises(ReportKeyError, match="has no key"):
            ReportKeys(store).unseal(report_id, text)
    for path in store.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(key in data for key in traces["keys"]), path.name
            if path.suffix == ".faiss":
                assert not any(vector in data for vector in traces["vectors"]), path.name
    report = check_store(store)
    assert report.ok and any("1 erasure(s)" in note and "--purge" in note for note in report.notes)

    result = runner.invoke(app, ["forget", "--store", str(store), "--purge"])

    assert result.exit_code == 0, result.output
    assert "the rows of 1 erasure(s)" in " ".join(result.output.split())
    _assert_no_trace(store, traces)
    assert check_store(store).ok and not check_store(store).notes


def test_forget_study_keeps_the_patients_other_studies(indexed, tmp_path):
    store = copy_store(indexed, tmp_path / "store")
    patient = _patient_with_most_studies(store)
    uids = column(store, f"SELECT study_uid FROM studies WHERE patient_pseudo = '{patient}' ORDER BY study_uid")
    traces = _traces(store, study_uid=uids[0])

    summary = forget(store, study=uids[0])

    assert (summary.studies, summary.images) == (1, len(traces["image_ids"]))
    _assert_no_trace(store, traces)
    assert column(store, f"SELECT study_uid FROM studies WHERE patient_pseudo = '{patient}' ORDER BY study_uid") == uids[1:]
    assert check_store(store).ok


def test_an_interrupted_forget_is_finished_by_resume(indexed, tmp_path, monkeypatch):
    import indexer.forget as forget_module

    store = copy_store(indexed, tmp_path / "store")
    patient = _patient_with_most_studies(store)
    traces = _traces(store, patient=patient)

    def power_cut(path):
        raise KeyboardInterrupt("power cut before the database rewrite")

    monkeypatch.setattr(forget_module, "rewrite_database", power_cut)
    with pytest.raises(KeyboardInterrupt):
        forget(store, patient=patient)
    monkeypatch.undo()

    report = check_store(store)
    assert (store / JOURNAL).is_file() and not report.ok
    assert any("--resume" in p.fix for p in report.problems)
    result = runner.invoke(app, ["forget", "--store", str(store), "--resume"])
    assert result.exit_code == 0 and "finished an interrupted forget" in result.output
    _assert_no_trace(store, traces)
    assert not (store / JOURNAL).exists() and check_store(store).ok


def test_a_forget_blocked_by_a_reader_says_to_resume_once_it_is_gone(indexed, tmp_path):
    from bonesearch.errors import StoreLocked

    store = copy_store(indexed, tmp_path / "store")
    patient = _patient_with_most_studies(store)
    traces = _traces(store, patient=patient)
    with held(store, "read") as pid:  # e.g. a `bonesearch query` still running
        with pytest.raises(StoreLocked) as raised:
            forget(store, patient=patient)
    message = str(raised.value)
    assert f"open in another process (PID {pid})" in message and "IO Error" not in message
    assert f"then run `bonesearch forget --store {store} --resume`" in message
    assert (store / JOURNAL).is_file()  # the erasure is recorded: --resume finishes it
    forget(store, resume=True)
    _assert_no_trace(store, traces)
    assert check_store(store).ok


def test_bad_forget_requests_are_one_line_errors(indexed, tmp_path):
    store = copy_store(indexed, tmp_path / "store")
    unknown = runner.invoke(app, ["forget", "--store", str(store), "--patient", "PAT-000000000000"])
    assert unknown.exit_code == 2 and "holds no patient PAT-000000000000" in " ".join(unknown.output.split())
    neither = runner.invoke(app, ["forget", "--store", str(store)])
    assert neither.exit_code == 2 and "exactly one of --patient" in " ".join(neither.output.split())
    nothing = runner.invoke(app, ["forget", "--store", str(store), "--resume"])
    assert nothing.exit_code == 0 and "nothing to resume" in nothing.output


def test_a_forgotten_patients_ids_are_never_given_again(indexed, tmp_path):
    store = copy_store(indexed, tmp_path / "store")
    last_study = column(store, "SELECT study_uid FROM studies ORDER BY study_id DESC LIMIT 1")[0]
    traces = _traces(store, study_uid=last_study)
    with Store.open(store) as s:
        before = {t: s.next_id(t, c) for t, c in (("studies", "study_id"), ("images", "image_id"), ("reports", "report_id"))}

    forget(store, study=last_study)  # the study holding the largest ids

    with Store.open(store) as s:
        after = {t: s.next_id(t, c) for t, c in (("studies", "study_id"), ("images", "image_id"), ("reports", "report_id"))}
        in_use = s.con.execute("SELECT max(image_id) + 1 FROM images").fetchone()[0]
    assert after == before
    assert in_use <= max(traces["image_ids"])  # without the high-water mark the next image would reuse a forgotten id
