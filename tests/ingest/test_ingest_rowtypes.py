"""Rows are classified by their structure, not their first word (issue 11, "row type"):
a kegiatan named "Program ..." or "Jumlah ..." is data, a program row typed "Progran"
is a group, and a JUMLAH row is a subtotal."""

from __future__ import annotations

HEADER = "Program/Kegiatan;Indikator Kinerja;Target;Satuan;Lokasi;Pagu Indikatif"
ROWS = [
    "Program Peningkatan Pelayanan Kesehatan;;;;;300000000",  # group: 100 + 200 below it
    "Program Terpadu Penanggulangan Gizi Buruk;Balita gizi buruk tertangani;120;Balita;Kab. Serang;100000000",
    "Penyuluhan Kesehatan Masyarakat;Desa terjangkau;40;Desa;Kab. Serang;200000000",
    "Progran Pencegahan dan Pengendalian Penyakit;;;;;80000000",  # typo, still a group: 50 + 30
    "Jumlah Penduduk Miskin yang Dibina;Penduduk dibina;500;Orang;Kab. Serang;50000000",
    "Total Belanja Pemeliharaan Puskesmas;Puskesmas terpelihara;12;Unit;Kab. Serang;30000000",
    "JUMLAH;;;;;380000000",
]


def test_rows_are_classified_by_structure(raw, ingest, query):
    raw("renja", "renja_dinkes_2019.csv").write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    result = ingest()
    assert not result.failed, result.problems
    assert query("select source_row, nama, program_nama from staged.renja order by source_row") == [
        (3, "Program Terpadu Penanggulangan Gizi Buruk", "Program Peningkatan Pelayanan Kesehatan"),
        (4, "Penyuluhan Kesehatan Masyarakat", "Program Peningkatan Pelayanan Kesehatan"),
        (6, "Jumlah Penduduk Miskin yang Dibina", "Progran Pencegahan dan Pengendalian Penyakit"),
        (7, "Total Belanja Pemeliharaan Puskesmas", "Progran Pencegahan dan Pengendalian Penyakit"),
    ]
    assert query("select source_row, reason_code from raw.skipped_row order by 1") == [
        (1, "header"),
        (2, "group"),
        (5, "group"),
        (8, "subtotal"),
    ]


def test_with_codes_the_code_level_decides(raw, ingest, query):
    lines = [
        "Kode;Program/Kegiatan;Indikator;Pagu",
        "1.02.02;Program Pemenuhan Upaya Kesehatan;;300",
        "1.02.02.2.01;Program Terpadu Gizi (kegiatan);Balita;100",
        "1.02.02.2.02;Jumlah Kader Terlatih;Kader;200",
    ]
    raw("renja", "renja_kode.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert not ingest().failed
    assert query("select nama from staged.renja order by source_row") == [
        ("Program Terpadu Gizi (kegiatan)",),
        ("Jumlah Kader Terlatih",),
    ]
