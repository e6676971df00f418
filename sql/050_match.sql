-- Layer 5 (match): the matcher's results for the latest run, replaced as a whole each run
-- (history lives in 070_history). Candidates keep the per-field scores behind each
-- decision so a planner can see why, and pick another. Written by selaras.match.match_all;
-- the `alter ... if not exists` lines bring older warehouses up to date.
create schema if not exists match;

create table if not exists match.renja_candidate (
    renja_ref       varchar not null,
    rank            integer not null,      -- 1 = best
    target_type     varchar not null,      -- rkpd / nomenklatur
    target_ref      varchar not null,      -- staged.rkpd.row_ref or a nomenclature code
    target_kode     varchar,
    target_nama     varchar,
    score           double not null,       -- 0..100
    code_score      double,
    name_score      double,
    opd_score       double,
    method          varchar,
    context_score   double,                -- similarity of the kegiatan group row's name to the target's parent
    primary key (renja_ref, target_type, rank)
);
alter table match.renja_candidate add column if not exists context_score double;

create table if not exists match.renja_alignment (
    renja_ref       varchar primary key,
    rkpd_ref        varchar,               -- the best RKPD item, null when none
    kode_rkpd       varchar,
    nama_rkpd       varchar,
    prioritas       varchar,
    kode_saran      varchar,               -- the correct current code, when the given one is missing / outdated / wrong
    nama_nomenklatur varchar,
    status          varchar not null,      -- selaras / selaras_nama / perlu_review / tidak_selaras
    method          varchar not null,      -- kode / hirarki_nama / nama / review / none
    score           double,
    reason          varchar not null,
    decided_by      varchar not null default 'matcher'   -- matcher / review
);

create table if not exists match.usulan_candidate (
    usulan_ref      varchar not null,      -- staged.usulan.row_ref
    rank            integer not null,
    renja_ref       varchar not null,
    score           double not null,       -- 0..100, from the combined match weight
    match_weight    double,                -- sum of log2 Bayes factors over fields
    work_score      double,                -- same kind of work (jenis pekerjaan)
    text_score      double,                -- kegiatan / object text
    location_score  double,
    volume_score    double,
    cost_score      double,
    opd_score       double,
    uraian_score    double,                -- IDF-weighted cosine of the descriptions (uraian vs indikator)
    kode_score      double,                -- code agreement, when both sides carry a code
    levels          varchar,               -- the comparison level of every field, e.g. "lokasi=desa_detail; ..."
    primary key (usulan_ref, rank)
);
alter table match.usulan_candidate add column if not exists uraian_score double;
alter table match.usulan_candidate add column if not exists kode_score double;
alter table match.usulan_candidate add column if not exists levels varchar;
-- why this row is a candidate, in words (the evidence for and against), as planners read it
alter table match.usulan_candidate add column if not exists alasan varchar;

create table if not exists match.usulan_accommodation (
    usulan_ref      varchar primary key,
    channel         varchar not null,      -- musrenbang / pokir
    status          varchar not null,      -- terakomodir / perlu_review / tidak_terakomodir
    renja_ref       varchar,               -- the best accommodating Renja row
    renja_refs      varchar[],             -- all Renja rows it is accommodated by (a split proposal)
    score           double,
    reason          varchar not null,
    decided_by      varchar not null default 'matcher'
);
-- exact (OPD + kegiatan + lokasi equal after normalisation) / skor (the probabilistic
-- score) / none; see selaras.match.usulan.decide
alter table match.usulan_accommodation add column if not exists method varchar;

-- The match parameters every proposal block (one target OPD) used in the latest run: per
-- field, level and class the prior m (weights.yaml), the m used (fitted by EM over the
-- block's candidate pairs when em_used, else the prior), u (re-estimated from random pairs
-- of this run's own files, smoothed toward weights.yaml) and the weight in bits; the data
-- size (pairs, proposals, rows) and the EM outcome. Written by selaras.match.stage.
create table if not exists match.match_weights (
    blok            varchar not null,      -- the target OPD of the block
    field           varchar not null,      -- kegiatan / pekerjaan / uraian / lokasi / volume / biaya
    level           varchar not null,
    class           varchar not null,      -- what both records could tell (see weights.yaml)
    m_prior         double,
    m               double,
    u               double,
    bits            double,                -- log2(m/u), normalised within the class
    pairs           integer,               -- candidate pairs of the block
    proposals       integer,
    rows            integer,
    em_iterations   integer,
    em_converged    boolean,
    em_used         boolean,               -- false: the prior m were used
    match_share     double                 -- EM's estimated share of matches among the pairs
);
