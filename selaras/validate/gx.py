"""Great Expectations, kept behind one small class: an ephemeral context (nothing written
outside the project; no cloud), suites built from suites.yaml, one batch per file's check
frame, and Data Docs rendered from the stored results.

`great_expectations` is imported here, inside the functions, never at module level of the
package: importing it takes seconds and `selaras --help` must not pay for it."""

from __future__ import annotations

import html
import logging
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from selaras.validate.config import Check, KindSuite, ValidationConfig

log = logging.getLogger("selaras.validate")

GE_SEVERITY = {"error": "critical", "warning": "warning"}
#: Result keys kept in the database and in Data Docs (the full index lists can be huge).
_DROP_KEYS = ("unexpected_list", "unexpected_index_list", "unexpected_index_query", "unexpected_rows")
SITE = "selaras"


class ExpectationCrashed(RuntimeError):
    """An expectation raised instead of evaluating: a defect, never a data problem."""


@dataclass
class Failure:
    check: Check
    indices: list[int]  # positions in the check frame (row-level expectations)
    observed: Any  # observed value (table-level expectations)
    key: str = ""  # the expectation's `selaras_check` key in its suite (see check_keys)


@dataclass
class Checked:
    """One suite run on one check frame: GE's verdict, its result as JSON (labelled, without
    the per-row lists) and the failed expectations. Plain data, so it crosses processes."""

    success: bool
    result: dict[str, Any]
    failures: list[Failure]


def check_keys(config: ValidationConfig, kind_suite: KindSuite, part: str) -> dict[str, Check]:
    """The suite's expectations by their `selaras_check` key; rules switched off left out."""
    checks = kind_suite.rows if part == "rows" else kind_suite.file
    return {
        f"{i}:{check.rule}": check
        for i, check in enumerate(checks)
        if config.rules[check.rule].severity != "off"
    }


def _class_name(expect: str) -> str:
    return "".join(part.capitalize() for part in expect.split("_"))


def suite_name(kind: str, part: str) -> str:
    return f"{kind}_{part}"


def batch_identifier(kind: str, source_file: str, file_id: str) -> str:
    """A Data Docs file name: no slashes (GE's filesystem store refuses them)."""
    return f"{kind}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', source_file)}-{file_id}"


class GxRunner:
    def __init__(self, config: ValidationConfig) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self._gx = gx
        self.config = config
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = self.context.data_sources.add_pandas("selaras")
        self._batch_definition = source.add_dataframe_asset(
            "check_frame"
        ).add_batch_definition_whole_dataframe("file")
        self._suites: dict[str, tuple[Any, dict[str, Check]]] = {}

    # ------------------------------------------------------------------ suites
    def suite(self, kind_suite: KindSuite, part: str):
        """The GE suite for a kind's rows or file checks (built once, added to the context
        so Data Docs render it). Rules switched off are left out."""
        import great_expectations.expectations as gxe

        name = suite_name(kind_suite.kind, part)
        if name in self._suites:
            return self._suites[name]
        by_id = check_keys(self.config, kind_suite, part)
        expectations = []
        for key, check in by_id.items():
            rule = self.config.rules[check.rule]
            cls = getattr(gxe, _class_name(check.expect))
            kwargs = dict(check.kwargs)
            if check.column:
                kwargs["column"] = check.column
            expectations.append(
                cls(
                    **kwargs,
                    meta={
                        "selaras_check": key,
                        "rule": check.rule,
                        "field": check.field,
                        "scope": check.scope,
                    },
                    notes=f"{check.rule} ({rule.severity}): {rule.message}",
                    severity=GE_SEVERITY[rule.severity],
                )
            )
        suite = self.context.suites.add(self._gx.ExpectationSuite(name=name, expectations=expectations))
        self._suites[name] = (suite, by_id)
        return self._suites[name]

    # ------------------------------------------------------------------ running
    def columns(self, kind_suite: KindSuite, part: str) -> list[str]:
        """The check-frame columns a suite reads."""
        checks = kind_suite.rows if part == "rows" else kind_suite.file
        return sorted({c.column for c in checks if c.column})

    def validate(self, kind_suite: KindSuite, part: str, frame: pd.DataFrame, params: dict[str, Any]):
        """Run one suite on one check frame. Returns (GE result, failures)."""
        suite, by_id = self.suite(kind_suite, part)
        frame = frame.loc[:, [c for c in self.columns(kind_suite, part) if c in frame.columns]]
        batch = self._batch_definition.get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(
            suite,
            result_format={"result_format": "COMPLETE", "partial_unexpected_count": 10},
            expectation_parameters=params,
        )
        failures = []
        for r in result.results:
            info = r.exception_info or {}
            if info.get("raised_exception"):
                raise ExpectationCrashed(
                    f"{suite.name}: {r.expectation_config.type} raised: {info.get('exception_message')}"
                )
            if r.success:
                continue
            key = r.expectation_config.meta["selaras_check"]
            detail = r.result or {}
            failures.append(
                Failure(
                    by_id[key],
                    list(detail.get("unexpected_index_list") or []),
                    detail.get("observed_value"),
                    key,
                )
            )
        return result, failures

    def check(
        self,
        kind_suite: KindSuite,
        part: str,
        frame: pd.DataFrame,
        params: dict[str, Any],
        label: tuple[str, str, str],
    ) -> Checked:
        """`validate`, with the result as labelled JSON: label = (run id, source file, file id)."""
        result, failures = self.validate(kind_suite, part, frame, params)
        return Checked(bool(result.success), result_json(result, *label), failures)

    def data_docs(self, kinds, entries, target: Path, index=None) -> Callable[[], Path]:
        """Render Data Docs now (see build_data_docs); returns the waiter GxProcess gives."""
        page = build_data_docs(self, self.config, kinds, entries, target, index)
        return lambda: page


def result_json(result, run_id: str, source_file: str, file_id: str) -> dict[str, Any]:
    """GE's result as JSON, without the per-row lists (they live in quality.check_result),
    labelled with the run and the file so Data Docs show them."""
    result.meta["run_id"] = {"run_name": run_id, "run_time": datetime.now(UTC).isoformat()}
    batch_spec = dict(result.meta.get("batch_spec") or {})
    batch_spec.pop("batch_data", None)
    batch_spec["data_asset_name"] = source_file
    result.meta["batch_spec"] = batch_spec
    result.meta["selaras"] = {"source_file": source_file, "file_id": file_id}
    for r in result.results:
        if r.result:
            for key in _DROP_KEYS:
                r.result.pop(key, None)
    return result.to_json_dict()


def build_data_docs(
    runner: GxRunner | None,
    config: ValidationConfig,
    kinds: list[KindSuite],
    entries: list[dict[str, Any]],
    target: Path,
    index: list[dict[str, Any]] | None = None,
) -> Path:
    """Render Data Docs for the given stored results into `target` (replaced as a whole).
    entries: dicts with suite, run_id, batch_identifier, validated_at, result (GE JSON);
    index: the lines of the plain summary table (default: one per entry)."""
    from great_expectations.core.expectation_validation_result import expectationSuiteValidationResultSchema
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    runner = runner or GxRunner(config)
    for kind_suite in kinds:
        for part in ("rows", "file"):
            runner.suite(kind_suite, part)
    context = runner.context
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    sites = {
        SITE: {
            "class_name": "SiteBuilder",
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(staging.resolve()),
            },
        }
    }
    # Only our site: the ephemeral context's default site would write to a temp folder.
    context.variables.data_docs_sites = sites
    store = context.validation_results_store
    for entry in entries:
        result = expectationSuiteValidationResultSchema.load(entry["result"])
        validated_at = entry["validated_at"]
        if validated_at.tzinfo is None:
            validated_at = validated_at.replace(tzinfo=UTC)
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=entry["suite"]),
            run_id=RunIdentifier(run_name=entry["run_id"], run_time=validated_at),
            batch_identifier=entry["batch_identifier"],
        )
        store.store_validation_results(result, key)
    context.build_data_docs(site_names=[SITE])
    index_page = staging / "index.html"
    if not index_page.is_file():
        raise RuntimeError(f"Data Docs tidak terbentuk di {staging} (no index.html)")
    _add_static_index(index_page, index if index is not None else _index_rows(entries), staging)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target / "index.html"


def _index_rows(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for e in entries:
        stats = e["result"].get("statistics", {})
        meta = (e["result"].get("meta") or {}).get("selaras", {})
        rows.append(
            {
                "source_file": meta.get("source_file", e["batch_identifier"]),
                "suite": e["suite"],
                "success": e["result"].get("success"),
                "expectations": stats.get("evaluated_expectations", ""),
                "failed": stats.get("unsuccessful_expectations", ""),
                "batch_identifier": e["batch_identifier"],
            }
        )
    return rows


def _add_static_index(index: Path, rows: list[dict[str, Any]], root: Path) -> None:
    """GE's index lists results with JavaScript from CDNs; offline it shows nothing. Add a
    plain HTML table of every file's validation (linked to its kind's page) and suite
    page at the top, so the docs work without network."""
    pages = {p.relative_to(root).as_posix(): p for p in (root / "validations").rglob("*.html")}
    lines = []
    for e in rows:
        page = next(
            (rel for rel in pages if f"/{e['suite']}/" in f"/{rel}" and e["batch_identifier"] in rel), None
        )
        if page is None:  # file checks: the file's row-suite batch page
            rows_suite = e["suite"].rsplit("_", 1)[0] + "_rows"
            page = next(
                (rel for rel in pages if f"/{rows_suite}/" in f"/{rel}" and e["batch_identifier"] in rel),
                None,
            )
        link = (
            f'<a href="{html.escape(page)}">{html.escape(e["suite"])}</a>'
            if page
            else html.escape(e["suite"])
        )
        lines.append(
            f"<tr><td>{html.escape(str(e['source_file']))}</td><td>{link}</td>"
            f"<td>{'lolos' if e['success'] else 'gagal'}</td>"
            f"<td>{e.get('expectations', '')}</td><td>{e.get('failed', '')}</td></tr>"
        )
    suites = sorted({e["suite"] for e in rows})
    suite_links = " ".join(
        f'<a href="expectations/{html.escape(s)}.html">{html.escape(s)}</a>' for s in suites
    )
    block = (
        '<section id="selaras-ringkasan" style="margin:1em;font-family:sans-serif">'
        "<h2>Hasil validasi selaras</h2>"
        "<p>Satu baris per berkas dan suite (rows = pemeriksaan per baris, file = pemeriksaan berkas). "
        "Pemeriksaan baris dijalankan sekali per jenis berkas atas semua barisnya; halaman hasilnya "
        "dibagi oleh semua berkas jenis itu. "
        "Rincian per baris ada di analytics.quarantine dan di processed/karantina/.</p>"
        '<table border="1" cellpadding="4" style="border-collapse:collapse">'
        "<tr><th>Berkas</th><th>Suite</th><th>Status</th><th>Ekspektasi</th><th>Gagal</th></tr>"
        + "".join(lines)
        + f"</table><p>Suite: {suite_links}</p></section>"
    )
    text = index.read_text(encoding="utf-8")
    at = text.find(">", text.find("<body")) + 1 if "<body" in text else 0
    index.write_text(text[:at] + block + text[at:], encoding="utf-8")
