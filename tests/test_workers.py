"""selaras.workers: jobs in worker processes or in this one, results in job order."""

from __future__ import annotations

import math

from selaras import workers


def test_shared_map_returns_results_in_item_order_whoever_computed_them():
    items = [3, 10, 1, 7, 5, 2, 8]
    expected = [math.factorial(i) for i in items]
    assert workers.shared_map(workers.executor(0), 0, float)(math.factorial, items) == expected
    with workers.executor(1) as pool:
        workers.start(pool, 1)
        assert workers.shared_map(pool, 1, float)(math.factorial, items) == expected


def test_small_jobs_stay_in_this_process():
    assert workers.worker_count(10) == 0
    assert workers.run_jobs([(math.factorial, (5,)), (math.factorial, (3,))], 0) == [120, 6]


def test_run_beside_runs_here_in_this_process_beside_the_jobs():
    import os

    results, here = workers.run_beside([(os.getpid, ()), (os.getpid, ())], 2, os.getpid)
    assert here == os.getpid() and len(results) == 2
    assert workers.run_beside([(math.factorial, (4,))], 0, lambda: "mine") == ([24], "mine")
