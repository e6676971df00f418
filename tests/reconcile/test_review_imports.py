"""selaras.review sits below the stages: the report stage writes the review workbook
through it and the reconcile stage reads and applies through it, so it must import no
stage package, and the report stage must not import the reconcile stage."""

from __future__ import annotations

import ast
from pathlib import Path

import selaras

PACKAGE = Path(selaras.__file__).parent
STAGES = ("selaras.ingest", "selaras.validate", "selaras.match", "selaras.reconcile", "selaras.report")


def imported(folder: Path) -> dict[str, set[str]]:
    """module file -> every module it imports (at any depth, lazy imports included)."""
    out: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        out[path.relative_to(PACKAGE).as_posix()] = names
    return out


def _under(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def test_review_imports_no_stage_package():
    found = imported(PACKAGE / "review")
    assert "review/read.py" in found and "review/book.py" in found
    bad = {f: sorted(n for n in names if _under(n, STAGES)) for f, names in found.items()}
    assert {f: n for f, n in bad.items() if n} == {}


def test_report_does_not_import_reconcile():
    found = imported(PACKAGE / "report")
    bad = {f: sorted(n for n in names if _under(n, ("selaras.reconcile",))) for f, names in found.items()}
    assert {f: n for f, n in bad.items() if n} == {}
