"""The benchmark script runs end to end on a tiny generated region."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_match.py"


def test_bench_runs_small(capsys):
    spec = importlib.util.spec_from_file_location("bench_match", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main(
        [
            "--proposals",
            "300",
            "--renja",
            "80",
            "--nomen",
            "150",
            "--brute",
            "100",
            "--synthetic-nomenclature",
        ]
    )
    out = capsys.readouterr().out
    assert "pipeline:" in out and "brute force: cdist" in out and "peak memory" in out
    assert "candidate recall" in out and "overall: pipeline" in out
