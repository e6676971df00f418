"""Stage: validate, by kind rather than by file. For each kind, the staged rows of every
file that changed are read in one query and checked together, the file being a column:

- row checks (`<kind>_rows`): one Great Expectations run over all those rows; its result
  is the kind's page in Data Docs (quality.validation_batch);
- file checks (`<kind>_file`: empty file, required column, one year, unique ids, JUMLAH
  total): vectorised per file with pandas (selaras.validate.filechecks);
- results land in quality.validation_run (one row per file and suite, as before) and
  quality.check_result, one transaction per kind.

A file whose content, rules and reference data are unchanged keeps its earlier results
(copied, all such files of a kind in one statement). A file with no staged rows goes
through GE on its own (its checks are about the file itself). The cost is per row, not
per file: the only per-file work left is for files that have problems.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from selaras.audit import check_row_balance
from selaras.runs import StageResult
from selaras.settings import Settings
from selaras.validate.config import KIND_ORDER, REFERENCE_KINDS, ValidationConfig, load_config

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from selaras.validate.frame import CheckFrame
    from selaras.validate.gx import GxRunner
    from selaras.validate.gxprocess import RemoteRunner
    from selaras.validate.reference import Reference

log = logging.getLogger("selaras.validate")
#: Kinds whose amounts are bounded by the RKPD's total when one is loaded.
_BOUNDED_BY_RKPD = ("renja", "musrenbang", "pokir")


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
    """What one validate_all call shares across kinds: config, GE runner (created only
    when a kind really needs validating), reference data (loaded once the reference kinds
    are done)."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        settings: Settings,
        run_id: str,
        config: ValidationConfig,
        runner: Callable[[], GxRunner | RemoteRunner],
    ) -> None:
        self.con = con
        self.settings = settings
        self.run_id = run_id
        self.config = config
        self._runner = runner
        self._reference: Reference | None = None
        self._rkpd_total: float | None = None

    @property
    def runner(self) -> GxRunner | RemoteRunner:
        """GE for this session: in its own process (selaras.validate.gxprocess), started at
        the first need."""
        return self._runner()

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
        if kind in _BOUNDED_BY_RKPD:
            parts.append(repr(self.pagu_bound(kind)))
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]

    def pagu_bound(self, kind: str) -> tuple[float, str]:
        """The largest plausible amount of one row: the total of the loaded RKPD for Renja
        rows and proposals (no row can exceed the region's whole plan), else the setting."""
        cap = self.settings.pagu_max
        if kind not in _BOUNDED_BY_RKPD:
            return cap, "batas SELARAS_PAGU_MAX"
        if self._rkpd_total is None:
            (total,) = self.con.execute(
                "select coalesce(sum(s.pagu), 0) from staged.rkpd s join clean.current_file f using (file_id) "
                "where s.pagu > 0 and s.pagu <= ?",
                [cap],
            ).fetchone()
            self._rkpd_total = float(total)
        if self._rkpd_total > 0:
            return self._rkpd_total, "jumlah seluruh pagu RKPD yang dimuat"
        return cap, "batas SELARAS_PAGU_MAX"


# --------------------------------------------------------------------------- cached files


def _cached_runs(con: duckdb.DuckDBPyConnection, fingerprints: dict[str, str], run_id: str) -> dict[str, str]:
    """file_id -> the latest earlier run that validated it with the same fingerprint."""
    if not fingerprints:
        return {}
    rows = con.execute(
        "select v.file_id, max(v.run_id) from quality.validation_run v "
        "join (select unnest(?::varchar[]) as file_id, unnest(?::varchar[]) as fingerprint) f "
        "using (file_id, fingerprint) where v.run_id <> ? group by v.file_id",
        [list(fingerprints), list(fingerprints.values()), run_id],
    ).fetchall()
    return {file_id: source for file_id, source in rows if source is not None}


def _copy_results(con: duckdb.DuckDBPyConnection, run_id: str, sources: dict[str, str]) -> None:
    """These files and their reference data are unchanged: this run's results are the
    earlier runs', copied (one statement per table) so every run's results stay queryable
    on their own."""
    from selaras.warehouse import transaction

    pairs = [list(sources), list(sources.values())]
    with transaction(con):
        _delete(con, run_id, list(sources))
        con.execute(
            "insert into quality.validation_run by name "
            "select v.* replace (? as run_id, current_timestamp as validated_at, v.run_id as cached_from) "
            "from quality.validation_run v "
            "join (select unnest(?::varchar[]) as file_id, unnest(?::varchar[]) as run_id) c using (file_id, run_id)",
            [run_id, *pairs],
        )
        con.execute(
            "insert into quality.check_result by name select r.* replace (? as run_id) "
            "from quality.check_result r "
            "join (select unnest(?::varchar[]) as file_id, unnest(?::varchar[]) as run_id) c using (file_id, run_id)",
            [run_id, *pairs],
        )


def _delete(con: duckdb.DuckDBPyConnection, run_id: str, file_ids: list[str]) -> None:
    for table in ("quality.check_result", "quality.validation_run"):
        con.execute(
            f"delete from {table} where run_id = ? and file_id in (select unnest(?::varchar[]))",  # noqa: S608 - constant
            [run_id, file_ids],
        )


# --------------------------------------------------------------------------- one kind


@dataclass
class _KindBatch:
    """What validating one kind's changed files produces, written in one transaction."""

    runs: list[dict[str, Any]]
    checks: list[pd.DataFrame]
    batch: list[dict[str, Any]]


def _spans(staged: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """file_id -> (start, stop) of its rows (staged is ordered by file)."""
    if staged.empty:
        return {}
    ids = staged["file_id"].astype(str).reset_index(drop=True)
    starts = ids[ids.ne(ids.shift())].index.tolist()
    stops = [*starts[1:], len(ids)]
    return {ids[a]: (a, b) for a, b in zip(starts, stops, strict=True)}


def _split(indices: list[int], spans: dict[str, tuple[int, int]]) -> dict[str, list[int]]:
    """Kind-frame positions -> file_id -> positions within the file."""
    import numpy as np

    if not indices:
        return {}
    order = sorted(spans.items(), key=lambda kv: kv[1][0])
    starts = np.array([s for _, (s, _) in order])
    idx = np.asarray(indices, dtype=np.int64)
    which = np.searchsorted(starts, idx, side="right") - 1
    out: dict[str, list[int]] = {}
    for w, i in zip(which.tolist(), idx.tolist(), strict=True):
        file_id, (start, _) = order[w]
        out.setdefault(file_id, []).append(i - start)
    return out


def _run_row(
    session: _Session, file, kind: str, part: str, evaluated: int, result: dict[str, Any], batch_id: str
) -> dict[str, Any]:
    from selaras.validate.gx import suite_name

    stats = result.get("statistics", {})
    return {
        "run_id": session.run_id,
        "file_id": file.file_id,
        "kind": kind,
        "suite": suite_name(kind, part),
        "evaluated": evaluated,
        "expectations": stats.get("evaluated_expectations"),
        "failed": stats.get("unsuccessful_expectations"),
        "success": bool(result.get("success")),
        "result": json.dumps(result, default=str),
        "fingerprint": file.fingerprint,
        "source_file": file.source_file,
        "batch_identifier": batch_id,
    }


def _row_result_of_file(
    kind_json: dict[str, Any], counts: dict[str, int], rows: int, meta: dict[str, Any]
) -> dict[str, Any]:
    """A file's share of the kind's GE row-suite result: per expectation, its own
    unexpected rows (the kind's page in Data Docs holds GE's full result)."""
    results = []
    for r in kind_json.get("results", []):
        key = (r.get("expectation_config") or {}).get("meta", {}).get("selaras_check")
        n = counts.get(key, 0)
        results.append(
            {
                "success": n == 0,
                "expectation_config": r.get("expectation_config"),
                "result": {"element_count": rows, "unexpected_count": n},
            }
        )
    failed = sum(1 for r in results if not r["success"])
    return {
        "success": failed == 0,
        "suite_name": kind_json.get("suite_name"),
        "results": results,
        "statistics": {
            "evaluated_expectations": len(results),
            "successful_expectations": len(results) - failed,
            "unsuccessful_expectations": failed,
        },
        "meta": meta,
    }


def _validate_kind(session: _Session, kind: str, files: list) -> _KindBatch:
    """Validate the given (changed) files of one kind together."""

    from selaras.validate import filechecks, staging
    from selaras.validate.frame import build_kind_frame
    from selaras.validate.gx import batch_identifier, suite_name

    con, config = session.con, session.config
    suite = config.kinds[kind]
    ids = [f.file_id for f in files]
    staged = staging.staged_rows_many(con, suite, ids)
    maps = staging.column_maps_many(con, ids)
    totals = staging.jumlah_totals_many(con, ids, suite.fields.get("amount"), maps, staged)
    reference = None if kind in REFERENCE_KINDS else session.reference
    bound = session.pagu_bound(kind)
    cf = build_kind_frame(staged, suite, reference, config, session.settings, totals, bound)
    spans = _spans(staged)
    out = _KindBatch([], [], [])
    empty = [f for f in files if f.file_id not in spans]
    present = [f for f in files if f.file_id in spans]
    for f in empty:  # nothing staged: the file checks are about the file itself, GE decides
        _validate_alone(session, f, kind, cf, staged, maps, out)
    if not present:
        return out

    batch_id = batch_identifier(kind, f"{len(present)}_berkas", session.run_id)
    checked = session.runner.check(
        suite, "rows", cf.gx_frame(), cf.params, (session.run_id, f"{kind}: {len(present)} berkas", kind)
    )
    kind_json = checked.result
    out.batch.append(
        {
            "run_id": session.run_id,
            "kind": kind,
            "suite": suite_name(kind, "rows"),
            "files": len(present),
            "evaluated": len(cf.frame),
            "success": checked.success,
            "result": json.dumps(kind_json, default=str),
            "batch_identifier": batch_id,
        }
    )
    row_failures: dict[str, list] = {}
    for failure in checked.failures:
        for file_id, positions in _split(failure.indices, spans).items():
            row_failures.setdefault(file_id, []).append((failure, positions))

    file_checks = filechecks.active_checks(suite.file, config)
    vectorised = filechecks.supported(file_checks)
    by_file = (
        filechecks.evaluate(
            file_checks, cf.frame, spans, lambda fid: {**cf.params, **cf.per_file.get(fid, ({}, {}))[0]}
        )
        if vectorised
        else {}
    )
    for f in present:
        start, stop = spans[f.file_id]
        mine = row_failures.get(f.file_id, [])
        counts = {failure.key: len(positions) for failure, positions in mine}
        meta = {"selaras": {"source_file": f.source_file, "file_id": f.file_id, "batch": batch_id}}
        out.runs.append(
            _run_row(
                session,
                f,
                kind,
                "rows",
                stop - start,
                _row_result_of_file(kind_json, counts, stop - start, meta),
                batch_id,
            )
        )
        if vectorised:
            outcomes = by_file[f.file_id]
            file_json = filechecks.result_json(outcomes, suite_name(kind, "file"), meta)
            file_failures = [fail for _, fail in outcomes if fail is not None]
        else:
            sub = cf.for_file(f.file_id, start, stop)
            file_checked = session.runner.check(
                suite, "file", sub.gx_frame(), sub.params, (session.run_id, f.source_file, f.file_id)
            )
            file_json, file_failures = file_checked.result, file_checked.failures
        out.runs.append(_run_row(session, f, kind, "file", stop - start, file_json, batch_id))
        failed = [replace(fail, indices=positions) for fail, positions in mine] + file_failures
        if failed:
            out.checks.append(
                _results(
                    session,
                    f,
                    kind,
                    cf.for_file(f.file_id, start, stop),
                    staged.iloc[start:stop],
                    maps,
                    failed,
                )
            )
    return out


def _results(
    session: _Session, f, kind: str, sub: CheckFrame, staged: pd.DataFrame, maps: dict, failures: list
):
    from selaras.validate.results import FileInfo, check_results

    suite = session.config.kinds[kind]
    info = FileInfo(f.file_id, f.source_file, kind)
    return check_results(
        failures,
        sub,
        staged.reset_index(drop=True),
        suite,
        session.config,
        info,
        maps.get(f.file_id, {}),
        session.run_id,
    )


def _validate_alone(
    session: _Session, f, kind: str, cf: CheckFrame, staged, maps: dict, out: _KindBatch
) -> None:
    """A file with no staged rows, through GE on its own (both suites, as ever)."""
    from selaras.validate.gx import batch_identifier

    suite = session.config.kinds[kind]
    sub = cf.for_file(f.file_id, 0, 0)
    batch_id = batch_identifier(kind, f.source_file, f.file_id)
    failures = []
    for part in ("rows", "file"):
        checked = session.runner.check(
            suite, part, sub.gx_frame(), sub.params, (session.run_id, f.source_file, f.file_id)
        )
        failures += checked.failures
        out.runs.append(_run_row(session, f, kind, part, 0, checked.result, batch_id))
    if failures:
        out.checks.append(_results(session, f, kind, sub, staged.iloc[0:0], maps, failures))


def _write_kind(session: _Session, file_ids: list[str], batch: _KindBatch) -> None:
    import pandas as pd

    from selaras.validate.results import RESULT_COLUMNS
    from selaras.warehouse import insert_df, transaction

    con = session.con
    checks = [c for c in batch.checks if not c.empty]
    with transaction(con):
        _delete(con, session.run_id, file_ids)
        if batch.batch:
            con.execute(
                "delete from quality.validation_batch where run_id = ? and kind = ?",
                [session.run_id, batch.batch[0]["kind"]],
            )
            insert_df(con, "quality.validation_batch", pd.DataFrame(batch.batch))
        insert_df(con, "quality.validation_run", pd.DataFrame(batch.runs))
        if checks:
            insert_df(
                con, "quality.check_result", pd.concat(checks, ignore_index=True).loc[:, list(RESULT_COLUMNS)]
            )


# --------------------------------------------------------------------------- the stage


@dataclass(frozen=True)
class _File:
    file_id: str
    source_file: str
    kind: str
    fingerprint: str


def _count(con: duckdb.DuckDBPyConnection, run_id: str, outcomes: list[FileOutcome]) -> None:
    """Rows, quarantined / flagged rows and file-level errors of every file, one query."""
    if not outcomes:
        return
    rows = con.execute(
        "select v.file_id, max(v.evaluated), "
        "(select count(distinct row_ref) filter (where severity = 'error' and row_ref is not null) "
        "   from quality.check_result c where c.run_id = v.run_id and c.file_id = v.file_id), "
        "(select count(distinct row_ref) filter (where severity = 'warning' and row_ref is not null) "
        "   from quality.check_result c where c.run_id = v.run_id and c.file_id = v.file_id), "
        "(select count(*) filter (where severity = 'error' and row_ref is null) "
        "   from quality.check_result c where c.run_id = v.run_id and c.file_id = v.file_id) "
        "from quality.validation_run v where v.run_id = ? group by v.file_id, v.run_id",
        [run_id],
    ).fetchall()
    by_file = {r[0]: r[1:] for r in rows}
    for o in outcomes:
        evaluated, errors, warnings, file_errors = by_file.get(o.file_id, (0, 0, 0, 0))
        o.rows, o.errors, o.warnings, o.file_errors = (
            int(evaluated or 0),
            int(errors or 0),
            int(warnings or 0),
            int(file_errors or 0),
        )


def _files_by_kind(session: _Session, result: StageResult) -> dict[str, list[_File]]:
    from selaras.validate import staging

    by_kind: dict[str, list[_File]] = {}
    for file in staging.current_files(session.con).itertuples(index=False):
        if file.kind not in session.config.kinds:
            result.problem(
                f"Berkas {file.source_file}: jenis '{file.kind}' tidak punya suite validasi; "
                "tidak divalidasi (no suite for this kind)",
                fatal=False,
            )
            continue
        by_kind.setdefault(file.kind, []).append(file)
    ordered = sorted(by_kind, key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else len(KIND_ORDER))
    # Fingerprints only once the reference kinds before this kind are validated (the
    # reference data they hold is part of the later kinds' fingerprints).
    return {k: by_kind[k] for k in ordered}


def _validate_files(session: _Session, kind: str, files: list) -> list[FileOutcome]:
    fingerprinted = [
        _File(f.file_id, f.source_file, kind, session.fingerprint(f.file_id, kind)) for f in files
    ]
    cached = _cached_runs(session.con, {f.file_id: f.fingerprint for f in fingerprinted}, session.run_id)
    if cached:
        _copy_results(session.con, session.run_id, cached)
    todo = [f for f in fingerprinted if f.file_id not in cached]
    if todo:
        _write_kind(session, [f.file_id for f in todo], _validate_kind(session, kind, todo))
    return [
        FileOutcome(f.file_id, f.source_file, kind, cached_from=cached.get(f.file_id)) for f in fingerprinted
    ]


def warm_up(settings: Settings) -> None:
    """Called by the pipeline when a run begins that will validate: Great Expectations
    starts importing in its own process while ingest reads the files."""
    from selaras.validate import gxprocess

    gxprocess.prestart()


def cool_down(settings: Settings) -> None:
    """Called by the pipeline after validate when the process runs once: the Great
    Expectations process is let go now, so it shuts down while the next stages run."""
    from selaras.validate import gxprocess

    gxprocess.release()


def validate_all(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str) -> StageResult:
    from selaras.validate import gxprocess

    config = load_config(settings)
    with gxprocess.runner(config) as runner:
        return _validate_all(_Session(con, settings, run_id, config, runner))


def _validate_all(session: _Session) -> StageResult:
    con, run_id = session.con, session.run_id
    result = StageResult("validate")
    outcomes: list[FileOutcome] = []
    for kind, files in _files_by_kind(session, result).items():
        outcomes += _validate_files(session, kind, files)
    _count(con, run_id, outcomes)
    for o in outcomes:
        if o.file_errors:
            result.problem(
                f"Berkas {o.source_file} ditolak oleh validasi (file-level error): lihat "
                "analytics.quarantine / lembar karantina",
                fatal=True,
            )
    if any(o.kind not in REFERENCE_KINDS for o in outcomes) and session.reference.nomenclature is None:
        result.problem(
            "Nomenklatur belum dimuat (data/raw/nomenklatur/ kosong): kode tidak dapat diperiksa "
            "(no nomenclature loaded: code checks skipped)",
            fatal=False,
        )
    rows = check_row_balance(con, [o.file_id for o in outcomes])  # raises on a mismatch
    _unrecorded(rows, result)

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


def _unrecorded(rows: pd.DataFrame, result: StageResult) -> None:
    unrecorded = rows[~rows["counts_recorded"].fillna(False).astype(bool)]
    for r in unrecorded.itertuples():
        result.problem(
            f"Berkas {r.source_file}: jumlah baris dilewati/dimuat di raw.ingest_file tidak sama dengan "
            f"baris yang tercatat (skipped {r.rows_skipped} vs {r.rows_skipped_recorded} recorded, "
            f"staged {r.rows_staged} vs {r.rows_staged_found} found)",
            fatal=False,
        )
