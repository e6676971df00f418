-- Layer 7 (history): a snapshot of each run's decisions, so runs can be compared.
create schema if not exists history;

create table if not exists history.snapshot (
    run_id        varchar not null,
    entity        varchar not null,        -- renja / usulan
    ref           varchar not null,        -- renja_ref / usulan_ref
    status        varchar,
    target_ref    varchar,                 -- rkpd_ref / renja_ref
    score         double,
    fingerprint   varchar,                 -- hash of the input row's values
    primary key (run_id, entity, ref)
);
