"""From cells to canonical fields, column by column.

A chunk of rows is read field by field (the first non-empty of the columns mapped to a
field), each row gets a view (its code, level and name: what classification needs), and
the data rows' typed columns for staged.<kind> are built a column at a time. Values that
cannot be parsed stay as text in the `*_raw` column with NULL in the typed column;
nothing here drops or fails a row. Column-wise work keeps a 100,000-row file fast."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from selaras.ingest.context import Context
from selaras.ingest.header import HeaderMatch
from selaras.kamus import (
    BLANKS,
    LEVEL_SEGMENTS,
    LEVELS,
    LOCAL,
    Code,
    cell_text,
    clean_text,
    code_parent,
    combine_code_parts,
    is_blank,
    normalise_code,
    parse_amount,
    parse_date,
    parse_location,
    parse_year,
    split_quantity,
)

# The table each kind loads into; musrenbang and pokir share staged.usulan.
TABLES = {
    "renja": "staged.renja",
    "rkpd": "staged.rkpd",
    "musrenbang": "staged.usulan",
    "pokir": "staged.usulan",
    "nomenklatur": "staged.nomenklatur",
    "wilayah": "staged.wilayah",
    "opd": "staged.opd",
}
# Kinds whose sheets are hierarchies (program rows above kegiatan rows ...).
HIERARCHICAL = {"renja", "rkpd"}
_PART_FIELDS = {level: f"kode_{level}" for level in LEVELS}
_NAME_FIELDS = {level: f"nama_{level}" for level in LEVELS}
# The fields that hold a row's name (where a heading's bold or indent is seen).
NAME_FIELDS = ("nama", *_NAME_FIELDS.values())
# Fields whose presence makes a row a row of the table (not a note or a continuation).
KEY_FIELDS = {
    "renja": ("kode", "nama", *_PART_FIELDS.values(), *_NAME_FIELDS.values()),
    "rkpd": ("kode", "nama", *_PART_FIELDS.values(), *_NAME_FIELDS.values()),
    "musrenbang": ("usulan", "uraian", "nama_kegiatan", "usulan_id"),
    "pokir": ("usulan", "uraian", "nama_kegiatan", "usulan_id"),
    "nomenklatur": ("kode", "nama", *_PART_FIELDS.values(), *_NAME_FIELDS.values()),
    "wilayah": ("kode", "nama"),
    "opd": ("kode", "nama"),
}
AMOUNT_FIELD = {"renja": "pagu", "rkpd": "pagu", "musrenbang": "anggaran", "pokir": "anggaran"}
_NAME_LEVEL = [
    (re.compile(r"^sub\s*-?\s*kegiatan\b", re.I), "sub_kegiatan"),
    (re.compile(r"^program\b", re.I), "program"),
    (re.compile(r"^kegiatan\b", re.I), "kegiatan"),
    (re.compile(r"^bidang\s+urusan\b", re.I), "bidang"),
    (re.compile(r"^urusan\b", re.I), "urusan"),
]
_TAHAPAN = [
    (re.compile(r"desa|kelurahan", re.I), "desa"),
    (re.compile(r"kecamatan", re.I), "kecamatan"),
    (re.compile(r"kabupaten|kota|kab\b", re.I), "kabupaten"),
    (re.compile(r"provinsi", re.I), "provinsi"),
    (re.compile(r"pokok\s+pikiran|pokir|dewan|dprd", re.I), "pokir"),
]
_WILAYAH_LEVEL = {1: "provinsi", 2: "kabupaten_kota", 3: "kecamatan", 4: "desa"}
_YEAR_IN_LABEL = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_MAY_HOLD_CODE = re.compile(r"^'?\s*[0-9xX]")
_NO_CODE = Code(None, None, None)
_EMPTY: dict[str, str] = {}  # shared, never written to


def _blank_cell(v: Any, blanks: frozenset[str] = BLANKS) -> bool:
    return (
        v == ""
        or v is None
        or v != v  # v != v: NaN
        or (v.__class__ is str and (not (t := v.strip()) or (len(t) <= 4 and t.lower() in blanks)))
    )


def blank_to_none(column: tuple | list, blanks: frozenset[str] = BLANKS) -> list[Any]:
    """A column's cells with empty text, whitespace and placeholders (`-`, `n/a`) as None.
    A money column passes MONEY_BLANKS: there `NaN` or `#N/A` is an error to report."""
    if len(column) >= _VECTOR_MIN and _repetitive(column):
        # A column that repeats a few values (unit, source of funds, OPD): each distinct
        # value tested once. The cell itself is kept (1.0 and True are equal keys).
        blank = {v: _blank_cell(v, blanks) for v in dict.fromkeys(column)}
        return [None if blank[v] else v for v in column]
    return [
        None
        if v == ""
        or v is None
        or v != v  # v != v: NaN
        or (v.__class__ is str and (not (t := v.strip()) or (len(t) <= 4 and t.lower() in blanks)))
        else v
        for v in column
    ]


def take(column: list[Any] | tuple, idx: list[int]) -> list[Any]:
    """[column[i] for i in idx]."""
    return [column[i] for i in idx]


# Printable ASCII only: the one whitespace character is the space, so clean_text is
# "runs of spaces collapsed, ends trimmed"; 5+ characters left rules out the placeholders.
_PRINTABLE_ASCII = r"^[ -~]*$"
# Below this many values (or when a column repeats a few values) the memo is cheaper.
_VECTOR_MIN = 2048


def _repetitive(values: list[Any] | tuple) -> bool:
    """Does the column repeat its values (units, places, OPD), judging by its head?"""
    return len(set(values[:_VECTOR_MIN])) * 2 < min(len(values), _VECTOR_MIN)


def _vector_clean(values: list[Any]) -> list[str | None] | None:
    """clean_text over a column of mostly distinct text (names), in vectorised passes;
    values that are not plain printable ASCII text go through clean_text one by one. None
    when the column is too short or too repetitive for it to be worth it."""
    if len(values) < _VECTOR_MIN or _repetitive(values):
        return None
    try:  # numbers, dates ... (a numbering row's cells) go through clean_text below
        arr = pa.array([v if v.__class__ is str else None for v in values], pa.string())
    except (TypeError, ValueError):  # unencodable text (lone surrogates)
        return None
    collapsed = pc.utf8_trim(pc.replace_substring_regex(arr, " {2,}", " "), " ")
    ascii_long = pc.and_(
        pc.match_substring_regex(arr, _PRINTABLE_ASCII), pc.greater_equal(pc.utf8_length(collapsed), 5)
    )
    ascii_long = ascii_long.fill_null(False).to_numpy(zero_copy_only=False)
    same = pc.equal(collapsed, arr).fill_null(False).to_numpy(zero_copy_only=False)
    out = list(values)
    changed = np.flatnonzero(ascii_long & ~same)
    if len(changed):
        for i, text in zip(changed.tolist(), collapsed.take(changed).to_pylist(), strict=True):
            out[i] = text
    memo: dict[Any, str | None] = {}
    for i in np.flatnonzero(~ascii_long).tolist():
        v = values[i]
        if v is not None:
            out[i] = memo[v] if v in memo else memo.setdefault(v, clean_text(v))
    return out


def clean_column(values: list[Any]) -> list[str | None]:
    """clean_text over a column, each distinct value cleaned once (columns repeat a lot:
    satuan, lokasi, sumber dana, OPD); names, mostly distinct, in vectorised passes."""
    vector = _vector_clean(values)
    if vector is not None:
        return vector
    # Each distinct value (the first of equal ones) cleaned once, then looked up.
    memo = dict.fromkeys(values)
    for v in memo:
        if v is not None:
            memo[v] = clean_text(v)
    return list(map(memo.__getitem__, values))


def first_of(*columns: list[Any]) -> list[Any]:
    """Element-wise first non-None."""
    if len(columns) == 1:
        return list(columns[0])
    out = list(columns[0])
    for column in columns[1:]:
        out = [a if a is not None else b for a, b in zip(out, column, strict=True)]
    return out


class FieldMap:
    """The header's column map for one sheet: which columns feed which field."""

    def __init__(self, header: HeaderMatch, kind: str) -> None:
        self.kind = kind
        self.header = header
        self.fields = {f: list(cols) for f, cols in header.fields.items() if not f.startswith("_")}
        if kind == "wilayah" and len(self.fields.get("nama", [])) > 1:
            # Several name columns (Permendagri 72/2019, Kepmendagri 2022, 2025): the
            # newest is the name, the others are its older names.
            self.fields["nama"] = sorted(self.fields["nama"], key=lambda c: -_label_year(header.labels[c]))
        self.key_columns = sorted(c for f in KEY_FIELDS[kind] for c in self.fields.get(f, []))
        self.has_parts = any(f in self.fields for f in _PART_FIELDS.values())
        self.has_names = any(f in self.fields for f in _NAME_FIELDS.values())

    def read(self, columns: list[list[Any]]) -> dict[str, list[Any]]:
        """field -> per row, the first non-empty value of its columns (None when empty).
        `columns` are the chunk's columns with blanks already None."""
        n = len(columns[0]) if columns else 0
        out = {}
        for name, cols in self.fields.items():
            present = [columns[c] for c in cols if c < len(columns)]
            out[name] = first_of(*present) if present else [None] * n
        return out

    def values(self, cells: list[Any], name: str) -> list[Any]:
        return [cells[c] for c in self.fields.get(name, ()) if c < len(cells) and not is_blank(cells[c])]


def _label_year(label: str) -> int:
    years = [int(y) for y in _YEAR_IN_LABEL.findall(label)]
    return max(years) if years else 0


@dataclass(slots=True)
class RowView:
    """What the classifier needs to know about a row, computed once."""

    code: Code  # the row's own code (normalised) and level
    kode_raw: str | None
    nama: str | None
    level: str | None  # code level, else the level its name implies (`Program ...`)
    level_names: dict[str, str]
    level_codes: dict[str, str]
    has_key: bool
    has_amount: bool


@dataclass
class Views:
    """The views of a chunk's rows as parallel columns (index i is row i): cheaper than an
    object per row on large files."""

    kode: list[str | None]  # normalised code (or cleaned local code)
    kode_level: list[str | None]
    kode_raw: list[str | None]
    nama: list[str | None]
    level: list[str | None]  # kode_level, else the level the name implies
    has_key: list[bool]
    has_amount: list[bool]
    level_names: list[dict[str, str]]
    level_codes: list[dict[str, str]]

    def take(self, idx: list[int]) -> Views:
        return self.select(lambda column: take(column, idx))

    def select(self, pick: Callable[[list[Any]], list[Any]]) -> Views:
        """The same columns, each passed through `pick` (which rows to keep)."""
        return Views(
            *(
                pick(column)
                for column in (
                    self.kode,
                    self.kode_level,
                    self.kode_raw,
                    self.nama,
                    self.level,
                    self.has_key,
                    self.has_amount,
                    self.level_names,
                    self.level_codes,
                )
            )
        )

    def row(self, i: int) -> RowView:
        return RowView(
            Code(self.kode[i], self.kode_level[i], None),
            self.kode_raw[i],
            self.nama[i],
            self.level[i],
            self.level_names[i],
            self.level_codes[i],
            self.has_key[i],
            self.has_amount[i],
        )

    def __len__(self) -> int:
        return len(self.kode)


def views(fmap: FieldMap, fields: dict[str, list[Any]], n: int) -> Views:
    """The views of a chunk's rows. Plain sheets (one code column, one name column) take a
    column-wise path; split code columns and level names go row by row."""
    kind = fmap.kind
    amount = fields.get(AMOUNT_FIELD.get(kind, ""))
    has_amount = [a is not None for a in amount] if amount is not None else [False] * n
    if kind in ("musrenbang", "pokir"):
        keys = [fields[f] for f in ("usulan", "uraian", "usulan_id") if f in fields]
        extra_key = [t.count(None) < len(keys) for t in zip(*keys, strict=True)] if keys else [False] * n
    else:
        extra_key = [False] * n
    if fmap.has_parts or fmap.has_names:
        rows = []
        for i in range(n):
            vals = {f: column[i] for f, column in fields.items() if column[i] is not None}
            rows.append(_view_row(kind, fmap, vals, has_amount[i], extra_key[i]))
        if not rows:
            return _empty_views()
        return Views(
            [r.code.kode for r in rows],
            [r.code.level for r in rows],
            [r.kode_raw for r in rows],
            [r.nama for r in rows],
            [r.level for r in rows],
            [r.has_key for r in rows],
            [r.has_amount for r in rows],
            [r.level_names for r in rows],
            [r.level_codes for r in rows],
        )
    nama = clean_column(fields["nama"]) if "nama" in fields else [None] * n
    kode_col = fields.get("kode", [None] * n)
    if kind in ("wilayah", "opd"):
        kode_raw = clean_column(kode_col)
        kode, kode_level = list(kode_raw), [None] * n
    else:
        kode_raw = [v if v is None or v.__class__ is str else cell_text(v) for v in kode_col]
        kode, kode_level, named = _codes(kode_col)
        for i in named:  # the code cell also holds a name, or holds only a name
            if kode[i] is None:
                nama[i] = nama[i] or named[i]
            elif not nama[i]:
                nama[i] = named[i]
        for i, k in enumerate(kode):
            if k is None and kode_col[i] is None and nama[i] and _MAY_HOLD_CODE.match(nama[i]):
                embedded = normalise_code(nama[i], min_segments=2)  # `1.01.02 Program ...` in the name
                if embedded.kode:
                    kode[i], kode_level[i], kode_raw[i], nama[i] = (
                        embedded.kode,
                        embedded.level,
                        nama[i],
                        embedded.nama,
                    )
    level = [lv if k else _name_level(m) for k, lv, m in zip(kode, kode_level, nama, strict=True)]
    has_key = [k is not None or m is not None or e for k, m, e in zip(kode, nama, extra_key, strict=True)]
    empty = [_EMPTY] * n
    return Views(kode, kode_level, kode_raw, nama, level, has_key, has_amount, empty, empty)


_CANONICAL_CODE = r"^[0-9X](\.(\d{2}|XX)(\.\d{2}(\.\d\.\d{2}(\.\d{4})?)?)?)?$"
_SEGMENT_LEVEL = {1: "urusan", 2: "bidang", 3: "program", 5: "kegiatan", 6: "sub_kegiatan"}
# The level of a canonical code by its number of dots (a canonical code has 0-5).
_DOTS_LEVEL = np.array([_SEGMENT_LEVEL.get(d + 1) for d in range(7)], dtype=object)


def _codes(column: list[Any]) -> tuple[list[str | None], list[str | None], dict[int, str]]:
    """normalise_code over a column: (codes, levels, {row: name written in the code cell}).
    Codes already in dotted form (most of them) are recognised in one vectorised regex
    pass instead of one Python call each."""
    texts = pa.array([v if v.__class__ is str else None for v in column], pa.string())
    canonical = (
        pc.match_substring_regex(texts, _CANONICAL_CODE).fill_null(False).to_numpy(zero_copy_only=False)
    )
    dots = pc.count_substring(texts, ".").fill_null(0).to_numpy(zero_copy_only=False)
    kode_arr = np.empty(len(column), dtype=object)
    kode_arr[:] = column
    kode_arr[~canonical] = None
    level_arr = _DOTS_LEVEL[np.minimum(dots, len(_DOTS_LEVEL) - 1)]
    level_arr[~canonical] = None
    kode, level = kode_arr.tolist(), level_arr.tolist()
    named: dict[int, str] = {}
    for i in np.flatnonzero(~canonical).tolist():
        v = column[i]
        if v is not None:
            code = normalise_code(v)
            kode[i], level[i] = code.kode, code.level
            if code.nama:
                named[i] = code.nama
    return kode, level, named


def _empty_views() -> Views:
    return Views([], [], [], [], [], [], [], [], [])


def _view_row(kind: str, fmap: FieldMap, vals: dict[str, Any], has_amount: bool, extra_key: bool) -> RowView:
    parts = {level: vals[f] for level, f in _PART_FIELDS.items() if f in vals}
    kode_cell = vals.get("kode")
    names = {level: t for level, f in _NAME_FIELDS.items() if f in vals and (t := clean_text(vals[f]))}
    nama = clean_text(vals.get("nama"))
    code, kode_raw = _NO_CODE, None
    codes: dict[str, str] = {}
    part_code = _NO_CODE
    if parts and kind not in ("wilayah", "opd"):
        part_code, part_names = combine_code_parts(parts)
        for level, name in part_names.items():
            names.setdefault(level, name)
        if part_code.kode and part_code.level != LOCAL:
            # The code of each level the file wrote in its own column (not derived from
            # one full code: a lone KODE SUB KEGIATAN column says nothing about groups).
            segs = part_code.kode.split(".")
            for level in LEVELS[: LEVELS.index(part_code.level) + 1]:
                if level in parts:
                    codes[level] = ".".join(segs[: LEVEL_SEGMENTS[level]])
    if kind in ("wilayah", "opd"):
        kode_raw = clean_text(kode_cell)
        code = Code(kode_raw, None, None) if kode_raw else _NO_CODE
    elif kode_cell is not None:
        kode_raw = cell_text(kode_cell)
        code = normalise_code(kode_cell)
        if code.kode is None:
            nama = nama or code.nama
            code = _NO_CODE
        elif code.nama and not nama:
            nama = code.nama
    elif part_code.kode:
        code = part_code
        kode_raw = " | ".join(t for v in parts.values() if (t := _raw(v)))
    elif nama:
        embedded = normalise_code(nama, min_segments=2)
        if embedded.kode:
            code, kode_raw, nama = embedded, nama, embedded.nama
    if not nama and names:
        # The deepest level name is the row's own name (`NAMA SUB KEGIATAN`).
        deepest = max(names, key=LEVELS.index)
        if code.level in (None, LOCAL) or LEVELS.index(deepest) >= LEVELS.index(code.level):
            nama = names.pop(deepest)
    level = code.level if code.kode else _name_level(nama)
    has_key = code.kode is not None or nama is not None or bool(names) or extra_key
    return RowView(code, kode_raw, nama, level, names, codes, has_key, has_amount)


# Level words as typed in a hurry ("Progran", "Kegiatn"): one edit away from the word.
_LEVEL_WORDS = {"program": "program", "kegiatan": "kegiatan"}


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by one substitution, insertion, deletion or adjacent swap."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [k for k in range(len(a)) if a[k] != b[k]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:k] + long_[k + 1 :] == short for k in range(len(long_)))


def _name_level(nama: str | None) -> str | None:
    """The level a name's first word gives a row without code ("Program ...",
    "Progran ..."); only a hint: rows.py decides a group row by its structure."""
    if not nama or nama[0] not in "PpKkSsBbUu":
        return None
    for pattern, level in _NAME_LEVEL:
        if pattern.match(nama):
            return level
    first = nama.split(None, 1)[0].lower().rstrip(".:")
    return next((lv for word, lv in _LEVEL_WORDS.items() if len(first) >= 6 and _one_edit(first, word)), None)


@dataclass
class Hierarchy:
    """Program / kegiatan / prioritas carried down from group rows."""

    program: tuple[str | None, str | None] | None = None
    kegiatan: tuple[str | None, str | None] | None = None
    prioritas: str | None = None
    sasaran: str | None = None
    memo: tuple | None = None  # the last answer of parents(), for the next sibling row

    def enter(self, view: RowView, level: str | None = None) -> str | None:
        """A group row: what it names is carried down to the rows below. `level`: the
        level the classifier gave a group row whose code and words give none. Returns the
        level the row was entered at."""
        level, kode = level or view.level, view.code.kode
        if level == LOCAL:
            level = "program" if self.program is None else "kegiatan"
        if level in ("urusan", "bidang"):
            self.program = self.kegiatan = None
        elif level == "program":
            self.program, self.kegiatan = (kode, view.nama), None
        elif level == "kegiatan":
            self.kegiatan = (kode, view.nama)
        return level


def _within(kode: str | None, parent: tuple[str | None, str | None] | None) -> tuple[str | None, str | None]:
    """The carried-down parent, unless the row's own code says it belongs elsewhere."""
    if parent is None:
        return None, None
    pkode = parent[0]
    if kode and pkode and not kode.startswith(pkode + "."):
        return None, None
    return parent


_NO_PARENTS = (None, None, None, None, None, None)
_NO_QUANTITY = (None, None)
_LEVEL_DEPTH = {level: i for i, level in enumerate(LEVELS)}


def parents(v: Views, i: int, hier: Hierarchy) -> tuple:
    """(program_kode, program_nama, kegiatan_kode, kegiatan_nama, prioritas, sasaran) of
    data row i: from its own split code columns, else carried down from group rows."""
    kode, level = v.kode[i], v.kode_level[i]
    level_codes, level_names = v.level_codes[i], v.level_names[i]
    if not level_codes and not level_names:
        program, kegiatan = hier.program, hier.kegiatan
        if program is None and kegiatan is None and not hier.prioritas and not hier.sasaran:
            return _NO_PARENTS
        if level == "sub_kegiatan":
            # The usual case: a sub kegiatan under the program and kegiatan rows above it;
            # its siblings share the answer.
            key = (kode[: kode.rfind(".")], program, kegiatan, hier.prioritas, hier.sasaran)
            if hier.memo is not None and hier.memo[0] == key:
                return hier.memo[1]
            p = (
                program
                if program is not None and (not program[0] or kode.startswith(program[0] + "."))
                else None
            )
            k = (
                kegiatan
                if kegiatan is not None and (not kegiatan[0] or kode.startswith(kegiatan[0] + "."))
                else None
            )
            result = (*(p or (None, None)), *(k or (None, None)), hier.prioritas, hier.sasaran)
            hier.memo = (key, result)
            return result
    depth = _LEVEL_DEPTH.get(level, len(LEVELS))
    program = (level_codes.get("program"), level_names.get("program"))
    kegiatan = (level_codes.get("kegiatan"), level_names.get("kegiatan"))
    if program == (None, None):
        program = _within(kode, hier.program)
    if kegiatan == (None, None):
        kegiatan = _within(kode, hier.kegiatan)
    if depth <= 2:  # a program (or higher) row has no program above it
        program = kegiatan = (None, None)
    elif depth <= 3:
        kegiatan = (None, None)
    return (*program, *kegiatan, hier.prioritas, hier.sasaran)


# ---------------------------------------------------------------------------------------
# Typed columns of a batch of data rows


@dataclass
class DataRows:
    """The data rows of one chunk: their field values, views and carried-down parents,
    column by column (index i is the i-th data row)."""

    fields: dict[str, list[Any]]
    views: Views
    parents: list[tuple]
    cells: list[list[Any]]
    columns: list[list[Any]] | None = None  # the cells column by column, cut or padded to the header

    @property
    def n(self) -> int:
        return len(self.views)

    def get(self, name: str) -> list[Any]:
        return self.fields.get(name) or [None] * self.n

    def text(self, name: str) -> list[str | None]:
        column = self.fields.get(name)
        return clean_column(column) if column is not None else [None] * self.n


def _raw(value: Any) -> str | None:
    return None if is_blank(value) else cell_text(value)


def _raw_column(values: list[Any]) -> list[str | None]:
    """`*_raw` columns: the cell as written (field values are already None when blank).
    Whole numbers (most amounts) are written out in one vectorised pass."""
    out = [
        v if v is None or v.__class__ is str else cell_text(v) if v.__class__ is not float else v
        for v in values
    ]
    at = [i for i, v in enumerate(out) if v.__class__ is float]
    if not at:
        return out
    numbers = np.array([out[i] for i in at], dtype=np.float64)
    # cell_text: a whole float below 1e16 is written as an integer (exact in int64 below
    # 2**53, so stay under 1e15 here), anything else as cell_text does it.
    whole = np.isfinite(numbers) & (numbers == np.trunc(numbers)) & (np.abs(numbers) < 1e15)
    texts = pa.array(np.where(whole, numbers, 0).astype(np.int64)).cast(pa.string()).to_pylist()
    for i, w, v, text in zip(at, whole.tolist(), numbers.tolist(), texts, strict=True):
        out[i] = text if w else cell_text(v)
    return out


def _quantities(values: list[Any]) -> list[tuple[float | None, str | None]]:
    """split_quantity over a column; a text seen before (`35 Orang`) is not split again."""
    memo: dict[str, tuple[float | None, str | None]] = {}
    out = []
    for v in values:
        if v is None:
            out.append(_NO_QUANTITY)
        elif v.__class__ is not str:  # keyed by text only: 1.0 and True are equal keys
            out.append(split_quantity(v))
        elif v in memo:
            out.append(memo[v])
        else:
            out.append(memo.setdefault(v, split_quantity(v)))
    return out


# parse.py's fast path (`Rp 1.250.000,00`, `1250000`) in RE2 syntax: ASCII digits and
# spaces only, so whatever it matches Python's pattern matches the same way.
_PLAIN_AMOUNT = r"^(?:Rp\.?\s?)?(?P<whole>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<fraction>\d{1,2}))?$"


def amounts(values: list[Any]) -> list[float | None]:
    out = [
        v if v.__class__ is float and v == v else None if v is None or v.__class__ is str else parse_amount(v)
        for v in values
    ]
    at = [i for i, v in enumerate(values) if v.__class__ is str]
    if len(at) < _VECTOR_MIN:
        for i in at:
            out[i] = parse_amount(values[i])
        return out
    # Amounts written as text, read in vectorised passes; the rest one by one.
    parts = pc.extract_regex(pa.array([values[i] for i in at], pa.string()), _PLAIN_AMOUNT)
    whole = pc.replace_substring(parts.field("whole"), ".", "")
    fraction = parts.field("fraction")
    text = pc.if_else(pc.equal(fraction, ""), whole, pc.binary_join_element_wise(whole, fraction, "."))
    ok = pc.and_(pc.is_valid(parts), pc.invert(pc.starts_with(parts.field("whole"), "0.")))
    try:
        numbers = pc.cast(pc.if_else(ok, text, None), pa.float64()).to_pylist()
    except (pa.ArrowInvalid, ValueError):  # a number beyond float range: one by one
        numbers = [None] * len(at)
    for i, number in zip(at, numbers, strict=True):
        if number is None:
            out[i] = parse_amount(values[i])
        else:
            out[i] = number if math.isfinite(number) else None
    return out


def build_columns(kind: str, rows: DataRows, fmap: FieldMap, ctx: Context) -> dict[str, list[Any]]:
    """The typed columns of staged.<kind> (lineage and raw are added by the loader)."""
    if kind in ("renja", "rkpd"):
        return _plan_columns(kind, rows, ctx)
    if kind in ("musrenbang", "pokir"):
        return _usulan_columns(kind, rows, ctx)
    if kind == "nomenklatur":
        return _nomenklatur_columns(rows, ctx)
    if kind == "wilayah":
        return _wilayah_columns(rows, fmap)
    return {"kode": rows.views.kode, "nama": rows.views.nama, "singkatan": rows.text("singkatan")}


def _dates(rows: DataRows, name: str) -> list[Any]:
    column = rows.fields.get(name)
    return [None if v is None else parse_date(v) for v in column] if column is not None else [None] * rows.n


def _years(rows: DataRows, ctx: Context) -> list[int | None]:
    if "tahun" not in rows.fields:
        return [ctx.tahun] * rows.n
    return [ctx.tahun if v is None else parse_year(v) or ctx.tahun for v in rows.get("tahun")]


def _identity(rows: DataRows) -> dict[str, list[Any]]:
    return {
        "kode_raw": rows.views.kode_raw,
        "kode": rows.views.kode,
        "nama": rows.views.nama,
    }


def _plan_columns(kind: str, rows: DataRows, ctx: Context) -> dict[str, list[Any]]:
    targets = rows.get("target")
    quantities = _quantities(targets)
    pagu = rows.get("pagu")
    out: dict[str, list[Any]] = {
        "tahun": _years(rows, ctx),
        **_identity(rows),
        "kode_level": rows.views.kode_level,
        "indikator": rows.text("indikator"),
        "target_raw": _raw_column(targets),
        "target": [q[0] for q in quantities],
        "satuan": first_of(rows.text("satuan"), [q[1] for q in quantities]),
        "lokasi": rows.text("lokasi"),
        "pagu_raw": _raw_column(pagu),
        "pagu": amounts(pagu),
    }
    for i, name in enumerate(("program_kode", "program_nama", "kegiatan_kode", "kegiatan_nama")):
        out[name] = [p[i] for p in rows.parents]
    if kind == "renja":
        out["opd"] = first_of(rows.text("opd"), [ctx.opd] * rows.n)
        out["sumber_dana"] = rows.text("sumber_dana")
        out["keterangan"] = rows.text("keterangan")
        out["awal_pelaksanaan"] = _dates(rows, "awal_pelaksanaan")
        out["akhir_pelaksanaan"] = _dates(rows, "akhir_pelaksanaan")
    else:
        out["opd"] = rows.text("opd")
        out["prioritas"] = first_of(rows.text("prioritas"), [p[4] for p in rows.parents])
        out["sasaran"] = first_of(rows.text("sasaran"), [p[5] for p in rows.parents])
    return out


def _tahapan(text: str | None) -> str | None:
    if not text:
        return None
    for pattern, name in _TAHAPAN:
        if pattern.search(text):
            return name
    return text.lower()


_NO_PLACE = parse_location(None)


def _usulan_columns(kind: str, rows: DataRows, ctx: Context) -> dict[str, list[Any]]:
    lokasi = rows.text("lokasi")
    kecamatan, desa = rows.text("kecamatan"), rows.text("desa")
    places = [
        parse_location(loc) if loc and (kec is None or ds is None) else _NO_PLACE
        for loc, kec, ds in zip(lokasi, kecamatan, desa, strict=True)
    ]
    volumes = rows.get("volume")
    quantities = _quantities(volumes)
    anggaran = rows.get("anggaran")
    identity = _identity(rows)
    nama_kegiatan = first_of(rows.text("nama_kegiatan"), identity["nama"])
    return {
        "channel": [kind] * rows.n,
        "usulan_id": rows.text("usulan_id"),
        "tahun": _years(rows, ctx),
        "tahapan": list(map(_tahapan, rows.text("tahapan"))),
        "pengusul": rows.text("pengusul"),
        "usulan": first_of(rows.text("usulan"), nama_kegiatan),
        "uraian": rows.text("uraian"),
        "kode_raw": identity["kode_raw"],
        "kode": identity["kode"],
        "nama_kegiatan": nama_kegiatan,
        "lokasi": lokasi,
        "kecamatan": first_of(kecamatan, [p.kecamatan for p in places]),
        "desa": first_of(desa, [p.desa for p in places]),
        "kode_wilayah": first_of(rows.text("kode_desa"), rows.text("kode_kecamatan")),
        "volume_raw": _raw_column(volumes),
        "volume": [q[0] for q in quantities],
        "satuan": first_of(rows.text("satuan"), [q[1] for q in quantities]),
        "anggaran_raw": _raw_column(anggaran),
        "anggaran": amounts(anggaran),
        "opd_tujuan": rows.text("opd_tujuan"),
        "status_asal": rows.text("status_asal"),
        "tanggal": _dates(rows, "tanggal"),
    }


def _nomenklatur_columns(rows: DataRows, ctx: Context) -> dict[str, list[Any]]:
    induk_given = [normalise_code(v).kode if v is not None else None for v in rows.get("kode_induk")]
    derived = [code_parent(k, lv) for k, lv in zip(rows.views.kode, rows.views.kode_level, strict=True)]
    return {
        "versi": [v or ctx.versi for v in rows.text("versi")],
        "jenis_pemda": [j.upper() if j else None for j in rows.text("jenis_pemda")],
        **_identity(rows),
        "kode_level": rows.views.kode_level,
        "kode_induk": first_of(induk_given, derived),
        "kode_sebelumnya": [
            normalise_code(v).kode if v is not None else None for v in rows.get("kode_sebelumnya")
        ],
        "indikator": rows.text("indikator"),
        "satuan": rows.text("satuan"),
    }


def _wilayah_columns(rows: DataRows, fmap: FieldMap) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {name: [] for name in ("kode", "level", "nama", "nama_lain", "kode_induk")}
    levels, induk_col = rows.text("level"), rows.text("kode_induk")
    for cells, kode, level_text, induk in zip(rows.cells, rows.views.kode, levels, induk_col, strict=True):
        names = [n for v in fmap.values(cells, "nama") if (n := clean_text(v))]
        nama = names[0] if names else None
        others: list[str] = []
        seen = {(nama or "").casefold()}
        for n in [*names[1:], *(clean_text(v) for v in fmap.values(cells, "nama_lain"))]:
            if n and n.casefold() not in seen:
                seen.add(n.casefold())
                others.append(n)
        level = _WILAYAH_LEVEL.get(len(kode.split(".")) if kode else 0)
        if level_text:
            lowered = level_text.lower()
            level = next(
                (
                    name
                    for key, name in (
                        ("prov", "provinsi"),
                        ("kab", "kabupaten_kota"),
                        ("kota", "kabupaten_kota"),
                        ("kec", "kecamatan"),
                        ("desa", "desa"),
                        ("kel", "desa"),
                    )
                    if key in lowered
                ),
                lowered,
            )
        if induk is None and kode and "." in kode:
            induk = kode.rsplit(".", 1)[0]
        for name, value in (
            ("kode", kode),
            ("level", level),
            ("nama", nama),
            ("nama_lain", " | ".join(others) or None),
            ("kode_induk", induk),
        ):
            out[name].append(value)
    return out
