"""Fellegi-Sunter match weights (as in Splink): each field comparison falls in a level,
each level adds log2(m/u) bits, the sum plus the prior is the log2 odds of a match.

The m/u values are reviewed data in weights.yaml; `estimate_u` and `estimate_m` compute
them from comparison tables so a change can be argued with figures."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
import yaml

ALL = "semua"  # the class of a field whose levels are not split by what the records say


@dataclass(frozen=True)
class Level:
    """One comparison level. m and u are given per class: what both records can say
    (e.g. "rinci" when both name a kampung / RT, "umum" when not). A pair's level weighs
    log2(m/u) with m and u normalised within its class, i.e. conditional on what the
    records could tell."""

    name: str
    m: dict[str, float]
    u: dict[str, float]
    label: str


def _per_class(v: object) -> dict[str, float]:
    return {str(k): float(x) for k, x in v.items()} if isinstance(v, dict) else {ALL: float(v)}


@dataclass(frozen=True)
class Model:
    matches_per_proposal: float
    fields: dict[str, dict[str, Level]]
    field_labels: dict[str, str]
    text_levels: dict[str, dict[str, float]]
    volume_tolerance: dict[str, float]
    cost_tolerance: dict[str, float]
    #: Per field, levels from strongest to weakest evidence (more similar text first).
    order: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def classes(self, field: str) -> list[str]:
        return sorted({c for lv in self.fields[field].values() if lv.name != "missing" for c in lv.m})

    def _memo(self, kind: str, field: str, make) -> dict[tuple[str, str], float]:
        """`make(field)` once per model and field (a frozen model never changes; `bits` asks
        for the same table millions of times)."""
        cache = self.__dict__.setdefault(kind, {})
        if field not in cache:
            cache[field] = make(field)
        return cache[field]

    def table(self, field: str) -> dict[tuple[str, str], float]:
        """(level, class) -> bits, with m and u normalised within each class."""
        return self._memo("_tables", field, self._table)

    def _table(self, field: str) -> dict[tuple[str, str], float]:
        out: dict[tuple[str, str], float] = {}
        levels = [lv for lv in self.fields[field].values() if lv.name != "missing"]
        for c in self.classes(field):
            ms = {lv.name: lv.m[c] for lv in levels if c in lv.m}
            us = {lv.name: lv.u.get(c, 1e-6) for lv in levels if c in lv.m}
            tm, tu = sum(ms.values()) or 1.0, sum(us.values()) or 1.0
            m_share = {n: ms[n] / tm for n in ms}
            u_share = {n: max(us[n], 1e-9) / tu for n in ms}
            ratios = {n: m_share[n] / u_share[n] for n in ms}
            chain = [n for n in self.order.get(field, ()) if n in ms]
            ratios.update(monotone_ratios(chain, m_share, u_share))
            for name in ms:
                out[(name, c)] = math.log2(ratios[name])
        for lv in self.fields[field].values():
            if lv.name == "missing":
                for c in [*self.classes(field), ALL]:
                    out[("missing", c)] = 0.0
        return out

    def lookup(self, field: str) -> dict[tuple[str, str], float]:
        """`table`, plus every class (and ALL) for a level defined in one class only: such a
        level weighs as in that class."""
        return self._memo("_lookups", field, self._lookup)

    def _lookup(self, field: str) -> dict[tuple[str, str], float]:
        table = self.table(field)
        out = dict(table)
        for (lv, _), b in sorted(table.items(), reverse=True):
            for c in (*self.classes(field), ALL):
                out.setdefault((lv, c), b)
        return out

    def bits(self, field: str, levels, classes=None) -> np.ndarray:
        """Weight (bits) of each level (with its class) of one field."""
        lookup = self.lookup(field)
        if len(levels) == 0:
            return np.zeros(0, dtype=float)
        if classes is None:
            classes = np.full(len(levels), ALL, dtype=object)
        # each distinct (level, class) looked up once: pairs x fields is millions of cells
        lv_codes, lv_names = pd.factorize(np.asarray(levels, dtype=object))
        c_codes, c_names = pd.factorize(np.asarray(classes, dtype=object))
        grid = np.array([[lookup.get((str(lv), str(c)), 0.0) for c in c_names] for lv in lv_names])
        return grid[lv_codes, c_codes]

    def level_bits(self, field: str, level: str, cls: str = ALL) -> float:
        return float(self.bits(field, [level], [cls])[0])

    def prior_bits(self, n_rows: int) -> float:
        """log2 prior odds that one of `n_rows` candidate rows is a proposal's match."""
        p = min(self.matches_per_proposal / max(n_rows, 1), 0.5)
        return math.log2(p / (1 - p))

    def with_u_counts(self, counts: dict[str, dict[tuple[str, str], int]], prior_pairs: float) -> Model:
        """A copy whose u values blend observed (level, class) counts of random pairs with
        the current u as `prior_pairs` pseudo-pairs per class. m values are kept."""
        return self.with_counts("u", counts, prior_pairs=prior_pairs)

    def with_counts(
        self,
        side: str,
        counts: dict[str, dict[tuple[str, str], int]],
        prior_pairs: float = 0.0,
        per_level: float = 0.0,
    ) -> Model:
        """A copy whose `side` ("m" or "u") values of the counted fields are the (level,
        class) shares of `counts`, smoothed toward the current values as `prior_pairs`
        pseudo-pairs per class, and by `per_level` pseudo-pairs on every level (a uniform
        prior). The other side is kept."""
        fields = dict(self.fields)
        for f, cnt in counts.items():
            levels = fields[f]
            new: dict[str, dict[str, float]] = {name: dict(getattr(lv, side)) for name, lv in levels.items()}
            for c in self.classes(f):
                names = [n for n, lv in levels.items() if n != "missing" and c in lv.m]
                obs = {n: float(cnt.get((n, c), 0)) for n in names}
                current = {n: getattr(levels[n], side).get(c, 0.0) for n in names}
                prior_total = sum(current.values()) or 1.0
                total = sum(obs.values()) + prior_pairs + per_level * len(names)
                for n in names:
                    share = obs[n] + prior_pairs * current[n] / prior_total + per_level
                    new[n][c] = max(share / total, 1e-6) if total else current[n]
            fields[f] = {n: replace(lv, **{side: new[n]}) for n, lv in levels.items()}
        return replace(self, fields=fields)

    def label(self, field: str, level: str) -> str:
        return self.fields[field][level].label


def monotone_ratios(chain: list[str], m: dict[str, float], u: dict[str, float]) -> dict[str, float]:
    """The Bayes factors m/u of the `chain` levels (strongest evidence first) made
    non-increasing along it: adjacent levels that break the order are merged, as one level
    (sum of m over sum of u), pool-adjacent-violators style. More similar text is never
    weaker evidence than less similar text, whatever a thin or foreign fit of m says.
    `m`, `u`: the levels' shares within their class (u above zero)."""
    blocks: list[tuple[list[str], float, float]] = []
    for n in chain:
        blocks.append(([n], m[n], u[n]))
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] < blocks[-1][1] / blocks[-1][2]:
            (n2, m2, u2), (n1, m1, u1) = blocks.pop(), blocks.pop()
            blocks.append((n1 + n2, m1 + m2, u1 + u2))
    return {n: bm / bu for names, bm, bu in blocks for n in names}


def load_model(data: dict | None = None) -> Model:
    raw = data if data is not None else _raw_weights()
    fields = {
        f: {
            lv: Level(lv, _per_class(spec["m"]), _per_class(spec["u"]), spec.get("label", lv))
            for lv, spec in fdef["levels"].items()
        }
        for f, fdef in raw["fields"].items()
    }
    return Model(
        matches_per_proposal=float(raw.get("matches_per_proposal", 1.0)),
        fields=fields,
        field_labels={f: fdef.get("label", f) for f, fdef in raw["fields"].items()},
        text_levels=raw["text_levels"],
        volume_tolerance=raw["volume_tolerance"],
        cost_tolerance=raw["cost_tolerance"],
        order={f: tuple(fdef["order"]) for f, fdef in raw["fields"].items() if fdef.get("order")},
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


def estimate_shares(
    levels: pd.DataFrame, classes: pd.DataFrame | None = None
) -> dict[str, dict[str, dict[str, float]]]:
    """Share of each level per field and class (missing excluded): from labelled links it
    estimates m, from random pairs u (the form weights.yaml takes)."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for col in levels.columns:
        cls = classes[col] if classes is not None and col in classes else pd.Series([ALL] * len(levels))
        df = pd.DataFrame({"lv": levels[col].to_numpy(), "c": cls.to_numpy()})
        df = df[df["lv"] != "missing"]
        out[col] = {
            c: {k: round(float(v), 4) for k, v in g["lv"].value_counts(normalize=True).items()}
            for c, g in df.groupby("c")
        }
    return out


@dataclass(frozen=True)
class EmFit:
    """How the m values of one block were fitted: iterations, convergence, data size and
    the estimated share of matches among the blocked pairs."""

    pairs: int
    iterations: int
    converged: bool
    match_share: float
    used: bool  # False: too few pairs or no convergence, the prior m were kept


def _shares(
    post: np.ndarray, lv: np.ndarray, cls: np.ndarray, prior: dict[str, dict[str, float]], alpha: float
):
    """Per (level, class): (weighted count + alpha * prior share) / (weighted total + alpha)."""
    out: dict[str, dict[str, float]] = {}
    names = [k for k in prior if k != "missing"]
    for c in {c for k in names for c in prior[k]}:
        in_c = (cls == c) & (lv != "missing")
        total = float(post[in_c].sum())
        prior_total = sum(prior[k].get(c, 0.0) for k in names) or 1.0
        for k in names:
            if c in prior[k]:
                hit = float(post[in_c & (lv == k)].sum())
                out.setdefault(k, {})[c] = max(
                    (hit + alpha * prior[k][c] / prior_total) / (total + alpha), 1e-6
                )
    return out


def fit_m_em(
    model: Model,
    levels: dict[str, np.ndarray],
    classes: dict[str, np.ndarray],
    fields: tuple[str, ...],
    prior_pairs: float = 50.0,
    min_pairs: int = 200,
    max_iter: int = 30,
    tol: float = 1e-3,
    start_share: float = 0.05,
) -> tuple[Model, EmFit]:
    """m by expectation-maximisation over the blocked (candidate) pairs, Fellegi-Sunter as
    Splink does it. The blocked pairs are a two-class mixture (matches, non-matches that
    look alike); EM fits the match share, m and the blocked pairs' own u. Only m is kept:
    scores use the u of random pairs (estimate_block_u), as Splink does. The yaml m (and
    the random-pair u) are a Dirichlet prior of `prior_pairs` pseudo-pairs per class, so a
    thin block stays near them. Below `min_pairs` pairs, or without convergence, the prior
    m are kept (EmFit.used is False)."""
    n = len(next(iter(levels.values()))) if levels else 0
    if n < min_pairs:
        return model, EmFit(n, 0, False, float("nan"), False)
    lv = {f: np.asarray(levels[f], dtype=object) for f in fields}
    cl = {f: np.asarray(classes[f], dtype=object) for f in fields}
    m_prior = {f: {k: dict(v.m) for k, v in model.fields[f].items()} for f in fields}
    u_prior = {f: {k: dict(v.u) for k, v in model.fields[f].items()} for f in fields}
    m_cur, u_cur, share = m_prior, u_prior, start_share
    for it in range(1, max_iter + 1):
        fitted = _with_mu(model, fields, m_cur, u_cur)
        bits = sum(fitted.bits(f, lv[f], cl[f]) for f in fields)
        odds = np.clip(bits + math.log2(share / (1 - share)), -60, 60)
        post = 1.0 / (1.0 + np.power(2.0, -odds))
        share = float(np.clip(post.mean(), 1e-4, 0.5))
        m_new = {f: _shares(post, lv[f], cl[f], m_prior[f], prior_pairs) for f in fields}
        u_new = {f: _shares(1.0 - post, lv[f], cl[f], u_prior[f], prior_pairs) for f in fields}
        delta = max(
            abs(m_new[f][k][c] - m_cur[f].get(k, {}).get(c, 0.0))
            for f in fields
            for k in m_new[f]
            for c in m_new[f][k]
        )
        m_cur = {f: {**m_cur[f], **m_new[f]} for f in fields}
        u_cur = {f: {**u_cur[f], **u_new[f]} for f in fields}
        if delta < tol:
            return _with_mu(model, fields, m_cur, u_prior), EmFit(n, it, True, share, True)
    return model, EmFit(n, max_iter, False, share, False)


def _with_mu(model: Model, fields, m: dict, u: dict) -> Model:
    new = dict(model.fields)
    for f in fields:
        new[f] = {
            k: (lv if k == "missing" else replace(lv, m=m[f].get(k, lv.m), u=u[f].get(k, lv.u)))
            for k, lv in model.fields[f].items()
        }
    return replace(model, fields=new)
