"""The ingest stage: every file under data/raw is found and loaded (selaras.ingest.process,
all or nothing per file; small files written together, selaras.ingest.batch), archive
folders are listed, files gone from raw/ are marked removed, and the plan year is checked
against the files."""

from __future__ import annotations

import duckdb

from selaras.ingest import load
from selaras.ingest.batch import Batch
from selaras.ingest.discover import discover
from selaras.ingest.process import FileResult, ingest_found
from selaras.ingest.years import check_year
from selaras.runs import StageResult
from selaras.settings import Settings
from selaras.warehouse import memory_limit, recovery_notices, transaction

__all__ = ["FileResult", "ingest_all", "ingest_found"]


def ingest_all(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str) -> StageResult:
    """Load every input file; report per file. `failed` when any file could not be loaded."""
    result = StageResult("ingest")
    for notice in recovery_notices():  # the working database was rebuilt: every file loads again
        result.problem(notice, fatal=False)
    found = discover(settings)
    if not found:
        result.problem(
            f"Tidak ada berkas masukan di {settings.raw_dir}: taruh berkas di raw/renja/, raw/rkpd/, "
            "raw/musrenbang/, raw/pokir/, raw/nomenklatur/, raw/wilayah/ (atau coba `selaras run --sample`). "
            "(no input files)",
            fatal=False,
        )
    set_aside = [f for f in found if f.set_aside]
    found = [f for f in found if not f.set_aside]
    if set_aside:
        listed = "; ".join(f"{f.source_file} ({f.set_aside})" for f in set_aside[:20])
        more = f"; dan {len(set_aside) - 20} lainnya" if len(set_aside) > 20 else ""
        result.problem(f"{len(set_aside)} berkas disisihkan, tidak dimuat: {listed}{more}", fatal=False)
    with memory_limit(con, settings.ingest_memory_limit):
        with Batch(con) as batch:  # small files' writes are held and written together
            outcomes = [ingest_found(con, settings, f, run_id, batch) for f in found]
        removed = _mark_removed(con, {f.source_file for f in found}, run_id)
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
        if o.status == "failed":
            result.problem(o.message or f"{o.source_file}: gagal dimuat")
        for note in o.notes:
            result.problem(f"{o.source_file}: {note}", fatal=False)
    loaded = [o for o in outcomes if o.status == "loaded"]
    result.figures.update(
        files_found=len(found),
        files_set_aside=len(set_aside),
        set_aside=[f.source_file for f in set_aside],
        files_loaded=counts.get("loaded", 0),
        files_unchanged=counts.get("unchanged", 0) + counts.get("reactivated", 0),
        files_duplicate=counts.get("duplicate", 0),
        files_failed=counts.get("failed", 0),
        files_superseded=sum(o.superseded for o in outcomes),
        files_removed=removed,
        rows_read=sum(o.rows_read for o in loaded),
        rows_staged=sum(o.rows_staged for o in loaded),
        rows_skipped=sum(o.rows_skipped for o in loaded),
        files=[o.as_dict() for o in outcomes],
    )
    check_year(con, settings)  # raises: a run for the wrong year must not go on
    return result


def _mark_removed(con: duckdb.DuckDBPyConnection, present: set[str], run_id: str) -> int:
    """Current versions (loaded or failed) of files no longer under data/raw."""
    gone = [file_id for file_id, source in load.current_files(con) if source not in present]
    if gone:
        with transaction(con):
            for file_id in gone:
                load.mark_removed(con, file_id, run_id)
    return len(gone)
