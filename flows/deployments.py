"""The deployments, served by one process (`selaras serve`, see docs/orchestration.md):

    reconcile/nightly    the whole chain every night at 02:00 Asia/Jakarta
                         (settings.nightly_cron, settings.timezone)
    reconcile/on-demand  the whole chain, when a planner asks (UI or `prefect deployment run`)
    ingest/on-demand, validate/on-demand, match/on-demand, report/on-demand

Each deployment's data_dir parameter defaults to the folder `selaras serve` was given, so
a run started from the UI needs no parameters. Serving needs a Prefect server
(PREFECT_API_URL); flow runs execute as subprocesses of the serving process.

May import: prefect, the flow modules, selaras.settings.
"""

from __future__ import annotations

from prefect import serve
from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

from flows.ingest import ingest_flow
from flows.match import match_flow
from flows.reconcile import reconcile_flow
from flows.report import report_flow
from flows.validate import validate_flow
from selaras.settings import Settings

ON_DEMAND = "on-demand"
NIGHTLY = "nightly"
TAGS = ["selaras"]


def deployments(settings: Settings) -> list:
    params = {"data_dir": str(settings.data_dir.resolve())}
    # Module entrypoints (flows.reconcile.reconcile_flow): runs find the flow wherever
    # the package is installed, whatever folder `selaras serve` was started in.
    common = {"parameters": params, "tags": TAGS, "entrypoint_type": EntrypointType.MODULE_PATH}
    out = [
        reconcile_flow.to_deployment(
            name=NIGHTLY,
            schedules=[Cron(settings.nightly_cron, timezone=settings.timezone)],
            description=f"Rekonsiliasi malam hari ({settings.nightly_cron}, {settings.timezone}): "
            "seluruh rantai lalu terbitkan selaras.duckdb.",
            **common,
        ),
    ]
    for flow in (reconcile_flow, ingest_flow, validate_flow, match_flow, report_flow):
        out.append(
            flow.to_deployment(
                name=ON_DEMAND, description=f"{flow.name} atas permintaan (on demand).", **common
            )
        )
    return out


def serve_all(settings: Settings, limit: int = 1) -> None:
    """Register the deployments and run their flow runs until interrupted. `limit=1`: one
    flow run at a time (the run lock would make a second one wait anyway)."""
    serve(*deployments(settings), limit=limit)
