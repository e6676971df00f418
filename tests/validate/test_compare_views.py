"""bench/compare_views.py: the same views compare equal whatever their run ids and
timestamps, and a changed, missing or extra row is reported."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import duckdb

TOOL = Path(__file__).resolve().parents[2] / "bench" / "compare_views.py"


def _tool():
    spec = importlib.util.spec_from_file_location("compare_views", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules["compare_views"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _db(path: Path, run_id: str, rows: list[tuple]) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema analytics")
    con.execute("create table analytics.t (run_id varchar, published_at timestamp, opd varchar, pagu double)")
    con.executemany("insert into analytics.t values (?, now(), ?, ?)", [(run_id, *r) for r in rows])
    con.execute("create view analytics.forum as select * from analytics.t")
    con.execute("create view analytics.extra as select opd from analytics.t")
    con.close()
    return path


def test_same_content_other_run_is_the_same(tmp_path):
    rows = [("DINSOS", 1.5), ("DINKES", 2.0), ("DINKES", 2.0)]
    a = _db(tmp_path / "a.duckdb", "run-1", rows)
    b = _db(tmp_path / "b.duckdb", "run-2", list(reversed(rows)))
    diffs = _tool().compare(a, b)
    assert [d.view for d in diffs] == ["extra", "forum", "t"] and all(d.same for d in diffs)
    assert _tool().main([str(a), str(b)]) == 0


def test_a_changed_or_missing_row_differs(tmp_path, capsys):
    a = _db(tmp_path / "a.duckdb", "run-1", [("DINSOS", 1.5), ("DINKES", 2.0), ("DINKES", 2.0)])
    b = _db(tmp_path / "b.duckdb", "run-1", [("DINSOS", 1.5), ("DINKES", 2.5)])
    forum = {d.view: d for d in _tool().compare(a, b)}["forum"]
    assert not forum.same and (forum.rows_a, forum.rows_b) == (3, 2)
    assert (forum.only_a, forum.only_b) == (2, 1)  # both DINKES 2.0 copies; DINKES 2.5
    assert _tool().main([str(a), str(b)]) == 1
    assert "DIFFERS" in capsys.readouterr().out
