"""Stage: publish. Everything analysts receive, atomically, and only after the audit
passed (pipeline.complete_run calls this only then):

    processed/selaras.duckdb           every analytics view as a table, with its comments
    processed/parquet/<view>.parquet   the same tables as Parquet
    processed/export/<view>.csv        ... as CSV (formula-like text defused)
    processed/export/<view>.parquet    ... and Parquet beside the CSV

The pipeline writes a private database (state/warehouse.duckdb) that nobody else opens:
DuckDB lets one process write a file or many read it, never both, so an analyst's idle
session on the working database would block the nightly run. Here the `analytics` views
are materialised into a new database file next to the published one; every file is
synced to disk and renamed over the previous one (`os.replace`, atomic on one file
system). So:

- an analyst holding the published file open keeps reading their snapshot, never blocks
  the run and is never blocked (they see the new data when they reconnect);
- a run that fails or is killed before the rename leaves the previous publication as it
  was (a killed run's temporary files are removed by the next publish);
- a full disk gives a clear error, and still no broken publication.

Publishing is skipped when the analytics content is unchanged since the last publication
(its fingerprint, a hash of every view's rows, columns and comments, is recorded in
meta.run_step) and all the files are still there. `analytics.runs`, the run log, is left
out of the fingerprint: it gains a row every run, so the published copy of it shows the
runs up to the last publication.

The file is written in DuckDB's v1.0.0 storage format (settings.publish_storage_version),
which DuckDB 1.x clients (DBeaver, the `duckdb` CLI 1.x) and 2.x both open.

May import: settings, runs, and this package's modules.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

import duckdb

from selaras import runs
from selaras.publish import database, export, files
from selaras.publish.database import SCHEMA, analytics_views, ident
from selaras.runs import StageResult
from selaras.settings import Settings

log = logging.getLogger("selaras.publish")

#: Fault injection for tests: seconds to sleep after the temp files are written, before the
#: rename (the kill-mid-publish test kills the process during that sleep).
PAUSE_ENV = "SELARAS_PUBLISH_PAUSE_SECONDS"
#: Views left out of the content fingerprint (see the module docstring).
NOT_CONTENT = frozenset({"runs"})
PARQUET_DIR = "parquet"
EXPORT_DIR = "export"


class PublishError(RuntimeError):
    """Publishing failed; the previous publication is still in place."""


def content_fingerprint(con: duckdb.DuckDBPyConnection, settings: Settings) -> str:
    """What analysts would receive: per view its row count, an order-free hash of its rows,
    its columns (name, type, comment) and its comment; and the code and storage format
    that write the files."""
    parts = {}
    for view, comment in analytics_views(con):
        if view in NOT_CONTENT:
            continue
        n, digest = con.execute(
            f"select count(*), coalesce(sum(hash(v)), 0)::varchar from {SCHEMA}.{ident(view)} v"  # noqa: S608
        ).fetchone()
        columns = con.execute(
            "select column_name, data_type, comment from duckdb_columns() where schema_name = ? "
            "and table_name = ? and database_name = current_database() order by column_index",
            [SCHEMA, view],
        ).fetchall()
        parts[view] = [n, digest, comment, columns]
    return runs.fingerprint(
        views=parts,
        storage=settings.publish_storage_version,
        code=runs.code_digest(),
        version=duckdb.__version__,
    )


def _outputs(settings: Settings, views: list[str]) -> list[Path]:
    out = [settings.published_db]
    for view in views:
        out += [
            settings.processed_dir / PARQUET_DIR / f"{view}.parquet",
            settings.processed_dir / EXPORT_DIR / f"{view}.parquet",
            settings.processed_dir / EXPORT_DIR / f"{view}.csv",
        ]
    return out


def publish_all(
    con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str, force: bool = False
) -> StageResult:
    """Publish (step `publish` of meta.run_step), or skip it when the content and the
    files are unchanged since the last publication."""
    result = StageResult("publish")
    _remove_stale_temps(settings)
    con.execute("checkpoint")
    fp = content_fingerprint(con, settings)
    last = runs.last_good_step(con, "publish")
    views = [v for v, _ in analytics_views(con)]
    if (
        not force
        and last is not None
        and last.fingerprint == fp
        and all(p.exists() for p in _outputs(settings, views))
    ):
        result.cached = True
        result.figures = {"published": str(settings.published_db), "views": len(views)}
        runs.record_cached(con, run_id, "publish", fp, {**result.figures, "cached_from": last.run_id})
        log.info(
            "publish: isi analytics tidak berubah sejak run %s, publikasi tetap (content unchanged, not rewritten)",
            last.run_id,
        )
        return result
    with runs.step(con, run_id, "publish", fp) as detail:
        started = time.perf_counter()
        path = publish(settings, con)
        result.figures = {"published": str(path), "views": len(views)}
        detail.update(result.figures)
        detail["seconds"] = round(time.perf_counter() - started, 3)
    return result


def _remove_stale_temps(settings: Settings) -> None:
    final = settings.published_db
    files.remove_stale_temps(final.parent, f".{final.name}.*.tmp*")
    files.remove_stale_temps(settings.processed_dir / PARQUET_DIR, ".*.parquet.*.tmp*")
    for ext in ("csv", "parquet"):
        files.remove_stale_temps(settings.processed_dir / EXPORT_DIR, f".*.{ext}.*.tmp*")


def _pause_for_tests(tmp: Path) -> None:
    seconds = float(os.environ.get(PAUSE_ENV) or 0)
    if seconds > 0:
        print(f"SELARAS_PUBLISH_PAUSED {tmp}", file=sys.stderr, flush=True)
        time.sleep(seconds)


def _write_database(con: duckdb.DuckDBPyConnection, tmp: Path, views: list, storage: str | None) -> None:
    try:
        database.write_database(con, tmp, views, storage)
    except duckdb.Error as exc:
        if not storage or "storage" not in str(exc).lower() or files.is_disk_full(exc):
            raise
        # A type or feature the old format cannot hold: publish in the native format
        # (readable by DuckDB 2.x only) rather than not at all.
        log.warning("publish: storage version %s refused (%s); writing DuckDB's native format", storage, exc)
        files.cleanup([tmp])
        database.write_database(con, tmp, views, None)


def publish(settings: Settings, con: duckdb.DuckDBPyConnection) -> Path:
    """Materialise every analytics view into processed/selaras.duckdb, processed/parquet/
    and processed/export/, atomically. Returns the published database's path."""
    final = settings.published_db
    final.parent.mkdir(parents=True, exist_ok=True)
    parquet_dir = settings.processed_dir / PARQUET_DIR
    export_dir = settings.processed_dir / EXPORT_DIR
    _remove_stale_temps(settings)
    views = analytics_views(con)
    if not views:
        raise PublishError("Tidak ada view di skema analytics (no analytics views to publish).")
    names = [v for v, _ in views]
    tmp = files.temp_name(final)
    pairs: list[tuple[Path, Path]] = []
    started = time.perf_counter()
    try:
        _write_database(con, tmp, views, settings.publish_storage_version or None)
        files.fsync_file(tmp)
        export.write_files(con, tmp, names, parquet_dir, export_dir, pairs)
        _pause_for_tests(tmp)
        os.replace(tmp, final)
        for part_tmp, part_final in pairs:
            os.replace(part_tmp, part_final)
        export.remove_withdrawn(export_dir, names)
        for folder in (final.parent, parquet_dir, export_dir):
            files.fsync_dir(folder)
    except BaseException as exc:
        files.cleanup([tmp, *(t for t, _ in pairs)])
        _raise_clearly(exc, final)
        raise
    log.info(
        "publish: %d tables to %s, %s and %s in %.1f s",
        len(views),
        final,
        parquet_dir,
        export_dir,
        time.perf_counter() - started,
    )
    return final


def _raise_clearly(exc: BaseException, final: Path) -> None:
    """Turn a full disk or a file held open (Windows) into a message planners can act on."""
    if files.is_disk_full(exc):
        raise PublishError(
            f"Disk penuh saat menerbitkan {final} (disk full while publishing: {exc}). "
            "Publikasi sebelumnya tetap utuh; kosongkan ruang disk lalu jalankan lagi."
        ) from exc
    if isinstance(exc, PermissionError):
        raise PublishError(
            f"Tidak bisa mengganti {final} (cannot replace the published file: {exc}). "
            "Di Windows, tutup dulu aplikasi yang membukanya. Publikasi sebelumnya tetap utuh."
        ) from exc
