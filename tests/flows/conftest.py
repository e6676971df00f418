"""Shared fixtures for the orchestration tests.

ONE Prefect test harness per pytest session (starting one takes 20-30 s on a loaded
machine): request `prefect_harness` only in tests that run a real flow. Prefect is
pointed at a throw-away home, offline and without its UI, before it is first imported.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="selaras-prefect-home-"))
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_SERVER_UI_ENABLED", "false")
os.environ.setdefault("PREFECT_UI_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def fake_stages(monkeypatch):
    """Stand-in stages that count the raw files and record each call, so orchestration is
    tested apart from the stages other helpers build (those have their own tests; the
    slow end-to-end test runs the real ones)."""
    from selaras import pipeline
    from selaras.runs import StageResult

    calls: list[str] = []

    def make(name):
        def stage(con, settings, run_id, map_fn=map):
            calls.append(name)
            result = StageResult(name)
            files = sorted(
                p.relative_to(settings.raw_dir).as_posix() for p in settings.raw_dir.rglob("*") if p.is_file()
            )
            result.figures["files"] = len(files)
            result.figures["map_fn"] = getattr(map_fn, "__name__", "?")
            if name == "match":  # exercises the map the orchestration hands in
                parts = [sorted(f) for f in files] or [[3, 1, 2], [9, 8]]
                result.figures["mapped"] = repr(list(map_fn(sorted, parts)))
            return result

        return stage

    monkeypatch.setattr(pipeline, "stage_function", make)
    # The real validate warm-up would start Great Expectations' process for stand-in stages.
    monkeypatch.setattr("selaras.validate.stage.warm_up", lambda settings: None)
    return calls


@pytest.fixture
def warm_ups(fake_stages, monkeypatch) -> list[str]:
    """The warm-ups the pipeline calls (selaras.pipeline.WARM_UPS), recorded, not run."""
    called: list[str] = []
    monkeypatch.setattr("selaras.validate.stage.warm_up", lambda settings: called.append("validate"))
    return called


@pytest.fixture
def write_raw():
    def write(settings, kind: str, name: str, text: str) -> Path:
        path = settings.raw_dir / kind / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write
