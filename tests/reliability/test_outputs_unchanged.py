"""The analytics views of the sample are what they were (issue 13: a performance change
must leave the outputs as they were, view by view). The published tables of a sample run
are compared, timestamps and run ids ignored, with a digest recorded in
golden/sample_analytics.json.

When a change is meant to alter the results (a better matcher, a new column), refresh the
record and say so in the commit:

    SELARAS_GOLDEN=update pytest tests/reliability/test_outputs_unchanged.py

To see which rows differ, publish before and after and run `bench/compare_views.py A B`."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from reliability_support import make_settings, published_snapshot

GOLDEN = Path(__file__).parent / "golden" / "sample_analytics.json"


def _digest(rows: list[tuple]) -> str:
    return hashlib.sha256(repr(rows).encode("utf-8")).hexdigest()[:16]


@pytest.mark.slow
def test_the_sample_publishes_the_recorded_analytics_views(tmp_path):
    from selaras.pipeline import run_all
    from selaras.sample import write_sample

    data = tmp_path / "data"
    write_sample(data)
    settings = make_settings(data)
    run_all(settings, trigger="test")
    snapshot = published_snapshot(settings.published_db, data)
    got = {table: {"rows": len(rows), "digest": _digest(rows)} for table, rows in snapshot.items()}
    if os.environ.get("SELARAS_GOLDEN") == "update":
        GOLDEN.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    differing = {
        t: (want.get(t), got.get(t)) for t in sorted(set(got) | set(want)) if want.get(t) != got.get(t)
    }
    assert not differing, (
        "analytics views differ from the record (recorded, now): "
        f"{differing}; if intended, refresh with SELARAS_GOLDEN=update (see the module docstring)"
    )
