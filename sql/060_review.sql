-- Layer 6 (review): planners' decisions from filled-in review workbooks. They override
-- the matcher on every later run while the row they were made on is unchanged
-- (row_fingerprint); a decision whose row changed is reported as stale, not applied.
-- The decided layer (065_decided.sql) lays them over the matcher's results. Written by
-- the reconcile stage through selaras.review (read.py); the workbook itself is written
-- by the report stage through selaras.review (book.py, layout in layout.py).
create schema if not exists review;

-- Every review workbook seen in raw/review/, one row per version (content hash).
create table if not exists review.file (
    file_id          varchar primary key,  -- sha256 of the content, first 16 hex digits
    source_file      varchar not null,     -- path relative to data/raw, e.g. review/dinsos.xlsx
    sha256           varchar not null,
    status           varchar not null,     -- read / failed / superseded (a newer version of the same path)
    reason           varchar,              -- for failed: why, in Indonesian
    reviewer         varchar,              -- workbook property lastModifiedBy / creator
    modified_at      timestamp,            -- workbook property modified (else the file's mtime)
    rows_read        bigint not null default 0,
    decisions        bigint not null default 0,
    first_run_id     varchar,
    last_run_id      varchar,
    ingested_at      timestamp not null default current_timestamp
);

create table if not exists review.decision (
    decision_id      varchar primary key,  -- file_id:sheet:row of the review workbook
    file_id          varchar,
    task             varchar not null,     -- renja_rkpd / usulan_renja
    subject_ref      varchar not null,     -- renja_ref or usulan row_ref decided on
    row_fingerprint  varchar,              -- review.subject.fingerprint of that row when the workbook was made
    decision         varchar not null,     -- accept / reject / choose / tidak_terakomodir
    decision_text    varchar,              -- the cell as the planner typed it
    candidate_rank   integer,              -- N of "pilih N"
    chosen_ref       varchar,              -- the resulting target (rkpd_ref / renja_ref), null for a negative decision
    matcher_ref      varchar,              -- the matcher's target shown in the workbook
    matcher_status   varchar,              -- the matcher's status shown in the workbook
    matcher_decided_by varchar,            -- matcher / review: who had decided the shown status
    reason           varchar,
    reviewer         varchar,
    decided_at       timestamp,
    source_file      varchar not null,
    sheet            varchar,
    source_row       integer,
    superseded       boolean not null default false,  -- its file was replaced by a newer version
    ingested_at      timestamp not null default current_timestamp
);

create table if not exists review.problem (
    run_id           varchar,
    source_file      varchar not null,
    sheet            varchar,
    source_row       integer,
    column_name      varchar,
    problem          varchar not null,     -- unreadable_file / not_review_workbook / unknown_decision /
                                           -- bad_candidate / missing_identity / edited_column /
                                           -- duplicate_subject / missing_reason / missing_subject /
                                           -- missing_target / stale
    message          varchar not null,     -- Indonesian, for planners
    subject_ref      varchar,
    ingested_at      timestamp not null default current_timestamp
);

-- Warehouses created from the first version of this file lack the later columns.
alter table review.decision add column if not exists file_id varchar;
alter table review.decision add column if not exists decision_text varchar;
alter table review.decision add column if not exists candidate_rank integer;
alter table review.decision add column if not exists matcher_ref varchar;
alter table review.decision add column if not exists matcher_status varchar;
alter table review.decision add column if not exists matcher_decided_by varchar;
alter table review.decision add column if not exists superseded boolean default false;
alter table review.problem add column if not exists run_id varchar;
alter table review.problem add column if not exists column_name varchar;
alter table review.problem add column if not exists subject_ref varchar;

-- The rows a decision can be about, with the fingerprint of the values a planner saw.
-- Only input values (never the row number or derived matcher output) enter the hash, so
-- re-running the matcher does not make decisions stale; editing the row does.
create or replace view review.subject as
    select
        'renja_rkpd'                    as task,
        row_ref                         as subject_ref,
        source_file,
        sheet,
        source_row,
        md5(concat_ws(chr(31),
            coalesce(opd, '\N'), coalesce(kode_raw, '\N'), coalesce(nama, '\N'),
            coalesce(indikator, '\N'), coalesce(target_raw, '\N'), coalesce(satuan, '\N'),
            coalesce(lokasi, '\N'), coalesce(cast(pagu as varchar), '\N'),
            coalesce(sumber_dana, '\N')))   as fingerprint
    from clean.renja
    union all
    select
        'usulan_renja',
        row_ref,
        source_file,
        sheet,
        source_row,
        md5(concat_ws(chr(31),
            coalesce(channel, '\N'), coalesce(usulan_id, '\N'), coalesce(usulan, '\N'),
            coalesce(uraian, '\N'), coalesce(kode_raw, '\N'), coalesce(nama_kegiatan, '\N'),
            coalesce(lokasi, '\N'), coalesce(kecamatan, '\N'), coalesce(desa, '\N'),
            coalesce(kode_wilayah, '\N'), coalesce(volume_raw, '\N'), coalesce(satuan, '\N'),
            coalesce(cast(anggaran as varchar), '\N'), coalesce(opd_tujuan, '\N')))
    from clean.usulan;

-- The decision in force per subject: the newest one of a current (not superseded) file.
create or replace view review.effective_decision as
    select * exclude (rn) from (
        select d.*, row_number() over (
            partition by d.task, d.subject_ref
            order by d.decided_at desc nulls last, d.ingested_at desc, d.decision_id desc) as rn
        from review.decision d
        where not d.superseded
    ) where rn = 1;

-- Each decision in force with what can be done with it now:
--   applied         the subject row is unchanged (found by ref, or moved within its file)
--   stale           the subject row was edited since the workbook was made
--   missing_subject the subject row is gone (file replaced, row deleted or quarantined)
--   missing_target  the chosen RKPD item / Renja row is gone
create or replace view review.decision_state as
    with unique_fp as (
        select task, source_file, fingerprint, any_value(subject_ref) as subject_ref
        from review.subject group by all having count(*) = 1
    ), located as (
        select e.*,
               regexp_extract(e.subject_ref, '^(.*):[^:]*:[^:]*$', 1) as subject_file,
               s.fingerprint                          as direct_fingerprint,
               coalesce(s.subject_ref, m.subject_ref) as current_ref,
               s.subject_ref is null and m.subject_ref is not null as moved
        from review.effective_decision e
        left join review.subject s on s.task = e.task and s.subject_ref = e.subject_ref
        left join unique_fp m
            on s.subject_ref is null and m.task = e.task and m.fingerprint = e.row_fingerprint
           and m.source_file = regexp_extract(e.subject_ref, '^(.*):[^:]*:[^:]*$', 1)
    )
    select l.* exclude (subject_file, direct_fingerprint),
        case
            when l.current_ref is null then 'missing_subject'
            when not l.moved and l.direct_fingerprint is distinct from l.row_fingerprint then 'stale'
            when l.chosen_ref is not null and l.task = 'renja_rkpd'
                 and l.chosen_ref not in (select row_ref from clean.rkpd) then 'missing_target'
            when l.chosen_ref is not null and l.task = 'usulan_renja'
                 and l.chosen_ref not in (select row_ref from clean.renja) then 'missing_target'
            else 'applied'
        end as state
    from located l;
