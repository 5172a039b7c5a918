"""The search engine's Python API: text and image queries over a store's FAISS index.

```python
engine = SearchEngine.open("store/")
hits = engine.search_text("fracture du radius distal", k=10)
```
Results are FAISS ids joined with DuckDB rows; nothing identifying is in the store.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from bonesearch.errors import ModelMismatch
from bonesearch.store import Store
from bonesearch.vector_index import read_index, search

EXCERPT_CHARS = 140


@dataclass
class Hit:
    """One ranked result."""

    rank: int
    score: float
    image_id: int
    study_uid: str
    study_date: str | None
    body_part: str
    laterality: str
    view: str
    age_months: int | None
    sex: str
    excerpt: str

    def to_dict(self) -> dict:
        return asdict(self)


def report_excerpt(conclusion: str | None, findings: str | None, text: str | None, limit: int = EXCERPT_CHARS) -> str:
    """A one-line excerpt of a de-identified report: conclusion first, else findings, else text."""
    source = next((s for s in (conclusion, findings, text) if s and s.strip()), "")
    line = " ".join(source.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


class SearchEngine:
    """A store, its image index and the model that built it."""

    def __init__(self, store: Store, index, manifest, clip) -> None:
        self.store, self.index, self.manifest, self.clip = store, index, manifest, clip

    @classmethod
    def open(cls, store_path: Path, checkpoint: Path | str | None = None, device: str = "cpu") -> "SearchEngine":
        """Open a store for search; the model is the index's own unless ``checkpoint`` is given."""
        from bonesearch.models.checkpoint import load_checkpoint

        store = Store.open(Path(store_path))
        index, manifest = read_index(store.index_dir, "images")
        clip = load_checkpoint(checkpoint or manifest.checkpoint, device=device)
        if clip.fingerprint() != manifest.model_fingerprint:
            raise ModelMismatch(
                f"the index in {store.index_dir} was built with model {manifest.model_fingerprint}, "
                f"not {clip.fingerprint()} ({checkpoint}); query with the index's checkpoint "
                f"({manifest.checkpoint}) or rebuild it with `bonesearch index --checkpoint ...`"
            )
        return cls(store, index, manifest, clip)

    def close(self) -> None:
        self.store.close()

    def search_text(self, query: str, k: int = 10, allowed_ids: np.ndarray | None = None) -> list[Hit]:
        """Images whose embedding is closest to the French query ``query``."""
        return self.search_texts([query], k, allowed_ids)[0]

    def search_texts(self, queries: list[str], k: int = 10, allowed_ids: np.ndarray | None = None) -> list[list[Hit]]:
        """One ranked list per query (batched text encoding)."""
        vectors = self.clip.encode_texts(list(queries)).float().cpu().numpy()
        return self.search_vectors(vectors, k, allowed_ids)

    def search_image(self, image: np.ndarray, k: int = 10, allowed_ids: np.ndarray | None = None) -> list[Hit]:
        """Images most similar to ``image`` (uint8 greyscale, any size)."""
        vector = self.clip.encode_images(image[None]).float().cpu().numpy()
        return self.search_vectors(vector, k, allowed_ids)[0]

    def search_vectors(self, vectors: np.ndarray, k: int = 10, allowed_ids: np.ndarray | None = None) -> list[list[Hit]]:
        """Ranked hits for each row of ``vectors`` (L2-normalised, model's dimension).

        ``allowed_ids`` limits results to those image ids (exact filtered search).
        """
        scores, ids = search(self.index, vectors, k, allowed_ids)
        rows = self._rows({int(i) for i in ids.ravel() if i >= 0})
        return [
            [self._hit(rank + 1, float(s), rows[int(i)]) for rank, (s, i) in enumerate(zip(srow, irow)) if i >= 0]
            for srow, irow in zip(scores, ids)
        ]

    def _rows(self, image_ids: set[int]) -> dict[int, tuple]:
        if not image_ids:
            return {}
        rows = self.store.con.execute(
            """
            SELECT i.image_id, s.study_uid, CAST(s.study_date AS VARCHAR), i.body_part, i.laterality, i.view,
                   s.age_months, s.sex, r.conclusion, r.findings, r.text
            FROM images i JOIN studies s USING (study_id)
            LEFT JOIN reports r ON r.study_id = s.study_id
            WHERE i.image_id IN (SELECT unnest(?::BIGINT[]))
            """,
            [sorted(image_ids)],
        ).fetchall()
        return {int(r[0]): r for r in rows}

    @staticmethod
    def _hit(rank: int, score: float, row: tuple) -> Hit:
        return Hit(
            rank=rank, score=score, image_id=int(row[0]), study_uid=row[1], study_date=row[2],
            body_part=row[3] or "", laterality=row[4] or "", view=row[5] or "", age_months=row[6],
            sex=row[7] or "", excerpt=report_excerpt(row[8], row[9], row[10]),
        )
