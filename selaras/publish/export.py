"""Parquet and CSV of every published table, for analysts and other tools:

    processed/parquet/<view>.parquet   (zstd)
    processed/export/<view>.parquet    the same file, beside the CSV
    processed/export/<view>.csv        text defused, see below

Read back from the database file just written (attached read-only), so the views are
computed once. Every file is written under a temp name and synced; the caller renames
them all into place together with the database.

CSV cells that a spreadsheet program would read as a formula (text starting with = + - @,
tab or carriage return) get a leading apostrophe (OWASP's advice for CSV injection);
Parquet keeps the values as they are (it is data, never interpreted). Lists and JSON are
written to CSV as text. File paths are passed to DuckDB's relation API, never into SQL.

May import: duckdb, pyarrow, publish.database, publish.files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from selaras.publish.database import ALIAS, SCHEMA, ident, literal
from selaras.publish.files import fsync_file, temp_name

_RISKY = "('=', '+', '-', '@', chr(9), chr(13))"
_PLAIN_TYPES = ("INT", "DOUBLE", "FLOAT", "DECIMAL", "REAL", "BOOLEAN", "DATE", "TIME")


def csv_select(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Select the published table's rows, text defused. Identifiers come from the catalog
    and are quoted; no user input reaches this text."""
    cols = con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = ? and schema_name = ? and table_name = ? order by column_index",
        [ALIAS, SCHEMA, table],
    ).fetchall()
    parts = []
    for name, dtype in cols:
        q = ident(name)
        if any(t in dtype.upper() for t in _PLAIN_TYPES) and "[]" not in dtype:
            parts.append(q)
        else:
            text = f"cast({q} as varchar)"
            parts.append(
                f"case when left({text}, 1) in {_RISKY} then chr(39) || {text} else {text} end as {q}"
            )
    return f"select {', '.join(parts)} from {ALIAS}.{SCHEMA}.{ident(table)}"  # noqa: S608


def write_files(
    con: duckdb.DuckDBPyConnection,
    db_file: Path,
    views: list[str],
    parquet_dir: Path,
    export_dir: Path,
    pairs: list[tuple[Path, Path]],
) -> dict[str, int]:
    """Write the Parquet and CSV files of `views` from the published file `db_file`,
    appending each (temp, final) pair to `pairs` before writing it (so the caller can
    remove the temps when a later one fails). Returns the rows per view."""
    parquet_dir.mkdir(parents=True, exist_ok=True)
    export_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    con.execute(f"attach {literal(str(db_file))} as {ALIAS} (read_only)")
    try:
        for view in views:
            parquet = parquet_dir / f"{view}.parquet"
            tmp = temp_name(parquet)
            pairs.append((tmp, parquet))
            con.sql(f"select * from {ALIAS}.{SCHEMA}.{ident(view)}").write_parquet(  # noqa: S608
                str(tmp), compression="zstd"
            )
            fsync_file(tmp)
            rows[view] = pq.read_metadata(tmp).num_rows
            copy = export_dir / f"{view}.parquet"
            pairs.append((temp_name(copy), copy))
            shutil.copyfile(tmp, pairs[-1][0])
            fsync_file(pairs[-1][0])
            csv = export_dir / f"{view}.csv"
            pairs.append((temp_name(csv), csv))
            con.sql(csv_select(con, view)).write_csv(str(pairs[-1][0]), header=True)
            fsync_file(pairs[-1][0])
    finally:
        con.execute(f"detach {ALIAS}")
    return rows


def remove_withdrawn(export_dir: Path, views: list[str]) -> list[Path]:
    """Files in export/ of views no longer published (the folder holds exactly the
    current views, as it did when it was replaced whole)."""
    keep = {f"{v}.{ext}" for v in views for ext in ("csv", "parquet")}
    gone = [p for p in export_dir.glob("*") if p.suffix in (".csv", ".parquet") and p.name not in keep]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone
