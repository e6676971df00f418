"""The plan year is checked (issue 11, "wrong year"): `--tahun 2022` on 2021 files stops
with exit 2 naming the files and the years found, unless `--paksa-tahun` is given."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from selaras.cli import app
from selaras.ingest.errors import YearMismatch

RENJA = "Kode;Uraian;Pagu\n1.02.02.2.01.0001;Pengelolaan Pelayanan Kesehatan Ibu Hamil;1000000\n"


def test_a_run_for_another_year_stops_naming_files_and_years(raw, ingest, settings):
    raw("renja", "renja_dinkes_2021.csv").write_text(RENJA, encoding="utf-8")
    raw("renja", "renja_dinsos.csv").write_text(RENJA, encoding="utf-8")  # no year anywhere: passes
    settings.tahun = 2022
    with pytest.raises(YearMismatch) as err:
        ingest()
    assert "renja/renja_dinkes_2021.csv (tahun 2021)" in str(err.value)
    assert "renja_dinsos" not in str(err.value) and "--paksa-tahun" in str(err.value)


def test_the_right_year_or_the_override_runs(raw, ingest, settings):
    raw("renja", "renja_dinkes_2021.csv").write_text(RENJA, encoding="utf-8")
    settings.tahun = 2021
    assert not ingest().failed
    settings.tahun, settings.paksa_tahun = 2022, True
    assert not ingest().failed


def test_proposals_may_carry_the_year_before(raw, ingest, settings):
    raw("musrenbang", "usulan_2021.csv").write_text("Usulan;Lokasi\nRehab jalan;Desa A\n", encoding="utf-8")
    settings.tahun = 2022
    assert not ingest().failed
    settings.tahun = 2023
    with pytest.raises(YearMismatch):
        ingest()


def test_the_cli_exits_with_2(tmp_path, monkeypatch):
    monkeypatch.setenv("SELARAS_PAKSA_TAHUN", "0")  # restored afterwards: the CLI sets it for its flows
    folder = tmp_path / "data" / "raw" / "renja"
    folder.mkdir(parents=True)
    (folder / "renja_dinkes_2021.csv").write_text(RENJA, encoding="utf-8")
    out = CliRunner().invoke(app, ["ingest", "--data-dir", str(tmp_path / "data"), "--tahun", "2022"])
    assert out.exit_code == 2, out.output
    assert "renja_dinkes_2021.csv" in out.output
    ok = CliRunner().invoke(
        app, ["ingest", "--data-dir", str(tmp_path / "data"), "--tahun", "2022", "--paksa-tahun"]
    )
    assert ok.exit_code == 0, ok.output


def test_the_year_of_the_money_header_counts(raw, ingest, settings):
    """A file with no year in its name or title still names one in its money header."""
    raw("renja", "renja_dinkes.csv").write_text(
        RENJA.replace("Pagu", "Pagu Indikatif Tahun 2021"), encoding="utf-8"
    )
    settings.tahun = 2022
    with pytest.raises(YearMismatch) as err:
        ingest()
    assert "renja/renja_dinkes.csv (tahun 2021)" in str(err.value)
    settings.tahun = 2021
    assert not ingest().failed
