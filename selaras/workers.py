"""Worker processes for the jobs that are pure Python and independent: writing the
quarantine, fix and Forum OPD workbooks (XlsxWriter), and matching the proposals of each
OPD. A big region's jobs share one pool of worker processes (one per core but this one)
with this process; a small region's run in this process alone.

The pool is one per interpreter, started by the first stage that needs it and kept until
`release` (the pipeline releases it when a run's stages are done): validate, match and
report use the same warm workers, so each worker pays its
imports (scikit-learn, pandas, XlsxWriter: seconds) once per run rather than once per
stage, and this process and its workers never hold more processes than cores.

May import: the standard library only (shared by the validate, match and report stages).
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any, TypeVar

#: What a worker imports as it starts: the modules of every stage's jobs.
PRELOAD = ("selaras.validate.workbook", "selaras.match.usulan", "selaras.report.forum")
#: At most this many workers beside this process.
MAX_WORKERS = 3

_pool: ProcessPoolExecutor | None = None


class _InProcess(Executor):
    """The executor interface, run at once in this process (small regions, tests)."""

    def submit(self, fn: Callable, /, *args: object, **kwargs: object) -> Future:
        future: Future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def warm(*modules: str) -> None:
    """A worker's start: import the modules its jobs need (a pool's initializer)."""
    for name in modules:
        importlib.import_module(name)


def pool_size() -> int:
    """Workers beside this process: one per core it may run on but this one's."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(0, min(MAX_WORKERS, cores - 1))


def worker_count(rows: int, min_rows: int) -> int:
    """Workers beside this process for jobs over `rows` rows: none below `min_rows`
    (Settings.parallel_min_rows)."""
    return pool_size() if rows >= min_rows else 0


def shared_pool(rows: int, min_rows: int) -> tuple[Executor, int]:
    """(executor, its worker count) for jobs over `rows` rows: the process's pool, or this
    process alone (0 workers) below `min_rows` rows or on one core. The pool is started
    at the first call that needs it, its workers importing PRELOAD at once so that their
    imports overlap what this process does meanwhile."""
    global _pool
    n = worker_count(rows, min_rows)
    if n < 1:
        return _InProcess(), 0
    if _pool is not None and getattr(_pool, "_broken", False):  # a worker died (killed, out of memory)
        release()
    if _pool is None:
        # spawn, not fork: this process holds DuckDB's threads and maybe Prefect's.
        _pool = ProcessPoolExecutor(
            max_workers=n, mp_context=multiprocessing.get_context("spawn"), initializer=warm, initargs=PRELOAD
        )
        for _ in range(n):  # each job submitted to a busy pool starts a worker: start them all now
            _pool.submit(warm)
    return _pool, n


def release() -> None:
    """Let the pool's workers go (a run's stages are done, or the run failed): the next
    `shared_pool` starts a new one."""
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


T = TypeVar("T")


def _share(
    pool: Executor, workers: int, jobs: list[tuple[Callable, tuple]], here: Callable[[], T] | None
) -> tuple[list, T | None]:
    """Every job submitted to the pool's `workers`, which take them from the first; `here`
    run in this process meanwhile; then this process takes, from the last, the jobs no
    worker has started. (the jobs' results in job order, here's result)."""
    futures = [pool.submit(fn, *args) for fn, args in jobs]
    mine = here() if here is not None else None
    results: dict[int, Any] = {}
    for i in reversed(range(len(jobs))):
        if workers and futures[i].cancel():
            fn, args = jobs[i]
            results[i] = fn(*args)
    return [results[i] if i in results else f.result() for i, f in enumerate(futures)], mine


def shared_map(pool: Executor, workers: int, size: Callable[[Any], float]) -> Callable:
    """A `map(fn, items)` shared by this process and the pool's `workers`: the workers
    start with the biggest items (by `size`), this process with the smallest. Results
    come back in item order, whoever computed them."""

    def mapped(fn: Callable, items: Iterable) -> list:
        items = list(items)
        order = sorted(range(len(items)), key=lambda i: -size(items[i]))
        done, _ = _share(pool, workers, [(fn, (items[i],)) for i in order], None)
        results = dict(zip(order, done, strict=True))
        return [results[i] for i in range(len(items))]

    return mapped


def run_jobs(jobs: list[tuple[Callable, tuple]], rows: int, min_rows: int) -> list:
    """Run `(fn, args)` jobs over `rows` rows in all: see run_beside."""
    return run_beside(jobs, rows, min_rows, None)[0]


def run_beside(
    jobs: list[tuple[Callable, tuple]], rows: int, min_rows: int, here: Callable[[], T] | None
) -> tuple[list, T | None]:
    """Run `(fn, args)` jobs over `rows` rows in all (in job order, the biggest best first)
    in the shared pool from `min_rows` rows on, with `here` run in this process meanwhile
    (work whose input should not be copied to a worker); then this process takes the jobs
    no worker has started, from the last. Returns (the jobs' results in job order, here's
    result); a job's exception is raised here."""
    alone = len(jobs) + (here is not None) < 2  # nothing to do side by side
    pool, workers = (_InProcess(), 0) if alone else shared_pool(rows, min_rows)
    return _share(pool, workers, jobs, here)
