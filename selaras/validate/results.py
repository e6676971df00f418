"""From failed expectations to quality.check_result rows: back from frame positions to
row_ref / sheet / row, the original header and raw value, the Indonesian message (with the
English rule id) and the suggestion."""

from __future__ import annotations

import string
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd

from selaras.validate.config import Check, KindSuite, ValidationConfig
from selaras.validate.frame import CheckFrame, money_text
from selaras.validate.gx import Failure
from selaras.validate.staging import cell_text, header_for

RESULT_COLUMNS = (
    "run_id",
    "file_id",
    "row_ref",
    "source_file",
    "sheet",
    "source_row",
    "column_name",
    "raw_value",
    "rule",
    "severity",
    "message",
    "suggestion",
    "field",
    "kind",
)
_FORMATTER = string.Formatter()
_LIST_LIMIT = 10


@dataclass(frozen=True)
class FileInfo:
    file_id: str
    source_file: str
    kind: str


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return "-"


def _fields(template: str) -> list[str]:
    return [name for _, name, _, _ in _FORMATTER.parse(template) if name]


def _staged_field(suite: KindSuite, role: str | None) -> str | None:
    if not role:
        return None
    value = suite.fields.get(role)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _where(file: FileInfo, sheet: Any, row: Any, header: str | None) -> str:
    parts = [f"Berkas {file.source_file}"]
    if sheet not in (None, "csv"):
        parts.append(f"lembar '{sheet}'")
    if row is not None:
        parts.append(f"baris {int(row)}")
    if header:
        parts.append(f"kolom '{header}'")
    return ", ".join(parts)


def _message(template: str, values: dict[str, Any]) -> str:
    clean = _Safe({k: ("-" if v is None else v) for k, v in values.items()})
    return template.format_map(clean)


def _row_results(
    failure: Failure,
    cf: CheckFrame,
    staged: pd.DataFrame,
    suite: KindSuite,
    config: ValidationConfig,
    file: FileInfo,
    maps: dict,
) -> pd.DataFrame:
    check: Check = failure.check
    rule = config.rules[check.rule]
    idx = failure.indices
    frame = cf.frame.iloc[idx]
    field = _staged_field(suite, check.field)
    raw_col = f"{field}_raw" if field and f"{field}_raw" in staged.columns else field
    if raw_col in staged.columns:
        raw_values = [cell_text(v) for v in staged[raw_col].iloc[idx]]
    else:
        raw_values = [None] * len(idx)
    if check.column in frame.columns:
        # The value the check saw, where the staged cell is empty (a derived level, say).
        seen = [cell_text(v) for v in frame[check.column]]
        raw_values = [r if r is not None else s for r, s in zip(raw_values, seen, strict=True)]
    suggestions = (
        [cell_text(v) for v in frame[check.suggestion]]
        if check.suggestion in frame.columns
        else [None] * len(idx)
    )
    headers = {sheet: header_for(maps, sheet, field) for sheet in frame["sheet"].unique()}
    wanted = [n for n in _fields(rule.message) if n in frame.columns]
    extra = frame[wanted].to_dict("records") if wanted else [{}] * len(idx)
    messages = []
    for sheet, row, raw, sug, more in zip(
        frame["sheet"], frame["source_row"], raw_values, suggestions, extra, strict=True
    ):
        header = headers[sheet]
        what = _message(
            rule.message, {**cf.context, **more, "value": raw, "suggestion": sug, "column": header}
        )
        messages.append(f"{_where(file, sheet, row, header)}: {what} [{rule.id}]")
    return pd.DataFrame(
        {
            "row_ref": frame["row_ref"].values,
            "sheet": frame["sheet"].values,
            "source_row": frame["source_row"].values,
            "column_name": [headers[s] for s in frame["sheet"]],
            "raw_value": raw_values,
            "rule": rule.id,
            "severity": rule.severity,
            "message": messages,
            "suggestion": suggestions,
            "field": field,
        }
    )


def _observed_text(failure: Failure, cf: CheckFrame, check: Check) -> str | None:
    frame = cf.frame
    if failure.indices:
        # Duplicated identifiers: each value with the rows it is on.
        picked = frame.iloc[failure.indices]
        single_sheet = frame["sheet"].nunique() <= 1
        rows: dict[str, list[str]] = {}
        for value, sheet, row in zip(
            picked[check.column], picked["sheet"], picked["source_row"], strict=True
        ):
            rows.setdefault(str(value), []).append(str(int(row)) if single_sheet else f"{sheet}:{int(row)}")
        items = [f"'{v}' (baris {', '.join(r)})" for v, r in list(rows.items())[:_LIST_LIMIT]]
        more = len(rows) - _LIST_LIMIT
        return "; ".join(items) + (f"; dan {more} lainnya" if more > 0 else "")
    if "unique_value_count" in check.expect and check.column in frame.columns:
        counts = Counter(cell_text(v) for v in frame[check.column].dropna())
        return ", ".join(f"{v} ({n} baris)" for v, n in sorted(counts.items()))
    if "sum" in check.expect:
        return money_text(failure.observed)
    return None if failure.observed is None else cell_text(failure.observed)


def _file_result(
    failure: Failure, cf: CheckFrame, suite: KindSuite, config: ValidationConfig, file: FileInfo, maps: dict
) -> dict[str, Any]:
    check = failure.check
    rule = config.rules[check.rule]
    field = _staged_field(suite, check.field)
    if check.field == "id":
        header = " + ".join(header_for(maps, None, f) or f for f in suite.fields.get("id", []))
    else:
        header = header_for(maps, None, field)
    value = _observed_text(failure, cf, check)
    what = _message(rule.message, {**cf.context, "value": value, "column": header})
    return {
        "row_ref": None,
        "sheet": None,
        "source_row": None,
        "column_name": header,
        "raw_value": value,
        "rule": rule.id,
        "severity": rule.severity,
        "message": f"{_where(file, None, None, None)}: {what} [{rule.id}]",
        "suggestion": None,
        "field": field,
    }


def check_results(
    failures: list[Failure],
    cf: CheckFrame,
    staged: pd.DataFrame,
    suite: KindSuite,
    config: ValidationConfig,
    file: FileInfo,
    maps: dict,
    run_id: str,
) -> pd.DataFrame:
    parts = []
    file_rows = []
    for failure in failures:
        if failure.check.scope == "row":
            if failure.indices:
                parts.append(_row_results(failure, cf, staged, suite, config, file, maps))
        else:
            file_rows.append(_file_result(failure, cf, suite, config, file, maps))
    if file_rows:
        parts.append(pd.DataFrame(file_rows))
    if not parts:
        return pd.DataFrame(columns=list(RESULT_COLUMNS))
    out = pd.concat(parts, ignore_index=True)
    out = suppress(out, config)
    out["run_id"] = run_id
    out["file_id"] = file.file_id
    out["source_file"] = file.source_file
    out["kind"] = file.kind
    out["source_row"] = out["source_row"].astype("Int64")
    return out.loc[:, list(RESULT_COLUMNS)].reset_index(drop=True)


def suppress(results: pd.DataFrame, config: ValidationConfig) -> pd.DataFrame:
    """Drop a row's result for a rule when a rule that supersedes it also fired on that row
    (no 'kode kosong' on a row already rejected for having neither name nor code)."""
    keep = pd.Series(True, index=results.index)
    has_ref = results["row_ref"].notna()
    for rule in config.rules.values():
        if not rule.suppressed_by:
            continue
        mine = has_ref & results["rule"].eq(rule.id)
        if not mine.any():
            continue
        covering = set(results.loc[has_ref & results["rule"].isin(rule.suppressed_by), "row_ref"])
        keep &= ~(mine & results["row_ref"].isin(covering))
    return results[keep]
