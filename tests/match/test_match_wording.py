"""Procurement wording (wording.yaml) is stripped before names are compared, the funding
source is kept as its own field, and content words survive."""

from __future__ import annotations

import pytest

from selaras.match.wording import strip_procurement


@pytest.mark.parametrize(
    ("text", "name", "dana"),
    [
        ("Belanja Modal Pembangunan Jembatan Paket 3 (DAK) TA 2024", "pembangunan jembatan", "DAK"),
        ("BM Rehabilitasi Gedung Sekolah Tahap II Kabupaten Lebak", "rehabilitasi gedung sekolah", None),
        ("Pembangunan Talud Lanjutan (BK)", "pembangunan talud", "BK"),
        ("Peningkatan Jalan Desa DAK Fisik 2025", "peningkatan jalan desa", "DAK"),
        ("Pengadaan Alat Kesehatan Dana Alokasi Umum", "pengadaan alat kesehatan", "DAU"),
    ],
)
def test_procurement_wording_is_stripped(text, name, dana):
    assert strip_procurement(text) == (name, dana)


def test_content_words_survive():
    # "tidak" is never stripped, "paket" inside a name is content, "BK" is only funding in
    # parentheses or at the end ("guru BK" is a counsellor)
    assert (
        strip_procurement("Rehabilitasi Rumah Tidak Layak Huni")[0] == "rehabilitasi rumah tidak layak huni"
    )
    assert strip_procurement("Paket Pengadaan Paket Sembako")[0] == "pengadaan paket sembako"
    assert strip_procurement("Pelatihan Guru BK SMP") == ("pelatihan guru bk smp", None)
    assert strip_procurement("Belanja Modal") == ("belanja modal", None)  # nothing left: unchanged
    assert strip_procurement(None) == ("", None)
