"""Quarantine workbooks for planners (XlsxWriter), in processed/karantina/:

- `<opd>.xlsx` per OPD: Petunjuk (what to do, per-file summary), Masalah (one line per failed
  check: file, sheet, row, column, value as written, message, suggestion, rule) and, per file,
  its rejected and flagged rows with their reasons and all original cells.
- `perbaikan/<source_file>.xlsx` per file with problems: the file's rows in their original
  layout and row numbers (title, header and data rows as read), problem rows coloured and
  problem cells commented. Fix it and save it as data/raw/<source_file>: the fixed file
  supersedes the old one on the next run.

Every text cell is written with write_string: a value starting with = + - @ stays text, never
a formula (formula injection from an uploaded file must not run in a planner's Excel)."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import xlsxwriter

from selaras.validate.config import KindSuite
from selaras.validate.staging import STAGED_TABLES
from selaras.workers import run_jobs

WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
#: Up to this many rows a workbook is assembled in memory: XlsxWriter's temp files cost more
#: than writing the rows of a small workbook (most quarantine and fix workbooks).
IN_MEMORY_ROWS = 20_000


def _workbook(path: Path, rows: int) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(str(path), {**WORKBOOK_OPTIONS, "in_memory": rows <= IN_MEMORY_ROWS})


NO_OPD = "Tanpa OPD"
STATUS_LABEL = {"dikarantina": "DIKARANTINA", "berkas_ditolak": "BERKAS DITOLAK", "ditandai": "DITANDAI"}
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def slug(text: str, limit: int = 60) -> str:
    out = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()
    return (out or "tanpa_nama")[:limit]


def write_cell(ws, row: int, col: int, value: Any, fmt=None) -> None:
    """Numbers as numbers, everything else as text (never a formula)."""
    if value is None or (isinstance(value, float) and value != value):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _cells(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    data = json.loads(raw) if isinstance(raw, str) else raw
    return data if isinstance(data, dict) else {}


class _SheetNames:
    def __init__(self) -> None:
        self.used: set[str] = set()

    def __call__(self, wanted: str) -> str:
        base = _SHEET_BAD.sub("_", wanted).strip("'")[:31] or "Lembar"
        name, n = base, 2
        while name.lower() in self.used:
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        self.used.add(name.lower())
        return name


@dataclass
class _Formats:
    head: Any
    wrap: Any
    error: Any
    warning: Any
    title: Any

    @classmethod
    def of(cls, wb) -> _Formats:
        return cls(
            head=wb.add_format(
                {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
            ),
            wrap=wb.add_format({"text_wrap": True, "valign": "top"}),
            error=wb.add_format({"bg_color": "#F8CBAD", "valign": "top"}),
            warning=wb.add_format({"bg_color": "#FFF2CC", "valign": "top"}),
            title=wb.add_format({"bold": True, "font_size": 13}),
        )


def _staged_raw(con: duckdb.DuckDBPyConnection, table: str, file_id: str) -> pd.DataFrame:
    if table not in STAGED_TABLES:
        raise ValueError(table)
    return con.execute(
        f"select row_ref, sheet, source_row, raw from {table} where file_id = ? order by sheet, source_row",  # noqa: S608
        [file_id],
    ).df()


def _headers(raws: pd.Series) -> list[str]:
    """Original headers in the order the file has them (first appearance)."""
    seen: dict[str, None] = {}
    for raw in raws:
        for key in _cells(raw):
            seen.setdefault(key, None)
    return list(seen)


def write_opd_workbook(
    path: Path,
    opd: str,
    problems: pd.DataFrame,
    summary: pd.DataFrame,
    staged_by_file: dict[str, pd.DataFrame],
) -> None:
    """problems: analytics.quarantine rows of this OPD; summary: per file counts."""
    wb = _workbook(path, len(problems) + sum(len(rows) for rows in staged_by_file.values()))
    fmt = _Formats.of(wb)
    names = _SheetNames()

    ws = wb.add_worksheet(names("Petunjuk"))
    ws.set_column(0, 0, 48)
    ws.set_column(1, 6, 16)
    ws.write_string(0, 0, f"Karantina validasi: {opd}", fmt.title)
    lines = [
        "DIKARANTINA: baris ditolak (error) dan tidak ikut dicocokkan sampai diperbaiki.",
        "BERKAS DITOLAK: seluruh berkas ditahan (mis. kolom wajib tidak ada).",
        "DITANDAI: baris tetap dipakai, tetapi perlu diperiksa (peringatan).",
        "Cara memperbaiki: buka processed/karantina/perbaikan/<berkas>.xlsx (atau berkas asli), perbaiki "
        "sel yang diberi komentar, lalu simpan dengan nama yang sama di data/raw/<berkas>. Berkas baru "
        "menggantikan yang lama pada run berikutnya. Jika berkas asli .csv/.xls, hapus berkas lama.",
        "Daftar lengkap ada di lembar 'Masalah'; baris bermasalah per berkas di lembar berikutnya.",
    ]
    for i, line in enumerate(lines, start=2):
        ws.write_string(i, 0, line, fmt.wrap)
    top = len(lines) + 3
    cols = ["Berkas", "Jenis", "Baris data", "Dikarantina", "Ditandai", "Error berkas"]
    for j, c in enumerate(cols):
        ws.write_string(top, j, c, fmt.head)
    for i, r in enumerate(summary.itertuples(index=False), start=top + 1):
        for j, v in enumerate(r):
            write_cell(ws, i, j, v)

    ws = wb.add_worksheet(names("Masalah"))
    cols = [
        ("Status", 16),
        ("Berkas", 30),
        ("Lembar", 14),
        ("Baris", 7),
        ("Kolom", 22),
        ("Nilai asli", 28),
        ("Pesan", 70),
        ("Saran", 28),
        ("Aturan", 22),
        ("Tingkat", 9),
    ]
    for j, (c, w) in enumerate(cols):
        ws.write_string(0, j, c, fmt.head)
        ws.set_column(j, j, w)
    ordered = problems.sort_values(["source_file", "sheet", "source_row", "severity"], na_position="first")
    for i, r in enumerate(ordered.itertuples(index=False), start=1):
        row_fmt = fmt.error if r.severity == "error" else fmt.warning
        values = [
            STATUS_LABEL.get(r.status, r.status),
            r.source_file,
            r.sheet,
            None if pd.isna(r.source_row) else int(r.source_row),
            r.column_name,
            r.raw_value,
            r.message,
            r.suggestion,
            r.rule,
            r.severity,
        ]
        for j, v in enumerate(values):
            write_cell(ws, i, j, v, row_fmt if j == 0 else fmt.wrap)
    ws.autofilter(0, 0, max(1, len(ordered)), len(cols) - 1)
    ws.freeze_panes(1, 0)

    for source_file, rows in staged_by_file.items():
        file_problems = problems[(problems["source_file"] == source_file) & problems["row_ref"].notna()]
        if file_problems.empty:
            continue
        _write_problem_rows(wb, names(Path(source_file).stem), fmt, rows, file_problems)
    wb.close()


@dataclass(frozen=True)
class _RowNote:
    """What the workbooks say about one problem row."""

    is_error: bool
    reasons: str  # one message per line, without its rule prefix
    suggestions: str | None
    comments: tuple[tuple[str, str], ...]  # (column name, its messages), by column name


def _reason(message: str) -> str:
    return message.split(": ", 1)[-1]


def _row_notes(problems: pd.DataFrame) -> dict[Any, _RowNote]:
    """Per problem row, in one pass over plain lists (a DataFrame per row cost seconds
    for a region's quarantine)."""
    rows = problems[problems["row_ref"].notna()]
    grouped: dict[Any, list[tuple]] = defaultdict(list)
    columns = ("row_ref", "severity", "message", "suggestion", "column_name")
    for ref, *rest in zip(*(rows[c].tolist() for c in columns), strict=True):
        grouped[ref].append(tuple(rest))
    notes: dict[Any, _RowNote] = {}
    for ref, items in grouped.items():
        suggestions = dict.fromkeys(s for _, _, s, _ in items if not pd.isna(s))
        by_column: dict[str, list[str]] = defaultdict(list)
        for _, message, _, column in items:
            by_column["" if pd.isna(column) else column].append(_reason(message))
        notes[ref] = _RowNote(
            is_error=any(severity == "error" for severity, *_ in items),
            reasons="\n".join(_reason(m) for _, m, _, _ in items),
            suggestions="; ".join(suggestions) or None,
            comments=tuple((c, "\n".join(by_column[c])) for c in sorted(by_column)),
        )
    return notes


def _write_problem_rows(
    wb, sheet_name: str, fmt: _Formats, staged: pd.DataFrame, problems: pd.DataFrame
) -> None:
    """The rejected and flagged rows of one file: status, reasons, suggestions, then every
    original cell under its original header."""
    ws = wb.add_worksheet(sheet_name)
    notes = _row_notes(problems)
    rows = staged[staged["row_ref"].isin(notes)]
    headers = _headers(rows["raw"])
    fixed = [("Status", 14), ("Lembar", 12), ("Baris", 7), ("Alasan", 60), ("Saran", 26)]
    for j, (c, w) in enumerate(fixed):
        ws.write_string(0, j, c, fmt.head)
        ws.set_column(j, j, w)
    for j, h in enumerate(headers, start=len(fixed)):
        ws.write_string(0, j, h, fmt.head)
        ws.set_column(j, j, 18)
    for i, r in enumerate(rows.itertuples(index=False), start=1):
        note = notes[r.row_ref]
        write_cell(
            ws,
            i,
            0,
            "DIKARANTINA" if note.is_error else "DITANDAI",
            fmt.error if note.is_error else fmt.warning,
        )
        write_cell(ws, i, 1, r.sheet)
        write_cell(ws, i, 2, int(r.source_row))
        write_cell(ws, i, 3, note.reasons, fmt.wrap)
        write_cell(ws, i, 4, note.suggestions, fmt.wrap)
        cells = _cells(r.raw)
        for j, h in enumerate(headers, start=len(fixed)):
            write_cell(ws, i, j, cells.get(h))
    ws.freeze_panes(1, len(fixed))


_LETTERS = re.compile(r"^[A-Z]{1,3}$")


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _placed(cells: dict[str, Any], position: dict[str, int]) -> list[tuple[int, Any]]:
    """Where a non-data row's cells go: by header (keys are headers), by column letter (ingest
    keys skipped rows by letter), else one after another."""
    if cells and set(cells) <= set(position):
        return [(position[k], v) for k, v in cells.items()]
    if cells and all(_LETTERS.match(k) for k in cells):
        return [(_column_index(k), v) for k, v in cells.items()]
    return list(enumerate(cells.values()))


def write_fix_workbook(
    path: Path, staged: pd.DataFrame, skipped: pd.DataFrame, problems: pd.DataFrame
) -> None:
    """One file in its original layout, row numbers kept, ready to be fixed and dropped back."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = _workbook(path, len(staged) + len(skipped))
    fmt = _Formats.of(wb)
    names = _SheetNames()
    notes = _row_notes(problems)
    sheets = list(dict.fromkeys([*staged["sheet"].tolist(), *skipped["sheet"].tolist()]))
    for sheet in sheets:
        data = staged[staged["sheet"] == sheet]
        other = skipped[skipped["sheet"] == sheet]
        headers = _headers(data["raw"])
        position = {h: j for j, h in enumerate(headers)}
        ws = wb.add_worksheet(names("Data" if sheet == "csv" else str(sheet)))
        ws.set_column(0, max(0, len(headers) - 1), 18)
        has_header_row = False
        for r in other.itertuples(index=False):
            cells = _cells(r.raw)
            if r.reason_code == "header":
                has_header_row = True
            for j, value in _placed(cells, position):
                write_cell(ws, int(r.source_row) - 1, j, value)
        if not has_header_row and not data.empty:
            header_row = max(0, int(data["source_row"].min()) - 2)
            for j, h in enumerate(headers):
                ws.write_string(header_row, j, h, fmt.head)
        for r in data.itertuples(index=False):
            row0 = int(r.source_row) - 1
            note = notes.get(r.row_ref)
            row_fmt = None if note is None else fmt.error if note.is_error else fmt.warning
            cells = _cells(r.raw)
            for h, j in position.items():
                write_cell(ws, row0, j, cells.get(h), row_fmt)
            for column, text in note.comments if note is not None else ():
                ws.write_comment(row0, position.get(column, 0), text, {"x_scale": 3, "y_scale": 2})
    wb.close()


MANIFEST = ".selaras-digests.json"


def _digest(*parts: Any) -> str:
    """What a workbook shows, hashed: its inputs (problem rows, by the row hashes
    `_row_hashes` left in column _h; small frames whole; the file's content id, the code
    that writes it)."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, pd.DataFrame) and "_h" in part.columns:
            h.update(np.sort(part["_h"].to_numpy()).tobytes())  # order-free
        elif isinstance(part, pd.DataFrame):
            h.update(part.to_csv(index=False).encode())
        else:
            h.update(str(part).encode())
        h.update(b"\0")
    return h.hexdigest()


def _row_hashes(problems: pd.DataFrame) -> np.ndarray:
    """One hash per problem row (run ids left out), computed once for all workbooks."""
    content = problems.drop(columns=[c for c in ("run_id", "_h") if c in problems.columns])
    return pd.util.hash_pandas_object(content.astype(str), index=False).to_numpy()


def _replace(path: Path, write: Callable[[Path], None]) -> None:
    """Write next to the target, then rename over it: a reader never sees half a workbook."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp.xlsx")
    write(tmp)
    os.replace(tmp, path)


def _opd_paths(problems: pd.DataFrame) -> dict[str, str]:
    """OPD -> its workbook's name (slugs that collide get _2, _3 ...)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for opd in sorted(problems["opd"].unique(), key=str):
        name, n = f"{slug(str(opd))}.xlsx", 2
        while name in used:
            name, n = f"{slug(str(opd))}_{n}.xlsx", n + 1
        used.add(name)
        out[opd] = name
    return out


class _Staged:
    """Staged and skipped rows of the problem files, read only for workbooks rewritten."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, kinds: dict[str, KindSuite], files: pd.DataFrame
    ) -> None:
        self.con, self.kinds = con, kinds
        self.kind_of = dict(zip(files["file_id"], files["kind"], strict=True))
        self._rows: dict[str, pd.DataFrame] = {}

    def rows(self, file_id: str) -> pd.DataFrame:
        if file_id not in self._rows:
            kind = self.kind_of.get(file_id)
            table = self.kinds[kind].table if kind in self.kinds else None
            self._rows[file_id] = (
                _staged_raw(self.con, table, file_id)
                if table
                else pd.DataFrame(columns=["row_ref", "sheet", "source_row", "raw"])
            )
        return self._rows[file_id]

    def skipped(self, file_id: str) -> pd.DataFrame:
        return self.con.execute(
            "select sheet, source_row, reason_code, raw from raw.skipped_row where file_id = ? order by source_row",
            [file_id],
        ).df()


def _summary(mine: pd.DataFrame, accounting: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for f in mine[["file_id", "source_file", "kind"]].drop_duplicates().itertuples(index=False):
        acc = accounting.loc[f.file_id] if f.file_id in accounting.index else None
        file_errors = int(
            ((mine["file_id"] == f.file_id) & mine["row_ref"].isna() & (mine["severity"] == "error")).sum()
        )
        rows.append(
            (
                f.source_file,
                f.kind,
                None if acc is None else int(acc["rows"]),
                None if acc is None else int(acc["rows_quarantined"]),
                None if acc is None else int(acc["rows_flagged"]),
                file_errors,
            )
        )
    return pd.DataFrame(rows)


#: A workbook to write: (writer, its arguments after the path), loaded only when needed.
Job = tuple[Callable[..., None], tuple]


def _plan(
    con: duckdb.DuckDBPyConnection, kinds: dict[str, KindSuite], problems: pd.DataFrame
) -> dict[str, tuple[str, Callable[[], Job]]]:
    """Relative path -> (digest, what to write it with) of every workbook the problems
    call for. The rows are read from the warehouse only for workbooks rewritten."""
    from selaras.runs import code_digest

    code = code_digest()
    # A file-level problem has no row OPD: it belongs to the OPD most of the file's rows name.
    main_opd = problems.dropna(subset=["opd"]).groupby("file_id")["opd"].agg(lambda s: s.mode().iloc[0])
    problems["opd"] = problems["opd"].fillna(problems["file_id"].map(main_opd)).fillna(NO_OPD)
    problems["_h"] = _row_hashes(problems)
    files = problems[["file_id", "source_file", "kind"]].drop_duplicates()
    staged = _Staged(con, kinds, files)
    plan: dict[str, tuple[str, Callable[[], Job]]] = {}
    by_file = dict(tuple(problems.groupby("file_id", sort=False)))
    shown = problems.drop(columns="_h")
    for f in files.itertuples(index=False):
        mine = by_file[f.file_id]
        rel = (Path("perbaikan") / Path(f.source_file).with_suffix(".xlsx")).as_posix()
        plan[rel] = (
            _digest("fix", f.file_id, code, mine),
            lambda f=f, mine=mine: (
                write_fix_workbook,
                (staged.rows(f.file_id), staged.skipped(f.file_id), mine.drop(columns="_h")),
            ),
        )
    accounting = (
        con.execute(
            "select file_id, rows_loaded + rows_quarantined as rows, rows_quarantined, rows_flagged "
            "from analytics.row_accounting"
        )
        .df()
        .set_index("file_id")
    )
    names = _opd_paths(problems)
    for opd, mine in problems.groupby("opd"):
        summary = _summary(mine, accounting)
        file_list = mine[["file_id", "source_file"]].drop_duplicates()

        def job(opd=opd, summary=summary, file_list=file_list) -> Job:
            by_source = {r.source_file: staged.rows(r.file_id) for r in file_list.itertuples(index=False)}
            return write_opd_workbook, (str(opd), shown[shown["opd"] == opd], summary, by_source)

        plan[names[opd]] = (_digest("opd", opd, code, mine, summary, names[opd]), job)
    return plan


def _write_replacing(path: Path, write: Callable[..., None], args: tuple) -> None:
    """One job (in a worker process for a big quarantine): write, then rename into place."""
    _replace(path, lambda p: write(p, *args))


def write_quarantine(
    con: duckdb.DuckDBPyConnection,
    kinds: dict[str, KindSuite],
    target: Path,
    min_rows: int,
) -> dict[str, Any]:
    """Workbooks only for files with problems and their OPDs, each rewritten only when what
    it shows changed (digests kept in target/.selaras-digests.json); workbooks of files
    whose problems are gone are removed. From `min_rows` rows to write on, the run's
    worker processes share the writing."""
    problems = con.execute("select * from analytics.quarantine order by source_file, sheet, source_row").df()
    target.mkdir(parents=True, exist_ok=True)
    manifest = target / MANIFEST
    try:
        before = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {}
    except ValueError:
        before = {}
    plan = _plan(con, kinds, problems) if not problems.empty else {}
    jobs = [
        (_write_replacing, (target / rel, *prepare()))
        for rel, (digest, prepare) in plan.items()
        if before.get(rel) != digest or not (target / rel).is_file()
    ]
    # Rows written: every staged row of a fix workbook (the OPD workbooks show fewer).
    rows = sum(len(args[0]) for _, (_, write, args) in jobs if write is write_fix_workbook)
    run_jobs(jobs, rows, min_rows)
    for path in sorted(target.rglob("*.xlsx")):
        if path.relative_to(target).as_posix() not in plan:
            path.unlink()
    for folder in sorted((p for p in target.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    manifest.write_text(json.dumps({rel: d for rel, (d, _) in plan.items()}, indent=1), encoding="utf-8")
    return {"quarantine_dir": target, "quarantine_workbooks": len(plan), "quarantine_rewritten": len(jobs)}
