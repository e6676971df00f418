"""What planners get in processed/: quarantine workbooks (per OPD, and per file ready to fix
and drop back) and Data Docs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from conftest import RENJA_MAP, add_file, add_nomenklatur, renja_row

from selaras.validate import validate_all

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def validated(con, settings):
    add_nomenklatur(con)
    rows = [
        renja_row("1.03.10.2.01.0053", "Pembangunan Jalan", opd="Dinas PU"),
        renja_row('=HYPERLINK("http://x")', "+cmd", kode_level="lokal", opd="Dinas PU"),
        renja_row("1.03.10.2.01.0053", "@SUM(A1)", pagu=None, pagu_raw="-1+1", opd="Dinas PU"),
        renja_row("1.03.10.2.01.0032", "Pembangunan Jalan", opd="Dinas Sosial"),
    ]
    skipped = [
        {"source_row": 1, "reason_code": "title", "raw": {"A": "RENJA DINAS PU TAHUN 2025"}},
        {
            "source_row": 2,
            "reason_code": "header",
            "raw": dict(zip("ABCDEF", RENJA_MAP.values(), strict=True)),
        },
    ]
    add_file(con, "renja", "renja/dinas pu.xlsx", rows, column_map=RENJA_MAP, skipped=skipped)
    result = validate_all(con, settings, "20260101T000000-aaaaaa")
    return settings, result


def _values(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_quarantine_workbooks_per_opd_and_per_file(validated):
    settings, result = validated
    out = settings.processed_dir / "karantina"
    assert result.figures["quarantine_dir"] == str(out)
    assert sorted(p.name for p in out.glob("*.xlsx")) == ["dinas_pu.xlsx", "dinas_sosial.xlsx"]
    wb = openpyxl.load_workbook(out / "dinas_pu.xlsx")
    assert wb.sheetnames[:2] == ["Petunjuk", "Masalah"]
    problems = _values(wb["Masalah"])
    header = problems[0]
    assert header[:6] == ["Status", "Berkas", "Lembar", "Baris", "Kolom", "Nilai asli"]
    rules = {r[8] for r in problems[1:]}
    assert {
        "kode_local",
        "amount_unparseable",
    } <= rules and "kode_outdated" not in rules  # that one is Dinas Sosial's
    rows_sheet = _values(wb[wb.sheetnames[2]])
    assert rows_sheet[0][:5] == ["Status", "Lembar", "Baris", "Alasan", "Saran"]
    assert "JUMLAH PAGU" in rows_sheet[0]
    statuses = {r[2]: r[0] for r in rows_sheet[1:]}
    assert statuses == {4: "DITANDAI", 5: "DIKARANTINA"}

    # Formula-looking cells stay text in every workbook written.
    for path in out.rglob("*.xlsx"):
        for ws in openpyxl.load_workbook(path):
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{path.name}!{cell.coordinate} is a formula: {cell.value}"
    sosial = openpyxl.load_workbook(out / "dinas_sosial.xlsx")
    assert any(
        r[8] == "kode_outdated" and r[7] == "1.03.10.2.01.0053" for r in _values(sosial["Masalah"])[1:]
    )


def test_fix_workbook_keeps_the_original_layout(validated):
    settings, _ = validated
    fix = settings.processed_dir / "karantina" / "perbaikan" / "renja" / "dinas pu.xlsx"
    ws = openpyxl.load_workbook(fix).worksheets[0]
    values = _values(ws)
    assert values[0][0] == "RENJA DINAS PU TAHUN 2025"
    assert values[1][:4] == ["KODE SUB KEGIATAN", "PROGRAM DAN KEGIATAN", "TARGET", "JUMLAH PAGU"]
    assert values[2][0] == "1.03.10.2.01.0053"  # row 3 as in the original
    assert values[3][0] == '=HYPERLINK("http://x")'  # text, not a formula
    assert values[4][3] == "-1+1"
    assert ws.cell(row=5, column=4).comment is not None  # the unreadable pagu is commented
    assert "tidak dapat dibaca" in ws.cell(row=5, column=4).comment.text


def test_data_docs_index_references_the_suites(validated):
    settings, result = validated
    index = settings.processed_dir / "data_docs" / "index.html"
    assert result.figures["data_docs"] == str(index) and index.is_file()
    text = index.read_text(encoding="utf-8")
    for suite in ("renja_rows", "renja_file", "nomenklatur_rows"):
        assert f"expectations/{suite}.html" in text
        assert (index.parent / "expectations" / f"{suite}.html").is_file()
    assert "selaras-ringkasan" in text and "renja/dinas pu.xlsx" in text
    pages = list((index.parent / "validations" / "renja_rows").rglob("*.html"))
    assert len(pages) == 1 and "gagal" in text


@pytest.mark.slow
@pytest.mark.skipif(
    not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None, reason="no headless chromium"
)
def test_data_docs_open_in_a_browser(validated):
    """Rendered offline by a real browser: the summary table (plain HTML, no CDN needed)
    lists the file and links its validation page."""
    settings, _ = validated
    index = (settings.processed_dir / "data_docs" / "index.html").resolve()
    dom = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", index.as_uri()],
        capture_output=True,
        text=True,
        timeout=90,
    ).stdout
    assert "Hasil validasi selaras" in dom and "renja/dinas pu.xlsx" in dom
    assert 'href="validations/renja_rows/' in dom


def test_workbooks_are_rewritten_only_when_their_problems_change(validated, con):
    settings, first = validated
    out = settings.processed_dir / "karantina"
    assert first.figures["quarantine_rewritten"] == first.figures["quarantine_workbooks"] == "3"
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.xlsx")}
    # Same results in a new run: no workbook is touched.
    again = validate_all(con, settings, "20260102T000000-bbbbbb")
    assert again.figures["quarantine_rewritten"] == "0"
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.xlsx")} == stamps
    # A new file with a problem: its fix workbook and its OPD's workbook are written, the rest stay.
    add_file(
        con,
        "renja",
        "renja/dinas kesehatan.xlsx",
        [renja_row("1.03.10.2.01.0053", "Pembangunan Jalan", pagu=None, pagu_raw="x", opd="Dinas Kesehatan")],
        column_map=RENJA_MAP,
    )
    third = validate_all(con, settings, "20260103T000000-cccccc")
    assert third.figures["quarantine_rewritten"] == "2"
    # (its only row has no readable pagu: a file-level error, so a workbook without OPD)
    new = {p.relative_to(out).as_posix() for p in out.rglob("*.xlsx")} - {
        p.relative_to(out).as_posix() for p in stamps
    }
    assert new == {"perbaikan/renja/dinas kesehatan.xlsx", "tanpa_opd.xlsx"}
    assert all(p.stat().st_mtime_ns == t for p, t in stamps.items())
