"""The ingest benchmark script imports and parses its options (its figures come from
`python bench/bench_ingest.py`; the machine is shared, so tests do not time it)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_ingest.py"


@pytest.mark.slow
def test_bench_ingest_script_loads_and_parses_its_options():
    """The benchmark itself runs on the 1x region (minutes): here only that it imports and
    knows its options; `python bench/bench_ingest.py` is the run (README, Performance)."""
    spec = importlib.util.spec_from_file_location("bench_ingest", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    with pytest.raises(SystemExit) as exit_info:
        bench.main(["--help"])
    assert exit_info.value.code == 0
