"""The column-wise readers (vectorised for large columns) give exactly what the per-value
parsers give, value for value, on columns large enough to take the vectorised paths."""

from __future__ import annotations

import math
import random
from datetime import date, datetime

import pytest

from selaras.ingest import records
from selaras.kamus import clean_text, is_blank, normalise_code, parse_amount

# Awkward cells: placeholders, whitespace of every kind, control characters, non-ASCII,
# numbers and booleans that compare equal (1.0 == True), NaN, dates.
ODD = [
    None,
    "",
    " ",
    "-",
    " n/a ",
    "N/A",
    "null",
    "abcd",
    "abcde",
    "  Dinas   Sosial ",
    "Dinas Sosial",
    "a\tb  c",
    "x\x1fy",
    "\x1c-",
    "é Bantuan  Sosial",
    "Jalan\u00a0Desa",
    "Rp 1.250.000,00",
    "Rp.1.250.000",
    "1250000",
    "0.250",
    "1.000.000,123",
    "Rp 1.000,5",
    "1,5 M",
    "(1.000)",
    "1" * 400,
    "Rp  1.000",
    "Rp\t1.000",
    "١٢٣",
    "12 Titik",
    1.0,
    True,
    False,
    0,
    0.0,
    -0.0,
    2.5,
    1e15 - 1,
    9.99e15,
    1e16,
    float("inf"),
    float("nan"),
    123456789.0,
    date(2024, 1, 1),
    datetime(2024, 1, 1, 10, 30),
    "1.06.02",
    "1.06.02.2.01.0001",
    "1.1.2 Program A",
    "X.XX.01",
    "10.127",
    "2.13.02.2.01.0001 Nama",
]


def _columns(seed: int) -> list[list]:
    rng = random.Random(seed)
    distinct = [
        f"Penyediaan  Layanan Sosial nomor {i}" if i % 3 else f"Rp {i * 137_000:,}".replace(",", ".")
        for i in range(6000)
    ]
    return [
        [rng.choice(ODD) for _ in range(5000)],  # repetitive
        [
            rng.choice(ODD) if rng.random() < 0.1 else rng.choice(distinct) for _ in range(5000)
        ],  # mostly distinct
        [rng.choice(distinct) for _ in range(3000)],  # all text
        [rng.choice(ODD) for _ in range(40)],  # small: the per-value path
    ]


def _same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(
        (x is None and y is None) or (type(x) is type(y) and (x == y or (x != x and y != y)))
        for x, y in zip(a, b, strict=True)
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_column_readers_match_the_value_parsers(seed):
    for column in _columns(seed):
        kept = records.blank_to_none(column)
        assert all((k is None) if is_blank(v) else (k is v) for k, v in zip(kept, column, strict=True))
        # clean_column cleans each distinct value once, so equal values of different types
        # (True == 1.0, False == 0) share one cleaning, as before it was vectorised: not compared.
        texts = [v for v in column if v.__class__ is not bool]
        assert _same(records.clean_column(texts), [None if v is None else clean_text(v) for v in texts])
        expected_amounts = [v if v.__class__ is float and v == v else parse_amount(v) for v in column]
        assert _same(records.amounts(column), expected_amounts)
        fields = [None if is_blank(v) else v for v in column]
        expected_raw = [v if v is None or v.__class__ is str else records.cell_text(v) for v in fields]
        assert _same(records._raw_column(fields), expected_raw)
        kode, level, named = records._codes(fields)
        codes = [normalise_code(v) if v is not None else None for v in fields]
        assert kode == [c.kode if c else None for c in codes]
        assert level == [c.level if c else None for c in codes]
        assert named == {i: c.nama for i, c in enumerate(codes) if c and c.nama}


def test_amounts_beyond_float_range_are_none():
    column = ["9" * 400] * 3000 + ["Rp 1.000,50"] * 10
    amounts = records.amounts(column)
    assert amounts[0] is None and math.isclose(amounts[-1], 1000.5)
