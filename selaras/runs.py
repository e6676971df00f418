"""Run bookkeeping: every pipeline run and each of its steps is recorded in meta.run /
meta.run_step, so `selaras status`, the run-to-run diff and the Prefect artifacts agree.

Also here, because they are about runs rather than about any one stage:
- the run lock (one run at a time per data folder, across processes),
- input fingerprints (a step whose inputs did not change since its last success is skipped).

May import: the standard library and duckdb only (the shared layer: every stage uses it).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import socket
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

# --------------------------------------------------------------------------- results


class StageResult:
    """What a stage reports: figures for logs and artifacts, and problems for planners.
    `failed` means the run must exit non-zero (e.g. a file could not be ingested), not
    that the stage crashed: a crash is an exception and rolls the stage back.
    `cached` means the stage was skipped because its inputs were unchanged; figures and
    problems are then those of the run that did the work."""

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self.figures: dict[str, Any] = {}
        self.problems: list[str] = []
        self.failed = False
        self.cached = False
        self.seconds: float | None = None

    def problem(self, message: str, fatal: bool = True) -> None:
        self.problems.append(message)
        self.failed = self.failed or fatal

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "failed": self.failed,
            "figures": self.figures,
            "problems": self.problems,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StageResult:
        result = cls(data.get("stage", "?"))
        result.figures = dict(data.get("figures") or {})
        result.problems = list(data.get("problems") or [])
        result.failed = bool(data.get("failed"))
        return result

    def __repr__(self) -> str:
        flags = " failed" if self.failed else ""
        flags += " cached" if self.cached else ""
        return f"<StageResult {self.stage}{flags} figures={self.figures} problems={len(self.problems)}>"


# --------------------------------------------------------------------------- meta.run


def new_run_id() -> str:
    # Sortable by time, unique across processes.
    return datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


def start_run(
    con: duckdb.DuckDBPyConnection, tahun: int | None, trigger: str, run_id: str | None = None
) -> str:
    run_id = run_id or new_run_id()
    con.execute(
        "insert or replace into meta.run (run_id, started_at, status, tahun, trigger, pid, host) "
        "values (?, ?, 'running', ?, ?, ?, ?)",
        [run_id, datetime.now(), tahun, trigger, os.getpid(), socket.gethostname()],
    )
    return run_id


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, message: str | None = None) -> None:
    con.execute(
        "update meta.run set finished_at = ?, status = ?, message = ? where run_id = ?",
        [datetime.now(), status, message, run_id],
    )


def mark_interrupted(con: duckdb.DuckDBPyConnection) -> int:
    """Runs (or steps, e.g. a publish after the outcome was recorded) still 'running'
    while we hold the run lock were killed (power cut, SIGKILL): say so, rather than leave
    them running forever. Only call while holding the lock."""
    rows = con.execute(
        "update meta.run set status = 'interrupted', finished_at = coalesce(finished_at, ?), "
        "message = 'Run terhenti sebelum selesai (interrupted: the process ended)' "
        "    || coalesce(' saat ' || (select string_agg(step, ', ') from meta.run_step s "
        "                             where s.run_id = run.run_id and s.status = 'running'), '') "
        "where status = 'running' "
        "   or run_id in (select run_id from meta.run_step where status = 'running') returning run_id",
        [datetime.now()],
    ).fetchall()
    con.execute(
        "update meta.run_step set status = 'failed', detail = coalesce(detail, '{}') "
        "where status = 'running' and run_id in (select run_id from meta.run where status = 'interrupted')"
    )
    return len(rows)


# --------------------------------------------------------------------------- meta.run_step


@contextmanager
def step(
    con: duckdb.DuckDBPyConnection, run_id: str, name: str, fingerprint: str | None = None
) -> Iterator[dict[str, Any]]:
    """Record a step; the caller fills the yielded dict with the step's figures
    (and may set `_status`, e.g. 'problems')."""
    detail: dict[str, Any] = {}
    started = time.perf_counter()
    con.execute(
        "insert or replace into meta.run_step (run_id, step, started_at, status, fingerprint) "
        "values (?, ?, ?, 'running', ?)",
        [run_id, name, datetime.now(), fingerprint],
    )
    try:
        yield detail
    except BaseException as exc:
        detail.setdefault("error", f"{type(exc).__name__}: {exc}")
        _end_step(con, run_id, name, "failed", detail, time.perf_counter() - started)
        raise
    _end_step(con, run_id, name, detail.pop("_status", "success"), detail, time.perf_counter() - started)


def record_cached(
    con: duckdb.DuckDBPyConnection, run_id: str, name: str, fingerprint: str, detail: dict[str, Any]
) -> None:
    now = datetime.now()
    con.execute(
        "insert or replace into meta.run_step (run_id, step, started_at, finished_at, status, detail, "
        "fingerprint, seconds) values (?, ?, ?, ?, 'cached', ?, ?, 0)",
        [run_id, name, now, now, json.dumps(detail, default=str), fingerprint],
    )


def _end_step(
    con: duckdb.DuckDBPyConnection, run_id: str, name: str, status: str, detail: dict, seconds: float
) -> None:
    con.execute(
        "update meta.run_step set finished_at = ?, status = ?, detail = ?, seconds = ? "
        "where run_id = ? and step = ?",
        [datetime.now(), status, json.dumps(detail, default=str), seconds, run_id, name],
    )


@dataclass(frozen=True)
class StepRecord:
    run_id: str
    fingerprint: str | None
    status: str
    detail: dict[str, Any]


def last_good_step(con: duckdb.DuckDBPyConnection, name: str) -> StepRecord | None:
    """The latest step of this name that left its work in the database (a failed step
    rolled back, so it does not count): its fingerprint describes what the tables hold."""
    row = con.execute(
        "select run_id, fingerprint, status, detail from meta.run_step "
        "where step = ? and status in ('success', 'problems', 'cached') "
        "order by finished_at desc nulls last, started_at desc limit 1",
        [name],
    ).fetchone()
    if row is None:
        return None
    return StepRecord(row[0], row[1], row[2], json.loads(row[3]) if row[3] else {})


# --------------------------------------------------------------------------- fingerprints


def _ignored(path: Path) -> bool:
    # Hidden files and Excel's owner files (~$x.xlsx, present while a planner has the
    # workbook open) are not inputs.
    return path.name.startswith((".", "~$"))


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tree_digest(root: Path, folders: Iterable[str]) -> tuple[str, int]:
    """Content hash of every file under root/<folder>/ (recursively), with its relative
    path, so renaming or moving a file counts as a change. Returns (digest, file count)."""
    h = hashlib.sha256()
    count = 0
    for folder in sorted(folders):
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file() and not _ignored(p)):
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + file_digest(path).encode() + b"\n")
            count += 1
    return h.hexdigest(), count


_CODE_DIGEST: str | None = None
_CODE_SUFFIXES = {".py", ".sql", ".yaml", ".yml", ".json", ".csv", ".txt", ".html", ".j2", ".jinja"}
#: Modules that only present results; changing them does not change any stage's output.
_NOT_CODE = {"cli.py", "status.py"}


def code_digest() -> str:
    """Hash of the package's own source (and the warehouse SQL): an upgrade that changes
    any of it invalidates every cached step. Computed once per process."""
    global _CODE_DIGEST
    if _CODE_DIGEST is None:
        from selaras.settings import PACKAGE_DIR, sql_dir

        h = hashlib.sha256()
        for base in (PACKAGE_DIR, sql_dir()):
            for path in sorted(base.rglob("*")):
                if (
                    path.is_file()
                    and path.suffix in _CODE_SUFFIXES
                    and "__pycache__" not in path.parts
                    and path.relative_to(base).as_posix() not in _NOT_CODE
                ):
                    h.update(path.relative_to(base).as_posix().encode() + b"\0")
                    h.update(hashlib.sha256(path.read_bytes()).digest())
        _CODE_DIGEST = h.hexdigest()
    return _CODE_DIGEST


def fingerprint(**parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


# --------------------------------------------------------------------------- the run lock


class RunLocked(RuntimeError):
    """Another run holds this data folder."""


_HELD: dict[str, list] = {}  # lock path -> [file object, depth]: the lock is re-entrant in a process


def _try_lock(fh) -> bool:
    try:
        import fcntl

        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False


def lock_holder(path: Path) -> dict[str, Any] | None:
    """Who holds the run lock, or None when nobody does (the OS frees the lock when its
    process dies, so a killed run never leaves a stale lock behind)."""
    if not path.exists():
        return None
    key = str(path.resolve())
    if key in _HELD:
        return _read_lock_info(path)
    with path.open("a+") as fh:
        if _try_lock(fh):
            _unlock(fh)
            return None
    return _read_lock_info(path) or {"pid": "?"}


def _read_lock_info(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        return None


def _unlock(fh) -> None:
    try:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    except ImportError:  # Windows
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)


@contextmanager
def run_lock(path: Path, retries: int, wait_seconds: float, what: str = "run") -> Iterator[None]:
    """Hold the data folder's run lock. A second run waits (bounded: `retries` times,
    doubling the wait) and is then refused with a message that says who holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = str(path.resolve())
    if key in _HELD:  # the CLI took it and now runs the flow in the same process
        _HELD[key][1] += 1
        try:
            yield
        finally:
            _HELD[key][1] -= 1
        return
    fh = path.open("a+")
    wait = wait_seconds
    for attempt in range(max(1, retries) + 1):
        if _try_lock(fh):
            break
        if attempt == max(1, retries):
            holder = _read_lock_info(path) or {}
            fh.close()
            raise RunLocked(
                f"Run lain sedang berjalan pada folder data ini (another run holds {path}: "
                f"pid {holder.get('pid', '?')}, {holder.get('what', '?')}, mulai {holder.get('since', '?')}). "
                "Tunggu sampai selesai (lihat `selaras status`), lalu coba lagi."
            )
        time.sleep(wait)
        wait *= 2
    fh.seek(0)
    fh.truncate()
    fh.write(
        json.dumps(
            {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "what": what,
                "since": datetime.now().isoformat(timespec="seconds"),
            }
        )
    )
    fh.flush()
    _HELD[key] = [fh, 1]
    try:
        yield
    finally:
        del _HELD[key]
        try:
            fh.seek(0)
            fh.truncate()
            fh.flush()
        finally:
            _unlock(fh)
            fh.close()


# --------------------------------------------------------------------------- log files

LOGS_KEPT = 50
_LOGGERS = ("selaras", "prefect", "distributed")


def logging_to_file() -> bool:
    """Whether a run log file is already being written in this process."""
    return any(getattr(h, "_selaras_run_log", False) for h in logging.getLogger("selaras").handlers)


@contextmanager
def log_file(state_dir: Path, command: str) -> Iterator[Path]:
    """Write selaras' and Prefect's log lines (INFO and up) to
    state/logs/selaras-<time>-<command>.log while the block runs; keep the newest LOGS_KEPT."""
    folder = state_dir / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    for old in sorted(folder.glob("selaras-*.log"))[:-LOGS_KEPT]:
        old.unlink(missing_ok=True)
    path = folder / f"selaras-{datetime.now():%Y%m%dT%H%M%S}-{command}.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    handler._selaras_run_log = True  # type: ignore[attr-defined]
    levels = {}
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        levels[name] = logger.level
        logger.addHandler(handler)
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
    try:
        yield path
    finally:
        for name in _LOGGERS:
            logger = logging.getLogger(name)
            logger.removeHandler(handler)
            logger.setLevel(levels[name])
        handler.close()
