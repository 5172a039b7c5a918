"""Single-query search latency at archive scale through the search engine on the GPU (issue 5's
GPU measure, issue 15: the engine's GPU path).

A synthetic store of ``--vectors`` images (realistic metadata, written through the store API
by ``bench/query_latency.py``'s writer) gets an exact index of clustered unit vectors of
``--model``'s dimension and a random-weight ``--model`` checkpoint; the store is then opened
the way ``bonesearch query --device cuda`` opens it: ``SearchEngine.open(store, device,
search_backend=...)``, by default the ``torch`` backend (the vectors as one fp16 matrix on the
GPU; what ``--device cuda`` searches where faiss-gpu is not installed). Single queries, one
at a time, host to host:

* ``index``: the top-10 of the engine's index alone (numpy query in, numpy ids out), the
  anchor's measure;
* ``search``: the engine's ``search_vectors`` (top-10 + the DuckDB join that makes hits);
* ``filtered``: the same restricted to ``--allowed`` of the images (an ``allowed_ids`` list);
* ``text+search``: ``search_text``, the query encoded by the model's text tower first
  (bf16 on CUDA) — what ``bonesearch query`` does, the issue's target.

The engine's top-10 is checked against a float32 brute force on a sample of queries (recall@10).
Target (issue 5): text query p50 ≤ 5 ms at 1 M vectors on the GPU. Anchor: exact top-10 over
1 M 512-d fp16 vectors 0.32 ms per query on an H200 (the index alone).

Usage::

    python bench/gpu_search.py --device cuda                                 # 1 M vectors, vitb16-bertbase
    python bench/gpu_search.py --device cpu --vectors 20000 --model tiny     # the same path on the CPU
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.query_latency import QUERIES, clustered_vectors, write_synthetic_store  # noqa: E402
from bonesearch.index.files import IndexManifest, build_flat_index, search, write_index  # noqa: E402
from bonesearch.search.engine import SearchEngine  # noqa: E402

TARGET_MS = 5.0
ANCHOR_MS = 0.32


def build_store(work: Path, images: int, model: str) -> Path:
    """The synthetic store at ``work/store``, indexed with ``model``'s dimension; its checkpoint at ``work/ckpt``."""
    from bonesearch.models import create_model, load_checkpoint, save_checkpoint

    store = work / "store"
    write_synthetic_store(store, images)
    checkpoint = save_checkpoint(create_model(model, reports=QUERIES * 20, seed=0), work / "ckpt")
    clip = load_checkpoint(checkpoint)
    ids = np.arange(1, images + 1, dtype=np.int64)
    manifest = IndexManifest(name="images", model_fingerprint=clip.fingerprint(), checkpoint=str(checkpoint),
                             dim=clip.embed_dim, count=images)
    write_index(store / "index", build_flat_index(ids, clustered_vectors(images, clip.embed_dim, 1000)), manifest)
    return store


def timed(fn: Callable[[int], object], repeats: int, device: torch.device) -> list[float]:
    """Milliseconds per call of ``fn(i)`` (after 10 warm-up calls)."""
    for i in range(10):
        fn(i)
    times = []
    for i in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        fn(i)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(name: str, times: list[float]) -> None:
    p50 = statistics.median(times)
    p95 = sorted(times)[int(0.95 * (len(times) - 1))]
    print(f"{name}_p50_ms: {p50:.3f} (ratio to {TARGET_MS} ms target: {p50 / TARGET_MS:.2f}; "
          f"to the {ANCHOR_MS} ms anchor: {p50 / ANCHOR_MS:.2f}); p95 {p95:.3f} ms", flush=True)


def recall_at_10(engine: SearchEngine, store: Path, queries: np.ndarray) -> float:
    """Mean overlap of the engine's top-10 with a float32 brute force over the stored vectors."""
    from bonesearch.index.backends import index_ids, reconstruct
    from bonesearch.index.files import read_index

    index, _ = read_index(store / "index", "images")
    ids = index_ids(index)
    vectors = reconstruct(index, ids)
    truth = ids[np.argsort(-(queries @ vectors.T), axis=1)[:, :10]]
    got = [[h.image_id for h in hits] for hits in engine.search_vectors(queries, 10)]
    return float(np.mean([len(set(g) & set(t)) / 10 for g, t in zip(got, truth)]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vectors", "--n", dest="vectors", type=int, default=1_000_000, help="images in the store")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--backend", default="torch", help="search backend: torch (default), faiss or auto")
    parser.add_argument("--queries", type=int, default=200, help="timed single queries per measure")
    parser.add_argument("--allowed", type=float, default=0.05, help="filtered: fraction of the images allowed")
    parser.add_argument("--model", default="vitb16-bertbase", help="architecture of the checkpoint (its text tower "
                                                                  "encodes the queries; its dimension is the index's)")
    parser.add_argument("--work", type=Path, help="folder for the store (default: a temp folder)")
    args = parser.parse_args(argv)

    device = torch.device(args.device)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        start = time.perf_counter()
        store = build_store(work, args.vectors, args.model)
        print(f"store: {args.vectors:,} images, {args.model} checkpoint, in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        with SearchEngine.open(store, device=device, search_backend=args.backend) as engine:
            index = engine.index
            name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
            print(f"opened in {time.perf_counter() - start:.1f} s: backend {engine.search_backend} "
                  f"({type(index).__name__}), {index.ntotal:,} × {index.d}-d on {name}")
            queries = clustered_vectors(args.queries, index.d, 1000, seed=1)
            allowed = np.sort(np.random.default_rng(0).choice(np.arange(1, args.vectors + 1),
                                                              max(1, int(args.allowed * args.vectors)), replace=False))
            print(f"recall@10 vs float32 brute force (20 queries): {recall_at_10(engine, store, queries[:20]):.3f}")

            def query(i: int) -> np.ndarray:
                return queries[i % len(queries)][None]

            report("index", timed(lambda i: search(index, query(i), 10), args.queries, device))
            report("search", timed(lambda i: engine.search_vectors(query(i), 10), args.queries, device))
            report(f"filtered[{args.allowed:.0%} allowed]",
                   timed(lambda i: engine.search_vectors(query(i), 10, allowed_ids=allowed), args.queries, device))
            report(f"text+search[{args.model}]",
                   timed(lambda i: engine.search_text(QUERIES[i % len(QUERIES)], 10), args.queries, device))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
