"""Rows classified by how they look (issue 11, item 3): where no code decides and no amount
adds up, the bold, indented or merged group rows of a planner's workbook tell a program
from its kegiatan, a JUMLAH row from a kegiatan named "Jumlah ...", and a group row with
no level word from data."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from selaras.ingest.styles import Look, Looks, Style, find_styled_cells, marked_styles, styled_cell_pattern

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
    rows = parents(query)
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


def parents(query) -> list[tuple]:
    """(source row, program_nama, kegiatan_nama) of the staged Renja rows, in order."""
    return query("select source_row, program_nama, kegiatan_nama from staged.renja order by 1")


def write_table(path: Path, header: list[str], rows: list[tuple[dict, list]]) -> None:
    """rows: (XlsxWriter format properties, or {} for a plain row; the row's values)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Renja")
    ws.write_row(0, 0, header, wb.add_format({"bold": True}))
    for r, (style, values) in enumerate(rows, start=1):
        ws.write_row(r, 0, values, wb.add_format(style) if style else None)
    wb.close()


CODED = ["Kode", "Program/Kegiatan/Sub Kegiatan", "Satuan", "Lokasi", "Pagu"]
BOLD, BOLD_IN, LEAF = {"bold": True}, {"bold": True, "indent": 1}, {"indent": 2}


def heading(name: str, pagu: float | None = None, kode: str | None = None) -> list:
    return [kode, name, None, None, pagu]


def leaf(name: str, pagu: float | None = None, kode: str | None = None) -> list:
    return [kode, name, "Dokumen", "Kab. Serang", pagu]


def test_code_less_kegiatan_headings_under_a_coded_program(raw, ingest, query):
    """The program has a code, its kegiatan headings do not: a heading above a sub
    kegiatan whose code lies under the program's is a kegiatan, not a new program."""
    write_table(
        raw("renja", "renja_campur.xlsx"),
        CODED,
        [
            (BOLD, heading("Program Pemenuhan Upaya Kesehatan", 300, "1.02.02")),
            (BOLD_IN, heading("Perbaikan Gizi Masyarakat", 300)),
            ({}, leaf("Pemberian Makanan Tambahan", 100, "1.02.02.2.01.01")),
            ({}, leaf("Pemantauan Status Gizi", 200, "1.02.02.2.01.02")),
            (BOLD_IN, heading("Pelayanan Penyakit Menular", 0)),
            ({}, leaf("Imunisasi Dasar", None, "1.02.02.2.02.01")),
        ],
    )
    assert not ingest().failed
    program = "Program Pemenuhan Upaya Kesehatan"
    assert parents(query) == [
        (4, program, "Perbaikan Gizi Masyarakat"),
        (5, program, "Perbaikan Gizi Masyarakat"),
        (7, program, "Pelayanan Penyakit Menular"),
    ]


def test_headings_indented_on_the_name_column_above_coded_leaves(raw, ingest, query):
    """The code cells are plain; only the name cells are indented: the look is read on the
    name column."""
    indent = [{}, {"indent": 1}, {"indent": 2}]
    rows = [
        (0, heading("Peningkatan Pelayanan Kesehatan")),
        (1, heading("Perbaikan Gizi Masyarakat")),
        (2, leaf("Pemberian Makanan Tambahan", None, "1.02.02.2.01.01")),
        (1, heading("Penyakit Menular")),
        (2, leaf("Imunisasi Dasar", None, "1.02.02.2.02.01")),
    ]
    wb = xlsxwriter.Workbook(str(raw("renja", "renja_indent.xlsx")))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, CODED)
    formats = [wb.add_format(style) if style else None for style in indent]
    for r, (level, values) in enumerate(rows, start=1):
        ws.write_row(r, 0, values)
        ws.write(r, 1, values[1], formats[level])
    wb.close()
    assert not ingest().failed
    assert parents(query) == [
        (4, "Peningkatan Pelayanan Kesehatan", "Perbaikan Gizi Masyarakat"),
        (6, "Peningkatan Pelayanan Kesehatan", "Penyakit Menular"),
    ]


def test_one_program_row_left_unbolded_is_still_a_program(raw, ingest, query):
    """Most program rows are bold; one was left plain. It fills no satuan or lokasi while
    the rows under it do: a program, not a kegiatan named "Program ..."."""
    write_table(
        raw("renja", "renja_lupa_tebal.xlsx"),
        CODED,
        [
            (BOLD, heading("Program Peningkatan Jalan")),
            ({}, leaf("Pemeliharaan Jalan Desa")),
            (BOLD, heading("Program Penataan Bangunan")),
            ({}, leaf("Rehabilitasi Gedung")),
            ({}, heading("Program Pengelolaan Air Minum")),
            ({}, leaf("Pembangunan SPAM")),
            ({}, leaf("Perluasan Jaringan Pipa")),
        ],
    )
    assert not ingest().failed
    assert query("select source_row, program_nama from staged.renja where source_row > 5 order by 1") == [
        (7, "Program Pengelolaan Air Minum"),
        (8, "Program Pengelolaan Air Minum"),
    ]


@pytest.mark.parametrize("with_pagu", [True, False])
def test_plain_jumlah_rows_named_after_their_group_are_subtotals(raw, ingest, query, with_pagu):
    """'Jumlah Program Peningkatan Jalan' totals the program of that name: a subtotal,
    with or without a pagu, also after the kegiatan's own (bold) subtotal rows."""
    pagu = (lambda x: x) if with_pagu else (lambda x: None)
    write_table(
        raw("renja", "renja_jumlah_bertingkat.xlsx"),
        CODED,
        [
            (BOLD, heading("Program Peningkatan Jalan", pagu(500))),
            (BOLD_IN, heading("Kegiatan Pemeliharaan Jalan", pagu(300))),
            ({}, leaf("Pemeliharaan Jalan Desa", pagu(100))),
            ({}, leaf("Pembangunan Jembatan Gantung", pagu(200))),
            (BOLD, heading("Jumlah Kegiatan Pemeliharaan Jalan", pagu(300))),
            (BOLD_IN, heading("Kegiatan Penerangan Jalan", pagu(200))),
            ({}, leaf("Pemasangan PJU", pagu(200))),
            (BOLD, heading("Jumlah Kegiatan Penerangan Jalan", pagu(200))),
            ({}, heading("Jumlah Program Peningkatan Jalan", pagu(500))),
            ({}, leaf("Jumlah Kader Posyandu Terlatih", pagu(10))),  # data: fills satuan, lokasi
        ],
    )
    assert not ingest().failed
    assert [r[0] for r in query("select source_row from staged.renja order by 1")] == [4, 5, 8, 11]
    skipped = dict(query("select source_row, reason_code from raw.skipped_row"))
    assert [skipped[r] for r in (6, 9, 10)] == ["subtotal"] * 3


@pytest.mark.parametrize("program_pagu", [1000, 1050])
def test_three_levels_by_look_with_a_pagu_on_every_level(raw, ingest, query, program_pagu):
    """The program's pagu is the sum of its kegiatan (1000), or off (1050, as real totals
    often are): the look decides either way, a sum that does not add up never makes a
    bold heading data."""
    write_table(
        raw("renja", "renja_tiga_tingkat.xlsx"),
        CODED,
        [
            (BOLD, heading("Peningkatan Pelayanan Kesehatan", program_pagu)),
            (BOLD_IN, heading("Perbaikan Gizi Masyarakat", 400)),
            (LEAF, leaf("Pemberian Makanan Tambahan", 150)),
            (LEAF, leaf("Pemantauan Status Gizi", 250)),
            (BOLD_IN, heading("Penyakit Menular", 600)),
            (LEAF, leaf("Imunisasi Dasar", 600)),
        ],
    )
    assert not ingest().failed
    program = "Peningkatan Pelayanan Kesehatan"
    assert parents(query) == [
        (4, program, "Perbaikan Gizi Masyarakat"),
        (5, program, "Perbaikan Gizi Masyarakat"),
        (7, program, "Penyakit Menular"),
    ]


def test_a_group_whose_rows_cross_a_chunk_boundary(raw, ingest, query, settings):
    """Rows are classified in chunks; a bold heading near a chunk's end still sees the
    rows under it (read ahead from the next chunk) for its look and its sums."""
    settings.load_batch_rows = 25
    rows = []
    for k in range(12):
        rows.append((BOLD, heading(f"Layanan {k}", 40)))
        rows += [(LEAF, leaf(f"Rincian {k}-{j}", 10)) for j in range(4)]
    write_table(raw("renja", "renja_potongan.xlsx"), CODED, rows)
    assert not ingest().failed
    loaded = query("select nama, program_nama from staged.renja order by source_row")
    assert len(loaded) == 48
    assert all(nama.split()[1].split("-")[0] == program.split()[1] for nama, program in loaded)


def test_styled_cells_are_found_whatever_the_attribute_order():
    marked = {3: Style(True, 0)}
    patterns = styled_cell_pattern(marked)
    usual, reversed_order = {}, {}
    find_styled_cells(
        b'<row r="7"><c r="B7" s="3" t="s"><v>1</v></c><c r="C7" s="1"/>', patterns, marked, usual
    )
    find_styled_cells(b'<row r="7"><c s="3" r="B7" t="s"><v>1</v></c>', patterns, marked, reversed_order)
    assert usual == reversed_order == {(7, 1): marked[3]}
