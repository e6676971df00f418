"""What every selaras flow shares: the stage task, the publish task, the Dask-backed map
for the match stage, and the artifacts. No pipeline logic lives here: a flow runs
`selaras.pipeline.execute`, the same body as `selaras run --no-prefect`, with these tasks
wrapping each stage and the completion (one flow run, one task per step, no subflows).

Settings cross the flow boundary whole: the `settings` parameter is
`Settings.model_dump(mode="json")` and is rebuilt with `Settings(**data)`, so every field
(a CLI option or an environment variable of the caller) reaches the stages.

Tasks receive paths and settings, never a DuckDB connection (Prefect hashes task inputs
for its cache; a connection cannot be hashed). Prefect's own result cache is off
(`NO_CACHE`): unchanged inputs are skipped by the pipeline's input fingerprints, recorded
in meta.run_step, so the CLI and the flows skip the same work.

May import: prefect, selaras.pipeline, runs, settings, warehouse, status. No stage package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import Flow, flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext

from selaras import pipeline, runs
from selaras.runs import StageResult
from selaras.settings import Settings, configure_quiet_runtime
from selaras.warehouse import WarehouseLocked


def make_settings(
    data_dir: str | None, tahun: int | None, settings: dict[str, Any] | None = None
) -> Settings:
    """The run's settings: `settings` (a whole `model_dump(mode="json")`, e.g. from the CLI)
    or else the environment's, with `data_dir` / `tahun` when given on top (what a planner
    sets in the UI, what a deployment passes)."""
    fields: dict[str, Any] = dict(settings or {})
    if data_dir:
        fields["data_dir"] = Path(data_dir)
    if tahun is not None:
        fields["tahun"] = tahun
    built = Settings(**fields)
    configure_quiet_runtime(built)
    return built


def _database_locked(task, task_run, state) -> bool:
    """Retry only when another process holds the private database (e.g. someone opened
    state/warehouse.duckdb in a SQL client): a retry helps there, not after a bug."""
    return isinstance(state.data, WarehouseLocked)


def dask_map_or_none() -> Callable | None:
    """When the flow runs on prefect-dask's DaskTaskRunner, a `map(fn, items)` that runs
    on its cluster (a LocalCluster, or settings.dask_address); otherwise None (the stage
    then maps on this machine). `fn` must be a picklable top-level function; the items
    travel to the workers and the results come back in order."""
    ctx = FlowRunContext.get()
    runner = getattr(ctx, "task_runner", None)
    if runner is None or type(runner).__name__ != "DaskTaskRunner":
        return None
    client = runner.client  # created on first use: a LocalCluster or the scheduler address

    def dask_map(fn: Callable, items) -> list:
        futures = client.map(fn, list(items), pure=False)
        return client.gather(futures)

    return dask_map


@task(
    task_run_name="{name}",
    retries=3,
    retry_delay_seconds=[2, 10, 30],
    retry_condition_fn=_database_locked,
    cache_policy=NO_CACHE,
)
def stage_task(settings: Settings, run_id: str, name: str, force: bool = False) -> StageResult:
    """One stage of the run (see pipeline.run_stage_at); a pipeline.StepFn."""
    result = pipeline.run_stage_at(settings, run_id, name, force=force, map_fn=dask_map_or_none())
    logger = get_run_logger()
    if result.cached:
        logger.info(
            "%s: masukan tidak berubah sejak run sebelumnya, dilewati (inputs unchanged, skipped)", name
        )
    else:
        logger.info("%s: selesai dalam %.1f s, %s", name, result.seconds or 0, result.figures)
    for problem in result.problems:
        logger.warning("%s: %s", name, problem)
    return result


@task(
    name="publish",
    retries=2,
    retry_delay_seconds=[5, 20],
    retry_condition_fn=_database_locked,
    cache_policy=NO_CACHE,
)
def complete_task(run: pipeline.Run, publish: bool) -> str | None:
    """Record the run's outcome and publish processed/selaras.duckdb + Parquet."""
    pipeline.complete_run(run, publish=publish)
    return str(run.published) if run.published else None


def trigger_name(flow_name: str) -> str:
    from prefect.runtime import deployment

    name = deployment.name
    return f"prefect:{flow_name}" + (f"/{name}" if name else "")


PARAMETERS_DOC = """
    data_dir: folder holding raw/ and processed/ (default: settings, else "data");
    tahun: plan year (default: from the files); opd: show only this OPD in the run's
    tables; files: spreadsheets to bring into raw/<kind>/ first (the folder a file sits in
    names its kind); force: redo the work even when the inputs are unchanged; settings:
    every setting, as `Settings.model_dump(mode="json")` (default: the environment's);
    once: the process ends after this run (`selaras run`), so what later runs would reuse
    is let go as soon as its stage is done (pipeline.Run.once); a served flow keeps it.
    """


def selaras_flow(name: str, stages: tuple[str, ...], publish: bool, summary: str, module: str) -> Flow:
    """Build the Prefect flow `name` (every selaras flow has the same planner-facing
    parameters). `module` is the module that binds it as `<name>_flow`: deployments use
    that module path as their entrypoint, so a served run can import the flow again."""

    def selaras_flow_fn(
        data_dir: str | None = None,
        tahun: int | None = None,
        opd: str | None = None,
        files: list[str] | None = None,
        force: bool = False,
        settings: dict[str, Any] | None = None,
        once: bool = False,
    ) -> list[StageResult]:
        return run_flow(
            FlowCall(name, stages, publish, make_settings(data_dir, tahun, settings), opd, files, force, once)
        )

    selaras_flow_fn.__name__ = selaras_flow_fn.__qualname__ = f"{name}_flow"
    selaras_flow_fn.__module__ = module
    selaras_flow_fn.__doc__ = summary + "\n" + PARAMETERS_DOC
    return flow(name=name, log_prints=True, task_runner=default_task_runner())(selaras_flow_fn)


@dataclass(frozen=True)
class FlowCall:
    """One call of a selaras flow: which flow, its stages, whether it publishes, and the
    planner-facing parameters (see PARAMETERS_DOC)."""

    flow_name: str
    stages: tuple[str, ...]
    publish: bool
    settings: Settings
    opd: str | None = None
    files: list[str] | None = None
    force: bool = False
    once: bool = False


def run_flow(call: FlowCall) -> list[StageResult]:
    """The body of every selaras flow: `pipeline.execute` under the run lock, its stages
    and completion as tasks, and artifacts saying what happened."""
    if runs.logging_to_file():  # started by the CLI, which writes the log file already
        return _run_flow(call)
    with runs.log_file(call.settings.state_dir, f"flow-{call.flow_name}"):
        return _run_flow(call)


def _run_flow(call: FlowCall) -> list[StageResult]:
    settings = call.settings
    run: pipeline.Run | None = None
    error: str | None = None
    try:
        with pipeline.run_session(settings, trigger=trigger_name(call.flow_name), once=call.once) as run:
            pipeline.execute(
                run,
                call.stages,
                publish=call.publish,
                force=call.force,
                files=call.files,
                step=stage_task,
                complete=complete_task,
            )
            _table_artifacts(settings, call.opd)  # still under the run lock: the database is ours
    except BaseException as exc:
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        _summary_artifact(call.flow_name, settings, run, error, call.opd)
    return run.results


def _summary_artifact(
    flow_name: str, settings: Settings, run: pipeline.Run | None, error: str | None, opd: str | None
) -> None:
    from selaras.status import summary_markdown

    try:
        create_markdown_artifact(
            key=f"selaras-{flow_name}-summary",
            markdown=summary_markdown(
                run.run_id if run else None,
                run.status if run else "failed",
                run.results if run else [],
                str(settings.data_dir),
                str(run.published) if run and run.published else None,
                error,
                opd,
            ),
            description=f"selaras {flow_name}: ringkasan run (run summary)",
        )
    except Exception as exc:  # noqa: BLE001 - artifacts must never fail a run
        get_run_logger().warning("summary artifact not created: %s", exc)


def _table_artifacts(settings: Settings, opd: str | None) -> None:
    from selaras.status import key_tables

    try:
        for key, (title, rows) in key_tables(settings, opd).items():
            if rows:
                create_table_artifact(key=f"selaras-{key}", table=rows, description=title)
    except Exception as exc:  # noqa: BLE001 - artifacts must never fail a run
        get_run_logger().warning("table artifacts not created: %s", exc)


def default_task_runner():
    """The flows' task runner: prefect-dask's DaskTaskRunner on the scheduler at
    SELARAS_DASK_ADDRESS when set (the match stage then maps its partitions over that
    cluster), else Prefect's thread pool. Read when the flow module is imported, which is
    also when a served deployment's run starts."""
    from prefect.task_runners import ThreadPoolTaskRunner

    address = Settings().dask_address
    if not address:
        return ThreadPoolTaskRunner()
    return dask_task_runner(address=address)


def dask_task_runner(address: str | None = None, n_workers: int = 2):
    """A DaskTaskRunner on the scheduler at `address`, or on a new distributed.LocalCluster
    of `n_workers` single-threaded worker processes (tests, one big machine)."""
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={
            "n_workers": n_workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
        },
    )
