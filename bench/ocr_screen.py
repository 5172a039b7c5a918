"""OCR screen of burned-in text: ms per image, images/s per core, recall on stamped demo images.

Usage: python bench/ocr_screen.py [--studies 300] [--seed 0] [--detect-size 1024] [--no-prefilter]
Builds a demo archive in a temporary folder, decodes every image as ingest does (not
timed), then times :func:`bonesearch.deid.burned_in.screen_pixels` alone, one process
(= one core). Anchors (ingest issue): ≥ 100 files/s per core for the whole ingest of one
image; recall 1.0 on stamped images; no clean or marker image excluded.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

import numpy as np
import pydicom

from bonesearch.demo import write_demo_archive
from bonesearch.deid.burned_in import BurnedInPolicy, check_tesseract, screen_pixels
from bonesearch.dicom_io import decode_greyscale, read_dataset

TARGET_FILES_PER_S = 100.0


def load_images(root: Path) -> list[tuple[str, np.ndarray]]:
    """(group, uint8 pixels) for every demo image: stamped-flagged, stamped-undeclared, marker, clean."""
    with open(root / "labels.csv", newline="", encoding="utf-8") as fh:
        labels = {r["sop_instance_uid"]: r for r in csv.DictReader(fh)}
    out = []
    for path in sorted((root / "export" / "DICOM").rglob("IM*.dcm")):
        try:
            ds = read_dataset(path, path.name)
            pixels = decode_greyscale(ds, path.name)
        except Exception:
            continue  # the demo's truncated file
        r = labels[str(ds.SOPInstanceUID)]
        if r["pixel_phi"] == "1":
            group = "stamped_flagged" if r["burned_in"] == "1" else "stamped_undeclared"
        else:
            group = "marker" if r["pixel_marker"] else "clean"
        out.append((group, np.clip(pixels * 255.0 + 0.5, 0, 255).astype(np.uint8)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--studies", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--detect-size", type=int, default=BurnedInPolicy.detect_size)
    parser.add_argument("--no-prefilter", action="store_true")
    args = parser.parse_args()
    policy = BurnedInPolicy(detect_size=args.detect_size, prefilter=not args.no_prefilter)
    print(f"tesseract: {check_tesseract(policy)}; pydicom {pydicom.__version__}")
    with tempfile.TemporaryDirectory() as tmp:
        write_demo_archive(Path(tmp), studies=args.studies, seed=args.seed)
        images = load_images(Path(tmp))
    times: dict[str, list[float]] = {}
    excluded: dict[str, int] = {}
    ocr_calls = 0
    for group, pixels in images:
        t0 = time.perf_counter()
        result = screen_pixels(pixels, policy)
        times.setdefault(group, []).append(time.perf_counter() - t0)
        excluded[group] = excluded.get(group, 0) + int(result.excluded)
        ocr_calls += int(result.ocr_run)
    total = sum(sum(v) for v in times.values())
    n = sum(len(v) for v in times.values())
    shape = max(p.shape for _, p in images)
    print(f"images: {n} (long side up to {max(shape)} px), Tesseract called on {ocr_calls}")
    for group in ("clean", "marker", "stamped_flagged", "stamped_undeclared"):
        v = times.get(group, [])
        if v:
            print(f"{group}: {len(v)} images, {1000 * np.mean(v):.1f} ms/image (median {1000 * np.median(v):.1f}), "
                  f"excluded {excluded[group]}")
    stamped = len(times.get("stamped_flagged", [])) + len(times.get("stamped_undeclared", []))
    caught = excluded.get("stamped_flagged", 0) + excluded.get("stamped_undeclared", 0)
    false_excl = excluded.get("clean", 0) + excluded.get("marker", 0)
    rate = n / total
    print(f"ocr_screen_images_per_s_per_core: {rate:.1f} (ratio to 100/s ingest target: {rate / TARGET_FILES_PER_S:.2f})")
    print(f"ocr_screen_recall_stamped: {caught / max(stamped, 1):.3f} ({caught}/{stamped}; anchor 1.0)")
    print(f"ocr_screen_false_exclusions: {false_excl}/{n - stamped} clean or marker images (anchor 0)")


if __name__ == "__main__":
    main()
