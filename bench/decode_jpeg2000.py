"""JPEG 2000 decode into the pixel cache: full pydicom decode vs reduced-resolution decode.

For each real CR file in ../shared/data/dicom and each cache size (256, 512 px), times
read + decode + LUTs + resize + PNG encode (ingest's per-file pixel path), one process
(files/s per core), and
checks the reduced decode against pydicom's full decode before trusting the figure:
the stored values of the reduced level against the full-resolution values box-averaged
to the same shape (same range and sign, small difference), and the cached images.

Each size is run twice: the level at or above the cache size (``--max-upsample 0``) and the
ingest default, which accepts a level up to 15 % smaller and upsamples (1760 px into 512: the
440-px level); the check reports how far each cached image is from the full decode.

Usage: python bench/decode_jpeg2000.py [--n 20] [--sizes 256 512]   (needs ../shared/data/dicom)
Anchor (ingest issue): ≥ 25 JPEG 2000 files/s per core into a 512-px cache.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np

from bonesearch.imaging.dicom import decode_greyscale, read_dataset
from bonesearch.imaging.pixel_cache import MAX_UPSAMPLE, box_reduce, encode_png, to_cached_square
from bonesearch.imaging.jpeg2000 import decode_reduced

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dicom"
FILES = ("RG3_J2KR.dcm", "RG3_J2KI.dcm", "RG1_J2KI.dcm")
TARGET_FILES_PER_S = 25.0


def rate(path: Path, n: int, size: int, min_size: int | None) -> float:
    """Files/s as ingest does it: read + decode (full, or the level ≥ ``min_size``) + LUTs + resize + PNG encode."""
    start = time.perf_counter()
    for _ in range(n):
        ds = read_dataset(path, path.name)
        image = decode_greyscale(ds, path.name, min_size=min_size, as_uint8=True)
        encode_png(to_cached_square(image, size))
    return n / (time.perf_counter() - start)


def check(path: Path, size: int, min_size: int) -> str:
    """Reduced vs full decode: stored-value agreement and cached-image agreement, as one line."""
    full_ds = read_dataset(path, path.name)
    full_values = full_ds.pixel_array
    reduced_values = decode_reduced(read_dataset(path, path.name), min_size)
    if reduced_values is None:
        return "reduced path not taken (full decode used)"
    factor = round(full_values.shape[0] / reduced_values.shape[0])  # levels round sizes up
    expected = box_reduce(full_values, factor)[: reduced_values.shape[0], : reduced_values.shape[1]]
    got = reduced_values[: expected.shape[0], : expected.shape[1]].astype(np.int64)
    span = float(full_values.max()) - float(full_values.min())
    value_error = np.abs(got - expected.astype(np.int64)).mean() / span
    assert got.min() >= 0 and got.max() < 2 ** int(full_ds.BitsStored), "reduced values out of the stored range"
    assert value_error < 0.02, f"reduced values differ from the full decode by {value_error:.1%} of the range"
    full_img = to_cached_square(decode_greyscale(full_ds, path.name), size).astype(int)
    red_img = to_cached_square(decode_greyscale(read_dataset(path, path.name), path.name, min_size=min_size), size).astype(int)
    grey = np.abs(full_img - red_img).mean()
    corr = np.corrcoef(full_img.ravel(), red_img.ravel())[0, 1]
    tolerance = 2.0 if min_size >= size else 4.0  # an upsampled level is a little softer than the full decode
    assert grey < tolerance and corr > 0.99, f"cached images disagree: {grey:.2f} grey levels, r={corr:.4f}"
    return (f"level {factor}x: stored values {reduced_values.dtype} in [{got.min()}, {got.max()}] vs full "
            f"[{full_values.min()}, {full_values.max()}], mean |diff| {value_error:.2%} of range; "
            f"cached |diff| {grey:.2f}/255, r={corr:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512])
    args = parser.parse_args()
    for size in args.sizes:
        for name in FILES:
            path = DATA / name
            full = rate(path, max(3, args.n // 4), size, None)
            print(f"{name} full_decode_{size}: {full:.1f} files/s per core (ratio to 25: {full / TARGET_FILES_PER_S:.2f})")
            for label, min_size in (("no_upsample", size), ("default", math.ceil(size * (1 - MAX_UPSAMPLE)))):
                print(f"{name} @ {size}px {label} check: {check(path, size, min_size)}")
                reduced = rate(path, args.n, size, min_size)
                print(f"{name} jpeg2000_reduced_{size}_{label}: {reduced:.1f} files/s per core "
                      f"(ratio to 25: {reduced / TARGET_FILES_PER_S:.2f})")


if __name__ == "__main__":
    main()
