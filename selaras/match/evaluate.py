"""Measure the matcher: precision, recall and F1 of its links, top-1 / top-5 accuracy of
the nomenclature suggestion.

Three yardsticks:
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
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd

from selaras.match.location import Gazetteer
from selaras.match.renja import RenjaConfig, match_renja
from selaras.match.usulan import UsulanConfig, match_usulan
from selaras.sample.variants import nomenclature_variants

SUKABUMI_FILE = "sukabumi_2019_musrenbang_desa_kecamatan.csv"
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


def _first_target(text: object) -> tuple[float | None, str | None]:
    """'Pembangunan PJU: 12 Titik | ...' -> (12.0, 'Titik'): the first item with a value."""
    if not isinstance(text, str):
        return None, None
    for part in text.split("|"):
        m = re.search(r":\s*(-?[\d.,]+)\s*([^|]*)$", part.strip())
        if m:
            try:
                v = float(m.group(1).replace(",", "."))
            except ValueError:
                continue
            if v > 0:
                return v, m.group(2).strip() or None
    return None, None


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
    vt = [_first_target(x) for x in de["target_indikator"]]
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
    vt = [_first_target(x) for x in ke["target_indikator"]]
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
    levels_path = shared / NOMEN_LEVELS_FILE
    if levels_path.exists():
        lv = pd.read_csv(levels_path, dtype=str)
        up = lv[lv["level"] != "sub_kegiatan"][["kode", "nama", "kode_induk", "jenis_pemda"]]
    else:
        up = pd.concat(
            [
                sub[["kode_kegiatan", "nama_kegiatan"]].drop_duplicates().set_axis(["kode", "nama"], axis=1),
                sub[["kode_program", "nama_program"]].drop_duplicates().set_axis(["kode", "nama"], axis=1),
            ]
        )
    nomen = pd.concat([up, rows], ignore_index=True)
    nomen["row_ref"] = [f"nomenklatur:{i}" for i in range(len(nomen))]
    return nomen, sub


def evaluate_nomenclature(
    shared: Path, n: int = 500, seed: int = 2027, config: RenjaConfig | None = None
) -> dict:
    """Top-1 / top-5 accuracy of the suggested code for damaged real items, for a
    kabupaten's and a province's Renja. `top1_indistinguishable` also counts a pick whose
    name and kegiatan name equal the truth's (the 2027 nomenclature repeats whole kegiatan
    under two codes: without a code no reader can tell them apart)."""
    nomen, sub = nomenclature_frame(shared)
    parent = dict(zip(sub["kode_sub_kegiatan"], sub["nama_kegiatan"].str.lower().str.strip(), strict=False))
    name = dict(zip(sub["kode_sub_kegiatan"], sub["nama_sub_kegiatan"].str.lower().str.strip(), strict=False))
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
        v["same"] = [
            bool(p) and name.get(p) == name.get(k) and parent.get(p) == parent.get(k)
            for p, k in zip(v["pred"], v["kode_benar"], strict=True)
        ]
        frames.append(v)
    v = pd.concat(frames, ignore_index=True)
    kind = v["damage"].str.extract(r"kode:(\w+)")[0]
    return {
        "top1": round(float(v["ok1"].mean()), 4),
        "top5": round(float(v["ok5"].mean()), 4),
        "top1_indistinguishable": round(float((v["ok1"] | v["same"]).mean()), 4),
        "by_code_damage": {k: round(float(x), 4) for k, x in v.groupby(kind)["ok1"].mean().items()},
        "items": len(v),
        "seconds": round(time.perf_counter() - t, 2),
    }


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
        a = con.execute("select usulan_ref, status, renja_refs from match.usulan_accommodation").df()
        a = a[a["usulan_ref"].isin(set(t["usulan_ref"]))]
        truth = _links(t[t["status"] == "terakomodir"], "usulan_ref", "renja_refs")
        m = link_metrics(_links(a[a["status"] == "terakomodir"], "usulan_ref", "renja_refs"), truth)
        st = t.set_index("usulan_ref")["status"]
        got = a.set_index("usulan_ref")["status"].reindex(st.index).fillna("tidak_terakomodir")
        m["status_accuracy"] = round(float((got == st).mean()), 4)
        m["perlu_review"] = int((got == "perlu_review").sum())
        m["rows"] = len(t)
        out["usulan_renja"] = m
    return out


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


def evaluate_all(settings, truth_dir: Path | None = None, shared: Path | None = None) -> dict:
    """Every yardstick that has its data here, as one dict of metrics dicts."""
    import duckdb

    out: dict = {}
    truth_dir = truth_dir or settings.data_dir / "truth"
    if truth_dir.is_dir() and settings.private_db.exists():
        con = duckdb.connect(str(settings.private_db), read_only=True)
        try:
            out["sample"] = evaluate_sample(con, truth_dir)
        finally:
            con.close()
    shared = shared or shared_data_dir()
    if shared is not None:
        if (shared / SUKABUMI_FILE).exists():
            out["sukabumi"] = evaluate_sukabumi(shared / SUKABUMI_FILE, UsulanConfig.from_settings(settings))
        if (shared / NOMEN_SUB_FILE).exists():
            out["nomenklatur"] = evaluate_nomenclature(shared, config=RenjaConfig.from_settings(settings))
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
    for col in ("data", "tugas", "P", "R", "F1", "top-1", "top-5", "n"):
        table.add_column(col, no_wrap=True)
    notes = []
    sample = results.get("sample", {})
    for task, label in (("renja_rkpd", "Renja->RKPD"), ("usulan_renja", "usulan->Renja")):
        m = sample.get(task)
        if m:
            table.add_row(
                "sampel",
                label,
                f"{m['precision']:.3f}",
                f"{m['recall']:.3f}",
                f"{m['f1']:.3f}",
                "",
                "",
                str(m["rows"]),
            )
            notes.append(
                f"sampel {label}: status benar {m['status_accuracy']:.3f}, perlu_review {m['perlu_review']}"
            )
    if "sukabumi" in results:
        m = results["sukabumi"]
        table.add_row(
            "Sukabumi",
            "desa->kec",
            f"{m['precision']:.3f}",
            f"{m['recall']:.3f}",
            f"{m['f1']:.3f}",
            "",
            "",
            str(m["proposals"]),
        )
        notes.append(
            f'Sukabumi 2019: "diteruskan atau tidak" F1 {m["carried_forward"]["f1"]:.3f}; '
            f"{m['true']} tautan benar; {m['seconds']} s"
        )
    if "nomenklatur" in results:
        m = results["nomenklatur"]
        table.add_row(
            "nomenklatur", "varian->kode", "", "", "", f"{m['top1']:.3f}", f"{m['top5']:.3f}", str(m["items"])
        )
        notes.append(
            f"nomenklatur 2027: top-1 bila item kembar (nama dan kegiatan sama) dihitung benar "
            f"{m['top1_indistinguishable']:.3f}; per jenis kerusakan kode {m['by_code_damage']}"
        )
    console.print(table)
    for n in notes:
        console.print(f"  {n}")
    return 0
