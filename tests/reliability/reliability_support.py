"""Helpers of the reliability suite (imported by its conftest and tests; a module name of
its own, so it never clashes with another folder's conftest)."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def make_settings(data_dir: Path, **overrides: Any):
    from selaras.settings import Settings

    overrides.setdefault("lock_retries", 2)
    overrides.setdefault("lock_wait_seconds", 0.1)
    settings = Settings(data_dir=data_dir, **overrides)
    settings.ensure_dirs()
    return settings


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Environment of a `selaras` subprocess on `data_dir`: offline, quiet."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELARAS_")}
    env.update(
        SELARAS_DATA_DIR=str(data_dir),
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        GX_ANALYTICS_ENABLED="false",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


# --------------------------------------------------------------------------- network guard


def _is_local(host: Any) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    host = str(host)
    if host in ("localhost", "", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@dataclass
class NetworkLog:
    attempts: list[str] = field(default_factory=list)


@contextmanager
def no_network(monkeypatch: pytest.MonkeyPatch | None = None) -> Iterator[NetworkLog]:
    """Refuse (and record) every connection to a non-loopback address and every DNS
    look-up of a non-local name made in this process while the block runs."""
    log = NetworkLog()
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def target(sock: socket.socket, address: Any) -> str | None:
        if sock.family == getattr(socket, "AF_UNIX", None):
            return None
        host = address[0] if isinstance(address, tuple) else address
        return None if _is_local(host) else f"connect {address!r}"

    def connect(sock, address):
        if (what := target(sock, address)) is not None:
            log.attempts.append(what)
            raise ConnectionRefusedError(f"reliability test: no network at run time ({what})")
        return real_connect(sock, address)

    def connect_ex(sock, address):
        if (what := target(sock, address)) is not None:
            log.attempts.append(what)
            return 111  # ECONNREFUSED
        return real_connect_ex(sock, address)

    def getaddrinfo(host, *args, **kwargs):
        if not _is_local(host):
            log.attempts.append(f"dns {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, f"reliability test: no DNS at run time ({host})")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    socket.getaddrinfo = getaddrinfo
    try:
        yield log
    finally:
        socket.socket.connect, socket.socket.connect_ex = real_connect, real_connect_ex
        socket.getaddrinfo = real_getaddrinfo


@contextmanager
def record_duckdb_connects() -> Iterator[list[tuple[str, bool]]]:
    """Every duckdb.connect(path, read_only) made in this process while the block runs."""
    import duckdb

    calls: list[tuple[str, bool]] = []
    real = duckdb.connect

    def connect(database: Any = ":memory:", read_only: bool = False, *args, **kwargs):
        calls.append((str(database), bool(read_only)))
        return real(database, read_only, *args, **kwargs)

    duckdb.connect = connect
    try:
        yield calls
    finally:
        duckdb.connect = real


def outside_listing(root: Path, data: Path) -> set[str]:
    """Everything under `root` that is not inside the data folder `data`."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if not p.is_relative_to(data)}


# --------------------------------------------------------------------------- comparing publications

#: Published tables that describe the run itself, not its results.
RUN_TABLES = {"runs", "publication"}
_VOLATILE = (
    "run_id",
    "previous_run_id",
    "published_at",
    "ingested_at",
    "validated_at",
    "decided_at",
    "started_at",
    "finished_at",
    "seconds",
)


def _normal(value: Any, data_dir: str) -> Any:
    if isinstance(value, str):
        return value.replace(data_dir, "<data>")
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, list | tuple):
        return tuple(_normal(v, data_dir) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _normal(v, data_dir)) for k, v in value.items()))
    return value


def published_snapshot(path: Path, data_dir: Path) -> dict[str, list[tuple]]:
    """The analysts' tables of a publication, comparable across runs and data folders:
    run ids and timestamps dropped, the data folder's path masked, rows sorted."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'analytics' order by 1"
            ).fetchall()
            if t not in RUN_TABLES
        ]
        out = {}
        for table in tables:
            cols = [
                c
                for (c,) in con.execute(
                    "select column_name from duckdb_columns() where schema_name = 'analytics' and table_name = ? "
                    "order by column_index",
                    [table],
                ).fetchall()
                if c not in _VOLATILE
            ]
            select = ", ".join('"' + c.replace('"', '""') + '"' for c in cols)
            rows = con.execute(f'select {select} from analytics."{table}"').fetchall()  # noqa: S608 - catalog names
            out[table] = sorted((tuple(_normal(v, str(data_dir)) for v in row) for row in rows), key=repr)
        return out
    finally:
        con.close()


def snapshot_differences(got: dict[str, list[tuple]], want: dict[str, list[tuple]]) -> list[str]:
    problems = []
    for table in sorted(set(got) | set(want)):
        a, b = got.get(table), want.get(table)
        if a is None or b is None:
            problems.append(f"{table}: only in {'the reference' if a is None else 'this run'}")
        elif a != b:
            extra = [r for r in a if r not in b][:2]
            missing = [r for r in b if r not in a][:2]
            problems.append(
                f"{table}: {len(a)} rows vs {len(b)} in the reference; e.g. extra {extra}, missing {missing}"
            )
    return problems


# --------------------------------------------------------------------------- a CLI run to kill

#: Runs `selaras run --no-prefect` (the CLI's own code path) and announces on stderr each
#: step as it starts, so a test can kill the process inside a chosen stage.
DRIVER = r"""
import sys
from selaras import pipeline
from selaras.cli import app

def announce(event, step, result):
    if event == "start":
        print(f"SELARAS_STEP_START {step}", file=sys.stderr, flush=True)

with pipeline.observe(announce):
    try:
        app(["run", "--no-prefect", *sys.argv[1:]], standalone_mode=False)
    except SystemExit as exc:
        sys.exit(exc.code)
"""


class StepWatcher:
    """A `selaras run` subprocess whose stderr lines are collected by a thread."""

    def __init__(self, data_dir: Path, *args: str, **env: str) -> None:
        import queue
        import subprocess
        import sys
        import threading

        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-c", DRIVER, *args],
            env=cli_env(data_dir, **env),
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

        def pump() -> None:
            for line in self.proc.stderr:
                self.lines.put(line.rstrip("\n"))
            self.lines.put(None)

        self.thread = threading.Thread(target=pump, daemon=True)
        self.thread.start()

    def wait_for(self, marker: str, timeout: float) -> bool:
        """True when a stderr line starting with `marker` arrived; False when the process
        ended first or the time ran out."""
        import queue
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                return False
            if line is None:
                return False
            self.seen.append(line)
            if line.startswith(marker):
                return True
        return False

    def kill(self) -> int:
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        return self.proc.wait(timeout=60)

    def finish(self, timeout: float) -> int:
        code = self.proc.wait(timeout=timeout)
        self.thread.join(timeout=10)
        while not self.lines.empty():
            line = self.lines.get()
            if line is not None:
                self.seen.append(line)
        return code
