"""XlsxWriter helpers shared by the workbooks planners receive (the Forum OPD workbooks
of selaras.report, the review workbook of selaras.review): formats, status colours, and
a fast table writer that never lets input text become a formula. May import: xlsxwriter,
selaras.kamus.

Number format. Excel stores number formats in one notation ("," groups thousands, "."
marks decimals) and shows them with the separators of the reader's locale. We write
`[$-421]#,##0`: the `[$-421]` prefix marks the format as Indonesian (LCID 0x421), so
LibreOffice shows 1.250.000 whatever its own locale (verified by converting to CSV "as
shown"), and Excel shows it with the separators of the planner's Windows, i.e. 1.250.000
on an Indonesian system. A literal "#.##0" would be wrong: "." is the decimal point in
the stored notation.

Formula injection. Workbooks are created with strings_to_formulas / urls / numbers off
and text is written with write_string only, so "=HYPERLINK(...)" from an input file stays
text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from selaras.kamus import strip_invisible

MONEY = "[$-421]#,##0"
INTEGER = "[$-421]#,##0"
SCORE = "[$-421]0.0"
PERCENT = '[$-421]0.0"%"'
MAX_TEXT = 32000
NUMBER = "_no"  # the field of a "No" column: the row's running number

# Fill and font colour per status, the usual Excel "good / neutral / bad" palette.
GOOD = ("#C6EFCE", "#006100")
FAIR = ("#E2EFDA", "#375623")
WARN = ("#FFEB9C", "#9C5700")
BAD = ("#FFC7CE", "#9C0006")
NONE = ("#EDEDED", "#404040")
STATUS_COLOURS = {
    "selaras": GOOD,
    "terakomodir": GOOD,
    "dalam_pagu": GOOD,
    "selaras_nama": FAIR,
    "perlu_review": WARN,
    "tidak_selaras": BAD,
    "tidak_terakomodir": BAD,
    "melebihi_pagu": BAD,
    "tanpa_pagu_rkpd": NONE,
    "tanpa_renja": NONE,
    "tanpa_pagu": NONE,
}


@dataclass(frozen=True)
class Col:
    header: str
    field: str
    kind: str = "text"  # text / wrap / money / int / score / percent / status
    width: float = 14


def open_workbook(path: Path, constant_memory: bool = False) -> xlsxwriter.Workbook:
    """constant_memory streams each row to disk once the next row is started (memory stays
    flat however many rows): every sheet must then be written top to bottom."""
    return xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": constant_memory,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": False,
            "default_date_format": "dd-mm-yyyy",
        },
    )


class Styles:
    """The formats of one workbook (XlsxWriter formats belong to a workbook)."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        base = {"font_name": "Calibri", "font_size": 10, "valign": "top"}
        self.wb = wb
        self.title = wb.add_format({**base, "bold": True, "font_size": 14})
        self.subtitle = wb.add_format({**base, "italic": True, "font_color": "#595959"})
        self.section = wb.add_format({**base, "bold": True, "font_size": 11, "font_color": "#1F4E79"})
        self.header = wb.add_format(
            {
                **base,
                "bold": True,
                "bg_color": "#1F4E79",
                "font_color": "#FFFFFF",
                "text_wrap": True,
                "border": 1,
                "valign": "vcenter",
            }
        )
        self.bold = wb.add_format({**base, "bold": True})
        self.note = wb.add_format({**base, "italic": True, "font_color": "#595959", "text_wrap": True})
        self.kinds = {
            "text": wb.add_format(base),
            "wrap": wb.add_format({**base, "text_wrap": True}),
            "status": wb.add_format(base),
            "money": wb.add_format({**base, "num_format": MONEY}),
            "int": wb.add_format({**base, "num_format": INTEGER}),
            "score": wb.add_format({**base, "num_format": SCORE}),
            "percent": wb.add_format({**base, "num_format": PERCENT}),
        }
        self.bold_kinds = {
            k: wb.add_format({**base, "bold": True, "top": 1, **({"num_format": fmt} if fmt else {})})
            for k, fmt in (
                ("text", None),
                ("money", MONEY),
                ("int", INTEGER),
                ("percent", PERCENT),
                ("score", SCORE),
            )
        }
        self.status = {
            s: wb.add_format({"bg_color": fill, "font_color": font})
            for s, (fill, font) in STATUS_COLOURS.items()
        }
        self.status_cell = {
            s: wb.add_format({**base, "bg_color": fill, "font_color": font})
            for s, (fill, font) in STATUS_COLOURS.items()
        }
        self.row_bad = wb.add_format({"bg_color": BAD[0], "font_color": BAD[1]})


#: What a money cell says when the file had no (or an empty) pagu column.
NO_AMOUNT = "pagu tidak tersedia"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def text_of(value: Any) -> str:
    """A value as cell text: no invisible characters (a bidi mark would reverse how the
    cell reads), cut at Excel's limit."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = strip_invisible(str(value))
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def cell_writer(ws: Worksheet, kind: str) -> Callable[[int, int, Any, Any], None]:
    """A function writing one value of a column kind: text always as a string."""
    write_string, write_number = ws.write_string, ws.write_number
    if kind in ("text", "wrap", "status"):

        def write(r: int, c: int, v: Any, fmt: Any) -> None:
            if not _missing(v) and v != "":
                plain = isinstance(v, str) and len(v) <= MAX_TEXT and v.isprintable()
                write_string(r, c, v if plain else text_of(v), fmt)
    elif kind == "money":

        def write(r: int, c: int, v: Any, fmt: Any) -> None:
            if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
                write_number(r, c, v, fmt)
            elif _missing(v) or v == "":
                write_string(r, c, NO_AMOUNT, fmt)  # a file without pagu: say so, never Rp 0
            else:
                write_string(r, c, text_of(v), fmt)
    else:

        def write(r: int, c: int, v: Any, fmt: Any) -> None:
            if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
                write_number(r, c, v, fmt)
            elif not _missing(v) and v != "":
                write_string(r, c, text_of(v), fmt)

    return write


def write_table(
    ws: Worksheet,
    styles: Styles,
    cols: Sequence[Col],
    rows: Sequence[Sequence[Any]],
    fields: dict[str, int],
    start_row: int = 0,
    freeze: bool = True,
    highlight: tuple[str, str] | None = None,
) -> int:
    """A header row and the rows, with widths, frozen header, autofilter, status colours
    and print set-up. `fields` maps a field name to its index in each row (the field
    NUMBER is the running number 1, 2, 3 ...); `highlight`
    (field, value) paints whole rows whose field has that value (e.g. over the ceiling)."""
    ws.set_row(start_row, 30)  # before the rows below it (constant_memory writes top to bottom)
    for c, col in enumerate(cols):
        ws.write_string(start_row, c, col.header, styles.header)
        ws.set_column(c, c, col.width)
    writers = [
        (c, fields[col.field], cell_writer(ws, col.kind), styles.kinds[col.kind])
        for c, col in enumerate(cols)
        if col.field != NUMBER
    ]
    numbered = [c for c, col in enumerate(cols) if col.field == NUMBER]
    write_number, int_fmt = ws.write_number, styles.kinds["int"]
    for n, row in enumerate(rows, 1):
        r = start_row + n
        for c in numbered:
            write_number(r, c, n, int_fmt)
        for c, i, write, fmt in writers:
            write(r, c, row[i], fmt)
    last = start_row + len(rows)
    if freeze:
        ws.freeze_panes(start_row + 1, 0)
        ws.repeat_rows(start_row)
    ws.autofilter(start_row, 0, max(last, start_row + 1), len(cols) - 1)
    if rows:
        for c, col in enumerate(cols):
            if col.kind == "status":
                colour_statuses(ws, styles, start_row + 1, c, last)
        if highlight:
            field, value = highlight
            hc = next(c for c, col in enumerate(cols) if col.field == field)
            ws.conditional_format(
                start_row + 1,
                0,
                last,
                len(cols) - 1,
                {
                    "type": "formula",
                    "criteria": f'=${xl_col_to_name(hc)}{start_row + 2}="{value}"',
                    "format": styles.row_bad,
                },
            )
    return len(rows)


def colour_statuses(ws: Worksheet, styles: Styles, first: int, col: int, last: int) -> None:
    for status, fmt in styles.status.items():
        ws.conditional_format(
            first, col, last, col, {"type": "cell", "criteria": "==", "value": f'"{status}"', "format": fmt}
        )


def print_setup(ws: Worksheet, landscape: bool = True) -> None:
    """A4, fit to the page width, the sheet name on top and page numbers below."""
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_header("&L&A&R&D")
    ws.set_footer("&CHalaman &P dari &N")
