"""The project's own sample data (selaras.sample) loads as its ground truth says: every
sheet's status and row count, and the reason of every skipped row."""

from __future__ import annotations

import csv

import pytest


def test_sample_files_match_their_truth(settings, con, ingest):
    sample = pytest.importorskip("selaras.sample")
    sample.write_sample(settings.data_dir, seed=2021)
    truth = settings.data_dir / "truth"
    if not (truth / "expected_rows.csv").exists():
        pytest.skip("the sample writes no expected_rows.csv")
    result = ingest()
    assert not result.failed, result.problems
    got = {
        (f, s): (status, read, skipped)
        for f, s, status, read, skipped in con.execute(
            "select f.source_file, s.sheet, s.status, s.rows_read, "
            "(select count(*) from raw.skipped_row k where k.file_id = f.file_id and k.sheet = s.sheet "
            " and k.reason_code <> 'no_header') "
            "from raw.sheet s join raw.ingest_file f using (file_id) where f.status = 'loaded'"
        ).fetchall()
    }
    for row in csv.DictReader(open(truth / "expected_rows.csv", encoding="utf-8")):
        status, read, skipped = got[(row["source_file"], row["sheet"])]
        assert status == row["sheet_status"], row
        assert str(read) == row["rows_total"], row
        if row["skipped_rows"]:
            assert str(skipped) == row["skipped_rows"], row
    expected = {
        (r["source_file"], r["sheet"], int(r["source_row"])): r["reason_code"]
        for r in csv.DictReader(open(truth / "skipped_rows.csv", encoding="utf-8"))
    }
    actual = {
        (f, s, n): code
        for f, s, n, code in con.execute(
            "select f.source_file, k.sheet, k.source_row, k.reason_code from raw.skipped_row k "
            "join raw.ingest_file f using (file_id) where k.reason_code <> 'no_header'"
        ).fetchall()
    }
    assert actual == expected
