"""kNN at scale: 100 k training × 10 k query embeddings (512-d) through bonesearch.downstream.knn (FAISS), against 10 s.

Usage: python bench/knn_scale.py [--train 100000] [--test 10000] [--dim 512] [--k 20] [--clusters 1000]

The vectors are clustered like real embeddings (not uniform): ``--clusters`` random
centres, each point = its centre + Gaussian noise, labels = the cluster's class
(``cluster % 10``). Times the weighted kNN vote (search + scoring) and prints
``knn 100k x 10k: S s (ratio to the 10 s target: R)``, plus the accuracy as a sanity check
(the clusters are separable, so it is near 1).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import faiss
import numpy as np

from bonesearch.downstream.knn import knn_classify

TARGET_S = 10.0  # issue 6: kNN over 100 k train × 10 k test embeddings in ≤ 10 s on this machine


def clustered(n: int, centres: np.ndarray, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` float32 points around random ``centres`` and their cluster ids."""
    cluster = rng.integers(0, len(centres), n)
    points = centres[cluster] + noise * rng.standard_normal((n, centres.shape[1]), dtype=np.float32)
    return points.astype(np.float32, copy=False), cluster


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", type=int, default=100_000)
    parser.add_argument("--test", type=int, default=10_000)
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--clusters", type=int, default=1000)
    parser.add_argument("--noise", type=float, default=0.6, help="noise norm relative to a centre's norm")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    centres = rng.standard_normal((args.clusters, args.dim), dtype=np.float32) / np.sqrt(args.dim)
    noise = args.noise / np.sqrt(args.dim)  # per dimension, like the centres' 1/sqrt(dim)
    train, train_cluster = clustered(args.train, centres, noise, rng)
    test, test_cluster = clustered(args.test, centres, noise, rng)
    labels, truth = train_cluster % 10, test_cluster % 10
    print(f"knn scale: {args.train} train x {args.test} test, {args.dim}-d, {args.clusters} clusters, k={args.k}, "
          f"faiss {faiss.__version__}, {faiss.omp_get_max_threads()} threads on {os.cpu_count()} cores")
    start = time.perf_counter()
    predicted = knn_classify(train, labels, test, k=args.k)
    seconds = time.perf_counter() - start
    print(f"knn accuracy on the clustered data: {np.mean(predicted == truth):.3f}")
    name = f"knn {args.train:,} x {args.test:,}"
    verdict = "PASS" if seconds <= TARGET_S else "FAIL"
    print(f"{name}: {seconds:.2f} s (ratio to the {TARGET_S:.0f} s target: {seconds / TARGET_S:.2f}) {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
