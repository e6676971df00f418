"""Text normalisation: abbreviations, synonyms, work type, no stemming / stopwords."""

from __future__ import annotations

import pytest

from selaras.kamus import code_key, code_level, code_prefixes, generic_code, parse_number
from selaras.kamus.names import (
    learn_acronyms,
    normalize,
    parse_quantity,
    tokens,
    work_relation,
    work_types,
)


def test_tidak_is_kept_and_nothing_is_stemmed():
    assert normalize("Rehab Rumah Tidak Layak Huni") == "rehabilitasi rumah tidak layak huni"
    assert "tidak" in tokens("RTLH")  # expanded, and "tidak" survives
    # a stock stemmer would make these "ada" and "camat"
    assert tokens("Pengadaan Kecamatan") == ("pengadaan", "kecamatan")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Pemb. TPT Kp. Cipetir", "pembangunan tembok penahan tanah kampung cipetir"),
        ("PEMELIHARAAN  PJU\n", "pemeliharaan penerangan jalan umum"),
        ("Pembangunan Talud", "pembangunan tembok penahan tanah"),
        ("Pelatihan TTG BUMDes", "pelatihan teknologi tepat guna badan usaha milik desa"),
        (
            "Pembangunan MCK Ds. Sukamaju Kec. Cibadak",
            "pembangunan mandi cuci kakus desa sukamaju kecamatan cibadak",
        ),
        ("Jl. Raya, Kel. Kauman", "jalan raya kelurahan kauman"),
        ("Pembangunan JUT", "pembangunan jalan usaha tani"),
        ("Normalisasi selokan", "normalisasi drainase"),
        (
            "Rehab Gedung Posyandu dan PAUD",
            "rehabilitasi gedung pos pelayanan terpadu dan pendidikan anak usia dini",
        ),
    ],
)
def test_abbreviations_and_synonyms_expand(raw, expected):
    assert normalize(raw) == expected


def test_acronym_spelled_out_twice_is_collapsed():
    learned = learn_acronyms(["Pembangunan USB (Unit Sekolah Baru)", "Ruang Kelas Baru (RKB)"])
    assert learned["usb"] == ("unit", "sekolah", "baru")
    assert learned["rkb"] == ("ruang", "kelas", "baru")
    assert normalize("Pembangunan Penerangan Jalan Umum (PJU)") == "pembangunan penerangan jalan umum"


def test_work_type_is_its_own_field():
    assert work_types("Pembangunan/ Rehab Kantor Desa") == ("pembangunan", "rehabilitasi")
    assert work_types("Pemeliharaan Berkala Jalan") == ("pemeliharaan",)
    assert work_types("Jumlah MCK yang Dibangun") == ("pembangunan",)
    assert work_types("Bimtek kader posyandu") == ("pelatihan",)
    assert work_types("Jalan lingkungan Kp. Cipetir") == ()
    assert work_relation(["pembangunan"], ["pembangunan", "rehabilitasi"]) == "same"
    assert work_relation(["rehabilitasi"], ["pemeliharaan"]) == "related"
    assert work_relation(["pelatihan"], ["pembangunan"]) == "different"
    assert work_relation([], ["pembangunan"]) == "missing"


@pytest.mark.parametrize(
    ("raw", "code", "level"),
    [
        ("1.1.2.2.1.1", "1.01.02.2.01.0001", "sub_kegiatan"),
        ("1 | 1 | 2 | 2.01 | 1", "1.01.02.2.01.0001", "sub_kegiatan"),
        ("x.xx.01.2.01.0001 Penyusunan Dokumen", "X.XX.01.2.01.0001", "sub_kegiatan"),
        ("2.13.05.1.01", "2.13.05.1.01", "kegiatan"),
        ("72.4", "72.4", "lokal"),
        (None, None, None),
    ],
)
def test_codes_are_normalised(raw, code, level):
    assert code_key(raw) == code
    assert code_level(code) == level


def test_code_hierarchy_and_support_programme():
    assert code_prefixes("2.13.05.1.01.0001") == ["2.13.05.1.01", "2.13.05", "2.13", "2"]
    assert generic_code("2.13.01.2.01.0001") == "X.XX.01.2.01.0001"
    assert generic_code("2.13.05.2.01.0001") is None


def test_numbers_and_quantities_in_indonesian_format():
    assert parse_number("Rp 1.250.000.000,00") == 1_250_000_000
    assert parse_number(" 4.500.000 ") == 4_500_000
    assert parse_number("1,5") == 1.5
    assert parse_quantity("1,5 Km") == (1500.0, "m")
    assert parse_quantity("12 Titik") == (12.0, "titik")
    assert parse_quantity(35, "Org") == (35.0, "orang")
    assert parse_quantity(3, "bh") == (3.0, "unit")
