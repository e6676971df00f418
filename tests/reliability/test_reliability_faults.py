"""Fault injection: a run killed (SIGKILL) inside each stage, a full disk while publishing,
the private database locked by another process, two runs started at once. Each time the
error is clear, nothing is corrupted or half-published, and the next run completes with
the same result as an uninterrupted run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import duckdb
import pytest
from reliability_support import (
    REPO,
    StepWatcher,
    cli_env,
    make_settings,
    published_snapshot,
    snapshot_differences,
)

from selaras import publish
from selaras.audit import check_accounting

EXIT_BUSY = 3  # selaras.cli: another run or process holds the data folder


def _cli(data_dir: Path, *args: str, timeout: float = 600, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "selaras.cli", *args],
        env=cli_env(data_dir, COLUMNS="200", **env),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _private(settings) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(settings.private_db), read_only=True)


def _runs(settings) -> list[tuple[str, str]]:
    con = _private(settings)
    try:
        return con.execute("select run_id, status from meta.run order by started_at").fetchall()
    finally:
        con.close()


def _interrupted_in(settings, stage: str) -> bool:
    """Did the last run stop inside `stage`? The run's outcome is recorded before it
    publishes, so for publish it is the step's own status that tells."""
    con = _private(settings)
    try:
        run_id, status = con.execute(
            "select run_id, status from meta.run order by started_at desc limit 1"
        ).fetchone()
        step = con.execute(
            "select status from meta.run_step where run_id = ? and step = ?", [run_id, stage]
        ).fetchone()
    finally:
        con.close()
    return status in ("running", "interrupted") or (step is not None and step[0] == "running")


def _accounting(settings) -> list[str]:
    con = _private(settings)
    try:
        return check_accounting(con)
    finally:
        con.close()


def _leftovers(folder: Path) -> list[str]:
    """Temp or half-written files: *.tmp*, DuckDB WAL of a publication, unreadable workbooks."""
    bad = [
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if ".tmp" in p.name or p.name.endswith(".wal") or p.name.startswith(".staging")
    ]
    for book in folder.rglob("*.xlsx"):
        try:
            with zipfile.ZipFile(book) as archive:
                if archive.testzip() is not None:
                    bad.append(f"{book.relative_to(folder)} (corrupt member)")
        except zipfile.BadZipFile:
            bad.append(f"{book.relative_to(folder)} (not a readable workbook)")
    return bad


def _outputs(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


# --------------------------------------------------------------------------- a locked database


_HOLDER = (
    "import duckdb, sys, time; con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'ro'); "
    "print('HELD', flush=True); time.sleep(120)"
)


@pytest.fixture
def holder():
    procs = []

    def hold(path: Path, mode: str) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, str(path), mode], stdout=subprocess.PIPE, text=True
        )
        procs.append(proc)
        assert proc.stdout.readline().strip() == "HELD"
        return proc

    yield hold
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("mode", ["rw", "ro"], ids=["writer", "idle_analyst_reader"])
def test_private_database_locked_by_another_process_gives_a_clear_error_after_bounded_retries(
    tmp_path, holder, mode
):
    from selaras import warehouse
    from selaras.pipeline import run_all

    settings = make_settings(tmp_path / "data", lock_retries=3, lock_wait_seconds=0.2)
    warehouse.connect(settings).close()
    proc = holder(settings.private_db, mode)
    started = time.perf_counter()
    with pytest.raises(warehouse.WarehouseLocked) as info:
        run_all(settings, trigger="test")
    waited = time.perf_counter() - started
    message = str(info.value)
    assert str(settings.private_db) in message and "dipakai proses lain" in message
    assert f"PID {proc.pid}" in message  # says who holds it
    assert 0.2 + 0.4 + 0.8 <= waited < 30, waited  # retried, with a bound
    # Once the other process lets go, the next run goes through (no stale lock left behind).
    proc.kill()
    proc.wait()
    if mode == "ro":
        return  # the writer case below shows the recovery
    results = run_all(settings, trigger="test")
    assert [r.stage for r in results] == ["ingest", "validate", "match", "reconcile", "report"]
    assert _runs(settings)[-1][1] == "success"


def test_cli_says_the_database_is_busy_and_exits_3(tmp_path, holder):
    from selaras import warehouse

    settings = make_settings(tmp_path / "data")
    warehouse.connect(settings).close()
    holder(settings.private_db, "rw")
    started = time.perf_counter()
    out = _cli(
        settings.data_dir,
        "run",
        "--no-prefect",
        SELARAS_LOCK_RETRIES="2",
        SELARAS_LOCK_WAIT_SECONDS="0.2",
        timeout=120,
    )
    assert out.returncode == EXIT_BUSY, out.stdout + out.stderr
    assert "sedang dipakai proses lain" in " ".join(out.stdout.split())
    assert time.perf_counter() - started < 60


# --------------------------------------------------------------------------- two runs at once


def test_a_second_run_started_while_one_runs_is_refused_clearly_and_corrupts_nothing(tmp_path):
    """The first run is held inside its publish step (test hook); a second run on the same
    folder is refused with exit 3 and a message naming the first; the first completes."""
    data = tmp_path / "data"
    first = StepWatcher(data, **{publish.PAUSE_ENV: "6"})
    try:
        assert first.wait_for("SELARAS_PUBLISH_PAUSED", timeout=240), first.seen
        second = _cli(
            data,
            "run",
            "--no-prefect",
            SELARAS_LOCK_RETRIES="1",
            SELARAS_LOCK_WAIT_SECONDS="0.2",
            timeout=120,
        )
        text = " ".join(second.stdout.split())
        assert second.returncode == EXIT_BUSY, second.stdout + second.stderr
        assert "Run lain sedang berjalan" in text and f"pid {first.proc.pid}" in text, text
        assert first.finish(timeout=240) == 0, first.seen
    finally:
        first.kill()
    settings = make_settings(data)
    assert [status for _, status in _runs(settings)] == ["success"]  # the refused run left no trace
    assert _accounting(settings) == []
    assert _leftovers(settings.processed_dir) == []


def test_a_killed_reports_staging_folder_is_cleared_by_the_next_report(corpus_run, corpus_con, tmp_path):
    """A run killed while writing its reports leaves processed/.staging-<run id>/ with
    half-written workbooks; the next report run removes it (a killed run never comes back
    to clean up after itself)."""
    from selaras.pipeline import run_all

    data = tmp_path / "data"
    shutil.copytree(
        corpus_run.settings.data_dir, data, symlinks=True, ignore=shutil.ignore_patterns("run.lock")
    )
    settings = make_settings(data)
    stale = settings.processed_dir / ".staging-20200101T000000-dead00" / "forum_opd"
    stale.mkdir(parents=True)
    (stale / "Forum_OPD_Dinas_Sosial.xlsx").write_bytes(b"PK\x03\x04 half written")
    run_all(settings, stages=("report",), publish=False, force=True, trigger="test")
    assert _leftovers(settings.processed_dir) == []


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """Two `selaras run` on the sample data started at the same moment, allowed to wait for
    the run lock: one runs, the other waits and then runs too (every stage cached). The
    result is the reference publication for the kill tests."""
    from selaras.sample import write_sample

    data = tmp_path_factory.mktemp("reference") / "data"
    write_sample(data)
    env = cli_env(data, SELARAS_LOCK_RETRIES="9", SELARAS_LOCK_WAIT_SECONDS="1")
    cmd = [sys.executable, "-m", "selaras.cli", "run", "--no-prefect"]
    started = time.perf_counter()
    procs = [
        subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=900)[0] for p in procs]
    settings = make_settings(data)
    return {
        "settings": settings,
        "codes": [p.returncode for p in procs],
        "outputs": outputs,
        "seconds": time.perf_counter() - started,
        "snapshot": published_snapshot(settings.published_db, data),
    }


@pytest.mark.slow
def test_two_runs_started_at_once_one_waits_and_nothing_is_corrupted(reference):
    settings = reference["settings"]
    assert reference["codes"][0] == reference["codes"][1] and reference["codes"][0] in (0, 1), reference[
        "outputs"
    ]
    runs = _runs(settings)
    assert len(runs) == 2 and {s for _, s in runs} <= {"success", "problems"}, runs
    con = _private(settings)
    try:
        steps = con.execute(
            "select s.step, s.status, s.fingerprint = f.fingerprint from meta.run_step s "
            "left join meta.run_step f on f.step = s.step and f.run_id = ? where s.run_id = ? and s.step not in ('publish', 'accounting')",
            [runs[0][0], runs[1][0]],
        ).fetchall()
    finally:
        con.close()
    # The run that waited redid only what changed since the first (nothing, unless the code
    # itself changed meanwhile): a step is skipped exactly when its inputs are unchanged.
    assert len(steps) == 5 and all((status == "cached") == bool(same) for _, status, same in steps), steps
    assert _accounting(settings) == []
    assert _leftovers(settings.processed_dir) == []
    assert reference["snapshot"]["renja_alignment"], "the sample publication is empty"


# --------------------------------------------------------------------------- kill -9 in each stage

STAGES = ("ingest", "validate", "match", "reconcile", "report", "publish")


def _stage_seconds(settings) -> dict[str, float]:
    """How long each step of the reference's first run took."""
    con = _private(settings)
    try:
        return dict(
            con.execute(
                "select step, seconds from meta.run_step where run_id = "
                "(select run_id from meta.run order by started_at limit 1)"
            ).fetchall()
        )
    finally:
        con.close()


@pytest.mark.slow
def test_kill_9_inside_each_stage_then_the_next_run_gives_the_uninterrupted_result(reference, tmp_path):
    """One data folder; run after run is killed with SIGKILL inside the next stage (each
    run first redoes what the previous kill interrupted), half-way through the time the
    stage took in the reference run; then a run completes. Its publication equals the
    uninterrupted reference, every row is accounted for, and no temp or half-written file
    is left."""
    from selaras.sample import write_sample

    data = tmp_path / "data"
    write_sample(data)
    took = _stage_seconds(reference["settings"])
    kills = []
    for stage in STAGES:
        delay = 0.5 * took.get(stage, 0.2)
        for attempt in range(4):  # a stage that ended before the kill is tried again, sooner
            # (forced: it succeeded, so it would otherwise be skipped as unchanged)
            # Publish is short and ends in one rename: it is killed at its fault-injection
            # pause, after the files are written and before they replace the publication.
            pause = {publish.PAUSE_ENV: "60"} if stage == "publish" else {}
            run = StepWatcher(data, *(["--force"] if attempt else []), **pause)
            try:
                assert run.wait_for(f"SELARAS_STEP_START {stage}", timeout=600), (stage, run.seen[-20:])
                if pause:
                    assert run.wait_for("SELARAS_PUBLISH_PAUSED", timeout=600), run.seen[-20:]
                else:
                    time.sleep(delay)
                code = run.kill()
            finally:
                run.kill()
            run.finish(timeout=30)
            assert code == -9, (stage, code, run.seen[-20:])
            started = [line.split()[-1] for line in run.seen if line.startswith("SELARAS_STEP_START")]
            # On a busy machine the stage may end (and the run be recorded) before the kill
            # lands: that attempt did not interrupt anything, so it is tried again, sooner.
            interrupted = _interrupted_in(make_settings(data), stage)
            kills.append((stage, round(delay, 2), started[-1], interrupted))
            if started[-1] == stage and interrupted:
                break
            delay /= 4
        else:
            pytest.fail(f"could not kill the run inside {stage}: {kills}")
    print("kills (stage, seconds after its start, step running at the kill, interrupted):", kills)
    settings = make_settings(data)
    final = _cli(data, "run", "--no-prefect", timeout=900)
    assert final.returncode == reference["codes"][0], final.stdout + final.stderr
    statuses = [s for _, s in _runs(settings)]
    # A kill inside publish leaves the run "success" (recorded before publishing) with its
    # publish step unfinished; every other kill leaves the run interrupted.
    expected = ["interrupted" if k[3] and k[0] != "publish" else statuses[i] for i, k in enumerate(kills)]
    assert statuses[:-1] == expected, statuses
    assert sum(k[3] for k in kills) >= len(STAGES) and statuses[-1] in ("success", "problems"), statuses
    assert snapshot_differences(published_snapshot(settings.published_db, data), reference["snapshot"]) == []
    assert _accounting(settings) == []

    # The same output files as the reference (Data Docs pages are named by run: compared
    # apart; a staging folder is reported as a leftover below).
    def outputs(folder: Path) -> set[str]:
        return {p for p in _outputs(folder) if not p.startswith(("data_docs/validations/", ".staging"))}

    got, want = outputs(settings.processed_dir), outputs(reference["settings"].processed_dir)
    assert (sorted(got - want), sorted(want - got)) == ([], [])
    assert _leftovers(settings.processed_dir) == []  # no temp file or staging folder of a killed run left


# --------------------------------------------------------------------------- a full disk


def _mount_tmpfs(folder: Path, megabytes: int) -> bool:
    if os.name != "posix" or os.geteuid() != 0:
        return False
    return (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(folder)], capture_output=True
        ).returncode
        == 0
    )


@pytest.mark.slow
def test_full_disk_during_publish_gives_a_clear_error_and_keeps_the_previous_publication(
    corpus_run, corpus_con, tmp_path
):
    """processed/ on a small tmpfs, filled up: publishing the sample + corpus fails with a
    clear message (exit 1), the previous publication stays whole and readable, no temp
    file is left, the run is recorded failed; with space again the next run publishes."""
    source = corpus_run.settings.data_dir
    data = tmp_path / "data"
    shutil.copytree(source, data, symlinks=True, ignore=shutil.ignore_patterns("run.lock"))
    settings = make_settings(data)
    # A first run on the copy, with room to spare: every stage is then cached, so the run
    # below writes nothing but the publication (even if the code changed since the corpus run).
    warm = _cli(data, "run", "--no-prefect", timeout=900)
    assert warm.returncode in (0, 1), warm.stdout + warm.stderr
    source = data
    kept = tmp_path / "processed-before"
    settings.processed_dir.rename(kept)
    settings.processed_dir.mkdir()
    if not _mount_tmpfs(settings.processed_dir, 48):
        pytest.skip("cannot mount a small tmpfs here (needs root); tests/test_publish.py simulates ENOSPC")
    try:
        shutil.copytree(kept, settings.processed_dir, dirs_exist_ok=True)
        # One file of the publication gone: publishing is redone (unchanged content with
        # every file in place is not published again).
        (settings.processed_dir / "parquet" / "runs.parquet").unlink()
        before = published_snapshot(settings.published_db, source)  # published from the source folder
        stat = os.statvfs(settings.processed_dir)
        (settings.processed_dir / "pengisi").write_bytes(
            b"\0" * max(0, stat.f_bavail * stat.f_frsize - 256 * 1024)
        )
        out = _cli(data, "run", "--no-prefect", timeout=600)
        text = " ".join(out.stdout.split())
        assert out.returncode == 1, out.stdout + out.stderr
        assert "Disk penuh" in text and "Publikasi sebelumnya tetap utuh" in text, text
        assert published_snapshot(settings.published_db, source) == before  # untouched
        assert _leftovers(settings.processed_dir) == []
        assert _runs(settings)[-1][1] == "failed"
        (settings.processed_dir / "pengisi").unlink()
        again = _cli(data, "run", "--no-prefect", timeout=600)
        assert again.returncode in (0, 1) and "Disk penuh" not in again.stdout, again.stdout + again.stderr
        con = duckdb.connect(str(settings.published_db), read_only=True)
        try:
            published_run = con.execute("select run_id from analytics.publication").fetchone()[0]
        finally:
            con.close()
        assert published_run == _runs(settings)[-1][0]
        assert published_snapshot(settings.published_db, data) == before  # same inputs, same results
    finally:
        subprocess.run(["umount", "-l", str(settings.processed_dir)], check=False)
