"""Stage: report (the entry point `report_all`). Writes into data_dir/processed/:

    forum_opd/Forum_OPD_<opd>.xlsx     one Forum OPD workbook per OPD
    forum_opd/Forum_OPD_Semua_OPD.xlsx the same for the whole region
    review/Review_Keselarasan.xlsx     the review workbook (fill in, save into raw/review/)
    laporan_ringkas.html               the summary report (self-contained, inline SVG)

(The analysts' CSV and Parquet of every analytics view are written by selaras.publish.)

Everything is first written into a staging folder and moved into place at the end, so a
failure leaves the previous outputs as they were. Nothing is written to the warehouse.

A Forum OPD workbook is rewritten only when its OPD's data changed: each workbook's
inputs are fingerprinted (forum_opd/.selaras-digests.json), and an unchanged workbook is
carried over (hard-linked) from the previous outputs. Its summary then still names the
run that last changed its data. Workbooks are written by the run's worker processes for a
large region (selaras.workers), with XlsxWriter's constant_memory (rows are streamed to
disk as written). The review workbook is written in this process meanwhile, its rows
fetched from the warehouse a chunk at a time (a 16x region's 200,000 rows with their
candidates are never all held); then this process takes the Forum OPD batches no worker
has started.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import shutil
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from selaras.report import forum
from selaras.report.data import ReportData, load
from selaras.report.html import render
from selaras.review import FILE_NAME as REVIEW_FILE
from selaras.review import iter_review_rows, write_review_workbook
from selaras.runs import StageResult
from selaras.settings import Settings
from selaras.workers import run_beside, worker_count

FORUM_DIR = "forum_opd"
REVIEW_DIR = "review"
HTML_FILE = "laporan_ringkas.html"
REGION_FILE = "Forum_OPD_Semua_OPD.xlsx"
OUTPUTS = (FORUM_DIR, REVIEW_DIR, HTML_FILE)
#: Fingerprints of the Forum OPD workbooks' inputs, beside them.
DIGESTS = ".selaras-digests.json"


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


def _digest(*parts: object) -> str:
    """A fingerprint of a workbook's inputs (its rows, the year, the code writing it)."""
    from selaras.runs import code_digest

    return hashlib.sha256(pickle.dumps((code_digest(), parts), protocol=4)).hexdigest()


def _previous_digests(folder: Path) -> dict[str, str]:
    try:
        return json.loads((folder / DIGESTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _carry_over(previous: Path, folder: Path, name: str) -> bool:
    """Put the previous run's workbook in the new folder (a hard link: no copy)."""
    old = previous / name
    if not old.is_file():
        return False
    try:
        os.link(old, folder / name)
    except OSError:
        shutil.copy2(old, folder / name)
    return True


@dataclass
class ForumPlan:
    jobs: list[tuple[Callable, tuple]]
    workbooks: int  # all Forum OPD workbooks, the region's included
    written: int  # of which rewritten in this run


def forum_jobs(folder: Path, data: ReportData, batches: int, previous: Path | None = None) -> ForumPlan:
    """The Forum OPD workbooks to write as jobs: the region workbook, and the per-OPD
    workbooks whose data changed since `previous` (the last outputs) in `batches` batches
    of about equal rows; the unchanged ones are carried over. Jobs get only their rows."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = data.header_only()
    meta_key = (data.tahun, data.renja.columns, data.usulan.columns, data.rkpd.columns, data.pagu.columns)
    old = _previous_digests(previous) if previous is not None else {}
    digests: dict[str, str] = {}
    per_opd, items = _opd_parts(data)
    todo = []
    for file_name, opd, parts in items:
        digests[file_name] = _digest(meta_key, opd, parts)
        if old.get(file_name) == digests[file_name] and _carry_over(previous, folder, file_name):
            continue
        todo.append((file_name, opd, parts))
    region_args = (data.renja.rows, data.usulan.rows, data.rkpd.rows, data.pagu.rows, data.quarantine.rows)
    digests[REGION_FILE] = _digest(meta_key, None, region_args, [(o, s.__dict__) for o, s in per_opd])
    jobs: list[tuple[Callable, tuple]] = []
    if not (old.get(REGION_FILE) == digests[REGION_FILE] and _carry_over(previous, folder, REGION_FILE)):
        jobs.append((forum.write_forum_workbook, (folder / REGION_FILE, meta, None, *region_args, per_opd)))
    (folder / DIGESTS).write_text(json.dumps(digests, indent=1), encoding="utf-8")
    jobs += [(_write_opd_batch, (folder, meta, batch)) for batch in _balanced(todo, batches)]
    written = len(todo) + sum(1 for fn, _ in jobs if fn is forum.write_forum_workbook)
    return ForumPlan(jobs, len(items) + 1, written)


def _opd_parts(data: ReportData) -> tuple[list[tuple[str, forum.Summary]], list[tuple[str, str, tuple]]]:
    """Each OPD's summary (for the region workbook) and (file name, OPD, rows) of the
    OPDs that get a workbook of their own."""
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
    return per_opd, items


def _balanced(items: list[tuple[str, str, tuple]], batches: int) -> list[list[tuple[str, str, tuple]]]:
    """Greedy split by row count, biggest OPD first."""
    loads: list[list] = [[0, []] for _ in range(max(1, batches))]
    for item in sorted(items, key=lambda it: -sum(len(p) for p in it[2])):
        lightest = min(loads, key=lambda b: b[0])
        lightest[0] += sum(len(p) for p in item[2])
        lightest[1].append(item)
    return [batch for _, batch in loads if batch]


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
        rows = len(data.usulan.rows) + len(data.renja.rows)
        workers = worker_count(rows, settings.parallel_min_rows)
        (staging / REVIEW_DIR).mkdir()
        # Batches for this process and each worker, twice over: whoever is done first
        # takes the batches nobody has started.
        plan = forum_jobs(
            staging / FORUM_DIR,
            data,
            batches=2 * (workers + 1) if workers else 1,
            previous=settings.processed_dir / FORUM_DIR,
        )
        # The review workbook is written here, streamed from the warehouse while the workers
        # write the Forum OPD workbooks: its rows (every Renja row and proposal with their
        # candidates) are never all in memory, nor copied to a worker.
        _, review_counts = run_beside(
            plan.jobs,
            rows,
            settings.parallel_min_rows,
            lambda: write_review_workbook(
                staging / REVIEW_DIR / REVIEW_FILE,
                iter_review_rows(con, settings.top_k),
                run_id,
                settings.top_k,
            ),
        )
        timings["workbooks"] = time.perf_counter() - t
        result.figures |= {
            "forum_workbooks": plan.workbooks,
            "forum_workbooks_written": plan.written,
            "review_rows": sum(review_counts.values()),
            "review_perlu_review": review_counts.get("Perlu Review", 0),
            "workers": workers,
        }

        t = time.perf_counter()
        files = [
            f"{FORUM_DIR}/ ({plan.workbooks} workbook)",
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
