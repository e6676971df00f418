"""Prefect flow `report`: one stage, on demand. Write the Forum OPD workbooks, the review workbook and the summary report.

May import: flows.common only.
"""

from __future__ import annotations

from flows.common import selaras_flow

report_flow = selaras_flow(
    "report",
    ("report",),
    publish=False,
    module=__name__,
    summary="Write the Forum OPD workbooks, the review workbook and the summary report.",
)
