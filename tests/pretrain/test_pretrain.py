"""Pretraining on tiny configs: splits by patient, augmentations, the loop and its checkpoint."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from bonesearch.models.checkpoint import load_checkpoint
from bonesearch.store import Store
from pretrain.augment import AugmentConfig, augment_batch
from pretrain.config import TrainConfig
from pretrain.loop import train
from pretrain.pairs import load_pairs, report_training_text, split_pairs
from pretrain.retrieval import retrieval_metrics


@pytest.fixture(scope="module")
def store(pretrain_store):
    return pretrain_store


def test_split_is_by_patient_and_stable(store):
    with Store.open(store) as s:
        pairs = load_pairs(s)
    train_a, held_a = split_pairs(pairs, 0.3)
    train_b, held_b = split_pairs(pairs, 0.3)
    assert train_a.study_ids == train_b.study_ids and held_a.study_ids == held_b.study_ids
    assert not set(train_a.patients) & set(held_a.patients)
    assert len(train_a) + len(held_a) == len(pairs) and len(held_a) > 0
    assert all(text and "[TEL]" not in text for text in pairs.texts)  # clinical sections, no header or footer
    assert all(views for views in pairs.text_views)


def test_training_text_modes():
    assert report_training_text("Pincement.", "Gonarthrose.", "EN-TÊTE Pincement. Gonarthrose.", "findings+conclusion") == "Pincement. Gonarthrose."
    assert report_training_text(None, None, "texte complet", "findings+conclusion") == "texte complet"
    assert report_training_text("a", "b", "full text", "full") == "full text"


def test_augment_shapes_range_and_seed():
    images = torch.randint(0, 256, (8, 256, 256), dtype=torch.uint8)
    a = augment_batch(images, 64, AugmentConfig(), torch.Generator().manual_seed(1))
    b = augment_batch(images, 64, AugmentConfig(), torch.Generator().manual_seed(1))
    c = augment_batch(images, 64, AugmentConfig(), torch.Generator().manual_seed(2))
    assert a.shape == (8, 1, 64, 64) and a.min() >= 0 and a.max() <= 1
    assert torch.equal(a, b) and not torch.equal(a, c)
    # no augmentation at all reproduces a plain resize of the whole image
    none = AugmentConfig(scale=(1.0, 1.0), ratio=(1.0, 1.0), rotation_degrees=0, flip_p=0, brightness=0, contrast=0, blur_p=0)
    flat = torch.full((1, 256, 256), 128, dtype=torch.uint8)
    out = augment_batch(flat, 64, none, torch.Generator().manual_seed(0))
    assert torch.allclose(out[0, 0, 8:-8, 8:-8], torch.tensor(128 / 255), atol=1e-3)


def test_retrieval_metrics_on_known_pairs():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 8)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    perfect = retrieval_metrics(x, x)
    assert perfect["image_to_text_R@1"] == 1.0 and perfect["text_to_image_median_rank"] == 1.0
    shuffled = retrieval_metrics(x, x[::-1].copy())
    assert shuffled["image_to_text_R@1"] < 0.2


def test_tiny_training_lowers_the_loss_and_writes_a_loadable_checkpoint(store, tmp_path):
    batch = 16
    summary = train(store, tmp_path / "run", TrainConfig(model="tiny", epochs=200, batch_size=batch, lr=3e-3,
                                                         held_out_fraction=0.2, device="cpu"))
    records = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    log = [r for r in records if r["split"] == "train"]
    assert [r["split"] for r in records].count("val") == 1 and records[-1]["step"] == summary.steps
    assert log[0]["step"] == 1 and log[-1]["step"] == summary.steps
    # InfoNCE starts near ln(batch) (chance); training must get well below it
    assert log[0]["loss"] > np.log(batch) - 0.3
    assert np.mean([r["loss"] for r in log[-5:]]) < np.log(batch) - 0.5
    assert summary.checkpoint.joinpath("model.safetensors").is_file()
    clip = load_checkpoint(summary.checkpoint)
    config = json.loads(summary.checkpoint.joinpath("config.json").read_text())
    assert config["extra"]["training"]["steps"] == summary.steps
    assert clip.encode_texts(["fracture du scaphoïde"]).shape == (1, clip.embed_dim)
    assert set(summary.retrieval) >= {"image_to_text_R@5", "text_to_image_R@5"}
