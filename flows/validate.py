"""Prefect flow `validate`: one stage, on demand. Check the loaded rows (Great Expectations): errors go to quarantine, warnings are flagged."""

from __future__ import annotations

from prefect import flow

from flows.common import default_task_runner, run_flow
from selaras.runs import StageResult


@flow(name="validate", log_prints=True, task_runner=default_task_runner())
def validate_flow(
    data_dir: str = "data",
    tahun: int | None = None,
    opd: str | None = None,
    files: list[str] | None = None,
    force: bool = False,
) -> list[StageResult]:
    """Check the loaded rows (Great Expectations): errors go to quarantine, warnings are flagged.

    data_dir: folder holding raw/ and processed/; tahun: plan year (default: from the files);
    opd: show only this OPD in the run's tables; files: spreadsheets to bring into
    raw/<kind>/ first (the folder a file sits in names its kind); force: redo the work
    even when the inputs are unchanged.
    """
    return run_flow("validate", ("validate",), False, data_dir, tahun, opd, files, force)
