"""Pretraining settings: one dataclass, a comment per field, checked before anything runs."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bonesearch.errors import TrainConfigError
from pretrain.augment import AugmentConfig

LOSSES = ("clip", "siglip")
OPTIMIZERS = ("adamw", "lion")
PRECISIONS = ("auto", "bf16", "fp32")

#: Settings that change what a step computes: a resumed run must keep them (the rest may change).
RESUME_INVARIANTS = ("model", "text_source", "batch_size", "accum_steps", "loss", "optimizer", "seed",
                     "held_out_fraction", "text_mode", "full_text_p", "lock_image", "lock_image_unlocked_groups",
                     "lock_text", "lock_text_unlocked_layers")


@dataclass
class TrainConfig:
    """Training settings; defaults suit the CPU demo with the `small` model.

    The paper's GPU setting is ``model="vitb16-drbert"``, ``batch_size=256`` (per GPU),
    ``lr≈1e-4``, bf16, AdamW, cosine with warm-up.
    """

    model: str = "small"  # a registered architecture (`bonesearch models`)
    text_source: str | None = None  # text tower: None = the config's (BERT from scratch), local-dir:PATH or hub name
    epochs: int = 30  # passes over the training studies (one random image per study per pass)
    max_steps: int | None = None  # optimizer steps in all (overrides epochs for the schedule length)
    max_minutes: float | None = None  # stop after this wall time; the schedule then follows time as well
    batch_size: int = 64  # pairs per optimizer step and per process (DDP: the loss sees batch_size × world)
    accum_steps: int = 1  # split each batch into this many chunks (same loss and gradient, less memory)
    lr: float = 1e-3  # peak learning rate
    weight_decay: float = 0.05
    warmup_fraction: float = 0.05  # of all steps: linear warm-up, then cosine decay to 0
    optimizer: str = "adamw"  # adamw | lion (timm's Lion: use ~3-10x lower lr)
    loss: str = "clip"  # clip: symmetric InfoNCE (open_clip ClipLoss) | siglip: sigmoid loss (SigLipLoss, adds a logit bias)
    held_out_fraction: float = 0.2  # patients kept out of training (validation + demo evaluation)
    text_mode: str = "technique+findings+conclusion"  # report sections the text tower sees ("full": all)
    full_text_p: float = 0.5  # else a shorter view of the report (conclusion, one sentence…)
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda | cuda:N (under torchrun: each process's local GPU)
    precision: str = "auto"  # bf16 autocast on CUDA and on CPUs with native bf16; "fp32" to disable
    grad_checkpointing: bool = False  # recompute activations in backward: less memory, ~30 % slower
    compile: bool = False  # torch.compile the model (GPU; the first steps are slow)
    lock_image: bool = False  # freeze the image trunk and its norm statistics (LiT: text tower + projection learn)
    lock_image_unlocked_groups: int = 0  # ...except its last N layer groups
    lock_text: bool = False  # freeze the text tower
    lock_text_unlocked_layers: int = 0  # ...except its last N transformer layers
    text_warmup_steps: int = 0  # SimCSE-style steps on the reports alone before step 0 (from-scratch text towers)
    workers: int | None = None  # data-loading processes; None: 0 on CPU (pixels held in memory), min(8, cores) on CUDA
    val_every: int = 0  # validate on held-out studies every N steps (0: once, at the end)
    early_stop_patience: int = 0  # stop after N validations without improvement (0: never)
    save_every: int = 0  # also write the resume point every N steps (0: at validations and at the end)
    augment: AugmentConfig = field(default_factory=AugmentConfig)

    def check(self) -> None:
        """Raise TrainConfigError naming the option and the accepted values."""
        choices = (("loss", LOSSES), ("optimizer", OPTIMIZERS), ("precision", PRECISIONS))
        for name, allowed in choices:
            if getattr(self, name) not in allowed:
                raise TrainConfigError(f"--{name} {getattr(self, name)!r}: choose one of {', '.join(allowed)}")
        for name in ("epochs", "batch_size", "accum_steps"):
            if getattr(self, name) < 1:
                raise TrainConfigError(f"--{name.replace('_', '-')} must be at least 1 (got {getattr(self, name)})")
        if self.batch_size % self.accum_steps:
            raise TrainConfigError(
                f"--batch-size {self.batch_size} is not a multiple of --accum-steps {self.accum_steps}: "
                f"each step is split into equal chunks"
            )
        if self.text_warmup_steps < 0:
            raise TrainConfigError(f"--text-warmup must be 0 or more steps (got {self.text_warmup_steps})")
        if not 0.0 <= self.full_text_p <= 1.0:
            raise TrainConfigError(f"--full-text-p {self.full_text_p}: a probability in [0, 1]")
        if self.max_steps is not None and self.max_steps < 1:
            raise TrainConfigError(f"--max-steps must be at least 1 (got {self.max_steps})")
        if not 0.0 <= self.held_out_fraction < 1.0:
            raise TrainConfigError(f"--held-out {self.held_out_fraction}: a fraction in [0, 1)")
        if self.lr <= 0:
            raise TrainConfigError(f"--lr {self.lr}: must be positive")
        from pretrain.pairs import TEXT_MODES

        if self.text_mode not in TEXT_MODES:
            raise TrainConfigError(f"--text-mode {self.text_mode!r}: choose one of {', '.join(TEXT_MODES)}")

    def to_json(self) -> dict[str, Any]:
        """A plain-JSON copy (for checkpoints and the resume state)."""
        return asdict(self)
