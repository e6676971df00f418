"""Rows classified by how they look (issue 11, item 3): where no code decides and no amount
adds up, the bold, indented or merged group rows of a planner's workbook tell a program
from its kegiatan, a JUMLAH row from a kegiatan named "Jumlah ...", and a group row with
no level word from data."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from selaras.ingest.styles import Look, Looks, marked_styles

HEADER = ["Program/Kegiatan", "Satuan", "Lokasi"]


def write_looks(path: Path, rows: list[tuple[str, str]]) -> None:
    """rows: (look, name): look is 'bold', 'indent', 'plain' or 'merged' (bold, merged
    across the table)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Renja")
    bold, indent = wb.add_format({"bold": True}), wb.add_format({"indent": 1})
    ws.write_row(0, 0, HEADER, bold)
    for r, (look, name) in enumerate(rows, start=1):
        if look == "merged":
            ws.merge_range(r, 0, r, len(HEADER) - 1, name, bold)
        elif look == "bold":
            ws.write(r, 0, name, bold)
        else:
            ws.write(r, 0, name, indent if look == "indent" else None)
            ws.write_row(r, 1, ["Kegiatan", "Kab. Serang"])
    wb.close()


ROWS = [
    ("bold", "Program Peningkatan Pelayanan Kesehatan"),  # 2: group
    ("indent", "Program Terpadu Penanggulangan Gizi Buruk"),  # 3: a kegiatan named "Program"
    ("indent", "Penyuluhan Kesehatan Masyarakat"),  # 4
    ("bold", "Progran Pencegahan dan Pengendalian Penyakit"),  # 5: a typo, still a group
    ("indent", "Jumlah Kegiatan Posyandu Aktif"),  # 6: a kegiatan named "Jumlah"
    ("indent", "Total Belanja Pemeliharaan Puskesmas"),  # 7: and one named "Total"
    ("bold", "Pelayanan Kesehatan Dasar"),  # 8: a group row with no code and no level word
    ("indent", "Imunisasi Dasar Lengkap"),  # 9
    ("merged", "JUMLAH KEGIATAN"),  # 10: the subtotal
]


def test_the_look_of_rows_tells_groups_subtotals_and_data_apart(raw, ingest, query):
    write_looks(raw("renja", "renja_dinkes.xlsx"), ROWS)
    result = ingest()
    assert not result.failed, result.problems
    assert query("select source_row, nama, program_nama from staged.renja order by source_row") == [
        (3, "Program Terpadu Penanggulangan Gizi Buruk", "Program Peningkatan Pelayanan Kesehatan"),
        (4, "Penyuluhan Kesehatan Masyarakat", "Program Peningkatan Pelayanan Kesehatan"),
        (6, "Jumlah Kegiatan Posyandu Aktif", "Progran Pencegahan dan Pengendalian Penyakit"),
        (7, "Total Belanja Pemeliharaan Puskesmas", "Progran Pencegahan dan Pengendalian Penyakit"),
        (9, "Imunisasi Dasar Lengkap", "Pelayanan Kesehatan Dasar"),
    ]
    assert query("select source_row, reason_code from raw.skipped_row order by 1") == [
        (1, "header"),
        (2, "group"),
        (5, "group"),
        (8, "group"),
        (10, "subtotal"),
    ]


def test_rows_that_all_look_alike_fall_back_on_words(raw, ingest, query):
    """No look to go by: "Program ..." above a row without a level word is a group, as
    before; the look is extra evidence, never required."""
    rows = [("plain", ROWS[0][1]), ("plain", ROWS[2][1]), ("plain", ROWS[4][1])]
    write_looks(raw("renja", "renja_polos.xlsx"), rows)
    assert not ingest().failed
    assert query("select source_row, program_nama from staged.renja order by 1") == [
        (3, "Program Peningkatan Pelayanan Kesehatan"),
        (4, "Program Peningkatan Pelayanan Kesehatan"),  # "Jumlah ..." with satuan and lokasi: data
    ]
    assert query("select source_row, reason_code from raw.skipped_row order by 1") == [
        (1, "header"),
        (2, "group"),
    ]


def test_a_plain_jumlah_row_that_sums_the_rows_above_is_a_subtotal(raw, ingest, query):
    """The amounts outrank the look: a row worded "Jumlah Program ..." whose pagu is the
    sum of the rows above it is a subtotal even when it is not bold."""
    wb = xlsxwriter.Workbook(str(raw("renja", "renja_jumlah.xlsx")))
    ws, bold = wb.add_worksheet(), wb.add_format({"bold": True})
    ws.write_row(0, 0, ["Program/Kegiatan", "Lokasi", "Pagu"], bold)
    ws.write_row(1, 0, ["Program Peningkatan Jalan", "", 300], bold)
    ws.write_row(2, 0, ["Pemeliharaan Jalan Desa", "Kab. Serang", 100])
    ws.write_row(3, 0, ["Pembangunan Jembatan Gantung", "Kab. Serang", 200])
    ws.write_row(4, 0, ["Jumlah Program Peningkatan Jalan", "", 300])
    wb.close()
    assert not ingest().failed
    assert query("select source_row from staged.renja order by 1") == [(3,), (4,)]
    assert query("select source_row, reason_code from raw.skipped_row order by 1")[-1] == (5, "subtotal")


def test_leading_spaces_indent_rows_in_a_csv(raw, ingest, query):
    lines = [
        "Program/Kegiatan;Satuan",
        "Program Peningkatan Pelayanan Kesehatan;",
        "    Program Terpadu Penanggulangan Gizi Buruk;Balita",
        "    Penyuluhan Kesehatan Masyarakat;Desa",
        "Program Pencegahan Penyakit;",
        "    Imunisasi Dasar Lengkap;Anak",
    ]
    raw("renja", "renja_spasi.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert not ingest().failed
    assert query("select source_row, nama, program_nama from staged.renja order by 1") == [
        (3, "Program Terpadu Penanggulangan Gizi Buruk", "Program Peningkatan Pelayanan Kesehatan"),
        (4, "Penyuluhan Kesehatan Masyarakat", "Program Peningkatan Pelayanan Kesehatan"),
        (6, "Imunisasi Dasar Lengkap", "Program Pencegahan Penyakit"),
    ]


def test_two_levels_told_by_look_alone(raw, ingest, query):
    """Bold for the program, bold and indented for the kegiatan, plain for the sub
    kegiatan: none of them has a code or a level word."""
    wb = xlsxwriter.Workbook(str(raw("renja", "renja_dua_tingkat.xlsx")))
    ws = wb.add_worksheet()
    bold, sub = wb.add_format({"bold": True}), wb.add_format({"bold": True, "indent": 1})
    leaf = wb.add_format({"indent": 2})
    ws.write_row(0, 0, HEADER, bold)
    ws.write(1, 0, "Pelayanan Kesehatan", bold)
    ws.write(2, 0, "Gizi Masyarakat", sub)
    ws.write_row(3, 0, ["Pemberian Makanan Tambahan", "Balita", "Kab. Serang"], leaf)
    ws.write(4, 0, "Penyakit Menular", sub)
    ws.write_row(5, 0, ["Imunisasi Dasar Lengkap", "Anak", "Kab. Serang"], leaf)
    ws.write(6, 0, "Sanitasi", bold)
    ws.write_row(7, 0, ["Jamban Sehat", "Unit", "Kab. Serang"], leaf)
    wb.close()
    assert not ingest().failed
    rows = query("select source_row, program_nama, kegiatan_nama from staged.renja order by 1")
    assert rows == [
        (4, "Pelayanan Kesehatan", "Gizi Masyarakat"),
        (6, "Pelayanan Kesehatan", "Penyakit Menular"),
        (8, "Sanitasi", None),
    ]


def test_bold_comes_from_the_font_and_indent_from_the_alignment():
    xml = b"""<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
      <fonts count="3"><font><sz val="11"/></font><font><b/></font><font><b val="0"/></font></fonts>
      <cellXfs count="4"><xf fontId="0"/><xf fontId="1"/><xf fontId="2"/>
        <xf fontId="0"><alignment indent="2"/></xf></cellXfs></styleSheet>"""
    marked = marked_styles(xml)
    assert {i: tuple(s) for i, s in marked.items()} == {1: (True, 0), 3: (False, 2)}
    looks = Looks({(5, 2): marked[1]}, [((4, 3), (4, 6))], first_col=2)
    assert looks.look(5, 0, "Program") == Look(True, False, 0)
    assert looks.look(5, 1, "x") == Look(False, True, 0)  # D5:G5 merged
    assert looks.look(6, 0, "    Kegiatan") == Look(False, False, -2)
