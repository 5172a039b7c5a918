"""Image/report pairs from a store: one entry per study, split by patient."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bonesearch.errors import EmptyStore
from bonesearch.imaging import load_png
from bonesearch.splits import is_held_out
from bonesearch.store import Store

TEXT_MODES = ("findings+conclusion", "full")


@dataclass
class StudyPairs:
    """Studies with their images (uint8, cached size) and report text."""

    study_ids: list[int]
    patients: list[str]
    texts: list[str]
    images: list[np.ndarray]  # one array [n_views, H, W] per study
    image_ids: list[list[int]]

    def __len__(self) -> int:
        return len(self.study_ids)

    def subset(self, keep: list[int]) -> "StudyPairs":
        return StudyPairs(
            [self.study_ids[i] for i in keep], [self.patients[i] for i in keep], [self.texts[i] for i in keep],
            [self.images[i] for i in keep], [self.image_ids[i] for i in keep],
        )


def report_training_text(findings: str | None, conclusion: str | None, text: str, mode: str) -> str:
    """The part of a de-identified report the text tower sees."""
    if mode == "full":
        return text
    body = " ".join(part.strip() for part in (findings, conclusion) if part and part.strip())
    return body or text


def load_pairs(store: Store, text_mode: str = "findings+conclusion") -> StudyPairs:
    """Every study that has at least one image and a report."""
    if text_mode not in TEXT_MODES:
        raise ValueError(f"text mode {text_mode!r}: choose one of {', '.join(TEXT_MODES)}")
    rows = store.con.execute(
        """
        SELECT s.study_id, s.patient_pseudo, r.findings, r.conclusion, r.text,
               list(i.image_id ORDER BY i.image_id), list(i.pixel_path ORDER BY i.image_id)
        FROM studies s JOIN reports r USING (study_id) JOIN images i USING (study_id)
        GROUP BY ALL ORDER BY s.study_id
        """
    ).fetchall()
    if not rows:
        raise EmptyStore(
            f"the store {store.path} has no study with both images and a report: "
            f"ingest the archive with its reports (`bonesearch ingest ARCHIVE --reports reports.csv`)"
        )
    pairs = StudyPairs([], [], [], [], [])
    for study_id, patient, findings, conclusion, text, image_ids, paths in rows:
        pairs.study_ids.append(int(study_id))
        pairs.patients.append(patient)
        pairs.texts.append(report_training_text(findings, conclusion, text, text_mode))
        pairs.images.append(np.stack([load_png(store.pixel_file(p)) for p in paths]))
        pairs.image_ids.append([int(i) for i in image_ids])
    return pairs


def split_pairs(pairs: StudyPairs, held_out_fraction: float, seed: int = 0) -> tuple[StudyPairs, StudyPairs]:
    """(train, held-out) by patient: no patient is on both sides."""
    held = [i for i, p in enumerate(pairs.patients) if is_held_out(p, held_out_fraction, seed)]
    held_set = set(held)
    train = [i for i in range(len(pairs)) if i not in held_set]
    return pairs.subset(train), pairs.subset(held)
