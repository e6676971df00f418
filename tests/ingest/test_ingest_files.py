"""Bad input is refused before it is read, with a clear message; readers detect what a
file really is (encoding, separator, format) and stream rows in chunks."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
import xlsxwriter

from selaras.ingest.errors import IngestError
from selaras.ingest.readers import detect_encoding, read_csv, sniff_delimiter, xlsx_hidden_rows
from selaras.ingest.safety import check_file


def reason(query, source_file):
    return query("select status, reason, sha256 from raw.ingest_file where source_file = ?", source_file)[0]


def small_xlsx(path):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["KODE", "NAMA OPD"])
    ws.write_row(1, 0, ["1.06", "Dinas Sosial"])
    wb.close()
    return path


def test_file_too_large_is_refused_unread(raw, ingest, query, settings):
    settings.max_file_mb = 0.001
    small_xlsx(raw("opd", "besar.xlsx"))
    assert ingest().failed
    status, why, sha = reason(query, "opd/besar.xlsx")
    assert status == "failed" and "(file_too_large)" in why and "SELARAS_MAX_FILE_MB" in why
    assert sha.startswith("p")  # not even hashed


def _zip_bomb(path, megabytes):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            block = b"0" * (1 << 20)
            for _ in range(megabytes):
                fh.write(block)
    return path


def test_zip_bomb_is_refused_by_ratio_and_by_size(raw, ingest, query, settings):
    _zip_bomb(raw("renja", "bom.xlsx"), 40)
    assert ingest().failed
    status, why, _ = reason(query, "renja/bom.xlsx")
    assert status == "failed" and "(zip_bomb)" in why and "Rasio" in why
    settings.max_zip_ratio = 1e9
    settings.max_unzipped_mb = 10
    with pytest.raises(IngestError, match="terlalu besar") as err:
        check_file(raw("renja", "bom.xlsx"), settings)
    assert err.value.rule == "zip_bomb"


def test_encrypted_workbook(raw, ingest, query):
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = "EncryptionInfo".encode("utf-16-le") + b"\x00" * 50 + "EncryptedPackage".encode("utf-16-le")
    raw("renja", "rahasia.xlsx").write_bytes(header + b"\x00" * 1024 + directory + b"\x00" * 1024)
    assert ingest().failed
    status, why, _ = reason(query, "renja/rahasia.xlsx")
    assert status == "failed" and "(encrypted_file)" in why and "kata sandi" in why


def test_xls_renamed_to_xlsx_is_read_as_xls_with_a_note(raw, ingest, query, rows_of):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    ws = book.add_sheet("OPD")
    ws.write(0, 0, "KODE")
    ws.write(0, 1, "NAMA OPD")
    ws.write(1, 0, "1.06")
    ws.write(1, 1, "Dinas Sosial")
    buffer = io.BytesIO()
    book.save(buffer)
    raw("opd", "opd.xlsx").write_bytes(buffer.getvalue())
    result = ingest()
    assert not result.failed
    ((fmt, note),) = query("select file_format, note from raw.ingest_file")
    assert fmt == "xls" and ".xlsx" in note
    assert any("xls" in p for p in result.problems)
    assert [r["nama"] for r in rows_of("staged.opd")] == ["Dinas Sosial"]


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("laporan.pdf", b"%PDF-1.4", "unsupported_format"),
        ("kosong.xlsx", b"", "empty_file"),
        ("ekspor.xls", b"<html><table><tr><td>KODE</td></tr></table></html>", "unsupported_format"),
        ("acak.xlsx", bytes(range(256)) * 4, "corrupt_file"),
        ("biner.csv", bytes(range(256)) * 4, "corrupt_file"),
    ],
)
def test_unreadable_files_fail_with_a_reason(raw, ingest, query, name, content, rule):
    raw("renja", name).write_bytes(content)
    result = ingest()
    assert result.failed
    status, why, _ = reason(query, f"renja/{name}")
    assert status == "failed" and f"({rule})" in why and why.startswith(f"renja/{name}")
    assert query("select count(*) from staged.renja") == [(0,)]


def test_truncated_and_word_files(raw, ingest, query, tmp_path):
    full = small_xlsx(tmp_path / "ok.xlsx").read_bytes()
    raw("opd", "terpotong.xlsx").write_bytes(full[: len(full) // 2])
    with zipfile.ZipFile(raw("opd", "surat.xlsx"), "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert ingest().failed
    assert "(corrupt_file)" in reason(query, "opd/terpotong.xlsx")[1]
    assert "Word" in reason(query, "opd/surat.xlsx")[1]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("kode,nama\n1,Désa\n".encode(), "utf-8"),
        ("\ufeffkode;nama\n1;Désa\n".encode(), "utf-8-sig"),
        ("kode\tnama\n1\tDésa\n".encode("utf-16"), "utf-16"),
        ("kode|nama\n1|Désa – é\n".encode("cp1252"), "cp1252"),
        ("kode,nama\n1,Desa\n".encode("utf-16-le"), "utf-16-le"),
    ],
)
def test_detect_encoding(tmp_path, data, expected):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    assert detect_encoding(path) == expected
    sheet = read_csv(path)
    rows = list(sheet.rows)
    assert rows[0] == (1, ["kode", "nama"]) and rows[1][1][1].startswith(("Désa", "Desa"))


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1;Rp 1.000,00;3\n", ";"),
        ("a\tb\tc\n1\t2,5\t3\n", "\t"),
        ("a|b|c\n1|2,5|3\n", "|"),
        ("sep=;\na;b\n", ";"),
        ('kode,"nama, lengkap";pagu\n', ","),
    ],
)
def test_sniff_delimiter(sample, expected):
    assert sniff_delimiter(sample) == expected


def test_csv_rows_are_physical_lines_even_with_newlines_in_cells(tmp_path):
    """A quoted cell over two lines is one record, the row of its first line; the second
    line is accounted for as its continuation (every physical line is counted)."""
    path = tmp_path / "x.csv"
    path.write_text('kode,nama\n1,"baris\nbaru"\n2,b\x00c\n', encoding="utf-8")
    sheet = read_csv(path)
    assert list(sheet.rows) == [(1, ["kode", "nama"]), (2, ["1", "baris\nbaru"]), (3, []), (4, ["2", "bc"])]
    assert sheet.line_marks == {3: "quoted_line"}


def test_xlsx_hidden_rows(tmp_path):
    wb = xlsxwriter.Workbook(str(tmp_path / "h.xlsx"))
    a = wb.add_worksheet("A & B")
    a.write("A1", "x")
    a.set_row(2, None, None, {"hidden": True})
    a.set_row(9, None, None, {"hidden": True})
    wb.add_worksheet("C").write("A1", "y")
    wb.close()
    assert xlsx_hidden_rows(tmp_path / "h.xlsx") == {"A & B": frozenset({3, 10})}


def test_chunk_boundaries_do_not_change_the_result(raw, ingest, rows_of, query, settings):
    """Group rows are decided by the next row; with tiny chunks a group row and its child
    fall in different chunks."""
    wb = xlsxwriter.Workbook(str(raw("renja", "renja.xlsx")))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["KODE", "URAIAN", "PAGU"])
    rows = []
    for p in range(1, 4):
        rows.append([f"1.06.0{p}", f"PROGRAM {p}", ""])
        for k in range(1, 3):
            rows.append([f"1.06.0{p}.2.0{k}", f"Kegiatan {p}.{k}", ""])
            rows.extend([[f"1.06.0{p}.2.0{k}.000{s}", f"Sub {p}.{k}.{s}", 1000 * s] for s in range(1, 3)])
        rows.append(["", "JUMLAH PROGRAM", 6000])
    for i, row in enumerate(rows, start=1):
        ws.write_row(i, 0, row)
    wb.close()
    results = []
    for batch in (1000, 3, 2, 1):
        settings.load_batch_rows = batch
        query("delete from staged.renja")
        query("delete from raw.skipped_row")
        query("delete from raw.sheet")
        query("delete from raw.ingest_file")
        assert not ingest().failed
        staged = [
            (r["source_row"], r["kode"], r["program_kode"], r["kegiatan_kode"])
            for r in rows_of("staged.renja")
        ]
        skipped = query("select source_row, reason_code from raw.skipped_row order by 1")
        results.append((staged, skipped))
    assert all(r == results[0] for r in results)
    staged, skipped = results[0]
    assert len(staged) == 12 and all(s[2] and s[3] for s in staged)
    assert [code for _, code in skipped].count("group") == 9


def test_streamed_xlsx_gives_the_same_rows_as_calamine(raw, ingest, query, settings):
    """Sheets too big for calamine's memory are streamed; the result must not change."""
    wb = xlsxwriter.Workbook(str(raw("renja", "renja.xlsx")))
    day = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws = wb.add_worksheet("Renja")
    ws.merge_range("B1:F1", "RENJA DINAS SOSIAL TAHUN 2024")
    ws.merge_range("B3:B4", "KODE")
    ws.merge_range("C3:C4", "URAIAN")
    ws.merge_range("D3:E3", "INDIKATOR")
    ws.write_row(3, 3, ["Tolok Ukur", "Target"])
    ws.merge_range("F3:F4", "PAGU")
    ws.merge_range("G3:G4", "AWAL PELAKSANAAN")
    ws.write_row(4, 1, ["1.06.02", "PROGRAM REHABILITASI SOSIAL"])
    ws.write_row(5, 1, ["1.06.02.2.01.0001", "Rehabilitasi", "Jumlah orang", "12 Orang"])
    ws.write_formula(5, 5, "=1000*2", None, 2000)
    ws.write_datetime(5, 6, datetime(2024, 1, 2), day)
    ws.write_row(6, 1, ["1.06.02.2.01.0002", "Pendampingan", "", "", "Rp 1.500.000"])
    ws.write_boolean(6, 7, True)
    ws.set_row(6, None, None, {"hidden": True})
    ws.write_row(9, 1, ["", "JUMLAH", "", "", 3500])
    hidden = wb.add_worksheet("Arsip")
    hidden.hide()
    wb.close()
    snapshots = []
    for stream_mb in (200.0, 0.0):
        settings.stream_xlsx_mb = stream_mb
        for table in ("staged.renja", "raw.skipped_row", "raw.sheet", "raw.ingest_file"):
            query(f"delete from {table}")  # noqa: S608 - constants
        assert not ingest().failed
        snapshots.append(
            (
                query(
                    "select source_row, hidden, kode, nama, program_kode, target, satuan, pagu, awal_pelaksanaan, "
                    "raw::varchar from staged.renja order by 1"
                ),
                query("select sheet, source_row, reason_code, hidden from raw.skipped_row order by 1, 2"),
                query("select sheet, hidden, status, header_rows, rows_read from raw.sheet order by 1"),
            )
        )
    assert snapshots[0] == snapshots[1]
    staged = snapshots[0][0]
    assert [r[0] for r in staged] == [6, 7] and staged[1][1] is True and staged[0][7] == 2000.0


def test_text_under_a_workbook_name_says_so(raw, ingest, query):
    raw("renja", "catatan.xlsx").write_text("hanya catatan, bukan tabel\n", encoding="utf-8")
    assert ingest().failed
    status, why, _ = reason(query, "renja/catatan.xlsx")
    assert status == "failed" and "berformat csv" in why and ".xlsx" in why and "(no_header)" in why


def test_formula_errors_are_kept_as_text(raw, ingest, rows_of, settings):
    """calamine reads #REF! as empty; a planner must see the error, not a missing pagu."""
    for stream_mb in (200.0, 0.0):
        settings.stream_xlsx_mb = stream_mb
        name = f"rumus_{int(stream_mb)}.xlsx"
        wb = xlsxwriter.Workbook(str(raw("renja", name)))
        ws = wb.add_worksheet("Renja")
        ws.write_row(0, 0, ["KODE", "URAIAN", "PAGU"])
        ws.write_row(1, 0, ["1.06.02.2.01.0001", f"A ({name})"])  # two files, two contents
        ws.write_formula(1, 2, "=#REF!*2", None, "#REF!")
        ws.write_row(2, 0, ["1.06.02.2.01.0002", "B"])
        ws.write_formula(2, 2, "=C2/0", None, "#DIV/0!")
        ws.write_row(3, 0, ["1.06.02.2.01.0003", "C"])
        ws.write_formula(3, 2, "=1000*2", None, 2000)
        wb.close()
        assert not ingest().failed
        rows = {r["source_row"]: r for r in rows_of("staged.renja", f"renja/{name}")}
        assert [rows[n]["pagu_raw"] for n in (2, 3, 4)] == ["#REF!", "#DIV/0!", "2000"]
        assert [rows[n]["pagu"] for n in (2, 3, 4)] == [None, None, 2000.0]


def test_csv_of_empty_cells_is_an_empty_file(raw, ingest, query):
    raw("musrenbang", "kosong.csv").write_bytes(b";;;;\r\n;;;;\r\n\r\n")
    assert ingest().failed
    assert "(empty_file)" in reason(query, "musrenbang/kosong.csv")[1]
