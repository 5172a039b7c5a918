"""Search backends: how, and on which device, a store's indexes are searched.

=========  =============================================================  ==================
name       what searches                                                   index types
=========  =============================================================  ==================
``faiss``  the FAISS index as read from disk (CPU); on CUDA, its faiss-gpu  every type
           copy (:mod:`bonesearch.index.faiss_gpu`, fp16 vectors)
``torch``  the vectors as one matrix on the device (matmul + top-k,         exact (flat) only
           :class:`~bonesearch.index.torch_exact.TorchExactIndex`; fp16 on
           CUDA, fp32 on CPU)
=========  =============================================================  ==================

``auto`` (what ``query``, ``similar`` and ``serve`` use) is ``faiss`` on the CPU; on CUDA
``faiss`` when FAISS sees GPUs (``faiss.get_num_gpus() > 0``), else ``torch`` — which
searches exact stores only, so an approximate store (IVF, HNSW, PQ) on CUDA without
faiss-gpu raises :class:`~bonesearch.errors.SearchBackendUnavailable` saying the fix.

Whatever the backend, the object returned by :func:`place_index` is what
:func:`bonesearch.index.topk.search` takes (exact filters included) and gives stored
vectors back with ``reconstruct_batch``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from typing import TYPE_CHECKING

import faiss

from bonesearch.errors import SearchBackendUnavailable
from bonesearch.index.backends import is_exact
from bonesearch.index.faiss_gpu import FaissGpuIndex, clone_to_gpus
from bonesearch.index.half_scan import HalfScanIndex

if TYPE_CHECKING:
    from bonesearch.models.device import Device

__all__ = ["AUTO", "SEARCH_BACKENDS", "SearchBackend", "choose_search_backend", "list_search_backends", "place_index"]

AUTO = "auto"
INSTALL_FAISS_GPU = "install faiss-gpu in place of faiss-cpu (`pip install faiss-gpu`)"


@dataclass(frozen=True)
class SearchBackend:
    """One way of searching: ``place(index, device, what)`` turns a FAISS index read from disk
    into the object searched (``what`` names the index in error messages)."""

    name: str
    summary: str
    place: Callable[[faiss.Index, "Device", str], object]


def _place_faiss(index: faiss.Index, device: "Device", what: str) -> object:
    if device.type == "cpu":
        return index
    if faiss.get_num_gpus() == 0:
        raise SearchBackendUnavailable(
            f"{what}: the faiss search backend on {device} needs faiss-gpu, and the installed FAISS sees no GPU: "
            f"{INSTALL_FAISS_GPU}, or search with the torch backend (exact stores), or on the CPU (--device cpu)"
        )
    gpu = clone_to_gpus(index)
    return index if gpu is None else FaissGpuIndex(index, gpu)  # None: a CPU-only type (HNSW) searches on the CPU


def _place_torch(index: faiss.Index, device: "Device", what: str) -> object:
    if not is_exact(index):
        raise SearchBackendUnavailable(
            f"{what} is approximate (IVF, HNSW or PQ) and the torch search backend searches exact (flat) indexes "
            f"only: to search it on {device}, {INSTALL_FAISS_GPU}; or search on the CPU (--device cpu)"
        )
    import torch

    from bonesearch.index.torch_exact import TorchExactIndex

    dtype = torch.float16 if device.type == "cuda" else torch.float32
    return TorchExactIndex.from_faiss(index, torch.device(str(device)), dtype)


SEARCH_BACKENDS: dict[str, SearchBackend] = {
    "faiss": SearchBackend("faiss", "FAISS: the index as built (faiss-gpu's copy on CUDA)", _place_faiss),
    "torch": SearchBackend("torch", "exact search as a torch matrix product (exact stores only)", _place_torch),
}


def list_search_backends() -> list[str]:
    """The names :func:`choose_search_backend` accepts: ``auto`` and every registered backend."""
    return [AUTO, *SEARCH_BACKENDS]


def choose_search_backend(requested: str | None, device: "Device") -> str:
    """The backend that searches on ``device``: ``requested`` itself, or for ``auto`` (or None)
    ``faiss`` on the CPU or with faiss-gpu, ``torch`` on CUDA without it.

    Raises SearchBackendUnavailable for a name that is not registered.
    """
    name = (requested or AUTO).strip().lower()
    if name == AUTO:
        return "faiss" if device.type == "cpu" or faiss.get_num_gpus() > 0 else "torch"
    if name not in SEARCH_BACKENDS:
        raise SearchBackendUnavailable(f"search backend {requested!r}: choose one of {', '.join(list_search_backends())}")
    return name


def place_index(index: faiss.Index, backend: str, device: "Device", what: str, half_scan: bool = False) -> object:
    """``index`` (a FAISS index read from disk) ready to search with ``backend`` on ``device``;
    with ``half_scan``, a large exact index on the CPU is searched through an fp16 copy
    (:class:`~bonesearch.index.half_scan.HalfScanIndex`).

    Raises SearchBackendUnavailable (naming ``what``) when the backend cannot search this
    index there: an approximate index for ``torch``, CUDA without faiss-gpu for ``faiss``.
    """
    placed = SEARCH_BACKENDS[choose_search_backend(backend, device)].place(index, device, what)
    if half_scan and placed is index and device.type == "cpu" and HalfScanIndex.suits(index):
        return HalfScanIndex(index)
    return placed
