"""Reading what ingest left: the current files, their staged rows, the original headers
(raw.sheet.column_map) and the JUMLAH rows (raw.skipped_row, reason 'subtotal')."""

from __future__ import annotations

import json
import re
from typing import Any

import duckdb
import pandas as pd

from selaras import kamus
from selaras.kamus import column_letter  # the letters ingest keys skipped rows by
from selaras.validate.config import KIND_ORDER, KindSuite
from selaras.validate.text import blank, normalise_name

#: The staged tables a suite may name (identifiers only from this constant, never from data).
STAGED_TABLES = frozenset(
    {"staged.renja", "staged.rkpd", "staged.usulan", "staged.nomenklatur", "staged.wilayah", "staged.opd"}
)
_TOTAL_WORDS = re.compile(r"(?i)\b(jumlah|total)\b")


def current_files(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Current (loaded) files, reference kinds first so their validation is in place before
    other files are checked against them."""
    files = con.execute(
        "select file_id, source_file, kind, opd, tahun from raw.ingest_file where status = 'loaded'"
    ).df()
    order = {kind: i for i, kind in enumerate(KIND_ORDER)}
    files["_order"] = files["kind"].map(lambda k: order.get(k, len(order)))
    return (
        files.sort_values(["_order", "source_file", "file_id"]).drop(columns="_order").reset_index(drop=True)
    )


def staged_rows(con: duckdb.DuckDBPyConnection, suite: KindSuite, file_id: str) -> pd.DataFrame:
    if suite.table not in STAGED_TABLES:
        raise ValueError(f"suites.yaml names table {suite.table!r}, not a staged table")
    return con.execute(
        f"select * from {suite.table} where file_id = ? order by sheet, source_row",  # noqa: S608 - constant
        [file_id],
    ).df()


def staged_rows_many(con: duckdb.DuckDBPyConnection, suite: KindSuite, file_ids: list[str]) -> pd.DataFrame:
    """The staged rows of many files of one kind in one query, ordered by file, sheet, row."""
    if suite.table not in STAGED_TABLES:
        raise ValueError(f"suites.yaml names table {suite.table!r}, not a staged table")
    return con.execute(
        f"select * from {suite.table} where file_id in (select unnest(?::varchar[])) "  # noqa: S608 - constant
        "order by file_id, sheet, source_row",
        [list(file_ids)],
    ).df()


def column_maps(con: duckdb.DuckDBPyConnection, file_id: str) -> dict[str, dict[str, str]]:
    """sheet -> canonical field -> original header text."""
    return column_maps_many(con, [file_id]).get(file_id, {})


def column_maps_many(
    con: duckdb.DuckDBPyConnection, file_ids: list[str]
) -> dict[str, dict[str, dict[str, str]]]:
    """file_id -> sheet -> canonical field -> original header text, in one query."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for file_id, sheet, column_map in con.execute(
        "select file_id, sheet, column_map from raw.sheet where file_id in (select unnest(?::varchar[]))",
        [list(file_ids)],
    ).fetchall():
        maps = out.setdefault(file_id, {})
        if column_map is None:
            continue
        data = json.loads(column_map) if isinstance(column_map, str) else column_map
        if isinstance(data, dict):
            # Values are a header text, or a list of them (the preferred column first).
            sheet_map = {}
            for key, value in data.items():
                if isinstance(value, list):
                    value = value[0] if value else None
                if value is not None:
                    sheet_map[str(key)] = str(value)
            maps[sheet] = sheet_map
    return out


def _letter_of(header: str, header_rows: list[dict[str, Any]], staged_keys: list[str]) -> str | None:
    """The column letter of a header, for rows ingest keeps keyed by letter (raw.skipped_row).
    From the header rows themselves (a two-row header reads 'PAGU / JUMLAH'), else from the
    position of the header among a staged row's keys."""
    want = normalise_name(header)
    parts: dict[str, list[str]] = {}
    for cells in header_rows:
        for letter, text in cells.items():
            if not blank(text):
                parts.setdefault(letter, []).append(str(text))
    for letter, texts in parts.items():
        if normalise_name(" / ".join(texts)) == want or normalise_name(texts[-1]) == want:
            return letter
    if header in staged_keys:
        return column_letter(staged_keys.index(header))
    return None


def jumlah_totals(
    con: duckdb.DuckDBPyConnection,
    file_id: str,
    amount_field: str | None,
    maps: dict[str, dict[str, str]],
    staged: pd.DataFrame | None = None,
) -> dict[str, float]:
    """sheet -> the grand total its JUMLAH row states for the amount column.

    Ingest keeps subtotal rows in raw.skipped_row with their cells (keyed by header text or by
    column letter). A sheet may have subtotals per program and a grand total; the grand total
    is the largest (amounts are not negative) among rows labelled JUMLAH/TOTAL, else among all
    subtotal rows."""
    if not amount_field:
        return {}
    rows = con.execute(
        "select sheet, reason_code, raw from raw.skipped_row where file_id = ? "
        "and reason_code in ('subtotal', 'header') order by sheet, source_row",
        [file_id],
    ).fetchall()
    return _totals(rows, amount_field, maps, staged)


def jumlah_totals_many(
    con: duckdb.DuckDBPyConnection,
    file_ids: list[str],
    amount_field: str | None,
    maps: dict[str, dict[str, dict[str, str]]],
    staged: pd.DataFrame,
) -> dict[str, dict[str, float]]:
    """jumlah_totals of many files (file_id -> sheet -> total), their skipped rows read in
    one query; staged: their staged rows (with file_id)."""
    if not amount_field or not file_ids:
        return {}
    rows = con.execute(
        "select file_id, sheet, reason_code, raw from raw.skipped_row "
        "where file_id in (select unnest(?::varchar[])) and reason_code in ('subtotal', 'header') "
        "order by file_id, sheet, source_row",
        [list(file_ids)],
    ).fetchall()
    by_file: dict[str, list[tuple]] = {}
    for file_id, *rest in rows:
        by_file.setdefault(file_id, []).append(tuple(rest))
    out = {}
    for file_id, file_rows in by_file.items():
        if not any(reason == "subtotal" for _, reason, _ in file_rows):
            continue
        mine = staged[staged["file_id"] == file_id] if "file_id" in staged.columns else staged
        totals = _totals(file_rows, amount_field, maps.get(file_id, {}), mine)
        if totals:
            out[file_id] = totals
    return out


def _totals(
    rows: list[tuple], amount_field: str, maps: dict[str, dict[str, str]], staged: pd.DataFrame | None
) -> dict[str, float]:
    from selaras.kamus import parse_amount  # the parser ingest used for the data rows

    header_rows: dict[str, list[dict[str, Any]]] = {}
    subtotals: dict[str, list[dict[str, Any]]] = {}
    for sheet, reason, raw in rows:
        cells = _cells(raw)
        (header_rows if reason == "header" else subtotals).setdefault(sheet, []).append(cells)
    totals = {}
    for sheet, found_rows in subtotals.items():
        header = maps.get(sheet, {}).get(amount_field)
        if not header:
            continue
        key = header
        if not any(header in cells for cells in found_rows):
            keys = _staged_keys(staged, sheet)
            key = _letter_of(header, header_rows.get(sheet, []), keys)
        found = []
        for cells in found_rows:
            amount = parse_amount(cells.get(key)) if key else None
            if amount is not None:
                labelled = any(isinstance(v, str) and _TOTAL_WORDS.search(v) for v in cells.values())
                found.append((labelled, amount))
        if found:
            labelled = [a for is_total, a in found if is_total]
            totals[sheet] = max(labelled or [a for _, a in found])
    return totals


def _cells(raw: Any) -> dict[str, Any]:
    data = json.loads(raw) if isinstance(raw, str) else raw
    return data if isinstance(data, dict) else {}


def _staged_keys(staged: pd.DataFrame | None, sheet: str) -> list[str]:
    """The header keys of the sheet's widest staged row, in column order."""
    if staged is None or staged.empty or "raw" not in staged.columns:
        return []
    best: list[str] = []
    for raw in staged.loc[staged["sheet"] == sheet, "raw"].head(50):
        keys = list(_cells(raw))
        if len(keys) > len(best):
            best = keys
    return best


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
    """A staged value as text for a message: pandas' missing values and blanks are None,
    the rest as kamus shows a cell."""
    return None if blank(value) else kamus.cell_text(value)
