"""The matcher's precision against the planners' decisions: every decision in force on a
row the matcher (not an earlier review) had decided is a label. Accepting, or choosing
the candidate the matcher had proposed, says the matcher was right; rejecting or choosing
another says it was wrong; "tidak terakomodir" agrees with a matcher that found nothing.
May import: duckdb."""

from __future__ import annotations

from typing import Any

import duckdb

_QUERY = """
    select task, coalesce(matcher_status, '?') as matcher_status,
           count(*) filter (where matcher_correct)     as benar,
           count(*) filter (where not matcher_correct) as salah
    from analytics.review_decisions
    where matcher_correct is not null
    group by all order by all
"""


def review_precision(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """{task: {"decisions", "right", "wrong", "precision", "by_status": {status: {...}}}}
    for tasks renja_rkpd and usulan_renja; precision is None without decisions."""
    out: dict[str, Any] = {}
    for task in ("renja_rkpd", "usulan_renja"):
        out[task] = {"decisions": 0, "right": 0, "wrong": 0, "precision": None, "by_status": {}}
    for task, status, right, wrong in con.execute(_QUERY).fetchall():
        entry = out.setdefault(
            task, {"decisions": 0, "right": 0, "wrong": 0, "precision": None, "by_status": {}}
        )
        entry["right"] += right
        entry["wrong"] += wrong
        entry["decisions"] += right + wrong
        entry["by_status"][status] = {
            "decisions": right + wrong,
            "right": right,
            "wrong": wrong,
            "precision": right / (right + wrong) if right + wrong else None,
        }
    for entry in out.values():
        if entry["decisions"]:
            entry["precision"] = entry["right"] / entry["decisions"]
    return out
