"""Property-based tests of the value parsers in selaras.kamus: they never raise on
any input, Indonesian (and English) money and numbers round-trip, codes in every spelling
normalise to one dotted form, idempotently, and locations come back from the text."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from selaras import kamus as parse

# Deterministic (the same examples in CI and here), no example database written to disk.
settings.register_profile(
    "reliability",
    max_examples=300,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("reliability")

# Text a spreadsheet cell can hold, biased towards what number and code parsers look at.
NUMBERISH = st.text(alphabet="0123456789.,-+() RpIDRMjtrbKk%/\u00a0'\u2212", max_size=30)
CODEISH = st.text(alphabet="0123456789.xX -:)('\u2013abcPROGRAMkegiatn", max_size=40)
ANY_TEXT = st.one_of(st.text(max_size=80), NUMBERISH, CODEISH)
CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    ANY_TEXT,
    st.dates(),
    st.datetimes(),
    st.timedeltas(),
)


# --------------------------------------------------------------------------- never raise


@given(CELLS)
@example("\x00\x00")
@example("((((((((((((((((((((1))))))))))))))))))))")
@example("Rp " + "9" * 400)
@example("1e309")
@example("-" * 50)
def test_number_parsers_never_raise_and_give_finite_numbers(value):
    for result in (
        parse.parse_number(value),
        parse.parse_number(value, money=True),
        parse.parse_amount(value),
    ):
        assert result is None or (isinstance(result, float) and math.isfinite(result))
    number, unit = parse.split_quantity(value)
    assert number is None or math.isfinite(number)
    assert unit is None or isinstance(unit, str)


@given(CELLS)
@example("31/02/2024")
@example("99999999999")
@example("0 Januari 0000")
def test_date_and_year_parsers_never_raise(value):
    result = parse.parse_date(value)
    assert result is None or isinstance(result, date)
    year = parse.parse_year(value)
    assert year is None or 1900 <= year <= 2099


@given(CELLS)
@example("1.01.02.2.01.0001.0001.0001")
@example("'")
@example("x.xx.xx.x.xx.xxxx")
def test_code_parser_never_raises(value):
    code = parse.normalise_code(value)
    assert code.level in (None, *parse.LEVELS, parse.LOCAL)
    assert (code.kode is None) == (code.level is None)
    parse.normalise_code(value, min_segments=2)


@given(st.dictionaries(st.sampled_from(parse.LEVELS), CELLS, max_size=5))
def test_code_parts_never_raise(parts):
    code, names = parse.combine_code_parts(parts)
    assert (code.kode is None) == (code.level is None)
    assert all(isinstance(n, str) for n in names.values())


@given(CELLS)
@example("Kecamatan: , Desa/Kelurahan: .")
@example("Kec. Kec. Kec.")
@example("desa desa desa, kel kel")
def test_location_parser_never_raises(value):
    loc = parse.parse_location(value)
    for part in loc:
        assert part is None or (isinstance(part, str) and part == part.strip() and part)


@given(CELLS)
def test_text_cleaning_is_idempotent_and_drops_control_characters(value):
    text = parse.clean_text(value)
    if text is not None:
        assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in text), repr(text)
        assert parse.clean_text(text) == text


# --------------------------------------------------------------------------- money and numbers


def id_group(n: int) -> str:
    """1250000 -> '1.250.000' (Indonesian thousands)."""
    return f"{n:,}".replace(",", ".")


MONEY_PREFIX = st.sampled_from(["", "Rp ", "Rp", "Rp. ", "Rp.", "IDR ", "rp "])


@given(
    st.integers(min_value=0, max_value=10**14),
    st.none() | st.integers(min_value=0, max_value=99),
    MONEY_PREFIX,
    st.sampled_from(["", ",-", " "]),
)
def test_indonesian_money_round_trips(n, cents, prefix, suffix):
    """format-as-Indonesian-money -> parse gives the number back."""
    if cents is not None and suffix == ",-":
        suffix = ""
    text = prefix + id_group(n) + (f",{cents:02d}" if cents is not None else "") + suffix
    expected = n + (cents or 0) / 100
    assert parse.parse_amount(text) == pytest.approx(expected, rel=1e-12, abs=1e-9), text


@given(st.integers(min_value=0, max_value=10**14), st.none() | st.integers(min_value=0, max_value=99))
def test_english_money_round_trips(n, cents):
    text = f"{n:,}" + (f".{cents:02d}" if cents is not None else "")
    assert parse.parse_amount(text) == pytest.approx(n + (cents or 0) / 100, rel=1e-12, abs=1e-9), text


@given(st.integers(min_value=1, max_value=10**12), MONEY_PREFIX)
def test_negative_money_round_trips(n, prefix):
    assert parse.parse_amount(f"({prefix}{id_group(n)})") == -n
    assert parse.parse_amount(f"-{prefix}{id_group(n)}") == -n


@given(
    st.integers(min_value=1, max_value=999),
    st.integers(min_value=0, max_value=9),
    st.sampled_from(
        [
            ("rb", 1e3),
            ("ribu", 1e3),
            ("jt", 1e6),
            ("juta", 1e6),
            ("M", 1e9),
            ("miliar", 1e9),
            ("milyar", 1e9),
            ("T", 1e12),
            ("triliun", 1e12),
        ]
    ),
    st.sampled_from(["", "Rp ", "Rp. "]),
)
def test_money_with_magnitude_words_round_trips(k, d, word_factor, prefix):
    word, factor = word_factor
    assert parse.parse_amount(f"{prefix}{k},{d} {word}") == pytest.approx((k + d / 10) * factor, rel=1e-12)
    assert parse.parse_amount(f"{prefix}{k} {word}") == pytest.approx(k * factor, rel=1e-12)


@given(st.integers(min_value=0, max_value=10**9), st.text(alphabet="0123456789", min_size=1, max_size=4))
def test_indonesian_decimal_numbers_round_trip(integer, fraction):
    """`1.234,5` and `0,96`: ',' is the decimal mark of a plain number (targets, volumes)."""
    text = f"{id_group(integer)},{fraction}"
    assert parse.parse_number(text) == pytest.approx(float(f"{integer}.{fraction}"), rel=1e-12), text


@given(
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=0, max_value=99),
    st.sampled_from(["Titik", "Orang", "Unit", "m2", "Paket", "KK", "Dokumen", "%"]),
)
def test_quantities_split_into_number_and_unit(n, cents, unit):
    number, got_unit = parse.split_quantity(f"{id_group(n)},{cents:02d} {unit}")
    assert number == pytest.approx(n + cents / 100) and got_unit == unit


@given(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False) | st.integers(-(10**15), 10**15))
def test_numbers_already_numeric_pass_through(value):
    assert parse.parse_amount(value) == float(value)


# --------------------------------------------------------------------------- codes


@st.composite
def codes(draw) -> tuple[str, list[int]]:
    """A canonical Permendagri 90 code of some level, with its numeric segments."""
    nseg = draw(st.sampled_from([1, 2, 3, 5, 6]))
    widths = (1, 2, 2, 1, 2, 4)[:nseg]
    values = [draw(st.integers(min_value=1, max_value=10**w - 1)) for w in widths]
    canonical = ".".join(str(v).rjust(w, "0") for v, w in zip(values, widths, strict=True))
    return canonical, values


LEVEL_OF = {1: "urusan", 2: "bidang", 3: "program", 5: "kegiatan", 6: "sub_kegiatan"}


@given(
    codes(),
    st.sampled_from(
        ["plain", "unpadded", "spaces", "apostrophe", "trailing_dot", "named", "named_dash", "named_colon"]
    ),
)
def test_codes_in_every_spelling_normalise_to_the_dotted_form(code, spelling):
    canonical, values = code
    text = {
        "plain": canonical,
        "unpadded": ".".join(str(v) for v in values),
        "spaces": " . ".join(canonical.split(".")),
        "apostrophe": "'" + canonical,
        "trailing_dot": canonical + ".",
        "named": canonical + " Penyediaan Gaji dan Tunjangan ASN",
        "named_dash": canonical + " - Penyediaan Gaji dan Tunjangan ASN",
        "named_colon": canonical + ": Penyediaan Gaji dan Tunjangan ASN",
    }[spelling]
    got = parse.normalise_code(text)
    assert (got.kode, got.level) == (canonical, LEVEL_OF[len(values)]), text
    if spelling.startswith("named"):
        assert got.nama == "Penyediaan Gaji dan Tunjangan ASN"


@given(st.one_of(CODEISH, st.builds(lambda c: c[0], codes()), st.text(max_size=40)))
@example("1.1.2.2.1.1")
@example("x.xx.01")
@example("10.127")
def test_code_normalisation_is_idempotent(text):
    first = parse.normalise_code(text)
    if first.kode is None:
        return
    again = parse.normalise_code(first.kode)
    assert (again.kode, again.level, again.nama) == (first.kode, first.level, None), (text, first, again)


@given(codes().filter(lambda c: len(c[1]) == 6), st.booleans())
def test_code_split_over_level_columns_combines_back(code, absolute):
    canonical, values = code
    segs = canonical.split(".")
    if absolute:  # 1 | 1.01 | 1.01.02 | 1.01.02.2.01 | 1.01.02.2.01.0001
        parts = {
            "urusan": segs[0],
            "bidang": ".".join(segs[:2]),
            "program": ".".join(segs[:3]),
            "kegiatan": ".".join(segs[:5]),
            "sub_kegiatan": canonical,
        }
    else:  # 1 | 1 | 2 | 2.01 | 1  (relative, unpadded)
        parts = {
            "urusan": str(values[0]),
            "bidang": str(values[1]),
            "program": str(values[2]),
            "kegiatan": f"{values[3]}.{values[4]}",
            "sub_kegiatan": str(values[5]),
        }
    got, _ = parse.combine_code_parts(parts)
    assert (got.kode, got.level) == (canonical, "sub_kegiatan"), parts


# --------------------------------------------------------------------------- locations

PLACE = st.from_regex(r"[A-Z][a-z]{2,9}( [A-Z][a-z]{2,9})?", fullmatch=True).filter(
    lambda s: (
        not any(
            w.lower()
            in {
                "kec",
                "kecamatan",
                "desa",
                "kel",
                "kelurahan",
                "ds",
                "dsa",
                "kab",
                "kota",
                "kabupaten",
                "provinsi",
                "prov",
                "rt",
                "rw",
                "kp",
                "dusun",
                "jl",
                "jalan",
                "semua",
                "seluruh",
                "all",
            }
            for w in s.split()
        )
    )
)


@given(PLACE, PLACE, st.sampled_from(["sipd", "short", "reversed"]))
def test_locations_give_back_kecamatan_and_desa(kecamatan, desa, layout):
    text = {
        "sipd": f"Kecamatan: {kecamatan}, Desa/Kelurahan: {desa}. Kp. Cibeber RT 02",
        "short": f"Kp. Cibeber RT 02 RW 12, Ds. {desa}, Kec. {kecamatan}",
        "reversed": f"Desa {desa} Kecamatan {kecamatan}",
    }[layout]
    loc = parse.parse_location(text)
    assert (loc.kecamatan, loc.desa) == (kecamatan, desa), text


# --------------------------------------------------------------------------- dates and years


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(2099, 12, 31)))
def test_dates_in_every_spelling_round_trip(day):
    serial = (day - date(1899, 12, 30)).days
    # A serial written as text counts only with five digits (1927-10-18 on): four digits are a year.
    as_text = (str(serial),) if serial >= 10000 else ()
    for value in (
        day,
        datetime(day.year, day.month, day.day, 10, 30),
        serial,
        float(serial),
        *as_text,
        day.isoformat(),
        day.strftime("%d/%m/%Y"),
        day.strftime("%d-%m-%Y"),
        day.strftime("%d.%m.%Y"),
    ):
        assert parse.parse_date(value) == day, value
    months = [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ]
    assert parse.parse_date(f"{day.day} {months[day.month - 1]} {day.year}") == day


@given(st.integers(min_value=1900, max_value=2099))
def test_years_round_trip(year):
    for value in (year, float(year), str(year), f"TA {year}", f"Tahun Anggaran {year}", date(year, 1, 1)):
        assert parse.parse_year(value) == year


def test_timedelta_is_not_a_date():
    assert parse.parse_date(timedelta(days=3)) is None


# --------------------------------------------------------------------------- Unicode

INVISIBLE = st.sampled_from(
    ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u202d", "\u2066", "\u200f"]
)
FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


@given(st.text(max_size=60))
def test_cleaned_text_has_no_invisible_characters_and_is_nfkc(value):
    import unicodedata

    text = parse.clean_text(value)
    if text is None:
        return
    assert not any(unicodedata.category(ch) in ("Cf", "Cc") for ch in text), repr(text)
    assert parse.clean_text(text) == text


@given(st.builds(lambda c: c[0], codes()), st.lists(st.tuples(st.integers(0, 30), INVISIBLE), max_size=4))
def test_invisible_characters_inside_a_code_do_not_change_it(code, inserts):
    text = code
    for at, ch in inserts:
        at = min(at, len(text))
        text = text[:at] + ch + text[at:]
    assert parse.normalise_code(text).kode == code, repr(text)
    assert parse.code_key(text) == parse.code_key(code), repr(text)


@given(st.builds(lambda c: c[0], codes()), st.sampled_from(["dots", "all"]))
def test_fullwidth_codes_fold_to_ascii(code, how):
    text = code.replace(".", "\uff0e") if how == "dots" else code.translate(FULLWIDTH)
    assert parse.normalise_code(text).kode == code, repr(text)


@given(codes().filter(lambda c: len(c[1]) >= 3), st.data())
def test_letter_o_and_l_in_a_code_are_repaired(code, data):
    canonical, _ = code
    digits = [i for i, ch in enumerate(canonical) if ch in "01"]
    if not digits:
        return
    # fewer look-alikes than real digits: at most a third of the zeros and ones
    picked = data.draw(
        st.lists(st.sampled_from(digits), min_size=1, max_size=max(1, len(digits) // 3), unique=True)
    )
    chars = list(canonical)
    for i in picked:
        chars[i] = data.draw(st.sampled_from("Oo")) if chars[i] == "0" else data.draw(st.sampled_from("lI"))
    text = "".join(chars)
    if sum(ch.isdigit() for ch in text) <= len(picked):
        return
    assert parse.normalise_code(text + " Penyediaan Gaji").kode == canonical, text
    assert parse.code_key(text) == canonical, text


@given(st.text(alphabet="OoIl. abcdefghijkmnpqrstuvwxyz", max_size=30))
def test_words_are_never_repaired_into_codes(text):
    """Only a code-shaped token with more real digits than look-alikes is repaired."""
    assert parse.repair_lookalikes(text) == text
