"""Which engine runs a job's per-item work: local worker processes or a Ray cluster.

``--engine local`` (default) uses a process pool on this machine
(:mod:`indexer.worker_pool`); ``--engine ray`` uses Ray Data on a local or existing cluster
(:mod:`indexer.ray_engine`). Both return results in job order and turn a worker crash
into a reported item, so the store they produce is the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bonesearch.errors import EngineError
from indexer.worker_pool import map_ordered_local

ENGINES = ("local", "ray")


@dataclass
class Runner:
    """A started engine: :meth:`map_ordered` runs jobs on it."""

    workers: int
    ray: Any = None  # the connected ``ray`` module for the Ray engine; None: local processes

    def map_ordered(self, fn: Callable, jobs: Sequence[tuple], on_crash: Callable[[tuple], Any],
                    common: tuple = ()) -> Iterator[Any]:
        """``fn(*job, *common)`` for each job, in order; ``on_crash(job)`` for a job that kills its worker twice.

        ``common``: arguments shared by every job (the job's options, its key's salt). The Ray
        engine sends them once per task, never inside the data blocks that Ray may spill to disk.
        """
        if self.ray is not None:
            from indexer.ray_engine import map_ordered_ray

            return map_ordered_ray(self.ray, fn, jobs, on_crash, common)
        return map_ordered_local(fn, [(*job, *common) for job in jobs], self.workers, on_crash)

    @property
    def description(self) -> str:
        """For the summary: ``local (2 processes)`` or ``ray (3 nodes, 48 CPUs, 4 GPUs)``."""
        if self.ray is None:
            return f"local ({self.workers} process{'es' if self.workers != 1 else ''})"
        resources = self.ray.cluster_resources()
        nodes = sum(1 for node in self.ray.nodes() if node.get("Alive"))
        gpus = int(resources.get("GPU", 0))
        return f"ray ({nodes} node{'s' if nodes != 1 else ''}, {int(resources.get('CPU', 0))} CPUs" + (
            f", {gpus} GPUs)" if gpus else ")")


def check_engine(name: str, address: str | None) -> None:
    """Refuse an unknown engine, or ``--address`` without ``--engine ray``, before any work starts."""
    if name not in ENGINES:
        raise EngineError(f"unknown --engine {name!r}: use one of {', '.join(ENGINES)}")
    if address and name != "ray":
        raise EngineError(f"--address {address} is a Ray cluster address: add --engine ray, or leave --address out")


@contextmanager
def start_engine(name: str = "local", workers: int = 2, address: str | None = None) -> Iterator[Runner]:
    """The engine ``name`` for one job: ``workers`` local processes, or a Ray session (``address``: existing cluster)."""
    check_engine(name, address)
    if name == "local":
        yield Runner(max(1, workers))
        return
    from indexer.ray_engine import ray_session

    with ray_session(address, num_cpus=workers) as ray:
        yield Runner(int(ray.cluster_resources().get("CPU", workers)), ray)
