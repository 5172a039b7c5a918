"""create_model: towers, encoders, fingerprints, text-tower sources and their errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from open_clip.hf_model import HFTextEncoder
from open_clip.loss import ClipLoss
from open_clip.model import CustomTextCLIP
from open_clip.timm_model import TimmModel

from bonesearch.errors import CheckpointError, ModelConfigError, UnknownModel
from bonesearch.models import create_model, get_model_config, train_wordpiece_tokenizer
from tests.models.helpers import save_small_hf_model


def test_tiny_builds_with_open_clip_towers(tiny, tiny_dir: Path) -> None:
    assert isinstance(tiny.model, CustomTextCLIP)
    assert isinstance(tiny.model.text, HFTextEncoder)
    assert isinstance(tiny.model.visual, TimmModel)
    first_conv = next(m for m in tiny.model.visual.trunk.modules() if isinstance(m, torch.nn.Conv2d))
    assert first_conv.in_channels == 1  # single-channel radiographs, no RGB replication
    assert tiny.image_size == 64 and tiny.device == torch.device("cpu")
    assert (tiny_dir / "text_tower" / "config.json").is_file()
    assert (tiny_dir / "text_tower" / "tokenizer.json").is_file()
    assert tiny.config["text_cfg"]["source"] == "scratch"


def test_preprocess_images(tiny, images: np.ndarray) -> None:
    x = tiny.preprocess_images(images)
    assert x.shape == (6, 1, 64, 64) and x.dtype == torch.float32
    black = tiny.preprocess_images(np.zeros((1, 30, 50), np.uint8))
    mean, std = tiny.config["preprocess_cfg"]["mean"][0], tiny.config["preprocess_cfg"]["std"][0]
    assert torch.allclose(black, torch.full_like(black, -mean / std))


def test_encoders_return_normalised_float32(tiny, images: np.ndarray) -> None:
    img = tiny.encode_images(images, batch_size=4)
    txt = tiny.encode_texts(["fracture du radius distal", "genou normal", "plaque vissée"])
    for emb, n in ((img, 6), (txt, 3)):
        assert emb.shape == (n, 64) and emb.dtype == torch.float32
        assert torch.allclose(emb.norm(dim=-1), torch.ones(n), atol=1e-5)
    assert tiny.model.training  # encoders restore the training flag
    assert tiny.encode_texts([]).shape == (0, 64)
    # batching must not change results
    assert torch.allclose(img[:2], tiny.encode_images(images[:2]), atol=1e-5)


def test_text_queries_are_case_and_accent_insensitive(tiny) -> None:
    a, b = tiny.encode_texts(["FRACTURE DU RADIUS"]), tiny.encode_texts(["fracture du radius"])
    assert torch.equal(a, b)
    assert torch.equal(tiny.encode_texts(["épaule"]), tiny.encode_texts(["epaule"]))
    assert torch.equal(tiny.encode_texts(["Ostéosynthèse"]), tiny.encode_texts(["OSTEOSYNTHESE"]))


def test_fingerprint_is_seeded(reports: list[str], tiny) -> None:
    again = create_model("tiny", reports=reports, seed=0)
    other = create_model("tiny", reports=reports, seed=1)
    assert len(tiny.fingerprint()) == 16
    assert again.fingerprint() == tiny.fingerprint()  # also independent of work_dir
    assert other.fingerprint() != tiny.fingerprint()


def test_training_steps_reduce_clip_loss(reports: list[str], images: np.ndarray) -> None:
    """Sanity: a few AdamW steps on one fixed batch fit it (dropout off: deterministic)."""
    clip = create_model("tiny", reports=reports, seed=0)
    model = clip.model.train()
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    x = clip.preprocess_images(images)
    ids = clip.tokenize(reports[:6])
    loss_fn = ClipLoss()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    losses = []
    for _ in range(25):
        loss = loss_fn(model.encode_image(x, normalize=True), model.encode_text(ids, normalize=True), model.logit_scale.exp())
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.8 * losses[0], losses


def test_scratch_needs_reports() -> None:
    with pytest.raises(ModelConfigError, match="reports="):
        create_model("tiny")


def test_hub_name_offline_says_local_dir() -> None:
    with pytest.raises(UnknownModel, match=r"not reachable \(offline\?\).*local-dir:PATH"):
        create_model("tiny", text_source="Dr-BERT/DrBERT-7GB")


def test_missing_local_folder() -> None:
    with pytest.raises(CheckpointError, match="does not exist"):
        create_model("tiny", text_source="local-dir:/nonexistent/french-bert")


@pytest.mark.parametrize("model_type", ["bert", "camembert", "xlm-roberta", "luke"])  # DrBERT: camembert; mLUKE: luke
def test_local_dir_loads_pretrained_weights(reports: list[str], tmp_path: Path, model_type: str) -> None:
    folder = tmp_path / "french-bert"
    saved = save_small_hf_model(folder, reports, model_type)
    clip = create_model("tiny", text_source=f"local-dir:{folder}")
    loaded = clip.model.text.transformer.state_dict()
    for name, value in saved.state_dict().items():
        assert torch.equal(loaded[name], value), name
    assert clip.config["text_cfg"]["source"] == f"local-dir:{folder.resolve()}"
    assert clip.config["text_cfg"]["hf_model_pretrained"] is True
    emb = clip.encode_texts(["fracture du radius", "genou"])
    assert emb.shape == (2, 64)
    # a plain existing folder path works too
    assert create_model("tiny", text_source=folder).fingerprint() == clip.fingerprint()


def test_local_dir_without_config_json(reports: list[str], tmp_path: Path) -> None:
    folder = tmp_path / "incomplete"
    train_wordpiece_tokenizer(reports, folder, vocab_size=600)
    with pytest.raises(CheckpointError) as err:
        create_model("tiny", text_source=f"local-dir:{folder}")
    assert str(folder) in str(err.value) and "config.json" in str(err.value)


def test_local_dir_without_tokenizer_or_weights(reports: list[str], tmp_path: Path) -> None:
    folder = tmp_path / "weights-only"
    save_small_hf_model(folder, reports)
    (folder / "model.safetensors").unlink()
    with pytest.raises(CheckpointError, match="no weights"):
        create_model("tiny", text_source=f"local-dir:{folder}")
    for name in ("tokenizer.json", "vocab.txt"):
        (folder / name).unlink()
    with pytest.raises(CheckpointError, match="no tokenizer"):
        create_model("tiny", text_source=f"local-dir:{folder}")


def test_config_dict_and_in_chans_3(reports: list[str], images: np.ndarray) -> None:
    cfg = get_model_config("tiny")
    cfg["vision_cfg"]["timm_kwargs"]["in_chans"] = 3
    cfg["vision_cfg"]["image_size"] = 48
    clip = create_model(cfg, reports=reports)
    assert clip.preprocess_images(images).shape == (6, 3, 48, 48)
    assert clip.encode_images(images).shape == (6, 64)


def test_invalid_config_dict() -> None:
    with pytest.raises(ModelConfigError, match="vision_cfg"):
        create_model({"embed_dim": 8, "text_cfg": {}, "preprocess_cfg": {}})
