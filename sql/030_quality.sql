-- Layer 3 (quality): the outcome of every Great Expectations check that failed, one row
-- per (row, rule). Severity `error` sends the row to quarantine; `warning` keeps it but
-- flags it. File-level checks have source_row null.
create schema if not exists quality;

create table if not exists quality.validation_run (
    run_id          varchar not null,
    file_id         varchar not null,
    kind            varchar not null,
    suite           varchar not null,      -- expectation suite name, e.g. renja_rows
    evaluated       bigint,                -- rows checked
    expectations    integer,               -- expectations run
    failed          integer,               -- expectations that failed
    success         boolean,
    result          json,                  -- the suite's result summary (GE's JSON, trimmed)
    validated_at    timestamp not null default current_timestamp,
    primary key (run_id, file_id, suite)
);

create table if not exists quality.check_result (
    run_id          varchar not null,
    file_id         varchar not null,
    row_ref         varchar,               -- null for a file-level check
    source_file     varchar not null,
    sheet           varchar,
    source_row      integer,
    column_name     varchar,               -- the original header when known, else the field
    raw_value       varchar,
    rule            varchar not null,      -- English rule id, e.g. pagu_not_negative
    severity        varchar not null,      -- error / warning
    message         varchar not null,      -- Indonesian, for planners
    suggestion      varchar                -- e.g. the current code for an outdated code
);

-- Added by the validation stage (re-runnable on an existing warehouse).
-- fingerprint: file + reference data + rules; a later run with the same fingerprint copies
-- the results instead of validating again, and notes where they came from in cached_from.
alter table quality.validation_run add column if not exists fingerprint varchar;
alter table quality.validation_run add column if not exists cached_from varchar;
alter table quality.validation_run add column if not exists source_file varchar;
alter table quality.validation_run add column if not exists batch_identifier varchar;  -- Data Docs page
-- field: the canonical staged field behind column_name (pagu, kode_raw ...), so a workbook can
-- find the cell; kind: the file's kind, for filtering without a join.
alter table quality.check_result add column if not exists field varchar;
alter table quality.check_result add column if not exists kind varchar;

-- One Great Expectations run of a kind's row checks over the rows of all its files
-- validated together (the file is a column): what Data Docs render, one page per kind.
-- quality.validation_run keeps one row per file and suite, with that file's share.
create table if not exists quality.validation_batch (
    run_id            varchar not null,
    kind              varchar not null,
    suite             varchar not null,    -- e.g. renja_rows
    files             integer,             -- files validated together
    evaluated         bigint,              -- rows checked
    success           boolean,
    result            json,                -- GE's JSON, trimmed (no per-row lists)
    batch_identifier  varchar,             -- Data Docs page
    validated_at      timestamp not null default current_timestamp,
    primary key (run_id, kind, suite)
);
