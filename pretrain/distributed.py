"""Distributed data parallel under ``torchrun``: process group, device, and the few collectives the loop needs.

``torchrun --nproc-per-node N -m cli pretrain ...`` (or ``bonesearch pretrain`` under
torchrun) sets ``RANK``/``WORLD_SIZE``/``LOCAL_RANK``; each process then trains on its share
of every global batch, the contrastive loss gathers the features of all ranks (open_clip's
``gather_with_grad``), and DDP averages the gradients. NCCL on CUDA, gloo on CPU (the CPU
test runs two gloo processes). Without torchrun, everything here is a no-op.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist

from bonesearch.models.device import resolve_device


@dataclass(frozen=True)
class DistInfo:
    """This process's place in the job."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1


def is_main_process() -> bool:
    """Whether this process shows progress and summaries: rank 0 under torchrun, or a process run alone.

    Reads ``RANK`` (set by torchrun), so it answers before the process group is joined.
    """
    return int(os.environ.get("RANK", "0")) == 0


def init_distributed(device_spec: str) -> tuple[DistInfo, torch.device]:
    """Join the torchrun job when there is one; returns this process's info and device."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = True  # fp32 leftovers of bf16 autocast run on tensor cores
        torch.backends.cudnn.allow_tf32 = True
    if world <= 1:
        return DistInfo(), resolve_device(device_spec)
    rank, local_rank = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    device = resolve_device(device_spec)
    if device.type == "cuda":
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo", rank=rank, world_size=world)
    return DistInfo(rank, world, local_rank), device


def barrier(info: DistInfo) -> None:
    if info.enabled:
        dist.barrier()


def broadcast_parameters(info: DistInfo, module: torch.nn.Module) -> None:
    """Overwrite ``module``'s parameters on every rank with rank 0's (after a step run on each rank alone)."""
    if not info.enabled:
        return
    with torch.no_grad():
        for param in module.parameters():
            dist.broadcast(param.data, src=0)


def all_equal(info: DistInfo, value: Any) -> bool:
    """Whether every rank holds the same (picklable) ``value``."""
    if not info.enabled:
        return True
    values: list[Any] = [None] * info.world_size
    dist.all_gather_object(values, value)
    return all(v == values[0] for v in values)


def shutdown(info: DistInfo) -> None:
    if info.enabled and dist.is_initialized():
        dist.destroy_process_group()


def any_rank(info: DistInfo, flag: bool, device: torch.device) -> bool:
    """True on every rank when ``flag`` is True on any (a stop decision all ranks must share)."""
    if not info.enabled:
        return flag
    value = torch.tensor([1.0 if flag else 0.0], device=device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item() > 0)
