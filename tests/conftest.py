"""Shared fixtures: a throw-away data folder with a migrated warehouse, and the real
reference data in ../shared/data (tests that need it skip cleanly when it is absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SELARAS_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present on this machine")
    return SHARED_DATA


@pytest.fixture
def settings(tmp_path: Path):
    from selaras.settings import Settings

    s = Settings(data_dir=tmp_path / "data", lock_retries=2, lock_wait_seconds=0.1)
    s.ensure_dirs()
    return s


@pytest.fixture
def con(settings):
    from selaras import warehouse

    c = warehouse.connect(settings)
    yield c
    c.close()
