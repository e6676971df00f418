"""A problem found in a review workbook, located by file / sheet / row / column, said in
Indonesian for planners with the English rule id alongside; stored in review.problem.
May import: duckdb, pandas, selaras.warehouse."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import duckdb
import pandas as pd

from selaras.warehouse import insert_df

#: At most this many problems are listed in the stage result (the CLI prints them, the run
#: step stores them); all of them are in review.problem / analytics.review_problems.
MAX_LISTED = 200


@dataclass(frozen=True)
class Problem:
    source_file: str
    sheet: str | None
    source_row: int | None
    problem: str  # rule id, e.g. unknown_decision
    message: str  # Indonesian
    column_name: str | None = None
    subject_ref: str | None = None
    fatal: bool = False  # only an unreadable file fails the run

    def text(self) -> str:
        where = [self.source_file]
        if self.sheet:
            where.append(f"lembar {self.sheet}")
        if self.source_row:
            where.append(f"baris {self.source_row}")
        if self.column_name:
            where.append(f"kolom {self.column_name}")
        return f"{' / '.join(where)}: {self.message} [{self.problem}]"


def store_problems(con: duckdb.DuckDBPyConnection, run_id: str, problems: list[Problem]) -> None:
    con.execute("delete from review.problem where run_id = ?", [run_id])
    if problems:
        rows = [{k: v for k, v in asdict(p).items() if k != "fatal"} | {"run_id": run_id} for p in problems]
        insert_df(con, "review.problem", pd.DataFrame(rows))
