"""The hostile-input corpus, one file at a time through ingest: each is loaded (with the
right values) or refused with a clear message naming the file and the rule, recorded in
raw.ingest_file, with no partial rows and the row accounting intact."""

from __future__ import annotations

import hashlib
import re
import time

import pytest
from hostile_corpus import CASE_IDS, CASES, Case, build_case
from reliability_support import make_settings

from selaras import warehouse
from selaras.audit import check_accounting
from selaras.ingest import ingest_all


def _ingest(case: Case, tmp_path):
    settings = make_settings(tmp_path / "data", **case.settings)
    path = build_case(case, settings.raw_dir)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    con = warehouse.connect(settings)
    started = time.perf_counter()
    result = ingest_all(con, settings, "reliability")
    seconds = time.perf_counter() - started
    return settings, path, digest, con, result, seconds


def _file_row(con, source_file: str) -> dict:
    cur = con.execute("select * from raw.ingest_file where source_file = ?", [source_file])
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    assert len(rows) == 1, f"{source_file}: expected one raw.ingest_file record, found {len(rows)}"
    return rows[0]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_hostile_file_is_loaded_or_refused_clearly(case: Case, tmp_path):
    settings, path, digest, con, result, seconds = _ingest(case, tmp_path)
    try:
        row = _file_row(con, case.source_file)
        if case.outcome == "failed":
            assert row["status"] == "failed", f"{case.id}: {row['status']} ({row['reason']})"
            reason = row["reason"] or ""
            assert case.source_file in reason, f"the message must name the file: {reason}"
            assert re.search(rf"\(({case.rule})\)$", reason), f"rule {case.rule} expected in: {reason}"
            for word in case.words:
                assert word.lower() in reason.lower(), f"{word!r} expected in: {reason}"
            assert "Kesalahan tak terduga" not in reason  # a known refusal, not a crash
            assert result.failed and any(case.source_file in p for p in result.problems)
            assert row["rows_staged"] == 0 and row["rows_skipped"] == 0
        else:
            assert row["status"] == "loaded", f"{case.id}: {row['status']}: {row['reason']}"
            assert row["rows_read"] == row["rows_staged"] + row["rows_skipped"] > 0
            case.verify(con, row["file_id"], source_file=case.source_file)
        assert check_accounting(con) == []
        # The original stays under data/raw, byte for byte.
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
        assert seconds < 60, f"{case.id} took {seconds:.0f} s"
    finally:
        con.close()


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    """Refused from the zip directory alone: fast, and the sheet never inflated in memory."""
    import resource

    case = next(c for c in CASES if c.id == "zip_bomb")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    settings, path, _, con, result, seconds = _ingest(case, tmp_path)
    con.close()
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert path.stat().st_size < 2 * 1024 * 1024  # small on disk ...
    assert seconds < 5 and grown_mb < 100, (seconds, grown_mb)  # ... and never inflated


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    """Every refusable case next to an ordinary file: each refused, the good one loaded."""
    from hostile_corpus import renja_xlsx

    settings = make_settings(tmp_path / "data")
    bad, contents = [], set()
    for case in (c for c in CASES if c.outcome == "failed" and c.in_corpus_run):
        digest = hashlib.sha256(build_case(case, settings.raw_dir).read_bytes()).hexdigest()
        if digest in contents:  # identical bytes: see test_two_refused_files_with_the_same_bytes_...
            case.path(settings.raw_dir).unlink()
            continue
        contents.add(digest)
        bad.append(case)
    renja_xlsx(settings.raw_dir / "renja" / "baik.xlsx")
    con = warehouse.connect(settings)
    try:
        result = ingest_all(con, settings, "reliability")
        statuses = dict(con.execute("select source_file, status from raw.ingest_file").fetchall())
        assert statuses.pop("renja/baik.xlsx") == "loaded"
        assert statuses == {c.source_file: "failed" for c in bad}
        assert result.figures["files_failed"] == len(bad)
        assert check_accounting(con) == []
    finally:
        con.close()


def test_the_same_corpus_twice_loads_once(tmp_path):
    """Idempotent by content: a second ingest changes nothing and fails the same files."""
    settings = make_settings(tmp_path / "data")
    for case in CASES:
        if case.in_corpus_run and case.id in {
            "truncated_xlsx",
            "cp1252_csv",
            "merged_cells",
            "encrypted_xlsx",
        }:
            build_case(case, settings.raw_dir)
    con = warehouse.connect(settings)
    try:
        ingest_all(con, settings, "one")
        first = con.execute("select file_id, status, rows_read from raw.ingest_file order by 1").fetchall()
        staged = con.execute("select count(*) from staged.renja").fetchone()[0]
        again = ingest_all(con, settings, "two")
        assert (
            con.execute("select file_id, status, rows_read from raw.ingest_file order by 1").fetchall()
            == first
        )
        assert con.execute("select count(*) from staged.renja").fetchone()[0] == staged
        assert again.figures["files_loaded"] == 0
        assert check_accounting(con) == []
    finally:
        con.close()


def test_two_refused_files_with_the_same_bytes_are_both_recorded(tmp_path):
    """Two agencies each send an empty (0-byte) file: both are refused, and each refusal is
    in raw.ingest_file (analytics.ingest_files) under its own name - one must not erase
    the other because their contents hash alike."""
    settings = make_settings(tmp_path / "data")
    for name in ("renja/dinsos_kosong.xlsx", "renja/dinkes_kosong.xlsx"):
        (settings.raw_dir / name).write_bytes(b"")
    con = warehouse.connect(settings)
    try:
        result = ingest_all(con, settings, "reliability")
        assert result.figures["files_failed"] == 2
        statuses = dict(con.execute("select source_file, status from raw.ingest_file").fetchall())
        assert statuses == {"renja/dinsos_kosong.xlsx": "failed", "renja/dinkes_kosong.xlsx": "failed"}
    finally:
        con.close()
