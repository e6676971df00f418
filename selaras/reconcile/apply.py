"""Apply the planners' decisions in force over the matcher's results (decided_by =
'review'). What a decision may do is decided once, in SQL (review.decision_state); here
the applicable ones overwrite their row in match.renja_alignment /
match.usulan_accommodation and the others become problems. Nothing else is recomputed:
the analytics views follow the match tables."""

from __future__ import annotations

import duckdb

from selaras.reconcile.problems import Problem

# A reason planners can read next to the matcher's: who decided what, when, and where.
_REASON = """
    concat('Keputusan peninjau', coalesce(' ' || d.reviewer, ''),
           coalesce(' (' || strftime(d.decided_at, '%d-%m-%Y') || ')', ''), ': ',
           case d.decision
               when 'accept' then 'hasil pencocokan sistem diterima'
               when 'reject' then 'pasangan usulan sistem ditolak'
               when 'choose' then 'memilih kandidat ' || d.candidate_rank
               when 'tidak_terakomodir' then 'tidak terakomodir'
           end,
           coalesce(' - ' || d.reason, ''),
           ' [', d.source_file, ' / ', d.sheet, ' / baris ', d.source_row, ']')
"""

_APPLY_RENJA = f"""
    insert into match.renja_alignment (renja_ref, rkpd_ref, kode_rkpd, nama_rkpd, prioritas, kode_saran,
        nama_nomenklatur, status, method, score, reason, decided_by)
    select d.current_ref, k.row_ref, k.kode, k.nama, k.prioritas,
           case when k.kode is not null and k.kode is distinct from r.kode then k.kode else a.kode_saran end,
           a.nama_nomenklatur,
           case when k.row_ref is null then 'tidak_selaras'
                when k.kode is not distinct from r.kode then 'selaras'
                else 'selaras_nama' end,
           'review',
           case when k.row_ref is null then a.score
                else coalesce((select max(c.score) from match.renja_candidate c
                               where c.renja_ref = d.current_ref and c.target_ref = k.row_ref), a.score) end,
           {_REASON},
           'review'
    from _applied d
    join clean.renja r on r.row_ref = d.current_ref
    left join clean.rkpd k on k.row_ref = d.chosen_ref
    left join _before_renja a on a.renja_ref = d.current_ref
    where d.task = 'renja_rkpd'
"""  # noqa: S608 - composed from constants only

_APPLY_USULAN = f"""
    insert into match.usulan_accommodation (usulan_ref, channel, status, renja_ref, renja_refs, score, reason,
        decided_by)
    select d.current_ref, u.channel,
           case when d.chosen_ref is null then 'tidak_terakomodir' else 'terakomodir' end,
           d.chosen_ref,
           case when d.chosen_ref is null then null
                when d.decision = 'accept' and d.chosen_ref = a.renja_ref then a.renja_refs
                else [d.chosen_ref] end,
           case when d.chosen_ref is null then a.score
                else coalesce((select max(c.score) from match.usulan_candidate c
                               where c.usulan_ref = d.current_ref and c.renja_ref = d.chosen_ref), a.score) end,
           {_REASON},
           'review'
    from _applied d
    join clean.usulan u on u.row_ref = d.current_ref
    left join _before_usulan a on a.usulan_ref = d.current_ref
    where d.task = 'usulan_renja'
"""  # noqa: S608 - composed from constants only

_MESSAGES = {
    "stale": "Baris yang diputuskan sudah berubah sejak lembar review dibuat; keputusan '{text}' tidak "
    "diterapkan. Putuskan lagi baris ini di lembar review yang baru.",
    "missing_subject": "Baris yang diputuskan ({subject}) tidak ada lagi (berkas diganti, baris dihapus atau "
    "dikarantina); keputusan '{text}' tidak diterapkan.",
    "missing_target": "Pasangan yang dipilih ({target}) tidak ada lagi; keputusan '{text}' tidak diterapkan.",
}


def apply_decisions(con: duckdb.DuckDBPyConnection) -> tuple[list[Problem], dict[str, int]]:
    con.execute(
        "create or replace temp table _applied as select * from review.decision_state where state = 'applied'"
    )
    # The matcher's rows as they are now (score, kode_saran, split refs are kept from them).
    con.execute(
        "create or replace temp table _before_renja as select * from match.renja_alignment "
        "where renja_ref in (select current_ref from _applied where task = 'renja_rkpd')"
    )
    con.execute(
        "create or replace temp table _before_usulan as select * from match.usulan_accommodation "
        "where usulan_ref in (select current_ref from _applied where task = 'usulan_renja')"
    )
    con.execute("delete from match.renja_alignment where renja_ref in (select renja_ref from _before_renja)")
    con.execute(
        "delete from match.usulan_accommodation where usulan_ref in (select usulan_ref from _before_usulan)"
    )
    con.execute(_APPLY_RENJA)
    con.execute(_APPLY_USULAN)
    figures = dict(con.execute("select state, count(*) from review.decision_state group by 1").fetchall())
    figures["moved"] = con.execute("select count(*) from _applied where moved").fetchone()[0]
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
    for table in ("_applied", "_before_renja", "_before_usulan"):
        con.execute(f"drop table if exists {table}")
    return problems, {f"review_{k}": int(v) for k, v in figures.items()}
