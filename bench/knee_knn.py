"""kNN grading of knee radiographs: a pretrained image encoder against the same architecture with random weights.

Usage: python bench/knee_knn.py --checkpoint runs/knee-kl/checkpoint \\
           --train ../shared/data/knee-kl/train --test ../shared/data/knee-kl/val [--k 20] [--ks 1,5,10,20,50]

Both folders hold ``<grade>/<name>.png`` (Kellgren–Lawrence grade 0–4 as the folder name).
The PNGs are embedded directly (no store): the kNN training set is ``--train`` with its
grades, the queries are ``--test``. Prints, for the checkpoint's encoder and for the same
config with seeded random weights: accuracy of the weighted kNN (DINO vote, k from --ks),
balanced accuracy and quadratic-weighted kappa at ``--k``, then the difference in points
and PASS/FAIL against ``--target`` points (issue 4: +15).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import accuracy_score, balanced_accuracy_score, cohen_kappa_score

from bonesearch.imaging.pixel_cache import load_png
from bonesearch.downstream.knn import knn_classify
from bonesearch.models.checkpoint import load_checkpoint, random_weights_like
from bonesearch.models.clip import BoneClip

TARGET_POINTS = 15.0  # issue 4: pretrained beats random weights by at least this many accuracy points


@dataclass
class LabelledImages:
    """PNG paths and their integer labels (the parent folder's name)."""

    paths: list[Path]
    labels: np.ndarray


def labelled_pngs(folder: Path) -> LabelledImages:
    """Every ``folder/<label>/*.png``, sorted, with its integer folder label."""
    paths, labels = [], []
    for class_dir in sorted(p for p in Path(folder).iterdir() if p.is_dir() and p.name.isdigit()):
        for png in sorted(class_dir.glob("*.png")):
            paths.append(png)
            labels.append(int(class_dir.name))
    if not paths:
        raise SystemExit(f"{folder} holds no <grade>/*.png images: pass a folder laid out as knee-kl/train")
    return LabelledImages(paths, np.asarray(labels, dtype=np.int64))


def embed(clip: BoneClip, paths: list[Path], batch_size: int = 128) -> np.ndarray:
    """L2-normalised image embeddings [n, embed_dim] of greyscale PNGs (all the same size)."""
    chunks = []
    for start in range(0, len(paths), batch_size):
        images = np.stack([load_png(p) for p in paths[start:start + batch_size]])
        chunks.append(clip.encode_images(images, batch_size=batch_size).numpy())
    return np.concatenate(chunks)


def knn_metrics(train: np.ndarray, train_labels: np.ndarray, test: np.ndarray, test_labels: np.ndarray,
                ks: list[int], k: int) -> dict[str, float]:
    """Weighted-kNN accuracy at every k of ``ks``; balanced accuracy, QWK and majority-vote accuracy at ``k``."""
    out: dict[str, float] = {}
    for kk in sorted(set(ks) | {k}):
        out[f"acc@{kk}"] = accuracy_score(test_labels, knn_classify(train, train_labels, test, kk))
    predicted = knn_classify(train, train_labels, test, k)
    out["balanced_acc"] = balanced_accuracy_score(test_labels, predicted)
    out["qwk"] = cohen_kappa_score(test_labels, predicted, weights="quadratic")
    out["majority_acc"] = accuracy_score(test_labels, knn_classify(train, train_labels, test, k, vote="majority"))
    return out


def evaluate(clip: BoneClip, train: LabelledImages, test: LabelledImages, ks: list[int], k: int) -> dict[str, float]:
    """Embed both sets with ``clip`` and score the test set by kNN on the training set."""
    return knn_metrics(embed(clip, train.paths), train.labels, embed(clip, test.paths), test.labels, ks, k)


def _print_table(rows: dict[str, dict[str, float]], k: int, ks: list[int]) -> None:
    names = list(rows)
    print(f"{'metric':<16}" + "".join(f"{n:>14}" for n in names))
    for key in [f"acc@{kk}" for kk in sorted(set(ks) | {k})] + ["balanced_acc", "qwk", "majority_acc"]:
        label = f"acc@{k} majority" if key == "majority_acc" else key
        print(f"{label:<16}" + "".join(f"{rows[n][key]:>14.3f}" for n in names))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", type=Path, required=True, help="checkpoint folder of `bonesearch pretrain`")
    parser.add_argument("--train", type=Path, required=True, help="labelled kNN training images: <grade>/*.png")
    parser.add_argument("--test", type=Path, required=True, help="labelled query images: <grade>/*.png")
    parser.add_argument("--k", type=int, default=20, help="neighbours of the headline weighted kNN")
    parser.add_argument("--ks", default="1,5,10,20,50", help="other k values to report (comma-separated)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random-weight encoder")
    parser.add_argument("--target", type=float, default=TARGET_POINTS, help="points the pretrained encoder must gain")
    parser.add_argument("--json", type=Path, default=None, help="also write the metrics to this JSON file")
    args = parser.parse_args(argv)
    ks = [int(v) for v in args.ks.split(",") if v.strip()]
    torch.manual_seed(args.seed)

    start = time.perf_counter()
    train, test = labelled_pngs(args.train), labelled_pngs(args.test)
    counts = lambda s: "/".join(str(int((s.labels == g).sum())) for g in np.unique(s.labels))  # noqa: E731
    print(f"kNN train {len(train.paths)} images ({counts(train)} by grade), test {len(test.paths)} ({counts(test)})")
    majority = float(np.mean(test.labels == np.bincount(train.labels).argmax()))
    rows = {}
    for name, clip in (("pretrained", load_checkpoint(args.checkpoint)),
                       ("random", random_weights_like(args.checkpoint, args.seed))):
        t = time.perf_counter()
        rows[name] = evaluate(clip, train, test, ks, args.k)
        print(f"  {name}: embedded and scored in {time.perf_counter() - t:.1f} s")
    _print_table(rows, args.k, ks)
    key = f"acc@{args.k}"
    gain = 100.0 * (rows["pretrained"][key] - rows["random"][key])
    verdict = "PASS" if gain >= args.target else "FAIL"
    print(f"majority-class accuracy (always the train's commonest grade): {majority:.3f}")
    print(f"knee kNN accuracy (k={args.k}, weighted): pretrained {rows['pretrained'][key]:.3f}, "
          f"random weights {rows['random'][key]:.3f}")
    print(f"knee kNN gain: {gain:+.1f} points (target +{args.target:.0f}) {verdict}")
    print(f"knn stage time: {time.perf_counter() - start:.1f} s")
    if args.json:
        args.json.write_text(json.dumps({"metrics": rows, "gain_points": gain, "verdict": verdict,
                                         "majority_class_accuracy": majority}, indent=2))
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
