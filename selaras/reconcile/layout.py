"""The review workbook's layout, shared by the writer (selaras.report.review_book) and the
reader (selaras.reconcile.review_ingest), so both always agree on columns.

Columns are found by their header text when a filled-in workbook is read back, so a
planner may move or add columns. Every locked column (and every hidden one) is covered by
a per-column checksum written into the hidden `_checksum` column: reading it back tells
which locked column was edited, without storing the original values twice.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

TASKS = ("renja_rkpd", "usulan_renja")
TASK_LABEL = {"renja_rkpd": "Renja → RKPD", "usulan_renja": "Usulan → Renja"}

SHEET_REVIEW = "Perlu Review"
SHEET_ALL = "Semua Baris"
SHEET_GUIDE = "Petunjuk"
DATA_SHEETS = (SHEET_REVIEW, SHEET_ALL)

CHECKSUM_VERSION = "c1"
MAX_TEXT = 32000  # an xlsx cell holds at most 32,767 characters


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    kind: str = "text"          # text / number
    editable: bool = False      # unlocked for the planner
    hidden: bool = False


# Visible columns first, then the planner's columns, then the hidden identity columns.
def columns(n_candidates: int) -> list[Column]:
    cols = [
        Column("no", "No", 6, "number"),
        Column("tugas", "Tugas", 15),
        Column("opd", "OPD", 28),
        Column("subjek", "Baris yang ditinjau", 50),
        Column("sumber", "Sumber (berkas:lembar:baris)", 30),
        Column("status", "Status saat ini", 16),
        Column("skor", "Skor", 7, "number"),
        Column("pasangan", "Pasangan usulan sistem", 45),
        Column("alasan_sistem", "Alasan sistem", 45),
    ]
    cols += [Column(f"kandidat_{i}", f"Kandidat {i}", 40) for i in range(1, n_candidates + 1)]
    cols += [
        Column("keputusan", "Keputusan", 20, editable=True),
        Column("alasan", "Alasan / catatan peninjau", 36, editable=True),
        Column("peninjau", "Peninjau", 18, editable=True),
    ]
    cols += [
        Column("task", "_task", 12, hidden=True),
        Column("subject_ref", "_subject_ref", 12, hidden=True),
        Column("fingerprint", "_fingerprint", 12, hidden=True),
        Column("target_ref", "_target_ref", 12, hidden=True),
        Column("matcher_status", "_matcher_status", 12, hidden=True),
        Column("decided_by", "_decided_by", 12, hidden=True),
        Column("candidate_refs", "_candidate_refs", 12, hidden=True),
        Column("checksum", "_checksum", 12, hidden=True),
    ]
    return cols


def checked(cols: list[Column]) -> list[Column]:
    """The columns a planner is not meant to change, in checksum order."""
    return [c for c in cols if not c.editable and c.key != "checksum"]


def canonical(value: Any) -> str:
    """A cell value as text, identical whether it was just written or read back (numbers
    come back from calamine as int or float, text may gain CRLF line ends)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return f"{float(value):.4f}"
    return str(value).replace("\r\n", "\n").strip()


def _digest(value: Any) -> str:
    # Detects edits, not tampering (the sheet is protected without a password anyway).
    return f"{zlib.crc32(canonical(value).encode('utf-8')) & 0xFFFF:04x}"


def checksum(values: list[Any]) -> str:
    """Four hex digits per checked column, in order: `c1:ab12cd34...`."""
    return CHECKSUM_VERSION + ":" + "".join(_digest(v) for v in values)


def edited_columns(cols: list[Column], values: dict[str, Any], stored: Any) -> list[Column] | None:
    """The checked columns whose value no longer matches the stored checksum; None when
    the checksum itself is missing or malformed (then nothing can be trusted)."""
    text = canonical(stored)
    ck = checked(cols)
    prefix = CHECKSUM_VERSION + ":"
    if not text.startswith(prefix) or len(text) != len(prefix) + 4 * len(ck):
        return None
    digests = text[len(prefix):]
    return [c for i, c in enumerate(ck) if digests[4 * i: 4 * i + 4] != _digest(values.get(c.key))]
