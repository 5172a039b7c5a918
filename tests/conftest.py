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


@pytest.fixture(scope="session")
def pretrain_store(tmp_path_factory) -> Path:
    """A 40-study demo archive ingested with a fixed key (pseudonyms decide the patient split,
    so a random key would change the training set from run to run)."""
    from bonesearch.deid.key import PseudonymKey
    from bonesearch.demo.archive import write_demo_archive
    from indexer.ingest import ingest_archive

    root = tmp_path_factory.mktemp("pre")
    write_demo_archive(root / "archive", studies=40, seed=11)
    PseudonymKey.for_demo(11).save(root / "key.json")
    ingest_archive(root / "archive" / "export", root / "store", key_path=root / "key.json", workers=2)
    return root / "store"


@pytest.fixture(scope="session")
def web_store(pretrain_store, tmp_path_factory) -> Path:
    """``pretrain_store`` indexed with a tiny model, shared by the web API, hostile-web and browser tests."""
    from tests.web_store import indexed_demo_store

    return indexed_demo_store(pretrain_store, tmp_path_factory.mktemp("web"))
