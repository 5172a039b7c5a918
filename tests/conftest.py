"""Shared fixtures: offline hub, the ../shared data folder (tests skip cleanly without it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``; skips the test in a user's clone where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent (real-data tests run in CI)")
    return SHARED_DATA
