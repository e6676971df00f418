"""Fellegi-Sunter match weights (as in Splink): each field comparison falls in a level,
each level adds log2(m/u) bits, the sum plus the prior is the log2 odds of a match.

The m/u values are reviewed data in weights.yaml; `estimate_u` and `estimate_m` compute
them from comparison tables so a change can be argued with figures."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
import yaml


@dataclass(frozen=True)
class Level:
    name: str
    m: float
    u: float
    label: str

    @property
    def bits(self) -> float:
        return math.log2(self.m / self.u)


@dataclass(frozen=True)
class Model:
    prior_bits: float
    fields: dict[str, dict[str, Level]]
    field_labels: dict[str, str]
    text_levels: dict[str, dict[str, float]]
    volume_tolerance: dict[str, float]
    cost_tolerance: dict[str, float]

    def bits(self, field: str, levels: np.ndarray | pd.Series) -> np.ndarray:
        """Weight (bits) of each level name in `levels`."""
        table = {k: v.bits for k, v in self.fields[field].items()}
        return np.array([table[str(lv)] for lv in levels], dtype=float)

    def max_bits(self) -> float:
        return self.prior_bits + sum(max(lv.bits for lv in f.values()) for f in self.fields.values())

    def label(self, field: str, level: str) -> str:
        return self.fields[field][level].label


def load_model(data: dict | None = None) -> Model:
    raw = data if data is not None else _raw_weights()
    fields = {
        f: {lv: Level(lv, float(spec["m"]), float(spec["u"]), spec.get("label", lv)) for lv, spec in fdef["levels"].items()}
        for f, fdef in raw["fields"].items()
    }
    return Model(
        prior_bits=float(raw["prior_bits"]),
        fields=fields,
        field_labels={f: fdef.get("label", f) for f, fdef in raw["fields"].items()},
        text_levels=raw["text_levels"],
        volume_tolerance=raw["volume_tolerance"],
        cost_tolerance=raw["cost_tolerance"],
    )


@lru_cache(maxsize=1)
def _raw_weights() -> dict:
    return yaml.safe_load(resources.files("selaras.match").joinpath("weights.yaml").read_text("utf-8"))


@lru_cache(maxsize=1)
def default_model() -> Model:
    return load_model()


def probability_score(weight_bits: np.ndarray | float) -> np.ndarray:
    """Match probability from the total weight (prior included), as 0..100."""
    w = np.clip(np.asarray(weight_bits, dtype=float), -60, 60)
    return 100.0 / (1.0 + np.power(2.0, -w))


def text_level(sim: np.ndarray, bounds: dict[str, float], missing: np.ndarray) -> np.ndarray:
    """Similarity 0..1 -> level name, using lower bounds in descending order."""
    out = np.full(len(sim), "beda", dtype=object)
    for name, lo in sorted(bounds.items(), key=lambda kv: kv[1]):
        out[sim >= lo] = name
    out[missing] = "missing"
    return out


def estimate_u(levels: pd.DataFrame) -> dict[str, dict[str, float]]:
    """u values from the comparison levels of (mostly) non-matching pairs, e.g. random
    proposal/Renja pairs: the share of each level, per field (missing excluded)."""
    return _shares(levels)


def estimate_m(levels: pd.DataFrame) -> dict[str, dict[str, float]]:
    """m values from the comparison levels of labelled true matches."""
    return _shares(levels)


def _shares(levels: pd.DataFrame) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for col in levels.columns:
        vals = levels[col][levels[col] != "missing"]
        if len(vals):
            out[col] = {k: round(float(v), 4) for k, v in vals.value_counts(normalize=True).items()}
    return out
