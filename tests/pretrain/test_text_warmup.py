"""A from-scratch text tower: its SimCSE warm-up spreads the reports out, and a locked tower runs once per text."""

from __future__ import annotations

import contextlib
import dataclasses
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import load_file

from bonesearch.models.factory import create_model
from bonesearch.models.registry import get_model_config
from bonesearch.store import Store
from pretrain.config import TrainConfig
from pretrain.locked_text import LockedTextForward
from pretrain.loop import train
from pretrain.pairs import load_pairs, split_pairs
from pretrain.text_warmup import warm_up_text_tower


@pytest.fixture(scope="module")
def train_pairs(pretrain_store):
    with Store.open(pretrain_store) as store:
        pairs, _ = split_pairs(load_pairs(store), 0.2)
    return pairs


def _mean_offdiagonal_cosine(clip, texts: list[str]) -> float:
    clip.model.eval()
    with torch.no_grad():
        f = F.normalize(clip.model.encode_text(clip.tokenize(texts)), dim=-1)
    sims = f @ f.T
    n = len(texts)
    return float((sims.sum() - sims.diagonal().sum()) / (n * (n - 1)))


def test_warmup_spreads_out_the_reports_of_a_scratch_tower(train_pairs):
    # mean pooling: the 1-layer test tower's CLS output is too collapsed (cosine 0.99999) for a few steps to move
    cfg = get_model_config("tiny")
    cfg["text_cfg"]["hf_pooler_type"] = "mean_pooler"
    clip = create_model(cfg, reports=train_pairs.texts, seed=0)
    texts = sorted(set(train_pairs.texts))
    before = _mean_offdiagonal_cosine(clip, texts)
    visual_before = {k: v.clone() for k, v in clip.model.visual.state_dict().items()}
    clip.model.lock_text_tower(freeze_layer_norm=True)  # a locked tower is trained by the warm-up, then locked again
    locked = [p.requires_grad for p in clip.model.text.parameters()]
    result = warm_up_text_tower(clip, train_pairs, steps=20, batch_size=16, seed=0, autocast=contextlib.nullcontext())
    after = _mean_offdiagonal_cosine(clip, texts)
    assert before > 0.95  # a random BERT maps every report to nearly the same vector
    assert after < before - 0.3, (before, after)
    assert result.steps == 20 and result.last_loss < result.first_loss
    assert [p.requires_grad for p in clip.model.text.parameters()] == locked
    assert all(torch.equal(visual_before[k], v) for k, v in clip.model.visual.state_dict().items())


def test_warmup_is_seeded(train_pairs):
    runs = []
    for _ in range(2):
        clip = create_model("tiny", reports=train_pairs.texts, seed=0)
        warm_up_text_tower(clip, train_pairs, steps=3, batch_size=8, seed=5, autocast=contextlib.nullcontext())
        runs.append(clip.model.text.state_dict())
    assert all(torch.equal(runs[0][k], runs[1][k]) for k in runs[0])


def test_locked_text_forward_equals_the_model_and_encodes_each_text_once(train_pairs):
    clip = create_model("tiny", reports=train_pairs.texts, seed=0)
    model = clip.model
    model.lock_text_tower(freeze_layer_norm=True)
    model.eval()  # the reference: the frozen tower without dropout
    cached = LockedTextForward(model)
    texts = [views[0] for views in train_pairs.text_views[:6]]  # conclusions: shorter than the context
    images = torch.rand(6, 1, clip.image_size, clip.image_size)
    short = clip.tokenize(texts)
    padded = clip.tokenize(texts, pad_to_context=True)
    assert padded.shape[1] > short.shape[1]
    with torch.no_grad():
        expected = model(images, short)
        got = cached(images, short)
        again = cached(images.flip(0), padded.flip(0))  # same texts, other padding and order: from the cache
    for e, g in zip(expected, got):
        torch.testing.assert_close(g, e, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(again[1], expected[1].flip(0), rtol=1e-5, atol=1e-5)
    assert cached.cached_texts == len(set(texts))


def test_locked_text_tower_gets_no_gradient_but_its_projection_does(train_pairs):
    clip = create_model("tiny", reports=train_pairs.texts, seed=0)
    model = clip.model
    model.lock_text_tower(freeze_layer_norm=True)
    cached = LockedTextForward(model)
    images = torch.rand(4, 1, clip.image_size, clip.image_size)
    image_features, text_features, scale = cached(images, clip.tokenize(train_pairs.texts[:4]))
    (scale * image_features @ text_features.T).logsumexp(1).sum().backward()
    assert model.text.proj.weight.grad is not None and float(model.text.proj.weight.grad.abs().sum()) > 0
    assert all(p.grad is None for p in model.text.transformer.parameters())


def test_a_run_with_text_warmup_and_locked_text_logs_and_resumes(pretrain_store, tmp_path):
    cfg = TrainConfig(model="tiny", batch_size=8, lr=3e-3, device="cpu", precision="fp32", max_steps=4,
                      text_warmup_steps=5, lock_text=True, full_text_p=1.0)
    ticks = []
    summary = train(pretrain_store, tmp_path / "run", cfg, advance=lambda n=1: ticks.append(n),
                    on_total=lambda total: ticks.append(-total))
    assert ticks[0] == -(5 + 4) and sum(t for t in ticks[1:]) == 9  # the bar counts warm-up and training steps
    log = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log if r["split"] == "text_warmup"] == [1, 5]
    assert summary.steps == 4
    # the warmed-up (then frozen) transformer differs from a fresh one; resuming does not warm it up again
    with Store.open(pretrain_store) as store:
        tp, _ = split_pairs(load_pairs(store), 0.2)
    fresh = create_model("tiny", reports=tp.texts, seed=0).model.state_dict()
    trained = load_file(str(tmp_path / "run" / "checkpoint" / "model.safetensors"))
    layer = next(n for n in trained if n.startswith("text.transformer.encoder.layer.0.") and n.endswith("weight"))
    assert not torch.equal(trained[layer], fresh[layer])
    resumed = train(pretrain_store, tmp_path / "run", dataclasses.replace(cfg, max_steps=6), resume=True)
    again = load_file(str(tmp_path / "run" / "checkpoint" / "model.safetensors"))
    assert resumed.steps == 6 and torch.equal(again[layer], trained[layer])  # locked: unchanged by training
    assert np.isfinite(resumed.final_loss)
