"""Pure parsers for the values found in Indonesian planning spreadsheets.

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
from typing import Any, NamedTuple

# ---------------------------------------------------------------------------------------
# Text

_BLANKS = frozenset({"", "-", "--", "---", "–", "—", "n/a", "na", "#n/a", "null", "none", "nan", "."})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def is_blank(value: Any) -> bool:
    """True for None, empty/whitespace text and the usual placeholders (`-`, `n/a` ...)."""
    if value is None:
        return True
    if value.__class__ is str:
        if value == "":
            return True
        text = value.strip()
        return not text or (len(text) <= 4 and text.lower() in _BLANKS)
    if isinstance(value, float):
        return math.isnan(value)
    return False


def clean_text(value: Any) -> str | None:
    """Text as a planner would retype it: whitespace (PDF-conversion runs, newlines,
    non-breaking spaces) collapsed, control characters removed, placeholders -> None.
    Text that looks like a formula (`=HYPERLINK(...)`) is kept verbatim: it is data."""
    if value.__class__ is str:
        # Fast path: already clean (no edge or double spaces, no newline or control char).
        if value.isprintable() and "  " not in value and value[:1] != " " and value[-1:] != " ":
            return None if len(value) <= 4 and value.lower() in _BLANKS else value
    elif value is None or isinstance(value, bool):
        return None
    else:
        value = cell_text(value)
        if value is None:
            return None
    text = " ".join(value.split())  # every Unicode space, newline and tab
    if not text.isprintable():
        text = " ".join(_CONTROL.sub("", text).split())
    if len(text) <= 4 and text.lower() in _BLANKS:
        return None
    return text


def cell_text(value: Any) -> str | None:
    """A raw cell as text, the way the spreadsheet shows it: whole floats without `.0`,
    dates in ISO form. Used for the `raw` JSON and the `*_raw` columns."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------------------------------
# Numbers and money

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


# ---------------------------------------------------------------------------------------
# Dates and years

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


# ---------------------------------------------------------------------------------------
# Codes (Permendagri 90/2019: urusan.bidang.program.kegiatan(2 parts).sub_kegiatan)

LEVELS = ("urusan", "bidang", "program", "kegiatan", "sub_kegiatan")
LOCAL = "lokal"
# Width of each dotted segment, and how many segments each level has.
_WIDTHS = (1, 2, 2, 1, 2, 4)
_SEGMENTS_LEVEL = {1: "urusan", 2: "bidang", 3: "program", 5: "kegiatan", 6: "sub_kegiatan"}
LEVEL_SEGMENTS = {level: n for n, level in _SEGMENTS_LEVEL.items()}
# Relative part written in its own column: bidang `1`, program `2`, kegiatan `2.01`, sub `1`.
_RELATIVE_SEGMENTS = {"urusan": 1, "bidang": 1, "program": 1, "kegiatan": 2, "sub_kegiatan": 1}

_CODE_HEAD = re.compile(
    r"^'?\s*([0-9xX]{1,6}(?:\s*\.\s*[0-9xX]{1,6})*)\.?(?:(?=\s)|$|(?=[-:)–]))\s*[-:)–]?\s*(.*)$", re.S
)


class Code(NamedTuple):
    kode: str | None  # normalised dotted form, or the cleaned local code
    level: str | None  # urusan / bidang / program / kegiatan / sub_kegiatan / lokal
    nama: str | None  # the name written after the code in the same cell, if any


def normalise_code(value: Any, *, min_segments: int = 1) -> Code:
    """`1.01.02.1.01.0001 Pembangunan USB` -> ('1.01.02.1.01.0001', 'sub_kegiatan',
    'Pembangunan USB'). Unpadded `1.1.2.2.1.1` is padded, lowercase `x.xx.01` becomes
    `X.XX.01`. Codes that do not fit the Permendagri 90 pattern (pre-2020 local codes,
    `10.127`) come back cleaned with level 'lokal'. Text without a leading code gives
    (None, None, text). `min_segments=2` refuses a bare leading number (used on name
    cells, where `1 Unit ...` is not a code)."""
    if value is None or isinstance(value, bool):
        return Code(None, None, None)
    if isinstance(value, float):
        if not math.isfinite(value):
            return Code(None, None, None)
        # A code typed as a number (1.01 -> 1.01); trailing zeros are already lost.
        value = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, int):
        value = str(value)
    elif not isinstance(value, str):
        value = cell_text(value) or ""
    return _normalise_code_text(value, min_segments)


_CANONICAL = re.compile(r"[0-9X](?:\.(?:\d{2}|XX)(?:\.\d{2}(?:\.\d\.\d{2}(?:\.\d{4})?)?)?)?")


@lru_cache(maxsize=1 << 16)
def _normalise_code_text(value: str, min_segments: int) -> Code:
    if _CANONICAL.fullmatch(value):  # already in dotted form (the usual case): no work
        segments = value.count(".") + 1
        if segments >= min_segments:
            return Code(value, _SEGMENTS_LEVEL[segments], None)
    text = clean_text(value)
    if text is None:
        return Code(None, None, None)
    match = _CODE_HEAD.match(text)
    if not match:
        return Code(None, None, text)
    raw_code, rest = match.group(1), match.group(2).strip() or None
    segments = [s for s in re.sub(r"\s+", "", raw_code).split(".")]
    if len(segments) < min_segments:
        return Code(None, None, text)
    if rest is not None and not re.match(r"[^\W\d_]|[(\"'“]", rest):
        # "12 %" or "2.5 10" is a number, not a code with a name.
        return Code(None, None, text)
    return Code(*_dotted(segments), rest)


def _dotted(segments: list[str]) -> tuple[str, str]:
    level = _SEGMENTS_LEVEL.get(len(segments))
    padded = []
    for i, seg in enumerate(segments):
        seg = seg.upper()
        width = _WIDTHS[i] if i < len(_WIDTHS) else 0
        if level is None or len(seg) > width or ("X" in seg and (i > 1 or set(seg) != {"X"})):
            return ".".join(s.upper() for s in segments), LOCAL
        padded.append(seg.rjust(width, "X" if seg.startswith("X") else "0"))
    return ".".join(padded), level


def code_parent(kode: str | None, level: str | None) -> str | None:
    """`1.01.02.1.01.0001` -> `1.01.02.1.01`; kegiatan -> program; urusan -> None."""
    if not kode or level not in LEVEL_SEGMENTS:
        return None
    index = LEVELS.index(level)
    if index == 0:
        return None
    return ".".join(kode.split(".")[: LEVEL_SEGMENTS[LEVELS[index - 1]]])


def combine_code_parts(parts: dict[str, Any]) -> tuple[Code, dict[str, str]]:
    """A code split over level columns, e.g. URUSAN | BIDANG | PROGRAM | KEGIATAN | SUB
    written `1 | 1 | 2 | 2.01 | 1` (relative, unpadded) or `1 | 1.01 | 1.01.02 | ...`
    (each absolute), or `1.01.02 PROGRAM ...` (code and name in one cell). Returns the
    deepest code with its level, and the names found per level. A part that is plain
    text (no code) is that level's name."""
    prefix: list[str] = []
    local = False
    names: dict[str, str] = {}
    for level in LEVELS:
        value = parts.get(level)
        if is_blank(value):
            continue
        code = normalise_code(value)
        if code.kode is None:
            if code.nama:
                names[level] = code.nama
            continue
        if code.nama:
            names[level] = code.nama
        segs = code.kode.split(".")
        want = LEVEL_SEGMENTS[level]
        if code.level == level and len(segs) == want:
            prefix = segs  # absolute
        elif len(segs) == _RELATIVE_SEGMENTS[level] and len(prefix) + len(segs) == want:
            prefix = prefix + segs
        else:
            local = True
            prefix = prefix + segs
    if not prefix:
        return Code(None, None, None), names
    if local:
        return Code(".".join(prefix).upper(), LOCAL, None), names
    return Code(*_dotted(prefix), None), names


# ---------------------------------------------------------------------------------------
# Locations


class Location(NamedTuple):
    kecamatan: str | None
    desa: str | None
    detail: str | None


_KEC = r"kecamatan|kec"
_DESA = r"desa\s*/\s*kelurahan|kelurahan\s*/\s*desa|desa\s*/\s*kel|kel\s*/\s*desa|kelurahan|desa|kel|ds|dsa"
_STOP = r"kecamatan|kec|desa|kelurahan|kel|ds|kab|kabupaten|kota|provinsi|prov|rt|rw|kp|dusun|jl|jalan"
_MARKER = re.compile(
    rf"(?<![\w])(?P<kind>{_KEC}|{_DESA})\b\.?\s*:?\s*(?P<name>.*?)"
    rf"(?=\s*(?:[,;]|\.(?:\s|$)|$|\s(?:{_STOP})\b\.?\s))",
    re.I,
)
_ALL = re.compile(r"^(semua|seluruh|all)\b", re.I)


def parse_location(value: Any) -> Location:
    """Kecamatan and desa/kelurahan named in a free-text location, and the rest:
    `Kecamatan: CICURUG, Desa/Kelurahan: TENJOLAYA. pajajaran;` -> (CICURUG, TENJOLAYA,
    pajajaran); `Kp. Cipetir RT 02 RW 12, Ds. X, Kec. Y` -> (Y, X, Kp. Cipetir RT 02 RW 12).
    `Semua Kecamatan` names no kecamatan. Names are returned as written."""
    return _parse_location_text(value if isinstance(value, str) else cell_text(value) or "")


@lru_cache(maxsize=1 << 16)
def _parse_location_text(value: str) -> Location:
    text = clean_text(value)
    if text is None:
        return Location(None, None, None)
    kecamatan = desa = None
    spans: list[tuple[int, int]] = []
    for m in _MARKER.finditer(text):
        name = m.group("name").strip(" .:;,")
        is_kec = re.fullmatch(_KEC, m.group("kind"), re.I) is not None
        if not name:  # "Desa/Kelurahan: ." or "Semua Kecamatan": names no place
            before = re.search(r"(?:semua|seluruh)\s*$", text[: m.start()], re.I)
            spans.append((before.start() if before else m.start(), m.end()))
            continue
        if _ALL.match(name) or re.match(rf"^({_STOP})\b", name, re.I):
            continue
        if is_kec and kecamatan is None:
            kecamatan = name
        elif not is_kec and desa is None:
            desa = name
        else:
            continue
        spans.append((m.start(), m.end()))
    rest = text
    for start, end in sorted(spans, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    detail = re.sub(r"\s*([,;.])\s*(?=[,;.]|$)", "", rest)
    detail = re.sub(r"\s+", " ", detail).strip(" ,;.:")
    return Location(kecamatan, desa, detail or None)
