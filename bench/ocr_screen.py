"""OCR screen of burned-in text: ms per image, images/s per core, recall on stamped demo images.

Usage: python bench/ocr_screen.py [--studies 300] [--seed 0] [--detect-size 1024] [--no-prefilter]
                                  [--plates [--screen-sizes 512,1024,0]]
Builds a demo archive in a temporary folder, decodes every image as ingest does (not
timed), then times :func:`bonesearch.deid.burned_in.screen_pixels` alone, one process
(= one core). Anchors (ingest issue): ≥ 100 files/s per core for the whole ingest of one
image; recall 1.0 on stamped images; no clean or marker image excluded.

``--plates`` instead renders 2048-3000 px phantom plates (the demo's images are ≤ 640 px),
reduces them as ingest's decode does for each ``screen_size`` (box average to a long side
≥ it; 0 = the full image), times the screen on the clean ones (best of 3 per image;
anchor ≤ 2 ms) and counts which stamped text heights (% of the long side) are excluded.
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
from bonesearch.imaging.dicom import decode_greyscale, read_dataset

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


PLATES = [("knee", "AP", "R", 2048), ("pelvis", "AP", "", 2500), ("hand", "PA", "L", 3000),
          ("shoulder", "AP", "R", 2500), ("spine", "LAT", "", 3000), ("ankle", "AP", "L", 2048),
          ("wrist", "LAT", "R", 2500), ("hip", "AP", "R", 3000)]
STAMP = ["MARTIN ODILE", "IPP 04417282 NE LE 02/11/1948", "03/05/2021 16:20"]


def plates(screen_sizes: list[int], detect_size: int, heights=(0.5, 0.7, 1.0, 2.0, 3.0)) -> None:
    """Clean-image ms/image and recall by text height on large phantom plates, per decode size."""
    from bonesearch.demo.phantom_core import PhantomParams, stamp, text_mask
    from bonesearch.demo.phantoms import render_phantom
    from bonesearch.imaging.pixel_cache import box_reduce

    policy = BurnedInPolicy(detect_size=detect_size)
    print(f"tesseract: {check_tesseract(policy)}")
    clean = []
    for k, (part, view, side, long_side) in enumerate(PLATES):
        finding = "osteosynthesis" if k % 3 == 0 else "normal"
        img = render_phantom(PhantomParams(body_part=part, view=view, side=side, finding=finding,
                                           hardware="plate" if k % 3 == 0 else "", long_side=long_side, seed=k)).image
        clean.append(img)

    def as_decoded(img: np.ndarray, size: int) -> np.ndarray:
        u8 = np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return u8 if size == 0 else box_reduce(u8, max(1, max(u8.shape) // size))

    for size in screen_sizes:
        best, calls, excluded = [], 0, 0
        for img in clean:
            x = as_decoded(img, size)
            ts = []
            for _ in range(3):
                t0 = time.perf_counter()
                r = screen_pixels(x, policy)
                ts.append(time.perf_counter() - t0)
            best.append(min(ts))
            calls, excluded = calls + r.ocr_run, excluded + r.excluded
        print(f"plates_clean_ms_per_image[screen_size={size or 'full'}]: {1000 * np.mean(best):.2f} "
              f"(max {1000 * max(best):.2f}; ratio to 2 ms anchor {np.mean(best) / 0.002:.2f}); "
              f"Tesseract called on {calls}/{len(clean)}, excluded {excluded}")
    print("recall by text height (3-line block, bottom-left corner and mid-image, light and dark):")
    for pct in heights:
        row = []
        for size in screen_sizes:
            hit = tot = 0
            for img in clean[:4]:
                h, w = img.shape
                font = max(8, round(pct / 100 * max(h, w) / 0.75))  # text height ~0.75 x font size
                masks = [text_mask(line, font) for line in STAMP]
                step = int(font * 1.5)
                for top, left in ((h - int(0.04 * h) - 3 * step, int(0.04 * w)), (h // 2, w // 4)):
                    stamped = img.copy()
                    for i, m in enumerate(masks):
                        stamp(stamped, m, top + i * step, left, 0.98, mode="over")
                    for pixels in (stamped, 1.0 - stamped):
                        hit += screen_pixels(as_decoded(pixels, size), policy).excluded
                        tot += 1
            row.append(f"screen_size {size or 'full'}: {hit}/{tot}")
        print(f"  text {pct} % of the long side: " + ", ".join(row), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--studies", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--detect-size", type=int, default=BurnedInPolicy.detect_size)
    parser.add_argument("--no-prefilter", action="store_true")
    parser.add_argument("--plates", action="store_true", help="time and measure recall on 2048-3000 px plates")
    parser.add_argument("--screen-sizes", default="512,1024,0", help="with --plates: decode sizes (0 = full image)")
    args = parser.parse_args()
    if args.plates:
        plates([int(x) for x in args.screen_sizes.split(",")], args.detect_size)
        return
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
