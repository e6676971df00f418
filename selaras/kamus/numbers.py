"""Numbers and money as Indonesian planning spreadsheets write them.

Every function takes a raw cell (str, int, float, bool, date, datetime or None) and never
raises: a value it cannot read gives None (the caller keeps the original text in the
`*_raw` column, and validation decides what to do with it).

Number conventions (Indonesian first, English accepted):
- `.` groups thousands and `,` marks decimals: `1.250.000,50` -> 1250000.5, `0,96` -> 0.96.
- When both separators occur, the last one is the decimal mark: `1,250,000.00` -> 1250000.0.
- A single separator followed by exactly three digits is ambiguous (`1.250`, `1,250`):
  - `.` is read as thousands (Indonesian): `1.250` -> 1250 (money and plain numbers);
  - `,` is read as thousands for money (nobody budgets Rp 1,25) and as the Indonesian
    decimal mark for plain numbers: `1,250` -> 1250 (money) / 1.25 (number).
  A leading zero (`0.125`, `0,125`) is always a decimal.
- Any other single separator is a decimal mark: `0.96`, `12.5`, `2,75`.
- Money may carry `Rp`/`IDR`, a trailing `,-`, and a magnitude word: `Rp.100 jt`
  -> 100,000,000; `1,5 M` / `1,5 miliar` -> 1,500,000,000; `rb`/`ribu`, `jt`/`juta`,
  `M`/`miliar`/`milyar`, `T`/`triliun`. Accounting negatives `(1.000)` -> -1000.
- Placeholders for "nothing" (`-`, `--`, `n/a`, `null` ...) are blank, not unparsable.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from selaras.kamus.text import clean_text

_CURRENCY = re.compile(r"^(?:rp\.?|idr)\s*|\s*(?:rp\.?|idr)$", re.I)
_MAGNITUDE_WORDS = {
    "rb": 1e3,
    "ribu": 1e3,
    "k": 1e3,
    "jt": 1e6,
    "juta": 1e6,
    "m": 1e9,
    "miliar": 1e9,
    "milyar": 1e9,
    "milliar": 1e9,
    "mily": 1e9,
    "b": 1e9,
    "t": 1e12,
    "triliun": 1e12,
    "trilyun": 1e12,
}
# Words that name a magnitude whatever the column; single letters only in money columns.
_UNAMBIGUOUS_MAGNITUDES = {"ribu", "juta", "miliar", "milyar", "milliar", "triliun", "trilyun"}
_NUMBER_BODY = re.compile(r"^[0-9][0-9.,]*$|^[.,][0-9]+$")
_THOUSANDS_SPACE = re.compile(r"(?<=\d)[ \u202f'](?=\d{3}\b)")
_TRAILING = re.compile(r"(?:,-|\.-|,--|\.--|,00-)$")


def parse_number(value: Any, *, money: bool = False) -> float | None:
    """A number written the Indonesian (or English) way; see the module docstring for the
    separator rules. `money=True` reads an ambiguous `1,250` as thousands and accepts
    currency marks and single-letter magnitudes (`M` = miliar)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, date | datetime | timedelta):
        return None
    return _parse_number_text(value if isinstance(value, str) else str(value), money)


# The usual spellings, read without the general machinery: `1.250.000`, `Rp 1.250.000,00`,
# `1250000`, `0,96`. Anything else takes the general path below.
_PLAIN_GROUPED = re.compile(r"(?:Rp\.?\s?)?(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?")


@lru_cache(maxsize=1 << 16)
def _parse_number_text(value: str, money: bool) -> float | None:
    if (m := _PLAIN_GROUPED.fullmatch(value)) and not m.group(1).startswith("0."):  # 0.250 is a decimal
        whole, fraction = m.group(1).replace(".", ""), m.group(2)
        number = float(f"{whole}.{fraction}") if fraction else float(whole)
        return number if math.isfinite(number) else None
    text = clean_text(value)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text).lower().strip()
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    text = _CURRENCY.sub("", text).strip()
    if text.startswith("-") or text.startswith("−"):
        negative, text = not negative, text[1:].strip()
    elif text.startswith("+"):
        text = text[1:].strip()
    text = _CURRENCY.sub("", text).strip()  # "-Rp 5" and "Rp -5"
    if text.startswith("-"):
        negative, text = not negative, text[1:].strip()
    text = _TRAILING.sub("", text)
    factor = 1.0
    percent = text.endswith("%")
    if percent:
        text = text[:-1].strip()
    match = re.match(r"^(.*?)\s*([a-z]+)\.?$", text)
    if match and match.group(1):
        word = match.group(2)
        if word in _MAGNITUDE_WORDS and (money or word in _UNAMBIGUOUS_MAGNITUDES):
            factor, text = _MAGNITUDE_WORDS[word], match.group(1).strip()
        else:
            return None
    text = _THOUSANDS_SPACE.sub("", text)
    if not _NUMBER_BODY.match(text):
        return None
    number = _read_separators(text, money=money or factor > 1)
    if number is None:
        return None
    number *= factor
    if not math.isfinite(number):
        return None
    return -number if negative else number


def _read_separators(text: str, *, money: bool) -> float | None:
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal = "." if text.rfind(".") > text.rfind(",") else ","
        group = "," if decimal == "." else "."
        integer, _, fraction = text.rpartition(decimal)
        if decimal in integer or not _grouped(integer, group):
            return None
        return _to_float(integer.replace(group, ""), fraction)
    if not dots and not commas:
        return _to_float(text, "")
    sep = "." if dots else ","
    count = dots or commas
    if count > 1:  # only thousands groups can repeat
        return _to_float(text.replace(sep, ""), "") if _grouped(text, sep) else None
    integer, _, fraction = text.partition(sep)
    thousands = len(fraction) == 3 and integer not in ("", "0") and (sep == "." or money)
    if thousands:
        return _to_float(integer + fraction, "")
    return _to_float(integer or "0", fraction)


def _grouped(text: str, sep: str) -> bool:
    """`1.250.000` style: a head of 1-3 digits, then groups of exactly three."""
    parts = text.split(sep)
    return 1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:]) and all(p.isdigit() for p in parts)


def _to_float(integer: str, fraction: str) -> float | None:
    if not integer.isdigit() or (fraction and not fraction.isdigit()):
        return None
    number = float(f"{integer}.{fraction}" if fraction else integer)
    return number if math.isfinite(number) else None  # 400 nines is not an amount


def parse_amount(value: Any) -> float | None:
    """Money (pagu, anggaran, nilai usulan) in rupiah."""
    return parse_number(value, money=True)


_QUANTITY = re.compile(r"^\(?([-+]?\d[\d.,]*)\)?\s*(.*)$", re.S)


def split_quantity(value: Any) -> tuple[float | None, str | None]:
    """`12 Titik` -> (12.0, 'Titik'); `35 Orang`, `150 m2`, `100 %`, `0,96` -> (0.96, None).
    A unit with no number, or text that is not a quantity, gives (None, None)."""
    if value is None or isinstance(value, bool):
        return None, None
    if isinstance(value, int | float):
        number = parse_number(value)
        return number, None
    return _split_quantity_text(value) if isinstance(value, str) else (None, None)


@lru_cache(maxsize=1 << 16)
def _split_quantity_text(value: str) -> tuple[float | None, str | None]:
    text = clean_text(value)
    if text is None:
        return None, None
    match = _QUANTITY.match(text)
    if not match:
        return None, None
    number = parse_number(match.group(1))
    if number is None:
        return None, None
    unit = match.group(2).strip(" .:;,-") or None
    if unit is not None and len(unit) > 40:  # a sentence, not a unit
        return None, None
    return number, unit
