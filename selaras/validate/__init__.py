"""Stage: validate. Every current file's staged rows go through its kind's Great Expectations
suites (suites.yaml); errors send rows to quarantine, warnings flag them (rules.yaml); the
results land in quality.validation_run / quality.check_result, one transaction per file; the
row accounting is enforced; planners get quarantine workbooks and Data Docs in processed/.

Public API:
    validate_all(con, settings, run_id) -> StageResult
    load_config(settings) -> ValidationConfig          (rules.yaml + suites.yaml + overrides)
    (the per-file row balance is selaras.audit.check_row_balance; raises RowAccountingError)
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from selaras.audit import RowAccountingError, check_row_balance
from selaras.runs import StageResult
from selaras.settings import Settings
from selaras.validate.config import REFERENCE_KINDS, ValidationConfig, load_config

if TYPE_CHECKING:
    import duckdb

    from selaras.validate.gx import GxRunner
    from selaras.validate.reference import Reference

log = logging.getLogger("selaras.validate")

__all__ = ["FileOutcome", "RowAccountingError", "load_config", "validate_all"]


@dataclass
class FileOutcome:
    file_id: str
    source_file: str
    kind: str
    rows: int = 0
    errors: int = 0  # rows quarantined by a row-level error
    warnings: int = 0  # rows flagged
    file_errors: int = 0  # file-level errors (the whole file is rejected)
    cached_from: str | None = None


class _Session:
    """What one validate_all call shares across files: config, GE runner (created only
    when a file really needs validating), reference data (loaded once the reference kinds
    are done)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str) -> None:
        self.con = con
        self.settings = settings
        self.run_id = run_id
        self.config: ValidationConfig = load_config(settings)
        self._runner: GxRunner | None = None
        self._reference: Reference | None = None

    @property
    def runner(self) -> GxRunner:
        if self._runner is None:
            from selaras.validate.gx import GxRunner

            self._runner = GxRunner(self.config)
        return self._runner

    @property
    def started_runner(self) -> GxRunner | None:
        return self._runner

    @property
    def reference(self) -> Reference:
        if self._reference is None:
            from selaras.validate.reference import Reference

            self._reference = Reference.load(self.con)
        return self._reference

    def fingerprint(self, file_id: str, kind: str) -> str:
        parts = [file_id, self.config.fingerprint]
        if kind not in REFERENCE_KINDS:
            parts.append(self.reference.fingerprint)
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _cached_run(con: duckdb.DuckDBPyConnection, file_id: str, fingerprint: str) -> str | None:
    row = con.execute(
        "select max(run_id) from quality.validation_run where file_id = ? and fingerprint = ?",
        [file_id, fingerprint],
    ).fetchone()
    return row[0] if row else None


def _copy_results(con: duckdb.DuckDBPyConnection, run_id: str, file_id: str, source_run: str) -> None:
    """The file and its reference data are unchanged: this run's results are the earlier
    run's, copied so every run's results stay queryable on their own."""
    from selaras.warehouse import transaction

    with transaction(con):
        _delete(con, run_id, file_id)
        con.execute(
            "insert into quality.validation_run by name "
            "select * replace (? as run_id, current_timestamp as validated_at, ? as cached_from) "
            "from quality.validation_run where run_id = ? and file_id = ?",
            [run_id, source_run, source_run, file_id],
        )
        con.execute(
            "insert into quality.check_result by name select * replace (? as run_id) "
            "from quality.check_result where run_id = ? and file_id = ?",
            [run_id, source_run, file_id],
        )


def _delete(con: duckdb.DuckDBPyConnection, run_id: str, file_id: str) -> None:
    con.execute("delete from quality.check_result where run_id = ? and file_id = ?", [run_id, file_id])
    con.execute("delete from quality.validation_run where run_id = ? and file_id = ?", [run_id, file_id])


def _validate_file(session: _Session, file_id: str, source_file: str, kind: str) -> FileOutcome:
    """Validate one file's staged rows and write its results in one transaction."""
    import pandas as pd

    from selaras.validate import staging
    from selaras.validate.frame import build_frame
    from selaras.validate.gx import batch_identifier, result_json, suite_name
    from selaras.validate.results import FileInfo, check_results
    from selaras.warehouse import insert_df, transaction

    con, config = session.con, session.config
    outcome = FileOutcome(file_id, source_file, kind)
    suite = config.kinds[kind]
    fingerprint = session.fingerprint(file_id, kind)
    cached = _cached_run(con, file_id, fingerprint)
    if cached is not None and cached != session.run_id:
        _copy_results(con, session.run_id, file_id, cached)
        outcome.cached_from = cached
        _count(con, session.run_id, outcome)
        return outcome

    staged = staging.staged_rows(con, suite, file_id)
    maps = staging.column_maps(con, file_id)
    totals = staging.jumlah_totals(con, file_id, suite.fields.get("amount"), maps, staged)
    reference = None if kind in REFERENCE_KINDS else session.reference
    cf = build_frame(staged, suite, reference, config, session.settings, totals)
    gx_frame = cf.gx_frame()
    info = FileInfo(file_id, source_file, kind)
    runs, results = [], []
    for part in ("rows", "file"):
        ge_result, failures = session.runner.validate(suite, part, gx_frame, cf.params)
        results.append(check_results(failures, cf, staged, suite, config, info, maps, session.run_id))
        stats = ge_result.statistics
        runs.append(
            {
                "run_id": session.run_id,
                "file_id": file_id,
                "kind": kind,
                "suite": suite_name(kind, part),
                "evaluated": len(gx_frame),
                "expectations": stats.get("evaluated_expectations"),
                "failed": stats.get("unsuccessful_expectations"),
                "success": bool(ge_result.success),
                "result": json.dumps(
                    result_json(ge_result, session.run_id, source_file, file_id), default=str
                ),
                "fingerprint": fingerprint,
                "source_file": source_file,
                "batch_identifier": batch_identifier(kind, source_file, file_id),
            }
        )
    checks = (
        pd.concat([r for r in results if not r.empty], ignore_index=True)
        if any(not r.empty for r in results)
        else results[0]
    )
    with transaction(con):
        _delete(con, session.run_id, file_id)
        insert_df(con, "quality.validation_run", pd.DataFrame(runs))
        insert_df(con, "quality.check_result", checks)
    outcome.rows = len(staged)
    _count(con, session.run_id, outcome)
    return outcome


def _count(con: duckdb.DuckDBPyConnection, run_id: str, outcome: FileOutcome) -> None:
    errors, warnings, file_errors = con.execute(
        "select count(distinct row_ref) filter (where severity = 'error' and row_ref is not null), "
        "count(distinct row_ref) filter (where severity = 'warning' and row_ref is not null), "
        "count(*) filter (where severity = 'error' and row_ref is null) "
        "from quality.check_result where run_id = ? and file_id = ?",
        [run_id, outcome.file_id],
    ).fetchone()
    outcome.errors, outcome.warnings, outcome.file_errors = int(errors), int(warnings), int(file_errors)
    if not outcome.rows:
        outcome.rows = int(
            con.execute(
                "select max(evaluated) from quality.validation_run where run_id = ? and file_id = ?",
                [run_id, outcome.file_id],
            ).fetchone()[0]
            or 0
        )


def validate_all(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str) -> StageResult:
    from selaras.validate import staging

    result = StageResult("validate")
    session = _Session(con, settings, run_id)
    files = staging.current_files(con)
    outcomes: list[FileOutcome] = []
    for file in files.itertuples(index=False):
        if file.kind not in session.config.kinds:
            result.problem(
                f"Berkas {file.source_file}: jenis '{file.kind}' tidak punya suite validasi; "
                "tidak divalidasi (no suite for this kind)",
                fatal=False,
            )
            continue
        outcome = _validate_file(session, file.file_id, file.source_file, file.kind)
        outcomes.append(outcome)
        if outcome.file_errors:
            result.problem(
                f"Berkas {file.source_file} ditolak oleh validasi (file-level error): lihat "
                "analytics.quarantine / lembar karantina",
                fatal=True,
            )
    needs_reference = any(o.kind not in REFERENCE_KINDS for o in outcomes)
    if needs_reference and session.reference.nomenclature is None:
        result.problem(
            "Nomenklatur belum dimuat (data/raw/nomenklatur/ kosong): kode tidak dapat diperiksa "
            "(no nomenclature loaded: code checks skipped)",
            fatal=False,
        )

    rows = check_row_balance(con, [o.file_id for o in outcomes])  # raises on a mismatch
    unrecorded = rows[~rows["counts_recorded"].fillna(False).astype(bool)]
    for r in unrecorded.itertuples():
        result.problem(
            f"Berkas {r.source_file}: jumlah baris dilewati/dimuat di raw.ingest_file tidak sama dengan "
            f"baris yang tercatat (skipped {r.rows_skipped} vs {r.rows_skipped_recorded} recorded, "
            f"staged {r.rows_staged} vs {r.rows_staged_found} found)",
            fatal=False,
        )

    from selaras.validate.outputs import write_outputs

    paths = write_outputs(con, session, outcomes)
    result.figures.update(
        {
            "files": len(outcomes),
            "files_cached": sum(o.cached_from is not None for o in outcomes),
            "files_rejected": sum(o.file_errors > 0 for o in outcomes),
            "rows": sum(o.rows for o in outcomes),
            "rows_quarantined": int(rows["rows_quarantined"].sum()) if not rows.empty else 0,
            "rows_flagged": int(rows["rows_flagged"].sum()) if not rows.empty else 0,
            "rules_fingerprint": session.config.fingerprint,
            **{k: str(v) for k, v in paths.items()},
        }
    )
    return result
