"""The package layers, enforced by walking the imports (ast) of selaras/ and flows/.

    stage packages  ingest, validate, match, reconcile, report, publish: each imports
                    only its own package and the shared layer below, never another stage
    shared layer    settings, warehouse, runs, audit, kamus (the vocabulary), review (the
                    review round trip), xlsx, workers: imports no stage, no pipeline, no CLI
    sample          fixtures: imported by tests, bench, the CLI (`selaras sample`,
                    `run --sample`) and the yardstick only, never by the engine
    evaluate        the yardstick (`selaras evaluate`): may import match, sample and the
                    shared layer; only the CLI imports it
    flows/          Prefect wrappers: pipeline, runs, settings, warehouse, status; no stage

Every import counts, lazy ones inside functions included (the pipeline reaches the
stages through the dotted paths of `pipeline.STAGES`, which are not imports). The
violations that exist today are listed in ALLOWED, each with why; the test fails on any
new violation and also when an allowed one has gone (delete it from the list, so the
list only shrinks). docs/architecture.md draws the same layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STAGES = {"ingest", "validate", "match", "reconcile", "report", "publish"}
SHARED = {"settings", "warehouse", "runs", "audit", "kamus", "review", "xlsx", "workers"}
SAMPLE_USERS = {"selaras.cli"}  # besides tests/, bench/ and the yardstick
#: The yardstick (`selaras evaluate`): measures the matcher on fixtures and labelled sets;
#: it may import match and sample, and only the CLI imports it.
YARDSTICK = "evaluate"

#: (importing module, imported module) pairs that break the layers today, each with why.
#: Empty since the shared vocabulary (OPD resolver, name normaliser, column letters) moved
#: into selaras/kamus/ and the yardstick into selaras/evaluate/; keep it so.
ALLOWED: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports (absolute names; `from x import y` counts as x.y when
    that is a module of this repository, else as x)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            submodules = {f"{module}.{alias.name}" for alias in node.names}
            submodules = {m for m in submodules if _is_module(m)}
            out.update(submodules or {module})
    return {m for m in out if m.split(".")[0] in ("selaras", "flows")}


def _is_module(name: str) -> bool:
    base = REPO.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _top(module: str) -> str:
    """selaras.match.renja -> match; selaras.pipeline -> pipeline; flows.common -> flows."""
    parts = module.split(".")
    return "flows" if parts[0] == "flows" else (parts[1] if len(parts) > 1 else "")


def _violation(importer: str, imported: str) -> str | None:
    """Why importer may not import imported, or None when it may."""
    src, dst = _top(importer), _top(imported)
    if src == dst or dst == "":
        return None
    if dst == YARDSTICK and importer not in SAMPLE_USERS:
        return "the yardstick (selaras.evaluate) is run from the CLI only"
    if src == YARDSTICK:
        return None if dst in STAGES | SHARED | {"sample"} else f"the yardstick may not import {dst}"
    if dst == "sample" and importer not in SAMPLE_USERS:
        return "sample is a fixture: only tests, bench and the CLI import it"
    if src in STAGES and dst not in SHARED:
        return f"stage {src} may import only its own package and {sorted(SHARED)}"
    if src in SHARED and (dst in STAGES or dst in {"pipeline", "cli", "status", "flows"}):
        return f"the shared layer ({src}) may not import {dst}"
    if src == "flows" and dst in STAGES:
        return "flows wrap selaras.pipeline, never a stage directly"
    return None


def _edges() -> dict[tuple[str, str], str]:
    files = sorted((REPO / "selaras").rglob("*.py")) + sorted((REPO / "flows").rglob("*.py"))
    found = {}
    for path in files:
        importer = _module_name(path)
        for imported in _imports(path):
            why = _violation(importer, imported)
            if why:
                found[(importer, imported)] = why
    return found


def test_stages_import_only_downward():
    found = _edges()
    new = {edge: why for edge, why in found.items() if edge not in ALLOWED}
    assert not new, "imports that break the layers (see docs/architecture.md):\n" + "\n".join(
        f"  {a} -> {b}: {why}" for (a, b), why in sorted(new.items())
    )


def test_the_allowlist_only_shrinks():
    gone = sorted(ALLOWED - set(_edges()))
    assert not gone, (
        "these allowed imports are gone: remove them from ALLOWED in tests/test_architecture.py:\n"
        + ("\n".join(f"  {a} -> {b}" for a, b in gone))
    )


def test_the_walker_sees_a_violation():
    """The checker itself: a stage importing another stage is caught, a shared module is not."""
    assert _violation("selaras.report.forum", "selaras.match.renja")
    assert _violation("selaras.warehouse", "selaras.pipeline")
    assert _violation("selaras.ingest.rows", "selaras.sample.plan")
    assert _violation("flows.common", "selaras.match")
    assert _violation("selaras.match.stage", "selaras.evaluate.measure")
    assert _violation("selaras.evaluate.measure", "selaras.pipeline")
    assert _violation("selaras.evaluate.measure", "selaras.sample.variants") is None
    assert _violation("selaras.cli", "selaras.evaluate") is None
    assert _violation("selaras.report.forum", "selaras.runs") is None
    assert _violation("selaras.match.renja", "selaras.match.features") is None
    assert "selaras.publish.stage" in _imports(REPO / "selaras" / "publish" / "__init__.py")


def test_every_module_opens_with_a_docstring():
    files = sorted((REPO / "selaras").rglob("*.py")) + sorted((REPO / "flows").rglob("*.py"))
    missing = [
        p.relative_to(REPO).as_posix() for p in files if not ast.get_docstring(ast.parse(p.read_text()))
    ]
    assert not missing, f"every module opens with a docstring saying what it does: {missing}"
