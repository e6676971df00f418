"""Worker processes for the jobs that are pure Python and independent: writing the Forum
OPD and quarantine workbooks (XlsxWriter), and matching the proposals of each OPD. A big
region's jobs run on every core, a small one's in this process (starting a worker costs
one to two seconds of imports).

May import: the standard library only (shared by the validate, match and report stages).
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import AbstractContextManager
from typing import Any, TypeVar

#: From this many rows to write on, the jobs go to worker processes.
PARALLEL_MIN_ROWS = 5_000


def worker_count(rows: int, min_rows: int | None = None) -> int:
    """Worker processes for jobs writing `rows` rows: none below `min_rows`, else one per
    core, at most four."""
    if rows < (PARALLEL_MIN_ROWS if min_rows is None else min_rows):
        return 0
    return max(0, min(4, os.cpu_count() or 1))


class _InProcess:
    """The executor interface, run at once in this process (small regions, tests)."""

    def __enter__(self) -> _InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn: Callable, *args: object) -> Future:
        future: Future = Future()
        future.set_result(fn(*args))
        return future


def warm(*modules: str) -> None:
    """A worker's start: import the modules its jobs need (a pool's initializer)."""
    for name in modules:
        importlib.import_module(name)


def executor(workers: int, preload: tuple[str, ...] = ()) -> AbstractContextManager:
    """A process pool of `workers` whose workers import `preload` as they start, or the
    jobs in this process when there are none."""
    if workers < 1:
        return _InProcess()
    # spawn, not fork: the parent holds DuckDB's threads and maybe Prefect's.
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=warm,
        initargs=preload,
    )


def start(pool: AbstractContextManager, workers: int) -> None:
    """Start the pool's workers now rather than at the first job, so their imports overlap
    what this process does meanwhile (each job submitted to a busy pool starts a worker)."""
    if isinstance(pool, ProcessPoolExecutor):
        for _ in range(workers):
            pool.submit(warm)


def shared_map(pool: AbstractContextManager, workers: int, size: Callable[[Any], float]) -> Callable:
    """A `map(fn, items)` shared by this process and the pool's `workers`: the biggest
    items (by `size`) go first; each worker has two queued, so it does not wait while this
    process works on one. Results come back in item order, whoever computed them."""

    def mapped(fn: Callable, items: Iterable) -> list:
        items = list(items)
        if workers < 1:
            return [fn(x) for x in items]
        queue = deque(sorted(range(len(items)), key=lambda i: -size(items[i])))
        futures: dict[int, Future] = {}
        results: dict[int, object] = {}
        while queue:
            queued = sum(not f.done() for f in futures.values())
            while queue and queued < 2 * workers:
                i = queue.popleft()
                futures[i] = pool.submit(fn, items[i])
                queued += 1
            if queue:
                i = queue.popleft()
                results[i] = fn(items[i])
        results.update({i: f.result() for i, f in futures.items()})
        return [results[i] for i in range(len(items))]

    return mapped


T = TypeVar("T")


def run_jobs(jobs: list[tuple[Callable, tuple]], workers: int) -> list:
    """Run `(fn, args)` jobs, in worker processes when `workers` > 1 and there is more than
    one job; results in job order (a job's exception is raised here)."""
    return run_beside(jobs, workers, None)[0]


def run_beside(
    jobs: list[tuple[Callable, tuple]], workers: int, here: Callable[[], T] | None
) -> tuple[list, T | None]:
    """`run_jobs`, with `here` run in this process meanwhile (work whose input should not
    be copied to a worker): (the jobs' results in job order, here's result)."""
    with executor(workers if len(jobs) > 1 and workers > 1 else 0) as pool:
        futures = [pool.submit(fn, *args) for fn, args in jobs]
        mine = here() if here is not None else None
        return [f.result() for f in futures], mine
