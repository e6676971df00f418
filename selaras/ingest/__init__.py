"""Stage: ingest. Files under data/raw/<kind>/ (and, classified by their headers, at the
top of data/raw/) are read, their header found and mapped to canonical fields, every row
classified (data, or skipped with a reason) and loaded with its lineage into raw.* and
staged.*, all or nothing per file (small files' writes batched together), idempotently by
content hash.

Modules, in the order a file goes through them:
    discover      find the files (kinds, hidden/lock files, symlinks kept inside raw/)
    safety        refuse before reading: size, real format by magic bytes, encryption, zip bombs
    readers       xlsx/xlsm/xls/ods via calamine, CSV (encoding, separator); xlsx_stream for huge sheets
    header        find the 1-3 row header and map labels through headers.yaml
    context       OPD and year from the title block or the file name
    rows          classify rows (title, header, numbering, group, subtotal, note, ...), carry groups down
    records       field values, row views and the typed staged columns, column by column
    parse         pure value parsers (money, numbers, quantities, dates, codes, locations)
    load          Arrow batches into DuckDB; file versions (unchanged, superseded, failed, removed)
    process       one file: ingest_found (all or nothing)
    batch         small files' writes held and written together, each alone if that fails
    years         the plan year check (--tahun against the files' years)
    stage         the stage itself: ingest_all
"""

from __future__ import annotations

from selaras.ingest.stage import FileResult, ingest_all, ingest_found

__all__ = ["FileResult", "ingest_all", "ingest_found"]
