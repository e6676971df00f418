"""Musrenbang / pokir proposals -> Renja rows.

A proposal is accommodated (terakomodir) by the Renja row of its target OPD that carries
the same kind of work at the same place. Fields are compared one by one (OPD, code, work
type, kegiatan name, description, location, volume, cost), each comparison falls in a level
with a match weight (weights.yaml, Fellegi-Sunter), and the summed weight gives a 0..100
score. One Renja row may accommodate several proposals; a proposal may be split over rows.

Scale-out: the work is partitioned by target OPD into picklable `UsulanWorkItem`s, each
processed by the pure top-level function `match_usulan_partition`, called through
`map_fn` (builtin `map` by default, a Dask-backed map in production). Results do not depend
on `map_fn`.
"""

from __future__ import annotations

import functools
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import yaml
from rapidfuzz import fuzz, process

from selaras.kamus import code_prefixes, is_standard_code
from selaras.kamus.names import Normalizer, learn_acronyms
from selaras.kamus.opd import OpdResolver
from selaras.match import candidates as cand
from selaras.match.cutpoints import FLOOR, run_cut
from selaras.match.features import objects, related_mask, renja_features, usulan_features
from selaras.match.linkage import (
    ALL,
    EmFit,
    Model,
    default_model,
    fit_m_em,
    load_model,
    probability_score,
    text_level,
)
from selaras.match.location import Gazetteer, Location, compare_locations, number_conflict

ACCOMMODATION_COLUMNS = [
    "usulan_ref",
    "channel",
    "status",
    "renja_ref",
    "renja_refs",
    "score",
    "reason",
    "method",
]
CANDIDATE_COLUMNS = [
    "usulan_ref",
    "rank",
    "renja_ref",
    "score",
    "match_weight",
    "work_score",
    "text_score",
    "uraian_score",
    "location_score",
    "volume_score",
    "cost_score",
    "opd_score",
    "kode_score",
    "levels",
    "alasan",
]
FIELDS = ("opd", "kegiatan", "pekerjaan", "uraian", "lokasi", "volume", "biaya")
_LEVEL_SCORE = {
    "lokasi": {
        "desa_detail_sama": 100,
        "desa_detail": 95,
        "desa": 85,
        "desa_sebagian": 80,
        "desa_detail_beda": 60,
        "kecamatan": 50,
        "kabupaten": 40,
        "detail": 70,
        "detail_beda": 10,
        "desa_lain": 5,
        "kecamatan_lain": 0,
    },
    "pekerjaan": {"sama": 100, "mirip": 50, "beda": 0},
    "volume": {"sama": 100, "dekat": 75, "renja_lebih": 60, "satuan_sama": 40, "beda": 0},
    "biaya": {"sama": 100, "dekat": 75, "pagu_lebih": 50, "beda": 0},
    "opd": {"sama": 100, "beda": 0},
    "kode": {"sama": 100, "kegiatan": 75, "program": 40, "beda": 0},
    "kegiatan": {
        "sama": 100,
        "kode_sama": 90,
        "nama_sama": 90,
        "sangat_mirip": 80,
        "mirip": 60,
        "agak_mirip": 40,
        "beda": 0,
    },
}


@dataclass(frozen=True)
class UsulanConfig:
    top_k: int = 5
    # None: the run's own cut point (cutpoints.run_cut); a number: the planner's setting
    terakomodir_min: float | None = None
    review_min: float = 35.0
    candidate_k: int = 20  # proxy candidates per proposal before detailed scoring
    split_margin_bits: float = 0.5  # rows within this of the best one also hold the proposal
    explain_margin_bits: float = 1.0  # a row better explained by another proposal is not claimed
    u_sample_pairs: int = 2000  # random pairs per block to estimate u (0: the YAML u as they are)
    u_prior_pairs: float = 200.0  # weight of the YAML u in that estimate, in pseudo-pairs
    # EM rounds for m per block (0: the YAML m as they are). Off by default: measured on the
    # Sukabumi links it lowered F1 from 0.979 to 0.942 (the exact rule already decides most
    # pairs and the rest are too alike for a two-class mixture), see README "Matching".
    em_iterations: int = 0
    em_prior_pairs: float = 50.0  # weight of the YAML m in the EM estimate, in pseudo-matches
    em_min_pairs: int = 200  # fewer candidate pairs in a block: the YAML m are kept
    model: Model = field(default_factory=default_model)

    @classmethod
    def from_settings(cls, settings) -> UsulanConfig:
        weights = getattr(settings, "match_weights", None)
        return cls(
            top_k=settings.top_k,
            terakomodir_min=settings.usulan_terakomodir_min,
            review_min=settings.usulan_review_min,
            candidate_k=max(settings.usulan_candidate_k, settings.top_k),
            split_margin_bits=settings.usulan_split_margin_bits,
            explain_margin_bits=settings.usulan_explain_margin_bits,
            model=load_model(yaml.safe_load(Path(weights).read_text("utf-8")))
            if weights
            else default_model(),
        )

    @property
    def partition_cut(self) -> float:
        """The cut partitions decide with: the setting, else the floor (the run's cut,
        never below it, is applied once every partition is scored)."""
        return FLOOR if self.terakomodir_min is None else self.terakomodir_min


@dataclass
class UsulanWorkItem:
    """One partition: the proposals to one OPD and the Renja rows they may be matched to.
    `usulan` / `renja` have staged columns; their `opd_tujuan` / `opd` are resolved keys."""

    key: str
    usulan: pd.DataFrame
    renja: pd.DataFrame
    gazetteer: Gazetteer
    config: UsulanConfig
    opd_label: str = ""


# --- orchestration ------------------------------------------------------------------------


def build_work_items(
    usulan: pd.DataFrame,
    renja: pd.DataFrame,
    gazetteer: Gazetteer,
    config: UsulanConfig,
    resolver: OpdResolver | None = None,
) -> list[UsulanWorkItem]:
    """Partition by target OPD. Proposals whose OPD is unresolved are matched against every
    Renja row (and their reason says so); a resolved OPD without Renja rows has none."""
    u, r = resolve_opds(usulan.assign(_opd_label=usulan.get("opd_tujuan")), renja, resolver)
    # a different OPD never matches: a proposal whose OPD resolves keeps to that OPD's rows
    # (none: not accommodated); only an unresolved OPD is searched across every OPD
    part = u["opd_tujuan"].fillna("")
    items = []
    for key in sorted(part.unique()):
        uu = u[part == key].drop(columns="_opd_label")
        rr = r[r["opd"] == key] if key else r
        label = (
            str(u.loc[part == key, "_opd_label"].dropna().iloc[0])
            if key and u.loc[part == key, "_opd_label"].notna().any()
            else ""
        )
        items.append(
            UsulanWorkItem(
                key, uu.reset_index(drop=True), rr.reset_index(drop=True), gazetteer, config, label
            )
        )
    return items


def resolve_opds(
    usulan: pd.DataFrame, renja: pd.DataFrame, resolver: OpdResolver | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Copies whose `opd_tujuan` / `opd` are resolved OPD keys (None: unresolved), by
    `resolver` or, without one, by the Renja rows' own OPD names."""
    if resolver is None:
        resolver = OpdResolver(list(renja.get("opd", pd.Series(dtype=object)).dropna().unique()))
    u, r = usulan.copy(), renja.copy()
    u["opd_tujuan"] = u.get("opd_tujuan", pd.Series(index=u.index, dtype=object)).map(resolver.resolve)
    r["opd"] = r.get("opd", pd.Series(index=r.index, dtype=object)).map(resolver.resolve)
    return u, r


def match_usulan(
    usulan: pd.DataFrame,
    renja: pd.DataFrame,
    gazetteer: Gazetteer | None = None,
    config: UsulanConfig | None = None,
    resolver: OpdResolver | None = None,
    map_fn: Callable[[Callable, Iterable], Iterable] = map,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All proposals -> (accommodation, candidates). DataFrame in, DataFrame out."""
    config = config or UsulanConfig()
    items = build_work_items(usulan, renja, gazetteer or Gazetteer(), config, resolver)
    results = list(map_fn(match_usulan_partition, items))
    acc = (
        pd.concat([a for a, _ in results], ignore_index=True)
        if results
        else pd.DataFrame(columns=ACCOMMODATION_COLUMNS)
    )
    cands = (
        pd.concat([c for _, c in results], ignore_index=True)
        if results
        else pd.DataFrame(columns=CANDIDATE_COLUMNS)
    )
    weights = pd.DataFrame(
        [row for a, _ in results for row in a.attrs.get("match_weights", [])], columns=WEIGHT_COLUMNS
    )
    acc = acc.sort_values("usulan_ref", kind="stable").reset_index(drop=True)
    cands = cands.sort_values(["usulan_ref", "rank"], kind="stable").reset_index(drop=True)
    cut = run_cut(acc.loc[acc["method"] != "exact", "score"].to_numpy(dtype=float), config.terakomodir_min)
    acc = apply_cut(acc, cut.value)[ACCOMMODATION_COLUMNS]
    # the parameters every block used (match.match_weights) and the run's cut point
    acc.attrs = {"match_weights": weights, "cut": cut}
    return acc, cands[CANDIDATE_COLUMNS]


# --- one partition ------------------------------------------------------------------------


def match_usulan_partition(item: UsulanWorkItem) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pure function of its work item: features, candidates, comparisons, weights, then the
    accommodation decision. Returns (accommodation_df, candidates_df)."""
    cfg = item.config
    u_df, r_df = item.usulan, item.renja
    norm = partition_normalizer(u_df, r_df)
    P = usulan_features(u_df, item.gazetteer, norm=norm)
    channel = (
        u_df["channel"].astype(str).to_numpy() if "channel" in u_df else np.array(["musrenbang"] * len(u_df))
    )
    if len(P) == 0:
        return pd.DataFrame(columns=ACCOMMODATION_COLUMNS), pd.DataFrame(columns=CANDIDATE_COLUMNS)
    R = renja_features(r_df, item.gazetteer, norm=norm)
    if len(R) == 0:
        reason = (
            "Tidak terakomodir: OPD tujuan tidak memiliki baris Renja."
            if item.key
            else "Tidak terakomodir: tidak ada baris Renja sama sekali."
        )
        acc = pd.DataFrame(
            {
                "usulan_ref": P["ref"],
                "channel": channel,
                "status": "tidak_terakomodir",
                "renja_ref": None,
                "renja_refs": [[] for _ in range(len(P))],
                "score": 0.0,
                "reason": reason,
                "method": "none",
            }
        )
        return acc.assign(_row_scores=[[] for _ in range(len(P))], _review_reason=""), pd.DataFrame(
            columns=CANDIDATE_COLUMNS
        )

    mats = text_matrices(P, R)
    model = estimate_block_u(P, R, mats, cfg, seed=zlib.crc32(item.key.encode()))
    pairs = candidate_pairs(P, R, cfg.candidate_k, mats)
    levels, sims = compare_pairs(P, R, pairs, model, mats)
    split_levels(P, R, pairs, levels, model)
    classes = sims.pop("classes")
    prior_model = model
    if cfg.em_iterations > 0:
        # m from this block's own candidate pairs (EM), the yaml m as the prior
        model, fit = fit_m_em(
            model, levels, classes, EM_FIELDS, cfg.em_prior_pairs, cfg.em_min_pairs, cfg.em_iterations
        )
    else:
        fit = EmFit(len(pairs), 0, False, float("nan"), False)
    weight = np.full(len(pairs), model.prior_bits(len(R)))
    field_bits = {f: model.bits(f, levels[f], classes[f]) for f in FIELDS}
    for f in FIELDS:
        weight += field_bits[f]
    columns = {"weight": weight, "score": probability_score(weight)}
    for f in FIELDS:
        columns |= {f"lv_{f}": levels[f], f"cls_{f}": classes[f], f"bits_{f}": field_bits[f]}
    # level names stay Python strings (features.objects), numpy's fixed-width ones too
    pairs = pairs.assign(
        **{k: objects(v, pairs.index) if v.dtype.kind in "OU" else v for k, v in (columns | sims).items()}
    )
    pairs = mark_rules(P, R, pairs)

    decisions = decide(P, R, pairs, channel, cfg)
    acc = _accommodation_frame(P, R, r_df, pairs, decisions, channel, model, item)
    cands = _candidate_frame(P, R, pairs[pairs["rank"] <= cfg.top_k], model)
    acc.attrs["match_weights"] = weight_rows(item.key, prior_model, model, fit, len(P), len(R))
    return acc, cands


#: Fields whose m are fitted per block (inside a block the OPD always agrees).
EM_FIELDS = tuple(f for f in FIELDS if f != "opd")
WEIGHT_COLUMNS = [
    "blok",
    "field",
    "level",
    "class",
    "m_prior",
    "m",
    "u",
    "bits",
    "pairs",
    "proposals",
    "rows",
    "em_iterations",
    "em_converged",
    "em_used",
    "match_share",
]


def weight_rows(key: str, prior: Model, fitted: Model, fit: EmFit, n_p: int, n_r: int) -> list[dict]:
    """The parameters one block used, for match.match_weights: per field, level and class
    the prior m, the m used (fitted when EM was used), u (re-estimated from random pairs)
    and the weight in bits, with the data size and the EM outcome."""
    out = []
    for f in EM_FIELDS:
        table = fitted.table(f)
        for name, lv in fitted.fields[f].items():
            if name == "missing":
                continue
            for c, m in lv.m.items():
                out.append(
                    {
                        "blok": key or "(OPD tidak dikenali)",
                        "field": f,
                        "level": name,
                        "class": c,
                        "m_prior": prior.fields[f][name].m.get(c),
                        "m": m,
                        "u": lv.u.get(c),
                        "bits": table.get((name, c)),
                        "pairs": fit.pairs,
                        "proposals": n_p,
                        "rows": n_r,
                        "em_iterations": fit.iterations,
                        "em_converged": fit.converged,
                        "em_used": fit.used,
                        "match_share": fit.match_share,
                    }
                )
    return out


def partition_normalizer(u_df: pd.DataFrame, r_df: pd.DataFrame) -> Normalizer:
    """The normaliser plus acronyms the partition's own texts spell out ("Ruang Kelas Baru
    (RKB)"), so "RKB" elsewhere reads the same."""
    texts: list = []
    for df, cols in (
        (u_df, ("usulan", "nama_kegiatan", "uraian")),
        (r_df, ("nama", "indikator", "keterangan")),
    ):
        for c in cols:
            if c in df:
                texts.extend(df[c].dropna().tolist())
    return Normalizer(learn_acronyms(texts))


@dataclass
class TextMatrices:
    """Text vectors of one partition: TF-IDF of whole texts (A: proposals, B: rows) and of
    descriptions (DA, DB); word sets of names and texts for containment."""

    A: object
    B: object
    DA: object
    DB: object
    p_name: object = None
    p_doc: object = None
    r_name: object = None
    r_doc: object = None
    p_concept: object = None  # the proposal's object with citizens' terms as concepts
    r_concept: object = None  # the row's text with the concepts it covers
    p_doc_eq: object = None  # the proposal's text with words of the same meaning only


def text_matrices(P: pd.DataFrame, R: pd.DataFrame) -> TextMatrices:
    A, B = cand.tfidf_pair(P["doc"].tolist(), R["doc"].tolist())
    DA, DB = cand.tfidf_pair(P["desc"].tolist(), R["desc"].tolist())
    c = cand.Containment([*P["doc"], *R["doc"]])
    cc = cand.Containment([*P["doc_c"], *R["doc_c"]])
    return TextMatrices(
        A,
        B,
        DA,
        DB,
        c.matrices(P["name_x"].tolist()),
        c.matrices(P["doc"].tolist()),
        c.matrices(R["name_x"].tolist()),
        c.matrices(R["doc"].tolist()),
        cc.matrices(P["name_c"].tolist()),
        cc.matrices(R["doc_c"].tolist()),
        c.matrices(P["doc_eq"].tolist()),
    )


def pair_frame(qi: np.ndarray, ti: np.ndarray, mats: TextMatrices) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "qi": qi,
            "ti": ti,
            "cos": cand.pair_cosine(mats.A, mats.B, qi, ti),
            "desc_cos": cand.pair_cosine(mats.DA, mats.DB, qi, ti),
        }
    )


def candidate_pairs(
    P: pd.DataFrame, R: pd.DataFrame, k: int, mats: TextMatrices | None = None
) -> pd.DataFrame:
    """Top-k Renja rows per proposal by TF-IDF cosine of the texts plus blocking evidence
    (same desa, same kecamatan, same code)."""
    mats = mats or text_matrices(P, R)
    vocab: dict = {}
    desa_p, _ = cand.incidence([[p.desa_key for p in loc.places] for loc in P["loc"]], vocab)
    desa_r, _ = cand.incidence([[p.desa_key for p in loc.places] for loc in R["loc"]], vocab)
    kvocab: dict = {}
    kec_p, _ = cand.incidence([[p.kec_key for p in loc.places] for loc in P["loc"]], kvocab)
    kec_r, _ = cand.incidence([[p.kec_key for p in loc.places] for loc in R["loc"]], kvocab)
    cvocab: dict = {}
    code_p, _ = cand.incidence([[c] for c in P["kode"]], cvocab)
    code_r, _ = cand.incidence([[c] for c in R["kode"]], cvocab)
    desa_p, desa_r = _same_width(desa_p, desa_r)
    kec_p, kec_r = _same_width(kec_p, kec_r)
    code_p, code_r = _same_width(code_p, code_r)
    wide = np.array([loc.scope == "kabupaten" for loc in R["loc"]], dtype=np.float32)
    desa_rt, kec_rt, code_rt = desa_r.T.tocsc(), kec_r.T.tocsc(), code_r.T.tocsc()

    def bonus(sl: slice) -> np.ndarray:
        b = 1.0 * np.minimum((desa_p[sl] @ desa_rt).toarray(), 1.0)
        b += 0.25 * np.minimum((kec_p[sl] @ kec_rt).toarray(), 1.0)
        b += 0.3 * (code_p[sl] @ code_rt).toarray()
        b += 0.1 * wide[None, :]
        return b

    qi, ti, proxy = cand.top_k(mats.A, mats.B, k, bonus=bonus, min_score=-1.0)
    return pair_frame(qi, ti, mats).assign(proxy=proxy)


def estimate_block_u(
    P: pd.DataFrame, R: pd.DataFrame, mats: TextMatrices, cfg: UsulanConfig, seed: int
) -> Model:
    """u values of this block, Splink-style: the share of each comparison level among
    random proposal/row pairs (almost all non-matches), smoothed toward weights.yaml with
    `u_prior_pairs` pseudo-pairs. An OPD whose rows all carry three kegiatan gets a smaller
    weight for "same kegiatan" than one with fifty."""
    model = cfg.model
    n = min(cfg.u_sample_pairs, len(P) * len(R))
    if n <= 0 or cfg.u_sample_pairs <= 0:
        return model
    rng = np.random.default_rng(seed)
    qi = rng.integers(0, len(P), n)
    ti = rng.integers(0, len(R), n)
    levels, sims = compare_pairs(P, R, pair_frame(qi, ti, mats), model, mats)
    counts = {
        f: pd.Series(list(zip(levels[f], sims["classes"][f], strict=True))).value_counts().to_dict()
        for f in FIELDS
        if f != "opd"
    }
    return model.with_u_counts(counts, cfg.u_prior_pairs)


def _same_width(a, b):
    """Give two incidence matrices built on one growing vocabulary the same width."""
    n = max(a.shape[1], b.shape[1])
    a, b = a.tocsr(), b.tocsr()
    a.resize((a.shape[0], n))
    b.resize((b.shape[0], n))
    return a, b


def _name_similarity(a: list[str], b: list[str], short: np.ndarray) -> np.ndarray:
    """Object-of-work similarity 0..1: token_set_ratio, guarded for one-word names (which
    are subsets of many names) by token_sort_ratio. `short`: per pair, is either name one
    word or none."""
    if not a:
        return np.zeros(0)
    ts = process.cpdist(a, b, scorer=fuzz.token_set_ratio, dtype=np.float32, workers=1)
    tso = process.cpdist(a, b, scorer=fuzz.token_sort_ratio, dtype=np.float32, workers=1)
    return np.where(short, tso, 0.5 * ts + 0.5 * tso) / 100.0


def compare_pairs(
    P: pd.DataFrame, R: pd.DataFrame, pairs: pd.DataFrame, model: Model, mats: TextMatrices | None = None
) -> tuple[dict, dict]:
    """Comparison level of every field for every candidate pair, plus raw similarities."""
    qi, ti = pairs["qi"].to_numpy(), pairs["ti"].to_numpy()
    n = len(pairs)
    lv: dict[str, np.ndarray] = {}

    po, ro = P["opd"].to_numpy()[qi], R["opd"].to_numpy()[ti]
    has = pd.notna(po) & pd.notna(ro)
    lv["opd"] = np.where(~has, "missing", np.where(po == ro, "sama", "beda"))

    code_lv = distinct_pairs(_code_level, P["kode"], R["kode"], qi, ti)

    wm_p, wm_r = P["work_mask"].to_numpy()[qi], R["work_mask"].to_numpy()[ti]
    rel_of = {int(m): related_mask(int(m)) for m in np.unique(wm_p)}
    rel_p = np.array([rel_of[int(m)] for m in wm_p], dtype=np.int64)
    lv["pekerjaan"] = np.where(
        (wm_p == 0) | (wm_r == 0),
        "missing",
        np.where((wm_p & wm_r) != 0, "sama", np.where((rel_p & wm_r) != 0, "mirip", "beda")),
    )

    names_p, names_r = P["name"].to_numpy()[qi].tolist(), R["name"].to_numpy()[ti].tolist()
    # the proposal's object named by the row's name, or found in the row's whole text
    # (indikator "Jumlah MCK yang Dibangun" for a proposal "Pembangunan MCK")
    mats = mats or text_matrices(P, R)
    contained = np.maximum.reduce(
        [
            cand.Containment.share(mats.p_name, mats.r_doc, qi, ti),
            # and the other way: the row's sub kegiatan object inside the proposal's text
            # ("Penyediaan Permakanan" for "Bantuan Permakanan Lansia Terlantar") ...
            cand.Containment.share(mats.r_name, mats.p_doc_eq, ti, qi),
            # ... where a broader category the proposal's term belongs to ("perlengkapan
            # jalan" for PJU, which also covers rambu) makes the names at most similar
            np.minimum(
                cand.Containment.share(mats.r_name, mats.p_doc, ti, qi),
                model.text_levels["kegiatan"]["mirip"],
            ),
            # a citizens' term covered by the row's nomenclature words ("kelompok tani" by
            # "Pelatihan Petani"), counted as one unit rather than diluted by its expansion
            cand.Containment.share(mats.p_concept, mats.r_concept, qi, ti),
        ]
    )
    short = np.minimum(P["name_words"].to_numpy()[qi], R["name_words"].to_numpy()[ti]) < 2
    name_sim = np.maximum(_name_similarity(names_p, names_r, short), contained)
    docs_r = R["doc"].to_numpy()[ti]
    missing = np.array(
        [not a or not (b or c) for a, b, c in zip(names_p, names_r, docs_r, strict=True)], dtype=bool
    )
    name_lv = text_level(name_sim, model.text_levels["kegiatan"], missing)
    lv["kegiatan"] = kegiatan_levels(code_lv, name_lv)

    cos = pairs["desc_cos"].to_numpy()
    desc_missing = (P["desc"].to_numpy()[qi] == "") | (R["desc"].to_numpy()[ti] == "")
    lv["uraian"] = text_level(cos, model.text_levels["uraian"], desc_missing)

    lv["lokasi"] = distinct_pairs(compare_locations, P["loc"], R["loc"], qi, ti, _loc_codes(P, R))

    lv["volume"] = _quantity_levels(
        P["qty"].to_numpy(dtype=float)[qi],
        P["unit"].to_numpy()[qi],
        R["qty"].to_numpy(dtype=float)[ti],
        R["unit"].to_numpy()[ti],
        model.volume_tolerance,
    )
    lv["biaya"] = _cost_levels(
        P["cost"].to_numpy(dtype=float)[qi], R["cost"].to_numpy(dtype=float)[ti], model.cost_tolerance
    )
    assert all(len(v) == n for v in lv.values())
    # classes: what both records could tell (see weights.yaml)
    cls = {f: np.full(n, ALL, dtype=object) for f in FIELDS}
    cls["kegiatan"] = np.where(code_lv == "missing", "nama", "kode")
    det_p = P["loc_detail"].to_numpy()[qi]
    det_r = R["loc_detail"].to_numpy()[ti]
    cls["lokasi"] = np.where(det_p & det_r, "rinci", "umum")
    # the same kegiatan often comes with the same standard volume and unit cost, so volume
    # and cost agreement mean less when the kegiatan agrees: their u depend on it
    same_keg = np.isin(lv["kegiatan"], _SAME_KEGIATAN)
    cls["volume"] = np.where(same_keg, "keg", "lain")
    cls["biaya"] = np.where(same_keg, "keg", "lain")
    # Once the kegiatan agrees, the verb says little more: a citizen's "Bantuan Permakanan"
    # is the nomenclature's "Penyediaan Permakanan". Work types of one family then count as
    # the same work, and only a different family (rehabilitasi for pembangunan) weighs.
    cls["pekerjaan"] = np.where(same_keg, "keg", "lain")
    lv["pekerjaan"] = np.where(same_keg & (lv["pekerjaan"] == "mirip"), "sama", lv["pekerjaan"])
    # Likewise the unit: a Renja row counts in its indikator's unit (Paket, Titik, Desa)
    # whatever the proposals said (Set, Unit), so with the kegiatan agreeing, different
    # units leave the volumes incomparable rather than disagreeing.
    lv["volume"] = np.where(same_keg & (lv["volume"] == "beda"), "missing", lv["volume"])
    sims = {"name_sim": name_sim, "code_level": code_lv, "classes": cls}
    return lv, sims


#: Levels that say "the same kegiatan" and "the same desa": rows a proposal may be split over.
_SAME_KEGIATAN = ("sama", "kode_sama", "nama_sama", "sangat_mirip")
_SAME_DESA = ("desa_detail_sama", "desa_detail", "desa", "desa_sebagian")


def split_levels(P: pd.DataFrame, R: pd.DataFrame, pairs: pd.DataFrame, levels: dict, model: Model) -> None:
    """A proposal split over rows (Tahap I / II, two segments): each row holds part of the
    volume and budget, so row by row the volume reads "Renja smaller" and the cost "far
    off". When the candidate rows with the proposal's kegiatan, work type and desa, each
    smaller in the same unit, add up to the proposal's volume (and their pagu to its cost,
    when both are known), the proposal's volume and cost are compared with those totals.
    Changes `levels` in place."""
    vol, cost = levels["volume"], levels["biaya"]
    ok = (
        np.isin(levels["kegiatan"], _SAME_KEGIATAN)
        & np.isin(levels["lokasi"], _SAME_DESA)
        & (levels["pekerjaan"] != "beda")
        & (vol == "satuan_sama")
    )
    if ok.sum() < 2:
        return
    idx = np.flatnonzero(ok)
    qi, ti = pairs["qi"].to_numpy()[idx], pairs["ti"].to_numpy()[idx]
    p_qty, p_unit, p_cost = (
        P["qty"].to_numpy(dtype=float),
        P["unit"].to_numpy(),
        P["cost"].to_numpy(dtype=float),
    )
    r_qty, r_cost = R["qty"].to_numpy(dtype=float), R["cost"].to_numpy(dtype=float)
    groups: dict[int, list[int]] = defaultdict(list)
    for k, q in zip(idx, qi, strict=True):
        groups[int(q)].append(int(k))
    row = dict(zip(idx.tolist(), ti.tolist(), strict=True))
    for q, ks in groups.items():
        if len(ks) < 2:
            continue
        rows = [row[k] for k in ks]
        v = _quantity_levels(
            np.array([p_qty[q]]),
            np.array([p_unit[q]], dtype=object),
            np.array([r_qty[rows].sum()]),
            np.array([p_unit[q]], dtype=object),
            model.volume_tolerance,
        )[0]
        c = _cost_levels(np.array([p_cost[q]]), np.array([r_cost[rows].sum()]), model.cost_tolerance)[0]
        if v in ("sama", "dekat") and c in ("sama", "dekat", "missing"):
            vol[ks] = v
            if c != "missing":
                cost[ks] = c


def kegiatan_levels(code_lv: np.ndarray, name_lv: np.ndarray) -> np.ndarray:
    """One level for "same kegiatan?" from the code comparison and the name similarity."""
    out = np.array(name_lv, dtype=object)  # nama_sama / sangat_mirip / ... / beda / missing
    code_same = code_lv == "sama"
    name_close = np.isin(name_lv, ["nama_sama", "sangat_mirip", "missing"])
    out[code_same & name_close] = "sama"
    out[code_same & ~name_close] = "kode_sama"
    # a code that differs outright makes a merely similar name weaker
    out[(code_lv == "beda") & (out == "sangat_mirip")] = "mirip"
    out[(code_lv == "beda") & (out == "mirip")] = "agak_mirip"
    return out


def _code_level(a: object, b: object) -> str:
    if not isinstance(a, str) or not isinstance(b, str) or not a or not b:
        return "missing"
    if a == b:
        return "sama"
    pa, pb = code_prefixes(a), code_prefixes(b)
    if is_standard_code(a) and is_standard_code(b):
        ka = a if a.count(".") == 4 else (pa[0] if len(pa) and a.count(".") == 5 else None)
        kb = b if b.count(".") == 4 else (pb[0] if len(pb) and b.count(".") == 5 else None)
        if ka and ka == kb:
            return "kegiatan"
        prog_a = next((p for p in pa if p.count(".") == 2), a if a.count(".") == 2 else None)
        prog_b = next((p for p in pb if p.count(".") == 2), b if b.count(".") == 2 else None)
        if prog_a and prog_a == prog_b:
            return "program"
        return "beda"
    if (pa and pa[0] == b) or (pb and pb[0] == a) or (pa and pb and pa[0] == pb[0]):
        return "kegiatan"
    return "beda"


def _quantity_levels(qa, ua, qb, ub, tol) -> np.ndarray:
    out = np.full(len(qa), "missing", dtype=object)
    has = ~np.isnan(qa) & ~np.isnan(qb) & (qa > 0) & (qb > 0) & pd.notna(ua) & pd.notna(ub)
    same_unit = has & (ua == ub)
    rel = np.abs(qa - qb) / np.maximum(np.maximum(qa, qb), 1e-9)
    out[has] = "beda"
    out[same_unit] = "satuan_sama"
    out[same_unit & (qb > qa)] = "renja_lebih"  # the row holds more than this proposal
    out[same_unit & (rel <= tol["dekat"])] = "dekat"
    out[same_unit & (rel <= tol["sama"])] = "sama"
    return out


def _cost_levels(ca, cb, tol) -> np.ndarray:
    out = np.full(len(ca), "missing", dtype=object)
    has = ~np.isnan(ca) & ~np.isnan(cb) & (ca > 0) & (cb > 0)
    rel = np.abs(ca - cb) / np.maximum(np.maximum(ca, cb), 1e-9)
    out[has] = "beda"
    out[has & (cb > ca)] = "pagu_lebih"
    out[has & (rel <= tol["dekat"])] = "dekat"
    out[has & (rel <= tol["sama"])] = "sama"
    return out


def comparison_levels(
    usulan: pd.DataFrame,
    renja: pd.DataFrame,
    pairs: list[tuple[str, str]],
    gazetteer: Gazetteer | None = None,
    model: Model | None = None,
) -> pd.DataFrame:
    """The comparison level (and its class, column cls_<field>) of every field for given
    (usulan row_ref, renja row_ref) pairs, e.g. labelled links (to estimate m) or random
    pairs of one OPD (to estimate u)."""
    model = model or default_model()
    g = gazetteer or Gazetteer()
    norm = partition_normalizer(usulan, renja)
    P = usulan_features(usulan, g, norm=norm)
    R = renja_features(renja, g, norm=norm)
    pi = {r: i for i, r in enumerate(P["ref"])}
    ri = {r: i for i, r in enumerate(R["ref"])}
    ok = [(pi[a], ri[b]) for a, b in pairs if a in pi and b in ri]
    arr = np.array(ok, dtype=np.int64).reshape(-1, 2)
    mats = text_matrices(P, R)
    df = pair_frame(arr[:, 0], arr[:, 1], mats)
    levels, sims = compare_pairs(P, R, df, model, mats)
    out = pd.DataFrame({f: levels[f] for f in FIELDS})
    for f in FIELDS:
        out[f"cls_{f}"] = sims["classes"][f]
    return out


# --- decision -----------------------------------------------------------------------------
#
# Decided in order, not by summing (planners reason this way):
# 1. the exact rule: the same OPD, the same kegiatan / sub kegiatan (code or normalised
#    name) and the same place means terakomodir (method `exact`), whatever volume or cost say;
# 2. hard keys: a pair whose addresses carry different RT / RW / No. / KM / dusun numbers is
#    two places and is never accepted; a different OPD never matches (partitioning: only a
#    proposal whose OPD is unresolved is searched across OPDs, and its reason says so);
# 3. only then the probabilistic score (method `skor`).
# Candidates rank lexicographically: allowed, exact kegiatan, exact location, match weight,
# so agreeing volume can never overturn a location mismatch; among equal weights (free text
# without location or code puts many rows on one level) the closer name, then the closer
# whole text, comes first rather than the row listed first.

#: Tier of a claim: exact beats scored whatever the weights.
EXACT, SCORED = 2, 1


@dataclass
class Decision:
    rows: list[int]  # accommodating Renja rows (indices into R), best first
    status: str
    note: str = ""  # why a good row was not taken
    best: int | None = None  # position in pairs of the best candidate
    method: str = "none"  # exact / skor / none


def distinct_pairs(
    fn,
    left: pd.Series,
    right: pd.Series,
    qi: np.ndarray,
    ti: np.ndarray,
    codes: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """`fn(left[q], right[t])` of every pair (q, t), worked out once per distinct pair of
    values (a block holds a few hundred places or codes and many thousand pairs). A missing
    value (None / NaN) is one value of its own, passed as it is. `codes`: each side's value
    codes made once with the features (equal values, equal codes), instead of hashing the
    values again here."""
    if len(qi) == 0:
        return np.array([], dtype=object)
    lv, rv = left.to_numpy(), right.to_numpy()
    if codes is None:
        cp = pd.factorize(lv, use_na_sentinel=False)[0]
        cr = pd.factorize(rv, use_na_sentinel=False)[0]
    else:
        cp, cr = codes
    key = cp[qi].astype(np.int64) * (int(cr.max()) + 1) + cr[ti]
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    values = np.empty(len(first), dtype=object)
    for j, i in enumerate(first.tolist()):  # item by item: a tuple stays one value
        values[j] = fn(lv[qi[i]], rv[ti[i]])
    return values[inverse]


def _loc_codes(P: pd.DataFrame, R: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return P["loc_code"].to_numpy(), R["loc_code"].to_numpy()


def _same_or_conflict(a: Location, b: Location) -> tuple[bool, bool]:
    """(the same place, a hard address key disagrees): one pass over the distinct pairs."""
    return a.scope != "none" and a == b, number_conflict(a, b)


def mark_rules(P: pd.DataFrame, R: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Columns of the ordered rules on the scored pairs: exact_keg, exact_loc, exact (OPD +
    kegiatan + location), hard (a hard key disagrees: the pair can never be accepted), then
    sorted lexicographically per proposal and ranked."""
    qi, ti = pairs["qi"].to_numpy(), pairs["ti"].to_numpy()
    kp, kr = P["name_key"].to_numpy()[qi], R["name_key"].to_numpy()[ti]
    same_name = np.array([bool(a) and a == b for a, b in zip(kp, kr, strict=True)], dtype=bool)
    exact_keg = (pairs["code_level"].to_numpy() == "sama") | same_name
    lv_loc = pairs["lv_lokasi"].to_numpy()
    same_or_conflict = distinct_pairs(_same_or_conflict, P["loc"], R["loc"], qi, ti, _loc_codes(P, R))
    same_loc = np.array([t[0] for t in same_or_conflict], dtype=bool)
    exact_loc = np.isin(lv_loc, ["desa_detail_sama", "desa"]) | same_loc
    hard = np.array([t[1] for t in same_or_conflict], dtype=bool)
    hard |= pairs["lv_opd"].to_numpy() == "beda"
    exact = exact_keg & exact_loc & (pairs["lv_opd"].to_numpy() == "sama") & ~hard
    pairs = pairs.assign(exact_keg=exact_keg, exact_loc=exact_loc, exact=exact, hard=hard)
    pairs = pairs.sort_values(
        ["qi", "hard", "exact_keg", "exact_loc", "weight", "name_sim", "cos", "ti"],
        ascending=[True, True, False, False, False, False, False, True],
        kind="stable",
    )
    pairs["rank"] = pairs.groupby("qi").cumcount() + 1
    return pairs


def _dup_keys(P: pd.DataFrame, channel: np.ndarray) -> list[tuple]:
    """Per proposal, everything the comparison looks at (identical keys = identical proposals)."""
    cols = [
        channel,
        *(P[c].to_numpy() for c in ("opd", "kode", "name", "desc")),
        [repr(x) for x in P["loc"]],
        *(P[c].to_numpy() for c in ("qty", "unit", "cost")),
    ]
    return [
        tuple(None if isinstance(v, float) and v != v else v for v in vals)  # NaN != NaN
        for vals in zip(*cols, strict=True)
    ]


Option = tuple[int, float, int]  # (row, weight, tier)


def _options(pairs: pd.DataFrame, cfg: UsulanConfig) -> dict[int, list[Option]]:
    """Rows each proposal may claim, best first: exact pairs (any score) and scored pairs
    reaching `review_min`; never a pair a hard key rules out."""
    ok = ~pairs["hard"] & (pairs["exact"] | (pairs["score"] >= cfg.review_min))
    good = pairs[ok]
    options: dict[int, list[Option]] = defaultdict(list)
    for q, t, w, e in zip(good["qi"], good["ti"], good["weight"], good["exact"], strict=True):
        options[q].append((t, w, EXACT if e else SCORED))
    return options


def _shared_pairs(pairs: pd.DataFrame) -> set[tuple[int, int]]:
    """Pairs whose row reads as a collection (it names no kampung / RT where the proposal
    does, or holds more volume or pagu than the proposal): such a row may take several
    proposals, no explaining away there."""
    aggregate = (
        pairs["lv_lokasi"].isin(["desa_sebagian", "kecamatan", "kabupaten", "missing"])
        | (pairs["lv_volume"] == "renja_lebih")
        | (pairs["lv_biaya"] == "pagu_lebih")
    )
    return set(zip(pairs.loc[aggregate, "qi"], pairs.loc[aggregate, "ti"], strict=True))


def _claim(avail: list[Option], margin: float) -> list[Option]:
    """A proposal's claim: its best tier, and there the rows within `margin` bits of the best
    one (a proposal split over rows)."""
    if not avail:
        return []
    tier = max(o[2] for o in avail)
    top = [o for o in avail if o[2] == tier]
    best = max(o[1] for o in top)
    return [o for o in top if o[1] >= best - margin]


def _explain_away(
    claims: dict[int, list[Option]],
    group_of: dict[int, tuple],
    shared: set[tuple[int, int]],
    margin: float,
) -> dict[int, tuple[int, int]]:
    """Drop claims on rows better explained by another proposal (a higher tier, or the same
    tier and more than `margin` bits better), except identical proposals and collection rows.
    Returns {proposal: (row lost, owner proposal)} and trims `claims` in place."""
    row_best: dict[int, tuple[int, float, int]] = {}
    for q in sorted(claims):
        for t, w, tier in claims[q]:
            if t not in row_best or (tier, w) > row_best[t][:2]:
                row_best[t] = (tier, w, q)
    lost: dict[int, tuple[int, int]] = {}
    for q in sorted(claims):
        kept = []
        for t, w, tier in claims[q]:
            bt, bw, owner = row_best[t]
            beaten = bt > tier or w < bw - margin
            if not beaten or group_of[owner] == group_of[q] or (q, t) in shared:
                kept.append((t, w, tier))
            else:
                lost[q] = (t, owner)
        claims[q] = kept
    return lost


def _claim_rounds(
    P: pd.DataFrame,
    options: dict[int, list[Option]],
    group_of: dict[int, tuple],
    shared: set[tuple[int, int]],
    cfg: UsulanConfig,
) -> tuple[dict[int, list[Option]], dict[int, str]]:
    """Claims in rounds: a proposal whose best rows are better explained by other proposals
    falls back to its next rows."""
    claims: dict[int, list[Option]] = {}
    lost: dict[int, set[int]] = defaultdict(set)
    notes: dict[int, str] = {}
    pending = sorted(options)
    for _ in range(4):
        for q in pending:
            claims[q] = _claim([o for o in options[q] if o[0] not in lost[q]], cfg.split_margin_bits)
        for q, (t, owner) in _explain_away(claims, group_of, shared, cfg.explain_margin_bits).items():
            lost[q].add(t)
            notes[q] = f"baris Renja terdekat lebih cocok untuk usulan {P.at[owner, 'ref']}"
        pending = [
            q for q in sorted(claims) if not claims[q] and any(o[0] not in lost[q] for o in options[q])
        ]
        if not pending:
            break
    return claims, notes


def _share_identical(
    P: pd.DataFrame, groups: dict[tuple, list[int]], claims: dict[int, list[Option]], notes: dict[int, str]
) -> None:
    """Identical proposals share out their equally good rows in source order; one left
    without a row is noted as a duplicate instead of being counted twice. In place."""
    for members in groups.values():
        if len(members) < 2:
            continue
        best: dict[int, Option] = {}
        for q in members:
            for o in claims.get(q, []):
                if o[0] not in best or o[1:] > best[o[0]][1:]:
                    best[o[0]] = (o[0], o[1], o[2])
        rows = sorted(best, key=lambda t: (-best[t][2], -best[t][1], t))
        m, n = len(rows), len(members)
        ordered = sorted(members)
        for i, q in enumerate(ordered):
            if m >= n:
                claims[q] = [best[t] for t in rows[i * m // n : (i + 1) * m // n]]
            elif i < m:
                claims[q] = [best[rows[i]]]
            else:
                claims[q] = []
                if m:
                    notes[q] = (
                        f"identik dengan usulan {P.at[ordered[0], 'ref']} yang sudah ditampung baris yang sama"
                    )


class Best(NamedTuple):
    """A proposal's best candidate, as `_final` needs it."""

    pair: int  # position in pairs
    hard: bool  # a hard key rules it out
    score: float
    ti: int  # index into R


def _final(claim: list[Option], best: Best | None, note: str, cfg: UsulanConfig) -> Decision:
    """Status of one proposal from its claim: exact -> terakomodir; a scored claim by its
    score; no claim -> review when the best allowed candidate is close, else not accommodated."""
    lst = sorted(claim, key=lambda o: (-o[2], -o[1], o[0]))
    best_pair = best.pair if best is not None else None
    if lst and lst[0][2] == EXACT:
        return Decision(
            [t for t, _, tier in lst if tier == EXACT], "terakomodir", best=best_pair, method="exact"
        )
    if lst:
        if float(probability_score(lst[0][1])) >= cfg.partition_cut:
            rows = [t for t, w, _ in lst if probability_score(w) >= cfg.partition_cut]
            return Decision(rows, "terakomodir", best=best_pair, method="skor")
        return Decision([lst[0][0]], "perlu_review", best=best_pair, method="skor")
    if best is not None and not best.hard and best.score >= cfg.review_min:
        return Decision([best.ti], "perlu_review", note, best=best_pair, method="skor")
    return Decision([], "tidak_terakomodir", note, best=best_pair)


def decide(
    P: pd.DataFrame, R: pd.DataFrame, pairs: pd.DataFrame, channel: np.ndarray, cfg: UsulanConfig
) -> dict[int, Decision]:
    """Status and accommodating rows of every proposal in the partition (pairs come from
    `mark_rules`, ranked per proposal).

    - The exact rule first: a proposal with exact pairs claims those rows.
    - Otherwise it claims its best scored row and any row within `split_margin_bits` of it
      (a split proposal), when their score reaches `review_min`; pairs a hard key rules out
      are never claimed.
    - A row claimed by several different proposals stays with the best tier and those within
      `explain_margin_bits` of the row's best proposal; the others lose it and try their
      next rows, or go to review. Rows that read as collections are exempt.
    - Identical proposals share out their equally good rows in source order.
    """
    first = np.flatnonzero(pairs["rank"].to_numpy() == 1)  # each proposal's best, by position
    q_of, hard, score, ti = (pairs[c].to_numpy()[first] for c in ("qi", "hard", "score", "ti"))
    best_of: dict[int, Best] = {
        int(q): Best(int(i), bool(h), float(sc), int(t))
        for q, i, h, sc, t in zip(q_of, first, hard, score, ti, strict=True)
    }
    groups: dict[tuple, list[int]] = defaultdict(list)
    for q, key in enumerate(_dup_keys(P, channel)):
        groups[key].append(q)
    group_of = {q: g for g, qs in groups.items() for q in qs}
    claims, notes = _claim_rounds(P, _options(pairs, cfg), group_of, _shared_pairs(pairs), cfg)
    _share_identical(P, groups, claims, notes)
    return {q: _final(claims.get(q, []), best_of.get(q), notes.get(q, ""), cfg) for q in range(len(P))}


# --- output frames ------------------------------------------------------------------------


def _evidence_words(model: Model) -> Callable[[tuple], str]:
    """`_evidence` of a pair given as its `_EVIDENCE_COLUMNS` values, worked out once per
    distinct combination (pairs repeat a few)."""

    @functools.cache
    def words(rec: tuple) -> str:
        return _evidence(rec, model)

    return words


def _evidence(rec: tuple, model: Model) -> str:
    """The strongest agreeing and disagreeing fields of one scored pair, in words (the
    ordered rules first: an exact pair, a hard key that rules it out). `rec`: the pair's
    `_EVIDENCE_COLUMNS` values (exact, hard, each field's level, each field's bits)."""
    exact, hard = rec[0], rec[1]
    levels, field_bits = rec[2 : 2 + len(FIELDS)], rec[2 + len(FIELDS) :]
    if exact:
        return "OPD, kegiatan dan lokasi sama persis (aturan cocok persis)"
    if hard:
        return (
            "nomor alamat (RT/RW/No./KM/dusun) atau OPD berbeda: tempat atau OPD lain, tidak bisa dicocokkan"
        )
    pos, neg = [], []
    for f, level, bits in zip(FIELDS, levels, field_bits, strict=True):
        if level == "missing":
            continue
        (pos if bits > 0 else neg).append((abs(bits), model.label(f, level)))
    pos.sort(reverse=True)
    neg.sort(reverse=True)
    text = ", ".join(lbl for _, lbl in pos[:4]) or "tidak ada kesamaan yang kuat"
    if neg:
        text += "; tetapi " + ", ".join(lbl for _, lbl in neg[:3])
    return text


def _row_labels(r_df: pd.DataFrame) -> list[str]:
    """'file:sheet:row "name"' of every Renja row (the official name when the cell is empty)."""
    names = r_df["nama"] if "nama" in r_df else pd.Series([None] * len(r_df))
    resmi = r_df["nama_resmi"] if "nama_resmi" in r_df else pd.Series([None] * len(r_df))
    out = []
    for ref, a, b in zip(r_df["row_ref"], names, resmi, strict=True):
        nama = next((v for v in (a, b) if isinstance(v, str) and v.strip()), "")
        out.append(f'{ref} "{nama.strip()[:80]}"')
    return out


def _accommodation_frame(
    P, R, r_df, pairs, decisions, channel, model: Model, item: UsulanWorkItem
) -> pd.DataFrame:
    recs = []
    scores, tis = pairs["score"].to_numpy(), pairs["ti"].to_numpy()
    ev_arrays = [pairs[c].to_numpy() for c in _EVIDENCE_COLUMNS]
    # positions of the few pairs each decision names, looked up in the pairs sorted by
    # (proposal, row): no dict over every pair (a big block has millions)
    width = len(R) + 1
    keys = pairs["qi"].to_numpy(np.int64) * width + pairs["ti"].to_numpy(np.int64)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]

    def at(q: int, t: int) -> int:
        return int(order[np.searchsorted(sorted_keys, q * width + t)])

    words = _evidence_words(model)

    def evidence(n: int) -> str:
        return words(tuple(a[n] for a in ev_arrays))

    labels = _row_labels(r_df)
    p_refs, r_refs = P["ref"].tolist(), R["ref"].astype(str).tolist()
    for q in range(len(P)):
        d = decisions[q]
        ref = p_refs[q]
        if d.rows:
            first = at(q, d.rows[0])
            score = float(scores[first])
            where = labels[d.rows[0]]
            ev = evidence(first)
            row_scores = [round(float(scores[at(q, t)]), 2) for t in d.rows]
            if d.status == "terakomodir":
                reason = f"Terakomodir di Renja {where} (skor {score:.0f}): {ev}."
                if len(d.rows) > 1:
                    reason += f" Usulan ini juga ditampung {len(d.rows) - 1} baris Renja lain (dipecah)."
            else:
                reason = f"Perlu dicek: calon terbaik Renja {where} (skor {score:.0f}): {ev}."
                if d.note:
                    reason += f" Tidak diambil otomatis: {d.note}."
            refs = [r_refs[t] for t in d.rows]
            recs.append(
                (ref, channel[q], d.status, refs[0], refs, round(score, 2), reason, d.method)
                + (row_scores, f"Perlu dicek: calon terbaik Renja {where} (skor {score:.0f}): {ev}.")
            )
        else:
            if d.best is not None:
                best = d.best
                score = float(scores[best])
                reason = (
                    f"Tidak terakomodir: tidak ada baris Renja dengan pekerjaan dan lokasi yang sama. "
                    f"Calon terdekat {labels[int(tis[best])]} (skor {score:.0f}): "
                    f"{evidence(best)}."
                )
                if d.note:
                    reason += f" Catatan: {d.note}."
            else:
                score = 0.0
                reason = "Tidak terakomodir: tidak ada baris Renja yang mirip."
            recs.append((ref, channel[q], d.status, None, [], round(score, 2), reason, d.method, [], ""))
        if not item.key:
            cross = " OPD tujuan tidak dikenali; dicari di baris Renja semua OPD (lintas OPD)."
            r = recs[-1]
            recs[-1] = (*r[:6], r[6] + cross, r[7], r[8], r[9] + cross if r[9] else "")
    return pd.DataFrame.from_records(recs, columns=[*ACCOMMODATION_COLUMNS, *_CUT_COLUMNS])


#: Hidden columns of a partition's accommodation frame, for the run's cut (apply_cut):
#: the score of each accommodating row, and the reason should the proposal go to review.
_CUT_COLUMNS = ["_row_scores", "_review_reason"]


def apply_cut(acc: pd.DataFrame, cut: float) -> pd.DataFrame:
    """The run's cut point on the partitions' decisions (taken at the floor or the setting,
    never above the cut): a scored proposal below it goes to review with its best row;
    one above it keeps the rows that reach it."""
    acc = acc.copy()
    if acc.empty or "_row_scores" not in acc:
        return acc
    scored = (acc["status"] == "terakomodir") & (acc["method"] == "skor")
    below = scored & (acc["score"] < cut)
    note = f" Skor di bawah ambang terakomodir run ini ({cut:.0f})."
    acc.loc[below, "status"] = "perlu_review"
    acc.loc[below, "reason"] = acc.loc[below, "_review_reason"] + note
    acc["renja_refs"] = [
        (refs[:1] if low else [r for r, sc in zip(refs, scores, strict=True) if sc >= cut]) if on else refs
        for refs, scores, on, low in zip(acc["renja_refs"], acc["_row_scores"], scored, below, strict=True)
    ]
    return acc.drop(columns=_CUT_COLUMNS)


def _candidate_frame(P: pd.DataFrame, R: pd.DataFrame, top: pd.DataFrame, model: Model) -> pd.DataFrame:
    def lvl_score(f: str) -> list[float | None]:
        table = _LEVEL_SCORE[f]
        return [table.get(v) if v != "missing" else None for v in top[f"lv_{f}"]]

    parts = [top[f"lv_{f}"].to_numpy() for f in FIELDS] + [top["code_level"].to_numpy()]
    names = [*FIELDS, "kode"]

    # pairs repeat a few combinations of levels: each is put in words once
    @functools.cache
    def level_text(vals: tuple) -> str:
        return "; ".join(f"{n}={v}" for n, v in zip(names, vals, strict=True))

    alasan = _evidence_words(model)
    levels = [level_text(vals) for vals in zip(*parts, strict=True)]

    ev_cols = [top[c].to_numpy() for c in _EVIDENCE_COLUMNS]
    return pd.DataFrame(
        {
            "usulan_ref": P["ref"].to_numpy()[top["qi"].to_numpy()],
            "rank": top["rank"].to_numpy(dtype=np.int32),
            "renja_ref": R["ref"].to_numpy()[top["ti"].to_numpy()],
            "score": np.round(top["score"].to_numpy(), 2),
            "match_weight": np.round(top["weight"].to_numpy(), 3),
            "work_score": lvl_score("pekerjaan"),
            "text_score": np.round(top["name_sim"].to_numpy() * 100, 1),
            "uraian_score": np.round(top["desc_cos"].to_numpy() * 100, 1),
            "location_score": lvl_score("lokasi"),
            "volume_score": lvl_score("volume"),
            "cost_score": lvl_score("biaya"),
            "opd_score": lvl_score("opd"),
            "kode_score": [_LEVEL_SCORE["kode"].get(v) for v in top["code_level"]],
            "levels": levels,
            # in words for the candidate and the three alternatives planners are shown
            "alasan": [
                alasan(rec) if rank <= _SHOWN else None
                for rank, rec in zip(top["rank"].to_numpy(), zip(*ev_cols, strict=True), strict=True)
            ],
        }
    )


_SHOWN = 4
_EVIDENCE_COLUMNS = ["exact", "hard", *(f"lv_{f}" for f in FIELDS), *(f"bits_{f}" for f in FIELDS)]
