"""Adapters for the public musculoskeletal radiograph sets of the paper's downstream tasks.

Each returns a :class:`~bonesearch.downstream.datasets.LabelledSet` with the class names
``"0"`` (negative / normal) and ``"1"`` (positive / abnormal, fracture), and checks the
whole layout first: :class:`~bonesearch.errors.DatasetLayoutError` names the first bad
row or missing file and the layout expected.

MURA v1.1 (:func:`mura`)
    ``MURA-v1.1/<split>_image_paths.csv``: no header, one image path per line, relative to
    the folder holding ``MURA-v1.1`` (e.g. ``MURA-v1.1/train/XR_WRIST/patient00001/
    study1_positive/image1.png``); ``MURA-v1.1/<split>_labeled_studies.csv``: no header,
    ``study_path,label`` (the study folder, trailing ``/`` optional, label 0 or 1). An
    image's label is its study's label (the study is the image's folder). Pass the split
    folder ``MURA-v1.1/train`` (or ``valid``) or its ``<split>_image_paths.csv``. The result
    is a :class:`StudySet`: ``studies[i]`` is item i's study path, for the study-level score
    of the MURA leaderboard (:func:`study_level_metrics`: mean positive-class score of the
    study's images, threshold 0.5, Cohen's kappa).
FracAtlas (:func:`fracatlas`)
    ``dataset.csv`` with columns ``image_id`` (a file name, e.g. ``IMG0000019.jpg``) and
    ``fractured`` (0 or 1; the other columns are not read); the image at
    ``images/Fractured/<image_id>`` when fractured is 1, ``images/Non_fractured/<image_id>``
    when 0. Pass the ``FracAtlas`` folder or its ``dataset.csv``.
GRAZPEDWRI-DX (:func:`grazpedwri`)
    ``dataset.csv`` with columns ``filestem`` and ``fracture_visible`` (1 = visible fracture;
    0 or empty = none; other columns are not read); the image at ``images/<filestem>.png``.
    Pass the folder or its ``dataset.csv``.

FracAtlas and GRAZPEDWRI-DX ship no official test split: use ``--test-fraction`` (hashed
ids, so the same images stay held out across runs).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from bonesearch.downstream.datasets import LabelledSet, read_csv_rows
from bonesearch.downstream.metrics import bootstrap_ci, classification_metrics
from bonesearch.errors import DatasetLayoutError

__all__ = ["StudySet", "mura", "fracatlas", "grazpedwri", "study_scores", "study_level_metrics",
           "MURA_LAYOUT", "FRACATLAS_LAYOUT", "GRAZPEDWRI_LAYOUT", "STUDY_THRESHOLD"]

MURA_LAYOUT = ("MURA-v1.1/<split>_image_paths.csv (one path per line, e.g. MURA-v1.1/train/XR_WRIST/patient00001/"
               "study1_positive/image1.png) and MURA-v1.1/<split>_labeled_studies.csv (study_path,label with label 0/1); "
               "pass MURA-v1.1/<split> or its <split>_image_paths.csv")
FRACATLAS_LAYOUT = ("FracAtlas/dataset.csv with columns image_id,...,fractured (0/1) and the images at "
                    "images/Fractured/<image_id> or images/Non_fractured/<image_id>")
GRAZPEDWRI_LAYOUT = ("dataset.csv with columns filestem,...,fracture_visible (1, or 0/empty) and the images at "
                     "images/<filestem>.png")
STUDY_THRESHOLD = 0.5  # a study is abnormal when its images' mean positive-class score reaches this
_MURA_SPLITS = ("train", "valid")


@dataclass
class StudySet(LabelledSet):
    """A :class:`LabelledSet` whose images are grouped in studies (MURA); ``studies[i]`` is item i's study."""

    studies: list[str] = field(default_factory=list)

    def subset(self, index: np.ndarray | list[int]) -> "StudySet":
        """The items at ``index``, in that order, with their studies."""
        base = super().subset(index)
        idx = np.asarray(index, dtype=np.int64)
        return StudySet(base.paths, base.labels, base.ids, base.sex, base.source, [self.studies[i] for i in idx])


# ------------------------------------------------------------------------------------------ MURA
def mura(path: Path) -> StudySet:
    """One MURA v1.1 split: ``path`` is ``MURA-v1.1/<split>`` or ``MURA-v1.1/<split>_image_paths.csv``.

    Raises DatasetLayoutError naming the first image line whose file is missing or whose study
    has no label, or the first study row whose label is not 0/1.
    """
    path = Path(path)
    if path.is_dir():
        images_csv = path.parent / f"{path.name}_image_paths.csv"
        split = path.name
    elif path.name.endswith("_image_paths.csv"):
        images_csv, split = path, path.name[: -len("_image_paths.csv")]
    else:
        raise DatasetLayoutError(f"{path} is neither a MURA split folder nor a <split>_image_paths.csv: "
                                 f"expected {MURA_LAYOUT}")
    if split not in _MURA_SPLITS:
        raise DatasetLayoutError(f"{path}: MURA split {split!r} is not one of {', '.join(_MURA_SPLITS)}; "
                                 f"expected {MURA_LAYOUT}")
    folder = images_csv.parent  # MURA-v1.1
    studies_csv = folder / f"{split}_labeled_studies.csv"
    study_labels = {}
    for line, cells in _headerless_rows(studies_csv):
        if len(cells) != 2 or cells[1].strip() not in ("0", "1"):
            raise DatasetLayoutError(f"{studies_csv} line {line}: {','.join(cells)!r} is not `study_path,label` "
                                     f"with label 0 or 1; expected {MURA_LAYOUT}")
        study_labels[cells[0].strip().rstrip("/")] = cells[1].strip()
    paths, labels, ids, studies = [], [], [], []
    for line, cells in _headerless_rows(images_csv):
        relative = cells[0].strip()
        study = str(Path(relative).parent)
        if study not in study_labels:
            raise DatasetLayoutError(f"{images_csv} line {line}: study {study}/ of {relative} is not in {studies_csv}; "
                                     f"expected {MURA_LAYOUT}")
        image = _mura_file(folder, relative)
        if not image.is_file():
            raise DatasetLayoutError(f"{images_csv} line {line}: image {image} does not exist; expected {MURA_LAYOUT}")
        paths.append(image)
        labels.append(study_labels[study])
        ids.append(relative)
        studies.append(study)
    return StudySet(paths, np.asarray(labels, dtype=object), ids, None, images_csv, studies)


def _mura_file(folder: Path, relative: str) -> Path:
    """A MURA CSV path (``MURA-v1.1/...``, relative to the folder above ``MURA-v1.1``) on disk."""
    parts = Path(relative).parts
    if parts and parts[0] == folder.name:
        return folder.parent / relative
    return folder / relative


def _headerless_rows(csv_path: Path) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every non-empty line of a CSV without header."""
    if not csv_path.is_file():
        raise DatasetLayoutError(f"{csv_path} does not exist: expected {MURA_LAYOUT}")
    try:
        with open(csv_path, newline="", encoding="utf-8-sig") as fh:
            rows = [(i, cells) for i, cells in enumerate(csv.reader(fh), start=1) if cells and cells[0].strip()]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DatasetLayoutError(f"{csv_path} is not a readable CSV ({exc}): expected {MURA_LAYOUT}") from exc
    if not rows:
        raise DatasetLayoutError(f"{csv_path} is empty: expected {MURA_LAYOUT}")
    return rows


def study_scores(studies: list[str], positive_scores: np.ndarray) -> tuple[list[str], np.ndarray]:
    """(studies in first-seen order, mean positive-class score of each study's images)."""
    order = list(dict.fromkeys(studies))
    position = {study: i for i, study in enumerate(order)}
    index = np.array([position[s] for s in studies])
    sums = np.bincount(index, weights=np.asarray(positive_scores, dtype=np.float64), minlength=len(order))
    return order, sums / np.bincount(index, minlength=len(order))


def study_level_metrics(test: StudySet, positive_scores: np.ndarray, bootstrap: int = 0,
                        threshold: float = STUDY_THRESHOLD) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """Study-level (accuracy, Cohen's kappa) as on the MURA leaderboard, and their bootstrap CIs over studies.

    A study is predicted abnormal when the mean of its images' positive-class scores
    (``positive_scores[i]`` of item i, in [0, 1]) is at least ``threshold``; its truth is its label.
    """
    order, means = study_scores(test.studies, positive_scores)
    truth = {study: int(label) for study, label in zip(test.studies, test.labels)}
    y_true = np.array([truth[s] for s in order])
    y_pred = (means >= threshold).astype(np.int64)

    def measure(index: np.ndarray) -> dict[str, float]:
        metrics = classification_metrics(y_true[index], y_pred[index])
        return {"accuracy": metrics["accuracy"], "cohen_kappa": metrics["cohen_kappa"]}

    return measure(np.arange(len(order))), bootstrap_ci(measure, len(order), bootstrap, seed=0)


# ------------------------------------------------------------------------------ FracAtlas, GRAZPEDWRI
def fracatlas(path: Path) -> LabelledSet:
    """FracAtlas: ``path`` is the folder or its ``dataset.csv``; label ``fractured`` (0/1).

    Raises DatasetLayoutError naming the first row whose label is not 0/1 or whose image is not
    in the folder of its label.
    """
    return _binary_csv_set(path, "image_id", "fractured", False, FRACATLAS_LAYOUT,
                           lambda images, name, label: images / ("Fractured" if label == "1" else "Non_fractured") / name)


def grazpedwri(path: Path) -> LabelledSet:
    """GRAZPEDWRI-DX: ``path`` is the folder or its ``dataset.csv``; label ``fracture_visible`` (1, else 0).

    Raises DatasetLayoutError naming the first row whose label is not 1/0/empty or whose image is missing.
    """
    return _binary_csv_set(path, "filestem", "fracture_visible", True, GRAZPEDWRI_LAYOUT,
                           lambda images, stem, label: images / f"{stem}.png")


def _binary_csv_set(path: Path, id_column: str, label_column: str, empty_is_negative: bool, layout: str,
                    image_of: Callable[[Path, str, str], Path]) -> LabelledSet:
    """The items of a ``dataset.csv`` with a 0/1 label column; ``image_of(images folder, id, label)`` locates each image."""
    csv_path = _dataset_csv(path)
    rows = read_csv_rows(csv_path, required=(id_column, label_column), layout=layout)
    paths, labels, ids = [], [], []
    for line, row in rows:
        item = (row.get(id_column) or "").strip()
        label = _binary(row.get(label_column), allow_empty=empty_is_negative)
        if label is None:
            allowed = "1, 0 or empty" if empty_is_negative else "0 or 1"
            raise DatasetLayoutError(f"{csv_path} line {line} ({item}): {label_column} {row.get(label_column)!r} is not "
                                     f"{allowed}; expected {layout}")
        image = image_of(csv_path.parent / "images", item, label)
        if not item or not image.is_file():
            raise DatasetLayoutError(f"{csv_path} line {line}: image {image} does not exist ({label_column}={label}); "
                                     f"expected {layout}")
        paths.append(image)
        labels.append(label)
        ids.append(item)
    return LabelledSet(paths, np.asarray(labels, dtype=object), ids, None, csv_path)


def _dataset_csv(path: Path) -> Path:
    path = Path(path)
    return path / "dataset.csv" if path.is_dir() else path


def _binary(value: str | None, allow_empty: bool) -> str | None:
    """"0" or "1" from 0/1/0.0/1.0 (and empty → "0" when allowed); None when unreadable."""
    text = (value or "").strip()
    if not text:
        return "0" if allow_empty else None
    try:
        number = float(text)
    except ValueError:
        return None
    return {0.0: "0", 1.0: "1"}.get(number)
