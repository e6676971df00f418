"""Fixtures of the reliability suite: settings for a throw-away data folder, a guard that
records (and refuses) every network connection and DNS look-up, and one combined run of
the whole pipeline over the sample data plus the hostile corpus, shared by the tests
that only read its outcome."""

from __future__ import annotations

import ipaddress
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

REPO = Path(__file__).resolve().parents[2]


def make_settings(data_dir: Path, **overrides: Any):
    from selaras.settings import Settings

    settings = Settings(data_dir=data_dir, lock_retries=2, lock_wait_seconds=0.1, **overrides)
    settings.ensure_dirs()
    return settings


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Environment of a `selaras` subprocess on `data_dir`: offline, quiet."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELARAS_")}
    env.update(SELARAS_DATA_DIR=str(data_dir), DO_NOT_TRACK="1", PREFECT_SERVER_ANALYTICS_ENABLED="false",
               GX_ANALYTICS_ENABLED="false", PYTHONUNBUFFERED="1", **extra)
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


# --------------------------------------------------------------------------- the combined run


@dataclass
class CombinedRun:
    settings: Any
    cases: list
    results: list | None
    error: BaseException | None
    network: NetworkLog
    connects: list[tuple[str, bool]]
    seconds: float
    outside_before: set[str]
    outside_after: set[str]


def outside_listing(root: Path, data: Path) -> set[str]:
    """Everything under `root` that is not inside the data folder `data`."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if not p.is_relative_to(data)}


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory) -> CombinedRun:
    """The sample data set plus every hostile file of the corpus, through the whole
    pipeline (in process, no Prefect) with the network refused and duckdb.connect watched.
    A run that raises is kept (error) so each test can say what it needed."""
    from hostile_corpus import build_corpus

    from selaras.pipeline import run_all
    from selaras.sample import write_sample

    root = tmp_path_factory.mktemp("corpus-run")
    data = root / "data"
    write_sample(data)
    settings = make_settings(data)
    cases = build_corpus(settings.raw_dir)
    outside = root / "outside"
    outside.mkdir()
    (outside / "rahasia.xlsx").write_bytes(b"not for the pipeline")
    os.symlink(outside / "rahasia.xlsx", settings.raw_dir / "renja" / "tautan_keluar.xlsx")
    before = outside_listing(root, data)
    started = time.perf_counter()
    results, error = None, None
    with no_network() as network, record_duckdb_connects() as connects:
        try:
            results = run_all(settings, trigger="test")
        except Exception as exc:  # kept for the tests to report
            error = exc
    return CombinedRun(settings, cases, results, error, network, connects, time.perf_counter() - started,
                       before, outside_listing(root, data))


@pytest.fixture
def corpus_con(corpus_run):
    import duckdb

    if corpus_run.error is not None:
        pytest.fail(f"the combined run over sample + corpus raised: {type(corpus_run.error).__name__}: "
                    f"{corpus_run.error}")
    con = duckdb.connect(str(corpus_run.settings.private_db), read_only=True)
    yield con
    con.close()
