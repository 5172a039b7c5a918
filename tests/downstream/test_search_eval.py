"""`eval search`'s metrics against hand-computed values, the query-set reader's errors, and the
evaluation of a ranker over a labelled pool (brute-force relevance)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from bonesearch.downstream.search_eval import (LabelledQuery, bootstrap, evaluate_search, ndcg_at, precision_at,
                                               read_queries, recall_at, summarise)
from bonesearch.errors import QuerySetError


def test_metrics_by_hand() -> None:
    ranked = [5, 1, 7, 2, 9, 3]
    relevant = {1, 2, 3, 4}
    assert precision_at(ranked, relevant, 4) == pytest.approx(2 / 4)
    assert precision_at(ranked, {1, 2}, 10) == 1.0  # two relevant, both in the top 10: denominator min(k, R)
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    ideal = sum(1 / math.log2(r + 2) for r in range(4))
    assert ndcg_at(ranked, relevant, 4) == pytest.approx(dcg / ideal)
    assert recall_at(ranked, relevant, 6) == pytest.approx(3 / 4)


def test_bootstrap_interval_holds_the_mean_and_is_seeded() -> None:
    values = np.linspace(0, 1, 41)
    a, b = bootstrap(values), bootstrap(values)
    assert a == b and a.low < a.mean < a.high and a.n == 41
    assert bootstrap([]).n == 0


def _write(tmp_path, lines: list[str]):
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_read_queries_and_its_errors_name_the_line(tmp_path) -> None:
    good = json.dumps({"id": "a", "query": "fracture du poignet", "style": "standard",
                       "relevant": {"body_part": ["wrist"], "finding": "fracture", "laterality": "L"}})
    [query] = read_queries(_write(tmp_path, [good, ""]))
    assert query.relevant["finding"] == frozenset({"fracture"}) and query.style == "standard"
    cases = {
        "{not json": "line 2: not JSON",
        json.dumps({"id": "b", "query": "", "relevant": {}}): "non-empty \"query\"",
        json.dumps({"id": "b", "query": "x", "relevant": {"body_part": "knee"}}): "at least body_part and finding",
        json.dumps({"id": "b", "query": "x", "relevant": {"body_part": "knee", "finding": "normal", "grade": "2"}}):
            "unknown label column",
        json.dumps({"id": "a", "query": "x", "relevant": {"body_part": "knee", "finding": "normal"}}): "used twice",
    }
    for line, message in cases.items():
        with pytest.raises(QuerySetError, match=message):
            read_queries(_write(tmp_path, [good, line]))
    with pytest.raises(QuerySetError, match="no queries"):
        read_queries(_write(tmp_path, ["", " "]))


def _labels(rng: np.random.Generator, n: int) -> dict[int, dict[str, str]]:
    parts, findings = ("wrist", "knee", "hand"), ("fracture", "normal", "osteoarthritis")
    return {1000 + i: {"body_part": parts[rng.integers(3)], "finding": findings[rng.integers(3)],
                       "laterality": "LR"[rng.integers(2)]} for i in range(n)}


def test_evaluation_matches_brute_force_relevance() -> None:
    """A ranker that returns the pool in a seeded random order: every metric recomputed here from
    the labels, the primary grade ignoring laterality, the strict one using it."""
    rng = np.random.default_rng(3)
    pool = _labels(rng, 60)
    queries = [LabelledQuery("q1", "fracture du poignet", "standard",
                             {"body_part": frozenset({"wrist"}), "finding": frozenset({"fracture"}),
                              "laterality": frozenset({"L"})}),
               LabelledQuery("q2", "genou usé", "lay",
                             {"body_part": frozenset({"knee"}), "finding": frozenset({"osteoarthritis"})}),
               LabelledQuery("q3", "rare", "lay",
                             {"body_part": frozenset({"spine"}), "finding": frozenset({"fracture"})})]
    orders = {q.query: [int(i) for i in rng.permutation(sorted(pool))] for q in queries}
    seen_allowed = []

    def ranker(texts, depth, allowed):
        seen_allowed.append(allowed)
        return [orders[t][:depth] for t in texts]

    scores = evaluate_search({"image": ranker}, queries, pool, k=10, depth=30)
    assert np.array_equal(seen_allowed[0], np.array(sorted(pool)))
    by_id = {s.id: s for s in scores}
    assert by_id["q3"].precision is None  # no spine in the pool: left out
    for q in queries[:2]:
        primary = {i for i, lab in pool.items() if lab["body_part"] in q.relevant["body_part"]
                   and lab["finding"] in q.relevant["finding"]}
        strict = {i for i in primary if "laterality" not in q.relevant or pool[i]["laterality"] == "L"}
        ranked = orders[q.query]
        got = by_id[q.id]
        assert got.relevant == len(primary)
        assert got.precision == pytest.approx(sum(i in primary for i in ranked[:10]) / min(10, len(primary)))
        assert got.strict_precision == pytest.approx(sum(i in strict for i in ranked[:10]) / min(10, len(strict)))
        assert got.recall == pytest.approx(sum(i in primary for i in ranked[:30]) / len(primary))
    table = summarise(scores)
    assert table["image"]["all"]["precision"].n == 2
    assert set(table["image"]) == {"all", "standard", "lay"}
