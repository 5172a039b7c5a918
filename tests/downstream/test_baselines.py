"""`eval knn`'s baseline rows: what ignoring the image scores, against hand-computed values, so a
kNN figure can be read against a constant predictor."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bonesearch.downstream.datasets import LabelledSet
from bonesearch.downstream.protocols import BASELINE, EvalConfig, baseline_rows


def _set(labels, sex=None) -> LabelledSet:
    labels = np.asarray(labels)
    return LabelledSet([Path(f"{i}.png") for i in range(len(labels))], labels, [str(i) for i in range(len(labels))],
                       sex, "test")


def test_majority_and_chance_on_imbalanced_grades() -> None:
    train = _set(["0"] * 60 + ["1"] * 30 + ["2"] * 10)
    test = _set(["0"] * 40 + ["1"] * 40 + ["2"] * 20)
    rows = {r.protocol: r for r in baseline_rows(train, test, EvalConfig(fractions=(1.0,), bootstrap=0, ordinal=True))}
    majority, chance = rows["majority-class"], rows["prior-chance"]
    assert majority.encoder == chance.encoder == BASELINE
    assert majority.mean["accuracy"] == pytest.approx(0.40)  # always grade 0: the test's share of grade 0
    assert majority.mean["balanced_accuracy"] == pytest.approx(1 / 3)
    assert majority.mean["cohen_kappa"] == pytest.approx(0.0) and majority.mean["auroc_ovr"] == pytest.approx(0.5)
    # drawn with the training priors 0.6/0.3/0.1: expected accuracy 0.6·0.4 + 0.3·0.4 + 0.1·0.2 = 0.38
    assert abs(chance.mean["accuracy"] - 0.38) < 0.12 and abs(chance.mean["cohen_kappa"]) < 0.2


def test_the_label_fraction_draws_priors_from_the_subset() -> None:
    train = _set(["a"] * 90 + ["b"] * 10)
    rows = baseline_rows(train, _set(["a", "b"] * 10), EvalConfig(fractions=(0.1, 1.0), seeds=3, bootstrap=0))
    small = next(r for r in rows if r.protocol == "majority-class" and r.label_fraction == 0.1)
    assert small.draws == 3 and small.n_train == 10 and small.mean["accuracy"] == pytest.approx(0.5)


def test_regression_predicts_the_training_mean() -> None:
    train = _set(np.array([100.0, 120.0, 140.0]), sex=np.array([True, False, True]))
    test = _set(np.array([110.0, 150.0]))
    [row] = baseline_rows(train, test, EvalConfig(fractions=(1.0,), bootstrap=0))
    assert row.protocol == "train-mean" and row.mean["mae"] == pytest.approx((10 + 30) / 2)

