"""Benchmark: validating generated Renja-like rows with every suite through Great Expectations
vs the same checks written as plain vectorised pandas, measured in the same run.

    python bench/bench_validate.py            # 100,000 rows
    python bench/bench_validate.py --rows 5000 --repeat 1 --no-import-time

Both paths share what is not "the checks": building the check frame (reference lookups,
name scoring, duplicate hashing) and turning failures into check_result rows with messages.
Printed as ratios (the machine is noisy), with absolute seconds for orientation, the GE
import time (measured in a fresh interpreter) and peak memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from selaras.settings import Settings  # noqa: E402
from selaras.validate.config import Check, load_config  # noqa: E402
from selaras.validate.frame import build_frame  # noqa: E402
from selaras.validate.reference import Nomenclature, OpdList, Reference  # noqa: E402
from selaras.validate.results import FileInfo, check_results  # noqa: E402

WORDS = (
    "penyediaan pembangunan rehabilitasi pemeliharaan pengadaan koordinasi penyusunan fasilitasi "
    "pembinaan pengembangan jalan jembatan irigasi sekolah puskesmas dokumen perencanaan data "
    "sarana prasarana air minum sanitasi desa kecamatan pasar rumah sakit pelatihan"
).split()
OPDS = ["Dinas Pekerjaan Umum", "Dinas Pendidikan", "Dinas Kesehatan", "Dinas Sosial", "Bappeda"]


# --------------------------------------------------------------------------- data


def make_nomenclature(rng: np.random.Generator, n: int = 3000) -> pd.DataFrame:
    rows, seen = [], set()
    while len(rows) < n:
        code = (
            f"{rng.integers(1, 4)}.{rng.integers(1, 30):02d}.{rng.integers(2, 20):02d}."
            f"{rng.integers(1, 3)}.{rng.integers(1, 9):02d}.{rng.integers(1, 200):04d}"
        )
        name = " ".join(rng.choice(WORDS, size=rng.integers(3, 7))).title()
        if code in seen or name in seen:
            continue
        seen.update((code, name))
        rows.append(("2027", code, name, None))
    old = [("2024", c[:-4] + "9" + c[-3:], nm, None) for _, c, nm, _ in rows[:300]]
    return pd.DataFrame(rows + old, columns=["versi", "kode", "nama", "kode_sebelumnya"])


def make_rows(rng: np.random.Generator, nom: pd.DataFrame, n: int) -> pd.DataFrame:
    current = nom[nom["versi"] == "2027"].reset_index(drop=True)
    old = nom[nom["versi"] == "2024"].reset_index(drop=True)
    pick = current.iloc[rng.integers(0, len(current), n)].reset_index(drop=True)
    kode = pick["kode"].to_numpy(dtype=object)
    nama = pick["nama"].to_numpy(dtype=object)
    u = rng.random(n)
    pagu = rng.integers(1, 5000, n).astype(float) * 1e6
    pagu_raw = np.array([f"{int(p):,}".replace(",", ".") for p in pagu], dtype=object)
    target = rng.integers(1, 100, n).astype(float)
    target_raw = target.astype(int).astype(str).astype(object)
    tahun = np.full(n, 2025)
    opd = rng.choice(OPDS, n).astype(object)
    level = np.full(n, "sub_kegiatan", dtype=object)
    # Messy but fine: PDF whitespace and capitals.
    messy = u < 0.10
    nama[messy] = [("  ".join(str(x).upper().split())) for x in nama[messy]]
    # Problems, ~1-3 % each.
    b = rng.random(n)
    kode[(b < 0.03)] = old.iloc[rng.integers(0, len(old), int((b < 0.03).sum()))][
        "kode"
    ].to_numpy()  # outdated
    sel = (b >= 0.03) & (b < 0.05)
    kode[sel] = [f"9.99.99.9.99.{i % 10000:04d}" for i in range(int(sel.sum()))]  # unknown
    sel = (b >= 0.05) & (b < 0.07)
    kode[sel] = None  # missing
    level[sel] = None
    sel = (b >= 0.07) & (b < 0.08)
    pagu[sel] = np.nan
    pagu_raw[sel] = "sekitar satu juta"  # unparseable
    sel = (b >= 0.08) & (b < 0.09)
    pagu[sel] = -pagu[sel]
    sel = (b >= 0.09) & (b < 0.11)
    pagu[sel] = 0.0
    pagu_raw[sel] = "0"
    sel = (b >= 0.11) & (b < 0.12)
    target[sel] = np.nan
    target_raw[sel] = "sesuai kebutuhan"
    sel = (b >= 0.12) & (b < 0.13)
    tahun[sel] = 2045
    sel = (b >= 0.13) & (b < 0.14)
    level[sel] = "lokal"
    kode[sel] = "03.1.01.05"
    sel = (b >= 0.14) & (b < 0.15)
    opd[sel] = "Dinas Antah Berantah"
    sel = (b >= 0.15) & (b < 0.16)
    nama[sel] = "Pengadaan Kendaraan Dinas Jabatan"  # name mismatch
    df = pd.DataFrame(
        {
            "row_ref": [f"renja/bench.xlsx:Renja:{i + 3}" for i in range(n)],
            "file_id": "bench",
            "sheet": "Renja",
            "source_file": "renja/bench.xlsx",
            "source_row": np.arange(3, n + 3),
            "hidden": False,
            "opd": opd,
            "tahun": tahun,
            "kode_raw": kode,
            "kode": kode,
            "kode_level": level,
            "nama": nama,
            "target_raw": target_raw,
            "target": target,
            "pagu_raw": pagu_raw,
            "pagu": pagu,
            "lokasi": rng.choice(["Kec. A", "Kec. B", "Kec. C", None], n),
            "raw": None,
        }
    )
    dup = rng.random(n) < 0.01  # exact duplicates
    src = np.flatnonzero(dup)
    if len(src):
        content = [c for c in df.columns if c not in ("row_ref", "source_row", "raw")]
        df.loc[src[1:], content] = df.loc[src[:-1], content].to_numpy()
    return df


# --------------------------------------------------------------------------- pandas checks


def _bounds(kwargs: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    def value(v):
        return params[v["$PARAMETER"]] if isinstance(v, dict) and "$PARAMETER" in v else v

    return {k: value(v) for k, v in kwargs.items()}


def _between_rows(col: pd.Series, kw: dict[str, Any]) -> pd.Series:
    num = pd.to_numeric(col, errors="coerce")
    failed = pd.Series(False, index=col.index)
    if kw.get("min_value") is not None:
        failed |= num < kw["min_value"]
    if kw.get("max_value") is not None:
        failed |= num > kw["max_value"]
    return failed & num.notna()


#: Map expectations: which rows fail (GE skips missing values unless the check is about them).
ROW_CHECKS = {
    "expect_column_values_to_not_be_null": lambda col, kw: col.isna(),
    "expect_column_values_to_be_null": lambda col, kw: col.notna(),
    "expect_column_values_to_be_between": _between_rows,
    "expect_column_values_to_be_in_set": lambda col, kw: col.notna() & ~col.isin(kw["value_set"]),
    "expect_column_values_to_not_be_in_set": lambda col, kw: col.notna() & col.isin(kw["value_set"]),
    "expect_column_values_to_match_regex": lambda col, kw: (
        col.notna() & ~col.astype(str).str.contains(kw["regex"], regex=True)
    ),
    "expect_column_values_to_be_unique": lambda col, kw: col.notna() & col.duplicated(keep=False),
}


def _outside(observed: float, lo: float | None, hi: float | None) -> bool:
    return (lo is not None and observed < lo) or (hi is not None and observed > hi)


#: Table expectations: (observed value, failed?).
TABLE_CHECKS = {
    "expect_table_row_count_to_be_between": lambda frame, col, kw: (
        len(frame),
        len(frame) < kw.get("min_value", 0),
    ),
    "expect_column_proportion_of_non_null_values_to_be_between": lambda frame, col, kw: (
        (share := col.notna().mean() if len(col) else 0.0),
        not share > kw.get("min_value", 0),
    ),
    "expect_column_unique_value_count_to_be_between": lambda frame, col, kw: (
        (n := col.nunique()),
        kw.get("max_value") is not None and n > kw["max_value"],
    ),
    "expect_column_sum_to_be_between": lambda frame, col, kw: (
        (total := col.sum()),
        _outside(total, kw.get("min_value"), kw.get("max_value")),
    ),
}


def pandas_failures(checks: tuple[Check, ...], frame: pd.DataFrame, params: dict[str, Any]):
    """The expectations of a suite as vectorised pandas: the same semantics as GE (map
    expectations skip missing values; table expectations give one verdict)."""
    from selaras.validate.gx import Failure

    out = []
    for check in checks:
        kw = _bounds(check.kwargs, params)
        col = frame[check.column] if check.column else None
        if check.expect in TABLE_CHECKS:
            observed, failed = TABLE_CHECKS[check.expect](frame, col, kw)
            if failed:
                out.append(Failure(check, [], observed))
            continue
        if check.expect not in ROW_CHECKS:
            raise NotImplementedError(check.expect)
        idx = np.flatnonzero(ROW_CHECKS[check.expect](col, kw).to_numpy(dtype=bool))
        if len(idx):
            out.append(Failure(check, idx.tolist(), None))
    return out


# --------------------------------------------------------------------------- run


def timed(fn, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def ge_import_seconds() -> float:
    code = "import time; t = time.perf_counter(); import great_expectations; print(time.perf_counter() - t)"
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main(
    rows: int = 100_000, repeat: int = 3, import_time: bool = True, seed: int = 2021
) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    settings = Settings(data_dir=Path("/nonexistent-bench"))
    config = load_config(settings)
    suite = config.kinds["renja"]
    nom_rows = make_nomenclature(rng)
    reference = Reference(
        Nomenclature.from_rows(nom_rows),
        OpdList.build(pd.DataFrame({"nama": OPDS, "singkatan": None}), "daftar OPD"),
        "bench",
    )
    staged = make_rows(rng, nom_rows, rows)
    info = FileInfo("bench", "renja/bench.xlsx", "renja")
    totals = {"Renja": float(np.nansum(staged["pagu"]))}

    t = time.perf_counter()
    import great_expectations  # noqa: F401 - timed on its own, not as part of the setup

    import_in_process_s = time.perf_counter() - t
    from selaras.validate.gx import GxRunner

    t = time.perf_counter()
    runner = GxRunner(config)
    runner.suite(suite, "rows")
    runner.suite(suite, "file")
    setup_s = time.perf_counter() - t

    def frame():
        return build_frame(staged, suite, reference, config, settings, totals)

    cf = frame()
    gx_frame = cf.gx_frame()
    active_rows = tuple(c for c in suite.rows if config.rules[c.rule].severity != "off")
    active_file = tuple(c for c in suite.file if config.rules[c.rule].severity != "off")

    def ge_eval():
        return (
            runner.validate(suite, "rows", gx_frame, cf.params)[1]
            + runner.validate(suite, "file", gx_frame, cf.params)[1]
        )

    def pd_eval():
        return pandas_failures(active_rows, gx_frame, cf.params) + pandas_failures(
            active_file, gx_frame, cf.params
        )

    def results(failures):
        return check_results(failures, cf, staged, suite, config, info, {}, "bench")

    frame_s, _ = timed(frame, repeat)
    ge_s, ge_failures = timed(ge_eval, repeat)
    pd_s, pd_failures = timed(pd_eval, repeat)
    res_s, ge_results = timed(lambda: results(ge_failures), repeat)
    pd_results = results(pd_failures)

    # The two paths must agree, or the comparison means nothing.
    key = ["row_ref", "rule"]
    a = ge_results.sort_values(key)[key + ["message"]].reset_index(drop=True)
    b = pd_results.sort_values(key)[key + ["message"]].reset_index(drop=True)
    if not a.equals(b):
        raise SystemExit(f"GE and pandas disagree: {len(a)} vs {len(b)} results")

    ge_total = frame_s + ge_s + res_s
    pd_total = frame_s + pd_s + res_s
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "rows": rows,
        "results": len(ge_results),
        "frame_s": frame_s,
        "ge_eval_s": ge_s,
        "pandas_eval_s": pd_s,
        "results_s": res_s,
        "ge_total_s": ge_total,
        "pandas_total_s": pd_total,
        "ge_import_in_process_s": import_in_process_s,
        "ratio_total": ge_total / pd_total,
        "ratio_eval_only": ge_s / pd_s,
        "ge_setup_s": setup_s,
        "peak_rss_mb": peak_mb,
    }
    report(figures, repeat, len(active_rows), len(active_file), import_time)
    return figures


def report(figures: dict[str, float], repeat: int, n_rows: int, n_file: int, import_time: bool) -> None:
    print(
        f"validate {figures['rows']:,} renja-like rows, every renja suite ({n_rows} row + "
        f"{n_file} file expectations), median of {repeat}"
    )
    print(f"  check results produced        : {figures['results']:,} (GE and pandas agree)")
    print(f"  shared: build check frame     : {figures['frame_s']:6.2f} s")
    print(f"  shared: results + messages    : {figures['results_s']:6.2f} s")
    print(f"  GE evaluation                 : {figures['ge_eval_s']:6.2f} s")
    print(f"  pandas evaluation             : {figures['pandas_eval_s']:6.2f} s")
    print(f"  RATIO whole validation GE/pandas : {figures['ratio_total']:.2f}x  (target <= 2x)")
    print(f"  ratio evaluation only GE/pandas  : {figures['ratio_eval_only']:.1f}x")
    print(f"  GE context + suites (once)    : {figures['ge_setup_s']:6.2f} s")
    print(
        f"  import great_expectations here: {figures['ge_import_in_process_s']:6.2f} s (pandas etc. already loaded)"
    )
    if import_time:
        figures["ge_import_s"] = ge_import_seconds()
        print(
            f"  import great_expectations     : {figures['ge_import_s']:6.2f} s (fresh interpreter, paid once "
            f"per process; ratio to whole GE validation {figures['ge_import_s'] / figures['ge_total_s']:.1f}x)"
        )
    print(f"  peak RSS                      : {figures['peak_rss_mb']:,.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-import-time", action="store_true")
    args = parser.parse_args()
    main(args.rows, args.repeat, not args.no_import_time)
