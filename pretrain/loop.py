"""The contrastive training loop: image/report pairs from a store → a CLIP checkpoint.

One random image per study per epoch (as in the paper), augmentations batched on the
device, symmetric InfoNCE (``ClipLoss``, features gathered across DDP ranks) or SigLIP,
AdamW/Lion with warm-up + cosine, bf16 autocast, exact gradient accumulation, optional
gradient checkpointing, locked towers and ``torch.compile``. Metrics go to
``RUN/metrics.jsonl``; every ``val_every`` steps the held-out studies are retrieved both
ways and the best model is kept in ``RUN/checkpoint``; ``RUN/last`` is the resume point
(``resume=True`` continues exactly where it stopped, Ctrl-C included).

Run layout::

    RUN/checkpoint/    the model to index with: best on validation (or the final one)
    RUN/last/          resume point (model + optimizer + position)
    RUN/metrics.jsonl  train and validation records
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from bonesearch.errors import TooFewPairs
from bonesearch.progress import Advance, no_progress, progress_bar
from bonesearch.store import Store
from pretrain.augment import augment_batch
from pretrain.config import TrainConfig
from pretrain.data import Position, build_training_loader, step_seed
from pretrain.distributed import (DistInfo, all_equal, any_rank, barrier, broadcast_parameters, init_distributed,
                                  is_main_process, shutdown)
from pretrain.locked_text import LockedTextForward
from pretrain.metrics_log import MetricsLog
from pretrain.optim import build_optimizer, lr_at, set_lr, training_progress
from pretrain.pairs import StudyPairs, load_pairs, split_pairs
from pretrain.retrieval import BestTracker, evaluate_retrieval, retrieval_score
from pretrain.state import RunState, load_resume_point, read_resume_state, save_resume_point
from pretrain.step import forward_backward
from pretrain.text_warmup import warm_up_text_tower

__all__ = ["TrainConfig", "TrainSummary", "train", "train_with_progress_bar", "use_bf16", "evaluate_retrieval"]

MIN_TRAIN_STUDIES = 4  # fewer pairs than this cannot teach a contrastive model anything
SIGLIP_INIT_LOGIT_SCALE, SIGLIP_INIT_LOGIT_BIAS = math.log(10.0), -10.0  # the SigLIP paper's initialisation
LOG_EVERY = 10  # steps between train records in metrics.jsonl


@dataclass
class TrainSummary:
    """What pretraining did and how well it retrieves on held-out studies."""

    steps: int
    epochs_done: float
    pairs_seen: int  # this session, all ranks
    seconds: float  # this session's training time
    train_studies: int
    held_out_studies: int
    final_loss: float
    retrieval: dict[str, float]  # of the kept checkpoint
    checkpoint: Path
    best_step: int | None = None  # the step of the kept checkpoint when validation chose it
    validations: int = 0
    stopped_early: bool = False
    resumed_from: int | None = None
    world_size: int = 1
    loader_workers: int = 0

    @property
    def pairs_per_second(self) -> float:
        return self.pairs_seen / self.seconds if self.seconds else 0.0


def use_bf16(device: torch.device, precision: str) -> bool:
    """Whether to train under bf16 autocast: always on CUDA, on CPU only with native bf16 support."""
    if precision != "auto":
        return precision == "bf16"
    if device.type == "cuda":
        return True
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def train(store_path: Path, out_dir: Path, cfg: TrainConfig, advance: Advance = no_progress,
          on_total: "callable | None" = None, resume: bool = False) -> TrainSummary:
    """Pretrain ``cfg.model`` on the store's pairs into the run folder ``out_dir`` (see the module docstring).

    Under ``torchrun`` every process calls this; rank 0 writes the run folder.
    Raises TooFewPairs (with the counts) when the store cannot feed a contrastive batch,
    TrainConfigError for bad options, ResumeError when ``resume`` finds no usable resume point.
    """
    cfg.check()
    info, device = init_distributed(cfg.device)
    try:
        return _Trainer(Path(store_path), Path(out_dir), cfg, info, device, resume).run(advance, on_total)
    finally:
        shutdown(info)


def train_with_progress_bar(store_path: Path, out_dir: Path, cfg: TrainConfig, resume: bool = False) -> TrainSummary:
    """:func:`train` with a bar of its steps on stderr; under ``torchrun`` only rank 0 shows one."""
    if not is_main_process():
        return train(store_path, out_dir, cfg, resume=resume)
    with progress_bar("pretrain (steps)") as bar:
        return train(store_path, out_dir, cfg, advance=bar, on_total=bar.set_total, resume=resume)


class _Trainer:
    """One run's state and steps (kept in an object so that the loop reads as the paper describes it)."""

    def __init__(self, store_path: Path, out_dir: Path, cfg: TrainConfig, info: DistInfo, device: torch.device,
                 resume: bool) -> None:
        self.cfg, self.info, self.device, self.out_dir = cfg, info, device, out_dir
        with Store.open(store_path) as store:
            pairs = load_pairs(store, cfg.text_mode)
        self.train_pairs, self.held_out = split_pairs(pairs, cfg.held_out_fraction)
        _check_enough(store_path, pairs, self.train_pairs, self.held_out, info)
        out_dir.mkdir(parents=True, exist_ok=True)
        self.state = read_resume_state(out_dir, cfg) if resume else RunState(config=cfg.to_json())
        self.resumed_from = self.state.step if resume else None
        if resume:
            self.clip, self.optimizer = load_resume_point(out_dir, self._optimizer_for, device)
        else:
            self.clip = self._new_model()
            self.optimizer = self._optimizer_for(self.clip.model)
        self.model = self.clip.model
        self.text_cache = self._text_cache()
        self.train_model = self._wrap(self.text_cache if self.text_cache is not None else self.model)
        self.loss_fn = self._loss()
        self.batch = _batch_size(cfg, len(self.train_pairs), info.world_size)
        self.loader, self.sampler, self.workers = build_training_loader(
            self.train_pairs, cfg.seed, cfg.full_text_p, self.batch, self.clip.tokenize, device, cfg.workers,
            info.rank, info.world_size, cfg.hard_negative_share)
        self.total_steps = cfg.max_steps or self.sampler.batches_per_epoch * cfg.epochs
        self.tracker = BestTracker(cfg.early_stop_patience, self.state.best_score if self.state.best_score is not None
                                   else float("-inf"), self.state.best_step, self.state.stale_validations)
        self.autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16(device, cfg.precision))
        self.best_retrieval: dict[str, float] = {}
        self.validations = 0
        self.validated_step = -1  # the step of the latest validation (the end does not repeat it)

    # ------------------------------------------------------------------ building
    def _new_model(self):
        from bonesearch.models.factory import create_model

        cfg, info = self.cfg, self.info
        extra = ({"init_logit_scale": SIGLIP_INIT_LOGIT_SCALE, "init_logit_bias": SIGLIP_INIT_LOGIT_BIAS}
                 if cfg.loss == "siglip" else {})
        # rank 0 trains the scratch tokenizer first; the others build theirs beside it (same texts, same result)
        clip = None
        for turn in range(2 if info.enabled else 1):
            if (turn == 0) == info.is_main:
                work = self.out_dir / (".work" if info.is_main else f".work-rank{info.rank}")
                clip = create_model(cfg.model, text_source=cfg.text_source, reports=self.train_pairs.texts,
                                    work_dir=work, seed=cfg.seed, **extra)
            barrier(info)
        if not all_equal(info, clip.fingerprint()):
            raise RuntimeError("the ranks built different models (tokenizer or initialisation differ); check the seed and text source")
        return clip.to(self.device)

    def _optimizer_for(self, model: torch.nn.Module) -> torch.optim.Optimizer:
        """Locks and checkpointing first (they decide what trains), then the optimizer over what does."""
        cfg = self.cfg
        if cfg.lock_image:
            model.lock_image_tower(unlocked_groups=cfg.lock_image_unlocked_groups, freeze_bn_stats=True)
        if cfg.lock_text:
            model.lock_text_tower(unlocked_layers=cfg.lock_text_unlocked_layers, freeze_layer_norm=True)
        if cfg.grad_checkpointing:
            model.set_grad_checkpointing(True)
        return build_optimizer(model, cfg)

    def _text_cache(self) -> LockedTextForward | None:
        """A fully locked text tower runs once per distinct text (not with --compile: the cache is Python)."""
        cfg = self.cfg
        if cfg.lock_text and not cfg.lock_text_unlocked_layers and not cfg.compile:
            return LockedTextForward(self.model)
        return None

    def _wrap(self, model: torch.nn.Module) -> torch.nn.Module:
        model.train()
        wrapped = model
        if self.info.enabled:
            from torch.nn.parallel import DistributedDataParallel

            wrapped = DistributedDataParallel(model, device_ids=[self.device.index] if self.device.type == "cuda" else None)
        if self.cfg.compile:
            wrapped = torch.compile(wrapped)
        return wrapped

    def _loss(self):
        from open_clip.loss import ClipLoss, SigLipLoss

        rank, world = self.info.rank, self.info.world_size
        if self.cfg.loss == "siglip":
            return SigLipLoss(rank=rank, world_size=world)
        return ClipLoss(local_loss=False, gather_with_grad=True, rank=rank, world_size=world)

    # ------------------------------------------------------------------- running
    def run(self, advance: Advance, on_total) -> TrainSummary:
        cfg, state, info = self.cfg, self.state, self.info
        warmup_steps = cfg.text_warmup_steps if self.resumed_from is None else 0  # a resumed run has it done
        if on_total:
            on_total(warmup_steps + self.total_steps)
        if state.step:
            advance(state.step)
        metrics = MetricsLog(self.out_dir, append=self.resumed_from is not None) if info.is_main else None
        if warmup_steps:
            self._warm_up_text(warmup_steps, metrics, advance)
        session_start, base_elapsed = time.perf_counter(), state.elapsed_seconds
        pairs_this_session = 0
        stop = state.step >= self.total_steps
        try:
            while not stop:
                self.sampler.position = Position(state.epoch, state.batch)
                for images, tokens in self.loader:
                    state.elapsed_seconds = base_elapsed + time.perf_counter() - session_start
                    loss = self._step(images, tokens, state)
                    state.step, state.batch, state.last_loss = state.step + 1, state.batch + 1, loss
                    state.pairs_seen += len(images) * info.world_size
                    pairs_this_session += len(images) * info.world_size
                    if metrics and (state.step == 1 or state.step % LOG_EVERY == 0 or state.step == self.total_steps):
                        metrics.write(self._train_record(loss, state, base_elapsed + time.perf_counter() - session_start))
                    advance(1)
                    stop = self._after_step(metrics, state, base_elapsed + time.perf_counter() - session_start)
                    if stop:
                        break
                else:
                    state.epoch, state.batch = state.epoch + 1, 0
        except KeyboardInterrupt:
            if info.is_main:  # keep what was trained: `--resume` continues from here
                self._save_last(state, base_elapsed + time.perf_counter() - session_start)
            raise
        seconds = time.perf_counter() - session_start
        state.elapsed_seconds = base_elapsed + seconds
        retrieval = self._finish(metrics, state)
        if metrics:
            metrics.close()
        barrier(info)
        return TrainSummary(
            steps=state.step, epochs_done=state.step / self.sampler.batches_per_epoch, pairs_seen=pairs_this_session,
            seconds=seconds, train_studies=len(self.train_pairs), held_out_studies=len(self.held_out),
            final_loss=state.last_loss, retrieval=retrieval, checkpoint=self.out_dir / "checkpoint",
            best_step=self.tracker.best_step if self.validations else None, validations=self.validations,
            stopped_early=self.tracker.should_stop, resumed_from=self.resumed_from, world_size=info.world_size,
            loader_workers=self.workers,
        )

    def _warm_up_text(self, steps: int, metrics: MetricsLog | None, advance: Advance) -> None:
        """The text tower's SimCSE warm-up (pretrain/text_warmup.py) on every rank, then rank 0's weights everywhere."""
        def on_step(step: int, loss: float) -> None:
            if metrics and (step == 1 or step % LOG_EVERY == 0 or step == steps):
                metrics.write({"split": "text_warmup", "step": step, "loss": round(loss, 4)})
            advance(1)

        warm_up_text_tower(self.clip, self.train_pairs, steps, self.batch, self.cfg.seed, self.autocast, on_step)
        broadcast_parameters(self.info, self.model.text)
        self.model.train()

    def _step(self, images: torch.Tensor, tokens: torch.Tensor, state: RunState) -> float:
        """One optimizer step; every random draw is seeded by (seed, step), so a resumed run repeats it exactly."""
        cfg = self.cfg
        seed = step_seed(cfg.seed, state.step)
        torch.manual_seed(seed)  # dropout / drop-path
        generator = torch.Generator().manual_seed(seed)  # augmentations
        images = images.to(self.device, non_blocking=True)
        pixels = self.clip.preprocess_images(augment_batch(images, self.clip.image_size, cfg.augment, generator))
        tokens = tokens.to(self.device, non_blocking=True)
        progress = training_progress(state.step, self.total_steps, state.elapsed_seconds, cfg)
        set_lr(self.optimizer, lr_at(progress, cfg))
        self.optimizer.zero_grad(set_to_none=True)
        loss = forward_backward(self.train_model, self.loss_fn, pixels, tokens, cfg.accum_steps, self.autocast)
        torch.nn.utils.clip_grad_norm_([p for p in self.model.parameters() if p.requires_grad], 5.0)
        self.optimizer.step()
        with torch.no_grad():
            self.model.logit_scale.clamp_(0, math.log(100))
        return loss

    def _train_record(self, loss: float, state: RunState, elapsed: float) -> dict:
        record = {"split": "train", "step": state.step, "epoch": state.epoch, "loss": round(loss, 4),
                  "lr": self.optimizer.param_groups[0]["lr"], "logit_scale": float(self.model.logit_scale.detach().exp()),
                  "seconds": round(elapsed, 2)}
        if getattr(self.model, "logit_bias", None) is not None:
            record["logit_bias"] = float(self.model.logit_bias.detach())
        return record

    def _after_step(self, metrics: MetricsLog | None, state: RunState, elapsed: float) -> bool:
        """Validation, resume points and the stop decision (shared by all ranks)."""
        cfg, info = self.cfg, self.info
        validated = False
        if cfg.val_every and state.step % cfg.val_every == 0 and state.step < self.total_steps:
            self._validate(metrics, state)
            validated = True
        if info.is_main and (validated or (cfg.save_every and state.step % cfg.save_every == 0)):
            self._save_last(state, elapsed)
        out_of_time = bool(cfg.max_minutes) and elapsed >= cfg.max_minutes * 60
        stop = state.step >= self.total_steps or out_of_time or (info.is_main and self.tracker.should_stop)
        return any_rank(info, stop, self.device)

    def _validate(self, metrics: MetricsLog | None, state: RunState) -> None:
        """Held-out retrieval (rank 0); the best model so far goes to RUN/checkpoint."""
        self.validated_step = state.step
        if self.info.is_main and len(self.held_out) >= 2:
            retrieval = evaluate_retrieval(self.clip, self.held_out)
            score = retrieval_score(retrieval)
            self.validations += 1
            if self.tracker.update(score, state.step):
                self.best_retrieval = retrieval
                self._save_model(state)
            state.best_score, state.best_step = self.tracker.best_score, self.tracker.best_step
            state.stale_validations = self.tracker.stale
            if metrics:
                metrics.write({"split": "val", "step": state.step, "score": round(score, 4), **retrieval,
                               "best_step": self.tracker.best_step})
        barrier(self.info)

    def _finish(self, metrics: MetricsLog | None, state: RunState) -> dict[str, float]:
        """Final validation, RUN/checkpoint (best on validation, else the final model) and RUN/last.

        Returns the held-out retrieval of the kept model (empty without held-out studies).
        """
        if len(self.held_out) >= 2:
            if self.validated_step != state.step:
                self._validate(metrics, state)  # the first validation is always the best so far: it is saved
        elif self.info.is_main:
            self._save_model(state)  # nothing to validate on: keep the final model
        if self.info.is_main:
            self._save_last(state, state.elapsed_seconds)
        return self.best_retrieval

    def _save_model(self, state: RunState) -> None:
        from bonesearch.models.checkpoint import save_checkpoint

        save_checkpoint(self.clip, self.out_dir / "checkpoint", extra={"training": {
            **self.cfg.to_json(), "steps": state.step, "pairs_seen": state.pairs_seen, "final_loss": state.last_loss,
            "train_studies": len(self.train_pairs), "held_out_studies": len(self.held_out),
            "held_out_retrieval": self.best_retrieval, "world_size": self.info.world_size,
        }})

    def _save_last(self, state: RunState, elapsed: float) -> None:
        state.elapsed_seconds = elapsed
        save_resume_point(self.out_dir, self.clip, self.optimizer, state)


def _batch_size(cfg: TrainConfig, train_studies: int, world: int) -> int:
    """The per-process batch: the configured one, or what the training studies allow (kept divisible by accum)."""
    batch = min(cfg.batch_size, max(2, train_studies // world))
    return max(cfg.accum_steps, batch - batch % cfg.accum_steps)


def _check_enough(store_path: Path, pairs: StudyPairs, train_pairs: StudyPairs, held_out: StudyPairs,
                  info: DistInfo) -> None:
    needed = max(MIN_TRAIN_STUDIES, 2 * info.world_size)
    if len(train_pairs) < needed:
        raise TooFewPairs(
            f"{store_path}: found {len(pairs)} studies with both an image and a report "
            f"({len(train_pairs)} for training, {len(held_out)} held out by patient); pretraining needs at least "
            f"{needed} training studies. Ingest more studies with their reports (--reports), or lower --held-out"
        )
