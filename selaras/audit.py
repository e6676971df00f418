"""The audit: nothing lost, nothing counted twice, and the analysts' views agree with the
clean tables. The checks are SQL views in sql/095_checks.sql (schema `audit`), one per
check, each returning the rows that break it; this module only runs them and words
those rows for planners (Indonesian, with the English gist in brackets).

- `check_accounting(con)`: after every run (pipeline.complete_run), every problem found;
  empty when all is well. A run with problems is not published.
- `accounting_figures(con)`: the totals a run report quotes (rows read, loaded,
  quarantined, skipped, lost).
- `row_accounting(con, file_ids)` / `check_row_balance(con, file_ids)`: the per-file
  balance the validate stage checks for the files it validated (raises RowAccountingError).

Only reads. View names are code constants; values travel as bound parameters.

May import: duckdb, pandas, selaras.warehouse. A shared lower layer: stages and the pipeline
import it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from selaras.warehouse import memory_limit

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

_LIMIT = 20  # problems listed per check; the count says how many more there are
#: DuckDB's memory while the checks run (Settings.audit_memory_limit in a run). They are
#: anti-joins and counts over every row of the region: on a 1,000,000-row file they took the
#: process from about 530 MB (after ingest) to 900-1,050 MB, run to run; bounded, DuckDB
#: spills what does not fit to its temp folder and the same checks stay at the ingest's peak
#: (0.8 s instead of 0.5 s).
AUDIT_MEMORY_LIMIT = "300MB"


class RowAccountingError(RuntimeError):
    """Rows went missing (or appeared) between reading a file and validating it."""


# --------------------------------------------------------------------------- wording, per check view

Words = Callable[[tuple], "str | list[str]"]


def _file_balance(r: tuple) -> str:
    source, file_id, read, staged, skipped, found_staged, found_skipped = r
    return (
        f"{source} (file_id {file_id}): dibaca {read} baris, tetapi di staged.* ada {found_staged} "
        f"dan di raw.skipped_row ada {found_skipped} (= {found_staged + found_skipped}); ingest mencatat "
        f"{staged} dimuat + {skipped} dilewati (rows_read != staged + skipped: rows lost or counted twice)"
    )


def _sheet_numbering(r: tuple) -> str:
    source, sheet, read, n, distinct, lo, hi = r
    return (
        f"{source} [lembar '{sheet}']: {read} baris dibaca, tercatat {n} baris ({distinct} nomor berbeda, "
        f"baris {lo}..{hi}); seharusnya tepat baris 1..{read} masing-masing sekali "
        "(rows lost, duplicated or misnumbered)"
    )


def _analytics_mirror(r: tuple) -> list[str]:
    view, clean, n_view, n_clean, missing, extra, multiplied = r
    out = []
    if n_view != n_clean or multiplied:
        out.append(
            f"{view} punya {n_view} baris, {clean} punya {n_clean} "
            f"({multiplied} kunci muncul dengan jumlah berbeda) (analytics view disagrees with clean)"
        )
    if missing or extra:
        out.append(f"{view}: {missing} baris {clean} tidak muncul, {extra} baris tidak berasal dari {clean}")
    return out


#: (audit view, how one of its rows reads), in the order the problems are listed.
CHECKS: tuple[tuple[str, Words], ...] = (
    ("file_balance", _file_balance),
    ("sheet_numbering", _sheet_numbering),
    (
        "sheet_unrecorded",
        lambda r: f"{r[0]} [lembar '{r[1]}']: ada baris staged tetapi lembarnya tidak tercatat di raw.sheet",
    ),
    ("file_sheet_total", lambda r: f"{r[0]}: rows_read berkas {r[1]} != jumlah rows_read per lembar {r[2]}"),
    (
        "lineage_broken",
        lambda r: f"{r[2]}: {r[0]} row_ref '{r[1]}' tidak sesuai berkas:lembar:baris (lineage broken)",
    ),
    (
        "row_ref_repeated",
        lambda r: f"row_ref '{r[0]}' muncul {r[1]} kali di antara berkas yang berlaku (row_ref not unique)",
    ),
    (
        "failed_file_leftovers",
        lambda r: (
            f"{r[0]}: berkas gagal dimuat tetapi meninggalkan {r[1]} baris (failed file left partial rows)"
        ),
    ),
    (
        "clean_and_quarantined",
        lambda r: f"baris {r[0]} ada di clean dan sekaligus dikarantina (both clean and quarantined)",
    ),
    (
        "neither_clean_nor_quarantined",
        lambda r: f"baris {r[0]} tidak ada di clean maupun karantina (row lost between staged and clean)",
    ),
    ("clean_repeated", lambda r: f"baris {r[0]} muncul {r[1]} kali di clean (duplicated in clean)"),
    ("analytics_mirror", _analytics_mirror),
)


def _problems(con: duckdb.DuckDBPyConnection, view: str, words: Words) -> list[str]:
    relation = f"audit.{view}"  # a code constant from CHECKS
    count = con.execute(f"select count(*) from {relation}").fetchone()[0]  # noqa: S608
    if not count:
        return []
    rows = con.execute(f"select * from {relation} order by all limit {_LIMIT}").fetchall()  # noqa: S608
    more = [f"... dan {count - _LIMIT} lagi (and {count - _LIMIT} more)"] if count > _LIMIT else []
    out: list[str] = []
    for r in rows:
        worded = words(r)
        out += [worded] if isinstance(worded, str) else worded
    return out + more


def check_accounting(con: duckdb.DuckDBPyConnection, limit: str | None = AUDIT_MEMORY_LIMIT) -> list[str]:
    """Every problem found (empty when every row is accounted for and the analytics views
    agree with the clean tables). A check that cannot run (a table missing) is a problem too.
    `limit`: DuckDB's memory limit meanwhile (None: DuckDB's default)."""
    problems: list[str] = []
    with memory_limit(con, limit):
        for view, words in CHECKS:
            try:
                problems += _problems(con, view, words)
            except Exception as exc:  # a broken warehouse must be reported, not hide the other checks
                problems.append(f"pemeriksaan {view} gagal dijalankan ({type(exc).__name__}: {exc})")
    return problems


def accounting_figures(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Totals over current files: rows read, loaded, quarantined, skipped, and lost
    (read - loaded - quarantined - skipped; zero when the accounting holds)."""
    cursor = con.execute("select * from audit.figures")
    names = [d[0] for d in cursor.description]
    return {name: int(value) for name, value in zip(names, cursor.fetchone(), strict=True)}


# --------------------------------------------------------------------------- per-file balance (validate)


def row_accounting(con: duckdb.DuckDBPyConnection, file_ids: list[str] | None = None) -> pd.DataFrame:
    """analytics.row_accounting of the current files (of `file_ids`, when given)."""
    rows = con.execute(
        "select * from analytics.row_accounting where status = 'loaded' order by source_file"
    ).df()
    if file_ids is not None:
        rows = rows[rows["file_id"].isin(file_ids)]
    return rows.reset_index(drop=True)


def check_row_balance(con: duckdb.DuckDBPyConnection, file_ids: list[str] | None = None) -> pd.DataFrame:
    """Raise RowAccountingError naming every unbalanced file (audit.row_balance) and its
    numbers; return the accounting of `file_ids` otherwise."""
    bad = con.execute("select * from audit.row_balance order by source_file").df()
    if file_ids is not None:
        bad = bad[bad["file_id"].isin(file_ids)]
    if not bad.empty:
        lines = [
            f"{r.source_file} (file_id {r.file_id}): dibaca {r.rows_read} baris, tetapi dimuat {r.rows_loaded} "
            f"+ dikarantina {r.rows_quarantined} + dilewati {r.rows_skipped} = "
            f"{r.rows_loaded + r.rows_quarantined + r.rows_skipped}"
            for r in bad.itertuples()
        ]
        raise RowAccountingError(
            "Jumlah baris tidak seimbang (row accounting mismatch: rows_read != loaded + quarantined + skipped) "
            "pada " + str(len(lines)) + " berkas:\n" + "\n".join(lines)
        )
    return row_accounting(con, file_ids)
