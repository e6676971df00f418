"""Benchmark: `selaras ingest` of the 1x region (selaras.sample.write_region: 48 files,
40 Renja layouts and proposal lists) against the plain readers on the same files, in the
same invocation: pandas+openpyxl, pandas+calamine and fastexcel (when installed; it is in
the `bench` extra).

    python bench/bench_ingest.py [--scale 1]

`selaras ingest` is a fresh process (its start and imports included), in a fresh data
folder; the readers run in this process after their imports, so the ratio is an upper
bound on what selaras adds. Target (issue 13): ingest <= 5x pandas+calamine.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchkit as bk  # noqa: E402

TARGET_VS_CALAMINE = 5.0


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=1, help="Region scale (1 = the 1x region).")
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args(argv)
    work = bk.workdir("bench-ingest")
    env = bk.bench_env(work)
    files = bk.write_scaled_region(work / "data", args.scale, args.seed)
    size = sum(p.stat().st_size for p in files) / 2**20
    print(f"{args.scale}x region: {len(files)} files, {size:.1f} MB ({work / 'data'})")
    readers = bk.reader_baselines(files)
    proc = bk.selaras("ingest", work / "data", env)
    steps = bk.last_run_steps(work / "data")
    print(
        f"  selaras ingest (process)   {proc.wall:7.2f} s  (ingest step {steps.seconds.get('ingest', 0):.2f} s)"
    )
    for name, seconds in readers.items():
        print(f"  {name:<26} {seconds:7.2f} s   selaras ingest / {name} = {proc.wall / seconds:6.1f}x")
    if "fastexcel" not in readers:
        print("  fastexcel: not installed (pip install -e '.[bench]')")
    ratio = proc.wall / readers["pandas+calamine"]
    print(f"  peak RSS of selaras ingest {proc.peak_mib:.0f} MiB")
    print(f"RESULT selaras ingest / pandas+calamine = {bk.fmt_ratio(ratio, TARGET_VS_CALAMINE)}")
    return {"ingest_s": proc.wall, "ratio_calamine": ratio, **readers}


if __name__ == "__main__":
    main()
