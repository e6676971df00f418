"""Row accounting, caching across runs, one transaction per file, lazy GE import."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import RENJA_MAP, add_file, add_nomenklatur, renja_row

from selaras.audit import RowAccountingError, row_accounting
from selaras.validate import validate_all


def _rows():
    return [renja_row("1.03.10.2.01.0053", "Pembangunan Jalan"), renja_row(None, None)]


def ge_runs(monkeypatch) -> list[str]:
    """The suite parts ("rows" / "file") of every Great Expectations run from now on, in
    this process or in the GE process."""
    from selaras.validate import gx, gxprocess

    calls: list[str] = []
    for cls in (gx.GxRunner, gxprocess.RemoteRunner):
        original = cls.check
        monkeypatch.setattr(cls, "check", lambda *a, _o=original, **k: calls.append(a[2]) or _o(*a, **k))
    return calls


def test_row_accounting_balances_and_mismatch_raises_naming_the_file(con, settings):
    add_file(
        con,
        "renja",
        "renja/ok.xlsx",
        _rows(),
        column_map=RENJA_MAP,
        skipped=[{"source_row": 1, "reason_code": "title"}, {"source_row": 2, "reason_code": "header"}],
    )
    add_file(con, "renja", "renja/hilang.xlsx", _rows(), column_map=RENJA_MAP, rows_read=9)
    with pytest.raises(RowAccountingError) as err:
        validate_all(con, settings, "20260101T000000-aaaaaa")
    text = str(err.value)
    assert "renja/hilang.xlsx" in text and "dibaca 9 baris" in text
    assert "dimuat 1 + dikarantina 1 + dilewati 0 = 2" in text
    assert "renja/ok.xlsx" not in text
    # The results of the validation stay (they are right); the run fails loudly.
    acc = row_accounting(
        con,
        [
            con.execute("select file_id from raw.ingest_file where source_file = 'renja/ok.xlsx'").fetchone()[
                0
            ]
        ],
    )
    assert acc.loc[0, "rows_read"] == 4 and bool(acc.loc[0, "balanced"])
    assert (acc.loc[0, "rows_loaded"], acc.loc[0, "rows_quarantined"], acc.loc[0, "rows_skipped"]) == (
        1,
        1,
        2,
    )


def test_unchanged_file_is_not_revalidated_but_results_stay_queryable(con, settings, monkeypatch):
    add_nomenklatur(con)
    add_file(con, "renja", "renja/a.xlsx", _rows(), column_map=RENJA_MAP)
    first = validate_all(con, settings, "20260101T000000-aaaaaa")
    assert first.figures["files_cached"] == 0

    calls = ge_runs(monkeypatch)
    second = validate_all(con, settings, "20260102T000000-bbbbbb")
    assert second.figures["files_cached"] == second.figures["files"] and calls == []
    per_run = dict(
        con.execute(
            "select run_id, count(*) from quality.check_result where source_file = 'renja/a.xlsx' group by run_id"
        ).fetchall()
    )
    assert per_run["20260101T000000-aaaaaa"] == per_run["20260102T000000-bbbbbb"] > 0
    cached_from = con.execute(
        "select distinct cached_from from quality.validation_run where run_id = '20260102T000000-bbbbbb'"
    ).fetchall()
    assert cached_from == [("20260101T000000-aaaaaa",)]

    # New reference data (another nomenclature file) invalidates the cache of the Renja file.
    add_file(
        con,
        "nomenklatur",
        "nomenklatur/tambahan.xlsx",
        [
            {
                "versi": "2027",
                "kode_raw": "1.01.02.1.01.0001",
                "nama": "Pembangunan USB",
                "kode_level": "sub_kegiatan",
            }
        ],
    )
    third = validate_all(con, settings, "20260103T000000-cccccc")
    assert third.figures["files_cached"] == 2  # the two earlier nomenclature files
    assert len(calls) > 0


def test_a_failure_leaves_the_file_results_as_they_were(con, settings, monkeypatch):
    add_file(con, "renja", "renja/a.xlsx", _rows(), column_map=RENJA_MAP)
    validate_all(con, settings, "20260101T000000-aaaaaa")
    before = con.execute("select count(*) from quality.check_result").fetchone()[0]
    from selaras import warehouse

    real_insert = warehouse.insert_df

    def failing(con_, table, df):
        if table == "quality.check_result":
            raise RuntimeError("disk full")
        return real_insert(con_, table, df)

    monkeypatch.setattr(warehouse, "insert_df", failing)
    settings.plan_period = (2019, 2030)  # a new rules fingerprint: the file is validated again
    with pytest.raises(RuntimeError, match="disk full"):
        validate_all(con, settings, "20260102T000000-bbbbbb")
    assert con.execute("select count(*) from quality.check_result").fetchone()[0] == before
    assert (
        con.execute(
            "select count(*) from quality.validation_run where run_id = '20260102T000000-bbbbbb'"
        ).fetchone()[0]
        == 0
    )


def test_importing_the_package_and_cli_does_not_import_great_expectations():
    code = (
        "import sys, selaras.cli, selaras.validate, selaras.pipeline; "
        "print('great_expectations' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_many_files_of_a_kind_are_validated_together_with_the_same_results(con, settings, monkeypatch):
    """Twelve Renja files: one GE run of the row checks for the kind, none per file, and
    each file's results name its own file and rows, exactly as when validated alone."""
    add_nomenklatur(con)
    for i in range(12):
        rows = [
            renja_row("1.03.10.2.01.0053", "Pembangunan Jalan", pagu=1000.0 * (i + 1)),
            renja_row("1.03.10.2.01.0053", "Pembangunan Jalan", pagu=1000.0 * (i + 1)),  # a repeated row
            renja_row(None, None) if i % 3 == 0 else renja_row("1.03.10.2.01.0032", f"Jalan {i}"),
        ]
        add_file(con, "renja", f"renja/opd_{i:02d}.xlsx", rows, column_map=RENJA_MAP)
    calls = ge_runs(monkeypatch)
    result = validate_all(con, settings, "20260101T000000-aaaaaa")
    assert result.figures["files"] == 14  # twelve Renja files and two nomenclature files
    assert calls == ["rows", "rows"]  # one run per kind (nomenklatur, renja), whatever the files
    per_file = con.execute(
        "select source_file, rule, count(*), min(source_row) from quality.check_result "
        "where kind = 'renja' group by all order by all"
    ).fetchall()
    dup = {f: n for f, rule, n, _ in per_file if rule == "duplicate_row"}
    assert dup == {f"renja/opd_{i:02d}.xlsx": 1 for i in range(12)}  # within each file, not across
    missing = {f for f, rule, _, _ in per_file if rule == "name_and_code_missing"}
    assert missing == {f"renja/opd_{i:02d}.xlsx" for i in (0, 3, 6, 9)}
    messages = con.execute(
        "select message from quality.check_result where rule = 'duplicate_row' and source_file = 'renja/opd_05.xlsx'"
    ).fetchall()
    assert "Berkas renja/opd_05.xlsx" in messages[0][0]
