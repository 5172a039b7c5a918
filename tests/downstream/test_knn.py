"""bonesearch.downstream.knn against scikit-learn and brute-force NumPy on seeded random data."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier

from bonesearch.downstream.knn import knn_classify, knn_scores, knn_search
from bonesearch.index.vectors import l2_normalise


def _data(seed: int, n: int = 300, m: int = 80, d: int = 16, classes: int = 4):
    rng = np.random.default_rng(seed)
    train = rng.standard_normal((n, d)).astype(np.float32) * rng.uniform(0.5, 3.0, (n, 1)).astype(np.float32)
    queries = rng.standard_normal((m, d)).astype(np.float32)
    labels = rng.integers(0, classes, n) * 3 + 1  # labels need not be 0..C-1
    return train, labels, queries


def _brute_neighbours(train: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    sims = l2_normalise(queries) @ l2_normalise(train).T
    idx = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(sims, idx, axis=1), idx


@pytest.mark.parametrize("k", [1, 5, 20])
def test_search_matches_brute_force_cosine(k):
    train, _, queries = _data(0)
    sims, idx = knn_search(train, queries, k)
    ref_sims, ref_idx = _brute_neighbours(train, queries, k)
    np.testing.assert_allclose(sims, ref_sims, atol=1e-5)
    assert (idx == ref_idx).mean() > 0.999  # float ties aside, the same neighbours in the same order


@pytest.mark.parametrize("k", [1, 3, 7, 15])
def test_majority_vote_matches_sklearn_without_ties(k):
    # two classes and an odd k: a majority vote can never tie, so sklearn's answer is the only one
    train, labels, queries = _data(1, classes=2)
    ours = knn_classify(train, labels, queries, k=k, vote="majority")
    ref = KNeighborsClassifier(n_neighbors=k, metric="cosine", algorithm="brute").fit(train, labels).predict(queries)
    np.testing.assert_array_equal(ours, ref)


def test_majority_vote_breaks_ties_by_best_ranked_neighbour():
    train, labels, queries = _data(2, classes=4)
    k = 6
    ours = knn_classify(train, labels, queries, k=k, vote="majority")
    _, idx = _brute_neighbours(train, queries, k)
    for q, neighbours in enumerate(idx):
        votes = labels[neighbours]
        values, counts = np.unique(votes, return_counts=True)
        tied = set(values[counts == counts.max()])
        expected = next(v for v in votes if v in tied)  # first neighbour whose class is among the top
        assert ours[q] == expected
    assert any(len(set(np.unique(labels[n], return_counts=True)[1])) < len(np.unique(labels[n])) for n in idx)


def test_weighted_vote_hand_computed():
    # queries along x; training points at known angles from it
    angle = np.deg2rad([0.0, 60.0, 90.0, 180.0])
    train = np.stack([np.cos(angle), np.sin(angle)], axis=1) * np.array([[2.0], [1.0], [5.0], [1.0]])
    labels = np.array([0, 1, 1, 2])
    result = knn_scores(train, labels, np.array([[3.0, 0.0]]), k=3, vote="weighted", temperature=0.5)
    # neighbours: sim 1 (class 0), 0.5 (class 1), 0 (class 1) → class 0: e^2, class 1: e^1 + e^0
    np.testing.assert_allclose(result.scores[0], [np.exp(2.0), np.exp(1.0) + 1.0, 0.0], rtol=1e-6)
    np.testing.assert_array_equal(result.classes, [0, 1, 2])
    assert result.predictions[0] == 0
    # a colder vote lets the single closest neighbour win; a hot one lets the two class-1 votes win
    assert knn_classify(train, labels, np.array([[3.0, 0.0]]), k=3, temperature=10.0)[0] == 1


def test_weighted_vote_matches_brute_force():
    train, labels, queries = _data(3)
    k, temperature = 10, 0.07
    sims, idx = _brute_neighbours(train, queries, k)
    classes = np.unique(labels)
    expected = np.zeros((len(queries), len(classes)))
    for q in range(len(queries)):
        for s, j in zip(sims[q], idx[q]):
            expected[q, np.searchsorted(classes, labels[j])] += np.exp(s / temperature)
    result = knn_scores(train, labels, queries, k=k, temperature=temperature)
    np.testing.assert_allclose(result.scores, expected, rtol=1e-4)
    np.testing.assert_array_equal(result.predictions, classes[expected.argmax(1)])


def test_errors_name_the_fix():
    train, labels, queries = _data(4)
    with pytest.raises(ValueError, match="1 <= k <= 300"):
        knn_classify(train, labels, queries, k=301)
    with pytest.raises(ValueError, match="one label per vector"):
        knn_classify(train, labels[:-1], queries)
    with pytest.raises(ValueError, match="same encoder"):
        knn_classify(train, labels, queries[:, :8])
    with pytest.raises(ValueError, match="weighted, majority"):
        knn_classify(train, labels, queries, vote="mean")
