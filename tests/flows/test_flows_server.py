"""End to end as docs/orchestration.md says: a real `prefect server start` on loopback,
`selaras serve`, the nightly schedule read back from the server, an on-demand run with
`prefect deployment run`, its outputs; then everything started here is stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.prefect]

REPO = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen, sig: int, wait: float) -> None:
    """Stop a process group we started: `sig` first, SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=wait)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)


def _wait_for(check, timeout: float, what: str, proc: subprocess.Popen, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what}: process ended ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            value = check()
            if value:
                return value
        except httpx.HTTPError:
            pass
        time.sleep(1)
    pytest.fail(f"{what}: not ready after {timeout} s:\n{log.read_text()[-3000:]}")


def test_served_deployments_on_a_real_prefect_server(tmp_path):
    from selaras.sample import write_sample

    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    data_dir = tmp_path / "data"
    sample_files = write_sample(data_dir)
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_UI_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    server_log, serve_log = tmp_path / "server.log", tmp_path / "serve.log"
    # Step 1 of the docs: the server.
    server = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env={k: v for k, v in env.items() if k != "PREFECT_API_URL"},
        stdout=server_log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    serve = None
    try:
        _wait_for(
            lambda: httpx.get(f"{api}/health", timeout=5).status_code == 200,
            180,
            "prefect server",
            server,
            server_log,
        )
        # Step 2: serve the deployments.
        serve = subprocess.Popen(
            [sys.executable, "-m", "selaras.cli", "serve", "--data-dir", str(data_dir)],
            env=env,
            cwd=tmp_path,
            stdout=serve_log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        names = [
            "reconcile/nightly",
            *(f"{f}/on-demand" for f in ("reconcile", "ingest", "validate", "match", "report")),
        ]

        def served():
            found = {n: httpx.get(f"{api}/deployments/name/{n}", timeout=10) for n in names}
            return (
                {n: r.json() for n, r in found.items()}
                if all(r.status_code == 200 for r in found.values())
                else None
            )

        deployments = _wait_for(served, 120, "selaras serve", serve, serve_log)
        nightly = deployments["reconcile/nightly"]
        (schedule,) = nightly["schedules"]
        assert schedule["schedule"]["cron"] == "0 2 * * *"
        assert schedule["schedule"]["timezone"] == "Asia/Jakarta"
        assert schedule["active"] and not nightly["paused"]
        assert nightly["parameters"] == {"data_dir": str(data_dir.resolve())}
        assert all(not deployments[n]["schedules"] for n in names[1:])  # on demand only

        # Step 3: an on-demand run, watched to the end.
        run = subprocess.run(
            [PREFECT, "deployment", "run", "reconcile/on-demand", "--watch", "--watch-timeout", "600"],
            env=env,
            capture_output=True,
            text=True,
            timeout=660,
        )
        assert "Completed" in run.stdout, run.stdout + run.stderr + serve_log.read_text()[-5000:]

        # The expected outputs: a successful run recorded, the publication for analysts.
        con = duckdb.connect(str(data_dir / "state" / "warehouse.duckdb"), read_only=True)
        assert con.execute("select trigger, status from meta.run").fetchall() == [
            ("prefect:reconcile/on-demand", "success")
        ]
        con.close()
        published = duckdb.connect(str(data_dir / "processed" / "selaras.duckdb"), read_only=True)
        assert published.execute("select run_status from analytics.publication").fetchone()[0] == "success"
        if sample_files:
            assert published.execute("select count(*) from analytics.renja_alignment").fetchone()[0] > 0
        published.close()
        assert list((data_dir / "processed" / "parquet").glob("*.parquet"))
    finally:
        # Stop everything started here: the serving process first (it talks to the server).
        if serve is not None:
            _stop(serve, signal.SIGINT, 30)
        _stop(server, signal.SIGTERM, 30)
