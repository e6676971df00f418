"""Renja rows -> RKPD items and the national nomenclature.

Order of evidence, as planners reason:
1. the code: the same code (the support programme's X.XX form included) aligns the row;
2. the code's hierarchy: an outdated or mistyped code still says which urusan, bidang,
   program and often which kegiatan the row belongs to, so targets there are searched
   first (they get a bonus);
3. the name, weighted so that rare words count more than "penyediaan" or "kegiatan"
   (TF-IDF over words and character n-grams, which also absorbs typos and unknown
   abbreviations), with the kegiatan group row above it and the OPD as further evidence.

Status: `selaras` (aligned by code), `selaras_nama` (aligned by name under a missing,
outdated or wrong code; the right code goes to kode_saran), `perlu_review` (a close call)
or `tidak_selaras` (no RKPD item). DataFrame in, DataFrame out."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from selaras.kamus import code_key, code_level, code_prefixes, generic_code, is_standard_code, text_or_none
from selaras.kamus.names import Normalizer, default_normalizer, learn_acronyms
from selaras.kamus.opd import OpdResolver
from selaras.match import candidates as cand

ALIGNMENT_COLUMNS = [
    "renja_ref",
    "rkpd_ref",
    "kode_rkpd",
    "nama_rkpd",
    "prioritas",
    "kode_saran",
    "nama_nomenklatur",
    "status",
    "method",
    "score",
    "reason",
]
CANDIDATE_COLUMNS = [
    "renja_ref",
    "rank",
    "target_type",
    "target_ref",
    "target_kode",
    "target_nama",
    "score",
    "code_score",
    "name_score",
    "opd_score",
    "context_score",
    "method",
]

#: Score points added for agreement of the code hierarchy (exact code, then the deepest
#: shared ancestor), of the kegiatan group row's name, and of the OPD.
CODE_POINTS = {"sama": 20.0, "kegiatan": 10.0, "program": 5.0, "bidang": 2.0, "beda": -5.0, "missing": 0.0}
CODE_SCORE = {"sama": 100.0, "kegiatan": 75.0, "program": 50.0, "bidang": 25.0, "beda": 0.0}
OPD_POINTS = {"sama": 4.0, "beda": -6.0}
CONTEXT_POINTS = 12.0  # full agreement of the kegiatan group row name, scaled from 0.5 similarity
LEVEL_MISMATCH_POINTS = -15.0
CODE_EDIT_POINTS = 3.0  # at most, for a code one small edit away from the target's


@dataclass(frozen=True)
class RenjaConfig:
    selaras_min: float = 85.0
    review_min: float = 60.0
    top_k: int = 5
    candidate_k: int = 30
    close_call: float = 3.0  # points between the best two different items that make it a close call
    code_name_min: float = 0.5  # name similarity a same-code item needs to count as aligned by code
    jenis_pemda: str | None = None  # PROV / KABKOT; None: inferred from the codes

    @classmethod
    def from_settings(cls, settings) -> RenjaConfig:
        return cls(
            selaras_min=settings.renja_selaras_min,
            review_min=settings.renja_review_min,
            top_k=settings.top_k,
            candidate_k=max(settings.renja_candidate_k, settings.top_k),
            close_call=settings.renja_close_call,
            jenis_pemda=settings.jenis_pemda,
        )


# --- targets ----------------------------------------------------------------------------


def rkpd_targets(rkpd: pd.DataFrame, resolver: OpdResolver | None = None) -> pd.DataFrame:
    """RKPD rows as match targets."""
    if rkpd is None or rkpd.empty:
        return _empty_targets()
    kode = [
        code_key(text_or_none(k) or text_or_none(r))
        for k, r in zip(
            rkpd.get("kode", [None] * len(rkpd)), rkpd.get("kode_raw", [None] * len(rkpd)), strict=True
        )
    ]
    out = pd.DataFrame(
        {
            "ref": rkpd["row_ref"].astype(str).to_numpy(),
            "kode": kode,
            "nama": rkpd.get("nama", pd.Series([None] * len(rkpd))).to_numpy(),
            "parent_nama": rkpd.get("kegiatan_nama", pd.Series([None] * len(rkpd))).to_numpy(),
            "opd": [
                resolver.resolve(o) if resolver else text_or_none(o)
                for o in rkpd.get("opd", [None] * len(rkpd))
            ],
            "prioritas": rkpd.get("prioritas", pd.Series([None] * len(rkpd))).to_numpy(),
        }
    )
    out["level"] = [code_level(k) or "sub_kegiatan" for k in out["kode"]]
    return _with_none(out.reset_index(drop=True))


def nomenklatur_targets(nomen: pd.DataFrame, jenis_pemda: str | None = None) -> pd.DataFrame:
    """Nomenclature entries as match targets, one per code (the export repeats a code per
    indicator and per jenis pemda). Only the deepest level present is a target (a
    suggestion is a sub kegiatan code); the levels above give the parent names. With
    `jenis_pemda` (PROV / KABKOT) only that government level's entries are targets."""
    if nomen is None or nomen.empty:
        return _empty_targets()
    df = nomen.copy()
    df["_kode"] = [
        code_key(text_or_none(k) or text_or_none(r))
        for k, r in zip(df.get("kode"), df.get("kode_raw", [None] * len(df)), strict=True)
    ]
    df = df[df["_kode"].notna()]
    if jenis_pemda and "jenis_pemda" in df:
        # "KABKOT|PROV": an entry both levels share
        levels_of = df["jenis_pemda"].fillna("").astype(str).str.upper().str.split(r"\s*[|,/;]\s*")
        keep = [jenis_pemda.upper() in lv or lv == [""] for lv in levels_of]
        df = df[keep]
    # parent names of this government level only: a province's 2.15.04.3.03 is another
    # kegiatan than a kabupaten's (the two halves reuse codes with other names)
    names = dict(zip(df["_kode"], df["nama"], strict=False))
    df = df.drop_duplicates("_kode")
    levels = pd.Series([code_level(k) for k in df["_kode"]], index=df.index)
    if (levels == "sub_kegiatan").any():
        df = df[levels == "sub_kegiatan"]
    parents = []
    for k, induk in zip(df["_kode"], df.get("kode_induk", [None] * len(df)), strict=True):
        p = code_key(text_or_none(induk)) or (code_prefixes(k)[0] if code_prefixes(k) else None)
        parents.append(names.get(p) if p else None)
    out = pd.DataFrame(
        {
            "ref": df["_kode"].to_numpy(),
            "kode": df["_kode"].to_numpy(),
            "nama": df["nama"].to_numpy(),
            "parent_nama": parents,
            "opd": None,
            "prioritas": None,
        }
    )
    out["level"] = [code_level(k) or "sub_kegiatan" for k in out["kode"]]
    return _with_none(out.reset_index(drop=True))


def infer_jenis_pemda(codes: list[str | None], nomen: pd.DataFrame | None) -> str | None:
    """PROV or KABKOT: the government level whose nomenclature the rows' exact codes come
    from (codes both levels share are not counted); None when unclear."""
    if nomen is None or nomen.empty or "jenis_pemda" not in nomen:
        return None
    by_code: dict[str, set[str]] = {}
    for k, j in zip(nomen["kode"], nomen["jenis_pemda"], strict=True):
        if text_or_none(j) and text_or_none(k):
            by_code.setdefault(code_key(k) or k, set()).add(str(j).upper())
    votes: dict[str, int] = {}
    for c in codes:
        for k in (c, generic_code(c)):
            js = by_code.get(k) if k else None
            if js and len(js) == 1:
                j = next(iter(js))
                votes[j] = votes.get(j, 0) + 1
                break
    if not votes:
        return None
    best = max(votes, key=votes.get)
    return best if votes[best] >= 0.8 * sum(votes.values()) else None


def _with_none(targets: pd.DataFrame) -> pd.DataFrame:
    """Text columns as Python objects with None where a cell is missing: a pandas string
    column holds NaN there, which is truthy, so `if not code` and `code or "-"` misread it
    (an RKPD row named but not coded crashed the Renja match)."""
    for c in ("kode", "nama", "parent_nama", "opd", "prioritas"):
        col = targets[c].astype(object)
        targets[c] = col.where(col.notna(), None)
    return targets


def _empty_targets() -> pd.DataFrame:
    return pd.DataFrame(columns=["ref", "kode", "nama", "parent_nama", "opd", "prioritas", "level"])


# --- scoring ------------------------------------------------------------------------------


@lru_cache(maxsize=500_000)
def code_relation(a: str | None, b: str | None) -> str:
    """How the Renja row's code (a) relates to a target's (b): sama / kegiatan / program /
    bidang / beda / missing. The X.XX support programme matches any bidang."""
    if not a or not b:
        return "missing"
    if a == b or generic_code(a) == b or generic_code(b) == a:
        return "sama"
    ga, gb = generic_code(a) or a, generic_code(b) or b
    for rel, n in (("kegiatan", 5), ("program", 3), ("bidang", 2)):
        pa, pb = ".".join(a.split(".")[:n]), ".".join(b.split(".")[:n])
        ga_, gb_ = ".".join(ga.split(".")[:n]), ".".join(gb.split(".")[:n])
        if (
            a.count(".") + 1 >= n
            and b.count(".") + 1 >= n
            and (pa == pb or ga_ == gb_ or ga_ == pb or pa == gb_)
        ):
            return rel
    if not (is_standard_code(a) and is_standard_code(b)):
        return "beda" if a.split(".")[0] != b.split(".")[0] else "program"
    return "beda"


#: How the name similarity is made of its parts: IDF-weighted cosine over words and word
#: pairs (rare words count more), over character 3-grams (typos, unknown abbreviations),
#: and rapidfuzz token_sort_ratio (word order, small edits).
NAME_WEIGHTS = {"word": 0.3, "char": 0.4, "fuzz": 0.3}


class NameIndex:
    """Name similarity 0..1 of queries to targets (IDF from both sides together)."""

    def __init__(
        self, queries: list[str], targets: list[str], weights: dict[str, float] | None = None
    ) -> None:
        self.w = weights or NAME_WEIGHTS
        self.queries, self.targets = queries, targets
        self.qw, self.tw = cand.tfidf_pair(queries, targets, ngram_range=(1, 2))
        self.qc, self.tc = cand.tfidf_pair(queries, targets, ngram_range=(3, 3), analyzer="char_wb")

    def top_k(self, k: int, bonus=None):
        from scipy.sparse import hstack

        a, b = self.w["word"], self.w["char"]
        sw, sc = np.float32(np.sqrt(a / (a + b))), np.float32(np.sqrt(b / (a + b)))
        q = hstack([self.qw * sw, self.qc * sc]).tocsr()
        t = hstack([self.tw * sw, self.tc * sc]).tocsr()
        return cand.top_k(q, t, k, bonus=bonus)

    def pair(self, qi: np.ndarray, ti: np.ndarray) -> np.ndarray:
        sim = self.w["word"] * cand.pair_cosine(self.qw, self.tw, qi, ti)
        sim += self.w["char"] * cand.pair_cosine(self.qc, self.tc, qi, ti)
        if self.w.get("fuzz"):
            q = [self.queries[i] for i in qi]
            t = [self.targets[i] for i in ti]
            sim += (
                self.w["fuzz"]
                * process.cpdist(q, t, scorer=fuzz.token_sort_ratio, dtype=np.float32, workers=1)
                / 100.0
            )
        return sim


def correct_typos(texts: list[str], vocabulary_texts: list[str], cutoff: float = 88.0) -> list[str]:
    """Words absent from the targets' vocabulary replaced by the closest word there
    ("jalaan" -> "jalan"), when it is close enough, starts with the same letter and the
    word is long enough to judge. Rare words then count as the same word in the IDF."""
    vocab = sorted({w for t in vocabulary_texts for w in t.split()})
    if not vocab:
        return texts
    by_letter: dict[str, list[str]] = {}
    for w in vocab:
        by_letter.setdefault(w[0], []).append(w)
    known = set(vocab)
    fixes: dict[str, str] = {}
    for t in texts:
        for w in t.split():
            if w in known or w in fixes or len(w) < 5 or w.isdigit():
                continue
            hit = process.extractOne(w, by_letter.get(w[0], []), scorer=fuzz.ratio, score_cutoff=cutoff)
            fixes[w] = hit[0] if hit else w
    if not fixes:
        return texts
    return [" ".join(fixes.get(w, w) for w in t.split()) for t in texts]


def _norm_names(texts, norm: Normalizer) -> list[str]:
    return [norm.normalize(t) if text_or_none(t) else "" for t in texts]


def _code_bonus(hint: list[str | None], target_codes: pd.Series):
    """Blocking evidence for the candidate search: a bonus for the same code or a shared
    ancestor (the generic X.XX form included), as a function of a query slice."""
    vocab: dict = {}

    def keys(code: str | None) -> list[str]:
        if not code:
            return []
        out = [f"c:{code}"] + [f"p:{p}" for p in code_prefixes(code)]
        g = generic_code(code)
        if g:
            out += [f"c:{g}"] + [f"p:{p}" for p in code_prefixes(g)[:2]]
        return out

    def tkeys(code: str | None) -> list[str]:
        if not code:
            return []
        return [f"c:{code}"] + [f"p:{p}" for p in [code, *code_prefixes(code)]]

    qk, _ = cand.incidence([keys(c) for c in hint], vocab)
    tk, _ = cand.incidence([tkeys(c) for c in target_codes], vocab)
    n = max(qk.shape[1], tk.shape[1])
    qk.resize((qk.shape[0], n))
    tk.resize((tk.shape[0], n))
    tkt = tk.T.tocsc()

    def bonus(sl: slice) -> np.ndarray:
        return 0.15 * np.minimum((qk[sl] @ tkt).toarray(), 4.0)

    return bonus


def score_candidates(
    renja: pd.DataFrame,
    targets: pd.DataFrame,
    cfg: RenjaConfig,
    norm: Normalizer,
    renja_opd: list[str | None] | None = None,
) -> pd.DataFrame:
    """Top candidates of every Renja row among `targets`, with the score parts."""
    if targets.empty or renja.empty:
        return pd.DataFrame(columns=["qi", "ti", "score", "name_sim", "code_rel", "ctx_sim", "opd_rel"])
    codes = [
        code_key(text_or_none(k) or text_or_none(r))
        for k, r in zip(
            renja.get("kode", [None] * len(renja)), renja.get("kode_raw", [None] * len(renja)), strict=True
        )
    ]
    keg_codes = [code_key(text_or_none(k)) for k in renja.get("kegiatan_kode", [None] * len(renja))]
    hint = [c or k for c, k in zip(codes, keg_codes, strict=True)]
    t_names = _norm_names(targets["nama"], norm)
    q_names = correct_typos(_norm_names(renja["nama"], norm), t_names)
    index = NameIndex(q_names, t_names)

    bonus = _code_bonus(hint, targets["kode"])
    qi, ti, _ = index.top_k(cfg.candidate_k, bonus=bonus)
    name_sim = index.pair(qi, ti)

    t_codes = targets["kode"].to_numpy()  # None where missing (see _with_none)
    code_rel = np.array(
        [
            code_relation(hint[a], t_codes[b]) if codes[a] else _ancestor_only(hint[a], t_codes[b])
            for a, b in zip(qi, ti, strict=True)
        ],
        dtype=object,
    )

    ctx = _norm_names(renja.get("kegiatan_nama", [None] * len(renja)), norm)
    t_ctx = _norm_names(targets["parent_nama"], norm)
    ctx_sim = np.full(len(qi), np.nan, dtype=float)
    has_ctx = np.array([bool(ctx[a]) and bool(t_ctx[b]) for a, b in zip(qi, ti, strict=True)], dtype=bool)
    if has_ctx.any():
        ci = NameIndex(ctx, t_ctx)
        ctx_sim[has_ctx] = ci.pair(qi[has_ctx], ti[has_ctx])

    opd_rel = np.full(len(qi), "missing", dtype=object)
    if renja_opd is not None and targets["opd"].notna().any():
        t_opd = targets["opd"].to_numpy()
        for i, (a, b) in enumerate(zip(qi, ti, strict=True)):
            if renja_opd[a] and t_opd[b]:
                opd_rel[i] = "sama" if renja_opd[a] == t_opd[b] else "beda"

    # a row coded at program / kegiatan level matched to an item of another level, unless
    # the item sits under the row's code (a truncated code)
    q_level = [code_level(c) if c and code_level(c) != "lokal" else "sub_kegiatan" for c in codes]
    t_level = targets["level"].to_numpy()
    level_mis = np.array(
        [
            q_level[a] != t_level[b] and not (codes[a] and str(t_codes[b] or "").startswith(codes[a] + "."))
            for a, b in zip(qi, ti, strict=True)
        ],
        dtype=bool,
    )

    no_name = np.array([not q_names[a] for a in qi], dtype=bool)
    # a row without a name is judged on its code alone
    score = np.where(no_name, np.array([CODE_SCORE.get(r, 0.0) for r in code_rel]), 100.0 * name_sim)
    score += np.where(no_name, 0.0, np.array([CODE_POINTS[r] for r in code_rel]))
    # a mistyped code is a small edit away from the right one: a tie-breaker between items
    # that share a name (e.g. the same sub kegiatan under two kegiatan)
    edit = np.array(
        [
            Levenshtein.normalized_similarity(hint[a], t_codes[b])
            if hint[a] and t_codes[b] and r != "sama"
            else 0.0
            for a, b, r in zip(qi, ti, code_rel, strict=True)
        ]
    )
    score += CODE_EDIT_POINTS * edit
    score += np.where(
        np.isnan(ctx_sim), 0.0, np.clip((np.nan_to_num(ctx_sim) - 0.5) / 0.5, -0.5, 1.0) * CONTEXT_POINTS
    )
    score += np.array([OPD_POINTS.get(r, 0.0) for r in opd_rel])
    score += np.where(level_mis, LEVEL_MISMATCH_POINTS, 0.0)
    # rank on the unclipped total (two perfect names are told apart by the code), show 0..100
    out = pd.DataFrame(
        {
            "qi": qi,
            "ti": ti,
            "raw": score,
            "score": np.clip(score, 0.0, 100.0),
            "name_sim": name_sim,
            "code_rel": code_rel,
            "ctx_sim": ctx_sim,
            "opd_rel": opd_rel,
        }
    )
    out = out.sort_values(
        ["qi", "raw", "name_sim", "ti"], ascending=[True, False, False, True], kind="stable"
    )
    out["rank"] = out.groupby("qi").cumcount() + 1
    return out.reset_index(drop=True)


def _ancestor_only(hint: str | None, target: str | None) -> str:
    """A kegiatan code from the group row (the row's own code missing) only says where to
    look: never `sama`."""
    rel = code_relation(hint, target)
    return "kegiatan" if rel == "sama" else rel


# --- decision -----------------------------------------------------------------------------


def _decide_one(
    rows: list[dict], names: np.ndarray, has_code: bool, has_name: bool, cfg: RenjaConfig
) -> dict:
    """Status of one Renja row from its ranked candidates (records, best first)."""
    if not rows:
        return {"status": "tidak_selaras", "method": "none", "best": None, "close": None}
    # An RKPD item belongs to one OPD: another OPD's item is shown, never aligned.
    own = [r for r in rows if r["opd_rel"] != "beda"]
    d = _decide_own(own, names, has_code, has_name, cfg)
    top = rows[0]
    if (
        top["opd_rel"] == "beda"
        and top["score"] >= cfg.review_min
        and (d["best"] is None or top["raw"] > d["best"]["raw"])
    ):
        d["other_opd"] = top
        if d["best"] is None:
            d["best"] = top
    return d


def _decide_own(own: list[dict], names: np.ndarray, has_code: bool, has_name: bool, cfg: RenjaConfig) -> dict:
    if not own:
        return {"status": "tidak_selaras", "method": "none", "best": None, "close": None}
    best = own[0]
    same_code = [r for r in own if r["code_rel"] == "sama"]
    if has_code and same_code:
        sc = same_code[0]
        if (
            has_name
            and best["code_rel"] != "sama"
            and best["name_sim"] >= 0.8
            and best["score"] >= cfg.selaras_min
            and best["name_sim"] >= sc["name_sim"] + 0.2
        ):
            # the code points at an item with another name; the name points here
            return {"status": "selaras_nama", "method": "nama", "best": best, "close": None, "wrong_code": sc}
        # an item without a name cannot differ in name: its code decides
        if not has_name or text_or_none(names[int(sc["ti"])]) is None or sc["name_sim"] >= cfg.code_name_min:
            return {"status": "selaras", "method": "kode", "best": sc, "close": None, "no_name": not has_name}
        return {"status": "perlu_review", "method": "kode", "best": sc, "close": None, "name_differs": True}
    close = None
    best_name = str(names[int(best["ti"])]).strip().lower()
    for other in own[1:]:
        if best["raw"] - other["raw"] > cfg.close_call:
            break
        if str(names[int(other["ti"])]).strip().lower() != best_name or other["code_rel"] == best["code_rel"]:
            close = other
            break
    method = (
        "hirarki_nama"
        if best["code_rel"] in ("kegiatan", "program")
        or (not np.isnan(best["ctx_sim"]) and best["ctx_sim"] >= 0.8)
        else "nama"
    )
    if best["score"] >= cfg.selaras_min and close is None:
        return {"status": "selaras_nama", "method": method, "best": best, "close": None}
    if best["score"] >= cfg.review_min:
        return {"status": "perlu_review", "method": method, "best": best, "close": close}
    return {"status": "tidak_selaras", "method": "none", "best": best, "close": None}


def _suggest(target_code: str | None, row_code: str | None) -> str | None:
    """The code to write: the target's, with the agency's own urusan.bidang in place of
    the X.XX of the support programme."""
    if not target_code:
        return None
    if (
        target_code.startswith("X.XX")
        and row_code
        and is_standard_code(row_code)
        and row_code.count(".") >= 1
        and not row_code.startswith("X")
    ):
        return ".".join(row_code.split(".")[:2]) + target_code[4:]
    return target_code


def _named(kode: str | None, nama: object, width: int) -> str:
    """'kode "nama"' of a target item for a reason. An item whose name cell is empty (None
    in the targets, NaN in a pandas column) is said to have none: str() printed "None"."""
    if text_or_none(nama) is None:
        return f"{text_or_none(kode) or '-'} (tanpa nama)"
    return f'{text_or_none(kode) or "-"} "{str(nama).strip()[:width]}"'


def _why(d: dict, targets: list[dict], kind: str, row_code: str | None, cfg: RenjaConfig) -> str:
    """The reason in Indonesian; `targets` are the target records."""
    text = _why_status(d, targets, kind, row_code, cfg)
    other = d.get("other_opd")
    if other is not None:
        t = targets[int(other["ti"])]
        text += (
            f" Item yang lebih mirip ada pada OPD lain ({t['opd']}): {_named(t['kode'], t['nama'], 80)} "
            f"(skor {other['score']:.0f}); item RKPD milik satu OPD."
        )
    return text


def _why_status(d: dict, targets: list[dict], kind: str, row_code: str | None, cfg: RenjaConfig) -> str:
    what = "RKPD" if kind == "rkpd" else "nomenklatur"
    best = d.get("best")
    if best is None:
        return f"Tidak ada item {what} yang mirip." if targets else f"Data {what} belum dimuat."
    t = targets[int(best["ti"])]
    item = _named(t["kode"], t["nama"], 90)
    parts = [
        f"nama mirip {best['name_sim'] * 100:.0f}%"
        if text_or_none(t["nama"])
        else "item tanpa nama, kodenya menentukan"
    ]
    if best["code_rel"] in ("kegiatan", "program", "bidang"):
        parts.append(f"kode satu {best['code_rel']} dengan item ini")
    if not np.isnan(best["ctx_sim"]):
        parts.append(f"kegiatan induk mirip {best['ctx_sim'] * 100:.0f}%")
    if best["opd_rel"] == "sama":
        parts.append("OPD sama")
    elif best["opd_rel"] == "beda":
        parts.append("OPD berbeda")
    ev = ", ".join(parts)
    st = d["status"]
    if st == "selaras":
        if d.get("no_name"):
            return f"Selaras menurut kode: kode {row_code} ada di {what} ({item}); nama sub kegiatan tidak diisi."
        return f"Selaras: kode {row_code} ada di {what} ({item}), {ev}."
    if st == "selaras_nama":
        if d.get("wrong_code") is not None:
            return (
                f"Selaras menurut nama: kode {row_code} menunjuk item lain yang namanya berbeda; "
                f"item yang cocok {item} ({ev}). Perbaiki kode menjadi {_suggest(t['kode'], row_code)}."
            )
        lead = (
            "tanpa kode" if not row_code else f"kode {row_code} tidak ada di {what} (usang atau salah ketik)"
        )
        saran = _suggest(t["kode"], row_code)
        fix = f" Kode yang benar: {saran}." if saran else f" Item {what} ini juga tidak berkode."
        return f"Selaras menurut nama ({lead}): {item}, {ev}.{fix}"
    if st == "perlu_review":
        if d.get("name_differs"):
            return f"Perlu dicek: kode {row_code} ada di {what} ({item}) tetapi namanya berbeda ({ev})."
        if d.get("close") is not None:
            o = targets[int(d["close"]["ti"])]
            return (
                f"Perlu dicek: dua item {what} hampir sama cocoknya: {item} (skor {best['score']:.0f}) dan "
                f"{_named(o['kode'], o['nama'], 60)} (skor {d['close']['score']:.0f})."
            )
        return f"Perlu dicek: item {what} terdekat {item} (skor {best['score']:.0f} di bawah {cfg.selaras_min:.0f}; {ev})."
    return (
        f"Tidak selaras: tidak ada item {what} yang cocok; terdekat {item} (skor {best['score']:.0f}; {ev})."
    )


def match_targets(
    renja: pd.DataFrame,
    targets: pd.DataFrame,
    kind: str,
    cfg: RenjaConfig,
    norm: Normalizer | None = None,
    renja_opd: list[str | None] | None = None,
) -> tuple[list[dict], pd.DataFrame]:
    """Per Renja row: the decision dict (status, method, best, reason ...) and the ranked
    candidate frame (qi, ti, score parts)."""
    norm = norm or default_normalizer()
    cands = score_candidates(renja, targets, cfg, norm, renja_opd)
    codes = [
        code_key(text_or_none(k) or text_or_none(r))
        for k, r in zip(
            renja.get("kode", [None] * len(renja)), renja.get("kode_raw", [None] * len(renja)), strict=True
        )
    ]
    # One row's candidates as dicts at a time (they are ranked within each row, rows in
    # order): all of them at once is millions of dicts, most of a big region's peak memory.
    columns = {c: cands[c].tolist() for c in cands.columns}
    bounds = np.searchsorted(cands["qi"].to_numpy(), np.arange(len(renja) + 1))
    names = targets["nama"].to_numpy()
    records = targets.to_dict("records")
    has_name = [bool(text_or_none(v)) for v in renja["nama"]]
    decisions = []
    for q in range(len(renja)):
        rows = [{c: v[i] for c, v in columns.items()} for i in range(bounds[q], bounds[q + 1])]
        d = _decide_one(rows, names, bool(codes[q]), has_name[q], cfg)
        d["reason"] = _why(d, records, kind, codes[q], cfg)
        d["row_code"] = codes[q]
        decisions.append(d)
    return decisions, cands


def match_renja(
    renja: pd.DataFrame,
    rkpd: pd.DataFrame | None,
    nomenklatur: pd.DataFrame | None,
    config: RenjaConfig | None = None,
    resolver: OpdResolver | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every Renja row -> (alignment frame, candidate frame) as in match.renja_alignment /
    match.renja_candidate."""
    cfg = config or RenjaConfig()
    if renja is None or renja.empty:
        return pd.DataFrame(columns=ALIGNMENT_COLUMNS), pd.DataFrame(columns=CANDIDATE_COLUMNS)
    renja = renja.reset_index(drop=True)
    if resolver is None:
        source = rkpd if rkpd is not None and "opd" in rkpd and rkpd["opd"].notna().any() else renja
        resolver = OpdResolver(list(source.get("opd", pd.Series(dtype=object)).dropna().unique()))
    norm = Normalizer(
        learn_acronyms(list(nomenklatur["nama"]) if nomenklatur is not None and "nama" in nomenklatur else [])
    )
    rk_t = rkpd_targets(rkpd, resolver)
    codes = [
        code_key(text_or_none(k) or text_or_none(r))
        for k, r in zip(
            renja.get("kode", [None] * len(renja)), renja.get("kode_raw", [None] * len(renja)), strict=True
        )
    ]
    jenis = cfg.jenis_pemda or infer_jenis_pemda(codes + list(rk_t["kode"]), nomenklatur)
    nm_t = nomenklatur_targets(nomenklatur, jenis)
    renja_opd = [resolver.resolve(o) for o in renja.get("opd", [None] * len(renja))]
    rk_dec, rk_c = match_targets(renja, rk_t, "rkpd", cfg, norm, renja_opd)
    nm_dec, nm_c = match_targets(renja, nm_t, "nomenklatur", cfg, norm)

    recs = []
    rk_rows, nm_rows = rk_t.to_dict("records"), nm_t.to_dict("records")
    for q in range(len(renja)):
        rd, nd = rk_dec[q], nm_dec[q]
        best = rd.get("best")
        t = rk_rows[int(best["ti"])] if best is not None and rd["status"] != "tidak_selaras" else None
        nbest = nd.get("best")
        nt = nm_rows[int(nbest["ti"])] if nbest is not None and nd["status"] != "tidak_selaras" else None
        row_code = rd["row_code"]
        saran = None
        if rd["status"] == "selaras_nama" and t is not None:
            saran = _suggest(t["kode"], row_code)
        elif nt is not None and nd["status"] in ("selaras_nama", "perlu_review") and nd["method"] != "kode":
            saran = _suggest(nt["kode"], row_code)
        if saran == row_code:
            saran = None
        reason = rd["reason"]
        if (
            nd["status"] in ("selaras_nama", "perlu_review")
            and nt is not None
            and nd["method"] != "kode"
            and not rk_t.empty
        ):
            reason += f" Nomenklatur terdekat: {_named(_suggest(nt['kode'], row_code), nt['nama'], 80)}."
        elif rk_t.empty:
            reason = "RKPD belum dimuat; tidak bisa dicek. " + nd["reason"]
        recs.append(
            {
                "renja_ref": str(renja.at[q, "row_ref"]),
                "rkpd_ref": t["ref"] if t is not None else None,
                "kode_rkpd": t["kode"] if t is not None else None,
                "nama_rkpd": t["nama"] if t is not None else None,
                "prioritas": t["prioritas"] if t is not None else None,
                "kode_saran": saran,
                "nama_nomenklatur": nt["nama"] if nt is not None else None,
                "status": rd["status"] if not rk_t.empty else "tidak_selaras",
                "method": rd["method"] if not rk_t.empty else "none",
                "score": round(float(best["score"]), 2) if best is not None else None,
                "reason": reason,
            }
        )
    align = pd.DataFrame.from_records(recs, columns=ALIGNMENT_COLUMNS)
    cand_frame = pd.concat(
        [
            _candidate_frame(renja, rk_t, rk_c, rk_dec, "rkpd", cfg),
            _candidate_frame(renja, nm_t, nm_c, nm_dec, "nomenklatur", cfg),
        ],
        ignore_index=True,
    )
    return align, cand_frame


def _candidate_frame(renja, targets, cands, decisions, kind, cfg) -> pd.DataFrame:
    if cands.empty:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    top = cands[cands["rank"] <= cfg.top_k]
    qi, ti = top["qi"].to_numpy(), top["ti"].to_numpy()
    return pd.DataFrame(
        {
            "renja_ref": renja["row_ref"].astype(str).to_numpy()[qi],
            "rank": top["rank"].to_numpy(dtype=np.int32),
            "target_type": kind,
            "target_ref": targets["ref"].to_numpy()[ti],
            "target_kode": targets["kode"].to_numpy()[ti],
            "target_nama": targets["nama"].to_numpy()[ti],
            "score": np.round(top["score"].to_numpy(), 2),
            "code_score": [CODE_SCORE.get(r) for r in top["code_rel"]],
            "name_score": np.round(top["name_sim"].to_numpy() * 100, 1),
            "opd_score": [{"sama": 100.0, "beda": 0.0}.get(r) for r in top["opd_rel"]],
            "context_score": np.round(top["ctx_sim"].to_numpy() * 100, 1),
            "method": [
                ("kode" if r == "sama" else "hirarki_nama" if r in ("kegiatan", "program") else "nama")
                for r in top["code_rel"]
            ],
        }
    )
