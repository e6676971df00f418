"""Stage: validate. Every current file's staged rows go through its kind's checks
(suites.yaml): the row checks as one Great Expectations run per kind over all its rows,
the file checks vectorised per file; errors send rows to quarantine, warnings flag them
(rules.yaml); the results land in quality.validation_run / quality.check_result; the row
accounting is enforced; planners get quarantine workbooks and Data Docs in processed/.
The stage itself is in selaras.validate.stage.

Public API:
    validate_all(con, settings, run_id) -> StageResult
    load_config(settings) -> ValidationConfig          (rules.yaml + suites.yaml + overrides)
    (the per-file row balance is selaras.audit.check_row_balance; raises RowAccountingError)
"""

from selaras.audit import RowAccountingError
from selaras.validate.config import load_config
from selaras.validate.stage import FileOutcome, validate_all

__all__ = ["FileOutcome", "RowAccountingError", "load_config", "validate_all"]
