"""Device selection shared by every command (``--device auto|cpu|cuda|cuda:N``)."""

from __future__ import annotations

import torch

from bonesearch.errors import BonesearchError

__all__ = ["resolve_device"]


def resolve_device(spec: str | torch.device = "auto") -> torch.device:
    """Turn ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:N"`` into a ``torch.device``.

    ``"auto"`` picks the first CUDA device when one is available, else the CPU. Asking
    for CUDA on a machine without it (or for a GPU index that does not exist) raises a
    BonesearchError that says to use ``--device cpu`` or ``auto``.
    """
    if isinstance(spec, torch.device):
        spec = str(spec)
    text = str(spec).strip().lower()
    if text in ("", "auto"):
        return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    try:
        device = torch.device(text)
    except RuntimeError as exc:
        raise BonesearchError(f"unknown device {spec!r}: use auto, cpu, cuda or cuda:N") from exc
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise BonesearchError(f"device {spec!r} asked for but CUDA is not available here: use --device cpu (or auto)")
        count = torch.cuda.device_count()
        if device.index is not None and device.index >= count:
            raise BonesearchError(f"device {spec!r} does not exist: this machine has {count} CUDA device(s) (cuda:0..cuda:{count - 1})")
    elif device.type != "cpu":
        raise BonesearchError(f"device {spec!r} is not supported: use auto, cpu, cuda or cuda:N")
    return device
