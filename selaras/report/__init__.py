"""Stage: report. Writes into data_dir/processed/:

    forum_opd/Forum_OPD_<opd>.xlsx     one Forum OPD workbook per OPD
    forum_opd/Forum_OPD_Semua_OPD.xlsx the same for the whole region
    review/Review_Keselarasan.xlsx     the review workbook (fill in, save into raw/review/)
    laporan_ringkas.html               the summary report (self-contained, inline SVG)

(The analysts' CSV and Parquet of every analytics view are written by selaras.publish.)

Everything is first written into a staging folder and moved into place at the end, so a
failure leaves the previous outputs as they were. Nothing is written to the warehouse.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import AbstractContextManager
from pathlib import Path

import duckdb

from selaras.report import forum
from selaras.report.data import ReportData, load
from selaras.report.html import render
from selaras.review import FILE_NAME as REVIEW_FILE
from selaras.review import review_rows, write_review_workbook
from selaras.runs import StageResult
from selaras.settings import Settings

__all__ = ["report_all", "OUTPUTS"]

FORUM_DIR = "forum_opd"
REVIEW_DIR = "review"
HTML_FILE = "laporan_ringkas.html"
REGION_FILE = "Forum_OPD_Semua_OPD.xlsx"
OUTPUTS = (FORUM_DIR, REVIEW_DIR, HTML_FILE)
#: From this many Renja rows + proposals on, the workbooks are written by worker processes.
PARALLEL_MIN_ROWS = 20_000


def opd_file_name(opd: str, taken: set[str]) -> str:
    slug = re.sub(r"[^0-9A-Za-z]+", "_", opd).strip("_")[:60] or "OPD"
    name, n = f"Forum_OPD_{slug}.xlsx", 2
    while name.lower() in taken or name == REGION_FILE:
        name, n = f"Forum_OPD_{slug}_{n}.xlsx", n + 1
    taken.add(name.lower())
    return name


def _group(rows: list[tuple], index: int) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = defaultdict(list)
    for r in rows:
        out[r[index]].append(r)
    return out


def _write_opd_batch(folder: Path, meta: ReportData, items: list[tuple[str, str, tuple]]) -> int:
    for file_name, opd, parts in items:
        forum.write_forum_workbook(folder / file_name, meta, opd, *parts)
    return len(items)


def forum_jobs(folder: Path, data: ReportData, batches: int) -> list[tuple[Callable, tuple]]:
    """The Forum OPD workbooks as jobs: the region workbook, and the per-OPD workbooks in
    `batches` batches of about equal rows. Jobs get only the rows they write."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = data.header_only()
    renja, usulan = data.renja.by("opd_forum"), data.usulan.by("opd_forum")
    rkpd, pagu = data.rkpd.by("opd_forum"), data.pagu.by("opd")
    quarantine = _group(data.quarantine.rows, data.quarantine.index["opd"])
    per_opd, items = [], []
    taken: set[str] = set()
    for opd in data.opds:
        parts = (
            renja.get(opd, []),
            usulan.get(opd, []),
            rkpd.get(opd, []),
            pagu.get(opd, []),
            quarantine.get(opd, []),
        )
        per_opd.append((opd, forum.summarise(*parts, data)))
        if not opd.startswith("("):  # "(tanpa OPD tujuan)": only in the region workbook
            items.append((opd_file_name(opd, taken), opd, parts))
    jobs: list[tuple[Callable, tuple]] = [
        (
            forum.write_forum_workbook,
            (
                folder / REGION_FILE,
                meta,
                None,
                data.renja.rows,
                data.usulan.rows,
                data.rkpd.rows,
                data.pagu.rows,
                data.quarantine.rows,
                per_opd,
            ),
        )
    ]
    # Greedy split by row count, biggest OPD first.
    loads = [[0, []] for _ in range(max(1, batches))]
    for item in sorted(items, key=lambda it: -sum(len(p) for p in it[2])):
        lightest = min(loads, key=lambda b: b[0])
        lightest[0] += sum(len(p) for p in item[2])
        lightest[1].append(item)
    jobs += [(_write_opd_batch, (folder, meta, batch)) for _, batch in loads if batch]
    return jobs


def _workers(rows: int) -> int:
    """Worker processes for the workbooks: none for a small region (starting a process
    costs more than it saves), else one per core, at most four."""
    if rows < PARALLEL_MIN_ROWS:
        return 0
    return max(0, min(4, (os.cpu_count() or 1)))


def _swap_into_place(staging: Path, target: Path) -> None:
    """Move each output from staging into processed/, replacing the previous one."""
    for name in OUTPUTS:
        new, old = staging / name, target / name
        if not new.exists():
            continue
        if new.is_dir():
            trash = target / f".old-{name}-{os.getpid()}"
            if old.exists():
                os.replace(old, trash)
            os.replace(new, old)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(new, old)


def report_all(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str) -> StageResult:
    result = StageResult("report")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    data = load(con, settings, run_id)
    review = review_rows(con, settings.top_k)
    timings["load"] = time.perf_counter() - t0
    settings.processed_dir.mkdir(parents=True, exist_ok=True)
    # Runs hold the data folder's lock one at a time, so any other staging folder is the
    # half-written leftover of a killed run: clear it.
    for stale in settings.processed_dir.glob(".staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = settings.processed_dir / f".staging-{run_id}"
    staging.mkdir(parents=True)
    try:
        t = time.perf_counter()
        workers = _workers(len(data.usulan.rows) + len(data.renja.rows))
        (staging / REVIEW_DIR).mkdir()
        jobs = [(write_review_workbook, (staging / REVIEW_DIR / REVIEW_FILE, review, run_id, settings.top_k))]
        jobs += forum_jobs(staging / FORUM_DIR, data, batches=max(1, workers))
        n_forum = 1 + sum(len(args[2]) for fn, args in jobs if fn is _write_opd_batch)
        with _executor(workers) as pool:
            futures = [pool.submit(fn, *args) for fn, args in jobs]
            review_counts = futures[0].result()
            for f in futures[1:]:
                f.result()
        timings["workbooks"] = time.perf_counter() - t
        result.figures |= {
            "forum_workbooks": n_forum,
            "review_rows": sum(review_counts.values()),
            "review_perlu_review": review_counts.get("Perlu Review", 0),
            "workers": workers,
        }

        t = time.perf_counter()
        files = [
            f"{FORUM_DIR}/ ({n_forum} workbook)",
            f"{REVIEW_DIR}/{REVIEW_FILE}",
            HTML_FILE,
        ]
        (staging / HTML_FILE).write_text(render(data, files), encoding="utf-8")
        timings["html"] = time.perf_counter() - t

        _swap_into_place(staging, settings.processed_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result.figures |= {
        "renja_rows": len(data.renja.rows),
        "usulan_rows": len(data.usulan.rows),
        "rkpd_rows": len(data.rkpd.rows),
        "opd": len(data.opds),
        "seconds": round(time.perf_counter() - t0, 2),
        "seconds_by_part": {k: round(v, 2) for k, v in timings.items()},
    }
    return result


class _InProcess:
    """The executor interface, run at once in this process (small regions, tests)."""

    def __enter__(self) -> _InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn: Callable, *args: object) -> Future:
        future: Future = Future()
        future.set_result(fn(*args))
        return future


def _executor(workers: int) -> AbstractContextManager:
    if workers <= 1:
        return _InProcess()
    # spawn, not fork: the parent holds DuckDB's threads and maybe Prefect's.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
