"""Checkpoints: safetensors + config.json + text_tower/, round trip, atomic replace, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from bonesearch.errors import CheckpointError
from bonesearch.models import create_model, load_checkpoint, read_checkpoint_config, save_checkpoint
from tests.models.helpers import save_small_hf_model


@pytest.fixture(scope="module")
def ckpt(tiny, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ckpts") / "tiny-step0"
    return save_checkpoint(tiny, out, extra={"step": 0, "data": "demo"})


def test_layout(ckpt: Path) -> None:
    assert sorted(p.name for p in ckpt.iterdir()) == ["config.json", "model.safetensors", "text_tower"]
    tower = {p.name for p in (ckpt / "text_tower").iterdir()}
    assert {"config.json", "tokenizer.json", "tokenizer_config.json"} <= tower
    assert not any(n.endswith((".safetensors", ".bin", ".pt", ".pth")) for n in tower)  # no weights there
    cfg = json.loads((ckpt / "config.json").read_text())
    assert cfg["extra"] == {"step": 0, "data": "demo"}
    assert cfg["text_cfg"]["hf_model_name"] == "text_tower"
    assert not list(ckpt.parent.glob(".*tmp*"))  # no temp folder left behind


def test_round_trip_identical(tiny, ckpt: Path, images: np.ndarray) -> None:
    texts = ["FRACTURE du radius distal", "gonarthrose stade III", "plaque vissée du tibia"]
    loaded = load_checkpoint(ckpt)
    assert loaded.fingerprint() == tiny.fingerprint() == read_checkpoint_config(ckpt)["fingerprint"]
    assert torch.equal(loaded.encode_images(images), tiny.encode_images(images))
    assert torch.equal(loaded.encode_texts(texts), tiny.encode_texts(texts))
    assert loaded.meta["extra"]["step"] == 0
    assert loaded.config["text_cfg"]["source"] == "scratch"
    # the other spellings of the same checkpoint
    assert load_checkpoint(f"local-dir:{ckpt}").fingerprint() == tiny.fingerprint()
    assert load_checkpoint(ckpt / "model.safetensors", device="auto").device.type in ("cpu", "cuda")


def test_save_replaces_an_older_checkpoint(reports: list[str], tiny, tmp_path: Path) -> None:
    out = tmp_path / "ckpt"
    save_checkpoint(tiny, out)
    other = create_model("tiny", reports=reports, seed=7)
    save_checkpoint(other, out, extra={"step": 10})
    assert load_checkpoint(out).fingerprint() == other.fingerprint()
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt"]


def test_save_refuses_a_foreign_folder(tiny, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(CheckpointError, match="not a bonesearch checkpoint"):
        save_checkpoint(tiny, tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize("missing", ["config.json", "model.safetensors", "text_tower/config.json", "text_tower/tokenizer.json"])
def test_missing_files_are_named(ckpt: Path, tmp_path: Path, missing: str) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(ckpt, broken)
    (broken / missing).unlink()
    if missing == "text_tower/tokenizer.json":
        (broken / "text_tower" / "vocab.txt").unlink(missing_ok=True)
    with pytest.raises(CheckpointError) as err:
        load_checkpoint(broken)
    msg = str(err.value)
    assert str(broken) in msg
    assert Path(missing).name in msg or "tokenizer" in msg


def test_missing_folder() -> None:
    with pytest.raises(CheckpointError, match="does not exist"):
        load_checkpoint("/nonexistent/ckpt")


def test_damaged_or_mismatched_weights(ckpt: Path, reports: list[str], tmp_path: Path) -> None:
    damaged = tmp_path / "damaged"
    shutil.copytree(ckpt, damaged)
    (damaged / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(CheckpointError, match="model.safetensors"):
        load_checkpoint(damaged)

    cfg = json.loads((ckpt / "config.json").read_text())
    cfg["embed_dim"] = 32  # weights no longer fit the architecture
    mismatched = tmp_path / "mismatched"
    shutil.copytree(ckpt, mismatched)
    (mismatched / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(CheckpointError, match="model.safetensors"):
        load_checkpoint(mismatched)


def test_round_trip_of_a_pretrained_local_text_tower(reports: list[str], tmp_path: Path, images: np.ndarray) -> None:
    """A model whose text tower came from local-dir: (DrBERT's camembert type) reloads offline."""
    folder = tmp_path / "drbert-like"
    save_small_hf_model(folder, reports, "camembert")
    clip = create_model("tiny", text_source=f"local-dir:{folder}", seed=2)
    out = save_checkpoint(clip, tmp_path / "ckpt")
    shutil.rmtree(folder)  # the checkpoint must not need the original folder
    loaded = load_checkpoint(out)
    assert loaded.fingerprint() == clip.fingerprint()
    assert torch.equal(loaded.encode_texts(["Fracture du radius"]), clip.encode_texts(["Fracture du radius"]))
    assert torch.equal(loaded.encode_images(images), clip.encode_images(images))
    assert loaded.config["text_cfg"]["source"].startswith("local-dir:")
