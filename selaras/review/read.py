"""Read planners' filled-in review workbooks from raw/review/ into review.decision.

Every file is read again on every run (a review workbook is small next to the inputs), so
its problems are reported on every run until someone fixes them; its decisions are keyed
by content hash, sheet and row, so re-reading the same file changes nothing. A new version
of a file (same path, new content) supersedes the decisions of the old one; a file that is
removed keeps its decisions (the warehouse is the record of what was decided); clearing a
decision's cell in a new version withdraws it.

Read with python-calamine, the reader the ingest stage uses (called directly: this
package sits below the stages). May import: duckdb, pandas, python_calamine,
selaras.settings, selaras.warehouse, selaras.review.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import duckdb
import pandas as pd
from python_calamine import CalamineWorkbook

from selaras.review import layout
from selaras.review.problems import Problem
from selaras.review.vocabulary import Parsed, is_choose_without_number, parse_decision
from selaras.settings import Settings
from selaras.warehouse import insert_df

SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
NEGATIVE = {"tidak_selaras", "tidak_terakomodir"}
DECISION_LABEL = {
    "accept": "terima",
    "reject": "tolak",
    "choose": "pilih",
    "tidak_terakomodir": "tidak terakomodir",
}


@dataclass
class ParsedFile:
    decisions: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0


def _text(value: Any) -> str:
    return (
        layout.canonical(value)
        if not isinstance(value, int | float) or isinstance(value, bool)
        else (str(int(value)) if float(value).is_integer() else str(value))
    )


def core_properties(path: Path) -> tuple[str | None, datetime | None]:
    """Who saved the workbook last and when (docProps/core.xml), if it says."""
    ns = {
        "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
        "dc": "http://purl.org/dc/elements/1.1/",
        "dcterms": "http://purl.org/dc/terms/",
    }
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("docProps/core.xml")
            if info.file_size > 1_000_000:
                return None, None
            root = ElementTree.fromstring(zf.read(info))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError):
        return None, None
    who = root.findtext("cp:lastModifiedBy", namespaces=ns) or root.findtext("dc:creator", namespaces=ns)
    when_text = root.findtext("dcterms:modified", namespaces=ns)
    when = None
    if when_text:
        try:
            when = datetime.fromisoformat(when_text.replace("Z", "+00:00")).astimezone().replace(tzinfo=None)
        except ValueError:
            when = None
    return (who.strip() or None) if who else None, when


def _refuse_reason(path: Path, settings: Settings) -> str | None:
    """Same limits as the input files: size, and for zip containers the unpacked size and
    compression ratio (a zip bomb must not reach the reader)."""
    size = path.stat().st_size
    if size > settings.max_file_mb * 1e6:
        return f"berkas lebih besar dari {settings.max_file_mb:.0f} MB"
    if path.suffix.lower() in {".xlsx", ".xlsm", ".ods"}:
        try:
            with zipfile.ZipFile(path) as zf:
                unpacked = sum(i.file_size for i in zf.infolist())
        except zipfile.BadZipFile:
            return "berkas rusak atau bukan workbook xlsx/ods"
        if unpacked > settings.max_unzipped_mb * 1e6:
            return f"isi berkas setelah diekstrak melebihi {settings.max_unzipped_mb:.0f} MB"
        if size and unpacked / size > settings.max_zip_ratio:
            return "rasio kompresi berkas tidak wajar (kemungkinan zip bomb)"
    return None


def _header_index(rows: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    for i, row in enumerate(rows[:20]):
        names = {_text(v): j for j, v in enumerate(row) if _text(v)}
        if "_id" in names and "_checksum" in names:
            return i, names
    return None


def parse_workbook(
    path: Path, source_file: str, file_id: str, default_reviewer: str | None, decided_at: datetime | None
) -> ParsedFile:
    out = ParsedFile()
    wb = CalamineWorkbook.from_path(str(path))
    found_sheet = False
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    for sheet in wb.sheet_names:
        rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        header = _header_index(rows)
        if header is None:
            continue
        found_sheet = True
        header_row, names = header
        n_header_candidates = sum(1 for n in names if n.startswith("Kandidat "))
        for i in range(header_row + 1, len(rows)):
            cells = rows[i]
            if not any(_text(v) for v in cells):
                continue
            out.rows_read += 1
            row = _Row(out, source_file, sheet, i + 1, file_id, default_reviewer, decided_at, seen)
            _parse_row(row, cells, names, n_header_candidates)
    if not found_sheet:
        out.problems.append(
            Problem(
                source_file,
                None,
                None,
                "not_review_workbook",
                "Tidak ada lembar review yang dikenali (kolom tersembunyi _id dan _checksum tidak ada). "
                "Gunakan lembar review yang dibuat selaras (processed/review/).",
                fatal=False,
            )
        )
    return out


def _columns_for(checksum_text: str, n_header_candidates: int) -> list[layout.Column]:
    """The layout the row was written with: its candidate count follows from the length
    of its checksum (robust to a deleted Kandidat column)."""
    fixed = len(layout.checked(layout.columns(0)))
    prefix = layout.CHECKSUM_VERSION + ":"
    if checksum_text.startswith(prefix) and (len(checksum_text) - len(prefix)) % 4 == 0:
        n = (len(checksum_text) - len(prefix)) // 4 - fixed
        if n >= 0:
            return layout.columns(n)
    return layout.columns(n_header_candidates)


@dataclass
class _Row:
    """One data row of a review sheet being read, and where its problems go."""

    out: ParsedFile
    source_file: str
    sheet: str
    row: int
    file_id: str
    default_reviewer: str | None
    decided_at: datetime | None
    seen: dict[tuple[str, str], tuple[str, int]]
    subject: str | None = None

    def problem(self, rule: str, message: str, column: str | None = None) -> None:
        self.out.problems.append(
            Problem(self.source_file, self.sheet, self.row, rule, message, column, self.subject)
        )


def _row_values(
    cells: list[Any], names: dict[str, int], n_header_candidates: int
) -> tuple[list[layout.Column], dict[str, Any]]:
    """The row's cells by column key, in the layout it was written with ('' read as None)."""
    checksum_text = _text(cells[names["_checksum"]]) if names["_checksum"] < len(cells) else ""
    cols = _columns_for(checksum_text, n_header_candidates)
    values = {
        c.key: (cells[names[c.header]] if c.header in names and names[c.header] < len(cells) else None)
        for c in cols
    }
    return cols, {k: (None if isinstance(v, str) and v == "" else v) for k, v in values.items()}


def _identity_intact(
    r: _Row, cols: list[layout.Column], values: dict[str, Any], names: dict[str, int]
) -> bool:
    """Report every locked column edited; False when the hidden identity cannot be trusted
    (its checksum is missing or a hidden column was edited)."""
    edited = layout.edited_columns(cols, values, values.get("checksum"))
    if edited is None:
        r.problem(
            "edited_column",
            "Kolom tersembunyi _checksum kosong atau diubah, sehingga isi baris ini tidak "
            "dapat dicocokkan dengan lembar asli.",
            "_checksum",
        )
        return False
    intact = True
    for c in edited:
        if c.hidden:
            intact = False
            r.problem(
                "edited_column",
                f"Kolom tersembunyi '{c.header}' diubah; baris ini tidak lagi menunjuk "
                "baris yang ditinjau dengan pasti.",
                c.header,
            )
        elif c.header not in names:
            r.problem("edited_column", f"Kolom '{c.header}' dihapus dari lembar.", c.header)
        else:
            r.problem(
                "edited_column",
                f"Kolom '{c.header}' dikunci tetapi isinya diubah; perubahan di kolom ini "
                "tidak dibaca. Tulis koreksi di kolom Keputusan dan Alasan.",
                c.header,
            )
    return intact


def _parsed_decision(r: _Row, values: dict[str, Any]) -> Parsed | None:
    """The decision typed in the row, or None (an empty cell, or a problem reported)."""
    raw = values.get("keputusan")
    if raw is None or _text(raw) == "":
        if _text(values.get("alasan")) or _text(values.get("peninjau")):
            r.problem(
                "unknown_decision",
                "Alasan atau peninjau diisi tetapi Keputusan kosong; baris ini tidak diputuskan.",
                "Keputusan",
            )
        return None
    parsed = parse_decision(raw)
    if parsed is None:
        hint = (
            "sebutkan nomor kandidat, misalnya 'pilih 2'"
            if is_choose_without_number(raw)
            else "gunakan terima / tolak / pilih N / tidak terakomodir"
        )
        r.problem("unknown_decision", f"Keputusan '{_text(raw)}' tidak dipahami ({hint}).", "Keputusan")
    return parsed


def _target(
    r: _Row, parsed: Parsed, identity: layout.Identity, matcher_status: str | None
) -> tuple[bool, str | None]:
    """(usable, the chosen target): the candidate picked, the matcher's target accepted,
    or None for a negative decision."""
    if parsed.decision == "choose":
        candidates = identity.candidates
        if not 1 <= (parsed.rank or 0) <= len(candidates):
            r.problem(
                "bad_candidate",
                f"Kandidat {parsed.rank} tidak ada pada baris ini (ada {len(candidates)} kandidat).",
                "Keputusan",
            )
            return False, None
        return True, candidates[parsed.rank - 1]
    if parsed.decision == "accept" and matcher_status not in NEGATIVE:
        if not identity.target_ref:
            r.problem(
                "bad_candidate",
                "Tidak ada pasangan usulan sistem yang dapat diterima; gunakan 'pilih N' "
                "atau 'tidak terakomodir'.",
                "Keputusan",
            )
            return False, None
        return True, identity.target_ref
    return True, None


def _parse_row(r: _Row, cells: list[Any], names: dict[str, int], n_header_candidates: int) -> None:
    cols, values = _row_values(cells, names, n_header_candidates)
    identity = layout.Identity.loads(values.get("id")) if values.get("id") is not None else None
    r.subject = identity.subject_ref if identity else None
    added = values.get("id") is None and values.get("checksum") is None  # a row the planner added
    intact = not added and _identity_intact(r, cols, values, names)
    parsed = _parsed_decision(r, values)
    if parsed is None:
        return
    if added or identity is None or identity.task not in layout.TASKS or not r.subject:
        r.problem(
            "missing_identity",
            "Baris ini tidak punya identitas (kolom tersembunyi _id kosong atau rusak); "
            "baris yang ditambahkan sendiri tidak dapat diputuskan.",
            "_id",
        )
        return
    if not intact:
        r.problem(
            "edited_column",
            "Keputusan tidak diterapkan karena identitas baris tidak dapat dipastikan.",
            "Keputusan",
        )
        return
    matcher_status = _text(values.get("status")) or None
    usable, chosen = _target(r, parsed, identity, matcher_status)
    if not usable:
        return
    decision = parsed.decision
    if decision == "tidak_terakomodir" and identity.task == "renja_rkpd":
        decision = "reject"  # a Renja row is "tidak selaras", the same as rejecting its RKPD item
    reason = "; ".join(x for x in (parsed.reason, _text(values.get("alasan")) or None) if x) or None
    if parsed.decision == "tidak_terakomodir" and not reason:
        r.problem(
            "missing_reason",
            "Keputusan 'tidak terakomodir' tanpa alasan; isi kolom Alasan agar Forum OPD "
            "dapat mencatatnya (keputusan tetap diterapkan).",
            "Alasan / catatan peninjau",
        )
    key = (identity.task, r.subject)
    if key in r.seen:
        first_sheet, first_row = r.seen[key]
        r.problem(
            "duplicate_subject",
            f"Baris yang sama sudah diputuskan di lembar {first_sheet} baris {first_row}; "
            "keputusan di baris ini diabaikan.",
            "Keputusan",
        )
        return
    r.seen[key] = (r.sheet, r.row)
    r.out.decisions.append(
        {
            "decision_id": f"{r.file_id}:{r.sheet}:{r.row}",
            "file_id": r.file_id,
            "task": identity.task,
            "subject_ref": r.subject,
            "row_fingerprint": identity.fingerprint,
            "decision": decision,
            "decision_text": _text(values.get("keputusan")),
            "candidate_rank": parsed.rank,
            "chosen_ref": chosen,
            "matcher_ref": identity.target_ref or None,
            "matcher_status": matcher_status,
            "matcher_decided_by": identity.decided_by,
            "reason": reason,
            "reviewer": _text(values.get("peninjau")) or r.default_reviewer,
            "decided_at": r.decided_at,
            "source_file": r.source_file,
            "sheet": r.sheet,
            "source_row": r.row,
            "superseded": False,
        }
    )


def review_files(settings: Settings) -> list[Path]:
    folder = settings.raw_dir / "review"
    if not folder.is_dir():
        return []
    # Office lock files (~$name.xlsx) and hidden files are not workbooks anyone dropped.
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(("~$", ".")))


def ingest_review_files(
    con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str
) -> tuple[list[Problem], dict]:
    problems: list[Problem] = []
    figures = {"review_files": 0, "review_rows": 0, "review_decisions_read": 0}
    current: dict[str, str] = {}  # source_file -> file_id
    by_content: dict[str, str] = {}
    for path in review_files(settings):
        source_file = path.relative_to(settings.raw_dir).as_posix()
        if path.suffix.lower() not in SUFFIXES:
            problems.append(
                Problem(
                    source_file,
                    None,
                    None,
                    "not_review_workbook",
                    "Bukan workbook (xlsx/xlsm/xls/ods); berkas ini tidak dibaca.",
                )
            )
            continue
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        file_id = sha[:16]
        if file_id in by_content:
            problems.append(
                Problem(
                    source_file,
                    None,
                    None,
                    "duplicate_file",
                    f"Isi berkas sama persis dengan {by_content[file_id]}; tidak dibaca dua kali.",
                )
            )
            continue
        by_content[file_id] = source_file
        figures["review_files"] += 1
        reviewer, modified = core_properties(path)
        modified = modified or datetime.fromtimestamp(path.stat().st_mtime)
        refused = _refuse_reason(path, settings)
        parsed = ParsedFile()
        if refused is None:
            try:
                parsed = parse_workbook(path, source_file, file_id, reviewer, modified)
            except Exception as exc:  # calamine raises several types for broken files
                refused = f"berkas tidak dapat dibaca ({type(exc).__name__}: {str(exc)[:200]})"
        if refused:
            problems.append(
                Problem(
                    source_file,
                    None,
                    None,
                    "unreadable_file",
                    f"Workbook review tidak dapat dibaca: {refused}.",
                    fatal=True,
                )
            )
        problems.extend(parsed.problems)
        figures["review_rows"] += parsed.rows_read
        figures["review_decisions_read"] += len(parsed.decisions)
        _store_file(con, run_id, file_id, sha, source_file, reviewer, modified, parsed, refused)
        current[source_file] = file_id
    _supersede(con, current)
    return problems, figures


def _store_file(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    file_id: str,
    sha: str,
    source_file: str,
    reviewer: str | None,
    modified: datetime | None,
    parsed: ParsedFile,
    refused: str | None,
) -> None:
    con.execute(
        "insert into review.file (file_id, source_file, sha256, status, reason, reviewer, modified_at, rows_read, "
        "decisions, first_run_id, last_run_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "on conflict (file_id) do update set source_file = excluded.source_file, status = excluded.status, "
        "reason = excluded.reason, rows_read = excluded.rows_read, decisions = excluded.decisions, "
        "last_run_id = excluded.last_run_id",
        [
            file_id,
            source_file,
            sha,
            "failed" if refused else "read",
            refused,
            reviewer,
            modified,
            parsed.rows_read,
            len(parsed.decisions),
            run_id,
            run_id,
        ],
    )
    # Keep the first ingestion time of decisions read before (ordering of equal-time decisions).
    first_seen = dict(
        con.execute(
            "select decision_id, ingested_at from review.decision where file_id = ?", [file_id]
        ).fetchall()
    )
    con.execute("delete from review.decision where file_id = ?", [file_id])
    if parsed.decisions:
        now = datetime.now()
        df = pd.DataFrame(
            [d | {"ingested_at": first_seen.get(d["decision_id"], now)} for d in parsed.decisions]
        )
        insert_df(con, "review.decision", df)


def _supersede(con: duckdb.DuckDBPyConnection, current: dict[str, str]) -> None:
    """The file now at a path is that path's truth; its earlier versions are superseded."""
    for source_file, file_id in current.items():
        old = [
            r[0]
            for r in con.execute(
                "select file_id from review.file where source_file = ? and file_id <> ?",
                [source_file, file_id],
            ).fetchall()
        ]
        con.execute("update review.file set status = 'superseded' where file_id in (select unnest(?))", [old])
        con.execute("update review.decision set superseded = true where file_id in (select unnest(?))", [old])
        con.execute("update review.decision set superseded = false where file_id = ?", [file_id])
