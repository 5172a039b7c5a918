"""Hybrid text search over a small store: fusion of the image index, the report vectors and the
report words; reports that deny the finding asked for come last; studies without a report stay
findable through their images; modes, filters, grouping and hostile queries."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from bonesearch.errors import InvalidQuery
from bonesearch.index.files import IndexManifest, build_flat_index, write_index
from bonesearch.search.engine import SearchEngine
from bonesearch.search.fusion import DEFAULT_WEIGHTS
from bonesearch.store import Store
from cli import app
from indexer.lexical_build import sync_lexical_index
from tests.search_store import brute_force, build_search_store

AFFIRMED = "Radiographies du poignet. Fracture du radius distal déplacée."
DENIED = "Radiographies du poignet. Pas de fracture. Poignet normal."
QUERY = "fracture du radius distal"


@pytest.fixture(scope="module")
def hybrid_store(tmp_path_factory):
    """The search store with wrist reports that alternately affirm and deny a fracture, no report
    for the three studies holding the query's best images, a report index and a lexical index."""
    built = build_search_store(tmp_path_factory.mktemp("hybrid"), studies=32)
    query = built.clip.encode_texts([QUERY]).numpy()[0]
    best_images, _ = brute_force(query, built.image_ids, built.image_vectors, 3)
    study_of = dict(zip(built.image_ids.tolist(), built.image_study.tolist()))
    unreported = sorted({study_of[i] for i in best_images})
    wrists = [s for s, m in built.studies.items() if m["body_part"] == "WRIST" and s not in unreported]
    with Store.open(built.path, read_only=False) as store:
        store.con.execute("DELETE FROM sealed_reports WHERE study_id IN (SELECT unnest(?::INTEGER[]))", [unreported])
        for n, study in enumerate(wrists):
            text = AFFIRMED if n % 2 == 0 else DENIED
            store.con.execute("UPDATE sealed_reports SET text = bonesearch_seal(report_id, ?), "
                              "conclusion = bonesearch_seal(report_id, ?) WHERE study_id = ?", [text, text, study])
        rows = store.con.execute("SELECT report_id, text FROM reports ORDER BY report_id").fetchall()
        vectors = built.clip.encode_texts([t for _, t in rows]).numpy().astype(np.float32)
        ids = np.array([r for r, _ in rows], dtype=np.int64)
        manifest = IndexManifest(name="reports", model_fingerprint=built.clip.fingerprint(),
                                 checkpoint=str(built.checkpoint), dim=int(vectors.shape[1]), count=len(ids))
        write_index(built.path / "index", build_flat_index(ids, vectors), manifest)
        sync_lexical_index(store.con, built.path / "index", rebuild=True)
    built.unreported = unreported
    built.affirmed = set(wrists[0::2])
    built.denied = set(wrists[1::2])
    return built


@pytest.fixture(scope="module")
def engine(hybrid_store):
    with SearchEngine.open(hybrid_store.path) as opened:
        yield opened


def test_hybrid_is_the_default_with_reports(engine) -> None:
    assert engine.default_mode == "hybrid"
    hits = engine.search_text(QUERY, 5)
    assert hits and all(h.signals for h in hits)


def test_image_mode_is_the_image_index_alone(hybrid_store, engine) -> None:
    query = hybrid_store.clip.encode_texts([QUERY]).numpy()[0]
    ids, _ = brute_force(query, hybrid_store.image_ids, hybrid_store.image_vectors, 10)
    assert [h.image_id for h in engine.search_text(QUERY, 10, mode="image")] == ids


def test_affirmed_fractures_come_first_and_denials_last(hybrid_store, engine) -> None:
    total = len(hybrid_store.image_ids)
    for mode in ("hybrid", "report"):
        hits = engine.search_text(QUERY, total, mode=mode)
        studies = [h.study_id for h in hits]
        affirmed = [r for r, s in enumerate(studies) if s in hybrid_store.affirmed]
        denied = [r for r, s in enumerate(studies) if s in hybrid_store.denied]
        assert affirmed and denied, mode
        assert max(affirmed) < min(denied), (mode, affirmed, denied)
        assert all("lexical" in hits[r].signals for r in affirmed)
        assert all("lexical" not in hits[r].signals for r in denied)


def test_a_negated_query_prefers_the_denials(hybrid_store, engine) -> None:
    hits = engine.search_text("pas de fracture du poignet", 6, mode="report")
    assert hits and {h.study_id for h in hits[:2]} <= hybrid_store.denied
    assert not {h.study_id for h in hits} & hybrid_store.affirmed


def test_studies_without_a_report_are_not_buried(hybrid_store, engine) -> None:
    """The query's three best images belong to studies without a report: they keep their image rank's
    share of the fusion and stay in the first results, above reported studies that match nothing."""
    hits = engine.search_text(QUERY, 12)
    found = {h.study_id for h in hits}
    assert set(hybrid_store.unreported) <= found, (hybrid_store.unreported, [h.signals for h in hits])
    assert engine.search_text(QUERY, len(hybrid_store.image_ids), mode="report")  # report mode: reported ones only
    assert not {h.study_id for h in engine.search_text(QUERY, 50, mode="report")} & set(hybrid_store.unreported)


def test_filters_and_grouping_hold_in_hybrid(hybrid_store, engine) -> None:
    hits = engine.search_text(QUERY, 8, where="body_part = 'KNEE'")
    assert hits and all(h.body_part == "KNEE" for h in hits)
    studies = engine.search_text(QUERY, 6, group_by="study")
    assert len({s.study_id for s in studies}) == len(studies) == 6
    assert engine.search_text(QUERY, 5, allowed_ids=np.array([], dtype=np.int64)) == []


@pytest.mark.parametrize("query", ["de la du le", "x" * 10_000, '"fracture" AND radius:* OR (+-)', "🦴 fracture 🦴",
                                   "fracture\x00\x1b[2J du radius", "pas de", "?"])
def test_hostile_queries_give_results_not_tracebacks(engine, query) -> None:
    for mode in ("hybrid", "report", "image"):
        hits = engine.search_text(query, 5, mode=mode)
        assert isinstance(hits, list)


def test_empty_query_and_unknown_mode_are_refused(engine) -> None:
    with pytest.raises(InvalidQuery, match="empty"):
        engine.search_text("   ", 5)
    with pytest.raises(InvalidQuery, match="--mode"):
        engine.search_text(QUERY, 5, mode="words")


def test_cli_mode_and_json_say_why(hybrid_store) -> None:
    result = CliRunner().invoke(app, ["query", "--store", str(hybrid_store.path), QUERY, "-k", "3", "--json",
                                      "--mode", "report"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    # never the image index in report mode; the header's body part (« radius distal » names the wrist) may lift
    assert hits and all(set(h["signals"]) <= {"report", "lexical", "anatomy"} and set(h["signals"]) & {"report", "lexical"}
                        for h in hits)
    table = CliRunner().invoke(app, ["query", "--store", str(hybrid_store.path), QUERY, "-k", "3"])
    assert table.exit_code == 0 and "why" in table.output
    bad = CliRunner().invoke(app, ["query", "--store", str(hybrid_store.path), QUERY, "--mode", "words"])
    assert bad.exit_code == 2 and "hybrid" in bad.output


def test_a_named_body_part_lifts_its_images(hybrid_store, engine) -> None:
    """« genou »: no report of this store says it (they say « gonarthrose »); the knee images, by their
    header body part, are lifted above where the other signals alone put them."""
    def knees_in_top(weight: float) -> int:
        engine.fusion_weights = {**DEFAULT_WEIGHTS, "anatomy": weight}
        try:
            hits = engine.search_text("radiographie du genou", 8)
        finally:
            engine.fusion_weights = dict(DEFAULT_WEIGHTS)
        assert all(h.signals.get("anatomy") == 1 for h in hits if h.body_part == "KNEE")
        assert not any("anatomy" in h.signals for h in hits if h.body_part != "KNEE")
        return sum(h.body_part == "KNEE" for h in hits)

    assert knees_in_top(DEFAULT_WEIGHTS["anatomy"]) > knees_in_top(0.0)


def test_the_in_memory_image_table_answers_as_duckdb(hybrid_store) -> None:
    """Image → study, study → images and header body part, from the in-memory table, against SQL."""
    from bonesearch.search.image_table import ImageTable
    from bonesearch.store import Store

    with Store.open(hybrid_store.path) as store:
        table = ImageTable.read(store.con)
        rows = store.con.execute("SELECT image_id, study_id, upper(body_part) FROM images").fetchall()
        headers = {i: (s, p or "", l or "", v or "") for i, s, p, l, v in store.con.execute(
            "SELECT image_id, study_id, body_part, laterality, view FROM images").fetchall()}
    assert len(table) == len(rows)
    ids = [i for i, _, _ in rows][::3] + [10**9]  # an id the store does not hold is left out
    assert table.study_of(ids) == {i: s for i, s, _ in rows if i in set(ids)}
    studies = {s for _, s, _ in rows[::4]}
    expected = sorted(((s, i) for i, s, _ in rows if s in studies))
    assert table.images_of(studies) == [(i, s) for s, i in expected], "by study, then image"
    part = rows[0][2]
    assert table.with_body_part(ids, [part.lower()]) == {i for i, _, p in rows if i in set(ids) and p == part}
    assert table.images_of([]) == [] and table.with_body_part(ids, ["NOWHERE"]) == set()
    assert table.columns(ids) == {i: headers[i] for i in ids if i in headers}  # what each hit shows


def test_demotion_checks_only_what_the_first_hits_need() -> None:
    """Contradicting studies go last and finding-affirming ones before them, checked window by window
    until k clear hits are known; the result's first k equal a check of everything."""
    from bonesearch.search import engine as engine_module
    from bonesearch.search.fusion import FusedImage

    fused = [FusedImage(image_id=i, score=1.0 / i) for i in range(1, 301)]
    study_of = {i: (i + 1) // 2 for i in range(1, 301)}  # two images per study
    contradicting = {s for s in range(1, 151) if s % 3 == 0}
    with_findings = {s for s in range(1, 151) if s % 5 == 0}
    asked = []

    def demote(studies):
        asked.append(len(studies))
        return studies & contradicting, studies & with_findings

    for k, by_study in ((10, False), (10, True), (200, False)):
        asked.clear()
        got = engine_module._demoted(fused, study_of, k, by_study, demote)
        everything = sorted(fused, key=lambda f: (study_of[f.image_id] in contradicting,
                                                  study_of[f.image_id] in with_findings))
        assert [f.image_id for f in got][:k] == [f.image_id for f in everything][:k]
        assert sorted(f.image_id for f in got) == list(range(1, 301))  # nothing lost or repeated
        assert (sum(asked) < 150) == (k == 10)  # a first page needs only the first window(s)


def test_a_query_for_normal_studies_puts_reports_with_findings_after(hybrid_store, engine) -> None:
    """« poignet sans luxation » denies a finding no report affirms: nothing contradicts it, but the
    reports that affirm a fracture come after those that affirm no finding."""
    hits = engine.search_text("poignet sans luxation", 60)
    studies = [h.study_id for h in hits if h.study_id in hybrid_store.affirmed | hybrid_store.denied]
    assert set(studies) == hybrid_store.affirmed | hybrid_store.denied, (studies, len(hits))
    first_affirmed = next(n for n, s in enumerate(studies) if s in hybrid_store.affirmed)
    assert studies[:first_affirmed] and all(s in hybrid_store.affirmed for s in studies[first_affirmed:])
    signals = engine._signals()
    assert signals.with_findings("poignet sans luxation", hybrid_store.affirmed | hybrid_store.denied) == \
        hybrid_store.affirmed
    assert not signals.with_findings("fracture du poignet", hybrid_store.affirmed)  # it asks for a finding
