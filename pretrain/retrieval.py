"""Held-out validation: cross-modal retrieval metrics, and the best-so-far / early-stopping bookkeeping."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RECALL_KS = (1, 5, 10)


def retrieval_metrics(image_vectors: np.ndarray, text_vectors: np.ndarray, ks: tuple[int, ...] = RECALL_KS) -> dict[str, float]:
    """Recall@k both ways and median rank, for L2-normalised pairs (row i of each side is a pair)."""
    sims = image_vectors @ text_vectors.T
    out: dict[str, float] = {}
    for name, matrix in (("image_to_text", sims), ("text_to_image", sims.T)):
        correct = np.diag(matrix)[:, None]
        ranks = (matrix > correct).sum(axis=1) + 1
        for k in ks:
            out[f"{name}_R@{k}"] = round(float((ranks <= k).mean()), 4)
        out[f"{name}_median_rank"] = float(np.median(ranks))
    return out


def retrieval_score(metrics: dict[str, float]) -> float:
    """One number to select checkpoints by: the mean of Recall@1/5/10 in both directions."""
    keys = [f"{way}_R@{k}" for way in ("image_to_text", "text_to_image") for k in RECALL_KS]
    return float(np.mean([metrics[k] for k in keys]))


def evaluate_retrieval(clip, pairs) -> dict[str, float]:
    """Image→report and report→image Recall@1/5/10 and median rank on held-out studies (first image of each)."""
    image_vectors = clip.encode_images(pairs.first_views()).float().cpu().numpy()
    text_vectors = clip.encode_texts(pairs.texts).float().cpu().numpy()
    return retrieval_metrics(image_vectors, text_vectors)


@dataclass
class BestTracker:
    """The best validation score so far, and how many validations have passed without beating it."""

    patience: int = 0  # stop after this many validations without improvement (0: never)
    best_score: float = float("-inf")
    best_step: int = 0
    stale: int = 0

    def update(self, score: float, step: int) -> bool:
        """Record a validation; True when it is the best so far."""
        if score > self.best_score:
            self.best_score, self.best_step, self.stale = score, step, 0
            return True
        self.stale += 1
        return False

    @property
    def should_stop(self) -> bool:
        return self.patience > 0 and self.stale >= self.patience
