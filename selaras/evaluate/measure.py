"""Measure the matcher: precision, recall and F1 of its links, top-1 / top-5 accuracy of
its candidate lists, per labelled set, with leave-one-set-out figures (m fitted on the
other sets' links, selaras.evaluate.loso; and the `terakomodir` cut point fitted on the
other sets) and the worst set by them.

Yardsticks (the labelled sets are described in selaras.evaluate.sets):
(a) the generated sample's ground truth (data_dir/truth/renja_rkpd.csv, usulan_renja.csv,
    see selaras.sample.truth) against the last run's match tables;
(b) the real Kab. Sukabumi 2019 Musrenbang Desa -> Kecamatan links: Desa proposals are
    the proposals, Kecamatan rows the "Renja rows"; a link is right when the proposal was
    carried forward into that row;
(c) real nomenclature items typed as agencies type them (selaras.sample.variants).

Real data is read from a folder given at call time (../shared/data in a checkout, or
SELARAS_SHARED_DATA); it is never copied into the project."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from selaras import warehouse
from selaras.evaluate.loso import loso_configs, set_counts, unseen_levels
from selaras.evaluate.sets import (
    SUKABUMI_FILE,
    CodeSet,
    LinkSet,
    first_target,
    malang_set,
    pasangkayu_set,
    pengadaan_set,
    sukabumi_kamus_set,
)
from selaras.kamus import clean_text, code_key, code_level, text_or_none
from selaras.match.location import Gazetteer
from selaras.match.renja import RenjaConfig, match_renja
from selaras.match.usulan import UsulanConfig, match_usulan
from selaras.sample.variants import nomenclature_variants

NOMEN_SUB_FILE = "nomenklatur_2027_sub_kegiatan.csv"
NOMEN_LEVELS_FILE = "nomenklatur_2027_all_levels.csv"


# --- metrics ----------------------------------------------------------------------------


def link_metrics(predicted: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    """Precision, recall and F1 of a set of (from, to) links."""
    tp = len(predicted & truth)
    p = tp / len(predicted) if predicted else 0.0
    r = tp / len(truth) if truth else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f1, 4),
        "predicted": len(predicted),
        "true": len(truth),
        "correct": tp,
    }


def _links(df: pd.DataFrame, src: str, refs: str) -> set[tuple[str, str]]:
    out = set()
    for a, rr in zip(df[src], df[refs], strict=True):
        items = (
            rr
            if isinstance(rr, list | tuple | np.ndarray)
            else (str(rr).split("|") if isinstance(rr, str) and rr else [])
        )
        out.update((str(a), str(b)) for b in items if b)
    return out


# --- (b) Sukabumi Musrenbang Desa -> Kecamatan -------------------------------------------


def sukabumi_frames(path: Path) -> tuple[pd.DataFrame, pd.DataFrame, Gazetteer, set[tuple[str, str]]]:
    """(proposals, "Renja rows", gazetteer, true links) from the Sukabumi file. Desa rows
    become proposals (with their kecamatan / desa columns); Kecamatan rows become Renja rows
    that only have their free-text `lokasi` (as a Renja row would). The kegiatan code is
    program.kegiatan.kamus id, a local code. The gazetteer is the region's kecamatan and
    desa with their BPS codes, as a wilayah file would give."""
    d = pd.read_csv(path, dtype=str)
    is_kec = d["tahapan"].str.contains("Kecamatan", na=False)
    de, ke = d[~is_kec], d[is_kec]
    code = lambda x: x["kode_program"] + "." + x["kode_kegiatan"] + "." + x["kegiatan_id"]  # noqa: E731
    vt = [first_target(x) for x in de["target_indikator"]]
    usulan = pd.DataFrame(
        {
            "row_ref": "desa:" + de["usulan_id"],
            "usulan_id": de["usulan_id"],
            "channel": "musrenbang",
            "usulan": de["nama_kegiatan"],
            "nama_kegiatan": de["nama_kegiatan"],
            "uraian": de["target_indikator"],
            "kode": code(de),
            "lokasi": de["lokasi"],
            "kecamatan": de["kecamatan"],
            "desa": de["desa"],
            "kode_wilayah": de["desa_kode_bps"],
            "volume": [v for v, _ in vt],
            "satuan": [u for _, u in vt],
            "anggaran": np.nan,
            "opd_tujuan": de["opd_tujuan_pelaksana"],
        }
    ).reset_index(drop=True)
    vt = [first_target(x) for x in ke["target_indikator"]]
    renja = pd.DataFrame(
        {
            "row_ref": "kec:" + ke["usulan_id"],
            "opd": ke["opd_tujuan_pelaksana"],
            "kode": code(ke),
            "nama": ke["nama_kegiatan"],
            "indikator": ke["target_indikator"],
            "lokasi": ke["lokasi"],
            "target": [v for v, _ in vt],
            "satuan": [u for _, u in vt],
            "pagu": np.nan,
        }
    ).reset_index(drop=True)
    kec = d.dropna(subset=["kecamatan_kode_bps"]).drop_duplicates("kecamatan_kode_bps")
    des = d.dropna(subset=["desa_kode_bps"]).drop_duplicates("desa_kode_bps")
    wil = pd.concat(
        [
            pd.DataFrame(
                {
                    "kode": kec["kecamatan_kode_bps"],
                    "level": "kecamatan",
                    "nama": kec["kecamatan"],
                    "kode_induk": None,
                }
            ),
            pd.DataFrame(
                {
                    "kode": des["desa_kode_bps"],
                    "level": "desa",
                    "nama": des["desa"],
                    "kode_induk": des["kecamatan_kode_bps"],
                }
            ),
        ]
    )
    linked = ke[ke["usulan_asal_id"].notna()]
    truth = set(zip("desa:" + linked["usulan_asal_id"], "kec:" + linked["usulan_id"], strict=True))
    return usulan, renja, Gazetteer.from_frame(wil), truth


def evaluate_sukabumi(path: Path, config: UsulanConfig | None = None, map_fn=map) -> dict:
    """F1 of "was this Desa proposal carried forward, and into which Kecamatan row"."""
    usulan, renja, gaz, truth = sukabumi_frames(path)
    t = time.perf_counter()
    acc, _ = match_usulan(usulan, renja, gaz, config or UsulanConfig(), map_fn=map_fn)
    seconds = time.perf_counter() - t
    pred = _links(acc[acc["status"] == "terakomodir"], "usulan_ref", "renja_refs")
    out = link_metrics(pred, truth)
    carried = {a for a, _ in truth}
    said = set(acc.loc[acc["status"] == "terakomodir", "usulan_ref"])
    out["carried_forward"] = link_metrics({(a, "") for a in said}, {(a, "") for a in carried})
    out["status_counts"] = acc["status"].value_counts().to_dict()
    out["proposals"], out["rows"], out["seconds"] = len(usulan), len(renja), round(seconds, 2)
    return out


# --- (c) nomenclature variants -------------------------------------------------------------


def nomenclature_frame(shared: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(staged-like nomenclature with all levels and jenis pemda, the sub kegiatan export)."""
    sub = pd.read_csv(shared / NOMEN_SUB_FILE, dtype=str)
    rows = sub.rename(
        columns={"kode_sub_kegiatan": "kode", "nama_sub_kegiatan": "nama", "kode_kegiatan": "kode_induk"}
    )
    rows = rows[["kode", "nama", "kode_induk", "jenis_pemda"]]
    # kegiatan as each government level names them: the two halves reuse kegiatan codes with
    # other names (a province's 2.15.04.3.03 is not a kabupaten's), and the all-levels file
    # keeps one name for such a code ("KABKOT|PROV", name_variants 2)
    keg = sub[["kode_kegiatan", "nama_kegiatan", "kode_program", "jenis_pemda"]].drop_duplicates(
        ["kode_kegiatan", "jenis_pemda"]
    )
    keg = keg.set_axis(["kode", "nama", "kode_induk", "jenis_pemda"], axis=1)
    levels_path = shared / NOMEN_LEVELS_FILE
    if levels_path.exists():
        lv = pd.read_csv(levels_path, dtype=str)
        up = lv[~lv["level"].isin(["sub_kegiatan", "kegiatan"])][
            ["kode", "nama", "kode_induk", "jenis_pemda"]
        ]
    else:
        up = sub[["kode_program", "nama_program"]].drop_duplicates().set_axis(["kode", "nama"], axis=1)
    nomen = pd.concat([up, keg, rows], ignore_index=True)
    nomen["row_ref"] = [f"nomenklatur:{i}" for i in range(len(nomen))]
    return nomen, sub


def evaluate_nomenclature(
    shared: Path, n: int = 500, seed: int = 2027, config: RenjaConfig | None = None
) -> dict:
    """Top-1 / top-5 accuracy of the suggested code for damaged real items, for a
    kabupaten's and a province's Renja. `top1_indistinguishable` also counts a pick that
    nothing in the row tells apart from the truth: the 2027 nomenclature repeats names (whole
    kegiatan under two codes, "Pembangunan Asrama Sekolah" under two kegiatan), and a row
    without a code can only name one of them; its label is then a coin the set tossed."""
    nomen, sub = nomenclature_frame(shared)
    frames = []
    t = time.perf_counter()
    for jp in ("KABKOT", "PROV"):
        v = nomenclature_variants(sub, n=n, seed=seed, jenis_pemda=jp)
        _, cands = match_renja(v, None, nomen, config or RenjaConfig())
        c = cands[cands["target_type"] == "nomenklatur"]
        top1 = c[c["rank"] == 1].set_index("renja_ref")["target_kode"].reindex(v["row_ref"]).to_numpy()
        top5 = c.groupby("renja_ref")["target_kode"].apply(set).reindex(v["row_ref"]).to_numpy()
        v = v.assign(
            pred=top1,
            ok1=top1 == v["kode_benar"].to_numpy(),
            ok5=[k in s if isinstance(s, set) else False for k, s in zip(v["kode_benar"], top5, strict=True)],
        )
        v["same"] = indistinguishable(v, sub)
        frames.append(v)
    v = pd.concat(frames, ignore_index=True)
    kind = v["damage"].str.extract(r"kode:(\w+)")[0]
    changed = kind != "exact"
    return {
        "top1_changed": round(float(v.loc[changed, "ok1"].mean()), 4),
        "top1_unchanged": round(float(v.loc[~changed, "ok1"].mean()), 4),
        "top1": round(float(v["ok1"].mean()), 4),
        "top5": round(float(v["ok5"].mean()), 4),
        "top1_indistinguishable": round(float((v["ok1"] | v["same"]).mean()), 4),
        # changed rows whose pick is the truth or an item of the same name and kegiatan
        "top1_changed_indistinguishable": round(float((v["ok1"] | v["same"])[changed].mean()), 4),
        "by_code_damage": {k: round(float(x), 4) for k, x in v.groupby(kind)["ok1"].mean().items()},
        "items": len(v),
        "seconds": round(time.perf_counter() - t, 2),
    }


def indistinguishable(rows: pd.DataFrame, sub: pd.DataFrame) -> list[bool]:
    """Per row: its pick (`pred`) and its truth (`kode_benar`) differ in nothing the row
    carries. Both have the same sub kegiatan name; when the row names its kegiatan, the
    same kegiatan name; when its code is a kegiatan code, the same kegiatan code. A row
    whose code goes down to the sub kegiatan is never indistinguishable: the code tells."""

    def folded(values: pd.Series) -> list[str | None]:
        return [(clean_text(v) or "").lower() or None for v in values]

    codes = sub["kode_sub_kegiatan"]
    name = dict(zip(codes, folded(sub["nama_sub_kegiatan"]), strict=True))
    parent_name = dict(zip(codes, folded(sub["nama_kegiatan"]), strict=True))
    parent_code = dict(zip(codes, sub["kode_kegiatan"], strict=True))
    out = []
    for r in rows.itertuples(index=False):
        p, k, level = r.pred, r.kode_benar, code_level(code_key(r.kode_raw))
        same = isinstance(p, str) and name.get(p) == name.get(k)
        if same and text_or_none(r.kegiatan_nama):
            same = parent_name.get(p) == parent_name.get(k)
        if same and level == "kegiatan":
            same = parent_code.get(p) == parent_code.get(k)
        out.append(bool(same) and level != "sub_kegiatan")
    return out


# --- (a) the generated sample's ground truth -----------------------------------------------


def evaluate_sample(con, truth_dir: Path) -> dict:
    """Compare the match tables of the warehouse behind `con` with the sample's truth."""
    out: dict = {}
    rr_path, ur_path = truth_dir / "renja_rkpd.csv", truth_dir / "usulan_renja.csv"
    if rr_path.exists():
        t = pd.read_csv(rr_path, dtype=str, keep_default_na=False)
        a = con.execute(
            "select renja_ref, rkpd_ref, status, kode_saran, kode_rkpd from match.renja_alignment"
        ).df()
        a = a[a["renja_ref"].isin(set(t["renja_ref"]))]
        truth = {
            (r, k)
            for r, k, s in zip(t["renja_ref"], t["rkpd_ref"], t["status"], strict=True)
            if s in ("selaras", "selaras_nama") and k
        }
        ok = a[a["status"].isin(["selaras", "selaras_nama"])]
        m = link_metrics(set(zip(ok["renja_ref"], ok["rkpd_ref"], strict=True)), truth)
        st = t.set_index("renja_ref")["status"]
        got = a.set_index("renja_ref")["status"].reindex(st.index).fillna("tidak_selaras")
        m["status_accuracy"] = round(float((got == st).mean()), 4)
        m["perlu_review"] = int((got == "perlu_review").sum())
        m["rows"] = len(t)
        m["rows_matched"] = int(len(a))
        out["renja_rkpd"] = m
    if ur_path.exists():
        t = pd.read_csv(ur_path, dtype=str, keep_default_na=False)
        cols = set(warehouse.table_columns(con, "match", "usulan_accommodation"))
        method = "method" if "method" in cols else "'skor' as method"
        a = con.execute(
            f"select usulan_ref, status, renja_refs, score, {method} from match.usulan_accommodation"  # noqa: S608
        ).df()
        a = a[a["usulan_ref"].isin(set(t["usulan_ref"]))]
        truth = _links(t[t["status"] == "terakomodir"], "usulan_ref", "renja_refs")
        m = link_metrics(_links(a[a["status"] == "terakomodir"], "usulan_ref", "renja_refs"), truth)
        st = t.set_index("usulan_ref")["status"]
        got = a.set_index("usulan_ref")["status"].reindex(st.index).fillna("tidak_terakomodir")
        m["status_accuracy"] = round(float((got == st).mean()), 4)
        m["perlu_review"] = int((got == "perlu_review").sum())
        m["rows"] = len(t)
        m["decisions"], m["truth"] = a.assign(score=a["score"].fillna(0.0)), truth
        out["usulan_renja"] = m
    return out


def sample_set(con, settings, truth_dir: Path) -> LinkSet | None:
    """The generated sample as a labelled set to match again (for the leave-one-set-out
    weights): the warehouse's clean rows, the run's OPD resolver, the Renja rows with the
    official names the run gave them, and the truth's accepted links."""
    from selaras.kamus.opd import build_resolver, load_aliases
    from selaras.match.stage import load_inputs, with_official_names

    path = truth_dir / "usulan_renja.csv"
    if not path.exists():
        return None
    inputs = load_inputs(con, settings.tahun)
    if inputs["usulan"].empty or inputs["renja"].empty:
        return None
    resolver = build_resolver(inputs, load_aliases(settings.raw_dir)[0])
    # the alignment the run stored (what its proposal match read the official names from)
    align = con.execute(
        "select renja_ref, status, nama_rkpd, nama_nomenklatur from match.renja_alignment"
    ).df()
    t = pd.read_csv(path, dtype=str, keep_default_na=False)
    return LinkSet(
        "sampel",
        "sampel (Banten, dibangkitkan)",
        "usulan->Renja",
        "generated truth",
        inputs["usulan"],
        with_official_names(inputs["renja"], align),
        _links(t[t["status"] == "terakomodir"], "usulan_ref", "renja_refs"),
        Gazetteer.from_frame(inputs["wilayah"]),
        resolver=resolver,
    )


def loso_weights(sets: list[LinkSet], config: UsulanConfig) -> dict[str, dict]:
    """Each set matched again with m fitted on the other sets of its group (evaluate.loso)."""
    by_name = {s.name: s for s in sets}
    counts = set_counts(sets, config.model)
    out = {}
    for name, (cfg, trained_on) in loso_configs(sets, config, counts).items():
        m = run_link_set(by_name[name], cfg)
        out[name] = {k: m[k] for k in ("precision", "recall", "f1", "top1", "top5")} | {
            "trained_on": trained_on,
            "unseen": unseen_levels(counts[name], [counts[t] for t in trained_on]),
        }
    return out


def _fmt(v: object) -> str:
    return f"{v:.3f}" if isinstance(v, float | int) and not isinstance(v, bool) else ""


# --- CLI -------------------------------------------------------------------------------------


def shared_data_dir() -> Path | None:
    """The real reference data: SELARAS_SHARED_DATA, else ../shared/data beside the
    checkout or the working folder; None when absent."""
    env = os.environ.get("SELARAS_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates += [
        Path(__file__).resolve().parents[2].parent / "shared" / "data",
        Path.cwd().parent / "shared" / "data",
    ]
    return next((p for p in candidates if p.is_dir()), None)


def sukabumi_set(shared: Path) -> LinkSet | None:
    path = shared / SUKABUMI_FILE
    if not path.exists():
        return None
    usulan, renja, gaz, truth = sukabumi_frames(path)
    return LinkSet(
        "sukabumi", "Kab. Sukabumi", "desa->kecamatan", "usulan_asal_id (real)", usulan, renja, truth, gaz
    )


def run_link_set(ls: LinkSet, config: UsulanConfig) -> dict:
    """P / R / F1 of the accepted links, top-1 / top-5 of the candidate lists, and the
    per-proposal decisions to refit the threshold on (`decisions`)."""
    t = time.perf_counter()
    acc, cands = match_usulan(ls.usulan, ls.renja, ls.gazetteer, config, ls.resolver)
    seconds = time.perf_counter() - t
    out = link_metrics(_links(acc[acc["status"] == "terakomodir"], "usulan_ref", "renja_refs"), ls.truth)
    true_rows: dict[str, set[str]] = {}
    for a, b in ls.truth:
        true_rows.setdefault(a, set()).add(b)
    ranked = cands.groupby("usulan_ref")["renja_ref"].apply(list).to_dict()
    hits = [[r in rows for r in ranked.get(q, [])] for q, rows in true_rows.items()]
    out["top1"] = round(float(np.mean([bool(h[:1]) and h[0] for h in hits])), 4) if hits else None
    out["top5"] = round(float(np.mean([any(h[:5]) for h in hits])), 4) if hits else None
    out["n"], out["seconds"] = len(ls.usulan), round(seconds, 2)
    out["exact"] = int((acc.get("method") == "exact").sum()) if "method" in acc else 0
    out["decisions"] = acc[["usulan_ref", "status", "renja_refs", "score", "method"]]
    out["cut"] = acc.attrs.get("cut")
    return out


def links_at(decisions: pd.DataFrame, threshold: float) -> set[tuple[str, str]]:
    """The links a run would accept at another `terakomodir` cut point: exact decisions
    always, scored ones (accepted or sent to review) when their score reaches it."""
    d = decisions
    keep = (d["method"] == "exact") | (
        d["status"].isin(["terakomodir", "perlu_review"]) & (d["score"] >= threshold)
    )
    return _links(d[keep], "usulan_ref", "renja_refs")


THRESHOLD_GRID = tuple(float(x) for x in np.arange(30.0, 95.0, 2.5))


def leave_one_set_out(
    results: dict[str, dict], truths: dict[str, set], groups: dict[str, str] | None = None
) -> dict[str, dict]:
    """For every link set: the `terakomodir` cut point that maximises the mean F1 of the
    OTHER sets of its task group (proposal -> Renja, or free text -> kegiatan; all other
    sets when its group has no other), and the held-out set's P / R / F1 at that point."""
    out: dict[str, dict] = {}
    groups = groups or {}
    names = [n for n in results if "decisions" in results[n]]
    for held in names:
        others = [n for n in names if n != held and groups.get(n) == groups.get(held)]
        others = others or [n for n in names if n != held]
        if not others:
            continue

        def mean_f1(t: float, others=others) -> float:
            return float(
                np.mean([link_metrics(links_at(results[o]["decisions"], t), truths[o])["f1"] for o in others])
            )

        best = max(THRESHOLD_GRID, key=lambda t: (mean_f1(t), -abs(t - 60.0)))
        m = link_metrics(links_at(results[held]["decisions"], best), truths[held])
        out[held] = {"threshold": best, **{k: m[k] for k in ("precision", "recall", "f1")}}
    return out


def run_code_set(cs: CodeSet, config: RenjaConfig) -> dict:
    """Top-1 / top-5 of the suggested nomenclature code."""
    t = time.perf_counter()
    if cs.jenis_pemda:
        config = replace(config, jenis_pemda=cs.jenis_pemda)  # a fact of the set, as Settings would say
    _, cands = match_renja(cs.rows.drop(columns=["kode_benar", "damage"]), None, cs.nomen, config)
    c = cands[cands["target_type"] == "nomenklatur"]
    top1 = c[c["rank"] == 1].set_index("renja_ref")["target_kode"].reindex(cs.rows["row_ref"]).to_numpy()
    top5 = c.groupby("renja_ref")["target_kode"].apply(set).reindex(cs.rows["row_ref"]).to_numpy()
    ok1 = top1 == cs.rows["kode_benar"].to_numpy()
    ok5 = np.array(
        [k in s if isinstance(s, set) else False for k, s in zip(cs.rows["kode_benar"], top5, strict=True)]
    )
    return {
        "top1": round(float(ok1.mean()), 4),
        "top5": round(float(ok5.mean()), 4),
        "n": len(cs.rows),
        "seconds": round(time.perf_counter() - t, 2),
    }


def evaluate_sets(
    settings, shared: Path | None, sample: dict | None = None, sample_links: LinkSet | None = None
) -> list[dict]:
    """Every labelled set that has its data here: one row of figures per set (the
    leave-one-set-out figures on link sets), in a fixed order. `sample`: the generated
    sample's usulan -> Renja figures (evaluate_sample), a proposal -> Renja set too;
    `sample_links`: the same set to match again with weights fitted elsewhere."""
    ucfg, rcfg = UsulanConfig.from_settings(settings), RenjaConfig.from_settings(settings)
    builders = (sukabumi_set, malang_set, sukabumi_kamus_set, pengadaan_set) if shared is not None else ()
    link_sets = [s for s in (b(shared) for b in builders) if s is not None]
    results = {ls.name: run_link_set(ls, ucfg) for ls in link_sets}
    truths = {ls.name: ls.truth for ls in link_sets}
    groups = {ls.name: ls.group for ls in link_sets}
    if sample is not None:
        results["sampel"], truths["sampel"], groups["sampel"] = sample, sample["truth"], "akomodasi"
    loso = leave_one_set_out(results, truths, groups)
    loso_m = loso_weights(link_sets + ([sample_links] if sample_links is not None else []), ucfg)
    rows = []
    if sample is not None:
        rows.append(
            {
                "set": "sampel",
                "region": "sampel (Banten, dibangkitkan)",
                "task": "usulan->Renja",
                "label": "generated truth",
                **{k: sample[k] for k in ("precision", "recall", "f1")},
                "n": sample["rows"],
                "seconds": 0.0,
                "loso": loso.get("sampel"),
                "loso_m": loso_m.get("sampel"),
                "group": "akomodasi",
                "fixed_cut": ucfg.terakomodir_min is not None,
            }
        )
    if shared is None:
        return rows
    for ls in link_sets:
        m = results[ls.name]
        rows.append(
            {
                "set": ls.name,
                "region": ls.region,
                "task": ls.kind,
                "label": ls.label,
                **{
                    k: m[k]
                    for k in ("precision", "recall", "f1", "top1", "top5", "n", "seconds", "exact", "cut")
                },
                "loso": loso.get(ls.name),
                "loso_m": loso_m.get(ls.name),
                "group": ls.group,
                "fixed_cut": ucfg.terakomodir_min is not None,
            }
        )
    cs = pasangkayu_set(shared)
    if cs is not None:
        rows.append(
            {
                "set": cs.name,
                "region": cs.region,
                "task": cs.kind,
                "label": cs.label,
                **run_code_set(cs, rcfg),
            }
        )
    if (shared / NOMEN_SUB_FILE).exists():
        m = evaluate_nomenclature(shared, config=rcfg)
        rows.append(
            {
                "set": "nomenklatur",
                "region": "nomenklatur 2027",
                "task": "varian/kode lama->kode",
                "label": "damaged real item (mechanical)",
                "top1": m["top1"],
                "top5": m["top5"],
                "n": m["items"],
                "seconds": m["seconds"],
                "top1_changed": m["top1_changed"],
                "top1_unchanged": m["top1_unchanged"],
                "top1_changed_indistinguishable": m["top1_changed_indistinguishable"],
            }
        )
    return rows


def worst_set(rows: list[dict], group: str | None = None) -> dict | None:
    """The link set of `group` (all when None) with the lowest figure that nothing was
    fitted on: F1 for proposal -> Renja sets (at the run's own cut point, or the
    leave-one-set-out cut when a fixed cut is set), top-1 for free-text sets."""
    scored = [r for r in rows if r.get("f1") is not None and group in (None, r.get("group"))]
    if not scored:
        return None
    return min(scored, key=lambda r: _headline(r)[1])


def _headline(row: dict) -> tuple[str, float]:
    """The figure nothing was fitted on: with m fitted on the other sets (loso_m) when the
    set has a sibling, and at the leave-one-set-out cut when a fixed cut is set."""
    fitted = row.get("loso_m")
    if row.get("group") == "teks":
        return ("top-1 leave-one-set-out", fitted["top1"]) if fitted else ("top-1", row["top1"])
    if row.get("fixed_cut"):
        return "F1 leave-one-set-out (cut)", (row.get("loso") or {}).get("f1", row["f1"])
    return ("F1 leave-one-set-out", fitted["f1"]) if fitted else ("F1", row["f1"])


def evaluate_all(settings, truth_dir: Path | None = None, shared: Path | None = None) -> dict:
    """Every yardstick that has its data here, as one dict of metrics dicts."""
    import duckdb

    out: dict = {}
    sample_links = None
    truth_dir = truth_dir or settings.data_dir / "truth"
    if truth_dir.is_dir() and settings.private_db.exists():
        con = duckdb.connect(str(settings.private_db), read_only=True)
        try:
            out["sample"] = evaluate_sample(con, truth_dir)
            sample_links = sample_set(con, settings, truth_dir)
        finally:
            con.close()
    shared = shared or shared_data_dir()
    sample = out.get("sample", {}).get("usulan_renja")
    if shared is not None or sample is not None:
        out["sets"] = evaluate_sets(settings, shared, sample, sample_links)
    return out


def evaluate_cli(settings, truth_dir: Path | None) -> int:
    """`selaras evaluate`: print the figures as a Rich table (notes below it). Returns 1
    when nothing could be measured, else 0."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    results = evaluate_all(settings, truth_dir)
    if not results:
        console.print(
            "[yellow]Tidak ada data berlabel: jalankan `selaras run --sample` dulu, atau sediakan "
            "../shared/data (no labelled data found).[/yellow]"
        )
        return 1
    table = Table(title="Evaluasi pencocokan (matcher evaluation)")
    cols = (
        "data",
        "tugas",
        "P",
        "R",
        "F1",
        "top-1",
        "top-5",
        "P loso",
        "F1 loso",
        "top-1 loso",
        "top-5 loso",
        "n",
    )
    for col in cols:
        table.add_column(col, no_wrap=True)
    notes = []
    sample = results.get("sample", {})
    for task, label in (("renja_rkpd", "Renja->RKPD"),):
        m = sample.get(task)
        if m:
            table.add_row(
                "sampel",
                label,
                f"{m['precision']:.3f}",
                f"{m['recall']:.3f}",
                f"{m['f1']:.3f}",
                *[""] * 6,
                str(m["rows"]),
            )
            notes.append(
                f"sampel {label}: status benar {m['status_accuracy']:.3f}, perlu_review {m['perlu_review']}"
            )
    for r in results.get("sets", []):
        table.add_row(
            r["set"],
            r["task"],
            *(_fmt(r.get(k)) for k in ("precision", "recall", "f1", "top1", "top5")),
            *(_fmt((r.get("loso_m") or {}).get(k)) for k in ("precision", "f1", "top1", "top5")),
            str(r["n"]),
        )
        extra = (
            f"; kode berubah {r['top1_changed']:.3f} ({r['top1_changed_indistinguishable']:.3f} bila pilihan "
            f"bernama dan berkegiatan sama dengan yang benar dihitung benar), kode tetap {r['top1_unchanged']:.3f}"
            if "top1_changed" in r
            else ""
        )
        cut = f"; ambang run {r['cut'].value:.1f} ({r['cut'].source})" if r.get("cut") else ""
        if r.get("loso"):
            cut += f"; ambang tetap terbaik di himpunan lain {r['loso']['threshold']:.1f}: F1 {r['loso']['f1']:.3f}"
        if r.get("loso_m"):
            cut += f"; bobot m loso dari {', '.join(r['loso_m']['trained_on'])}"
            unseen = r["loso_m"].get("unseen")
            if unseen:
                cut += "; level tautan benar yang jarang di himpunan latih: " + ", ".join(
                    f"{f}={lv} ({h:.0%} vs {t:.1%})" for f, lv, h, t in unseen[:4]
                )
        notes.append(f"{r['set']} ({r['region']}): label {r['label']}; {r['seconds']} s{cut}{extra}")
    notes.append(
        "P/R/F1: pada ambang run itu sendiri (dari sebaran skornya; tidak dicocokkan pada himpunan mana pun) "
        "kecuali SELARAS_USULAN_TERAKOMODIR_MIN diisi, dengan bobot weights.yaml (m-nya diestimasi pada sampel "
        "dan Sukabumi); kolom loso (leave-one-set-out): m diestimasi hanya dari tautan benar himpunan lain "
        "dengan tugas yang sama, lalu himpunan ini dicocokkan ulang (evaluate.loso)."
    )
    for group, label in (("akomodasi", "usulan->Renja"), ("teks", "teks bebas->kegiatan")):
        worst = worst_set(results.get("sets", []), group)
        if worst is not None:
            metric, value = _headline(worst)
            notes.append(f"himpunan terburuk {label} (worst set): {worst['set']} {metric} {value:.3f}")
    console.print(table)
    for n in notes:
        console.print(f"  {n}")
    return 0
