"""Cell text: what a cell says, cleaned the way a planner would retype it. The one text
vocabulary below every stage (ingest, validate, match, report use it)."""

from __future__ import annotations

import math
import unicodedata
from datetime import date, datetime
from typing import Any

#: Placeholders that mean "nothing" (compared lower-case, after strip).
BLANKS = frozenset({"", "-", "--", "---", "–", "—", "n/a", "na", "#n/a", "null", "none", "nan", "."})
#: What a failed formula or a program's missing value leaves in a cell. In a text column it
#: means "nothing" (BLANKS has the short ones); in a money column it is an error with a reason.
ERROR_VALUES = frozenset(
    {"nan", "#n/a", "#n/a!", "inf", "+inf", "-inf", "infinity", "-infinity", "#value!", "#ref!"}
    | {"#div/0!", "#num!", "#name?", "#null!", "#spill!", "#calc!", "#getting_data"}
)
#: The placeholders of a money column: BLANKS without the error values.
MONEY_BLANKS = BLANKS - ERROR_VALUES
#: Unicode categories never shown: controls (C0 and C1) and format characters.
_INVISIBLE = frozenset({"Cc", "Cf"})


def strip_invisible(text: str) -> str:
    """`text` without control characters (but tab and line breaks) and Unicode format
    characters (category Cf:
    zero-width spaces and joiners, soft hyphens, the byte-order mark, bidi marks such as
    U+202E, which reverses how the rest of a line is displayed)."""
    if text.isprintable():
        return text
    return "".join(ch for ch in text if ch in "\t\n\r" or unicodedata.category(ch) not in _INVISIBLE)


def fold_unicode(text: str) -> str:
    """NFKC (fullwidth `１．０２` -> `1.02`, ligatures, non-breaking spaces) and the
    invisible characters removed. ASCII text is returned as it is, at no cost."""
    if text.isascii():
        return strip_invisible(text)
    return strip_invisible(unicodedata.normalize("NFKC", text))


def is_blank(value: Any) -> bool:
    """True for None, empty/whitespace text and the usual placeholders (`-`, `n/a` ...)."""
    if value is None:
        return True
    if value.__class__ is str:
        if value == "":
            return True
        text = value.strip()
        return not text or (len(text) <= 4 and text.lower() in BLANKS)
    if isinstance(value, float):
        return math.isnan(value)
    return False


def text_or_none(value: Any) -> str | None:
    """The value as stripped text; None when it is missing: None, empty text, or the NaN a
    pandas string column holds for an empty cell (NaN is truthy, so `if not value` misses
    it)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def clean_text(value: Any) -> str | None:
    """Text as a planner would retype it: Unicode folded (NFKC: fullwidth characters,
    ligatures), invisible characters removed (controls, zero-width and bidi marks),
    whitespace (PDF-conversion runs, newlines, non-breaking spaces) collapsed,
    placeholders -> None. Text that looks like a formula (`=HYPERLINK(...)`) is kept
    verbatim: it is data."""
    if value.__class__ is str:
        # Fast path: already clean (ASCII, no edge or double spaces, newline or control char).
        if (
            value.isascii()
            and value.isprintable()
            and "  " not in value
            and value[:1] != " "
            and value[-1:] != " "
        ):
            return None if len(value) <= 4 and value.lower() in BLANKS else value
    elif value is None or isinstance(value, bool):
        return None
    else:
        value = cell_text(value)
        if value is None:
            return None
    text = " ".join(fold_unicode(value).split())  # every Unicode space, newline and tab
    if len(text) <= 4 and text.lower() in BLANKS:
        return None
    return text


def cell_text(value: Any) -> str | None:
    """A raw cell as text, the way the spreadsheet shows it: whole floats without `.0`,
    dates in ISO form, invisible characters (zero-width, bidi marks) removed. Used for the
    `raw` JSON and the `*_raw` columns."""
    if value is None:
        return None
    if isinstance(value, str):
        return (value if value.isprintable() else strip_invisible(value)) or None
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


def column_letter(index: int) -> str:
    """A spreadsheet column's letters, as a planner sees them: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
