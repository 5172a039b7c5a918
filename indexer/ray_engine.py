"""The Ray engine (``--engine ray``): ingest decode and index embedding on a Ray cluster.

The job keeps its shape: the driver lists the archive, assigns ids and writes DuckDB rows
and PNGs exactly as the local engine does; only the per-item work moves to Ray Data.

- Ingest: the file list is a dataset (``ray.data.from_items``); ``map_batches`` runs
  :func:`indexer.decode_worker.decode_file` (read, header de-identification, decode, OCR
  screen, resize, PNG) on CPU workers of every node; results stream back in file order,
  so the ids equal the local engine's.
- Index: the store's image list → ``map_batches`` reading the cached PNGs on CPU workers →
  an actor pool (one actor per GPU, ``num_gpus=1``; one CPU actor without GPUs) that loads
  the checkpoint once and embeds batches. The lexical index's qualifiers (edsnlp, the
  costly part of its build) run as tasks over windows of reports (:class:`RayQualifier`);
  the driver writes the Tantivy index.

Failures: a worker that dies (segfaulting codec, OOM killer, lost node) fails its block,
which Ray retries (:data:`TASK_RETRIES` times). A block that keeps failing is dropped
rather than failing the job (``max_errored_blocks``); the driver then runs each of its
files alone, and a file that still kills its worker is reported through ``on_crash``,
never written, so a rerun tries it again. Nothing is written twice: only the driver writes.

Multi-node: start the cluster (``ray start --head`` / ``ray start --address HEAD:6379``),
install bonesearch on every node, put the archive and the store on a filesystem every node
mounts at the same path, and pass ``--address auto`` (or ``HEAD:6379``). Without
``--address`` a local cluster of ``--workers`` CPUs is started for the job and stopped after.
Ray writes its own logs under ``/tmp/ray``: bonesearch sends it file paths (in the task
arguments), never patient names, and its error messages name files by keyed hash only.
"""

from __future__ import annotations

import logging
import math
import os
import pickle
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from bonesearch.errors import BonesearchError, EngineError
from bonesearch.progress import Advance, no_progress

TASK_RETRIES = 2  # Ray retries of a block whose worker died (Ray Data's own default is forever)
FILES_PER_BLOCK = 32  # a retried block redoes at most this many files
MAX_BLOCKS = 20_000  # past this, blocks grow instead (scheduler overhead per block)
OBJECT_STORE_BYTES = 2 * 1024**3  # object store of a local cluster: decoded PNGs in flight, not the archive


@contextmanager
def ray_session(address: str | None = None, num_cpus: int | None = None) -> Iterator[Any]:
    """``ray``, connected: to ``address`` (``auto``, ``HOST:PORT``, ``ray://…``), else a local cluster of ``num_cpus``.

    A Ray already initialised in this process (a notebook, the tests) is used as it is and
    left running.
    """
    try:
        import ray
    except ImportError as exc:  # pragma: no cover - ray is a dependency; a trimmed install may lack it
        raise EngineError("--engine ray needs Ray Data: pip install 'ray[data]' (or use --engine local)") from exc
    if ray.is_initialized():
        yield ray
        return
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # hospital networks: no usage report
    kwargs: dict[str, Any] = dict(include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    if address:
        kwargs["address"] = address
    else:
        kwargs.update(num_cpus=num_cpus or os.cpu_count() or 1, object_store_memory=OBJECT_STORE_BYTES)
    try:
        ray.init(**kwargs)
    except (ConnectionError, RuntimeError, ValueError, ray.exceptions.RayError) as exc:
        where = f"the Ray cluster at {address}" if address else "a local Ray cluster"
        hint = ("check `ray status --address ADDRESS` and that this machine has the cluster's auth token "
                "(RAY_AUTH_MODE=token with RAY_AUTH_TOKEN, or ~/.ray/auth_token)" if address else "check `ray status`")
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise EngineError(f"could not start or reach {where} ({type(exc).__name__}: {first_line[:200]}); "
                          f"{hint}, or run with --engine local") from None
    try:
        yield ray
    finally:
        ray.shutdown()


@contextmanager
def _data_context(ray) -> Iterator[Any]:
    """Ray Data settings for one job: ordered output, no Ray progress bars (ours), failed blocks dropped."""
    ctx = ray.data.DataContext.get_current()
    data_logger = logging.getLogger("ray.data")
    saved_level = data_logger.level
    data_logger.setLevel(logging.ERROR)  # one line per dataset otherwise; the job prints its own summary
    saved = (ctx.execution_options.preserve_order, ctx.enable_progress_bars, ctx.max_errored_blocks,
             ctx.print_on_execution_start)
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    ctx.max_errored_blocks = -1
    ctx.print_on_execution_start = False
    try:
        with warnings.catch_warnings():
            # Ray Data names no retry parameter yet (its default retries a crashing block forever),
            # so TASK_RETRIES goes through the generic remote arguments it marks as deprecated
            warnings.filterwarnings("ignore", message=".*ray_remote_args.*deprecated", category=Warning)
            yield ctx
    finally:
        data_logger.setLevel(saved_level)
        (ctx.execution_options.preserve_order, ctx.enable_progress_bars, ctx.max_errored_blocks,
         ctx.print_on_execution_start) = saved


def _remote_args(retries: int = TASK_RETRIES) -> dict[str, Any]:
    """Task options: bounded retries."""
    return {"max_retries": retries}


def _blocks(ray, n: int) -> int:
    """Blocks for ``n`` items: at most :data:`FILES_PER_BLOCK` each, and 4 per CPU so that every CPU works to the end."""
    cpus = int(ray.cluster_resources().get("CPU", 1))
    return max(1, min(n, MAX_BLOCKS, max(4 * cpus, math.ceil(n / FILES_PER_BLOCK))))


def _run_jobs_batch(batch: dict[str, np.ndarray], fn: Callable, common: tuple) -> dict[str, list]:
    """The worker side of :func:`map_ordered_ray`: ``fn(*job, *common)`` for each job of the batch, results pickled."""
    jobs = [pickle.loads(blob) for blob in batch["job"]]
    results = [pickle.dumps(fn(*job, *common), protocol=pickle.HIGHEST_PROTOCOL) for job in jobs]
    return {"i": list(batch["i"]), "result": results}


def map_ordered_ray(ray, fn: Callable, jobs: Sequence[tuple], on_crash: Callable[[tuple], Any],
                    common: tuple = ()) -> Iterator[Any]:
    """``fn(*job, *common)`` for every job on the cluster: in job order, then any crash-isolated retries.

    ``fn`` must be importable on the workers (a module-level function, or an instance of a
    module-level class, as for the local engine). The jobs travel in
    Ray Data blocks (which Ray may spill to its temp dir); ``common`` (options, the key's
    salt) travels in the task arguments. Jobs of a block that failed all its retries are
    run one task each; a job that still kills its worker yields ``on_crash(job)``.
    """
    if not jobs:
        return
    items = [{"i": i, "job": pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)} for i, job in enumerate(jobs)]
    seen = np.zeros(len(jobs), dtype=bool)
    with _data_context(ray):
        ds = ray.data.from_items(items, override_num_blocks=_blocks(ray, len(items)))
        ds = ds.map_batches(_run_jobs_batch, fn_kwargs={"fn": fn, "common": common}, batch_size=FILES_PER_BLOCK,
                            batch_format="numpy",
                            **_remote_args())
        for batch in ds.iter_batches(batch_size=None, batch_format="numpy", prefetch_batches=2):
            for i, blob in zip(batch["i"], batch["result"]):
                if not seen[int(i)]:  # a block retried after partial output must not yield twice
                    seen[int(i)] = True
                    yield pickle.loads(blob)
    missing = np.flatnonzero(~seen)
    if len(missing):
        yield from _run_isolated(ray, fn, [jobs[i] for i in missing], on_crash, common)


def _run_isolated(ray, fn: Callable, jobs: list[tuple], on_crash: Callable[[tuple], Any],
                  common: tuple) -> Iterator[Any]:
    """One task per job (one retry each): the jobs of dropped blocks, so a crash is pinned on its file."""
    remote = ray.remote(**_remote_args(retries=1))(_call)
    refs = [remote.remote(fn, *job, *common) for job in jobs]
    for job, ref in zip(jobs, refs):
        try:
            yield ray.get(ref)
        except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError, ray.exceptions.OutOfMemoryError):
            yield on_crash(job)
        except ray.exceptions.RayTaskError as exc:  # the job's setup is wrong on that node (no Tesseract…): say the fix
            cause = getattr(exc, "cause", None)
            if isinstance(cause, BonesearchError):
                raise cause from None
            raise


def _call(fn: Callable, *args: Any) -> Any:
    """``fn(*args)``: the Ray task of :func:`_run_isolated` (``ray.remote`` takes functions only, ``fn`` may be any callable)."""
    return fn(*args)


QUALIFY_JOB = 500  # report sections per qualifier task
QUALIFY_WINDOW = 20_000  # reports read from DuckDB and in flight on the cluster at a time


def qualify_texts(number: int, texts: list[str]) -> tuple[int, list[tuple[str, str]]]:
    """The worker side of :class:`RayQualifier`: (``number``, (affirmed, negated) words per text)."""
    from bonesearch.reports.mentions import split_many

    return number, [(m.affirmed, m.negated) for m in split_many(texts)]


class RayQualifier:
    """:func:`bonesearch.reports.mentions.split_many` on a Ray cluster, :data:`QUALIFY_JOB` texts per
    task (an :data:`indexer.lexical_build.Qualify`); a task that keeps crashing is run here."""

    batch = QUALIFY_WINDOW

    def __init__(self, ray) -> None:
        self.ray = ray

    def __call__(self, texts: list[str]):
        from bonesearch.reports.mentions import Mentions

        jobs = [(n, texts[start:start + QUALIFY_JOB]) for n, start in enumerate(range(0, len(texts), QUALIFY_JOB))]
        parts = dict(map_ordered_ray(self.ray, qualify_texts, jobs, on_crash=lambda job: qualify_texts(*job)))
        return [Mentions(affirmed, negated, "") for n in range(len(jobs)) for affirmed, negated in parts[n]]


def read_pixels_batch(batch: dict[str, np.ndarray], root: str) -> dict[str, np.ndarray]:
    """CPU stage of :func:`embed_images_ray`: the cached PNGs of a batch of image ids."""
    from bonesearch.imaging.pixel_cache import load_png

    pixels = np.stack([load_png(Path(root) / relative) for relative in batch["pixel_path"]])
    return {"image_id": batch["image_id"].astype(np.int64), "pixels": pixels}


class _EmbedActor:
    """GPU (or CPU) stage of :func:`embed_images_ray`: one checkpoint load per actor, then batches."""

    def __init__(self, checkpoint: str, device: str, batch_size: int) -> None:
        from bonesearch.models.checkpoint import load_checkpoint
        from bonesearch.models.device import resolve_device

        self.clip = load_checkpoint(Path(checkpoint), device=resolve_device(device))
        self.batch_size = batch_size

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        import torch

        vectors = self.clip.encode_images(torch.from_numpy(batch["pixels"]), batch_size=self.batch_size)
        return {"image_id": batch["image_id"], "vector": vectors.float().numpy().astype(np.float32)}


def embed_images_ray(ray, root: Path, checkpoint: Path, rows: list[tuple[int, str]], dim: int, device: str = "auto",
                     batch_size: int = 128, advance: Advance = no_progress) -> tuple[np.ndarray, np.ndarray]:
    """(ids int64 in id order, vectors float32 [·, dim]) of the store's cached images ``rows``.

    One embedding actor per GPU of the cluster (``num_gpus=1``), or one CPU actor when the
    cluster has no GPU or ``device`` is ``cpu``. The store must be on a filesystem every
    node reads at ``root``. Images of a block that failed all its retries are missing from
    the result (the caller embeds them itself: :func:`indexer.build_index.build_image_index`).
    """
    ids, vectors = [np.empty(0, np.int64)], [np.empty((0, dim), np.float32)]
    if not rows:
        return ids[0], vectors[0]
    gpus = int(ray.cluster_resources().get("GPU", 0)) if device != "cpu" else 0
    items = [{"image_id": image_id, "pixel_path": relative} for image_id, relative in rows]
    with _data_context(ray):
        ds = ray.data.from_items(items, override_num_blocks=_blocks(ray, len(items)))
        ds = ds.map_batches(read_pixels_batch, fn_kwargs={"root": str(Path(root).absolute())},
                            batch_size=batch_size, batch_format="numpy", **_remote_args())
        ds = ds.map_batches(_EmbedActor, fn_constructor_kwargs={"checkpoint": str(Path(checkpoint).absolute()),
                                                                "device": "cuda" if gpus else "cpu",
                                                                "batch_size": batch_size},
                            batch_size=batch_size, batch_format="numpy", concurrency=max(1, gpus),
                            num_gpus=1 if gpus else 0, max_restarts=TASK_RETRIES, max_task_retries=TASK_RETRIES)
        for batch in ds.iter_batches(batch_size=None, batch_format="numpy", prefetch_batches=2):
            ids.append(batch["image_id"])
            vectors.append(batch["vector"])
            advance(len(batch["image_id"]))
    ids_all, vectors_all = np.concatenate(ids).astype(np.int64), np.concatenate(vectors).astype(np.float32)
    order = np.argsort(ids_all, kind="stable")
    return ids_all[order], vectors_all[order]
