"""OPD and year from the title block or the file name, when no column carries them."""

from __future__ import annotations

import pytest

from selaras.ingest.context import Context, from_file_name, from_title


@pytest.mark.parametrize(
    ("lines", "opd", "tahun"),
    [
        (
            [
                "RENCANA KERJA PERANGKAT DAERAH (RENJA)",
                "DINAS PEMBERDAYAAN MASYARAKAT DAN DESA PROVINSI BANTEN",
                "TAHUN 2021",
            ],
            "DINAS PEMBERDAYAAN MASYARAKAT DAN DESA",
            2021,
        ),
        (["RENCANA KERJA DINAS SOSIAL KABUPATEN SUKABUMI TAHUN 2019"], "DINAS SOSIAL", 2019),
        (
            ["Perangkat Daerah : 1.06.0.00.0.00.01.0000 Dinas Sosial", "Tahun Anggaran : 2024"],
            "Dinas Sosial",
            2024,
        ),
        (
            ["SKPD: Badan Perencanaan Pembangunan Daerah", "T.A. 2022"],
            "Badan Perencanaan Pembangunan Daerah",
            2022,
        ),
        (["RENCANA KERJA PEMERINTAH DAERAH KABUPATEN SUKABUMI TAHUN 2019"], None, 2019),
        (["RENJA KECAMATAN CIBADAK 2020"], "KECAMATAN CIBADAK", 2020),
        ([], None, None),
    ],
)
def test_from_title(lines, opd, tahun):
    assert from_title(lines) == Context(opd=opd, tahun=tahun)


@pytest.mark.parametrize(
    ("name", "opd", "tahun", "versi"),
    [
        ("renja/Renja Dinas Sosial 2019 (final).xlsx", "Dinas Sosial", 2019, "2019"),
        ("renja/renja_dinsos_2019.xlsx", "DINSOS", 2019, "2019"),
        ("renja/Renja DPMD 2021.xlsx", "DPMD", 2021, "2021"),
        ("renja/pasangkayu_renja2024_sub_kegiatan.csv", None, 2024, "2024"),  # a place, not an OPD
        ("nomenklatur/nomenklatur_2027_sub_kegiatan.csv", None, 2027, "2027"),
        ("musrenbang/usulan_2022_2023.xlsx", None, None, "2023"),
        ("nomenklatur/kepmendagri.xlsx", None, None, "kepmendagri"),
    ],
)
def test_from_file_name(name, opd, tahun, versi):
    assert from_file_name(name) == Context(opd=opd, tahun=tahun, versi=versi)


def test_title_wins_over_the_file_name():
    merged = Context(opd="DINAS SOSIAL", tahun=None).merged_with(
        Context(opd="DINSOS", tahun=2019, versi="2019")
    )
    assert merged == Context(opd="DINAS SOSIAL", tahun=2019, versi="2019")
