"""Benchmark: the whole `selaras run` on a generated region (selaras.sample.write_region) at
1x and 4x (16x with --big), beside the plain pandas+openpyxl and pandas+calamine read of
the same files, all in this one invocation.

    python bench/bench_run.py                  # 1x and 4x without Prefect, 1x with Prefect
    python bench/bench_run.py --big            # also 16x
    python bench/bench_run.py --scales 1 --no-prefect-flow   # the quickest look

For each scale: a first run in a fresh data folder, then a rerun with nothing changed,
each a fresh `python -m selaras.cli run --no-prefect` process as a planner starts it.
The per-step table comes from meta.run_step (what the pipeline recorded), the rest of the
wall time is the interpreter's start and imports. At 1x the same files are also run as
the Prefect flow in two more fresh folders, the first with a fresh PREFECT_HOME (Prefect
creates its database), the second keeping it (every later run): Prefect's own overhead is
each run's wall time outside its steps, less the same figure without Prefect, and a
trivial flow's cost is printed beside them. Peak memory is each child process's own maximum resident set.

Targets (issue 13): 1x run <= 10x the pandas+openpyxl read; Prefect overhead <= 8 s;
rerun <= 0.10 of the first run; 16x peak RSS <= 2 GiB and time <= 20x the 1x time.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchkit as bk  # noqa: E402

TARGET_VS_OPENPYXL = 10.0
TARGET_PREFECT_S = 8.0
TARGET_RERUN = 0.10
TARGET_BIG_MIB = 2048.0
TARGET_BIG_TIME = 20.0


@dataclass
class ScaleResult:
    scale: int
    files: int
    megabytes: float
    readers: dict[str, float]
    first: bk.Proc
    first_steps: bk.RunSteps
    rerun: bk.Proc
    rerun_steps: bk.RunSteps


def run_scale(work: Path, scale: int, env: dict[str, str], seed: int) -> ScaleResult:
    folder = work / f"x{scale}" / "plain"
    files = bk.write_scaled_region(folder, scale, seed)
    size = sum(p.stat().st_size for p in files) / 2**20
    print(f"\n== {scale}x region: {len(files)} files, {size:.1f} MB ({folder})", flush=True)
    readers = bk.reader_baselines(files)
    first = bk.selaras("run", folder, env, "--no-prefect")
    first_steps = bk.last_run_steps(folder)
    rerun = bk.selaras("run", folder, env, "--no-prefect")
    rerun_steps = bk.last_run_steps(folder)
    result = ScaleResult(scale, len(files), size, readers, first, first_steps, rerun, rerun_steps)
    print_scale(result)
    return result


def print_scale(r: ScaleResult) -> None:
    print(f"{'step':<26}{'first s':>10}{'share':>8}{'rerun s':>10}")
    for step in bk.STEPS:
        first = r.first_steps.seconds.get(step)
        if first is None:
            continue
        rerun = r.rerun_steps.seconds.get(step, 0.0)
        status = r.rerun_steps.status.get(step, "")
        print(f"  {step:<24}{first:10.2f}{first / r.first.wall:8.1%}{rerun:10.2f}  {status}")
    outside = r.first.wall - r.first_steps.total
    print(
        f"  {'outside the steps':<24}{outside:10.2f}{outside / r.first.wall:8.1%}{r.rerun.wall - r.rerun_steps.total:10.2f}"
    )
    print(f"  {'whole run (wall)':<24}{r.first.wall:10.2f}{1:8.0%}{r.rerun.wall:10.2f}")
    for name, seconds in r.readers.items():
        print(f"  read with {name:<14}{seconds:10.2f}   run / read = {r.first.wall / seconds:6.1f}x")
    print(f"  peak RSS first run {r.first.peak_mib:.0f} MiB, rerun {r.rerun.peak_mib:.0f} MiB")


def run_prefect(work: Path, plain: Path, env: dict[str, str], base: ScaleResult) -> dict[str, float]:
    """The 1x files as the Prefect flow twice, each in a fresh data folder: first with a
    fresh PREFECT_HOME (Prefect creates its database: a machine's first run), then with
    that home kept (every later run, e.g. the nightly one)."""
    outside_plain = base.first.wall - base.first_steps.total
    out: dict[str, float] = {}
    for label, folder in (("first", "prefect"), ("steady", "prefect-again")):
        target = work / "x1" / folder
        bk.copy_raw(plain, target)
        proc = bk.selaras("run", target, env, "--prefect")
        steps = bk.last_run_steps(target)
        outside_pf = proc.wall - steps.total
        overhead = outside_pf - outside_plain
        home = "fresh PREFECT_HOME database" if label == "first" else "PREFECT_HOME kept from the run above"
        print(f"\n== 1x region as the Prefect flow ({label}: fresh data folder, {home})")
        print(f"  wall {proc.wall:.2f} s, steps {steps.total:.2f} s, outside the steps {outside_pf:.2f} s")
        print(f"  without Prefect (same files above): outside the steps {outside_plain:.2f} s")
        print(
            f"  Prefect overhead = {bk.fmt_ratio(overhead, TARGET_PREFECT_S)} s; peak RSS {proc.peak_mib:.0f} MiB"
        )
        out[f"prefect_wall_{label}"] = proc.wall
        out[f"prefect_overhead_{label}"] = overhead
    out["prefect_noop"] = bk.prefect_noop(env)
    print(
        f"  a trivial flow (one task-less flow run) in a fresh process, home kept: {out['prefect_noop']:.2f} s"
    )
    return out


def summary(results: list[ScaleResult], prefect: dict[str, float] | None) -> bool:
    print("\n== RESULT (ratios within this invocation)")
    base = results[0]
    ok = True
    vs_openpyxl = base.first.wall / base.readers["pandas+openpyxl"]
    ok &= vs_openpyxl <= TARGET_VS_OPENPYXL
    print(f"  {base.scale}x run / pandas+openpyxl read = {bk.fmt_ratio(vs_openpyxl, TARGET_VS_OPENPYXL)}")
    print(
        f"  {base.scale}x run / pandas+calamine read = {base.first.wall / base.readers['pandas+calamine']:.1f}"
    )
    for r in results:
        rerun = r.rerun.wall / r.first.wall
        ok &= rerun <= TARGET_RERUN
        print(f"  {r.scale}x rerun / first run = {bk.fmt_ratio(rerun, TARGET_RERUN)}")
    for r in results[1:]:
        growth = r.first.wall / base.first.wall
        print(
            f"  {r.scale}x time / {base.scale}x time = {growth:.2f} (data {r.megabytes / base.megabytes:.1f}x)"
        )
        print(f"  {r.scale}x peak RSS = {r.first.peak_mib:.0f} MiB")
        if r.scale == 16:
            ok &= growth <= TARGET_BIG_TIME and r.first.peak_mib <= TARGET_BIG_MIB
            print(
                f"    targets: time {bk.fmt_ratio(growth, TARGET_BIG_TIME)}, RSS <= {TARGET_BIG_MIB:.0f} MiB"
            )
    if prefect:
        for label in ("first", "steady"):
            overhead = prefect[f"prefect_overhead_{label}"]
            ok &= overhead <= TARGET_PREFECT_S
            print(f"  Prefect overhead (1x, {label} run) = {bk.fmt_ratio(overhead, TARGET_PREFECT_S)} s")
        print(f"  a trivial flow alone = {prefect['prefect_noop']:.2f} s")
    print(f"RESULT {'all targets met' if ok else 'some targets MISSED'}")
    return ok


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", default="1,4", help="Comma-separated region scales (default 1,4).")
    parser.add_argument("--big", action="store_true", help="Also the 16x region.")
    parser.add_argument("--no-prefect-flow", action="store_true", help="Skip the 1x run as a Prefect flow.")
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args(argv)
    scales = sorted({int(s) for s in args.scales.split(",")} | ({16} if args.big else set()))
    work = bk.workdir("bench-run")
    env = bk.bench_env(work)
    print(f"work folder {work}; python + import selaras.cli = {bk.python_floor(env):.2f} s")
    results = [run_scale(work, s, env, args.seed) for s in scales]
    prefect = None
    if not args.no_prefect_flow and results[0].scale == 1:
        prefect = run_prefect(work, work / "x1" / "plain", env, results[0])
    return summary(results, prefect)


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
