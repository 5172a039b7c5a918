"""The training system: exact resume, exact gradient accumulation, data order, locking, validation and
early stopping, and the errors a user meets (tiny model, CPU)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from bonesearch.errors import ResumeError, TooFewPairs, TrainConfigError
from bonesearch.store import Store
from pretrain.config import TrainConfig
from pretrain.data import EpochBatches, PairDataset, Position, make_loader
from pretrain.loop import train
from pretrain.pairs import load_pairs, split_pairs


def _cfg(**overrides) -> TrainConfig:
    base = dict(model="tiny", batch_size=8, lr=3e-3, device="cpu", precision="fp32", held_out_fraction=0.2)
    return TrainConfig(**{**base, **overrides})


def _weights(folder) -> dict[str, torch.Tensor]:
    return load_file(str(folder / "model.safetensors"))


class _InterruptAt:
    """An ``advance`` callback that presses Ctrl-C once training reaches ``step``."""

    def __init__(self, step: int) -> None:
        self.step, self.done = step, 0

    def __call__(self, n: int = 1) -> None:
        self.done += n
        if self.done == self.step:
            raise KeyboardInterrupt


def test_interrupted_and_resumed_run_equals_the_straight_run(pretrain_store, tmp_path):
    cfg = _cfg(max_steps=8)
    straight = train(pretrain_store, tmp_path / "straight", cfg)
    with pytest.raises(KeyboardInterrupt):
        train(pretrain_store, tmp_path / "resumed", cfg, advance=_InterruptAt(4))
    state = json.loads((tmp_path / "resumed" / "last" / "state.json").read_text())
    per_epoch = round(straight.steps / straight.epochs_done)
    assert state["step"] == 4 and state["epoch"] * per_epoch + state["batch"] == 4 and state["epoch"] >= 1
    resumed = train(pretrain_store, tmp_path / "resumed", cfg, resume=True)
    assert resumed.resumed_from == 4 and resumed.steps == straight.steps == 8
    a, b = _weights(tmp_path / "straight" / "last" / "checkpoint"), _weights(tmp_path / "resumed" / "last" / "checkpoint")
    assert a.keys() == b.keys()
    for name in a:
        torch.testing.assert_close(a[name], b[name], rtol=1e-5, atol=1e-6, msg=name)
    moved = max(float((a[n] - _weights(tmp_path / "straight" / "checkpoint")[n]).abs().max()) for n in a)
    assert moved == 0.0  # no validation during training: the kept checkpoint is the final model
    log = [json.loads(line) for line in (tmp_path / "resumed" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log if r["split"] == "train"] == [1, 8]  # appended after the resume, not rewritten


def test_resume_needs_a_resume_point_and_the_same_settings(pretrain_store, tmp_path):
    with pytest.raises(ResumeError, match="no resume point"):
        train(pretrain_store, tmp_path / "nothing", _cfg(max_steps=2), resume=True)
    train(pretrain_store, tmp_path / "run", _cfg(max_steps=2))
    with pytest.raises(ResumeError, match=r"batch_size: 8 → 16"):
        train(pretrain_store, tmp_path / "run", _cfg(max_steps=4, batch_size=16), resume=True)
    longer = train(pretrain_store, tmp_path / "run", _cfg(max_steps=4), resume=True)  # a longer schedule is allowed
    assert longer.steps == 4 and longer.resumed_from == 2


def test_gradient_accumulation_gives_the_full_batch_gradient(pretrain_store):
    """Eval mode (no dropout, fixed norm statistics): K chunks sum to exactly the full-batch gradient."""
    from open_clip.loss import ClipLoss

    from bonesearch.models.factory import create_model
    from pretrain.step import forward_backward

    with Store.open(pretrain_store) as store:
        pairs = load_pairs(store)
    clip = create_model("tiny", reports=pairs.texts, seed=3)
    clip.model.eval()
    pixels = clip.preprocess_images(pairs.first_views()[:8])
    tokens = clip.tokenize(pairs.texts[:8])
    grads = []
    for accum in (1, 2, 4):
        clip.model.zero_grad()
        loss = forward_backward(clip.model, ClipLoss(), pixels, tokens, accum, torch.autocast("cpu", enabled=False))
        grads.append({n: p.grad.clone() for n, p in clip.model.named_parameters() if p.grad is not None})
        assert loss > 0
    assert grads[0].keys() == grads[1].keys() == grads[2].keys() and "logit_scale" in grads[0]
    for other in grads[1:]:
        for name, grad in grads[0].items():
            torch.testing.assert_close(other[name], grad, rtol=1e-4, atol=1e-6, msg=name)


def test_epoch_order_rank_shares_and_resume_position():
    sampler = EpochBatches(n_studies=20, batch_size=3, seed=5, rank=0, world_size=2)
    other = EpochBatches(n_studies=20, batch_size=3, seed=5, rank=1, world_size=2)
    assert sampler.batches_per_epoch == 3  # 20 // (3 × 2), the incomplete last batch dropped
    mine, theirs = list(sampler), list(other)
    seen = [k for batch in mine + theirs for k in batch]
    assert len(seen) == len(set(seen)) == 18 and all(epoch == 0 for _, epoch in seen)
    sampler.position = Position(epoch=0, batch=2)
    assert list(sampler) == mine[2:]  # a resume starts mid-epoch where it stopped
    sampler.position = Position(epoch=1, batch=0)
    assert [k for b in sampler for k in b] != [k for b in mine for k in b]  # a new epoch, a new order


def test_loader_workers_deliver_the_same_pairs(pretrain_store):
    """Which image and which text view a study shows depends on (seed, epoch, study), not on the workers."""
    from bonesearch.models.factory import create_model

    with Store.open(pretrain_store) as store:
        pairs = load_pairs(store)
    clip = create_model("tiny", reports=pairs.texts)
    batches = {}
    for workers, preload in ((0, True), (2, False)):
        sampler = EpochBatches(len(pairs), 8, seed=1)
        loader = make_loader(PairDataset(pairs, 1, 0.5, preload=preload), sampler, clip.tokenize, workers, False)
        batches[workers] = [(images.clone(), tokens.clone()) for images, tokens in loader]
    assert len(batches[0]) == len(batches[2]) == len(pairs) // 8
    for (img_a, tok_a), (img_b, tok_b) in zip(batches[0], batches[2]):
        assert torch.equal(img_a, img_b) and torch.equal(tok_a, tok_b)
    assert batches[0][0][0].dtype == torch.uint8


def test_locked_image_trunk_does_not_move(pretrain_store, tmp_path):
    from bonesearch.models.factory import create_model

    train(pretrain_store, tmp_path / "lit", _cfg(max_steps=3, lock_image=True))
    trained = _weights(tmp_path / "lit" / "checkpoint")
    with Store.open(pretrain_store) as store:
        train_pairs, _ = split_pairs(load_pairs(store), 0.2)
    initial = create_model("tiny", reports=train_pairs.texts, seed=0).model.state_dict()
    trunk = [n for n in trained if n.startswith("visual.trunk.") and "num_batches" not in n]
    text = [n for n in trained if n.startswith("text.")]
    assert trunk and text
    assert all(torch.equal(trained[n], initial[n]) for n in trunk)  # weights and norm statistics frozen
    assert not torch.equal(trained["visual.head.proj.weight"], initial["visual.head.proj.weight"])  # LiT: the projection learns
    assert any(not torch.equal(trained[n], initial[n]) for n in text)


def test_validation_keeps_the_best_and_stops_early(pretrain_store, tmp_path):
    # a learning rate too small to change retrieval: the first validation stays the best
    summary = train(pretrain_store, tmp_path / "flat", _cfg(max_steps=40, lr=1e-12, val_every=2, early_stop_patience=2))
    assert summary.stopped_early and summary.steps == 6 and summary.best_step == 2
    records = [json.loads(line) for line in (tmp_path / "flat" / "metrics.jsonl").read_text().splitlines()]
    val = [r for r in records if r["split"] == "val"]
    assert [r["step"] for r in val] == [2, 4, 6] and {"image_to_text_R@1", "text_to_image_median_rank"} <= set(val[0])
    kept = json.loads((tmp_path / "flat" / "checkpoint" / "config.json").read_text())["extra"]["training"]
    assert kept["steps"] == 2  # RUN/checkpoint is the best model, RUN/last the latest
    assert json.loads((tmp_path / "flat" / "last" / "state.json").read_text())["step"] == 6


def test_too_few_pairs_says_how_many_it_found(pretrain_store, tmp_path):
    with pytest.raises(TooFewPairs, match=r"found \d+ studies with both an image and a report \(\d for training, \d+ held out by patient\); pretraining needs at least 4"):
        train(pretrain_store, tmp_path / "few", _cfg(held_out_fraction=0.9))


@pytest.mark.parametrize("option, value, message", [
    ("loss", "triplet", "--loss 'triplet': choose one of clip, siglip"),
    ("optimizer", "sgd", "--optimizer 'sgd': choose one of adamw, lion"),
    ("accum_steps", 3, "--batch-size 8 is not a multiple of --accum-steps 3"),
    ("text_mode", "impression", "--text-mode 'impression'"),
    ("text_warmup_steps", -1, "--text-warmup must be 0 or more steps"),
    ("full_text_p", 1.5, "--full-text-p 1.5: a probability"),
])
def test_bad_options_are_named(pretrain_store, tmp_path, option, value, message):
    with pytest.raises(TrainConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        train(pretrain_store, tmp_path / "bad", _cfg(**{option: value}))


def test_lion_and_accumulation_train(pretrain_store, tmp_path):
    summary = train(pretrain_store, tmp_path / "lion", _cfg(max_steps=4, optimizer="lion", lr=3e-4, accum_steps=2))
    assert summary.steps == 4 and np.isfinite(summary.final_loss)
    state = json.loads((tmp_path / "lion" / "last" / "state.json").read_text())
    assert "betas" in state["optimizer"]["param_groups"][0]
    assert any(k.endswith(".exp_avg") for k in load_file(str(tmp_path / "lion" / "last" / "optimizer.safetensors")))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_process_ddp_gradient_equals_the_single_process_gradient(pretrain_store, tmp_path):
    """2 gloo ranks × 4 pairs, features all-gathered with gradient: the same gradient as 1 process × 8 pairs."""
    import torch.multiprocessing as mp
    from open_clip.loss import ClipLoss

    from tests.ddp_worker import batch_from_store, gradient_worker, model_for

    out = tmp_path / "ddp_grad.safetensors"
    mp.spawn(gradient_worker, args=(2, str(pretrain_store), str(out), _free_port()), nprocs=2, join=True)
    clip = model_for(pretrain_store)
    pixels, tokens = batch_from_store(pretrain_store, clip)
    image_features, text_features, scale = clip.model(pixels, tokens)[:3]
    ClipLoss()(image_features, text_features, scale).backward()
    ddp = load_file(str(out))
    single = {n: p.grad for n, p in clip.model.named_parameters() if p.grad is not None}
    assert ddp.keys() == single.keys() and "logit_scale" in ddp
    for name, grad in single.items():
        torch.testing.assert_close(ddp[name], grad, rtol=1e-4, atol=1e-6, msg=name)


@pytest.mark.parametrize("extra", [[], ["--text-warmup", "3", "--lock-text"]], ids=["plain", "text-warmup-locked"])
def test_torchrun_two_cpu_processes_train_one_run(pretrain_store, tmp_path, extra):
    """The real command under torchrun (gloo): one run folder, one progress (with a text warm-up and the
    locked-text forward under DDP too)."""
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    run = tmp_path / "ddp"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2", str(repo / "cli.py"),
           "pretrain", "--store", str(pretrain_store), "--out", str(run), "--model", "tiny", "--max-steps", "4",
           "--batch-size", "4", "--device", "cpu", "--precision", "fp32", "--val-every", "2", *extra]
    env = {**__import__("os").environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(repo)}
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, cwd=repo)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "× 2 processes" in result.stdout and result.stdout.count("pretrained 4 steps") == 1
    config = json.loads((run / "checkpoint" / "config.json").read_text())
    assert config["extra"]["training"]["world_size"] == 2
    state = json.loads((run / "last" / "state.json").read_text())
    assert state["step"] == 4 and state["pairs_seen"] == 4 * 4 * 2  # steps × per-rank batch × ranks
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records if r["split"] == "val"] == [2, 4]
    assert [r["step"] for r in records if r["split"] == "text_warmup"] == ([1, 3] if extra else [])


def test_siglip_trains_a_logit_bias_that_the_checkpoint_keeps(pretrain_store, tmp_path):
    from bonesearch.models.checkpoint import load_checkpoint

    summary = train(pretrain_store, tmp_path / "siglip", _cfg(max_steps=6, loss="siglip"))
    log = [json.loads(line) for line in (tmp_path / "siglip" / "metrics.jsonl").read_text().splitlines()]
    train_log = [r for r in log if r["split"] == "train"]
    assert train_log[0]["logit_bias"] != train_log[-1]["logit_bias"] and abs(train_log[0]["logit_bias"] + 10) < 0.1
    assert abs(train_log[0]["logit_scale"] - 10) < 0.5  # SigLIP's initial temperature
    clip = load_checkpoint(summary.checkpoint)
    assert clip.model.logit_bias is not None and abs(float(clip.model.logit_bias.detach()) - train_log[-1]["logit_bias"]) < 0.05


def test_gradient_checkpointing_gives_the_same_gradient(pretrain_store):
    """Recomputing activations in the backward pass changes memory, not the gradient (train mode, both towers:
    the recomputation replays the same dropout masks)."""
    from open_clip.loss import ClipLoss

    from bonesearch.models.factory import create_model
    from pretrain.step import forward_backward

    with Store.open(pretrain_store) as store:
        pairs = load_pairs(store)
    grads = []
    for checkpointing in (False, True):
        clip = create_model("tiny", reports=pairs.texts, seed=3)
        if checkpointing:  # (open_clip's HF tower turns it on even for set_grad_checkpointing(False))
            clip.model.set_grad_checkpointing(True)
        assert clip.model.text.transformer.is_gradient_checkpointing == checkpointing
        assert clip.model.visual.trunk.grad_checkpointing == checkpointing
        clip.model.train()
        torch.manual_seed(0)
        pixels, tokens = clip.preprocess_images(pairs.first_views()[:6]), clip.tokenize(pairs.texts[:6])
        forward_backward(clip.model, ClipLoss(), pixels, tokens, 1, torch.autocast("cpu", enabled=False))
        grads.append({n: p.grad for n, p in clip.model.named_parameters() if p.grad is not None})
    assert grads[1].keys() == grads[0].keys()
    for name, grad in grads[0].items():
        torch.testing.assert_close(grads[1][name], grad, rtol=1e-4, atol=1e-6, msg=name)
