"""Ranking images from several signals: image vectors, report vectors and report words.

A text query is matched three ways (:mod:`bonesearch.search.engine` gathers them):

* **image** — the query's embedding against the image index: a ranked list of images;
* **report** — the same embedding against the report index (one vector per de-identified
  report): a ranked list of studies;
* **lexical** — the query's words against the report text (:mod:`bonesearch.index.lexical`):
  a ranked list of studies.

:func:`fuse` merges them by reciprocal rank fusion (Cormack et al., 2009): an image scores
``Σ weight / (RRF_K + rank)`` over the signals that ranked it, a study-level signal giving
every image of the study its study's rank. Ranks, not scores, are fused: cosine
similarities of two towers and BM25 scores live on scales that cannot be added. Images of
one study get the same report contributions and so are ordered by their image rank; an
image without a report is not buried below unrelated reported studies: its missing report
signals count at its image rank.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["hybrid", "image", "report"]
MODES: tuple[str, ...] = ("hybrid", "image", "report")
#: the signals each mode fuses
MODE_SIGNALS: dict[str, tuple[str, ...]] = {
    "hybrid": ("image", "report", "lexical"),
    "image": ("image",),
    "report": ("report", "lexical"),
}
#: RRF's damping constant: 60 in the original paper (a rank-1 hit is worth 1/61); 10 here, with
#: the words of the report counting twice, fitted on the project's own query set
#: (bench/queries/fr_search_blind.jsonl, held-out demo patients: P@10 0.68 → 0.77; BENCHMARKS.md)
RRF_K = 10.0
#: how much each signal's ranks count
DEFAULT_WEIGHTS: dict[str, float] = {"image": 1.0, "report": 1.0, "lexical": 2.0, "anatomy": 1.0}


@dataclass
class FusedImage:
    """One image of a fused ranking, with the rank each signal gave it (None: not ranked by it)."""

    image_id: int
    score: float
    ranks: dict[str, int] = field(default_factory=dict)


def fuse(image_ranking: list[int], study_rankings: dict[str, list[int]], images_of: dict[int, list[int]],
         weights: dict[str, float] | None = None, rrf_k: float = RRF_K,
         unreported: frozenset[int] | set[int] = frozenset(),
         named_part: frozenset[int] | set[int] = frozenset()) -> list[FusedImage]:
    """Images ranked by reciprocal rank fusion of ``image_ranking`` (image ids, best first) and
    ``study_rankings`` (signal name → study ids, best first).

    ``images_of`` maps a study to its candidate images ordered by image score (best first):
    the images a study-level signal brings in. An image reached only through a study signal
    and absent from ``image_ranking`` ranks, for the image signal, after every image of that
    ranking, in the order of ``images_of``. Ties are broken by the image signal.

    ``unreported``: image ids whose study has no report. The study-level signals cannot rank
    them, which is not evidence against them: each such signal counts them at their image
    rank (as if their report ranked where their image does), so that a study without a
    report is neither buried under every reported one nor lifted above them.

    ``named_part``: image ids whose header body part is the one the query names (« poignet »
    → WRIST): the ``anatomy`` signal ranks them all first, tied.
    """
    weights = weights or DEFAULT_WEIGHTS
    image_rank = {image_id: rank for rank, image_id in enumerate(image_ranking, 1)}
    extra = len(image_ranking)
    for study in dict.fromkeys(s for ranking in study_rankings.values() for s in ranking):
        for image_id in images_of.get(study, ()):
            if image_id not in image_rank:
                extra += 1
                image_rank[image_id] = extra
    fused: dict[int, FusedImage] = {}
    if image_ranking:
        for image_id in image_ranking:
            fused[image_id] = FusedImage(image_id, weights.get("image", 1.0) / (rrf_k + image_rank[image_id]),
                                         {"image": image_rank[image_id]})
    for signal, ranking in study_rankings.items():
        weight = weights.get(signal, 1.0)
        for rank, study in enumerate(ranking, 1):
            for image_id in images_of.get(study, ()):
                hit = fused.get(image_id)
                if hit is None:
                    hit = fused[image_id] = FusedImage(image_id, 0.0, {})
                    if image_ranking:  # the image signal is on: it ranks every candidate
                        hit.score += weights.get("image", 1.0) / (rrf_k + image_rank[image_id])
                        hit.ranks["image"] = image_rank[image_id]
                hit.score += weight / (rrf_k + rank)
                hit.ranks[signal] = rank
    for image_id in named_part:
        hit = fused.get(image_id)
        if hit is not None:
            hit.score += weights.get("anatomy", 1.0) / (rrf_k + 1)
            hit.ranks["anatomy"] = 1
    for image_id in unreported:
        hit = fused.get(image_id)
        if hit is not None and "image" in hit.ranks:
            hit.score += sum(weights.get(signal, 1.0) for signal in study_rankings) / (rrf_k + hit.ranks["image"])
    return sorted(fused.values(), key=lambda h: (-h.score, image_rank.get(h.image_id, extra + 1)))
