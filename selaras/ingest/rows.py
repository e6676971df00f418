"""Classify every row of a sheet once its header is known: data, or one of the reasons a
row is not data (title, header, numbering, group, subtotal, empty, note, continuation,
incomplete, stray). Group rows (a program above its kegiatan) are recognised by looking
one candidate row ahead: a row is a group when the next row is its child; its code and
name are carried down to the rows below it.

Rows are handled in chunks: field values and views are computed column by column for the
whole chunk, then a light per-row pass decides each row's fate in order."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import compress, islice
from typing import Any

from selaras.ingest.header import HeaderMatch
from selaras.ingest.parse import _BLANKS, LEVELS, LOCAL, cell_text, clean_text
from selaras.ingest.records import (
    HIERARCHICAL,
    DataRows,
    FieldMap,
    Hierarchy,
    blank_to_none,
    parents,
    take,
    views,
)

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
        and (v.__class__ is not str or ((t := v.strip()) and (len(t) > 4 or t.lower() not in _BLANKS)))
    ]


class SheetRows:
    """Classifies the rows of one sheet, in order, carrying group context down."""

    def __init__(
        self,
        kind: str,
        header: HeaderMatch,
        hidden_rows: frozenset[int],
        hidden_sheet: bool = False,
        marks: dict[int, str] | None = None,
    ) -> None:
        self.kind = kind
        # Physical lines that are no record (CSV): line -> reason code; filled by the reader.
        self.marks = marks if marks is not None else {}
        self.header = header
        self.hidden_rows = _Everything() if hidden_sheet else hidden_rows
        self.fmap = FieldMap(header, kind)
        self.width = len(header.labels)
        self.hierarchical = kind in HIERARCHICAL
        self.hier = Hierarchy()
        self.last_key_col = max(self.fmap.key_columns, default=self.width - 1)
        # The header's own cell texts, to spot it printed again cheaply (no normalising).
        self.header_text = {
            c: {" ".join(part.split()).casefold() for part in label.split(" / ")}
            for c, label in enumerate(header.labels)
            if not label.startswith("kolom ")
        }
        # Header labels a name cell may repeat (the header printed again at a page break).
        self.header_names = {part.strip() for label in header.labels for part in label.split(" / ")}
        self.seen_data = False
        self.tail = False  # after a signature block: rows without key values are notes

    # -- public -----------------------------------------------------------------------
    def classify(self, rows: Iterable[tuple[int, list[Any]]], chunk_rows: int = 5000) -> Iterator[Chunk]:
        """Chunks in order. A candidate row whose fate depends on the next candidate (is
        it a group?) waits for the next chunk."""
        iterator = iter(rows)
        carry: list[tuple[int, list[Any]]] = []
        while True:
            batch = carry + list(islice(iterator, chunk_rows))
            final = len(batch) == len(carry)
            if not batch:
                return
            chunk, carry = self._chunk(batch, final)
            yield chunk
            if final:
                return

    # -- one chunk ------------------------------------------------------------------------
    def _chunk(self, batch: list[tuple[int, list[Any]]], final: bool) -> tuple[Chunk, list]:
        n, width = len(batch), self.width
        numbers = [b[0] for b in batch]
        cells_of = [b[1] for b in batch]
        padded = [c if len(c) == width else (list(c[:width]) + [""] * (width - len(c))) for c in cells_of]
        # Only the mapped columns are read as fields; the raw JSON takes every cell as is.
        raw_columns = list(zip(*padded, strict=True)) if width and n else []
        wanted = {c for cols in self.fmap.fields.values() for c in cols}
        columns = [blank_to_none(col) if c in wanted else col for c, col in enumerate(raw_columns)]
        fields = self.fmap.read(columns) if columns else {}
        field_lists = list(fields.values())
        v = views(self.fmap, fields, n) if n else views(self.fmap, {}, 0)
        codes, levels, namas, has_key, has_amount = v.kode, v.level, v.nama, v.has_key, v.has_amount
        skipped: list[Skipped] = []
        data_idx: list[int] = []
        data_parents: list[tuple] = []
        pending: int | None = None
        h, hidden_rows, hier, hierarchical = self.header, self.hidden_rows, self.hier, self.hierarchical
        strict_code = self.kind in ("nomenklatur", "wilayah")
        strict_name = self.kind in ("wilayah", "opd")
        key_required = self.kind in ("nomenklatur", "wilayah", "opd")

        def emit_skip(i: int, code: str) -> None:
            skipped.append(Skipped(numbers[i], numbers[i] in hidden_rows, cells_of[i], code))

        def emit_data(i: int) -> None:
            data_idx.append(i)
            if hierarchical:
                data_parents.append(parents(v, i, hier))

        def flush() -> None:
            nonlocal pending
            if pending is not None:
                emit_data(pending)
                pending = None

        # The usual data row (below the header, a code and a name, nothing that could make
        # it a numbering, header, unit, subtotal, note or incomplete row) skips the tests.
        # A code or a name comes from a field, so such a row has something in the table's columns.
        below = h.last_row + 3
        header_names = self.header_names
        usual = [
            number > below
            and kode is not None
            and key
            and nama is not None
            and not nama[:1].isdigit()
            and nama[:1] != "("
            and nama not in header_names
            for number, kode, key, nama in zip(numbers, codes, has_key, namas, strict=True)
        ]
        marks = self.marks
        marked = {i: marks[number] for i, number in enumerate(numbers) if number in marks} if marks else {}
        for i in marked:
            usual[i] = False
        for i in range(n):
            if not usual[i]:
                number, cells = numbers[i], cells_of[i]
                if i in marked:
                    emit_skip(i, marked[i])
                    continue
                if number <= h.last_row:
                    if number >= h.first_row:
                        emit_skip(i, "header")
                    else:
                        emit_skip(i, "title" if _nonempty(cells) else "empty")
                    continue
                if not any(column[i] is not None for column in field_lists):  # nothing in the table's columns
                    code = self._unmapped(cells)
                    if code in ("subtotal", "note"):
                        flush()
                    emit_skip(i, code)
                    continue
                nama = namas[i]
                if (nama is None or nama[:1].isdigit() or nama[:1] == "(") and self._numbering(cells):
                    emit_skip(i, "numbering")
                    continue
                if nama is not None and nama in self.header_names and self._repeated_header(_nonempty(cells)):
                    emit_skip(i, "header")
                    continue
                if not self.seen_data and number <= h.last_row + 3 and self._unit_row(_nonempty(cells)):
                    emit_skip(i, "header")
                    continue
                kode = codes[i]
                if kode is None:
                    special = self._special(cells, has_key[i], has_amount[i])
                    if special is not None:
                        flush()  # the row above belongs to the context before this one
                        if special == "prioritas":
                            self._enter_heading(cells)
                        emit_skip(i, "group" if special == "prioritas" else special)
                        continue
                if not has_key[i]:
                    if self.tail:
                        emit_skip(i, "note")
                        continue
                    if hierarchical and not has_amount[i]:
                        emit_skip(i, "continuation")
                        continue
                    if key_required:
                        emit_skip(i, "incomplete")
                        continue
                if (strict_code and kode is None) or (strict_name and nama is None):
                    emit_skip(i, "incomplete")
                    continue
            self.tail = False
            self.seen_data = True
            if not hierarchical:
                emit_data(i)
                continue
            if pending is not None:
                above, kode = codes[pending], codes[i]
                if (
                    kode.startswith(above + ".")
                    if above and kode
                    else _is_parent(above, levels[pending], kode, levels[i])
                ):
                    hier.enter(v.row(pending))
                    emit_skip(pending, "group")
                else:
                    data_idx.append(pending)
                    data_parents.append(parents(v, pending, hier))
            pending = i
        carry = []
        if pending is not None:
            if final:
                flush()
            else:
                carry = [batch[pending]]
        if data_idx == sorted(data_idx):  # always, rows are decided in order: pick them with a mask
            keep = [False] * n
            for i in data_idx:
                keep[i] = True

            def pick(column: list[Any] | tuple) -> list[Any]:
                return list(compress(column, keep))
        else:

            def pick(column: list[Any] | tuple) -> list[Any]:
                return take(column, data_idx)

        data = DataRows(
            fields={f: pick(column) for f, column in fields.items()},
            views=v.select(pick),
            parents=data_parents,
            cells=pick(cells_of),
            columns=[pick(column) for column in raw_columns],
        )
        data_numbers = pick(numbers)
        hidden = (
            [number in hidden_rows for number in data_numbers] if hidden_rows else [False] * len(data_numbers)
        )
        chunk = Chunk(skipped, data_numbers, hidden, data)
        return chunk, carry

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

    def _special(self, cells: list[Any], has_key: bool, has_amount: bool) -> str | None:
        """A row without code may be a JUMLAH row, a signature block or (RKPD) a priority
        heading; None when it is none of these."""
        lead = self._lead_text_of(cells)
        if lead and self._subtotal(lead):
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
        tokens = re.sub(r"[^0-9a-z]+", " ", text.lower()).split()
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


def raw_cells(cells: list[Any], width: int) -> tuple[list[str | None], str | None]:
    """The row's cells as text, one per header column, and any cells beyond the header
    joined as `extra` (so nothing a row carries is lost)."""
    texts = [cell_text(v) for v in cells[:width]]
    if len(texts) < width:
        texts.extend([None] * (width - len(texts)))
    extra = [t for v in cells[width:] if (t := cell_text(v))]
    return texts, (" | ".join(extra) if extra else None)
