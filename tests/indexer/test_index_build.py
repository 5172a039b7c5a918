"""`bonesearch index`: images, studies and reports indexes from a store; --update; factories."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from bonesearch.errors import BonesearchError, ModelMismatch
from bonesearch.imaging.pixel_cache import load_png
from bonesearch.models.checkpoint import load_checkpoint
from bonesearch.store import Store
from bonesearch.index.backends import apply_search_params, index_ids, reconstruct
from bonesearch.index.files import INDEX_NAMES, read_index, search
from cli import app
from pretrain.pairs import report_training_text
from tests.index_store import (add_image, assert_same_indexes, build, column, copy_store, faiss_ids, indexed_copy,
                               tiny_checkpoint)

runner = CliRunner()


@pytest.fixture(scope="module")
def built(pretrain_store, tmp_path_factory):
    """The demo store with its three indexes (read-only for the tests that use it), its checkpoint, the summary."""
    return indexed_copy(pretrain_store, tmp_path_factory.mktemp("indexed"))


@pytest.fixture(scope="module")
def checkpoint(built):
    return built[1]


@pytest.fixture(scope="module")
def indexed(built):
    return built[0], built[2]


def test_three_indexes_hold_exactly_the_duckdb_ids(indexed):
    store, summary = indexed
    ids = faiss_ids(store)
    assert ids["images"] == set(column(store, "SELECT image_id FROM images"))
    assert ids["studies"] == set(column(store, "SELECT DISTINCT study_id FROM images"))
    assert ids["reports"] == set(column(store, "SELECT report_id FROM reports"))
    manifests = [read_index(store / "index", name)[1] for name in INDEX_NAMES]
    assert {m.model_fingerprint for m in manifests} == {summary.model_fingerprint}
    assert [m.count for m in manifests] == [summary.images_total, summary.studies_total, summary.reports_total]
    assert summary.images == summary.images_total == len(ids["images"]) and not summary.updated


def test_vectors_are_the_models_embeddings(indexed, checkpoint):
    """Images: the image tower on the cached PNG; studies: normalised mean of their images;
    reports: the text tower on the text the model was pretrained on."""
    store, _ = indexed
    clip = load_checkpoint(checkpoint)
    images, _ = read_index(store / "index", "images")
    rows = dict(zip(column(store, "SELECT image_id FROM images"), column(store, "SELECT pixel_path FROM images")))
    some = sorted(rows)[:6]
    expected = clip.encode_images(np.stack([load_png(store / rows[i]) for i in some])).numpy()
    np.testing.assert_allclose(reconstruct(images, np.array(some)), expected, atol=1e-5)

    studies, _ = read_index(store / "index", "studies")
    study_of = dict(zip(column(store, "SELECT image_id FROM images"), column(store, "SELECT study_id FROM images")))
    study = study_of[some[0]]
    members = np.array([i for i, s in study_of.items() if s == study])
    mean = reconstruct(images, members).mean(axis=0)
    np.testing.assert_allclose(reconstruct(studies, np.array([study]))[0], mean / np.linalg.norm(mean), atol=1e-5)

    reports, manifest = read_index(store / "index", "reports")
    assert manifest.text_mode == "technique+findings+conclusion"
    with Store.open(store) as s:
        report_id, findings, conclusion, text, technique = s.con.execute(
            "SELECT report_id, findings, conclusion, text, technique FROM reports ORDER BY report_id LIMIT 1").fetchone()
    want = clip.encode_texts([report_training_text(findings, conclusion, text, manifest.text_mode, technique)]).numpy()
    np.testing.assert_allclose(reconstruct(reports, np.array([report_id])), want, atol=1e-5)


def test_update_embeds_only_what_the_indexes_lack(indexed, checkpoint, tmp_path):
    store = copy_store(indexed[0], tmp_path / "store")
    before, _ = read_index(store / "index", "images")
    old_ids = index_ids(before)
    old_vectors = reconstruct(before, old_ids)
    existing_study = column(store, "SELECT study_id FROM images ORDER BY image_id")[0]
    added_to_old, _ = add_image(store, existing_study)
    added_new, new_study = add_image(store)

    summary = build(store, checkpoint, update=True)

    assert summary.updated and summary.images == 2 and summary.reports_embedded == 1
    assert summary.studies_computed == 2  # the study that gained an image and the new one
    after, _ = read_index(store / "index", "images")
    assert set(index_ids(after).tolist()) == set(old_ids.tolist()) | {added_to_old, added_new}
    np.testing.assert_array_equal(reconstruct(after, old_ids), old_vectors)  # nothing re-embedded
    ids = faiss_ids(store)
    assert new_study in ids["studies"] and ids["reports"] == set(column(store, "SELECT report_id FROM reports"))
    studies, _ = read_index(store / "index", "studies")
    members = np.array([i for i, s in zip(column(store, "SELECT image_id FROM images"),
                                          column(store, "SELECT study_id FROM images")) if s == existing_study])
    mean = reconstruct(after, members).mean(axis=0)
    np.testing.assert_allclose(reconstruct(studies, np.array([existing_study]))[0], mean / np.linalg.norm(mean), atol=1e-5)

    again = build(store, checkpoint, update=True)
    assert (again.images, again.reports_embedded, again.written) == (0, 0, ())


def test_update_with_another_model_is_refused(indexed, tmp_path):
    other = tiny_checkpoint(tmp_path / "other", seed=2)
    store = copy_store(indexed[0], tmp_path / "store")
    with pytest.raises(ModelMismatch, match="without --update"):
        build(store, other, update=True)
    result = runner.invoke(app, ["index", "--store", str(store), "--checkpoint", str(other), "--device", "cpu", "--update"])
    assert result.exit_code == 2 and "was built with model" in " ".join(result.output.split())


@pytest.mark.parametrize("factory", ["IVF4,Flat", "HNSW8"])
def test_index_factory_override(indexed, checkpoint, tmp_path, factory):
    store = copy_store(indexed[0], tmp_path / "store", with_index=False)
    summary = build(store, checkpoint, factory=factory)
    index, manifest = read_index(store / "index", "images")
    assert summary.factory == manifest.factory == factory
    assert manifest.search_params == ("nprobe=1" if factory.startswith("IVF") else "efSearch=128")
    assert set(index_ids(index).tolist()) == set(column(store, "SELECT image_id FROM images"))
    first = int(index_ids(index)[0])
    _, found = search(index, reconstruct(index, np.array([first])), 3)
    assert found[0, 0] == first
    assert read_index(store / "index", "studies")[1].factory == "IDMap2,Flat"  # the factory is the images index's


def test_cli_index_update_and_bad_factory(indexed, checkpoint, tmp_path):
    store = copy_store(indexed[0], tmp_path / "store")
    result = runner.invoke(app, ["index", "--store", str(store), "--checkpoint", str(checkpoint), "--device", "cpu",
                                 "--update", "--workers", "0"])
    assert result.exit_code == 0, result.output
    assert "embedded 0 images" in result.output and "nothing new" in result.output
    result = runner.invoke(app, ["index", "--store", str(store), "--checkpoint", str(checkpoint), "--device", "cpu",
                                 "--index-factory", "IVF8,Bogus"])
    assert result.exit_code == 2 and "not a FAISS factory string" in " ".join(result.output.split())
    assert json.loads((store / "index" / "images.json").read_text())["factory"] == "IDMap2,Flat"  # left as it was


def test_empty_store_is_refused(tmp_path, checkpoint):
    from bonesearch.store import Store

    Store.create(tmp_path / "empty").close()
    with pytest.raises(BonesearchError, match="has no images"):
        build(tmp_path / "empty", checkpoint)


@pytest.mark.parametrize("factory", ["IDMap2,Flat", "IVF4,Flat"])
def test_a_streamed_build_equals_the_in_memory_build(indexed, checkpoint, tmp_path, factory):
    """Past ``stream_above`` images a full build embeds in a random order, trains on the first vectors and adds
    the rest as they come: same ids, same vectors, same study vectors, the same search answers."""
    in_memory = copy_store(indexed[0], tmp_path / "a", with_index=False)
    streamed = copy_store(indexed[0], tmp_path / "b", with_index=False)
    build(in_memory, checkpoint, factory=factory)
    summary = build(streamed, checkpoint, factory=factory, stream_above=10)
    assert "streamed" in summary.engine and summary.images == summary.images_total
    assert_same_indexes(in_memory, streamed)
    images, _ = read_index(streamed / "index", "images")
    reference, _ = read_index(in_memory / "index", "images")
    for index in (images, reference):
        apply_search_params(index, "nprobe=4" if factory.startswith("IVF") else "")  # every list: exact search
    queries = reconstruct(reference, np.sort(index_ids(reference))[:5])
    (scores, ids), (ref_scores, ref_ids) = search(images, queries, 5), search(reference, queries, 5)
    np.testing.assert_allclose(scores, ref_scores, atol=1e-5)  # the same answers, scored alike...
    # ...with the same ids, except where images score within float noise of each other: the vectors of
    # the two builds agree to 1e-5 (batches of another composition round differently), so near-ties may swap
    deep_scores, deep_ids = search(reference, queries, 10)
    for q, pos in zip(*np.nonzero(ids != ref_ids)):
        tied = np.abs(deep_scores[q] - ref_scores[q, pos]) < 1e-5
        assert tied.sum() > 1 and ids[q, pos] in deep_ids[q][tied], (ids[q], ref_ids[q], ref_scores[q])
