"""The private DuckDB warehouse: connect (with bounded retries on a lock), migrate from
the SQL files in `sql/`, and run work in all-or-nothing transactions.

May import: settings only (every stage imports this module).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from selaras.settings import Settings, sql_dir


class WarehouseLocked(RuntimeError):
    """Another process holds the private database."""


def migration_files() -> list[Path]:
    return sorted(sql_dir().glob("[0-9][0-9][0-9]_*.sql"))


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply every SQL file in order. Files are re-runnable (`if not exists` / `or replace`),
    so a changed file is simply applied again; each application is recorded."""
    con.execute("create schema if not exists meta")
    con.execute(
        "create table if not exists meta.schema_migration (version varchar primary key, "
        "checksum varchar not null, applied_at timestamp not null default current_timestamp)"
    )
    done = dict(con.execute("select version, checksum from meta.schema_migration").fetchall())
    applied = []
    for path in migration_files():
        text = path.read_text(encoding="utf-8")
        checksum = hashlib.sha256(text.encode()).hexdigest()
        if done.get(path.name) == checksum:
            continue
        with transaction(con):
            con.execute(text)
            con.execute(
                "insert or replace into meta.schema_migration (version, checksum) values (?, ?)",
                [path.name, checksum],
            )
        applied.append(path.name)
    return applied


def connect(
    settings: Settings, read_only: bool = False, migrate_schema: bool = True
) -> duckdb.DuckDBPyConnection:
    """Open the private database, retrying a bounded number of times while another
    process holds its lock, then failing with a message that says what to do."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    if read_only:
        con = _open(settings, read_only=True)
    else:
        from selaras.recovery import read_error, recover_damaged

        # A truncated or empty file is moved aside and rebuilt from raw/. The full check
        # (a second connection) runs only when this one fails: a healthy file is opened once.
        try:
            con = _open(settings, read_only=False)
        except duckdb.Error:
            if recover_damaged(settings) is None:
                raise  # not damage (e.g. a full disk): the error stands
            con = _open(settings, read_only=False)
        else:
            if read_error(con) is not None:
                con.close()
                recover_damaged(settings)
                con = _open(settings, read_only=False)
    if migrate_schema and not read_only:
        migrate(con)
    return con


def _open(settings: Settings, read_only: bool) -> duckdb.DuckDBPyConnection:
    wait = settings.lock_wait_seconds
    last: Exception | None = None
    for _ in range(max(1, settings.lock_retries)):
        try:
            con = duckdb.connect(str(settings.private_db), read_only=read_only)
            break
        except duckdb.IOException as exc:  # "Could not set lock on file ..."
            if "lock" not in str(exc).lower():
                raise
            last = exc
            time.sleep(wait)
            wait *= 2
    else:
        raise WarehouseLocked(
            f"Basis data kerja {settings.private_db} sedang dipakai proses lain "
            f"(the private database is locked by another process: {last}). "
            "Tunggu run yang sedang berjalan selesai, lalu coba lagi."
        )
    return con


def recovery_notices() -> list[str]:
    """What `connect` said about a damaged database it moved aside in this process (then
    forgotten): the ingest stage reports it in the run summary."""
    from selaras.recovery import NOTICES

    out = list(NOTICES)
    NOTICES.clear()
    return out


@contextmanager
def connected(
    settings: Settings, read_only: bool = False, migrate_schema: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """`connect`, and close the connection however the block ends (what every stage and
    step does around its work: `with warehouse.connected(settings) as con: ...`)."""
    con = connect(settings, read_only=read_only, migrate_schema=migrate_schema)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing. DuckDB's COMMIT after a failed statement silently commits nothing,
    so roll back explicitly and re-raise."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def insert_df(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> int:
    """Insert a DataFrame by column name. `table` is a code constant (schema.table), never
    user input; the data travels as a registered relation, not as SQL text."""
    if df.empty:
        return 0
    name = f"_insert_{abs(hash(table))}"
    con.register(name, df)
    try:
        con.execute(f"insert into {table} by name select * from {name}")  # noqa: S608 - constant names
    finally:
        con.unregister(name)
    return len(df)


def table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [schema, table],
    ).fetchall()
    return [r[0] for r in rows]


@contextmanager
def memory_limit(con: duckdb.DuckDBPyConnection, limit: str | None) -> Iterator[None]:
    """DuckDB's memory limit for the duration of the block (a stage, the audit), then the
    previous one back; no limit given: nothing changes. The limit belongs to the database,
    not to a transaction: it is set and restored on a cursor of its own, so a statement that
    failed in the caller's open transaction cannot keep the limit from coming back."""
    if not limit:
        yield
        return
    cur = con.cursor()
    try:
        current = "select current_setting('memory_limit')"
        previous = cur.execute(current).fetchone()[0]
        cur.execute("reset memory_limit")
        default = cur.execute(current).fetchone()[0] == previous  # shown rounded: RESET restores exactly
        cur.execute("set memory_limit = ?", [limit])
        try:
            yield
        finally:
            if default:
                cur.execute("reset memory_limit")
            else:
                cur.execute("set memory_limit = ?", [previous])
    finally:
        cur.close()
