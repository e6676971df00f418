"""Benchmark of the matcher against honest brute force, as ratios measured in one run.

    python bench/bench_match.py                       # 100,000 proposals, 10,000 Renja rows, 7,000 items
    python bench/bench_match.py --proposals 3000 --renja 600 --nomen 500 --brute 2000   # a quick look

Data is generated (seeded): a region of kecamatan and desa (same-named villages included),
agencies, Renja rows named after nomenclature items, and proposals written about those rows
(abbreviations, typos, kampung / RT, other volumes) or about nothing in the Renja. With
../shared/data present the real 2027 nomenclature names are used.

Brute force is `rapidfuzz.process.cdist` with the pipeline's own text scorer for names
(token_set_ratio and token_sort_ratio, mixed as match.usulan does; token_sort_ratio for
Renja -> nomenclature), `workers=-1`, every proposal of a sample of at least 2,000 against
every Renja row (chunked), timed and scaled to all proposals: a real measurement on
2,000+ rows, not a handful. Candidate recall = share of the sampled proposals for which a
kept candidate scores brute force's best name score among the rows the proposal may match
(its own OPD's rows, every row when its OPD is unresolved: a different OPD never matches).
The target's figure is over the proposals whose brute-force best is their true row; it is
also printed over all sampled proposals, over those written about a Renja row, and against
brute force's best over every row, other OPDs included.
Peak memory is the process's maximum resident size after the pipeline ran.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from selaras.evaluate.measure import NOMEN_SUB_FILE, nomenclature_frame, shared_data_dir  # noqa: E402
from selaras.kamus.names import default_normalizer  # noqa: E402
from selaras.kamus.opd import OpdResolver  # noqa: E402
from selaras.match.location import Gazetteer  # noqa: E402
from selaras.match.renja import RenjaConfig, match_renja, nomenklatur_targets  # noqa: E402
from selaras.match.stage import local_map  # noqa: E402
from selaras.match.usulan import UsulanConfig, match_usulan  # noqa: E402
from selaras.settings import Settings  # noqa: E402

OPD_NAMES = [
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Dinas Kesehatan",
    "Dinas Pendidikan",
    "Dinas Sosial",
    "Dinas Perhubungan",
    "Dinas Pertanian",
    "Dinas Pemberdayaan Masyarakat dan Desa",
    "Dinas Lingkungan Hidup",
    "Dinas Perumahan dan Kawasan Permukiman",
    "Dinas Koperasi dan Usaha Mikro",
    "Dinas Pariwisata",
    "Dinas Kelautan dan Perikanan",
    "Dinas Ketahanan Pangan",
    "Dinas Tenaga Kerja",
    "Dinas Perindustrian",
    "Dinas Pemuda dan Olahraga",
    "Badan Penanggulangan Bencana Daerah",
    "Dinas Komunikasi dan Informatika",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Dinas Perpustakaan dan Kearsipan",
]
WORKS = [
    "Pembangunan",
    "Rehabilitasi",
    "Pemeliharaan",
    "Pengadaan",
    "Pelatihan",
    "Peningkatan",
    "Penyediaan",
    "Pembinaan",
    "Sosialisasi",
    "Fasilitasi",
]
OBJECTS = [
    "Jalan Lingkungan",
    "Talud",
    "Drainase",
    "Jembatan",
    "Penerangan Jalan Umum",
    "MCK",
    "Posyandu",
    "Gedung PAUD",
    "Sumur Bor",
    "Irigasi Desa",
    "Jalan Usaha Tani",
    "Balai Desa",
    "Rumah Tidak Layak Huni",
    "Kader PKK",
    "Kelompok Tani",
    "Pasar Desa",
    "Tempat Pembuangan Sampah",
    "Ruang Kelas",
    "Puskesmas Pembantu",
    "Lapangan Olahraga",
    "Halte",
    "Rambu Lalu Lintas",
    "BUMDes",
    "Teknologi Tepat Guna",
    "Alat Kesehatan",
]
SYL = [
    "ci",
    "su",
    "ka",
    "ma",
    "ja",
    "ra",
    "sa",
    "ba",
    "ta",
    "nang",
    "gung",
    "mulya",
    "sari",
    "jaya",
    "rejo",
    "mekar",
    "wangi",
    "asih",
    "tegal",
    "pasir",
    "karang",
    "bojong",
    "cikal",
    "lebak",
    "legok",
    "ranca",
]


def _name(rng: random.Random, parts: int = 2) -> str:
    return "".join(rng.choice(SYL) for _ in range(parts)).capitalize()


def make_region(rng: random.Random, n_kec: int, desa_per_kec: int) -> pd.DataFrame:
    rows, shared = [], [_name(rng) for _ in range(max(3, desa_per_kec // 3))]
    for k in range(n_kec):
        kc = f"36.90.{k + 1:02d}"
        rows.append((kc, "kecamatan", _name(rng, 3), "36.90"))
        for d in range(desa_per_kec):
            nama = rng.choice(shared) if rng.random() < 0.1 else _name(rng, rng.choice([2, 3]))
            rows.append((f"{kc}.{2001 + d}", "desa", nama, kc))
    return pd.DataFrame(rows, columns=["kode", "level", "nama", "kode_induk"])


def make_nomenclature(rng: random.Random, n: int, shared: Path | None) -> pd.DataFrame:
    if shared is not None and (shared / NOMEN_SUB_FILE).exists():
        nomen, _ = nomenclature_frame(shared)
        return nomen
    rows = []
    for i in range(n):
        b, p, kg = 1 + i // 700, 2 + (i // 70) % 10, 1 + (i // 7) % 10
        kode = f"1.{b:02d}.{p:02d}.2.{kg:02d}.{i % 7 + 1:04d}"
        nama = f"{rng.choice(WORKS)} {rng.choice(OBJECTS)} {_name(rng)}"
        rows.append((kode, nama, kode.rsplit(".", 1)[0], "KABKOT"))
    nomen = pd.DataFrame(rows, columns=["kode", "nama", "kode_induk", "jenis_pemda"])
    nomen["row_ref"] = nomen["kode"]
    return nomen


def damage(text: str, rng: random.Random) -> str:
    words = text.split()
    r = rng.random()
    if r < 0.2 and len(words) > 2:
        del words[rng.randrange(1, len(words))]
    elif r < 0.4:
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 4:
            j = rng.randrange(1, len(w) - 1)
            words[i] = w[:j] + w[j + 1 :]
    elif r < 0.55:
        return " ".join(words).upper()
    s = " ".join(words)
    return s.replace("Pembangunan", "Pemb.").replace("Rehabilitasi", "Rehab") if rng.random() < 0.3 else s


def make_renja(
    rng: random.Random, n: int, wil: pd.DataFrame, nomen: pd.DataFrame, n_opd: int
) -> pd.DataFrame:
    subs = nomen[nomen["kode"].str.count(r"\.") == 5].drop_duplicates("kode")
    opds = (OPD_NAMES * (1 + n_opd // len(OPD_NAMES)))[:n_opd]
    opds = [o if i < len(OPD_NAMES) else f"{o} Wilayah {i // len(OPD_NAMES)}" for i, o in enumerate(opds)]
    desa = wil[wil["level"] == "desa"]
    kec_name = dict(zip(wil["kode"], wil["nama"], strict=True))
    pools = {o: subs.sample(min(40, len(subs)), random_state=rng.randrange(10**9)) for o in opds}
    rows = []
    for i in range(n):
        o = opds[i % len(opds)]
        it = pools[o].iloc[rng.randrange(len(pools[o]))]
        d = desa.iloc[rng.randrange(len(desa))]
        obj = rng.choice(OBJECTS)
        rows.append(
            {
                "row_ref": f"renja/bench_{i // 500}.xlsx:Renja:{i % 500 + 5}",
                "opd": o,
                "kode": it["kode"],
                "nama": it["nama"],
                "indikator": f"Jumlah {obj} yang dibangun",
                "lokasi": f"Ds. {d['nama']} Kec. {kec_name[d['kode_induk']]}",
                "target": rng.randint(1, 50) * 10,
                "satuan": rng.choice(["Meter", "Unit", "Titik", "Orang"]),
                "pagu": rng.randint(10, 500) * 1e6,
                "_obj": obj,
            }
        )
    return pd.DataFrame(rows)


def make_usulan(rng: random.Random, n: int, renja: pd.DataFrame, wil: pd.DataFrame) -> pd.DataFrame:
    desa = wil[wil["level"] == "desa"]
    kec_name = dict(zip(wil["kode"], wil["nama"], strict=True))
    opds = renja["opd"].unique().tolist()
    rows = []
    for i in range(n):
        about = rng.random() < 0.6
        if about:  # about a Renja row: its kegiatan (as written by citizens) at its desa
            r = renja.iloc[rng.randrange(len(renja))]
            work = r["nama"].split()[0]
            text = damage(f"{r['nama']}", rng) if rng.random() < 0.5 else f"{work} {r['_obj']}"
            lok = r["lokasi"]
            kec = lok.split("Kec. ")[-1]
            ds = lok.split("Ds. ")[1].split(" Kec.")[0]
            opd, unit, vol = r["opd"], r["satuan"], max(1, int(r["target"] * rng.uniform(0.2, 1.0)))
            truth = r["row_ref"]
        else:
            d = desa.iloc[rng.randrange(len(desa))]
            text = f"{rng.choice(WORKS)} {rng.choice(OBJECTS)}"
            kec, ds, opd = kec_name[d["kode_induk"]], d["nama"], rng.choice(opds)
            unit, vol = rng.choice(["m", "unit", "titik"]), rng.randint(1, 30) * 5
            truth = None
        rows.append(
            {
                "row_ref": f"musrenbang/bench_{i // 5000}.xlsx:Usulan:{i % 5000 + 5}",
                "channel": "musrenbang",
                "usulan": text,
                "uraian": f"warga Kp. {_name(rng)} butuh {text.lower()}",
                "lokasi": f"Kp. {_name(rng)} RT {rng.randint(1, 12):02d} RW {rng.randint(1, 9):02d}",
                "kecamatan": kec,
                "desa": ds,
                "volume": vol,
                "satuan": unit,
                "_about": about,
                "_truth": truth,
                "anggaran": rng.randint(5, 200) * 1e6,
                "opd_tujuan": opd
                if rng.random() < 0.7
                else "".join(w[0] for w in opd.split() if w[0].isupper()),
            }
        )
    return pd.DataFrame(rows)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def name_similarity(q: list[str], targets: list[str], t_words: np.ndarray) -> np.ndarray:
    """The pipeline's name similarity (match.usulan._name_similarity: token_set and
    token_sort mixed, token_sort alone for one-word names) of queries x all targets, by
    `cdist` with workers=-1 (dense: call it on chunks of queries)."""
    ts = process.cdist(q, targets, scorer=fuzz.token_set_ratio, dtype=np.uint8, workers=-1)
    tso = process.cdist(q, targets, scorer=fuzz.token_sort_ratio, dtype=np.uint8, workers=-1)
    short = np.minimum(np.array([len(x.split()) for x in q])[:, None], t_words[None, :]) < 2
    return np.where(short, tso, 0.5 * ts.astype(np.float32) + 0.5 * tso)


def brute_hits(
    queries: list[str],
    targets: list[str],
    kept: list[np.ndarray],
    allowed: np.ndarray,
    truth: np.ndarray,
    chunk: int = 500,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each query: is one of its kept candidates (target positions) a brute-force best,
    i.e. scores the query's maximum (rows tied at the best text score are equally best)?
    Returned twice: against the best of every row, and against the best of the rows the
    query may match (`allowed`, queries x targets: its own OPD's rows, every row when its
    OPD is unresolved; a different OPD never matches, issue 12). Third: is the query's true
    row (position in `truth`, -1 for none) among those brute-force bests?"""
    t_words = np.array([len(t.split()) for t in targets])
    hit_any = np.zeros(len(queries), dtype=bool)
    hit_allowed = np.zeros(len(queries), dtype=bool)
    truth_best = np.zeros(len(queries), dtype=bool)
    for start in range(0, len(queries), chunk):
        sim = name_similarity(queries[start : start + chunk], targets, t_words)
        best_any = sim.max(axis=1)
        best_allowed = np.where(allowed[start : start + chunk], sim, -1).max(axis=1)
        for k in range(len(sim)):
            cand = kept[start + k]
            top = sim[k, cand].max() if len(cand) else -1
            hit_any[start + k] = top >= best_any[k]
            hit_allowed[start + k] = top >= best_allowed[k]
            t = truth[start + k]
            truth_best[start + k] = t >= 0 and sim[k, t] >= best_allowed[k]
    return hit_any, hit_allowed, truth_best


def generate(args: argparse.Namespace) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = random.Random(args.seed)
    t = time.perf_counter()
    wil = make_region(rng, n_kec=40, desa_per_kec=max(5, args.renja // 400))
    nomen = make_nomenclature(rng, args.nomen, None if args.synthetic_nomenclature else shared_data_dir())
    renja = make_renja(rng, args.renja, wil, nomen, args.opd)
    usulan = make_usulan(rng, args.proposals, renja, wil)
    print(
        f"data: {len(usulan):,} proposals, {len(renja):,} Renja rows, {len(nomenklatur_targets(nomen)):,} "
        f"nomenclature items, {(wil['level'] == 'desa').sum():,} desa (generated in {time.perf_counter() - t:.1f} s)"
    )
    return wil, nomen, renja, usulan


def run_pipeline(wil, nomen, renja, usulan) -> dict:
    gaz = Gazetteer.from_frame(wil)
    resolver = OpdResolver(renja["opd"].unique())
    t0 = time.perf_counter()
    # the partitions run where the match stage runs them (this process and the worker
    # processes, started here as in the stage so that their imports overlap the Renja match)
    map_fn, _ = local_map(len(usulan), Settings().parallel_min_rows)
    _, renja_cands = match_renja(renja.drop(columns="_obj"), None, nomen, RenjaConfig(), resolver)
    t1 = time.perf_counter()
    _, usulan_cands = match_usulan(
        usulan.drop(columns=["_about", "_truth"]),
        renja.drop(columns="_obj"),
        gaz,
        UsulanConfig(),
        resolver,
        map_fn=map_fn,
    )
    t2 = time.perf_counter()
    out = {"renja_s": t1 - t0, "usulan_s": t2 - t1, "peak_mib": peak_mib()}
    out["renja_cands"], out["usulan_cands"], out["resolver"] = renja_cands, usulan_cands, resolver
    print(
        f"pipeline: Renja->nomenclature {out['renja_s']:.1f} s, proposals->Renja {out['usulan_s']:.1f} s, "
        f"peak memory {out['peak_mib']:,.0f} MiB"
    )
    return out


def allowed_rows(u_s: pd.DataFrame, renja: pd.DataFrame, resolver: OpdResolver) -> np.ndarray:
    """Sampled proposals x Renja rows: may the proposal match the row? Its own OPD's rows,
    or every row when its OPD does not resolve (as match.usulan partitions)."""
    r_opd = renja["opd"].map(resolver.resolve).fillna("").to_numpy(dtype=object)
    u_opd = u_s["opd_tujuan"].map(resolver.resolve).fillna("").to_numpy(dtype=object)
    return (u_opd[:, None] == r_opd[None, :]) | (u_opd == "")[:, None]


def brute_usulan(
    usulan: pd.DataFrame, renja: pd.DataFrame, n: int, seed: int, kept: pd.DataFrame, resolver: OpdResolver
) -> dict:
    """Proposals -> Renja by brute force on a random sample of n proposals (>= 2,000)."""
    norm = default_normalizer()
    srng = np.random.default_rng(seed)
    sample = np.sort(srng.choice(len(usulan), size=min(n, len(usulan)), replace=False))
    u_s = usulan.iloc[sample].reset_index(drop=True)
    r_names = [norm.normalize(x) for x in renja["nama"]]
    position = pd.Series(np.arange(len(renja)), index=renja["row_ref"])
    pool = kept.groupby("usulan_ref")["renja_ref"].apply(list)
    cands = [position.reindex(pool.get(r, [])).dropna().to_numpy(np.int64) for r in u_s["row_ref"]]
    queries = [norm.normalize(x) for x in u_s["usulan"]]
    tb = time.perf_counter()
    allowed = allowed_rows(u_s, renja, resolver)
    truth = position.reindex(u_s["_truth"]).fillna(-1).to_numpy(np.int64)
    hit, hit_allowed, truth_best = brute_hits(queries, r_names, cands, allowed, truth)
    seconds = time.perf_counter() - tb
    truth_hit = np.array(
        [t in set(pool.get(r, [])) for r, t in zip(u_s["row_ref"], u_s["_truth"], strict=True)]
    )
    real = u_s["_about"].to_numpy()
    return {
        "timed_rows": len(u_s),
        "seconds_timed": seconds,
        "seconds": seconds * len(usulan) / len(u_s),
        "recall_all": float(hit.mean()),
        "recall_real": float(hit[real].mean()) if real.any() else float("nan"),
        "allowed_all": float(hit_allowed.mean()),
        "allowed_real": float(hit_allowed[real].mean()) if real.any() else float("nan"),
        "n_truth_best": int(truth_best.sum()),
        "truth_best": float(hit_allowed[truth_best].mean()) if truth_best.any() else float("nan"),
        "n_real": int(real.sum()),
        "truth_recall": float(truth_hit[real].mean()) if real.any() else float("nan"),
    }


def brute_renja(renja: pd.DataFrame, nomen: pd.DataFrame, n: int, seed: int, kept: pd.DataFrame) -> dict:
    """Renja -> nomenclature by brute force (token_sort_ratio, the Renja scorer's text part)."""
    norm = default_normalizer()
    targets = nomenklatur_targets(nomen)
    srng = np.random.default_rng(seed + 1)
    rs = renja.iloc[np.sort(srng.choice(len(renja), size=min(n, len(renja)), replace=False))]
    t_names = [norm.normalize(x) for x in targets["nama"]]
    tb = time.perf_counter()
    best = np.empty(len(rs), dtype=np.int64)
    q_all = [norm.normalize(x) for x in rs["nama"]]
    for start in range(0, len(q_all), 500):
        sim = process.cdist(q_all[start : start + 500], t_names, scorer=fuzz.token_sort_ratio, workers=-1)
        best[start : start + 500] = sim.argmax(axis=1)
    seconds = time.perf_counter() - tb
    nc = kept[kept["target_type"] == "nomenklatur"].groupby("renja_ref")["target_kode"].apply(set)
    codes = targets["kode"].to_numpy()[best]
    hit = np.array([c in nc.get(r, set()) for r, c in zip(rs["row_ref"], codes, strict=True)])
    return {"timed_rows": len(rs), "seconds": seconds * len(renja) / len(rs), "recall": float(hit.mean())}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--proposals", type=int, default=100_000)
    ap.add_argument("--renja", type=int, default=10_000)
    ap.add_argument("--nomen", type=int, default=7_000)
    ap.add_argument("--opd", type=int, default=40)
    ap.add_argument(
        "--brute", type=int, default=2000, help="proposals (and Renja rows) brute force is timed on"
    )
    ap.add_argument("--seed", type=int, default=2027)
    ap.add_argument("--synthetic-nomenclature", action="store_true", help="do not load ../shared/data")
    args = ap.parse_args(argv)
    wil, nomen, renja, usulan = generate(args)
    pipe = run_pipeline(wil, nomen, renja, usulan)
    r_all = renja.drop(columns="_obj").reset_index(drop=True)
    bu = brute_usulan(usulan, r_all, args.brute, args.seed, pipe["usulan_cands"], pipe["resolver"])
    bn = brute_renja(r_all, nomen, args.brute, args.seed, pipe["renja_cands"])
    ratio_u = pipe["usulan_s"] / bu["seconds"]
    print(
        f"proposals->Renja brute force: cdist (pipeline's name scorer, workers=-1) timed on {bu['timed_rows']:,} "
        f"proposals x {len(r_all):,} rows = {bu['seconds_timed']:.1f} s, for all {len(usulan):,}: "
        f"{bu['seconds']:,.1f} s; pipeline / brute force = {ratio_u:.3f} = 1/{1 / ratio_u:,.1f} (target <= 1/50)"
    )
    print(
        f"  candidate recall (a kept candidate scores brute force's best name score among the rows the "
        f"proposal may match: its OPD's, all when unresolved): {bu['truth_best']:.2%} over the "
        f"{bu['n_truth_best']:,} proposals whose brute-force best is their true row (target >= 99.5 %); "
        f"{bu['allowed_all']:.2%} over all {bu['timed_rows']:,} sampled, {bu['allowed_real']:.2%} over the "
        f"{bu['n_real']:,} written about a Renja row (their brute-force best is often another row of the "
        f"same name elsewhere, which the location rightly outranks)"
    )
    print(
        f"  the same against brute force's best over every row, other OPDs included (rows a proposal "
        f"never matches): {bu['recall_all']:.2%} / {bu['recall_real']:.2%}; the true row itself is kept "
        f"for {bu['truth_recall']:.2%} of the real ones"
    )
    ratio_n = pipe["renja_s"] / bn["seconds"]
    print(
        f"Renja->nomenclature brute force: cdist token_sort_ratio workers=-1 timed on {bn['timed_rows']:,} rows, "
        f"for all: {bn['seconds']:,.1f} s; pipeline / brute force = {ratio_n:.3f}; "
        f"recall of brute force's best item {bn['recall']:.2%}"
    )
    total = pipe["renja_s"] + pipe["usulan_s"]
    total_bf = bu["seconds"] + bn["seconds"]
    print(f"overall: pipeline {total:.1f} s vs brute force {total_bf:,.1f} s = 1/{total_bf / total:,.1f}")
    return {
        "ratio_usulan": ratio_u,
        "recall_all": bu["recall_all"],
        "recall_real": bu["recall_real"],
        "allowed_all": bu["allowed_all"],
        "allowed_real": bu["allowed_real"],
        "truth_best": bu["truth_best"],
    }


if __name__ == "__main__":
    main()
