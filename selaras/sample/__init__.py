"""Sample data generator. (Skeleton: replaced by the real implementation.)"""

from __future__ import annotations

from pathlib import Path


def write_sample(data_dir: Path, seed: int = 2021) -> list[Path]:
    return []
