"""Planning codes (Permendagri 90/2019: urusan.bidang.program.kegiatan(2 parts).sub_kegiatan)
and their levels; older local codes are kept as written, with level `lokal`."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any, NamedTuple

from selaras.kamus.text import cell_text, clean_text, fold_unicode, is_blank

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
    match = _CODE_HEAD.match(text) or _CODE_HEAD.match(repair_lookalikes(text))
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


# A code with letters that look like digits: `1.O2.01`, `l.02.2.01`, `1.02.0I` (3+ parts).
_LOOKALIKE_HEAD = re.compile(r"^'?\s*([0-9OoIlxX]{1,6}(?:\s*\.\s*[0-9OoIlxX]{1,6}){2,})(?=\s|$|[-:)–])")
_LOOKALIKE = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1"})


def repair_lookalikes(text: str) -> str:
    """`1.O2.01 Program X` -> `1.02.01 Program X`: the letter O read as zero and l / I as
    one, inside a leading code-shaped token only (three or more dotted parts, more real
    digits than look-alikes, and a Permendagri 90 shape once repaired). Anything else is
    returned unchanged; validation warns about every repaired code (`kode_repaired`)."""
    match = _LOOKALIKE_HEAD.match(text)
    if not match:
        return text
    head = match.group(1)
    lookalikes = sum(head.count(c) for c in "OoIl")
    digits = sum(c.isdigit() for c in head)
    if not lookalikes or digits <= lookalikes:
        return text
    fixed = head.translate(_LOOKALIKE)
    if _dotted(re.sub(r"\s+", "", fixed).split("."))[1] == LOCAL:
        return text
    return text[: match.start(1)] + fixed + text[match.end(1) :]


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
    if not _present(kode) or level not in LEVEL_SEGMENTS:
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
# Code strings as the matcher compares them

_CODE_START = re.compile(r"^\s*([0-9xX]+(?:\s*[.|/-]\s*[0-9xX]+)*)")


def code_key(raw: object) -> str | None:
    """The code a cell starts with, as the matcher compares codes: dotted and zero-padded
    (`1 | 1 | 2 | 2.01 | 1` -> `1.01.02.2.01`); a local code cleaned but as written."""
    if raw is None or (isinstance(raw, float) and raw != raw):
        return None
    return _code_key(str(raw))


@lru_cache(maxsize=200_000)
def _code_key(raw: str) -> str | None:
    """ "1.1.2.2.1.1", "1 | 1 | 2 | 2.01 | 1", "x.xx.01.2.01.0001 Penyusunan ..." all work."""
    m = _CODE_START.match(repair_lookalikes(fold_unicode(raw)))
    if not m:
        return None
    segs = [s for s in re.split(r"[^0-9xX]+", m.group(1)) if s]
    if not segs:
        return None
    as_written = ".".join(segs).upper()
    if len(segs) > len(_WIDTHS):
        return as_written
    out = []
    for s, w in zip(segs, _WIDTHS, strict=False):
        if set(s.lower()) == {"x"}:
            out.append("X" * w)
        elif s.isdigit() and len(str(int(s))) <= w:
            out.append(str(int(s)).zfill(w))
        else:
            return as_written
    return ".".join(out)


_STANDARD = re.compile(r"^[0-9X](\.(?:[0-9]{2}|XX)(\.[0-9]{2}(\.[0-9]\.[0-9]{2}(\.[0-9]{4})?)?)?)?$")


def _present(code: object) -> bool:
    """A code to work with: a non-empty string (a missing cell read through pandas is NaN,
    which is truthy, so `if not code` does not catch it)."""
    return isinstance(code, str) and bool(code)


def is_standard_code(code: str | None) -> bool:
    """True for a Permendagri 90 code at any level; False for older local codes."""
    return isinstance(code, str) and bool(_STANDARD.match(code))


def code_level(code: str | None) -> str | None:
    if not _present(code):
        return None
    if not is_standard_code(code):
        return "lokal"
    return _SEGMENTS_LEVEL[code.count(".") + 1]


def code_prefixes(code: str | None) -> list[str]:
    """Ancestors from the longest: kegiatan, program, bidang, urusan (for a local code:
    its dotted prefixes)."""
    if not _present(code):
        return []
    segs = code.split(".")
    cuts = (5, 3, 2, 1) if is_standard_code(code) else range(len(segs) - 1, 0, -1)
    return [".".join(segs[:n]) for n in cuts if n < len(segs)]


def generic_code(code: str | None) -> str | None:
    """The nomenclature writes the support programme common to every agency as
    X.XX.01...; "2.13.01.2.01.0001" -> "X.XX.01.2.01.0001"."""
    if not _present(code):
        return None
    segs = code.split(".")
    if len(segs) >= 3 and segs[2] == "01" and segs[0] != "X":
        return ".".join(["X", "XX", *segs[2:]])
    return None
