"""What the benchmarks share: a generated region, the plain-reader baselines that read the
same files (pandas+openpyxl, pandas+calamine, fastexcel), a `selaras` CLI process timed
with its own peak memory, and the per-step seconds a run recorded in meta.run_step.

Every figure a benchmark prints as a target is a ratio of two timings taken in the same
invocation: the machine is shared and noisy, absolute seconds are for orientation only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: The 1x region of issue 13: 40 OPDs, about 3,500 Renja rows, 10,000 proposals, 48 files.
REGION_1X = {"n_opd": 40, "n_usulan": 10_000, "n_renja_per_opd": 88}

#: Steps of a run, in the order they run (meta.run_step.step).
STEPS = ("ingest", "validate", "match", "reconcile", "report", "accounting", "publish")

SPREADSHEET = {".xlsx", ".xlsm", ".xls", ".ods"}


def bench_env(work: Path) -> dict[str, str]:
    """Offline, quiet, a Prefect home of its own and the local (ephemeral) API, as a
    planner without a server has."""
    env = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_HOME": str(work / "prefect-home"),
        "PREFECT_SERVER_UI_ENABLED": "false",
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p),
    }
    env.pop("PREFECT_API_URL", None)
    return env


def workdir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"selaras-{prefix}-"))


def write_scaled_region(data_dir: Path, scale: int, seed: int = 2021) -> list[Path]:
    """The region scaled by OPDs and proposals (Renja rows per OPD stay as in 1x)."""
    from selaras.sample import write_region

    write_region(
        data_dir,
        seed=seed,
        n_opd=REGION_1X["n_opd"] * scale,
        n_usulan=REGION_1X["n_usulan"] * scale,
        n_renja_per_opd=REGION_1X["n_renja_per_opd"],
    )
    return raw_files(data_dir)


def raw_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in (data_dir / "raw").rglob("*") if p.is_file() and not p.name.startswith("."))


def copy_raw(source: Path, target: Path) -> None:
    shutil.copytree(source / "raw", target / "raw")


# --------------------------------------------------------------------------- plain readers


def _read_csv(path: Path):
    import pandas as pd

    # The sniffing python engine: the inputs mix separators, as planners' CSVs do.
    return pd.read_csv(
        path,
        sep=None,
        engine="python",
        header=None,
        dtype=str,
        encoding="utf-8-sig",
        encoding_errors="replace",
    )


def read_pandas(files: list[Path], engine: str) -> int:
    """Every sheet of every file into DataFrames; returns the cells read (a sanity figure)."""
    import pandas as pd

    cells = 0
    for path in files:
        if path.suffix.lower() in SPREADSHEET:
            frames = pd.read_excel(path, sheet_name=None, header=None, engine=engine)
            cells += sum(f.size for f in frames.values())
        elif path.suffix.lower() in {".csv", ".txt"}:
            cells += _read_csv(path).size
    return cells


def read_fastexcel(files: list[Path]) -> int | None:
    """fastexcel to Arrow, every sheet (CSV files by pandas, as above); None when not installed."""
    try:
        import fastexcel
    except ImportError:
        return None
    cells = 0
    for path in files:
        if path.suffix.lower() in SPREADSHEET:
            reader = fastexcel.read_excel(str(path))
            for name in reader.sheet_names:
                table = reader.load_sheet(name, header_row=None).to_arrow()
                cells += table.num_rows * table.num_columns
        elif path.suffix.lower() in {".csv", ".txt"}:
            cells += _read_csv(path).size
    return cells


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def reader_baselines(files: list[Path], fastexcel: bool = True) -> dict[str, float]:
    """Seconds to read the files with each plain reader (imports done beforehand)."""
    import pandas  # noqa: F401
    import python_calamine  # noqa: F401

    out = {
        "pandas+openpyxl": timed(lambda: read_pandas(files, "openpyxl"))[0],
        "pandas+calamine": timed(lambda: read_pandas(files, "calamine"))[0],
    }
    if fastexcel:
        seconds, cells = timed(lambda: read_fastexcel(files))
        if cells is not None:
            out["fastexcel"] = seconds
    return out


def reader_process(files: list[Path], engine: str, env: dict[str, str]) -> float:
    """Wall seconds of a fresh process that imports pandas and reads the files with `engine`:
    the script a user would write instead of `selaras ingest`, timed the same way (its start
    and imports included)."""
    code = (
        "import sys, pathlib\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
        "import benchkit\n"
        "files = [pathlib.Path(p) for p in sys.argv[2:]]\n"
        "benchkit.read_pandas(files, sys.argv[1])\n"
    )
    proc = run_process([sys.executable, "-c", code, engine, *map(str, files)], env)
    if proc.returncode != 0:
        raise SystemExit(f"the {engine} reader script failed:\n{proc.stderr[-3000:]}")
    return proc.wall


# --------------------------------------------------------------------------- a CLI process


@dataclass
class Proc:
    wall: float
    returncode: int
    peak_mib: float
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False


def run_process(args: list[str], env: dict[str, str], timeout: float | None = None) -> Proc:
    """Run a child, wall-timed, with its own peak resident memory (wait4's rusage)."""
    import threading

    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(args, env=env, stdout=out, stderr=err, text=True)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            child.kill()

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        # wait4 reaps the child and gives its own rusage (peak RSS of this child alone).
        _, status, usage = os.wait4(child.pid, 0)
        if timer:
            timer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return Proc(wall, child.returncode, usage.ru_maxrss / 1024, out.read(), err.read(), killed.is_set())


def selaras(
    command: str, data_dir: Path, env: dict[str, str], *extra: str, timeout: float | None = None
) -> Proc:
    args = [sys.executable, "-m", "selaras.cli", command, "--data-dir", str(data_dir), *extra]
    proc = run_process(args, env, timeout)
    # 1 = the data's deliberate problems (quarantined rows, rejected files): still a full run.
    if proc.returncode not in (0, 1) and not proc.timed_out:
        raise SystemExit(
            f"selaras {command} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    return proc


@dataclass
class RunSteps:
    """A run's steps as meta.run_step recorded them: seconds per step, and the pipeline's
    own work (run start to the last step's end), so the rest of the wall time is the
    interpreter's start, imports and, with Prefect, Prefect itself."""

    seconds: dict[str, float] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    work: float = 0.0

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


def last_run_steps(data_dir: Path) -> RunSteps:
    import duckdb

    con = duckdb.connect(str(data_dir / "state" / "warehouse.duckdb"), read_only=True)
    try:
        run_id = con.execute("select run_id from meta.run order by started_at desc limit 1").fetchone()[0]
        rows = con.execute(
            "select step, coalesce(seconds, epoch(finished_at - started_at)), status "
            "from meta.run_step where run_id = ?",
            [run_id],
        ).fetchall()
        (work,) = con.execute(
            "select epoch(max(s.finished_at) - r.started_at) from meta.run r join meta.run_step s "
            "using (run_id) where run_id = ? group by r.started_at",
            [run_id],
        ).fetchone()
    finally:
        con.close()
    steps = RunSteps(work=float(work or 0.0))
    for step, seconds, status in rows:
        steps.seconds[step] = float(seconds or 0.0)
        steps.status[step] = status
    return steps


def prefect_noop(env: dict[str, str]) -> float:
    """A trivial flow in a fresh process: `import prefect`, the local API's start-up and a
    flow run's own cost - what Prefect adds to any run, whatever the pipeline does."""
    code = "from prefect import flow\n@flow\ndef noop():\n    return 1\nnoop()\n"
    return run_process([sys.executable, "-c", code], env).wall


def python_floor(env: dict[str, str]) -> float:
    """A fresh interpreter importing the CLI module: the floor of any `selaras` command."""
    return run_process([sys.executable, "-c", "import selaras.cli"], env).wall


def fmt_ratio(value: float, target: float | None, lower_is_better: bool = True) -> str:
    if target is None:
        return f"{value:.2f}"
    met = value <= target if lower_is_better else value >= target
    return (
        f"{value:.2f} (target {'<=' if lower_is_better else '>='} {target:g}: {'met' if met else 'MISSED'})"
    )
