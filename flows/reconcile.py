"""Prefect flow `reconcile`: the whole chain, the nightly job.

ingest -> validate -> match -> reconcile -> report, then publish processed/selaras.duckdb
and Parquet for analysts. Stages whose inputs did not change since their last success
are skipped (their previous result stands), so a re-run with nothing new is quick.
"""

from __future__ import annotations

from prefect import flow

from flows.common import default_task_runner, run_flow
from selaras.pipeline import STAGES
from selaras.runs import StageResult


@flow(name="reconcile", log_prints=True, task_runner=default_task_runner())
def reconcile_flow(
    data_dir: str = "data",
    tahun: int | None = None,
    opd: str | None = None,
    files: list[str] | None = None,
    force: bool = False,
) -> list[StageResult]:
    """Run the whole reconciliation and publish it; returns each stage's result.

    data_dir: folder holding raw/ and processed/; tahun: plan year (default: from the files);
    opd: show only this OPD in the run's tables; files: spreadsheets to bring into
    raw/<kind>/ first (the folder a file sits in names its kind); force: redo every stage
    even when its inputs are unchanged.
    """
    return run_flow("reconcile", STAGES, True, data_dir, tahun, opd, files, force)
