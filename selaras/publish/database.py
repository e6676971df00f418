"""The published database: every `analytics` view of the private database materialised,
with its comments, as a table of a new DuckDB file, plus `analytics.publication` (when,
by which run, with which versions). Written under a temporary catalog name; the caller
(publish.stage) fsyncs and renames it into place.

May import: duckdb, the standard library.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

SCHEMA = "analytics"
ALIAS = "selaras_publication"  # the temp file's catalog while we write it; never seen by analysts


def literal(text: str) -> str:
    """A SQL string literal. Used for file paths and comments, which DuckDB's ATTACH, COPY
    and COMMENT do not accept as bound parameters; the text comes from settings and from
    our own SQL files, and quotes are doubled."""
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def analytics_views(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None]]:
    """(view name, comment) of every view in the analytics schema of the open database."""
    return con.execute(
        "select view_name, comment from duckdb_views() "
        "where schema_name = ? and database_name = current_database() and not internal order by view_name",
        [SCHEMA],
    ).fetchall()


def column_comments(con: duckdb.DuckDBPyConnection, view: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, comment from duckdb_columns() where schema_name = ? and table_name = ? "
        "and database_name = current_database() and comment is not null order by column_index",
        [SCHEMA, view],
    ).fetchall()


def write_database(
    con: duckdb.DuckDBPyConnection,
    tmp: Path,
    views: list[tuple[str, str | None]],
    storage_version: str | None,
) -> None:
    """Write `views` (name, comment) of the open database into the new file `tmp`."""
    options = f" (storage_version {literal(storage_version)})" if storage_version else ""
    con.execute(f"attach {literal(str(tmp))} as {ALIAS}{options}")
    try:
        con.execute(f"create schema {ALIAS}.{SCHEMA}")
        for view, comment in views:
            target = f"{ALIAS}.{SCHEMA}.{ident(view)}"
            con.execute(f"create table {target} as select * from {SCHEMA}.{ident(view)}")  # noqa: S608
            if comment:
                con.execute(f"comment on table {target} is {literal(comment)}")
            for column, text in column_comments(con, view):
                con.execute(f"comment on column {target}.{ident(column)} is {literal(text)}")
        _write_publication_table(con, views, storage_version)
    finally:
        con.execute(f"detach {ALIAS}")


def _write_publication_table(
    con: duckdb.DuckDBPyConnection, views: list[tuple[str, str | None]], storage_version: str | None
) -> None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        selaras_version = version("selaras")
    except PackageNotFoundError:
        selaras_version = None
    run = (
        con.execute(
            "select run_id, status from meta.run where status <> 'running' order by started_at desc limit 1"
        ).fetchone()
        if _has_table(con, "meta", "run")
        else None
    )
    target = f"{ALIAS}.{SCHEMA}.publication"
    con.execute(
        f"create table {target} (published_at timestamp, run_id varchar, run_status varchar, "
        "selaras_version varchar, duckdb_version varchar, storage_version varchar, tables varchar[])"
    )
    con.execute(
        f"insert into {target} values (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 - constant names
        [
            datetime.now(),
            run[0] if run else None,
            run[1] if run else None,
            selaras_version,
            duckdb.__version__,
            storage_version or "native",
            [v for v, _ in views],
        ],
    )
    con.execute(
        f"comment on table {target} is "
        "'When this file was published, by which run, with which versions, and the tables it holds.'"
    )


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return (
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = ? "
            "and database_name = current_database()",
            [schema, table],
        ).fetchone()[0]
        > 0
    )
