"""A cold `bonesearch query`, as a user types it: wall time and peak memory of the whole process.

Usage: python bench/cold_query.py --store STORE [--runs 5] [--query "fracture du radius distal"]

Runs the installed ``bonesearch query QUERY --store STORE`` ``--runs`` times per case in fresh
processes (after one unmeasured run that warms the page cache, as a user's second query would
find it) and prints the median wall time and the peak resident memory, against the 1.5 s target
of issue 16 (2-core CPU). Cases: the default (hybrid) query, ``--mode image``, a negated query
(« pas de … »: also loads spaCy and edsnlp for the negation), and the same default query with
the exported text encoder hidden (the checkpoint path: torch, open_clip, transformers).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_S = 1.5


def _run(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed (exit {os.waitstatus_to_exitcode(status)})")
    return wall, usage.ru_maxrss / 1024


def measure(name: str, argv: list[str], runs: int) -> None:
    """Print the median wall time and peak memory of ``argv`` over ``runs`` cold processes."""
    _run(argv)
    walls, peaks = zip(*(_run(argv) for _ in range(runs)))
    wall = statistics.median(walls)
    print(f"cold_query_{name}_s: {wall:.2f} ({wall / TARGET_S:.2f}x the {TARGET_S} s target); "
          f"peak memory {max(peaks):.0f} MiB; runs {', '.join(f'{w:.2f}' for w in walls)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--query", default="fracture du radius distal")
    args = parser.parse_args()
    exe = shutil.which("bonesearch") or str(Path(sys.executable).with_name("bonesearch"))
    base = [exe, "query", args.query, "--store", str(args.store)]
    print(f"store {args.store}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    measure("hybrid", base, args.runs)
    measure("image_mode", base + ["--mode", "image"], args.runs)
    measure("negated", [exe, "query", f"pas de {args.query}", "--store", str(args.store)], args.runs)
    encoder = args.store / "index" / "text_encoder"
    hidden = encoder.with_name(".text_encoder.bench-hidden")
    if encoder.is_dir():
        os.replace(encoder, hidden)
        try:
            measure("checkpoint_path", base, args.runs)
        finally:
            os.replace(hidden, encoder)


if __name__ == "__main__":
    main()
