"""Ordered parallel map over local worker processes that survives a worker crash.

A codec that segfaults on one malformed file, or the kernel's OOM killer, takes its worker
process down; ``concurrent.futures`` then fails every job in flight (``BrokenProcessPool``)
and, with a plain ``pool.map``, the whole 10,000-file job. :func:`map_ordered_local` instead
runs each job that was in flight alone, in its own one-process pool, then starts a fresh
pool for the rest: the innocent ones succeed on this retry, and one that crashes twice on
its own is handed to ``on_crash``, which returns the result that reports it. Results come back in job order, so
the caller assigns the same ids as a run without the crash.

Workers die with their parent: a ``kill -9`` of the ingest process (or the OOM killer) must
not leave worker processes behind, blocked forever on the pipe to a parent that is gone.
On Linux each worker asks the kernel for ``SIGKILL`` when its parent dies
(``prctl(PR_SET_PDEATHSIG)``); elsewhere a watchdog thread polls the parent's pid.
"""

from __future__ import annotations

import ctypes
import multiprocessing.util
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

R = TypeVar("R")
Job = tuple  # positional arguments of the worker function
ALONE_ATTEMPTS = 2  # runs of a suspect job on its own before it is reported
IN_FLIGHT_PER_WORKER = 8  # jobs queued per process: keeps every core busy without holding all results
PR_SET_PDEATHSIG = 1  # linux/prctl.h
ORPHAN_POLL_SECONDS = 1.0  # the watchdog's period where prctl is not available


def die_with_parent(parent_pid: int) -> None:
    """Worker initialiser: end this process when ``parent_pid`` dies (see the module docstring)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent_pid:  # the parent died before the request took effect
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True, name="orphan-watchdog").start()


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(ORPHAN_POLL_SECONDS)
    os._exit(1)


class _ForkHook:
    """The object :func:`multiprocessing.util.register_after_fork` keys its callback on (kept alive here)."""


_FORK_HOOK = _ForkHook()


def children_die_with_this_process() -> None:
    """Make every process this one forks through :mod:`multiprocessing` die with it.

    Covers the pools of this module and processes started by libraries (spaCy's ``n_process``
    NER workers in the report stage): the callback runs in each forked child. Idempotent.
    """
    multiprocessing.util.register_after_fork(_FORK_HOOK, lambda _: die_with_parent(os.getppid()))


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers die with this process."""
    return ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent, initargs=(os.getpid(),))


def map_ordered_local(fn: Callable[..., R], jobs: Sequence[Job], workers: int,
                      on_crash: Callable[[Job], R]) -> Iterator[R]:
    """``fn(*job)`` for every job, in job order, on ``workers`` processes (in-process when 1 or few jobs).

    A job whose worker dies is retried alone; if it kills its worker again, ``on_crash(job)``
    is yielded in its place. Exceptions raised by ``fn`` itself propagate (they mean the
    job's setup is wrong: ``fn`` reports bad input through its result, not by raising).
    """
    if workers <= 1 or len(jobs) < 8:
        for job in jobs:
            yield fn(*job)
        return
    window = workers * IN_FLIGHT_PER_WORKER
    pool = worker_pool(workers)
    in_flight: deque[tuple[Job, Future]] = deque()
    submitted = 0
    try:
        while submitted < len(jobs) or in_flight:
            while submitted < len(jobs) and len(in_flight) < window:
                in_flight.append((jobs[submitted], pool.submit(fn, *jobs[submitted])))
                submitted += 1
            job, future = in_flight[0]
            try:
                result = future.result()
            except BrokenProcessPool:
                pool.shutdown(wait=False, cancel_futures=True)
                suspects = [job for job, _ in in_flight]
                in_flight.clear()
                for suspect in suspects:  # each alone: the crash is pinned on the file that causes it
                    yield _run_alone(fn, suspect, on_crash)
                pool = worker_pool(workers)
                continue
            in_flight.popleft()
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_alone(fn: Callable[..., R], job: Job, on_crash: Callable[[Job], R]) -> R:
    """``fn(*job)`` in a one-process pool of its own, twice at most (the pool's crash may have been
    another job's); ``on_crash(job)`` when both attempts kill their process."""
    for _ in range(ALONE_ATTEMPTS):
        with worker_pool(1) as alone:
            try:
                return alone.submit(fn, *job).result()
            except BrokenProcessPool:
                continue
    return on_crash(job)

