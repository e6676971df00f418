"""The benchmark script runs on a small size, and GE and its pandas twin agree."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_validate.py"


def test_bench_validate_smoke(capsys):
    spec = importlib.util.spec_from_file_location("bench_validate", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    figures = module.main(rows=3000, repeat=1, import_time=False)
    assert figures["results"] > 100  # every kind of problem is generated
    assert figures["ratio_total"] > 0
    assert "RATIO whole validation GE/pandas" in capsys.readouterr().out
