"""Text-to-image retrieval evaluation of a store against ground-truth labels (the demo's score).

For each query class — a French query and the label values that make an image relevant —
precision@10 of text-to-image search restricted to held-out studies. Labels are joined
to the store through the pseudonymisation key (SOP Instance UID → keyed UID), so the
store itself never holds an original identifier.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bonesearch.deid.key import PseudonymKey
from bonesearch.search.engine import SearchEngine
from bonesearch.downstream.splits import is_held_out

MIN_RELEVANT = 10  # a class needs at least k relevant held-out images to be scored at P@10


@dataclass(frozen=True)
class QueryClass:
    """A French query and the label values (all must match) of its relevant images."""

    query: str
    relevant: tuple[tuple[str, str], ...]

    def matches(self, label: dict[str, str]) -> bool:
        return all(label.get(column, "") == value for column, value in self.relevant)


def _q(query: str, **relevant: str) -> QueryClass:
    return QueryClass(query, tuple(sorted(relevant.items())))


DEMO_QUERY_CLASSES: tuple[QueryClass, ...] = (
    _q("radiographie du poignet", body_part="wrist"),
    _q("radiographie de la main", body_part="hand"),
    _q("radiographie du coude", body_part="elbow"),
    _q("radiographie de l'épaule", body_part="shoulder"),
    _q("radiographie de la hanche", body_part="hip"),
    _q("radiographie du genou", body_part="knee"),
    _q("radiographie de la cheville", body_part="ankle"),
    _q("radiographie du pied", body_part="foot"),
    _q("radiographie de l'avant-bras", body_part="forearm"),
    _q("radiographie de la jambe", body_part="leg"),
    _q("radiographie du bassin", body_part="pelvis"),
    _q("radiographie du rachis", body_part="spine"),
    _q("fracture", finding="fracture"),
    _q("arthrose", finding="osteoarthritis"),
    _q("luxation", finding="dislocation"),
    _q("matériel d'ostéosynthèse", finding="osteosynthesis"),
    _q("âge osseux, main d'enfant", finding="bone_age"),
    _q("fracture du radius distal", finding="fracture", finding_site="distal_radius"),
    _q("fracture du col du fémur", finding="fracture", finding_site="femoral_neck"),
    _q("fracture de la cheville", finding="fracture", body_part="ankle"),
    _q("gonarthrose", finding="osteoarthritis", body_part="knee"),
    _q("luxation de l'épaule", finding="dislocation", body_part="shoulder"),
)


@dataclass
class ClassResult:
    """P@k of one query class, with the chance level (relevant fraction of the pool)."""

    query: str
    relevant: int
    pool: int
    precision: float | None  # None when fewer than MIN_RELEVANT relevant images

    @property
    def chance(self) -> float:
        return self.relevant / self.pool if self.pool else 0.0


@dataclass
class RetrievalReport:
    """All classes plus the means over scored classes."""

    classes: list[ClassResult]
    k: int

    @property
    def scored(self) -> list[ClassResult]:
        return [c for c in self.classes if c.precision is not None]

    @property
    def mean_precision(self) -> float:
        return float(np.mean([c.precision for c in self.scored])) if self.scored else 0.0

    @property
    def mean_chance(self) -> float:
        return float(np.mean([c.chance for c in self.scored])) if self.scored else 0.0


def read_labels(path: Path) -> list[dict[str, str]]:
    """labels.csv rows as dicts (one per image)."""
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def labelled_pool(con, labels_path: Path, key: PseudonymKey, held_out_fraction: float | None,
                  seed: int = 0) -> dict[int, dict[str, str]]:
    """image id → its ``labels.csv`` row, for the store's images of held-out patients (all the
    store's labelled images when ``held_out_fraction`` is None). Labels name images by their
    original SOP Instance UID, which ``key`` turns into the store's pseudonym."""
    rows = con.execute("SELECT i.image_id, i.sop_uid, s.patient_pseudo FROM images i JOIN studies s USING (study_id)"
                       ).fetchall()
    by_uid = {sop: (int(image_id), patient) for image_id, sop, patient in rows}
    pool: dict[int, dict[str, str]] = {}
    for label in read_labels(labels_path):
        hit = by_uid.get(key.uid(label["sop_instance_uid"]))
        if hit and (held_out_fraction is None or is_held_out(hit[1], held_out_fraction, seed)):
            pool[hit[0]] = label
    return pool


def evaluate_text_retrieval(
    engine: SearchEngine,
    labels_path: Path,
    key: PseudonymKey,
    held_out_fraction: float,
    classes: tuple[QueryClass, ...] = DEMO_QUERY_CLASSES,
    k: int = 10,
    seed: int = 0,
    mode: str | None = None,
) -> RetrievalReport:
    """P@k per query class over the held-out studies' images (``mode``: the engine's search mode,
    None for its default)."""
    pool = labelled_pool(engine.store.con, labels_path, key, held_out_fraction, seed)
    allowed = np.array(sorted(pool), dtype=np.int64)
    results = (engine.search_texts([c.query for c in classes], k, allowed, mode=mode) if len(allowed)
               else [[] for _ in classes])
    report = []
    for cls, hits in zip(classes, results):
        relevant = sum(cls.matches(label) for label in pool.values())
        precision = None
        if relevant >= max(k, MIN_RELEVANT) and hits:
            precision = sum(cls.matches(pool[h.image_id]) for h in hits[:k]) / k
        report.append(ClassResult(cls.query, relevant, len(pool), precision))
    return RetrievalReport(report, k)
