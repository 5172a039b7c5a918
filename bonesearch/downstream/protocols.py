"""Evaluation protocols over frozen embeddings: kNN (classification and regression) and a linear probe.

Classification
    DINO-style weighted kNN (cosine, ``exp(sim / 0.07)`` per neighbour) and a majority vote,
    at k ∈ {10, 20, 50, 100} (each capped by the number of labelled training items), with
    :mod:`bonesearch.downstream.knn`.
Regression (bone age)
    kNN mean weighted like the vote: ``Σ w_j y_j / Σ w_j`` with ``w_j = exp(sim_j / 0.07)``;
    and a sex-conditioned variant whose neighbours are the training items of the query's sex
    (all training items when none has it).
Label efficiency
    every protocol with 1 %, 10 % and 100 % of the training labels (at least one item per
    class — or per sex for regression — stratified), ``seeds`` draws of each subset below
    100 % (one at 100 %: nothing is random there), reported as mean ± std over the draws.
Linear probe
    standardised features, then scikit-learn ``LogisticRegression`` or ``Ridge``.

Bootstrap 95 % CIs (resampled test items) are computed at 100 % labels for the headline
kNN rows (``headline_k``) and the probe (classification), and for every regression row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from bonesearch.downstream.datasets import LabelledSet, class_sort_key
from bonesearch.downstream.metrics import bootstrap_ci, classification_metrics, regression_metrics
from bonesearch.downstream.knn import DINO_TEMPERATURE, knn_scores, knn_search

__all__ = ["EvalConfig", "Row", "evaluate", "capped_ks", "label_subset", "knn_regress", "encode_classes",
           "KS", "FRACTIONS"]

KS = (10, 20, 50, 100)
FRACTIONS = (0.01, 0.1, 1.0)


@dataclass
class EvalConfig:
    """What :func:`evaluate` runs."""

    ks: tuple[int, ...] = KS  # neighbours (each capped by the labelled training items)
    fractions: tuple[float, ...] = FRACTIONS  # shares of the training labels used
    seeds: int = 3  # draws of each label subset below 100 %
    temperature: float = DINO_TEMPERATURE  # of the weighted vote / weighted mean
    headline_k: int = 20  # the kNN rows that get bootstrap CIs (classification)
    bootstrap: int = 1000  # resamples of the test items per CI (0: no CIs)
    probe: bool = True  # also run the linear probe
    ordinal: bool = False  # labels are ordered grades: add quadratic-weighted kappa
    zero_shot: bool = True  # classification: add zero-shot rows for encoders with a text tower


@dataclass
class Row:
    """One protocol at one k and one label fraction: metrics as mean and std over the label draws."""

    encoder: str
    protocol: str  # knn-weighted | knn-majority | knn-mean | knn-mean-same-sex | linear-probe | baselines
    k: int | None  # neighbours asked for (None for the probe)
    label_fraction: float
    n_train: int  # labelled training items used in each draw
    draws: int
    mean: dict[str, float]
    std: dict[str, float]
    ci: dict[str, tuple[float, float]] = field(default_factory=dict)

    def to_json(self) -> dict:
        """A JSON-ready dict: ``metrics[name] = {mean, std[, ci95]}``."""
        metrics = {}
        for name, value in self.mean.items():
            entry = {"mean": _finite(value), "std": _finite(self.std[name])}
            if name in self.ci:
                entry["ci95"] = list(self.ci[name])
            metrics[name] = entry
        return {"encoder": self.encoder, "protocol": self.protocol, "k": self.k, "label_fraction": self.label_fraction,
                "n_train": self.n_train, "draws": self.draws, "metrics": metrics}


def capped_ks(ks: tuple[int, ...], n_train: int) -> list[int]:
    """The distinct values of ``min(k, n_train)``, sorted."""
    return sorted({min(int(k), n_train) for k in ks if k >= 1})


def encode_classes(train: np.ndarray, test: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(class names in grade/name order, train indices, test indices) over the union of both label sets."""
    names = sorted({str(v) for v in train} | {str(v) for v in test}, key=class_sort_key)
    position = {name: i for i, name in enumerate(names)}
    return names, np.array([position[str(v)] for v in train]), np.array([position[str(v)] for v in test])


def label_subset(strata: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Sorted indices of ``fraction`` of the items, stratified by ``strata`` (at least one item per stratum)."""
    if fraction >= 1.0:
        return np.arange(len(strata))
    rng = np.random.default_rng(seed)
    chosen = []
    for value in np.unique(strata):
        members = np.flatnonzero(strata == value)
        chosen.append(rng.choice(members, size=max(1, round(fraction * len(members))), replace=False))
    return np.sort(np.concatenate(chosen))


def knn_regress(train: np.ndarray, targets: np.ndarray, queries: np.ndarray, k: int,
                temperature: float = DINO_TEMPERATURE) -> np.ndarray:
    """Weighted mean target of each query's ``k`` nearest training vectors (weights ``exp(sim / temperature)``)."""
    sims, idx = knn_search(train, queries, min(k, len(train)))
    weights = np.exp((sims.astype(np.float64) - sims[:, :1]) / temperature)  # shifted: same ratios, no overflow
    return (weights * np.asarray(targets, dtype=np.float64)[idx]).sum(axis=1) / weights.sum(axis=1)


def knn_regress_same_sex(train: np.ndarray, targets: np.ndarray, train_sex: np.ndarray, queries: np.ndarray,
                         query_sex: np.ndarray, k: int, temperature: float = DINO_TEMPERATURE) -> np.ndarray:
    """:func:`knn_regress` with each query's neighbours drawn from training items of its sex
    (from all training items when there are none of that sex)."""
    out = np.empty(len(queries), dtype=np.float64)
    for sex in np.unique(query_sex):
        q = query_sex == sex
        pool = train_sex == sex
        if not pool.any():
            pool = np.ones(len(train), dtype=bool)
        out[q] = knn_regress(train[pool], targets[pool], queries[q], k, temperature)
    return out


def evaluate(train_x: np.ndarray, train: LabelledSet, test_x: np.ndarray, test: LabelledSet, config: EvalConfig,
             encoder: str) -> list[Row]:
    """Every protocol of ``config`` on one encoder's embeddings; classification or regression by the labels."""
    if train.is_regression:
        return _evaluate_regression(train_x, train, test_x, test, config, encoder)
    return _evaluate_classification(train_x, train, test_x, test, config, encoder)


# ------------------------------------------------------------------------------- classification
def _evaluate_classification(train_x, train: LabelledSet, test_x, test: LabelledSet, config: EvalConfig,
                             encoder: str) -> list[Row]:
    names, y_train, y_test = encode_classes(train.labels, test.labels)
    n_classes = len(names)

    def knn(vote: str, k: int):
        def predict(sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            result = knn_scores(train_x[sub], y_train[sub], test_x, min(k, len(sub)), vote, config.temperature)
            scores = np.zeros((len(test_x), n_classes))
            scores[:, result.classes] = result.scores
            return result.predictions, scores
        return predict

    def probe(sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        present = np.unique(y_train[sub])
        scores = np.zeros((len(test_x), n_classes))
        if len(present) == 1:  # one class seen: nothing to fit
            scores[:, present[0]] = 1.0
            return np.full(len(test_x), present[0]), scores
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        model.fit(train_x[sub], y_train[sub])
        scores[:, model.classes_] = model.predict_proba(test_x)
        return model.predict(test_x), scores

    measure = _classification_measure(y_test, config.ordinal)
    protocols = [(f"knn-{vote}", k, knn(vote, k)) for vote in ("weighted", "majority")
                 for k in capped_ks(config.ks, len(train_x))]
    if config.probe:
        protocols.append(("linear-probe", None, probe))
    headline = min(config.headline_k, len(train_x))
    return [_run(name, k, predict, measure, y_train, fraction, config, encoder,
                 with_ci=k in (None, headline))
            for name, k, predict in protocols for fraction in config.fractions]


# ----------------------------------------------------------------------------------- regression
def _evaluate_regression(train_x, train: LabelledSet, test_x, test: LabelledSet, config: EvalConfig,
                         encoder: str) -> list[Row]:
    y_train, y_test = train.labels.astype(np.float64), test.labels.astype(np.float64)
    with_sex = train.sex is not None and test.sex is not None

    def knn(k: int, same_sex: bool):
        def predict(sub: np.ndarray) -> np.ndarray:
            if same_sex:
                return knn_regress_same_sex(train_x[sub], y_train[sub], train.sex[sub], test_x, test.sex, k,
                                            config.temperature)
            return knn_regress(train_x[sub], y_train[sub], test_x, k, config.temperature)
        return predict

    def probe(sub: np.ndarray) -> np.ndarray:
        return make_pipeline(StandardScaler(), Ridge(alpha=1.0)).fit(train_x[sub], y_train[sub]).predict(test_x)

    measure = _regression_measure(y_test)
    protocols = [("knn-mean", k, knn(k, False)) for k in capped_ks(config.ks, len(train_x))]
    if with_sex:
        protocols += [("knn-mean-same-sex", k, knn(k, True)) for k in capped_ks(config.ks, len(train_x))]
    if config.probe:
        protocols.append(("linear-probe", None, probe))
    return [_run(name, k, predict, measure, _regression_strata(train), fraction, config, encoder, with_ci=True)
            for name, k, predict in protocols for fraction in config.fractions]


# ------------------------------------------------------------------------------------ baselines
#: the encoder name of the rows that read no image
BASELINE = "baseline"


def baseline_rows(train: LabelledSet, test: LabelledSet, config: EvalConfig) -> list[Row]:
    """What ignoring the image scores, at every label fraction: classification — ``majority-class``
    (always the training draw's most frequent class) and ``prior-chance`` (a class drawn at random
    with the training draw's class frequencies; scores = those frequencies); regression —
    ``train-mean`` (always the training draw's mean). A kNN figure means something only above these."""
    if train.is_regression:
        y_train, y_test = train.labels.astype(np.float64), test.labels.astype(np.float64)

        def mean(sub: np.ndarray) -> np.ndarray:
            return np.full(len(y_test), y_train[sub].mean())

        return [_run("train-mean", None, mean, _regression_measure(y_test), _regression_strata(train), fraction,
                     config, BASELINE, with_ci=True)
                for fraction in config.fractions]
    names, y_train, y_test = encode_classes(train.labels, test.labels)
    n_classes = len(names)

    def priors(sub: np.ndarray) -> np.ndarray:
        return np.bincount(y_train[sub], minlength=n_classes) / len(sub)

    def majority(sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = priors(sub)
        return np.full(len(y_test), int(np.argmax(p))), np.tile(p, (len(y_test), 1))

    def chance(sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = priors(sub)
        rng = np.random.default_rng(len(sub))  # seeded per draw: the same run gives the same row
        return rng.choice(n_classes, size=len(y_test), p=p), np.tile(p, (len(y_test), 1))

    measure = _classification_measure(y_test, config.ordinal)
    return [_run(name, None, predict, measure, y_train, fraction, config, BASELINE, with_ci=True)
            for name, predict in (("majority-class", majority), ("prior-chance", chance))
            for fraction in config.fractions]


# ------------------------------------------------------------------------------------- shared
def _classification_measure(y_test: np.ndarray, ordinal: bool):
    """``measure((predictions, scores), index=None)``: the classification metrics on the test items at ``index``."""
    def measure(pred_scores: tuple[np.ndarray, np.ndarray], index: np.ndarray | None = None) -> dict[str, float]:
        pred, scores = pred_scores
        index = np.arange(len(y_test)) if index is None else index
        return classification_metrics(y_test[index], pred[index], scores[index], ordinal=ordinal)
    return measure


def _regression_measure(y_test: np.ndarray):
    """``measure(predictions, index=None)``: the regression metrics on the test items at ``index``."""
    def measure(pred: np.ndarray, index: np.ndarray | None = None) -> dict[str, float]:
        index = np.arange(len(y_test)) if index is None else index
        return regression_metrics(y_test[index], pred[index])
    return measure


def _regression_strata(train: LabelledSet) -> np.ndarray:
    """Label draws keep the share of each sex (one stratum when the layout records none)."""
    return train.sex.astype(np.int64) if train.sex is not None else np.zeros(len(train), dtype=np.int64)


def _run(protocol: str, k: int | None, predict, measure, strata: np.ndarray, fraction: float, config: EvalConfig,
         encoder: str, with_ci: bool) -> Row:
    """Run ``predict`` on each label draw, average ``measure``; bootstrap CIs at 100 % labels when asked."""
    draws = 1 if fraction >= 1.0 else max(1, config.seeds)
    results, sizes = [], []
    for seed in range(draws):
        sub = label_subset(strata, fraction, seed)
        output = predict(sub)
        results.append(measure(output))
        sizes.append(len(sub))
    names = list(results[0])
    values = {n: np.array([r[n] for r in results], dtype=np.float64) for n in names}
    row = Row(encoder, protocol, k, float(fraction), int(round(np.mean(sizes))), draws,
              {n: float(np.nanmean(v)) if np.isfinite(v).any() else float("nan") for n, v in values.items()},
              {n: float(np.nanstd(v)) if np.isfinite(v).any() else float("nan") for n, v in values.items()})
    if with_ci and fraction >= 1.0:
        n_items = len(output[0] if isinstance(output, tuple) else output)
        row.ci = bootstrap_ci(lambda index: measure(output, index), n_items, config.bootstrap, seed=0)
    return row


def _finite(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)
