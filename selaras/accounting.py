"""The post-run accounting check: nothing lost, nothing counted twice.

Every physical row read from every current input file (raw.ingest_file status `loaded`)
must end up in exactly one place:

- loaded       a row of staged.<kind> that is in clean.<kind>;
- quarantined  a row of staged.<kind> held back by validation (clean.quarantined_row);
- skipped      a row of raw.skipped_row (title, header, JUMLAH ...), with its reason.

and the analysts' views must agree with the clean tables they are built on (one row of
analytics.renja_alignment per clean Renja row, and so on). `check_accounting(con)`
returns the problems found, in words an operator can act on (empty list: all is well);
`accounting_figures(con)` gives the totals a run report quotes (rows checked, loaded,
quarantined, skipped, lost).

Only reads; safe to run on the private database after every run (and by the tests). All
table names are code constants; values travel as bound parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

#: staged table -> clean view of the same rows (a code constant: never user input).
STAGED_CLEAN: dict[str, str] = {
    "staged.renja": "clean.renja",
    "staged.rkpd": "clean.rkpd",
    "staged.usulan": "clean.usulan",
    "staged.nomenklatur": "clean.nomenklatur",
    "staged.wilayah": "clean.wilayah",
    "staged.opd": "clean.opd",
}

#: analytics view -> (its key column, the clean view it must mirror row for row, that view's key).
ANALYTICS_MIRRORS: dict[str, tuple[str, str, str]] = {
    "analytics.renja_alignment": ("renja_ref", "clean.renja", "row_ref"),
    "analytics.musrenbang_accommodation": ("row_ref", "clean.usulan", "row_ref"),
    "analytics.rkpd_coverage": ("rkpd_ref", "clean.rkpd", "row_ref"),
}

_LIMIT = 20  # problems listed per check; the count says how many more there are

_STAGED_ROWS = " union all ".join(
    f"select '{t}' as tbl, file_id, row_ref, source_file, sheet, source_row from {t}"  # noqa: S608 - constants
    for t in STAGED_CLEAN
)
_CLEAN_ROWS = " union all ".join(f"select file_id, row_ref from {v}" for v in STAGED_CLEAN.values())  # noqa: S608


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def _more(count: int) -> list[str]:
    return [f"... dan {count - _LIMIT} lagi (and {count - _LIMIT} more)"] if count > _LIMIT else []


def _file_balance(con: duckdb.DuckDBPyConnection) -> list[str]:
    """rows_read = rows in staged.* + rows in raw.skipped_row, and the counts ingest
    recorded match what the tables hold."""
    rows = _rows(
        con,
        f"""
        with st as (select file_id, count(*) as n from ({_STAGED_ROWS}) group by file_id),
             sk as (select file_id, count(*) as n from raw.skipped_row group by file_id)
        select f.source_file, f.file_id, f.rows_read, f.rows_staged, f.rows_skipped,
               coalesce(st.n, 0), coalesce(sk.n, 0)
        from raw.ingest_file f left join st using (file_id) left join sk using (file_id)
        where f.status = 'loaded'
          and (f.rows_read <> coalesce(st.n, 0) + coalesce(sk.n, 0)
               or f.rows_staged <> coalesce(st.n, 0) or f.rows_skipped <> coalesce(sk.n, 0))
        order by f.source_file""",  # noqa: S608
    )  # constant SQL
    out = []
    for source, file_id, read, staged, skipped, found_staged, found_skipped in rows[:_LIMIT]:
        out.append(
            f"{source} (file_id {file_id}): dibaca {read} baris, tetapi di staged.* ada {found_staged} "
            f"dan di raw.skipped_row ada {found_skipped} (= {found_staged + found_skipped}); ingest mencatat "
            f"{staged} dimuat + {skipped} dilewati (rows_read != staged + skipped: rows lost or counted twice)"
        )
    return out + _more(len(rows))


def _sheet_numbering(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Per sheet, the rows accounted for are exactly rows 1..rows_read, each once (a gap
    is a row lost, a repeat a row counted twice: in two staged tables, or staged and skipped)."""
    rows = _rows(
        con,
        f"""
        with acc as (
            select file_id, sheet, source_row from ({_STAGED_ROWS})
            union all select file_id, sheet, source_row from raw.skipped_row
        ), per_sheet as (
            select file_id, sheet, count(*) as n, count(distinct source_row) as d,
                   min(source_row) as lo, max(source_row) as hi
            from acc group by all
        )
        select f.source_file, s.sheet, s.rows_read, coalesce(p.n, 0), coalesce(p.d, 0), p.lo, p.hi
        from raw.sheet s
        join raw.ingest_file f using (file_id)
        left join per_sheet p on p.file_id = s.file_id and p.sheet = s.sheet
        where f.status = 'loaded'
          and (coalesce(p.n, 0) <> s.rows_read or coalesce(p.d, 0) <> s.rows_read
               or (s.rows_read > 0 and (p.lo <> 1 or p.hi <> s.rows_read)))
        order by f.source_file, s.sheet""",  # noqa: S608
    )  # constant SQL
    out = []
    for source, sheet, read, n, distinct, lo, hi in rows[:_LIMIT]:
        out.append(
            f"{source} [lembar '{sheet}']: {read} baris dibaca, tercatat {n} baris ({distinct} nomor berbeda, "
            f"baris {lo}..{hi}); seharusnya tepat baris 1..{read} masing-masing sekali "
            "(rows lost, duplicated or misnumbered)"
        )
    extra = _rows(
        con,
        f"""
        select distinct f.source_file, a.sheet
        from ({_STAGED_ROWS}) a join raw.ingest_file f using (file_id)
        where f.status = 'loaded'
          and not exists (select 1 from raw.sheet s where s.file_id = a.file_id and s.sheet = a.sheet)
        order by 1, 2""",  # noqa: S608
    )  # constant SQL
    out += [
        f"{source} [lembar '{sheet}']: ada baris staged tetapi lembarnya tidak tercatat di raw.sheet"
        for source, sheet in extra[:_LIMIT]
    ]
    files = _rows(
        con,
        """
        select f.source_file, f.rows_read, coalesce(sum(s.rows_read), 0)
        from raw.ingest_file f left join raw.sheet s using (file_id)
        where f.status = 'loaded' group by all having f.rows_read <> coalesce(sum(s.rows_read), 0)
        order by 1""",
    )
    out += [
        f"{source}: rows_read berkas {read} != jumlah rows_read per lembar {per_sheet}"
        for source, read, per_sheet in files[:_LIMIT]
    ]
    return out + _more(len(rows))


def _lineage(con: duckdb.DuckDBPyConnection) -> list[str]:
    """row_ref = source_file:sheet:source_row of the row's own file; unique among current files."""
    bad = _rows(
        con,
        f"""
        select a.tbl, a.row_ref, f.source_file
        from ({_STAGED_ROWS}) a join raw.ingest_file f using (file_id)
        where f.status = 'loaded'
          and (a.source_file <> f.source_file
               or a.row_ref <> f.source_file || ':' || a.sheet || ':' || a.source_row::varchar)
        order by 2""",  # noqa: S608
    )  # constant SQL
    out = [
        f"{source}: {tbl} row_ref '{ref}' tidak sesuai berkas:lembar:baris (lineage broken)"
        for tbl, ref, source in bad[:_LIMIT]
    ] + _more(len(bad))
    dup = _rows(
        con,
        f"""
        select a.row_ref, count(*) from ({_STAGED_ROWS}) a join raw.ingest_file f using (file_id)
        where f.status = 'loaded' group by 1 having count(*) > 1 order by 1""",  # noqa: S608
    )  # constant SQL
    out += [
        f"row_ref '{ref}' muncul {n} kali di antara berkas yang berlaku (row_ref not unique)"
        for ref, n in dup[:_LIMIT]
    ] + _more(len(dup))
    return out


def _failed_leave_nothing(con: duckdb.DuckDBPyConnection) -> list[str]:
    """A failed file leaves no partial rows behind."""
    rows = _rows(
        con,
        f"""
        with left_behind as (
            select file_id, count(*) as n from (
                select file_id from ({_STAGED_ROWS})
                union all select file_id from raw.skipped_row
                union all select file_id from raw.sheet
            ) group by file_id
        )
        select f.source_file, l.n from raw.ingest_file f join left_behind l using (file_id)
        where f.status = 'failed' order by 1""",  # noqa: S608
    )  # constant SQL
    out = [
        f"{source}: berkas gagal dimuat tetapi meninggalkan {n} baris (failed file left partial rows)"
        for source, n in rows[:_LIMIT]
    ]
    return out + _more(len(rows))


def _partition(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Each staged row of a current file is either clean or quarantined, never both, never neither."""
    out = []
    both = _rows(
        con,
        f"""
        select c.row_ref from ({_CLEAN_ROWS}) c
        join clean.quarantined_row q on q.file_id = c.file_id and q.row_ref = c.row_ref
        order by 1""",  # noqa: S608
    )  # constant SQL
    out += [
        f"baris {ref} ada di clean dan sekaligus dikarantina (both clean and quarantined)"
        for (ref,) in both[:_LIMIT]
    ] + _more(len(both))
    neither = _rows(
        con,
        f"""
        select a.row_ref from ({_STAGED_ROWS}) a join raw.ingest_file f using (file_id)
        where f.status = 'loaded'
          and not exists (select 1 from ({_CLEAN_ROWS}) c where c.file_id = a.file_id and c.row_ref = a.row_ref)
          and not exists (select 1 from clean.quarantined_row q where q.file_id = a.file_id and q.row_ref = a.row_ref)
        order by 1""",  # noqa: S608
    )  # constant SQL
    out += [
        f"baris {ref} tidak ada di clean maupun karantina (row lost between staged and clean)"
        for (ref,) in neither[:_LIMIT]
    ] + _more(len(neither))
    dup = _rows(
        con,
        f"""
        select row_ref, count(*) from ({_CLEAN_ROWS}) group by 1 having count(*) > 1 order by 1""",  # noqa: S608
    )  # noqa: S608
    out += [f"baris {ref} muncul {n} kali di clean (duplicated in clean)" for ref, n in dup[:_LIMIT]]
    return out + _more(len(dup))


def _analytics_mirror(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One analytics row per clean row: same count, same keys (no row dropped or multiplied
    by a join). Each side is evaluated once (the views are joins: costly on a big region)."""
    out = []
    for view, (key, clean, clean_key) in ANALYTICS_MIRRORS.items():
        n_view, n_clean, missing, extra, multiplied = _rows(
            con,
            f"""
            select coalesce(sum(v.n), 0), coalesce(sum(c.n), 0),
                   count(*) filter (where v.n is null), count(*) filter (where c.n is null),
                   count(*) filter (where v.n <> c.n)
            from (select {key} as k, count(*) as n from {view} group by all) v
            full join (select {clean_key} as k, count(*) as n from {clean} group by all) c
              on v.k is not distinct from c.k""",  # noqa: S608
        )[0]  # noqa: S608 - constant names
        if n_view != n_clean or multiplied:
            out.append(
                f"{view} punya {n_view} baris, {clean} punya {n_clean} "
                f"({multiplied} kunci muncul dengan jumlah berbeda) (analytics view disagrees with clean)"
            )
        if missing or extra:
            out.append(
                f"{view}: {missing} baris {clean} tidak muncul, {extra} baris tidak berasal dari {clean}"
            )
    return out


CHECKS = (_file_balance, _sheet_numbering, _lineage, _failed_leave_nothing, _partition, _analytics_mirror)


def check_accounting(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every problem found (empty when every row is accounted for and the analytics views
    agree with the clean tables). A check that cannot run (a table missing) is a problem too."""
    problems: list[str] = []
    for check in CHECKS:
        try:
            problems += check(con)
        except Exception as exc:  # a broken warehouse must be reported, not hide the other checks
            problems.append(
                f"pemeriksaan {check.__name__.lstrip('_')} gagal dijalankan ({type(exc).__name__}: {exc})"
            )
    return problems


def accounting_figures(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Totals over current files: rows read, loaded, quarantined, skipped, and lost
    (read - loaded - quarantined - skipped; zero when the accounting holds)."""
    read, files, failed = _rows(
        con,
        """
        select coalesce(sum(rows_read) filter (where status = 'loaded'), 0),
               count(*) filter (where status = 'loaded'), count(*) filter (where status = 'failed')
        from raw.ingest_file""",
    )[0]
    loaded = _rows(con, f"select count(*) from ({_CLEAN_ROWS})")[0][0]  # noqa: S608
    quarantined = _rows(
        con,
        f"""
        select count(*) from ({_STAGED_ROWS}) a join raw.ingest_file f using (file_id)
        where f.status = 'loaded' and exists (
            select 1 from clean.quarantined_row q where q.file_id = a.file_id and q.row_ref = a.row_ref)""",  # noqa: S608
    )[0][0]  # noqa: S608
    skipped = _rows(
        con,
        """
        select count(*) from raw.skipped_row s join raw.ingest_file f using (file_id) where f.status = 'loaded'""",
    )[0][0]
    return {
        "files_current": int(files),
        "files_failed": int(failed),
        "rows_read": int(read),
        "rows_loaded": int(loaded),
        "rows_quarantined": int(quarantined),
        "rows_skipped": int(skipped),
        "rows_lost": int(read - loaded - quarantined - skipped),
    }
