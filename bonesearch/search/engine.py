"""The search engine's Python API: French text, image, image-id and study queries over a
store's FAISS indexes, with exact SQL filters and grouping by study.

```python
with SearchEngine.open("store/") as engine:
    hits = engine.search_text("fracture du radius distal", k=10, where="age_months < 216")
    studies = engine.search_text("gonarthrose", k=5, group_by="study")
    alike = engine.search_study("2.25.1234…", k=5)
```
FAISS ids are DuckDB keys (``images.image_id``, ``studies.study_id``); hits are joined
with their de-identified rows (:mod:`bonesearch.search.hits`). A ``where`` condition becomes the
set of ids FAISS may return (:mod:`bonesearch.search.filters`), so a filtered search returns k
results whenever k rows match.

``SearchEngine.open`` is the one way into a store for searching: the CLI (``query``,
``similar``), the web server (:mod:`bonesearch.web.live`, with ``snapshot=True``) and
:func:`index_checkpoint` (``classify --store``). ``device`` places the model and, through a
search backend (:mod:`bonesearch.index.search_backends`), the indexes: ``--device cuda``
searches on the GPU (faiss-gpu, else the torch exact index for exact stores).

On the CPU, text queries are encoded by the text tower ``bonesearch index`` exported next to
the indexes (:mod:`bonesearch.models.query_encoder`: ONNX Runtime + ``tokenizers``), and the
checkpoint (torch, open_clip, transformers) is loaded only when an image has to be encoded
(``similar`` from a file, a study whose vectors are not stored): a cold ``bonesearch query``
does not import torch.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from bonesearch.errors import EmptyStore, IndexNotFound, InvalidQuery, ModelMismatch, StoreNotFound
from bonesearch.index.files import IndexManifest, read_index, read_manifest, search
from bonesearch.index.search_backends import choose_search_backend, place_index
from bonesearch.index.vectors import l2_normalise
from bonesearch.models.device import Device, resolve_query_device
from bonesearch.models.query_encoder import FOLDER as QUERY_ENCODER_FOLDER, QueryTextEncoder
from bonesearch.search.filters import allowed_ids as filter_ids
from bonesearch.search.fusion import DEFAULT_WEIGHTS, MODE_SIGNALS, MODES, RRF_K, Mode, fuse
from bonesearch.search.query_text import body_parts
from bonesearch.search.excerpts import StudyReports
from bonesearch.search.image_table import ImageTable
from bonesearch.search.signals import SIGNAL_DEPTH, StudySignals, candidate_images
from bonesearch.search.hits import Hit, StudyHit, fused_hits, image_rows, study_rows
from bonesearch.store import DB_NAME, INDEX_DIR, Store

if TYPE_CHECKING:
    from bonesearch.models.clip import BoneClip

__all__ = ["GroupBy", "SearchEngine", "index_checkpoint"]

GroupBy = Literal["image", "study"]
#: Grouping by study first fetches k × this many images, then multiplies the fetch by
#: GROUP_WIDEN_FACTOR until k studies are found or the (allowed) images are exhausted.
GROUP_FETCH_FACTOR = 4
GROUP_WIDEN_FACTOR = 4


class SearchEngine:
    """A store, its image index (and, on demand, its study index) and the model that built them.

    ``search_backend`` and ``device`` say how the indexes are searched (the study index is
    placed like the image index when first used).
    """

    def __init__(self, store: Store, index, manifest: IndexManifest, clip: "BoneClip | None", *,
                 search_backend: str = "faiss", device: "str | Device" = "cpu",
                 text_encoder: QueryTextEncoder | None = None, half_scan: bool = False) -> None:
        self.store, self.index, self.manifest, self._clip = store, index, manifest, clip
        self.search_backend, self.device = search_backend, resolve_query_device(device)
        self.half_scan = half_scan  # large exact indexes searched through an fp16 copy (index.half_scan)
        self.text_encoder = text_encoder  # the exported text tower, when it is the index's model (CPU)
        self._studies = None  # (searchable index, manifest), read on the first study search
        self._study_signals: StudySignals | None = None  # report and lexical signals, read on the first fused search
        self._images: ImageTable | None = None  # image → study and header columns, read on first use
        self._reports: StudyReports | None = None  # study → first report (hits' excerpts), read on first use
        self._default_mode: str | None = None
        self.fusion_weights, self.rrf_k = dict(DEFAULT_WEIGHTS), RRF_K  # reciprocal rank fusion (search.fusion)

    @classmethod
    def open(cls, store_path: Path | str, checkpoint: Path | str | None = None, device: "str | Device" = "cpu", *,
             search_backend: str | None = None, snapshot: bool = False,
             loaded_model: "BoneClip | None" = None, half_scan: bool | None = None) -> "SearchEngine":
        """Open a store for search; the model is the index's own unless ``checkpoint`` is given.

        Args:
            device: where the model encodes queries and the indexes are searched (``auto``,
                ``cpu``, ``cuda``, ``cuda:N``).
            search_backend: ``auto`` (default: FAISS on the CPU; on CUDA faiss-gpu when
                installed, else the torch exact index), ``faiss`` or ``torch``
                (:mod:`bonesearch.index.search_backends`).
            snapshot: search an in-memory copy of the store's DuckDB and close the file (a
                long-running server must not keep the store locked against writers).
            loaded_model: a model already in memory, used instead of loading the index's
                checkpoint again when it is that model (same fingerprint).
            half_scan: scan an fp16 copy of each large exact index and re-score its best in float32
                (:mod:`bonesearch.index.half_scan`: half the scan time, built once); default: for a
                long-running engine (``snapshot``), not for a one-shot query.

        The model is loaded here when ``checkpoint`` or ``loaded_model`` is given, on a GPU,
        or when the index has no exported text encoder; otherwise on first use (:attr:`clip`).

        Raises:
            StoreNotFound, EmptyStore, IndexNotFound: no store, no images, or no index yet.
            StoreLocked: another process is writing the store (an ``ingest``, a ``forget``).
            ModelMismatch: ``checkpoint`` is not the model that built the index.
            SearchBackendUnavailable: the backend cannot search this store on ``device``.
        """
        device = resolve_query_device(device)
        backend = choose_search_backend(search_backend, device)
        store = Store.snapshot(Path(store_path)) if snapshot else Store.open(Path(store_path))
        half_scan = snapshot if half_scan is None else half_scan
        try:
            index, manifest = _read_image_index(store, backend, device, half_scan)
            encoder = None
            if checkpoint is None and device.type == "cpu":
                encoder = QueryTextEncoder.load(store.index_dir / QUERY_ENCODER_FOLDER, manifest.model_fingerprint)
            clip = None
            if encoder is None or loaded_model is not None:
                clip = _checked_model(store, manifest, checkpoint, device, loaded_model)
        except BaseException:
            store.close()
            raise
        return cls(store, index, manifest, clip, search_backend=backend, device=device, text_encoder=encoder,
                   half_scan=half_scan)

    @property
    def clip(self) -> "BoneClip":
        """The index's model (loaded on first use when text queries go through the exported encoder)."""
        if self._clip is None:
            self._clip = _checked_model(self.store, self.manifest, None, self.device, None)
        return self._clip

    @property
    def loaded_clip(self) -> "BoneClip | None":
        """The model if it is in memory (a server reuses it for the next snapshot), else None."""
        return self._clip

    def close(self) -> None:
        """Close the store's DuckDB connection."""
        self.store.close()

    def __enter__(self) -> "SearchEngine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def default_mode(self) -> str:
        """``hybrid`` when the store holds reports (their words and vectors can be searched), else ``image``."""
        if self._default_mode is None:
            self._default_mode = "hybrid" if self.store.count("reports") else "image"
        return self._default_mode

    # ------------------------------------------------------------------ queries
    def search_text(self, query: str, k: int = 10, allowed_ids: np.ndarray | None = None, *,
                    where: str | None = None, group_by: GroupBy = "image",
                    mode: Mode | None = None) -> list[Hit] | list[StudyHit]:
        """Images (or studies) closest to the French query ``query`` (case and accents do not matter)."""
        return self.search_texts([query], k, allowed_ids, where=where, group_by=group_by, mode=mode)[0]

    def search_texts(self, queries: list[str], k: int = 10, allowed_ids: np.ndarray | None = None, *,
                     where: str | None = None, group_by: GroupBy = "image",
                     mode: Mode | None = None) -> list[list[Hit]] | list[list[StudyHit]]:
        """One ranked list per query (texts encoded in one batch, the filter run once).

        ``mode``: ``image`` ranks by the image index alone; ``report`` by the studies' reports
        (report vectors and words); ``hybrid`` fuses the three (:mod:`bonesearch.search.fusion`).
        None: :attr:`default_mode`.
        """
        texts = [q.strip() for q in queries]
        if not texts or not all(texts):
            raise InvalidQuery("an empty text query: give a French description, e.g. \"fracture du radius distal\"")
        mode = mode or self.default_mode
        if mode not in MODES:
            raise InvalidQuery(f"--mode {mode!r}: choose {', '.join(MODES)}")
        vectors = self.encode_texts(texts)
        if mode == "image":
            return self.search_vectors(vectors, k, allowed_ids, where=where, group_by=group_by)
        _by_study(group_by)
        allowed = self._allowed(where, allowed_ids, "image_id")
        return [self._fused_hits(text, vector, k, allowed, mode, group_by) for text, vector in zip(texts, vectors)]

    def search_image(self, image: np.ndarray, k: int = 10, allowed_ids: np.ndarray | None = None, *,
                     where: str | None = None, group_by: GroupBy = "image") -> list[Hit] | list[StudyHit]:
        """Images (or studies) most similar to ``image`` (uint8 greyscale, any size)."""
        vector = self.clip.encode_images(image[None]).float().cpu().numpy()
        return self.search_vectors(vector, k, allowed_ids, where=where, group_by=group_by)[0]

    def search_image_id(self, image_id: int, k: int = 10, allowed_ids: np.ndarray | None = None, *,
                        where: str | None = None, group_by: GroupBy = "image",
                        include_self: bool = False) -> list[Hit] | list[StudyHit]:
        """Images (or studies) most similar to the store's image ``image_id`` (itself left out
        unless ``include_self``)."""
        image_id = int(image_id)
        if not self.store.con.execute("SELECT 1 FROM images WHERE image_id = ?", [image_id]).fetchone():
            raise InvalidQuery(f"--image-id {image_id}: no such image in {self.store.path}; "
                               f"take an image_id from `bonesearch query ... --json`")
        vector = self._image_vectors(np.array([image_id]))
        exclude = frozenset() if include_self else frozenset({image_id})
        allowed = self._allowed(where, allowed_ids, "image_id")
        if _by_study(group_by):
            return self._study_groups(vector[0], k, allowed, exclude)
        return self._image_hits(vector, k, allowed, exclude)[0]

    def search_study(self, study_uid: str, k: int = 10, allowed_ids: np.ndarray | None = None, *,
                     where: str | None = None, include_self: bool = False) -> list[StudyHit]:
        """Studies most similar to study ``study_uid`` (its pseudonymised UID), by their
        study vectors (normalised mean of a study's image vectors); ``where`` and
        ``allowed_ids`` select study ids (a study matches when one of its images does)."""
        row = self.store.con.execute("SELECT study_id FROM studies WHERE study_uid = ?", [study_uid.strip()]).fetchone()
        if row is None:
            raise InvalidQuery(f"--study {study_uid}: no such study in {self.store.path}; "
                               f"give a study_uid from `bonesearch query ... --json`")
        study_id = int(row[0])
        index, _ = self._study_index()
        vector = _stored_vectors(index, np.array([study_id]))
        if vector is None:
            images = np.array([i for (i,) in self.store.con.execute(
                "SELECT image_id FROM images WHERE study_id = ? ORDER BY image_id", [study_id]).fetchall()])
            if not len(images):
                raise InvalidQuery(f"--study {study_uid}: the study has no images to compare")
            vector = l2_normalise(self._image_vectors(images).mean(axis=0, keepdims=True))
        allowed = self._allowed(where, allowed_ids, "study_id")
        if allowed is not None and not len(allowed):
            return []
        exclude = set() if include_self else {study_id}
        scores, ids = search(index, vector, k + len(exclude), allowed)
        ranked = [(float(s), int(i)) for s, i in zip(scores[0], ids[0]) if i >= 0 and int(i) not in exclude]
        rows = study_rows(self.store.con, {i for _, i in ranked}, self._study_reports())
        found = [(s, rows[i]) for s, i in ranked if i in rows][:k]
        return [replace(row, rank=rank, score=s) for rank, (s, row) in enumerate(found, 1)]

    def search_vectors(self, vectors: np.ndarray, k: int = 10, allowed_ids: np.ndarray | None = None, *,
                       where: str | None = None, group_by: GroupBy = "image") -> list[list[Hit]] | list[list[StudyHit]]:
        """Ranked hits for each row of ``vectors`` (L2-normalised, the index's dimension).

        ``allowed_ids`` (image ids) and ``where`` (SQL over images ⋈ studies) restrict the
        results exactly, inside the FAISS search; both together intersect.
        ``group_by="study"`` returns the k best studies, each scored by its best image.
        """
        vectors = np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)
        if vectors.shape[1] != self.index.d:
            raise ValueError(f"query vectors are {vectors.shape[1]}-d, the index holds {self.index.d}-d vectors")
        allowed = self._allowed(where, allowed_ids, "image_id")
        if _by_study(group_by):
            return [self._study_groups(v, k, allowed, frozenset()) for v in vectors]
        return self._image_hits(vectors, k, allowed, frozenset())

    def encode_texts(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 query embeddings ``[N, d]`` of French texts."""
        if self.text_encoder is not None:
            return self.text_encoder.encode(list(texts))
        return self.clip.encode_texts(list(texts)).float().cpu().numpy()

    # ---------------------------------------------------------------- internals
    def _fused_hits(self, text: str, vector: np.ndarray, k: int, allowed: np.ndarray | None, mode: str,
                    group_by: str) -> list[Hit] | list[StudyHit]:
        """One query's hits by reciprocal rank fusion of the signals of ``mode``."""
        if allowed is not None and not len(allowed):
            return []
        wanted = MODE_SIGNALS[mode]
        depth = max(SIGNAL_DEPTH, k * GROUP_FETCH_FACTOR)
        image_ranking: list[int] = []
        if "image" in wanted:
            _, ids = search(self.index, vector[None], min(depth, self.index.ntotal), allowed)
            image_ranking = [int(i) for i in ids[0] if i >= 0]
        signals = self._signals()
        studies: dict[str, list[int]] = {}
        reports = signals.allowed_reports(allowed)
        if "report" in wanted:
            studies["report"] = signals.report_rankings(vector[None], reports, depth)[0]
        if "lexical" in wanted:
            studies["lexical"] = signals.lexical_rankings([text], reports, depth)[0]
        reached = {s for ranking in studies.values() for s in ranking}
        table = self._image_table()
        images_of = candidate_images(table, reached, allowed, self._image_vectors, vector)
        candidates = set(image_ranking) | {i for images in images_of.values() for i in images}
        study_of = self._study_of(candidates)  # the fused images are the candidates
        fused = fuse(image_ranking, studies, images_of, self.fusion_weights, self.rrf_k,
                     unreported=signals.unreported(image_ranking, study_of) if studies else set(),
                     named_part=table.with_body_part(candidates, body_parts(text)))
        if "lexical" in wanted:
            fused = _demoted(fused, study_of, k, _by_study(group_by), lambda found: (
                signals.contradicted(text, found), signals.with_findings(text, found)))
        return fused_hits(self.store.con, fused, study_of, k, by_study=_by_study(group_by),
                          reports=self._study_reports(), table=table)

    def _signals(self) -> StudySignals:
        """The report-vector and lexical signals, read on first use."""
        if self._study_signals is None:
            self._study_signals = StudySignals.open(self.store, self.manifest, self.search_backend, self.device,
                                                    half_scan=self.half_scan)
        return self._study_signals

    def _allowed(self, where: str | None, allowed_ids: np.ndarray | None, key: str) -> np.ndarray | None:
        """The ids a search may return (None: all), from ``where`` and/or ``allowed_ids``."""
        ids = None if allowed_ids is None else np.unique(np.asarray(allowed_ids, dtype=np.int64))
        if where is not None and where.strip():
            matched = filter_ids(self.store.con, where, key)
            ids = matched if ids is None else np.intersect1d(ids, matched)
        return ids

    def _image_hits(self, vectors: np.ndarray, k: int, allowed: np.ndarray | None,
                    exclude: frozenset[int]) -> list[list[Hit]]:
        if allowed is not None and not len(allowed):
            return [[] for _ in vectors]
        scores, ids = search(self.index, vectors, k + len(exclude), allowed)
        rows = image_rows(self.store.con, {int(i) for i in ids.ravel() if i >= 0}, self._study_reports())
        results = []
        for srow, irow in zip(scores, ids):
            found = [(float(s), rows[int(i)]) for s, i in zip(srow, irow) if int(i) in rows and int(i) not in exclude]
            results.append([replace(row, rank=rank, score=s) for rank, (s, row) in enumerate(found[:k], 1)])
        return results

    def _study_groups(self, vector: np.ndarray, k: int, allowed: np.ndarray | None,
                      exclude: frozenset[int]) -> list[StudyHit]:
        """The k best studies for one query vector, each scored by its best image: search
        k × m images, group, and widen until k studies are found or the images run out."""
        limit = self.index.ntotal if allowed is None else len(allowed)
        if limit == 0:
            return []
        fetch = min(k * GROUP_FETCH_FACTOR + len(exclude), limit)
        while True:
            scores, ids = search(self.index, vector[None], fetch, allowed)
            ranked = [(float(s), int(i)) for s, i in zip(scores[0], ids[0]) if i >= 0 and int(i) not in exclude]
            study_of = self._study_of({i for _, i in ranked})
            best: dict[int, tuple[float, int]] = {}
            for score, image_id in ranked:  # scores descend: the first image seen is the study's best
                if image_id in study_of:
                    best.setdefault(study_of[image_id], (score, image_id))
            exhausted = int((ids[0] >= 0).sum()) < fetch or fetch >= limit
            if len(best) >= k or exhausted:
                break
            fetch = min(fetch * max(2, GROUP_WIDEN_FACTOR), limit)
        top = list(best.items())[:k]
        rows = study_rows(self.store.con, {study_id for study_id, _ in top}, self._study_reports())
        return [replace(rows[study_id], rank=rank, score=score, image_id=image_id)
                for rank, (study_id, (score, image_id)) in enumerate(top, 1)]

    def _study_of(self, image_ids: set[int]) -> dict[int, int]:
        return self._image_table().study_of(image_ids) if image_ids else {}

    def _image_table(self) -> ImageTable:
        """Each image's study and header columns, read on first use (:mod:`bonesearch.search.image_table`)."""
        if self._images is None:
            self._images = ImageTable.read(self.store.con)
        return self._images

    def _study_reports(self) -> StudyReports:
        """Each study's first report id, read on first use (:mod:`bonesearch.search.excerpts`)."""
        if self._reports is None:
            self._reports = StudyReports.read(self.store.con, self.store.report_keys)
        return self._reports

    def _image_vectors(self, image_ids: np.ndarray) -> np.ndarray:
        """Index vectors of ``image_ids``; embedded from the pixel cache when the index
        cannot give them back (not indexed yet, or an index type without reconstruction)."""
        stored = _stored_vectors(self.index, image_ids)
        if stored is not None:
            return stored
        from bonesearch.imaging.pixel_cache import load_png

        paths = dict(self.store.con.execute(
            "SELECT image_id, pixel_path FROM images WHERE image_id IN (SELECT unnest(?::BIGINT[]))",
            [[int(i) for i in image_ids]]).fetchall())
        pixels = np.stack([load_png(self.store.pixel_file(paths[int(i)])) for i in image_ids])
        return self.clip.encode_images(pixels).float().cpu().numpy()

    def _study_index(self):
        """The ``studies`` index, checked against the engine's model on first use."""
        if self._studies is None:
            try:
                index, manifest = read_index(self.store.index_dir, "studies")
            except IndexNotFound:
                raise InvalidQuery(
                    f"--study: the store {self.store.path} has image vectors but no study vectors (an index built "
                    f"before they existed): rebuild it with `bonesearch index --store {self.store.path} --checkpoint CKPT`"
                ) from None
            if manifest.model_fingerprint != self.manifest.model_fingerprint:
                raise ModelMismatch(
                    f"the study index in {self.store.index_dir} was built with model {manifest.model_fingerprint}, "
                    f"the image index with {self.manifest.model_fingerprint}: rebuild both with "
                    f"`bonesearch index --store {self.store.path} --checkpoint CKPT`"
                )
            index = place_index(index, self.search_backend, self.device, f"the study index of {self.store.path}",
                                half_scan=self.half_scan)
            self._studies = (index, manifest)
        return self._studies


#: fused images whose reports are checked at a time for contradicting the query (doubled until k hits are clear)
DEMOTE_WINDOW = 40


def _demoted(fused: list, study_of: dict[int, int], k: int, by_study: bool, demote) -> list:
    """``fused`` with two kinds of images moved after every other one, each kept in its order: those
    of studies whose report affirms a finding a query for normal studies does not want, then, last,
    those whose report contradicts the query (``demote(studies)`` returns the two sets). Only as
    many images are checked as the first ``k`` hits (images, or studies ``by_study``) need: the
    order beyond them is the fused one."""
    clear, later, last = [], [], []
    checked, window = 0, max(DEMOTE_WINDOW, 2 * k)
    while checked < len(fused):
        part = fused[checked:checked + window]
        checked += len(part)
        contradicting, with_findings = demote({study_of[f.image_id] for f in part if f.image_id in study_of})
        for f in part:
            study = study_of.get(f.image_id)
            (last if study in contradicting else later if study in with_findings else clear).append(f)
        if len({study_of.get(f.image_id) for f in clear} if by_study else clear) >= k:
            break
        window *= 2
    return clear + fused[checked:] + later + last


def _by_study(group_by: str) -> bool:
    """True for ``group_by="study"``, False for ``"image"``; InvalidQuery otherwise."""
    if group_by not in ("image", "study"):
        raise InvalidQuery(f"--group-by {group_by!r}: choose image or study")
    return group_by == "study"


def _read_image_index(store: Store, backend: str, device: "Device", half_scan: bool = False):
    """The ``images`` index placed for ``backend`` on ``device``; an empty store says to ingest
    first, an unindexed one to index."""
    try:
        index, manifest = read_index(store.index_dir, "images")
    except IndexNotFound:
        if store.count("images") == 0:
            raise _empty(store) from None
        raise
    if index.ntotal == 0:
        raise _empty(store)
    return place_index(index, backend, device, f"the image index of {store.path} ({manifest.factory})",
                       half_scan=half_scan), manifest


def _empty(store: Store) -> EmptyStore:
    return EmptyStore(
        f"the store {store.path} has no indexed images: ingest an archive with "
        f"`bonesearch ingest ARCHIVE --store {store.path}`, then `bonesearch index --store {store.path} --checkpoint CKPT`"
    )


def _checked_model(store: Store, manifest: IndexManifest, checkpoint: Path | str | None, device: "Device",
                   loaded: "BoneClip | None") -> "BoneClip":
    """:func:`_model`, refused (ModelMismatch) unless it is the model that built the index."""
    clip, fingerprint = _model(manifest, checkpoint, device, loaded)
    _check_model(store, manifest, fingerprint, checkpoint)
    return clip


def _model(manifest: IndexManifest, checkpoint: Path | str | None, device: "Device",
           loaded: "BoneClip | None") -> tuple["BoneClip", str]:
    """(model, its fingerprint): ``loaded`` when it is the index's model and no other
    ``checkpoint`` is asked for, else the checkpoint loaded on ``device``."""
    from bonesearch.models.checkpoint import load_checkpoint

    if loaded is not None and checkpoint is None:
        fingerprint = loaded.fingerprint()
        if fingerprint == manifest.model_fingerprint:
            return loaded, fingerprint
    clip = load_checkpoint(checkpoint or manifest.checkpoint, device=str(device))
    return clip, clip.fingerprint()


def _check_model(store: Store, manifest: IndexManifest, fingerprint: str, checkpoint: Path | str | None) -> None:
    if fingerprint == manifest.model_fingerprint:
        return
    if checkpoint is None:  # the index's own checkpoint changed since the index was built
        raise ModelMismatch(
            f"the index in {store.index_dir} was built with model {manifest.model_fingerprint}, but its checkpoint "
            f"{manifest.checkpoint} is now {fingerprint}: rebuild it with "
            f"`bonesearch index --store {store.path} --checkpoint CKPT`"
        )
    raise ModelMismatch(
        f"the index in {store.index_dir} was built with model {manifest.model_fingerprint}, "
        f"not {fingerprint} ({checkpoint}); query with the index's checkpoint "
        f"({manifest.checkpoint}) or rebuild it with `bonesearch index --checkpoint ...`"
    )


def index_checkpoint(store_path: Path | str) -> Path:
    """The checkpoint that built the store's images index (what ``classify --store`` loads).

    Reads the index manifest only: a store being written (an ``ingest``) still answers.
    Raises StoreNotFound or IndexNotFound as :meth:`SearchEngine.open` does.
    """
    store_path = Path(store_path)
    if not (store_path / DB_NAME).is_file():
        raise StoreNotFound(store_path)
    return Path(read_manifest(store_path / INDEX_DIR, "images").checkpoint)


def _stored_vectors(index, ids: np.ndarray) -> np.ndarray | None:
    """The vectors stored under ``ids`` in ``index``, or None when it cannot return them all."""
    try:
        return np.asarray(index.reconstruct_batch(np.ascontiguousarray(ids, dtype=np.int64)), dtype=np.float32)
    except (RuntimeError, AttributeError, KeyError):  # an id it does not hold, or a type without reconstruction
        return None
