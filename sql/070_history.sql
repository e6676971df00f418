-- Layer 7 (history): a snapshot of each run's decisions, so runs can be compared
-- (analytics.run_changes in 091_analytics_reconcile.sql). Written by the reconcile stage
-- after the planners' review decisions are applied, i.e. it records what the reports show.
create schema if not exists history;

create table if not exists history.snapshot (
    run_id        varchar not null,
    entity        varchar not null,        -- renja / usulan
    ref           varchar not null,        -- renja_ref / usulan row_ref
    status        varchar,
    target_ref    varchar,                 -- rkpd_ref / renja_ref
    score         double,
    fingerprint   varchar,                 -- review.subject.fingerprint: hash of the input row's values
    decided_by    varchar,                 -- matcher / review
    taken_at      timestamp not null default current_timestamp,
    primary key (run_id, entity, ref)
);

-- Warehouses created from the first version of this file lack the later columns.
alter table history.snapshot add column if not exists decided_by varchar;
alter table history.snapshot add column if not exists taken_at timestamp default current_timestamp;
