"""Writing rows while remembering what each row is. Every row written goes through a
sheet object that records its 1-based number and kind (title, header, numbering, group,
subtotal, empty, note, data) and, for data rows, the plan object it carries; the ground
truth is built from these records, so its row numbers are right by construction.

May import: the standard library only.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import xlsxwriter

# Fixed document date, so the same seed gives byte-identical workbooks.
CREATED = datetime(2021, 3, 1, 8, 0, 0)
ROW_KINDS = ("title", "header", "numbering", "group", "subtotal", "empty", "note", "data")


@dataclass
class RowRecord:
    row: int  # 1-based, as the spreadsheet shows it
    kind: str
    obj: object = None  # the plan object (RenjaRow, Usulan ...) of a data row
    hidden: bool = False


@dataclass
class SheetLog:
    source_file: str  # relative to raw/, POSIX
    sheet: str
    hidden: bool = False
    status: str = "loaded"  # loaded / no_header
    rows: list[RowRecord] = field(default_factory=list)

    def ref(self, row: int) -> str:
        return f"{self.source_file}:{self.sheet}:{row}"

    def trim(self) -> None:
        while self.rows and self.rows[-1].kind == "empty":
            self.rows.pop()


@dataclass(frozen=True)
class Formula:
    formula: str
    value: float | int | str


@dataclass(frozen=True)
class DateCell:
    value: date


class XlsxSheet:
    def __init__(self, book: Book, name: str, hidden: bool = False, status: str = "loaded"):
        self.book = book
        self.ws = book.wb.add_worksheet(name)
        if hidden:
            self.ws.hide()
        self.log = SheetLog(book.source_file, name, hidden, status)
        self.next = 0  # 0-based index of the next row

    @property
    def row_no(self) -> int:
        """1-based number of the next row to be written."""
        return self.next + 1

    def row(
        self, values, kind: str, obj=None, fmt=None, formats: dict | None = None, hidden: bool = False
    ) -> int:
        assert kind in ROW_KINDS, kind
        r = self.next
        if hidden:
            self.ws.set_row(r, None, None, {"hidden": True})
        for c, v in enumerate(values):
            self._cell(r, c, v, (formats or {}).get(c, fmt))
        self.next += 1
        self.log.rows.append(RowRecord(r + 1, kind, obj, hidden))
        return r + 1

    def empty(self) -> int:
        return self.row([], "empty")

    def title(self, text: str, ncols: int, fmt=None) -> int:
        r = self.next
        self.ws.merge_range(r, 0, r, ncols - 1, text, fmt or self.book.f["title"])
        self.next += 1
        self.log.rows.append(RowRecord(r + 1, "title"))
        return r + 1

    def header(
        self, grid: list[list[str | None]], merges: list[tuple[int, int, int, int]], kind: str = "header"
    ) -> None:
        """Header rows from a grid (None = covered by a merge) and merges given as
        (row offset, first col, last row offset, last col)."""
        top = self.next
        fmt = self.book.f["header"]
        covered = set()
        for r0, c0, r1, c1 in merges:
            self.ws.merge_range(top + r0, c0, top + r1, c1, grid[r0][c0] or "", fmt)
            covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for i, cells in enumerate(grid):
            for c, v in enumerate(cells):
                if (i, c) not in covered and v is not None:
                    self.ws.write_string(top + i, c, v, fmt)
            self.log.rows.append(RowRecord(top + i + 1, kind))
        self.next += len(grid)

    def widths(self, widths: list[float]) -> None:
        for c, w in enumerate(widths):
            self.ws.set_column(c, c, w)

    def _cell(self, r: int, c: int, v, fmt) -> None:
        ws = self.ws
        if v is None or (isinstance(v, str) and v == ""):
            if fmt is not None:
                ws.write_blank(r, c, None, fmt)
        elif isinstance(v, Formula):
            ws.write_formula(r, c, v.formula, fmt, v.value)
        elif isinstance(v, DateCell):
            ws.write_datetime(r, c, datetime.combine(v.value, time()), fmt or self.book.f["date"])
        elif isinstance(v, bool):
            ws.write_boolean(r, c, v, fmt)
        elif isinstance(v, int | float):
            ws.write_number(r, c, v, fmt)
        else:
            ws.write_string(r, c, str(v), fmt)  # never a formula, whatever it starts with


class Book:
    """One xlsx file being written; close() returns the logs of its sheets."""

    def __init__(self, raw_dir: Path, source_file: str, constant_memory: bool = False):
        self.source_file = source_file
        self.path = raw_dir / source_file
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.wb = xlsxwriter.Workbook(
            str(self.path),
            {
                "constant_memory": constant_memory,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self.wb.set_properties({"created": CREATED, "author": "selaras (data sampel)", "company": ""})
        add = self.wb.add_format
        self.f = {
            "title": add({"bold": True, "font_size": 12, "align": "center"}),
            "header": add(
                {
                    "bold": True,
                    "border": 1,
                    "align": "center",
                    "valign": "vcenter",
                    "text_wrap": True,
                    "bg_color": "#D9D9D9",
                }
            ),
            "numbering": add({"italic": True, "border": 1, "align": "center", "font_size": 8}),
            "group": add({"bold": True, "border": 1}),
            "group_money": add({"bold": True, "border": 1, "num_format": "#,##0"}),
            "cell": add({"border": 1, "text_wrap": True, "valign": "top"}),
            "money": add({"border": 1, "num_format": "#,##0", "valign": "top"}),
            "money_dec": add({"border": 1, "num_format": "#,##0.00", "valign": "top"}),
            "date": add({"border": 1, "num_format": "dd/mm/yyyy", "valign": "top"}),
            "total": add({"bold": True, "border": 1, "num_format": "#,##0"}),
            "note": add({"align": "center"}),
        }
        self.sheets: list[XlsxSheet] = []

    def sheet(self, name: str, hidden: bool = False, status: str = "loaded") -> XlsxSheet:
        s = XlsxSheet(self, name, hidden, status)
        self.sheets.append(s)
        return s

    def close(self) -> list[SheetLog]:
        self.wb.close()
        logs = [s.log for s in self.sheets]
        for log in logs:
            log.trim()
        return logs


class CsvSheet:
    """A CSV file: line 1 is the header, every later line one row (no embedded newlines)."""

    def __init__(self, raw_dir: Path, source_file: str, encoding: str = "utf-8", delimiter: str = ","):
        self.path = raw_dir / source_file
        self.encoding, self.delimiter = encoding, delimiter
        self.lines: list[list[str]] = []
        self.log = SheetLog(source_file, "csv")

    def row(self, values, kind: str, obj=None) -> int:
        assert kind in ROW_KINDS, kind
        cells = ["" if v is None else str(v) for v in values]
        assert not any("\n" in c or "\r" in c for c in cells), "newline inside a CSV cell"
        self.lines.append(cells)
        n = len(self.lines)
        self.log.rows.append(RowRecord(n, kind, obj))
        return n

    def close(self) -> list[SheetLog]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "w", encoding=self.encoding, newline="") as fh:
            csv.writer(fh, delimiter=self.delimiter, lineterminator="\r\n").writerows(self.lines)
        return [self.log]
