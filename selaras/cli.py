"""The planners' command line. Heavy libraries (DuckDB, pandas, Prefect, Great
Expectations) are imported inside the commands, so `selaras --help` answers at once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="selaras: menyelaraskan Renja OPD, RKPD, usulan musrenbang dan pokir DPRD.",
    no_args_is_help=True,
    add_completion=False,
)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Folder with raw/ (inputs) and processed/ (outputs). Default: ./data"),
]
Tahun = Annotated[int | None, typer.Option("--tahun", help="Plan year, e.g. 2021. Default: from the files.")]


def _settings(data_dir: Path | None, tahun: int | None = None):
    from selaras.settings import Settings, configure_quiet_runtime

    overrides = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if tahun is not None:
        overrides["tahun"] = tahun
    settings = Settings(**overrides)
    configure_quiet_runtime(settings)
    return settings


def _report(results) -> None:
    from rich.console import Console

    console = Console()
    for r in results:
        colour = "red" if r.failed else "green"
        figures = ", ".join(f"{k}={v}" for k, v in r.figures.items() if not isinstance(v, dict | list))
        console.print(f"[{colour}]{r.stage}[/{colour}]: {figures}")
        for p in r.problems:
            console.print(f"  [yellow]- {p}[/yellow]")
    if any(r.failed for r in results):
        raise typer.Exit(1)


@app.command()
def run(
    data_dir: DataDir = None,
    tahun: Tahun = None,
    sample: Annotated[bool, typer.Option("--sample", help="First write the bundled sample data set into raw/.")] = False,
    prefect: Annotated[bool, typer.Option("--prefect/--no-prefect", help="Run as a Prefect flow (local API).")] = True,
) -> None:
    """Run the whole reconciliation: ingest, validate, match, reconcile, report, publish."""
    settings = _settings(data_dir, tahun)
    if sample:
        from selaras.sample import write_sample

        write_sample(settings.data_dir)
    if prefect:
        from flows.reconcile import reconcile_flow

        results = reconcile_flow(data_dir=str(settings.data_dir), tahun=settings.tahun)
    else:
        from selaras.pipeline import run_all

        results = run_all(settings)
    _report(results)


def _single_stage(name: str, data_dir: Path | None, tahun: int | None) -> None:
    from selaras.pipeline import run_all

    _report(run_all(_settings(data_dir, tahun), stages=(name,), publish=False))


@app.command()
def ingest(data_dir: DataDir = None, tahun: Tahun = None) -> None:
    """Load the files under raw/<kind>/ into the warehouse."""
    _single_stage("ingest", data_dir, tahun)


@app.command()
def validate(data_dir: DataDir = None, tahun: Tahun = None) -> None:
    """Check the loaded rows; errors go to quarantine, warnings are flagged."""
    _single_stage("validate", data_dir, tahun)


@app.command()
def match(data_dir: DataDir = None, tahun: Tahun = None) -> None:
    """Match Renja rows to the RKPD and nomenclature, and proposals to Renja rows."""
    _single_stage("match", data_dir, tahun)


@app.command()
def report(data_dir: DataDir = None, tahun: Tahun = None) -> None:
    """Write the Forum OPD workbooks, review workbook and summary report."""
    _single_stage("report", data_dir, tahun)


@app.command()
def sample(
    data_dir: DataDir = None,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 2021,
) -> None:
    """Write a small, realistic sample data set (Provinsi Banten, 2021) into raw/."""
    from selaras.sample import write_sample

    settings = _settings(data_dir)
    paths = write_sample(settings.data_dir, seed=seed)
    typer.echo(f"{len(paths)} files written under {settings.raw_dir}")


@app.command()
def evaluate(
    data_dir: DataDir = None,
    truth: Annotated[Path | None, typer.Option(help="Ground-truth folder (default: DATA_DIR/truth).")] = None,
) -> None:
    """Measure the matcher's precision, recall and F1 against labelled links."""
    from selaras.match.evaluate import evaluate_cli

    evaluate_cli(_settings(data_dir), truth)


if __name__ == "__main__":
    app()
