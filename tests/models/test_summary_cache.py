"""`bonesearch models` from cached summaries: the shipped ones are exactly what a fresh count gives,
a listing imports no torch, and a summary is counted again when its text tower changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bonesearch.models.registry import get_model_config, list_models
from bonesearch.models.summary import summarize_model
from bonesearch.models.summary_cache import SHIPPED, _read, config_key

REPO = Path(__file__).resolve().parents[2]


def test_shipped_summaries_are_a_fresh_count_of_every_config() -> None:
    """Fails when a config is added or edited without `python -m bonesearch.models.summary_cache`."""
    shipped = _read(SHIPPED)
    for name in list_models():
        key = config_key(get_model_config(name))
        assert key in shipped, f"{name}: run `python -m bonesearch.models.summary_cache`"
        assert shipped[key] == summarize_model(name).to_dict(), name


def test_listing_imports_no_torch(tmp_path) -> None:
    code = ("import sys; from typer.testing import CliRunner; from cli import app; "
            "r = CliRunner().invoke(app, ['models', '--json']); "
            "print(r.exit_code, len(__import__('json').loads(r.output)), 'torch' in sys.modules)")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["0", str(len(list_models())), "False"], done.stdout + done.stderr


def test_a_changed_text_tower_folder_changes_the_key(tmp_path) -> None:
    folder = tmp_path / "bert"
    folder.mkdir()
    cfg = json.loads(json.dumps(get_model_config("small")))
    cfg["text_cfg"]["source"] = f"local-dir:{folder}"
    empty = config_key(cfg)
    (folder / "config.json").write_text("{}", encoding="utf-8")
    written = config_key(cfg)
    os.utime(folder / "config.json", ns=(1, 1))
    assert len({empty, written, config_key(cfg)}) == 3
    cfg["text_cfg"]["source"] = "some-org/some-bert"
    assert config_key(cfg) != written

