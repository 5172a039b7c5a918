"""Single-query search latency at archive scale through the torch exact-search path (the GPU measure of issue 5).

FAISS-GPU cannot be installed on the GPU machine, so the search engine's GPU path is
:class:`bonesearch.index.torch_exact.TorchExactIndex` (``vector_search.search`` hands it the query
unchanged). This bench fills one with ``--n`` clustered 512-d unit vectors (fp16 on CUDA),
then times single queries one at a time, host to host (numpy query in, numpy ids out):

* ``search``: the top-10 alone;
* ``filtered``: the same with an allowed-id list of ``--allowed`` of the archive (a ``--where``);
* ``text+search``: the query text encoded first by ``--model``'s text tower (random
  weights, bf16 on CUDA), what ``bonesearch query`` does before searching.

It checks the top-10 against a float32 brute force on a sample of queries (recall@10).
Targets (issue 5): query p50 ≤ 5 ms at 1 M vectors on the GPU. Anchor: exact top-10 over
1 M 512-d fp16 vectors 0.32 ms per query on an H200.

Usage::

    python bench/gpu_search.py --device cuda                    # 1 M vectors
    python bench/gpu_search.py --device cpu --n 100000          # the same path on CPU
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

from bonesearch.index.torch_exact import TorchExactIndex

TARGET_MS = 5.0
ANCHOR_MS = 0.32
QUERY_TEXTS = ["fracture du radius distal", "gonarthrose stade 3 avec pincement fémoro-tibial interne",
               "pas de lésion osseuse traumatique", "scoliose lombaire", "arthrose de hanche"]


def clustered_unit_vectors(n: int, dim: int, clusters: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` unit vectors around ``clusters`` random centres (archive embeddings are clustered)."""
    centres = rng.standard_normal((clusters, dim), dtype=np.float32)
    out = np.empty((n, dim), np.float32)
    for start in range(0, n, 100_000):
        stop = min(n, start + 100_000)
        block = centres[rng.integers(0, clusters, stop - start)] + 0.6 * rng.standard_normal((stop - start, dim), dtype=np.float32)
        out[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def timed(fn, repeats: int, device: torch.device) -> list[float]:
    """Milliseconds per call (after 10 warm-up calls)."""
    for _ in range(10):
        fn()
    times = []
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append((time.perf_counter() - t) * 1000)
    return times


def report(name: str, times: list[float]) -> None:
    p50 = statistics.median(times)
    p95 = sorted(times)[int(0.95 * (len(times) - 1))]
    print(f"{name}_p50_ms: {p50:.3f} (ratio to {TARGET_MS} ms target: {p50 / TARGET_MS:.2f}; "
          f"to the {ANCHOR_MS} ms anchor: {p50 / ANCHOR_MS:.2f}); p95 {p95:.3f} ms", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--queries", type=int, default=200, help="timed single queries per measure")
    parser.add_argument("--allowed", type=float, default=0.05, help="filtered: fraction of ids allowed")
    parser.add_argument("--model", default="vitb16-bertbase", help="text tower for text+search ('' to skip)")
    args = parser.parse_args(argv)

    device = torch.device(args.device)
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    vectors = clustered_unit_vectors(args.n, args.dim, 1000, rng)
    ids = rng.permutation(args.n * 2)[: args.n].astype(np.int64)  # sparse ids, as after erasures
    dtype = torch.float16 if device.type == "cuda" else torch.float32
    index = TorchExactIndex(ids, vectors, device, dtype)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    print(f"{args.n:,} × {args.dim}-d {str(dtype).replace('torch.', '')} vectors on {name} in {time.perf_counter() - t:.1f} s")

    queries = clustered_unit_vectors(args.queries, args.dim, 1000, np.random.default_rng(1))
    allowed = np.sort(rng.choice(ids, int(args.allowed * args.n), replace=False))
    sample = queries[:20]
    _, got = index.search(sample, 10)
    truth = np.argsort(-(sample @ vectors.T), axis=1)[:, :10]
    recall = np.mean([len(set(g) & set(ids[t])) / 10 for g, t in zip(got, truth)])
    print(f"recall@10 vs float32 brute force (20 queries): {recall:.3f}")

    it = iter(range(10**9))
    report("search", timed(lambda: index.search(queries[next(it) % len(queries)][None], 10), args.queries, device))
    it = iter(range(10**9))
    report(f"filtered[{args.allowed:.0%} allowed]",
           timed(lambda: index.search(queries[next(it) % len(queries)][None], 10, allowed), args.queries, device))

    if args.model:
        from bonesearch.models.factory import create_model

        clip = create_model(args.model, reports=QUERY_TEXTS * 20, seed=0).to(device)
        clip.model.eval()
        projection = torch.randn(clip.embed_dim, args.dim, generator=torch.Generator().manual_seed(0)).to(device)
        autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")

        def text_then_search() -> None:
            text = QUERY_TEXTS[next(it) % len(QUERY_TEXTS)]
            with torch.inference_mode(), autocast:
                q = clip.model.encode_text(clip.tokenize([text]).to(device), normalize=True).float() @ projection
            q = torch.nn.functional.normalize(q, dim=-1).cpu().numpy()
            index.search(q, 10)

        report(f"text+search[{args.model}]", timed(text_then_search, args.queries, device))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
