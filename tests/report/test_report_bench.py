"""The report benchmark runs (tiny size): it must not rot between real measurements."""

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_report.py"


def test_bench_report_runs_small(capsys):
    spec = importlib.util.spec_from_file_location("bench_report", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    figures = bench.main(["--opd", "2", "--usulan", "150", "--renja-per-opd", "4"])
    assert figures["report_s"] > 0 and figures["baseline_s"] > 0
    assert "ratio report / baseline" in capsys.readouterr().out
