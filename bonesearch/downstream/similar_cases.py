"""Similar cases (image → images): do the nearest images of other studies share the finding?

What ``bonesearch similar`` ranks — the image index, exact inner product — scored with a
``labels.csv`` (one row per image by SOP Instance UID, with ``body_part`` and ``finding``;
the demo writes one). For seeded query images of held-out patients, the ``k`` nearest images
**of other studies** among every labelled image of the store are compared with the query:

* same body part among the k nearest;
* same body part **and** finding, beside its chance level: the share of the other studies'
  images of the query's body part that have its finding (an encoder that knows anatomy and
  nothing else scores about that);
* per finding, the same-finding rate (any body part).

Each figure is a mean over queries with a seeded 95 % bootstrap interval. No annotation beyond
``labels.csv`` is read; the store's pseudonyms are mapped back through its key, as ``eval
search`` does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bonesearch.downstream.search_eval import Estimate, bootstrap

#: query rows scored per matrix product: bounds memory to ``QUERY_CHUNK × pool`` floats
QUERY_CHUNK = 256


@dataclass
class SimilarCases:
    """The similar-case figures of one image index."""

    pool: int  # labelled images ranked
    k: int
    same_part: Estimate
    same_part_and_finding: Estimate
    chance: Estimate  # same finding among the other studies' images of the query's body part
    by_finding: dict[str, Estimate]  # same finding (any body part) per query finding
    model_fingerprint: str = ""
    notes: list[str] = field(default_factory=list)


def score_similar_cases(vectors: np.ndarray, studies: np.ndarray, parts: np.ndarray, findings: np.ndarray,
                        queries: np.ndarray, k: int = 10, resamples: int = 1000) -> SimilarCases:
    """Score the ``k`` nearest rows of other studies for each query row (inner product of ``vectors``).

    ``vectors`` ``[n, d]`` (unit rows), ``studies``/``parts``/``findings`` ``[n]``, ``queries``: row
    positions. Ties are broken by row order, as a stable sort does.
    """
    same_part, same_both, chance, per_finding = [], [], [], {}
    for start in range(0, len(queries), QUERY_CHUNK):
        rows = np.asarray(queries[start:start + QUERY_CHUNK])
        scores = vectors[rows] @ vectors.T
        scores[studies[None, :] == studies[rows][:, None]] = -np.inf  # never the query's own study
        nearest = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        for n, q in enumerate(rows):
            near = nearest[n][np.isfinite(scores[n, nearest[n]])]  # fewer than k other-study images: the rest
            part_ok = parts[near] == parts[q]
            finding_ok = findings[near] == findings[q]
            same_part.append(part_ok.mean() if len(near) else 0.0)
            same_both.append((part_ok & finding_ok).mean() if len(near) else 0.0)
            pool = (studies != studies[q]) & (parts == parts[q])
            chance.append(float((findings[pool] == findings[q]).mean()) if pool.any() else 0.0)
            per_finding.setdefault(str(findings[q]), []).append(finding_ok.mean() if len(near) else 0.0)
    return SimilarCases(
        pool=len(vectors), k=k, same_part=bootstrap(same_part, resamples),
        same_part_and_finding=bootstrap(same_both, resamples), chance=bootstrap(chance, resamples),
        by_finding={f: bootstrap(v, resamples) for f, v in sorted(per_finding.items(), key=lambda kv: -len(kv[1]))},
    )


def evaluate_similar_cases(store_path: Path, labels_path: Path, *, key_path: Path | None = None, queries: int = 300,
                           k: int = 10, held_out_fraction: float | None = 0.2, seed: int = 0) -> SimilarCases:
    """The similar-case figures of the store's image index against ``labels_path``.

    Queries: up to ``queries`` images drawn (``seed``) from the labelled images of held-out
    patients (pretraining's split at ``held_out_fraction``; None: any labelled image).
    """
    from bonesearch.deid.key import PseudonymKey, default_key_path
    from bonesearch.downstream.retrieval import labelled_pool
    from bonesearch.errors import BonesearchError
    from bonesearch.index.backends import reconstruct
    from bonesearch.index.files import read_index
    from bonesearch.store import Store

    if not labels_path.is_file():
        raise BonesearchError(f"--labels {labels_path}: no such file (the demo writes ARCHIVE/labels.csv)")
    key = PseudonymKey.load(key_path or default_key_path(store_path))
    with Store.open(store_path) as store:
        labels = labelled_pool(store.con, labels_path, key, None)
        candidates = sorted(labelled_pool(store.con, labels_path, key, held_out_fraction)  # pretraining's split
                            if held_out_fraction else labels)
        study_of = dict(store.con.execute("SELECT image_id, study_id FROM images").fetchall())
    if not labels:
        raise BonesearchError(f"no image of {store_path} is in {labels_path}: the labels name SOP Instance UIDs, and "
                              f"the store must be pseudonymised with the key given by --key")
    missing = [c for c in ("body_part", "finding") if c not in next(iter(labels.values()))]
    if missing:
        raise BonesearchError(f"--labels {labels_path}: no column {', '.join(missing)} (similar cases compare the "
                              f"body part and the finding of each image)")
    index, manifest = read_index(store_path / "index", "images")
    ids = np.array(sorted(i for i in labels if i in study_of), dtype=np.int64)
    vectors = reconstruct(index, ids)
    row = {int(i): n for n, i in enumerate(ids)}
    chosen = random.Random(seed).sample(candidates, min(queries, len(candidates)))
    if not chosen:
        raise BonesearchError(f"no labelled image of a held-out patient in {store_path} to query: pass --held-out 0 "
                              f"to query any labelled image")
    result = score_similar_cases(
        vectors, np.array([study_of[int(i)] for i in ids]), np.array([labels[int(i)]["body_part"] for i in ids]),
        np.array([labels[int(i)]["finding"] for i in ids]), np.array([row[int(i)] for i in chosen], dtype=np.int64),
        k=k)
    result.model_fingerprint = manifest.model_fingerprint
    return result
