"""Benchmark: `selaras ingest` of the 1x region (selaras.sample.write_region: 48 files,
40 Renja layouts and proposal lists) against the plain readers on the same files, in the
same invocation: pandas+openpyxl, pandas+calamine and fastexcel (when installed; it is in
the `bench` extra).

    python bench/bench_ingest.py [--scale 1]

Two ratios, both measured here:
- process / process: `selaras ingest` in a fresh process and data folder against a fresh
  process running the pandas+calamine script a user would write instead (both pay the
  interpreter's start and their imports). Target (issue 13): <= 5x.
- step / read: the ingest step alone (as meta.run_step records it) against the same read
  in this process after its imports: what selaras's parsing, checks and loading cost.
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
    script = bk.reader_process(files, "calamine", env)
    step = steps.seconds.get("ingest", 0.0)
    print(f"  pandas+calamine script (process) {script:7.2f} s")
    print(f"  peak RSS of selaras ingest {proc.peak_mib:.0f} MiB")
    ratio = proc.wall / script
    print(f"  ingest step / pandas+calamine read = {step / readers['pandas+calamine']:.1f}x")
    print(
        f"RESULT selaras ingest / pandas+calamine script (process / process) = {bk.fmt_ratio(ratio, TARGET_VS_CALAMINE)}"
    )
    return {"ingest_s": proc.wall, "script_s": script, "ratio_calamine": ratio, **readers}


if __name__ == "__main__":
    main()
