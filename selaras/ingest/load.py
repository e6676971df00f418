"""Writing one file into the warehouse: raw.ingest_file, raw.sheet, raw.skipped_row and
staged.<kind>, in batches through Arrow (never row-by-row INSERTs), and the bookkeeping
of file versions (unchanged / superseded / failed / removed). Table names come from code
constants only; every value travels as a bound parameter or a registered Arrow table."""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from selaras.ingest.records import DataRows
from selaras.ingest.rows import REASONS, Chunk, Skipped, raw_cells
from selaras.kamus import cell_text, column_letter

_STAGED_TABLES = frozenset(
    {"staged.renja", "staged.rkpd", "staged.usulan", "staged.nomenklatur", "staged.wilayah", "staged.opd"}
)
_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
}
_LINEAGE = ("row_ref", "file_id", "source_file", "sheet", "source_row", "hidden")
EXTRA_LABEL = "kolom tambahan"
# One append: (table, its column types, the Arrow batch, SQL expressions for some columns).
_Insert = tuple[str, dict[str, str], pa.Table, dict[str, str]]


# Column types per connection: asked once, not once per file (an information_schema query
# costs about 1.5 ms, which is most of a tiny file's cost). Tables change only when the
# warehouse is migrated, which happens when a connection is opened, before any ingest.
_TYPES: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, dict[str, dict[str, str]]] = (
    weakref.WeakKeyDictionary()
)
# A batch this small is appended at once: handing it to the worker thread costs more.
_INLINE_ROWS = 256


def table_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    known = _TYPES.setdefault(con, {})
    if table not in known:
        schema, name = table.split(".")
        rows = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, name],
        ).fetchall()
        known[table] = dict(rows)
    return known[table]


@dataclass
class SheetTarget:
    """Where a sheet's rows go: the raw JSON keys and how data rows get typed columns."""

    sheet: str
    labels: list[str] | None  # header labels (raw JSON keys); None for a sheet without header
    first_col: int = 0
    build: Callable[[DataRows], dict[str, list[Any]]] | None = None


class Writer:
    """Writes a file's rows chunk by chunk, inside the caller's transaction; or, `deferred`,
    keeps the batches (`inserts`) for a `PendingFile` written later with other files."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        file_id: str,
        source_file: str,
        table: str | None,
        deferred: bool = False,
    ) -> None:
        self.con = con
        self.file_id = file_id
        self.source_file = source_file
        self.table: str | None = None
        self.types: dict[str, str] = {}
        self.rows_staged = 0
        self.rows_skipped = 0
        self.target: SheetTarget | None = None
        self.skipped_types = table_types(con, "raw.skipped_row")
        # Batches go into DuckDB on one worker thread, in order, while the next batch is
        # classified in Python (DuckDB releases the GIL while it inserts and maintains the
        # primary key). At most one batch is in flight, so memory stays bounded.
        self._pool: ThreadPoolExecutor | None = None
        self._pending: Future | None = None
        self.inserts: list[_Insert] | None = [] if deferred else None
        if table is not None:
            self.set_table(table)

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        try:
            self.wait()
        except Exception:
            if exc_type is None:
                raise  # a failed batch fails the file; an error already on its way wins
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None

    def wait(self) -> None:
        """Until the batch in flight is in; its error, if any, is raised here."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def _submit(self, inserts: list[_Insert]) -> None:
        if self.inserts is not None:
            self.inserts.extend(inserts)
            return
        self.wait()
        if sum(arrow.num_rows for _, _, arrow, _ in inserts) <= _INLINE_ROWS:
            _append_all(self.con, inserts)
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="selaras-ingest")
        self._pending = self._pool.submit(_append_all, self.con, inserts)

    def set_table(self, table: str) -> None:
        if table not in _STAGED_TABLES:
            raise ValueError(f"not a staged table: {table}")
        self.wait()  # the connection is the worker's while a batch is in flight
        self.table = table
        self.types = table_types(self.con, table)

    def start_sheet(
        self,
        sheet: str,
        labels: list[str] | None,
        first_col: int,
        build: Callable[[DataRows], dict[str, list[Any]]] | None = None,
    ) -> None:
        self.target = SheetTarget(sheet, labels, first_col, build)

    def write(self, chunk: Chunk) -> None:
        inserts = []
        if chunk.numbers:
            inserts.append(self._staged_insert(chunk))
            self.rows_staged += len(chunk.numbers)
        if chunk.skipped:
            inserts.append(self._skipped_insert(chunk.skipped))
            self.rows_skipped += len(chunk.skipped)
        if inserts:
            self._submit(inserts)

    def write_skipped(self, skipped: list[Skipped]) -> None:
        if skipped:
            self._submit([self._skipped_insert(skipped)])
            self.rows_skipped += len(skipped)

    # -- staged rows ------------------------------------------------------------------------
    def _staged_insert(self, chunk: Chunk) -> _Insert:
        target = self.target
        assert self.table is not None and target is not None and target.labels is not None and target.build
        n = len(chunk.numbers)
        rows = pa.array(chunk.numbers, pa.int32())
        columns: dict[str, pa.Array] = {
            "row_ref": pc.binary_join_element_wise(
                f"{self.source_file}:{target.sheet}:", rows.cast(pa.string()), ""
            ),
            "file_id": pa.array([self.file_id] * n, pa.string()),
            "source_file": pa.array([self.source_file] * n, pa.string()),
            "sheet": pa.array([target.sheet] * n, pa.string()),
            "source_row": rows,
            "hidden": pa.array(chunk.hidden, pa.bool_()),
        }
        typed = target.build(chunk.data)
        for name, sql_type in self.types.items():
            if name in columns or name == "raw" or name not in typed:
                continue
            columns[name] = pa.array(typed[name], _ARROW_TYPES.get(sql_type, pa.string()))
        columns["raw"] = _raw_struct(chunk.data.cells, target.labels, chunk.data.columns)
        return self.table, self.types, pa.table(columns), {"raw": "to_json(raw)"}

    # -- skipped rows -----------------------------------------------------------------------
    def _skipped_insert(self, skipped: list[Skipped]) -> _Insert:
        target = self.target
        assert target is not None
        raws = [json.dumps(_skipped_raw(target, s.cells), ensure_ascii=False) for s in skipped]
        arrow = pa.table(
            {
                "file_id": pa.array([self.file_id] * len(raws), pa.string()),
                "sheet": pa.array([target.sheet] * len(raws), pa.string()),
                "source_row": pa.array([s.row for s in skipped], pa.int32()),
                "reason_code": pa.array([s.reason_code for s in skipped], pa.string()),
                "reason": pa.array([REASONS[s.reason_code] for s in skipped], pa.string()),
                "raw": pa.array(raws, pa.string()),
                "hidden": pa.array([s.hidden for s in skipped], pa.bool_()),
            }
        )
        return "raw.skipped_row", self.skipped_types, arrow, {"raw": "raw::json"}


def _append_all(con: duckdb.DuckDBPyConnection, inserts: list[_Insert]) -> None:
    for table, types, arrow, transforms in inserts:
        _append(con, table, types, arrow, transforms)


def _append(
    con: duckdb.DuckDBPyConnection,
    table: str,
    types: dict[str, str],
    arrow: pa.Table,
    transforms: dict[str, str],
) -> None:
    """Append an Arrow table to `table` inside the open transaction, by column name (the
    table's columns the batch lacks stay NULL). Column names come from the table's own
    definition, expressions from code; the values never become SQL text. The batch is read
    by DuckDB's scan of the local `batch` (not a registered view, which would keep it
    pinned until commit), so its memory goes as soon as it is written."""
    batch = arrow  # noqa: F841 - read by name in the statement below
    present = set(arrow.column_names)
    exprs = []
    for name in types:
        if name in present:
            quoted = '"' + name.replace('"', '""') + '"'
            exprs.append(f"{transforms[name]} as {quoted}" if name in transforms else quoted)
    con.execute(f"insert into {table} by name select {', '.join(exprs)} from batch")  # noqa: S608 - names from code


_NULL_TEXT = pa.scalar(None, pa.string())


def _text_column(values: tuple | list) -> pa.Array:
    """Cells as the spreadsheet shows them: text as is, whole numbers without `.0`, ISO
    dates, empty cells null. A column of text goes to Arrow in one call; numbers are
    converted in Arrow too; only dates and the like take a Python call per cell."""
    try:
        text = pa.array(values, pa.string())  # all text (the usual column)
        return pc.if_else(pc.equal(text, ""), _NULL_TEXT, text)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        pass
    texts = [v if v.__class__ is str and v != "" else None for v in values]
    floats = [v if v.__class__ is float else None for v in values]
    n_text = len(texts) - texts.count(None)
    n_float = len(floats) - floats.count(None)
    n_empty = values.count("") + values.count(None)
    if n_text + n_float + n_empty != len(values):  # dates, booleans, ints: the slow, general way
        return pa.array(
            [None if v == "" else v if v.__class__ is str else cell_text(v) for v in values], pa.string()
        )
    text_array = pa.array(texts, pa.string())
    if not n_float:
        return text_array
    numbers = pa.array(floats, pa.float64())
    finite = pc.is_finite(numbers)
    whole = pc.and_(pc.and_(finite, pc.equal(numbers, pc.trunc(numbers))), pc.less(pc.abs(numbers), 1e15))
    as_int = pc.cast(pc.if_else(whole, numbers, 0.0), pa.int64()).cast(pa.string())
    as_text = pc.if_else(whole, as_int, pc.if_else(finite, pc.cast(numbers, pa.string()), _NULL_TEXT))
    return pc.coalesce(text_array, as_text)


def _raw_struct(
    rows: list[list[Any]], labels: list[str], columns: list[list[Any]] | None = None
) -> pa.StructArray:
    """{header label: cell text} per row, built as an Arrow struct so DuckDB turns it into
    JSON without the labels ever becoming SQL text. Cells beyond the header (a long CSV
    row) are kept under `kolom tambahan`. `columns`: the same rows already column by
    column (cut or padded to the header), when the caller has them."""
    width = len(labels)
    extras: list[str | None] | None = None
    if any(len(r) != width for r in rows):
        extras = [raw_cells(r, width)[1] for r in rows]
        if columns is None:
            rows = [r[:width] + [""] * (width - len(r)) if len(r) != width else r for r in rows]
    if columns is None or len(columns) != width or not rows:
        columns = list(zip(*rows, strict=True)) if rows else [[] for _ in labels]
    arrays = [_text_column(col) if len(col) else pa.array([], pa.string()) for col in columns]
    names = list(labels)
    if extras is not None and any(e is not None for e in extras):
        extra_name = EXTRA_LABEL
        while extra_name in names:
            extra_name += " "
        arrays.append(pa.array(extras, pa.string()))
        names.append(extra_name)
    return pa.StructArray.from_arrays(arrays, names=names)


def _skipped_raw(target: SheetTarget, cells: list[Any]) -> dict[str, str]:
    """Non-empty cells keyed by header label (so a JUMLAH row reads like the data rows),
    or by column letter on a sheet without header and beyond the header's columns."""
    labels = target.labels or []
    out: dict[str, str] = {}
    for c, value in enumerate(cells):
        text = cell_text(value)
        if text is None or text.strip() == "":
            continue
        key = labels[c] if c < len(labels) else column_letter(target.first_col + c)
        out[key] = text
    return out


# ---------------------------------------------------------------------------------------
# File and sheet records

FILE_COLUMNS = (
    "file_id",
    "source_file",
    "kind",
    "sha256",
    "size_bytes",
    "file_format",
    "status",
    "reason",
    "opd",
    "tahun",
    "rows_read",
    "rows_staged",
    "rows_skipped",
    "run_id",
    "ingested_at",
    "note",
    "encoding",
    "delimiter",
)


SHEET_COLUMNS = (
    "file_id",
    "sheet",
    "sheet_index",
    "hidden",
    "status",
    "kind",
    "header_rows",
    "column_map",
    "rows_read",
    "note",
)


def file_values(record: dict[str, Any]) -> dict[str, Any]:
    """A raw.ingest_file row from a record: every column, counts 0 rather than NULL."""
    values = {**{c: None for c in FILE_COLUMNS}, "ingested_at": datetime.now(), **record}
    for key in ("rows_read", "rows_staged", "rows_skipped"):
        values[key] = values[key] or 0
    return {c: values[c] for c in FILE_COLUMNS}


def sheet_values(file_id: str, record: dict[str, Any]) -> dict[str, Any]:
    """A raw.sheet row from a sheet record (column_map as JSON text)."""
    column_map = record.get("column_map")
    return {
        "file_id": file_id,
        "sheet": record["sheet"],
        "sheet_index": record["sheet_index"],
        "hidden": record["hidden"],
        "status": record["status"],
        "kind": record.get("kind"),
        "header_rows": record.get("header_rows"),
        "column_map": json.dumps(column_map, ensure_ascii=False) if column_map is not None else None,
        "rows_read": record["rows_read"],
        "note": record.get("note"),
    }


def insert_file(con: duckdb.DuckDBPyConnection, record: dict[str, Any]) -> None:
    values = file_values(record)
    cols = ", ".join(FILE_COLUMNS)
    marks = ", ".join("?" for _ in FILE_COLUMNS)
    con.execute(f"insert into raw.ingest_file ({cols}) values ({marks})", list(values.values()))  # noqa: S608


def insert_sheet(con: duckdb.DuckDBPyConnection, file_id: str, record: dict[str, Any]) -> None:
    values = sheet_values(file_id, record)
    cols = ", ".join(SHEET_COLUMNS)
    marks = ", ".join("?::json" if c == "column_map" else "?" for c in SHEET_COLUMNS)
    con.execute(f"insert into raw.sheet ({cols}) values ({marks})", list(values.values()))  # noqa: S608


def finish_file(
    con: duckdb.DuckDBPyConnection, file_id: str, sheets: list[dict[str, Any]], record: dict[str, Any]
) -> int:
    """A loaded file's records, once its rows are in: its sheets, older versions of the same
    name superseded, its raw.ingest_file row. Returns how many versions it superseded."""
    for sheet in sheets:
        insert_sheet(con, file_id, sheet)
    superseded = supersede(con, record["source_file"], file_id)
    clear_failed(con, [(file_id, record["source_file"])])
    insert_file(con, record)
    return superseded


def failed_id(source_file: str, file_id: str) -> str:
    """The id of a failure whose bytes (`file_id`) are also another file's: each file keeps
    its own record, so the id also depends on the name."""
    return "f" + hashlib.sha256(f"{source_file}\0{file_id}".encode()).hexdigest()[:15]


def clear_failed(con: duckdb.DuckDBPyConnection, files: list[tuple[str, str]]) -> None:
    """Make room for loaded (file_id, source_file) records. A failed attempt of the same
    file (disk full, out of memory) is replaced by the load that now succeeds; the failure
    of another file with the same bytes (a copy in the wrong folder) keeps its record, under
    its own id. A failed file has nothing but its raw.ingest_file row."""
    failed = con.execute(
        "select file_id, source_file from raw.ingest_file where status = 'failed' and file_id in (select unnest(?))",
        [[f for f, _ in files]],
    ).fetchall()
    loading = dict(files)
    for file_id, source in failed:
        if loading[file_id] == source:
            con.execute("delete from raw.ingest_file where file_id = ?", [file_id])
        else:
            con.execute(
                "update raw.ingest_file set file_id = ? where file_id = ?",
                [failed_id(source, file_id), file_id],
            )


@dataclass
class PendingFile:
    """Everything one small file writes, read without error and held until its batch is
    written (selaras.ingest.batch)."""

    file_id: str
    inserts: list[_Insert]
    sheets: list[dict[str, Any]]
    record: dict[str, Any]

    @property
    def rows(self) -> int:
        return sum(arrow.num_rows for _, _, arrow, _ in self.inserts)


def write_pending(con: duckdb.DuckDBPyConnection, pending: PendingFile) -> int:
    """One held file's writes, inside the open transaction, as a file read directly writes them."""
    _append_all(con, pending.inserts)
    return finish_file(con, pending.file_id, pending.sheets, pending.record)


def write_batch(con: duckdb.DuckDBPyConnection, files: list[PendingFile]) -> list[int]:
    """Many held files' writes in a handful of statements, inside the open transaction: one
    supersede (the rule every load uses), one insert per table (rows of the same shape appended together). Returns
    each file's count of superseded versions, in order."""
    counts = supersede_all(con, [(f.file_id, f.record["source_file"]) for f in files])
    clear_failed(con, [(f.file_id, f.record["source_file"]) for f in files])
    _append(
        con,
        "raw.ingest_file",
        *_records_table(con, "raw.ingest_file", [file_values(f.record) for f in files]),
    )
    sheets = [sheet_values(f.file_id, s) for f in files for s in f.sheets]
    if sheets:
        _append(
            con, "raw.sheet", *_records_table(con, "raw.sheet", sheets, {"column_map": "column_map::json"})
        )
    groups: dict[tuple[str, str, pa.Schema], list[_Insert]] = {}
    for f in files:
        for insert in f.inserts:
            table, _, arrow, transforms = insert
            groups.setdefault((table, repr(sorted(transforms.items())), arrow.schema), []).append(insert)
    for group in groups.values():
        table, types, _, transforms = group[0]
        _append(con, table, types, pa.concat_tables([arrow for _, _, arrow, _ in group]), transforms)
    return counts


def _records_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: list[dict[str, Any]],
    transforms: dict[str, str] | None = None,
) -> tuple[dict[str, str], pa.Table, dict[str, str]]:
    """Rows as an Arrow table typed by `table`'s own columns, ready for `_append`."""
    types = table_types(con, table)
    transforms = transforms or {}
    columns = {
        name: pa.array(
            [r[name] for r in rows], pa.string() if name in transforms else _ARROW_TYPES.get(t, pa.string())
        )
        for name, t in types.items()
        if name in rows[0]
    }
    return types, pa.table(columns), transforms


def file_record(con: duckdb.DuckDBPyConnection, file_id: str) -> dict[str, Any] | None:
    cur = con.execute(
        "select file_id, source_file, status, superseded_by from raw.ingest_file where file_id = ?", [file_id]
    )
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip(("file_id", "source_file", "status", "superseded_by"), row, strict=True))


def supersede(con: duckdb.DuckDBPyConnection, source_file: str, new_id: str) -> int:
    """Older versions (loaded or failed) of `source_file` become history."""
    return supersede_all(con, [(new_id, source_file)])[0]


def supersede_all(con: duckdb.DuckDBPyConnection, files: list[tuple[str, str]]) -> list[int]:
    """For each (new file_id, source_file): the older versions (loaded or failed) of that
    name become history, superseded by the new id. Returns each file's count, in order."""
    batch = pa.table(  # noqa: F841 - read by name in the statements below
        {
            "file_id": pa.array([f for f, _ in files], pa.string()),
            "source_file": pa.array([s for _, s in files], pa.string()),
        }
    )
    older = (
        "from raw.ingest_file f join batch b on f.source_file = b.source_file and f.file_id <> b.file_id "
        "where f.status in ('loaded', 'failed')"
    )
    counts = dict(con.execute(f"select b.file_id, count(*) {older} group by b.file_id").fetchall())  # noqa: S608
    if counts:
        con.execute(
            "update raw.ingest_file set status = 'superseded', superseded_by = b.file_id from batch b "
            "where raw.ingest_file.source_file = b.source_file and raw.ingest_file.file_id <> b.file_id "
            "and raw.ingest_file.status in ('loaded', 'failed')"
        )
    return [counts.get(f, 0) for f, _ in files]


def reactivate(con: duckdb.DuckDBPyConnection, file_id: str, run_id: str) -> None:
    con.execute(
        "update raw.ingest_file set status = 'loaded', superseded_by = null, reason = null, run_id = ? "
        "where file_id = ?",
        [run_id, file_id],
    )


def delete_file(con: duckdb.DuckDBPyConnection, file_id: str) -> None:
    """Forget one version entirely (a failed attempt about to be retried, a moved file)."""
    for table in sorted(_STAGED_TABLES):
        con.execute(f"delete from {table} where file_id = ?", [file_id])  # noqa: S608 - constant names
    con.execute("delete from raw.skipped_row where file_id = ?", [file_id])
    con.execute("delete from raw.sheet where file_id = ?", [file_id])
    con.execute("delete from raw.ingest_file where file_id = ?", [file_id])


def current_files(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return [
        tuple(r)
        for r in con.execute(
            "select file_id, source_file from raw.ingest_file where status in ('loaded', 'failed')"
        ).fetchall()
    ]


def mark_removed(con: duckdb.DuckDBPyConnection, file_id: str, run_id: str) -> None:
    con.execute(
        "update raw.ingest_file set status = 'removed', reason = ?, run_id = ? where file_id = ?",
        [
            "Berkas tidak ada lagi di data/raw; barisnya tidak dipakai lagi tetapi tetap tersimpan sebagai riwayat.",
            run_id,
            file_id,
        ],
    )
