"""Worker processes for the writing jobs (Forum OPD and quarantine workbooks): XlsxWriter
is pure Python, so a big region's workbooks are written on every core, a small one's in
this process (starting a worker costs about a second of imports).

May import: the standard library only (shared by the validate and report stages).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import AbstractContextManager

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


def executor(workers: int) -> AbstractContextManager:
    """A process pool of `workers`, or the jobs in this process when fewer than two."""
    if workers <= 1:
        return _InProcess()
    # spawn, not fork: the parent holds DuckDB's threads and maybe Prefect's.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def run_jobs(jobs: list[tuple[Callable, tuple]], workers: int) -> list:
    """Run `(fn, args)` jobs, in worker processes when `workers` > 1 and there is more than
    one job; results in job order (a job's exception is raised here)."""
    with executor(workers if len(jobs) > 1 else 0) as pool:
        futures = [pool.submit(fn, *args) for fn, args in jobs]
        return [f.result() for f in futures]
