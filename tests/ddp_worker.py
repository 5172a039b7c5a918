"""Worker for the 2-process gloo test: one rank's share of a batch through DDP + ClipLoss's all-gather."""

from __future__ import annotations

import os
from pathlib import Path

import torch
import torch.distributed as dist
from open_clip.loss import ClipLoss
from safetensors.torch import save_file

BATCH = 8


def batch_from_store(store_path: Path, clip):
    """The first BATCH studies' first image and report: (pixels, tokens)."""
    from bonesearch.store import Store
    from pretrain.pairs import load_pairs

    with Store.open(store_path) as store:
        pairs = load_pairs(store)
    return clip.preprocess_images(pairs.first_views()[:BATCH]), clip.tokenize(pairs.texts[:BATCH])


def model_for(store_path: Path):
    from bonesearch.models.factory import create_model
    from bonesearch.store import Store
    from pretrain.pairs import load_pairs

    with Store.open(store_path) as store:
        texts = load_pairs(store).texts
    clip = create_model("tiny", reports=texts, seed=3)
    clip.model.eval()  # no dropout, fixed norm statistics: the gradient is a pure function of the batch
    return clip


def gradient_worker(rank: int, world: int, store_path: str, out_file: str, port: int) -> None:
    """Compute this rank's DDP gradient of the gathered InfoNCE loss; rank 0 saves it."""
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        torch.set_num_threads(1)
        clip = model_for(Path(store_path))
        pixels, tokens = batch_from_store(Path(store_path), clip)
        share = BATCH // world
        ddp = torch.nn.parallel.DistributedDataParallel(clip.model)
        image_features, text_features, scale = ddp(pixels[rank * share:(rank + 1) * share],
                                                   tokens[rank * share:(rank + 1) * share])[:3]
        loss = ClipLoss(local_loss=False, gather_with_grad=True, rank=rank, world_size=world)(image_features, text_features, scale)
        loss.backward()
        if rank == 0:
            save_file({n: p.grad.contiguous() for n, p in clip.model.named_parameters() if p.grad is not None}, out_file)
    finally:
        dist.destroy_process_group()
