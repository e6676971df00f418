"""A musrenbang export of 1,000,000 proposals is streamed: ingested in a child process
whose peak memory stays bounded, every row accounted for."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hostile_corpus import million_rows_csv
from reliability_support import REPO, cli_env

ROWS = 1_000_000
PEAK_LIMIT_MB = 1024  # issue 2: peak memory under 1 GiB

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from selaras import warehouse
from selaras.audit import accounting_figures, check_accounting
from selaras.ingest import ingest_all
from selaras.settings import Settings

settings = Settings(data_dir=Path(sys.argv[1]))
rows = int(sys.argv[2])
con = warehouse.connect(settings)
started = time.perf_counter()
result = ingest_all(con, settings, "reliability-1m")
seconds = time.perf_counter() - started
ingest_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
status, read, staged, skipped = con.execute(
    "select status, rows_read, rows_staged, rows_skipped from raw.ingest_file").fetchone()
print("RESULT=" + json.dumps({
    "status": status, "rows_read": read, "rows_staged": staged, "rows_skipped": skipped, "seconds": seconds,
    "peak_mb": ingest_peak,
    "problems": check_accounting(con), "figures": accounting_figures(con),
    "peak_with_accounting_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "distinct_rows": con.execute("select count(distinct source_row) from staged.usulan").fetchone()[0],
    "last": con.execute("select usulan_id, anggaran from staged.usulan where source_row = ?", [rows + 1]).fetchone(),
}, default=str))
"""


@pytest.mark.slow
def test_a_million_row_csv_loads_every_row_with_bounded_memory(tmp_path):
    data = tmp_path / "data"
    lines = million_rows_csv(data / "raw" / "musrenbang" / "usulan_sejuta.csv", ROWS)
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(data), str(ROWS)],
        env=cli_env(data),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT=")), None)
    assert line, out.stdout[-2000:] + out.stderr[-4000:]
    got = json.loads(line[7:])
    print(
        f"1M rows: ingest {got['seconds']:.0f} s, peak {got['peak_mb']:.0f} MB "
        f"({got['peak_with_accounting_mb']:.0f} MB with the accounting check)"
    )
    assert got["status"] == "loaded", got
    assert got["rows_read"] == lines and got["rows_staged"] == ROWS and got["rows_skipped"] == 1, got
    assert got["distinct_rows"] == ROWS
    assert got["problems"] == [] and got["figures"]["rows_lost"] == 0, got
    assert got["last"] == [f"MR-{ROWS:07d}", 200000.0], got["last"]  # the last row, parsed
    assert got["peak_mb"] < PEAK_LIMIT_MB, f"peak memory of ingest {got['peak_mb']:.0f} MB"
    assert got["peak_with_accounting_mb"] < PEAK_LIMIT_MB, (
        f"peak with the check {got['peak_with_accounting_mb']:.0f} MB"
    )
