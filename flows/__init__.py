"""selaras' Prefect flows: thin wrappers over `selaras.pipeline` (see docs/orchestration.md).

    reconcile  the whole chain, ingest -> validate -> match -> reconcile -> report -> publish
               (the nightly job, and on demand)
    ingest, validate, match, report   one stage each, on demand

Serve them all with `selaras serve` (deployments in flows/deployments.py).

May import (the whole package): prefect, selaras.pipeline, runs, settings, warehouse, status;
never a stage package (tests/test_architecture.py).
"""

import logging
import os

# selaras' own log lines (selaras.pipeline, selaras.ingest, ...) go to the Prefect UI too.
# Read by Prefect when it sets up logging, so set before the first `import prefect`.
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "selaras")
# The CLI logs to its file before the flow starts; that is not a flow run's log.
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
# ... at INFO (a stage's "selesai dalam 3.1 s"), unless the application chose otherwise.
if logging.getLogger("selaras").level == logging.NOTSET:
    logging.getLogger("selaras").setLevel(logging.INFO)
