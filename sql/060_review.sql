-- Layer 6 (review): planners' decisions from filled-in review workbooks. They override
-- the matcher on every later run while the row they were made on is unchanged
-- (row_fingerprint); a decision whose row changed is reported as stale, not applied.
create schema if not exists review;

create table if not exists review.decision (
    decision_id      varchar primary key,  -- file_id:sheet:row of the review workbook
    task             varchar not null,     -- renja_rkpd / usulan_renja
    subject_ref      varchar not null,     -- renja_ref or usulan_ref decided on
    row_fingerprint  varchar,              -- hash of the subject row's values when reviewed
    decision         varchar not null,     -- accept / reject / choose / tidak_terakomodir
    chosen_ref       varchar,              -- the target chosen (rkpd_ref / renja_ref)
    reason           varchar,
    reviewer         varchar,
    decided_at       timestamp,
    source_file      varchar not null,
    sheet            varchar,
    source_row       integer,
    ingested_at      timestamp not null default current_timestamp
);

create table if not exists review.problem (
    source_file      varchar not null,
    sheet            varchar,
    source_row       integer,
    problem          varchar not null,     -- unknown_decision / missing_row / edited_column / stale
    message          varchar not null,
    ingested_at      timestamp not null default current_timestamp
);
