"""Leave-one-set-out for the match weights: what the matcher scores on a labelled set when
its m values (P(level | true link), weights.yaml) are estimated on the OTHER sets of the
same task only, never on the set being scored.

weights.yaml's m were estimated on two of the labelled sets (the Sukabumi links and the
generated sample), so the figures at those weights are not out-of-sample for them. Here,
for each held-out set, m is re-estimated from the true links of the other sets of its task
group (the comparison levels those links fall in, `usulan.comparison_levels`), with one
pseudo-link per level (a uniform prior: nothing of the yaml m is kept), and the held-out
set is matched again with those weights and its own run cut point. u is estimated from the
held-out set's own random pairs, as in every run (no labels involved); text-level bounds
and tolerances stay as weights.yaml sets them."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from selaras.evaluate.sets import LinkSet
from selaras.match.linkage import Model
from selaras.match.usulan import FIELDS, UsulanConfig, comparison_levels, resolve_opds

#: Pseudo-links per level: the uniform prior where the training links say little.
PSEUDO_LINKS = 1.0


def link_level_counts(ls: LinkSet, model: Model) -> dict[str, dict[tuple[str, str], int]]:
    """(level, class) counts per field over the set's true links, their OPD names resolved
    as the run resolves them (the run compares a proposal only with its OPD's rows)."""
    usulan, renja = resolve_opds(ls.usulan, ls.renja, ls.resolver)
    levels = comparison_levels(usulan, renja, sorted(ls.truth), ls.gazetteer, model)
    counts: dict[str, dict[tuple[str, str], int]] = {}
    for f in FIELDS:
        pairs = pd.DataFrame({"lv": levels[f], "c": levels[f"cls_{f}"]})
        counts[f] = {(lv, c): int(n) for (lv, c), n in pairs.value_counts().items()}
    return counts


def fit_m(model: Model, counts: list[dict[str, dict[tuple[str, str], int]]]) -> Model:
    """A copy of `model` whose m values are the shares of the given links' levels, per
    field and class, each level with PSEUDO_LINKS extra links (missing levels excluded)."""
    summed: dict[str, dict[tuple[str, str], int]] = {f: {} for f in model.fields}
    for cnt in counts:
        for f, levels in cnt.items():
            for key, n in levels.items():
                summed[f][key] = summed[f].get(key, 0) + n
    return model.with_counts("m", summed, per_level=PSEUDO_LINKS)


def training_sets(held: LinkSet, sets: list[LinkSet]) -> list[LinkSet]:
    """The sets a held-out set's weights are fitted on: the other sets of its task group."""
    return [s for s in sets if s is not held and s.group == held.group]


Counts = dict[str, dict[tuple[str, str], int]]


def set_counts(sets: list[LinkSet], model: Model) -> dict[str, Counts]:
    """Every set's `link_level_counts`, by set name."""
    return {s.name: link_level_counts(s, model) for s in sets}


def loso_configs(
    sets: list[LinkSet], config: UsulanConfig, counts: dict[str, Counts] | None = None
) -> dict[str, tuple[UsulanConfig, list[str]]]:
    """For every set that has another set of its group: the config with m fitted on those
    other sets, and their names. `counts`: the sets' `set_counts`, when already made."""
    counts = counts or set_counts(sets, config.model)
    out = {}
    for held in sets:
        train = training_sets(held, sets)
        if train:
            model = fit_m(config.model, [counts[s.name] for s in train])
            out[held.name] = (replace(config, model=model), [s.name for s in train])
    return out


#: A level of the held-out links counts as unseen in training when it holds at least
#: RARE_HELD of them and the training links put less than a tenth of that share there.
RARE_HELD = 0.10


def unseen_levels(held: Counts, train: list[Counts]) -> list[tuple[str, str, float, float]]:
    """Why m fitted elsewhere may not carry over: (field, level, share of the held-out
    set's true links, share of the training links) for the levels where many held-out links
    fall and the training links hardly any (missing left out), largest share first. A
    diagnostic for the evaluate notes; nothing is fitted on it."""
    out = []
    for f, levels in held.items():
        h = _level_shares(levels)
        t = _level_shares({k: n for cnt in train for k, n in cnt.get(f, {}).items()})
        out += [
            (f, lv, sh, t.get(lv, 0.0))
            for lv, sh in h.items()
            if sh >= RARE_HELD and t.get(lv, 0.0) < sh / 10
        ]
    return sorted(out, key=lambda r: -r[2])


def _level_shares(levels: dict[tuple[str, str], int]) -> dict[str, float]:
    total: dict[str, int] = {}
    for (lv, _), n in levels.items():
        if lv != "missing":
            total[lv] = total.get(lv, 0) + n
    s = sum(total.values())
    return {lv: n / s for lv, n in total.items()} if s else {}
