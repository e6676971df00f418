"""EM for m over blocked pairs: converges on a clear two-class mixture, moves m toward the
data, keeps the priors on thin data; the stage stores the parameters in match_weights."""

from __future__ import annotations

import numpy as np

from selaras.match.linkage import ALL, default_model, fit_m_em

FIELDS = ("uraian", "pekerjaan", "volume")
CLASS = {"uraian": ALL, "pekerjaan": "lain", "volume": "lain"}


def _mixture(n_match: int, n_non: int, seed: int = 1):
    """Three conditionally independent fields: matches mostly agree, non-matches mostly not."""
    rng = np.random.default_rng(seed)
    levels, classes = {}, {}
    for f in FIELDS:
        lv = np.concatenate(
            [
                rng.choice(["sama", "beda"], n_match, p=[0.9, 0.1]),
                rng.choice(["sama", "beda"], n_non, p=[0.1, 0.9]),
            ]
        ).astype(object)
        levels[f], classes[f] = lv, np.full(len(lv), CLASS[f], dtype=object)
    return levels, classes


def test_em_converges_and_moves_m_toward_the_data():
    model = default_model()
    levels, classes = _mixture(300, 2700)
    fitted, fit = fit_m_em(model, levels, classes, FIELDS, prior_pairs=10.0, min_pairs=100, max_iter=100)
    assert fit.converged and fit.used and fit.pairs == 3000
    assert 0.03 < fit.match_share < 0.3
    prior_m = model.fields["uraian"]["sama"].m[ALL]
    assert fitted.fields["uraian"]["sama"].m[ALL] > prior_m  # the data say "sama" is commoner
    # u stays the random-pair u (scores use it)
    assert fitted.fields["uraian"]["sama"].u == model.fields["uraian"]["sama"].u


def test_thin_blocks_keep_the_priors():
    model = default_model()
    levels, classes = _mixture(5, 20)
    fitted, fit = fit_m_em(model, levels, classes, FIELDS, min_pairs=200)
    assert not fit.used and fitted is model
