"""Device selection shared by every command (``--device auto|cpu|cuda|cuda:N``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from bonesearch.errors import BonesearchError

if TYPE_CHECKING:
    import torch

__all__ = ["CPU", "Device", "HostCpu", "resolve_device", "resolve_query_device"]


@dataclass(frozen=True)
class HostCpu:
    """The CPU, named without importing torch (a text query on the CPU does not need it);
    ``str()`` gives what torch takes."""

    type: str = "cpu"
    index: None = None

    def __str__(self) -> str:
        return "cpu"


CPU = HostCpu()
Device = Union["torch.device", HostCpu]


def resolve_query_device(spec: "str | Device" = "cpu") -> Device:
    """:func:`resolve_device` for the query side: ``cpu`` gives :data:`CPU` without importing torch."""
    if isinstance(spec, HostCpu):
        return spec
    if isinstance(spec, str) and spec.strip().lower() == "cpu":
        return CPU
    return resolve_device(spec)


def resolve_device(spec: "str | torch.device | HostCpu" = "auto") -> "torch.device":
    """Turn ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:N"`` into a ``torch.device``.

    ``"auto"`` picks the first CUDA device when one is available, else the CPU. Asking
    for CUDA on a machine without it (or for a GPU index that does not exist) raises a
    BonesearchError that says to use ``--device cpu`` or ``auto``.
    """
    import torch

    if isinstance(spec, (torch.device, HostCpu)):
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
