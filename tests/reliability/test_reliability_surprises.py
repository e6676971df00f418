"""No surprises: a run makes no network connection and sends no telemetry, reads only
files inside data/raw, writes only inside the data folder, never turns planners' text
into live formulas in the workbooks it writes, and readers open the published database
read-only."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hostile_corpus import INJECTIONS, renja_xlsx
from reliability_support import REPO, cli_env, make_settings, record_duckdb_connects

from selaras import warehouse
from selaras.ingest import ingest_all

TELEMETRY = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "GX_ANALYTICS_ENABLED": "false",
}


def test_a_whole_run_makes_no_network_connection(corpus_run):
    assert corpus_run.error is None, f"the run raised {corpus_run.error!r}"
    assert corpus_run.network.attempts == [], corpus_run.network.attempts


def test_the_cli_turns_telemetry_off_and_keeps_prefect_home_in_the_data_folder(tmp_path):
    """In a process whose environment says nothing about telemetry, the CLI sets it off
    before anything can phone home."""
    data = tmp_path / "data"
    probe = (
        "import json, os, sys\n"
        "from selaras.cli import app\n"
        "try:\n"
        "    app(['status'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('ENV=' + json.dumps({{k: os.environ.get(k) for k in {sorted([*TELEMETRY, 'PREFECT_HOME'])!r}}}))\n"
    )
    env = {k: v for k, v in cli_env(data).items() if k not in TELEMETRY and not k.startswith("PREFECT_")}
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("ENV=")), None)
    assert line, out.stdout + out.stderr
    seen = json.loads(line[4:])
    assert {k: seen[k] for k in TELEMETRY} == TELEMETRY
    assert Path(seen["PREFECT_HOME"]).resolve().is_relative_to(data.resolve())


# --------------------------------------------------------------------------- confined to the data folder


def test_a_symlink_leading_out_of_raw_is_refused_in_the_full_run(corpus_con):
    status, reason = corpus_con.execute(
        "select status, reason from raw.ingest_file where source_file = ?", ["renja/tautan_keluar.xlsx"]
    ).fetchone()
    assert status == "failed" and "symlink" in reason and "(unsafe_path)" in reason, reason


def test_symlinked_files_and_folders_pointing_outside_are_refused_with_a_message(tmp_path):
    settings = make_settings(tmp_path / "data")
    outside = tmp_path / "luar"
    renja_xlsx(outside / "renja_rahasia.xlsx")
    os.symlink(outside / "renja_rahasia.xlsx", settings.raw_dir / "renja" / "tautan.xlsx")
    os.symlink(outside, settings.raw_dir / "renja" / "folder_tautan")
    os.symlink(outside / "renja_rahasia.xlsx", settings.raw_dir / "tautan_atas.xlsx")
    con = warehouse.connect(settings)
    try:
        result = ingest_all(con, settings, "reliability")
        rows = dict(con.execute("select source_file, status from raw.ingest_file").fetchall())
        assert rows.get("renja/tautan.xlsx") == "failed" and rows.get("tautan_atas.xlsx") == "failed", rows
        assert con.execute("select count(*) from staged.renja").fetchone()[0] == 0  # nothing from outside
        # A linked folder is not read either, and the planner is told so (not silently ignored).
        assert any("folder_tautan" in p for p in result.problems), result.problems
    finally:
        con.close()


def test_nothing_is_written_outside_the_data_folder(corpus_run):
    assert corpus_run.outside_after == corpus_run.outside_before
    assert corpus_run.cwd_after == [], corpus_run.cwd_after  # nothing dropped in the working directory


def test_files_brought_in_with_dotdot_paths_land_inside_raw(tmp_path):
    from selaras.pipeline import add_files

    settings = make_settings(tmp_path / "data")
    upload = tmp_path / "unggah" / "renja"
    renja_xlsx(upload / "dinsos.xlsx")
    (added,) = add_files(settings, [str(upload / ".." / "renja" / "." / "dinsos.xlsx")])
    assert added == settings.raw_dir / "renja" / "dinsos.xlsx" and added.is_file()
    renja_xlsx(tmp_path / "unggah" / "lain" / "x.xlsx")
    with pytest.raises(ValueError, match="tidak diketahui"):
        add_files(settings, [str(tmp_path / "unggah" / "renja" / ".." / "lain" / "x.xlsx")])
    assert not (settings.raw_dir / "lain").exists()


def test_file_names_with_quotes_dots_and_sql_stay_inside_the_outputs(corpus_run, corpus_con):
    """Per-file outputs (quarantine workbooks ...) named after hostile file names are all
    written inside processed/."""
    processed = corpus_run.settings.processed_dir.resolve()
    for path in corpus_run.settings.data_dir.rglob("*"):
        assert path.resolve().is_relative_to(corpus_run.settings.data_dir.resolve()) or path.is_symlink(), (
            path
        )
    assert all(p.resolve().is_relative_to(processed) for p in processed.rglob("*"))


# --------------------------------------------------------------------------- formula injection in outputs

_FORMULA = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?>(.*?)</(?:\w+:)?f>", re.S)


def test_planners_text_never_becomes_a_formula_in_written_workbooks(corpus_run, corpus_con):
    """Cells that start with = + - @ in the inputs are text in every workbook the run
    writes (quarantine, Forum OPD, review): no formula cell carries them."""
    markers = [b"HYPERLINK", b"cmd|", b"SUM(1+1)", b"+62 812"]
    books = list(corpus_run.settings.processed_dir.rglob("*.xlsx"))
    assert books
    offenders = []
    for book in books:
        with zipfile.ZipFile(book) as archive:
            for name in archive.namelist():
                if not name.startswith("xl/worksheets/"):
                    continue
                for formula in _FORMULA.findall(archive.read(name)):
                    if any(m.lower() in formula.lower() for m in markers):
                        offenders.append(
                            f"{book.relative_to(corpus_run.settings.processed_dir)}: {formula[:80]!r}"
                        )
    assert offenders == [], offenders
    # ... and the text itself reached the outputs (the test would prove nothing otherwise).
    assert (
        corpus_con.execute(
            "select count(*) from analytics.renja_alignment where nama_sub_kegiatan = ?", [INJECTIONS[0]]
        ).fetchone()[0]
        == 1
    )


# --------------------------------------------------------------------------- readers


def test_readers_open_the_published_database_read_only(corpus_run, tmp_path):
    """During the run, and when `selaras status` reads the publication (an analyst's
    machine with only processed/, or the private database busy), every connection to
    selaras.duckdb is read-only: an analyst's session never blocks a run and a reader
    can never change what was published."""
    import shutil

    import duckdb

    from selaras.status import read_status

    published = corpus_run.settings.published_db.resolve()
    during_run = [ro for path, ro in corpus_run.connects if Path(path).resolve() == published]
    assert all(during_run), during_run
    reader = make_settings(tmp_path / "analis")
    shutil.copyfile(published, reader.published_db)
    with record_duckdb_connects() as calls:
        status = read_status(reader)
    assert status.source == "published" and status.runs, status
    opened = [ro for path, ro in calls if Path(path).resolve() == reader.published_db.resolve()]
    assert opened and all(opened), calls
    con = duckdb.connect(str(reader.published_db), read_only=True)
    try:
        with pytest.raises(duckdb.Error):
            con.execute("delete from analytics.renja_alignment")
    finally:
        con.close()


def test_exported_csv_cells_cannot_run_as_formulas(corpus_run, corpus_con):
    """CSV exports open in Excel: a cell that starts with = + - @ from a planner's text is
    escaped (leading apostrophe), so it shows as text instead of running."""
    import csv

    exports = list(corpus_run.settings.processed_dir.rglob("*.csv"))
    assert exports
    offenders, escaped = [], 0
    for path in exports:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    if cell in INJECTIONS:
                        offenders.append(f"{path.name}: {cell[:40]}")
                    escaped += cell.lstrip("'") in INJECTIONS and cell.startswith("'")
    assert offenders == [], offenders[:10]
    assert escaped, "the planners' formula-like text did not reach any export"
