"""The search engine against brute-force NumPy ground truth: text, image-id and study
queries, exact filters, grouping by study; the CLI's query/similar; bad input."""

from __future__ import annotations

import json
import shutil

import faiss
import numpy as np
import pytest
from typer.testing import CliRunner

from bonesearch.search import engine as search_module
from bonesearch.errors import EmptyStore, IndexNotFound, InvalidQuery
from bonesearch.search.hits import Hit, StudyHit
from bonesearch.imaging.pixel_cache import load_png
from bonesearch.search.engine import SearchEngine
from bonesearch.store import Store
from bonesearch.index.files import IndexManifest, build_flat_index, search, write_index
from cli import app
from tests.search_store import brute_force, build_search_store, write_store_rows

runner = CliRunner()
QUERIES = ["fracture du radius distal", "gonarthrose", "luxation de l'épaule", "âge osseux"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_search_store(tmp_path_factory.mktemp("search"))


@pytest.fixture(scope="module")
def engine(built):
    with SearchEngine.open(built.path) as opened:
        yield opened


def _text_vector(built, text: str) -> np.ndarray:
    return built.clip.encode_texts([text]).numpy()[0]


def _images_where(built, keep) -> np.ndarray:
    """Image ids whose study metadata satisfies ``keep`` (images share their study's body part)."""
    return np.array([i for i, s in zip(built.image_ids, built.image_study) if keep(built.studies[int(s)])], dtype=np.int64)


def _ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


# ------------------------------------------------------------------ ground truth
def test_text_search_equals_brute_force(built, engine):
    for query, hits in zip(QUERIES, engine.search_texts(QUERIES, 10, mode="image")):
        ids, scores = brute_force(_text_vector(built, query), built.image_ids, built.image_vectors, 10)
        assert [h.image_id for h in hits] == ids
        np.testing.assert_allclose([h.score for h in hits], scores, rtol=1e-5, atol=1e-6)
        assert [h.rank for h in hits] == list(range(1, 11))


def test_filtered_search_equals_brute_force_and_returns_k(built, engine):
    where = "body_part IN ('WRIST', 'KNEE') AND age_months < 700"
    allowed = _images_where(built, lambda s: s["body_part"] in ("WRIST", "KNEE") and s["age_months"] < 700)
    assert len(allowed) >= 8
    for query in QUERIES:
        hits = engine.search_text(query, 8, where=where, mode="image")
        ids, scores = brute_force(_text_vector(built, query), built.image_ids, built.image_vectors, 8, allowed)
        assert [h.image_id for h in hits] == ids and len(hits) == 8
        np.testing.assert_allclose([h.score for h in hits], scores, rtol=1e-5, atol=1e-6)
        assert all(h.body_part in ("WRIST", "KNEE") and h.age_months < 700 for h in hits)


def test_a_filter_on_the_worst_images_still_returns_all_of_them(built, engine):
    """Not post-filtering: the allowed images are the query's 7 least similar."""
    query = _text_vector(built, QUERIES[0])
    worst = built.image_ids[np.argsort(built.image_vectors @ query)[:7]]
    hits = engine.search_vectors(query, 7, allowed_ids=worst)[0]
    assert sorted(h.image_id for h in hits) == sorted(worst.tolist())
    assert engine.search_vectors(query, 10, allowed_ids=worst)[0][-1].rank == 7  # fewer matches than k: all of them


def test_where_and_allowed_ids_intersect(built, engine):
    knees = _images_where(built, lambda s: s["body_part"] == "KNEE")
    some = built.image_ids[::2]
    hits = engine.search_text(QUERIES[1], 50, allowed_ids=some, where="body_part = 'KNEE'", mode="image")
    assert sorted(h.image_id for h in hits) == sorted(np.intersect1d(knees, some).tolist())


def test_a_where_matching_nothing_returns_nothing(engine):
    assert engine.search_text(QUERIES[0], 5, where="age_months > 5000") == []
    assert engine.search_text(QUERIES[0], 5, where="age_months > 5000", group_by="study") == []


def _best_studies(built, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, int]]:
    """(study_id, best image id) of the k studies whose best image scores highest."""
    scores = built.image_vectors @ query
    best: dict[int, tuple[float, int]] = {}
    for image_id, study_id, score in zip(built.image_ids, built.image_study, scores):
        if allowed is not None and image_id not in allowed:
            continue
        if int(study_id) not in best or score > best[int(study_id)][0]:
            best[int(study_id)] = (float(score), int(image_id))
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])[:k]
    return [(study_id, image_id) for study_id, (_, image_id) in ranked]


def test_group_by_study_equals_brute_force(built, engine):
    for query in QUERIES:
        hits = engine.search_text(query, 6, group_by="study", mode="image")
        assert all(isinstance(h, StudyHit) for h in hits)
        assert [(h.study_id, h.image_id) for h in hits] == _best_studies(built, _text_vector(built, query), 6)
        counts = {int(s): int((built.image_study == s).sum()) for s in built.study_ids}
        assert all(h.images == counts[h.study_id] for h in hits)


def test_group_by_study_widens_until_k_studies(built, engine, monkeypatch):
    """A study's 4 images fill the first fetch (k × 1 images): the search must widen to find k studies."""
    calls = []
    monkeypatch.setattr(search_module, "GROUP_FETCH_FACTOR", 1)
    monkeypatch.setattr(search_module, "search", lambda *a, **kw: calls.append(a[2]) or search(*a, **kw))
    study = next(int(s) for s in built.study_ids if (built.image_study == s).sum() == 4)
    query = built.image_vectors[built.image_study == study].sum(axis=0)
    query /= np.linalg.norm(query)
    top = built.image_study[np.argsort(-(built.image_vectors @ query))[:4]]
    assert set(top.tolist()) == {study}  # the first fetch of 5 images holds 2 studies only
    hits = engine.search_vectors(query, 5, group_by="study")[0]
    assert [(h.study_id, h.image_id) for h in hits] == _best_studies(built, query, 5)
    assert hits[0].study_id == study and calls[0] == 5 and len(calls) > 1


def test_group_by_study_with_a_filter_stops_when_studies_run_out(built, engine):
    query = _text_vector(built, QUERIES[2])
    allowed = _images_where(built, lambda s: s["body_part"] == "SHOULDER" and s["sex"] == "M")
    hits = engine.search_vectors(query, 100, where="body_part = 'SHOULDER' AND sex = 'M'", group_by="study")[0]
    assert [(h.study_id, h.image_id) for h in hits] == _best_studies(built, query, 100, allowed)
    assert len(hits) == len({int(built.image_study[built.image_ids == i][0]) for i in allowed})


def test_similar_to_a_stored_image_leaves_it_out(built, engine):
    image_id = int(built.image_ids[5])
    query = built.image_vectors[5]
    hits = engine.search_image_id(image_id, 6)
    ids, _ = brute_force(query, built.image_ids, built.image_vectors, 7)
    assert [h.image_id for h in hits] == ids[1:] and image_id not in [h.image_id for h in hits]
    assert engine.search_image_id(image_id, 3, include_self=True)[0].image_id == image_id
    studies = engine.search_image_id(image_id, 4, group_by="study")
    others = built.image_ids[built.image_ids != image_id]
    assert [(h.study_id, h.image_id) for h in studies] == _best_studies(built, query, 4, others)
    filtered = engine.search_image_id(image_id, 4, where="sex = 'F'")
    allowed = _images_where(built, lambda s: s["sex"] == "F")
    assert [h.image_id for h in filtered] == [i for i in brute_force(query, built.image_ids, built.image_vectors, 5, allowed)[0]
                                              if i != image_id][:4]


def test_an_index_that_cannot_return_vectors_embeds_the_cached_pixels(built, engine):
    no_reconstruct = faiss.IndexIDMap(faiss.IndexFlatIP(built.image_vectors.shape[1]))
    no_reconstruct.add_with_ids(built.image_vectors, built.image_ids)
    other = SearchEngine(engine.store, no_reconstruct, engine.manifest, built.clip)
    image_id = int(built.image_ids[3])
    query = built.clip.encode_images(np.array(load_png(built.path / "pixels" / f"{image_id}.png"))[None]).numpy()[0]
    hits = other.search_image_id(image_id, 5, include_self=True)
    assert [h.image_id for h in hits] == brute_force(query, built.image_ids, built.image_vectors, 5)[0]


def test_study_to_study_equals_brute_force_on_study_vectors(built, engine):
    study = int(built.study_ids[4])
    uid = built.studies[study]["study_uid"]
    query = built.study_vectors[4]
    hits = engine.search_study(uid, 5)
    expected = [s for s in brute_force(query, built.study_ids, built.study_vectors, 6)[0] if s != study][:5]
    assert [h.study_id for h in hits] == expected and all(isinstance(h, StudyHit) for h in hits)
    knees = np.array([s for s in built.study_ids if built.studies[int(s)]["body_part"] == "KNEE"])
    filtered = engine.search_study(uid, 3, where="body_part = 'KNEE'")
    assert [h.study_id for h in filtered] == [s for s in brute_force(query, built.study_ids, built.study_vectors, 4, knees)[0]
                                              if s != study][:3]


def test_case_and_accents_do_not_change_a_query(built, engine):
    pairs = [("FRACTURE DE L'ÉPAULE", "fracture de l'epaule"), ("Gonarthrose Fémoro-Tibiale", "gonarthrose femoro-tibiale")]
    for a, b in pairs:
        np.testing.assert_array_equal(built.clip.encode_texts([a]).numpy(), built.clip.encode_texts([b]).numpy())
        assert [h.image_id for h in engine.search_text(a, 5)] == [h.image_id for h in engine.search_text(b, 5)]


# ------------------------------------------------------------------ bad input
def test_unknown_image_id_or_study_is_a_clear_error(engine):
    with pytest.raises(InvalidQuery, match="--image-id 999999: no such image"):
        engine.search_image_id(999999)
    with pytest.raises(InvalidQuery, match="--study 2.25.0: no such study"):
        engine.search_study("2.25.0")
    with pytest.raises(InvalidQuery, match="empty text query"):
        engine.search_text("  ")


def test_an_empty_store_says_to_ingest_first(tmp_path):
    Store.create(tmp_path / "empty").close()
    with pytest.raises(EmptyStore, match="bonesearch ingest"):
        SearchEngine.open(tmp_path / "empty")


def test_an_empty_index_says_to_ingest_and_index(built, tmp_path):
    write_store_rows(tmp_path / "store", studies=2)
    manifest = IndexManifest(name="images", model_fingerprint="x", checkpoint=str(built.checkpoint), dim=64, count=0)
    write_index(tmp_path / "store" / "index", build_flat_index(np.zeros(0, np.int64), np.zeros((0, 64), np.float32)), manifest)
    with pytest.raises(EmptyStore, match="bonesearch index"):
        SearchEngine.open(tmp_path / "store")


def test_an_unindexed_store_says_to_index(built, tmp_path):
    shutil.copytree(built.path, tmp_path / "store", ignore=shutil.ignore_patterns("index"))
    with pytest.raises(IndexNotFound, match="bonesearch index"):
        SearchEngine.open(tmp_path / "store")


# ------------------------------------------------------------------ CLI
def test_cli_query_json_where_and_group_by(built):
    store = str(built.path)
    hits = json.loads(_ok(runner.invoke(app, ["query", "Fracture du Radius", "--store", store, "--k", "4", "--json",
                                               "--where", "body_part = 'WRIST'"])))
    assert len(hits) == 4 and all(h["body_part"] == "WRIST" for h in hits)
    assert set(Hit.__dataclass_fields__) == set(hits[0])
    studies = json.loads(_ok(runner.invoke(app, ["query", "gonarthrose", "--store", store, "--k", "3", "--json",
                                                  "--group-by", "study"])))
    assert len(studies) == 3 and len({s["study_id"] for s in studies}) == 3 and "images" in studies[0]
    table = _ok(runner.invoke(app, ["query", "gonarthrose", "--store", store, "--k", "3", "--group-by", "study"]))
    assert "top 3 studies" in table and "best_image" in table.splitlines()[1].split("\t")


def test_cli_queries_from_a_file_and_a_contact_sheet(built, tmp_path):
    queries = tmp_path / "queries.txt"
    queries.write_text("# radiologie\nfracture du radius distal\n\ngonarthrose\n", encoding="utf-8")
    sheet = tmp_path / "sheet.html"
    invoked = runner.invoke(app, ["query", "--queries", str(queries), "--store", str(built.path), "--k", "3",
                                  "--json", "--html", str(sheet)])
    result = json.loads(_ok(invoked) and invoked.stdout)
    assert "contact sheet" in invoked.stderr
    assert [r["query"] for r in result] == ["fracture du radius distal", "gonarthrose"]
    assert all(len(r["hits"]) == 3 for r in result)
    text = sheet.read_text(encoding="utf-8")
    assert text.count("data:image/png;base64,") == 6 and "gonarthrose" in text


def test_cli_similar_by_file_image_id_and_study(built):
    store = str(built.path)
    image_id = int(built.image_ids[0])
    by_id = json.loads(_ok(runner.invoke(app, ["similar", "--image-id", str(image_id), "--store", store, "--k", "3", "--json"])))
    assert [h["image_id"] for h in by_id] == brute_force(built.image_vectors[0], built.image_ids, built.image_vectors, 4)[0][1:]
    uid = built.studies[int(built.study_ids[0])]["study_uid"]
    by_study = json.loads(_ok(runner.invoke(app, ["similar", "--study", uid, "--store", store, "--k", "2", "--json"])))
    assert len(by_study) == 2 and uid not in [h["study_uid"] for h in by_study]
    picture = built.path / "pixels" / f"{image_id}.png"
    by_file = json.loads(_ok(runner.invoke(app, ["similar", str(picture), "--store", store, "--k", "3", "--json"])))
    query = built.clip.encode_images(np.array(load_png(picture))[None]).numpy()[0]
    assert [h["image_id"] for h in by_file] == brute_force(query, built.image_ids, built.image_vectors, 3)[0]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["query", "fracture", "--where", "age < 3"], "no column 'age'"),
        (["query", "fracture", "--where", "1=1; DELETE FROM images"], "';'"),
        (["similar", "--image-id", "424242"], "no such image"),
        (["similar", "--study", "2.25.0"], "no such study"),
    ],
)
def test_cli_bad_input_is_one_line(built, args, says):
    result = runner.invoke(app, [*args, "--store", str(built.path)])
    assert result.exit_code == 2, result.output
    assert says in result.output and result.output.startswith("error:")


def test_cli_similar_needs_exactly_one_query_and_a_readable_image(built, tmp_path):
    none = runner.invoke(app, ["similar", "--store", str(built.path)])
    both = runner.invoke(app, ["similar", "--image-id", "101", "--study", "2.25.1001", "--store", str(built.path)])
    assert none.exit_code == both.exit_code == 2 and "exactly one of" in none.output
    junk = tmp_path / "scan.png"
    junk.write_bytes(b"not a picture")
    result = runner.invoke(app, ["similar", str(junk), "--store", str(built.path)])
    assert result.exit_code == 2 and "scan.png: not a readable image" in result.output


def test_a_store_without_study_vectors_says_to_rebuild_the_index(built, tmp_path):
    shutil.copytree(built.path, tmp_path / "store", ignore=shutil.ignore_patterns("studies.*"))
    with SearchEngine.open(tmp_path / "store") as opened:
        assert opened.search_text(QUERIES[0], 3)  # image search still works
        with pytest.raises(InvalidQuery, match="no study vectors.*bonesearch index"):
            opened.search_study(built.studies[1]["study_uid"])
