-- Layer 9 (analytics): the documented views analysts query. Their names and columns are a
-- promise (see README "For analysts"); add columns freely, never rename or drop one.
-- The publish step materialises them, with these comments, into processed/selaras.duckdb.
create schema if not exists analytics;

create or replace view analytics.renja_alignment as
    select
        r.row_ref                       as renja_ref,
        r.source_file,
        r.sheet,
        r.source_row,
        r.opd,
        r.tahun,
        r.kode_raw                      as kode_sub_kegiatan,
        r.kode                          as kode_normal,
        r.nama                          as nama_sub_kegiatan,
        r.pagu,
        a.rkpd_ref,
        a.kode_rkpd,
        a.nama_rkpd,
        a.prioritas,
        a.kode_saran,
        a.nama_nomenklatur,
        coalesce(a.status, 'tidak_selaras') as status,
        coalesce(a.method, 'none')      as method,
        a.score,
        coalesce(a.reason, 'Belum dicocokkan (jalankan selaras match).') as reason,
        coalesce(a.decided_by, 'matcher') as decided_by
    from clean.renja r
    left join match.renja_alignment a on a.renja_ref = r.row_ref;
comment on view analytics.renja_alignment is
    'One row per clean Renja row: the RKPD item and priority it serves, status (selaras / selaras_nama / perlu_review / tidak_selaras), method, score 0-100 and the reason.';

create or replace view analytics.musrenbang_accommodation as
    select
        coalesce(u.usulan_id, u.row_ref) as usulan_ref,
        u.row_ref,
        u.source_file,
        u.sheet,
        u.source_row,
        u.channel,
        u.usulan,
        u.uraian,
        u.kecamatan,
        u.desa,
        u.opd_tujuan,
        u.anggaran,
        coalesce(a.status, 'tidak_terakomodir') as status,
        a.renja_ref,
        a.renja_refs,
        a.score,
        coalesce(a.reason, 'Belum dicocokkan (jalankan selaras match).') as reason,
        coalesce(a.decided_by, 'matcher') as decided_by
    from clean.usulan u
    left join match.usulan_accommodation a on a.usulan_ref = u.row_ref;
comment on view analytics.musrenbang_accommodation is
    'One row per musrenbang or pokir proposal: status (terakomodir / perlu_review / tidak_terakomodir), the accommodating Renja row, score 0-100 and the reason.';

create or replace view analytics.rkpd_coverage as
    select
        k.row_ref                       as rkpd_ref,
        k.source_file,
        k.source_row,
        k.kode                          as kode_rkpd,
        k.nama                          as nama_rkpd,
        k.prioritas,
        k.opd,
        k.pagu                          as pagu_indikatif,
        count(a.renja_ref)              as jumlah_renja,
        list(a.renja_ref order by a.renja_ref) filter (where a.renja_ref is not null) as renja_refs,
        coalesce(sum(r.pagu), 0)        as pagu_renja,
        count(a.renja_ref) > 0          as tercakup
    from clean.rkpd k
    left join match.renja_alignment a
        on a.rkpd_ref = k.row_ref and a.status in ('selaras', 'selaras_nama')
    left join clean.renja r on r.row_ref = a.renja_ref
    group by all;
comment on view analytics.rkpd_coverage is
    'One row per RKPD item: the aligned Renja rows serving it, their total pagu against the pagu indikatif, and whether it is covered at all.';

create or replace view analytics.renja_candidates as
    select * from match.renja_candidate;
comment on view analytics.renja_candidates is
    'Top candidates (RKPD items and nomenclature entries) behind each Renja alignment, with per-field scores.';

create or replace view analytics.usulan_candidates as
    select * from match.usulan_candidate;
comment on view analytics.usulan_candidates is
    'Top Renja candidates behind each proposal''s accommodation, with per-field scores (work type, text, location, volume, cost, OPD).';

create or replace view analytics.quarantine as
    select c.*, f.kind, f.opd as file_opd
    from quality.check_result c
    join raw.ingest_file f using (file_id)
    where f.status = 'loaded'
      and c.run_id = (select max(run_id) from quality.validation_run v where v.file_id = c.file_id);
comment on view analytics.quarantine is
    'Every failed check of the latest validation of each current file: file, sheet, row, column, raw value, rule, severity (error = quarantined, warning = flagged) and a message in Indonesian.';

create or replace view analytics.ingest_files as
    select * from raw.ingest_file;
comment on view analytics.ingest_files is
    'Every file ingested, with status (loaded / failed / superseded), the reason for a failure, and row counts.';

create or replace view analytics.skipped_rows as
    select s.*, f.source_file, f.kind from raw.skipped_row s join raw.ingest_file f using (file_id);
comment on view analytics.skipped_rows is
    'Rows not loaded as data (title, header, numbering, group, subtotal, empty) with the reason.';

create or replace view analytics.row_accounting as
    with staged_rows as (
        select file_id, row_ref from staged.renja union all
        select file_id, row_ref from staged.rkpd union all
        select file_id, row_ref from staged.usulan union all
        select file_id, row_ref from staged.nomenklatur union all
        select file_id, row_ref from staged.wilayah union all
        select file_id, row_ref from staged.opd
    ), per_file as (
        select s.file_id,
               count(*) filter (where q.row_ref is null)     as rows_loaded,
               count(*) filter (where q.row_ref is not null) as rows_quarantined
        from staged_rows s left join clean.quarantined_row q using (row_ref)
        group by s.file_id
    )
    select f.file_id, f.source_file, f.kind, f.status,
           f.rows_read,
           coalesce(p.rows_loaded, 0)      as rows_loaded,
           coalesce(p.rows_quarantined, 0) as rows_quarantined,
           f.rows_skipped,
           f.rows_read = coalesce(p.rows_loaded, 0) + coalesce(p.rows_quarantined, 0) + f.rows_skipped as balanced
    from raw.ingest_file f left join per_file p using (file_id)
    where f.status <> 'failed';
comment on view analytics.row_accounting is
    'Per file: rows read = rows loaded + rows quarantined + rows skipped. `balanced` must be true for every file.';

create or replace view analytics.runs as
    select * from meta.run;
comment on view analytics.runs is 'Every pipeline run: start, end, status and the error of a failed run.';
