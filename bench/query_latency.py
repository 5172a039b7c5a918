"""Query latency end to end (text encoding + FAISS search + DuckDB join; filtered queries
also run their SQL) on a 100 k-image store.

By default the store is synthetic and written straight through the store API: 100 k images
in ~27 k studies with realistic metadata (body parts in hospital proportions, ages 0–90 y,
sexes, shifted dates, views, sides, one French report per study) and clustered random unit
vectors in an exact index. The text tower is the ``small`` model's (4-layer BERT,
256-d joint space) with a tokenizer trained on the synthetic reports, so:

* ``small-256d``: the index is 256-d, the model's own dimension; the engine is opened with
  ``SearchEngine.open`` exactly as ``bonesearch query`` opens it;
* ``small-512d``: the paper's dimension. ``small`` has no 512-d tower, so its 256-d text
  embedding goes through a fixed random 256→512 projection (re-normalised) before
  searching a 512-d index: the text-encoding cost is ``small``'s, the search and join
  cost is that of a 512-d store.

Usage::

    python bench/query_latency.py                              # synthetic 100 k, 256-d and 512-d
    python bench/query_latency.py --images 20000 --dims 256    # smaller
    python bench/query_latency.py --store demo-out/store       # an indexed store of your own

Prints ``name: value (ratio to target)``; targets from the search issue: text query p50
≤ 30 ms, filtered query p50 ≤ 50 ms (100 k images, CPU).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bonesearch.search.filters import allowed_ids
from bonesearch.search.engine import SearchEngine

QUERIES = [
    "fracture du radius distal", "gonarthrose stade III", "luxation antérieure de l'épaule",
    "fracture du col du fémur", "prothèse totale de hanche", "âge osseux main d'enfant",
    "fracture de la malléole externe", "pas de fracture", "fracture du scaphoïde", "arthrose de la main",
]
WHERES = [  # from ~1 % to ~25 % of the images
    "body_part = 'WRIST' AND age_months < 216",
    "body_part IN ('KNEE', 'HIP') AND age_months >= 600",
    "sex = 'F' AND study_date >= DATE '2019-01-01'",
    "view = 'LAT' AND laterality = 'L'",
]
TEXT_P50_TARGET_MS = 30.0
FILTERED_P50_TARGET_MS = 50.0
BODY_PARTS = ["WRIST"] * 9 + ["HAND"] * 10 + ["KNEE"] * 11 + ["SHOULDER"] * 9 + ["ANKLE"] * 8 + ["FOOT"] * 7 + \
    ["HIP"] * 8 + ["ELBOW"] * 6 + ["SPINE"] * 9 + ["PELVIS"] * 6 + ["FOREARM"] * 4 + ["LEG"] * 4 + ["CHEST"] * 9
CONCLUSIONS = [
    "Fracture du radius distal déplacée.", "Pas de lésion osseuse traumatique décelable.",
    "Pincement fémoro-tibial interne modéré avec ostéophytes marginaux.", "Fracture du scaphoïde carpien.",
    "Luxation antéro-interne de l'épaule.", "Fracture spiroïde du tiers moyen du tibia.", "Arthrose radiocarpienne.",
    "Prothèse totale de hanche en place, sans descellement.", "Âge osseux estimé à 11 ans selon Greulich et Pyle.",
    "Fracture de la malléole latérale.", "Matériel d'ostéosynthèse en place.", "Coxarthrose bilatérale.",
]


def _draw(column: str, salt: str, n: int, seed: int) -> str:
    """SQL for a deterministic pseudo-random integer in [0, n) per row (independent per salt)."""
    return f"(hash({column}::VARCHAR || '/{salt}/{seed}') % {n})::BIGINT"


def write_synthetic_store(path: Path, images: int, seed: int = 0) -> int:
    """Studies, images and reports with realistic metadata, in DuckDB SQL through the store API; returns studies."""
    from bonesearch.store import Store

    studies = max(1, round(images / 3.7))  # the paper's archive: 947 k images in 252 k studies

    def draw(column: str, salt: str, n: int) -> str:
        return _draw(column, salt, n, seed)

    with Store.create(path) as store:
        con = store.con
        con.execute(f"""
            INSERT INTO studies
            SELECT r, '2.25.' || {draw('r', 'uid', 10 ** 12)}::VARCHAR, 'PAT-' || (r // 3)::VARCHAR,
                   'ACC-' || r::VARCHAR, DATE '2008-01-01' + {draw('r', 'date', 6200)}::INTEGER, 'CR',
                   (?::VARCHAR[])[1 + {draw('r', 'part', len(BODY_PARTS))}],
                   least(1080, {draw('r', 'age', 1000)} + {draw('r', 'age2', 100)})::INTEGER,
                   CASE WHEN {draw('r', 'sex', 100)} < 52 THEN 'F' ELSE 'M' END
            FROM range(1, {studies} + 1) t(r)""", [BODY_PARTS])
        con.execute(f"""
            INSERT INTO images (image_id, study_id, sop_uid, series_uid, modality, body_part, view, laterality,
                                rows, cols, bits_stored, pixel_path)
            SELECT x.i, s.study_id, '2.25.9' || x.i::VARCHAR, '2.25.8' || s.study_id::VARCHAR, 'CR', s.body_part,
                   (['AP', 'LAT', 'PA', 'OBL'])[1 + {draw('x.i', 'view', 4)}],
                   CASE WHEN {draw('x.i', 'side', 2)} = 0 THEN 'L' ELSE 'R' END, 2048, 2500, 12,
                   'pixels/' || x.i::VARCHAR || '.png'
            FROM (SELECT r AS i, 1 + {draw('r', 'study', studies)} AS study_id FROM range(1, {images} + 1) t(r)) x
            JOIN studies s USING (study_id)""")
        con.execute(f"""
            INSERT INTO sealed_reports (report_id, study_id, report_date, text, conclusion)
            SELECT study_id, study_id, study_date, bonesearch_seal(study_id, 'Radiographie. Conclusion : ' || c),
                   bonesearch_seal(study_id, c)
            FROM (SELECT study_id, study_date, (?::VARCHAR[])[1 + {draw('study_id', 'c', len(CONCLUSIONS))}] AS c
                  FROM studies)""", [CONCLUSIONS])
    return studies


def clustered_vectors(n: int, dim: int, clusters: int = 256, spread: float = 0.6, seed: int = 0) -> np.ndarray:
    """``n`` unit vectors around ``clusters`` random centres (float32, written in chunks)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim)).astype(np.float32)
    out = np.empty((n, dim), np.float32)
    for start in range(0, n, 20_000):
        stop = min(n, start + 20_000)
        chunk = centres[rng.integers(0, clusters, stop - start)] + spread * rng.normal(size=(stop - start, dim))
        out[start:stop] = chunk / np.linalg.norm(chunk, axis=1, keepdims=True)
    return out


class ProjectedText:
    """A model whose text embeddings are mapped to another dimension by a fixed random projection."""

    def __init__(self, clip, dim: int, seed: int = 0) -> None:
        self.clip = clip
        self.projection = np.random.default_rng(seed).normal(size=(clip.embed_dim, dim)).astype(np.float32)

    def encode_texts(self, texts: list[str]):
        import torch

        x = self.clip.encode_texts(texts).numpy() @ self.projection
        return torch.from_numpy(x / np.linalg.norm(x, axis=1, keepdims=True))


def build_bench_store(work: Path, images: int, dims: list[int]) -> tuple[Path, dict[int, tuple]]:
    """The synthetic store (``small`` checkpoint, 256-d index in place) and a (index, manifest) per extra dim."""
    from bonesearch.models import create_model, load_checkpoint, save_checkpoint
    from bonesearch.index.files import IndexManifest, build_flat_index, write_index

    start = time.perf_counter()
    store = work / "store"
    if store.exists():
        raise SystemExit(f"{store} exists: give --work an empty or new folder")
    studies = write_synthetic_store(store, images)
    clip = create_model("small", reports=[f"{c} {p.lower()}" for c in CONCLUSIONS for p in set(BODY_PARTS)] * 3)
    checkpoint = save_checkpoint(clip, work / "small")
    fingerprint = load_checkpoint(checkpoint).fingerprint()
    ids = np.arange(1, images + 1, dtype=np.int64)
    extra = {}
    for dim in sorted(set(dims) | {clip.embed_dim}):
        index = build_flat_index(ids, clustered_vectors(images, dim, seed=dim))
        manifest = IndexManifest(name="images", model_fingerprint=fingerprint, checkpoint=str(checkpoint),
                                 dim=dim, count=images)
        if dim == clip.embed_dim:
            write_index(store / "index", index, manifest)
        else:
            extra[dim] = (index, manifest)
    print(f"built: {images} images in {studies} studies, dims {sorted(set(dims))}, {time.perf_counter() - start:.1f} s")
    return store, extra


def timed(fn: Callable[[int], object], n: int, warmup: int = 5) -> tuple[list[float], list[float]]:
    """(wall, CPU) milliseconds of ``fn(i)`` for i in range(n), after ``warmup`` untimed calls.

    CPU time is the process's: with ``--threads 1`` it is what the query costs on a core of
    its own, whatever else the machine runs (wall time also counts waiting for the core).
    """
    for i in range(warmup):
        fn(i)
    wall, cpu = [], []
    for i in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(i)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def report(name: str, times: tuple[list[float], list[float]], target: float | None = None) -> None:
    """``name_p50_ms``, ``name_p95_ms`` (wall) and ``name_p50_cpu_ms``, each p50 with its ratio to ``target``."""
    wall, cpu = times
    for suffix, value in (("p50_ms", statistics.median(wall)), ("p95_ms", float(np.percentile(wall, 95))),
                          ("p50_cpu_ms", statistics.median(cpu))):
        ratio = f" (ratio to {target:.0f} ms target: {value / target:.2f})" if target and "p50" in suffix else ""
        print(f"{name}_{suffix}: {value:.2f}{ratio}")


def run(engine: SearchEngine, label: str, n: int, image_queries: bool) -> None:
    """Text, filtered, grouped (and image) query latency of one engine."""
    def q(i: int) -> str:
        return QUERIES[i % len(QUERIES)]

    report(f"text_query[{label}]", timed(lambda i: engine.search_text(q(i), 10), n), TEXT_P50_TARGET_MS)
    report(f"filtered_query[{label}]", timed(lambda i: engine.search_text(q(i), 10, where=WHERES[i % len(WHERES)]), n),
           FILTERED_P50_TARGET_MS)
    for where in WHERES:
        matched = len(allowed_ids(engine.store.con, where))
        wall, cpu = timed(lambda i: engine.search_text(q(i), 10, where=where), max(20, n // 4))
        print(f"  filtered[{label}] {where!r}: {matched} images ({100 * matched / engine.index.ntotal:.1f} %), "
              f"p50 {statistics.median(wall):.2f} ms (CPU {statistics.median(cpu):.2f} ms)")
    report(f"grouped_query[{label}]", timed(lambda i: engine.search_text(q(i), 10, group_by="study"), max(20, n // 4)))
    if image_queries:
        image = np.random.default_rng(0).integers(0, 255, (256, 256)).astype(np.uint8)
        report(f"image_query[{label}]", timed(lambda i: engine.search_image(image, 10), max(20, n // 4)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help="an indexed store (default: build a synthetic one)")
    parser.add_argument("--images", type=int, default=100_000, help="synthetic store size")
    parser.add_argument("--dims", type=int, nargs="+", default=[256, 512], help="synthetic index dimensions")
    parser.add_argument("--work", type=Path, help="folder for the synthetic store (default: a temp folder)")
    parser.add_argument("--n", type=int, default=200, help="timed queries per measure")
    parser.add_argument("--threads", type=int, default=0,
                        help="threads for torch, FAISS, BLAS and DuckDB (default: theirs, one per core); 1 = one query per core")
    args = parser.parse_args()
    import faiss
    import torch

    if args.threads:  # torch's intra-op pool, and every OpenMP/BLAS pool (FAISS's, NumPy's OpenBLAS)
        from threadpoolctl import threadpool_limits

        torch.set_num_threads(args.threads)
        threadpool_limits(args.threads)
    print(f"threads: torch {torch.get_num_threads()}, faiss {faiss.omp_get_max_threads()}; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    if args.store:
        with SearchEngine.open(args.store) as engine:
            if args.threads:
                engine.store.con.execute(f"SET threads = {args.threads}")
            print(f"store: {args.store} ({engine.index.ntotal} vectors, {engine.index.d}-d)")
            run(engine, "store", args.n, image_queries=True)
        return
    with tempfile.TemporaryDirectory() as tmp:
        store, extra = build_bench_store(args.work or Path(tmp), args.images, args.dims)
        with SearchEngine.open(store) as engine:
            if args.threads:
                engine.store.con.execute(f"SET threads = {args.threads}")
            if engine.index.d in args.dims:
                run(engine, f"small-{engine.index.d}d", args.n, image_queries=True)
            for dim, (index, manifest) in extra.items():
                projected = SearchEngine(engine.store, index, manifest, ProjectedText(engine.clip, dim))
                run(projected, f"small-{dim}d", args.n, image_queries=False)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
