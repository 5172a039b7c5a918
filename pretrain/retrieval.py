"""Cross-modal retrieval metrics on paired embeddings (row i of each side is a pair)."""

from __future__ import annotations

import numpy as np


def retrieval_metrics(image_vectors: np.ndarray, text_vectors: np.ndarray, ks: tuple[int, ...] = (1, 5, 10)) -> dict[str, float]:
    """Recall@k both ways and median rank, for L2-normalised pairs."""
    sims = image_vectors @ text_vectors.T
    out: dict[str, float] = {}
    for name, matrix in (("image_to_text", sims), ("text_to_image", sims.T)):
        correct = np.diag(matrix)[:, None]
        ranks = (matrix > correct).sum(axis=1) + 1
        for k in ks:
            out[f"{name}_R@{k}"] = round(float((ranks <= k).mean()), 4)
        out[f"{name}_median_rank"] = float(np.median(ranks))
    return out
