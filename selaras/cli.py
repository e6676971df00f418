"""The planners' command line. Heavy libraries (DuckDB, pandas, Prefect, Great
Expectations) are imported inside the commands, so `selaras --help` answers at once.

Exit codes: 0 all went well; 1 something failed (a stage reported a problem, e.g. an
unreadable file, or crashed; for `status`: the last run did not succeed); 2 wrong usage;
3 another run holds the data folder (try again later).
Every command that works on a data folder also writes its output to a log file under
DATA_DIR/state/logs/.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from selaras.runs import StageResult
    from selaras.settings import Settings

app = typer.Typer(
    help="selaras: menyelaraskan Renja OPD, RKPD, usulan musrenbang dan pokir DPRD.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_FAILED = 1
EXIT_BUSY = 3

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Folder with raw/ (inputs) and processed/ (outputs). Default: ./data"),
]
Tahun = Annotated[int | None, typer.Option("--tahun", help="Plan year, e.g. 2021. Default: from the files.")]
Force = Annotated[bool, typer.Option("--force", help="Redo the work even when the inputs did not change.")]
PaksaTahun = Annotated[
    bool,
    typer.Option(
        "--paksa-tahun",
        help="Run for --tahun even when the files carry other years (otherwise the run stops with exit 2).",
    ),
]
EXIT_USAGE = 2

log = logging.getLogger("selaras.cli")


# --------------------------------------------------------------------------- plumbing


def _console():
    from rich.console import Console

    return Console(highlight=False)


def _settings(data_dir: Path | None, tahun: int | None = None, paksa_tahun: bool = False) -> Settings:
    from selaras.settings import Settings, configure_quiet_runtime

    overrides: dict[str, object] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if tahun is not None:
        overrides["tahun"] = tahun
    if paksa_tahun:
        overrides["paksa_tahun"] = True
    settings = Settings(**overrides)
    configure_quiet_runtime(settings)
    return settings


def _quiet_prefect_console(console) -> None:
    """On the terminal show Prefect's warnings only (its INFO lines would bury the
    progress display), printed through our console so they appear above the display
    instead of tearing it. The log file and the Prefect UI still get everything."""
    names = [n for n in list(logging.root.manager.loggerDict) if n.startswith("prefect")]
    for logger in [logging.root, *(logging.getLogger(n) for n in names)]:
        for handler in getattr(logger, "handlers", []):
            if type(handler).__name__ == "PrefectConsoleHandler":
                handler.setLevel(logging.WARNING)
                handler.addFilter(_terminal_worthy)
                if hasattr(handler, "console"):
                    handler.console = console


def _terminal_worthy(record: logging.LogRecord) -> bool:
    """Tracebacks belong in the log file and the UI, not on a planner's terminal; and the
    CLI prints its own lines itself."""
    return not record.exc_info and not record.name.startswith("selaras.cli")


def _line(result: StageResult) -> str:
    figures = ", ".join(f"{k}={v}" for k, v in result.figures.items() if not isinstance(v, dict | list))
    state = (
        "dilewati, masukan tidak berubah"
        if result.cached
        else (
            "BERMASALAH"
            if result.failed
            else f"{result.seconds:.1f} s"
            if result.seconds is not None
            else "ok"
        )
    )
    return f"{result.stage} ({state})" + (f": {figures}" if figures else "")


@contextmanager
def _progress(console, steps: list[str], waiting_for: str | None = None):
    """A Rich progress display fed by the pipeline's step events. On a terminal it is
    live; in a log file (not a terminal) only the finished lines are written."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from selaras.pipeline import observe

    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    overall = progress.add_task("selaras", total=len(steps))
    waiting = progress.add_task(waiting_for, total=None) if waiting_for else None
    current: dict[str, int] = {}
    started: dict[str, float] = {}

    def on_step(event: str, name: str, result: StageResult | None) -> None:
        nonlocal waiting
        if waiting is not None:
            progress.remove_task(waiting)
            waiting = None
        if event == "start":
            started[name] = time.perf_counter()
            current[name] = progress.add_task(f"{name} ...", total=None)
            return
        if name in current:
            progress.remove_task(current.pop(name))
        progress.advance(overall)
        if result is not None and name == "publish" and result.cached:
            text = f"{name} (dilewati: isi analytics tidak berubah, publikasi sebelumnya tetap)"
        elif result is not None and name != "publish":
            text = _line(result)
        else:
            text = f"{name} ({time.perf_counter() - started.get(name, time.perf_counter()):.1f} s)"
        colour = "red" if result is not None and result.failed else "green"
        # One line per step (the full figures are in the log file): wrapped lines confuse
        # the live display's redraw.
        console.print(f"[{colour}]✓[/{colour}] {text}", no_wrap=True, overflow="ellipsis")
        log.info("%s", text)

    with progress, observe(on_step):
        yield


def _report(console, results: list[StageResult], published: Path | None = None) -> int:
    for r in results:
        for p in r.problems:
            console.print(f"  [yellow]- {r.stage}: {p}[/yellow]")
            log.info("problem: %s: %s", r.stage, p)  # INFO: the console line above already shows it
    failed = any(r.failed for r in results)
    if published:
        console.print(f"Diterbitkan untuk analis (published): {published}")
    if failed:
        console.print("[red]Ada masalah: lihat daftar di atas dan `selaras status`.[/red]")
        log.error("run finished with problems")
    return EXIT_FAILED if failed else 0


def _fail(console, exc: BaseException) -> int:
    from selaras.runs import RunLocked
    from selaras.warehouse import WarehouseLocked

    log.error("%s: %s", type(exc).__name__, exc, exc_info=not isinstance(exc, RunLocked | WarehouseLocked))
    console.print(f"[red]Gagal (failed): {exc}[/red]")
    from selaras.ingest.errors import YearMismatch

    if isinstance(exc, YearMismatch):  # wrong usage: the files are of another year
        return EXIT_USAGE
    return EXIT_BUSY if isinstance(exc, RunLocked | WarehouseLocked) else EXIT_FAILED


def _run_stages(
    settings: Settings,
    stages: tuple[str, ...],
    publish: bool,
    force: bool,
    command: str,
    prefect: bool = False,
    files: list[Path] | None = None,
    opd: str | None = None,
) -> None:
    """Run stages with progress, report, exit with the right code. With `prefect`, as the
    Prefect flow (local API unless PREFECT_API_URL points at a server)."""
    console = _console()
    # Prefect configures logging when imported (replacing handlers): import it first.
    from selaras.runs import log_file

    flow = _flow_for(stages) if prefect else None
    if flow is not None:
        _quiet_prefect_console(console)
    with log_file(settings.state_dir, command) as log_path:
        log.info("selaras %s, data folder %s", command, settings.data_dir.resolve())
        code = _run_and_report(console, settings, stages, publish, force, command, flow, files, opd)
    console.print(f"[dim]Log: {log_path}[/dim]")
    raise typer.Exit(code)


def _run_and_report(
    console,
    settings: Settings,
    stages: tuple[str, ...],
    publish: bool,
    force: bool,
    command: str,
    flow,
    files: list[Path] | None,
    opd: str | None,
) -> int:
    steps = [*stages, *(["publish"] if publish else [])]
    code = 0
    try:
        if flow is not None:
            with _progress(console, steps, "Prefect: menyiapkan API (starting Prefect) ..."):
                results = flow(
                    settings=settings.model_dump(mode="json"),  # whole: every option reaches the stages
                    opd=opd,
                    files=[str(f) for f in files or []] or None,
                    force=force,
                    once=True,  # this command's process ends with the run
                )
            published = settings.published_db if publish else None
        else:
            from selaras.pipeline import run_all

            with _progress(console, steps):
                results = run_all(
                    settings,
                    stages,
                    publish=publish,
                    trigger=f"cli:{command}",
                    force=force,
                    files=files,
                    once=True,  # this command's process ends with the run
                )
            published = settings.published_db if publish else None
        code = _report(console, results, published)
    except KeyboardInterrupt:
        console.print("[red]Dihentikan (interrupted).[/red]")
        code = 130
    except Exception as exc:  # noqa: BLE001 - every failure ends in a message and an exit code
        code = _fail(console, exc)
    return code


def _flow_for(stages: tuple[str, ...]):
    from selaras.pipeline import STAGE_NAMES

    if stages == STAGE_NAMES:
        from flows.reconcile import reconcile_flow

        return reconcile_flow
    (name,) = stages
    module = __import__(f"flows.{name}", fromlist=[f"{name}_flow"])
    return getattr(module, f"{name}_flow")


# --------------------------------------------------------------------------- commands


@app.command()
def run(
    data_dir: DataDir = None,
    tahun: Tahun = None,
    sample: Annotated[
        bool, typer.Option("--sample", help="First write the bundled sample data set into raw/.")
    ] = False,
    prefect: Annotated[
        bool,
        typer.Option(
            "--prefect/--no-prefect",
            help="Run as the Prefect flow `reconcile` (tracked in the UI when PREFECT_API_URL points at a "
            "server; otherwise a local API starts, which takes 10-25 s). --no-prefect runs the same "
            "functions directly.",
        ),
    ] = True,
    opd: Annotated[str | None, typer.Option(help="Show only this OPD in the Prefect run's tables.")] = None,
    force: Force = False,
    paksa_tahun: PaksaTahun = False,
) -> None:
    """Run the whole reconciliation: ingest, validate, match, reconcile, report, publish."""
    from selaras.pipeline import STAGE_NAMES

    settings = _settings(data_dir, tahun, paksa_tahun)
    if sample:
        _write_sample(settings, 2021)
    _run_stages(settings, STAGE_NAMES, publish=True, force=force, command="run", prefect=prefect, opd=opd)


@app.command()
def ingest(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Spreadsheets to bring into raw/<kind>/ first; the folder a file sits in names its kind "
            "(e.g. unggahan/renja/dinsos.xlsx)."
        ),
    ] = None,
    data_dir: DataDir = None,
    tahun: Tahun = None,
    force: Force = False,
    paksa_tahun: PaksaTahun = False,
) -> None:
    """Load the files under raw/<kind>/ into the warehouse (unchanged files are skipped)."""
    _run_stages(
        _settings(data_dir, tahun, paksa_tahun),
        ("ingest",),
        publish=False,
        force=force,
        command="ingest",
        files=files,
    )


@app.command()
def validate(data_dir: DataDir = None, tahun: Tahun = None, force: Force = False) -> None:
    """Check the loaded rows; errors go to quarantine, warnings are flagged."""
    _run_stages(_settings(data_dir, tahun), ("validate",), publish=False, force=force, command="validate")


@app.command()
def match(data_dir: DataDir = None, tahun: Tahun = None, force: Force = False) -> None:
    """Match Renja rows to the RKPD and nomenclature, and proposals to Renja rows."""
    _run_stages(_settings(data_dir, tahun), ("match",), publish=False, force=force, command="match")


@app.command()
def report(data_dir: DataDir = None, tahun: Tahun = None, force: Force = False) -> None:
    """Write the Forum OPD workbooks, review workbook and summary report."""
    _run_stages(_settings(data_dir, tahun), ("report",), publish=False, force=force, command="report")


def _write_sample(settings: Settings, seed: int) -> list[Path]:
    from selaras.sample import write_sample

    paths = write_sample(settings.data_dir, seed=seed)
    typer.echo(f"{len(paths)} berkas contoh ditulis di {settings.raw_dir} (sample files written)")
    return paths


@app.command()
def sample(
    data_dir: DataDir = None,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 2021,
) -> None:
    """Write a small, realistic sample data set (Provinsi Banten, 2021) into raw/."""
    _write_sample(_settings(data_dir), seed)


@app.command()
def evaluate(
    data_dir: DataDir = None,
    truth: Annotated[Path | None, typer.Option(help="Ground-truth folder (default: DATA_DIR/truth).")] = None,
) -> None:
    """Measure the matcher's precision, recall and F1 against labelled links."""
    settings = _settings(data_dir)
    try:
        from selaras.evaluate.measure import evaluate_cli

        outcome = evaluate_cli(settings, truth)
        _print_review_precision(settings)
    except Exception as exc:  # noqa: BLE001 - a message and an exit code, not a traceback
        raise typer.Exit(_fail(_console(), exc)) from exc
    raise typer.Exit(outcome if isinstance(outcome, int) else 0)


def _print_review_precision(settings: Settings) -> None:
    """The planners' review decisions as a second yardstick: how often the matcher was
    right where a planner decided (selaras.reconcile.review_precision). Read from the
    working database, or from the publication while a run holds it."""
    import duckdb
    from rich.table import Table

    from selaras.reconcile import review_precision

    con = None
    for path in (settings.private_db, settings.published_db):
        if path.exists():
            try:
                con = duckdb.connect(str(path), read_only=True)
                break
            except duckdb.Error:
                continue
    if con is None:
        return
    try:
        figures = review_precision(con)
    except duckdb.Error as exc:  # no review data yet in an older database
        log.info("review precision unavailable: %s", exc)
        return
    finally:
        con.close()
    table = Table(title="Presisi terhadap keputusan review (matcher vs planners' review decisions)")
    for col in ("task", "keputusan", "benar", "salah", "presisi"):
        table.add_column(col)
    for task, entry in figures.items():
        precision = entry.get("precision")
        table.add_row(
            task,
            str(entry.get("decisions", 0)),
            str(entry.get("right", 0)),
            str(entry.get("wrong", 0)),
            f"{precision:.3f}" if precision is not None else "-",
        )
    _console().print(table)


@app.command()
def serve(
    data_dir: DataDir = None,
    api_url: Annotated[
        str | None,
        typer.Option(
            "--api-url",
            envvar="PREFECT_API_URL",
            help="The Prefect server's API, e.g. http://127.0.0.1:4200/api (from `prefect server start`).",
        ),
    ] = None,
) -> None:
    """Serve the deployments: nightly `reconcile` and each flow on demand (needs a Prefect server)."""
    import os

    console = _console()
    if not api_url:
        console.print(
            "[red]Prefect server belum ditentukan (no Prefect server configured).[/red]\n"
            "  1. Di terminal lain: prefect server start --host 127.0.0.1 --port 4200\n"
            "  2. Lalu: export PREFECT_API_URL=http://127.0.0.1:4200/api && selaras serve --data-dir ...\n"
            "Tanpa server, jalankan `selaras run` (a local run needs no server)."
        )
        raise typer.Exit(2)
    os.environ["PREFECT_API_URL"] = api_url
    settings = _settings(data_dir)
    settings.ensure_dirs()
    from flows.deployments import serve_all
    from selaras.runs import log_file

    console.print(
        f"Melayani deployment untuk {settings.data_dir.resolve()} di {api_url} (Ctrl+C untuk berhenti)"
    )
    with log_file(settings.state_dir, "serve"):
        try:
            serve_all(settings)
        except KeyboardInterrupt:
            pass
        except Exception as exc:  # noqa: BLE001 - e.g. the server is not reachable
            console.print(
                f"[red]Gagal melayani deployment (serve failed): {exc}[/red]\n"
                f"Apakah `prefect server start` berjalan dan {api_url} benar?"
            )
            raise typer.Exit(EXIT_FAILED) from exc


@app.command()
def status(
    data_dir: DataDir = None,
    limit: Annotated[int, typer.Option(help="How many recent runs to show.")] = 5,
) -> None:
    """Show the last runs, their steps, file counts and failures (works while a run is going)."""
    from rich.table import Table

    from selaras.status import read_status

    settings = _settings(data_dir)
    console = _console()
    st = read_status(settings, limit)
    if st.holder:
        console.print(
            f"[cyan]Sedang berjalan (running now):[/cyan] pid {st.holder.get('pid')}, "
            f"{st.holder.get('what')}, sejak {st.holder.get('since')}"
        )
    if st.note:
        console.print(f"[dim]{st.note}[/dim]")
    if st.source == "published":
        console.print(f"[dim]Dibaca dari publikasi terakhir {settings.published_db}[/dim]")
    if not st.runs:
        console.print("Belum ada run (no runs yet). Mulai dengan `selaras run`.")
        raise typer.Exit(0)
    runs_table = Table(title="Run terakhir (last runs)")
    for col in ("run", "mulai", "durasi", "status", "trigger"):
        runs_table.add_column(col, no_wrap=True)
    runs_table.add_column("pesan", overflow="fold")
    for r in st.runs:
        took = (r["finished_at"] - r["started_at"]).total_seconds() if r["finished_at"] else None
        colour = {"success": "green", "running": "cyan"}.get(r["status"], "red")
        runs_table.add_row(
            r["run_id"],
            f"{r['started_at']:%Y-%m-%d %H:%M:%S}",
            f"{took:.1f} s" if took else "",
            f"[{colour}]{r['status']}[/{colour}]",
            r["trigger"] or "",
            (r["message"] or "")[:200],
        )
    console.print(runs_table)
    if st.steps:
        steps_table = Table(title=f"Langkah run {st.runs[0]['run_id']} (steps)")
        for col in ("langkah", "status", "detik", "masalah", "galat"):
            steps_table.add_column(col, overflow="fold")
        for s in st.steps:
            steps_table.add_row(
                s["step"],
                s["status"],
                f"{s['seconds']:.1f}" if s["seconds"] is not None else "",
                str(s["problems"]),
                (s["error"] or "")[:200],
            )
        console.print(steps_table)
    if st.files:
        console.print("Berkas (files): " + ", ".join(f"{k} {v}" for k, v in st.files.items()))
    for f in st.failed_files:
        console.print(f"  [red]gagal[/red] {f['source_file']}: {f['reason']}")
    raise typer.Exit(EXIT_FAILED if st.failing else 0)


if __name__ == "__main__":
    app()
