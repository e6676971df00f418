"""File-level checks (the `<kind>_file` suites) of many files at once, vectorised with
pandas group-bys over the kind's check frame (the file is a column), instead of one Great
Expectations run per file. Each supported expectation is evaluated exactly as GE defines
it (nulls ignored, bounds inclusive unless strict, a missing bound is no bound) and gives
the same `Failure` (row positions within the file, observed value) the GE path gives, so
messages and quarantine are unchanged. A suite with an expectation not listed here is run
through GE file by file (`supported` says which)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from selaras.validate.config import Check, ValidationConfig
from selaras.validate.gx import Failure

#: file_id -> (start, stop) of its rows in the kind's check frame.
Spans = dict[str, tuple[int, int]]


def _param(value: Any, params: dict[str, Any]) -> Any:
    if isinstance(value, dict) and "$PARAMETER" in value:
        return params.get(value["$PARAMETER"])
    return value


def _between(observed: float | None, kwargs: dict[str, Any], params: dict[str, Any]) -> bool:
    if observed is None or (isinstance(observed, float) and np.isnan(observed)):
        return False
    low, high = _param(kwargs.get("min_value"), params), _param(kwargs.get("max_value"), params)
    if low is not None and (observed <= low if kwargs.get("strict_min") else observed < low):
        return False
    return not (high is not None and (observed >= high if kwargs.get("strict_max") else observed > high))


def _file_keys(frame: pd.DataFrame, spans: Spans) -> np.ndarray:
    key = np.empty(len(frame), dtype=object)
    for file_id, (start, stop) in spans.items():
        key[start:stop] = file_id
    return key


def _column(frame: pd.DataFrame, column: str | None) -> pd.Series:
    if column in frame.columns:
        return frame[column]
    return pd.Series([None] * len(frame), dtype=object)


def _row_count(check, frame, spans, params_of) -> dict[str, Failure | None]:
    out = {}
    for file_id, (start, stop) in spans.items():
        count = stop - start
        ok = _between(count, check.kwargs, params_of(file_id))
        out[file_id] = None if ok else Failure(check, [], count)
    return out


def _proportion(check, frame, spans, params_of) -> dict[str, Failure | None]:
    shares = (
        _column(frame, check.column).notna().groupby(_file_keys(frame, spans), sort=False).mean().to_dict()
    )
    out = {}
    for file_id in spans:
        share = None if file_id not in shares else float(shares[file_id])
        ok = _between(share, check.kwargs, params_of(file_id))
        out[file_id] = None if ok else Failure(check, [], share)
    return out


def _unique_count(check, frame, spans, params_of) -> dict[str, Failure | None]:
    counts = (
        _column(frame, check.column)
        .groupby(_file_keys(frame, spans), sort=False)
        .nunique(dropna=True)
        .to_dict()
    )
    out = {}
    for file_id in spans:
        count = int(counts.get(file_id, 0))
        out[file_id] = (
            None if _between(count, check.kwargs, params_of(file_id)) else Failure(check, [], count)
        )
    return out


def _unique(check, frame, spans, params_of) -> dict[str, Failure | None]:
    """Every copy of a value repeated within its file (GE flags both copies); nulls ignored."""
    out: dict[str, Failure | None] = dict.fromkeys(spans)
    if check.column not in frame.columns:
        return out
    pairs = pd.DataFrame({"f": _file_keys(frame, spans), "v": frame[check.column].to_numpy()})
    pairs = pairs[pairs["v"].notna()]
    repeated = pairs[pairs.duplicated(keep=False)]
    for file_id, positions in repeated.groupby("f", sort=False).groups.items():
        start = spans[file_id][0]
        out[file_id] = Failure(check, sorted(int(p) - start for p in positions), None)
    return out


def _sum(check, frame, spans, params_of) -> dict[str, Failure | None]:
    sums = (
        pd.to_numeric(_column(frame, check.column), errors="coerce")
        .groupby(_file_keys(frame, spans), sort=False)
        .sum(min_count=0)
        .to_dict()
    )
    out = {}
    for file_id in spans:
        params = params_of(file_id)
        low, high = (
            _param(check.kwargs.get("min_value"), params),
            _param(check.kwargs.get("max_value"), params),
        )
        total = float(sums.get(file_id, 0.0))
        ok = (low is None and high is None) or _between(total, check.kwargs, params)
        out[file_id] = None if ok else Failure(check, [], total)
    return out


EVALUATORS = {
    "expect_table_row_count_to_be_between": _row_count,
    "expect_column_proportion_of_non_null_values_to_be_between": _proportion,
    "expect_column_unique_value_count_to_be_between": _unique_count,
    "expect_column_values_to_be_unique": _unique,
    "expect_column_sum_to_be_between": _sum,
}


def active_checks(checks: list[Check], config: ValidationConfig) -> list[Check]:
    """The checks GE would run: rules switched off are left out, as in the GE suite."""
    return [c for c in checks if config.rules[c.rule].severity != "off"]


def supported(checks: list[Check]) -> bool:
    return all(c.expect in EVALUATORS for c in checks)


def evaluate(
    checks: list[Check],
    frame: pd.DataFrame,
    spans: Spans,
    params_of: Callable[[str], dict[str, Any]],
) -> dict[str, list[tuple[Check, Failure | None]]]:
    """file_id -> [(check, its failure or None)] in suite order."""
    per_check = [(c, EVALUATORS[c.expect](c, frame, spans, params_of)) for c in checks]
    return {file_id: [(c, outcome[file_id]) for c, outcome in per_check] for file_id in spans}


def result_json(
    outcomes: list[tuple[Check, Failure | None]], suite: str, meta: dict[str, Any]
) -> dict[str, Any]:
    """A file's result in Great Expectations' validation-result layout (what GE would have
    stored for the file suite), without per-row lists."""
    results = []
    for check, failure in outcomes:
        kwargs = dict(check.kwargs)
        if check.column:
            kwargs["column"] = check.column
        observed = None if failure is None else failure.observed
        results.append(
            {
                "success": failure is None,
                "expectation_config": {
                    "type": check.expect,
                    "kwargs": kwargs,
                    "meta": {"rule": check.rule, "field": check.field, "scope": check.scope},
                },
                "result": {
                    "observed_value": observed,
                    **(
                        {"unexpected_count": len(failure.indices)}
                        if failure is not None and failure.indices
                        else {}
                    ),
                },
            }
        )
    failed = sum(1 for _, f in outcomes if f is not None)
    return {
        "success": failed == 0,
        "suite_name": suite,
        "results": results,
        "statistics": {
            "evaluated_expectations": len(outcomes),
            "successful_expectations": len(outcomes) - failed,
            "unsuccessful_expectations": failed,
            "success_percent": 100.0 * (len(outcomes) - failed) / len(outcomes) if outcomes else None,
        },
        "meta": {**meta, "evaluated_by": "selaras.validate.filechecks (vectorised, per file)"},
    }
