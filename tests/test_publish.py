"""Publishing for analysts: every analytics view materialised with its comment, Parquet
and CSV alongside, atomically, only after the audit passed, and only when the content
changed; readers never block a run; a killed or failed run, or a full disk, leaves the
previous publication intact."""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from selaras import pipeline, publish
from selaras.pipeline import run_all

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def quick_stages(monkeypatch):
    """The stages do nothing here: publishing is what is tested (the views are still the
    real ones from sql/, on an empty warehouse)."""
    from selaras.runs import StageResult

    monkeypatch.setattr(pipeline, "stage_function", lambda name: lambda con, s, run_id: StageResult(name))


def _published_run(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select run_id from analytics.publication").fetchone()[0]
    finally:
        con.close()


def _last_run_id(settings) -> str:
    con = duckdb.connect(str(settings.private_db), read_only=True)
    try:
        return con.execute("select run_id from meta.run order by started_at desc limit 1").fetchone()[0]
    finally:
        con.close()


def test_every_analytics_view_is_published_with_its_comment_and_parquet(settings, quick_stages):
    run_all(settings)
    private = duckdb.connect(str(settings.private_db), read_only=True)
    views = dict(publish.analytics_views(private))
    private.close()
    assert {"renja_alignment", "musrenbang_accommodation", "rkpd_coverage", "row_accounting"} <= set(views)
    con = duckdb.connect(str(settings.published_db), read_only=True)
    tables = dict(
        con.execute(
            "select table_name, comment from duckdb_tables() where schema_name = 'analytics'"
        ).fetchall()
    )
    assert con.execute("select count(*) from duckdb_views() where not internal").fetchone()[0] == 0
    for view, comment in views.items():
        assert tables[view] == comment, view  # materialised as a table, comment kept
        assert (settings.processed_dir / "parquet" / f"{view}.parquet").is_file()
        assert (settings.processed_dir / "export" / f"{view}.parquet").is_file()
        assert (settings.processed_dir / "export" / f"{view}.csv").is_file()
    assert "publication" in tables
    # The catalog is named after the file: analytics.<view> is never ambiguous.
    assert con.execute("select current_database()").fetchone()[0] == "selaras"
    assert con.execute("select count(*) from analytics.runs").fetchone()[0] == 1
    con.close()
    assert not list(settings.processed_dir.glob(".*")) and not list(
        (settings.processed_dir / "parquet").glob(".*")
    )


def test_an_analyst_holding_the_file_open_never_blocks_a_run(settings, quick_stages):
    run_all(settings)
    first = _published_run(settings.published_db)
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, duckdb\n"
            "con = duckdb.connect(sys.argv[1], read_only=True)\n"
            "print(con.execute('select run_id from analytics.publication').fetchone()[0], flush=True)\n"
            "sys.stdin.readline()\n"  # hold the file open until told
            "print(con.execute('select run_id from analytics.publication').fetchone()[0], flush=True)\n",
            str(settings.published_db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == first
        started = time.perf_counter()
        run_all(settings, force=True)  # publishes while the analyst's session is open
        assert time.perf_counter() - started < 30
        out, _ = reader.communicate("\n", timeout=30)
    finally:
        if reader.poll() is None:
            reader.kill()
    assert reader.returncode == 0
    assert out.strip() == first  # the open session keeps its snapshot ...
    assert (
        _published_run(settings.published_db) == _last_run_id(settings) != first
    )  # ... a new one sees the new run


def _cli_env(settings, **extra) -> dict:
    env = {**os.environ, "SELARAS_DATA_DIR": str(settings.data_dir), **extra}
    return env


def test_a_run_killed_mid_publish_leaves_the_previous_publication_intact(settings):
    run_all(settings, trigger="test")
    first = _published_run(settings.published_db)
    proc = subprocess.Popen(
        [sys.executable, "-m", "selaras.cli", "run", "--no-prefect", "--force"],
        env=_cli_env(settings, **{publish.PAUSE_ENV: "60"}),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
    )
    try:
        deadline = time.monotonic() + 90
        line, seen = "", []
        while time.monotonic() < deadline and not line.startswith("SELARAS_PUBLISH_PAUSED"):
            line = proc.stderr.readline()
            seen.append(line)
            assert line or proc.poll() is None, "the run ended before publishing:\n" + "".join(seen)
        temp = Path(line.split(maxsplit=1)[1].strip())
        assert temp.is_file()  # the new publication is fully written, not yet renamed
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert _published_run(settings.published_db) == first  # intact, and still the previous one
    # The next run cleans up after the killed one; the content is what was published
    # first, so that publication stands (and a forced run replaces it).
    run_all(settings)
    assert not temp.exists()
    assert _published_run(settings.published_db) == first
    assert _step_status(settings, "publish")[-1] == "cached"
    con = duckdb.connect(str(settings.private_db), read_only=True)
    statuses = [r[0] for r in con.execute("select status from meta.run order by started_at").fetchall()]
    con.close()
    assert statuses == ["success", "interrupted", "success"]


def test_a_failed_run_leaves_the_previous_publication_in_place(settings, quick_stages, monkeypatch):
    run_all(settings)
    first = _published_run(settings.published_db)

    def broken_view_publish(settings, con):
        raise RuntimeError("view analytics.x failed")

    monkeypatch.setattr("selaras.publish.stage.publish", broken_view_publish)
    with pytest.raises(RuntimeError):
        run_all(settings, force=True)
    assert _published_run(settings.published_db) == first


def test_disk_full_gives_a_clear_error_and_no_broken_publication(settings, quick_stages, monkeypatch):
    run_all(settings)
    first = _published_run(settings.published_db)

    def full(path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("selaras.publish.files.fsync_file", full)
    with pytest.raises(publish.PublishError, match="Disk penuh"):
        run_all(settings, force=True)
    assert _published_run(settings.published_db) == first
    assert not list(settings.processed_dir.glob(".*.tmp*"))
    con = duckdb.connect(str(settings.private_db), read_only=True)
    assert (
        con.execute("select status from meta.run order by started_at desc limit 1").fetchone()[0] == "failed"
    )
    con.close()


def _mtimes(settings) -> dict[Path, int]:
    return {
        p: p.stat().st_mtime_ns
        for p in settings.processed_dir.rglob("*")
        if p.is_file() and p.parent.name in ("processed", "parquet", "export")
    }


def _step_status(settings, step: str) -> list[str]:
    con = duckdb.connect(str(settings.private_db), read_only=True)
    try:
        return [
            r[0]
            for r in con.execute(
                "select s.status from meta.run_step s join meta.run r using (run_id) "
                "where s.step = ? order by r.started_at",
                [step],
            ).fetchall()
        ]
    finally:
        con.close()


def test_unchanged_content_is_not_published_again_and_a_change_is(settings, quick_stages, monkeypatch):
    run_all(settings)
    first, before = _published_run(settings.published_db), _mtimes(settings)
    run_all(settings)  # nothing changed: the publication stands, its files untouched
    assert _published_run(settings.published_db) == first and _mtimes(settings) == before
    assert _step_status(settings, "publish") == ["success", "cached"]
    # A deleted file is published again, even when the content is unchanged.
    (settings.processed_dir / "export" / "runs.csv").unlink()
    run_all(settings)
    assert (settings.processed_dir / "export" / "runs.csv").is_file()
    second = _published_run(settings.published_db)
    assert second != first
    # A change in what analysts receive is published.
    from selaras.runs import StageResult

    def ingest_one(con, s, run_id):
        con.execute(
            "insert into raw.ingest_file (file_id, source_file, kind, sha256, size_bytes, status) "
            "values ('f1', 'renja/x.csv', 'renja', 'abc', 1, 'failed')"
        )
        return StageResult("ingest")

    monkeypatch.setattr(pipeline, "stage_function", lambda name: ingest_one)
    (settings.raw_dir / "renja" / "x.csv").write_text("a\n", encoding="utf-8")  # so ingest runs
    run_all(settings, stages=("ingest",))
    assert _published_run(settings.published_db) not in (first, second)
    assert _step_status(settings, "publish") == ["success", "cached", "success", "success"]


def test_nothing_is_published_when_rows_are_unaccounted_for(settings, quick_stages, monkeypatch):
    monkeypatch.setattr("selaras.audit.check_accounting", lambda con, limit=None: ["baris hilang"])
    results = run_all(settings)
    assert results[-1].stage == "accounting" and results[-1].failed
    assert not settings.published_db.exists()
    assert not list(settings.processed_dir.rglob("*.csv")) and not list(
        settings.processed_dir.rglob("*.parquet")
    )


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A small synthetic region, reconciled, with planners' formula-like text in it."""
    from selaras import runs, warehouse
    from selaras.publish import publish as publish_files
    from selaras.reconcile import reconcile_all
    from selaras.sample.synthetic import fill_synthetic
    from selaras.settings import Settings

    settings = Settings(
        data_dir=tmp_path_factory.mktemp("publish") / "data", lock_retries=2, lock_wait_seconds=0.1
    )
    settings.ensure_dirs()
    con = warehouse.connect(settings)
    fill_synthetic(con, n_opd=3, n_usulan=120, renja_per_opd=9, seed=11)
    run_id = runs.start_run(con, None, "test")
    reconcile_all(con, settings, run_id)
    runs.finish_run(con, run_id, "success")
    publish_files(settings, con)
    yield settings, con
    con.close()


def test_csv_and_parquet_of_every_view(synthetic):
    settings, con = synthetic
    views = [v for v, _ in publish.analytics_views(con)]
    folder = settings.processed_dir / "export"
    for view in views:
        rows = con.execute(f'select count(*) from analytics."{view}"').fetchone()[0]  # noqa: S608
        assert pq.read_metadata(folder / f"{view}.parquet").num_rows == rows
        assert pq.read_metadata(settings.processed_dir / "parquet" / f"{view}.parquet").num_rows == rows
        with (folder / f"{view}.csv").open(encoding="utf-8") as f:
            assert sum(1 for _ in csv.reader(f)) == rows + 1
    assert sorted(p.stem for p in folder.glob("*.csv")) == sorted(views)


def test_csv_cells_are_defused(synthetic):
    settings, _ = synthetic
    number = re.compile(r"^-?\d+(\.\d+)?(e[+-]?\d+)?$")
    defused = 0
    for path in (settings.processed_dir / "export").glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.reader(f):
                for cell in row:
                    assert not (cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not number.match(cell)), (
                        path.name,
                        cell,
                    )
                    defused += cell.startswith("'=HYPERLINK")
    assert defused > 0


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_disk_full_on_a_real_small_file_system(settings, quick_stages, tmp_path):
    """processed/ on a 6 MB tmpfs: the first publication fits; fill the disk, publish
    again: a clear error, the first publication intact, no temp file left."""
    mount = settings.processed_dir
    if (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], capture_output=True
        ).returncode
        != 0
    ):
        pytest.skip("cannot mount tmpfs here")
    try:
        run_all(settings)
        first = _published_run(settings.published_db)
        free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
        (mount / "filler").write_bytes(b"\0" * max(0, free - 64 * 1024))
        with pytest.raises(publish.PublishError, match="Disk penuh"):
            run_all(settings, force=True)
        assert _published_run(settings.published_db) == first
        assert not list(mount.glob(".*.tmp*")) and not list((mount / "parquet").glob(".*.tmp*"))
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.slow
def test_duckdb_1x_clients_can_open_the_publication(settings, quick_stages, tmp_path_factory):
    """DuckDB 1.0 (the oldest 1.x) in its own venv opens the published file."""
    run_all(settings)
    venv = tmp_path_factory.getbasetemp() / "duckdb-1.0-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        if (
            subprocess.run(
                [str(python), "-m", "pip", "install", "-q", "duckdb==1.0.0"], capture_output=True, timeout=300
            ).returncode
            != 0
        ):
            pytest.skip("duckdb 1.0.0 could not be installed (offline?)")
    out = subprocess.run(
        [
            str(python),
            "-c",
            "import sys, duckdb; con = duckdb.connect(sys.argv[1], read_only=True); "
            "print(duckdb.__version__, con.execute('select count(*) from analytics.renja_alignment').fetchone()[0], "
            "con.execute(\"select count(*) from duckdb_tables() where schema_name = 'analytics'\").fetchone()[0])",
            str(settings.published_db),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    version, rows, tables = out.stdout.split()
    assert version == "1.0.0" and rows == "0" and int(tables) >= 10
