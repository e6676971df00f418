"""Required means identifying (issue 11, item 1): a Renja/RKPD file without a pagu column,
or with an empty one, loads and is validated with one file-level warning, not refused."""

from __future__ import annotations

import pytest

HEADER = ["Kode Sub Kegiatan", "Nama Sub Kegiatan", "Indikator Keluaran", "Target", "Satuan", "Lokasi"]
ROWS = [
    ["1.02.02.2.01.0001", "Pengelolaan Pelayanan Kesehatan Ibu Hamil", "Jumlah ibu hamil", "120", "Orang"],
    [
        "1.02.02.2.01.0002",
        "Pengelolaan Pelayanan Kesehatan Ibu Bersalin",
        "Jumlah ibu bersalin",
        "80",
        "Orang",
    ],
    ["1.02.02.2.02.0003", "Pengelolaan Pelayanan Kesehatan Bayi Baru Lahir", "Jumlah bayi", "75", "Orang"],
]


def _write(path, header, rows) -> None:
    path.write_text("\n".join(";".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")


@pytest.mark.parametrize("layout", ["absent", "empty"])
def test_renja_without_pagu_loads_with_one_file_warning(layout, raw, ingest, con, settings, query):
    from selaras.validate import validate_all

    header = [*HEADER, "Pagu Indikatif (Rp)"] if layout == "empty" else HEADER
    rows = [[*r, "Kab. Serang", ""] if layout == "empty" else [*r, "Kab. Serang"] for r in ROWS]
    _write(raw("renja", "renja_dinkes_2024.csv"), header, rows)
    result = ingest()
    assert not result.failed, result.problems
    assert query("select count(*), count(pagu) from staged.renja") == [(3, 0)]
    validated = validate_all(con, settings, "test-validate")
    assert not any("ditolak" in p for p in validated.problems), validated.problems
    file_level = query(
        "select rule, severity, message from quality.check_result where row_ref is null and rule like 'amount%'"
    )
    assert len(file_level) == 1
    rule, severity, message = file_level[0]
    assert (rule, severity) == ("amount_column_empty", "warning")
    assert "pagu tidak dibandingkan untuk berkas ini" in message
    # Nothing quarantined: every row is identified by its code and name.
    assert query("select count(*) from quality.check_result where severity = 'error'") == [(0,)]


def test_a_file_with_no_identifying_column_is_still_refused(raw, ingest, query):
    _write(raw("renja", "tanpa_nama.csv"), ["Lokasi", "Pagu", "Satuan"], [["Kab. Serang", "1000", "Unit"]])
    result = ingest()
    assert result.failed
    assert query("select status from raw.ingest_file") == [("failed",)]


def test_without_pagu_views_show_null_and_reports_say_so(raw, settings):
    """End to end: the views show NULL, the workbooks and the HTML say "pagu tidak
    tersedia", never Rp 0."""
    import duckdb
    import python_calamine

    from selaras.pipeline import run_all

    _write(raw("renja", "renja_dinkes_2024.csv"), HEADER, [[*r, "Kab. Serang"] for r in ROWS])
    run_all(settings)
    con = duckdb.connect(str(settings.published_db), read_only=True)
    try:
        assert con.execute("select count(*), count(pagu) from analytics.renja_alignment").fetchone() == (3, 0)
        assert (
            con.execute("select count(*), count(pagu_renja) from analytics.pagu_program").fetchone()[1] == 0
        )
    finally:
        con.close()
    cells = []
    for book in (settings.processed_dir / "forum_opd").glob("*.xlsx"):
        workbook = python_calamine.CalamineWorkbook.from_path(str(book))
        for name in workbook.sheet_names:
            cells += [v for row in workbook.get_sheet_by_name(name).to_python() for v in row]
    assert cells.count("pagu tidak tersedia") >= 3
    html = (settings.processed_dir / "laporan_ringkas.html").read_text(encoding="utf-8")
    assert "pagu tidak tersedia" in html
