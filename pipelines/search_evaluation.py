"""`bonesearch eval search`: score a store's text search on a labelled French query set."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bonesearch.deid.key import PseudonymKey, default_key_path
from bonesearch.downstream.retrieval import labelled_pool
from bonesearch.downstream.search_eval import Estimate, QueryScore, evaluate_search, read_queries, summarise
from bonesearch.errors import BonesearchError
from bonesearch.search.engine import SearchEngine


@dataclass
class SearchEvaluation:
    """Per-query scores, their summary (mode → group → metric), and what was left out."""

    scores: list[QueryScore]
    summary: dict[str, dict[str, dict[str, Estimate]]]
    pool: int  # labelled images searched
    queries: int
    notes: list[str] = field(default_factory=list)


def evaluate_query_set(store: Path, queries_path: Path, labels_path: Path, modes: list[str], *,
                       key_path: Path | None = None, held_out_fraction: float | None = 0.2, k: int = 10,
                       depth: int = 100, min_relevant: int = 3, device: str = "cpu") -> SearchEvaluation:
    """Each query of ``queries_path`` searched in each of ``modes`` over the store's labelled images
    (of held-out patients unless ``held_out_fraction`` is None), scored against ``labels_path``."""
    queries = read_queries(queries_path)
    if not labels_path.is_file():
        raise BonesearchError(f"--labels {labels_path}: no such file (the demo writes ARCHIVE/labels.csv)")
    key = PseudonymKey.load(key_path or default_key_path(store))
    with SearchEngine.open(store, device=device) as engine:
        pool = labelled_pool(engine.store.con, labels_path, key, held_out_fraction)
        if not pool:
            raise BonesearchError(f"no image of {store} is in {labels_path}: the labels name SOP Instance UIDs, and "
                                  f"the store must be pseudonymised with the key given by --key")

        def ranker(mode: str):
            def rank(texts: list[str], limit: int, allowed: np.ndarray) -> list[list[int]]:
                hits = engine.search_texts(texts, limit, allowed, mode=mode)
                return [[h.image_id for h in row] for row in hits]
            return rank

        scores = evaluate_search({mode: ranker(mode) for mode in modes}, queries, pool, k, depth, min_relevant)
    left_out = len({s.id for s in scores if s.precision is None})
    notes = [f"{left_out} of {len(queries)} queries have fewer than {min_relevant} relevant images among the "
             f"{len(pool)} searched: left out"] if left_out else []
    return SearchEvaluation(scores, summarise(scores), len(pool), len(queries), notes)
