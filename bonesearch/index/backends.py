"""Building and editing FAISS indexes: factory choice by size, ids, GPU training when FAISS has one.

One code path for ``faiss-cpu`` and ``faiss-gpu``: :func:`build_index` builds on the CPU
object and, when ``faiss.get_num_gpus() > 0``, runs IVF k-means on the GPUs (a GPU
clustering index); what is written to disk is always a CPU index. Searching on the GPUs
is :mod:`bonesearch.index.faiss_gpu` (faiss-gpu) or :mod:`bonesearch.index.torch_exact`.

Ids are DuckDB primary keys (int64). Index types keep them in one of two ways:

* an ``IDMap2`` wrapper (flat, HNSW, any factory without ids of its own): the wrapper keeps
  ``id_map`` and can reconstruct by id;
* IVF indexes keep ids in their inverted lists, with a hashtable direct map so that
  vectors can be reconstructed and removed by id.
"""

from __future__ import annotations

import math
import weakref

import faiss
import numpy as np

from bonesearch.errors import BonesearchError
from bonesearch.index.memory import bytes_per_vector, memory_budget, pq_subquantizers

EXACT_MAX = 1_000_000  # up to this many vectors the index is exact (IDMap2,Flat): ~2 GiB at 512-d
IVF_MIN = 50_000  # up to this many vectors the index is exact whatever the budget (100 MiB at 512-d; IVF lists would be thin)
IVF_FLAT_MAX = 8_000_000  # beyond EXACT_MAX and up to this: IVF with HNSW coarse quantizer, full vectors
IVF_TRAIN_PER_LIST = 64  # k-means training points per inverted list (FAISS asks for 39 at least)
IVF_NPROBE_FRACTION = 1 / 64  # lists visited per query by default (bench/ann_recall.py: 2 of 1024 give 0.99)
REFINE_K_FACTOR = 16  # a refine stage re-ranks this many times k candidates (bench/scale.py, IVF-PQ + SQ8 refine at 10 M: recall@10 0.87 with 4)
HNSW_EF_SEARCH = 128  # default HNSW efSearch (bench/ann_recall.py: 16 already gives recall@10 0.95 at 100 k)
EXACT_FACTORY = "IDMap2,Flat"
_SORTED_IDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # index -> (ntotal, sorted ids)


def choose_factory(n: int, dim: int, memory_bytes: int | None = None) -> str:
    """The FAISS factory string for ``n`` vectors of dimension ``dim`` within ``memory_bytes`` of RAM.

    The most exact type that fits the budget (default :func:`~bonesearch.index.memory.memory_budget`):
    exact up to :data:`EXACT_MAX` vectors; beyond, IVF with an HNSW coarse quantizer
    (``nlist`` ≈ 4·√n rounded to a power of two) holding full vectors up to
    :data:`IVF_FLAT_MAX`, 8-bit scalar codes (¼ of the memory, recall within 0.01 of full
    vectors in ``bench/ann_recall.py``), or product-quantized codes (1 byte per 8
    dimensions, 1/32 of the memory, lower recall: 0.76 recall@10 on bench/scale.py's data)
    when nothing else fits. All keep ids in their lists, so ``forget`` removes in place.
    An index file larger than the budget is searched memory-mapped
    (:func:`bonesearch.index.files.read_index`). ``--index-factory`` overrides the choice.
    """
    budget = memory_budget(memory_bytes)
    if n <= IVF_MIN or (n <= EXACT_MAX and n * bytes_per_vector("Flat", dim) <= budget):
        return EXACT_FACTORY
    nlist = 2 ** round(math.log2(4 * math.sqrt(max(n, 1))))
    pq = f"PQ{pq_subquantizers(dim)}"
    for codec in ("Flat", "SQ8", pq):
        if codec == "Flat" and n > IVF_FLAT_MAX:
            continue
        if n * bytes_per_vector(codec, dim) <= budget:
            return f"IVF{nlist}_HNSW32,{codec}"
    return f"IVF{nlist}_HNSW32,{pq}"  # larger than the budget even so: served memory-mapped


def default_search_params(index: faiss.Index) -> str:
    """A FAISS ``ParameterSpace`` string for a fresh index (``""`` when it has no knobs)."""
    params = []
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        params.append(f"nprobe={max(1, min(ivf.nlist, math.ceil(ivf.nlist * IVF_NPROBE_FRACTION), 256))}")
    elif hnsw_of(index) is not None:
        params.append(f"efSearch={HNSW_EF_SEARCH}")
    inner = faiss.downcast_index(index.index) if isinstance(index, (faiss.IndexIDMap, faiss.IndexIDMap2)) else index
    if isinstance(inner, faiss.IndexRefine):
        params.append(f"k_factor_rf={REFINE_K_FACTOR}")
    return ",".join(params)


def apply_search_params(index: faiss.Index, params: str) -> None:
    """Set ``params`` (e.g. ``"nprobe=32"``) on ``index``; a no-op for ``""``."""
    if params:
        faiss.ParameterSpace().set_index_parameters(index, params)


def new_index(factory: str, dim: int) -> faiss.Index:
    """An empty inner-product index from ``factory``, able to take ids.

    Factories without ids of their own (``Flat``, ``HNSW32``, ``PQ64``…) are wrapped in
    ``IDMap2``; IVF indexes get a hashtable direct map (reconstruct and remove by id).
    Raises BonesearchError naming the factory when FAISS cannot parse it.
    """
    try:
        index = faiss.index_factory(dim, factory, faiss.METRIC_INNER_PRODUCT)
    except RuntimeError as exc:
        raise BonesearchError(
            f"--index-factory {factory!r} is not a FAISS factory string ({_first_line(exc)}); "
            f"use e.g. 'IDMap2,Flat', 'IVF4096,Flat', 'IVF4096_HNSW32,PQ64' or 'HNSW32'"
        ) from None
    ivf = faiss.try_extract_index_ivf(index)
    if _keeps_ids(index):
        ivf.set_direct_map_type(faiss.DirectMap.Hashtable)
        return index
    if ivf is not None:  # an IVF inside another type (e.g. a refine stage): sequential ids under IDMap2
        ivf.set_direct_map_type(faiss.DirectMap.Array)
    if not isinstance(index, (faiss.IndexIDMap, faiss.IndexIDMap2)):
        index = faiss.IndexIDMap2(index)
    return index


def build_index(ids: np.ndarray, vectors: np.ndarray, factory: str | None = None) -> tuple[faiss.Index, str]:
    """(index, factory) holding ``vectors`` under ``ids``; ``factory`` defaults to :func:`choose_factory`.

    Untrained indexes (IVF, PQ) are trained on a random sample of at most
    ``IVF_TRAIN_PER_LIST × nlist`` vectors (all of them when fewer); with FAISS GPUs the
    IVF k-means runs on the GPU.
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or len(vectors) != len(ids):
        raise ValueError(f"expected vectors [len(ids), d], got {vectors.shape} for {len(ids)} ids")
    dim = vectors.shape[1]
    factory = factory or choose_factory(len(ids), dim)
    index = new_index(factory, dim)
    if not index.is_trained:
        train_index(index, vectors, factory)
    add_vectors(index, ids, vectors)
    return index, factory


def build_flat_index(ids: np.ndarray, vectors: np.ndarray) -> faiss.Index:
    """An exact inner-product index whose ids are ``ids`` (int64)."""
    return build_index(ids, vectors, EXACT_FACTORY)[0]


def add_vectors(index: faiss.Index, ids: np.ndarray, vectors: np.ndarray) -> None:
    """Add ``vectors`` under ``ids`` (int64) to ``index``."""
    _SORTED_IDS.pop(index, None)
    if len(ids):
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                           np.ascontiguousarray(ids, dtype=np.int64))


def sorted_ids(index: faiss.Index) -> np.ndarray:
    """:func:`index_ids`, sorted; cached per index object until an edit through this module."""
    cached = _SORTED_IDS.get(index)
    if cached is None or cached[0] != index.ntotal:
        cached = (index.ntotal, np.sort(index_ids(index)))
        _SORTED_IDS[index] = cached
    return cached[1]


def index_ids(index: faiss.Index) -> np.ndarray:
    """Every id held by ``index``, int64 (IDMap order, or inverted list by list for IVF)."""
    if isinstance(index, (faiss.IndexIDMap, faiss.IndexIDMap2)):
        return faiss.vector_to_array(index.id_map).astype(np.int64)
    ivf = faiss.try_extract_index_ivf(index) if _keeps_ids(index) else None
    if ivf is None:
        raise TypeError(f"{type(index).__name__} holds no ids: build indexes with bonesearch.index.backends")
    lists = ivf.invlists
    parts = [faiss.rev_swig_ptr(lists.get_ids(i), lists.list_size(i)).copy()
             for i in range(ivf.nlist) if lists.list_size(i)]
    return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, np.int64)


def lookup_sorted(sorted_ids: np.ndarray, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positions, found): where each candidate sits in ``sorted_ids`` and whether it is there (O(m log n))."""
    if not len(sorted_ids):
        return np.zeros(len(candidates), np.int64), np.zeros(len(candidates), bool)
    pos = np.minimum(np.searchsorted(sorted_ids, candidates), len(sorted_ids) - 1)
    return pos, sorted_ids[pos] == candidates


def reconstruct(index: faiss.Index, ids: np.ndarray) -> np.ndarray:
    """The stored vectors of ``ids`` (all present in ``index``), float32 ``[len(ids), d]``.

    Exact for flat storage, the decoded approximation for PQ/SQ codes.
    """
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    if not len(ids):
        return np.empty((0, index.d), np.float32)
    return index.reconstruct_batch(ids)


def remove_ids(index: faiss.Index, ids: np.ndarray, factory: str) -> faiss.Index:
    """``index`` without ``ids`` (absent ids are ignored); may return a rebuilt index.

    Flat (IDMap2) and IVF indexes remove in place; the others (HNSW graphs, refine stages)
    are rebuilt from the vectors that stay, with the same ``factory``.
    """
    ids = np.ascontiguousarray(np.unique(ids), dtype=np.int64)
    if not len(ids) or index.ntotal == 0:
        return index
    _SORTED_IDS.pop(index, None)
    if _keeps_ids(index):
        index.remove_ids(faiss.IDSelectorArray(ids))
        return index
    if is_exact(index):
        index.remove_ids(faiss.IDSelectorBatch(ids))
        return index
    # HNSW, refine stages, IVF under IDMap2: no safe in-place removal, rebuild from what stays
    kept = index_ids(index)
    kept = kept[~np.isin(kept, ids)]
    return build_index(kept, reconstruct(index, kept), factory)[0]


def is_exact(index: faiss.Index) -> bool:
    """True when ``index`` is a brute-force flat index (search = NumPy ground truth)."""
    inner = index.index if isinstance(index, (faiss.IndexIDMap, faiss.IndexIDMap2)) else index
    return isinstance(faiss.downcast_index(inner), faiss.IndexFlat)


def serve_mapped_lists(index: faiss.Index) -> bool:
    """Tune an index read with ``IO_FLAG_MMAP`` for single queries; True when its lists are memory-mapped.

    FAISS starts 32 threads per search to prefetch memory-mapped lists; at one query that
    made p50 8× slower in ``bench/scale.py`` (0.08 → 0.62 ms), so prefetching is off: the
    page cache keeps the hot lists.
    """
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is None:
        return False
    lists = faiss.downcast_InvertedLists(ivf.invlists)
    if not isinstance(lists, faiss.OnDiskInvertedLists):
        return False
    lists.prefetch_nthread = 0
    return True


def train_sample_size(index: faiss.Index) -> int:
    """Vectors :func:`train_index` uses at most: ``IVF_TRAIN_PER_LIST × nlist`` (256 × 64 for codebooks alone)."""
    ivf = faiss.try_extract_index_ivf(index)
    return IVF_TRAIN_PER_LIST * (ivf.nlist if ivf is not None else 256)


def train_index(index: faiss.Index, vectors: np.ndarray, factory: str) -> None:
    """Train ``index`` (built from ``factory``) on a seeded sample of at most :func:`train_sample_size` of ``vectors``;
    IVF k-means on the GPUs when FAISS has them. Raises BonesearchError when there are too few vectors."""
    ivf = faiss.try_extract_index_ivf(index)
    nlist = ivf.nlist if ivf is not None else 256
    if len(vectors) < nlist:
        raise BonesearchError(
            f"index factory {factory!r} needs at least {nlist} vectors to train, the store has {len(vectors)}: "
            f"use a smaller IVF (e.g. 'IVF{max(1, 2 ** int(math.log2(max(1, len(vectors) // 39))))},Flat') "
            f"or leave --index-factory out (exact search)"
        )
    sample, size = vectors, train_sample_size(index)
    if len(vectors) > size:
        rows = np.random.default_rng(0).choice(len(vectors), size, replace=False)
        sample = vectors[np.sort(rows)]
    cluster_on_gpus(index)
    index.train(np.ascontiguousarray(sample))


def cluster_on_gpus(index: faiss.Index) -> None:
    """Run an IVF index's training k-means on every FAISS GPU (nothing without GPUs or IVF)."""
    ivf = faiss.try_extract_index_ivf(index)
    gpus = faiss.get_num_gpus()
    if ivf is not None and gpus > 0:
        options = faiss.GpuMultipleClonerOptions()
        options.shard = gpus > 1  # the centroids split across the GPUs: nlist × d fits at any size
        ivf.clustering_index = faiss.index_cpu_to_all_gpus(faiss.IndexFlatL2(ivf.d), co=options)


def _keeps_ids(index: faiss.Index) -> bool:
    """True for an IVF index (possibly behind a pre-transform) that stores ids in its lists."""
    top = faiss.downcast_index(index)
    if isinstance(top, faiss.IndexPreTransform):
        top = faiss.downcast_index(top.index)
    return isinstance(top, faiss.IndexIVF)


def hnsw_of(index: faiss.Index):
    """The HNSW graph of an (IDMap2-wrapped) HNSW index, else None."""
    inner = faiss.downcast_index(index.index) if isinstance(index, (faiss.IndexIDMap, faiss.IndexIDMap2)) else index
    return getattr(inner, "hnsw", None)


def _first_line(exc: Exception) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[-1].strip() if lines else type(exc).__name__
