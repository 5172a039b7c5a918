"""Image/report pairs from a store: one entry per study (its images' cached PNGs and its report), split by patient.

Pixels are not loaded here: the training data loader reads them (:mod:`pretrain.data`),
so a store of a million images costs its file list, not its pixels.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bonesearch.errors import EmptyStore
from bonesearch.imaging.pixel_cache import load_png
from bonesearch.downstream.splits import is_held_out
from bonesearch.reports.sections import DEFAULT_TEXT_MODE, TEXT_MODES, report_training_text  # noqa: F401 (re-exported)
from bonesearch.store import Store



@dataclass
class StudyPairs:
    """Studies with their images' cached PNG files and report text."""

    study_ids: list[int]
    patients: list[str]
    texts: list[str]  # the report text of the chosen mode (validation uses it)
    pixel_paths: list[list[Path]]  # the cached PNG of each image of the study
    image_ids: list[list[int]]
    text_views: list[list[str]] = field(default_factory=list)  # shorter variants for text augmentation
    body_parts: list[str] = field(default_factory=list)  # the study's header body part (hard-negative batches)

    def __len__(self) -> int:
        return len(self.study_ids)

    def subset(self, keep: list[int]) -> "StudyPairs":
        return StudyPairs(
            [self.study_ids[i] for i in keep], [self.patients[i] for i in keep], [self.texts[i] for i in keep],
            [self.pixel_paths[i] for i in keep], [self.image_ids[i] for i in keep], [self.text_views[i] for i in keep],
            [self.body_parts[i] for i in keep] if self.body_parts else [],
        )

    def first_views(self) -> np.ndarray:
        """The first image of every study, uint8 ``[n, H, W]`` (validation embeds these)."""
        return np.stack([load_png(paths[0]) for paths in self.pixel_paths])

    def sample_text(self, i: int, rng: random.Random, full_p: float = 0.5) -> str:
        """The whole text with probability ``full_p``, else one of its shorter views.

        Short views (the conclusion, one sentence, technique + conclusion) teach the text
        tower that a few words — what users type as queries — mean the same as the report.
        """
        views = self.text_views[i] if self.text_views else []
        if not views or rng.random() < full_p:
            return self.texts[i]
        return rng.choice(views)


def _sentences(text: str | None) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.;!?])\s+", text or "") if len(s.strip()) > 3]


def text_views(technique: str | None, findings: str | None, conclusion: str | None) -> list[str]:
    """Shorter texts that say the same as the report: conclusion, single sentences, technique + conclusion."""
    views = [c for c in (conclusion,) if c]
    views += _sentences(findings) + _sentences(conclusion)
    if technique and conclusion:
        views.append(f"{technique.strip()} {conclusion.strip()}")
    return list(dict.fromkeys(v.strip() for v in views if v and v.strip()))


def load_pairs(store: Store, text_mode: str = DEFAULT_TEXT_MODE) -> StudyPairs:
    """Every study that has at least one image and a report (pixels stay on disk)."""
    if text_mode not in TEXT_MODES:
        raise ValueError(f"text mode {text_mode!r}: choose one of {', '.join(TEXT_MODES)}")
    rows = store.con.execute(
        """
        SELECT s.study_id, s.patient_pseudo, r.technique, r.findings, r.conclusion, r.text,
               list(i.image_id ORDER BY i.image_id), list(i.pixel_path ORDER BY i.image_id),
               upper(coalesce(s.body_part, ''))
        FROM studies s JOIN reports r USING (study_id) JOIN images i USING (study_id)
        GROUP BY ALL ORDER BY s.study_id
        """
    ).fetchall()
    if not rows:
        raise EmptyStore(
            f"the store {store.path} has no study with both images and a report: "
            f"ingest the archive with its reports (`bonesearch ingest ARCHIVE --reports reports.csv`)"
        )
    pairs = StudyPairs([], [], [], [], [], [])
    for study_id, patient, technique, findings, conclusion, text, image_ids, paths, body_part in rows:
        pairs.study_ids.append(int(study_id))
        pairs.patients.append(patient)
        pairs.texts.append(report_training_text(findings, conclusion, text, text_mode, technique))
        pairs.text_views.append(text_views(technique, findings, conclusion))
        pairs.pixel_paths.append([store.pixel_file(p) for p in paths])
        pairs.image_ids.append([int(i) for i in image_ids])
        pairs.body_parts.append(body_part)
    return pairs


def split_pairs(pairs: StudyPairs, held_out_fraction: float, seed: int = 0) -> tuple[StudyPairs, StudyPairs]:
    """(train, held-out) by patient: no patient is on both sides."""
    held = [i for i, p in enumerate(pairs.patients) if is_held_out(p, held_out_fraction, seed)]
    held_set = set(held)
    train = [i for i in range(len(pairs)) if i not in held_set]
    return pairs.subset(train), pairs.subset(held)
