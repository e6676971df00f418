"""The `terakomodir` cut point of a run, from the run's own score distribution.

A proposal's score is the model's match probability x 100, so 50 is where a match
becomes likelier than not: the floor. Above it, the cut sits in the valley between the
run's two populations of best-candidate scores (Otsu's threshold on their histogram),
so a region whose non-matches score high (many near twins) gets a higher cut without
anyone tuning a constant on a labelled set. Too few scored proposals for a histogram,
or one population only: the floor. A planner's setting (SELARAS_USULAN_TERAKOMODIR_MIN)
overrides all of this."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FLOOR = 50.0  # match probability 0.5
CEILING = 90.0  # above this the cut would send nearly every scored match to review
MIN_SCORES = 50  # fewer best-candidate scores than this: no histogram, the floor
_BINS = 40


@dataclass(frozen=True)
class CutPoint:
    value: float
    source: str  # pengaturan (setting) / distribusi (valley of this run) / dasar (floor)
    scores: int  # best-candidate scores it was taken from
    valley: float | None = None  # Otsu's threshold of those scores, if any


def otsu(scores: np.ndarray, bins: int = _BINS) -> float | None:
    """The cut between the two classes of `scores` (0..100) that maximises the between-class
    variance; None when every score falls in one bin."""
    hist, edges = np.histogram(scores, bins=bins, range=(0.0, 100.0))
    centres = (edges[:-1] + edges[1:]) / 2
    w0 = np.cumsum(hist)[:-1].astype(float)
    w1 = hist.sum() - w0
    s0 = np.cumsum(hist * centres)[:-1]
    m0 = np.divide(s0, w0, out=np.zeros_like(s0), where=w0 > 0)
    m1 = np.divide(s0[-1] + hist[-1] * centres[-1] - s0, w1, out=np.zeros_like(s0), where=w1 > 0)
    between = np.where((w0 > 0) & (w1 > 0), w0 * w1 * (m0 - m1) ** 2, -1.0)
    if between.max() <= 0:
        return None
    return float(edges[1 + int(np.argmax(between))])


def run_cut(best_scores: np.ndarray, configured: float | None) -> CutPoint:
    """The cut point for this run: the setting when given, else the valley of the
    best-candidate scores of scored (not exact) proposals, never below the floor."""
    scores = np.asarray(best_scores, dtype=float)
    scores = scores[np.isfinite(scores)]
    if configured is not None:
        return CutPoint(float(configured), "pengaturan", len(scores))
    valley = otsu(scores) if len(scores) >= MIN_SCORES else None
    if valley is None or valley <= FLOOR:
        return CutPoint(FLOOR, "dasar", len(scores), valley)
    return CutPoint(min(valley, CEILING), "distribusi", len(scores), valley)
