"""Prefect flow `match`: one stage, on demand. Match Renja rows to the RKPD and nomenclature, and proposals to Renja rows (partitioned by OPD; on a Dask cluster when the flow runs on DaskTaskRunner)."""

from __future__ import annotations

from prefect import flow

from flows.common import default_task_runner, run_flow
from selaras.runs import StageResult


@flow(name="match", log_prints=True, task_runner=default_task_runner())
def match_flow(
    data_dir: str = "data",
    tahun: int | None = None,
    opd: str | None = None,
    files: list[str] | None = None,
    force: bool = False,
) -> list[StageResult]:
    """Match Renja rows to the RKPD and nomenclature, and proposals to Renja rows (partitioned by OPD; on a Dask cluster when the flow runs on DaskTaskRunner).

    data_dir: folder holding raw/ and processed/; tahun: plan year (default: from the files);
    opd: show only this OPD in the run's tables; files: spreadsheets to bring into
    raw/<kind>/ first (the folder a file sits in names its kind); force: redo the work
    even when the inputs are unchanged.
    """
    return run_flow("match", ("match",), False, data_dir, tahun, opd, files, force)
