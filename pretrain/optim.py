"""Optimizer (AdamW, or timm's Lion) and the learning-rate schedule (linear warm-up, cosine decay)."""

from __future__ import annotations

import math

import torch

from pretrain.config import TrainConfig


def build_optimizer(model: torch.nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    """AdamW or Lion over the trainable parameters; no weight decay on biases, norms and the logit scale/bias."""
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue  # a locked tower
        (no_decay if param.ndim < 2 or "logit_" in name else decay).append(param)
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    if cfg.optimizer == "lion":
        from timm.optim import Lion

        return Lion(groups, lr=cfg.lr, betas=(0.9, 0.99))
    on_cuda = bool(decay + no_decay) and all(p.is_cuda for p in decay + no_decay)
    return torch.optim.AdamW(groups, lr=cfg.lr, betas=(0.9, 0.98), eps=1e-6, fused=on_cuda or None)  # one kernel on GPU


def lr_at(progress: float, cfg: TrainConfig) -> float:
    """Linear warm-up then cosine decay to 0, as a function of training progress in [0, 1]."""
    if progress < cfg.warmup_fraction:
        return cfg.lr * max(progress / cfg.warmup_fraction, 0.01)
    rest = (progress - cfg.warmup_fraction) / max(1e-9, 1 - cfg.warmup_fraction)
    return cfg.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, rest)))


def training_progress(step: int, total_steps: int, elapsed_seconds: float, cfg: TrainConfig) -> float:
    """Fraction of training done: by steps, or by wall time when a time budget ends it sooner.

    ``elapsed_seconds`` counts the training time of earlier sessions of a resumed run too.
    """
    by_steps = step / max(1, total_steps)
    if cfg.max_minutes:
        return min(1.0, max(by_steps, elapsed_seconds / (cfg.max_minutes * 60)))
    return by_steps


def set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = lr
