"""Every physical CSV line is counted (issue 11, item 4): an unbalanced quote costs its
own line only, with the file, line and reason; the rest of the file parses normally."""

from __future__ import annotations

from selaras.ingest.readers import read_csv


def _usulan(broken_at: int | None = None) -> str:
    lines = ["No;Usulan;Lokasi;Anggaran"]
    for i in range(1, 27):
        text = f"Pembangunan jalan lingkungan RT {i:02d}"
        if i == broken_at:
            text = '"' + text  # the quote is never closed
        lines.append(f"{i};{text};Desa Sukamaju;{i * 1000}")
    return "\n".join(lines) + "\n"


def test_an_unbalanced_quote_costs_one_line_not_the_file(raw, ingest, query):
    raw("musrenbang", "usulan_desa.csv").write_text(_usulan(broken_at=2), encoding="utf-8")
    result = ingest()
    assert query("select rows_read, rows_staged, rows_skipped from raw.ingest_file") == [(27, 25, 2)]
    assert query("select count(*) from staged.usulan where usulan like '%RT 01' or usulan like '%RT 26'") == [
        (2,)
    ]
    assert query("select source_row, reason_code from raw.skipped_row order by 1") == [
        (1, "header"),
        (3, "broken_quote"),
    ]
    (note,) = [p for p in result.problems if "usulan_desa.csv" in p]
    assert "baris 3" in note and "tanda kutip" in note


def test_a_quoted_line_break_is_one_record_and_every_line_is_counted(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('kode;nama;pagu\n1;"Rehab sekolah\nlantai dua";5\n2;"Jalan";6\n', encoding="utf-8")
    sheet = read_csv(path)
    assert list(sheet.rows) == [
        (1, ["kode", "nama", "pagu"]),
        (2, ["1", "Rehab sekolah\nlantai dua", "5"]),
        (3, []),
        (4, ["2", "Jalan", "6"]),
    ]
    assert sheet.line_marks == {3: "quoted_line"}


def test_a_quote_left_open_to_the_end_of_the_file(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('kode;nama;pagu\n1;A;5\n2;"B;6\n3;C;7\n4;D;8\n', encoding="utf-8")
    sheet = read_csv(path)
    rows = list(sheet.rows)
    assert [n for n, _ in rows] == [1, 2, 3, 4, 5]
    assert rows[3] == (4, ["3", "C", "7"]) and rows[4] == (5, ["4", "D", "8"])
    assert sheet.line_marks == {3: "broken_quote"}
