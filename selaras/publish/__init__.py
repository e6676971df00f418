"""Stage: publish - everything analysts receive (processed/selaras.duckdb, Parquet and
CSV), atomically, only after the audit passed, and only when the content changed. The
entry point and the full story are in `selaras.publish.stage`.

May import (the whole package): settings, runs, duckdb, pyarrow; no other stage.
"""

from selaras.publish.database import analytics_views
from selaras.publish.stage import PAUSE_ENV, PublishError, content_fingerprint, publish, publish_all

__all__ = ["PAUSE_ENV", "PublishError", "analytics_views", "content_fingerprint", "publish", "publish_all"]
