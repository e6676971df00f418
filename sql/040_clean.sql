-- Layer 4 (clean): the rows the matcher works on. A row is clean when its file is the
-- current version (not failed, not superseded) and no check of the latest validation of
-- that file marked it as an error. Views, so they always follow the layers below.
create schema if not exists clean;

create or replace view clean.current_file as
    select * from raw.ingest_file where status = 'loaded';

-- Rows with at least one error in the newest validation run of their file, and every row
-- of a file whose newest validation has a file-level error (table-level check: empty file,
-- required column missing ...): the whole file is held back until it is fixed.
create or replace view clean.latest_validation as
    select file_id, max(run_id) as run_id from quality.validation_run group by file_id;

create or replace view clean.rejected_file as
    select distinct c.file_id
    from quality.check_result c
    join clean.latest_validation l using (file_id, run_id)
    where c.severity = 'error' and c.row_ref is null;

-- (file_id, row_ref): a changed file keeps its name, so row_ref alone repeats across versions.
create or replace view clean.quarantined_row as
    select c.row_ref, c.file_id
    from quality.check_result c
    join clean.latest_validation l using (file_id, run_id)
    where c.severity = 'error' and c.row_ref is not null
    union
    select s.row_ref, s.file_id from staged.row_key s
    join clean.rejected_file r using (file_id);

create or replace view clean.renja as
    select s.* from staged.renja s join clean.current_file f using (file_id)
    where not exists (select 1 from clean.quarantined_row q where q.file_id = s.file_id and q.row_ref = s.row_ref);

create or replace view clean.rkpd as
    select s.* from staged.rkpd s join clean.current_file f using (file_id)
    where not exists (select 1 from clean.quarantined_row q where q.file_id = s.file_id and q.row_ref = s.row_ref);

create or replace view clean.usulan as
    select s.* from staged.usulan s join clean.current_file f using (file_id)
    where not exists (select 1 from clean.quarantined_row q where q.file_id = s.file_id and q.row_ref = s.row_ref);

create or replace view clean.nomenklatur as
    select s.* from staged.nomenklatur s join clean.current_file f using (file_id)
    where not exists (select 1 from clean.quarantined_row q where q.file_id = s.file_id and q.row_ref = s.row_ref);

create or replace view clean.wilayah as
    select s.* from staged.wilayah s join clean.current_file f using (file_id)
    where not exists (select 1 from clean.quarantined_row q where q.file_id = s.file_id and q.row_ref = s.row_ref);

create or replace view clean.opd as
    select s.* from staged.opd s join clean.current_file f using (file_id)
    where not exists (select 1 from clean.quarantined_row q where q.file_id = s.file_id and q.row_ref = s.row_ref);
