"""Stage: ingest. (Skeleton: replaced by the real implementation.)"""

from __future__ import annotations

import duckdb

from selaras.runs import StageResult
from selaras.settings import Settings


def ingest_all(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str) -> StageResult:
    return StageResult("ingest")
