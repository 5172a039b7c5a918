"""Pretraining settings: one dataclass, checked before anything runs.

Each field's default and help text live here once. A field whose metadata holds ``help``
is an option of ``bonesearch pretrain`` (the command line builds its options from these
fields): ``option`` names the flag where it differs from the field's name, ``min`` and
``max`` bound the value. Annotations are real types (no ``from __future__ import
annotations`` here) so that the command line can read them; a ``Literal`` lists the choices.
"""

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

from bonesearch.errors import TrainConfigError
from bonesearch.reports.sections import DEFAULT_TEXT_MODE, TEXT_MODES

if TYPE_CHECKING:
    from pretrain.augment import AugmentConfig

Loss = Literal["clip", "siglip"]
Optimizer = Literal["adamw", "lion"]
Precision = Literal["auto", "bf16", "fp32"]
TextMode = Literal[TEXT_MODES]  # type: ignore[valid-type]  # the report sections the text tower reads

LOSSES: tuple[str, ...] = get_args(Loss)
OPTIMIZERS: tuple[str, ...] = get_args(Optimizer)
PRECISIONS: tuple[str, ...] = get_args(Precision)

#: Settings that change what a step computes: a resumed run must keep them (the rest may change).
RESUME_INVARIANTS = ("model", "text_source", "batch_size", "accum_steps", "loss", "optimizer", "seed",
                     "held_out_fraction", "text_mode", "full_text_p", "lock_image", "lock_image_unlocked_groups",
                     "lock_text", "lock_text_unlocked_layers", "hard_negative_share")


def option(default: Any, help: str, *, name: str | None = None, min: float | None = None,
           max: float | None = None) -> Any:
    """A dataclass field that is also a command-line option (``name``: its flag, default ``--field-name``)."""
    metadata: dict[str, Any] = {"help": help}
    metadata.update({k: v for k, v in (("option", name), ("min", min), ("max", max)) if v is not None})
    return field(default=default, metadata=metadata)


def _default_augment() -> "AugmentConfig":
    from pretrain.augment import AugmentConfig  # imports torch: not needed to read the settings

    return AugmentConfig()


@dataclass
class TrainConfig:
    """Training settings; defaults suit the CPU demo with the `small` model.

    The paper's GPU setting is ``model="vitb16-drbert"``, ``batch_size=256`` (per GPU),
    ``lr≈1e-4``, bf16, AdamW, cosine with warm-up.
    """

    model: str = option("small", "Architecture (see `bonesearch models`).")
    text_source: str | None = option(
        None, "Text tower: local-dir:PATH or a hub name (default: the model's, BERT from scratch for the CPU models).",
        name="--text-model")
    epochs: int = option(30, "Passes over the training studies (one random image per study each).", min=1)
    max_steps: int | None = option(
        None, "Optimizer steps in all (instead of --epochs: sets the schedule's length).", min=1)
    max_minutes: float | None = option(
        None, "Stop after this many minutes (the schedule follows time too).", name="--minutes")
    batch_size: int = option(
        64, "Pairs per step and per process (the paper: 256 per GPU; under torchrun the loss sees "
        "batch size × processes).", min=2)
    accum_steps: int = option(1, "Split each batch into N chunks: same loss and gradient, less memory.", min=1)
    lr: float = option(1e-3, "Peak learning rate (1e-3 CPU demo; ~1e-4 for ViT-B/16 + BERT).")
    weight_decay: float = option(0.05, "Weight decay of the optimizer.", min=0.0)
    warmup_fraction: float = option(
        0.05, "Fraction of steps of linear warm-up before the cosine decay to 0.", name="--warmup", min=0.0, max=0.5)
    optimizer: Optimizer = option("adamw", "adamw, or lion (timm's Lion: use a ~3-10x lower --lr).")
    loss: Loss = option(
        "clip", "clip (symmetric InfoNCE, open_clip ClipLoss) or siglip (sigmoid loss, adds a logit bias).")
    held_out_fraction: float = option(
        0.2, "Fraction of patients held out for validation (and the demo's evaluation).",
        name="--held-out", min=0.0, max=0.9)
    text_mode: TextMode = option(DEFAULT_TEXT_MODE, "Report text the text tower sees (full: the whole report).")
    full_text_p: float = option(
        0.5, "Probability of the whole report text; else a shorter view (conclusion, one sentence) that teaches "
        "short queries.", min=0.0, max=1.0)
    seed: int = option(0, "Random seed (initialisation, batches, augmentation).")
    device: str = option("auto", "auto (CUDA when present), cpu, cuda, cuda:N (under torchrun: each process's "
                         "local GPU).")
    precision: Precision = option("auto", "auto (bf16 on CUDA and on CPUs with native bf16), bf16 or fp32.")
    grad_checkpointing: bool = option(False, "Recompute activations in backward: less memory, ~30 % slower.")
    compile: bool = option(False, "torch.compile the model (GPU; the first steps are slow).")
    lock_image: bool = option(False, "Freeze the image tower and its norm statistics (LiT).")
    lock_image_unlocked_groups: int = 0  # ...except its last N layer groups
    lock_text: bool = option(
        False, "Freeze the text tower (after --text-warmup); each distinct report is then encoded once.")
    lock_text_unlocked_layers: int = 0  # ...except its last N transformer layers
    text_warmup_steps: int = option(
        0, "SimCSE-style steps on the reports alone before training: spreads out a from-scratch text tower, "
        "which otherwise maps every report to nearly the same vector (see docs/pretraining.md).",
        name="--text-warmup", min=0)
    hard_negative_share: float = option(
        0.0, "Share of each batch drawn from studies of one body part (the DICOM header's, never a label): "
        "negatives of the same anatomy, so the model must tell findings apart (0: random batches).",
        name="--hard-negatives", min=0.0, max=1.0)
    workers: int | None = option(
        None, "Data-loading processes (default: 0 on CPU, pixels held in memory; min(8, cores-1) on GPU).", min=0)
    val_every: int = option(
        0, "Validate (held-out retrieval) every N steps and keep the best; 0: at the end.", min=0)
    early_stop_patience: int = option(
        0, "Stop after N validations without improvement (0: never).", name="--early-stop", min=0)
    save_every: int = option(
        0, "Also write the resume point every N steps (0: at validations and at the end).", min=0)
    augment: "AugmentConfig" = field(default_factory=_default_augment)

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
        if not 0.0 <= self.hard_negative_share <= 1.0:
            raise TrainConfigError(
                f"--hard-negatives is a share of each batch, from 0 to 1 (got {self.hard_negative_share})")
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
        if self.text_mode not in TEXT_MODES:
            raise TrainConfigError(f"--text-mode {self.text_mode!r}: choose one of {', '.join(TEXT_MODES)}")

    def to_json(self) -> dict[str, Any]:
        """A plain-JSON copy (for checkpoints and the resume state)."""
        return asdict(self)
