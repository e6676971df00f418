"""Benchmark of the matcher against brute force, as ratios measured in one run.

    python bench/bench_match.py                       # 100,000 proposals, 10,000 Renja rows, 7,000 items
    python bench/bench_match.py --proposals 2000 --renja 400 --nomen 500 --sample 50   # a quick look

Data is generated (seeded): a region of kecamatan and desa (same-named villages included),
agencies, Renja rows named after nomenclature items, and proposals written about those rows
(abbreviations, typos, kampung / RT, other volumes) or about nothing in the Renja. With
../shared/data present the real 2027 nomenclature names are used.

Baselines, with the pipeline's own scorer on ALL pairs:
- proposals -> Renja: every proposal compared with every Renja row by the same field
  comparisons and weights (compare_pairs) the pipeline uses on its candidates;
- Renja -> nomenclature: every Renja row scored against every item by the same scorer
  (score_candidates with k = all items);
- and plain rapidfuzz `cdist` (token_set_ratio) of the names on all pairs, the cheapest
  brute force there is.
Brute force is timed on a sample of rows and extrapolated linearly (said in the output);
recall = share of sampled rows whose brute-force best match is among the pipeline's
candidates. Peak memory is the process's maximum resident size after the pipeline ran.
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

from selaras.match.evaluate import NOMEN_SUB_FILE, nomenclature_frame, shared_data_dir  # noqa: E402
from selaras.match.features import renja_features, usulan_features  # noqa: E402
from selaras.match.linkage import probability_score  # noqa: E402
from selaras.match.location import Gazetteer  # noqa: E402
from selaras.match.normalize import default_normalizer  # noqa: E402
from selaras.match.opd import OpdResolver  # noqa: E402
from selaras.match.renja import RenjaConfig, match_renja, nomenklatur_targets, score_candidates  # noqa: E402
from selaras.match.usulan import (  # noqa: E402
    FIELDS,
    UsulanConfig,
    build_work_items,
    candidate_pairs,
    compare_pairs,
    match_usulan,
    pair_frame,
    partition_normalizer,
    text_matrices,
)

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
        else:
            d = desa.iloc[rng.randrange(len(desa))]
            text = f"{rng.choice(WORKS)} {rng.choice(OBJECTS)}"
            kec, ds, opd = kec_name[d["kode_induk"]], d["nama"], rng.choice(opds)
            unit, vol = rng.choice(["m", "unit", "titik"]), rng.randint(1, 30) * 5
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
                "anggaran": rng.randint(5, 200) * 1e6,
                "opd_tujuan": opd
                if rng.random() < 0.7
                else "".join(w[0] for w in opd.split() if w[0].isupper()),
            }
        )
    return pd.DataFrame(rows)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--proposals", type=int, default=100_000)
    ap.add_argument("--renja", type=int, default=10_000)
    ap.add_argument("--nomen", type=int, default=7_000)
    ap.add_argument("--opd", type=int, default=40)
    ap.add_argument("--sample", type=int, default=200, help="rows timed by brute force, then extrapolated")
    ap.add_argument("--seed", type=int, default=2027)
    ap.add_argument("--synthetic-nomenclature", action="store_true", help="do not load ../shared/data")
    ap.add_argument("--verbose", action="store_true", help="print the proposals whose best row was missed")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)

    t = time.perf_counter()
    wil = make_region(rng, n_kec=40, desa_per_kec=max(5, args.renja // 400))
    nomen = make_nomenclature(rng, args.nomen, None if args.synthetic_nomenclature else shared_data_dir())
    renja = make_renja(rng, args.renja, wil, nomen, args.opd)
    usulan = make_usulan(rng, args.proposals, renja, wil)
    targets = nomenklatur_targets(nomen)
    print(
        f"data: {len(usulan):,} proposals, {len(renja):,} Renja rows, {len(targets):,} nomenclature items, "
        f"{(wil['level'] == 'desa').sum():,} desa (generated in {time.perf_counter() - t:.1f} s)"
    )

    gaz = Gazetteer.from_frame(wil)
    resolver = OpdResolver(renja["opd"].unique())
    cfg = UsulanConfig()
    rcfg = RenjaConfig()

    # --- the pipeline ---------------------------------------------------------------------
    t0 = time.perf_counter()
    _, renja_cands = match_renja(renja.drop(columns="_obj"), None, nomen, rcfg, resolver)
    t1 = time.perf_counter()
    acc, usulan_cands = match_usulan(
        usulan.drop(columns="_about"), renja.drop(columns="_obj"), gaz, cfg, resolver
    )
    t2 = time.perf_counter()
    mem = peak_mib()
    t_renja, t_usulan = t1 - t0, t2 - t1
    print(
        f"pipeline: Renja->nomenclature {t_renja:.1f} s, proposals->Renja {t_usulan:.1f} s, "
        f"total {t_renja + t_usulan:.1f} s; peak memory {mem:,.0f} MiB"
    )

    # --- proposals -> Renja: brute force with the same scorer on all pairs ----------------------
    srng = np.random.default_rng(args.seed)
    # half the sample at random, half among proposals written about a Renja row (so that
    # enough sampled proposals have a true best match for the recall figure)
    about = np.flatnonzero(usulan["_about"].to_numpy())
    half = min(args.sample // 2, len(usulan))
    sample = np.unique(
        np.concatenate(
            [
                srng.choice(len(usulan), size=half, replace=False),
                srng.choice(about, size=min(args.sample - half, len(about)), replace=False),
            ]
        )
    )
    u_s = usulan.iloc[sample].drop(columns="_about").reset_index(drop=True)
    r_all = renja.drop(columns="_obj").reset_index(drop=True)
    u_res = u_s.assign(opd_tujuan=u_s["opd_tujuan"].map(resolver.resolve))
    r_res = r_all.assign(opd=r_all["opd"].map(resolver.resolve))
    tf = time.perf_counter()
    norm = partition_normalizer(u_res, r_res)
    P = usulan_features(u_res, gaz, norm=norm)
    R = renja_features(r_res, gaz, norm=norm)
    mats = text_matrices(P, R)
    t_feat = time.perf_counter() - tf
    tb = time.perf_counter()
    best = np.empty(len(P), dtype=np.int64)
    best_score = np.empty(len(P))
    model = cfg.model
    block = R["opd"].value_counts().to_dict()
    for i in range(len(P)):
        qi, ti = np.full(len(R), i), np.arange(len(R))
        lv, sims = compare_pairs(P, R, pair_frame(qi, ti, mats), model, mats)
        w = sum(model.bits(f, lv[f], sims["classes"][f]) for f in FIELDS)
        best[i] = int(np.argmax(w))
        best_score[i] = probability_score(w[best[i]] + model.prior_bits(block.get(P.at[i, "opd"], len(R))))
    t_bf_sample = time.perf_counter() - tb
    # features once (conservative: those of all proposals are not counted), pairs scaled up
    t_bf = t_feat + t_bf_sample * len(usulan) / len(P)
    # the pipeline's candidate pool of the sampled proposals (recomputed per OPD block)
    sampled = set(u_s["row_ref"])
    in_pool = {}
    for item in build_work_items(usulan.drop(columns="_about"), r_all, gaz, cfg, resolver):
        if not item.usulan["row_ref"].isin(sampled).any():
            continue
        n2 = partition_normalizer(item.usulan, item.renja)
        P2, R2 = usulan_features(item.usulan, gaz, norm=n2), renja_features(item.renja, gaz, norm=n2)
        pairs = candidate_pairs(P2, R2, cfg.candidate_k, text_matrices(P2, R2))
        refs2 = R2["ref"].to_numpy()
        for q, ti in pairs.groupby("qi")["ti"]:
            if P2.at[q, "ref"] in sampled:
                in_pool[P2.at[q, "ref"]] = set(refs2[ti.to_numpy()])
    kept = usulan_cands.groupby("usulan_ref")["renja_ref"].apply(set)
    bf_best = dict(zip(P["ref"], R["ref"].to_numpy()[best], strict=True))
    hit_pool = np.array([bf_best[r] in in_pool.get(r, set()) for r in P["ref"]])
    hit_kept = np.array([bf_best[r] in kept.get(r, set()) for r in P["ref"]])
    is_match = best_score >= cfg.review_min  # brute force's best is a match (or a close call)
    recall_pool, recall_kept = hit_pool[is_match].mean(), hit_kept[is_match].mean()
    if args.verbose:
        for i in np.flatnonzero(is_match & ~hit_pool):
            print(
                "  missed:",
                u_s.iloc[i][["usulan", "lokasi", "kecamatan", "desa", "opd_tujuan"]].to_dict(),
                "->",
                r_all.set_index("row_ref").loc[bf_best[P.at[i, "ref"]], ["nama", "lokasi", "opd"]].to_dict(),
                f"score {best_score[i]:.0f}",
            )

    # plain rapidfuzz cdist of the names, all pairs (sampled, extrapolated)
    n_names = [default_normalizer().normalize(x) for x in u_s["usulan"]]
    r_names = [default_normalizer().normalize(x) for x in r_all["nama"]]
    tc = time.perf_counter()
    process.cdist(n_names, r_names, scorer=fuzz.token_set_ratio, dtype=np.uint8, workers=1)
    t_cdist = (time.perf_counter() - tc) * len(usulan) / len(u_s)

    print(
        f"proposals->Renja brute force (same scorer, {len(P)} proposals x {len(R):,} rows timed, "
        f"extrapolated linearly to {len(usulan):,}): {t_bf:,.0f} s; "
        f"ratio pipeline/brute force = 1/{t_bf / t_usulan:,.0f}"
    )
    print(
        f"  rapidfuzz cdist token_set_ratio on names, all pairs (extrapolated): {t_cdist:,.0f} s; "
        f"ratio = 1/{t_cdist / t_usulan:,.1f}"
    )
    print(
        f"  recall of brute force's best row, over the {is_match.sum()} sampled proposals whose best row scores "
        f">= {cfg.review_min:.0f}: {recall_pool:.2%} in the candidate pool ({cfg.candidate_k} per proposal), "
        f"{recall_kept:.2%} in the {cfg.top_k} kept candidates"
    )
    print(
        f"  over all {len(P)} sampled proposals (a best row of another OPD, or of a proposal with no match, "
        f"included): {hit_pool.mean():.2%} in the pool"
    )

    # --- Renja -> nomenclature: brute force with the same scorer --------------------------------
    rs = r_all.iloc[
        np.sort(srng.choice(len(r_all), size=min(args.sample, len(r_all)), replace=False))
    ].reset_index(drop=True)
    tb = time.perf_counter()
    full = score_candidates(rs, targets, RenjaConfig(candidate_k=len(targets)), default_normalizer())
    t_nbf = (time.perf_counter() - tb) * len(r_all) / len(rs)
    bf_top = full[full["rank"] == 1].set_index("qi")["ti"]
    nc = renja_cands[renja_cands["target_type"] == "nomenklatur"]
    pool_n = score_candidates(rs, targets, rcfg, default_normalizer()).groupby("qi")["ti"].apply(set)
    rec_n = np.mean([bf_top.get(q) in pool_n.get(q, set()) for q in range(len(rs))])
    kept_n = nc.groupby("renja_ref")["target_kode"].apply(set)
    rec_nk = np.mean(
        [
            targets["kode"].iat[bf_top[q]] in kept_n.get(ref, set())
            for q, ref in enumerate(rs["row_ref"])
            if q in bf_top.index
        ]
    )
    tc = time.perf_counter()
    tn = [default_normalizer().normalize(x) for x in targets["nama"]]
    process.cdist(
        [default_normalizer().normalize(x) for x in rs["nama"]],
        tn,
        scorer=fuzz.token_set_ratio,
        dtype=np.uint8,
        workers=1,
    )
    t_ncdist = (time.perf_counter() - tc) * len(r_all) / len(rs)
    print(
        f"Renja->nomenclature brute force (same scorer, {len(rs)} rows x {len(targets):,} items timed, "
        f"extrapolated to {len(r_all):,}): {t_nbf:,.0f} s; ratio = 1/{t_nbf / t_renja:,.1f}; "
        f"rapidfuzz cdist: {t_ncdist:,.0f} s, ratio = 1/{t_ncdist / t_renja:,.1f}"
    )
    print(
        f"  recall of brute force's best item: {rec_n:.2%} in the candidate pool ({rcfg.candidate_k} per row), "
        f"{rec_nk:.2%} in the {rcfg.top_k} kept candidates"
    )
    total_bf, total = t_bf + t_nbf, t_renja + t_usulan
    print(
        f"overall: pipeline {total:.1f} s vs brute force {total_bf:,.0f} s = 1/{total_bf / total:,.0f} "
        f"(target <= 1/20); peak memory {mem:,.0f} MiB (target < 2048)"
    )


if __name__ == "__main__":
    main()
