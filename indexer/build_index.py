"""`bonesearch index`: embed a store with a checkpoint into its three FAISS indexes (and keep
its lexical report index in step: :mod:`indexer.lexical_build`).

``images`` (one vector per image), ``studies`` (normalised mean of a study's images) and
``reports`` (the text tower on the report text), written together atomically with the
model's fingerprint in each manifest (:mod:`bonesearch.index.files`). The images index
type follows its size (:func:`bonesearch.index.backends.choose_factory`) unless a FAISS
factory string is given. ``update=True`` embeds only what the indexes lack
(:mod:`indexer.index_update`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bonesearch.errors import EmptyStore
from bonesearch.progress import Advance, no_progress
from bonesearch.store import Store
from bonesearch.index.backends import add_vectors, build_index, choose_factory, default_search_params, reconstruct, remove_ids
from bonesearch.index.files import IndexManifest, index_lock, now_utc, recover_writes, write_indexes
from bonesearch.models.query_encoder import export_query_encoder
from indexer.engine import Runner, check_engine
from indexer.streaming_build import STREAM_ABOVE, build_streaming
from indexer.embed import embed_images, embed_texts, image_rows, report_text_mode, report_texts, study_vectors
from indexer.index_update import IndexPlan, StoreSnapshot, full_plan, has_indexes, update_plan
from indexer.lexical_build import LexicalSummary, sync_lexical_index


@dataclass
class IndexSummary:
    """What `index` did."""

    images: int  # images embedded by this run
    dim: int
    seconds: float  # the whole job: model load, embedding, index build, writes
    model_fingerprint: str
    index_path: Path  # the images index file
    embed_seconds: float = 0.0  # embedding the images alone (pixel cache → vectors)
    images_total: int = 0  # vectors in the images index afterwards
    studies_total: int = 0
    reports_total: int = 0
    studies_computed: int = 0
    reports_embedded: int = 0
    removed: int = 0  # stale vectors dropped (ids no longer in DuckDB)
    factory: str = ""  # the images index's FAISS factory
    updated: bool = False  # an --update of existing indexes (False: a full build)
    written: tuple[str, ...] = ()  # the indexes written
    engine: str = "local"  # where the images were embedded: local, or ray (nodes, CPUs, GPUs)
    retried_images: int = 0  # Ray engine: images whose block failed on the cluster, embedded again on this machine
    lexical_total: int = 0  # reports in the lexical index afterwards
    lexical_added: int = 0
    lexical_removed: int = 0
    text_encoder_exported: bool = False  # the text tower exported for queries (bonesearch.models.query_encoder)

    @property
    def images_per_second(self) -> float:
        """Images embedded per second of the whole job."""
        return self.images / self.seconds if self.seconds else 0.0

    @property
    def embed_images_per_second(self) -> float:
        """Images embedded per second of embedding (PNG decode + model)."""
        return self.images / self.embed_seconds if self.embed_seconds else 0.0


def build_image_index(store_path: Path, checkpoint: Path, device: str = "auto", batch_size: int = 128,
                      workers: int | None = None, advance: Advance = no_progress, factory: str | None = None,
                      update: bool = False, on_total: Callable[[int], None] | None = None, engine: str = "local",
                      address: str | None = None, memory_bytes: int | None = None,
                      stream_above: int = STREAM_ABOVE) -> IndexSummary:
    """Embed ``store_path`` with ``checkpoint`` into ``STORE/index/{images,studies,reports}.faiss``.

    Args:
        device: ``auto`` (CUDA when present), ``cpu``, ``cuda``, ``cuda:N``.
        batch_size: images per model call.
        workers: PNG decode processes (default: most cores on CUDA, 2 on CPU).
        advance: progress callback, called with the number of images embedded.
        on_total: called once with the number of images to embed.
        factory: FAISS factory string for the images index (default: by size).
        update: embed only what the indexes lack; the checkpoint must be the indexes' model.
        engine: ``local`` (a DataLoader here) or ``ray``: PNG reads on the cluster's CPUs and one
            embedding actor per GPU (:mod:`indexer.ray_engine`); ``address`` an existing cluster.
            Reports are embedded here in both cases (text is small next to the images).
        memory_bytes: RAM the images index may take, for the automatic choice of its type
            (default ``BONESEARCH_INDEX_MEMORY`` or half the RAM; see :mod:`bonesearch.index.memory`).
        stream_above: a full local build of more images than this streams them into the index
            instead of holding their vectors (:mod:`indexer.streaming_build`).
    """
    from bonesearch.models.checkpoint import load_checkpoint
    from bonesearch.models.device import resolve_device

    check_engine(engine, address)
    start = time.perf_counter()
    store_path = Path(store_path)
    index_dir = store_path / "index"
    Store.open(store_path).close()  # StoreNotFound before anything else
    with index_lock(index_dir):
        recover_writes(index_dir)
        clip = load_checkpoint(checkpoint, device=resolve_device(device))
        fingerprint = clip.fingerprint()
        with Store.open(store_path) as store:
            snapshot = StoreSnapshot.read(store)
            if not len(snapshot.image_ids):
                raise EmptyStore(f"the store {store_path} has no images: run `bonesearch ingest ARCHIVE --store {store_path}` first")
            update = update and has_indexes(index_dir)
            plan = update_plan(snapshot, index_dir, fingerprint, checkpoint) if update else full_plan(snapshot)
            rows = image_rows(store, plan.new_images)
            text_mode = plan.existing["reports"][1].text_mode if "reports" in plan.existing else report_text_mode(clip)
            report_ids, texts = report_texts(store, text_mode, plan.new_reports)
        if on_total is not None:
            on_total(len(rows))
        base = dict(model_fingerprint=fingerprint, checkpoint=str(Path(checkpoint).absolute()), dim=clip.embed_dim)
        factory = factory or choose_factory(len(snapshot.image_ids), clip.embed_dim, memory_bytes)
        t = time.perf_counter()
        with _ray_session(engine, workers, address) as ray:  # one session for the embedding and the lexical index
            if not plan.is_update and ray is None and len(rows) > stream_above:
                streamed = build_streaming(store_path, clip, rows, factory, snapshot.study_of, batch_size, workers,
                                           advance)
                embedded, engine_used, retried = streamed.images, "local (streamed into the index)", 0
                embed_seconds = time.perf_counter() - t
                built = {"images": (streamed.index, _new_manifest("images", streamed.index, factory, base)),
                         "studies": _edited(plan, "studies", streamed.study_ids, streamed.study_vectors,
                                            plan.studies_to_drop, None, base)}
            else:
                ids, vectors, engine_used, retried = _embed(store_path, clip, checkpoint, rows, batch_size, workers,
                                                            advance, ray, device)
                embedded, embed_seconds = len(ids), time.perf_counter() - t
                built = _apply_images(plan, snapshot, ids, vectors, factory, base)
            reports = _edited(plan, "reports", report_ids, embed_texts(clip, texts), plan.stale_reports, None, base)
            reports[1].text_mode = text_mode
            built["reports"] = reports
            lexical = _sync_lexical(store_path, index_dir, not plan.is_update, ray)
        write_indexes(index_dir, [built[name] for name in built if plan.changes(name)])
        exported = export_query_encoder(clip, index_dir, fingerprint)  # for queries without torch
    images_index = built["images"][0]
    return IndexSummary(
        images=embedded, dim=clip.embed_dim, seconds=time.perf_counter() - start, model_fingerprint=fingerprint,
        index_path=index_dir / "images.faiss", embed_seconds=embed_seconds, images_total=int(images_index.ntotal),
        studies_total=int(built["studies"][0].ntotal), reports_total=int(built["reports"][0].ntotal),
        studies_computed=len(plan.studies_to_compute), reports_embedded=len(report_ids),
        removed=len(plan.stale_images) + len(plan.stale_reports), factory=built["images"][1].factory,
        updated=plan.is_update, written=tuple(name for name in built if plan.changes(name)),
        engine=engine_used, retried_images=retried, lexical_total=lexical.total,
        lexical_added=lexical.added, lexical_removed=lexical.removed, text_encoder_exported=exported,
    )


@contextmanager
def _ray_session(engine: str, workers: int | None, address: str | None) -> Iterator[Runner | None]:
    """The started Ray engine for the whole job with ``engine`` ``ray`` (one cluster start); None when local."""
    if engine == "local":
        yield None
        return
    from indexer.engine import start_engine

    with start_engine("ray", workers or 2, address) as runner:
        yield runner


def _sync_lexical(store_path: Path, index_dir: Path, rebuild: bool, ray: Runner | None) -> LexicalSummary:
    """The lexical index brought in step with DuckDB (before the FAISS files' commit: it mirrors the
    store, not them); its qualifiers on the Ray cluster when ``ray`` is given."""
    with Store.open(store_path) as store:
        if ray is None:
            return sync_lexical_index(store.con, index_dir, rebuild=rebuild)
        from indexer.ray_engine import RayQualifier

        qualify = RayQualifier(ray.ray)
        return sync_lexical_index(store.con, index_dir, rebuild=rebuild, qualify=qualify, batch=qualify.batch)


def _embed(store_path: Path, clip, checkpoint: Path, rows: list[tuple[int, str]], batch_size: int,
           workers: int | None, advance: Advance, ray: Runner | None,
           device: str) -> tuple[np.ndarray, np.ndarray, str, int]:
    """(ids, vectors, engine description, images retried here) of the images ``rows``, on the local or the Ray engine.

    On Ray, images of a block that failed all its retries (a lost node, a crashing worker)
    are embedded again here, in this process, so the index is never built short.
    """
    if ray is None:
        ids, vectors = embed_images(store_path, clip, rows, batch_size, workers, advance)
        return ids, vectors, "local", 0
    from indexer.ray_engine import embed_images_ray

    ids, vectors = embed_images_ray(ray.ray, store_path, checkpoint, rows, clip.embed_dim, device, batch_size, advance)
    description = ray.description
    done = set(ids.tolist())
    missing = [row for row in rows if row[0] not in done]
    if missing:
        more_ids, more_vectors = embed_images(store_path, clip, missing, batch_size, 0, advance)
        ids, vectors = np.concatenate([ids, more_ids]), np.concatenate([vectors, more_vectors])
        order = np.argsort(ids, kind="stable")
        ids, vectors = ids[order], vectors[order]
    return ids, vectors, description, len(missing)


def _apply_images(plan: IndexPlan, snapshot: StoreSnapshot, ids: np.ndarray, vectors: np.ndarray,
                  factory: str | None, base: dict) -> dict[str, tuple]:
    """The images and studies (index, manifest) pairs after the plan: built new, or edited from ``plan.existing``."""
    images = _edited(plan, "images", ids, vectors, plan.stale_images, factory, base)
    study_ids, study_vecs = study_vectors(*_study_inputs(plan, snapshot, ids, vectors, images[0]), snapshot.study_of)
    studies = _edited(plan, "studies", study_ids, study_vecs, plan.studies_to_drop, None, base)
    return {"images": images, "studies": studies}


def _study_inputs(plan: IndexPlan, snapshot: StoreSnapshot, ids: np.ndarray, vectors: np.ndarray,
                  images_index) -> tuple[np.ndarray, np.ndarray]:
    """(image ids, vectors) of every image of the studies to compute: fresh vectors where this
    run embedded the image, the images index's stored vector otherwise."""
    if not plan.is_update:
        return ids, vectors
    wanted = set(plan.studies_to_compute.tolist())
    needed = np.array([i for i, s in snapshot.study_of.items() if s in wanted], dtype=np.int64)
    row_of = {int(i): r for r, i in enumerate(ids)}
    fresh = np.array([int(i) in row_of for i in needed], dtype=bool)
    new, old = needed[fresh], needed[~fresh]
    stacked = np.concatenate([vectors[[row_of[int(i)] for i in new]],
                              reconstruct(images_index, old)])
    return np.concatenate([new, old]), stacked


def _edited(plan: IndexPlan, name: str, ids: np.ndarray, vectors: np.ndarray, drop: np.ndarray, factory: str | None,
            base: dict) -> tuple:
    """(index, manifest) ``name``: the existing one minus ``drop`` plus ``vectors``, or a new one."""
    if name in plan.existing:
        index, manifest = plan.existing[name]
        index = remove_ids(index, drop, manifest.factory)
        add_vectors(index, ids, vectors)
        if plan.changes(name):
            manifest.updated = now_utc()
        return index, manifest
    factory = factory or choose_factory(len(ids), base["dim"])
    index, factory = build_index(ids, vectors, factory)
    return index, _new_manifest(name, index, factory, base)


def _new_manifest(name: str, index, factory: str, base: dict) -> IndexManifest:
    """The manifest of a freshly built index ``name``."""
    return IndexManifest(name=name, count=int(index.ntotal), factory=factory,
                         search_params=default_search_params(index), **base)
