"""Prefect flow `reconcile`: the whole chain, the nightly job.

ingest -> validate -> match -> reconcile -> report, then publish processed/selaras.duckdb
and Parquet for analysts. Stages whose inputs did not change since their last success
are skipped (their previous result stands), so a re-run with nothing new is quick.

May import: flows.common and selaras.pipeline (the stage order).
"""

from __future__ import annotations

from flows.common import selaras_flow
from selaras.pipeline import STAGE_NAMES

reconcile_flow = selaras_flow(
    "reconcile",
    STAGE_NAMES,
    publish=True,
    module=__name__,
    summary="Run the whole reconciliation and publish it; returns each stage's result.",
)
