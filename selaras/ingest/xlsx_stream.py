"""A streaming reader for very large xlsx sheets.

calamine holds a whole sheet in memory (about 100 bytes per cell: a 1,000,000-row sheet
would need more than a gigabyte), so sheets whose XML is bigger than
settings.stream_xlsx_mb are read here instead: the sheet XML is parsed as it is
decompressed and each row is handed on and dropped, so memory stays bounded (only the
shared-string table is held, as Excel itself requires). Cached formula values, dates
(by cell style), hidden rows and merged ranges are read too. Slower than calamine; used
only where calamine's memory would be the problem.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b[^>]*>")
_HIDDEN_ROW = re.compile(rb'\bhidden="(?:1|true)"')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
# Built-in number formats that are dates or times.
_DATE_FORMAT_IDS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57}
_EPOCH = datetime(1899, 12, 30)


def column_index(letters: str) -> int:
    """A -> 0, Z -> 25, AA -> 26."""
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


class Workbook:
    """Sheet names, visibility and parts of an xlsx, read from its XML."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.archive = zipfile.ZipFile(path)
        names = set(self.archive.namelist())
        rels = ET.fromstring(self.archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels}
        book = ET.fromstring(self.archive.read("xl/workbook.xml"))
        self.sheets: list[tuple[str, bool, str | None]] = []  # (name, hidden, part)
        for sheet in book.iter(_MAIN + "sheet"):
            target = targets.get(sheet.get(_REL_ID), "")
            part = target.lstrip("/") if target.startswith("/") else "xl/" + target
            hidden = sheet.get("state") in ("hidden", "veryHidden")
            self.sheets.append((sheet.get("name", ""), hidden, part if part in names else None))
        self.strings = self._shared_strings() if "xl/sharedStrings.xml" in names else []
        self.date_styles = self._date_styles() if "xl/styles.xml" in names else set()

    def close(self) -> None:
        self.archive.close()

    def _shared_strings(self) -> list[str]:
        strings: list[str] = []
        with self.archive.open("xl/sharedStrings.xml") as fh:
            for _, elem in ET.iterparse(fh):
                if elem.tag == _MAIN + "si":
                    # Rich text runs (r/t) joined; phonetic hints (rPh) left out.
                    texts = [t.text or "" for t in elem.iter(_MAIN + "t")]
                    phonetic = {id(t) for rph in elem.iter(_MAIN + "rPh") for t in rph.iter(_MAIN + "t")}
                    if phonetic:
                        texts = [t.text or "" for t in elem.iter(_MAIN + "t") if id(t) not in phonetic]
                    strings.append("".join(texts))
                    elem.clear()
        return strings

    def _date_styles(self) -> set[int]:
        styles = ET.fromstring(self.archive.read("xl/styles.xml"))
        custom = {}
        for fmt in styles.iter(_MAIN + "numFmt"):
            code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", fmt.get("formatCode", "")).lower()
            custom[int(fmt.get("numFmtId", "0"))] = bool(re.search(r"[dmy]", code)) and "0" not in code[:1]
        dates = set()
        cell_xfs = styles.find(_MAIN + "cellXfs")
        for index, xf in enumerate(cell_xfs if cell_xfs is not None else []):
            fmt_id = int(xf.get("numFmtId", "0"))
            if fmt_id in _DATE_FORMAT_IDS or custom.get(fmt_id):
                dates.add(index)
        return dates

    def scan(self, part: str) -> tuple[frozenset[int], list, tuple[int, int] | None]:
        """Hidden rows, merged ranges ((r0, c0), (r1, c1), 0-based) and the used range's
        first column and width, from one pass over the raw XML bytes."""
        hidden: set[int] = set()
        merges = []
        dimension = None
        carry = b""
        with self.archive.open(part) as fh:
            while chunk := fh.read(1 << 20):
                buf = carry + chunk
                cut = buf.rfind(b"<")
                body, carry = (buf[:cut], buf[cut:]) if cut > 0 else (buf, b"")
                if dimension is None and (m := _DIMENSION.search(body)):
                    first = column_index(m.group(1).decode())
                    last = column_index((m.group(3) or m.group(1)).decode())
                    dimension = (first, last - first + 1)
                if b"hidden" in body:
                    for tag in _ROW_TAG.findall(body):
                        if _HIDDEN_ROW.search(tag) and (n := _ROW_NUMBER.search(tag)):
                            hidden.add(int(n.group(1)))
                if b"mergeCell" in body:
                    for m in _MERGE.finditer(body):
                        c0, r0 = column_index(m.group(1).decode()), int(m.group(2)) - 1
                        c1 = column_index((m.group(3) or m.group(1)).decode())
                        r1 = int(m.group(4) or m.group(2)) - 1
                        merges.append(((r0, c0), (r1, c1)))
        return frozenset(hidden), merges, dimension

    def rows(self, part: str, first_col: int, width: int | None = None) -> Iterator[tuple[int, list[Any]]]:
        """(1-based row number, cells from `first_col`, padded to `width`) for every row up
        to the last one written, empty rows included (numbering and counts match calamine's)."""
        pad = width or 0
        strings, date_styles = self.strings, self.date_styles
        expected = 1
        cells: list[Any] = []
        sheet_data = None
        number = 0
        with self.archive.open(part) as fh:
            for event, elem in ET.iterparse(fh, events=("start", "end")):
                tag = elem.tag
                if event == "start":
                    if tag == _MAIN + "sheetData":
                        sheet_data = elem
                    elif tag == _MAIN + "row":
                        number = int(elem.get("r", expected))
                        cells = []
                    continue
                if tag == _MAIN + "c":
                    ref = elem.get("r")
                    col = column_index(_CELL_REF.match(ref).group(1)) - first_col if ref else len(cells)
                    if col < 0:
                        continue
                    if col >= len(cells):
                        cells.extend([""] * (col + 1 - len(cells)))
                    cells[col] = _value(elem, strings, date_styles)
                elif tag == _MAIN + "row":
                    while expected < number:
                        yield expected, [""] * pad
                        expected += 1
                    if len(cells) < pad:
                        cells.extend([""] * (pad - len(cells)))
                    yield number, cells
                    expected = number + 1
                    if sheet_data is not None:
                        sheet_data.clear()  # processed rows are dropped: memory stays flat


def _value(cell: ET.Element, strings: list[str], date_styles: set[int]) -> Any:
    kind = cell.get("t")
    v = cell.find(_MAIN + "v")
    text = v.text if v is not None else None
    if kind == "s":
        return strings[int(text)] if text is not None and text.isdigit() and int(text) < len(strings) else ""
    if kind == "inlineStr":
        node = cell.find(_MAIN + "is")
        return "".join(t.text or "" for t in node.iter(_MAIN + "t")) if node is not None else ""
    if text is None:
        return ""
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text == "1"
    try:
        number = float(text)
    except ValueError:
        return text
    style = cell.get("s")
    if style is not None and int(style) in date_styles and 0 <= number < 2958466:
        return _EPOCH + timedelta(days=number)
    return number
