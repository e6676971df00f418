-- Layer 2 (staged): one row per data row of an input file, its values parsed into typed
-- canonical columns, the original cells kept in `raw` (header -> text) and its lineage
-- (file, sheet, 1-based row). Rows from superseded files stay here as history; the clean
-- layer filters them out. A changed file keeps its name, so the same row_ref can occur
-- once per version: the key is (file_id, row_ref); among current files row_ref is unique.
create schema if not exists staged;

-- Renja OPD rows (program / kegiatan / sub kegiatan of an agency's annual plan).
create table if not exists staged.renja (
    row_ref           varchar not null,     -- source_file:sheet:source_row
    file_id           varchar not null,
    source_file       varchar not null,
    sheet             varchar not null,
    source_row        integer not null,
    hidden            boolean not null default false,
    opd               varchar,
    tahun             integer,
    kode_raw          varchar,              -- the code as written
    kode              varchar,              -- normalised dotted form, e.g. 2.13.02.2.01.0001
    kode_level        varchar,              -- urusan / bidang / program / kegiatan / sub_kegiatan / lokal
    nama              varchar,
    program_kode      varchar,              -- from the group row above, when the file has one
    program_nama      varchar,
    kegiatan_kode     varchar,
    kegiatan_nama     varchar,
    indikator         varchar,
    target_raw        varchar,
    target            double,
    satuan            varchar,
    lokasi            varchar,
    pagu_raw          varchar,
    pagu              double,
    sumber_dana       varchar,
    keterangan        varchar,
    raw               json,
    awal_pelaksanaan  date,                 -- AWAL PELAKSANAAN (Excel serials and text dates read)
    akhir_pelaksanaan date,
    primary key (file_id, row_ref)
);

-- RKPD rows: regional priorities and the program / kegiatan / sub kegiatan serving them.
create table if not exists staged.rkpd (
    row_ref           varchar not null,
    file_id           varchar not null,
    source_file       varchar not null,
    sheet             varchar not null,
    source_row        integer not null,
    hidden            boolean not null default false,
    tahun             integer,
    prioritas         varchar,              -- prioritas pembangunan daerah
    sasaran           varchar,
    kode_raw          varchar,
    kode              varchar,
    kode_level        varchar,
    nama              varchar,
    program_kode      varchar,
    program_nama      varchar,
    kegiatan_kode     varchar,
    kegiatan_nama     varchar,
    indikator         varchar,
    target_raw        varchar,
    target            double,
    satuan            varchar,
    lokasi            varchar,
    pagu_raw          varchar,
    pagu              double,               -- pagu indikatif
    opd               varchar,              -- perangkat daerah penanggung jawab
    raw               json,
    primary key (file_id, row_ref)
);

-- Musrenbang usulan and pokir DPRD proposals share one shape; `channel` tells them apart.
create table if not exists staged.usulan (
    row_ref           varchar not null,
    file_id           varchar not null,
    source_file       varchar not null,
    sheet             varchar not null,
    source_row        integer not null,
    hidden            boolean not null default false,
    channel           varchar not null,     -- musrenbang / pokir
    usulan_id         varchar,              -- the proposal's own ID column, when the file has one
    tahun             integer,
    tahapan           varchar,              -- desa / kecamatan / kabupaten ... when given
    pengusul          varchar,
    usulan            varchar,              -- the proposal (or kamus usulan item) name
    uraian            varchar,              -- free text: permasalahan / masalah / detail
    kode_raw          varchar,              -- kegiatan / sub kegiatan code, when given
    kode              varchar,
    nama_kegiatan     varchar,              -- kegiatan / sub kegiatan name, when given
    lokasi            varchar,              -- address / location as written
    kecamatan         varchar,
    desa              varchar,
    kode_wilayah      varchar,              -- desa or kecamatan code, when given
    volume_raw        varchar,
    volume            double,
    satuan            varchar,
    anggaran_raw      varchar,
    anggaran          double,
    opd_tujuan        varchar,
    status_asal       varchar,              -- status as written in the source (Diakomodir ...)
    raw               json,
    tanggal           date,                 -- date of the proposal, when given
    primary key (file_id, row_ref)
);

-- National nomenclature of urusan / bidang / program / kegiatan / sub kegiatan.
create table if not exists staged.nomenklatur (
    row_ref           varchar not null,
    file_id           varchar not null,
    source_file       varchar not null,
    sheet             varchar not null,
    source_row        integer not null,
    hidden            boolean not null default false,
    versi             varchar,              -- e.g. 2027 (from the file name or title), else the file name
    jenis_pemda       varchar,              -- PROV / KABKOT / null
    kode_raw          varchar,
    kode              varchar not null,
    kode_level        varchar,
    nama              varchar,
    kode_induk        varchar,
    kode_sebelumnya   varchar,              -- SUBKEGIATAN SEBELUMNYA, when given
    indikator         varchar,
    satuan            varchar,
    raw               json,
    primary key (file_id, row_ref)
);

-- Region codes (provinsi / kab-kota / kecamatan / desa-kelurahan).
create table if not exists staged.wilayah (
    row_ref           varchar not null,
    file_id           varchar not null,
    source_file       varchar not null,
    sheet             varchar not null,
    source_row        integer not null,
    hidden            boolean not null default false,
    kode              varchar not null,     -- e.g. 36.01.01.2001
    level             varchar,              -- provinsi / kabupaten_kota / kecamatan / desa
    nama              varchar not null,
    nama_lain         varchar,              -- older official names, ' | '-separated
    kode_induk        varchar,
    raw               json,
    primary key (file_id, row_ref)
);

-- The region's OPD list (optional; otherwise the RKPD's responsible OPDs are used).
create table if not exists staged.opd (
    row_ref           varchar not null,
    file_id           varchar not null,
    source_file       varchar not null,
    sheet             varchar not null,
    source_row        integer not null,
    hidden            boolean not null default false,
    kode              varchar,
    nama              varchar not null,
    singkatan         varchar,
    raw               json,
    primary key (file_id, row_ref)
);

-- Columns added after the first release (re-runnable on older databases).
alter table staged.renja add column if not exists awal_pelaksanaan date;
alter table staged.renja add column if not exists akhir_pelaksanaan date;
alter table staged.usulan add column if not exists tanggal date;

-- Every staged row's key, whatever its kind: the one list the clean layer and the row
-- accounting count from.
create or replace view staged.row_key as
    select file_id, row_ref from staged.renja union all
    select file_id, row_ref from staged.rkpd union all
    select file_id, row_ref from staged.usulan union all
    select file_id, row_ref from staged.nomenklatur union all
    select file_id, row_ref from staged.wilayah union all
    select file_id, row_ref from staged.opd;
