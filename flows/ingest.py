"""Prefect flow `ingest`: one stage, on demand. Load new or changed spreadsheets under raw/<kind>/ into the warehouse (unchanged files are skipped).

May import: flows.common only.
"""

from __future__ import annotations

from flows.common import selaras_flow

ingest_flow = selaras_flow(
    "ingest",
    ("ingest",),
    publish=False,
    module=__name__,
    summary="Load new or changed spreadsheets under raw/<kind>/ into the warehouse (unchanged files are skipped).",
)
