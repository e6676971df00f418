"""The documentation keeps up with the code, the way datasette tests its docs: each test
reads what exists now (settings fields, analytics views and columns, CLI commands, YAML
files), so a field, view, column, command or file added later without documentation
fails here, naming what to document."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

from selaras.settings import Settings

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
CONTRACT_TOOL = REPO.parent / "shared" / "tools" / "check_contract.py"
#: The views the analytics contract promises (../shared/tools/check_contract.py): every
#: column they have must be documented, in the README's row for the view.
CONTRACT_VIEWS = ("renja_alignment", "musrenbang_accommodation", "rkpd_coverage", "usulan_candidates")


def _docs_text() -> str:
    return README + "".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "docs").rglob("*.md")))


def test_every_setting_is_documented_as_its_environment_variable():
    text = _docs_text()
    missing = [
        f"SELARAS_{name.upper()}" for name in Settings.model_fields if f"SELARAS_{name.upper()}" not in text
    ]
    assert not missing, f"document these settings in README.md (Configuration) or docs/: {missing}"


@pytest.fixture(scope="module")
def analytics(tmp_path_factory) -> dict[str, list[str]]:
    """Every analytics view and its columns, as the SQL files define them (a new, empty
    warehouse: the views exist without a run)."""
    from selaras import warehouse

    settings = Settings(data_dir=tmp_path_factory.mktemp("docs") / "data")
    with warehouse.connected(settings) as con:
        rows = con.execute(
            "select table_name, column_name from duckdb_columns() where schema_name = 'analytics' "
            "and database_name = current_database() order by table_name, column_index"
        ).fetchall()
    out: dict[str, list[str]] = {}
    for view, column in rows:
        out.setdefault(view, []).append(column)
    return out


def test_every_analytics_view_is_in_the_readme(analytics):
    missing = [view for view in analytics if f"analytics.{view}" not in README]
    assert not missing, f"document these views in README.md (For analysts): {missing}"


def test_the_contract_views_are_the_ones_checked_here():
    if not CONTRACT_TOOL.is_file():
        pytest.skip("../shared/tools/check_contract.py is not here")
    tree = ast.parse(CONTRACT_TOOL.read_text(encoding="utf-8"))
    contract = next(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "CONTRACT" for t in node.targets)
    )
    assert set(ast.literal_eval(contract)) == set(CONTRACT_VIEWS)


def _readme_row(view: str) -> str:
    """The README table row(s) that name `analytics.<view>`."""
    return "\n".join(
        line for line in README.splitlines() if line.startswith("|") and f"`analytics.{view}`" in line
    )


@pytest.mark.parametrize("view", CONTRACT_VIEWS)
def test_every_column_of_a_contract_view_is_in_its_readme_row(analytics, view):
    assert view in analytics, f"analytics.{view} is missing"
    row = _readme_row(view)
    assert row, f"README.md has no table row for `analytics.{view}`"
    missing = [c for c in analytics[view] if f"`{c}`" not in row]
    assert not missing, f"document these columns of analytics.{view} in its README row: {missing}"


def test_every_cli_command_is_in_the_readme():
    from selaras.cli import app

    names = [c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands]
    assert names, "no commands found"
    missing = [n for n in names if not re.search(rf"`selaras {re.escape(n)}\b", README)]
    assert not missing, f"document these commands in README.md: {missing}"


def _yaml_files() -> list[str]:
    """The YAML files a maintainer may edit: every tracked *.yaml under selaras/."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "selaras/*.yaml", "selaras/**/*.yaml"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):  # not a git checkout
        out = []
    return sorted(set(out)) or sorted(
        p.relative_to(REPO).as_posix() for p in (REPO / "selaras").rglob("*.yaml")
    )


def _tables(text: str) -> list[str]:
    """The Markdown tables of `text`, each as one string."""
    tables, current = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append("\n".join(current))
            current = []
    if current:
        tables.append("\n".join(current))
    return tables


def test_every_yaml_file_is_listed_in_one_readme_table():
    files = _yaml_files()
    assert files, "no YAML files found under selaras/"
    # The one table meant to list them is the one that names the most (other tables may
    # mention a file in passing).
    table = max(_tables(README), key=lambda t: sum(f"`{f}`" in t for f in files), default="")
    missing = [f for f in files if f"`{f}`" not in table]
    assert not missing, f"add these YAML files to the README's table of YAML files: {missing}"


def test_the_readme_test_command_is_what_ci_runs():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert f"```bash\n{ci}\n```" in README, (
        "README's quick start and .ci/run's last line must be the same command"
    )
