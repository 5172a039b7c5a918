"""Training-step and embedding throughput of a registered model on this machine.

Usage: python bench/train_step.py [--model small] [--batch 64] [--steps 10]
Anchors (H200, bf16): CLIP step ViT-B/16 + BERT-base at batch 256 ~1,640 pairs/s;
ViT-B/16 embeds ~9,000 img/s. On 2 CPU cores the ratio only says how far the CPU demo is.
"""

from __future__ import annotations

import argparse
import time

import torch
from open_clip.loss import ClipLoss

from bonesearch.models.device import resolve_device
from bonesearch.models.factory import create_model
from pretrain.augment import AugmentConfig, augment_batch

TRAIN_ANCHOR = 1640.0
EMBED_ANCHOR = 9000.0
REPORT = ("Fracture du radius distal gauche déplacée, type Pouteau-Colles. Pas d'atteinte articulaire. "
          "Conclusion : fracture de l'extrémité distale du radius. ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="small")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--cpu-bf16", action="store_true", help="bf16 autocast on CPU too")
    parser.add_argument("--text-model", default=None, help="text tower: local-dir:PATH or hub name (default: the config's)")
    args = parser.parse_args()
    device = resolve_device(args.device)
    clip = create_model(args.model, text_source=args.text_model, reports=[REPORT * 3] * 50).to(device)
    model = clip.model
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    loss_fn = ClipLoss()
    images = torch.randint(0, 255, (args.batch, 256, 256), dtype=torch.uint8, device=device)
    tokens = clip.tokenize([REPORT * 2] * args.batch, pad_to_context=False).to(device)
    gen = torch.Generator().manual_seed(0)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda" or args.cpu_bf16)

    def step() -> None:
        pixels = clip.preprocess_images(augment_batch(images, clip.image_size, AugmentConfig(), gen))
        with autocast:
            f_img, f_txt, scale = model(pixels, tokens)[:3]
            loss = loss_fn(f_img, f_txt, scale)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    model.train()
    step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    pairs = args.batch * args.steps / (time.perf_counter() - start)
    clip.encode_images(images)
    start = time.perf_counter()
    clip.encode_images(images.repeat(4, 1, 1))
    embed = 4 * args.batch / (time.perf_counter() - start)
    print(f"model: {args.model} ({clip.image_size} px, tokens/text {tokens.shape[1]}) on {device}")
    print(f"train_pairs_per_s: {pairs:.1f} (ratio to H200 ViT-B/16+BERT-base anchor 1640: {pairs / TRAIN_ANCHOR:.4f})")
    print(f"embed_images_per_s: {embed:.1f} (ratio to H200 ViT-B/16 anchor 9000: {embed / EMBED_ANCHOR:.4f})")


if __name__ == "__main__":
    main()
