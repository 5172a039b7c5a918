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
from bonesearch.downstream.protocols import EvalConfig, evaluate
from bonesearch.errors import DatasetLayoutError

__all__ = ["TASKS", "load_task_data", "train_test", "run_eval"]

#: task → (kind, ordinal labels)
TASKS = {"kl-grade": ("classification", True), "bone-age": ("regression", False),
         "classification": ("classification", False), "regression": ("regression", False)}


def load_task_data(task: str, path: Path) -> LabelledSet:
    """The labelled set at ``path`` with the adapter of ``task``.

    ``bone-age``: the RSNA layout; otherwise a folder is read as folder-per-class and a file
    as a ``path,label`` CSV. Classification labels are class names; regression labels must be
    numbers.
    """
    if task not in TASKS:
        raise DatasetLayoutError(f"--task {task}: choose one of {', '.join(TASKS)}")
    kind = TASKS[task][0]
    path = Path(path)
    if task == "bone-age":
        return rsna_bone_age(path)
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
             cache_dir: Path | None = None, batch_size: int = 64, split: str = "") -> dict[str, Any]:
    """Embed both sets with every encoder and run every protocol; returns the result JSON dict."""
    cache = EmbeddingCache(cache_dir) if cache_dir is not None else None
    config.ordinal = TASKS[task][1]
    rows, fingerprints = [], {}
    for encoder in encoders:
        train_x = embed_files(encoder, train.paths, cache, batch_size, "train")
        test_x = embed_files(encoder, test.paths, cache, batch_size, "test")
        fingerprints[encoder.name] = encoder.fingerprint()
        rows += [row.to_json() for row in evaluate(train_x, train, test_x, test, config, encoder.name)]
    return {
        "task": task,
        "kind": "regression" if train.is_regression else "classification",
        "split": split,
        "train": _describe(train),
        "test": _describe(test),
        "config": {"ks": list(config.ks), "fractions": list(config.fractions), "seeds": config.seeds,
                   "temperature": config.temperature, "headline_k": min(config.headline_k, len(train)),
                   "bootstrap": config.bootstrap, "probe": config.probe},
        "encoders": fingerprints,
        "rows": rows,
    }


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
