-- Layer 9.5 (audit): the post-run checks, one view per check, each returning the rows
-- that break it (as dbt tests do): an empty view means the check holds. selaras/audit.py
-- runs them after every run and words the rows for planners; a run with any row here
-- is not published. Only reads; safe on the private database at any time.
--
-- Every physical row read from every current input file (raw.ingest_file status
-- `loaded`) must end up in exactly one place: loaded (a staged row that is clean),
-- quarantined (a staged row held back by validation) or skipped (raw.skipped_row, with
-- its reason); and the analysts' views must agree with the clean tables they are built on.
create schema if not exists audit;

-- Every staged row with its lineage, whatever its kind (staged.row_key plus the columns
-- the checks need).
create or replace view audit.staged_row as
    select 'staged.renja' as tbl, file_id, row_ref, source_file, sheet, source_row from staged.renja union all
    select 'staged.rkpd', file_id, row_ref, source_file, sheet, source_row from staged.rkpd union all
    select 'staged.usulan', file_id, row_ref, source_file, sheet, source_row from staged.usulan union all
    select 'staged.nomenklatur', file_id, row_ref, source_file, sheet, source_row from staged.nomenklatur union all
    select 'staged.wilayah', file_id, row_ref, source_file, sheet, source_row from staged.wilayah union all
    select 'staged.opd', file_id, row_ref, source_file, sheet, source_row from staged.opd;

create or replace view audit.clean_row as
    select file_id, row_ref from clean.renja union all
    select file_id, row_ref from clean.rkpd union all
    select file_id, row_ref from clean.usulan union all
    select file_id, row_ref from clean.nomenklatur union all
    select file_id, row_ref from clean.wilayah union all
    select file_id, row_ref from clean.opd;

-- Files whose rows_read is not staged + skipped, or whose recorded counts are not what
-- the tables hold (rows lost or counted twice).
create or replace view audit.file_balance as
    with st as (select file_id, count(*) as n from audit.staged_row group by file_id),
         sk as (select file_id, count(*) as n from raw.skipped_row group by file_id)
    select f.source_file, f.file_id, f.rows_read, f.rows_staged, f.rows_skipped,
           coalesce(st.n, 0) as found_staged, coalesce(sk.n, 0) as found_skipped
    from raw.ingest_file f left join st using (file_id) left join sk using (file_id)
    where f.status = 'loaded'
      and (f.rows_read <> coalesce(st.n, 0) + coalesce(sk.n, 0)
           or f.rows_staged <> coalesce(st.n, 0) or f.rows_skipped <> coalesce(sk.n, 0));

-- Sheets whose rows accounted for are not exactly rows 1..rows_read, each once (a gap is
-- a row lost, a repeat a row counted twice: in two staged tables, or staged and skipped).
create or replace view audit.sheet_numbering as
    with acc as (
        select file_id, sheet, source_row from audit.staged_row
        union all select file_id, sheet, source_row from raw.skipped_row
    ), per_sheet as (
        select file_id, sheet, count(*) as n, count(distinct source_row) as d,
               min(source_row) as lo, max(source_row) as hi
        from acc group by all
    )
    select f.source_file, s.sheet, s.rows_read, coalesce(p.n, 0) as rows_found,
           coalesce(p.d, 0) as rows_distinct, p.lo as first_row, p.hi as last_row
    from raw.sheet s
    join raw.ingest_file f using (file_id)
    left join per_sheet p on p.file_id = s.file_id and p.sheet = s.sheet
    where f.status = 'loaded'
      and (coalesce(p.n, 0) <> s.rows_read or coalesce(p.d, 0) <> s.rows_read
           or (s.rows_read > 0 and (p.lo <> 1 or p.hi <> s.rows_read)));

-- Staged rows of a sheet raw.sheet does not know.
create or replace view audit.sheet_unrecorded as
    select distinct f.source_file, a.sheet
    from audit.staged_row a join raw.ingest_file f using (file_id)
    where f.status = 'loaded'
      and not exists (select 1 from raw.sheet s where s.file_id = a.file_id and s.sheet = a.sheet);

-- Files whose rows_read is not the sum of their sheets' rows_read.
create or replace view audit.file_sheet_total as
    select f.source_file, f.rows_read, coalesce(sum(s.rows_read), 0) as rows_read_sheets
    from raw.ingest_file f left join raw.sheet s using (file_id)
    where f.status = 'loaded' group by all having f.rows_read <> coalesce(sum(s.rows_read), 0);

-- Staged rows whose row_ref is not source_file:sheet:source_row of their own file.
create or replace view audit.lineage_broken as
    select a.tbl, a.row_ref, f.source_file
    from audit.staged_row a join raw.ingest_file f using (file_id)
    where f.status = 'loaded'
      and (a.source_file <> f.source_file
           or a.row_ref <> f.source_file || ':' || a.sheet || ':' || a.source_row::varchar);

-- row_ref repeated among the current files.
create or replace view audit.row_ref_repeated as
    select a.row_ref, count(*) as times
    from audit.staged_row a join raw.ingest_file f using (file_id)
    where f.status = 'loaded' group by 1 having count(*) > 1;

-- Failed files that left rows behind (a failed file must leave nothing).
create or replace view audit.failed_file_leftovers as
    with left_behind as (
        select file_id, count(*) as n from (
            select file_id from audit.staged_row
            union all select file_id from raw.skipped_row
            union all select file_id from raw.sheet
        ) group by file_id
    )
    select f.source_file, l.n as rows_left
    from raw.ingest_file f join left_behind l using (file_id)
    where f.status = 'failed';

-- Rows both clean and quarantined.
create or replace view audit.clean_and_quarantined as
    select c.row_ref
    from audit.clean_row c
    join clean.quarantined_row q on q.file_id = c.file_id and q.row_ref = c.row_ref;

-- Staged rows of a current file that are neither clean nor quarantined.
create or replace view audit.neither_clean_nor_quarantined as
    select a.row_ref
    from audit.staged_row a join raw.ingest_file f using (file_id)
    where f.status = 'loaded'
      and not exists (select 1 from audit.clean_row c where c.file_id = a.file_id and c.row_ref = a.row_ref)
      and not exists (select 1 from clean.quarantined_row q where q.file_id = a.file_id and q.row_ref = a.row_ref);

-- Rows that appear more than once in clean.
create or replace view audit.clean_repeated as
    select row_ref, count(*) as times from audit.clean_row group by 1 having count(*) > 1;

-- Analytics views that do not mirror their clean view row for row: one row per key on
-- each side, same keys (no row dropped, none multiplied by a join). Each side is
-- evaluated once (the views are joins: costly on a big region).
create or replace view audit.analytics_mirror as
    with pairs as (
        select 'analytics.renja_alignment' as view_name, 'clean.renja' as clean_name,
               v.n as n_view, c.n as n_clean
        from (select renja_ref as k, count(*) as n from analytics.renja_alignment group by all) v
        full join (select row_ref as k, count(*) as n from clean.renja group by all) c
          on v.k is not distinct from c.k
        union all
        select 'analytics.musrenbang_accommodation', 'clean.usulan', v.n, c.n
        from (select row_ref as k, count(*) as n from analytics.musrenbang_accommodation group by all) v
        full join (select row_ref as k, count(*) as n from clean.usulan group by all) c
          on v.k is not distinct from c.k
        union all
        select 'analytics.rkpd_coverage', 'clean.rkpd', v.n, c.n
        from (select rkpd_ref as k, count(*) as n from analytics.rkpd_coverage group by all) v
        full join (select row_ref as k, count(*) as n from clean.rkpd group by all) c
          on v.k is not distinct from c.k
    ), per_view as (
        select view_name, clean_name,
               coalesce(sum(n_view), 0)                   as rows_view,
               coalesce(sum(n_clean), 0)                  as rows_clean,
               count(*) filter (where n_view is null)     as keys_missing,     -- clean keys not in the view
               count(*) filter (where n_clean is null)    as keys_extra,       -- view keys not from clean
               count(*) filter (where n_view <> n_clean)  as keys_multiplied   -- keys with other counts
        from pairs group by all
    )
    select * from per_view
    where rows_view <> rows_clean or keys_multiplied > 0 or keys_missing > 0 or keys_extra > 0;

-- Files where rows read <> loaded + quarantined + skipped (analytics.row_accounting); the
-- validate stage fails on these for the files it validated.
create or replace view audit.row_balance as
    select * from analytics.row_accounting
    where status = 'loaded' and not coalesce(balanced, false);

-- Not a check: the totals a run report quotes, over current files (rows_lost is zero when
-- the accounting holds).
create or replace view audit.figures as
    with f as (
        select coalesce(sum(rows_read) filter (where status = 'loaded'), 0) as rows_read,
               count(*) filter (where status = 'loaded') as files_current,
               count(*) filter (where status = 'failed') as files_failed
        from raw.ingest_file
    ), l as (
        select count(*) as rows_loaded from audit.clean_row
    ), q as (
        select count(*) as rows_quarantined
        from audit.staged_row a join raw.ingest_file f using (file_id)
        where f.status = 'loaded' and exists (
            select 1 from clean.quarantined_row q where q.file_id = a.file_id and q.row_ref = a.row_ref)
    ), s as (
        select count(*) as rows_skipped
        from raw.skipped_row s join raw.ingest_file f using (file_id) where f.status = 'loaded'
    )
    select f.files_current, f.files_failed, f.rows_read, l.rows_loaded, q.rows_quarantined, s.rows_skipped,
           f.rows_read - l.rows_loaded - q.rows_quarantined - s.rows_skipped as rows_lost
    from f, l, q, s;
