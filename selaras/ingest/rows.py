"""Classify every row of a sheet once its header is known: data, or one of the reasons a
row is not data (title, header, numbering, group, subtotal, empty, note, continuation,
incomplete, stray). Group rows (a program above its kegiatan) are recognised by looking
one candidate row ahead: a row is a group when the next row is its child; its code and
name are carried down to the rows below it.

Whether a row is a child is decided by structure, never by the first word alone: by code
when both rows have one; else by how the rows look (bold, indented, merged: styles.py),
the level words, and whether the candidate's amount is the sum of the rows under it.

Rows are handled in chunks: field values and views are computed column by column for the
whole chunk, then a light per-row pass decides each row's fate in order."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from itertools import compress, islice
from typing import Any

from selaras.ingest.header import HeaderMatch
from selaras.ingest.records import (
    AMOUNT_FIELD,
    HIERARCHICAL,
    NAME_FIELDS,
    DataRows,
    FieldMap,
    Hierarchy,
    amounts,
    blank_to_none,
    parents,
    take,
    views,
)
from selaras.ingest.styles import Look, Looks
from selaras.kamus import BLANKS, LEVELS, LOCAL, MONEY_BLANKS, cell_text, clean_text, is_blank

# reason_code -> the reason planners read (Indonesian).
REASONS = {
    "empty": "baris kosong",
    "title": "baris judul di atas header",
    "header": "baris header (judul kolom)",
    "numbering": "baris penomoran kolom (1, 2, 3 ...) di bawah header",
    "group": "baris kelompok (program/kegiatan/prioritas) di atas baris rinciannya; kode dan namanya "
    "dibawa ke baris di bawahnya",
    "subtotal": "baris jumlah/subtotal (JUMLAH, TOTAL ...), bukan data",
    "note": "baris catatan atau tanda tangan (Mengetahui, NIP, keterangan ...), bukan data",
    "continuation": "baris lanjutan tanpa kode, nama dan pagu (mis. indikator tambahan dari baris di atasnya)",
    "incomplete": "baris tanpa kolom wajib (kode/nama) untuk jenis berkas ini",
    "stray": "baris tanpa isi pada kolom data (hanya nomor urut atau sel di luar kolom yang dikenali)",
    "no_header": "lembar tanpa header yang dikenali; barisnya tidak dimuat",
    "broken_quote": 'baris CSV dengan tanda kutip (") yang tidak berpasangan: kolomnya tidak dapat dipisah dengan '
    "pasti, jadi baris ini tidak dimuat; perbaiki tanda kutipnya di berkas lalu jalankan lagi",
    "quoted_line": "lanjutan sel bertanda kutip yang berisi ganti baris; isinya termasuk baris data di atasnya",
}

_SUBTOTAL_HEAD = {"jumlah", "total", "subtotal", "grandtotal"}
_SUBTOTAL_TAIL = {
    "pagu",
    "anggaran",
    "total",
    "program",
    "kegiatan",
    "sub",
    "keseluruhan",
    "seluruhnya",
    "usulan",
    "belanja",
    "dana",
    "akhir",
    "opd",
    "skpd",
    "urusan",
    "bidang",
    "prioritas",
    "indikatif",
    "semua",
    "i",
    "ii",
    "iii",
}
_NOTE = re.compile(
    r"^(?:mengetahui|menyetujui|disetujui|diketahui|dibuat\s+oleh|disusun\s+oleh|diperiksa|ditetapkan"
    r"|pada\s+tanggal|kepala\b|sekretaris\b|plt\.?\s|plh\.?\s|a\.?\s?n\.?\s|nip\.?\b|nip\s*:|ttd\b"
    r"|tanda\s+tangan|catatan\s*:|keterangan\s*:|sumber\s*:|\*\)?\s|lampiran\s*:)",
    re.I,
)
_PLACE_DATE = re.compile(
    r"^[a-z .'-]+,\s*\d{1,2}\s+(?:januari|februari|pebruari|maret|april|mei|juni|juli|agustus|september"
    r"|oktober|nopember|november|desember)\s+\d{4}$",
    re.I,
)
_PRIORITAS = re.compile(r"^prioritas\b", re.I)
_SASARAN = re.compile(r"^sasaran\b", re.I)
_NUMBERING = re.compile(r"^\(?\s*(\d{1,3})\s*\)?$")
# A unit or sub-label row directly under the header, e.g. "(Rp)", "(%)".
_UNIT_ROW_MAX_LEN = 25


_KEY_REQUIRED = frozenset({"nomenklatur", "wilayah", "opd"})
_STRICT_CODE = frozenset({"nomenklatur", "wilayah"})
_STRICT_NAME = frozenset({"wilayah", "opd"})
# Columns a data row fills and a JUMLAH row does not.
_DETAIL_FIELDS = ("indikator", "target", "satuan", "lokasi", "sumber_dana", "volume", "usulan_id")
# Rows looked at below a candidate group row for the sum of their amounts.
_SUM_LOOKAHEAD = 500


@dataclass(slots=True)
class Skipped:
    row: int  # 1-based
    hidden: bool
    cells: list[Any]
    reason_code: str


@dataclass
class Chunk:
    """The outcome of a chunk of rows: the skipped ones, and the data rows with their
    field values (`data`), row numbers, hidden flags and original cells."""

    skipped: list[Skipped]
    numbers: list[int]
    hidden: list[bool]
    data: DataRows

    @property
    def rows(self) -> int:
        return len(self.skipped) + len(self.numbers)


class _Everything:
    """Every row of a hidden sheet is hidden."""

    def __contains__(self, row: object) -> bool:
        return True


def _nonempty(cells: list[Any]) -> list[tuple[int, Any]]:
    return [
        (c, v)
        for c, v in enumerate(cells)
        if v != ""
        and v is not None
        and v == v  # not NaN
        and (v.__class__ is not str or ((t := v.strip()) and (len(t) > 4 or t.lower() not in BLANKS)))
    ]


def _sums_to(total: float, below: list[tuple[float | None, Hashable]]) -> bool | None:
    """Do the amounts of the rows under a candidate group row add up to its own amount?
    `below`: (amount, class) of the rows under it, in order; the class is what tells a
    level of rows from another (a level word, a look). The rows under a group may be its
    children (kegiatan under a program: one class), the leaves (another class), or all of
    them (a kegiatan named "Program ..." among plain ones); any of these sums counts, as
    soon as it reaches the total. None: nothing below carries an amount, so the amounts
    say nothing."""
    sums: dict[Hashable, float] = {}
    every = 0.0
    seen = False
    for amount, cls in below:
        if amount is None:
            continue
        seen = True
        every += amount
        sums[cls] = part = sums.get(cls, 0.0) + amount
        if _same_amount(part, total) or _same_amount(every, total):
            return True
    return None if not seen else False


def _same_amount(a: float, b: float) -> bool:
    """Equal up to rounding (a rupiah, or a billionth of the amount)."""
    return abs(a - b) <= max(1.0, abs(b) * 1e-9)


class _ChunkState:
    """One chunk being classified: its rows column by column, and the decisions so far."""

    def __init__(
        self, rows: SheetRows, batch: list[tuple[int, list[Any]]], ahead: list[tuple[int, list[Any]]]
    ) -> None:
        # The rows read ahead (the start of the next chunk) are only looked at, for the sums
        # and looks of a group row near the end of this chunk; the next chunk decides them.
        self.size = len(batch)
        batch = batch + ahead if ahead else batch
        n, width = len(batch), rows.width
        self.rows, self.n = rows, n
        self.numbers = [b[0] for b in batch]
        self.cells_of = [b[1] for b in batch]
        padded = [
            c if len(c) == width else (list(c[:width]) + [""] * (width - len(c))) for c in self.cells_of
        ]
        # Only the mapped columns are read as fields; the raw JSON takes every cell as is.
        self.raw_columns = list(zip(*padded, strict=True)) if width and n else []
        wanted = {c for cols in rows.fmap.fields.values() for c in cols}
        money = set(rows.fmap.fields.get(AMOUNT_FIELD.get(rows.fmap.kind, ""), ()))
        columns = [
            col if c not in wanted else blank_to_none(col, MONEY_BLANKS if c in money else BLANKS)
            for c, col in enumerate(self.raw_columns)
        ]
        self.fields = rows.fmap.read(columns) if columns else {}
        self.field_lists = list(self.fields.values())
        self.v = views(rows.fmap, self.fields, n) if n else views(rows.fmap, {}, 0)
        self.skipped: list[Skipped] = []
        self.data_idx: list[int] = []
        self.data_parents: list[tuple] = []
        self.pending: int | None = None
        self.marked: dict[int, str] = {}
        self._amounts: list[float | None] | None = None
        self._looks: list[Look | None] | None = None
        self._plain: Look | None = None
        self._stands_out: dict[str, bool] = {}

    def skip(self, i: int, code: str) -> None:
        self.skipped.append(
            Skipped(self.numbers[i], self.numbers[i] in self.rows.hidden_rows, self.cells_of[i], code)
        )

    def data(self, i: int) -> None:
        self.data_idx.append(i)
        if self.rows.hierarchical:
            self.data_parents.append(parents(self.v, i, self.rows.hier))

    def flush(self) -> None:
        if self.pending is not None:
            self.data(self.pending)
            self.pending = None

    def detail(self, i: int) -> bool:
        """Does row i fill a column only data rows fill (indikator, target, lokasi ...)?"""
        return any(self.fields[f][i] is not None for f in _DETAIL_FIELDS if f in self.fields)

    def amount(self, i: int) -> float | None:
        if self._amounts is None:
            column = self.fields.get(AMOUNT_FIELD.get(self.rows.kind, ""))
            self._amounts = amounts(list(column)) if column is not None else [None] * self.n
        return self._amounts[i]

    def amounts_before(self, i: int) -> list[float]:
        """The amounts of the data rows above row i in this chunk, nearest first, back to
        the current program row (the rows a subtotal row may add up; subtotal and group
        rows are not among them)."""
        since = self.rows.program_number()
        rows = self.data_idx[-_SUM_LOOKAHEAD:]
        if self.pending is not None:
            rows = [*rows, self.pending]
        out = []
        for j in reversed(rows):
            if self.numbers[j] <= since:
                break
            if (a := self.amount(j)) is not None:
                out.append(a)
        return out

    def looks(self) -> list[Look | None]:
        """The look of each keyed row (None for other rows), and, in `_plain`, the usual
        look of the chunk's keyed rows; `_plain` stays None when they all look alike, and
        then the look tells nothing. A row's look is its name cell's (where headings are
        indented or bold; a code cell is often left plain), else its first key cell's."""
        if self._looks is None:
            looks_of, key_columns = self.rows.looks, self.rows.look_columns
            below = self.rows.header.last_row
            self._looks = [None] * self.n
            counts: dict[Look, int] = {}
            for i in range(self.n):
                if not self.v.has_key[i] or self.numbers[i] <= below:
                    continue
                cells = self.cells_of[i]
                c = next((c for c in key_columns if c < len(cells) and not is_blank(cells[c])), None)
                if c is not None:
                    look = self._looks[i] = looks_of.look(self.numbers[i], c, cells[c])
                    counts[look] = counts.get(look, 0) + 1
            if len(counts) > 1:
                self._plain = max(counts, key=counts.__getitem__)
        return self._looks

    def heavier(self, p: int, i: int) -> bool | None:
        """Is row p set apart above row i (bolder, merged, less indented)? None when the
        chunk's rows all look alike or either row has no look."""
        looks = self.looks()
        if self._plain is None or looks[p] is None or looks[i] is None:
            return None
        return looks[p] > looks[i]

    def level_stands_out(self, level: str | None) -> bool:
        """Do most rows named with this level word ("Program ...") look heavier than the
        usual row? Then one that looks usual is no such row."""
        looks = self.looks()
        if self._plain is None or level is None:
            return False
        if level not in self._stands_out:
            same = [look for j, look in enumerate(looks) if look is not None and self.v.level[j] == level]
            self._stands_out[level] = sum(look > self._plain for look in same) * 2 > len(same)
        return self._stands_out[level]

    def looks_plain(self, i: int) -> bool:
        """Does row i look like the usual row, where looks tell rows apart at all?"""
        looks = self.looks()
        return self._plain is not None and looks[i] == self._plain and not looks[i].merged

    def sums_below(self, p: int) -> bool | None:
        """Is row p's amount the sum of the rows under it (`_sums_to`)? The rows under it
        end at the next row of the same or a higher level: by level word, or, where looks
        tell rows apart, at the next row that looks as heavy as p. None: p or the rows
        under it carry no amount."""
        total = self.amount(p)
        if total is None:
            return None
        v, depth = self.v, _depth(self.v.level[p])
        looks = self.looks()
        top = looks[p] if self._plain is not None else None
        below = []
        for j in range(p + 1, min(self.n, p + 1 + _SUM_LOOKAHEAD)):
            level, look = v.level[j], looks[j]
            if j > p + 1 and (
                (level is not None and _depth(level) <= depth and not v.kode[j])
                or (top is not None and look is not None and look >= top)
            ):
                break
            if v.has_key[j]:
                below.append((self.amount(j), (level is not None, look)))
        return _sums_to(total, below)

    def chunk(self) -> Chunk:
        keep = [False] * self.n
        for i in self.data_idx:
            keep[i] = True

        def pick(column: list[Any] | tuple) -> list[Any]:
            return list(compress(column, keep))

        if self.data_idx != sorted(self.data_idx):  # never: rows are decided in order

            def pick(column: list[Any] | tuple) -> list[Any]:
                return take(column, self.data_idx)

        data = DataRows(
            fields={f: pick(column) for f, column in self.fields.items()},
            views=self.v.select(pick),
            parents=self.data_parents,
            cells=pick(self.cells_of),
            columns=[pick(column) for column in self.raw_columns],
        )
        data_numbers = pick(self.numbers)
        hidden_rows = self.rows.hidden_rows
        hidden = (
            [number in hidden_rows for number in data_numbers] if hidden_rows else [False] * len(data_numbers)
        )
        return Chunk(self.skipped, data_numbers, hidden, data)


class SheetRows:
    """Classifies the rows of one sheet, in order, carrying group context down."""

    def __init__(
        self,
        kind: str,
        header: HeaderMatch,
        hidden_rows: frozenset[int],
        hidden_sheet: bool = False,
        marks: dict[int, str] | None = None,
        looks: Looks | None = None,
    ) -> None:
        self.kind = kind
        self.looks = looks if looks is not None else Looks(None, None, 0)
        # Physical lines that are no record (CSV): line -> reason code; filled by the reader.
        self.marks = marks if marks is not None else {}
        self.header = header
        self.hidden_rows = _Everything() if hidden_sheet else hidden_rows
        self.fmap = FieldMap(header, kind)
        self.width = len(header.labels)
        self.hierarchical = kind in HIERARCHICAL
        self.hier = Hierarchy()
        self.last_key_col = max(self.fmap.key_columns, default=self.width - 1)
        names = sorted(c for f in NAME_FIELDS for c in self.fmap.fields.get(f, []))
        self.look_columns = names + [c for c in self.fmap.key_columns if c not in names]
        # The header's own cell texts, to spot it printed again cheaply (no normalising).
        self.header_text = {
            c: {" ".join(part.split()).casefold() for part in label.split(" / ")}
            for c, label in enumerate(header.labels)
            if not label.startswith("kolom ")
        }
        # Header labels a name cell may repeat (the header printed again at a page break).
        self.header_names = {part.strip() for label in header.labels for part in label.split(" / ")}
        self.seen_data = False
        # Where the current program row is: for its look (read only when needed) and its
        # row number (subtotals add up the rows since).
        self.program_at: tuple[_ChunkState, int] | None = None
        self.tail = False  # after a signature block: rows without key values are notes

    def program_number(self) -> int:
        """The current program row's number (0: none yet)."""
        return self.program_at[0].numbers[self.program_at[1]] if self.program_at is not None else 0

    # -- public -----------------------------------------------------------------------
    def classify(self, rows: Iterable[tuple[int, list[Any]]], chunk_rows: int = 5000) -> Iterator[Chunk]:
        """Chunks in order. A candidate row whose fate depends on the next candidate (is
        it a group?) waits for the next chunk."""
        iterator = iter(rows)
        carry: list[tuple[int, list[Any]]] = []
        buffer = list(islice(iterator, chunk_rows + _SUM_LOOKAHEAD))
        while True:
            batch, buffer = carry + buffer[:chunk_rows], buffer[chunk_rows:]
            buffer.extend(islice(iterator, chunk_rows + _SUM_LOOKAHEAD - len(buffer)))
            final = not buffer
            if not batch:
                return
            chunk, carry = self._chunk(batch, final, buffer[:_SUM_LOOKAHEAD])
            yield chunk
            if final:
                return

    # -- one chunk ------------------------------------------------------------------------
    def _chunk(
        self, batch: list[tuple[int, list[Any]]], final: bool, ahead: list[tuple[int, list[Any]]]
    ) -> tuple[Chunk, list]:
        st = _ChunkState(self, batch, ahead)
        usual = self._usual(st)
        for i in range(st.size):
            if not usual[i]:
                reason = self._not_data(st, i)
                if reason is not None:
                    st.skip(i, reason)
                    continue
            self.tail = False
            self.seen_data = True
            if not self.hierarchical:
                st.data(i)
                continue
            if st.pending is not None:
                self._settle_pending(st, i)
            st.pending = i
        carry = []
        if st.pending is not None:
            if final:
                st.flush()
            else:
                carry = [batch[st.pending]]
        return st.chunk(), carry

    # -- row classes ------------------------------------------------------------------------
    def _usual(self, st: _ChunkState) -> list[bool]:
        """The usual data row (below the header, a code and a name, nothing that could make
        it a numbering, header, unit, subtotal, note or incomplete row) skips the tests.
        A code or a name comes from a field, so such a row has something in the table's columns."""
        below = self.header.last_row + 3
        header_names = self.header_names
        v = st.v
        usual = [
            number > below
            and kode is not None
            and key
            and nama is not None
            and not nama[:1].isdigit()
            and nama[:1] != "("
            and nama not in header_names
            for number, kode, key, nama in zip(st.numbers, v.kode, v.has_key, v.nama, strict=True)
        ]
        if self.marks:  # CSV lines that are no record of their own
            for i, number in enumerate(st.numbers):
                if number in self.marks:
                    usual[i] = False
                    st.marked[i] = self.marks[number]
        return usual

    def _not_data(self, st: _ChunkState, i: int) -> str | None:
        """Why row i is not data (a reason code), or None: it is a data row."""
        if i in st.marked:
            return st.marked[i]
        number, cells = st.numbers[i], st.cells_of[i]
        h = self.header
        if number <= h.last_row:
            if number >= h.first_row:
                return "header"
            return "title" if _nonempty(cells) else "empty"
        if not any(column[i] is not None for column in st.field_lists):  # nothing in the table's columns
            code = self._unmapped(cells)
            if code in ("subtotal", "note"):
                st.flush()
            return code
        layout = self._layout_row(st, i)
        if layout is not None:
            return layout
        if st.v.kode[i] is None:
            special = self._special(cells, st.v.has_key[i], st.v.has_amount[i], st.detail(i))
            if special == "subtotal" and self._named_like_data(st, i):
                special = None
            if special is not None:
                st.flush()  # the row above belongs to the context before this one
                if special == "prioritas":
                    self._enter_heading(cells)
                    return "group"
                return special
        return self._keyless(st, i)

    def _layout_row(self, st: _ChunkState, i: int) -> str | None:
        """The column numbering, the header printed again, a unit row under the header."""
        nama, cells = st.v.nama[i], st.cells_of[i]
        if (nama is None or nama[:1].isdigit() or nama[:1] == "(") and self._numbering(cells):
            return "numbering"
        if nama is not None and nama in self.header_names and self._repeated_header(_nonempty(cells)):
            return "header"
        if (
            not self.seen_data
            and st.numbers[i] <= self.header.last_row + 3
            and self._unit_row(_nonempty(cells))
        ):
            return "header"
        return None

    def _keyless(self, st: _ChunkState, i: int) -> str | None:
        """A row without code and name, or without what its kind requires."""
        v = st.v
        if not v.has_key[i]:
            if self.tail:
                return "note"
            if self.hierarchical and not v.has_amount[i]:
                return "continuation"
            if self.kind in _KEY_REQUIRED:
                return "incomplete"
        if (self.kind in _STRICT_CODE and v.kode[i] is None) or (
            self.kind in _STRICT_NAME and v.nama[i] is None
        ):
            return "incomplete"
        return None

    def _settle_pending(self, st: _ChunkState, i: int) -> None:
        """The candidate row above row i is a group when row i is its child: by code when
        both have one, else by structure (`_group_without_codes`)."""
        p, v = st.pending, st.v
        above, kode = v.kode[p], v.kode[i]
        if above and kode:
            group = kode.startswith(above + ".")
        elif above:
            group = _is_parent(above, v.level[p], kode, v.level[i])
        else:
            group = self._group_without_codes(st, p, i)
        if group:
            if self.hier.enter(v.row(p), v.level[p] or self._heading_level(st, p, i)) == "program":
                self.program_at = (st, p)
            st.skip(p, "group")
        else:
            st.data(p)

    @staticmethod
    def _group_without_codes(st: _ChunkState, p: int, i: int) -> bool:
        """Is code-less row p a group above row i? Three kinds of evidence, none decisive
        alone except the amounts:
        - the look: p set apart (bold, merged, less indented) above a plainer row;
        - the level word (`Program ...` above a row without one);
        - p's amount being the sum of the rows under it (or not).
        So a kegiatan named "Program Terpadu ..." that looks like its neighbours while the
        real program rows stand out is data, and a bold "Progran ..." (a typo, no level
        word) above plain rows is a group."""
        v = st.v
        word = _is_parent(None, v.level[p], v.kode[i], v.level[i])
        heavier = st.heavier(p, i)
        if heavier is None:  # no look to go by: the level word, checked by the amounts
            if v.level[p] in (None, "sub_kegiatan", LOCAL):
                return word
            sums = st.sums_below(p)
            return word if sums is None else sums
        if heavier:
            # Set apart above a plainer row: a group, unless it fills what data rows fill
            # (indikator, lokasi ...; bold for emphasis) with no level word and no sum. A sum
            # that does not add up does not overrule the look: real totals are often off.
            return word or not st.detail(p) or st.sums_below(p) is True
        if not word:
            return False
        # p looks like the row under it. Its level word makes it a group unless rows of
        # that level stand out and p fills the columns of a data row like its neighbours
        # (a kegiatan named "Program Terpadu ..."); its amount, where it has one, decides.
        sums = st.sums_below(p)
        if sums is not None:
            return sums
        return not st.level_stands_out(v.level[p]) or (not st.detail(p) and st.detail(i))

    def _heading_level(self, st: _ChunkState, p: int, i: int) -> str:
        """The level of a group row known only by its look (no code, no level word) above
        row i: a kegiatan when row i's code lies under the open program's, or when it looks
        lighter than the program row above it; else a program."""
        program = self.hier.program
        if program is None or self.program_at is None:
            return "program"
        kode = st.v.kode[i]
        if program[0] and kode:
            return "kegiatan" if kode.startswith(program[0] + ".") else "program"
        at, q = self.program_at
        look, program_look = st.looks()[p], at.looks()[q]
        if look is not None and program_look is not None:
            return "kegiatan" if look < program_look else "program"
        return "program"

    def _named_like_data(self, st: _ChunkState, i: int) -> bool:
        """A row worded like a subtotal ("Jumlah Kegiatan Posyandu ...") that is data: it
        looks like the usual data row where subtotal rows can be told by their look, names
        more than a subtotal label does, and its amount is not the sum of the rows above."""
        if not st.v.has_key[i] or not st.looks_plain(i):
            return False
        tokens = _words(st.v.nama[i] or "")[1:]
        content = [
            t for t in tokens if t not in _SUBTOTAL_TAIL and not t.isdigit() and t not in ("sub", "grand")
        ]
        if not content:
            return False
        for group in (self.hier.program, self.hier.kegiatan):  # "Jumlah <an open group's name>"
            if group is not None and group[1] and set(content) <= set(_words(group[1])):
                return False
        total = st.amount(i)
        if total is not None:
            # The sum of two or more data rows above it: a subtotal (one row's amount
            # equal to the next row's proves nothing).
            running = 0.0
            for n, amount in enumerate(st.amounts_before(i), start=1):
                running += amount
                if n > 1 and _same_amount(running, total):
                    return False
        return True

    # -- tests on a row ---------------------------------------------------------------------
    def _unmapped(self, cells: list[Any]) -> str:
        """The fate of a row with nothing in the table's columns."""
        nonempty = _nonempty(cells)
        if not nonempty:
            return "empty"
        if self._numbering(cells):
            return "numbering"
        lead = self._lead_text(nonempty)
        if lead and self._subtotal(lead):
            return "subtotal"
        if self.tail or any(self._note(v) for _, v in nonempty):
            self.tail = True
            return "note"
        return "stray"

    def _special(self, cells: list[Any], has_key: bool, has_amount: bool, detail: bool = False) -> str | None:
        """A row without code may be a JUMLAH row, a signature block or (RKPD) a priority
        heading; None when it is none of these. A row that fills indikator, target or
        lokasi is data, whatever its first word ("Jumlah Penduduk Miskin yang Dibina")."""
        lead = self._lead_text_of(cells)
        if lead and not detail and self._subtotal(lead):
            return "subtotal"
        nonempty = None
        if lead and self._note(lead) and len(nonempty := _nonempty(cells)) <= 2:
            self.tail = True
            return "note"
        if not has_key and any(self._note(v) for _, v in (nonempty or _nonempty(cells))):
            self.tail = True
            return "note"
        if self.hierarchical and lead and not has_amount and (_PRIORITAS.match(lead) or _SASARAN.match(lead)):
            return "prioritas"
        return None

    def _enter_heading(self, cells: list[Any]) -> None:
        """A PRIORITAS / SASARAN heading row: carried down to the rows below."""
        lead = self._lead_text_of(cells)
        if lead and _PRIORITAS.match(lead):
            self.hier.prioritas, self.hier.sasaran = lead, None
        else:
            self.hier.sasaran = lead

    @staticmethod
    def _numbering(cells: list[Any]) -> bool:
        """1, 2, 3 ... (or (1), (2) ...) in consecutive columns: the column numbers printed
        under a regulation-format header. Stops at the first cell that is not a number."""
        numbers = []
        for v in cells:
            if v == "" or v is None:
                continue
            text = v if v.__class__ is str else cell_text(v)
            m = _NUMBERING.match(text.strip()) if text else None
            if not m:
                return False
            numbers.append(int(m.group(1)))
        if len(numbers) < 3:
            return False
        steps = sum(1 for a, b in zip(numbers, numbers[1:], strict=False) if b == a + 1)
        return steps >= (len(numbers) - 1) * 0.8

    def _repeated_header(self, nonempty: list[tuple[int, Any]]) -> bool:
        """The header printed again (page breaks in exports)."""
        same = checked = 0
        for c, v in nonempty:
            if v.__class__ is str and c in self.header_text:
                checked += 1
                if " ".join(v.split()).casefold() in self.header_text[c]:
                    same += 1
                elif checked >= 3 and same == 0:
                    return False  # a data row: stop early
        return same >= 2 and same * 2 >= len(nonempty)

    def _unit_row(self, nonempty: list[tuple[int, Any]]) -> bool:
        for c, v in nonempty:
            text = cell_text(v) or ""
            if c in self.fmap.key_columns or re.search(r"\d", text) or len(text) > _UNIT_ROW_MAX_LEN:
                return False
        return True

    def _lead_text(self, nonempty: list[tuple[int, Any]]) -> str | None:
        """The first text of the row up to the last key column (a label such as JUMLAH or
        PRIORITAS is written there, often merged over the first columns)."""
        for c, v in nonempty:
            if c > self.last_key_col:
                return None
            if isinstance(v, str) and not _NUMBERING.match(v.strip()):
                return clean_text(v)
        return None

    def _lead_text_of(self, cells: list[Any]) -> str | None:
        for c in range(min(len(cells), self.last_key_col + 1)):
            v = cells[c]
            if v.__class__ is str and v.strip() and not _NUMBERING.match(v.strip()):
                return clean_text(v)
        return None

    @staticmethod
    def _subtotal(text: str) -> bool:
        tokens = _words(text)
        if not tokens:
            return False
        if tokens[:2] in (["sub", "total"], ["grand", "total"]):
            tokens = ["total", *tokens[2:]]
        if tokens[0] not in _SUBTOTAL_HEAD:
            return False
        return len(tokens) == 1 or tokens[1] in _SUBTOTAL_TAIL or tokens[1].isdigit()

    @staticmethod
    def _note(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        text = clean_text(value) or ""
        return bool(_NOTE.match(text) or _PLACE_DATE.match(text))


_ORDER = {level: i for i, level in enumerate(LEVELS)}


def _depth(level: str | None) -> int:
    return _ORDER.get(level, len(LEVELS)) if level != LOCAL else len(LEVELS)


def _is_parent(
    parent: str | None, parent_level: str | None, child: str | None, child_level: str | None
) -> bool:
    """Is the child row (the next candidate) a child of the parent row? By code when both
    have one (`1.06.02` above `1.06.02.2.01`), else by level (`Program ...` above a row
    without a level word)."""
    if parent and child:
        return child.startswith(parent + ".")
    if parent_level in (None, "sub_kegiatan", LOCAL):
        return False
    return _depth(child_level) > _depth(parent_level)


def _words(text: str) -> list[str]:
    return re.sub(r"[^0-9a-z]+", " ", text.lower()).split()


def raw_cells(cells: list[Any], width: int) -> tuple[list[str | None], str | None]:
    """The row's cells as text, one per header column, and any cells beyond the header
    joined as `extra` (so nothing a row carries is lost)."""
    texts = [cell_text(v) for v in cells[:width]]
    if len(texts) < width:
        texts.extend([None] * (width - len(texts)))
    extra = [t for v in cells[width:] if (t := cell_text(v))]
    return texts, (" | ".join(extra) if extra else None)
