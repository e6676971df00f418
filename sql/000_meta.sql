-- Layer 0: bookkeeping of the warehouse itself.
-- Every migration file applied is recorded with its checksum; runs and their steps are
-- recorded so `selaras status` and the run-to-run diff can read them.
create schema if not exists meta;

create table if not exists meta.schema_migration (
    version     varchar primary key,      -- the file name, e.g. 010_raw.sql
    checksum    varchar not null,         -- sha256 of the file when it was applied
    applied_at  timestamp not null default current_timestamp
);

create table if not exists meta.run (
    run_id       varchar primary key,     -- e.g. 20261128T020000-ab12
    started_at   timestamp not null,
    finished_at  timestamp,
    status       varchar not null,        -- running / success / problems (finished and published,
                                          -- but a stage reported a failure, e.g. an unreadable file)
                                          -- / failed (crashed: nothing published) / interrupted
    tahun        integer,
    trigger      varchar,                 -- cli / flow / schedule / test
    message      varchar                  -- the error for a failed run
);

create table if not exists meta.run_step (
    run_id       varchar not null,
    step         varchar not null,        -- ingest / validate / match / reconcile / report / publish
    started_at   timestamp not null,
    finished_at  timestamp,
    status       varchar not null,        -- running / success / failed / cached (inputs unchanged:
                                          -- the previous result stands, the work was skipped)
    detail       json,                    -- counts and figures of the step
    primary key (run_id, step)
);

-- Orchestration (added after the first release, hence `add column if not exists`):
-- the process that ran a run, so `selaras status` can tell a live run from one that was
-- killed; and each step's input fingerprint, so a step whose inputs (raw files, review
-- files, settings, code, upstream steps) did not change since its last success is skipped.
alter table meta.run add column if not exists pid integer;            -- OS process id of the run
alter table meta.run add column if not exists host varchar;           -- machine that ran it
alter table meta.run_step add column if not exists fingerprint varchar;  -- sha256 of the step's inputs
alter table meta.run_step add column if not exists seconds double;       -- wall time of the step
