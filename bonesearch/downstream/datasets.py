"""Labelled downstream datasets for ``bonesearch eval``: adapters from on-disk layouts to one small object.

Three layouts are read:

folder per class
    ``ROOT/<label>/*.png|jpg|jpeg`` (the Kaggle knee KL layout ``split/<grade>/*.png``).
generic CSV
    a header ``path,label``; paths are relative to the CSV's folder (absolute paths are kept).
RSNA bone age
    ``ROOT/labels.csv`` (or the CSV itself) with ``id``, ``boneage`` or ``boneage_months``
    and ``male`` columns, and the images at ``images/<id>.png`` beside the CSV.

Every adapter checks the whole layout before returning and raises
:class:`~bonesearch.errors.DatasetLayoutError` naming the first bad folder, file or row
together with the layout it expected.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bonesearch.errors import DatasetLayoutError

__all__ = ["LabelledSet", "IMAGE_SUFFIXES", "class_sort_key", "folder_per_class", "path_label_csv", "rsna_bone_age", "split_by_id"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
FOLDER_LAYOUT = "ROOT/<label>/*.png|jpg (one folder per class, e.g. knee-kl/train/<grade>/*.png)"
CSV_LAYOUT = "a CSV with header `path,label`, paths relative to the CSV's folder"
BONE_AGE_LAYOUT = "labels.csv with columns id,boneage (or boneage_months),male and images/<id>.png beside it"
_TRUE, _FALSE = {"true", "1", "yes", "m", "male"}, {"false", "0", "no", "f", "female"}


@dataclass
class LabelledSet:
    """Images and their labels, in a fixed order.

    Attributes:
        paths: image files.
        labels: [n] class names (str, classification) or float targets (regression).
        ids: [n] item identifiers (file stem, or the CSV's id), unique within the set.
        sex: [n] bool (True = male) when the layout records it, else None.
        source: the folder or CSV read (for messages and reports).
    """

    paths: list[Path]
    labels: np.ndarray
    ids: list[str]
    sex: np.ndarray | None
    source: Path

    def __len__(self) -> int:
        return len(self.paths)

    def subset(self, index: np.ndarray | list[int]) -> "LabelledSet":
        """The items at ``index``, in that order."""
        idx = np.asarray(index, dtype=np.int64)
        return LabelledSet([self.paths[i] for i in idx], self.labels[idx], [self.ids[i] for i in idx],
                           None if self.sex is None else self.sex[idx], self.source)

    @property
    def is_regression(self) -> bool:
        """True when the labels are numbers (bone age), False for class names."""
        return self.labels.dtype.kind == "f"


def folder_per_class(root: Path) -> LabelledSet:
    """Every ``root/<label>/*.png|jpg|jpeg``, sorted by class then file name; the label is the folder name.

    Raises DatasetLayoutError when ``root`` is not a folder, holds no class folder, or a class
    folder holds no image.
    """
    root = Path(root)
    if not root.is_dir():
        raise DatasetLayoutError(f"{root} is not a folder: expected {FOLDER_LAYOUT}")
    class_dirs = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")), key=class_sort_key)
    if not class_dirs:
        raise DatasetLayoutError(f"{root} holds no class folder: expected {FOLDER_LAYOUT}")
    paths: list[Path] = []
    labels: list[str] = []
    for class_dir in class_dirs:
        images = sorted(p for p in class_dir.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        if not images:
            raise DatasetLayoutError(f"class folder {class_dir} holds no .png/.jpg image: expected {FOLDER_LAYOUT}; "
                                     f"remove the folder or add its images")
        paths += images
        labels += [class_dir.name] * len(images)
    ids = [f"{label}/{p.name}" for label, p in zip(labels, paths)]
    return LabelledSet(paths, np.asarray(labels, dtype=object), ids, None, root)


def path_label_csv(csv_path: Path) -> LabelledSet:
    """The images listed by a ``path,label`` CSV (paths relative to its folder).

    Labels that are all numbers become float targets (regression); otherwise they are class
    names. Raises DatasetLayoutError naming the first row whose file is missing or whose
    label is empty.
    """
    csv_path = Path(csv_path)
    rows = read_csv_rows(csv_path, required=("path", "label"), layout=CSV_LAYOUT)
    paths, labels = [], []
    for line, row in rows:
        label = (row.get("label") or "").strip()
        path = _resolve(csv_path, (row.get("path") or "").strip())
        if not label:
            raise DatasetLayoutError(f"{csv_path} line {line}: empty label; expected {CSV_LAYOUT}")
        if not path.is_file():
            raise DatasetLayoutError(f"{csv_path} line {line}: image {path} does not exist; expected {CSV_LAYOUT}")
        paths.append(path)
        labels.append(label)
    numeric = all(_is_number(v) for v in labels)
    values = np.asarray([float(v) for v in labels]) if numeric else np.asarray(labels, dtype=object)
    return LabelledSet(paths, values, [str(p.relative_to(csv_path.parent)) if p.is_relative_to(csv_path.parent)
                                       else str(p) for p in paths], None, csv_path)


def rsna_bone_age(root: Path) -> LabelledSet:
    """The RSNA bone-age layout: ``root/labels.csv`` (or the CSV given directly) + ``images/<id>.png``.

    Labels are bone ages in months (float); ``sex`` is True for male. Raises
    DatasetLayoutError naming the first row with a missing image, a non-numeric bone age or
    an unreadable ``male`` value.
    """
    root = Path(root)
    csv_path = root / "labels.csv" if root.is_dir() else root
    rows = read_csv_rows(csv_path, required=("id", "male"), layout=BONE_AGE_LAYOUT)
    images = csv_path.parent / "images"
    paths, ages, sexes, ids = [], [], [], []
    for line, row in rows:
        item = (row.get("id") or "").strip()
        age = (row.get("boneage") if row.get("boneage") is not None else row.get("boneage_months")) or ""
        sex = (row.get("male") or "").strip().lower()
        if not _is_number(age):
            raise DatasetLayoutError(f"{csv_path} line {line} (id {item}): bone age {age!r} is not a number of months; "
                                     f"expected {BONE_AGE_LAYOUT}")
        if sex not in _TRUE | _FALSE:
            raise DatasetLayoutError(f"{csv_path} line {line} (id {item}): male {row.get('male')!r} is not "
                                     f"True/False; expected {BONE_AGE_LAYOUT}")
        path = next((images / f"{item}{s}" for s in IMAGE_SUFFIXES if (images / f"{item}{s}").is_file()), None)
        if path is None:
            raise DatasetLayoutError(f"{csv_path} line {line}: image {images / (item + '.png')} does not exist; "
                                     f"expected {BONE_AGE_LAYOUT}")
        paths.append(path)
        ages.append(float(age))
        sexes.append(sex in _TRUE)
        ids.append(item)
    return LabelledSet(paths, np.asarray(ages, dtype=np.float64), ids, np.asarray(sexes, dtype=bool), csv_path)


def split_by_id(data: LabelledSet, test_fraction: float, seed: int = 0) -> tuple[LabelledSet, LabelledSet]:
    """(train, test): the test part is the ``test_fraction`` of items whose hashed id ranks first.

    The split depends only on the ids and ``seed``, not on the file order, so adding images
    moves no existing item between train and test. Each part keeps at least one item.
    """
    if not 0.0 < test_fraction < 1.0:
        raise DatasetLayoutError(f"--test-fraction {test_fraction}: choose a fraction strictly between 0 and 1")
    if len(data) < 2:
        raise DatasetLayoutError(f"{data.source} holds {len(data)} item(s): a train/test split needs at least 2")
    rank = sorted(range(len(data)), key=lambda i: hashlib.sha256(f"{seed}:{data.ids[i]}".encode()).hexdigest())
    n_test = min(len(data) - 1, max(1, round(test_fraction * len(data))))
    test = sorted(rank[:n_test])
    train = sorted(rank[n_test:])
    return data.subset(train), data.subset(test)


def read_csv_rows(csv_path: Path, required: tuple[str, ...], layout: str) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) of every data row; checks the file and its header."""
    if not csv_path.is_file():
        raise DatasetLayoutError(f"{csv_path} does not exist: expected {layout}")
    try:
        with open(csv_path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in reader.fieldnames or []]
            reader.fieldnames = header
            rows = [(reader.line_num, row) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DatasetLayoutError(f"{csv_path} is not a readable CSV ({exc}): expected {layout}") from exc
    missing = [c for c in required if c not in header]
    if "boneage" in layout and not {"boneage", "boneage_months"} & set(header):
        missing.append("boneage")
    if missing:
        raise DatasetLayoutError(f"{csv_path} header {','.join(header)} lacks {', '.join(missing)}: expected {layout}")
    if not rows:
        raise DatasetLayoutError(f"{csv_path} has a header but no rows: expected {layout}")
    return rows


def _resolve(csv_path: Path, text: str) -> Path:
    path = Path(text)
    return path if path.is_absolute() else csv_path.parent / path


def _is_number(text: str) -> bool:
    try:
        return np.isfinite(float(text))
    except (TypeError, ValueError):
        return False


def class_sort_key(path: Path | str) -> tuple[int, float, str]:
    """Sort key of a class folder or name: numeric names (grades) by value first, then the others by name."""
    name = Path(path).name if isinstance(path, Path) else str(path)
    return (0, float(name), "") if _is_number(name) else (1, 0.0, name)
