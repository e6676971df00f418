"""The whole reconciliation as plain functions, one per stage, in order. The Prefect flows
in `flows/` wrap exactly these functions; tests call them directly."""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from selaras import runs, warehouse
from selaras.runs import StageResult
from selaras.settings import Settings

Stage = Callable[[duckdb.DuckDBPyConnection, Settings, str], StageResult]


def stage_function(name: str) -> Stage:
    """Imported lazily so `selaras --help` stays fast (GE alone takes seconds to import)."""
    if name == "ingest":
        from selaras.ingest import ingest_all as fn
    elif name == "validate":
        from selaras.validate import validate_all as fn
    elif name == "match":
        from selaras.match import match_all as fn
    elif name == "reconcile":
        from selaras.reconcile import reconcile_all as fn
    elif name == "report":
        from selaras.report import report_all as fn
    else:
        raise ValueError(f"unknown stage {name}")
    return fn


STAGES = ("ingest", "validate", "match", "reconcile", "report")


def run_stage(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str, name: str) -> StageResult:
    with runs.step(con, run_id, name) as detail:
        result = stage_function(name)(con, settings, run_id)
        detail.update(result.as_dict())
    return result


def run_all(settings: Settings, stages: tuple[str, ...] = STAGES, publish: bool = True,
            trigger: str = "cli") -> list[StageResult]:
    """Run the stages in order on the private database, then publish for analysts.
    A stage that raises marks the run failed and leaves the previous publication alone."""
    from selaras.publish import publish as publish_db

    settings.ensure_dirs()
    con = warehouse.connect(settings)
    results: list[StageResult] = []
    run_id = runs.start_run(con, settings.tahun, trigger)
    try:
        for name in stages:
            results.append(run_stage(con, settings, run_id, name))
        if publish:
            with runs.step(con, run_id, "publish") as detail:
                con.execute("checkpoint")
                detail["published"] = str(publish_db(settings, con))
        failed = any(r.failed for r in results)
        runs.finish_run(con, run_id, "failed" if failed else "success",
                        "; ".join(p for r in results for p in r.problems)[:2000] or None)
    except BaseException as exc:
        runs.finish_run(con, run_id, "failed", f"{type(exc).__name__}: {exc}")
        raise
    finally:
        con.close()
    return results
