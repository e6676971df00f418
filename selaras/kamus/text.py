"""Cell text: what a cell says, cleaned the way a planner would retype it. The one text
vocabulary below every stage (ingest, validate, match, report use it)."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

#: Placeholders that mean "nothing" (compared lower-case, after strip).
BLANKS = frozenset({"", "-", "--", "---", "–", "—", "n/a", "na", "#n/a", "null", "none", "nan", "."})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


def clean_text(value: Any) -> str | None:
    """Text as a planner would retype it: whitespace (PDF-conversion runs, newlines,
    non-breaking spaces) collapsed, control characters removed, placeholders -> None.
    Text that looks like a formula (`=HYPERLINK(...)`) is kept verbatim: it is data."""
    if value.__class__ is str:
        # Fast path: already clean (no edge or double spaces, no newline or control char).
        if value.isprintable() and "  " not in value and value[:1] != " " and value[-1:] != " ":
            return None if len(value) <= 4 and value.lower() in BLANKS else value
    elif value is None or isinstance(value, bool):
        return None
    else:
        value = cell_text(value)
        if value is None:
            return None
    text = " ".join(value.split())  # every Unicode space, newline and tab
    if not text.isprintable():
        text = " ".join(_CONTROL.sub("", text).split())
    if len(text) <= 4 and text.lower() in BLANKS:
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


def column_letter(index: int) -> str:
    """A spreadsheet column's letters, as a planner sees them: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
