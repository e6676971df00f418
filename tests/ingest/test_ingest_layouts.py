"""End to end on generated workbooks: every layout quirk of real planning files goes
through ingest_all and lands where it should (staged row, or skipped with its reason)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
import xlsxwriter


def reasons(query, source_file, sheet=None):
    return dict(
        query(
            "select s.source_row, s.reason_code from raw.skipped_row s join raw.ingest_file f using (file_id) "
            "where f.source_file = ? and f.status = 'loaded' and (s.sheet = ? or ? is null)",
            source_file,
            sheet,
            sheet,
        )
    )


def write_renja(path):
    """A Renja workbook as OPDs send it."""
    wb = xlsxwriter.Workbook(str(path))
    money = wb.add_format({"num_format": "#,##0"})
    day = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws = wb.add_worksheet("Renja 2021")
    ws.merge_range("A1:L1", "RENCANA KERJA PERANGKAT DAERAH (RENJA)")
    ws.merge_range("A2:L2", "DINAS PEMBERDAYAAN MASYARAKAT DAN DESA PROVINSI BANTEN")
    ws.merge_range("A3:L3", "TAHUN 2021")
    top = [
        "NO",
        "KODE",
        "PROGRAM/KEGIATAN/SUB KEGIATAN",
        "INDIKATOR KINERJA",
        None,
        "SATUAN",
        "LOKASI",
        "PAGU INDIKATIF (Rp)",
        "SUMBER DANA",
        "AWAL PELAKSANAAN",
        "AKHIR PELAKSANAAN",
        "KETERANGAN",
    ]
    for col, label in enumerate(top):
        if col == 3:
            ws.merge_range(4, 3, 4, 4, label)
        elif label:
            ws.merge_range(4, col, 5, col, label)
    ws.write(5, 3, "Tolok Ukur")
    ws.write(5, 4, "Target")
    ws.write_row(6, 0, list(range(1, 13)))  # row 7: numbering
    ws.write_row(7, 1, ["2.13.01", "PROGRAM PENUNJANG URUSAN PEMERINTAHAN DAERAH PROVINSI"])  # row 8: group
    ws.write_formula(7, 7, "=SUM(H10:H13)", money, 1295000000)
    ws.write_row(8, 1, ["2.13.01.2.01", "Perencanaan, Penganggaran, dan Evaluasi Kinerja"])  # row 9: group
    ws.write_row(
        9,
        0,
        [
            1,
            "2.13.01.2.01.0001",
            "Penyusunan  Dokumen\nPerencanaan Perangkat Daerah",
            "Jumlah titik pendampingan",
            "12 Titik",
            "",
            "Kec. Cikande",
            "Rp 1.250.000.000,00",
            "PAD",
        ],
    )
    ws.write_number(9, 9, 44197, day)  # 2021-01-01 as a date-formatted serial
    ws.write_number(9, 10, 44561)  # 2021-12-31 as a bare serial
    ws.write_row(
        10,
        0,
        [
            2,
            "2.13.01.2.01.0002",
            "Koordinasi Penyusunan Dokumen RKA-SKPD",
            "Persentase dokumen",
            "0,96",
            "%",
            "Kab. Serang",
            45000000,
            "DAU",
        ],
    )
    ws.write_datetime(10, 9, datetime(2021, 2, 1), day)
    ws.write_string(10, 11, '=HYPERLINK("http://contoh.invalid","klik")')
    ws.write_row(11, 3, ["Jumlah laporan", "2 Dokumen"])  # row 12: second indicator of row 11
    ws.write_row(
        12,
        0,
        [
            3,
            "2.13.01.2.01.0003",
            "Evaluasi Kinerja Perangkat Daerah (baris tersembunyi)",
            "Jumlah laporan evaluasi",
            "4 Laporan",
            "",
            "",
            "-",
            "PAD",
        ],
    )
    ws.set_row(12, None, None, {"hidden": True})  # row 13
    ws.write(13, 2, "Jumlah Kegiatan")  # row 14: subtotal
    ws.write_formula(13, 7, "=SUM(H10:H13)", money, 1295000000)
    ws.write_row(14, 1, ["2.13.02 PROGRAM PENATAAN DESA"])  # row 15: code and name in one cell
    ws.write_row(15, 1, ["2.13.02.2.01", "Penyelenggaraan Pemerintahan Desa"])
    ws.write_row(
        16, 0, [4, "2.13.2.2.1.3", "Fasilitasi Penataan Desa", "Jumlah desa", "10 Desa", "", "", 250000000]
    )
    ws.write_row(
        17,
        0,
        [
            5,
            "x.xx.01.2.02.0001",
            "Penyediaan Gaji dan Tunjangan ASN",
            "Jumlah ASN",
            "40 Orang",
            "",
            "",
            "Rp.100 jt",
        ],
    )
    ws.write_row(18, 0, ["NO", "KODE", "PROGRAM/KEGIATAN/SUB KEGIATAN"])  # row 19: header repeated
    ws.write_row(19, 0, [6, "2.13.02.2.01.0004", "Pembinaan BUMDes", "Jumlah BUMDes", "15 Unit", "", "", 0])
    ws.merge_range("A21:G21", "JUMLAH TOTAL")  # row 21
    ws.write_formula(20, 7, "=SUM(H8:H20)", money, 1645000000)
    ws.write(22, 6, "Serang, 12 Januari 2021")  # rows 23-26: signature block
    ws.write(23, 6, "Kepala Dinas PMD Provinsi Banten")
    ws.write(25, 6, "Drs. H. Ahmad Fauzi, M.Si")
    ws.write(26, 6, "NIP. 19700101 199003 1 001")
    hidden = wb.add_worksheet("Lampiran")
    hidden.hide()
    hidden.write_row(0, 0, ["KODE", "URAIAN", "PAGU"])
    hidden.write_row(1, 0, ["2.13.03.2.01.0001", "Pengembangan TTG", 1000000])
    notes = wb.add_worksheet("Catatan")
    notes.write("A1", "Catatan penyusunan: lihat surat edaran.")
    wb.close()
    return path


@pytest.fixture
def renja(raw, ingest):
    path = write_renja(raw("renja", "Renja DPMD 2021.xlsx"))
    result = ingest()
    return path, result


def test_renja_rows_and_reasons(renja, rows_of, query):
    _, result = renja
    assert not result.failed, result.problems
    staged = {r["source_row"]: r for r in rows_of("staged.renja") if r["sheet"] == "Renja 2021"}
    assert sorted(staged) == [10, 11, 13, 17, 18, 20]
    why = reasons(query, "renja/Renja DPMD 2021.xlsx", "Renja 2021")
    expected = {
        1: "title",
        2: "title",
        3: "title",
        4: "empty",
        5: "header",
        6: "header",
        7: "numbering",
        8: "group",
        9: "group",
        12: "continuation",
        14: "subtotal",
        15: "group",
        16: "group",
        19: "header",
        21: "subtotal",
        22: "empty",
        23: "note",
        24: "note",
        25: "empty",
        26: "note",
        27: "note",
    }
    assert {k: why[k] for k in expected} == expected


def test_renja_values_are_parsed_and_originals_kept(renja, rows_of):
    staged = {r["source_row"]: r for r in rows_of("staged.renja") if r["sheet"] == "Renja 2021"}
    r10 = staged[10]
    assert r10["kode"] == "2.13.01.2.01.0001" and r10["kode_level"] == "sub_kegiatan"
    assert r10["nama"] == "Penyusunan Dokumen Perencanaan Perangkat Daerah"
    assert (r10["program_kode"], r10["kegiatan_kode"]) == ("2.13.01", "2.13.01.2.01")
    assert r10["program_nama"] == "PROGRAM PENUNJANG URUSAN PEMERINTAHAN DAERAH PROVINSI"
    assert (r10["target"], r10["satuan"], r10["target_raw"]) == (12.0, "Titik", "12 Titik")
    assert (r10["pagu"], r10["pagu_raw"]) == (1_250_000_000.0, "Rp 1.250.000.000,00")
    assert str(r10["awal_pelaksanaan"]) == "2021-01-01" and str(r10["akhir_pelaksanaan"]) == "2021-12-31"
    assert (r10["opd"], r10["tahun"]) == ("DINAS PEMBERDAYAAN MASYARAKAT DAN DESA", 2021)
    raw = json.loads(r10["raw"])
    assert raw["INDIKATOR KINERJA / Target"] == "12 Titik"
    assert raw["PROGRAM/KEGIATAN/SUB KEGIATAN"] == "Penyusunan  Dokumen\nPerencanaan Perangkat Daerah"
    assert r10["row_ref"] == "renja/Renja DPMD 2021.xlsx:Renja 2021:10"
    r11 = staged[11]
    assert (r11["target"], r11["satuan"], r11["pagu"]) == (0.96, "%", 45_000_000.0)
    assert str(r11["awal_pelaksanaan"]) == "2021-02-01"
    assert r11["keterangan"] == '=HYPERLINK("http://contoh.invalid","klik")'  # stored as text
    assert staged[13]["hidden"] is True and staged[13]["pagu"] is None and staged[13]["pagu_raw"] is None
    assert not staged[10]["hidden"]
    r17 = staged[17]
    assert (r17["kode"], r17["kode_raw"]) == ("2.13.02.2.01.0003", "2.13.2.2.1.3")
    assert (r17["program_kode"], r17["program_nama"]) == ("2.13.02", "PROGRAM PENATAAN DESA")
    assert r17["kegiatan_nama"] == "Penyelenggaraan Pemerintahan Desa"
    r18 = staged[18]
    assert (r18["kode"], r18["kode_raw"], r18["pagu"]) == (
        "X.XX.01.2.02.0001",
        "x.xx.01.2.02.0001",
        100_000_000.0,
    )
    assert r18["program_kode"] is None  # X.XX.01... is not under 2.13.02
    assert staged[20]["pagu"] == 0.0


def test_hidden_and_headerless_sheets_are_recorded(renja, query, rows_of):
    sheets = {
        r[0]: r[1:] for r in query("select sheet, hidden, status, header_rows, rows_read from raw.sheet")
    }
    assert sheets["Renja 2021"][:3] == (False, "loaded", "5-6")
    assert sheets["Lampiran"][:3] == (True, "loaded", "1")
    assert sheets["Catatan"][:2] == (False, "no_header")
    hidden_rows = [r for r in rows_of("staged.renja") if r["sheet"] == "Lampiran"]
    assert len(hidden_rows) == 1 and hidden_rows[0]["hidden"] is True
    _, result = renja
    assert any("Catatan" in p for p in result.problems) and not result.failed


def test_subtotal_rows_keep_their_cells_by_header(renja, query):
    raw = query("select raw from raw.skipped_row where source_row = 14 and sheet = 'Renja 2021'")[0][0]
    cells = json.loads(raw)
    assert cells == {"PROGRAM/KEGIATAN/SUB KEGIATAN": "Jumlah Kegiatan", "PAGU INDIKATIF (Rp)": "1295000000"}


def test_accounting_per_file(renja, query):
    for read, staged, skipped, n_staged, n_skipped in query(
        "select f.rows_read, f.rows_staged, f.rows_skipped, "
        "(select count(*) from staged.renja s where s.file_id = f.file_id), "
        "(select count(*) from raw.skipped_row k where k.file_id = f.file_id) from raw.ingest_file f"
    ):
        assert read == staged + skipped and (staged, skipped) == (n_staged, n_skipped)
    sheet_total = query("select sum(rows_read) from raw.sheet")[0][0]
    assert sheet_total == query("select rows_read from raw.ingest_file")[0][0]


def test_split_code_columns_are_combined(raw, ingest, rows_of):
    """Kepmendagri 900.1.15.5-1317/2023: the code split over five columns, unpadded."""
    wb = xlsxwriter.Workbook(str(raw("nomenklatur", "sub keg 900 (2023).xlsx")))
    ws = wb.add_worksheet("Sheet1")
    ws.write_row(
        0,
        0,
        [
            "URUSAN/UNSUR",
            "BIDANG URUSAN/BIDANG UNSUR",
            "PROGRAM",
            "KEGIATAN",
            "SUB KEGIATAN",
            "NOMENKLATUR URUSAN",
            "KINERJA",
            "INDIKATOR",
            "SATUAN",
        ],
    )
    ws.write_row(1, 0, [1, 1, 2, 2.01, None, "Pengelolaan Pendidikan Sekolah Dasar"])
    ws.write_row(
        2,
        0,
        [
            1,
            1,
            2,
            2.01,
            1,
            "Pembangunan      Rumah\nDinas",
            "Rumah dinas terbangun",
            "Jumlah rumah dinas",
            "Unit",
        ],
    )
    ws.write_row(
        3, 0, ["1", "1", "2", "2.01", "2", "Pembangunan Ruang Kelas Baru", "", "Jumlah RKB", "Ruang"]
    )
    wb.close()
    result = ingest()
    assert not result.failed, result.problems
    rows = {r["source_row"]: r for r in rows_of("staged.nomenklatur")}
    assert (rows[2]["kode"], rows[2]["kode_level"], rows[2]["kode_induk"]) == (
        "1.01.02.2.01",
        "kegiatan",
        "1.01.02",
    )
    assert (rows[3]["kode"], rows[3]["kode_raw"]) == ("1.01.02.2.01.0001", "1 | 1 | 2 | 2.01 | 1")
    assert rows[3]["nama"] == "Pembangunan Rumah Dinas" and rows[3]["satuan"] == "Unit"
    assert rows[4]["kode"] == "1.01.02.2.01.0002"
    assert rows[2]["versi"] == "2023"


def test_rkpd_three_row_header_priorities_and_forecasts(raw, ingest, rows_of, query):
    wb = xlsxwriter.Workbook(str(raw("rkpd", "rancangan_rkpd_2021.xlsx")))
    ws = wb.add_worksheet("RKPD")
    ws.merge_range("A1:I1", "RANCANGAN RENCANA KERJA PEMERINTAH DAERAH PROVINSI BANTEN TAHUN 2021")
    ws.merge_range("A3:A5", "Kode")
    ws.merge_range("B3:B5", "Urusan/Bidang Urusan/Program/Kegiatan")
    ws.merge_range("C3:F3", "Indikator Kinerja")
    ws.merge_range("C4:D4", "Hasil Program")
    ws.merge_range("E4:F4", "Keluaran Kegiatan")
    ws.write_row(4, 2, ["Tolok Ukur", "Target", "Tolok Ukur", "Target"])
    ws.merge_range("G3:G5", "Pagu Indikatif")
    ws.merge_range("H3:I3", "Prakiraan Maju")
    ws.merge_range("H4:H5", "Target")
    ws.merge_range("I4:I5", "Kebutuhan Dana")
    ws.merge_range("A6:I6", "PRIORITAS 1: Peningkatan Kualitas Pemerintahan Desa")
    ws.write_row(
        6, 0, ["2.13.02", "PROGRAM PENATAAN DESA", "Desa tertata", "80 %", "", "", "Rp 2.000.000.000"]
    )
    ws.write_row(
        7,
        0,
        [
            "2.13.02.2.01",
            "Penyelenggaraan Pemerintahan Desa",
            "",
            "",
            "Desa difasilitasi",
            "25 Desa",
            2_000_000_000,
            "30 Desa",
            2_500_000_000,
        ],
    )
    ws.merge_range("A9:I9", "PRIORITAS 2: Ekonomi Desa")
    ws.write_row(
        9,
        0,
        [
            "2.13.05.2.01",
            "Pengembangan BUMDes",
            "",
            "",
            "BUMDes dibina",
            "12 BUMDes",
            "750.000.000",
            "15 BUMDes",
            "900.000.000",
        ],
    )
    wb.close()
    result = ingest()
    assert not result.failed, result.problems
    rows = {r["source_row"]: r for r in rows_of("staged.rkpd")}
    assert sorted(rows) == [8, 10]
    r8 = rows[8]
    assert r8["prioritas"] == "PRIORITAS 1: Peningkatan Kualitas Pemerintahan Desa"
    assert (r8["program_kode"], r8["indikator"], r8["target"], r8["satuan"]) == (
        "2.13.02",
        "Desa difasilitasi",
        25.0,
        "Desa",
    )
    assert r8["pagu"] == 2_000_000_000.0  # not the Prakiraan Maju 2.5 miliar
    assert rows[10]["prioritas"] == "PRIORITAS 2: Ekonomi Desa" and rows[10]["pagu"] == 750_000_000.0
    assert rows[10]["tahun"] == 2021
    why = reasons(query, "rkpd/rancangan_rkpd_2021.xlsx")
    assert (why[6], why[7], why[9]) == ("group", "group", "group")


def test_several_sheets_each_with_its_own_opd(raw, ingest, rows_of, query):
    wb = xlsxwriter.Workbook(str(raw("renja", "renja_gabungan.xlsx")))
    for name, opd in (("Dinsos", "DINAS SOSIAL"), ("Dinkes", "DINAS KESEHATAN")):
        ws = wb.add_worksheet(name)
        ws.write("A1", f"RENCANA KERJA {opd} KABUPATEN CONTOH TAHUN 2019")
        ws.write_row(2, 0, ["Kode", "Uraian", "Jumlah Pagu"])
        ws.write_row(3, 0, ["1.06.02.2.01.0001", f"Kegiatan {name}", "1.250"])
    wb.close()
    assert not ingest().failed
    rows = {r["sheet"]: r for r in rows_of("staged.renja")}
    assert rows["Dinsos"]["opd"] == "DINAS SOSIAL" and rows["Dinkes"]["opd"] == "DINAS KESEHATAN"
    assert rows["Dinsos"]["tahun"] == 2019
    assert rows["Dinsos"]["pagu"] == 1250.0  # "1.250" in a money column is thousands
    assert query("select opd, tahun from raw.ingest_file") == [("DINAS SOSIAL", 2019)]


def test_cp1252_semicolon_csv(raw, ingest, rows_of):
    text = (
        "No;Usulan;Permasalahan;Lokasi;Koefisien;Anggaran;SKPD Tujuan\r\n"
        "1;Pembangunan TPT;Tebing longsor di Kp. Cipetir – butuh penahan;"
        "Kp. Cipetir RT 02 RW 12, Ds. Sukamaju, Kec. Cibadak;120 M;Rp 150.000.000,00;Dinas PUPR\r\n"
        "2;Posyandu Mawar;Gedung rusak (café dekat balai);Kecamatan: CIBADAK, Desa/Kelurahan: KARANGTENGAH. "
        "Kp Babakan;1 Unit;75.000.000;Dinas Kesehatan\r\n"
    )
    raw("musrenbang", "usulan_kec_cibadak_2021.csv").write_bytes(text.encode("cp1252"))
    result = ingest()
    assert not result.failed, result.problems
    rows = {r["source_row"]: r for r in rows_of("staged.usulan")}
    assert sorted(rows) == [2, 3] and rows[2]["channel"] == "musrenbang"
    assert rows[2]["uraian"] == "Tebing longsor di Kp. Cipetir – butuh penahan"
    assert (rows[2]["kecamatan"], rows[2]["desa"]) == ("Cibadak", "Sukamaju")
    assert (rows[2]["volume"], rows[2]["satuan"], rows[2]["anggaran"]) == (120.0, "M", 150_000_000.0)
    assert (rows[3]["kecamatan"], rows[3]["desa"]) == ("CIBADAK", "KARANGTENGAH")
    assert rows[3]["uraian"] == "Gedung rusak (café dekat balai)" and rows[3]["tahun"] == 2021
    assert rows[3]["row_ref"] == "musrenbang/usulan_kec_cibadak_2021.csv:csv:3"


@pytest.mark.parametrize(
    ("encoding", "sep"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("utf-16", "\t"), ("cp1252", "|")],
)
def test_csv_encodings_and_separators(raw, ingest, rows_of, query, encoding, sep):
    lines = [
        ["KODE", "ORGANISASI", "SINGKATAN"],
        ["1.06.0.00.0.00.01.0000", "Dinas Sosial", "Dinsos"],
        ["2.07.1.00.0.00.01.0000", "Dinas Pemberdayaan Masyarakat Désa", "DPMD"],
    ]
    raw("opd", "opd.csv").write_bytes("\r\n".join(sep.join(line) for line in lines).encode(encoding))
    assert not ingest().failed
    rows = rows_of("staged.opd")
    assert [r["nama"] for r in rows] == ["Dinas Sosial", "Dinas Pemberdayaan Masyarakat Désa"]
    assert rows[0]["kode"] == "1.06.0.00.0.00.01.0000" and rows[1]["singkatan"] == "DPMD"
    assert query("select delimiter from raw.ingest_file") == [(sep,)]


def test_xls_workbook(raw, ingest, rows_of):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    ws = book.add_sheet("Renja")
    ws.write_merge(0, 0, 0, 3, "RENJA DINAS SOSIAL TAHUN 2020")
    for col, label in enumerate(["KODE", "URAIAN", "TARGET", "PAGU"]):
        ws.write(2, col, label)
    for col, value in enumerate(["1.06.02.2.01.0001", "Rehabilitasi Sosial", "12 Orang", 150000000]):
        ws.write(3, col, value)
    book.save(str(raw("renja", "renja_dinsos_2020.xls")))
    result = ingest()
    assert not result.failed, result.problems
    (row,) = rows_of("staged.renja")
    assert (row["source_row"], row["kode"], row["target"], row["pagu"], row["tahun"]) == (
        4,
        "1.06.02.2.01.0001",
        12.0,
        150_000_000.0,
        2020,
    )


def test_ods_workbook_with_hidden_rows_and_sheets(raw, ingest, rows_of, query, ods):
    ods(
        raw("pokir", "pokir_2022.ods"),
        [
            {
                "name": "Pokir",
                "rows": [
                    ["DAFTAR POKOK PIKIRAN DPRD TAHUN 2022"],
                    [],
                    ["No", "Usulan", "Alamat", "Volume", "Satuan", "Anggaran", "OPD Tujuan"],
                    [
                        1,
                        "Perbaikan jalan lingkungan",
                        "Kel. Sukajadi Kec. Cibadak",
                        200,
                        "meter",
                        "Rp 300.000.000",
                        "Dinas PUPR",
                    ],
                    [2, "Lampu jalan", "Desa Sukamaju", 12, "titik", 60000000, "Dishub"],
                ],
                "hidden_rows": {5},
            },
            {"name": "Arsip", "rows": [["catatan lama"]], "hidden": True},
        ],
    )
    result = ingest()
    assert not result.failed, result.problems
    rows = {r["source_row"]: r for r in rows_of("staged.usulan")}
    assert sorted(rows) == [4, 5] and rows[4]["channel"] == "pokir" and rows[4]["tahun"] == 2022
    assert (rows[4]["kecamatan"], rows[4]["desa"], rows[4]["anggaran"]) == (
        "Cibadak",
        "Sukajadi",
        300_000_000.0,
    )
    assert rows[5]["hidden"] is True and rows[4]["hidden"] is False
    assert query("select sheet, hidden, status from raw.sheet order by sheet_index") == [
        ("Pokir", False, "loaded"),
        ("Arsip", True, "no_header"),
    ]


def test_leading_empty_rows_and_columns_keep_spreadsheet_row_numbers(raw, ingest, rows_of):
    wb = xlsxwriter.Workbook(str(raw("opd", "opd.xlsx")))
    ws = wb.add_worksheet()
    ws.write_row(6, 3, ["Kode", "Nama OPD"])  # D7
    ws.write_row(7, 3, ["1.06", "Dinas Sosial"])  # D8
    wb.close()
    assert not ingest().failed
    (row,) = rows_of("staged.opd")
    assert row["source_row"] == 8 and row["nama"] == "Dinas Sosial"


def test_merged_label_over_data_rows_is_repeated(raw, ingest, rows_of):
    wb = xlsxwriter.Workbook(str(raw("renja", "renja.xlsx")))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["KODE", "URAIAN", "LOKASI", "PAGU"])
    ws.write_row(1, 0, ["1.06.02.2.01.0001", "Kegiatan A"])
    ws.write_row(2, 0, ["1.06.02.2.01.0002", "Kegiatan B"])
    ws.merge_range("C2:C3", "Kec. Cibadak")
    ws.merge_range("D2:D3", 5000000)
    wb.close()
    assert not ingest().failed
    rows = rows_of("staged.renja")
    assert [r["lokasi"] for r in rows] == ["Kec. Cibadak", "Kec. Cibadak"]
    assert [r["pagu"] for r in rows] == [5_000_000.0, None]  # an amount is not repeated
