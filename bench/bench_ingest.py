"""Benchmark: reading and loading a large Renja-like xlsx with selaras versus
`pandas.read_excel(engine="openpyxl")` alone on the same file, in the same run.

    python bench/bench_ingest.py [--rows 100000] [--baseline-rows N]

Prints the ratio selaras / openpyxl (target <= 0.2) and the peak memory of the selaras
path (target < 1 GiB). Each side runs in a fresh subprocess, timed from inside (imports
excluded), peak memory = the subprocess's maximum resident set size.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TITLE = "RENCANA KERJA PERANGKAT DAERAH (RENJA) DINAS SOSIAL KABUPATEN CONTOH TAHUN 2024"
HEADER_TOP = [
    "NO",
    "KODE",
    "PROGRAM / KEGIATAN / SUB KEGIATAN",
    "INDIKATOR KINERJA",
    None,
    "LOKASI",
    "PAGU INDIKATIF (Rp)",
    "SUMBER DANA",
    "KETERANGAN",
    "OPD",
    "CATATAN",
    "PRIORITAS",
]
HEADER_SUB = [None, None, None, "Tolok Ukur", "Target", None, None, None, None, None, None, None]


def generate(path: Path, rows: int) -> int:
    """A Renja workbook in the layout real files have: title rows, a two-row merged
    header, the numbering row, program and kegiatan group rows, Indonesian money text,
    `12 Titik` targets and a JUMLAH row. Returns the number of physical rows written."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Renja")
    ws.write(0, 0, TITLE)
    ws.write(1, 0, "Perangkat Daerah : 1.06.0.00.0.00.01.0000 Dinas Sosial")
    for col, label in enumerate(HEADER_TOP):
        if col == 3:
            ws.merge_range(3, 3, 3, 4, label)
        elif label is not None:
            ws.merge_range(3, col, 4, col, label)
    for col, label in enumerate(HEADER_SUB):
        if label is not None:
            ws.write(4, col, label)
    ws.write_row(5, 0, list(range(1, len(HEADER_TOP) + 1)))
    r, n = 6, 0
    program = kegiatan = 0
    while n < rows:
        if n % 400 == 0:
            program += 1
            ws.write_row(r, 1, [f"1.06.{program % 99 + 1:02d}", f"PROGRAM PELAYANAN SOSIAL {program}"])
            r += 1
        if n % 40 == 0:
            kegiatan += 1
            ws.write_row(
                r,
                1,
                [
                    f"1.06.{program % 99 + 1:02d}.2.{kegiatan % 99 + 1:02d}",
                    f"Kegiatan Rehabilitasi Sosial {kegiatan}",
                ],
            )
            r += 1
        pagu = 25_000_000 + (n * 137_000) % 900_000_000
        ws.write_row(
            r,
            0,
            [
                n + 1,
                f"1.06.{program % 99 + 1:02d}.2.{kegiatan % 99 + 1:02d}.{n % 9999 + 1:04d}",
                f"Penyediaan Layanan Sosial  bagi Warga Terlantar nomor {n}",
                "Jumlah warga yang mendapat layanan",
                f"{n % 50 + 1} Orang" if n % 3 else f"{n % 9},{n % 7}5",
                f"Kec. Cicurug, Desa Sukamaju {n % 300}",
                pagu if n % 4 else "Rp " + f"{pagu:,}".replace(",", ".") + ",00",
                "PAD",
                "",
                "Dinas Sosial",
                f"catatan {n % 7}",
                f"Prioritas {n % 5 + 1}",
            ],
        )
        r += 1
        n += 1
    ws.write_row(r, 2, ["JUMLAH"])
    r += 1
    wb.close()
    return r


_SELARAS = """
import json, resource, sys, time
from pathlib import Path
from selaras.settings import Settings
from selaras import warehouse
from selaras.ingest import ingest_all
data = Path(sys.argv[1])
settings = Settings(data_dir=data)
settings.ensure_dirs()
con = warehouse.connect(settings)
start, cpu = time.perf_counter(), time.process_time()
result = ingest_all(con, settings, "bench")
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
staged = con.execute("select count(*) from staged.renja").fetchone()[0]
con.close()
print(json.dumps({"seconds": seconds, "cpu": cpu,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "figures": {k: v for k, v in result.figures.items() if k != "files"}, "staged": staged,
                  "problems": result.problems}))
"""

_OPENPYXL = """
import json, resource, sys, time
import pandas as pd
start, cpu = time.perf_counter(), time.process_time()
df = pd.read_excel(sys.argv[1], engine="openpyxl", header=None)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"seconds": seconds, "cpu": cpu, "rows": len(df),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _run(code: str, arg: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, arg], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="data rows in the generated workbook")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="selaras-bench-") as tmp:
        data = Path(tmp) / "data"
        target = data / "raw" / "renja"
        target.mkdir(parents=True)
        path = target / "renja_dinas_sosial_2024.xlsx"
        t0 = time.perf_counter()
        physical = generate(path, args.rows)
        print(
            f"generated {path.name}: {args.rows:,} data rows, {physical:,} rows, "
            f"{path.stat().st_size / 1048576:.1f} MB in {time.perf_counter() - t0:.1f} s"
        )
        selaras = _run(_SELARAS, str(data))
        baseline = _run(_OPENPYXL, str(path))
    ratio = selaras["seconds"] / baseline["seconds"]
    cpu_ratio = selaras["cpu"] / baseline["cpu"]
    report = {
        "rows": args.rows,
        "openpyxl_seconds": round(baseline["seconds"], 2),
        "selaras_seconds": round(selaras["seconds"], 2),
        "ratio": round(ratio, 3),
        "cpu_ratio": round(cpu_ratio, 3),
        "selaras_peak_mib": round(selaras["peak_mib"], 1),
        "openpyxl_peak_mib": round(baseline["peak_mib"], 1),
        "staged": selaras["staged"],
        "figures": selaras["figures"],
    }
    print(
        f"pandas.read_excel(openpyxl) alone : {baseline['seconds']:7.2f} s  (peak {baseline['peak_mib']:.0f} MiB)"
    )
    print(
        f"selaras read + load into DuckDB   : {selaras['seconds']:7.2f} s  (peak {selaras['peak_mib']:.0f} MiB)"
    )
    print(f"ratio selaras / openpyxl          : {ratio:7.3f}  (target <= 0.2)")
    print(
        f"  same, in CPU seconds              : {cpu_ratio:7.3f}  ({selaras['cpu']:.2f} s / {baseline['cpu']:.2f} s; "
        "DuckDB's threads count in selaras' CPU)"
    )
    print(f"peak memory of the selaras path   : {selaras['peak_mib']:7.0f} MiB (target < 1024)")
    print(
        f"rows: read {selaras['figures']['rows_read']:,}, staged {selaras['figures']['rows_staged']:,}, "
        f"skipped {selaras['figures']['rows_skipped']:,}"
    )
    if selaras["problems"]:
        print("problems:", selaras["problems"])
    return report


if __name__ == "__main__":
    main()
