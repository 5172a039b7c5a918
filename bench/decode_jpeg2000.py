"""JPEG 2000 decode into the pixel cache: full pydicom decode vs reduced-resolution decode.

Usage: python bench/decode_jpeg2000.py [--n 20]   (needs ../shared/data/dicom)
Anchor (ingest issue): ≥ 25 JPEG 2000 files/s per core into the cache.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bonesearch.dicom_io import decode_greyscale, read_dataset
from bonesearch.imaging import CACHE_SIZE, to_cached_square

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dicom"
TARGET_FILES_PER_S = 25.0


def rate(path: Path, n: int, min_size: int | None) -> float:
    start = time.perf_counter()
    for _ in range(n):
        ds = read_dataset(path, path.name)
        to_cached_square(decode_greyscale(ds, path.name, min_size=min_size))
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20)
    args = parser.parse_args()
    for name in ("RG3_J2KR.dcm", "RG3_J2KI.dcm", "RG1_J2KI.dcm"):
        path = DATA / name
        full, reduced = rate(path, args.n, None), rate(path, args.n, CACHE_SIZE)
        print(f"{name} full_decode_files_per_s: {full:.1f} (ratio to 25/s target: {full / TARGET_FILES_PER_S:.2f})")
        print(f"{name} reduced_decode_files_per_s: {reduced:.1f} (ratio to 25/s target: {reduced / TARGET_FILES_PER_S:.2f})")


if __name__ == "__main__":
    main()
