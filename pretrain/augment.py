"""Batched augmentations on the device, as in the paper (arXiv 2405.08932).

Random resized crop (scale 0.6–1), horizontal flip, rotation ±20°, brightness/contrast,
and an occasional blur — composed into one affine resampling per batch
(``affine_grid`` + ``grid_sample``) so they cost almost nothing on CPU or GPU.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass
class AugmentConfig:
    """Augmentation strengths (the paper's defaults)."""

    scale: tuple[float, float] = (0.6, 1.0)  # fraction of the area kept by the random crop
    ratio: tuple[float, float] = (3 / 4, 4 / 3)  # aspect-ratio range of the crop
    rotation_degrees: float = 20.0
    flip_p: float = 0.5
    brightness: float = 0.2  # ± additive
    contrast: float = 0.2  # ± multiplicative
    blur_p: float = 0.2


def augment_batch(images: torch.Tensor, size: int, cfg: AugmentConfig, generator: torch.Generator) -> torch.Tensor:
    """uint8 [B, H, W] → augmented float [B, 1, size, size] in [0, 1]."""
    b = images.shape[0]
    device = images.device
    x = images.float().div(255.0).unsqueeze(1)
    if x.shape[-1] > 2 * size:  # pre-shrink: cheaper and less aliasing
        x = F.interpolate(x, size=(2 * size, 2 * size), mode="bilinear", antialias=True, align_corners=False)

    def uniform(low: float, high: float) -> torch.Tensor:
        return torch.rand(b, generator=generator).mul(high - low).add(low).to(device)

    area = uniform(*cfg.scale)
    log_ratio = uniform(math.log(cfg.ratio[0]), math.log(cfg.ratio[1]))
    ratio = log_ratio.exp()
    sx = (area * ratio).sqrt().clamp(max=1.0)
    sy = (area / ratio).sqrt().clamp(max=1.0)
    tx = (1 - sx) * uniform(-1, 1)
    ty = (1 - sy) * uniform(-1, 1)
    angle = uniform(-cfg.rotation_degrees, cfg.rotation_degrees) * math.pi / 180
    flip = torch.where(uniform(0, 1) < cfg.flip_p, -1.0, 1.0)
    cos, sin = angle.cos(), angle.sin()
    theta = torch.stack(
        [torch.stack([cos * sx * flip, -sin * sy, tx], 1), torch.stack([sin * sx * flip, cos * sy, ty], 1)], 1
    )
    grid = F.affine_grid(theta, [b, 1, size, size], align_corners=False)
    out = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)

    contrast = uniform(1 - cfg.contrast, 1 + cfg.contrast).view(b, 1, 1, 1)
    brightness = uniform(-cfg.brightness, cfg.brightness).view(b, 1, 1, 1)
    mean = out.mean(dim=(2, 3), keepdim=True)
    out = (out - mean) * contrast + mean + brightness
    if cfg.blur_p > 0:
        blur = uniform(0, 1) < cfg.blur_p
        if blur.any():
            kernel = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0], device=device)
            kernel = (kernel[:, None] * kernel[None, :]) / 256.0
            blurred = F.conv2d(F.pad(out, (2, 2, 2, 2), mode="replicate"), kernel.view(1, 1, 5, 5))
            out = torch.where(blur.view(b, 1, 1, 1), blurred, out)
    return out.clamp(0.0, 1.0)
