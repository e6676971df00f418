"""Record what this run's reports show (after the planners' decisions), so the next run
can say what changed (analytics.run_changes). May import: duckdb."""

from __future__ import annotations

import duckdb

_SNAPSHOT = """
    insert into history.snapshot (run_id, entity, ref, status, target_ref, score, fingerprint, decided_by)
    select ?, 'renja', a.renja_ref, a.status, a.rkpd_ref, a.score, s.fingerprint, a.decided_by
    from analytics.renja_alignment a
    left join review.subject s on s.task = 'renja_rkpd' and s.subject_ref = a.renja_ref
    union all
    select ?, 'usulan', a.row_ref, a.status, a.renja_ref, a.score, s.fingerprint, a.decided_by
    from analytics.musrenbang_accommodation a
    left join review.subject s on s.task = 'usulan_renja' and s.subject_ref = a.row_ref
"""


def snapshot(con: duckdb.DuckDBPyConnection, run_id: str) -> int:
    con.execute("delete from history.snapshot where run_id = ?", [run_id])
    con.execute(_SNAPSHOT, [run_id, run_id])
    return con.execute("select count(*) from history.snapshot where run_id = ?", [run_id]).fetchone()[0]
