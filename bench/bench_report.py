"""Benchmark of the report stage: every output (Forum OPD workbooks per OPD and for the
region, review workbook, HTML report, CSV + Parquet exports) for a synthetic region,
by default 40 OPDs and 50,000 proposals (target: under 30 s).

The machine is noisy, so the figure that matters is the ratio to a baseline measured in
the same run: the same rows written with pandas.DataFrame.to_excel (XlsxWriter engine, no
formats, one file per OPD, one for the region and the review rows), i.e. the cost of just
putting these cells into xlsx files.

    python bench/bench_report.py [--opd 40] [--usulan 50000] [--renja-per-opd 100]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def _cpu_seconds() -> float:
    """User + system CPU of this process and its finished children (the workers)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def baseline_to_excel(con, settings, run_id: str, folder: Path) -> float:
    """The same rows, dumped with pandas.to_excel."""
    import pandas as pd

    from selaras.report.data import load
    from selaras.review import iter_review_rows

    data = load(con, settings, run_id)
    review = pd.DataFrame(list(iter_review_rows(con, settings.top_k)))
    for col in ("refs", "texts"):
        review[col] = review[col].map(lambda v: "\n".join(v) if v is not None else None)
    frames = {
        name: pd.DataFrame(getattr(data, name).rows, columns=getattr(data, name).columns)
        for name in ("renja", "usulan", "rkpd", "pagu")
    }
    keys = {"renja": "opd_forum", "usulan": "opd_forum", "rkpd": "opd_forum", "pagu": "opd"}
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    def dump(path: Path, parts: dict) -> None:
        with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
            for sheet, df in parts.items():
                df.to_excel(writer, sheet_name=sheet, index=False)

    dump(folder / "region.xlsx", frames)
    for i, opd in enumerate(data.opds):
        dump(folder / f"opd_{i}.xlsx", {name: df[df[keys[name]] == opd] for name, df in frames.items()})
    perlu = review["status"] == "perlu_review"
    dump(folder / "review.xlsx", {"review": review[perlu], "semua": review[~perlu]})
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opd", type=int, default=40)
    parser.add_argument("--usulan", type=int, default=50_000)
    parser.add_argument("--renja-per-opd", type=int, default=100)
    parser.add_argument("--target", type=float, default=30.0, help="seconds the report must stay under")
    args = parser.parse_args(argv)

    from selaras import runs, warehouse
    from selaras.reconcile import reconcile_all
    from selaras.report import report_all
    from selaras.sample.synthetic import fill_synthetic
    from selaras.settings import Settings

    with tempfile.TemporaryDirectory(prefix="bench_report_") as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        settings.ensure_dirs()
        con = warehouse.connect(settings)
        t = time.perf_counter()
        counts = fill_synthetic(con, n_opd=args.opd, n_usulan=args.usulan, renja_per_opd=args.renja_per_opd)
        fill_s = time.perf_counter() - t
        run_id = runs.start_run(con, None, "bench")
        t = time.perf_counter()
        reconcile_all(con, settings, run_id)
        reconcile_s = time.perf_counter() - t
        t, cpu = time.perf_counter(), _cpu_seconds()
        result = report_all(con, settings, run_id)
        report_s, report_cpu = time.perf_counter() - t, _cpu_seconds() - cpu
        cpu = _cpu_seconds()
        baseline_s = baseline_to_excel(con, settings, run_id, Path(tmp) / "baseline")
        baseline_cpu = _cpu_seconds() - cpu
        con.close()

    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures = {
        "report_s": report_s,
        "baseline_s": baseline_s,
        "ratio": report_s / baseline_s,
        "reconcile_s": reconcile_s,
    }
    print(
        f"region: {args.opd} OPD, {counts['staged.usulan']:,} usulan, {counts['staged.renja']:,} Renja rows, "
        f"{counts['staged.rkpd']:,} RKPD items (synthetic, filled in {fill_s:.1f} s)"
    )
    print(f"reconcile_all:            {reconcile_s:6.2f} s")
    print(
        f"report_all (all outputs): {report_s:6.2f} s  parts {result.figures['seconds_by_part']}, "
        f"workers {result.figures['workers']}"
    )
    print(
        f"  CPU (this process + workers): {report_cpu:6.2f} s; load average now {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    print(f"baseline pandas.to_excel: {baseline_s:6.2f} s  (same rows, no formats; CPU {baseline_cpu:.2f} s)")
    print(f"ratio report / baseline:  {figures['ratio']:6.2f} wall, {report_cpu / baseline_cpu:.2f} CPU")
    print(f"peak memory: {self_mb:,.0f} MB this process, {child_mb:,.0f} MB largest worker")
    verdict = "OK" if report_s < args.target else "OVER"
    print(f"target < {args.target:.0f} s: {verdict}")
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
