"""Read workbooks (xlsx, xlsm, xls, ods via python-calamine: cached formula values, sheet
visibility, merged ranges) and CSV files (encoding and separator detected) as sheets of
raw cells, streamed row by row with 1-based row numbers as the spreadsheet shows them."""

from __future__ import annotations

import codecs
import csv
import html
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import python_calamine

from selaras.ingest import xlsx_stream
from selaras.ingest.errors import IngestError
from selaras.ingest.safety import extension
from selaras.ingest.styles import (
    CELL_REF,
    CellPatterns,
    Style,
    find_styled_cells,
    marked_styles,
    styled_cell_pattern,
)
from selaras.kamus import parse_number

csv.field_size_limit(16 * 1024 * 1024)

Row = tuple[int, list[Any]]


@dataclass
class Sheet:
    name: str
    index: int
    hidden: bool
    rows: Iterator[Row]
    first_col: int = 0  # absolute 0-based column of cells[0]
    width: int | None = None  # None: rows may differ in length (CSV)
    merged: list | None = None  # ((r0, c0), (r1, c1)) absolute, 0-based; None when unknown
    hidden_rows: frozenset[int] = field(default_factory=frozenset)
    # xlsx: (1-based row, absolute column) -> bold / indent, for the cells so styled.
    styles: dict[tuple[int, int], Style] | None = None
    note: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    # CSV: physical lines that are not a record of their own, filled while `rows` is read
    # (line number -> reason code: broken_quote, quoted_line).
    line_marks: dict[int, str] = field(default_factory=dict)


def read_sheets(path: Path, fmt: str, stream_above_mb: float | None = None) -> Iterator[Sheet]:
    """Every sheet of the file, in workbook order. A CSV file is one sheet named `csv`.
    An xlsx with a sheet whose XML is bigger than `stream_above_mb` is streamed (bounded
    memory) instead of being read whole by calamine."""
    if fmt == "csv":
        yield read_csv(path)
        return
    if fmt in ("xlsx", "xlsm") and stream_above_mb is not None and _largest_sheet_mb(path) > stream_above_mb:
        yield from _stream_workbook(path)
        return
    yield from _read_workbook(path, fmt)


def _largest_sheet_mb(path: Path) -> float:
    try:
        with zipfile.ZipFile(path) as archive:
            sizes = [
                i.file_size
                for i in archive.infolist()
                if i.filename.startswith("xl/worksheets/") or i.filename == "xl/sharedStrings.xml"
            ]
    except (zipfile.BadZipFile, OSError):
        return 0.0
    return max(sizes, default=0) / 1048576


def _stream_workbook(path: Path) -> Iterator[Sheet]:
    try:
        book = xlsx_stream.Workbook(path)
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError, ValueError) as exc:
        raise IngestError("corrupt_file", f"Workbook rusak atau tidak dapat dibuka ({exc}).") from exc
    try:
        for index, (name, hidden, part) in enumerate(book.sheets):
            if part is None:
                yield Sheet(name, index, hidden, iter(()), note="lembar bukan tabel (tidak ada data sel)")
                continue
            try:
                hidden_rows, merged, dimension = book.scan(part)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise IngestError("corrupt_file", f"Lembar tidak dapat dibaca ({exc}).", sheet=name) from exc
            first_col, width = dimension or (0, None)
            yield Sheet(
                name=name,
                index=index,
                hidden=hidden,
                rows=_merged_down(_guard(book.rows(part, first_col, width), name), merged, first_col),
                first_col=first_col,
                width=width,
                merged=merged,
                hidden_rows=hidden_rows,
                note="lembar besar: dibaca bertahap (streaming)",
            )
    finally:
        book.close()


def _guard(rows: Iterator[Row], sheet: str) -> Iterator[Row]:
    try:
        yield from rows
    except (ET.ParseError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise IngestError("corrupt_file", f"Lembar rusak atau terpotong ({exc}).", sheet=sheet) from exc


# ---------------------------------------------------------------------------------------
# Workbooks


def _open_workbook(path: Path, fmt: str) -> python_calamine.CalamineWorkbook:
    try:
        if extension(path) == fmt or (fmt == "xlsm" and extension(path) == "xlsx"):
            return python_calamine.CalamineWorkbook.from_path(str(path))
        # The name's extension lies about the content: let calamine sniff the bytes.
        with path.open("rb") as fh:
            return python_calamine.CalamineWorkbook.from_filelike(fh)
    except python_calamine.PasswordError as exc:
        raise IngestError(
            "encrypted_file",
            "Workbook dilindungi kata sandi sehingga tidak dapat dibaca. Hapus kata sandinya lalu taruh kembali.",
        ) from exc
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise IngestError(
                "encrypted_file", "Workbook dilindungi kata sandi sehingga tidak dapat dibaca."
            ) from exc
        raise IngestError("corrupt_file", f"Workbook rusak atau tidak dapat dibuka ({exc}).") from exc


def _sheet_extras(path: Path, fmt: str) -> dict[str, SheetExtras]:
    try:
        if fmt in ("xlsx", "xlsm"):
            return xlsx_sheet_extras(path)
        if fmt == "ods":
            return {name: SheetExtras(rows) for name, rows in ods_hidden_rows(path).items()}
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError, ValueError):
        pass  # hidden rows and error values are extra information; the cells are still read
    return {}


def _read_workbook(path: Path, fmt: str) -> Iterator[Sheet]:
    # The second look at the sheet XML (hidden rows, #REF!) runs on a thread while calamine,
    # which releases the GIL, parses the first sheet: the two reads overlap.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="selaras-extras")
    try:
        pending = pool.submit(_sheet_extras, path, fmt)
    finally:
        pool.shutdown(wait=False)
    workbook = _open_workbook(path, fmt)
    extras: dict[str, SheetExtras] | None = None
    try:
        for index, meta in enumerate(workbook.sheets_metadata):
            hidden = meta.visible != python_calamine.SheetVisibleEnum.Visible
            if meta.typ not in (python_calamine.SheetTypeEnum.WorkSheet,):
                yield Sheet(
                    meta.name, index, hidden, iter(()), note=f"lembar jenis {meta.typ.name}, bukan tabel"
                )
                continue
            try:
                sheet = workbook.get_sheet_by_name(meta.name)
            except python_calamine.CalamineError as exc:
                raise IngestError(
                    "corrupt_file", f"Lembar tidak dapat dibaca ({exc}).", sheet=meta.name
                ) from exc
            start = sheet.start
            if start is None:
                yield Sheet(meta.name, index, hidden, iter(()), width=0)
                continue
            merged = sheet.merged_cell_ranges
            if extras is None:
                extras = pending.result()
            extra = extras.get(meta.name, SheetExtras())
            yield Sheet(
                name=meta.name,
                index=index,
                hidden=hidden,
                rows=_calamine_rows(sheet, merged, start[1], extra.errors),
                first_col=start[1],
                width=sheet.width,
                merged=list(merged) if merged is not None else None,
                hidden_rows=extra.hidden_rows,
                styles=extra.styles,
            )
    finally:
        workbook.close()


def _calamine_rows(
    sheet: python_calamine.CalamineSheet,
    merged: list | None,
    first_col: int,
    errors: dict[tuple[int, int], str] | None = None,
) -> Iterator[Row]:
    """calamine yields rows from row 0 of the sheet, cells from its first used column.
    Formula errors (#REF! ...), which calamine reads as empty, are put back as text: a
    planner must see and fix them, not find a silently missing pagu."""
    rows: Iterator[Row] = zip(count(1), sheet.iter_rows())  # no Python frame per row
    if errors:
        rows = _with_errors(rows, errors, first_col)
    return _merged_down(rows, merged, first_col) if merged else rows


def _with_errors(rows: Iterator[Row], errors: dict[tuple[int, int], str], first_col: int) -> Iterator[Row]:
    by_row: dict[int, list[tuple[int, str]]] = {}
    for (row, col), text in errors.items():
        by_row.setdefault(row, []).append((col - first_col, text))
    for number, cells in rows:
        for col, text in by_row.get(number, ()):
            if 0 <= col < len(cells) and cells[col] == "":
                cells[col] = text
        yield number, cells


def _merged_down(rows: Iterator[Row], merged: list | None, first_col: int) -> Iterator[Row]:
    """A label merged down over several data rows (an OPD or a lokasi written once for a
    block of rows) is repeated in each of them; numbers are not (a merged pagu belongs
    to the block once, not to each row). A sweep over the rows, merges ordered by their
    first row, so a merge over a million rows costs nothing up front."""
    downs = sorted(
        (r0 + 1, r1 + 1, c0 - first_col)
        for (r0, c0), (r1, _c1) in merged or []
        if r1 > r0 and c0 >= first_col
    )
    if not downs:
        yield from rows
        return
    next_down = 0
    active: list[tuple[int, int, Any]] = []  # (last row, column, anchor value)
    rows = iter(rows)
    for number, cells in rows:
        if not active and next_down == len(downs):
            yield number, cells
            yield from rows  # no merge left below: hand the rest on untouched
            return
        while next_down < len(downs) and downs[next_down][0] <= number:
            first, last, col = downs[next_down]
            value = cells[col] if first == number and col < len(cells) else ""
            if isinstance(value, str) and value.strip() and parse_number(value, money=True) is None:
                active.append((last, col, value))
            next_down += 1
        if active:
            active = [a for a in active if a[0] >= number]
            for _last, col, value in active:
                if col < len(cells) and cells[col] == "":
                    cells[col] = value
        yield number, cells


_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*("[^"]*"|\'[^\']*\')')
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b[^>]*>")


def _attrs(tag: bytes) -> dict[str, str]:
    return {k.decode(): html.unescape(v[1:-1].decode("utf-8", "replace")) for k, v in _ATTR.findall(tag)}


@dataclass
class SheetExtras:
    """What calamine does not report about an xlsx sheet."""

    hidden_rows: frozenset[int] = frozenset()  # 1-based
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, absolute column) -> #REF! ...
    styles: dict[tuple[int, int], Style] = field(default_factory=dict)  # bold / indented cells


def xlsx_hidden_rows(path: Path) -> dict[str, frozenset[int]]:
    """1-based numbers of hidden rows per sheet."""
    return {
        name: extras.hidden_rows for name, extras in xlsx_sheet_extras(path).items() if extras.hidden_rows
    }


def xlsx_sheet_extras(path: Path) -> dict[str, SheetExtras]:
    """Hidden rows and formula error values (#REF!, #DIV/0!: calamine reads them as empty)
    per sheet, from the sheet XML, streamed. Rows without an `r` attribute are skipped."""
    result: dict[str, SheetExtras] = {}
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
        targets = {}
        for tag in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
            a = _attrs(tag)
            targets[a.get("Id")] = a.get("Target", "")
        names = set(archive.namelist())
        marked = _marked_styles(archive, names)
        styled = styled_cell_pattern(marked)
        for tag in _SHEET_TAG.findall(workbook):
            a = _attrs(tag)
            rid = next((v for k, v in a.items() if k.endswith(":id")), None)
            target = targets.get(rid)
            if not target or "name" not in a:
                continue
            part = target.lstrip("/") if target.startswith("/") else "xl/" + target
            if part in names:
                result[a["name"]] = _scan_part(archive, part, marked, styled)
    return result


def _marked_styles(archive: zipfile.ZipFile, names: set[str]) -> dict[int, Style]:
    """Bold / indented cell styles; none when the stylesheet is absent or unreadable (the
    look of rows is extra evidence, never a reason to refuse a file)."""
    try:
        return marked_styles(archive.read("xl/styles.xml")) if "xl/styles.xml" in names else {}
    except (ET.ParseError, ValueError):
        return {}


_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*\bt="e"[^>]*>')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


def _scan_part(
    archive: zipfile.ZipFile, part: str, marked: dict[int, Style], styled: CellPatterns | None
) -> SheetExtras:
    hidden: set[int] = set()
    errors: dict[tuple[int, int], str] = {}
    styles: dict[tuple[int, int], Style] = {}

    def scan(body: bytes) -> None:
        if styled is not None:
            find_styled_cells(body, styled, marked, styles)
        if b"hidden" in body:
            for tag in _ROW_TAG.findall(body):
                if b"hidden" in tag:
                    a = _attrs(tag)
                    if a.get("hidden") in ("1", "true") and a.get("r", "").isdigit():
                        hidden.add(int(a["r"]))
        if b't="e"' in body:
            for m in _ERROR_CELL.finditer(body):
                ref = CELL_REF.search(m.group(0))
                end = body.find(b"</c>", m.end())
                value = _VALUE.search(body, m.end(), end if end >= 0 else len(body))
                if ref and value:
                    col = xlsx_stream.column_index(ref.group(1).decode())
                    errors[(int(ref.group(2)), col)] = html.unescape(
                        value.group(1).decode("utf-8", "replace")
                    )

    carry = b""
    with archive.open(part) as fh:
        while chunk := fh.read(1 << 20):
            buf = carry + chunk
            cut = buf.rfind(b"</row>")  # whole rows only: a cell never straddles two reads
            cut = cut + 6 if cut >= 0 else buf.rfind(b"<")
            if cut <= 0:
                carry = buf
                continue
            scan(buf[:cut])
            carry = buf[cut:]
    scan(carry)
    return SheetExtras(frozenset(hidden), errors, styles)


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def ods_hidden_rows(path: Path) -> dict[str, frozenset[int]]:
    """Rows with table:visibility collapse/filter, per table, counting repeated rows."""
    result: dict[str, frozenset[int]] = {}
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as fh:
        name, row, hidden, depth = None, 0, set(), 0
        for event, elem in ET.iterparse(fh, events=("start", "end")):
            if elem.tag == _ODS_TABLE + "table":
                if event == "start":
                    depth += 1
                    if depth == 1:
                        name, row, hidden = elem.get(_ODS_TABLE + "name"), 0, set()
                else:
                    depth -= 1
                    if depth == 0 and name is not None and hidden:
                        result[name] = frozenset(hidden)
                    elem.clear()
            elif elem.tag == _ODS_TABLE + "table-row" and event == "start" and depth == 1:
                repeat = int(elem.get(_ODS_TABLE + "number-rows-repeated", "1") or 1)
                if elem.get(_ODS_TABLE + "visibility") in ("collapse", "filter") and repeat <= 100_000:
                    hidden.update(range(row + 1, row + repeat + 1))
                row += repeat
            elif event == "end" and elem.tag == _ODS_TABLE + "table-row":
                elem.clear()
    return result


# ---------------------------------------------------------------------------------------
# CSV

_DELIMITERS = (",", ";", "\t", "|")


def detect_encoding(path: Path) -> str:
    """BOM first (utf-8-sig, utf-16); then UTF-16 without BOM by its zero bytes; then
    strict UTF-8 over the whole file; else cp1252 (Indonesian Excel's 'CSV'), else latin-1."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 4 and head.count(0) > len(head) // 3:
        even_zero = head[0::2].count(0) > head[1::2].count(0)
        return "utf-16-be" if even_zero else "utf-16-le"
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"


def sniff_delimiter(sample: str, preferred: str | None = None) -> str:
    """The separator that splits the sample's lines into the most consistent number of
    fields (then the most fields). `sep=;` on the first line (an Excel hint) wins."""
    first = sample.split("\n", 1)[0].strip()
    if m := re.fullmatch(r"sep=(.)", first):
        return m.group(1)
    lines = sample.splitlines()
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line of a sample may be cut
    text = "\n".join(lines[:200])
    best, best_key = preferred or ",", (0.0, 0, 0)
    # Each separator is also tried with quotes read as text: one unbalanced quote must not
    # make the right separator look inconsistent (its record would swallow the sample).
    for delim in _DELIMITERS:
        for quoting in (csv.QUOTE_MINIMAL, csv.QUOTE_NONE):
            try:
                counts = [
                    len(r) for r in csv.reader(io.StringIO(text), delimiter=delim, quoting=quoting) if r
                ]
            except csv.Error:
                continue
            if not counts:
                continue
            mode = max(set(counts), key=counts.count)
            if mode < 2:
                continue
            key = (round(counts.count(mode) / len(counts), 2), mode, delim == preferred)
            if key > best_key:
                best, best_key = delim, key
    return best


def read_csv(path: Path) -> Sheet:
    encoding = detect_encoding(path)
    with path.open("r", encoding=encoding, newline="", errors="replace") as fh:
        sample = fh.read(65536)
    delimiter = sniff_delimiter(sample, preferred="\t" if extension(path) == "tsv" else None)
    marks: dict[int, str] = {}
    return Sheet(
        name="csv",
        index=0,
        hidden=False,
        rows=_csv_rows(path, encoding, delimiter, marks),
        encoding=encoding,
        delimiter=delimiter,
        line_marks=marks,
    )


# Records whose width sets the expected number of fields (then it is fixed).
_WIDTH_SAMPLE = 200


class _Lines:
    """The file's physical lines, numbered, with lines pushed back to be read again (after
    a record that swallowed them behind an unbalanced quote). NUL bytes, which stop
    Python's csv module, are dropped. `taken` holds the lines of the record being read."""

    def __init__(self, fh: Any) -> None:
        self.source = iter(fh)
        self.count = 0
        self.pending: list[tuple[int, str]] = []  # pushed back, next last
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        # An iterator, not a generator: after the end of the file it can still hand out
        # lines pushed back (a generator stays finished once it has returned).
        if self.pending:
            item = self.pending.pop()
        else:
            line = next(self.source)
            self.count += 1
            item = (self.count, line.replace("\x00", "") if "\x00" in line else line)
        self.taken.append(item)
        return item[1]

    def push_back(self, items: list[tuple[int, str]]) -> None:
        self.pending.extend(reversed(items))


def _csv_rows(path: Path, encoding: str, delimiter: str, marks: dict[int, str]) -> Iterator[Row]:
    """Row number = physical line number. A record over several lines (a quoted cell with
    line breaks, as a spreadsheet writes it) is the row of its first line; its other
    lines are marked `quoted_line`. A record that swallowed whole rows behind an
    unbalanced quote is no record: its first line is marked `broken_quote` (its cells
    split at the separator as they stand) and the lines after it are read again."""
    with path.open("r", encoding=encoding, newline="", errors="replace") as fh:
        lines = _Lines(fh)
        taken = lines.taken
        reader = csv.reader(lines, delimiter=delimiter)
        widths: dict[int, int] = {}
        expected: int | None = None
        while True:
            try:
                record = next(reader, None)
            except csv.Error as exc:
                raise IngestError("corrupt_file", f"CSV tidak dapat dibaca ({exc}).", sheet="csv") from exc
            if record is None:
                return
            if len(taken) == 1:
                number = taken[0][0]
                taken.clear()
                if expected is None and len(record) > 1:
                    widths[len(record)] = widths.get(len(record), 0) + 1
                    if sum(widths.values()) >= _WIDTH_SAMPLE:
                        expected = max(widths, key=widths.__getitem__)
                yield number, record
                continue
            span = list(taken)
            taken.clear()
            width = expected or (max(widths, key=widths.__getitem__) if widths else None)
            if _swallowed_rows(record, span, width, delimiter):
                marks[span[0][0]] = "broken_quote"
                lines.push_back(span[1:])
                yield span[0][0], span[0][1].rstrip("\r\n").split(delimiter)
                continue
            yield span[0][0], record
            for number, _ in span[1:]:
                marks[number] = "quoted_line"
                yield number, []


def _swallowed_rows(
    record: list[str], span: list[tuple[int, str]], width: int | None, delimiter: str
) -> bool:
    """Did a quote left open swallow the lines after it? A genuine quoted line break keeps
    the row's number of fields and its continuation lines do not look like rows."""
    if width is not None and len(record) != width:
        return True
    rowlike = max(2, (width or 0) - 1)
    return any(text.count(delimiter) >= rowlike for _, text in span[1:])
