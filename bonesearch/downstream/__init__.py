"""Downstream evaluation of image encoders (``bonesearch eval knn``).

``datasets`` reads labelled layouts, ``encoders`` embeds images (with a cache), ``protocols``
runs kNN / linear probe with label efficiency, ``metrics`` scores them, ``report`` writes
the JSON, tables and plot. :func:`run_eval` chains them for one task.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from bonesearch.downstream.datasets import (LabelledSet, class_sort_key, folder_per_class, path_label_csv,
                                            rsna_bone_age, split_by_id)
from bonesearch.downstream.encoders import Encoder, EmbeddingCache, embed_files
from bonesearch.downstream.protocols import EvalConfig, Row, baseline_rows, encode_classes, evaluate
from bonesearch.downstream.public_sets import StudySet, fracatlas, grazpedwri, mura, study_level_metrics
from bonesearch.errors import DatasetLayoutError, ModelConfigError

__all__ = ["TASKS", "load_task_data", "train_test", "run_eval"]

#: task → (kind, ordinal labels)
TASKS = {"kl-grade": ("classification", True), "bone-age": ("regression", False),
         "classification": ("classification", False), "regression": ("regression", False),
         "mura": ("classification", False), "fracatlas": ("classification", False),
         "grazpedwri": ("classification", False)}
_PUBLIC_ADAPTERS = {"mura": mura, "fracatlas": fracatlas, "grazpedwri": grazpedwri}


def load_task_data(task: str, path: Path) -> LabelledSet:
    """The labelled set at ``path`` with the adapter of ``task``.

    ``bone-age``: the RSNA layout; ``mura``, ``fracatlas``, ``grazpedwri``: the public sets'
    layouts (:mod:`bonesearch.downstream.public_sets`); otherwise a folder is read as folder-per-class and a file
    as a ``path,label`` CSV. Classification labels are class names; regression labels must be
    numbers.
    """
    if task not in TASKS:
        raise DatasetLayoutError(f"--task {task}: choose one of {', '.join(TASKS)}")
    kind = TASKS[task][0]
    path = Path(path)
    if task == "bone-age":
        return rsna_bone_age(path)
    if task in _PUBLIC_ADAPTERS:
        return _PUBLIC_ADAPTERS[task](path)
    if path.is_dir():
        if kind == "regression":
            raise DatasetLayoutError(f"{path} is a folder: --task regression reads a `path,label` CSV with numeric labels")
        return folder_per_class(path)
    data = path_label_csv(path)
    if kind == "regression" and not data.is_regression:
        bad = next(i for i, v in enumerate(data.labels) if not _is_float(v))
        raise DatasetLayoutError(f"{path}: label {data.labels[bad]!r} of {data.ids[bad]} is not a number; "
                                 f"--task regression needs numeric labels (or use --task classification)")
    if kind == "classification" and data.is_regression:  # numeric class names such as 0/1
        data.labels = np.asarray([f"{v:g}" for v in data.labels], dtype=object)
    return data


def train_test(task: str, data: Path, test: Path | None, test_fraction: float | None,
               seed: int = 0) -> tuple[LabelledSet, LabelledSet, str]:
    """(train, test, how the split was made) from a test path or a hashed-id split of ``data``."""
    train = load_task_data(task, data)
    if test is not None:
        return train, load_task_data(task, test), "given test set"
    if test_fraction is None:
        raise DatasetLayoutError(
            f"no test set: pass --test PATH (a second {task} set in the same layout as {data}, e.g. knee-kl/val "
            f"for knee-kl/train), or --test-fraction F to hold out a fraction of {data} chosen by hashed file id")
    train, held_out = split_by_id(train, test_fraction, seed)
    return train, held_out, f"--test-fraction {test_fraction} of {data} by hashed id (seed {seed})"


def run_eval(task: str, train: LabelledSet, test: LabelledSet, encoders: list[Encoder], config: EvalConfig,
             cache_dir: Path | None = None, batch_size: int = 64, split: str = "",
             prompts: dict[str, str] | None = None) -> dict[str, Any]:
    """Embed both sets with every encoder and run every protocol; returns the result JSON dict.

    Classification with ``config.zero_shot`` adds a ``zero-shot`` row for each encoder with a
    text tower, from ``prompts`` (class name → French prompt) or the task's default prompts
    (none for the generic tasks: no row then). A MURA test set adds study-level rows
    (``…-study``: mean positive score per study, threshold 0.5, Cohen's kappa).
    """
    cache = EmbeddingCache(cache_dir) if cache_dir is not None else None
    config.ordinal = TASKS[task][1]
    classification = not train.is_regression
    names, y_train, y_test = encode_classes(train.labels, test.labels) if classification else ([], None, None)
    class_prompts = _class_prompts(task, names, prompts, encoders, config) if classification else None
    rows, fingerprints = [], {}
    for encoder in encoders:
        train_x = embed_files(encoder, train.paths, cache, batch_size, "train")
        test_x = embed_files(encoder, test.paths, cache, batch_size, "test")
        fingerprints[encoder.name] = encoder.fingerprint()
        rows += [row.to_json() for row in evaluate(train_x, train, test_x, test, config, encoder.name)]
        if classification:
            rows += [row.to_json() for row in _extra_rows(encoder, train_x, y_train, test_x, y_test, test,
                                                          class_prompts, config, names == ["0", "1"])]
    rows += [row.to_json() for row in baseline_rows(train, test, config)]
    return {
        "task": task,
        "kind": "regression" if train.is_regression else "classification",
        "split": split,
        "train": _describe(train),
        "test": _describe(test),
        "config": {"ks": list(config.ks), "fractions": list(config.fractions), "seeds": config.seeds,
                   "temperature": config.temperature, "headline_k": min(config.headline_k, len(train)),
                   "bootstrap": config.bootstrap, "probe": config.probe,
                   "zero_shot_prompts": dict(zip(names, class_prompts)) if class_prompts else None},
        "encoders": fingerprints,
        "rows": rows,
    }


def _class_prompts(task: str, names: list[str], prompts: dict[str, str] | None, encoders: list[Encoder],
                   config: EvalConfig) -> list[str] | None:
    """The zero-shot prompt of each class, or None when zero-shot is off or has no prompts."""
    from bonesearch.downstream.zero_shot import task_prompts

    if not config.zero_shot:
        return None
    if prompts is not None and not any(hasattr(e, "clip") for e in encoders):
        raise ModelConfigError("--prompts needs an encoder with a text tower: pass --checkpoint CKPT "
                               "(--encoder checkpoint), or drop --prompts")
    return task_prompts(task, names, prompts)


def _extra_rows(encoder: Encoder, train_x: np.ndarray, y_train: np.ndarray, test_x: np.ndarray, y_test: np.ndarray,
                test: LabelledSet, prompts: list[str] | None, config: EvalConfig, binary: bool) -> list[Row]:
    """Zero-shot rows (encoders with a text tower) and MURA study-level rows (``binary``: classes "0", "1")."""
    from bonesearch.downstream.zero_shot import zero_shot_row, zero_shot_scores
    from bonesearch.downstream.knn import knn_scores

    rows, positive = [], []
    if prompts is not None and hasattr(encoder, "clip"):
        scores = zero_shot_scores(encoder.clip, test_x, prompts)
        rows.append(zero_shot_row(encoder.name, scores, y_test, config.ordinal, config.bootstrap))
        positive.append(("zero-shot", None, 0, scores))
    if isinstance(test, StudySet) and binary:
        k = min(config.headline_k, len(train_x))
        result = knn_scores(train_x, y_train, test_x, k, "weighted", config.temperature)
        votes = np.zeros((len(test_x), 2))
        votes[:, result.classes] = result.scores
        positive.insert(0, ("knn-weighted", k, len(train_x), votes / votes.sum(axis=1, keepdims=True)))
        for protocol, row_k, n_train, scores in positive:
            mean, ci = study_level_metrics(test, scores[:, 1], config.bootstrap)
            rows.append(Row(encoder.name, f"{protocol}-study", row_k, 0.0 if row_k is None else 1.0, n_train, 1,
                            mean, {name: 0.0 for name in mean}, ci))
    return rows


def _describe(data: LabelledSet) -> dict[str, Any]:
    out: dict[str, Any] = {"source": str(data.source), "items": len(data)}
    if data.is_regression:
        out["label_range"] = [float(data.labels.min()), float(data.labels.max())]
    else:
        counts = Counter(str(v) for v in data.labels)
        out["class_counts"] = {name: counts[name] for name in sorted(counts, key=class_sort_key)}
    if data.sex is not None:
        out["male"] = int(data.sex.sum())
    return out


def _is_float(value: object) -> bool:
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False
