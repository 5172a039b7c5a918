"""Indexing throughput: images/s of `bonesearch index` from the pixel cache, and of the model alone.

Builds a synthetic store through the store API (:func:`pretrain_throughput.synthetic_store`:
smooth random cached PNGs + French reports; needs neither pydicom nor spaCy, so it runs on a
bare GPU box), saves a random-weight checkpoint of ``--model``, then:

1. ``model``: images/s of ``BoneClip.encode_images`` on uint8 batches already in memory
   (the compute bound: bf16 autocast on CUDA);
2. ``index``: ``indexer.build_index.build_image_index`` end to end — PNG decode workers,
   pinned memory, the model, the three FAISS indexes and their atomic writes — reported as
   images/s of the embedding stage and of the whole job.

GPU (the issue's setting: target ≥ 5,000 images/s with ViT-B/16 at 224 on an H100/H200;
compute anchor 9,000 images/s on an H200)::

    python bench/index_build.py --model vitb16-bertbase --studies 15000 --batch-size 512 --device cuda

CPU (this machine)::

    python bench/index_build.py --model small --studies 400 --batch-size 64 --device cpu
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pretrain_throughput import FINDINGS, synthetic_store  # noqa: E402

GPU_TARGET = 5000.0  # images/s, ViT-B/16 at 224 from the pixel cache (the issue)
GPU_COMPUTE_ANCHOR = 9000.0  # images/s, ViT-B/16 forward in bf16 on an H200


def model_rate(clip, cache_size: int, batch_size: int, batches: int) -> float:
    """Images/s of ``encode_images`` alone on random uint8 batches (after two warm-up batches)."""
    batch = torch.randint(0, 255, (batch_size, cache_size, cache_size), dtype=torch.uint8)
    if clip.device.type == "cuda":
        batch = batch.pin_memory()
    for _ in range(2):
        clip.encode_images(batch, batch_size=batch_size)
    start = time.perf_counter()
    for _ in range(batches):
        clip.encode_images(batch, batch_size=batch_size)
    return batches * batch_size / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="small")
    parser.add_argument("--studies", type=int, default=400, help="synthetic studies (1-3 images each, ~2 on average)")
    parser.add_argument("--cache-size", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--workers", type=int, default=None, help="PNG decode processes (default: the index command's)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--model-batches", type=int, default=5)
    parser.add_argument("--store", type=Path, default=None, help="index this store (its index is rebuilt) instead of a synthetic one")
    args = parser.parse_args()

    from bonesearch.models.checkpoint import load_checkpoint, save_checkpoint
    from bonesearch.models.device import resolve_device
    from bonesearch.models.factory import create_model
    from indexer.build_index import build_image_index

    device = resolve_device(args.device)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store = args.store or synthetic_store(root, args.studies, args.cache_size)
        checkpoint = save_checkpoint(create_model(args.model, reports=list(FINDINGS) * 20, seed=0), root / "checkpoint")
        clip = load_checkpoint(checkpoint, device=device)
        name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU ({torch.get_num_threads()} threads)"
        print(f"model {args.model} ({clip.image_size} px, {clip.embed_dim}-d) on {name}, batch {args.batch_size}")

        rate = model_rate(clip, args.cache_size, args.batch_size, args.model_batches)
        anchor = f" ({rate / GPU_COMPUTE_ANCHOR:.2f}x the H200 compute anchor)" if device.type == "cuda" else ""
        print(f"model_images_per_s: {rate:,.0f}{anchor}")
        del clip
        if device.type == "cuda":
            torch.cuda.empty_cache()

        summary = build_image_index(store, checkpoint, device=str(device), batch_size=args.batch_size, workers=args.workers)
        target = f" ({summary.embed_images_per_second / GPU_TARGET:.2f}x the 5,000 images/s target)" if device.type == "cuda" else ""
        print(f"index: {summary.images} images, {summary.reports_embedded} reports, {summary.studies_computed} studies "
              f"in {summary.seconds:.1f} s ({summary.factory})")
        print(f"index_embed_images_per_s: {summary.embed_images_per_second:,.0f}{target}")
        print(f"index_job_images_per_s: {summary.images_per_second:,.0f} (model load, reports, FAISS and writes included)")


if __name__ == "__main__":
    main()
