"""Benchmark: the cost of many small files. `selaras run --no-prefect` on the bundled sample
alone, then on the sample plus N tiny musrenbang CSVs (default 2,000, one to three
proposals each, as kelurahan send them), each in a fresh data folder, in this one
invocation. Target (issue 13): sample + 2,000 tiny files <= 3x the sample alone.

    python bench/bench_files.py [--files 2000] [--timeout 900]

The tiny files are rows of the sample's own SIPD CSV with new proposal ids, so every row
is a valid proposal; a run still going after --timeout seconds is stopped and reported
as "over".
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchkit as bk  # noqa: E402

TARGET = 3.0


def write_tiny_files(data_dir: Path, n: int) -> None:
    source = data_dir / "raw" / "musrenbang" / "usulan_sipd_kabkota_2021.csv"
    with source.open(encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f))
    folder = data_dir / "raw" / "musrenbang"
    used = 0
    for i in range(n):
        count = 1 + i % 3
        with (folder / f"usulan_kel_{i:04d}.csv").open("w", encoding="utf-8-sig", newline="") as f:
            out = csv.writer(f)
            out.writerow(header)
            for _ in range(count):
                row = list(rows[used % len(rows)])
                row[0] = str(90_000_000 + used)  # a new id_usulan: a new proposal
                out.writerow(row)
                used += 1


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args(argv)
    from selaras.sample import write_sample

    work = bk.workdir("bench-files")
    env = bk.bench_env(work)
    write_sample(work / "alone", seed=args.seed)
    write_sample(work / "many", seed=args.seed)
    write_tiny_files(work / "many", args.files)
    alone = bk.selaras("run", work / "alone", env, "--no-prefect", timeout=args.timeout)
    many = bk.selaras("run", work / "many", env, "--no-prefect", timeout=args.timeout)
    print(f"work folder {work}")
    for label, proc, folder in (
        ("sample alone", alone, "alone"),
        (f"sample + {args.files} tiny", many, "many"),
    ):
        over = " (stopped: over the timeout)" if proc.timed_out else ""
        print(f"  {label:<24} {proc.wall:8.2f} s{over}, peak RSS {proc.peak_mib:.0f} MiB")
        if not proc.timed_out:
            steps = bk.last_run_steps(work / folder)
            print("    " + ", ".join(f"{k} {v:.2f}" for k, v in steps.seconds.items()))
    ratio = many.wall / alone.wall
    extra = (many.wall - alone.wall) / max(args.files, 1) * 1000
    prefix = "over " if many.timed_out else ""
    print(f"  cost per extra file: {prefix}{extra:.1f} ms")
    print(f"RESULT sample + {args.files} tiny files / sample alone = {prefix}{bk.fmt_ratio(ratio, TARGET)}")
    return {"ratio": ratio, "timed_out": float(many.timed_out), "ms_per_file": extra}


if __name__ == "__main__":
    main()
