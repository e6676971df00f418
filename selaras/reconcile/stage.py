"""The reconcile stage's entry point. Runs after match, before report:

1. read the planners' filled-in review workbooks from raw/review/ (selaras.review),
2. apply the decisions in force: rebuild decided.decision from scratch, so the decided
   layer (sql/065_decided.sql) lays them over the matcher's results; match.* stays the
   matcher's, and a decision cleared or made stale is simply no longer there,
3. name every OPD once for the reports, with the matcher's OPD resolver (opd_names),
4. snapshot what the reports will show, for the run-to-run changes (history).

All in one transaction: a failure leaves the warehouse as it was.
May import: selaras.review, selaras.runs, selaras.settings, selaras.warehouse and this
package's modules (opd_names borrows the matcher's OPD resolver).
"""

from __future__ import annotations

import duckdb

from selaras.reconcile.history import snapshot
from selaras.reconcile.opd_names import store_opd_names
from selaras.review import MAX_LISTED, apply_decisions, ingest_review_files, store_problems
from selaras.runs import StageResult
from selaras.settings import Settings
from selaras.warehouse import transaction


def reconcile_all(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str) -> StageResult:
    result = StageResult("reconcile")
    with transaction(con):
        problems, figures = ingest_review_files(con, settings, run_id)
        apply_problems, apply_figures = apply_decisions(con)
        problems += apply_problems
        store_problems(con, run_id, problems)
        figures |= apply_figures
        figures["opd"], opd_warnings = store_opd_names(con, settings)
        figures["snapshot_rows"] = snapshot(con, run_id)
    figures["review_problems"] = len(problems)
    result.figures = figures
    for warning in opd_warnings:
        result.problem(warning, fatal=False)
    for p in problems[:MAX_LISTED]:
        result.problem(p.text(), fatal=p.fatal)
    if len(problems) > MAX_LISTED:
        result.problem(
            f"... dan {len(problems) - MAX_LISTED} masalah lain di workbook review "
            "(lihat analytics.review_problems).",
            fatal=False,
        )
    result.failed = result.failed or any(p.fatal for p in problems)
    return result
