"""Nothing lost: per current file, rows read = rows loaded + rows quarantined + rows skipped
(analytics.row_accounting). A mismatch is a defect somewhere upstream and fails the run."""

from __future__ import annotations

import duckdb
import pandas as pd


class RowAccountingError(RuntimeError):
    """Rows went missing (or appeared) between reading a file and validating it."""


def accounting(con: duckdb.DuckDBPyConnection, file_ids: list[str] | None = None) -> pd.DataFrame:
    rows = con.execute(
        "select * from analytics.row_accounting where status = 'loaded' order by source_file"
    ).df()
    if file_ids is not None:
        rows = rows[rows["file_id"].isin(file_ids)]
    return rows.reset_index(drop=True)


def check_accounting(con: duckdb.DuckDBPyConnection, file_ids: list[str] | None = None) -> pd.DataFrame:
    """Raise RowAccountingError naming every unbalanced file and its numbers; return the
    accounting otherwise."""
    rows = accounting(con, file_ids)
    bad = rows[~rows["balanced"].fillna(False).astype(bool)]
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
    return rows
