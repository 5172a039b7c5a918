"""The contrastive training loop: symmetric InfoNCE over image/report pairs.

One random view per study per epoch (as in the paper), batched augmentations on the
device, AdamW with cosine schedule and warm-up, bf16 autocast on CUDA, metrics JSONL,
held-out retrieval at the end, checkpoint as safetensors + config JSON.
"""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from open_clip.loss import ClipLoss

from bonesearch.errors import EmptyStore
from bonesearch.progress import Advance, no_progress
from bonesearch.store import Store
from pretrain.augment import AugmentConfig, augment_batch
from pretrain.pairs import StudyPairs, load_pairs, split_pairs
from pretrain.retrieval import retrieval_metrics


@dataclass
class TrainConfig:
    """Training settings; defaults suit the CPU demo with the `small` model."""

    model: str = "small"  # a registered architecture (`bonesearch models`)
    epochs: int = 30  # passes over the training studies
    max_minutes: float | None = None  # stop early after this wall time
    batch_size: int = 64
    lr: float = 1e-3  # peak learning rate (AdamW)
    weight_decay: float = 0.05
    warmup_fraction: float = 0.05  # of all steps, linear warm-up then cosine decay
    held_out_fraction: float = 0.2  # patients kept out of training (validation + demo evaluation)
    text_mode: str = "technique+findings+conclusion"  # report sections the text tower sees ("full": all)
    full_text_p: float = 0.5  # else a shorter view of the report (conclusion, one sentence…)
    text_source: str | None = None  # text tower: None = BERT from scratch, or local-dir:PATH / hub name
    seed: int = 0
    device: str = "auto"
    precision: str = "auto"  # bf16 autocast on CUDA and on CPUs with native bf16 (AVX512-BF16/AMX); "fp32" to disable
    augment: AugmentConfig = field(default_factory=AugmentConfig)


@dataclass
class TrainSummary:
    """What pretraining did and how well it retrieves on held-out studies."""

    steps: int
    epochs_done: float
    pairs_seen: int
    seconds: float
    train_studies: int
    held_out_studies: int
    final_loss: float
    retrieval: dict[str, float]
    checkpoint: Path

    @property
    def pairs_per_second(self) -> float:
        return self.pairs_seen / self.seconds if self.seconds else 0.0


def use_bf16(device: torch.device, precision: str) -> bool:
    """Whether to train under bf16 autocast: always on CUDA, on CPU only with native bf16 support."""
    if precision not in ("auto", "bf16", "fp32"):
        raise ValueError(f"precision {precision!r}: choose auto, bf16 or fp32")
    if precision != "auto":
        return precision == "bf16"
    if device.type == "cuda":
        return True
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def _optimizer(model: torch.nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        (no_decay if param.ndim < 2 or "logit_" in name else decay).append(param)
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=cfg.lr, betas=(0.9, 0.98), eps=1e-6,
    )


def _lr_at(progress: float, cfg: TrainConfig) -> float:
    """Linear warm-up then cosine decay, as a function of training progress in [0, 1]."""
    if progress < cfg.warmup_fraction:
        return cfg.lr * max(progress / cfg.warmup_fraction, 0.01)
    rest = (progress - cfg.warmup_fraction) / max(1e-9, 1 - cfg.warmup_fraction)
    return cfg.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, rest)))


def _progress(step: int, total_steps: int, start: float, cfg: TrainConfig) -> float:
    """Fraction of training done: by steps, or by wall time when a time budget ends it sooner."""
    by_steps = step / max(1, total_steps)
    if cfg.max_minutes:
        return min(1.0, max(by_steps, (time.perf_counter() - start) / (cfg.max_minutes * 60)))
    return by_steps


def _sample_views(pairs: StudyPairs, order: list[int], rng: random.Random) -> torch.Tensor:
    return torch.from_numpy(np.stack([pairs.images[i][rng.randrange(len(pairs.images[i]))] for i in order]))


def train(store_path: Path, out_dir: Path, cfg: TrainConfig, advance: Advance = no_progress,
          on_total: "callable | None" = None) -> TrainSummary:
    """Pretrain ``cfg.model`` on the store's pairs; write the checkpoint to ``out_dir``."""
    from bonesearch.models.checkpoint import save_checkpoint
    from bonesearch.models.device import resolve_device
    from bonesearch.models.factory import create_model

    start = time.perf_counter()
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    generator = torch.Generator().manual_seed(cfg.seed)
    with Store.open(Path(store_path)) as store:
        pairs = load_pairs(store, cfg.text_mode)
    train_pairs, held_out = split_pairs(pairs, cfg.held_out_fraction)
    if len(train_pairs) < 2:
        raise EmptyStore(f"only {len(train_pairs)} training studies in {store_path}: ingest more studies")
    device = resolve_device(cfg.device)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    clip = create_model(cfg.model, text_source=cfg.text_source, reports=train_pairs.texts,
                        work_dir=out_dir / ".work", seed=cfg.seed).to(device)
    model = clip.model
    model.train()
    loss_fn = ClipLoss()
    optimizer = _optimizer(model, cfg)
    batch = min(cfg.batch_size, len(train_pairs))
    steps_per_epoch = max(1, len(train_pairs) // batch)
    total_steps = steps_per_epoch * cfg.epochs
    if on_total:
        on_total(total_steps)
    loop_start = time.perf_counter()
    deadline = loop_start + cfg.max_minutes * 60 if cfg.max_minutes else None
    metrics_path = out_dir / "metrics.jsonl"
    metrics = open(metrics_path, "w")
    step, pairs_seen, loss_value = 0, 0, float("nan")
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16(device, cfg.precision))
    try:
        for epoch in range(cfg.epochs):
            order = list(range(len(train_pairs)))
            rng.shuffle(order)
            for b in range(steps_per_epoch):
                idx = order[b * batch : (b + 1) * batch]
                images = _sample_views(train_pairs, idx, rng).to(device, non_blocking=True)
                pixels = clip.preprocess_images(augment_batch(images, clip.image_size, cfg.augment, generator))
                text = clip.tokenize([train_pairs.sample_text(i, rng, cfg.full_text_p) for i in idx])
                text = text.to(device, non_blocking=True)
                for group in optimizer.param_groups:
                    group["lr"] = _lr_at(_progress(step, total_steps, loop_start, cfg), cfg)
                with autocast:
                    image_features, text_features, logit_scale = model(pixels, text)[:3]
                    loss = loss_fn(image_features, text_features, logit_scale)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
                optimizer.step()
                with torch.no_grad():
                    model.logit_scale.clamp_(0, math.log(100))
                loss_value = float(loss.detach())
                step += 1
                pairs_seen += len(idx)
                if step == 1 or step % 10 == 0 or step == total_steps:
                    metrics.write(json.dumps({"step": step, "epoch": epoch, "loss": round(loss_value, 4),
                                              "lr": optimizer.param_groups[0]["lr"], "logit_scale": float(model.logit_scale.detach().exp()),
                                              "seconds": round(time.perf_counter() - start, 2)}) + "\n")
                    metrics.flush()
                advance(1)
                if deadline and time.perf_counter() > deadline:
                    break
            if deadline and time.perf_counter() > deadline:
                break
    finally:
        metrics.close()
    train_seconds = time.perf_counter() - start
    model.eval()
    retrieval = evaluate_retrieval(clip, held_out) if len(held_out) >= 2 else {}
    checkpoint = save_checkpoint(clip, out_dir / "checkpoint", extra={
        "training": {**{k: v for k, v in asdict(cfg).items() if k != "augment"}, "augment": asdict(cfg.augment),
                     "steps": step, "pairs_seen": pairs_seen, "final_loss": loss_value,
                     "train_studies": len(train_pairs), "held_out_studies": len(held_out), "held_out_retrieval": retrieval},
    })
    return TrainSummary(step, step / steps_per_epoch, pairs_seen, train_seconds, len(train_pairs), len(held_out),
                        loss_value, retrieval, checkpoint)


def evaluate_retrieval(clip, pairs: StudyPairs) -> dict[str, float]:
    """Image→report and report→image Recall@1/5/10 on held-out studies (first view of each)."""
    first_views = torch.from_numpy(np.stack([views[0] for views in pairs.images]))
    image_vectors = clip.encode_images(first_views).float().cpu().numpy()
    text_vectors = clip.encode_texts(pairs.texts).float().cpu().numpy()
    return retrieval_metrics(image_vectors, text_vectors)

