"""The flows as real Prefect flows (one shared test harness for the session): results,
skipping unchanged work, artifacts, failures, and the Dask-backed match."""

from __future__ import annotations

import inspect

import duckdb
import pytest

from selaras.pipeline import STAGES, run_all
from selaras.runs import StageResult
from selaras.settings import Settings

pytestmark = pytest.mark.prefect


def _artifacts(key: str) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        return client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))


def test_reconcile_runs_as_a_real_prefect_flow(prefect_harness, settings, fake_stages, write_raw):
    from flows.reconcile import reconcile_flow

    write_raw(settings, "renja", "dinsos.csv", "a\n")
    state = reconcile_flow(data_dir=str(settings.data_dir), opd="Dinas Sosial", return_state=True)
    assert state.is_completed()
    results = state.result()
    assert [r.stage for r in results] == list(STAGES)
    assert all(isinstance(r, StageResult) and not r.cached for r in results)
    assert settings.published_db.exists()
    con = duckdb.connect(str(settings.private_db), read_only=True)
    assert con.execute("select trigger, status from meta.run").fetchall() == [
        ("prefect:reconcile", "success")
    ]
    con.close()
    logs = list((settings.state_dir / "logs").glob("selaras-*-flow-reconcile.log"))
    assert logs and "publish" in logs[0].read_text(encoding="utf-8")
    # Unchanged inputs: the second flow run skips every stage.
    again = reconcile_flow(data_dir=str(settings.data_dir))
    assert all(r.cached for r in again)
    summaries = _artifacts("selaras-reconcile-summary")
    assert summaries and any("cached" in (a.data or "") for a in summaries)
    assert any("| ingest |" in (a.data or "") for a in summaries)


def test_a_failing_stage_fails_the_flow_and_says_why(prefect_harness, settings, monkeypatch):
    from flows.validate import validate_flow
    from selaras import pipeline

    def crash(name):
        def stage(con, s, run_id):
            raise RuntimeError("kolom pagu hilang")

        return stage

    monkeypatch.setattr(pipeline, "stage_function", crash)
    state = validate_flow(data_dir=str(settings.data_dir), return_state=True)
    assert state.is_failed()
    with pytest.raises(RuntimeError, match="kolom pagu hilang"):
        state.result()
    con = duckdb.connect(str(settings.private_db), read_only=True)
    assert con.execute("select status from meta.run").fetchone()[0] == "failed"
    con.close()
    assert any("kolom pagu hilang" in (a.data or "") for a in _artifacts("selaras-validate-summary"))


def test_match_on_a_dask_local_cluster_equals_the_single_machine_run(
    prefect_harness, settings, fake_stages, write_raw
):
    from flows.common import dask_task_runner
    from flows.match import match_flow

    for name in ("dinsos.csv", "dinkes.csv", "dishub.csv"):
        write_raw(settings, "renja", name, "a\n")
    (single,) = run_all(settings, stages=("match",), publish=False, force=True)
    dask_flow = match_flow.with_options(task_runner=dask_task_runner(n_workers=2))
    (on_dask,) = dask_flow(data_dir=str(settings.data_dir), force=True)
    assert single.figures["map_fn"] == "map" and on_dask.figures["map_fn"] == "dask_map"
    assert on_dask.figures["mapped"] == single.figures["mapped"]


def _match_tables(settings) -> dict[str, list]:
    """Every table of the match schema, without run ids and timestamps, sorted."""
    con = duckdb.connect(str(settings.private_db), read_only=True)
    try:
        out = {}
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'match' order by 1"
            ).fetchall()
        ]
        for table in tables:
            cols = [
                name
                for name, dtype in con.execute(
                    "select column_name, data_type from duckdb_columns() where schema_name = 'match' "
                    "and table_name = ? order by column_index",
                    [table],
                ).fetchall()
                if name != "run_id" and not dtype.startswith("TIMESTAMP")
            ]
            select = ", ".join(f'"{c}"' for c in cols)
            out[table] = con.execute(f'select {select} from match."{table}" order by all').fetchall()  # noqa: S608
        return out
    finally:
        con.close()


@pytest.mark.slow
def test_real_matcher_on_dask_equals_the_single_machine_run(prefect_harness, settings):
    """Runs against the real matcher once `selaras.match.match_all` accepts `map_fn`."""
    from flows.common import dask_task_runner
    from flows.match import match_flow
    from selaras.match import match_all
    from selaras.sample import write_sample

    if "map_fn" not in inspect.signature(match_all).parameters:
        pytest.skip("selaras.match.match_all does not take map_fn yet")
    if not write_sample(settings.data_dir):
        pytest.skip("selaras.sample.write_sample writes no files yet")
    run_all(settings, stages=("ingest", "validate", "match"), publish=False)
    single = _match_tables(settings)
    assert any(single.values()), "the sample produced no matches"
    match_flow.with_options(task_runner=dask_task_runner(n_workers=2))(
        data_dir=str(settings.data_dir), force=True
    )
    assert _match_tables(settings) == single


def test_files_parameter_brings_new_files_in(prefect_harness, settings, fake_stages, tmp_path):
    from flows.ingest import ingest_flow

    upload = tmp_path / "unggahan" / "rkpd"
    upload.mkdir(parents=True)
    (upload / "rkpd-2021.csv").write_text("a\n", encoding="utf-8")
    (result,) = ingest_flow(data_dir=str(settings.data_dir), files=[str(upload / "rkpd-2021.csv")])
    assert result.figures["files"] == 1
    assert (settings.raw_dir / "rkpd" / "rkpd-2021.csv").is_file()


def test_every_setting_reaches_the_stages_on_the_prefect_path(prefect_harness, settings, monkeypatch):
    """Settings cross the flow boundary whole: a non-default field the flow has no
    parameter for still reaches the stage (it used to be rebuilt from data_dir and tahun)."""
    from flows.match import match_flow
    from selaras import pipeline

    seen: list[tuple] = []

    def recording(name):
        def stage(con, s, run_id, map_fn=map):
            seen.append((name, s.usulan_review_min, s.top_k, s.data_dir))
            return StageResult(name)

        return stage

    monkeypatch.setattr(pipeline, "stage_function", recording)
    changed = settings.model_copy(update={"usulan_review_min": 42.5, "top_k": 9})
    assert (Settings().usulan_review_min, Settings().top_k) != (42.5, 9)
    (result,) = match_flow(settings=changed.model_dump(mode="json"))
    assert result.stage == "match"
    assert seen == [("match", 42.5, 9, settings.data_dir)]


def test_the_flow_lets_go_of_the_ge_process_only_when_told_the_process_ends(
    prefect_harness, settings, fake_stages, monkeypatch, write_raw
):
    from flows.reconcile import reconcile_flow

    cooled: list[str] = []
    monkeypatch.setattr("selaras.validate.stage.cool_down", lambda s: cooled.append("validate"))
    write_raw(settings, "renja", "dinsos.csv", "a\n")
    reconcile_flow(data_dir=str(settings.data_dir))  # a served flow: its process lives on
    assert cooled == []
    reconcile_flow(data_dir=str(settings.data_dir), force=True, once=True)  # `selaras run --prefect`
    assert cooled == ["validate"]
