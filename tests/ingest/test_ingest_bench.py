"""The benchmark script runs end to end on a small workbook (figures are not checked:
the machine is shared; `python bench/bench_ingest.py` prints them)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_ingest.py"


@pytest.mark.slow
def test_bench_ingest_runs_on_a_small_file(capsys):
    spec = importlib.util.spec_from_file_location("bench_ingest", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    report = bench.main(["--rows", "300"])
    assert report["staged"] == 300
    assert (
        report["figures"]["rows_read"] == report["figures"]["rows_staged"] + report["figures"]["rows_skipped"]
    )
    assert report["ratio"] > 0 and report["selaras_peak_mib"] > 0
    assert "ratio selaras / openpyxl" in capsys.readouterr().out
