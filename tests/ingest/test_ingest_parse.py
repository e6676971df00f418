"""The pure value parsers: Indonesian numbers and money, quantities, dates, codes in
every spelling, locations, text clean-up."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from selaras.kamus import (
    Code,
    Location,
    cell_text,
    clean_text,
    code_parent,
    combine_code_parts,
    is_blank,
    normalise_code,
    parse_amount,
    parse_date,
    parse_location,
    parse_number,
    parse_year,
    split_quantity,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Rp 1.250.000.000,00", 1_250_000_000.0),
        ("1.250.000.000", 1_250_000_000.0),
        (" 4.500.000 ", 4_500_000.0),
        ("Rp.100 jt", 100_000_000.0),
        ("Rp 1,5 M", 1_500_000_000.0),
        ("2,5 miliar", 2_500_000_000.0),
        ("750 rb", 750_000.0),
        (1250000.0, 1_250_000.0),
        (1250000, 1_250_000.0),
        ("1,250,000.00", 1_250_000.0),
        ("1.250", 1250.0),  # money: a lone `.` + 3 digits groups thousands
        ("1,250", 1250.0),  # money: so does a lone `,` + 3 digits (nobody budgets Rp 1,25)
        ("Rp 1.000.000,-", 1_000_000.0),
        ("(1.000)", -1000.0),
        ("-Rp 5.000", -5000.0),
        ("Rp. 15.000.000", 15_000_000.0),
        ("10500000", 10_500_000.0),
        ("0,5", 0.5),
    ],
)
def test_parse_amount_reads_indonesian_money(raw, expected):
    assert parse_amount(raw) == pytest.approx(expected)


@pytest.mark.parametrize("raw", ["-", "", "  ", None, "n/a", "—", True])
def test_parse_amount_blank_is_none(raw):
    assert parse_amount(raw) is None


@pytest.mark.parametrize("raw", ["abc", "12 Titik", "1.25.000", "Rp 1.2.3", "1e6", "satu juta"])
def test_parse_amount_unparsable_is_none(raw):
    assert parse_amount(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0,96", 0.96),
        ("0.96", 0.96),
        ("12,5", 12.5),
        ("1.250", 1250.0),  # plain number: `.` + 3 digits is still thousands (Indonesian)
        ("1,250", 1.25),  # plain number: `,` is the Indonesian decimal mark
        ("0,125", 0.125),
        ("96%", 96.0),
        ("1.234.567,89", 1234567.89),
        (".5", 0.5),
    ],
)
def test_parse_number_decides_separators_by_context(raw, expected):
    assert parse_number(raw) == pytest.approx(expected)


def test_single_letter_magnitudes_only_for_money():
    assert parse_number("12 M") is None  # 12 metres, not 12 miliar
    assert parse_amount("12 M") == 12e9


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12 Titik", (12.0, "Titik")),
        ("35 Orang", (35.0, "Orang")),
        ("1 unit", (1.0, "unit")),
        ("150 m2", (150.0, "m2")),
        ("100 %", (100.0, "%")),
        ("0,96", (0.96, None)),
        ("1.250 meter", (1250.0, "meter")),
        (12, (12.0, None)),
        ("-", (None, None)),
        ("Satu paket", (None, None)),
        (None, (None, None)),
    ],
)
def test_split_quantity(raw, expected):
    assert split_quantity(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (45292, date(2024, 1, 1)),
        (45292.75, date(2024, 1, 1)),
        ("45292", date(2024, 1, 1)),
        ("2024-01-01", date(2024, 1, 1)),
        ("2024-06-19 04:54:14", date(2024, 6, 19)),
        ("05/01/2024", date(2024, 1, 5)),  # day first
        ("05-01-2024", date(2024, 1, 5)),
        ("1 Januari 2024", date(2024, 1, 1)),
        ("17 Agustus 2021", date(2021, 8, 17)),
        (datetime(2024, 3, 1, 10, 0), date(2024, 3, 1)),
        (date(2024, 3, 1), date(2024, 3, 1)),
        (59, date(1900, 2, 28)),
        ("31/02/2024", None),
        ("kemarin", None),
        (None, None),
    ],
)
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (2019, 2019),
        (2019.0, 2019),
        ("2019", 2019),
        ("TA 2021", 2021),
        (date(2024, 1, 1), 2024),
        (1850, None),
        ("dua ribu", None),
        (2019.5, None),
    ],
)
def test_parse_year(raw, expected):
    assert parse_year(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "1.01.02.1.01.0001 Pembangunan USB (Unit Sekolah Baru)",
            Code("1.01.02.1.01.0001", "sub_kegiatan", "Pembangunan USB (Unit Sekolah Baru)"),
        ),
        ("1.01.02.1.01.0001", Code("1.01.02.1.01.0001", "sub_kegiatan", None)),
        ("x.xx.01.2.01.0001", Code("X.XX.01.2.01.0001", "sub_kegiatan", None)),
        ("X.XX.01 PROGRAM PENUNJANG", Code("X.XX.01", "program", "PROGRAM PENUNJANG")),
        ("1.1.2.2.1.1", Code("1.01.02.2.01.0001", "sub_kegiatan", None)),  # unpadded
        ("2.13.02.2.01.0001 - Fasilitasi", Code("2.13.02.2.01.0001", "sub_kegiatan", "Fasilitasi")),
        (" 1. 01 . 02 Program x", Code("1.01.02", "program", "Program x")),
        ("1.01.02.2.01", Code("1.01.02.2.01", "kegiatan", None)),
        ("1.01", Code("1.01", "bidang", None)),
        ("1", Code("1", "urusan", None)),
        (1.01, Code("1.01", "bidang", None)),  # a code typed as a number
        ("10.127", Code("10.127", "lokal", None)),  # pre-2020 local code
        ("1.01.01.01.001", Code("1.01.01.01.001", "lokal", None)),
        ("127", Code("127", "lokal", None)),
        ("Pembangunan Jalan", Code(None, None, "Pembangunan Jalan")),
        ("12 %", Code(None, None, "12 %")),
        (None, Code(None, None, None)),
    ],
)
def test_normalise_code_every_spelling(raw, expected):
    assert normalise_code(raw) == expected


def test_name_cells_need_a_dotted_code():
    assert normalise_code("1 Unit Posyandu", min_segments=2) == Code(None, None, "1 Unit Posyandu")
    assert normalise_code("1.03.10 PROGRAM JALAN", min_segments=2).kode == "1.03.10"


@pytest.mark.parametrize(
    ("parts", "kode", "level"),
    [
        (
            {"urusan": "1", "bidang": "1", "program": "2", "kegiatan": "2.01", "sub_kegiatan": "1"},
            "1.01.02.2.01.0001",
            "sub_kegiatan",
        ),
        (
            {"urusan": 1.0, "bidang": 1.0, "program": 2.0, "kegiatan": 2.01, "sub_kegiatan": 1.0},
            "1.01.02.2.01.0001",
            "sub_kegiatan",
        ),
        (
            {
                "urusan": "1",
                "bidang": "1.01",
                "program": "1.01.02",
                "kegiatan": "1.01.02.1.01",
                "sub_kegiatan": "1.01.02.1.01.0001",
            },
            "1.01.02.1.01.0001",
            "sub_kegiatan",
        ),
        ({"urusan": "1", "bidang": "1", "program": "2"}, "1.01.02", "program"),
        ({"urusan": "x", "bidang": "xx", "program": "1"}, "X.XX.01", "program"),
        ({"program": "10", "kegiatan": "127"}, "10.127", "lokal"),
    ],
)
def test_combine_code_parts(parts, kode, level):
    code, _ = combine_code_parts(parts)
    assert (code.kode, code.level) == (kode, level)


def test_combine_code_parts_keeps_names_written_in_the_parts():
    code, names = combine_code_parts(
        {
            "program": "1.01.02 PROGRAM PENGELOLAAN PENDIDIKAN",
            "sub_kegiatan": "1.01.02.1.01.0001 Pembangunan USB",
        }
    )
    assert code.kode == "1.01.02.1.01.0001"
    assert names == {"program": "PROGRAM PENGELOLAAN PENDIDIKAN", "sub_kegiatan": "Pembangunan USB"}
    code, names = combine_code_parts({"program": "Program Pelayanan", "kegiatan": "Penyediaan ATK"})
    assert code.kode is None and names["kegiatan"] == "Penyediaan ATK"


def test_code_parent():
    assert code_parent("1.01.02.1.01.0001", "sub_kegiatan") == "1.01.02.1.01"
    assert code_parent("1.01.02.1.01", "kegiatan") == "1.01.02"
    assert code_parent("1.01.02", "program") == "1.01"
    assert code_parent("1.01", "bidang") == "1"
    assert code_parent("1", "urusan") is None
    assert code_parent("10.127", "lokal") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "Kecamatan: CICURUG, Desa/Kelurahan: TENJOLAYA. pajajaran;",
            Location("CICURUG", "TENJOLAYA", "pajajaran"),
        ),
        ("Kp. Cipetir RT 02 RW 12, Ds. X, Kec. Y", Location("Y", "X", "Kp. Cipetir RT 02 RW 12")),
        ("Kab. Pasangkayu, Semua Kecamatan, Semua Kelurahan/Desa", Location(None, None, "Kab. Pasangkayu")),
        ("Kelurahan Kauman, Kota Malang", Location(None, "Kauman", "Kota Malang")),
        ("RT 04, 06 RW 05, Kota Malang", Location(None, None, "RT 04, 06 RW 05, Kota Malang")),
        ("Desa Sukamaju Kecamatan Cibadak", Location("Cibadak", "Sukamaju", None)),
        ("Kecamatan: CISAAT, Desa/Kelurahan: . Kp Babakan;", Location("CISAAT", None, "Kp Babakan")),
        ("Jl. Raya No. 5 Kel. Sukajadi Kec. Cibadak", Location("Cibadak", "Sukajadi", "Jl. Raya No. 5")),
        (None, Location(None, None, None)),
    ],
)
def test_parse_location(raw, expected):
    assert parse_location(raw) == expected


def test_clean_text_collapses_whitespace_and_keeps_formula_text():
    assert (
        clean_text("Penyusunan  Dokumen\n Perencanaan\xa0 Daerah ") == "Penyusunan Dokumen Perencanaan Daerah"
    )
    assert clean_text('=HYPERLINK("http://x","klik")') == '=HYPERLINK("http://x","klik")'
    assert clean_text("a\x00b\x07c") == "abc"
    assert clean_text(" - ") is None
    assert clean_text(12.0) == "12"
    assert clean_text("Robert'); DROP TABLE staged.renja;--") == "Robert'); DROP TABLE staged.renja;--"


def test_cell_text_shows_cells_like_the_spreadsheet():
    assert cell_text(1250000.0) == "1250000"
    assert cell_text(0.96) == "0.96"
    assert cell_text(datetime(2024, 1, 5)) == "2024-01-05"
    assert cell_text(True) == "TRUE"
    assert cell_text("") is None
    assert cell_text(float("nan")) is None


def test_is_blank():
    assert all(is_blank(v) for v in (None, "", "  ", "-", "N/A", "null", float("nan")))
    assert not any(is_blank(v) for v in ("0", 0, 0.0, "x0", "Desa"))


def _indonesian(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@given(st.integers(min_value=0, max_value=10**13))
def test_amount_round_trips_indonesian_grouping(n):
    text = _indonesian(n)
    assert parse_amount(text) == n
    assert parse_amount(f"Rp {text},00") == n
    assert parse_amount(f"{n:,}.00") == n  # English grouping


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(["Titik", "Orang", "m2", "unit", "Paket"]))
def test_quantity_round_trips(n, unit):
    assert split_quantity(f"{_indonesian(n)} {unit}") == (float(n), unit)


@given(
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=99),
    st.booleans(),
    st.sampled_from(["", "Rp ", "Rp.", "Rp. ", "RP ", " "]),
)
def test_fast_path_agrees_with_the_rules(n, cents, money, prefix):
    """`1.250.000` / `Rp 1.250.000,50` are read by a shortcut; it must give what the
    general rules give (checked on the same text with a space the shortcut refuses)."""
    text = f"{prefix}{_indonesian(n)},{cents:02d}"
    general = parse_number(text + " ", money=money)
    assert parse_number(text, money=money) == general == pytest.approx(n + cents / 100)


def test_absurd_numbers_are_not_amounts():
    assert parse_amount("9" * 400) is None and parse_amount("Rp " + "9" * 400 + ",00") is None
    assert parse_number("1" + "0" * 400 + " juta") is None
    assert parse_year(date(2100, 1, 1)) is None and parse_year(datetime(1899, 12, 31)) is None
