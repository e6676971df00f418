"""Run bookkeeping: every pipeline run and each of its steps is recorded in meta.run /
meta.run_step, so `selaras status`, the run-to-run diff and the Prefect artifacts agree."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import duckdb


def new_run_id() -> str:
    # Sortable by time, unique across processes.
    return datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


def start_run(con: duckdb.DuckDBPyConnection, tahun: int | None, trigger: str, run_id: str | None = None) -> str:
    run_id = run_id or new_run_id()
    con.execute(
        "insert or replace into meta.run (run_id, started_at, status, tahun, trigger) values (?, ?, 'running', ?, ?)",
        [run_id, datetime.now(), tahun, trigger],
    )
    return run_id


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, message: str | None = None) -> None:
    con.execute(
        "update meta.run set finished_at = ?, status = ?, message = ? where run_id = ?",
        [datetime.now(), status, message, run_id],
    )


@contextmanager
def step(con: duckdb.DuckDBPyConnection, run_id: str, name: str) -> Iterator[dict[str, Any]]:
    """Record a step; the caller fills the yielded dict with the step's figures."""
    detail: dict[str, Any] = {}
    con.execute(
        "insert or replace into meta.run_step (run_id, step, started_at, status) values (?, ?, ?, 'running')",
        [run_id, name, datetime.now()],
    )
    try:
        yield detail
    except BaseException as exc:
        detail.setdefault("error", str(exc))
        _end_step(con, run_id, name, "failed", detail)
        raise
    _end_step(con, run_id, name, detail.pop("_status", "success"), detail)


def _end_step(con: duckdb.DuckDBPyConnection, run_id: str, name: str, status: str, detail: dict) -> None:
    con.execute(
        "update meta.run_step set finished_at = ?, status = ?, detail = ? where run_id = ? and step = ?",
        [datetime.now(), status, json.dumps(detail, default=str), run_id, name],
    )


class StageResult:
    """What a stage reports: figures for logs and artifacts, and problems for planners.
    `failed` means the run must exit non-zero (e.g. a file could not be ingested), not
    that the stage crashed: a crash is an exception and rolls the stage back."""

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self.figures: dict[str, Any] = {}
        self.problems: list[str] = []
        self.failed = False

    def problem(self, message: str, fatal: bool = True) -> None:
        self.problems.append(message)
        self.failed = self.failed or fatal

    def as_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "failed": self.failed, "figures": self.figures, "problems": self.problems}
