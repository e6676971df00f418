"""The review round trip: the report writes a review workbook, a planner fills it in
(openpyxl here), drops it into raw/review/, and the next runs apply the decisions - until
the row they were made on changes. Bad rows are reported by file / sheet / row. The match
tables are never rewritten between runs, as when `selaras run` skips match as unchanged
(test_reconcile_decided.py runs the real pipeline)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from selaras import runs
from selaras.reconcile import reconcile_all, review_precision
from selaras.report import report_all
from selaras.review import layout
from selaras.sample.synthetic import fill_synthetic

REVIEW_FILE = "review/review_andi.xlsx"


def run_once(con, settings, status: str = "success", report: bool = True):
    run_id = runs.start_run(con, None, "test")
    rec = reconcile_all(con, settings, run_id)
    rep = report_all(con, settings, run_id) if report else None
    runs.finish_run(con, run_id, status)
    return run_id, rec, rep


@pytest.fixture
def region(con, settings):
    fill_synthetic(con, n_opd=3, n_usulan=90, renja_per_opd=12, seed=7)
    return con


def identity(ws, headers: dict[str, int], row: int) -> layout.Identity:
    return layout.Identity.loads(ws.cell(row, headers["_id"]).value)


def sheet_index(ws) -> tuple[dict[str, int], dict[str, int]]:
    """(header -> column number, subject_ref -> row number), 1-based like openpyxl."""
    headers = {c.value: c.column for c in ws[1] if c.value}
    subjects = {
        identity(ws, headers, r).subject_ref: r
        for r in range(2, ws.max_row + 1)
        if ws.cell(r, headers["_id"]).value
    }
    return headers, subjects


def status_of(con, table: str, ref: str) -> tuple:
    key = "usulan_ref" if table == "usulan_accommodation" else "renja_ref"
    target = "renja_ref" if table == "usulan_accommodation" else "rkpd_ref"
    sql = f"select status, {target}, decided_by, reason from decided.{table} where {key} = ?"  # noqa: S608
    return con.execute(sql, [ref]).fetchone()


def match_tables(con) -> dict[str, list[tuple]]:
    return {
        t: con.execute(f"select * from match.{t} order by all").fetchall()  # noqa: S608 - constant names
        for t in ("renja_alignment", "usulan_accommodation")
    }


def totals(con) -> dict[str, int]:
    row = con.execute(
        "select terakomodir, perlu_review, tidak_terakomodir from analytics.accommodation_rate "
        "where dimensi = 'total'"
    ).fetchone()
    return dict(zip(("terakomodir", "perlu_review", "tidak_terakomodir"), row, strict=True))


def refs(con, table: str, status: str) -> list[str]:
    key = "usulan_ref" if table == "usulan_accommodation" else "renja_ref"
    sql = f"select {key} from match.{table} where status = ? order by {key}"  # noqa: S608 - constant names
    return [r[0] for r in con.execute(sql, [status]).fetchall()]


def fill_review(settings, path, u_pr, r_pr, u_ok):
    """Decide good and bad rows of the review workbook as a planner would, save it into
    raw/review/. Returns (subject -> row on the review sheet, the added row, candidates
    and the matcher's target per proposal)."""
    wb = openpyxl.load_workbook(path)
    review, others = wb[layout.SHEET_REVIEW], wb[layout.SHEET_ALL]
    h, rows = sheet_index(review)
    h2, rows2 = sheet_index(others)
    assert set(u_pr) | set(r_pr) <= set(rows)  # every perlu_review row is listed
    assert u_ok[0] in rows2 and u_ok[0] not in rows  # the others on the second sheet

    def decide(ws, hdr, row, decision, reason=None):
        ws.cell(row, hdr["Keputusan"], decision)
        if reason:
            ws.cell(row, hdr["Alasan / catatan peninjau"], reason)
        ws.cell(row, hdr["Peninjau"], "Andi (Bappeda)")

    cand = {r: identity(review, h, rows[r]).candidates for r in u_pr}
    target = {r: identity(review, h, rows[r]).target_ref for r in u_pr}
    decide(review, h, rows[u_pr[0]], "terima")
    decide(review, h, rows[u_pr[1]], "Pilih 2")
    decide(review, h, rows[u_pr[2]], "tidak terakomodir", "Anggaran tidak cukup")
    decide(review, h, rows[r_pr[0]], "tolak")
    decide(others, h2, rows2[u_ok[0]], "Not accommodated: bukan kewenangan OPD")
    # Bad rows: not understood, a candidate that does not exist, a locked column edited
    # (still applied), the hidden identity edited (not applied), a row deleted since.
    decide(review, h, rows[u_pr[3]], "mungkin nanti")
    decide(review, h, rows[u_pr[4]], "pilih 9")
    decide(review, h, rows[u_pr[5]], "accept")
    review.cell(rows[u_pr[5]], h["Baris yang ditinjau"], "diubah oleh peninjau")
    decide(review, h, rows[u_pr[6]], "terima")
    review.cell(
        rows[u_pr[6]], h["_id"], replace(identity(review, h, rows[u_pr[6]]), subject_ref=u_pr[7]).dumps()
    )
    decide(review, h, rows[u_pr[7]], "terima")
    extra = review.max_row + 1
    decide(review, h, extra, "terima")
    (settings.raw_dir / "review").mkdir(parents=True, exist_ok=True)
    wb.save(settings.raw_dir / REVIEW_FILE)
    return rows, extra, cand, target


def assert_problems_reported(con, rec, rows, extra, u_pr) -> None:
    """Every bad row of fill_review reported by file / sheet / row, the run not failed."""
    problems = {
        (p[0], p[1], p[2]): p[3]
        for p in con.execute(
            "select source_file, sheet, source_row, problem from analytics.review_problems"
        ).fetchall()
    }
    at = lambda ref: (REVIEW_FILE, layout.SHEET_REVIEW, rows[ref])  # noqa: E731
    assert problems[at(u_pr[3])] == "unknown_decision"
    assert problems[at(u_pr[4])] == "bad_candidate"
    assert problems[at(u_pr[5])] == "edited_column"
    assert problems[at(u_pr[6])] == "edited_column"
    assert problems[at(u_pr[7])] == "missing_subject"
    assert problems[(REVIEW_FILE, layout.SHEET_REVIEW, extra)] == "missing_identity"
    assert not rec.failed
    assert any(
        f"{REVIEW_FILE} / lembar {layout.SHEET_REVIEW} / baris {rows[u_pr[3]]} / kolom Keputusan" in p
        for p in rec.problems
    )
    assert any("'Baris yang ditinjau'" in p for p in rec.problems)


def test_review_round_trip(region, settings):
    con = region
    run_once(con, settings)
    before = totals(con)
    path = settings.processed_dir / "review" / "Review_Keselarasan.xlsx"
    u_pr = refs(con, "usulan_accommodation", "perlu_review")
    r_pr = refs(con, "renja_alignment", "perlu_review")
    u_ok = refs(con, "usulan_accommodation", "terakomodir")
    assert len(u_pr) >= 8 and r_pr and u_ok
    rows, extra, cand, target = fill_review(settings, path, u_pr, r_pr, u_ok)
    con.execute("delete from staged.usulan where row_ref = ?", [u_pr[7]])
    matcher = match_tables(con)

    _, rec, _ = run_once(con, settings, report=False)
    assert match_tables(con) == matcher  # the matcher's tables are the matcher's alone

    # Decisions override the matcher, with who / when / which file.
    status, renja_ref, by, reason = status_of(con, "usulan_accommodation", u_pr[0])
    assert (status, renja_ref, by) == ("terakomodir", target[u_pr[0]], "review")
    assert "Andi (Bappeda)" in reason and REVIEW_FILE in reason
    assert status_of(con, "usulan_accommodation", u_pr[1])[:3] == ("terakomodir", cand[u_pr[1]][1], "review")
    status, renja_ref, _, reason = status_of(con, "usulan_accommodation", u_pr[2])
    assert (status, renja_ref) == ("tidak_terakomodir", None) and "Anggaran tidak cukup" in reason
    assert status_of(con, "renja_alignment", r_pr[0])[:3] == ("tidak_selaras", None, "review")
    status, _, _, reason = status_of(con, "usulan_accommodation", u_ok[0])
    assert status == "tidak_terakomodir" and "bukan kewenangan OPD" in reason
    assert status_of(con, "usulan_accommodation", u_pr[5])[0] == "terakomodir"
    for untouched in (u_pr[3], u_pr[4], u_pr[6]):
        assert status_of(con, "usulan_accommodation", untouched)[:3][::2] == ("perlu_review", "matcher")

    # The figures follow: 3 more accommodated (0, 1, 5), one less (u_ok), the deleted row gone.
    after = totals(con)
    assert after == {
        "terakomodir": before["terakomodir"] + 3 - 1,
        "perlu_review": before["perlu_review"] - 4 - 1,
        "tidak_terakomodir": before["tidak_terakomodir"] + 2,
    }

    assert_problems_reported(con, rec, rows, extra, u_pr)

    # Precision against the decisions: accept x2 + accepted-then-deleted right; choosing
    # candidate 2, "tidak terakomodir" on a proposed match (x2) wrong; the rejection wrong.
    precision = review_precision(con)
    assert (precision["usulan_renja"]["right"], precision["usulan_renja"]["wrong"]) == (3, 3)
    assert precision["usulan_renja"]["precision"] == pytest.approx(0.5)
    assert (precision["renja_rkpd"]["right"], precision["renja_rkpd"]["wrong"]) == (0, 1)

    # The decisions stand on the next run.
    run_once(con, settings)
    assert status_of(con, "usulan_accommodation", u_pr[1])[:3] == ("terakomodir", cand[u_pr[1]][1], "review")
    assert totals(con) == after
    # And the regenerated review workbook shows them as the planner left them.
    wb = openpyxl.load_workbook(path, read_only=True)
    rows_all = list(wb[layout.SHEET_ALL].iter_rows(values_only=True))
    ids = [layout.Identity.loads(r[rows_all[0].index("_id")]) for r in rows_all[1:]]
    assert next(i for i in ids if i.subject_ref == u_pr[1]).decided_by == "review"

    # A row edited since: the decision is stale, reported, not applied.
    con.execute("update staged.usulan set anggaran = anggaran + 1 where row_ref = ?", [u_pr[0]])
    _, rec, _ = run_once(con, settings, report=False)
    assert status_of(con, "usulan_accommodation", u_pr[0])[::2] == ("perlu_review", "matcher")
    stale = con.execute(
        "select source_file, sheet, source_row from analytics.review_problems where problem = 'stale'"
    ).fetchall()
    assert stale == [(REVIEW_FILE, layout.SHEET_REVIEW, rows[u_pr[0]])]
    assert status_of(con, "usulan_accommodation", u_pr[1])[0] == "terakomodir"  # others still apply


def test_new_version_of_a_review_file_supersedes_the_old(region, settings):
    con = region
    run_once(con, settings)
    path = settings.data_dir / "first_review.xlsx"  # the workbook both versions were filled from
    (settings.processed_dir / "review" / "Review_Keselarasan.xlsx").rename(path)
    ref = con.execute(
        "select usulan_ref from match.usulan_accommodation where status = 'perlu_review' "
        "order by usulan_ref limit 1"
    ).fetchone()[0]
    target = Path(settings.raw_dir / REVIEW_FILE)
    target.parent.mkdir(parents=True, exist_ok=True)
    for decision, expected in (("terima", "terakomodir"), ("tolak", "tidak_terakomodir")):
        wb = openpyxl.load_workbook(path)
        ws = wb[layout.SHEET_REVIEW]
        h, rows = sheet_index(ws)
        ws.cell(rows[ref], h["Keputusan"], decision)
        wb.save(target)
        run_once(con, settings, report=False)
        assert status_of(con, "usulan_accommodation", ref)[0] == expected
    assert con.execute("select count(*) from review.decision where not superseded").fetchone()[0] == 1
    assert con.execute("select count(*) from review.file where status = 'superseded'").fetchone()[0] == 1


def test_unreadable_review_file_fails_the_stage_but_others_apply(region, settings):
    con = region
    folder = settings.raw_dir / "review"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rusak.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    (folder / "catatan.txt").write_text("bukan workbook")
    (folder / "~$lock.xlsx").write_bytes(b"owner file of an open workbook")
    run_id = runs.start_run(con, None, "test")
    result = reconcile_all(con, settings, run_id)
    assert result.failed
    kinds = {p.split("[")[-1].rstrip("]") for p in result.problems}
    assert kinds == {"unreadable_file", "not_review_workbook"}
    assert any(p.startswith("review/rusak.xlsx: ") for p in result.problems)


def test_reconcile_is_all_or_nothing(region, settings, monkeypatch):
    con = region
    run_once(con, settings)
    wb = openpyxl.load_workbook(settings.processed_dir / "review" / "Review_Keselarasan.xlsx")
    ws = wb[layout.SHEET_REVIEW]
    ws.cell(2, sheet_index(ws)[0]["Keputusan"], "tolak")
    (settings.raw_dir / "review").mkdir(parents=True, exist_ok=True)
    wb.save(settings.raw_dir / REVIEW_FILE)
    before = con.execute(
        "select count(*) from decided.usulan_accommodation where decided_by = 'review'"
    ).fetchone()

    def boom(*args, **kwargs):
        raise RuntimeError("disk penuh")

    monkeypatch.setattr("selaras.reconcile.stage.snapshot", boom)
    with pytest.raises(RuntimeError):
        reconcile_all(con, settings, runs.start_run(con, None, "test"))
    assert con.execute("select count(*) from review.decision").fetchone()[0] == 0
    assert (
        con.execute(
            "select count(*) from decided.usulan_accommodation where decided_by = 'review'"
        ).fetchone()
        == before
    )
