"""Hard-negative batches (--hard-negatives): a share of each batch from studies of one header body
part, every study at most once per epoch, the same share on every rank, reproducible for a resume."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from pretrain.data import EpochBatches, Position, grouped_epoch_order

#: 12 body parts in hospital-like proportions (knees and wrists common, pelvis and forearms rare)
PARTS = ["KNEE"] * 90 + ["WRIST"] * 70 + ["HAND"] * 60 + ["SHOULDER"] * 50 + ["HIP"] * 45 + ["ANKLE"] * 35 + \
    ["ELBOW"] * 30 + ["FOOT"] * 25 + ["SPINE"] * 25 + ["LEG"] * 15 + ["PELVIS"] * 10 + ["FOREARM"] * 8


def _groups(seed: int = 0) -> list[str]:
    parts = list(PARTS)
    random.Random(seed).shuffle(parts)
    return parts


@pytest.mark.parametrize("batch,world,share", [(16, 1, 0.5), (8, 2, 0.5), (8, 4, 0.25), (16, 1, 1.0)])
def test_each_rank_gets_its_share_of_one_body_part(batch, world, share) -> None:
    groups = _groups()
    span = batch * world
    order = grouped_epoch_order(groups, seed=3, epoch=0, batch_size=batch, world_size=world, share=share)
    assert sorted(order) == list(range(len(groups)))  # a permutation: every study once
    per_rank = round(share * batch)
    grouped_batches = 0
    for b in range(len(groups) // span):
        ranks = [order[b * span + r * batch: b * span + (r + 1) * batch] for r in range(world)]
        # the batch's chunk: the most common body part, which every rank holds at least per_rank times
        part, _ = Counter(groups[s] for s in sum(ranks, [])).most_common(1)[0]
        if all(sum(groups[s] == part for s in rank) >= per_rank for rank in ranks):
            grouped_batches += 1
    # one chunk per batch while the body parts have whole chunks left (a random batch rarely holds one)
    chunks = sum(n // (per_rank * world) for n in Counter(groups).values())
    assert grouped_batches >= min(len(groups) // span, chunks)


def test_random_batches_are_not_grouped() -> None:
    """The check above can fail: without groups, batches rarely hold a half of one body part."""
    groups = _groups()
    sampler = EpochBatches(len(groups), 16, seed=3)
    grouped = sum(Counter(groups[s] for s, _ in batch).most_common(1)[0][1] >= 8 for batch in sampler)
    assert grouped <= 0.3 * sampler.batches_per_epoch


def test_the_order_is_reproducible_and_resumes_mid_epoch() -> None:
    groups = _groups()
    whole = EpochBatches(len(groups), 16, seed=5, groups=groups, group_share=0.5)
    whole.position = Position(epoch=2, batch=0)
    batches = list(whole)
    resumed = EpochBatches(len(groups), 16, seed=5, groups=groups, group_share=0.5)
    resumed.position = Position(epoch=2, batch=7)
    assert list(resumed) == batches[7:]
    other_epoch = EpochBatches(len(groups), 16, seed=5, groups=groups, group_share=0.5)
    other_epoch.position = Position(epoch=3, batch=0)
    assert list(other_epoch) != batches


def test_small_archives_fall_back_to_random_batches() -> None:
    groups = ["KNEE", "HAND", "KNEE"]
    assert sorted(grouped_epoch_order(groups, 0, 0, batch_size=8, world_size=1, share=0.5)) == [0, 1, 2]
    assert grouped_epoch_order(groups, 0, 0, batch_size=1, world_size=1, share=0.4) == \
        grouped_epoch_order(groups, 0, 0, batch_size=1, world_size=1, share=0.0)  # round(0.4) = 0 per rank


def test_the_share_is_checked() -> None:
    from pretrain.config import TrainConfig, TrainConfigError

    with pytest.raises(TrainConfigError, match="--hard-negatives"):
        TrainConfig(hard_negative_share=1.5).check()
