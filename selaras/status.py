"""What happened in the last runs, read back for people: `selaras status` in a terminal and
the Prefect artifacts (a markdown summary and key tables) in the UI.

Reading never gets in a run's way: the private database is opened read-only and only
for a moment; while a run holds it (or when it does not exist yet) the published file,
which nobody writes in place, answers instead.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from selaras import runs
from selaras.runs import StageResult
from selaras.settings import Settings

log = logging.getLogger("selaras.status")

#: Statuses of a finished run that make `selaras status` exit non-zero.
BAD_RUN = {"failed", "problems", "interrupted"}


@dataclass
class Status:
    source: str  # warehouse / published / none
    note: str | None = None  # why the source is not the warehouse
    holder: dict[str, Any] | None = None  # the live run holding the lock, if any
    runs: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)  # steps of the newest run
    files: dict[str, int] = field(default_factory=dict)  # ingest_file status -> count
    failed_files: list[dict[str, Any]] = field(default_factory=list)

    @property
    def last_finished(self) -> dict[str, Any] | None:
        return next((r for r in self.runs if r["status"] != "running"), None)

    @property
    def failing(self) -> bool:
        last = self.last_finished
        return bool(last and last["status"] in BAD_RUN)


def _rows(con, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def read_status(settings: Settings, limit: int = 5) -> Status:
    import duckdb

    holder = runs.lock_holder(settings.state_dir / "run.lock")
    con, source, note = None, "none", None
    if settings.private_db.exists():
        try:
            con = duckdb.connect(str(settings.private_db), read_only=True)
            source = "warehouse"
        except duckdb.Error as exc:
            note = (
                f"basis data kerja sedang dipakai run lain (the private database is busy: {str(exc)[:120]})"
            )
    else:
        note = "belum ada run (no run yet: the private database does not exist)"
    if con is None and settings.published_db.exists():
        try:
            con = duckdb.connect(str(settings.published_db), read_only=True)
            source = "published"
        except duckdb.Error as exc:
            note = f"{note}; publikasi tidak terbaca ({exc})"
    status = Status(source=source, note=note, holder=holder)
    if con is None:
        return status
    try:
        if source == "warehouse":
            _read_warehouse(con, status, limit)
        else:
            _read_published(con, status, limit)
    except duckdb.Error as exc:  # an old or partial database: say so, do not crash
        status.note = f"{status.note or ''} (tidak lengkap: {exc})".strip()
    finally:
        con.close()
    return status


def _read_warehouse(con, status: Status, limit: int) -> None:
    status.runs = _rows(
        con,
        "select run_id, started_at, finished_at, status, tahun, trigger, message "
        "from meta.run order by started_at desc limit ?",
        [limit],
    )
    if status.runs:
        status.steps = _rows(
            con,
            "select step, status, seconds, fingerprint, detail from meta.run_step "
            "where run_id = ? order by started_at",
            [status.runs[0]["run_id"]],
        )
        for s in status.steps:
            detail = json.loads(s.pop("detail") or "{}")
            s["problems"] = len(detail.get("problems") or [])
            s["error"] = detail.get("error")
    _read_files(con, status, "raw.ingest_file")


def _read_published(con, status: Status, limit: int) -> None:
    status.runs = _rows(
        con,
        "select run_id, started_at, finished_at, status, tahun, trigger, message "
        "from analytics.runs order by started_at desc limit ?",
        [limit],
    )
    _read_files(con, status, "analytics.ingest_files")


def _read_files(con, status: Status, table: str) -> None:
    # table is one of two code constants above.
    status.files = dict(con.execute(f"select status, count(*) from {table} group by 1 order by 1").fetchall())  # noqa: S608
    status.failed_files = _rows(
        con,
        f"select source_file, reason, ingested_at from {table} where status = 'failed' "  # noqa: S608
        "order by ingested_at desc limit 20",
    )


# --------------------------------------------------------------------------- run summary


#: (key, title, SQL) of the key tables shown with a run. `?` is the OPD filter (or null).
KEY_TABLES: tuple[tuple[str, str, str], ...] = (
    (
        "ingest-files",
        "Berkas masukan (input files)",
        "select source_file, kind, status, rows_read, rows_staged, rows_skipped, reason "
        "from raw.ingest_file where status <> 'superseded' and (?::varchar is null or opd ilike '%' || ? || '%') "
        "order by status = 'failed' desc, source_file",
    ),
    (
        "renja-status",
        "Renja: status keselarasan per OPD (alignment per OPD)",
        "select opd, status, count(*) as jumlah, sum(pagu) as pagu from analytics.renja_alignment "
        "where (?::varchar is null or opd ilike '%' || ? || '%') group by all order by opd, status",
    ),
    (
        "usulan-status",
        "Usulan: status akomodasi per saluran (proposals accommodated per channel)",
        "select channel, status, count(*) as jumlah from analytics.musrenbang_accommodation "
        "where (?::varchar is null or opd_tujuan ilike '%' || ? || '%') group by all order by channel, status",
    ),
    (
        "quarantine",
        "Karantina: pemeriksaan gagal per berkas (failed checks per file)",
        "select source_file, severity, count(*) as jumlah from analytics.quarantine "
        "where (?::varchar is null or file_opd ilike '%' || ? || '%') group by all order by jumlah desc limit 50",
    ),
)


def key_tables(
    settings: Settings, opd: str | None = None, limit: int = 200
) -> dict[str, tuple[str, list[dict]]]:
    """key -> (title, rows) for the Prefect table artifacts. A table whose view is not
    there yet (a stage not built) is left out rather than failing the run."""
    from selaras import warehouse

    out: dict[str, tuple[str, list[dict]]] = {}
    with warehouse.connected(settings) as con:
        for key, title, sql in KEY_TABLES:
            try:
                rows = _rows(con, sql, [opd, opd])[:limit]
            except Exception as exc:  # noqa: BLE001 - a summary must never fail a run
                log.debug("key table %s unavailable: %s", key, exc)
                continue
            out[key] = (title, [{k: _plain(v) for k, v in r.items()} for r in rows])
    return out


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, int | float | str | bool):
        return value
    return str(value)


def summary_markdown(
    run_id: str | None,
    status: str,
    results: list[StageResult],
    data_dir: str,
    published: str | None,
    error: str | None = None,
    opd: str | None = None,
) -> str:
    """A run's outcome for the Prefect UI, in words a planner reads."""
    icon = {"success": "✅", "problems": "⚠️", "failed": "❌"}.get(status, "•")
    lines = [
        f"# selaras run {run_id or ''}",
        "",
        f"**Status:** {icon} {status}  ",
        f"**Folder data:** `{data_dir}`  ",
    ]
    if opd:
        lines.append(f"**OPD:** {opd}  ")
    if published:
        lines.append(f"**Publikasi (published):** `{published}`  ")
    if error:
        lines += ["", f"**Galat (error):** {error}"]
    lines += ["", "| Tahap (stage) | Status | Detik | Angka (figures) | Masalah |", "|---|---|---:|---|---:|"]
    for r in results:
        state = "cached (masukan tidak berubah)" if r.cached else ("bermasalah" if r.failed else "ok")
        figures = ", ".join(f"{k}={v}" for k, v in r.figures.items() if not isinstance(v, dict | list))
        secs = f"{r.seconds:.1f}" if r.seconds is not None else ""
        lines.append(f"| {r.stage} | {state} | {secs} | {figures[:300]} | {len(r.problems)} |")
    problems = [(r.stage, p) for r in results for p in r.problems]
    if problems:
        lines += ["", "## Masalah (problems)", ""]
        lines += [f"- **{stage}**: {p}" for stage, p in problems[:100]]
        if len(problems) > 100:
            lines.append(
                f"- ... dan {len(problems) - 100} lainnya (see `selaras status` / analytics.quarantine)"
            )
    return "\n".join(lines)
