"""The resume point of a run: model checkpoint + optimizer state + where training stands, written atomically.

```
RUN/last/
  checkpoint/              the model (safetensors + config + text tower), loadable like any checkpoint
  optimizer.safetensors    every optimizer state tensor (AdamW moments, step counts…)
  state.json               step, epoch position, elapsed time, best score, optimizer hyper-parameters,
                           the training config, and the RNG scheme
```

Randomness needs no saved generator: every draw is seeded from ``(seed, step)`` or
``(seed, epoch, study)`` (see :mod:`pretrain.data` and :mod:`pretrain.loop`), so a resumed
run continues the same sequence. Nothing is unpickled on load.
"""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from bonesearch.errors import ResumeError
from bonesearch.models.checkpoint import swap_into_place, load_checkpoint, save_checkpoint
from pretrain.config import RESUME_INVARIANTS, TrainConfig

LAST = "last"
STATE_VERSION = 1


@dataclass
class RunState:
    """Where a run stands (everything but tensors)."""

    step: int = 0
    epoch: int = 0  # the epoch in progress
    batch: int = 0  # batches of that epoch already trained on
    pairs_seen: int = 0
    elapsed_seconds: float = 0.0  # training wall time over all sessions of the run
    best_score: float | None = None
    best_step: int = 0
    stale_validations: int = 0
    last_loss: float = float("nan")
    config: dict[str, Any] = field(default_factory=dict)


def save_resume_point(run_dir: Path, clip, optimizer: torch.optim.Optimizer, state: RunState) -> Path:
    """Write ``RUN/last`` (replacing the previous one only once the new one is complete)."""
    run_dir = Path(run_dir)
    tmp = run_dir / f".{LAST}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        tmp.mkdir(parents=True)
        save_checkpoint(clip, tmp / "checkpoint", extra={"training": {"step": state.step, "resume_point": True}})
        tensors, optimizer_json = _split_optimizer_state(optimizer.state_dict())
        save_file(tensors, str(tmp / "optimizer.safetensors"))
        payload = {**state.__dict__, "optimizer": optimizer_json, "version": STATE_VERSION,
                   "rng": {"scheme": "seeded per step and per (epoch, study)", "seed": state.config.get("seed")}}
        (tmp / "state.json").write_text(json.dumps(payload, indent=1, allow_nan=True), encoding="utf-8")
        swap_into_place(tmp, run_dir / LAST)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return run_dir / LAST


def read_resume_state(run_dir: Path, cfg: TrainConfig) -> RunState:
    """The saved state of ``RUN/last``, checked against ``cfg``; ResumeError says what is wrong and what to do."""
    folder = Path(run_dir) / LAST
    if not (folder / "state.json").is_file():
        raise ResumeError(
            f"--resume: {folder} holds no resume point (state.json); start the run without --resume, "
            f"or pass the --out folder of the run to continue"
        )
    try:
        payload = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ResumeError(f"--resume: {folder / 'state.json'} is unreadable ({exc}); the run cannot continue exactly") from exc
    saved = payload.get("config", {})
    changed = [f"{k}: {saved.get(k)!r} → {getattr(cfg, k)!r}" for k in RESUME_INVARIANTS if saved.get(k) != getattr(cfg, k)]
    if changed:
        raise ResumeError(
            f"--resume: the run in {folder.parent} was started with other settings ({'; '.join(changed)}); "
            f"resume with the original ones, or start a new run in another --out folder"
        )
    known = RunState.__dataclass_fields__
    return RunState(**{k: v for k, v in payload.items() if k in known})


def load_resume_point(run_dir: Path, optimizer_factory, device: torch.device):
    """(clip, optimizer) restored from ``RUN/last``: weights, then the optimizer built on them and its state."""
    folder = Path(run_dir) / LAST
    clip = load_checkpoint(folder / "checkpoint", device=device)
    optimizer = optimizer_factory(clip.model)
    try:
        tensors = load_file(str(folder / "optimizer.safetensors"))  # load_state_dict moves them to the params
    except (SafetensorError, OSError) as exc:
        raise ResumeError(f"--resume: {folder / 'optimizer.safetensors'} cannot be read ({exc}); the resume point is damaged") from exc
    payload = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    optimizer.load_state_dict(_join_optimizer_state(tensors, payload["optimizer"]))
    return clip, optimizer


def _split_optimizer_state(state_dict: dict[str, Any]) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Tensors (for safetensors) and everything else (for JSON) of an optimizer ``state_dict``."""
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, Any] = {}
    for param_id, entries in state_dict["state"].items():
        for name, value in entries.items():
            if torch.is_tensor(value):
                tensors[f"{param_id}.{name}"] = value.detach().to("cpu").contiguous()
            else:
                scalars[f"{param_id}.{name}"] = value
    groups = [{k: (list(v) if isinstance(v, tuple) else v) for k, v in group.items()} for group in state_dict["param_groups"]]
    return tensors, {"param_groups": groups, "scalars": scalars}


def _join_optimizer_state(tensors: dict[str, torch.Tensor], saved: dict[str, Any]) -> dict[str, Any]:
    state: dict[int, dict[str, Any]] = {}
    for key, value in [*tensors.items(), *saved["scalars"].items()]:
        param_id, name = key.split(".", 1)
        state.setdefault(int(param_id), {})[name] = value
    groups = [{k: (tuple(v) if k == "betas" else v) for k, v in group.items()} for group in saved["param_groups"]]
    return {"state": state, "param_groups": groups}
