"""The decisions in force, run after run, as `selaras run` runs them: the sample region
is matched once; a planner's review workbook then changes only the reconcile stage's
input, so ingest, validate and match are skipped as unchanged and the matcher's tables
stand. Whatever a planner clears, changes or makes stale must show on the next run."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from selaras.pipeline import run_all
from selaras.review import layout
from selaras.sample import write_sample
from selaras.settings import Settings

REVIEW_FILE = "review/review_andi.xlsx"
BOOK = Path("review") / "Review_Keselarasan.xlsx"
USULAN = (
    "select status, renja_ref, decided_by, reason from analytics.musrenbang_accommodation where row_ref = ?"
)


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, lock_retries=2, lock_wait_seconds=0.1)


@pytest.fixture(scope="module")
def sample_region(tmp_path_factory) -> Path:
    """The sample data set after one full run (built once, copied by each test)."""
    data_dir = tmp_path_factory.mktemp("sample") / "data"
    settings = _settings(data_dir)
    settings.ensure_dirs()
    write_sample(data_dir, seed=2021)
    run_all(settings, trigger="test")
    return data_dir


@pytest.fixture
def region(sample_region, tmp_path) -> Settings:
    data_dir = tmp_path / "data"
    shutil.copytree(sample_region, data_dir)
    return _settings(data_dir)


def run(settings: Settings, match_skipped: bool = True) -> dict[str, bool]:
    results = {r.stage: r for r in run_all(settings, trigger="test")}
    assert results["match"].cached is match_skipped
    assert not results["reconcile"].cached  # a new review workbook: reconcile runs
    return {name: r.cached for name, r in results.items()}


def query(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(settings.private_db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def usulan(settings: Settings, ref: str) -> tuple:
    return query(settings, USULAN, [ref])[0]


def perlu_review(settings: Settings, source_file: str | None = None) -> list[str]:
    return [
        r[0]
        for r in query(
            settings,
            "select row_ref from analytics.musrenbang_accommodation where status = 'perlu_review' "
            "and source_file like ? order by row_ref",
            [source_file or "%"],
        )
    ]


def fill(settings: Settings, decisions: dict[str, str | None], book: Path | None = None) -> None:
    """Type decisions (None: clear the cell) into the review workbook the last report
    wrote, or into `book`, and save it into raw/review/ as a planner would."""
    source = book or settings.processed_dir / BOOK
    wb = openpyxl.load_workbook(source)
    found = set()
    for ws in (wb[layout.SHEET_REVIEW], wb[layout.SHEET_ALL]):
        headers = {c.value: c.column for c in ws[1] if c.value}
        for row in range(2, ws.max_row + 1):
            ident = layout.Identity.loads(ws.cell(row, headers["_id"]).value)
            if ident and ident.subject_ref in decisions:
                ws.cell(row, headers["Keputusan"], decisions[ident.subject_ref])
                ws.cell(row, headers["Peninjau"], "Andi" if decisions[ident.subject_ref] else None)
                found.add(ident.subject_ref)
    assert found == set(decisions)
    target = settings.raw_dir / REVIEW_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)


def test_decision_cleared_stops_applying(region):
    ref = perlu_review(region)[0]
    matcher = usulan(region, ref)
    first_book = region.data_dir / "first_book.xlsx"
    shutil.copyfile(region.processed_dir / BOOK, first_book)
    fill(region, {ref: "tidak terakomodir: dana habis"}, first_book)
    run(region)
    assert usulan(region, ref)[::2] == ("tidak_terakomodir", "review")

    fill(region, {ref: None}, first_book)  # the planner takes the decision back
    cached = run(region)
    assert cached["ingest"] and cached["validate"] and cached["match"]
    assert usulan(region, ref) == matcher
    assert query(region, "select count(*) from analytics.review_decisions")[0][0] == 0
    # The workbook written by this run shows the matcher's result again.
    assert ref in perlu_review(region)


def test_decision_changed_applies_the_new_one(region):
    refs = perlu_review(region)[:2]
    matcher = [usulan(region, r) for r in refs]
    first_book = region.data_dir / "first_book.xlsx"
    shutil.copyfile(region.processed_dir / BOOK, first_book)
    fill(region, {refs[0]: "terima", refs[1]: "tolak"}, first_book)
    run(region)
    assert usulan(region, refs[0])[:3] == ("terakomodir", matcher[0][1], "review")
    assert usulan(region, refs[1])[:3] == ("tidak_terakomodir", None, "review")

    fill(region, {refs[0]: "tolak", refs[1]: "pilih 2"}, first_book)
    run(region)
    status, renja_ref, by, reason = usulan(region, refs[0])
    assert (status, renja_ref, by) == ("tidak_terakomodir", None, "review")
    assert "ditolak" in reason and "diterima" not in reason
    second = query(
        region,
        "select renja_ref from analytics.usulan_candidates where usulan_ref = ? and rank = 2",
        [refs[1]],
    )[0][0]
    assert usulan(region, refs[1])[:3] == ("terakomodir", second, "review")
    assert query(region, "select count(*) from analytics.review_decisions where state = 'applied'")[0][0] == 2


def test_row_changed_under_a_decision_makes_it_stale(region):
    csv_file = "musrenbang/usulan_sipd_kabkota_2021.csv"
    refs = perlu_review(region, csv_file)[:2]
    fill(region, {refs[0]: "tidak terakomodir: dana habis", refs[1]: "tolak"})
    run(region)
    assert usulan(region, refs[0])[::2] == ("tidak_terakomodir", "review")

    # The proposal's text is edited in its source file: the decision was made on other values.
    (line,) = query(region, "select source_row from clean.usulan where row_ref = ?", [refs[0]])[0]
    path = region.raw_dir / csv_file
    lines = path.read_bytes().split(b"\r\n")
    ident, kind, rest = lines[line - 1].split(b",", 2)
    quote = b'"' if rest.startswith(b'"') else b""
    lines[line - 1] = b",".join([ident, kind, quote + b"Usulan ubah: " + rest[len(quote) :]])
    path.write_bytes(b"\r\n".join(lines))
    run(region, match_skipped=False)

    status, _, by, reason = usulan(region, refs[0])
    assert by == "matcher" and "Keputusan peninjau" not in reason
    states = dict(query(region, "select subject_ref, state from analytics.review_decisions"))
    assert states == {refs[0]: "stale", refs[1]: "applied"}
    assert usulan(region, refs[1])[::2] == ("tidak_terakomodir", "review")  # the other one stands
    problems = query(region, "select subject_ref, problem from analytics.review_problems")
    assert (refs[0], "stale") in problems
