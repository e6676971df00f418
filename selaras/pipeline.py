"""The whole reconciliation as plain functions, one per stage, in order. `execute` is the
body of every run: `run_all` (`selaras run --no-prefect`, the tests) calls it directly, and
the Prefect flows in `flows/` call it with their tasks wrapping each stage and the
completion (`run_session`, `execute`, `run_stage_at`, `complete_run`).

A run holds the data folder's run lock from start to end, so two runs never interleave.
Each stage opens its own connection to the private database (so a Prefect task gets a
path, never a connection) and is skipped when its input fingerprint - the raw files it
reads, the settings, the code, and what its upstream stage last left in the database -
equals the fingerprint of its last successful run: the previous result stands.

May import: settings, runs, warehouse, and (lazily, through `STAGES`) each stage's entry
point, the audit module and publish. Never a stage's internals.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from selaras import runs, workers
from selaras.runs import StageResult
from selaras.settings import KINDS, Settings

if TYPE_CHECKING:
    import duckdb

    Stage = Callable[[duckdb.DuckDBPyConnection, Settings, str], StageResult]

log = logging.getLogger("selaras.pipeline")

#: The stages in run order, each with its entry point `module:function`, imported only when
#: the stage runs (so `selaras --help` stays fast: GE alone takes seconds to import). Each
#: entry point is `fn(con, settings, run_id[, map_fn=...]) -> StageResult`.
STAGES: dict[str, str] = {
    "ingest": "selaras.ingest.stage:ingest_all",
    "validate": "selaras.validate.stage:validate_all",
    "match": "selaras.match.stage:match_all",
    "reconcile": "selaras.reconcile.stage:reconcile_all",
    "report": "selaras.report.stage:report_all",
}
#: Work a stage starts ahead, when a run begins that will run it (`module:function`, called
#: with the settings): validate has Great Expectations imported in a process of its own
#: while ingest reads the files.
WARM_UPS: dict[str, str] = {"validate": "selaras.validate.stage:warm_up"}
#: What a stage leaves running for later runs of this process, let go as soon as it is done
#: when the process runs once (`selaras run` from a terminal): the Great Expectations
#: process then shuts down (about a second) while match runs, not after the run.
COOL_DOWNS: dict[str, str] = {"validate": "selaras.validate.stage:cool_down"}
#: The stage names in run order (what `run_all` runs by default).
STAGE_NAMES: tuple[str, ...] = tuple(STAGES)

#: Folders under raw/ each stage reads itself (besides what its upstream stage left in the
#: database). Planners' review workbooks change the reconciliation, not the matching.
STAGE_INPUTS: dict[str, tuple[str, ...]] = {
    "ingest": KINDS,
    "validate": (),
    "match": ("referensi",),  # the planners' OPD alias file
    "reconcile": ("review", "referensi"),
    "report": (),
}

#: Settings that change how a run is carried out, not what it produces.
_NOT_INPUTS = {
    "data_dir",
    "nightly_cron",
    "timezone",
    "dask_address",
    "lock_retries",
    "lock_wait_seconds",
    "publish_storage_version",
    "audit_memory_limit",
    "ingest_memory_limit",
    "parallel_min_rows",
}

MapFn = Callable[[Callable[[Any], Any], Any], Any]


def stage_function(name: str) -> Stage:
    """The entry point of stage `name`, imported now (see STAGES)."""
    try:
        module, _, function = STAGES[name].partition(":")
    except KeyError:
        raise ValueError(f"unknown stage {name}") from None
    return getattr(importlib.import_module(module), function)


# --------------------------------------------------------------------------- progress


_observers: list[Callable[[str, str, StageResult | None], None]] = []


@contextmanager
def observe(callback: Callable[[str, str, StageResult | None], None]) -> Iterator[None]:
    """Call `callback(event, step, result)` with event 'start' / 'end' around each step of
    runs in this process (the CLI's progress display; also works inside a local flow)."""
    _observers.append(callback)
    try:
        yield
    finally:
        _observers.remove(callback)


def _notify(event: str, name: str, result: StageResult | None = None) -> None:
    for callback in list(_observers):
        try:
            callback(event, name, result)
        except Exception:  # a display problem must never break a run
            log.debug("progress callback failed", exc_info=True)


# --------------------------------------------------------------------------- fingerprints


def stage_fingerprint(con: duckdb.DuckDBPyConnection, settings: Settings, name: str) -> str:
    """What the stage's output depends on. The upstream part is the fingerprint of the
    upstream stage's last good step - what the database holds now - not a recomputation,
    so running a single stage after changing a file never marks stale work as current."""
    index = STAGE_NAMES.index(name)
    upstream = None
    if index > 0:
        record = runs.last_good_step(con, STAGE_NAMES[index - 1])
        upstream = record.fingerprint if record else "none"
    files, count = runs.tree_digest(settings.raw_dir, STAGE_INPUTS[name])
    return runs.fingerprint(
        stage=name,
        files=files,
        file_count=count,
        upstream=upstream,
        settings=settings.model_dump(mode="json", exclude=_NOT_INPUTS),
        settings_files=_settings_files(settings),
        code=runs.code_digest(),
    )


def _settings_files(settings: Settings) -> dict[str, str]:
    """Settings that name a file (e.g. validation_rules, match_weights YAML): editing the
    file changes the output as surely as changing the setting does."""
    out = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if name not in _NOT_INPUTS and isinstance(value, Path) and value.is_file():
            out[name] = runs.file_digest(value)
    return out


# --------------------------------------------------------------------------- stages


def _call_stage(
    con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str, name: str, map_fn: MapFn | None
) -> StageResult:
    fn = stage_function(name)
    if map_fn is not None and "map_fn" in inspect.signature(fn).parameters:
        return fn(con, settings, run_id, map_fn=map_fn)
    return fn(con, settings, run_id)


def run_stage(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    run_id: str,
    name: str,
    force: bool = False,
    map_fn: MapFn | None = None,
) -> StageResult:
    """Run one stage on an open connection, or skip it when its inputs are unchanged."""
    fp, last, unchanged = _step_state(con, settings, name)
    if not force and unchanged:
        result = StageResult.from_dict(last.detail)
        result.cached = True
        result.seconds = 0.0
        runs.record_cached(con, run_id, name, fp, {**result.as_dict(), "cached_from": last.run_id})
        log.info(
            "%s: masukan tidak berubah, hasil run %s dipakai (inputs unchanged, skipped)", name, last.run_id
        )
        return result
    started = time.perf_counter()
    with runs.step(con, run_id, name, fp) as detail:
        result = _call_stage(con, settings, run_id, name, map_fn)
        detail.update(result.as_dict())
        if result.failed:
            detail["_status"] = "problems"
    result.seconds = time.perf_counter() - started
    log.info("%s: selesai dalam %.1f s%s", name, result.seconds, " dengan masalah" if result.failed else "")
    return result


def run_stage_at(
    settings: Settings, run_id: str, name: str, force: bool = False, map_fn: MapFn | None = None
) -> StageResult:
    """Open the private database, run (or skip) one stage, close. What a flow's task calls."""
    from selaras import warehouse

    _notify("start", name)
    with warehouse.connected(settings) as con:
        result = run_stage(con, settings, run_id, name, force=force, map_fn=map_fn)
    _notify("end", name, result)
    return result


def _step_state(con: duckdb.DuckDBPyConnection, settings: Settings, name: str):
    """(the stage's input fingerprint now, its last good step or None, whether they agree:
    then the stage is skipped and its last result stands)."""
    fp, last = stage_fingerprint(con, settings, name), runs.last_good_step(con, name)
    return fp, last, last is not None and last.fingerprint == fp


def _will_run(con: duckdb.DuckDBPyConnection, settings: Settings, stages: tuple[str, ...], name: str) -> bool:
    """Whether `name` will run rather than be skipped: it or a stage before it in this run
    has inputs that changed since its last good step (run_stage's rule, ahead of time)."""
    return any(not _step_state(con, settings, s)[2] for s in stages[: stages.index(name) + 1])


def warm_up(settings: Settings, stages: tuple[str, ...], force: bool = False) -> list[str]:
    """Start what the stages of this run that will run can start ahead (WARM_UPS). A warm-up
    that fails only costs its head start. Returns the stages warmed up."""
    from selaras import warehouse

    names = [n for n in stages if n in WARM_UPS]
    if not names:
        return []
    with warehouse.connected(settings) as con:
        due = [n for n in names if force or _will_run(con, settings, stages, n)]
    for name in due:
        _call_hook(WARM_UPS[name], settings)
    return due


# --------------------------------------------------------------------------- new files


def add_files(settings: Settings, files: list[str] | list[Path]) -> list[Path]:
    """Bring planners' files into raw/<kind>/. The kind is the name of the folder a file
    sits in (e.g. /mnt/unggah/renja/dinsos.xlsx goes to raw/renja/dinsos.xlsx); a file
    already under raw/ stays where it is. Copies are atomic (temp file, then rename), so a
    run never reads half a file."""
    kinds = (*KINDS, "review")
    added = []
    for name in files:
        source = Path(name).expanduser().resolve()
        if not source.is_file():
            raise FileNotFoundError(f"Berkas tidak ditemukan: {source} (file not found)")
        raw = settings.raw_dir.resolve()
        if source.is_relative_to(raw):
            added.append(source)
            continue
        kind = source.parent.name.lower()
        if kind not in kinds:
            raise ValueError(
                f"Jenis berkas {source} tidak diketahui: letakkan di folder bernama salah satu dari "
                f"{', '.join(kinds)} (the folder name gives the kind, e.g. renja/{source.name})."
            )
        target = raw / kind / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
        added.append(target)
        log.info("berkas %s disalin ke %s", source, target)
    return added


# --------------------------------------------------------------------------- a run


@dataclass
class Run:
    settings: Settings
    run_id: str
    trigger: str
    results: list[StageResult] = field(default_factory=list)
    published: Path | None = None
    status: str = "running"
    force: bool = False  # redo every step, publishing included, even when its inputs are unchanged
    once: bool = False  # the process ends after this run: let go what later runs would reuse

    @property
    def failed(self) -> bool:
        return any(r.failed for r in self.results)


@contextmanager
def run_session(settings: Settings, trigger: str = "cli", once: bool = False) -> Iterator[Run]:
    """Hold the run lock and record the run in meta.run. Leaving the block by an
    exception marks the run failed (nothing is published then). `once`: see Run.once."""
    from selaras import warehouse

    settings.ensure_dirs()
    with runs.run_lock(
        settings.state_dir / "run.lock", settings.lock_retries, settings.lock_wait_seconds, what=trigger
    ):
        with warehouse.connected(settings) as con:
            interrupted = runs.mark_interrupted(con)
            if interrupted:
                log.warning("%d run sebelumnya terhenti di tengah jalan (interrupted)", interrupted)
            run = Run(settings, runs.start_run(con, settings.tahun, trigger), trigger, once=once)
        log.info("run %s dimulai (trigger %s, data %s)", run.run_id, trigger, settings.data_dir)
        try:
            yield run
        except BaseException as exc:
            run.status = "failed"
            _finish(settings, run.run_id, "failed", f"{type(exc).__name__}: {exc}"[:2000])
            raise
        if run.status == "running":  # the caller did not complete it (e.g. a single stage)
            complete_run(run, publish=False)


def _finish(settings: Settings, run_id: str, status: str, message: str | None) -> None:
    from selaras import warehouse

    with warehouse.connected(settings) as con:
        runs.finish_run(con, run_id, status, message)


def complete_run(run: Run, publish: bool = True) -> Run:
    """Record the run's outcome, then publish for analysts. The outcome is recorded first
    so the publication's analytics.runs shows it; a failed publication turns it to failed
    (raised to the caller) and leaves the previous publication in place."""
    accounting = check_accounting_at(run.settings, run.run_id)
    if accounting.failed:  # its figures are in meta.run_step; the results list shows trouble only
        run.results.append(accounting)
    run.status = "problems" if run.failed else "success"
    message = "; ".join(f"{r.stage}: {p}" for r in run.results for p in r.problems)[:2000] or None
    _finish(run.settings, run.run_id, run.status, message)
    # Rows unaccounted for mean the results cannot be trusted: keep the previous publication.
    if publish and not accounting.failed:
        run.published = publish_at(run.settings, run.run_id, force=run.force)
    return run


def check_accounting_at(settings: Settings, run_id: str) -> StageResult:
    """After every run: each input row is loaded, quarantined or skipped, exactly once,
    and the analytics views agree with the clean tables (selaras.audit)."""
    from selaras import warehouse
    from selaras.audit import accounting_figures, check_accounting

    _notify("start", "accounting")
    result = StageResult("accounting")
    with warehouse.connected(settings) as con, runs.step(con, run_id, "accounting") as detail:
        for problem in check_accounting(con, settings.audit_memory_limit):
            result.problem(problem)
        result.figures = accounting_figures(con)
        detail.update(result.as_dict())
        if result.failed:
            detail["_status"] = "problems"
    _notify("end", "accounting", result)
    return result


def publish_at(settings: Settings, run_id: str, force: bool = False) -> Path:
    """Publish for analysts (selaras.publish), or leave the publication as it is when
    its content is unchanged (then recorded as a cached step)."""
    from selaras import warehouse
    from selaras.publish import publish_all

    _notify("start", "publish")
    with warehouse.connected(settings) as con:
        result = publish_all(con, settings, run_id, force=force)
    _notify("end", "publish", result)
    return settings.published_db


#: How a run carries out one stage: (settings, run_id, name, force) -> its result. The
#: Prefect flows pass a task here; `run_all` runs the stage in this process.
StepFn = Callable[[Settings, str, str, bool], StageResult]
#: How a run is completed (outcome recorded, accounting checked, published): (run, publish).
CompleteFn = Callable[["Run", bool], Any]


def execute(
    run: Run,
    stages: tuple[str, ...] = STAGE_NAMES,
    publish: bool = True,
    force: bool = False,
    files: list[str] | list[Path] | None = None,
    step: StepFn | None = None,
    complete: CompleteFn | None = None,
    map_fn: MapFn | None = None,
) -> list[StageResult]:
    """The body of every run, inside `run_session`: bring `files` into raw/<kind>/ (see
    add_files; under the run lock, so no run reads a file while it is copied), run the
    stages in order, then complete the run (and publish). `step` and `complete` default
    to running in this process; the Prefect flows pass their tasks."""
    run.force = force
    if files:
        added = add_files(run.settings, files)
        log.info("%d berkas ditambahkan ke %s", len(added), run.settings.raw_dir)
    warm_up(run.settings, stages, force)
    try:
        for name in stages:
            if step is None:
                result = run_stage_at(run.settings, run.run_id, name, force=force, map_fn=map_fn)
            else:
                result = step(run.settings, run.run_id, name, force)
            run.results.append(result)
            if run.once and name in COOL_DOWNS:
                _call_hook(COOL_DOWNS[name], run.settings)
    finally:
        # The stages are done with the run's worker processes (or one failed, maybe breaking
        # them). They are not kept for a served flow's next run as the GE process is: runs
        # are hours apart, and an idle worker holds its imports' memory.
        workers.release()
    (complete or complete_run)(run, publish)
    return run.results


def _call_hook(target: str, settings: Settings) -> None:
    """A warm-up or cool-down (`module:function`): its failure costs only its gain."""
    module, _, function = target.partition(":")
    try:
        getattr(importlib.import_module(module), function)(settings)
    except Exception:
        log.warning("%s gagal (%s); run tetap berjalan", function, target, exc_info=True)


def run_all(
    settings: Settings,
    stages: tuple[str, ...] = STAGE_NAMES,
    publish: bool = True,
    trigger: str = "cli",
    force: bool = False,
    map_fn: MapFn | None = None,
    files: list[str] | list[Path] | None = None,
    once: bool = False,
) -> list[StageResult]:
    """Run the stages in order on the private database, then publish for analysts.
    A stage that raises marks the run failed and leaves the previous publication alone.
    `files` are first brought into raw/<kind>/ (see add_files). `once`: this process ends
    after the run (see Run.once)."""
    with run_session(settings, trigger, once) as run:
        execute(run, stages, publish=publish, force=force, files=files, map_fn=map_fn)
    return run.results
