"""How a row looks: bold, indented, merged across columns. A planner's workbook marks its
group rows (a program above its kegiatan, a JUMLAH row) by how they look as much as by
what they say, so the row classifier (rows.py) uses the look where codes do not decide.

- Bold and Excel's indent come from the xlsx cell styles. Only the styles that are bold
  or indented are looked for in the sheet XML, during the pass that already reads hidden
  rows (readers._scan_part), so a sheet costs one extra regex search, not a second read.
- Indentation written as leading spaces counts too, in every format (CSV included).
- A cell merged across columns comes from the merged ranges calamine reports.

Formats without cell styles (xls, ods, CSV) give no bold; the classifier then falls back
on codes, level words and amounts, as before."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any, NamedTuple

from selaras.ingest.xlsx_stream import column_index

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
#: A cell tag's reference attribute (r="B7"), in sheet XML.
CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\s")
# Leading spaces per indent step: two spaces (or one tab) make one level.
_SPACES_PER_LEVEL = 2


class Style(NamedTuple):
    bold: bool
    indent: int  # Excel's alignment indent level


class Look(NamedTuple):
    """Comparable: a heavier look sorts higher (bold, then merged, then less indent)."""

    bold: bool
    merged: bool
    outdent: int  # minus the indent level


def marked_styles(styles_xml: bytes) -> dict[int, Style]:
    """Cell style (xf) index -> Style, for the styles that are bold or indented."""
    root = ET.fromstring(styles_xml)
    bold_fonts = set()
    fonts = root.find(_MAIN + "fonts")
    for index, font in enumerate(fonts if fonts is not None else []):
        b = font.find(_MAIN + "b")
        if b is not None and b.get("val", "1").lower() not in ("0", "false"):
            bold_fonts.add(index)
    marked = {}
    cell_xfs = root.find(_MAIN + "cellXfs")
    for index, xf in enumerate(cell_xfs if cell_xfs is not None else []):
        alignment = xf.find(_MAIN + "alignment")
        indent = int(alignment.get("indent", "0") or 0) if alignment is not None else 0
        bold = int(xf.get("fontId", "0") or 0) in bold_fonts
        if bold or indent:
            marked[index] = Style(bold, indent)
    return marked


class CellPatterns(NamedTuple):
    """Regexes finding the cells of the marked styles: `usual` where the cell's reference
    comes before its style (`<c r="B7" s="3"`, as Excel, openpyxl and XlsxWriter write
    it: one findall, no Python per cell), `any_order` for writers that put s= first."""

    usual: re.Pattern[bytes]
    any_order: re.Pattern[bytes]


def styled_cell_pattern(marked: dict[int, Style]) -> CellPatterns | None:
    if not marked:
        return None
    ids = b"|".join(str(i).encode() for i in sorted(marked))
    return CellPatterns(
        re.compile(rb'<(?:\w+:)?c\s+r="([A-Z]{1,3})(\d+)"[^>]*?\ss="(' + ids + rb')"'),
        re.compile(rb'\ss="(' + ids + rb')"'),
    )


def find_styled_cells(
    body: bytes, patterns: CellPatterns, marked: dict[int, Style], out: dict[tuple[int, int], Style]
) -> None:
    """(1-based row, absolute 0-based column) -> Style of the marked cells in `body`."""
    hits = patterns.usual.findall(body)
    if hits:
        columns: dict[bytes, int] = {}
        for letters, row, style in hits:
            col = columns.get(letters)
            if col is None:
                col = columns[letters] = column_index(letters.decode())
            out[(int(row), col)] = marked[int(style)]
        return
    for m in patterns.any_order.finditer(body):  # s= before r=, or no marked cell at all
        start = body.rfind(b"<", 0, m.start())
        tag = body[start : body.find(b">", m.end())]
        if _CELL_TAG.match(tag) and (ref := CELL_REF.search(tag)):
            out[(int(ref.group(2)), column_index(ref.group(1).decode()))] = marked[int(m.group(1))]


class Looks:
    """The look of a sheet's cells: styles (absolute columns), horizontal merges and
    leading spaces. Columns passed in are relative to the sheet's first column."""

    def __init__(
        self, styles: dict[tuple[int, int], Style] | None, merged: list | None, first_col: int
    ) -> None:
        self.styles = styles or {}
        self.first_col = first_col
        # Top-left cells of ranges merged across columns: (1-based row, relative column).
        self.wide = {
            (r0 + 1, c0 - first_col) for (r0, c0), (_r1, c1) in merged or [] if c1 > c0 and c0 >= first_col
        }

    def look(self, row: int, col: int, value: Any) -> Look:
        style = self.styles.get((row, col + self.first_col))
        indent = style.indent if style else 0
        if value.__class__ is str:
            text = value.expandtabs(_SPACES_PER_LEVEL)
            indent += (len(text) - len(text.lstrip(" \u00a0"))) // _SPACES_PER_LEVEL
        return Look(bool(style and style.bold), (row, col) in self.wide, -indent)
