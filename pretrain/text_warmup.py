"""A short self-supervised warm-up of a from-scratch text tower before contrastive training.

A BERT initialised at random maps every report to almost the same vector: on the knee
reports the pooled features of any two reports have cosine 0.9998 (CLS) or 0.98 (mean
pooling), although a kNN on them still tells the grades apart. The CLIP loss then sees
no difference between the reports of a batch and gives neither tower a gradient worth the
name: training sits on the ln(batch) plateau. A few hundred steps of SimCSE-style
contrastive learning on the reports alone (a report against a shorter view of itself,
or against itself with other dropout; the other reports of the batch as negatives) spread
the reports out while keeping similar wording close (cosine 0.47 within a KL grade, 0.29
across grades after 150 steps), and image/report training can start from there.

The warm-up needs no images, is seeded by (seed, step), and runs before step 0 of a fresh
run only: a resumed run already holds the warmed-up weights.
"""

from __future__ import annotations

import math
import random
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from pretrain.data import step_seed
from pretrain.pairs import StudyPairs

TEMPERATURE = 0.05  # SimCSE's
WARMUP_LR = 1e-3
SHORT_VIEW_P = 0.7  # the second text is a shorter view of the report this often, else the report itself


@dataclass
class TextWarmupResult:
    """What the warm-up did: steps, its loss at the start and at the end, wall time."""

    steps: int
    first_loss: float
    last_loss: float
    seconds: float


def warm_up_text_tower(clip, pairs: StudyPairs, steps: int, batch_size: int, seed: int,
                       autocast: AbstractContextManager, on_step=None) -> TextWarmupResult:
    """Train ``clip.model.text`` (transformer + projection) with a SimCSE-style loss on ``pairs``' reports.

    ``on_step(step, loss)`` is called after every step (progress, metrics). The rest of the
    model is untouched; the text tower is left in train mode, with its parameters
    trainable or locked as they were.
    """
    text_tower = clip.model.text
    params = list(text_tower.parameters())
    locked = [p.requires_grad for p in params]  # --lock-text freezes the tower after its warm-up
    for p in params:
        p.requires_grad_(True)
    optimizer = torch.optim.AdamW(params, lr=WARMUP_LR, weight_decay=0.01)
    text_tower.train()
    batch = min(batch_size, len(pairs))
    first = last = float("nan")
    start = time.perf_counter()
    for step in range(steps):
        rng = random.Random(f"text-warmup:{seed}:{step}")
        torch.manual_seed(step_seed(seed, step))  # dropout
        chosen = rng.sample(range(len(pairs)), batch)
        anchors = [pairs.texts[i] for i in chosen]
        views = [pairs.sample_text(i, rng, full_p=1 - SHORT_VIEW_P) for i in chosen]
        for group in optimizer.param_groups:
            group["lr"] = _lr(step, steps)
        with autocast:
            a = F.normalize(text_tower(clip.tokenize(anchors).to(clip.device)).float(), dim=-1)
            b = F.normalize(text_tower(clip.tokenize(views).to(clip.device)).float(), dim=-1)
            logits = a @ b.T / TEMPERATURE
            target = torch.arange(batch, device=logits.device)
            loss = (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        last = float(loss.detach())
        first = last if step == 0 else first
        if on_step is not None:
            on_step(step + 1, last)
    for p, trainable in zip(params, locked):
        p.requires_grad_(trainable)
    return TextWarmupResult(steps, first, last, time.perf_counter() - start)


def _lr(step: int, steps: int) -> float:
    """10 % linear warm-up, then cosine decay to a tenth."""
    ramp = max(1, steps // 10)
    if step < ramp:
        return WARMUP_LR * (step + 1) / ramp
    progress = (step - ramp) / max(1, steps - ramp)
    return WARMUP_LR * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))
