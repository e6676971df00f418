"""selaras.workers: jobs in the shared worker processes or in this one, results in job order."""

from __future__ import annotations

import math
import os
import time

import pytest

from selaras import workers


@pytest.fixture
def pool():
    """The shared pool with one worker, let go after the test."""
    workers.release()
    executor, n = workers.shared_pool(1, min_rows=0)
    if n < 1:
        pytest.skip("one core: no worker processes")
    yield executor, n
    workers.release()


def test_shared_map_returns_results_in_item_order_whoever_computed_them(pool):
    items = [3, 10, 1, 7, 5, 2, 8]
    expected = [math.factorial(i) for i in items]
    assert workers.shared_map(workers._InProcess(), 0, float)(math.factorial, items) == expected
    assert workers.shared_map(*pool, float)(math.factorial, items) == expected


def test_small_jobs_stay_in_this_process():
    assert workers.worker_count(10, 5_000) == 0
    assert workers.shared_pool(10, 5_000)[1] == 0
    assert workers.run_jobs([(os.getpid, ()), (os.getpid, ())], 10, 5_000) == [os.getpid()] * 2


def test_the_pool_is_started_once_and_shared(pool):
    assert workers.shared_pool(10**6, 5_000)[0] is pool[0]
    workers.release()
    assert workers.shared_pool(10**6, 5_000)[0] is not pool[0]


def test_run_beside_runs_here_in_this_process_and_shares_the_jobs(pool):
    pool[0].submit(os.getpid).result()  # the worker is up (its imports done)
    jobs = [(os.getpid, ())] * 8

    def here() -> int:
        time.sleep(0.5)  # the worker takes jobs meanwhile; this process takes the rest after
        return os.getpid()

    results, here = workers.run_beside(jobs, 10**6, 0, here)
    assert here == os.getpid() and len(results) == 8
    assert set(results) - {os.getpid()}, "no job ran in a worker process"
    assert workers.run_beside([(math.factorial, (4,))], 0, 0, lambda: "mine") == ([24], "mine")


def test_a_pool_whose_worker_died_is_replaced(pool):
    executor, _ = pool
    pid = executor.submit(os.getpid).result()
    os.kill(pid, 9)
    with pytest.raises(Exception):  # noqa: B017 - BrokenProcessPool, or the job lost with the worker
        executor.submit(os.getpid).result(timeout=30)
    replacement, _ = workers.shared_pool(10**6, 0)
    assert replacement is not executor
    assert replacement.submit(os.getpid).result(timeout=60) != pid
