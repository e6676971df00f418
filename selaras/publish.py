"""Publish the analytics views for analysts, atomically.

The pipeline writes a private database (state/warehouse.duckdb) that nobody else opens:
DuckDB lets one process write a file or many read it, never both, so an analyst's idle
session on the working database would block the nightly run. At the end of each run the
`analytics` views are materialised, with their comments, into a new database file next
to the published one; the file is synced to disk and renamed over `processed/selaras.duckdb`
(`os.replace`, atomic on one file system). Parquet copies of the same tables go to
`processed/parquet/<view>.parquet` the same way. So:

- an analyst holding the published file open keeps reading their snapshot, never blocks
  the run and is never blocked (they see the new data when they reconnect);
- a run that fails or is killed before the rename leaves the previous publication as it
  was (a killed run's temporary file is removed by the next publish);
- a full disk gives a clear error, and still no broken publication.

The file is written in DuckDB's v1.0.0 storage format (settings.publish_storage_version),
which DuckDB 1.x clients (DBeaver, the `duckdb` CLI 1.x) and 2.x both open.
"""

from __future__ import annotations

import errno
import logging
import os
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb

from selaras.settings import Settings

log = logging.getLogger("selaras.publish")

SCHEMA = "analytics"
ALIAS = "selaras_publication"  # the temp file's catalog while we write it; never seen by analysts
#: Fault injection for tests: seconds to sleep after the temp files are written, before the
#: rename (the kill-mid-publish test kills the process during that sleep).
PAUSE_ENV = "SELARAS_PUBLISH_PAUSE_SECONDS"
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class PublishError(RuntimeError):
    """Publishing failed; the previous publication is still in place."""


def _literal(text: str) -> str:
    """A SQL string literal. Used for file paths and comments, which DuckDB's ATTACH, COPY
    and COMMENT do not accept as bound parameters; the text comes from settings and from
    our own SQL files, and quotes are doubled."""
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def analytics_views(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None]]:
    """(view name, comment) of every view in the analytics schema of the open database."""
    return con.execute(
        "select view_name, comment from duckdb_views() "
        "where schema_name = ? and database_name = current_database() and not internal order by view_name",
        [SCHEMA],
    ).fetchall()


def _column_comments(con: duckdb.DuckDBPyConnection, view: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, comment from duckdb_columns() where schema_name = ? and table_name = ? "
        "and database_name = current_database() and comment is not null order by column_index",
        [SCHEMA, view],
    ).fetchall()


def _is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in _DISK_FULL:
        return True
    text = str(exc).lower()
    return any(s in text for s in ("no space left", "disk full", "disk quota", "file too large"))


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":  # Windows cannot open a directory; NTFS journals the rename
        return
    _fsync_file(path)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _temp_name(final: Path) -> Path:
    return final.with_name(f".{final.name}.{os.getpid()}.tmp")


def remove_stale_temps(folder: Path, pattern: str) -> list[Path]:
    """Our temp files (`pattern`) left by a publish that was killed (its process is gone)."""
    removed = []
    if not folder.is_dir():
        return removed
    for path in folder.glob(pattern):
        parts = path.name.split(".")
        pid = next((int(p) for p in reversed(parts) if p.isdigit()), None)
        if pid is not None and (pid == os.getpid() or not _pid_alive(pid)):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _write_database(
    con: duckdb.DuckDBPyConnection,
    tmp: Path,
    views: list[tuple[str, str | None]],
    storage_version: str | None,
) -> None:
    options = f" (storage_version {_literal(storage_version)})" if storage_version else ""
    con.execute(f"attach {_literal(str(tmp))} as {ALIAS}{options}")
    try:
        con.execute(f"create schema {ALIAS}.{SCHEMA}")
        for view, comment in views:
            target = f"{ALIAS}.{SCHEMA}.{_ident(view)}"
            con.execute(f"create table {target} as select * from {SCHEMA}.{_ident(view)}")  # noqa: S608
            if comment:
                con.execute(f"comment on table {target} is {_literal(comment)}")
            for column, text in _column_comments(con, view):
                con.execute(f"comment on column {target}.{_ident(column)} is {_literal(text)}")
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


def _write_parquet(
    con: duckdb.DuckDBPyConnection, db_file: Path, views: list[str], folder: Path
) -> list[tuple[Path, Path]]:
    """Parquet of each published table, read back from the file just written (the views
    are not computed twice). Returns (temp, final) pairs, all written and synced."""
    folder.mkdir(parents=True, exist_ok=True)
    pairs = []
    con.execute(f"attach {_literal(str(db_file))} as {ALIAS} (read_only)")
    try:
        for view in views:
            final = folder / f"{view}.parquet"
            tmp = _temp_name(final)
            pairs.append((tmp, final))
            con.execute(
                f"copy {ALIAS}.{SCHEMA}.{_ident(view)} to {_literal(str(tmp))} (format parquet)"  # noqa: S608
            )
            _fsync_file(tmp)
    finally:
        con.execute(f"detach {ALIAS}")
    return pairs


def _pause_for_tests(tmp: Path) -> None:
    seconds = float(os.environ.get(PAUSE_ENV) or 0)
    if seconds > 0:
        print(f"SELARAS_PUBLISH_PAUSED {tmp}", file=sys.stderr, flush=True)
        time.sleep(seconds)


def publish(settings: Settings, con: duckdb.DuckDBPyConnection) -> Path:
    """Materialise every analytics view into processed/selaras.duckdb and
    processed/parquet/, atomically. Returns the published database's path."""
    final = settings.published_db
    final.parent.mkdir(parents=True, exist_ok=True)
    parquet_dir = settings.processed_dir / "parquet"
    remove_stale_temps(final.parent, f".{final.name}.*.tmp*")
    remove_stale_temps(parquet_dir, ".*.parquet.*.tmp*")
    views = analytics_views(con)
    if not views:
        raise PublishError("Tidak ada view di skema analytics (no analytics views to publish).")
    tmp = _temp_name(final)
    pairs: list[tuple[Path, Path]] = []
    started = time.perf_counter()
    try:
        storage = settings.publish_storage_version or None
        try:
            _write_database(con, tmp, views, storage)
        except duckdb.Error as exc:
            if not storage or "storage" not in str(exc).lower() or _is_disk_full(exc):
                raise
            # A type or feature the old format cannot hold: publish in the native format
            # (readable by DuckDB 2.x only) rather than not at all.
            log.warning(
                "publish: storage version %s refused (%s); writing DuckDB's native format", storage, exc
            )
            _cleanup([tmp])
            _write_database(con, tmp, views, None)
        _fsync_file(tmp)
        pairs = _write_parquet(con, tmp, [v for v, _ in views], parquet_dir)
        _pause_for_tests(tmp)
        os.replace(tmp, final)
        for part_tmp, part_final in pairs:
            os.replace(part_tmp, part_final)
        _fsync_dir(final.parent)
        _fsync_dir(parquet_dir)
    except BaseException as exc:
        _cleanup([tmp, *(t for t, _ in pairs)])
        if _is_disk_full(exc):
            raise PublishError(
                f"Disk penuh saat menerbitkan {final} (disk full while publishing: {exc}). "
                "Publikasi sebelumnya tetap utuh; kosongkan ruang disk lalu jalankan lagi."
            ) from exc
        if isinstance(exc, PermissionError):
            raise PublishError(
                f"Tidak bisa mengganti {final} (cannot replace the published file: {exc}). "
                "Di Windows, tutup dulu aplikasi yang membukanya. Publikasi sebelumnya tetap utuh."
            ) from exc
        raise
    log.info(
        "publish: %d tables to %s and %s in %.1f s",
        len(views),
        final,
        parquet_dir,
        time.perf_counter() - started,
    )
    return final


def _cleanup(paths: list[Path]) -> None:
    for path in paths:
        for p in (path, path.with_name(path.name + ".wal")):
            try:
                p.unlink(missing_ok=True)
            except OSError:
                log.warning("publish: could not remove %s", p)
