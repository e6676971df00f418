"""Fixtures of the reliability suite: settings for a throw-away data folder, a guard that
records (and refuses) every network connection and DNS look-up, and one combined run of
the whole pipeline over the sample data plus the hostile corpus, shared by the tests
that only read its outcome."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import pytest
from reliability_support import NetworkLog, make_settings, no_network, outside_listing, record_duckdb_connects

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

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
    cwd_after: list[str]


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
    cwd = root / "cwd"  # the run's working directory: must stay empty
    cwd.mkdir()
    before = outside_listing(root, data)
    started = time.perf_counter()
    results, error = None, None
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        with no_network() as network, record_duckdb_connects() as connects:
            try:
                results = run_all(settings, trigger="test")
            except Exception as exc:  # kept for the tests to report
                error = exc
    finally:
        os.chdir(previous)
    return CombinedRun(
        settings,
        cases,
        results,
        error,
        network,
        connects,
        time.perf_counter() - started,
        before,
        outside_listing(root, data),
        sorted(p.name for p in cwd.iterdir()),
    )


@pytest.fixture
def corpus_con(corpus_run):
    import duckdb

    if corpus_run.error is not None:
        pytest.fail(
            f"the combined run over sample + corpus raised: {type(corpus_run.error).__name__}: "
            f"{corpus_run.error}"
        )
    con = duckdb.connect(str(corpus_run.settings.private_db), read_only=True)
    yield con
    con.close()
