"""Dates and plan years: Excel serials, ISO, day-first and Indonesian month names."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from typing import Any

from selaras.kamus.text import clean_text

_EXCEL_EPOCH = date(1899, 12, 30)
_MONTHS = {
    "januari": 1,
    "january": 1,
    "jan": 1,
    "februari": 2,
    "february": 2,
    "pebruari": 2,
    "feb": 2,
    "peb": 2,
    "maret": 3,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "juni": 6,
    "june": 6,
    "jun": 6,
    "juli": 7,
    "july": 7,
    "jul": 7,
    "agustus": 8,
    "august": 8,
    "agu": 8,
    "agt": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "october": 10,
    "okt": 10,
    "oct": 10,
    "november": 11,
    "nopember": 11,
    "nov": 11,
    "nop": 11,
    "desember": 12,
    "december": 12,
    "des": 12,
    "dec": 12,
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$", re.I)
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_WORDY = re.compile(r"^(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})$", re.I)


def excel_serial_to_date(serial: float) -> date | None:
    """Excel's day count (1900 system; serials below 61 are before its fake 29 Feb 1900)."""
    if not math.isfinite(serial) or not 1 <= serial < 2958466:
        return None
    days = int(serial)
    return _EXCEL_EPOCH + timedelta(days=days + (1 if days < 61 else 0))


def parse_date(value: Any) -> date | None:
    """Excel serials (`45292` -> 2024-01-01), ISO `2024-01-01[ 10:00]`, `dd/mm/yyyy`,
    `dd-mm-yyyy`, `dd.mm.yyyy` (day first, as in Indonesia) and `1 Januari 2024`."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        return excel_serial_to_date(float(value))
    text = clean_text(value)
    if text is None:
        return None
    try:
        if m := _ISO.match(text):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := _DMY.match(text):
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if m := _WORDY.match(text):
            month = _MONTHS.get(m.group(2).lower())
            return date(int(m.group(3)), month, int(m.group(1))) if month else None
    except ValueError:  # 31/02/2024
        return None
    if re.fullmatch(r"\d{5}(?:\.\d+)?", text):
        return excel_serial_to_date(float(text))
    return None


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def parse_year(value: Any) -> int | None:
    """A plan year: 2019, 2019.0, '2019', 'TA 2019', a date. Years outside 1900-2099: None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime | date):
        return value.year if 1900 <= value.year <= 2099 else None
    if isinstance(value, int | float):
        if not math.isfinite(value) or not float(value).is_integer():
            return None
        year = int(value)
        return year if 1900 <= year <= 2099 else None
    text = clean_text(value)
    if text is None:
        return None
    match = _YEAR.search(text)
    return int(match.group(1)) if match else None
