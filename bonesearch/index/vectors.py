"""Vectors as the indexes hold them: L2-normalised float32 rows (inner product = cosine)."""

from __future__ import annotations

import numpy as np

__all__ = ["l2_normalise"]


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """A float32 copy of ``vectors`` ``[n, d]`` (1-D: one row) with unit-length rows; zero rows stay zero.

    Computed in float64 when the input is float64 (a sum of many vectors), else in float32.
    """
    x = np.asarray(vectors)
    x = np.array(x, dtype=np.float64 if x.dtype == np.float64 else np.float32, copy=True, ndmin=2)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    np.divide(x, norms, out=x, where=norms > 0)
    return x.astype(np.float32, copy=False)
