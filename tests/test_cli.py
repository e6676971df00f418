"""The planners' command line: fast help, exit codes, a log file, and `status` that
answers whether the database is absent, idle or held by a run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from selaras import pipeline
from selaras.cli import app
from selaras.runs import StageResult

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


def test_help_answers_in_under_a_second_without_heavy_imports():
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "selaras.cli", "--help"],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=60,
        )
        best = min(best, time.perf_counter() - started)
        assert out.returncode == 0 and "status" in out.stdout and "serve" in out.stdout
    assert best < 1.0, f"selaras --help took {best:.2f} s"
    heavy = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, selaras.cli; "
            "print(sorted(m for m in ('duckdb', 'pandas', 'prefect', 'great_expectations') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert heavy.stdout.strip() == "[]"


@pytest.fixture
def env(settings, monkeypatch):
    monkeypatch.setenv("SELARAS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SELARAS_LOCK_RETRIES", "1")
    monkeypatch.setenv("SELARAS_LOCK_WAIT_SECONDS", "0.1")
    return settings


@pytest.fixture
def stages(monkeypatch):
    """Stand-in stages; `fail` names stages that report a problem, `crash` ones that raise."""
    plan = {"fail": set(), "crash": set()}

    def make(name):
        def stage(con, settings, run_id):
            if name in plan["crash"]:
                raise RuntimeError(f"{name} crashed")
            r = StageResult(name)
            r.figures["rows"] = 3
            if name in plan["fail"]:
                r.problem("renja/rusak.xlsx: berkas tidak terbaca")
            return r

        return stage

    monkeypatch.setattr(pipeline, "stage_function", make)
    return plan


def test_run_without_prefect_reports_each_stage_writes_a_log_and_exits_0(env, stages):
    result = runner.invoke(app, ["run", "--no-prefect"])
    assert result.exit_code == 0, result.output
    for stage in (*pipeline.STAGES, "publish"):
        assert stage in result.output
    assert env.published_db.exists()
    (log,) = (env.state_dir / "logs").glob("selaras-*-run.log")
    text = log.read_text(encoding="utf-8")
    assert "report" in text and "publish" in text
    again = runner.invoke(app, ["run", "--no-prefect"])
    assert again.exit_code == 0 and again.output.count("masukan tidak berubah") == len(pipeline.STAGES)


def test_exit_code_1_when_a_stage_reports_a_problem(env, stages):
    stages["fail"].add("ingest")
    result = runner.invoke(app, ["run", "--no-prefect"])
    assert result.exit_code == 1
    assert "renja/rusak.xlsx" in result.output


def test_exit_code_1_and_a_message_when_a_stage_crashes(env, stages):
    stages["crash"].add("match")
    result = runner.invoke(app, ["match"])
    assert result.exit_code == 1
    assert "match crashed" in result.output


def test_exit_code_3_when_another_run_holds_the_folder(env, stages):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from selaras.runs import run_lock\n"
            "with run_lock(Path(sys.argv[1]), 1, 0.1, what='nightly'):\n"
            "    print('held', flush=True); time.sleep(60)\n",
            str(env.state_dir / "run.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = runner.invoke(app, ["run", "--no-prefect"])
        status = runner.invoke(app, ["status"])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 3
    assert "Run lain sedang berjalan" in result.output and "nightly" in result.output
    assert "Sedang berjalan" in status.output


def test_status_with_no_database_yet(env):
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0
    assert "Belum ada run" in result.output


def test_status_shows_runs_steps_and_says_when_the_last_run_failed(env, stages):
    runner.invoke(app, ["run", "--no-prefect"])
    ok = runner.invoke(app, ["status"])
    assert ok.exit_code == 0
    assert "success" in ok.output and "publish" in ok.output
    stages["crash"].add("report")
    runner.invoke(app, ["run", "--no-prefect", "--force"])
    bad = runner.invoke(app, ["status"])
    assert bad.exit_code == 1
    assert "failed" in bad.output and "report crashed" in bad.output


def test_status_reads_the_publication_while_the_database_is_locked(env, stages):
    runner.invoke(app, ["run", "--no-prefect"])
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, duckdb; con = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)",
            str(env.private_db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.perf_counter()
        result = runner.invoke(app, ["status"])
        took = time.perf_counter() - started
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 0, result.output
    assert "publikasi terakhir" in result.output and "success" in result.output
    assert took < 5


def test_serve_without_a_server_says_how_to_start_one(env, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "prefect server start" in result.output


def test_ingest_brings_in_files_given_on_the_command_line(env, stages, tmp_path):
    upload = tmp_path / "unggahan" / "renja"
    upload.mkdir(parents=True)
    (upload / "dinsos.csv").write_text("a\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(upload / "dinsos.csv")])
    assert result.exit_code == 0, result.output
    assert (env.raw_dir / "renja" / "dinsos.csv").read_text() == "a\n"


def test_the_console_script_runs_end_to_end_in_a_subprocess(settings):
    """The installed `selaras` entry point, real stages, empty data folder, no Prefect."""
    env = {**os.environ, "SELARAS_DATA_DIR": str(settings.data_dir)}
    out = subprocess.run(
        [sys.executable, "-m", "selaras.cli", "run", "--no-prefect"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert settings.published_db.exists()
