"""The run's `terakomodir` cut point comes from its own score distribution (issue 12,
"thresholds from the run's own score distribution"): the valley between the two
populations of best-candidate scores, never below match probability 0.5; a setting
overrides it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from selaras.match.cutpoints import CEILING, FLOOR, otsu, run_cut
from selaras.match.usulan import apply_cut


def _two_populations(low: float, high: float, n: int = 400, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(np.r_[rng.normal(low, 4, n), rng.normal(high, 3, n)], 0, 100)


def test_the_cut_sits_in_the_valley_between_matches_and_non_matches():
    cut = run_cut(_two_populations(60, 95), None)
    assert cut.source == "distribusi" and 70 <= cut.value <= 88, cut


def test_a_valley_below_one_half_gives_the_floor():
    cut = run_cut(_two_populations(5, 90), None)
    assert cut.value == FLOOR and cut.source == "dasar" and cut.valley is not None and cut.valley < FLOOR


def test_too_few_scores_or_one_population_give_the_floor():
    assert run_cut(np.array([95.0, 97.0, 10.0]), None).value == FLOOR
    assert otsu(np.full(200, 42.0)) is None and run_cut(np.full(200, 42.0), None).source == "dasar"


def test_the_setting_overrides_and_the_ceiling_holds():
    assert run_cut(_two_populations(60, 95), 72.5).value == 72.5
    assert run_cut(_two_populations(88, 99), None).value <= CEILING


def test_the_cut_sends_scored_proposals_below_it_to_review_with_their_best_row():
    acc = pd.DataFrame(
        {
            "usulan_ref": ["a", "b", "c"],
            "status": ["terakomodir", "terakomodir", "terakomodir"],
            "renja_ref": ["r1", "r2", "r4"],
            "renja_refs": [["r1"], ["r2", "r3"], ["r4"]],
            "score": [55.0, 91.0, 20.0],
            "reason": ["Terakomodir ...", "Terakomodir ...", "Terakomodir (exact) ..."],
            "method": ["skor", "skor", "exact"],
            "_row_scores": [[55.0], [91.0, 62.0], [20.0]],
            "_review_reason": ["Perlu dicek: calon terbaik Renja X.", "Perlu dicek: Y.", "Perlu dicek: Z."],
        }
    )
    out = apply_cut(acc, 70.0)
    assert list(out["status"]) == ["perlu_review", "terakomodir", "terakomodir"]  # exact stays
    assert (
        out.at[0, "reason"].startswith("Perlu dicek")
        and "ambang terakomodir run ini (70)" in out.at[0, "reason"]
    )
    assert out.at[1, "renja_refs"] == ["r2"] and out.at[2, "renja_refs"] == ["r4"]
    assert "_row_scores" not in out
