"""`bonesearch eval similar`: the nearest images of other studies against a brute-force loop, an
encoder that sees findings against one that sees only anatomy, and the query's own study never
counted."""

from __future__ import annotations

import numpy as np
import pytest

from bonesearch.downstream.similar_cases import QUERY_CHUNK, score_similar_cases

PARTS = np.array(["knee", "wrist", "hip", "hand"])
FINDINGS = np.array(["normal", "fracture", "osteosynthesis"])


def _archive(n_studies: int, seed: int = 0):
    """Two images per study; each study one body part and one finding."""
    rng = np.random.default_rng(seed)
    studies = np.repeat(np.arange(n_studies), 2)
    parts = np.repeat(PARTS[rng.integers(0, len(PARTS), n_studies)], 2)
    findings = np.repeat(FINDINGS[rng.integers(0, len(FINDINGS), n_studies)], 2)
    return studies, parts, findings


def _vectors(parts, findings, anatomy: float, finding: float, seed: int = 1, dim: int = 32) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(len(parts), dim)) / np.sqrt(dim)
    for n, (p, f) in enumerate(zip(parts, findings)):
        x[n, list(PARTS).index(p)] += anatomy
        x[n, len(PARTS) + list(FINDINGS).index(f)] += finding
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _brute_force(vectors, studies, parts, findings, queries, k):
    """One query at a time in plain Python: the other studies' rows sorted by score, then row."""
    both, same = [], []
    for q in queries:
        others = [i for i in range(len(vectors)) if studies[i] != studies[q]]
        near = sorted(others, key=lambda i: (-float(vectors[q] @ vectors[i]), i))[:k]
        same.append(np.mean([parts[i] == parts[q] for i in near]))
        both.append(np.mean([parts[i] == parts[q] and findings[i] == findings[q] for i in near]))
    return np.mean(same), np.mean(both)


def test_matches_a_brute_force_loop_across_query_chunks() -> None:
    studies, parts, findings = _archive(200)
    vectors = _vectors(parts, findings, anatomy=0.5, finding=0.3)
    queries = np.random.default_rng(2).choice(len(vectors), QUERY_CHUNK + 40, replace=False)  # two chunks
    result = score_similar_cases(vectors, studies, parts, findings, queries, k=10, resamples=50)
    same, both = _brute_force(vectors, studies, parts, findings, queries, 10)
    assert result.same_part.mean == pytest.approx(same) and result.same_part_and_finding.mean == pytest.approx(both)
    assert result.same_part.n == len(queries) and result.pool == len(vectors)
    assert result.same_part_and_finding.low <= result.same_part_and_finding.mean <= result.same_part_and_finding.high


def test_an_encoder_that_sees_findings_beats_one_that_sees_anatomy_only() -> None:
    studies, parts, findings = _archive(300)
    queries = np.arange(0, len(studies), 3)
    sees = score_similar_cases(_vectors(parts, findings, 1.0, 1.0), studies, parts, findings, queries)
    anatomy = score_similar_cases(_vectors(parts, findings, 1.0, 0.0), studies, parts, findings, queries)
    assert sees.same_part_and_finding.mean > 0.95
    assert anatomy.same_part.mean > 0.95
    # anatomy alone: the finding agrees about as often as chance says
    assert abs(anatomy.same_part_and_finding.mean - anatomy.chance.mean) < 0.08
    assert anatomy.same_part_and_finding.high < sees.same_part_and_finding.low
    assert set(sees.by_finding) == set(findings[queries]) and sees.by_finding["fracture"].mean > 0.95


def test_the_query_study_is_never_its_own_neighbour() -> None:
    """Both images of a study are the same vector: counted, they would make every figure 1."""
    studies, parts, findings = _archive(120)
    rng = np.random.default_rng(5)
    per_study = rng.normal(size=(120, 16)).astype(np.float32)
    vectors = per_study[studies] / np.linalg.norm(per_study[studies], axis=1, keepdims=True)
    result = score_similar_cases(vectors, studies, parts, findings, np.arange(len(studies)), k=1)
    assert result.same_part.mean < 0.5  # random vectors: 1 in 4 body parts


def test_fewer_other_images_than_k_scores_the_ones_there_are() -> None:
    studies = np.array([0, 0, 1, 2])
    parts = np.array(["knee"] * 4)
    findings = np.array(["normal", "normal", "normal", "fracture"])
    vectors = np.eye(4, dtype=np.float32)
    result = score_similar_cases(vectors, studies, parts, findings, np.array([0]), k=10, resamples=10)
    assert result.same_part.mean == 1.0 and result.same_part_and_finding.mean == pytest.approx(0.5)
    assert result.chance.mean == pytest.approx(0.5)
