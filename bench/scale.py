"""Indexes past a million vectors: build time, memory, recall@10 vs exact, latency and QPS; a paper-scale plan.

Data: synthetic 512-d unit vectors clustered like image embeddings (``--clusters`` centres
in ~50 groups, the variation inside a cluster in its own 16-d subspace, 5 % isotropic noise:
the model of ``bench/ann_recall.py``), generated chunk by chunk from seeded generators, so
10 M vectors are never held at once: each chunk is added to the index, scored against the
queries for the exact ground truth (``IndexFlatIP`` on the chunk, merged in a
``faiss.ResultHeap``), then dropped. Queries are drawn from the same mixture, apart from
the database.

The index is the one ``bonesearch index`` would build at that size (factory from
:func:`bonesearch.index.backends.choose_factory`, ids kept as that module keeps them),
or ``--factory`` (e.g. ``IVF16384_HNSW32,PQ64`` or ``OPQ64,IVF16384_HNSW32,PQ64``),
trained on a sample of ``64 × nlist`` vectors. With ``--ondisk DIR`` the vectors go into
block indexes written to DIR, merged with ``faiss.contrib.ondisk.merge_ondisk`` into one
inverted-list file, and the index is served from there, memory-mapped: the RAM it needs
is the coarse quantizer, not the lists.

Measured: train / add time, peak RSS, index size on disk, then for each ``--nprobe``:
recall@10 against exact (``knn_intersection_measure``), p50 / p95 single-query latency
and QPS at batch 1 (``--threads`` threads), QPS at batch 1024 (all cores). Targets (issue 7):
recall@10 ≥ 0.90, p50 ≤ 20 ms, at 10 M vectors on a 24 GiB machine.

Usage::

    python bench/scale.py                                   # 1 M vectors, the default factory
    python bench/scale.py --n 10000000 --factory IVF16384_HNSW32,PQ64 --ondisk /data/scale
    python bench/scale.py --n 20000 --queries 100 --factory IVF64,PQ16     # smoke test

Prints ``name: value (ratio to target)`` and, from ``--decode-per-core`` and
``--embed-per-gpu``, the hours and nodes to ingest and embed 1 M and 10 M DICOM images.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np
from faiss.contrib.evaluation import knn_intersection_measure
from faiss.contrib.ondisk import merge_ondisk
from threadpoolctl import threadpool_limits

from bonesearch.progress import progress_bar
from bonesearch.index.backends import (add_vectors, apply_search_params, choose_factory, cluster_on_gpus,
                                        default_search_params, new_index, train_sample_size)
from bonesearch.index.topk import search

K = 10
RECALL_TARGET = 0.90  # issue 7: recall@10 against exact on a 1,000-query sample
P50_TARGET_MS = 20.0  # issue 7: single-query p50 at 10 M vectors
CHUNK = 65_536  # vectors generated, added and scored against the queries at a time (128 MiB at 512-d)
BLOCK = 1_000_000  # vectors per block index before the on-disk merge
BATCH = 1024  # the large batch for QPS
PLAN_SIZES = (1_000_000, 10_000_000)  # images in the paper-scale plan
PQ_TRAIN = 65_536  # PQ/SQ codebooks: FAISS samples 256 points per centroid × 256 centroids


class ClusteredSource:
    """Clustered unit vectors drawn chunk by chunk: chunk ``i`` of stream ``s`` is the same on every call.

    ``clusters`` centres lie near ``groups`` group centres (body part, then view and
    finding); a point is its centre plus a variation of norm ``spread`` in the cluster's
    own ``rank``-dimensional subspace plus 5 % isotropic noise, normalised. The centres
    and subspaces (``clusters × rank × dim`` float32, 128 MiB for 4,096 clusters) are
    drawn once from ``seed``.
    """

    def __init__(self, dim: int, clusters: int, spread: float, seed: int = 0, rank: int = 16, groups: int = 50) -> None:
        fixed = np.random.default_rng((seed, 0))
        group_centres = _unit(fixed.standard_normal((groups, dim), dtype=np.float32))
        self.centres = _unit(group_centres[fixed.integers(groups, size=clusters)]
                             + 0.6 * _unit(fixed.standard_normal((clusters, dim), dtype=np.float32)))
        self.bases = fixed.standard_normal((clusters, rank, dim), dtype=np.float32)
        self.dim, self.spread, self.seed = dim, spread, seed

    def chunk(self, stream: int, index: int, n: int) -> np.ndarray:
        """``n`` float32 unit vectors, chunk ``index`` of ``stream`` (1: database, 2: queries)."""
        rng = np.random.default_rng((self.seed, stream, index))
        members = rng.integers(len(self.centres), size=n)
        coefficients = rng.standard_normal((n, self.bases.shape[1]), dtype=np.float32)
        variation = np.empty((n, self.dim), np.float32)
        order = np.argsort(members, kind="stable")
        starts = np.flatnonzero(np.diff(members[order], prepend=-1))
        for rows in np.split(order, starts[1:]):  # one small product per cluster, no n × rank × dim gather
            variation[rows] = coefficients[rows] @ self.bases[members[rows[0]]]
        x = self.centres[members] + self.spread * _unit(variation)
        x += 0.05 * _unit(rng.standard_normal((n, self.dim), dtype=np.float32))
        return _unit(x)

    def database(self, n: int, chunk: int = CHUNK):
        """(first row, vectors) chunks of the ``n``-vector database, in order."""
        for i, start in enumerate(range(0, n, chunk)):
            yield start, self.chunk(1, i, min(chunk, n - start))


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


@dataclass
class Build:
    """How the index was built and what it costs."""

    factory: str
    ntotal: int
    train_vectors: int
    train_s: float
    add_s: float  # adding the vectors (plus writing blocks and merging them with --ondisk)
    generate_s: float  # drawing the synthetic vectors (not part of the build)
    truth_s: float  # exact ground truth (not part of the build)
    index_bytes: int  # on disk: the index file, plus the inverted-list file with --ondisk
    peak_rss_mib: float  # process peak after the build (generation, ground truth and training included)
    ondisk: bool


def training_size(index: faiss.Index, n: int, cap: int | None) -> int:
    """Vectors to train ``index`` on: what ``bonesearch index`` samples (:func:`train_sample_size`), at least
    :data:`PQ_TRAIN` (all when fewer)."""
    wanted = max(train_sample_size(index), PQ_TRAIN)
    return min(n, wanted, cap or wanted)


def train(index: faiss.Index, source: ClusteredSource, size: int) -> float:
    """Train ``index`` on the first ``size`` database vectors (an i.i.d. sample); seconds."""
    sample = np.concatenate([x for _, x in source.database(size)])
    cluster_on_gpus(index)
    start = time.perf_counter()
    index.train(sample)
    return time.perf_counter() - start


class Filler:
    """Adds chunks to the index (or to on-disk blocks) and keeps the exact top-k of the queries."""

    def __init__(self, index: faiss.Index, queries: np.ndarray, ondisk: Path | None, prefetch_threads: int = 0) -> None:
        self.index, self.queries, self.ondisk, self.prefetch_threads = index, queries, ondisk, prefetch_threads
        self.heap = faiss.ResultHeap(len(queries), K, keep_max=True)
        self.add_s = self.truth_s = 0.0
        self.blocks: list[Path] = []
        self._trained = faiss.serialize_index(index) if ondisk else None
        self._block: faiss.Index | None = None

    def add(self, first: int, x: np.ndarray) -> None:
        """Add rows ``first…first+len(x)`` (ids = row numbers) and score them against the queries."""
        ids = np.arange(first, first + len(x), dtype=np.int64)
        start = time.perf_counter()
        if self.ondisk is None:
            add_vectors(self.index, ids, x)
        else:
            if self._block is None:
                self._block = faiss.deserialize_index(self._trained)
            add_vectors(self._block, ids, x)
            if self._block.ntotal >= BLOCK:
                self._write_block()
        self.add_s += time.perf_counter() - start
        start = time.perf_counter()
        flat = faiss.IndexFlatIP(x.shape[1])
        flat.add(x)
        scores, rows = flat.search(self.queries, K)
        self.heap.add_result(scores, rows + first)
        self.truth_s += time.perf_counter() - start

    def finish(self) -> tuple[faiss.Index, np.ndarray, int]:
        """(index to serve, exact top-k ids, bytes on disk); with ``--ondisk``, merged and memory-mapped."""
        self.heap.finalize()
        truth = self.heap.I
        start = time.perf_counter()
        if self.ondisk is None:
            with tempfile.TemporaryDirectory() as tmp:
                faiss.write_index(self.index, f"{tmp}/index.faiss")
                size = os.path.getsize(f"{tmp}/index.faiss")
            return self.index, truth, size
        if self._block is not None and self._block.ntotal:
            self._write_block()
        merged = faiss.deserialize_index(self._trained)
        merge_ondisk(merged, [str(p) for p in self.blocks], str(self.ondisk / "lists.ivfdata"))
        faiss.write_index(merged, str(self.ondisk / "index.faiss"))
        del merged
        for block in self.blocks:
            block.unlink()
        self.add_s += time.perf_counter() - start
        served = faiss.read_index(str(self.ondisk / "index.faiss"), faiss.IO_FLAG_ONDISK_SAME_DIR)
        lists = faiss.downcast_InvertedLists(faiss.extract_index_ivf(served).invlists)
        lists.prefetch_nthread = self.prefetch_threads
        size = sum(os.path.getsize(self.ondisk / name) for name in ("index.faiss", "lists.ivfdata"))
        return served, truth, size

    def _write_block(self) -> None:
        path = self.ondisk / f"block{len(self.blocks):04d}.faiss"
        faiss.write_index(self._block, str(path))
        self.blocks.append(path)
        self._block = None


def build(args: argparse.Namespace, source: ClusteredSource, queries: np.ndarray) -> tuple[faiss.Index, np.ndarray, Build]:
    """Train, fill (chunk by chunk, with the ground truth) and, with ``--ondisk``, merge and map the index."""
    factory = args.factory or choose_factory(args.n, args.dim)
    index = new_index(factory, args.dim)
    ivf = faiss.try_extract_index_ivf(index)
    ondisk = prepare_ondisk(args.ondisk, factory, ivf)
    if ondisk is not None:
        ivf.set_direct_map_type(faiss.DirectMap.NoMap)  # the merged lists carry the ids; no id → slot map
    size = training_size(index, args.n, args.train_size)
    train_s = 0.0
    if not index.is_trained:
        train_s = train(index, source, size)
        print(f"trained {factory} on {size:,} vectors in {train_s:.1f} s")
    else:
        size = 0
    filler = Filler(index, queries, ondisk, args.prefetch_threads)
    start = time.perf_counter()
    with progress_bar("add", total=args.n) as advance:
        for first, x in source.database(args.n):
            filler.add(first, x)
            advance(len(x))
    generate_s = time.perf_counter() - start - filler.add_s - filler.truth_s
    served, truth, nbytes = filler.finish()  # adds the on-disk merge to add_s
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return served, truth, Build(factory, served.ntotal, size, train_s, filler.add_s, max(0.0, generate_s),
                                filler.truth_s, nbytes, peak, ondisk is not None)


def prepare_ondisk(folder: Path | None, factory: str, ivf) -> Path | None:
    """``folder`` created and checked empty of a previous run, or None without ``--ondisk``."""
    if folder is None:
        return None
    if ivf is None:
        raise SystemExit(f"--ondisk needs an IVF index, {factory!r} is not one: give --factory IVF…,PQ64 too")
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.glob("*.faiss")) or (folder / "lists.ivfdata").exists():
        raise SystemExit(f"{folder} holds a previous run (*.faiss, lists.ivfdata): remove them or give another --ondisk")
    return folder


def measure(index: faiss.Index, queries: np.ndarray, truth: np.ndarray, params: str, threads: int) -> dict:
    """Recall@10, single-query p50/p95 (ms) and QPS at batch 1 with ``threads``, QPS at batch 1024 with all cores."""
    apply_search_params(index, params)
    _, found = search(index, queries, K)
    recall = knn_intersection_measure(found, truth)
    cores = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(threads)
    try:
        with threadpool_limits(threads):
            for q in queries[:5]:
                search(index, q[None], K)
            times = []
            for q in queries:
                start = time.perf_counter()
                search(index, q[None], K)
                times.append((time.perf_counter() - start) * 1000)
    finally:
        faiss.omp_set_num_threads(cores)
    batch = queries[np.arange(BATCH) % len(queries)]
    search(index, batch[:64], K)
    start = time.perf_counter()
    search(index, batch, K)
    batch_qps = BATCH / (time.perf_counter() - start)
    return {"params": params, "recall_at_10": recall, "p50_ms": statistics.median(times),
            "p95_ms": float(np.percentile(times, 95)), "qps_batch1": len(times) / (sum(times) / 1000),
            "qps_batch1024": batch_qps}


def nprobe_params(index: faiss.Index, nprobes: list[int], extra: str = "") -> list[str]:
    """One ParameterSpace string per ``nprobe`` that the index has lists for, with the index's other
    default knobs (a refine stage's ``k_factor_rf``) and ``extra``; one string for a non-IVF index."""
    given = [p for p in extra.split(",") if p]
    overridden = {"nprobe"} | {p.split("=")[0] for p in given}
    others = [p for p in default_search_params(index).split(",") if p and p.split("=")[0] not in overridden] + given
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is None:
        return [",".join(others)]
    probes = [f"nprobe={p}" for p in nprobes if p <= ivf.nlist] or [f"nprobe={ivf.nlist}"]
    return [",".join([probe, *others]) for probe in probes]


def plan(decode_per_core: float, embed_per_gpu: float, cores: int, gpus: int, hours: float) -> list[dict]:
    """Hours on one node and nodes for ``hours`` to ingest and embed each of :data:`PLAN_SIZES` images.

    A node decodes at ``cores × decode_per_core`` and embeds at ``gpus × embed_per_gpu``
    images/s; the two stages overlap, so the node runs at the slower one.
    """
    decode, embed = cores * decode_per_core, gpus * embed_per_gpu
    rate = min(decode, embed)
    rows = []
    for n in PLAN_SIZES:
        one_node_h = n / rate / 3600
        rows.append({"images": n, "node_images_per_s": rate, "bound": "decode" if decode < embed else "embed",
                     "hours_one_node": one_node_h, "nodes_for_deadline": max(1, math.ceil(one_node_h / hours)),
                     "cores_to_feed_one_gpu": math.ceil(embed_per_gpu / decode_per_core)})
    return rows


def rss_mib(kind: str) -> float:
    """The process's current ``RssAnon`` or ``RssFile`` (``/proc/self/status``), MiB; NaN where unavailable."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{kind}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="database vectors (1 M or 10 M for the issue)")
    parser.add_argument("--factory", help="FAISS factory (default: choose_factory at --n)")
    parser.add_argument("--ondisk", type=Path, help="folder for on-disk inverted lists, served memory-mapped")
    parser.add_argument("--nprobe", default="16,32,64", help="comma-separated nprobe values to sweep")
    parser.add_argument("--prefetch-threads", type=int, default=0,
                        help="--ondisk: threads that prefetch the probed lists per search (FAISS's default 32 "
                             "costs ~0.5-4 ms per single query here; worth it only on a cold, slow disk)")
    parser.add_argument("--params", default="",
                        help="more ParameterSpace knobs for every nprobe, e.g. k_factor_rf=16; alternatives to sweep "
                             "separated by ';' (k_factor_rf=16;k_factor_rf=64)")
    parser.add_argument("--queries", type=int, default=1000, help="query sample for recall and latency")
    parser.add_argument("--train-size", type=int, help="at most this many training vectors (default 64 × nlist, ≥ 65,536)")
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--clusters", type=int, default=4096, help="cluster centres of the synthetic vectors")
    parser.add_argument("--spread", type=float, default=0.8, help="norm of the within-cluster variation (centres: 1)")
    parser.add_argument("--threads", type=int, default=1, help="threads for single-query latency and batch-1 QPS")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--decode-per-core", type=float, default=52.0,
                        help="plan: ingested DICOM images/s per core (BENCHMARKS.md: 52 with the OCR screen, 119 without)")
    parser.add_argument("--embed-per-gpu", type=float, default=9000.0, help="plan: embedding images/s per GPU (ViT-B/16, H200)")
    parser.add_argument("--cores-per-node", type=int, default=16)
    parser.add_argument("--gpus-per-node", type=int, default=1)
    parser.add_argument("--plan-hours", type=float, default=24.0, help="plan: nodes needed to finish within this")
    args = parser.parse_args()

    print(f"scale: {args.n:,} x {args.dim}-d in {args.clusters} clusters, {args.queries} queries; faiss "
          f"{faiss.__version__}, {faiss.omp_get_max_threads()} threads on {os.cpu_count()} cores, "
          f"{faiss.get_num_gpus()} GPUs, load average {os.getloadavg()[0]:.1f}")
    source = ClusteredSource(args.dim, args.clusters, args.spread)
    queries = source.chunk(2, 0, args.queries)
    print(f"baseline_rss: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB peak before the build "
          f"(libraries, cluster centres and subspaces, queries)")
    index, truth, built = build(args, source, queries)
    print(f"build[{built.factory}]: {built.ntotal:,} vectors, train {built.train_s:.1f} s, add {built.add_s:.1f} s "
          f"(generation {built.generate_s:.1f} s and exact ground truth {built.truth_s:.1f} s not counted)")
    print(f"index_bytes: {built.index_bytes / 2**20:,.1f} MiB ({built.index_bytes / max(1, built.ntotal):.1f} B/vector)"
          f"{' on disk, served memory-mapped' if built.ondisk else ''}")
    print(f"peak_rss: {built.peak_rss_mib:,.0f} MiB; now anon {rss_mib('RssAnon'):,.0f} MiB, "
          f"file-backed {rss_mib('RssFile'):,.0f} MiB")

    rows = []
    nprobes = [int(p) for p in args.nprobe.split(",") if p.strip()]
    for params in [p for extra in args.params.split(";") for p in nprobe_params(index, nprobes, extra)]:
        row = measure(index, queries, truth, params, args.threads)
        rows.append(row)
        name = f"[{built.factory}{' ' + params if params else ''}]"
        print(f"recall@10{name}: {row['recall_at_10']:.3f} (ratio to {RECALL_TARGET} target: "
              f"{row['recall_at_10'] / RECALL_TARGET:.2f})")
        print(f"p50_ms{name}: {row['p50_ms']:.2f} (ratio to {P50_TARGET_MS:.0f} ms target: "
              f"{row['p50_ms'] / P50_TARGET_MS:.2f}); p95 {row['p95_ms']:.2f} ms, {args.threads} thread(s)")
        print(f"qps{name}: batch 1 {row['qps_batch1']:,.0f}, batch {BATCH} {row['qps_batch1024']:,.0f} "
              f"({faiss.omp_get_max_threads()} threads)")
    if built.ondisk:
        print(f"serving rss: anon {rss_mib('RssAnon'):,.0f} MiB, file-backed (page cache of the lists) "
              f"{rss_mib('RssFile'):,.0f} MiB")

    steps = plan(args.decode_per_core, args.embed_per_gpu, args.cores_per_node, args.gpus_per_node, args.plan_hours)
    print(f"paper-scale plan: nodes of {args.cores_per_node} cores + {args.gpus_per_node} GPU(s), decode "
          f"{args.decode_per_core:g} images/s per core, embed {args.embed_per_gpu:g} images/s per GPU")
    for step in steps:
        print(f"  {step['images']:>12,} images: {step['node_images_per_s']:,.0f} images/s per node ({step['bound']}-bound), "
              f"{step['hours_one_node']:.2f} h on one node, {step['nodes_for_deadline']} node(s) for "
              f"{args.plan_hours:g} h; {step['cores_to_feed_one_gpu']} cores keep one GPU busy")
    if args.json:
        args.json.write_text(json.dumps({"args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                                         "build": asdict(built), "search": rows, "plan": steps}, indent=2))
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
