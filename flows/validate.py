"""Prefect flow `validate`: one stage, on demand. Check the loaded rows (Great Expectations): errors go to quarantine, warnings are flagged.

May import: flows.common only.
"""

from __future__ import annotations

from flows.common import selaras_flow

validate_flow = selaras_flow(
    "validate",
    ("validate",),
    publish=False,
    module=__name__,
    summary="Check the loaded rows (Great Expectations): errors go to quarantine, warnings are flagged.",
)
