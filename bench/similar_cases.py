"""Similar cases (image → images) against issue 17's targets: ``bonesearch eval similar`` plus ratios.

Usage::

    python bench/similar_cases.py --store demo-out/store --labels demo-out/archive/labels.csv [--queries 300]

The figures are those of :mod:`bonesearch.downstream.similar_cases` (what ``bonesearch similar``
ranks: the 10 nearest images of other studies, queries from held-out patients); this script
adds the targets — same body part and finding ≥ 0.70, osteosynthesis ≥ 0.70 — and the ratio of
each figure to its target.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_SAME_FINDING = 0.70
TARGET_OSTEOSYNTHESIS = 0.70


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("demo-out/store"))
    parser.add_argument("--labels", type=Path, default=Path("demo-out/archive/labels.csv"))
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--held-out", type=float, default=0.2, help="queries from this fraction of patients (0: any)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from bonesearch.downstream.similar_cases import evaluate_similar_cases

    r = evaluate_similar_cases(args.store, args.labels, queries=args.queries, k=args.k,
                               held_out_fraction=args.held_out or None, seed=args.seed)
    both = r.same_part_and_finding
    print(f"store {args.store}: model {r.model_fingerprint}, {r.pool} labelled images, {both.n} query images, "
          f"{r.k} nearest of other studies")
    print(f"same body part: {r.same_part.mean:.3f}")
    print(f"same body part and finding: {both.mean:.3f} [{both.low:.3f}, {both.high:.3f}] (chance given the body "
          f"part {r.chance.mean:.3f}; target ≥ {TARGET_SAME_FINDING}: ratio {both.mean / TARGET_SAME_FINDING:.2f})")
    for finding, e in r.by_finding.items():
        target = (f" (target ≥ {TARGET_OSTEOSYNTHESIS}: ratio {e.mean / TARGET_OSTEOSYNTHESIS:.2f})"
                  if finding == "osteosynthesis" else "")
        print(f"  {finding}: same finding {e.mean:.3f} over {e.n} queries{target}")


if __name__ == "__main__":
    main()
