"""Apply the planners' decisions in force: rebuild decided.decision from scratch (what a
decision may do is decided once, in SQL: review.decision_state and
decided.decision_in_force in sql/065_decided.sql), and say what became of each decision -
how many apply, and a problem for each one that does not (its row changed or is gone, or
its chosen target is gone). The views decided.renja_alignment / usulan_accommodation lay
decided.decision over the matcher's results; match.* is never written here.

May import: duckdb, selaras.review.problems.
"""

from __future__ import annotations

import duckdb

from selaras.review.problems import Problem

_MESSAGES = {
    "stale": "Baris yang diputuskan sudah berubah sejak lembar review dibuat; keputusan '{text}' tidak "
    "diterapkan. Putuskan lagi baris ini di lembar review yang baru.",
    "missing_subject": "Baris yang diputuskan ({subject}) tidak ada lagi (berkas diganti, baris dihapus atau "
    "dikarantina); keputusan '{text}' tidak diterapkan.",
    "missing_target": "Pasangan yang dipilih ({target}) tidak ada lagi; keputusan '{text}' tidak diterapkan.",
}


def apply_decisions(con: duckdb.DuckDBPyConnection) -> tuple[list[Problem], dict[str, int]]:
    """Rebuild decided.decision; return (a problem per decision in force that does not
    apply, figures review_<state> and review_moved: decisions that followed their row to a
    new place in its file). Run inside the reconcile stage's transaction."""
    con.execute("delete from decided.decision")
    con.execute("insert into decided.decision by name select * from decided.decision_in_force")
    figures = dict(con.execute("select state, count(*) from review.decision_state group by 1").fetchall())
    figures["moved"] = con.execute(
        "select count(*) from review.decision_state where state = 'applied' and moved"
    ).fetchone()[0]
    problems = [
        Problem(
            source_file,
            sheet,
            source_row,
            state,
            _MESSAGES[state].format(text=text, subject=subject, target=chosen),
            "Keputusan",
            subject,
        )
        for source_file, sheet, source_row, state, text, subject, chosen in con.execute(
            "select source_file, sheet, source_row, state, decision_text, subject_ref, chosen_ref "
            "from review.decision_state where state <> 'applied' order by source_file, sheet, source_row"
        ).fetchall()
    ]
    return problems, {f"review_{k}": int(v) for k, v in figures.items()}
