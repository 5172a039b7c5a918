"""Searching a FAISS index on the GPUs with ``faiss-gpu`` (the ``faiss`` search backend on CUDA).

:func:`clone_to_gpus` copies a CPU index (as read from disk) to every GPU FAISS sees;
:class:`FaissGpuIndex` searches that copy and keeps the CPU index for what the GPU copy
does not give exactly: filtered searches (FAISS GPU types expose neither their ids nor an
ID selector for every type) and stored vectors (``reconstruct_batch``).
"""

from __future__ import annotations

import faiss
import numpy as np

__all__ = ["FaissGpuIndex", "GPU_MAX_K", "clone_to_gpus", "shard_across_gpus"]

GPU_MAX_K = 1024  # FAISS GPU top-k selection is limited (1024 or 2048 by version): larger k search the CPU copy


class FaissGpuIndex:
    """A FAISS index searched on the GPUs: ``gpu`` answers unfiltered searches, ``cpu`` the rest.

    Same interface as a :class:`~bonesearch.index.torch_exact.TorchExactIndex` for
    :func:`bonesearch.index.topk.search` (``ntotal``, ``d``, ``search(queries, k, allowed_ids)``,
    ``reconstruct_batch``).
    """

    def __init__(self, cpu: faiss.Index, gpu: faiss.Index) -> None:
        self.cpu, self.gpu = cpu, gpu

    @property
    def ntotal(self) -> int:
        """Number of vectors."""
        return int(self.cpu.ntotal)

    @property
    def d(self) -> int:
        """Dimension of the vectors."""
        return int(self.cpu.d)

    def search(self, queries: np.ndarray, k: int, allowed_ids: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) per query row; filtered (``allowed_ids``) or very deep searches run on the CPU copy."""
        from bonesearch.index.topk import search

        if allowed_ids is None and k <= GPU_MAX_K:
            return self.gpu.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        return search(self.cpu, queries, k, allowed_ids)

    def reconstruct_batch(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of ``ids`` (from the CPU copy)."""
        return self.cpu.reconstruct_batch(np.ascontiguousarray(ids, dtype=np.int64))


def clone_to_gpus(index: faiss.Index) -> faiss.Index | None:
    """``index`` copied to every FAISS GPU, or None when FAISS has no GPU or the type has no GPU version (HNSW).

    Replicated on every GPU (``IndexReplicas``: each query batch split across them) when
    one GPU holds it; sharded (``IndexShards``: each GPU a slice of the vectors, results
    merged) when it is larger than one GPU's free memory. Vectors are stored in float16.
    """
    gpus = faiss.get_num_gpus()
    if gpus == 0:
        return None
    options = faiss.GpuMultipleClonerOptions()
    options.shard = shard_across_gpus(_index_bytes(index), gpus, _gpu_free_bytes())
    options.useFloat16 = True  # half the memory for flat and IVF-flat vectors; recall unchanged at k ≤ 100
    try:
        return faiss.index_cpu_to_all_gpus(index, co=options)
    except (RuntimeError, AttributeError):  # HNSW and other CPU-only types
        return None


def shard_across_gpus(index_bytes: int, gpus: int, free_bytes_per_gpu: int | None) -> bool:
    """Shard rather than replicate: more than one GPU, and the index is over 80 % of one GPU's free memory."""
    if gpus < 2:
        return False
    return free_bytes_per_gpu is not None and index_bytes > 0.8 * free_bytes_per_gpu


def _gpu_free_bytes() -> int | None:
    """The smallest free memory among the CUDA devices (through torch), or None when unknown."""
    try:
        import torch

        if not torch.cuda.is_available():
            return None
        return min(torch.cuda.mem_get_info(i)[0] for i in range(torch.cuda.device_count()))
    except Exception:  # no torch build with CUDA: let FAISS replicate
        return None


def _index_bytes(index: faiss.Index) -> int:
    """Approximate RAM of an index's codes: ntotal × (code size + id)."""
    ivf = faiss.try_extract_index_ivf(index)
    code = ivf.code_size if ivf is not None else getattr(faiss.downcast_index(index), "code_size", 4 * index.d)
    return int(index.ntotal) * (int(code) + 8)
