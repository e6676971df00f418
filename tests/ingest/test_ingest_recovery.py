"""A damaged working database is moved aside and rebuilt from raw/ (issue 11, item 11);
the published database is never touched."""

from __future__ import annotations

import pytest

from selaras.pipeline import run_all

RENJA = "Kode;Uraian;Pagu\n1.02.02.2.01.0001;Pengelolaan Pelayanan Kesehatan Ibu Hamil;1000000\n"


@pytest.mark.parametrize("damage", ["truncated", "zero_bytes"])
def test_a_damaged_working_database_is_rebuilt_from_raw(damage, settings):
    (settings.raw_dir / "renja" / "renja_dinkes.csv").write_text(RENJA, encoding="utf-8")
    run_all(settings, stages=("ingest",), publish=False)
    settings.published_db.write_bytes(b"published: must stay as it is")
    data = settings.private_db.read_bytes()
    settings.private_db.write_bytes(data[: len(data) // 3] if damage == "truncated" else b"")
    results = run_all(settings, stages=("ingest",), publish=False)
    moved = list(settings.processed_dir.glob("rusak-*.duckdb"))
    assert len(moved) == 1
    assert any("rusak" in p and "dibangun ulang" in p for r in results for p in r.problems)
    assert results[0].figures["files_loaded"] == 1  # reloaded from raw/
    assert settings.published_db.read_bytes() == b"published: must stay as it is"

    from selaras import warehouse

    con = warehouse.connect(settings)
    try:
        assert con.execute("select count(*) from staged.renja").fetchone() == (1,)
    finally:
        con.close()
