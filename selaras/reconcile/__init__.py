"""Stage: reconcile. Reads the planners' review workbooks and applies their decisions in
force (through selaras.review, into the decided layer of sql/065_decided.sql), names every
OPD once and snapshots what the reports show (stage.py). `review_precision` is the matcher's
precision against those decisions, for `selaras evaluate` (precision.py).
"""

from selaras.reconcile.precision import review_precision
from selaras.reconcile.stage import reconcile_all

__all__ = ["reconcile_all", "review_precision"]
