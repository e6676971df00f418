"""Every layout of the corpus loads with its expected counts: none falsely refused, no
row lost (issue 11, "A layout corpus that proves it"). Built from ../shared/data (skipped
when absent) and, for the sample layouts, from the project's own sample."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from corpus import VARIANTS, Variant  # noqa: E402

COUNTS = """
select f.status, f.rows_read, f.rows_staged,
       count(s.source_row) filter (where s.reason_code = 'broken_quote') as quarantined,
       count(s.source_row) filter (where s.reason_code <> 'broken_quote') as skipped, any_value(f.reason)
from raw.ingest_file f left join raw.skipped_row s using (file_id)
where f.source_file = ? group by all
"""


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_layout_loads_with_its_expected_counts(variant: Variant, shared_data, settings, con):
    from selaras.ingest import ingest_all

    target = settings.raw_dir / variant.path
    target.parent.mkdir(parents=True, exist_ok=True)
    expected = variant.build(target, shared_data)
    result = ingest_all(con, settings, "layouts")
    status, read, loaded, quarantined, skipped, reason = con.execute(COUNTS, [variant.path]).fetchone()
    assert status == "loaded", reason  # never falsely refused
    assert (loaded, quarantined, skipped) == (expected.loaded, expected.quarantined, expected.skipped)
    assert read == loaded + quarantined + skipped  # no row lost
    assert not result.failed, result.problems
    if variant.name == "sipd_title_opd":  # the OPD comes from the title block only
        (opd,) = con.execute("select distinct opd from staged.renja").fetchone()
        assert opd == "DINAS PEKERJAAN UMUM DAN PENATAAN RUANG"


def test_the_whole_corpus_passes_validation_without_a_file_rejected(shared_data, settings, con):
    """With every corpus file in one data folder: no file rejected by a file-level rule
    (a missing or empty pagu is a warning), and the row accounting balances."""
    from selaras.audit import check_accounting
    from selaras.ingest import ingest_all
    from selaras.validate import validate_all

    for variant in VARIANTS:
        target = settings.raw_dir / variant.path
        target.parent.mkdir(parents=True, exist_ok=True)
        variant.build(target, shared_data)
    assert not ingest_all(con, settings, "corpus").failed
    validated = validate_all(con, settings, "corpus")
    assert not any("ditolak" in p for p in validated.problems), validated.problems
    assert check_accounting(con) == []


def test_the_sample_layouts_load_without_a_row_lost(settings, con):
    """The project's own sample (its Renja, RKPD, usulan and reference layouts): every file loads, rows balance."""
    from selaras.ingest import ingest_all
    from selaras.sample import write_sample

    write_sample(settings.data_dir, seed=2021)
    result = ingest_all(con, settings, "sample")
    assert result.figures["files_failed"] == 0, result.problems
    for status, read, staged, skipped in con.execute(
        "select status, rows_read, rows_staged, rows_skipped from raw.ingest_file"
    ).fetchall():
        assert status == "loaded" and staged > 0 and read == staged + skipped
