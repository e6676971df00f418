"""Reading what ingest left: the current files, their staged rows, the original headers
(raw.sheet.column_map) and the JUMLAH rows (raw.skipped_row, reason 'subtotal')."""

from __future__ import annotations

import json
import re
from typing import Any

import duckdb
import pandas as pd

from selaras.validate.config import KIND_ORDER, KindSuite
from selaras.validate.text import blank, parse_amount

#: The staged tables a suite may name (identifiers only from this constant, never from data).
STAGED_TABLES = frozenset({"staged.renja", "staged.rkpd", "staged.usulan", "staged.nomenklatur",
                           "staged.wilayah", "staged.opd"})
_TOTAL_WORDS = re.compile(r"(?i)\b(jumlah|total)\b")


def current_files(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Current (loaded) files, reference kinds first so their validation is in place before
    other files are checked against them."""
    files = con.execute(
        "select file_id, source_file, kind, opd, tahun from raw.ingest_file where status = 'loaded'"
    ).df()
    order = {kind: i for i, kind in enumerate(KIND_ORDER)}
    files["_order"] = files["kind"].map(lambda k: order.get(k, len(order)))
    return files.sort_values(["_order", "source_file", "file_id"]).drop(columns="_order").reset_index(drop=True)


def staged_rows(con: duckdb.DuckDBPyConnection, suite: KindSuite, file_id: str) -> pd.DataFrame:
    if suite.table not in STAGED_TABLES:
        raise ValueError(f"suites.yaml names table {suite.table!r}, not a staged table")
    return con.execute(
        f"select * from {suite.table} where file_id = ? order by sheet, source_row",  # noqa: S608 - constant
        [file_id],
    ).df()


def column_maps(con: duckdb.DuckDBPyConnection, file_id: str) -> dict[str, dict[str, str]]:
    """sheet -> canonical field -> original header text."""
    maps: dict[str, dict[str, str]] = {}
    for sheet, column_map in con.execute(
        "select sheet, column_map from raw.sheet where file_id = ?", [file_id]
    ).fetchall():
        if column_map is None:
            continue
        data = json.loads(column_map) if isinstance(column_map, str) else column_map
        if isinstance(data, dict):
            maps[sheet] = {str(k): str(v) for k, v in data.items() if v is not None}
    return maps


def jumlah_totals(con: duckdb.DuckDBPyConnection, file_id: str, amount_field: str | None,
                  maps: dict[str, dict[str, str]]) -> dict[str, float]:
    """sheet -> the grand total its JUMLAH row states for the amount column.

    Ingest keeps subtotal rows in raw.skipped_row with their cells as {header: text}. A sheet
    may have subtotals per program and a grand total; the grand total is the largest (amounts
    are not negative) among rows labelled JUMLAH/TOTAL, else among all subtotal rows."""
    if not amount_field:
        return {}
    rows = con.execute(
        "select sheet, raw from raw.skipped_row where file_id = ? and reason_code = 'subtotal' "
        "order by sheet, source_row", [file_id]
    ).fetchall()
    per_sheet: dict[str, list[tuple[bool, float]]] = {}
    for sheet, raw in rows:
        cells: dict[str, Any] = json.loads(raw) if isinstance(raw, str) else (raw or {})
        header = maps.get(sheet, {}).get(amount_field)
        if not header or header not in cells:
            continue
        amount = parse_amount(cells[header])
        if amount is None:
            continue
        labelled = any(isinstance(v, str) and _TOTAL_WORDS.search(v) for v in cells.values())
        per_sheet.setdefault(sheet, []).append((labelled, amount))
    totals = {}
    for sheet, found in per_sheet.items():
        labelled = [a for is_total, a in found if is_total]
        totals[sheet] = max(labelled or [a for _, a in found])
    return totals


def header_for(maps: dict[str, dict[str, str]], sheet: str | None, field: str | None) -> str | None:
    """The original header of a staged field on a sheet, else the field's own name."""
    if not field:
        return None
    for name in (field, f"{field}_raw"):  # `kode` is read from the `kode_raw` column
        if sheet is not None and name in maps.get(sheet, {}):
            return maps[sheet][name]
        for sheet_map in maps.values():
            if name in sheet_map:
                return sheet_map[name]
    return field


def cell_text(value: Any) -> str | None:
    if blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
