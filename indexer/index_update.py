"""What an index job must do: everything (a full build), or the difference between DuckDB and
the indexes on disk (``index --update``).

``--update`` embeds only images whose id is in DuckDB and not in the images index, drops
vectors whose id left DuckDB (e.g. an interrupted ``forget``), recomputes the study vectors
of every study that gained or lost an image (and of studies missing from the studies
index), and embeds reports missing from the reports index. The model must be the one that
built the indexes (:class:`~bonesearch.errors.ModelMismatch` otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bonesearch.errors import ModelMismatch
from bonesearch.store import Store
from bonesearch.index.backends import index_ids
from bonesearch.index.files import INDEX_NAMES, IndexManifest, read_index


@dataclass
class StoreSnapshot:
    """The DuckDB side of the indexes, read once at the start of a job."""

    image_ids: np.ndarray  # every images.image_id, sorted
    study_of: dict[int, int]  # image_id -> study_id
    report_ids: np.ndarray  # every reports.report_id, sorted

    @classmethod
    def read(cls, store: Store) -> "StoreSnapshot":
        """Read the ids from ``store``."""
        pairs = store.con.execute("SELECT image_id, study_id FROM images ORDER BY image_id").fetchall()
        reports = store.con.execute("SELECT report_id FROM reports ORDER BY report_id").fetchall()
        return cls(
            image_ids=np.array([p[0] for p in pairs], dtype=np.int64),
            study_of={int(i): int(s) for i, s in pairs},
            report_ids=np.array([r[0] for r in reports], dtype=np.int64),
        )

    @property
    def study_ids(self) -> np.ndarray:
        """Studies that have at least one image (the ones with a study vector)."""
        return np.unique(np.fromiter(self.study_of.values(), dtype=np.int64, count=len(self.study_of)))


@dataclass
class IndexPlan:
    """Ids to embed and to drop, index by index; ``existing`` holds the loaded indexes of an update."""

    new_images: np.ndarray
    stale_images: np.ndarray
    studies_to_compute: np.ndarray  # their vectors are (re)computed from their images
    studies_to_drop: np.ndarray  # removed from the studies index first (includes the recomputed)
    new_reports: np.ndarray
    stale_reports: np.ndarray
    existing: dict[str, tuple[object, IndexManifest]] = field(default_factory=dict)

    @property
    def is_update(self) -> bool:
        """True when the plan edits existing indexes rather than building new ones."""
        return bool(self.existing)

    def changes(self, name: str) -> bool:
        """True when index ``name`` must be written."""
        if name not in self.existing:
            return True
        parts = {"images": (self.new_images, self.stale_images), "studies": (self.studies_to_compute, self.studies_to_drop),
                 "reports": (self.new_reports, self.stale_reports)}[name]
        return any(len(p) for p in parts)


def full_plan(snapshot: StoreSnapshot) -> IndexPlan:
    """Everything in DuckDB, into new indexes."""
    empty = np.empty(0, np.int64)
    return IndexPlan(snapshot.image_ids, empty, snapshot.study_ids, empty, snapshot.report_ids, empty)


def has_indexes(index_dir: Path) -> bool:
    """True when the images index and its manifest exist (an update is possible)."""
    return (Path(index_dir) / "images.faiss").is_file() and (Path(index_dir) / "images.json").is_file()


def update_plan(snapshot: StoreSnapshot, index_dir: Path, fingerprint: str, checkpoint: Path) -> IndexPlan:
    """The difference between ``snapshot`` and the indexes in ``index_dir`` (built by model ``fingerprint``)."""
    existing = {}
    for name in INDEX_NAMES:
        if (Path(index_dir) / f"{name}.json").is_file():
            index, manifest = read_index(index_dir, name, mmap=False)
            if manifest.model_fingerprint != fingerprint:
                raise ModelMismatch(
                    f"the {name} index in {index_dir} was built with model {manifest.model_fingerprint} "
                    f"({manifest.checkpoint}), and {checkpoint} is model {fingerprint}: --update only adds vectors "
                    f"of the same model; pass --checkpoint {manifest.checkpoint}, or rebuild every index with the "
                    f"new model by running `bonesearch index` without --update"
                )
            existing[name] = (index, manifest)
    in_index = {name: index_ids(existing[name][0]) if name in existing else np.empty(0, np.int64) for name in INDEX_NAMES}
    new_images = np.setdiff1d(snapshot.image_ids, in_index["images"])
    stale_images = np.setdiff1d(in_index["images"], snapshot.image_ids)
    stale_studies = np.setdiff1d(in_index["studies"], snapshot.study_ids)
    touched = np.array(sorted({snapshot.study_of[int(i)] for i in new_images}), dtype=np.int64)
    touched = np.union1d(touched, np.setdiff1d(snapshot.study_ids, in_index["studies"]))
    if len(stale_images) and len(np.intersect1d(in_index["studies"], snapshot.study_ids)):
        # DuckDB no longer says which studies held the stale images: recompute every study vector
        touched = snapshot.study_ids
    to_compute = touched
    return IndexPlan(
        new_images=new_images,
        stale_images=stale_images,
        studies_to_compute=to_compute,
        studies_to_drop=np.union1d(stale_studies, to_compute),
        new_reports=np.setdiff1d(snapshot.report_ids, in_index["reports"]),
        stale_reports=np.setdiff1d(in_index["reports"], snapshot.report_ids),
        existing=existing,
    )

