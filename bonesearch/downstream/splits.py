"""Deterministic train/held-out splits by patient (no patient on both sides)."""

from __future__ import annotations

import hashlib


def is_held_out(patient_pseudo: str, fraction: float, seed: int = 0) -> bool:
    """Whether a patient belongs to the held-out fraction (stable across runs and machines)."""
    digest = hashlib.sha256(f"split:{seed}:{patient_pseudo}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < fraction
