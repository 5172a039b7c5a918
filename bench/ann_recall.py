"""Approximate FAISS indexes against exact search: recall@10, build time, QPS; filtered-search cost.

Data: clustered synthetic unit vectors (``--clusters`` clusters in 512-d, as image
embeddings cluster by body part, then view and finding; the variation inside a cluster lives
in its own 16-d subspace, see :func:`clustered`), a database of ``--n`` vectors and ``--queries``
queries drawn the same way. Ground truth: exact inner-product search (``IndexFlatIP``).

For each approximate index (IVF-Flat, IVF-PQ with an SQ8 refine stage, HNSW) the script
builds it through :func:`bonesearch.index.backends.build_index` (the code path of
``bonesearch index``), sweeps its search knob (``nprobe`` / ``efSearch``) and reports the
cheapest setting whose recall@10 (``faiss.contrib.evaluation.knn_intersection_measure``)
reaches the target, with QPS there (all queries in one batch). Then, on the exact index,
the per-query cost of a filtered search by selectivity, scored directly from the allowed
vectors vs through the FAISS selector — the numbers behind the threshold in
:mod:`bonesearch.index.topk`.

Usage::

    python bench/ann_recall.py                 # 100 k x 512-d, 1 k queries (a few minutes on 2 cores)
    python bench/ann_recall.py --n 20000       # quicker

Prints ``name: value (ratio to anchor)``; the anchor of recall is the issue's 0.95.
"""

from __future__ import annotations

import argparse
import time

import faiss
import numpy as np
from faiss.contrib.evaluation import knn_intersection_measure

from bonesearch.index.backends import apply_search_params, build_index, new_index
from bonesearch.index.topk import score_directly

RECALL_TARGET = 0.95
K = 10


def clustered(n: int, dim: int, clusters: int, spread: float, rng: np.random.Generator, rank: int = 16,
              groups: int = 50) -> np.ndarray:
    """``n`` unit vectors from a two-level mixture, as image embeddings group by body part, then
    by view and finding: ``groups`` unit group centres, ``clusters`` cluster centres near them,
    and in each cluster a variation of norm ``spread`` in the cluster's own ``rank``-dimensional
    subspace (embeddings have a low intrinsic dimension), plus 5 % isotropic noise. Centres and
    subspaces are fixed (seed 1234): database and queries share them.
    """
    fixed = np.random.default_rng(1234)
    unit = lambda a: a / np.linalg.norm(a, axis=-1, keepdims=True)  # noqa: E731
    centres = unit(unit(fixed.normal(size=(groups, dim)))[fixed.integers(groups, size=clusters)]
                   + 0.6 * unit(fixed.normal(size=(clusters, dim))))
    bases = fixed.normal(size=(clusters, rank, dim)) / np.sqrt(dim)
    members = rng.integers(clusters, size=n)
    variation = unit(np.einsum("nr,nrd->nd", rng.normal(size=(n, rank)), bases[members]))
    x = centres[members] + spread * variation + 0.05 * unit(rng.normal(size=(n, dim)))
    return unit(x).astype(np.float32)


def timed_search(index, queries: np.ndarray, params: str = "") -> tuple[np.ndarray, float]:
    """(ids, queries per second) of one batched search with ``params`` set."""
    apply_search_params(index, params)
    start = time.perf_counter()
    _, ids = index.search(queries, K)
    return ids, len(queries) / (time.perf_counter() - start)


def sweep(name: str, factory: str, ids: np.ndarray, x: np.ndarray, queries: np.ndarray, truth: np.ndarray,
          knob: str, values: list[int], extra: str = "") -> None:
    """Build ``factory``, raise ``knob`` through ``values`` until recall@10 reaches the target."""
    start = time.perf_counter()
    index, _ = build_index(ids, x, factory)
    build_s = time.perf_counter() - start
    print(f"{name} ({factory}): built in {build_s:.1f} s, {index.ntotal} vectors")
    best = None
    for value in values:
        found, qps = timed_search(index, queries, f"{knob}={value}" + (f",{extra}" if extra else ""))
        recall = knn_intersection_measure(found, truth)
        print(f"  {knob}={value}: recall@{K} {recall:.3f}, {qps:,.0f} QPS")
        if recall >= RECALL_TARGET:
            best = (value, recall, qps)
            break
    if best is None:
        print(f"{name} recall@{K}: below {RECALL_TARGET} at every {knob} tried")
        return
    value, recall, qps = best
    print(f"{name} recall@{K}: {recall:.3f} ({recall / RECALL_TARGET:.2f}x anchor) at {knob}={value}{',' + extra if extra else ''}, "
          f"{qps:,.0f} QPS, build {build_s:.1f} s")


def filtered_costs(ids: np.ndarray, x: np.ndarray, queries: np.ndarray) -> None:
    """Per-query ms of a filtered exact search, directly vs through the selector, by selectivity,
    for single queries and for a batch of 50 (which shares one read-back of the allowed vectors)."""
    index = new_index("IDMap2,Flat", x.shape[1])
    index.add_with_ids(x, ids)
    rng = np.random.default_rng(5)
    print(f"filtered exact search on {len(ids)} vectors, ms per query (single queries | batch of 50):")
    for fraction in (0.005, 0.01, 0.02, 0.05, 0.2, 0.5):
        allowed = np.sort(rng.choice(ids, max(K, int(fraction * len(ids))), replace=False))
        selector = faiss.IDSelectorBatch(allowed)
        costs = []
        for batch in (1, 50):
            rows = [queries[i : i + batch] for i in range(0, 20 * batch, batch)] if batch == 1 else [queries[:batch]]
            start = time.perf_counter()
            direct = [score_directly(index, q, K, allowed)[1] for q in rows]
            costs.append((time.perf_counter() - start) * 1000 / (len(rows) * batch))
            start = time.perf_counter()
            via = [index.search(q, K, params=faiss.SearchParameters(sel=selector))[1] for q in rows]
            costs.append((time.perf_counter() - start) * 1000 / (len(rows) * batch))
            assert all(np.array_equal(a, b) for a, b in zip(direct, via))
        print(f"  {fraction:6.1%} allowed ({len(allowed)} ids): direct {costs[0]:.2f} | {costs[2]:.2f} ms, "
              f"selector {costs[1]:.2f} | {costs[3]:.2f} ms (same results)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="database vectors")
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--clusters", type=int, default=1000)
    parser.add_argument("--spread", type=float, default=0.8, help="norm of the within-cluster variation (centres have norm 1)")
    parser.add_argument("--nlist", type=int, default=1024)
    parser.add_argument("--filters-only", action="store_true", help="only the filtered-search costs")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x = clustered(args.n, args.dim, args.clusters, args.spread, rng)
    queries = clustered(args.queries, args.dim, args.clusters, args.spread, rng)
    ids = np.arange(args.n, dtype=np.int64) * 7 + 3  # ids that are not row numbers
    print(f"data: {args.n} x {args.dim}-d in {args.clusters} clusters, {args.queries} queries, "
          f"{faiss.omp_get_max_threads()} FAISS threads, faiss {faiss.__version__}")

    exact = new_index("IDMap2,Flat", args.dim)
    exact.add_with_ids(x, ids)
    truth, exact_qps = timed_search(exact, queries)
    print(f"exact (IDMap2,Flat): {exact_qps:,.0f} QPS")

    if args.filters_only:
        filtered_costs(ids, x, queries)
        return
    nprobes = [1, 2, 4, 8, 16, 32, 64, 128, 256]
    sweep("ivf-flat", f"IVF{args.nlist},Flat", ids, x, queries, truth, "nprobe", nprobes)
    sweep("ivf-sq8", f"IVF{args.nlist},SQ8", ids, x, queries, truth, "nprobe", nprobes)
    sweep("ivf-pq", f"IVF{args.nlist},PQ{args.dim // 8}", ids, x, queries, truth, "nprobe", nprobes)
    sweep("ivf-pq-refine", f"IVF{args.nlist},PQ{args.dim // 8},Refine(SQ8)", ids, x, queries, truth, "nprobe", nprobes,
          extra="k_factor_rf=4")
    sweep("hnsw", "HNSW32", ids, x, queries, truth, "efSearch", [16, 32, 64, 128, 256, 512])
    filtered_costs(ids, x, queries)


if __name__ == "__main__":
    main()
