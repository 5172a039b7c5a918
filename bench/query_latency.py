"""Text and image query latency on a built store (encode + search + metadata join).

Usage: python bench/query_latency.py STORE [--n 200]
Prints `name: value (ratio to anchor)`; the anchor is the search issue's CPU target
(text query p50 ≤ 30 ms on a 100 k store).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from bonesearch.search import SearchEngine

QUERIES = [
    "fracture du radius distal", "gonarthrose stade III", "luxation antérieure de l'épaule",
    "fracture du col du fémur", "prothèse totale de hanche", "âge osseux main d'enfant",
    "fracture de la malléole externe", "pas de fracture", "fracture du scaphoïde", "arthrose de la main",
]
TEXT_P50_TARGET_MS = 30.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("store", type=Path)
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    engine = SearchEngine.open(args.store)
    try:
        engine.search_text(QUERIES[0], 10)  # warm-up
        times = []
        for i in range(args.n):
            start = time.perf_counter()
            engine.search_text(QUERIES[i % len(QUERIES)], 10)
            times.append((time.perf_counter() - start) * 1000)
        image = np.asarray(np.random.default_rng(0).integers(0, 255, (256, 256)), dtype=np.uint8)
        image_times = []
        for _ in range(max(20, args.n // 4)):
            start = time.perf_counter()
            engine.search_image(image, 10)
            image_times.append((time.perf_counter() - start) * 1000)
        vectors = engine.index.ntotal
    finally:
        engine.close()
    p50 = statistics.median(times)
    print(f"store: {args.store} ({vectors} vectors)")
    print(f"text_query_p50_ms: {p50:.2f} (ratio to 30 ms target: {p50 / TEXT_P50_TARGET_MS:.2f})")
    print(f"text_query_p95_ms: {np.percentile(times, 95):.2f}")
    print(f"image_query_p50_ms: {statistics.median(image_times):.2f}")


if __name__ == "__main__":
    main()
