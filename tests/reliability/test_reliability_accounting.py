"""Accounting after a whole run over the sample data plus the hostile corpus: every input
row is loaded, quarantined or skipped exactly once, the analytics views mirror the clean
tables, each hostile file got its outcome, and selaras.audit catches each kind of
loss it is meant to catch."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from hostile_corpus import CASES

from selaras.audit import accounting_figures, check_accounting

SAMPLE_FILES = 16  # selaras.sample.write_sample: every one loads


def test_every_input_row_is_accounted_for_after_the_combined_run(corpus_run, corpus_con):
    assert check_accounting(corpus_con) == []
    figures = accounting_figures(corpus_con)
    print(
        f"combined run (sample + {len(corpus_run.cases)} hostile files, {corpus_run.seconds:.0f} s): {figures}"
    )
    assert figures["rows_lost"] == 0
    assert (
        figures["rows_read"] == figures["rows_loaded"] + figures["rows_quarantined"] + figures["rows_skipped"]
    )
    assert figures["files_current"] >= SAMPLE_FILES and figures["rows_quarantined"] > 0
    # The validate stage's own per-file view agrees.
    assert (
        corpus_con.execute(
            "select count(*) from analytics.row_accounting where status = 'loaded' "
            "and not (balanced and counts_recorded)"
        ).fetchone()[0]
        == 0
    )


def test_the_run_finished_and_reported_the_refused_files(corpus_run, corpus_con):
    ingest = corpus_run.results[0]
    assert ingest.stage == "ingest" and ingest.failed  # refused files make the run end with problems
    failed = {c.source_file for c in corpus_run.cases if c.outcome == "failed"}
    for source in failed:
        assert any(source in p for p in ingest.problems), f"{source} not reported"
    status = corpus_con.execute("select status from meta.run").fetchall()
    assert status == [("problems",)]


@pytest.mark.parametrize("case", [c for c in CASES if c.in_corpus_run], ids=lambda c: c.id)
def test_each_hostile_file_gets_its_outcome_in_the_full_run(case, corpus_con):
    rows = corpus_con.execute(
        "select status, reason from raw.ingest_file where source_file = ?", [case.source_file]
    ).fetchall()
    assert [r[0] for r in rows] == [case.outcome], rows


@pytest.mark.parametrize("case", [c for c in CASES if c.quarantined_codes], ids=lambda c: c.id)
def test_bad_values_are_quarantined_with_file_sheet_row_and_column(case, corpus_con):
    (file_id,) = corpus_con.execute(
        "select file_id from raw.ingest_file where source_file = ? and status = 'loaded'", [case.source_file]
    ).fetchone()
    for code in case.quarantined_codes:
        (row_ref,) = corpus_con.execute(
            "select row_ref from staged.renja where file_id = ? and kode = ?", [file_id, code]
        ).fetchone()
        assert (
            corpus_con.execute("select count(*) from clean.renja where row_ref = ?", [row_ref]).fetchone()[0]
            == 0
        )
        found = corpus_con.execute(
            "select source_file, sheet, source_row, column_name, message from analytics.quarantine "
            "where row_ref = ? and status = 'dikarantina'",
            [row_ref],
        ).fetchall()
        assert found, f"{row_ref} is not in analytics.quarantine"
        source_file, sheet, source_row, column, message = found[0]
        assert (source_file, sheet) == (case.source_file, "Renja") and source_row > 0 and column and message


def test_the_sample_files_all_load_next_to_the_corpus(corpus_con):
    loaded = corpus_con.execute(
        "select count(*) from raw.ingest_file where status = 'loaded' and source_file in "
        "(select source_file from raw.ingest_file group by 1 having count(*) = 1)"
    ).fetchone()[0]
    assert loaded >= SAMPLE_FILES + sum(1 for c in CASES if c.in_corpus_run and c.outcome == "loaded")


# --------------------------------------------------------------------------- the check catches losses


@pytest.fixture(scope="module")
def tamper_db(corpus_run, tmp_path_factory):
    if corpus_run.error is not None:
        pytest.fail(f"the combined run raised: {corpus_run.error}")
    path = tmp_path_factory.mktemp("tamper") / "warehouse.duckdb"
    shutil.copyfile(corpus_run.settings.private_db, path)
    con = duckdb.connect(str(path))
    yield con
    con.close()


@pytest.fixture
def tamper(tamper_db):
    """The copy, inside a transaction rolled back after the test: each tamper starts clean."""
    tamper_db.execute("begin transaction")
    yield tamper_db
    tamper_db.execute("rollback")


def _a_loaded_renja_row(con) -> tuple[str, str, str, int, str]:
    return con.execute(
        "select s.file_id, s.row_ref, s.sheet, s.source_row, f.source_file from clean.renja s "
        "join raw.ingest_file f using (file_id) order by s.row_ref limit 1"
    ).fetchone()


def test_the_untouched_copy_is_clean(tamper):
    assert check_accounting(tamper) == []


def test_a_staged_row_deleted_is_a_loss_naming_the_file(tamper):
    file_id, row_ref, _, _, source = _a_loaded_renja_row(tamper)
    tamper.execute("delete from staged.renja where file_id = ? and row_ref = ?", [file_id, row_ref])
    problems = check_accounting(tamper)
    assert any(source in p and "rows_read != staged + skipped" in p for p in problems), problems
    assert any("1.." in p for p in problems), problems  # the sheet's numbering has a gap
    assert accounting_figures(tamper)["rows_lost"] == 1


def test_a_row_both_staged_and_skipped_is_counted_twice(tamper):
    file_id, _, sheet, source_row, source = _a_loaded_renja_row(tamper)
    tamper.execute(
        "update raw.ingest_file set rows_skipped = rows_skipped + 1, rows_read = rows_read + 1 "
        "where file_id = ?",
        [file_id],
    )
    tamper.execute(
        "update raw.sheet set rows_read = rows_read + 1 where file_id = ? and sheet = ?", [file_id, sheet]
    )
    tamper.execute(
        "insert into raw.skipped_row (file_id, sheet, source_row, reason_code, reason) "
        "values (?, ?, ?, 'empty', 'baris kosong')",
        [file_id, sheet, source_row],
    )
    problems = check_accounting(tamper)
    assert any(source in p and f"'{sheet}'" in p and "duplicated" in p for p in problems), problems


def test_a_row_clean_and_quarantined_at_once(tamper):
    tamper.execute(
        "create or replace view clean.renja as "
        "select s.* from staged.renja s join clean.current_file f using (file_id)"
    )
    problems = check_accounting(tamper)
    assert any("both clean and quarantined" in p for p in problems), problems


def test_a_row_neither_clean_nor_quarantined(tamper):
    file_id, row_ref, *_ = _a_loaded_renja_row(tamper)
    tamper.execute("create table main.clean_renja_copy as select * from clean.renja")
    tamper.execute("delete from main.clean_renja_copy where file_id = ? and row_ref = ?", [file_id, row_ref])
    tamper.execute("create or replace view clean.renja as select * from main.clean_renja_copy")
    problems = check_accounting(tamper)
    assert any(row_ref in p and "row lost between staged and clean" in p for p in problems), problems


def test_an_analytics_view_multiplying_rows_disagrees_with_clean(tamper):
    # A join that fans out (one row per candidate instead of one per Renja row).
    tamper.execute(
        "create or replace view analytics.renja_alignment as select r.row_ref as renja_ref "
        "from clean.renja r left join match.renja_candidate c on c.renja_ref = r.row_ref"
    )
    problems = check_accounting(tamper)
    assert any("analytics.renja_alignment" in p and "disagrees with clean" in p for p in problems), problems


def test_an_analytics_view_dropping_rows_disagrees_with_clean(tamper):
    tamper.execute(
        "create or replace view analytics.rkpd_coverage as "
        "select row_ref as rkpd_ref from clean.rkpd order by row_ref limit 3"
    )
    problems = check_accounting(tamper)
    assert any("analytics.rkpd_coverage" in p for p in problems), problems


def test_a_failed_file_that_left_rows_behind(tamper):
    (file_id, source) = tamper.execute(
        "select file_id, source_file from raw.ingest_file where status = 'failed' order by 1 limit 1"
    ).fetchone()
    tamper.execute(
        "insert into raw.skipped_row (file_id, sheet, source_row, reason_code, reason) "
        "values (?, 'x', 1, 'empty', 'baris kosong')",
        [file_id],
    )
    problems = check_accounting(tamper)
    assert any(source in p and "partial rows" in p for p in problems), problems


def test_a_broken_lineage(tamper):
    file_id, row_ref, *_ = _a_loaded_renja_row(tamper)
    tamper.execute(
        "update staged.renja set row_ref = row_ref || 'x' where file_id = ? and row_ref = ?",
        [file_id, row_ref],
    )
    problems = check_accounting(tamper)
    assert any("lineage broken" in p for p in problems), problems


def test_a_missing_table_is_reported_not_raised(tamper):
    tamper.execute("drop view analytics.musrenbang_accommodation")
    problems = check_accounting(tamper)
    assert any("analytics_mirror" in p for p in problems), problems
