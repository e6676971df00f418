"""Stage: ingest. Files under data/raw/<kind>/ are read (xlsx, xlsm, xls, ods, csv), their
header found and mapped to canonical fields, every row classified (data, or skipped with a
reason) and loaded with its lineage into raw.* and staged.*, one transaction per file.

Public entry points: `ingest_all(con, settings, run_id) -> StageResult` (the pipeline
stage) and `ingest_found` for one discovered file; the pure value parsers live in
`selaras.ingest.parse`."""

from __future__ import annotations

from selaras.ingest.process import FileResult, ingest_all, ingest_found

__all__ = ["FileResult", "ingest_all", "ingest_found"]
