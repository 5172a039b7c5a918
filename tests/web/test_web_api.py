"""The web API (``bonesearch serve``) with FastAPI's TestClient on the session's demo store:
access rules, request limits and validation, and results that are the search engine's own."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

fastapi = pytest.importorskip("fastapi", reason="the web extra: pip install -e '.[test]' (fastapi, uvicorn)")
from fastapi.testclient import TestClient  # noqa: E402

from bonesearch.errors import ServeConfigError  # noqa: E402
from bonesearch.imaging.query_image import load_query_image  # noqa: E402
from bonesearch.search.engine import SearchEngine  # noqa: E402
from bonesearch.store import Store  # noqa: E402
from bonesearch.web import create_app  # noqa: E402
from bonesearch.web.highlight import query_terms, term_spans  # noqa: E402
from bonesearch.web.schemas import Filters, where_clause  # noqa: E402
from tests.web_store import archive_dicoms, writable_copy  # noqa: E402

LOCAL = "http://127.0.0.1"
TOKEN = "s3cret-token-for-tests-0123456789"


@pytest.fixture(scope="module")
def client(web_store) -> TestClient:
    return TestClient(create_app(web_store), base_url=LOCAL)


@pytest.fixture(scope="module")
def engine(web_store):
    with SearchEngine.open(web_store) as opened:
        yield opened


@pytest.fixture(scope="module")
def facts(web_store) -> dict:
    with Store.open(web_store) as store:
        con = store.con
        return {
            "body_part": con.execute("SELECT body_part FROM images GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0],
            "study_uid": con.execute("SELECT study_uid FROM studies s WHERE (SELECT count(*) FROM images i "
                                     "WHERE i.study_id = s.study_id) > 1 ORDER BY study_id LIMIT 1").fetchone()[0],
            "image": con.execute("SELECT image_id, pixel_path FROM images ORDER BY image_id LIMIT 1").fetchone(),
        }


def _ranked(results: list[dict]) -> list[tuple[int, str, float]]:
    return [(r["image_id"], r["study_uid"], round(r["score"], 4)) for r in results]


def _engine_ranked(hits) -> list[tuple[int, str, float]]:
    return [(h.image_id, h.study_uid, round(h.score, 4)) for h in hits]


# ------------------------------------------------------------------ access
def test_public_bind_needs_a_long_token(web_store, monkeypatch):
    monkeypatch.delenv("BONESEARCH_TOKEN", raising=False)
    with pytest.raises(ServeConfigError, match="--token"):
        create_app(web_store, host="0.0.0.0")
    with pytest.raises(ServeConfigError, match="at least 16"):
        create_app(web_store, host="10.1.2.3", token="short")


def test_missing_or_wrong_token_is_401_on_every_api_call(web_store, facts):
    api = TestClient(create_app(web_store, host="0.0.0.0", token=TOKEN), base_url="http://bonesearch.example:8000")
    calls = [("get", "/api/info", None), ("post", "/api/search", {"query": "fracture"}),
             ("get", f"/api/studies/{facts['study_uid']}", None), ("post", f"/api/studies/{facts['study_uid']}/similar", {}),
             ("get", f"/api/images/{facts['image'][0]}/thumbnail", None), ("get", "/api/openapi.json", None)]
    for method, path, body in calls:
        for headers in ({}, {"Authorization": "Bearer wrong-token-wrong-token"}, {"Authorization": TOKEN}):
            response = getattr(api, method)(path, headers=headers, **({"json": body} if body is not None else {}))
            assert response.status_code == 401, (method, path, headers)
            assert "jeton" in response.json()["detail"]
        ok = getattr(api, method)(path, headers={"Authorization": f"Bearer {TOKEN}"},
                                  **({"json": body} if body is not None else {}))
        assert ok.status_code == 200, (method, path, ok.text)
    upload = api.post("/api/search/image", content=b"not an image")
    assert upload.status_code == 401  # refused before the body is looked at
    assert api.get("/").status_code == 200  # the page itself holds no data


def test_session_cookie_from_the_token(web_store):
    api = TestClient(create_app(web_store, host="0.0.0.0", token=TOKEN), base_url="http://bonesearch.example")
    assert api.post("/api/session", json={"token": "wrong-token-wrong-token"}).status_code == 401
    assert api.get("/api/info").status_code == 401
    opened = api.post("/api/session", json={"token": TOKEN})
    assert opened.status_code == 204
    assert TOKEN not in opened.headers["set-cookie"] and "httponly" in opened.headers["set-cookie"].lower()
    assert api.get("/api/info").status_code == 200
    api.delete("/api/session")
    api.cookies.clear()
    assert api.get("/api/info").status_code == 401


def test_loopback_without_token_refuses_foreign_host_headers(client):
    assert client.get("/api/info").status_code == 200
    rebound = client.get("/api/info", headers={"Host": "attacker.example"})
    assert rebound.status_code == 400


def test_api_is_read_only(client):
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)("/api/search").status_code == 405
    assert client.delete("/api/images/1/thumbnail").status_code == 405


def test_security_headers(client):
    response = client.get("/api/info")
    assert response.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page = client.get("/")
    assert page.status_code == 200 and "https://" not in page.text  # nothing from a CDN
    for asset in ("/static/app.js", "/static/style.css"):
        text = client.get(asset).text
        assert "http://" not in text and "https://" not in text


# ------------------------------------------------------------------ limits and validation
def test_oversized_upload_is_413(web_store):
    small = TestClient(create_app(web_store, upload_max_bytes=50_000), base_url=LOCAL)
    declared = small.post("/api/search/image", content=b"\0" * 60_000)
    assert declared.status_code == 413 and "trop volumineuse" in declared.json()["detail"]
    streamed = small.post("/api/search/image", content=iter([b"\0" * 20_000] * 4))  # no Content-Length
    assert streamed.status_code == 413
    big_json = small.post("/api/search", content=b'{"query": "' + b"a" * 70_000 + b'"}',
                          headers={"content-type": "application/json"})
    assert big_json.status_code == 413


def test_non_image_upload_is_415_with_a_clear_message(client):
    for data in (b"%PDF-1.4 not a radiograph", b"\0" * 200 + b"DICM", "Jean Dupont, né le 01/02/1950".encode()):
        response = client.post("/api/search/image", content=data)
        assert response.status_code == 415
        detail = response.json()["detail"]
        assert "PNG, JPEG ou DICOM" in detail and "Dupont" not in detail
    assert client.post("/api/search/image", content=b"").status_code == 400


@pytest.mark.parametrize(("body", "field"), [
    ({"query": "fracture", "filters": {"age_min": "abc"}}, "filters.age_min"),
    ({"query": "fracture", "filters": {"date_from": "2020-13-45"}}, "filters.date_from"),
    ({"query": "fracture", "filters": {"laterality": "X"}}, "filters.laterality"),
    ({"query": "fracture", "filters": {"body_part": "WRIST' OR 1=1"}}, "filters.body_part"),
    ({"query": "fracture", "filters": {"colour": "blue"}}, "filters.colour"),
    ({"query": "fracture", "filters": {"age_min": 60, "age_max": 20}}, "age_min"),
    ({"query": "fracture", "page": 0}, "page"),
    ({"query": "   "}, "query"),
    ({"query": "fracture", "group_by": "patient"}, "group_by"),
])
def test_malformed_filter_is_422_naming_the_field(client, body, field):
    response = client.post("/api/search", json=body)
    assert response.status_code == 422
    assert field in response.json()["detail"]


def test_malformed_image_search_parameter_is_422(client, facts, web_store):
    png = (web_store / facts["image"][1]).read_bytes()
    response = client.post("/api/search/image?age_max=old", content=png)
    assert response.status_code == 422 and "age_max" in response.json()["detail"]
    too_deep = client.post("/api/search/image?page=50&per_page=100", content=png)
    assert too_deep.status_code == 422 and "page" in too_deep.json()["detail"]
    assert client.get("/api/studies/not-a-uid").status_code == 422


# ------------------------------------------------------------------ results are the engine's
def test_text_search_equals_the_engine(client, engine, facts):
    filters = {"body_part": facts["body_part"], "age_min": 1, "age_max": 95}
    where = where_clause(Filters(**filters))
    for group_by in ("image", "study"):
        page = client.post("/api/search", json={"query": "fracture du radius distal", "filters": filters,
                                                "per_page": 5, "group_by": group_by}).json()
        hits = engine.search_text("fracture du radius distal", 6, where=where, group_by=group_by)
        assert page["kind"] == ("images" if group_by == "image" else "studies")
        assert _ranked(page["results"]) == _engine_ranked(hits[:5])
        assert page["has_more"] == (len(hits) > 5)
    second = client.post("/api/search", json={"query": "arthrose", "page": 2, "per_page": 4}).json()
    assert _ranked(second["results"]) == _engine_ranked(engine.search_text("arthrose", 9)[4:8])


def test_search_modes_and_why_each_hit_is_there(client, engine):
    """The page's switch: hybrid (the default on a store with reports) says which signals ranked
    each hit; image is the image index alone; an unknown mode is a 422, not a 500."""
    for mode in ("hybrid", "image", "report"):
        page = client.post("/api/search", json={"query": "fracture du radius distal", "per_page": 4,
                                                "mode": mode}).json()
        assert _ranked(page["results"]) == _engine_ranked(
            engine.search_text("fracture du radius distal", 5, mode=mode)[:4])
        signals = [r["signals"] for r in page["results"]]
        assert all(signals) if mode != "image" else not any(signals)
    default = client.post("/api/search", json={"query": "arthrose", "per_page": 3}).json()
    assert all(r["signals"] for r in default["results"])
    assert client.post("/api/search", json={"query": "arthrose", "mode": "words"}).status_code == 422


def test_filters_become_the_engines_where(client, facts):
    assert where_clause(Filters()) is None
    clause = where_clause(Filters(body_part="WRIST", laterality="L", sex="F", age_min=18, age_max=40,
                                  date_from="2019-01-01", date_to="2020-12-31"))
    assert clause == ("body_part = 'WRIST' AND laterality = 'L' AND sex = 'F' AND age_months >= 216 AND "
                      "age_months < 492 AND study_date >= DATE '2019-01-01' AND study_date <= DATE '2020-12-31'")
    results = client.post("/api/search", json={"query": "fracture", "per_page": 50,
                                               "filters": {"body_part": facts["body_part"]}}).json()["results"]
    assert results and {r["body_part"] for r in results} == {facts["body_part"]}
    nothing = client.post("/api/search", json={"query": "fracture", "filters": {"body_part": "NO_SUCH_PART"}}).json()
    assert nothing["results"] == [] and not nothing["has_more"]


def test_excerpt_marks_are_the_query_terms(client):
    results = client.post("/api/search", json={"query": "FRACTURE du genou", "per_page": 50}).json()["results"]
    marked = [(r["excerpt"], r["marks"]) for r in results if r["marks"]]
    assert marked, "some excerpt of the demo store mentions a fracture or a knee"
    for excerpt, marks in marked:
        assert all(excerpt[a:b].lower() in ("fracture", "genou") for a, b in marks)


def test_highlight_ignores_case_accents_and_function_words():
    text = "Fracture du Scaphoïde; gonarthrose. Pas de fracture du col."
    assert [text[a:b] for a, b in term_spans(text, "fracture du scaphoide, arthrose")] == \
        ["Fracture", "Scaphoïde", "arthrose", "fracture"]
    assert query_terms("de la du genou") == ["genou"]
    assert term_spans("col du fémur", "col") == [(0, 3)] and term_spans("protocole", "col") == []


def test_image_upload_search_equals_the_engine(client, engine, facts, web_store, pretrain_store):
    png = (web_store / facts["image"][1]).read_bytes()
    dicom = archive_dicoms(pretrain_store)[0].read_bytes()
    for data in (png, dicom):
        page = client.post("/api/search/image?per_page=5", content=data,
                           headers={"content-type": "application/octet-stream"}).json()
        hits = engine.search_image(load_query_image(data, "upload"), 6)
        assert _ranked(page["results"]) == _engine_ranked(hits[:5])
    filtered = client.post(f"/api/search/image?body_part={facts['body_part']}&group_by=study", content=png).json()
    assert filtered["kind"] == "studies" and {r["body_part"] for r in filtered["results"]} == {facts["body_part"]}


def test_thumbnail_is_the_cached_picture(client, facts, web_store):
    image_id, relative = facts["image"]
    response = client.get(f"/api/images/{image_id}/thumbnail")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content == (web_store / relative).read_bytes()
    assert client.get("/api/images/987654321/thumbnail").status_code == 404


def test_study_endpoint(client, facts, web_store):
    response = client.get(f"/api/studies/{facts['study_uid']}")
    assert response.status_code == 200
    study = response.json()
    with Store.open(web_store) as store:
        images = [r[0] for r in store.con.execute(
            "SELECT image_id FROM images JOIN studies USING (study_id) WHERE study_uid = ? ORDER BY image_id",
            [facts["study_uid"]]).fetchall()]
        texts = [r[0] for r in store.con.execute(
            "SELECT text FROM reports JOIN studies USING (study_id) WHERE study_uid = ? ORDER BY report_id",
            [facts["study_uid"]]).fetchall()]
    assert [i["image_id"] for i in study["images"]] == images and len(images) > 1
    assert [r["text"] for r in study["reports"]] == texts
    assert "PAT-" not in response.text and "patient_pseudo" not in response.text
    assert client.get("/api/studies/2.25.1").status_code == 404


def test_similar_cases_equal_the_engine(client, engine, facts):
    page = client.post(f"/api/studies/{facts['study_uid']}/similar", json={"per_page": 4}).json()
    hits = engine.search_study(facts["study_uid"], 5)
    assert page["kind"] == "studies"
    assert _ranked(page["results"]) == _engine_ranked(hits[:4])
    assert facts["study_uid"] not in {r["study_uid"] for r in page["results"]}
    assert client.post("/api/studies/2.25.1/similar", json={}).status_code == 404


def test_info_lists_the_filter_values(client, web_store):
    info = client.get("/api/info").json()
    with Store.open(web_store) as store:
        assert info["images"] == store.count("images") and info["studies"] == store.count("studies")
    assert info["facets"]["body_parts"] and set(info["facets"]["sex"]) <= {"F", "M", "O"}
    assert info["study_similarity"] and info["examples"]
    schema = client.get("/api/openapi.json").json()
    assert {"/api/search", "/api/search/image", "/api/studies/{study_uid}/similar"} <= set(schema["paths"])


# ------------------------------------------------------------------ logs and erasure
def test_logs_hold_route_templates_only(client, facts, caplog):
    with caplog.at_level(logging.INFO, logger="bonesearch.web"):
        client.post("/api/search", json={"query": "Dupont Jeanne fracture", "filters": {"sex": "F"}})
        client.get(f"/api/studies/{facts['study_uid']}")
    assert "POST /api/search 200" in caplog.text and "GET /api/studies/{study_uid} 200" in caplog.text
    assert "Dupont" not in caplog.text and facts["study_uid"] not in caplog.text


def test_server_follows_forget_without_blocking_it(web_store, tmp_path):
    from indexer.forget import JOURNAL, forget
    from bonesearch.web.live import FORGET_JOURNAL

    assert FORGET_JOURNAL == JOURNAL
    store = writable_copy(web_store, tmp_path / "store")
    api = TestClient(create_app(store), base_url=LOCAL)
    with Store.open(store) as s:
        uid, image_id = s.con.execute("SELECT study_uid, min(image_id) FROM studies JOIN images USING (study_id) "
                                      "GROUP BY study_uid ORDER BY study_uid LIMIT 1").fetchone()
    assert api.get(f"/api/studies/{uid}").status_code == 200
    forget(store, study=uid)  # the running app holds no lock on meta.duckdb
    assert api.get(f"/api/studies/{uid}").status_code == 404
    assert api.get(f"/api/images/{image_id}/thumbnail").status_code == 404
    everything = api.post("/api/search", json={"query": "radiographie", "per_page": 100}).json()["results"]
    assert uid not in {r["study_uid"] for r in everything} and everything
    (store / JOURNAL).write_text(json.dumps({}))  # an erasure under way: nothing is served meanwhile
    assert api.get("/api/info").status_code == 503
    (store / JOURNAL).unlink()
    assert api.get("/api/info").status_code == 200


def test_cli_serve_refuses_a_public_host_without_token(web_store, monkeypatch):
    from typer.testing import CliRunner

    from cli import app

    monkeypatch.delenv("BONESEARCH_TOKEN", raising=False)
    result = CliRunner().invoke(app, ["serve", "--store", str(web_store), "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "--token" in result.output


def test_scores_are_cosines(client):
    results = client.post("/api/search", json={"query": "fracture", "per_page": 10}).json()["results"]
    scores = np.array([r["score"] for r in results])
    assert np.all(np.diff(scores) <= 1e-6) and np.all(np.abs(scores) <= 1.0001)
