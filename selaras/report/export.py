"""CSV and Parquet of every analytics view, for analysts and other tools.

CSV cells that a spreadsheet program would read as a formula (text starting with = + - @,
tab or carriage return) get a leading apostrophe (OWASP's advice for CSV injection);
Parquet keeps the values as they are (it is data, never interpreted). Lists and JSON are
written to CSV as text. File paths are passed to DuckDB's relation API, never into SQL.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq

_RISKY = "('=', '+', '-', '@', chr(9), chr(13))"
_PLAIN_TYPES = ("INT", "DOUBLE", "FLOAT", "DECIMAL", "REAL", "BOOLEAN", "DATE", "TIME")
_TEMP = "_export"


def analytics_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'analytics' "
            "order by table_name"
        ).fetchall()
    ]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _csv_select(con: duckdb.DuckDBPyConnection) -> str:
    """Select the temp table's rows, text defused. Identifiers come from the catalog and
    are quoted; no user input reaches this text."""
    cols = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = 'temp' and table_name = ? order by ordinal_position",
        [_TEMP],
    ).fetchall()
    parts = []
    for name, dtype in cols:
        q = _quote(name)
        if any(t in dtype.upper() for t in _PLAIN_TYPES) and "[]" not in dtype:
            parts.append(q)
        else:
            text = f"cast({q} as varchar)"
            parts.append(
                f"case when left({text}, 1) in {_RISKY} then chr(39) || {text} else {text} end as {q}"
            )
    return f"select {', '.join(parts)} from {_TEMP}"  # noqa: S608


def export_views(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    rows = {}
    for view in analytics_views(con):
        # Computed once (some views join a lot), written twice.
        con.execute(f"create or replace temp table {_TEMP} as select * from analytics.{_quote(view)}")  # noqa: S608
        con.table(_TEMP).write_parquet(str(folder / f"{view}.parquet"), compression="zstd")
        con.sql(_csv_select(con)).write_csv(str(folder / f"{view}.csv"), header=True)
        rows[view] = pq.read_metadata(folder / f"{view}.parquet").num_rows
    con.execute(f"drop table if exists {_TEMP}")
    return rows
