"""Implausible money and invisible characters, through ingest and validation (issue 11,
cases 3 and 4): a date cell, `NaN`, `#N/A` and 1e30 in the pagu column are errors with
their own reason, a negative pagu is a warning; codes typed with the letter O, a
zero-width space or fullwidth dots are read as the code they mean (with a warning for the
repaired ones), and bidi / zero-width characters never reach the clean layer."""

from __future__ import annotations

from datetime import datetime

import xlsxwriter

RENJA = "renja/renja_dinkes_2025.xlsx"
HEADER = ["Kode", "Sub Kegiatan", "Lokasi", "Pagu Indikatif"]
ROWS = [
    # 0-based row 1 -> sheet row 2
    ["1.02.02.2.01.0001", "Pengelolaan Pelayanan Kesehatan Ibu Hamil", "Kec. Klojen", 150_000_000],
    [
        "1.02.02.2.01.0002",
        "Pengelolaan Pelayanan Kesehatan Ibu Bersalin",
        "Kec. Klojen",
        datetime(2021, 3, 4),
    ],
    ["1.02.02.2.01.0003", "Pengelolaan Pelayanan Kesehatan Bayi Baru Lahir", "Kec. Blimbing", "NaN"],
    ["1.02.02.2.01.0004", "Pengelolaan Pelayanan Kesehatan Balita", "Kec. Blimbing", "#N/A"],
    ["1.02.02.2.01.0005", "Pengelolaan Pelayanan Kesehatan pada Usia Pendidikan Dasar", "Kec. Sukun", 1e30],
    ["1.02.02.2.01.0006", "Pengelolaan Pelayanan Kesehatan pada Usia Produktif", "Kec. Sukun", -2_500_000],
    ["1.O2.02.2.01.OOO7", "Pengelolaan Pelayanan Kesehatan pada Usia Lanjut", "Kec. Lowokwaru", 90_000_000],
    [
        "1.02\u200b.02.2.01.0008",
        "Pengelolaan Pelayanan Kesehatan \u202eHipertensi",
        "Kec. Lowokwaru",
        80_000_000,
    ],
    [
        "\uff11\uff0e02.02.2.01.0009",
        "Pengelolaan Pelayanan Kesehatan Diabetes\u200b Melitus",
        "Kec. Kedung",
        70_000_000,
    ],
]


def _write(path) -> None:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Renja")
    as_date = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, HEADER)
    for r, row in enumerate(ROWS, start=1):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                ws.write_datetime(r, c, value, as_date)
            else:
                ws.write(r, c, value)
    wb.close()


def test_money_and_invisible_characters_end_to_end(settings, con):
    from selaras.audit import check_accounting
    from selaras.ingest import ingest_all
    from selaras.validate import validate_all

    target = settings.raw_dir / RENJA
    target.parent.mkdir(parents=True, exist_ok=True)
    _write(target)
    assert not ingest_all(con, settings, "r1").failed
    assert not validate_all(con, settings, "r1").failed
    rules = dict(
        con.execute(
            "select source_row, string_agg(rule, ',' order by rule) from quality.check_result "
            "where source_row is not null group by 1"
        ).fetchall()
    )
    assert rules.get(3, "").startswith("amount_is_date"), rules
    assert "amount_error_value" in rules.get(4, "") and "amount_error_value" in rules.get(5, ""), rules
    assert "amount_too_large" in rules.get(6, ""), rules
    assert "amount_negative" in rules.get(7, ""), rules
    assert "kode_repaired" in rules.get(8, ""), rules
    severity = dict(
        con.execute("select rule, any_value(severity) from quality.check_result group by 1").fetchall()
    )
    assert (
        severity["amount_is_date"]
        == severity["amount_error_value"]
        == severity["amount_too_large"]
        == "error"
    )
    assert severity["amount_negative"] == severity["kode_repaired"] == "warning"
    message = con.execute(
        "select message from quality.check_result where rule = 'amount_is_date'"
    ).fetchone()[0]
    assert "tanggal di kolom pagu" in message and "baris 3" in message and "Pagu Indikatif" in message

    clean = dict(con.execute("select source_row, kode from clean.renja").fetchall())
    assert set(clean) == {2, 7, 8, 9, 10}  # the four impossible amounts are quarantined
    assert clean[8] == "1.02.02.2.01.0007"  # letter O read as zero
    assert clean[9] == "1.02.02.2.01.0008"  # zero-width space dropped
    assert clean[10] == "1.02.02.2.01.0009"  # fullwidth digit and dot folded
    names = [n for (n,) in con.execute("select nama from clean.renja").fetchall()]
    assert not any(ch in n for n in names for ch in "\u200b\u202e\uff11")
    assert "Pengelolaan Pelayanan Kesehatan Hipertensi" in names
    assert check_accounting(con) == []
