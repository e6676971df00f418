-- Layer 9 (analytics), part 2: the reconciliation views behind the Forum OPD workbooks,
-- the summary report and the exports (selaras.reconcile / selaras.report). Same promise as
-- 090_analytics.sql: names and columns stay; columns may be added.
create schema if not exists analytics;

-- One name per OPD. Files spell the same agency differently ("Dinas PUPR", "DINAS
-- PEKERJAAN UMUM DAN PENATAAN RUANG", "Dinas Pekerjaan Umum dan Penataan Ruang Provinsi
-- Banten"). The reconcile stage resolves every spelling with the matcher's OPD resolver
-- (selaras.kamus.opd: the planners' alias file, abbreviations, the OPD list's singkatan, word subsets, typos) into
-- reconcile.opd_name. Spellings it has not seen fall back to: equal once case, spacing
-- and punctuation are ignored, named after the OPD list or the most frequent spelling.
create schema if not exists reconcile;

create table if not exists reconcile.opd_name (
    opd_raw     varchar primary key,    -- the spelling as found in a file
    opd_key     varchar not null,       -- the resolver's key (normalised name)
    opd         varchar not null,       -- the name reports use
    resolved    boolean not null        -- false: the resolver knew no agency for it (kept as its own)
);
-- How the spelling was resolved, in words ("nama sama", "singkatan", "alias dari planner",
-- "ejaan mirip (94%)", "tidak dikenal"). Added after the table first shipped.
alter table reconcile.opd_name add column if not exists evidence varchar;

-- One row per OPD spelling: which agency it was resolved to and on what evidence. The
-- OPD TUJUAN of a proposal that resolves to no known agency is grouped under "OPD tidak
-- dikenal" in the Forum workbooks (unless its accommodating Renja row names the OPD).
create or replace view analytics.opd_resolution as
    select opd_raw, opd_key, opd, resolved, coalesce(evidence, case when resolved then 'nama sama' else 'tidak dikenal' end) as evidence
    from reconcile.opd_name;
comment on view analytics.opd_resolution is
    'Every OPD spelling found (opd_raw), the agency it resolved to (opd_key, opd), whether a known agency was found (resolved) and on what evidence.';

create or replace view analytics.opd_map as
    with spellings as (
        select opd as opd_raw, count(*) as n from clean.renja where opd is not null group by 1
        union all
        select opd, count(*) from clean.rkpd where opd is not null group by 1
        union all
        select opd_tujuan, count(*) from clean.usulan where opd_tujuan is not null group by 1
        union all
        select nama, 0 from clean.opd
    ), keyed as (
        select opd_raw,
               upper(trim(regexp_replace(opd_raw, '[^0-9A-Za-z]+', ' ', 'g'))) as opd_key,
               sum(n) as n
        from spellings group by 1, 2
    ), official as (
        select opd_key, min(nama) as nama from (
            select upper(trim(regexp_replace(nama, '[^0-9A-Za-z]+', ' ', 'g'))) as opd_key, nama from clean.opd
            union all
            select upper(trim(regexp_replace(singkatan, '[^0-9A-Za-z]+', ' ', 'g'))), nama
            from clean.opd where singkatan is not null
        ) group by 1
    ), preferred as (
        select opd_key, arg_max(opd_raw, n * 1000000 - length(opd_raw)) as opd_raw from keyed group by 1
    )
    select k.opd_raw,
           coalesce(r.opd_key, k.opd_key)         as opd_key,
           coalesce(r.opd, o.nama, p.opd_raw)     as opd
    from keyed k
    left join reconcile.opd_name r on r.opd_raw = k.opd_raw
    left join official o on o.opd_key = k.opd_key
    left join preferred p on p.opd_key = k.opd_key
    where k.opd_key <> '';
comment on view analytics.opd_map is
    'Every OPD spelling seen in Renja, RKPD, proposals and the OPD list, and the one name (opd) reports use for it.';

-- Renja alignment as the Forum OPD workbook shows it: the canonical OPD and program.
create or replace view analytics.forum_renja as
    select a.*,
           coalesce(m.opd, a.opd, '(tanpa OPD)') as opd_forum,
           coalesce(
               case when len(string_split(r.kode, '.')) >= 3
                    then array_to_string(string_split(r.kode, '.')[1:3], '.') end,
               r.program_kode)                    as program_kode,
           r.program_nama,
           r.indikator,
           r.target_raw,
           r.satuan,
           r.lokasi
    from analytics.renja_alignment a
    join clean.renja r on r.row_ref = a.renja_ref
    left join analytics.opd_map m on m.opd_raw = a.opd;
comment on view analytics.forum_renja is
    'analytics.renja_alignment plus the OPD name used in reports (opd_forum), the program code and the row''s indicator, target and location.';

-- Proposals as the Forum OPD workbook shows them: addressed to the canonical OPD (the
-- target OPD, else the OPD of the accommodating Renja row), with that row's code and name.
-- One name per kecamatan as proposals write it: "Kec. Cipocok Jaya", "CIPOCOK_JAYA" and
-- "CIPOCOKJAYA" are one kecamatan. Spellings are compared without "Kec." / "Kecamatan",
-- case, spaces, underscores and punctuation; the name is the region's code list's
-- (clean.wilayah) when it has exactly one kecamatan of that spelling, else the longest
-- (most spaced) spelling written, then the most written.
create or replace view analytics.kecamatan_resolution as
    with written as (
        select kecamatan as kecamatan_raw,
               nullif(upper(trim(regexp_replace(
                   regexp_replace(kecamatan, '^\s*(?i:kec(amatan)?)(\.\s*|\s+)', ''),
                   '[\s_]+', ' ', 'g'))), '') as kecamatan,
               count(*) as n
        from analytics.musrenbang_accommodation where kecamatan is not null group by 1
    ), keyed as (
        select *, regexp_replace(kecamatan, '[^0-9A-Z]', '', 'g') as kunci from written where kecamatan is not null
    ), official as (
        select regexp_replace(upper(nama), '[^0-9A-Z]', '', 'g') as kunci, min(upper(nama)) as nama
        from clean.wilayah where level = 'kecamatan'
        group by 1 having count(distinct upper(nama)) = 1
    ), preferred as (
        select kunci, arg_max(kecamatan, length(kecamatan) * 1000000 + n) as kecamatan from keyed group by 1
    )
    select k.kecamatan_raw,
           coalesce(o.nama, p.kecamatan)          as kecamatan,
           o.nama is not null                     as dikenal,
           case when o.nama = k.kecamatan then 'nama sama dengan daftar wilayah'
                when o.nama is not null then 'nama daftar wilayah (beda spasi / tanda baca)'
                when p.kecamatan = k.kecamatan then 'tidak ada di daftar wilayah'
                else 'ejaan lain dari "' || p.kecamatan || '" (tidak ada di daftar wilayah)' end as evidence
    from keyed k
    left join official o using (kunci)
    left join preferred p using (kunci);
comment on view analytics.kecamatan_resolution is
    'Every kecamatan spelling in proposals (kecamatan_raw), the one name the Forum workbooks use (kecamatan), whether the region''s code list has it (dikenal) and the evidence.';

create or replace view analytics.forum_usulan as
    select a.*,
           coalesce(
               case when coalesce(n.resolved, true) then coalesce(m.opd, a.opd_tujuan) end,
               mr.opd, rr.opd,
               case when a.opd_tujuan is not null then 'OPD tidak dikenal' end,
               '(tanpa OPD tujuan)')                 as opd_forum,
           coalesce(n.resolved, a.opd_tujuan is null) as opd_tujuan_dikenal,
           kr.kecamatan                               as kecamatan_forum,
           rr.kode_raw                                as renja_kode,
           rr.nama                                    as renja_nama,
           rr.lokasi                                  as renja_lokasi
    from analytics.musrenbang_accommodation a
    left join analytics.opd_map m on m.opd_raw = a.opd_tujuan
    left join reconcile.opd_name n on n.opd_raw = a.opd_tujuan
    left join analytics.kecamatan_resolution kr on kr.kecamatan_raw = a.kecamatan
    left join clean.renja rr on rr.row_ref = a.renja_ref
    left join analytics.opd_map mr on mr.opd_raw = rr.opd;
comment on view analytics.forum_usulan is
    'analytics.musrenbang_accommodation plus the OPD it is addressed to (opd_forum; "OPD tidak dikenal" when its OPD TUJUAN is no known agency, opd_tujuan_dikenal false), the kecamatan without "Kec." (kecamatan_forum) and the accommodating Renja row''s code and name.';

create or replace view analytics.forum_rkpd as
    select c.*, coalesce(m.opd, c.opd, '(tanpa OPD)') as opd_forum
    from analytics.rkpd_coverage c
    left join analytics.opd_map m on m.opd_raw = c.opd;
comment on view analytics.forum_rkpd is
    'analytics.rkpd_coverage plus the OPD name used in reports (opd_forum).';

-- Pagu per OPD and program: Renja against the RKPD pagu indikatif. A file that lists a
-- program line and its sub kegiatan both with pagu would count twice, so each side sums
-- only its finest level that carries pagu (sub kegiatan, else kegiatan, else program).
create or replace view analytics.pagu_program as
    with renja as (
        select f.opd_forum as opd, coalesce(f.program_kode, '(tanpa kode program)') as program_kode,
               f.program_nama, f.pagu,
               case r.kode_level when 'program' then 3 when 'kegiatan' then 4 else 5 end as lvl
        from analytics.forum_renja f join clean.renja r on r.row_ref = f.renja_ref
    ), renja_leaf as (
        select *, max(case when pagu is not null then lvl end)
                      over (partition by opd, program_kode) as leaf
        from renja
    ), renja_p as (
        select opd, program_kode, max(program_nama) as program_nama,
               count(*) filter (where lvl = coalesce(leaf, lvl)) as jumlah_renja,
               sum(pagu) filter (where lvl = leaf)               as pagu_renja
        from renja_leaf group by all
    ), rkpd as (
        select coalesce(m.opd, k.opd, '(tanpa OPD)') as opd,
               coalesce(case when len(string_split(k.kode, '.')) >= 3
                             then array_to_string(string_split(k.kode, '.')[1:3], '.') end,
                        k.program_kode, '(tanpa kode program)') as program_kode,
               case when k.kode_level = 'program' then k.nama else k.program_nama end as program_nama,
               k.pagu,
               case k.kode_level when 'program' then 3 when 'kegiatan' then 4 else 5 end as lvl
        from clean.rkpd k left join analytics.opd_map m on m.opd_raw = k.opd
    ), rkpd_leaf as (
        select *, max(case when pagu is not null then lvl end)
                      over (partition by opd, program_kode) as leaf
        from rkpd
    ), rkpd_p as (
        select opd, program_kode, max(program_nama) as program_nama,
               count(*) filter (where lvl = coalesce(leaf, lvl)) as jumlah_rkpd,
               sum(pagu) filter (where lvl = leaf)               as pagu_indikatif
        from rkpd_leaf group by all
    ), nomen as (
        select kode, any_value(nama) as nama from clean.nomenklatur group by 1
    )
    select coalesce(a.opd, b.opd)                         as opd,
           coalesce(a.program_kode, b.program_kode)       as program_kode,
           coalesce(b.program_nama, a.program_nama, n.nama) as program_nama,
           coalesce(a.jumlah_renja, 0)                    as jumlah_renja,
           coalesce(b.jumlah_rkpd, 0)                     as jumlah_rkpd,
           -- Renja rows none of which carries a pagu (a file without pagu): NULL, not Rp 0.
           case when a.opd is null then 0 else a.pagu_renja end as pagu_renja,
           b.pagu_indikatif,
           case when a.opd is null or a.pagu_renja is not null
                then coalesce(a.pagu_renja, 0) - coalesce(b.pagu_indikatif, 0) end as selisih,
           coalesce(a.pagu_renja, 0) > coalesce(b.pagu_indikatif, 0)
               and b.pagu_indikatif is not null           as melebihi_pagu,
           case
               when b.pagu_indikatif is null and a.opd is null then 'tanpa_pagu'
               when a.opd is not null and a.pagu_renja is null then 'tanpa_pagu'
               when b.pagu_indikatif is null then 'tanpa_pagu_rkpd'
               when a.opd is null then 'tanpa_renja'
               when coalesce(a.pagu_renja, 0) > b.pagu_indikatif then 'melebihi_pagu'
               else 'dalam_pagu'
           end                                            as status
    from renja_p a
    full outer join rkpd_p b on a.opd = b.opd and a.program_kode = b.program_kode
    left join nomen n on n.kode = coalesce(a.program_kode, b.program_kode);
comment on view analytics.pagu_program is
    'Per OPD and program: Renja pagu against the RKPD pagu indikatif, the difference, and status (dalam_pagu / melebihi_pagu / tanpa_pagu_rkpd / tanpa_renja).';

-- Accommodation rates of musrenbang and pokir proposals, by OPD, kecamatan and channel.
create or replace view analytics.accommodation_rate as
    with u as (
        select opd_forum, coalesce(kecamatan_forum, '(tanpa kecamatan)') as kec, channel, status
        from analytics.forum_usulan
    ), dims as (
        select 'opd' as dimensi, opd_forum as nilai, status from u
        union all select 'kecamatan', kec, status from u
        union all select 'channel', channel, status from u
        union all select 'total', 'semua', status from u
    )
    select dimensi, nilai,
           count(*)                                         as jumlah,
           count(*) filter (where status = 'terakomodir')    as terakomodir,
           count(*) filter (where status = 'perlu_review')   as perlu_review,
           count(*) filter (where status = 'tidak_terakomodir') as tidak_terakomodir,
           round(100.0 * count(*) filter (where status = 'terakomodir') / count(*), 1) as persen_terakomodir
    from dims group by all;
comment on view analytics.accommodation_rate is
    'Proposals per dimensi (opd / kecamatan / channel / total) and nilai: counts per status and persen_terakomodir.';

create or replace view analytics.coverage_priority as
    select coalesce(prioritas, '(tanpa prioritas)')       as prioritas,
           count(*)                                       as jumlah_rkpd,
           count(*) filter (where tercakup)               as tercakup,
           count(*) filter (where not tercakup)           as belum_tercakup,
           round(100.0 * count(*) filter (where tercakup) / count(*), 1) as persen_tercakup,
           sum(pagu_indikatif)                            as pagu_indikatif,
           sum(pagu_renja)                                as pagu_renja
    from analytics.rkpd_coverage group by 1;
comment on view analytics.coverage_priority is
    'Per regional priority: RKPD items, how many some Renja row covers, and their pagu.';

-- Planners' decisions in force, what became of them, and whether the matcher had been
-- right (accept, or choosing the candidate the matcher proposed).
create or replace view analytics.review_decisions as
    select decision_id, task, subject_ref, current_ref, moved, state, decision, decision_text,
           candidate_rank, chosen_ref, matcher_ref, matcher_status, matcher_decided_by,
           reason, reviewer, decided_at, source_file, sheet, source_row, ingested_at,
           case
               when coalesce(matcher_decided_by, 'matcher') <> 'matcher' then null
               when decision = 'accept' then true
               when decision = 'choose' then chosen_ref is not distinct from matcher_ref
               when decision = 'tidak_terakomodir' then matcher_ref is null
               else false
           end as matcher_correct
    from review.decision_state;
comment on view analytics.review_decisions is
    'Review decisions in force (the newest per row), their state (applied / stale / missing_subject / missing_target) and whether the matcher had been right (matcher_correct).';

-- The latest reconciliation is the newest snapshot (written in the same transaction as
-- the problems); a run whose reconcile stage was skipped as unchanged shows the last one.
create or replace view analytics.review_problems as
    select * from review.problem
    where run_id = (select run_id from history.snapshot order by taken_at desc, run_id desc limit 1);
comment on view analytics.review_problems is
    'Problems found in the review workbooks by the latest reconciliation: file, sheet, row, column, rule and a message in Indonesian.';

-- What changed since the previous successful run: the newest snapshot against the newest
-- earlier snapshot of a run that finished with status success. Empty on the first run.
create or replace view analytics.run_changes as
    with snaps as (
        select run_id, max(taken_at) as taken_at from history.snapshot group by 1
    ), cur as (
        select run_id, taken_at from snaps order by taken_at desc, run_id desc limit 1
    ), prev as (
        select s.run_id from snaps s join meta.run r using (run_id), cur
        where r.status = 'success' and s.run_id <> cur.run_id and s.taken_at <= cur.taken_at
        order by s.taken_at desc, s.run_id desc limit 1
    ), a as (
        select * from history.snapshot where run_id = (select run_id from cur)
    ), b as (
        select * from history.snapshot where run_id = (select run_id from prev)
    ), j as (
        select coalesce(a.entity, b.entity) as entity,
               coalesce(a.ref, b.ref)       as ref,
               b.status as status_before,    a.status as status_after,
               b.target_ref as target_before, a.target_ref as target_after,
               b.score as score_before,      a.score as score_after,
               b.decided_by as decided_by_before, a.decided_by as decided_by_after,
               case
                   when b.ref is null then 'new'
                   when a.ref is null then 'removed'
                   when a.fingerprint is distinct from b.fingerprint then 'changed'
                   when a.status is distinct from b.status then 'status_changed'
                   when a.target_ref is distinct from b.target_ref then 'target_changed'
               end as change,
               a.status is distinct from b.status as status_changed
        from a full outer join b on a.entity = b.entity and a.ref = b.ref
    )
    select (select run_id from cur)  as run_id,
           (select run_id from prev) as previous_run_id,
           j.entity, j.ref, j.change, j.status_changed,
           j.status_before, j.status_after, j.target_before, j.target_after,
           j.score_before, j.score_after, j.decided_by_before, j.decided_by_after,
           coalesce(r.source_file, u.source_file)   as source_file,
           coalesce(m.opd, r.opd, u.opd_tujuan)    as opd,
           coalesce(r.nama, u.usulan)               as label,
           case j.change
               when 'new' then 'Baris baru'
               when 'removed' then 'Baris hilang'
               when 'changed' then 'Isi baris berubah'
               when 'status_changed' then 'Status berubah'
               when 'target_changed' then 'Pasangan berubah'
           end                                      as keterangan
    from j
    left join staged.renja r on j.entity = 'renja' and r.row_ref = j.ref
    left join staged.usulan u on j.entity = 'usulan' and u.row_ref = j.ref
    left join analytics.opd_map m on m.opd_raw = coalesce(r.opd, u.opd_tujuan)
    where j.change is not null and exists (select 1 from prev);
comment on view analytics.run_changes is
    'Rows new, removed, changed (input values), or whose status or target changed since the previous successful run; one row per Renja row or proposal.';
