"""Feeding the trainer: one random image per study per epoch, in a reproducible, resumable order.

Every draw is a function of ``(seed, epoch, study)``: the epoch's study order, which image
of a study is shown and which view of its report — so a run resumed mid-epoch, or read by
any number of loader workers, sees exactly the pairs an uninterrupted run would have.

* :class:`PairDataset` returns ``(uint8 image, text)`` for a key ``(study, epoch)``; pixels
  come from the store's pre-resized PNG cache, or from memory when preloaded (small stores
  on CPU, where a loader process would only steal a core from the model).
* :class:`EpochBatches` is the batch sampler: epoch permutation (optionally with a share of
  each batch from one body part: :func:`grouped_epoch_order`), this process's share of each
  global batch under DDP, and a start offset for resuming.
* :func:`make_loader` wraps them in a ``DataLoader`` (workers, pinned memory, tokenisation in
  the workers) and :func:`measure_loader` times the loader alone.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from bonesearch.imaging.pixel_cache import load_png
from pretrain.pairs import StudyPairs

Key = tuple[int, int]  # (study index, epoch)
PRELOAD_MAX_BYTES = 2 << 30  # preload pixels when the whole cache is smaller than this (2 GiB)


def item_rng(seed: int, epoch: int, study: int) -> random.Random:
    """The random draws of one study in one epoch (image and text view), independent of everything else."""
    return random.Random(f"pair:{seed}:{epoch}:{study}")


def step_seed(seed: int, step: int) -> int:
    """The torch seed of one optimizer step (dropout, augmentations): a resumed run repeats the step exactly."""
    return (seed * 1_000_003 + step) % (2**63)


def epoch_order(n: int, seed: int, epoch: int) -> list[int]:
    """The epoch's shuffled study order."""
    order = list(range(n))
    random.Random(f"order:{seed}:{epoch}").shuffle(order)
    return order


class PairDataset(Dataset):
    """``(study, epoch) → (uint8 [H, W] image, report text)``: one random image and text view of the study."""

    def __init__(self, pairs: StudyPairs, seed: int, full_text_p: float, preload: bool = False) -> None:
        self.pairs, self.seed, self.full_text_p = pairs, seed, full_text_p
        self.pixels: list[np.ndarray] | None = None
        if preload:
            self.pixels = [np.stack([load_png(p) for p in paths]) for paths in pairs.pixel_paths]

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, key: Key) -> tuple[np.ndarray, str]:
        study, epoch = key
        rng = item_rng(self.seed, epoch, study)
        view = rng.randrange(len(self.pairs.pixel_paths[study]))
        image = self.pixels[study][view] if self.pixels is not None else load_png(self.pairs.pixel_paths[study][view])
        return image, self.pairs.sample_text(study, rng, self.full_text_p)


def grouped_epoch_order(groups: list[str], seed: int, epoch: int, batch_size: int, world_size: int,
                        share: float) -> list[int]:
    """The epoch's study order in global batches of ``batch_size × world_size`` where a ``share`` of
    each batch comes from one group (studies of one body part): harder negatives than a random
    batch, in which anatomy alone tells most pairs apart.

    Each group's studies are shuffled and cut into chunks of ``round(share × batch_size) ×
    world_size``; as many chunks as there are batches are drawn (a group's chance follows its
    size), one per batch, and the rest of every batch comes from the other studies, shuffled.
    Each rank's slice holds the same number of its batch's chunk (the per-rank share is exact).
    A function of ``(seed, epoch)`` alone, like :func:`epoch_order`: a resumed run sees the same batches.
    Studies left over past the last whole batch are dropped, as they are without groups.
    """
    n = len(groups)
    span = batch_size * world_size
    per_rank = min(batch_size, round(share * batch_size))
    batches = n // span
    if per_rank == 0 or batches == 0:
        return epoch_order(n, seed, epoch)
    rng = random.Random(f"grouped-order:{seed}:{epoch}")
    members: dict[str, list[int]] = {}
    for study, group in enumerate(groups):
        members.setdefault(group, []).append(study)
    chunk = per_rank * world_size
    chunks: list[list[int]] = []
    for group in sorted(members):
        studies = members[group]
        rng.shuffle(studies)
        chunks += [studies[i:i + chunk] for i in range(0, len(studies) - chunk + 1, chunk)]
    rng.shuffle(chunks)
    chunks = chunks[:batches]
    taken = {study for part in chunks for study in part}
    rest = [study for study in range(n) if study not in taken]
    rng.shuffle(rest)
    order: list[int] = []
    for b in range(batches):
        part = chunks[b] if b < len(chunks) else []
        mine = len(part) // world_size  # this batch's chunk studies per rank
        fill = batch_size - mine
        for rank in range(world_size):
            order += part[rank * mine:(rank + 1) * mine]
            order += rest[:fill]
            del rest[:fill]
    return order + rest


@dataclass
class Position:
    """Where training stands in the data: epoch and batches already consumed in it."""

    epoch: int = 0
    batch: int = 0


class EpochBatches(Sampler[list[Key]]):
    """Batches of keys for one epoch at a time, this rank's share of each global batch.

    ``batches_per_epoch`` global batches of ``batch_size × world_size`` studies (the last
    incomplete one is dropped); rank ``r`` takes slice ``r`` of each. Set ``position`` before
    iterating (the loop does it each epoch; a resume starts mid-epoch).
    """

    def __init__(self, n_studies: int, batch_size: int, seed: int, rank: int = 0, world_size: int = 1,
                 groups: list[str] | None = None, group_share: float = 0.0) -> None:
        self.n, self.batch_size, self.seed, self.rank, self.world = n_studies, batch_size, seed, rank, world_size
        self.groups, self.group_share = groups, group_share  # hard-negative batches: grouped_epoch_order
        self.position = Position()

    @property
    def batches_per_epoch(self) -> int:
        return max(1, self.n // (self.batch_size * self.world))

    def __len__(self) -> int:
        return self.batches_per_epoch - self.position.batch

    def __iter__(self) -> Iterator[list[Key]]:
        epoch = self.position.epoch
        if self.groups is not None and self.group_share > 0:
            order = grouped_epoch_order(self.groups, self.seed, epoch, self.batch_size, self.world, self.group_share)
        else:
            order = epoch_order(self.n, self.seed, epoch)
        span = self.batch_size * self.world
        for b in range(self.position.batch, self.batches_per_epoch):
            start = b * span + self.rank * self.batch_size
            yield [(i, epoch) for i in order[start : start + self.batch_size]]


class Collate:
    """Stack images into a uint8 tensor and tokenise texts (runs in the loader workers)."""

    def __init__(self, tokenize: Callable[[list[str]], torch.Tensor]) -> None:
        self.tokenize = tokenize

    def __call__(self, items: list[tuple[np.ndarray, str]]) -> tuple[torch.Tensor, torch.Tensor]:
        images = torch.from_numpy(np.stack([image for image, _ in items]))
        return images, self.tokenize([text for _, text in items])


def default_workers(device: torch.device) -> int:
    """0 on CPU (the model needs every core; pixels are preloaded), else min(8, cores - 1)."""
    if device.type != "cuda":
        return 0
    return max(1, min(8, (os.cpu_count() or 2) - 1))


def should_preload(pairs: StudyPairs, workers: int) -> bool:
    """Preload pixels in the main process when there are no workers and the cache is small."""
    if workers > 0 or not len(pairs):
        return False
    from PIL import Image

    with Image.open(pairs.pixel_paths[0][0]) as first:  # every cached square has the store's size
        width, height = first.size
    return sum(len(paths) for paths in pairs.pixel_paths) * width * height < PRELOAD_MAX_BYTES


def make_loader(dataset: PairDataset, sampler: EpochBatches, tokenize: Callable[[list[str]], torch.Tensor],
                workers: int, pin_memory: bool) -> DataLoader:
    """The training ``DataLoader``: persistent workers (the sampler's position changes between epochs)."""
    if workers > 0:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # the workers are the parallelism
    return DataLoader(
        dataset,
        batch_sampler=sampler,
        num_workers=workers,
        collate_fn=Collate(tokenize),
        pin_memory=pin_memory,
        persistent_workers=workers > 0,
        prefetch_factor=4 if workers > 0 else None,
    )


def build_training_loader(pairs: StudyPairs, seed: int, full_text_p: float, batch_size: int,
                          tokenize: Callable[[list[str]], torch.Tensor], device: torch.device,
                          workers: int | None = None, rank: int = 0, world_size: int = 1,
                          group_share: float = 0.0) -> tuple[DataLoader, EpochBatches, int]:
    """The training loader, its batch sampler and its worker count (None: :func:`default_workers`);
    ``group_share`` of each batch from studies of one header body part (:func:`grouped_epoch_order`)."""
    workers = workers if workers is not None else default_workers(device)
    groups = pairs.body_parts if group_share > 0 and pairs.body_parts else None
    sampler = EpochBatches(len(pairs), batch_size, seed, rank, world_size, groups, group_share)
    dataset = PairDataset(pairs, seed, full_text_p, preload=should_preload(pairs, workers))
    return make_loader(dataset, sampler, tokenize, workers, device.type == "cuda"), sampler, workers


def measure_loader(loader: DataLoader, sampler: EpochBatches, batches: int) -> float:
    """Pairs per second the loader alone delivers over ``batches`` batches (after one warm-up batch)."""
    done, pairs, start = 0, 0, None
    epoch = 0
    while done <= batches:
        sampler.position = Position(epoch, 0)
        for images, _ in loader:
            if start is None:
                start = time.perf_counter()  # the first batch pays for worker start-up
            else:
                pairs += len(images)
            done += 1
            if done > batches:
                break
        epoch += 1
    return pairs / max(1e-9, time.perf_counter() - (start or time.perf_counter()))
