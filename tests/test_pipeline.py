"""End to end on a ~50-study demo archive: ingest → pretrain (tiny) → index → query, through the CLI."""

from __future__ import annotations

import json

import faiss
import numpy as np
import pytest
from typer.testing import CliRunner

from bonesearch.deid.key import PseudonymKey, default_key_path
from bonesearch.downstream.retrieval import QueryClass, evaluate_text_retrieval
from bonesearch.search.engine import SearchEngine
from bonesearch.store import Store
from cli import app

runner = CliRunner()
STUDIES = 50

BODY_PART_QUERIES = tuple(
    QueryClass(q, (("body_part", part),))
    for q, part in (
        ("radiographie du poignet", "wrist"), ("radiographie de la main", "hand"), ("radiographie du genou", "knee"),
        ("radiographie de l'épaule", "shoulder"), ("radiographie de la hanche", "hip"), ("radiographie du coude", "elbow"),
        ("radiographie de la cheville", "ankle"), ("radiographie du pied", "foot"),
    )
)


def _ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    archive, store, run = root / "archive", root / "store", root / "run"
    _ok(runner.invoke(app, ["demo-archive", str(archive), "--studies", str(STUDIES), "--seed", "7"]))
    _ok(runner.invoke(app, ["ingest", str(archive / "export"), "--store", str(store), "--workers", "2"]))
    _ok(runner.invoke(app, ["pretrain", "--store", str(store), "--model", "tiny", "--out", str(run), "--epochs", "60",
                            "--batch-size", "16", "--lr", "2e-3", "--device", "cpu"]))
    _ok(runner.invoke(app, ["index", "--store", str(store), "--checkpoint", str(run / "checkpoint"), "--device", "cpu"]))
    return archive, store, run


def test_query_returns_ranked_hits_as_json(pipeline):
    _, store, _ = pipeline
    hits = json.loads(_ok(runner.invoke(app, ["query", "fracture du radius distal", "--store", str(store), "--k", "7", "--json"])))
    assert len(hits) == 7
    assert [h["rank"] for h in hits] == list(range(1, 8))
    assert all(a["score"] >= b["score"] for a, b in zip(hits, hits[1:]))
    with Store.open(store) as s:
        ids = {i for (i,) in s.con.execute("SELECT image_id FROM images").fetchall()}
    assert {h["image_id"] for h in hits} <= ids


def test_query_table_and_similar(pipeline):
    _, store, _ = pipeline
    table = _ok(runner.invoke(app, ["query", "gonarthrose", "--store", str(store), "--k", "3"]))
    assert "gonarthrose" in table and "why" in table  # hybrid (the store has reports): the signals' ranks
    image_only = _ok(runner.invoke(app, ["query", "gonarthrose", "--store", str(store), "--k", "3", "--mode", "image"]))
    assert "score" in image_only and "why" not in image_only
    first = sorted((store / "pixels").glob("*.png"))[0]
    hits = json.loads(_ok(runner.invoke(app, ["similar", str(first), "--store", str(store), "--k", "3", "--json"])))
    assert hits[0]["image_id"] == int(first.stem) and hits[0]["score"] > 0.99  # an image finds itself first


def test_index_matches_brute_force(pipeline):
    _, store, _ = pipeline
    engine = SearchEngine.open(store)
    try:
        ids = faiss.vector_to_array(engine.index.id_map)
        vectors = np.stack([engine.index.reconstruct(int(i)) for i in ids])
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
        query = engine.clip.encode_texts(["fracture de la cheville"]).numpy()
        expected = ids[np.argsort(-(vectors @ query[0]))[:10]]
        got = [h.image_id for h in engine.search_text("fracture de la cheville", 10, mode="image")]
        assert got == list(expected)
    finally:
        engine.close()


def test_text_retrieval_beats_chance(pipeline):
    archive, store, _ = pipeline
    engine = SearchEngine.open(store)
    try:
        report = evaluate_text_retrieval(engine, archive / "labels.csv", PseudonymKey.load(default_key_path(store)),
                                         held_out_fraction=1.0, classes=BODY_PART_QUERIES, k=10)
    finally:
        engine.close()
    assert len(report.scored) >= 3
    assert report.mean_precision > report.mean_chance + 0.1, [(c.query, c.precision, c.chance) for c in report.classes]


def test_eval_similar_maps_the_labels_through_the_key(pipeline, tmp_path):
    """Every stored image found in labels.csv by its original UID; a wrong key finds none and says so."""
    archive, store, _ = pipeline
    data = json.loads(_ok(runner.invoke(app, ["eval", "similar", "--store", str(store), "--labels",
                                              str(archive / "labels.csv"), "--held-out", "0", "--json"])))
    with Store.open(store) as s:
        images = s.con.execute("SELECT count(*) FROM images").fetchone()[0]
    assert data["pool"] == images and data["same_part"]["n"] == min(300, images)
    assert 0.0 <= data["same_part_and_finding"]["mean"] <= data["same_part"]["mean"] <= 1.0
    table = _ok(runner.invoke(app, ["eval", "similar", "--store", str(store), "--labels", str(archive / "labels.csv"),
                                    "--held-out", "0"]))
    assert "same body part and finding" in table and "chance" in table
    other_key = tmp_path / "other.key.json"
    PseudonymKey.create().save(other_key)
    wrong = runner.invoke(app, ["eval", "similar", "--store", str(store), "--labels", str(archive / "labels.csv"),
                                "--key", str(other_key)])
    assert wrong.exit_code != 0 and "--key" in wrong.output


def test_missing_store_says_how_to_create_it(tmp_path):
    result = runner.invoke(app, ["query", "fracture", "--store", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "no store at" in result.output and "bonesearch ingest" in result.output


def test_store_without_index_says_how_to_build_it(pipeline, tmp_path):
    import shutil

    _, store, _ = pipeline
    copy = tmp_path / "store"
    shutil.copytree(store, copy, ignore=shutil.ignore_patterns("index"))
    result = runner.invoke(app, ["query", "fracture", "--store", str(copy)])
    assert result.exit_code == 2 and "bonesearch index" in result.output


def test_demo_refuses_to_wipe_a_folder_that_is_not_a_demo(tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("…")
    result = runner.invoke(app, ["demo", str(precious), "--studies", "20"])
    assert result.exit_code == 2 and "not a bonesearch demo" in result.output
    assert (precious / "thesis.tex").exists()


def test_querying_with_another_model_is_refused(pipeline, tmp_path):
    from bonesearch.errors import ModelMismatch
    from bonesearch.models.checkpoint import save_checkpoint
    from bonesearch.models.factory import create_model

    _, store, _ = pipeline
    other = save_checkpoint(create_model("tiny", reports=["fracture du radius"] * 20, seed=5), tmp_path / "other")
    with pytest.raises(ModelMismatch, match="was built with model"):
        SearchEngine.open(store, checkpoint=other)
