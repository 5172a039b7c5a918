"""Search quality on a labelled French query set: P@10, nDCG@10 and recall@100 per mode and style.

A query set is a JSON-lines file, one query per line::

    {"id": "q001", "query": "fracture du radius distal", "style": "standard",
     "relevant": {"body_part": ["wrist"], "finding": ["fracture"], "finding_site": ["distal_radius"]}}

An image is *relevant* when each key of ``relevant`` holds its label (``labels.csv``, one
row per image, joined to the store through the pseudonymisation key). Two grades:

* **primary** — body part and finding only (what a clinician searches for, the issue's
  « body part + finding » P@10);
* **strict** — every key given (site, laterality too).

Metrics, per query, over the pool of labelled images (the held-out patients by default):
P@k with the denominator ``min(k, R)`` (``R`` relevant images in the pool, so a query with
four relevant images can score 1.0), nDCG@k with binary gains, recall@depth. Queries with
fewer than ``min_relevant`` relevant images in the pool are left out and counted. Means come
with a percentile bootstrap interval over queries (seeded: the same run gives the same
interval).

The ranker is any function from query texts and allowed image ids to ranked image ids, so
the same evaluation scores the image index, the report index or their fusion.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bonesearch.errors import QuerySetError

#: the label columns a query may name; the first two make the primary grade
LABEL_KEYS = ("body_part", "finding", "finding_site", "laterality")
PRIMARY_KEYS = ("body_part", "finding")
STYLES = ("standard", "shorthand", "eponym", "negation", "typo", "lay", "mixed_en")

#: ranked image ids per query text, searching only ``allowed`` image ids, ``depth`` deep
Ranker = Callable[[list[str], int, np.ndarray], list[list[int]]]


@dataclass(frozen=True)
class LabelledQuery:
    """A query text, its style and the label values that make an image relevant."""

    id: str
    query: str
    style: str
    relevant: dict[str, frozenset[str]]

    def matches(self, label: dict[str, str], strict: bool = False) -> bool:
        """Whether an image's ``label`` row is relevant (primary grade unless ``strict``)."""
        keys = self.relevant if strict else [k for k in PRIMARY_KEYS if k in self.relevant]
        return all(label.get(key, "") in self.relevant[key] for key in keys)


def read_queries(path: Path) -> list[LabelledQuery]:
    """The queries of a JSON-lines file; a malformed line raises :class:`QuerySetError` naming it."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise QuerySetError(f"{path}: cannot read the query set ({type(exc).__name__}): give a UTF-8 .jsonl file") \
            from None
    queries, seen = [], set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuerySetError(f"{where}: not JSON ({exc.msg}): one object per line") from None
        queries.append(_query(row, where))
        if queries[-1].id in seen:
            raise QuerySetError(f"{where}: the id {queries[-1].id!r} is used twice: ids must be unique")
        seen.add(queries[-1].id)
    if not queries:
        raise QuerySetError(f"{path}: no queries: one JSON object per line, see `bonesearch eval search --help`")
    return queries


def _query(row: object, where: str) -> LabelledQuery:
    if not isinstance(row, dict) or not isinstance(row.get("query"), str) or not row["query"].strip():
        raise QuerySetError(f"{where}: needs a non-empty \"query\" string")
    relevant = row.get("relevant")
    if not isinstance(relevant, dict) or not all(k in relevant for k in PRIMARY_KEYS):
        raise QuerySetError(f"{where}: \"relevant\" must give at least {' and '.join(PRIMARY_KEYS)}")
    unknown = sorted(set(relevant) - set(LABEL_KEYS))
    if unknown:
        raise QuerySetError(f"{where}: unknown label column(s) {unknown} in \"relevant\": use {', '.join(LABEL_KEYS)}")
    values = {}
    for key, value in relevant.items():
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items or not all(isinstance(v, str) for v in items):
            raise QuerySetError(f"{where}: \"relevant\".{key} must be a string or a non-empty list of strings")
        values[key] = frozenset(items)
    return LabelledQuery(str(row.get("id", where)), row["query"], str(row.get("style", "")), values)


@dataclass
class QueryScore:
    """One query's metrics in one mode (None: too few relevant images in the pool)."""

    id: str
    style: str
    mode: str
    relevant: int
    precision: float | None  # primary grade, P@k over min(k, R)
    strict_precision: float | None
    ndcg: float | None
    recall: float | None


def precision_at(ranked: list[int], relevant: set[int], k: int) -> float:
    """Relevant images in the top ``k`` over ``min(k, len(relevant))``."""
    return sum(i in relevant for i in ranked[:k]) / min(k, len(relevant))


def ndcg_at(ranked: list[int], relevant: set[int], k: int) -> float:
    """Normalised discounted cumulative gain at ``k`` with binary gains."""
    dcg = sum(1.0 / math.log2(rank + 2) for rank, i in enumerate(ranked[:k]) if i in relevant)
    ideal = sum(1.0 / math.log2(rank + 2) for rank in range(min(k, len(relevant))))
    return dcg / ideal


def recall_at(ranked: list[int], relevant: set[int], depth: int) -> float:
    """Share of the relevant images found in the top ``depth``."""
    return sum(i in relevant for i in ranked[:depth]) / len(relevant)


def evaluate_search(rankers: dict[str, Ranker], queries: list[LabelledQuery], pool: dict[int, dict[str, str]],
                    k: int = 10, depth: int = 100, min_relevant: int = 3) -> list[QueryScore]:
    """Every query scored in every mode of ``rankers`` over ``pool`` (image id → label row)."""
    allowed = np.array(sorted(pool), dtype=np.int64)
    scores = []
    for mode, rank in rankers.items():
        ranked_lists = rank([q.query for q in queries], depth, allowed) if len(allowed) else [[] for _ in queries]
        for query, ranked in zip(queries, ranked_lists):
            primary = {i for i, label in pool.items() if query.matches(label)}
            strict = {i for i, label in pool.items() if query.matches(label, strict=True)}
            if len(primary) < min_relevant:
                scores.append(QueryScore(query.id, query.style, mode, len(primary), None, None, None, None))
                continue
            scores.append(QueryScore(
                query.id, query.style, mode, len(primary), precision_at(ranked, primary, k),
                precision_at(ranked, strict, k) if len(strict) >= min_relevant else None,
                ndcg_at(ranked, primary, k), recall_at(ranked, primary, depth)))
    return scores


@dataclass(frozen=True)
class Estimate:
    """A mean over queries and its bootstrap interval."""

    mean: float
    low: float
    high: float
    n: int


def bootstrap(values: Iterable[float], resamples: int = 1000, level: float = 0.95, seed: int = 0) -> Estimate:
    """The mean of ``values`` with a percentile bootstrap interval (resampling queries)."""
    arr = np.asarray([v for v in values], dtype=np.float64)
    if not arr.size:
        return Estimate(float("nan"), float("nan"), float("nan"), 0)
    rng = np.random.default_rng(seed)
    means = arr[rng.integers(0, arr.size, size=(resamples, arr.size))].mean(axis=1)
    tail = (1.0 - level) / 2.0
    return Estimate(float(arr.mean()), float(np.quantile(means, tail)), float(np.quantile(means, 1.0 - tail)), arr.size)


METRICS = ("precision", "strict_precision", "ndcg", "recall")


def summarise(scores: list[QueryScore]) -> dict[str, dict[str, dict[str, Estimate]]]:
    """mode → group (« all » and each style) → metric → :class:`Estimate` over the scored queries."""
    table: dict[str, dict[str, dict[str, Estimate]]] = {}
    for mode in dict.fromkeys(s.mode for s in scores):
        rows = [s for s in scores if s.mode == mode and s.precision is not None]
        groups = {"all": rows} | {style: [s for s in rows if s.style == style]
                                  for style in sorted({s.style for s in rows})}
        table[mode] = {group: {metric: bootstrap(getattr(s, metric) for s in members
                                                 if getattr(s, metric) is not None) for metric in METRICS}
                       for group, members in groups.items()}
    return table
