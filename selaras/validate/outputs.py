"""What the stage leaves in processed/: the quarantine workbooks and the Data Docs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

    from selaras.validate.stage import FileOutcome, _Session


def data_docs_dir(processed_dir: Path) -> Path:
    return processed_dir / "data_docs"


def quarantine_dir(processed_dir: Path) -> Path:
    return processed_dir / "karantina"


def write_outputs(
    con: duckdb.DuckDBPyConnection, session: _Session, outcomes: list[FileOutcome]
) -> dict[str, Any]:
    from selaras.validate.workbook import write_quarantine

    processed = session.settings.processed_dir
    processed.mkdir(parents=True, exist_ok=True)
    docs = data_docs_dir(processed)
    built: dict[str, Any] = {}
    # Data Docs render in the Great Expectations process while this process (and its
    # workers) write the workbooks.
    if outcomes:
        finish_docs = build_docs(con, session, docs)
    paths: dict[str, Any] = write_quarantine(
        con, session.config.kinds, quarantine_dir(processed), session.settings.parallel_min_rows
    )
    if outcomes:
        built["data_docs"] = finish_docs()
    elif (docs / "index.html").is_file():
        built["data_docs"] = docs / "index.html"
    return {**paths, **built}


def _docs_entries(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple[list[dict], list[dict]]:
    """(GE results to render: the latest row-suite batch of each kind this run validated
    or kept; the index table: one line per file and suite of this run)."""
    files = con.execute(
        "select v.source_file, v.suite, v.success, v.expectations, v.failed, v.batch_identifier, "
        "coalesce(v.cached_from, v.run_id) as validated_in, v.kind "
        "from quality.validation_run v where v.run_id = ? order by v.source_file, v.suite",
        [run_id],
    ).fetchall()
    index = [
        {
            "source_file": f[0],
            "suite": f[1],
            "success": f[2],
            "expectations": f[3],
            "failed": f[4],
            "batch_identifier": f[5],
            "validated_in": f[6],
        }
        for f in files
    ]
    kinds = sorted({f[7] for f in files})
    # The latest batch of each kind among the runs this run's results come from.
    rows = con.execute(
        "select b.suite, b.run_id, b.batch_identifier, b.validated_at, b.result "
        "from quality.validation_batch b "
        "where b.kind in (select unnest(?::varchar[])) and b.batch_identifier in (select unnest(?::varchar[])) "
        "qualify row_number() over (partition by b.kind, b.suite order by b.run_id desc) = 1 "
        "order by b.suite",
        [kinds, sorted({e["batch_identifier"] for e in index})],
    ).fetchall()
    # Files validated on their own (no staged rows) have GE results of their own.
    alone = con.execute(
        "select v.suite, coalesce(v.cached_from, v.run_id), v.batch_identifier, v.validated_at, v.result "
        "from quality.validation_run v where v.run_id = ? and v.batch_identifier not in "
        "(select batch_identifier from quality.validation_batch) and v.evaluated = 0 order by v.source_file",
        [run_id],
    ).fetchall()
    entries = [
        {
            "suite": s,
            "run_id": r,
            "batch_identifier": b,
            "validated_at": v,
            "result": json.loads(res) if isinstance(res, str) else res,
        }
        for s, r, b, v, res in [*rows, *alone]
    ]
    return entries, index


def build_docs(con: duckdb.DuckDBPyConnection, session: _Session, target: Path) -> Callable[[], Path]:
    """Start the Data Docs of this run's validation results (kept results included); they
    are rebuilt only when what they show changed (a digest of it is kept beside them).
    Returns the function that waits for them and gives the index page."""
    entries, index = _docs_entries(con, session.run_id)
    digest = hashlib.sha256(
        json.dumps(
            [
                [(e["suite"], e["run_id"], e["batch_identifier"]) for e in entries],
                [{k: v for k, v in row.items()} for row in index],
                session.config.fingerprint,
            ],
            default=str,
        ).encode()
    ).hexdigest()
    stamp = target / ".selaras-digest"
    if (target / "index.html").is_file() and stamp.is_file() and stamp.read_text() == digest:
        return lambda: target / "index.html"
    kinds = [
        session.config.kinds[k]
        for k in sorted({e["suite"].rsplit("_", 1)[0] for e in [*entries, *index]})
        if k in session.config.kinds
    ]
    wait = session.runner.data_docs(kinds, entries, target, index)

    def finish() -> Path:
        page = wait()
        stamp.write_text(digest)
        return page

    return finish
