"""Train the burned-in text detector (:mod:`bonesearch.deid.text_detector`) on synthetic stamps.

Usage: python -m pretrain.text_detector [--samples 6000] [--steps 2000] [--real ../shared/data]
                                        [--out bonesearch/deid/data/text_detector.safetensors]

Each sample is what ingest stores: a phantom radiograph (or a real one from ``--real``) with
0-2 blocks of text — identity stamps, radiograph labels, random letters and digits — drawn
by :mod:`bonesearch.demo.stamps` at 0.6-7 % of the long side, reduced as ingest reduces it
(the screened copy, then the stored square). The target marks the 4 x 4 cells covered by a
line of text at least ``--min-height`` px high in the square; smaller text and the cells at
a line's edge are left out of the loss. Training fonts: DejaVu and PIL's own; Liberation
fonts are held out, so the validation (and ``bench/burned_in_stamps.py``) shows how the
detector does on fonts it never saw. The threshold is the lowest that keeps the share of
real radiographs (``--real``, no stamp drawn) with any redaction under ``--real-budget``;
validation figures are printed and saved in the JSON beside the weights.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import string
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

from bonesearch.deid.burned_in import BurnedInPolicy
from bonesearch.deid.text_detector import CELL, WEIGHTS, TextDetector, build_net, normalise
from bonesearch.demo.stamps import (LABELS, available_fonts, draw_text, random_identity, random_long_side,
                                    random_phantom, stamp_layout)
from bonesearch.imaging.pixel_cache import CACHE_SIZE, box_in_cached_square, box_reduce, to_cached_square

HELD_OUT_FONTS = ("Liberation",)


def training_fonts() -> list[str]:
    """The stamp fonts the detector learns from (Liberation held out)."""
    return [f for f in available_fonts() if not f.startswith(HELD_OUT_FONTS)]


def _random_lines(rng: random.Random) -> list[str]:
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "  ./:-"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(2, 24))).strip() or "X"
            for _ in range(rng.randint(1, 3))]


def _background(rng: random.Random, real_files: list[Path]) -> np.ndarray:
    if real_files and rng.random() < 0.3:
        img = np.asarray(Image.open(rng.choice(real_files)).convert("L"), dtype=np.float32) / 255.0
        scale = rng.choice([1, 1, 2, 3])  # real files are small here; archives hold larger ones
        return np.kron(img, np.ones((scale, scale), dtype=np.float32)) if scale > 1 else img.copy()
    return random_phantom(rng, random_long_side(rng), marker=False)  # markers are drawn as labels, and marked


def make_sample(index: int, seed: int, fonts: list[str], real_files: list[Path], text_share: float = 0.75,
                min_height: float = 2.5, size: int = CACHE_SIZE) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One stored square (uint8 ``[size, size]``), its cell target and cell weight (``[size/4, size/4]``)."""
    rng = random.Random(f"text-detector-{seed}-{index}")
    img = _background(rng, real_files)
    lines_drawn = []  # (box in img pixels, line height)
    blocks = 0 if rng.random() > text_share else rng.choice([1, 1, 1, 2])
    for _ in range(blocks):
        kind = rng.random()
        if kind < 0.6:
            lines = stamp_layout(random_identity(rng), rng)[1]
            frac = math.exp(rng.uniform(math.log(0.006), math.log(0.05)))
        elif kind < 0.8:
            lines, frac = [rng.choice(LABELS)], math.exp(rng.uniform(math.log(0.012), math.log(0.07)))
        else:
            lines, frac = _random_lines(rng), math.exp(rng.uniform(math.log(0.006), math.log(0.05)))
        style = draw_text(img, lines, rng, fonts, frac)
        lines_drawn += [(box, box[2] - box[0]) for box in style.line_boxes]
    u8 = np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)
    decode_size = max(size, BurnedInPolicy().screen_size)
    factor = max(1, max(u8.shape) // decode_size)
    copy = box_reduce(u8, factor) if factor > 1 else u8
    square = to_cached_square(copy, size)
    scale = size / max(copy.shape) / factor  # drawn pixels -> square pixels
    ink = np.zeros((size, size), dtype=np.float32)
    small = np.zeros((size, size), dtype=bool)
    for box, height in lines_drawn:
        t, lft, b, r = box_in_cached_square(tuple(v / factor for v in box), copy.shape, size)
        rows, cols = slice(t, b), slice(lft, r)
        if height * scale >= min_height:
            ink[rows, cols] = 1.0
        else:
            small[rows, cols] = True
    n = size // CELL
    cover = ink.reshape(n, CELL, n, CELL).mean(axis=(1, 3))
    target = (cover >= 0.5).astype(np.float32)
    weight = np.ones((n, n), dtype=np.float32)
    weight[(cover > 0) & (cover < 0.5)] = 0.0  # a line's edge: either answer is right
    weight[small.reshape(n, CELL, n, CELL).any(axis=(1, 3)) & (target == 0)] = 0.0  # text too small to read
    return square, target, weight


def _make_chunk(args: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    indices, seed, fonts, real_files = args
    parts = [make_sample(i, seed, fonts, real_files) for i in indices]
    return tuple(np.stack(p) for p in zip(*parts))  # type: ignore[return-value]


def make_set(count: int, seed: int, fonts: list[str], real_files: list[Path], workers: int) -> tuple[np.ndarray, ...]:
    """``count`` samples (squares, targets, weights), generated in ``workers`` processes."""
    step = 50
    chunks = [(list(range(i, min(i + step, count))), seed, fonts, real_files) for i in range(0, count, step)]
    with ProcessPoolExecutor(workers) as pool:
        parts = list(pool.map(_make_chunk, chunks))
    return tuple(np.concatenate(p) for p in zip(*parts))


def _crops(squares, targets, weights, rng: np.random.Generator, batch: int, crop: int):
    """A batch of ``crop``-px crops (cell-aligned); half centred on text when the square holds some."""
    import torch

    n, size = squares.shape[0], squares.shape[1]
    idx = rng.integers(0, n, batch)
    xs, ts, ws = [], [], []
    c = crop // CELL
    for i in idx:
        hot = np.argwhere(targets[i] > 0)
        if len(hot) and rng.random() < 0.5:
            cy, cx = hot[rng.integers(len(hot))]
            y0 = int(np.clip(cy - rng.integers(0, c), 0, size // CELL - c))
            x0 = int(np.clip(cx - rng.integers(0, c), 0, size // CELL - c))
        else:
            y0, x0 = (int(v) for v in rng.integers(0, size // CELL - c + 1, 2))
        xs.append(squares[i, y0 * CELL:(y0 + c) * CELL, x0 * CELL:(x0 + c) * CELL])
        ts.append(targets[i, y0:y0 + c, x0:x0 + c])
        ws.append(weights[i, y0:y0 + c, x0:x0 + c])
    return normalise(np.stack(xs)), torch.from_numpy(np.stack(ts))[:, None], torch.from_numpy(np.stack(ws))[:, None]


def train(data: tuple[np.ndarray, ...], steps: int, batch: int = 32, crop: int = 128, lr: float = 3e-3, seed: int = 0):
    """Adam on a weighted binary cross-entropy over cells, cosine learning rate; returns the network."""
    import torch

    torch.manual_seed(seed)
    net = build_net()
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.05)
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    for step in range(steps):
        x, t, w = _crops(*data, rng, batch, crop)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(net(x), t, weight=w * (1 + 2 * t))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 200 == 0 or step == steps - 1:
            print(f"  step {step}/{steps} loss {loss.item():.4f} ({time.perf_counter() - t0:.0f} s)", flush=True)
    return net.eval()


def _probabilities(net, squares: np.ndarray, batch: int = 64) -> np.ndarray:
    import torch

    out = []
    with torch.inference_mode():
        for i in range(0, len(squares), batch):
            out.append(torch.sigmoid(net(normalise(squares[i:i + batch])))[:, 0].numpy())
    return np.concatenate(out)


def validate(net, data: tuple[np.ndarray, ...], real: np.ndarray, threshold: float) -> dict[str, float]:
    """Line coverage on held-out samples and the share of real radiographs redacted at ``threshold``."""
    squares, targets, weights = data
    detector = TextDetector(net, threshold)
    covered = lines = 0
    false_images = clean = 0
    for sq, tg in zip(squares, targets):
        boxes = detector.regions(sq)
        mask = np.zeros(sq.shape, dtype=bool)
        for t, left, b, r in boxes:
            mask[t:b, left:r] = True
        cells = mask.reshape(tg.shape[0], CELL, tg.shape[1], CELL).all(axis=(1, 3))
        if tg.any():
            lab, k = ndimage.label(tg > 0)
            lines += k
            covered += sum(bool(cells[lab == j].mean() >= 0.9) for j in range(1, k + 1))
        else:
            clean += 1
            false_images += bool(boxes)
    real_hit = sum(bool(detector.regions(sq)) for sq in real)
    return {"threshold": threshold, "text_regions_covered": covered / max(1, lines), "text_regions": lines,
            "clean_synthetic_redacted": false_images / max(1, clean), "clean_synthetic": clean,
            "real_redacted": real_hit / max(1, len(real)), "real": len(real)}


def main() -> None:
    import torch
    from safetensors.torch import save_file

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=6000)
    parser.add_argument("--val-samples", type=int, default=1200)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--real", type=Path, help="a folder of real radiograph PNGs (no identity text), e.g. ../shared/data")
    parser.add_argument("--real-budget", type=float, default=0.02, help="largest share of real radiographs redacted")
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    args = parser.parse_args()
    torch.set_num_threads(args.workers)
    real_files = sorted(args.real.rglob("*.png")) if args.real else []
    rng = random.Random(args.seed)
    rng.shuffle(real_files)
    real_train, real_val = real_files[: len(real_files) // 2], real_files[len(real_files) // 2:]
    fonts = training_fonts()
    t0 = time.perf_counter()
    data = make_set(args.samples, args.seed, fonts, real_train, args.workers)
    val = make_set(args.val_samples, args.seed + 1000, available_fonts(), real_val, args.workers)
    real = np.stack([to_cached_square(np.asarray(Image.open(p).convert("L"))) for p in real_val])
    print(f"{len(data[0])} training squares, {len(val[0])} validation (all fonts), {len(real)} real; "
          f"{time.perf_counter() - t0:.0f} s")
    net = train(data, args.steps, seed=args.seed)
    probs = _probabilities(net, real) if len(real) else np.zeros((0, 1, 1))
    peak = np.sort(probs.reshape(len(probs), -1).max(axis=1)) if len(real) else np.array([0.5])
    threshold = float(max(0.5, peak[min(len(peak) - 1, int(math.ceil((1 - args.real_budget) * len(peak))))]))
    figures = validate(net, val, real, threshold)
    print(json.dumps(figures, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, str(args.out))
    command = " ".join(["python -m pretrain.text_detector", *sys.argv[1:]])
    meta = {"threshold": threshold, "trained_by": command, "samples": args.samples,
            "steps": args.steps, "seed": args.seed, "training_fonts": fonts, "real_training_images": len(real_train),
            "validation": figures}
    args.out.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"saved {args.out} (threshold {threshold:.3f})")


if __name__ == "__main__":
    main()
