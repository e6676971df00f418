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
    status           varchar not null,     -- loaded / failed / superseded
    reason           varchar,              -- for failed: what is wrong, in words a planner understands
    opd              varchar,              -- OPD named by the title block or file name, if any
    tahun            integer,              -- year named by the title block or file name, if any
    rows_read        bigint not null default 0,  -- every physical row of every sheet read
    rows_staged      bigint not null default 0,  -- data rows put in staged.<kind>
    rows_skipped     bigint not null default 0,  -- rows in raw.skipped_row
    superseded_by    varchar,              -- file_id of the newer version of the same source_file
    run_id           varchar,
    ingested_at      timestamp not null default current_timestamp
);

create table if not exists raw.sheet (
    file_id       varchar not null,
    sheet         varchar not null,
    sheet_index   integer not null,
    hidden        boolean not null default false,
    status        varchar not null,       -- loaded / no_header / empty
    header_rows   varchar,                -- 1-based rows of the header, e.g. '5-6'
    column_map    json,                   -- canonical field -> original header text
    rows_read     bigint not null default 0,
    note          varchar,
    primary key (file_id, sheet)
);

create table if not exists raw.skipped_row (
    file_id      varchar not null,
    sheet        varchar not null,
    source_row   integer not null,        -- 1-based, as the spreadsheet shows it
    reason_code  varchar not null,        -- title / header / numbering / group / subtotal / empty / note
    reason       varchar not null,        -- Indonesian, for planners
    raw          json,                    -- the row's cells as read
    primary key (file_id, sheet, source_row)
);
