"""Similar cases (image → images): do the nearest images of other studies share the finding?

Usage::

    python bench/similar_cases.py --store demo-out/store --labels demo-out/archive/labels.csv [--queries 300]

What ``bonesearch similar`` ranks (the image index, exact inner product), scored with the
demo's labels: for ``--queries`` seeded query images of held-out patients (``--held-out``:
patients pretraining never saw), the ``k`` nearest images **of other studies** among every
labelled image of the store. Prints, with the issue-17 targets:

* same body part among the k nearest;
* same body part **and** finding, and its chance level given the body part (the share of the
  other studies' images of that body part with the query's finding, averaged over queries);
* per finding, the same-finding rate (osteosynthesis: the plate or nail, plainly visible).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

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

    from bonesearch.deid.key import PseudonymKey, default_key_path
    from bonesearch.downstream.retrieval import labelled_pool
    from bonesearch.index.backends import reconstruct
    from bonesearch.index.files import read_index
    from bonesearch.store import Store

    key = PseudonymKey.load(default_key_path(args.store))
    with Store.open(args.store) as store:
        labels = labelled_pool(store.con, args.labels, key, None)
        held_out = labelled_pool(store.con, args.labels, key, args.held_out or None, args.seed)
        study_of = dict(store.con.execute("SELECT image_id, study_id FROM images").fetchall())
    index, manifest = read_index(args.store / "index", "images")
    ids = np.array(sorted(labels), dtype=np.int64)
    vectors = reconstruct(index, ids)
    studies = np.array([study_of[int(i)] for i in ids])
    parts = np.array([labels[int(i)]["body_part"] for i in ids])
    findings = np.array([labels[int(i)]["finding"] for i in ids])
    candidates = sorted(held_out)
    queries = random.Random(args.seed).sample(candidates, min(args.queries, len(candidates)))

    same_part, same_finding, chance = [], [], []
    by_finding: dict[str, list[float]] = defaultdict(list)
    row = {int(i): n for n, i in enumerate(ids)}
    for image_id in queries:
        q = row[int(image_id)]
        others = studies != studies[q]
        scores = np.where(others, vectors @ vectors[q], -np.inf)
        nearest = np.argsort(-scores)[: args.k]
        part_ok = parts[nearest] == parts[q]
        both_ok = part_ok & (findings[nearest] == findings[q])
        same_part.append(part_ok.mean())
        same_finding.append(both_ok.mean())
        pool = others & (parts == parts[q])
        chance.append(float((findings[pool] == findings[q]).mean()) if pool.any() else 0.0)
        by_finding[str(findings[q])].append(float((findings[nearest] == findings[q]).mean()))

    print(f"store {args.store}: model {manifest.model_fingerprint}, {len(ids)} labelled images, {len(queries)} query "
          f"images of held-out patients, {args.k} nearest of other studies")
    print(f"same body part: {np.mean(same_part):.3f}")
    print(f"same body part and finding: {np.mean(same_finding):.3f} (chance given the body part {np.mean(chance):.3f}; "
          f"target ≥ {TARGET_SAME_FINDING}: ratio {np.mean(same_finding) / TARGET_SAME_FINDING:.2f})")
    for finding, values in sorted(by_finding.items(), key=lambda kv: -len(kv[1])):
        target = f" (target ≥ {TARGET_OSTEOSYNTHESIS})" if finding == "osteosynthesis" else ""
        print(f"  {finding}: same finding {np.mean(values):.3f} over {len(values)} queries{target}")


if __name__ == "__main__":
    main()
