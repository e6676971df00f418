-- Layer 6b (decided): the matcher's results with the planners' decisions in force laid
-- over them. This is what the reports and the analytics views read; match.* stays the
-- matcher's alone (only selaras.match writes it).
--
-- decided.decision holds the decisions that apply, rebuilt from scratch by the reconcile
-- stage on every run it runs (selaras.review.apply): it runs whenever a review workbook,
-- an input row or the matcher's result changed, so a decision that is cleared, changed,
-- withdrawn (its file replaced) or made stale (its row edited) is gone from it on the
-- next run, whichever stages that run skipped. decided.renja_alignment and
-- decided.usulan_accommodation are views: match.* with those decisions laid over it, so
-- they follow the matcher's tables (and any column the matcher adds) as they are now.
create schema if not exists decided;

-- What decided.decision must hold now: the applicable decisions in force
-- (review.decision_state), one per row decided. Should two reach the same row - one made
-- on it, one that followed its row there after the file was re-sorted - the one made on
-- the row wins, then the newest. `decided_reason` is what planners read next to the
-- matcher's reason: who decided what, when, and where. The subject's code and the chosen
-- RKPD item are read from the clean layer here, once per run, not at every read.
create or replace view decided.decision_in_force as
    with applied as (
        select * exclude (rn) from (
            select d.*, row_number() over (
                partition by d.task, d.current_ref
                order by d.moved, d.decided_at desc nulls last, d.ingested_at desc, d.decision_id desc) as rn
            from review.decision_state d
            where d.state = 'applied'
        ) where rn = 1
    )
    select d.task, d.current_ref, d.decision_id, d.decision, d.chosen_ref,
           concat('Keputusan peninjau', coalesce(' ' || d.reviewer, ''),
                  coalesce(' (' || strftime(d.decided_at, '%d-%m-%Y') || ')', ''), ': ',
                  case d.decision
                      when 'accept' then 'hasil pencocokan sistem diterima'
                      when 'reject' then 'pasangan usulan sistem ditolak'
                      when 'choose' then 'memilih kandidat ' || d.candidate_rank
                      when 'tidak_terakomodir' then 'tidak terakomodir'
                  end,
                  coalesce(' - ' || d.reason, ''),
                  ' [', d.source_file, ' / ', d.sheet, ' / baris ', d.source_row, ']') as decided_reason,
           r.kode      as subject_kode,     -- renja_rkpd: the Renja row's own code
           k.row_ref   as rkpd_ref,         -- renja_rkpd: the chosen RKPD item, null for a rejection
           k.kode      as kode_rkpd,
           k.nama      as nama_rkpd,
           k.prioritas as prioritas,
           u.channel   as channel           -- usulan_renja: musrenbang / pokir
    from applied d
    left join clean.renja r on d.task = 'renja_rkpd' and r.row_ref = d.current_ref
    left join clean.rkpd k on d.task = 'renja_rkpd' and k.row_ref = d.chosen_ref
    left join clean.usulan u on d.task = 'usulan_renja' and u.row_ref = d.current_ref;

create table if not exists decided.decision (
    task            varchar not null,      -- renja_rkpd / usulan_renja
    current_ref     varchar not null,      -- the row decided, where it is now (renja_ref / usulan row_ref)
    decision_id     varchar not null,      -- review.decision
    decision        varchar not null,      -- accept / reject / choose / tidak_terakomodir
    chosen_ref      varchar,               -- rkpd_ref / renja_ref, null for a negative decision
    decided_reason  varchar not null,
    subject_kode    varchar,
    rkpd_ref        varchar,
    kode_rkpd       varchar,
    nama_rkpd       varchar,
    prioritas       varchar,
    channel         varchar,
    primary key (task, current_ref)
);

-- Renja -> RKPD: the matcher's row, or for a decided row the RKPD item the planner chose
-- (none for a rejection). The other columns (kode_saran, nomenclature, and any the
-- matcher adds later) are kept from the matcher's row; the score is the chosen
-- candidate's when the matcher had scored it.
create or replace view decided.renja_alignment as
    select a.*
    from match.renja_alignment a
    where not exists (
        select 1 from decided.decision d where d.task = 'renja_rkpd' and d.current_ref = a.renja_ref)
    union all by name
    select a.* replace (
        d.current_ref                                   as renja_ref,
        d.rkpd_ref                                      as rkpd_ref,
        d.kode_rkpd                                     as kode_rkpd,
        d.nama_rkpd                                     as nama_rkpd,
        d.prioritas                                     as prioritas,
        case when d.kode_rkpd is not null and d.kode_rkpd is distinct from d.subject_kode then d.kode_rkpd
             else a.kode_saran end                      as kode_saran,
        case when d.rkpd_ref is null then 'tidak_selaras'
             when d.kode_rkpd is not distinct from d.subject_kode then 'selaras'
             else 'selaras_nama' end                    as status,
        'review'                                        as method,
        case when d.rkpd_ref is null then a.score
             else coalesce((select max(c.score) from match.renja_candidate c
                            where c.renja_ref = d.current_ref and c.target_ref = d.rkpd_ref), a.score)
        end                                             as score,
        d.decided_reason                                as reason,
        'review'                                        as decided_by)
    from decided.decision d
    left join match.renja_alignment a on a.renja_ref = d.current_ref
    where d.task = 'renja_rkpd';

-- Proposal -> Renja: likewise. Accepting the matcher's match of a split proposal keeps
-- all its Renja rows; choosing one makes it the only one.
create or replace view decided.usulan_accommodation as
    select a.*
    from match.usulan_accommodation a
    where not exists (
        select 1 from decided.decision d where d.task = 'usulan_renja' and d.current_ref = a.usulan_ref)
    union all by name
    select a.* replace (
        d.current_ref                                   as usulan_ref,
        d.channel                                       as channel,
        case when d.chosen_ref is null then 'tidak_terakomodir' else 'terakomodir' end as status,
        d.chosen_ref                                    as renja_ref,
        case when d.chosen_ref is null then null
             when d.decision = 'accept' and d.chosen_ref = a.renja_ref then a.renja_refs
             else [d.chosen_ref] end                    as renja_refs,
        case when d.chosen_ref is null then a.score
             else coalesce((select max(c.score) from match.usulan_candidate c
                            where c.usulan_ref = d.current_ref and c.renja_ref = d.chosen_ref), a.score)
        end                                             as score,
        d.decided_reason                                as reason,
        'review'                                        as decided_by)
    from decided.decision d
    left join match.usulan_accommodation a on a.usulan_ref = d.current_ref
    where d.task = 'usulan_renja';
