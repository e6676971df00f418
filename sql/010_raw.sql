-- Layer 1 (raw): what arrived, file by file and sheet by sheet, and every row we did not
-- load as data (title, header, numbering, group, subtotal, empty) with the reason.
-- Nothing here is ever updated except a file's status when a newer version supersedes it.
create schema if not exists raw;

create table if not exists raw.ingest_file (
    file_id          varchar primary key,  -- sha256 of the content, first 16 hex digits
    source_file      varchar not null,     -- path relative to data/raw, e.g. renja/dinsos.xlsx
    kind             varchar,              -- renja / rkpd / musrenbang / pokir / nomenklatur / wilayah / opd
    sha256           varchar not null,
    size_bytes       bigint,
    file_format      varchar,              -- xlsx / xlsm / xls / ods / csv
    status           varchar not null,     -- loaded / failed / superseded / removed (gone from data/raw)
    reason           varchar,              -- for failed: what is wrong, in words a planner understands
    opd              varchar,              -- OPD named by the title block or file name, if any
    tahun            integer,              -- year named by the title block or file name, if any
    rows_read        bigint not null default 0,  -- every physical row of every sheet read
    rows_staged      bigint not null default 0,  -- data rows put in staged.<kind>
    rows_skipped     bigint not null default 0,  -- rows in raw.skipped_row
    superseded_by    varchar,              -- file_id of the newer version of the same source_file
    run_id           varchar,
    ingested_at      timestamp not null default current_timestamp,
    note             varchar,              -- warnings that did not stop the load (extension vs content, sheets without header)
    encoding         varchar,              -- CSV: detected text encoding
    delimiter        varchar               -- CSV: detected separator
);
-- Columns added after the first release (re-runnable on older databases).
alter table raw.ingest_file add column if not exists note varchar;
alter table raw.ingest_file add column if not exists encoding varchar;
alter table raw.ingest_file add column if not exists delimiter varchar;

create table if not exists raw.sheet (
    file_id       varchar not null,
    sheet         varchar not null,
    sheet_index   integer not null,
    hidden        boolean not null default false,
    status        varchar not null,       -- loaded / no_header / empty
    kind          varchar,                -- the kind its header matched
    header_rows   varchar,                -- 1-based rows of the header, e.g. '5-6'
    column_map    json,                   -- canonical field -> original header text
    rows_read     bigint not null default 0,
    note          varchar,
    primary key (file_id, sheet)
);
alter table raw.sheet add column if not exists kind varchar;

create table if not exists raw.skipped_row (
    file_id      varchar not null,
    sheet        varchar not null,
    source_row   integer not null,        -- 1-based, as the spreadsheet shows it
    reason_code  varchar not null,        -- title / header / numbering / group / subtotal / empty / note /
                                          -- continuation / incomplete / stray / no_header
    reason       varchar not null,        -- Indonesian, for planners
    raw          json,                    -- the row's cells as read, keyed by column letter
    hidden       boolean not null default false,  -- the row is hidden in the workbook
    primary key (file_id, sheet, source_row)
);
alter table raw.skipped_row add column if not exists hidden boolean default false;
