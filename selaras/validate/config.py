"""The validation configuration: rules (severity, scope, message) and suites, read from the
YAML files in this package, with a region's overrides from `Settings.validation_rules`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from selaras.settings import Settings

HERE = Path(__file__).resolve().parent
SEVERITIES = ("error", "warning", "off")
#: Kinds whose rows are checked against reference data (nomenclature, OPD list); the others
#: are the reference data and are validated first.
REFERENCE_KINDS = ("nomenklatur", "wilayah", "opd")
KIND_ORDER = ("nomenklatur", "wilayah", "opd", "rkpd", "renja", "musrenbang", "pokir")


class ConfigError(ValueError):
    """The rules or suites YAML is inconsistent (a typo in a rule id, a bad severity)."""


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    scope: str
    message: str
    suppressed_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    """One expectation of a suite: the rule it decides, the GE expectation, the check-frame
    column it runs on, the staged field it reports, and its kwargs."""

    rule: str
    expect: str
    column: str | None
    field: str | None
    kwargs: dict[str, Any]
    scope: str
    suggestion: str | None = None


@dataclass(frozen=True)
class KindSuite:
    kind: str
    table: str
    fields: dict[str, Any]
    row_kinds: tuple[str, ...]
    channel: str | None
    rows: tuple[Check, ...]
    file: tuple[Check, ...]


@dataclass
class ValidationConfig:
    rules: dict[str, Rule]
    thresholds: dict[str, float]
    placeholders: frozenset[str]
    kinds: dict[str, KindSuite]
    fingerprint: str = ""
    sources: list[str] = field(default_factory=list)

    def severity(self, rule: str) -> str:
        return self.rules[rule].severity


def _deep_merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _checks(
    group_names: list[str], groups: dict[str, list[dict]], scope: str, rules: dict[str, Rule], kind: str
) -> tuple[Check, ...]:
    checks = []
    for name in group_names:
        if name not in groups:
            raise ConfigError(f"suites.yaml: kind {kind!r} names unknown group {name!r}")
        for entry in groups[name]:
            rule = entry["rule"]
            if rule not in rules:
                raise ConfigError(f"suites.yaml: group {name!r} uses rule {rule!r} missing from rules.yaml")
            if rules[rule].scope != scope:
                raise ConfigError(
                    f"rule {rule!r} has scope {rules[rule].scope!r} but is used in a {scope} suite"
                )
            checks.append(
                Check(
                    rule=rule,
                    expect=entry["expect"],
                    column=entry.get("column"),
                    field=entry.get("field"),
                    kwargs=dict(entry.get("kwargs") or {}),
                    scope=scope,
                    suggestion=entry.get("suggestion"),
                )
            )
    return tuple(checks)


def source_fingerprint() -> str:
    """Hash of this package's code and YAML: a change to the checks invalidates the cache."""
    digest = hashlib.sha256()
    for path in sorted([*HERE.glob("*.py"), *HERE.glob("*.yaml")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_config(settings: Settings) -> ValidationConfig:
    raw = yaml.safe_load((HERE / "rules.yaml").read_text(encoding="utf-8"))
    sources = [str(HERE / "rules.yaml")]
    override_path = settings.validation_rules
    if override_path is not None:
        override = yaml.safe_load(Path(override_path).read_text(encoding="utf-8")) or {}
        raw = _deep_merge(raw, override)
        sources.append(str(override_path))
    rules: dict[str, Rule] = {}
    for rule_id, spec in raw["rules"].items():
        severity = spec.get("severity", "warning")
        if severity not in SEVERITIES:
            raise ConfigError(f"rule {rule_id!r}: severity {severity!r} is not one of {SEVERITIES}")
        rules[rule_id] = Rule(
            id=rule_id,
            severity=severity,
            scope=spec.get("scope", "row"),
            message=spec["message"],
            suppressed_by=tuple(spec.get("suppressed_by") or ()),
        )
    for rule in rules.values():
        unknown = set(rule.suppressed_by) - set(rules)
        if unknown:
            raise ConfigError(f"rule {rule.id!r} is suppressed_by unknown rules {sorted(unknown)}")

    suites_raw = yaml.safe_load((HERE / "suites.yaml").read_text(encoding="utf-8"))
    groups = suites_raw["groups"]
    kinds = {}
    for kind, spec in suites_raw["kinds"].items():
        kinds[kind] = KindSuite(
            kind=kind,
            table=spec["table"],
            fields=dict(spec["fields"]),
            row_kinds=tuple(spec.get("row_kinds") or ()),
            channel=spec.get("channel"),
            rows=_checks(spec.get("rows", []), groups, "row", rules, kind),
            file=_checks(spec.get("file", []), groups, "file", rules, kind),
        )
    config = ValidationConfig(
        rules=rules,
        thresholds={k: float(v) for k, v in raw["thresholds"].items()},
        placeholders=frozenset(str(p) for p in raw.get("placeholders", [])),
        kinds=kinds,
        sources=sources,
    )
    effective = {
        "rules": {k: vars(v) for k, v in rules.items()},
        "thresholds": config.thresholds,
        "placeholders": sorted(config.placeholders),
        "plan_period": list(settings.plan_period),
        "code": source_fingerprint(),
    }
    config.fingerprint = hashlib.sha256(
        json.dumps(effective, sort_keys=True, default=str).encode()
    ).hexdigest()[:16]
    return config
