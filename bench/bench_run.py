"""Benchmark: a first and a second `selaras run` on the generated sample, nothing changed
in between. The second run must take at most 1/3 of the first (unchanged stages are
skipped by their input fingerprints). Prefect's own start-up is measured and reported
apart from the pipeline's work.

    python bench/bench_run.py            # --no-prefect runs, then Prefect runs
    python bench/bench_run.py --quick    # --no-prefect runs only (smoke test)

Each run is a fresh `python -m selaras.cli run` process, as a planner would start it.
Figures are ratios within this one invocation (the machine is noisy), plus absolute
seconds for orientation and the children's peak memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

TARGET = 1 / 3


def run_cli(data_dir: Path, prefect: bool, env: dict) -> tuple[float, float]:
    """Wall seconds of one `selaras run`, and the seconds the pipeline itself recorded
    (the run's start to its last step's end: without interpreter and Prefect start-up)."""
    args = [sys.executable, "-m", "selaras.cli", "run", "--data-dir", str(data_dir)]
    if not prefect:
        args.append("--no-prefect")
    started = time.perf_counter()
    out = subprocess.run(args, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if out.returncode not in (0, 1):  # 1 = the sample's deliberate problems; still a full run
        raise SystemExit(f"selaras run failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    con = duckdb.connect(str(data_dir / "state" / "warehouse.duckdb"), read_only=True)
    try:
        # From the run's start to its last step's end (publish included).
        (work,) = con.execute(
            "select epoch(max(s.finished_at) - r.started_at) from meta.run r join meta.run_step s using (run_id) "
            "where r.run_id = (select run_id from meta.run order by started_at desc limit 1) group by r.started_at"
        ).fetchone()
    finally:
        con.close()
    return wall, float(work)


def prefect_startup(env: dict) -> float:
    """A trivial flow in a fresh process: `import prefect`, the local API's start-up and a
    flow run's own overhead - what Prefect adds to any run, whatever the pipeline does."""
    code = "from prefect import flow\n@flow\ndef noop():\n    return 1\nnoop()\n"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True)
    return time.perf_counter() - started


def interpreter_baseline(env: dict) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import selaras.pipeline, duckdb"], env=env, check=True)
    return time.perf_counter() - started


def _fresh_code_digest() -> str:
    from selaras import runs

    runs._CODE_DIGEST = None
    return runs.code_digest()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="Only the --no-prefect runs.")
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args()

    from selaras.sample import write_sample

    work = Path(tempfile.mkdtemp(prefix="selaras-bench-"))
    env = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_HOME": str(work / "prefect-home"),
        "PREFECT_SERVER_UI_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)  # the local (ephemeral) API, as a planner without a server has

    folders = (
        {"no-prefect": work / "plain"}
        if args.quick
        else {"no-prefect": work / "plain", "prefect": work / "pf"}
    )
    files = 0
    for folder in folders.values():
        files = len(write_sample(folder, seed=args.seed))
    print(f"sample: {files} files (seed {args.seed}) in {work}")
    base = interpreter_baseline(env)
    print(f"baseline: python + import selaras.pipeline, duckdb = {base:.2f} s")

    from selaras.runs import code_digest

    code_before = code_digest()
    ok = True
    for mode, folder in folders.items():
        first_wall, first_work = run_cli(folder, mode == "prefect", env)
        second_wall, second_work = run_cli(folder, mode == "prefect", env)
        ratio = second_wall / first_wall
        ok &= ratio <= TARGET or mode == "prefect"
        print(f"\nselaras run ({mode}):")
        print(f"  first   {first_wall:7.2f} s wall, {first_work:7.2f} s pipeline work")
        print(f"  second  {second_wall:7.2f} s wall, {second_work:7.2f} s pipeline work")
        print(
            f"  second/first wall  = {ratio:.3f}  (target <= {TARGET:.3f}: {'ok' if ratio <= TARGET else 'MISSED'})"
        )
        print(f"  second/first work  = {second_work / first_work:.3f}" if first_work else "")
        if mode == "prefect":
            startup = prefect_startup(env)
            overhead = second_wall - second_work
            print(
                f"  Prefect start-up (trivial flow, fresh process) = {startup:.2f} s "
                f"= {startup / first_wall:.2f} x the first run, {startup / second_wall:.2f} x the second"
            )
            print(
                f"  second run: pipeline work {second_work:.2f} s, everything else (interpreter, Prefect) "
                f"{overhead:.2f} s"
            )

    if _fresh_code_digest() != code_before:
        print(
            "\nWARNING: selaras' source changed during the benchmark (its hash is part of every stage's "
            "fingerprint, so the second runs redid work): run it again."
        )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\npeak memory of a child process: {peak:.0f} MB")
    print(f"RESULT {'ok' if ok else 'MISSED'}: second run without Prefect within 1/3 of the first")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
