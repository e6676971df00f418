"""A damaged working database is recovered, not reported as a raw DuckDB IO error.

raw/ is the source of truth: everything in the private (working) database can be rebuilt
from it. When that file cannot be opened (truncated, zero bytes, not a DuckDB file), it is
moved aside as processed/rusak-<time>.duckdb (kept for inspection), and the run starts on
a new database, which reloads every file. The published processed/selaras.duckdb is never
touched here. What happened is kept in `NOTICES` for the ingest stage to report."""

from __future__ import annotations

import logging
import shutil
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    from selaras.settings import Settings

log = logging.getLogger("selaras.recovery")

#: Messages for planners about databases moved aside in this process (read by ingest).
NOTICES: list[str] = []


def _damage(path: Path) -> str | None:
    """Why the database at `path` cannot be used, or None (absent, fine, or only locked)."""
    if not path.exists():
        return None
    if path.stat().st_size == 0:
        return "berkas kosong (0 byte)"
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        text = str(exc)
        if "lock" in text.lower():
            return None  # in use by another process: the caller's retry handles it
        return text
    try:
        return read_error(con)
    finally:
        con.close()


def read_error(con: duckdb.DuckDBPyConnection) -> str | None:
    """Why an open database does not answer, or None (a damaged file can open and fail on
    its first read)."""
    try:
        con.execute("select count(*) from duckdb_tables()").fetchone()
    except duckdb.Error as exc:
        return str(exc)
    return None


def recover_damaged(settings: Settings) -> Path | None:
    """Move a damaged working database aside; returns where it went (None: nothing to do)."""
    path = settings.private_db
    why = _damage(path)
    if why is None:
        return None
    settings.processed_dir.mkdir(parents=True, exist_ok=True)
    target = settings.processed_dir / f"rusak-{datetime.now():%Y%m%dT%H%M%S}.duckdb"
    shutil.move(str(path), str(target))
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        shutil.move(str(wal), str(target.with_name(target.name + ".wal")))
    message = (
        f"Basis data kerja {path} rusak ({why[:200]}); dipindahkan ke {target} dan dibangun ulang dari data/raw "
        "(semua berkas dimuat ulang). Basis data terbitan tidak tersentuh. (damaged working database recovered)"
    )
    log.warning("%s", message)
    NOTICES.append(message)
    return target
