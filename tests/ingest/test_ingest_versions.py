"""Files as units of work: idempotent by content, new versions supersede old ones (kept
as history), a failed file leaves nothing behind and does not stop the others, files
found where they should be (and only there)."""

from __future__ import annotations

import os

import pytest
import xlsxwriter


def write_opd(path, rows, sheet="OPD"):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    ws.write_row(0, 0, ["KODE", "NAMA OPD"])
    for i, row in enumerate(rows, start=1):
        ws.write_row(i, 0, row)
    wb.close()
    return path


def statuses(query):
    return sorted(query("select source_file, status from raw.ingest_file"))


def test_same_file_twice_loads_once(raw, ingest, query):
    path = write_opd(raw("opd", "opd.xlsx"), [["1.06", "Dinas Sosial"]])
    first = ingest()
    mtime = path.stat().st_mtime_ns
    second = ingest()
    assert first.figures["files_loaded"] == 1 and second.figures["files_loaded"] == 0
    assert second.figures["files_unchanged"] == 1
    assert query("select count(*) from staged.opd") == [(1,)]
    assert path.stat().st_mtime_ns == mtime  # the original is never touched


def test_changed_file_supersedes_and_history_stays(raw, ingest, query):
    path = raw("opd", "opd.xlsx")
    write_opd(path, [["1.06", "Dinas Sosial"]])
    first_version = path.read_bytes()
    ingest()
    (old_id,) = query("select file_id from raw.ingest_file")[0]
    write_opd(path, [["1.06", "Dinas Sosial"], ["1.02", "Dinas Kesehatan"]])
    result = ingest()
    assert result.figures["files_superseded"] == 1
    rows = query("select file_id, status, superseded_by from raw.ingest_file order by ingested_at")
    assert rows[0] == (old_id, "superseded", rows[1][0]) and rows[1][1] == "loaded"
    # both versions are queryable; row_ref repeats across versions, not among current files
    assert query("select count(*), count(distinct row_ref) from staged.opd") == [(3, 2)]
    assert query("select count(*) from clean.opd") == [(2,)]
    # back to the first version: it becomes current again, nothing is loaded twice
    path.write_bytes(first_version)
    result = ingest()
    assert result.figures["files_unchanged"] == 1
    assert query("select status from raw.ingest_file where file_id = ?", old_id) == [("loaded",)]
    assert query("select count(*) from clean.opd") == [(1,)]


def test_failed_file_leaves_nothing_and_others_load(raw, ingest, query):
    write_opd(raw("opd", "a_good.xlsx"), [["1.06", "Dinas Sosial"]])
    raw("renja", "rusak.xlsx").write_bytes(b"PK\x03\x04 this is not a zip")
    wb = xlsxwriter.Workbook(str(raw("musrenbang", "tanpa_usulan.xlsx")))
    ws = wb.add_worksheet("Usulan Desa")
    ws.write_row(2, 0, ["Alamat", "Koefisien", "Anggaran", "SKPD Tujuan"])
    ws.write_row(3, 0, ["Desa X", "1 unit", 1000, "Dinas PUPR"])
    wb.close()
    result = ingest()
    assert result.failed
    assert statuses(query) == [
        ("musrenbang/tanpa_usulan.xlsx", "failed"),
        ("opd/a_good.xlsx", "loaded"),
        ("renja/rusak.xlsx", "failed"),
    ]
    reasons = dict(query("select source_file, reason from raw.ingest_file where status = 'failed'"))
    assert "rusak" in reasons["renja/rusak.xlsx"] and "(corrupt_file)" in reasons["renja/rusak.xlsx"]
    missing = reasons["musrenbang/tanpa_usulan.xlsx"]
    assert "lembar 'Usulan Desa'" in missing and "baris 3" in missing and "USULAN" in missing
    assert "(required_column_missing)" in missing
    assert any("tanpa_usulan.xlsx" in p and "USULAN" in p for p in result.problems)
    failed_ids = [r[0] for r in query("select file_id from raw.ingest_file where status = 'failed'")]
    for table in ("staged.usulan", "staged.renja", "raw.skipped_row", "raw.sheet"):
        for file_id in failed_ids:
            assert query(f"select count(*) from {table} where file_id = ?", file_id) == [(0,)]  # noqa: S608
    # retried on the next run (the failure is re-recorded, not duplicated)
    again = ingest()
    assert again.failed and query("select count(*) from raw.ingest_file where status = 'failed'") == [(2,)]


def test_a_fixed_file_replaces_its_failed_version(raw, ingest, query):
    path = raw("opd", "opd.xlsx")
    path.write_bytes(b"")
    assert ingest().failed
    write_opd(path, [["1.06", "Dinas Sosial"]])
    result = ingest()
    assert not result.failed
    assert sorted(s for _, s in statuses(query)) == ["loaded", "superseded"]


def test_a_new_version_that_fails_keeps_the_old_one_current(raw, ingest, query):
    path = write_opd(raw("opd", "opd.xlsx"), [["1.06", "Dinas Sosial"]])
    ingest()
    path.write_bytes(b"PK\x03\x04 broken")
    assert ingest().failed
    assert sorted(s for _, s in statuses(query)) == ["failed", "loaded"]
    assert query("select count(*) from clean.opd") == [(1,)]


def test_removed_and_renamed_files(raw, ingest, query):
    path = write_opd(raw("opd", "opd.xlsx"), [["1.06", "Dinas Sosial"]])
    ingest()
    renamed = path.with_name("opd 2021.xlsx")
    path.rename(renamed)
    result = ingest()
    assert result.figures["files_loaded"] == 1
    assert statuses(query) == [("opd/opd 2021.xlsx", "loaded")]
    assert query("select row_ref from staged.opd") == [("opd/opd 2021.xlsx:OPD:2",)]
    renamed.unlink()
    assert ingest().figures["files_removed"] == 1
    assert statuses(query) == [("opd/opd 2021.xlsx", "removed")]
    assert query("select count(*) from clean.opd") == [(0,)]


def test_identical_copy_under_another_name_is_not_loaded_twice(raw, ingest, query):
    write_opd(raw("opd", "a.xlsx"), [["1.06", "Dinas Sosial"]])
    raw("opd", "b.xlsx").write_bytes(raw("opd", "a.xlsx").read_bytes())
    result = ingest()
    assert not result.failed and result.figures["files_duplicate"] == 1
    assert any("b.xlsx" in p and "a.xlsx" in p for p in result.problems)
    assert query("select count(*) from staged.opd") == [(1,)]


def test_discovery_skips_review_hidden_and_lock_files(raw, ingest, query):
    write_opd(raw("opd", "opd.xlsx"), [["1.06", "Dinas Sosial"]])
    write_opd(raw("review", "review.xlsx"), [["1.06", "Dinas Sosial"]])
    raw("opd", "~$opd.xlsx").write_bytes(b"lock")
    raw("opd", ".gitkeep").write_bytes(b"")
    raw("opd", ".~lock.opd.xlsx#").write_bytes(b"lock")
    write_opd(raw("opd", "2021/sub folder.xlsx"), [["1.02", "Dinas Kesehatan"]])
    write_opd(raw("lainnya", "x.xlsx"), [["1.02", "Dinas Kesehatan"]])  # not a kind folder
    result = ingest()
    assert not result.failed
    assert statuses(query) == [("opd/2021/sub folder.xlsx", "loaded"), ("opd/opd.xlsx", "loaded")]


def test_awkward_names_never_reach_sql(raw, ingest, query, rows_of):
    name = 'Renja O\'Brien "DROP TABLE"; — Дінас 社会.xlsx'
    wb = xlsxwriter.Workbook(str(raw("renja", name)))
    ws = wb.add_worksheet("x'); drop table raw.sheet;--")
    ws.write_row(0, 0, ["KODE", "URAIAN", "PAGU", 'it\'s "quoted"; --'])
    ws.write_row(1, 0, ["1.06.02.2.01.0001", "Robert'); DROP TABLE staged.renja;--", "=1+1", "@SUM(A1)"])
    wb.close()
    result = ingest()
    assert not result.failed, result.problems
    (row,) = rows_of("staged.renja")
    assert row["source_file"] == f"renja/{name}" and row["sheet"] == "x'); drop table raw.sheet;--"
    assert row["nama"] == "Robert'); DROP TABLE staged.renja;--"
    assert query("select count(*) from raw.sheet") == [(1,)]


def test_symlink_out_of_the_data_folder_is_refused(raw, ingest, query, tmp_path):
    outside = write_opd(tmp_path / "rahasia.xlsx", [["1", "X"]])
    link = raw("opd", "link.xlsx")
    os.symlink(outside, link)
    inside = write_opd(raw("opd", "asli.xlsx"), [["1.06", "Dinas Sosial"]])
    os.symlink(inside, raw("renja", "tautan.xlsx"))
    os.symlink(tmp_path, raw("opd", "folder_luar"))
    result = ingest()
    assert result.failed
    rows = dict(query("select source_file, reason from raw.ingest_file where status = 'failed'"))
    assert sorted(rows) == ["opd/folder_luar", "opd/link.xlsx"] and all("symlink" in r for r in rows.values())
    assert any("folder_luar" in p for p in result.problems)
    assert query("select count(*) from staged.opd") == [(1,)]


def test_top_level_files_are_classified_by_headers_or_refused(raw, ingest, query):
    write_opd(raw("", "daftar opd.xlsx"), [["1.06", "Dinas Sosial"]])
    wb = xlsxwriter.Workbook(str(raw("", "usulan_pokir_dprd_2024.xlsx")))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["No", "Usulan", "Alamat", "Anggaran", "OPD Tujuan"])
    ws.write_row(1, 0, [1, "Jalan lingkungan", "Desa X", 1000000, "Dinas PUPR"])
    wb.close()
    wb = xlsxwriter.Workbook(str(raw("", "data.xlsx")))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["No", "Usulan", "Alamat", "Anggaran"])
    ws.write_row(1, 0, [1, "Jalan lingkungan", "Desa X", 1000000])
    wb.close()
    wb = xlsxwriter.Workbook(str(raw("", "catatan.xlsx")))
    wb.add_worksheet().write("A1", "Notulen rapat forum OPD")
    wb.close()
    result = ingest()
    assert result.failed
    rows = {r[0]: r[1:] for r in query("select source_file, kind, status, reason from raw.ingest_file")}
    assert rows["daftar opd.xlsx"][:2] == ("opd", "loaded")
    assert rows["usulan_pokir_dprd_2024.xlsx"][:2] == ("pokir", "loaded")
    assert rows["data.xlsx"][1] == "failed" and "data/raw/" in rows["data.xlsx"][2]
    assert "(unknown_kind)" in rows["data.xlsx"][2]
    assert rows["catatan.xlsx"][1] == "failed" and "(no_header)" in rows["catatan.xlsx"][2]


@pytest.mark.parametrize("kind", ["renja", "musrenbang"])
def test_empty_workbook_and_header_only_csv(raw, ingest, query, kind):
    wb = xlsxwriter.Workbook(str(raw(kind, "kosong.xlsx")))
    wb.add_worksheet()
    wb.close()
    header = "kode,uraian,pagu\n" if kind == "renja" else "usulan,lokasi,anggaran\n"
    raw(kind, "header_saja.csv").write_text(header, encoding="utf-8")
    result = ingest()
    rows = {
        r[0]: r[1:] for r in query("select source_file, status, reason, rows_staged from raw.ingest_file")
    }
    assert rows[f"{kind}/kosong.xlsx"][0] == "failed" and "(empty_file)" in rows[f"{kind}/kosong.xlsx"][1]
    assert rows[f"{kind}/header_saja.csv"][0] == "loaded" and rows[f"{kind}/header_saja.csv"][2] == 0
    assert result.failed


def test_a_failed_file_that_is_taken_away_is_no_longer_reported(raw, ingest, query):
    broken = raw("renja", "rusak.xlsx")
    broken.write_bytes(b"PK\x03\x04 broken")
    assert ingest().failed
    broken.unlink()
    result = ingest()
    assert not result.failed and result.figures["files_removed"] == 1
    assert statuses(query) == [("renja/rusak.xlsx", "removed")]


def test_memory_limit_is_set_for_the_stage_and_restored(raw, ingest, query, settings):
    before = query("select current_setting('memory_limit')")
    write_opd(raw("opd", "opd.xlsx"), [["1.06", "Dinas Sosial"]])
    settings.ingest_memory_limit = "300MB"
    assert not ingest().failed
    assert query("select current_setting('memory_limit')") == before
