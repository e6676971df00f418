"""Loading one discovered file: all or nothing (a file that fails leaves nothing behind,
the others still load), idempotently by content hash (`ingest_found`). A large file is
written in its own transaction as it is read; a small one's writes join a batch
(selaras.ingest.batch) written with other small files."""

from __future__ import annotations

import gc
import hashlib
import logging
import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any

import duckdb

from selaras.ingest import load
from selaras.ingest.batch import Batch
from selaras.ingest.context import Context, from_file_name, from_title
from selaras.ingest.discover import Found
from selaras.ingest.errors import IngestError
from selaras.ingest.header import Candidate, HeaderMatch, best_candidate, find_header, kind_hint, vocabulary
from selaras.ingest.readers import Sheet, read_sheets
from selaras.ingest.records import TABLES, build_columns
from selaras.ingest.rows import SheetRows, Skipped
from selaras.ingest.safety import FileFormat, check_file
from selaras.ingest.styles import Looks
from selaras.kamus import cell_text, is_blank
from selaras.runs import file_digest
from selaras.settings import KINDS, Settings
from selaras.warehouse import transaction

log = logging.getLogger("selaras.ingest")

# How a missing field is named in a message to planners.
FIELD_LABELS = {
    "kode": "KODE",
    "nama": "nama program/kegiatan/sub kegiatan (mis. PROGRAM DAN KEGIATAN, URAIAN)",
    "kode_urusan": "URUSAN",
    "kode_bidang": "BIDANG URUSAN",
    "kode_program": "PROGRAM",
    "kode_kegiatan": "KEGIATAN",
    "kode_sub_kegiatan": "SUB KEGIATAN / KODE SUB KEGIATAN",
    "nama_program": "NAMA PROGRAM",
    "nama_kegiatan": "NAMA KEGIATAN",
    "nama_sub_kegiatan": "NAMA SUB KEGIATAN",
    "usulan": "USULAN / KAMUS USULAN",
    "uraian": "PERMASALAHAN / URAIAN",
    "usulan_id": "ID USULAN",
}


@dataclass
class FileResult:
    source_file: str
    status: str  # loaded / unchanged / reactivated / duplicate / failed
    file_id: str | None = None
    kind: str | None = None
    rows_read: int = 0
    rows_staged: int = 0
    rows_skipped: int = 0
    superseded: int = 0
    message: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source_file": self.source_file,
            "status": self.status,
            "kind": self.kind,
            "rows_read": self.rows_read,
            "rows_staged": self.rows_staged,
            "rows_skipped": self.rows_skipped,
        }


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Python's cycle collector off while one file is read: a sheet is millions of live
    cells in lists, and every full collection walks them all again (a third of the time
    of a 100,000-row file). Loading creates no reference cycles worth collecting; the
    collector's previous state comes back afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def ingest_found(
    con: duckdb.DuckDBPyConnection, settings: Settings, found: Found, run_id: str, batch: Batch | None = None
) -> FileResult:
    """Load one discovered file, or record why not. Never raises for bad input. With a
    `batch`, a small file's writes are held and written with the others (its result's
    status can still turn to failed when that write fails)."""
    source = found.source_file
    if found.problem:
        err = IngestError("unsafe_path", found.problem)
        return _fail(con, found, _pseudo_id(found), None, None, err, run_id)
    try:
        size = found.path.stat().st_size
    except OSError as exc:
        return _fail(con, found, _pseudo_id(found), None, None, IngestError("unreadable", str(exc)), run_id)
    try:
        sha = None if size > settings.max_file_mb * 1024 * 1024 else file_digest(found.path)
    except OSError as exc:  # gone or locked between listing and reading
        return _fail(
            con, found, _pseudo_id(found, size), None, size, IngestError("unreadable", str(exc)), run_id
        )
    # (a file refused for its size is not even hashed)
    file_id = sha[:16] if sha else _pseudo_id(found, size)
    existing = _record(con, file_id, batch)
    if existing and existing["status"] in ("loaded", "superseded", "removed"):
        decided = _known_content(con, settings, found, existing, run_id)
        if decided is not None:
            return decided
    try:
        fmt = check_file(found.path, settings)
        with _no_cyclic_gc():
            return _load(con, settings, found, fmt, file_id, sha or file_id, size, run_id, batch)
    except IngestError as err:
        return _fail(con, found, file_id, sha, size, err, run_id)
    except Exception as exc:  # a bug must not stop the other files
        return _fail(con, found, file_id, sha, size, _internal_error(source, exc), run_id)


def _internal_error(source: str, exc: Exception) -> IngestError:
    log.error("ingest of %s failed unexpectedly:\n%s", source, traceback.format_exc())
    return IngestError(
        "internal_error", f"Kesalahan tak terduga saat membaca berkas ({type(exc).__name__}: {exc})."
    )


def _record(con: duckdb.DuckDBPyConnection, file_id: str, batch: Batch | None) -> dict | None:
    """The warehouse's record of these bytes, as it is once every held file is written: the
    same bytes held, or a held file about to supersede the record, write the batch first."""
    if batch is not None and batch.holds(file_id):
        batch.flush()
    existing = load.file_record(con, file_id)
    if existing is not None and batch is not None and batch.holds_source(existing["source_file"]):
        batch.flush()
        existing = load.file_record(con, file_id)
    return existing


def _pseudo_id(found: Found, size: int | None = None) -> str:
    """An id for a file refused before its content is read (size or path)."""
    return "p" + hashlib.sha256(f"{found.source_file}\0{size}".encode()).hexdigest()[:15]


def _known_content(
    con: duckdb.DuckDBPyConnection, settings: Settings, found: Found, existing: dict, run_id: str
) -> FileResult | None:
    """The same bytes were loaded before: nothing to do, bring that version back, or
    (when it was loaded under a name that no longer exists) reload it under the new name."""
    file_id, source = existing["file_id"], found.source_file
    if existing["source_file"] == source:
        if existing["status"] == "loaded":
            return FileResult(source, "unchanged", file_id)
        with transaction(con):  # an older version is back (a revert): it becomes current again
            superseded = load.supersede(con, source, file_id)
            load.reactivate(con, file_id, run_id)
        return FileResult(source, "reactivated", file_id, superseded=superseded)
    if existing["status"] == "loaded" and (settings.raw_dir / existing["source_file"]).exists():
        return FileResult(
            source,
            "duplicate",
            file_id,
            notes=[
                f"isinya sama persis dengan {existing['source_file']} yang sudah dimuat; tidak dimuat dua kali"
            ],
        )
    with transaction(con):  # renamed or moved: forget the old name, load under the new one
        load.delete_file(con, file_id)
    return None


def _fail(
    con: duckdb.DuckDBPyConnection,
    found: Found,
    file_id: str,
    sha: str | None,
    size: int | None,
    err: IngestError,
    run_id: str,
) -> FileResult:
    message = err.describe(found.source_file)
    log.warning("%s", message)
    with transaction(con):
        existing = load.file_record(con, file_id)
        if existing is not None and existing["source_file"] != found.source_file:
            # The same bytes refused under another name (two empty files, say): each file
            # keeps its own record, so the id also depends on the name.
            file_id = load.failed_id(found.source_file, file_id)
            existing = load.file_record(con, file_id)
        if existing is not None:
            load.delete_file(con, file_id)  # an earlier failed attempt of the same file
        load.insert_file(
            con,
            {
                "file_id": file_id,
                "source_file": found.source_file,
                "kind": found.kind,
                "sha256": sha or file_id,
                "size_bytes": size,
                "file_format": found.path.suffix.lower().lstrip(".") or None,
                "status": "failed",
                "reason": message,
                "run_id": run_id,
            },
        )
    return FileResult(found.source_file, "failed", file_id, kind=found.kind, message=message)


# ---------------------------------------------------------------------------------------
# Loading one file


def _load(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    found: Found,
    fmt: FileFormat,
    file_id: str,
    sha: str,
    size: int,
    run_id: str,
    batch: Batch | None,
) -> FileResult:
    source = found.source_file
    deferred = batch is not None and batch.takes(size)
    name_ctx = from_file_name(source)
    kind = found.kind
    notes = [fmt.note] if fmt.note else []
    sheets: list[dict[str, Any]] = []
    file_ctx: Context | None = None
    encoding = delimiter = None
    with nullcontext() if deferred else transaction(con):
        # The writer's batches are all in (or it failed) before anything else touches `con`.
        with load.Writer(con, file_id, source, TABLES.get(kind) if kind else None, deferred) as writer:
            for sheet in read_sheets(found.path, fmt.fmt, settings.stream_xlsx_mb):
                encoding, delimiter = sheet.encoding or encoding, sheet.delimiter or delimiter
                record, kind, ctx = _load_sheet(writer, sheet, kind, settings, name_ctx, source)
                sheets.append(record)
                if ctx is not None and file_ctx is None:
                    file_ctx = ctx
                if record["note"]:
                    notes.append(f"lembar '{sheet.name}': {record['note']}")
        loaded = [s for s in sheets if s["status"] == "loaded"]
        if not loaded:
            error = _no_header_error(sheets, found.kind)
            if fmt.note:  # e.g. text content under an .xlsx name: say so first
                error.message = f"{fmt.note} {error.message}"
            raise error
        rows_read = sum(s["rows_read"] for s in sheets)
        if rows_read != writer.rows_staged + writer.rows_skipped:
            raise IngestError(
                "accounting_mismatch",
                f"Jumlah baris tidak cocok: dibaca {rows_read}, dimuat {writer.rows_staged}, "
                f"dilewati {writer.rows_skipped}. Berkas tidak dimuat.",
            )
        ctx = file_ctx or name_ctx
        file_record = {
            "file_id": file_id,
            "source_file": source,
            "kind": kind,
            "sha256": sha,
            "size_bytes": size,
            "file_format": fmt.fmt,
            "status": "loaded",
            "opd": ctx.opd if kind in ("renja", "rkpd") else None,
            "tahun": ctx.tahun if kind in ("renja", "rkpd", "musrenbang", "pokir") else None,
            "rows_read": rows_read,
            "rows_staged": writer.rows_staged,
            "rows_skipped": writer.rows_skipped,
            "run_id": run_id,
            "note": "; ".join(notes) or None,
            "encoding": encoding,
            "delimiter": delimiter,
        }
        superseded = 0 if deferred else load.finish_file(con, file_id, sheets, file_record)
    log.info(
        "%s: %s rows read, %s staged, %s skipped", source, rows_read, writer.rows_staged, writer.rows_skipped
    )
    result = FileResult(
        source,
        "loaded",
        file_id,
        kind,
        rows_read,
        writer.rows_staged,
        writer.rows_skipped,
        superseded,
        notes=notes,
    )
    if deferred:
        assert batch is not None and writer.inserts is not None
        batch.add(
            load.PendingFile(file_id, writer.inserts, sheets, file_record),
            result,
            lambda exc: _fail(con, found, file_id, sha, size, _internal_error(source, exc), run_id),
        )
    return result


def _load_sheet(
    writer: load.Writer, sheet: Sheet, kind: str | None, settings: Settings, name_ctx: Context, source: str
) -> tuple[dict[str, Any], str | None, Context | None]:
    """Classify and buffer every row of one sheet. Returns the raw.sheet record, the
    file's kind (decided by this sheet's header for a top-level file) and the context."""
    record: dict[str, Any] = {
        "sheet": sheet.name,
        "sheet_index": sheet.index,
        "hidden": sheet.hidden,
        "status": "empty",
        "kind": None,
        "header_rows": None,
        "column_map": None,
        "rows_read": 0,
        "note": sheet.note,
    }
    head = list(islice(sheet.rows, max(1, settings.header_search_rows)))
    header = None
    if any(not is_blank(v) for _, cells in head for v in cells):
        width = sheet.width or max((len(c) for _, c in head), default=0)
        if kind is None:
            kind, header = _classify(head, sheet, width, source)
        else:
            header = find_header(head, vocabulary().kinds[kind], sheet.merged, sheet.first_col, width)
    rows = chain(head, sheet.rows)
    if header is None:
        _skip_unheaded_sheet(writer, sheet, kind, settings, head, rows, record)
        return record, kind, None
    if header.missing:
        raise _missing_error(header, sheet.name, _searched_text(head, settings.header_search_rows))
    if writer.table is None:
        writer.set_table(TABLES[kind])
    title = [" ".join(t for v in cells if (t := cell_text(v))) for n, cells in head if n < header.first_row]
    ctx = from_title(title).merged_with(name_ctx)
    money_note = _choose_money_column(header, settings.tahun or ctx.tahun)
    classifier = SheetRows(
        kind,
        header,
        sheet.hidden_rows,
        hidden_sheet=sheet.hidden,
        marks=sheet.line_marks,
        looks=Looks(sheet.styles, sheet.merged, sheet.first_col),
    )
    sheet_kind = kind
    writer.start_sheet(
        sheet.name,
        header.labels,
        sheet.first_col,
        lambda data: build_columns(sheet_kind, data, classifier.fmap, ctx),
    )
    count = 0
    for chunk in classifier.classify(rows, settings.load_batch_rows):
        writer.write(chunk)
        count += chunk.rows
    record.update(
        status="loaded",
        kind=kind,
        header_rows=header.rows,
        rows_read=count,
        column_map={f: header.labels[cols[0]] for f, cols in classifier.fmap.fields.items()},
    )
    notes = [record["note"]] if record["note"] else []
    if sheet.hidden:
        notes = ["lembar tersembunyi; dimuat karena headernya dikenali (baris ditandai hidden)"]
    notes.extend([money_note] if money_note else [])
    notes.extend(_duplicate_notes(header, classifier.fmap.fields))
    notes.extend(_broken_line_notes(sheet.line_marks))
    record["note"] = "; ".join(notes) or None
    return record, kind, ctx


def _skip_unheaded_sheet(
    writer: load.Writer,
    sheet: Sheet,
    kind: str | None,
    settings: Settings,
    head: list,
    rows: Iterator,
    record: dict[str, Any],
) -> None:
    """A sheet with no recognised header: every row is skipped with its reason, and the
    record says which rows were searched and what the best candidate header lacked."""
    writer.start_sheet(sheet.name, None, sheet.first_col)
    count, content = 0, False
    for batch in _batched(rows, settings.load_batch_rows):
        skipped = []
        for number, cells in batch:
            blank = all(is_blank(v) for v in cells)
            content = content or not blank
            hidden = sheet.hidden or number in sheet.hidden_rows
            reason = sheet.line_marks.get(number) or ("empty" if blank else "no_header")
            skipped.append(Skipped(number, hidden, cells, reason))
        writer.write_skipped(skipped)
        count += len(batch)
    record["rows_read"] = count
    if content:
        record["status"] = "no_header"
        specs = [vocabulary().kinds[k] for k in ([kind] if kind else KINDS) if k in vocabulary().kinds]
        width = sheet.width or max((len(c) for _, c in head), default=0)
        searched = _searched_text(head, settings.header_search_rows)
        candidate = best_candidate(head, specs, sheet.merged, sheet.first_col, width)
        record["candidate"] = f"{searched} {_candidate_text(candidate)}"
        record["note"] = record["note"] or (
            f"tidak ada header yang dikenali di {settings.header_search_rows} baris pertama; lembar tidak dimuat. "
            + _candidate_text(candidate)
        )


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_MONEY_FIELDS = ("pagu", "anggaran")


def _choose_money_column(header: HeaderMatch, tahun: int | None) -> str | None:
    """Several columns name the money (`Pagu 2021`, `Pagu 2022`; `Rencana Tahun 2021 /
    Pagu Indikatif`): the plan year's comes first (the others stay the fallback when its
    cell is empty). Returns the note that records the choice, or None when there was none."""
    for name in _MONEY_FIELDS:
        cols = header.fields.get(name, [])
        if len(cols) < 2:
            continue
        years = {c: {int(y) for y in _YEAR.findall(header.labels[c])} for c in cols}
        if tahun is None or not any(years.values()):
            choice, why = cols[0], "kolom pertama yang dikenali"
        else:
            matching = [c for c in cols if tahun in years[c]]
            if not matching:
                choice, why = cols[0], f"tidak ada kolom tahun {tahun}; dipakai kolom pertama"
            else:
                choice, why = matching[0], f"tahun rencana {tahun}"
        header.fields[name] = [choice, *(c for c in cols if c != choice)]
        labels = ", ".join(f"'{header.labels[c]}'" for c in cols)
        return f"{len(cols)} kolom {name} ({labels}): dipakai '{header.labels[choice]}' ({why})"
    return None


def _broken_line_notes(marks: dict[int, str]) -> list[str]:
    """One warning naming the CSV lines left out for an unbalanced quote."""
    broken = sorted(n for n, reason in marks.items() if reason == "broken_quote")
    if not broken:
        return []
    shown = ", ".join(map(str, broken[:20])) + (
        f" dan {len(broken) - 20} lainnya" if len(broken) > 20 else ""
    )
    return [
        f'baris {shown}: tanda kutip (") tidak berpasangan; baris itu tidak dimuat (lihat raw.skipped_row, '
        "alasan broken_quote), baris lain dibaca seperti biasa"
    ]


def _duplicate_notes(header: HeaderMatch, fields: dict[str, list[int]]) -> list[str]:
    """One warning per header label written twice: both columns are kept (suffixed)."""
    notes = []
    for base, names in header.duplicates().items():
        kept = ", ".join(f"'{n}'" for n in names)
        used = next((f for f, cols in fields.items() if header.labels[cols[0]] == base), None)
        tail = f"; untuk {used} dipakai '{base}' (kolom berikutnya bila kosong)" if used else ""
        notes.append(
            f"kolom '{base}' muncul {len(names)} kali di header; semuanya disimpan sebagai {kept}{tail}"
        )
    return notes


def _batched(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while batch := list(islice(rows, size)):
        yield batch


def _classify(head: list, sheet: Sheet, width: int, source: str) -> tuple[str | None, HeaderMatch | None]:
    """The kind of a top-level file: the kind whose header fits best; name and title words
    break near-ties; musrenbang vs pokir needs such a word."""
    vocab = vocabulary()
    matches = {}
    for kind in KINDS:
        if kind not in vocab.kinds:
            continue
        m = find_header(head, vocab.kinds[kind], sheet.merged, sheet.first_col, width)
        if m is not None and not m.missing:
            matches[kind] = m
    if not matches:
        return None, None
    best_score = max(m.score for m in matches.values())
    close = {k: m for k, m in matches.items() if m.score >= best_score * 0.85}
    if len(close) > 1:  # e.g. renja vs rkpd, musrenbang vs pokir (same columns)
        top = max(close.values(), key=lambda m: m.first_row).first_row
        title = " ".join(t for n, cells in head if n < top for v in cells if (t := cell_text(v)))
        labels = " ".join(" ".join(m.labels) for m in close.values())
        hinted = kind_hint(source, title) & set(close)
        if len(hinted) != 1:
            hinted = (kind_hint(source, title, labels) & set(close)) or hinted
        if len(hinted) == 1:
            kind = hinted.pop()
            return kind, close[kind]
        names = ", ".join(sorted(close))
        raise IngestError(
            "unknown_kind",
            f"Jenis berkas tidak dapat ditentukan dari headernya (cocok dengan: {names}). "
            f"Pindahkan berkas ke data/raw/<jenis>/, mis. data/raw/{sorted(close)[0]}/.",
            sheet=sheet.name,
        )
    kind = next(iter(close))
    return kind, close[kind]


def _wanted(groups: list[tuple[str, ...]] | tuple[tuple[str, ...], ...]) -> str:
    return "; ".join(" atau ".join(FIELD_LABELS.get(f, f) for f in group[:3]) for group in groups)


def _searched_text(head: list, limit: int) -> str:
    """Which rows the header search looked at: a header further down is never found."""
    if not head:
        return "Lembar kosong."
    last = head[-1][0]
    more = (
        " (hanya baris-baris ini yang dicari; pengaturan SELARAS_HEADER_SEARCH_ROWS)"
        if len(head) >= limit
        else ""
    )
    return f"Header dicari di baris {head[0][0]}-{last}{more}."


def _candidate_text(candidate: Candidate | None) -> str:
    if candidate is None:
        return "Tidak ada baris yang tampak seperti judul kolom."
    labels = ", ".join(f"'{t[:40]}'" for t in candidate.labels)
    named = ", ".join(FIELD_LABELS.get(f, f) for f in candidate.fields) or "-"
    lacking = _wanted(candidate.lacking) if candidate.lacking else "kolom kedua yang dikenali"
    return (
        f"Calon header terbaik: baris {candidate.row} ({labels}); kolom yang dikenali: {named}; "
        f"yang kurang: {lacking}."
    )


def _missing_error(header: HeaderMatch, sheet: str, searched: str) -> IngestError:
    found = ", ".join(header.labels[cols[0]] for f, cols in header.fields.items() if not f.startswith("_"))
    return IngestError(
        "required_column_missing",
        f"Kolom pengenal baris tidak ditemukan di header (baris {header.rows}): diharapkan {_wanted(header.missing)}. "
        f"Kolom yang dikenali: {found or '-'}. {searched}",
        sheet=sheet,
        row=header.first_row,
    )


def _no_header_error(sheets: list[dict[str, Any]], kind: str | None) -> IngestError:
    if all(s["status"] == "empty" for s in sheets):
        return IngestError("empty_file", "Berkas tidak berisi data (semua lembar kosong).")
    what = (
        f"berkas {kind}"
        if kind
        else "berkas perencanaan (renja, rkpd, musrenbang, pokir, nomenklatur, wilayah, opd)"
    )
    refused = [s for s in sheets if s["status"] == "no_header"]
    names = [s["sheet"] for s in refused]
    detail = " ".join(
        s["candidate"] if len(refused) == 1 else f"Lembar '{s['sheet']}': {s['candidate']}"
        for s in refused[:3]
        if s.get("candidate")
    )
    return IngestError(
        "no_header",
        f"Tidak ada lembar dengan header yang dikenali sebagai {what}. Diharapkan baris judul kolom seperti "
        "KODE, PROGRAM/KEGIATAN/SUB KEGIATAN, INDIKATOR, TARGET, PAGU (atau USULAN, LOKASI, ANGGARAN untuk usulan) "
        f"di baris-baris pertama lembar. {detail}".rstrip(),
        sheet=names[0] if len(names) == 1 else None,
    )
