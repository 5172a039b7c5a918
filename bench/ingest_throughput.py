"""End-to-end ingest throughput on uncompressed 2–5 MP radiographs (files/s per core).

Writes a seeded archive of uncompressed 12–16-bit DX/CR files with realistic headers
(MONOCHROME1/2, rescale, VOI window or LUT, PHI in the usual attributes and a private
block), then times ``ingest_archive`` on it: read + header de-identification + decode +
LUTs + resize + PNG encode + DuckDB rows. Prints
``ingest_uncompressed: N files/s per core (ratio to 100)``.

Usage: python bench/ingest_throughput.py [--files 120] [--workers 1] [--cache-size 256] [--no-ocr] [--profile]
Anchor (ingest issue): ≥ 100 files/s per core. The machine's other load shows in the figure:
rerun alone before recording it.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import pstats
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from bonesearch.demo.dicom_writer import ImageHeader, PixelFormat, build_dataset, make_uid, quantize, write_dicom
from bonesearch.deid.burned_in import BurnedInPolicy
from bonesearch.imaging.pixel_cache import CACHE_SIZE

TARGET_FILES_PER_S = 100.0
SHAPES = [(1760, 1760), (2048, 2500), (1500, 1400), (2336, 2016), (1800, 2200)]  # 2.1–5.1 MP
FORMATS = [
    PixelFormat(12, "MONOCHROME2", None, "window"),
    PixelFormat(12, "MONOCHROME1", None, "lut"),
    PixelFormat(14, "MONOCHROME2", (1.0, -1024.0), "window"),
    PixelFormat(16, "MONOCHROME2", None, "none"),
    PixelFormat(10, "MONOCHROME1", None, "window"),
]


def _image(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """A smooth radiograph-like field in [0, 1] with film-grain noise (cheap to make).

    The coarse grid is upsampled bilinearly: hard-edged blocks under noise look like rows of
    glyphs to the burned-in text screen, which real radiographs (tested on the shared CR
    files, knees and hands) do not.
    """
    from PIL import Image

    coarse = rng.random((shape[0] // 64 + 2, shape[1] // 64 + 2)).astype(np.float32)
    smooth = np.asarray(Image.fromarray(coarse, mode="F").resize((shape[1], shape[0]), Image.BILINEAR))
    return np.clip(smooth * 0.8 + rng.normal(0.0, 0.03, shape).astype(np.float32), 0.0, 1.0)


def write_archive(root: Path, files: int, seed: int = 0) -> int:
    """Write ``files`` uncompressed DICOM files under ``root``; returns the bytes written."""
    rng = np.random.default_rng(seed)
    total = 0
    for n in range(files):
        shape, fmt = SHAPES[n % len(SHAPES)], FORMATS[n % len(FORMATS)]
        patient, study = f"{800000 + n // 4:07d}", f"A{500000 + n // 2}"
        header = ImageHeader(
            patient_name=f"DURAND{n // 4}^Marie", patient_id=patient, birth_date="19540312", sex="F", age="067Y",
            private_name=f"DURAND{n // 4} MARIE", institution="CHU Exemple", institution_address="1 rue de la Paix, Lyon",
            referring="MARTIN^Paul", performing="LEROY^Anne", operator="TECH^Jules", accession=study,
            study_uid=make_uid("bench", study), series_uid=make_uid("bench", study, "s"), sop_uid=make_uid("bench", n),
            study_date=dt.date(2021, 3, 1) + dt.timedelta(days=n), study_time="101500",
            study_description="RADIOGRAPHIE DU POIGNET", series_description="POIGNET FACE", series_number=1,
            instance_number=n % 2 + 1, body_part="WRIST", laterality="L", view="PA", modality="DX" if n % 2 else "CR",
            manufacturer="ACME Imaging", model="XR-1", station="XR01", pixel_spacing=0.139, burned_in=False,
        )
        ds = build_dataset(header, quantize(_image(rng, shape), fmt), fmt)
        path = root / f"P{n // 4:04d}" / f"IM{n}.dcm"
        write_dicom(path, ds)
        total += path.stat().st_size
    return total


def main() -> None:
    from indexer.ingest import ingest_archive

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=120)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--cache-size", type=int, default=CACHE_SIZE)
    parser.add_argument("--profile", action="store_true", help="cProfile a single-process run (workers=1)")
    parser.add_argument("--no-ocr", action="store_true", help="skip the burned-in text screen (on by default in ingest)")
    parser.add_argument("--engine", default="local", choices=["local", "ray"],
                        help="ray: a local Ray cluster of --workers CPUs (its start-up is in the wall time)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bonesearch-bench-") as tmp:
        root = Path(tmp)
        size = write_archive(root / "archive", args.files)
        store = root / "store"
        profiler = cProfile.Profile() if args.profile else None
        cpu_before = os.times()
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        summary = ingest_archive(root / "archive", store, workers=1 if profiler else args.workers,
                                 cache_size=args.cache_size, burned_in=BurnedInPolicy(ocr=not args.no_ocr),
                                 engine=args.engine)
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - start
        cpu = os.times()
        cpu_seconds = sum(getattr(cpu, f) - getattr(cpu_before, f)
                          for f in ("user", "system", "children_user", "children_system"))
        assert summary.images_ingested == args.files, (summary.skipped[:3], summary.excluded[:3], len(summary.excluded))
        rate = args.files / seconds / max(1, args.workers)
        print(f"files: {args.files} uncompressed, {size / args.files / 1e6:.1f} MB each, "
              f"cache {args.cache_size} px, OCR screen {'off' if args.no_ocr else 'on'}, engine {summary.engine}, {seconds:.2f} s wall, {cpu_seconds:.2f} s CPU "
              f"({args.files / cpu_seconds:.1f} files per CPU-second: the figure least disturbed by other load)")
        parent = (cpu.user - cpu_before.user) + (cpu.system - cpu_before.system)
        print(f"parent process CPU: {parent:.2f} s ({parent * 1000 / args.files:.2f} ms/file: ids, PNG writes, DuckDB rows)")
        report = store / "ingest-report.json"
        if report.is_file():
            stages = json.loads(report.read_text()).get("stages_cpu_seconds", {})
            if stages:
                print("worker cpu ms/file: " + ", ".join(f"{k} {v * 1000 / args.files:.2f}" for k, v in stages.items()))
        print(f"ingest_uncompressed: {rate:.1f} files/s per core (ratio to {TARGET_FILES_PER_S:.0f}: {rate / TARGET_FILES_PER_S:.2f})")
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        shutil.rmtree(store, ignore_errors=True)


if __name__ == "__main__":
    main()
