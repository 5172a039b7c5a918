"""Downstream metrics (scikit-learn) and their bootstrap 95 % confidence intervals.

Classification: accuracy, balanced accuracy, macro F1, AUROC one-vs-rest (macro over the
classes present as both positives and negatives, from per-class scores), Cohen's kappa
and, for ordinal labels (KL grade), quadratic-weighted kappa. Regression: MAE (bone age:
months). :func:`bootstrap_ci` resamples the test items with replacement, seeded.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, cohen_kappa_score, f1_score,
                             mean_absolute_error, roc_auc_score)

__all__ = ["classification_metrics", "regression_metrics", "bootstrap_ci", "auroc_ovr", "CLASSIFICATION_METRICS"]

CLASSIFICATION_METRICS = ("accuracy", "balanced_accuracy", "macro_f1", "auroc_ovr", "cohen_kappa", "qwk")
CI_LEVEL = 0.95


def auroc_ovr(y_true: np.ndarray, scores: np.ndarray) -> float:
    """Macro one-vs-rest AUROC of integer labels ``y_true`` (column indices of ``scores`` [n, C]).

    Classes absent from ``y_true`` (or the only class present) are left out; NaN when no class
    has both positives and negatives. Two classes: the AUROC of column 1.
    """
    y_true = np.asarray(y_true)
    if scores.shape[1] == 2:
        return float(roc_auc_score(y_true == 1, scores[:, 1])) if len(np.unique(y_true)) == 2 else float("nan")
    values = [roc_auc_score(y_true == c, scores[:, c]) for c in range(scores.shape[1])
              if 0 < np.count_nonzero(y_true == c) < len(y_true)]
    return float(np.mean(values)) if values else float("nan")


def classification_metrics(y_true: np.ndarray, y_pred: np.ndarray, scores: np.ndarray | None = None,
                           ordinal: bool = False) -> dict[str, float]:
    """Metrics of integer class indices; ``scores`` [n, C] (columns = class indices) adds AUROC,
    ``ordinal`` adds quadratic-weighted kappa (the indices must follow the grade order)."""
    with warnings.catch_warnings():  # a class predicted but absent from the (resampled) test items is expected
        warnings.filterwarnings("ignore", message="y_pred contains classes not in y_true")
        balanced = float(balanced_accuracy_score(y_true, y_pred))
    out = {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "balanced_accuracy": balanced,
        "macro_f1": float(f1_score(y_true, y_pred, average="macro", zero_division=0)),
        "cohen_kappa": _kappa(y_true, y_pred, None),
    }
    if scores is not None:
        out["auroc_ovr"] = auroc_ovr(y_true, scores)
    if ordinal:
        out["qwk"] = _kappa(y_true, y_pred, "quadratic")
    return out


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """Mean absolute error (in the targets' unit: months for bone age)."""
    return {"mae": float(mean_absolute_error(y_true, y_pred))}


def bootstrap_ci(metric: Callable[[np.ndarray], dict[str, float]], n_items: int, draws: int = 1000,
                 seed: int = 0) -> dict[str, tuple[float, float]]:
    """Percentile 95 % CI of every metric returned by ``metric(index)`` over ``draws`` resamples.

    ``metric`` receives the resampled item indices (with replacement) and returns named
    metrics; NaN draws (e.g. AUROC with one class) are ignored. ``draws=0`` gives no CIs.
    """
    if draws <= 0 or n_items == 0:
        return {}
    rng = np.random.default_rng(seed)
    samples: dict[str, list[float]] = {}
    for _ in range(draws):
        for name, value in metric(rng.integers(0, n_items, n_items)).items():
            samples.setdefault(name, []).append(value)
    alpha = (1.0 - CI_LEVEL) / 2
    out = {}
    for name, values in samples.items():
        v = np.asarray(values, dtype=np.float64)
        v = v[np.isfinite(v)]
        if v.size:
            out[name] = (float(np.quantile(v, alpha)), float(np.quantile(v, 1 - alpha)))
    return out


def _kappa(y_true: np.ndarray, y_pred: np.ndarray, weights: str | None) -> float:
    """Cohen's kappa; 1.0 when both raters give one and the same label (sklearn's 0/0 → NaN)."""
    if len(np.unique(np.concatenate([y_true, y_pred]))) == 1:
        return 1.0
    return float(cohen_kappa_score(y_true, y_pred, weights=weights))
