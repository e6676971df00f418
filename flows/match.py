"""Prefect flow `match`: one stage, on demand. Match Renja rows to the RKPD and nomenclature, and proposals to Renja rows (partitioned by OPD; on a Dask cluster when the flow runs on DaskTaskRunner).

May import: flows.common only.
"""

from __future__ import annotations

from flows.common import selaras_flow

match_flow = selaras_flow(
    "match",
    ("match",),
    publish=False,
    module=__name__,
    summary="Match Renja rows to the RKPD and nomenclature, and proposals to Renja rows (partitioned by OPD; on a Dask cluster when the flow runs on DaskTaskRunner).",
)
