"""The review workbook's layout, shared by the writer (selaras.review.book) and the reader
(selaras.review.read), so both always agree on columns.

Columns are found by their header text when a filled-in workbook is read back, so a
planner may move or add columns. Every locked column (and every hidden one) is covered by
a per-column checksum written into the hidden `_checksum` column: reading it back tells
which locked column was edited, without storing the original values twice.

May import: the standard library only.
"""

from __future__ import annotations

import json
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
    kind: str = "text"  # text / number
    editable: bool = False  # unlocked for the planner
    hidden: bool = False


# Visible columns first, then the planner's columns, then two hidden ones: the row's
# identity (one JSON cell: fewer cells make a 50,000-row workbook faster to write and
# open) and the checksum.
def columns(n_candidates: int) -> list[Column]:
    cols = [
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
        Column("id", "_id", 12, hidden=True),
        Column("checksum", "_checksum", 12, hidden=True),
    ]
    return cols


@dataclass(frozen=True)
class Identity:
    """What the hidden `_id` cell says about the row: the subject, its fingerprint when
    the workbook was made, the matcher's target and who had decided it, the candidates."""

    task: str
    subject_ref: str
    fingerprint: str | None
    target_ref: str | None
    decided_by: str | None
    candidates: tuple[str, ...]

    def dumps(self) -> str:
        return json.dumps(
            {
                "task": self.task,
                "ref": self.subject_ref,
                "fp": self.fingerprint,
                "target": self.target_ref,
                "by": self.decided_by,
                "cand": list(self.candidates),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def loads(cls, text: Any) -> Identity | None:
        try:
            d = json.loads(str(text))
            return cls(
                str(d["task"]),
                str(d["ref"]),
                d.get("fp"),
                d.get("target"),
                d.get("by"),
                tuple(str(c) for c in d.get("cand") or ()),
            )
        except (ValueError, TypeError, KeyError):
            return None


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
    digests = text[len(prefix) :]
    return [c for i, c in enumerate(ck) if digests[4 * i : 4 * i + 4] != _digest(values.get(c.key))]
