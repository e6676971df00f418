"""Labelled sets for `selaras evaluate`, built from real public data (../shared/data) at
call time; nothing is copied into the project. Each set says where its labels come from:

- `sukabumi`: Kab. Sukabumi 2019 Musrenbang Desa -> Kecamatan. Real links: a Kecamatan
  row's `usulan_asal_id` names the Desa proposal it carried forward.
- `malang`: Kota Malang, Kel. Kauman usulan. Real labels: the kamus item the proposer
  picked for each free-text proposal (`kamus_usulan`); the proposal text is `permasalahan`
  only, the 25 kamus items are the rows to find.
- `sukabumi-kamus`: Kab. Sukabumi 2019 Musrenbang Desa proposals -> the region's kamus
  kegiatan. Real labels: the kegiatan each proposal was filed under. The proposal's text
  is only its `target_indikator` (the outputs it asks for, "Sumur Bor Paket: 1 Paket"),
  never its kegiatan name or code; a kamus row is its name and `deskripsi` (not its
  indikator list, which the proposal's outputs were picked from, nor its search keywords),
  one row per OPD it names; a proposal chooses among its target OPD's rows.
- `pasangkayu`: Kab. Pasangkayu Renja 2024 rows -> the 2027 nomenclature, by name only.
  Label mechanically derived: the row's own code (its X.XX form for the support
  programme), where the 2027 nomenclature has it.
- `pengadaan`: procurement-style package names made by rewording real nomenclature sub
  kegiatan the way packages are named ("Belanja Modal ...", "Paket 3", "Lanjutan", "(DAK)",
  "Tahap II", a region name, a year), matched to the sub kegiatan of their bidang (the
  package's SKPD). Label mechanically derived: the item the name was made from.
- `nomenklatur`: real sub kegiatan damaged as Renja drafts damage them, outdated codes
  included (selaras.match.variants): the true code is kept.

Not built: the Barambang RKPDes, the Jember kamus usulan and the Surakarta pokir carry no
proposal -> plan-row label (only OPD or status fields, or duplicates found by equal text),
so any label would be made up."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from selaras.kamus import generic_code
from selaras.kamus.opd import OpdResolver
from selaras.match.location import Gazetteer

MALANG_FILE = "malang_kauman_musrenbang_usulan.csv"
PASANGKAYU_FILE = "pasangkayu_renja2024_sub_kegiatan.csv"
SUKABUMI_FILE = "sukabumi_2019_musrenbang_desa_kecamatan.csv"
SUKABUMI_KAMUS_FILE = "sukabumi_2019_kamus_kegiatan.csv"
NOMEN_SUB_FILE = "nomenklatur_2027_sub_kegiatan.csv"


@dataclass
class LinkSet:
    """Proposals and plan rows with the true (proposal row_ref, row row_ref) links."""

    name: str
    region: str
    kind: str
    label: str
    usulan: pd.DataFrame
    renja: pd.DataFrame
    truth: set[tuple[str, str]]
    gazetteer: Gazetteer = field(default_factory=Gazetteer)
    group: str = "akomodasi"  # akomodasi (proposal -> Renja row) / teks (free text -> kegiatan)
    resolver: OpdResolver | None = None  # the run's OPD names and aliases (None: from the rows)


@dataclass
class CodeSet:
    """Renja-like rows with their true nomenclature code (`kode_benar`)."""

    name: str
    region: str
    kind: str
    label: str
    rows: pd.DataFrame
    nomen: pd.DataFrame
    jenis_pemda: str | None = None  # PROV / KABKOT: which half of the nomenclature applies


_KEC_SUFFIX = re.compile(r"\s*\((?:kecamatan|kec\.?)\s+[^)]*\)\s*$", re.IGNORECASE)


def malang_set(shared: Path) -> LinkSet | None:
    path = shared / MALANG_FILE
    if not path.exists():
        return None
    d = pd.read_csv(path, dtype=str)
    d = d[d["kamus_usulan"].notna() & d["permasalahan"].notna()].reset_index(drop=True)
    item = d["kamus_usulan"].map(lambda s: _KEC_SUFFIX.sub("", s).strip())
    items = sorted(set(item))
    ref_of = {it: f"kamus:{i}" for i, it in enumerate(items)}
    vol = d["koefisien"].fillna("").str.extract(r"^\s*([\d.,]+)\s*(.*)$")
    usulan = pd.DataFrame(
        {
            "row_ref": "malang:" + d["id_usulan"],
            "usulan_id": d["id_usulan"],
            "channel": "musrenbang",
            "usulan": d["permasalahan"],
            "lokasi": d["alamat"],
            "volume": pd.to_numeric(vol[0].str.replace(",", "."), errors="coerce"),
            "satuan": vol[1].replace("", None),
            "anggaran": pd.to_numeric(d["anggaran"], errors="coerce"),
            "opd_tujuan": d["skpd_tujuan"],
        }
    )
    renja = pd.DataFrame(
        {
            "row_ref": [ref_of[i] for i in items],
            "opd": d["skpd_tujuan"].iloc[0],
            "nama": items,
            "pagu": np.nan,
        }
    )
    truth = set(zip(usulan["row_ref"], item.map(ref_of), strict=True))
    return LinkSet(
        "malang",
        "Kota Malang",
        "teks bebas->kamus",
        "kamus item chosen (real)",
        usulan,
        renja,
        truth,
        group="teks",
    )


def first_target(text: object) -> tuple[float | None, str | None]:
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


def sukabumi_kamus_set(shared: Path) -> LinkSet | None:
    """Free text -> kegiatan on a real region: what a Desa proposal asks for (its
    target_indikator) against the kamus kegiatan of its target OPD (see the module doc).
    The 11 proposals whose OPD the kamus does not list for their kegiatan are left out:
    their label is not among the rows they are compared with."""
    path, kamus_path = shared / SUKABUMI_FILE, shared / SUKABUMI_KAMUS_FILE
    if not path.exists() or not kamus_path.exists():
        return None
    kamus = pd.read_csv(kamus_path, dtype=str)
    kamus = kamus.assign(opd=kamus["opd_terkait"].fillna("").str.split("|")).explode("opd")
    kamus["opd"] = kamus["opd"].str.strip()
    kamus = kamus[kamus["opd"] != ""].drop_duplicates(["kegiatan_id", "opd"]).reset_index(drop=True)
    ref = "kamus:" + kamus["kegiatan_id"] + "@" + kamus["opd"]
    renja = pd.DataFrame(
        {
            "row_ref": ref,
            "opd": kamus["opd"],
            "nama": kamus["nama_kegiatan"].str.replace(r"\s+", " ", regex=True).str.strip(),
            "indikator": kamus["deskripsi"],
            "pagu": np.nan,
        }
    )
    d = pd.read_csv(path, dtype=str)
    d = d[d["tahapan"].str.startswith("Musrenbang Desa", na=False) & d["target_indikator"].notna()]
    link = "kamus:" + d["kegiatan_id"] + "@" + d["opd_tujuan_pelaksana"]
    d, link = d[link.isin(set(ref))], link[link.isin(set(ref))]
    vt = [first_target(x) for x in d["target_indikator"]]
    usulan = pd.DataFrame(
        {
            "row_ref": ("desa:" + d["usulan_id"]).to_numpy(),
            "usulan_id": d["usulan_id"].to_numpy(),
            "channel": "musrenbang",
            "usulan": d["target_indikator"].to_numpy(),
            "lokasi": d["lokasi"].to_numpy(),
            "volume": [v for v, _ in vt],
            "satuan": [u for _, u in vt],
            "anggaran": np.nan,
            "opd_tujuan": d["opd_tujuan_pelaksana"].to_numpy(),
        }
    )
    truth = set(zip(usulan["row_ref"], link, strict=True))
    return LinkSet(
        "sukabumi-kamus",
        "Kab. Sukabumi (kamus)",
        "usulan->kamus kegiatan",
        "kegiatan filed under (real)",
        usulan,
        renja,
        truth,
        group="teks",
    )


def pasangkayu_set(shared: Path) -> CodeSet | None:
    from selaras.evaluate.measure import nomenclature_frame

    path = shared / PASANGKAYU_FILE
    if not path.exists() or not (shared / NOMEN_SUB_FILE).exists():
        return None
    d = pd.read_csv(path, dtype=str)
    nomen, sub = nomenclature_frame(shared)
    known = set(sub["kode_sub_kegiatan"])
    # the support programme is written X.XX.01... in the nomenclature: its generic form
    code = d["KODE SUB KEGIATAN"].map(lambda c: c if c in known else generic_code(c))
    d = d.assign(kode_benar=code)[code.isin(known)].reset_index(drop=True)
    rows = pd.DataFrame(
        {
            "row_ref": [f"pasangkayu:{i + 2}" for i in range(len(d))],
            "nama": d["PROGRAM DAN KEGIATAN"].str.replace(r"\s+", " ", regex=True).str.strip(),
            "indikator": d["TOLAK UKUR CAPAIAN KEG."],
            "lokasi": d["LOKASI"],
            "kode_benar": d["kode_benar"],
            "damage": "kode:missing",
        }
    )
    return CodeSet(
        "pasangkayu",
        "Kab. Pasangkayu",
        "Renja->nomenklatur",
        "the row's own code (real)",
        rows,
        nomen,
        "KABKOT",
    )


# --- procurement-style package names --------------------------------------------------------

_BIDANG = ("1.01", "1.02", "1.03", "1.04", "2.15", "2.17", "3.27")
_REGIONS = ("Kabupaten Sukamaju", "Kota Baru", "Kab. Tanah Datar", "Kabupaten Lebak")
_VERB = re.compile(r"^(pembangunan|rehabilitasi|pemeliharaan|pengadaan|penyediaan|peningkatan)\s+", re.I)


def package_name(name: str, rng: random.Random) -> str:
    """A package title as procurement plans write one, from a sub kegiatan name."""
    obj = _VERB.sub("", name).strip()
    verb_m = _VERB.match(name)
    verb = verb_m.group(1).title() if verb_m else ""
    head = rng.choice(["Belanja Modal", "Belanja Modal", "BM", "Paket", "Pekerjaan", ""])
    body = f"{verb} {obj}".strip() if rng.random() < 0.6 else obj
    parts = [head, body]
    if rng.random() < 0.5:
        parts.append(rng.choice(["Paket 3", "Paket II", "Lanjutan", "Tahap II", "Tahap 1"]))
    if rng.random() < 0.4:
        parts.append(rng.choice(["(DAK)", "(DAU)", "DAK Fisik", "(APBD)", "(BK)"]))
    if rng.random() < 0.4:
        parts.append(rng.choice(_REGIONS))
    if rng.random() < 0.3:
        parts.append(f"TA {rng.choice([2023, 2024, 2025])}")
    return " ".join(p for p in parts if p)


def pengadaan_set(shared: Path, n: int = 300, seed: int = 181) -> LinkSet | None:
    path = shared / NOMEN_SUB_FILE
    if not path.exists():
        return None
    sub = pd.read_csv(path, dtype=str)
    sub = sub[(sub["jenis_pemda"] == "KABKOT") & sub["kode_bidang_urusan"].isin(_BIDANG)]
    items = sub.drop_duplicates("kode_sub_kegiatan").reset_index(drop=True)
    # only items whose name is unique in their bidang can be labelled by a name: the
    # nomenclature repeats "Pengadaan Mebel Sekolah" under SD and SMP, no reader can tell
    # those apart without a code (they stay in the rows to choose from)
    key = items["kode_bidang_urusan"] + "|" + items["nama_sub_kegiatan"].str.lower().str.split().str.join(" ")
    unique = ~key.duplicated(keep=False)
    renja = pd.DataFrame(
        {
            "row_ref": "nomen:" + items["kode_sub_kegiatan"],
            "opd": items["kode_bidang_urusan"],
            "nama": items["nama_sub_kegiatan"].str.replace(r"\s+", " ", regex=True).str.strip(),
            "indikator": items["indikator"],
            "kegiatan_nama": items["nama_kegiatan"],
            "pagu": np.nan,
        }
    )
    rng = random.Random(seed)
    pool = [i for i in range(len(items)) if unique.iloc[i]]
    pick = sorted(rng.sample(pool, min(n, len(pool))))
    usulan = pd.DataFrame(
        {
            "row_ref": [f"paket:{i}" for i in range(len(pick))],
            "channel": "pokir",
            "usulan": [package_name(renja.at[i, "nama"], rng) for i in pick],
            "opd_tujuan": [renja.at[i, "opd"] for i in pick],
            "anggaran": np.nan,
        }
    )
    truth = set(zip(usulan["row_ref"], [renja.at[i, "row_ref"] for i in pick], strict=True))
    return LinkSet(
        "pengadaan",
        "nomenklatur 2027 (paket)",
        "paket->sub kegiatan",
        "reworded item (mechanical)",
        usulan,
        renja,
        truth,
        group="teks",
    )
