"""Pretraining throughput end to end (data loading included), the loader alone, and peak GPU memory.

Builds a store — by default a synthetic one written straight through the store API (smooth
random images in the pixel cache, French report sentences; needs neither pydicom nor spaCy,
so it runs on a bare GPU box with torch + open_clip + duckdb), or with ``--demo-store`` the
demo archive ingested as a hospital export would be — then:

1. ``loader``: pairs/s the DataLoader alone delivers (PNG decode + text view + tokenisation),
   with the run's worker count;
2. ``train``: pairs/s of ``pretrain.loop.train`` in steady state (from the train records of
   metrics.jsonl, the first ``--warmup`` steps left out), and ``torch.cuda.max_memory_allocated``.

GPU (the issue's setting; run on an H100/H200)::

    python bench/pretrain_throughput.py --model vitb16-bertbase --batch 256 --studies 3000 --steps 60 --device cuda

CPU (this machine)::

    python bench/pretrain_throughput.py --model small --batch 64 --studies 300 --steps 30

Anchors: CLIP step ViT-B/16 + BERT-base at batch 256 on an H200, bf16: ~1,640 pairs/s (bare
step); target end to end ≥ 1,500 pairs/s in ≤ 40 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import torch

TRAIN_ANCHOR = 1640.0
TARGET_PAIRS_PER_S = 1500.0
MEMORY_LIMIT_GIB = 40.0


FINDINGS = ("Fracture du radius distal déplacée.", "Pas de lésion osseuse traumatique décelable.",
            "Pincement fémoro-tibial interne modéré avec ostéophytes marginaux.", "Fracture du scaphoïde carpien.",
            "Épanchement intra-articulaire.", "Fracture spiroïde du tiers moyen du tibia.", "Arthrose radiocarpienne.",
            "Luxation acromio-claviculaire.", "Pas d'anomalie de la minéralisation.", "Fracture de la malléole latérale.")


def synthetic_store(root: Path, studies: int, cache_size: int, seed: int = 0) -> Path:
    """``studies`` studies of 1–3 smooth random images each (cached PNGs) with a French report, via the store API."""
    import numpy as np
    from PIL import Image

    from bonesearch.imaging.pixel_cache import save_png
    from bonesearch.store import Store

    start, rng = time.perf_counter(), np.random.default_rng(seed)
    store = Store.create(root / "store")
    image_id, reports = 0, []
    try:
        for study in range(studies):
            patient = f"PAT-{study // 2:06d}"
            store.con.execute("INSERT INTO studies (study_id, study_uid, patient_pseudo) VALUES (?, ?, ?)",
                              [study, f"2.25.{study}", patient])
            findings = " ".join(rng.choice(FINDINGS, size=3, replace=False))
            reports.append(dict(report_id=study, study_id=study, text=findings, findings=findings,
                                technique="Radiographie de face et de profil.", conclusion=findings.split(".")[0] + "."))
            for _ in range(int(rng.integers(1, 4))):
                small = rng.integers(0, 255, (16, 16), dtype=np.uint8)
                pixels = np.asarray(Image.fromarray(small).resize((cache_size, cache_size), Image.Resampling.BICUBIC))
                relative = f"pixels/{image_id}.png"
                save_png(pixels, store.path / relative)
                store.con.execute("INSERT INTO images (image_id, study_id, sop_uid, pixel_path) VALUES (?, ?, ?, ?)",
                                  [image_id, study, f"2.25.9{image_id}", relative])
                image_id += 1
        store.insert_reports(reports)
    finally:
        store.close()
    print(f"store: {studies} synthetic studies, {image_id} images written in {time.perf_counter() - start:.1f} s")
    return root / "store"


def build_store(root: Path, studies: int, workers: int, cache_size: int) -> Path:
    """A demo archive of ``studies`` studies, ingested (OCR screen off: the bench measures training)."""
    from bonesearch.deid.burned_in import BurnedInPolicy
    from bonesearch.demo.archive import write_demo_archive
    from indexer.ingest import ingest_archive

    start = time.perf_counter()
    write_demo_archive(root / "archive", studies=studies, seed=0)
    ingest_archive(root / "archive" / "export", root / "store", workers=workers, cache_size=cache_size,
                   burned_in=BurnedInPolicy(ocr=False))
    print(f"store: {studies} demo studies ingested in {time.perf_counter() - start:.1f} s")
    return root / "store"


def loader_rate(store: Path, cfg, batches: int) -> float:
    """Pairs/s of the training DataLoader alone (same dataset, sampler and collate as train())."""
    from bonesearch.models.device import resolve_device
    from bonesearch.models.factory import create_model
    from bonesearch.store import Store
    from pretrain.data import build_training_loader, measure_loader
    from pretrain.pairs import load_pairs, split_pairs

    with Store.open(store) as s:
        train_pairs, _ = split_pairs(load_pairs(s, cfg.text_mode), cfg.held_out_fraction)
    clip = create_model(cfg.model, text_source=cfg.text_source, reports=train_pairs.texts)
    loader, sampler, workers = build_training_loader(train_pairs, cfg.seed, cfg.full_text_p,
                                                     min(cfg.batch_size, len(train_pairs)), clip.tokenize,
                                                     resolve_device(cfg.device), cfg.workers)
    print(f"loader: {workers} workers, {'pixels preloaded' if loader.dataset.pixels is not None else 'PNG read per pair'}")
    return measure_loader(loader, sampler, batches)


def steady_rate(metrics_path: Path, warmup: int, pairs_per_step: int) -> float:
    """Pairs/s between the first train record after ``warmup`` steps and the last one."""
    records = [json.loads(line) for line in metrics_path.read_text().splitlines()]
    train = [r for r in records if r["split"] == "train"]
    after = [r for r in train if r["step"] >= warmup] or train
    first, last = after[0], train[-1]
    if last["step"] == first["step"]:
        first = train[0]
    return (last["step"] - first["step"]) * pairs_per_step / max(1e-9, last["seconds"] - first["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="small")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--studies", type=int, default=300)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=10, help="steps left out of the steady-state rate")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--cache-size", type=int, default=256)
    parser.add_argument("--compile", action="store_true")
    parser.add_argument("--grad-checkpointing", action="store_true")
    parser.add_argument("--store", type=Path, default=None, help="reuse a store instead of building one")
    parser.add_argument("--demo-store", action="store_true", help="build the store from the demo archive through ingest")
    args = parser.parse_args()

    from pretrain.config import TrainConfig
    from pretrain.loop import train

    with tempfile.TemporaryDirectory(prefix="bonesearch-bench-") as tmp:
        if args.store:
            store = args.store
        elif args.demo_store:
            store = build_store(Path(tmp), args.studies, os.cpu_count() or 1, args.cache_size)
        else:
            store = synthetic_store(Path(tmp), args.studies, args.cache_size)
        cfg = TrainConfig(model=args.model, batch_size=args.batch, max_steps=args.steps, device=args.device,
                          workers=args.workers, lr=1e-4, held_out_fraction=0.05, compile=args.compile,
                          grad_checkpointing=args.grad_checkpointing)
        loader = loader_rate(store, cfg, batches=max(5, args.steps // 2))
        print(f"loader_pairs_per_s: {loader:.1f} (ratio to the {TARGET_PAIRS_PER_S:.0f} pairs/s target: "
              f"{loader / TARGET_PAIRS_PER_S:.2f})")
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        start = time.perf_counter()
        summary = train(store, Path(tmp) / "run", cfg)
        wall = time.perf_counter() - start
        rate = steady_rate(Path(tmp) / "run" / "metrics.jsonl", args.warmup, summary.pairs_seen // max(1, summary.steps))
        device = torch.cuda.get_device_name() if torch.cuda.is_available() else f"cpu ({os.cpu_count()} cores)"
        print(f"model {args.model}, batch {args.batch}, {summary.steps} steps on {device}, "
              f"{summary.loader_workers} loader workers; wall {wall:.1f} s incl. build and validation")
        print(f"train_pairs_per_s (end to end, steady): {rate:.1f} (ratio to target {TARGET_PAIRS_PER_S:.0f}: "
              f"{rate / TARGET_PAIRS_PER_S:.3f}; to the bare-step anchor {TRAIN_ANCHOR:.0f}: {rate / TRAIN_ANCHOR:.3f})")
        if torch.cuda.is_available():
            peak = torch.cuda.max_memory_allocated() / 2**30
            print(f"peak_gpu_memory_gib: {peak:.1f} (limit {MEMORY_LIMIT_GIB:.0f}: {peak / MEMORY_LIMIT_GIB:.2f})")


if __name__ == "__main__":
    main()
