"""What the stage leaves in processed/: the quarantine workbooks and the Data Docs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

    from selaras.validate import FileOutcome, _Session


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
    paths: dict[str, Any] = write_quarantine(con, session.config.kinds, quarantine_dir(processed))
    docs = data_docs_dir(processed)
    fresh = any(o.cached_from is None for o in outcomes)
    if outcomes and (fresh or not (docs / "index.html").is_file()):
        paths["data_docs"] = build_docs(con, session, docs)
    elif (docs / "index.html").is_file():
        paths["data_docs"] = docs / "index.html"
    return paths


def build_docs(con: duckdb.DuckDBPyConnection, session: _Session, target: Path) -> Path:
    """Data Docs of this run's validation results (cached files included)."""
    from selaras.validate.gx import build_data_docs

    rows = con.execute(
        "select suite, run_id, batch_identifier, validated_at, result from quality.validation_run "
        "where run_id = ? order by source_file, suite",
        [session.run_id],
    ).fetchall()
    entries = [
        {
            "suite": s,
            "run_id": r,
            "batch_identifier": b,
            "validated_at": v,
            "result": json.loads(res) if isinstance(res, str) else res,
        }
        for s, r, b, v, res in rows
    ]
    kinds = [
        session.config.kinds[k]
        for k in sorted({e["suite"].rsplit("_", 1)[0] for e in entries})
        if k in session.config.kinds
    ]
    return build_data_docs(session.started_runner, session.config, kinds, entries, target)
