"""Money as real headers name it (issue 11, item 2): by year and stage, under 2-3 row
merged headers; when several columns qualify the plan year's is used and the choice is
recorded in the sheet's metadata."""

from __future__ import annotations

import json

import xlsxwriter


def test_three_row_header_with_year_and_stage(raw, ingest, query):
    wb = xlsxwriter.Workbook(str(raw("renja", "renja_dinkes.xlsx")))
    ws = wb.add_worksheet("Renja")
    ws.write(0, 0, "RENCANA KERJA DINAS KESEHATAN TAHUN 2019")
    ws.merge_range(2, 0, 4, 0, "Kode")
    ws.merge_range(2, 1, 4, 1, "Urusan/Bidang Urusan/Program/Kegiatan")
    ws.merge_range(2, 2, 2, 4, "Rencana Tahun 2019")
    ws.merge_range(3, 2, 4, 2, "Lokasi")
    ws.merge_range(3, 3, 4, 3, "Target Capaian Kinerja")
    ws.write(3, 4, "Kebutuhan Dana")
    ws.write(4, 4, "Pagu Indikatif")
    ws.merge_range(2, 5, 2, 6, "Prakiraan Maju Tahun 2020")
    ws.merge_range(3, 5, 4, 5, "Target Capaian Kinerja")
    ws.write(3, 6, "Kebutuhan Dana")
    ws.write(4, 6, "Pagu Indikatif")
    ws.write_row(
        5, 0, ["1.02.01.15", "Pelayanan Kesehatan Ibu", "Kab. Serang", "100 orang", 750000000, "110", 9e8]
    )
    wb.close()
    result = ingest()
    assert not result.failed, result.problems
    assert query("select pagu, lokasi from staged.renja") == [(750000000.0, "Kab. Serang")]
    (column_map,) = query("select column_map from raw.sheet")[0]
    assert json.loads(column_map)["pagu"] == "Rencana Tahun 2019 / Kebutuhan Dana / Pagu Indikatif"


def test_the_plan_years_money_column_is_chosen_and_recorded(raw, ingest, query):
    lines = [
        "Kode;Uraian;Pagu 2021;Pagu 2022",
        "1.02.02.2.01.0001;Pengelolaan Pelayanan Kesehatan Ibu Hamil;1000;2000",
    ]
    raw("renja", "renja_dinkes_2022.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = ingest()
    assert not result.failed, result.problems
    assert query("select pagu from staged.renja") == [(2000.0,)]
    (column_map, note) = query("select column_map, note from raw.sheet")[0]
    assert json.loads(column_map)["pagu"] == "Pagu 2022"
    assert "dipakai 'Pagu 2022' (tahun rencana 2022)" in note


def test_money_header_words_seen_in_the_wild(raw, ingest, query):
    for i, label in enumerate(["Jumlah Dana", "Anggaran", "Nilai", "Pagu Indikatif (Rp)"]):
        lines = [f"Kode;Uraian;{label}", f"1.02.02.2.01.000{i};Pelayanan Kesehatan {i};{1000 + i}"]
        raw("renja", f"renja_{i}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert not ingest().failed
    assert query("select pagu from staged.renja order by pagu") == [
        (1000.0,),
        (1001.0,),
        (1002.0,),
        (1003.0,),
    ]
