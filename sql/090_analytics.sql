-- Layer 9 (analytics): the documented views analysts query. Their names and columns are a
-- promise (see README "For analysts"); add columns freely, never rename or drop one.
-- The publish step materialises them, with these comments, into processed/selaras.duckdb.
-- Alignment and accommodation are read from the decided layer (065_decided.sql): the
-- matcher's results with the planners' review decisions in force; candidates from match.*.
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
        r.kegiatan_nama,
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
    left join decided.renja_alignment a on a.renja_ref = r.row_ref;
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
        coalesce(a.decided_by, 'matcher') as decided_by,
        u.lokasi,
        u.tahapan,
        r.nama                          as nama_renja,
        r.opd                           as opd_renja,
        coalesce(len(a.renja_refs), 0)  as jumlah_renja
    from clean.usulan u
    left join decided.usulan_accommodation a on a.usulan_ref = u.row_ref
    left join clean.renja r on r.row_ref = a.renja_ref;
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
    left join decided.renja_alignment a
        on a.rkpd_ref = k.row_ref and a.status in ('selaras', 'selaras_nama')
    left join clean.renja r on r.row_ref = a.renja_ref
    group by all;
comment on view analytics.rkpd_coverage is
    'One row per RKPD item: the aligned Renja rows serving it, their total pagu against the pagu indikatif, and whether it is covered at all.';

create or replace view analytics.renja_candidates as
    select c.*, r.nama as nama_renja, r.opd as opd_renja
    from match.renja_candidate c
    left join clean.renja r on r.row_ref = c.renja_ref;
comment on view analytics.renja_candidates is
    'Top candidates (RKPD items and nomenclature entries) behind each Renja alignment, with per-field scores.';

create or replace view analytics.usulan_candidates as
    select c.*, u.usulan, u.lokasi as lokasi_usulan, r.nama as nama_renja, r.opd as opd_renja, r.lokasi as lokasi_renja
    from match.usulan_candidate c
    left join clean.usulan u on u.row_ref = c.usulan_ref
    left join clean.renja r on r.row_ref = c.renja_ref;
comment on view analytics.usulan_candidates is
    'Top Renja candidates behind each proposal''s accommodation, with per-field scores (work type, text, location, volume, cost, OPD), the match weight and the comparison level of every field.';

create or replace view analytics.quarantine as
    with row_opd as (
        select file_id, row_ref, opd from staged.renja union all
        select file_id, row_ref, opd from staged.rkpd union all
        select file_id, row_ref, opd_tujuan as opd from staged.usulan
    )
    select c.*, f.opd as file_opd,
           coalesce(o.opd, f.opd)           as opd,          -- the row's OPD, else the file's
           case when c.severity <> 'error' then 'ditandai'
                when c.row_ref is null then 'berkas_ditolak'
                else 'dikarantina' end      as status        -- flagged / file rejected / row quarantined
    from quality.check_result c
    join clean.latest_validation l using (file_id, run_id)
    join raw.ingest_file f using (file_id)
    left join row_opd o on o.file_id = c.file_id and o.row_ref = c.row_ref
    where f.status = 'loaded';
comment on view analytics.quarantine is
    'Every failed check of the latest validation of each current file: file, sheet, row, column (original header), raw value, rule, severity (error = quarantined, warning = flagged), a message in Indonesian, the suggestion, the OPD and status (dikarantina / berkas_ditolak / ditandai).';

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
        select file_id, row_ref from staged.row_key
    ), flagged as (
        select distinct c.file_id, c.row_ref
        from quality.check_result c join clean.latest_validation l using (file_id, run_id)
        where c.severity = 'warning' and c.row_ref is not null
    ), per_file as (
        select s.file_id,
               count(*)                                                           as rows_staged_found,
               count(*) filter (where q.row_ref is null)                          as rows_loaded,
               count(*) filter (where q.row_ref is not null)                      as rows_quarantined,
               count(*) filter (where q.row_ref is null and w.row_ref is not null) as rows_flagged
        from staged_rows s
        left join clean.quarantined_row q on q.file_id = s.file_id and q.row_ref = s.row_ref
        left join flagged w on w.file_id = s.file_id and w.row_ref = s.row_ref
        group by s.file_id
    ), skipped as (
        select file_id, count(*) as rows_skipped_recorded from raw.skipped_row group by file_id
    )
    select f.file_id, f.source_file, f.kind, f.status,
           f.rows_read,
           coalesce(p.rows_loaded, 0)      as rows_loaded,
           coalesce(p.rows_quarantined, 0) as rows_quarantined,
           f.rows_skipped,
           f.rows_read = coalesce(p.rows_loaded, 0) + coalesce(p.rows_quarantined, 0) + f.rows_skipped as balanced,
           coalesce(p.rows_flagged, 0)     as rows_flagged,           -- loaded, with warnings
           f.rows_staged,                                             -- as ingest counted them
           coalesce(p.rows_staged_found, 0) as rows_staged_found,     -- rows actually in staged.*
           coalesce(k.rows_skipped_recorded, 0) as rows_skipped_recorded,  -- rows in raw.skipped_row
           f.rows_skipped = coalesce(k.rows_skipped_recorded, 0)
               and f.rows_staged = coalesce(p.rows_staged_found, 0) as counts_recorded
    from raw.ingest_file f
    left join per_file p using (file_id)
    left join skipped k using (file_id)
    where f.status <> 'failed';
comment on view analytics.row_accounting is
    'Per file: rows read = rows loaded + rows quarantined + rows skipped. `balanced` must be true for every file (the validate stage fails the run otherwise); `counts_recorded` says every skipped row is in raw.skipped_row with its reason and every counted staged row is in staged.*.';

create or replace view analytics.runs as
    select * from meta.run;
comment on view analytics.runs is 'Every pipeline run: start, end, status and the error of a failed run.';
