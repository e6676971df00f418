"""Publish the analytics views for analysts. (Skeleton: replaced by the real implementation.)"""

from __future__ import annotations

from pathlib import Path

import duckdb

from selaras.settings import Settings


def publish(settings: Settings, con: duckdb.DuckDBPyConnection) -> Path:
    return settings.published_db
