"""The run machinery without Prefect: input fingerprints, the run lock, interrupted runs.
(`selaras run --no-prefect` and the flows call these same functions.)"""

from __future__ import annotations

import subprocess
import sys
import time

import duckdb
import pytest

from selaras import pipeline, runs
from selaras.pipeline import STAGES, run_all


def _steps(settings, run_index=-1):
    con = duckdb.connect(str(settings.private_db), read_only=True)
    try:
        run_id = con.execute("select run_id from meta.run order by started_at").fetchall()[run_index][0]
        return dict(
            con.execute("select step, status from meta.run_step where run_id = ?", [run_id]).fetchall()
        )
    finally:
        con.close()


def test_second_run_with_unchanged_inputs_skips_every_stage(settings, fake_stages, write_raw):
    write_raw(settings, "renja", "dinsos.csv", "kode,nama\n1.01,a\n")
    first = run_all(settings)
    assert fake_stages == list(STAGES) and not any(r.cached for r in first)
    second = run_all(settings)
    assert fake_stages == list(STAGES)  # nothing ran again
    assert all(r.cached for r in second)
    assert [r.figures for r in second] == [r.figures for r in first]  # the previous results stand
    assert _steps(settings) == {
        **dict.fromkeys(STAGES, "cached"),
        "accounting": "success",
        "publish": "cached",  # the analytics content is unchanged too: not published again
    }


def test_validate_is_warmed_up_only_when_it_will_run(settings, fake_stages, warm_ups, write_raw):
    path = write_raw(settings, "renja", "dinsos.csv", "kode,nama\n1.01,a\n")
    run_all(settings)
    assert warm_ups == ["validate"]
    run_all(settings)  # nothing changed: validate is skipped, so GE's process is not started
    assert warm_ups == ["validate"]
    write_raw(settings, "review", "review.csv", "x\n")  # only reconcile and report run
    run_all(settings)
    assert warm_ups == ["validate"]
    path.write_text("kode,nama\n1.01,b\n", encoding="utf-8")
    run_all(settings)
    assert warm_ups == ["validate", "validate"]
    run_all(settings, force=True)
    assert warm_ups == ["validate"] * 3
    run_all(settings, stages=("ingest",))
    assert warm_ups == ["validate"] * 3


def test_a_changed_file_reruns_its_stage_and_everything_downstream(settings, fake_stages, write_raw):
    path = write_raw(settings, "renja", "dinsos.csv", "kode,nama\n1.01,a\n")
    write_raw(settings, "review", "review.csv", "x\n")
    run_all(settings)
    fake_stages.clear()
    write_raw(settings, "review", "review.csv", "x\ny\n")  # a planner's review decision
    run_all(settings)
    assert fake_stages == ["reconcile", "report"]  # ingest, validate, match stand
    fake_stages.clear()
    path.write_text("kode,nama\n1.01,b\n", encoding="utf-8")
    run_all(settings)
    assert fake_stages == list(STAGES)
    fake_stages.clear()
    path.rename(path.with_name("dinsos-baru.csv"))  # a rename is a change too
    run_all(settings)
    assert fake_stages == list(STAGES)


def test_excel_owner_files_are_not_inputs(settings, fake_stages, write_raw):
    write_raw(settings, "renja", "dinsos.csv", "a\n")
    run_all(settings)
    fake_stages.clear()
    write_raw(settings, "renja", "~$dinsos.xlsx", "owner file of an open workbook")
    run_all(settings)
    assert fake_stages == []


def test_single_stage_after_a_change_never_marks_stale_work_current(settings, fake_stages, write_raw):
    """`selaras match` alone after a file changed matches the old rows; a later full run
    must still re-run match after ingesting the new file."""
    path = write_raw(settings, "renja", "dinsos.csv", "a\n")
    run_all(settings)
    path.write_text("b\n", encoding="utf-8")
    fake_stages.clear()
    run_all(settings, stages=("match",), publish=False)
    assert fake_stages == ["match"] or fake_stages == []
    fake_stages.clear()
    run_all(settings)
    assert fake_stages == list(STAGES)


def test_force_and_changed_settings_redo_the_work(settings, fake_stages):
    run_all(settings)
    fake_stages.clear()
    run_all(settings, force=True)
    assert fake_stages == list(STAGES)
    fake_stages.clear()
    run_all(settings.model_copy(update={"renja_selaras_min": 90.0}))
    assert fake_stages == list(STAGES)


def test_a_changed_settings_file_redoes_the_work(settings, fake_stages, tmp_path):
    rules = tmp_path / "aturan.yaml"
    rules.write_text("pagu_not_negative: {severity: error}\n", encoding="utf-8")
    custom = settings.model_copy(update={"validation_rules": rules})
    run_all(custom)
    fake_stages.clear()
    run_all(custom)
    assert fake_stages == []
    rules.write_text("pagu_not_negative: {severity: warning}\n", encoding="utf-8")
    run_all(custom)
    assert fake_stages == list(STAGES)


def test_a_stage_that_raises_fails_the_run_and_runs_again_next_time(settings, fake_stages, monkeypatch):
    real = pipeline.stage_function

    def broken(name):
        if name == "match":

            def boom(con, settings, run_id):
                raise RuntimeError("matcher crashed")

            return boom
        return real(name)

    monkeypatch.setattr(pipeline, "stage_function", broken)
    with pytest.raises(RuntimeError, match="matcher crashed"):
        run_all(settings)
    assert not settings.published_db.exists()  # a crashed run publishes nothing
    con = duckdb.connect(str(settings.private_db), read_only=True)
    status, message = con.execute(
        "select status, message from meta.run order by started_at desc limit 1"
    ).fetchone()
    con.close()
    assert status == "failed" and "matcher crashed" in message
    monkeypatch.setattr(pipeline, "stage_function", real)
    fake_stages.clear()
    run_all(settings)
    # ingest and validate finished in the crashed run and stand; the failed step is redone.
    assert fake_stages == ["match", "reconcile", "report"]


def test_problems_exit_but_still_publish(settings, monkeypatch):
    from selaras.runs import StageResult

    def stage_with_problem(name):
        def stage(con, settings, run_id):
            r = StageResult(name)
            if name == "ingest":
                r.problem("renja/rusak.xlsx: berkas tidak terbaca (unreadable)")
            return r

        return stage

    monkeypatch.setattr(pipeline, "stage_function", stage_with_problem)
    results = run_all(settings)
    assert results[0].failed and settings.published_db.exists()
    again = run_all(settings)  # skipped, but the problem is still reported
    assert again[0].cached and again[0].failed and again[0].problems == results[0].problems
    con = duckdb.connect(str(settings.published_db), read_only=True)
    assert con.execute("select run_status from analytics.publication").fetchone()[0] == "problems"
    con.close()


def test_a_second_run_waits_then_is_refused_while_the_lock_is_held(settings, fake_stages):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from selaras.runs import run_lock\n"
            "with run_lock(Path(sys.argv[1]), 1, 0.1, what='test holder'):\n"
            "    print('held', flush=True); time.sleep(60)\n",
            str(settings.state_dir / "run.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert runs.lock_holder(settings.state_dir / "run.lock")["what"] == "test holder"
        started = time.perf_counter()
        with pytest.raises(runs.RunLocked, match="Run lain sedang berjalan.*test holder"):
            run_all(settings)  # settings fixture: 2 retries, 0.1 s doubling
        assert 0.25 <= time.perf_counter() - started < 5
        assert fake_stages == []
    finally:
        holder.kill()
        holder.wait()
    # The OS frees the lock of a killed process: no stale lock.
    assert runs.lock_holder(settings.state_dir / "run.lock") is None
    run_all(settings)
    assert fake_stages == list(STAGES)


def test_a_killed_run_is_marked_interrupted_by_the_next_one(settings, fake_stages):
    from selaras import warehouse

    con = warehouse.connect(settings)
    runs.start_run(con, None, "test", run_id="killed-run")
    con.close()
    run_all(settings)
    con = duckdb.connect(str(settings.private_db), read_only=True)
    assert (
        con.execute("select status from meta.run where run_id = 'killed-run'").fetchone()[0] == "interrupted"
    )
    con.close()


def test_add_files_places_a_file_by_its_folder_name(settings, tmp_path):
    upload = tmp_path / "unggahan" / "renja"
    upload.mkdir(parents=True)
    (upload / "dinsos.csv").write_text("a\n", encoding="utf-8")
    (added,) = pipeline.add_files(settings, [upload / "dinsos.csv"])
    assert added == (settings.raw_dir / "renja" / "dinsos.csv").resolve() and added.read_text() == "a\n"
    (tmp_path / "lain").mkdir()
    (tmp_path / "lain" / "x.csv").write_text("a\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Jenis berkas"):
        pipeline.add_files(settings, [tmp_path / "lain" / "x.csv"])


def test_a_one_shot_run_lets_go_of_the_ge_process_after_validate(
    settings, fake_stages, monkeypatch, write_raw
):
    cooled: list[str] = []
    monkeypatch.setattr("selaras.validate.stage.cool_down", lambda s: cooled.append(fake_stages[-1]))
    write_raw(settings, "renja", "dinsos.csv", "kode,nama\n1.01,a\n")
    run_all(settings)  # a long-lived process (tests, a Prefect server) keeps it
    assert cooled == []
    run_all(settings, force=True, once=True)  # `selaras run`: right after validate, before match
    assert cooled == ["validate"]
