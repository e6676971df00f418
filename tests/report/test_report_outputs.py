"""The report stage's outputs on a small synthetic region: workbooks and their sheets,
text that must never become a formula, layout (frozen header, filters, number format,
colours), the HTML report, and all-or-nothing replacement of the outputs."""

from __future__ import annotations

import re

import openpyxl
import pytest

from selaras import runs, warehouse
from selaras.reconcile import reconcile_all
from selaras.report import HTML_FILE, REGION_FILE, report_all
from selaras.report import forum as forum_sheets
from selaras.review import layout
from selaras.sample.synthetic import HOSTILE, fill_synthetic
from selaras.settings import Settings

HOSTILE_OPD = '<script>alert("x")</script> Dinas Uji'


def build(settings: Settings):
    settings.ensure_dirs()
    con = warehouse.connect(settings)
    fill_synthetic(con, n_opd=3, n_usulan=120, renja_per_opd=9, seed=11)
    # An OPD name that is also markup: must stay text in HTML and workbooks.
    con.execute(
        "update staged.renja set opd = ? where row_ref = (select min(row_ref) from staged.renja)",
        [HOSTILE_OPD],
    )
    run_id = runs.start_run(con, None, "test")
    reconcile_all(con, settings, run_id)
    result = report_all(con, settings, run_id)
    runs.finish_run(con, run_id, "success")
    return con, result


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("report") / "data", lock_retries=2, lock_wait_seconds=0.1
    )
    con, result = build(settings)
    yield settings, con, result
    con.close()


def forum_books(settings):
    return sorted((settings.processed_dir / "forum_opd").glob("*.xlsx"))


def test_workbooks_and_sheets(reported):
    settings, con, result = reported
    books = forum_books(settings)
    opds = {r[0] for r in con.execute("select distinct opd_forum from analytics.forum_renja").fetchall()}
    assert len(books) == len(opds) + 1 == result.figures["forum_workbooks"]
    for book in books:
        wb = openpyxl.load_workbook(book, read_only=True)
        assert wb.sheetnames == list(forum_sheets.SHEETS), book.name
    review = openpyxl.load_workbook(
        settings.processed_dir / "review" / "Review_Keselarasan.xlsx", read_only=True
    )
    assert review.sheetnames == [layout.SHEET_REVIEW, layout.SHEET_ALL, layout.SHEET_GUIDE]


def test_region_workbook_rows_match_the_views(reported):
    settings, con, _ = reported
    wb = openpyxl.load_workbook(settings.processed_dir / "forum_opd" / REGION_FILE, read_only=True)
    count = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    assert wb[forum_sheets.SHEET_MATRIX].max_row - 1 == count(
        "select count(*) from analytics.renja_alignment"
    )
    assert wb[forum_sheets.SHEET_USULAN].max_row - 1 == count(
        "select count(*) from analytics.musrenbang_accommodation"
    )
    assert wb[forum_sheets.SHEET_GAPS].max_row - 1 == count(
        "select count(*) from analytics.rkpd_coverage where not tercakup"
    )
    assert wb[forum_sheets.SHEET_PAGU].max_row - 1 == count("select count(*) from analytics.pagu_program")


def test_input_text_never_becomes_a_formula(reported):
    settings, _, _ = reported
    books = [*forum_books(settings), settings.processed_dir / "review" / "Review_Keselarasan.xlsx"]
    seen = set()
    for book in books:
        wb = openpyxl.load_workbook(book)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{book.name}!{ws.title}!{cell.coordinate}: {cell.value!r}"
                    if cell.value in HOSTILE or cell.value == HOSTILE_OPD:
                        seen.add(cell.value)
    assert seen == {*HOSTILE, HOSTILE_OPD}  # written, as text


def test_layout_frozen_filters_numbers_colours(reported):
    settings, con, _ = reported
    opd = con.execute(
        "select opd_forum from analytics.pagu_program p join analytics.forum_renja f "
        "on f.opd_forum = p.opd where p.melebihi_pagu limit 1"
    ).fetchone()[0]
    book = next(
        b
        for b in forum_books(settings)
        if b.name != REGION_FILE
        and b.name.startswith("Forum_OPD_" + re.sub(r"[^0-9A-Za-z]+", "_", opd).strip("_"))
    )
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[0] == forum_sheets.SHEET_SUMMARY
    matrix = wb[forum_sheets.SHEET_MATRIX]
    assert matrix.freeze_panes == "A2"
    assert matrix.auto_filter.ref.startswith("A1:")
    headers = [c.value for c in matrix[1]]
    pagu_col = headers.index("Pagu Renja (Rp)") + 1
    assert matrix.cell(2, pagu_col).number_format == "[$-421]#,##0"
    status_letter = openpyxl.utils.get_column_letter(headers.index("Status") + 1)
    rules = {
        r.formula[0]
        for rng in matrix.conditional_formatting
        for r in rng.rules
        if status_letter in str(rng.sqref)
    }
    assert {'"selaras"', '"perlu_review"', '"tidak_selaras"'} <= rules
    pagu = wb[forum_sheets.SHEET_PAGU]
    formulas = [
        r.formula[0] for rng in pagu.conditional_formatting for r in rng.rules if r.type == "expression"
    ]
    assert any('"melebihi_pagu"' in f for f in formulas)
    statuses = [
        c.value
        for c in next(
            pagu.iter_cols(
                min_col=[c.value for c in pagu[1]].index("Status") + 1,
                max_col=[c.value for c in pagu[1]].index("Status") + 1,
            )
        )
    ]
    assert "melebihi_pagu" in statuses


def test_review_workbook_protection_and_dropdown(reported):
    settings, _, _ = reported
    wb = openpyxl.load_workbook(settings.processed_dir / "review" / "Review_Keselarasan.xlsx")
    ws = wb[layout.SHEET_REVIEW]
    assert ws.protection.sheet
    headers = {c.value: c.column_letter for c in ws[1]}
    hidden = ws.column_dimensions[headers["_id"]]  # adjacent hidden columns share one <col> element
    assert hidden.hidden and hidden.max == openpyxl.utils.column_index_from_string(headers["_checksum"])
    decision = headers["Keputusan"]
    # Empty cells take their column's format: the planner's columns are unlocked, others not.
    assert not ws.column_dimensions[decision].protection.locked and ws["A2"].protection.locked
    validation = ws.data_validations.dataValidation[0]
    assert decision in str(validation.sqref) and "pilih 1" in validation.formula1


def test_review_workbook_lists_every_row_once_perlu_review_first(reported):
    """Streamed from the warehouse: every Renja row and proposal once, the perlu_review
    rows on the first sheet, each sheet in task / OPD / file / row order."""
    settings, con, _ = reported
    wb = openpyxl.load_workbook(settings.processed_dir / "review" / "Review_Keselarasan.xlsx", read_only=True)
    sheets = {}
    for name in (layout.SHEET_REVIEW, layout.SHEET_ALL):
        rows = list(wb[name].iter_rows(values_only=True))
        header = rows[0]
        sheets[name] = [dict(zip(header, r, strict=False)) for r in rows[1:]]
    subjects = con.execute(
        "select count(*) filter (where status = 'perlu_review'), count(*) from ("
        " select status from analytics.forum_renja f join review.subject s"
        "   on s.task = 'renja_rkpd' and s.subject_ref = f.renja_ref"
        " union all select status from analytics.forum_usulan f join review.subject s"
        "   on s.task = 'usulan_renja' and s.subject_ref = f.row_ref)"
    ).fetchone()
    review, others = sheets[layout.SHEET_REVIEW], sheets[layout.SHEET_ALL]
    assert subjects[0] > 0 and len(others) > 0
    assert (len(review), len(review) + len(others)) == subjects
    assert {r["Status saat ini"] for r in review} == {"perlu_review"}
    assert "perlu_review" not in {r["Status saat ini"] for r in others}
    from selaras.review import iter_review_rows

    streamed = list(iter_review_rows(con, settings.top_k, chunk=7))  # several fetches
    key = [
        (r["task"], r["opd_forum"] or "", r["source_file"], r["source_row"], r["sumber"]) for r in streamed
    ]
    first = [r["status"] == "perlu_review" for r in streamed]
    assert first == sorted(first, reverse=True)
    n = sum(first)
    assert key[:n] == sorted(key[:n]) and key[n:] == sorted(key[n:])
    assert [r["Sumber (berkas:lembar:baris)"] for r in review] == [r["sumber"] for r in streamed[:n]]


def test_review_workbook_sheets_when_one_kind_of_row_is_absent(reported, tmp_path):
    from selaras.review import iter_review_rows, write_review_workbook

    settings, con, _ = reported
    rows = list(iter_review_rows(con, settings.top_k))
    review = [r for r in rows if r["status"] == "perlu_review"]
    others = [r for r in rows if r["status"] != "perlu_review"]
    assert review and others
    for given, want in (
        (rows, (len(review), len(others))),
        (review, (len(review), 0)),
        (others, (0, len(others))),
        ([], (0, 0)),
    ):
        path = tmp_path / "review.xlsx"
        counts = write_review_workbook(path, iter(given), "run", settings.top_k)
        assert (counts[layout.SHEET_REVIEW], counts[layout.SHEET_ALL]) == want
        wb = openpyxl.load_workbook(path, read_only=True)
        assert [wb[name].max_row - 1 for name in (layout.SHEET_REVIEW, layout.SHEET_ALL)] == list(want)
        wb.close()


def test_html_report_is_self_contained_and_escaped(reported):
    settings, _, _ = reported
    html = (settings.processed_dir / HTML_FILE).read_text(encoding="utf-8")
    assert "<script" not in html and "&lt;script&gt;" in html
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=", html)
    assert html.count("<svg") >= 6
    for section in (
        "Akomodasi usulan per OPD",
        "per kecamatan",
        "per jalur",
        "Cakupan RKPD per prioritas",
        "Pagu Renja terhadap pagu indikatif",
        "Validasi",
        "Perubahan sejak run sebelumnya",
    ):
        assert section in html


def test_failed_report_keeps_previous_outputs(con, settings, monkeypatch):
    fill_synthetic(con, n_opd=2, n_usulan=20, renja_per_opd=4)
    run_id = runs.start_run(con, None, "test")
    report_all(con, settings, run_id)
    html = settings.processed_dir / HTML_FILE
    before = {p: p.stat().st_mtime_ns for p in settings.processed_dir.rglob("*") if p.is_file()}

    def boom(*args, **kwargs):
        raise OSError("disk penuh")

    monkeypatch.setattr("selaras.report.stage.render", boom)
    with pytest.raises(OSError):
        report_all(con, settings, runs.start_run(con, None, "test"))
    after = {p: p.stat().st_mtime_ns for p in settings.processed_dir.rglob("*") if p.is_file()}
    assert after == before and html in after
    assert not list(settings.processed_dir.glob(".staging-*"))


def test_forum_workbooks_are_rewritten_only_for_opds_whose_data_changed(con, settings):
    fill_synthetic(con, n_opd=3, n_usulan=40, renja_per_opd=5, seed=3)
    first = report_all(con, settings, runs.start_run(con, None, "test"))
    assert first.figures["forum_workbooks_written"] == first.figures["forum_workbooks"] == 4
    books = {p.name: p.stat().st_ino for p in forum_books(settings)}

    # Nothing changed: every workbook is carried over (the same file, not a copy).
    again = report_all(con, settings, runs.start_run(con, None, "test"))
    assert again.figures["forum_workbooks_written"] == 0
    assert {p.name: p.stat().st_ino for p in forum_books(settings)} == books

    # One OPD's Renja row changes: its workbook and the region's are rewritten, no other.
    opd = con.execute("select min(opd_forum) from analytics.forum_renja").fetchone()[0]
    con.execute(
        "update staged.renja set pagu = pagu + 1000 where row_ref = "
        "(select min(renja_ref) from analytics.forum_renja where opd_forum = ?)",
        [opd],
    )
    third = report_all(con, settings, runs.start_run(con, None, "test"))
    assert third.figures["forum_workbooks_written"] == 2
    changed = {
        n for n, ino in books.items() if (settings.processed_dir / "forum_opd" / n).stat().st_ino != ino
    }
    assert REGION_FILE in changed and len(changed) == 2
