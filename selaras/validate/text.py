"""Small pure helpers the checks share: name normalisation, code forms, amounts.

Kept free of pandas/GE so they are cheap to import and easy to test."""

from __future__ import annotations

import re

from selaras.kamus.names import normalize

_LEADING_CODE = re.compile(r"^\s*([0-9Xx]+(?:\.[0-9Xx]+){2,})\s+(?=\S)")
#: Levels a planning row may carry; `lokal` is an old-style (pre Permendagri 90/2019) code.
CODE_LEVELS: tuple[str, ...] = ("urusan", "bidang", "program", "kegiatan", "sub_kegiatan", "lokal")


def blank(value: object) -> bool:
    """None, NaN/NA, or only whitespace."""
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    text = str(value)  # pandas.NA prints as <NA>
    return text.strip() == "" or text in ("<NA>", "nan", "NaT")


def strip_leading_code(name: str) -> tuple[str | None, str]:
    """'1.03.07.2.01.0018 Optimalisasi ...' -> ('1.03.07.2.01.0018', 'Optimalisasi ...').
    SIPD nomenclature exports sometimes put the previous code in front of the name."""
    m = _LEADING_CODE.match(name)
    if not m:
        return None, name
    return m.group(1).upper(), name[m.end() :]


def normalise_name(name: object) -> str:
    """Case, whitespace (PDF double spaces, newlines), punctuation and known abbreviations do
    not count: 'Pemb.  Dokumen RKA-SKPD' and 'pembangunan dokumen rka skpd' are the same.
    The project's one normaliser (selaras.kamus.names, abbreviations.yaml) does the
    work, after a code written in front of the name is dropped."""
    if blank(name):
        return ""
    _, text = strip_leading_code(str(name))
    return normalize(text.replace("&", " dan "))


def support_form(code: str) -> str | None:
    """The nomenclature writes the support programme common to every agency as X.XX.01...;
    a Renja writes it with its own bidang (1.03.01...). Return the X.XX form, or None."""
    parts = code.split(".")
    if len(parts) >= 3 and parts[2] == "01" and not parts[0].startswith("X"):
        return ".".join(["X", "XX", *parts[2:]])
    return None


def render_for(code: str, row_code: str | None) -> str:
    """Write an X.XX code in the bidang of the row it is suggested for."""
    if not code.startswith("X.XX") or not row_code:
        return code
    parts = row_code.split(".")
    if len(parts) < 2 or parts[0].startswith("X"):
        return code
    return ".".join([parts[0], parts[1], *code.split(".")[2:]])


def common_prefix_segments(a: str, b: str) -> int:
    """How many leading code segments two codes share (X/XX match any digits)."""
    n = 0
    for x, y in zip(a.split("."), b.split("."), strict=False):
        if x == y or x.startswith("X") or y.startswith("X"):
            n += 1
        else:
            break
    return n
