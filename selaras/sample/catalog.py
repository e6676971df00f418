"""The typed reference data behind the sample (nomenclature, regions, OPDs, kamus usulan),
loaded from the YAML files in `data/` into small immutable objects.

May import: the standard library and PyYAML only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
SUPPORT = "X.XX"  # the support programme's placeholder for urusan.bidang


@cache
def load_yaml(name: str) -> dict:
    """A data file of the package (cached; callers must not modify the result)."""
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def level_of(kode: str) -> str:
    """Level of a dotted Permendagri 90 code by its number of segments."""
    return {1: "urusan", 2: "bidang", 3: "program", 5: "kegiatan", 6: "sub_kegiatan"}[kode.count(".") + 1]


def parent_of(kode: str) -> str | None:
    parts = kode.split(".")
    cut = {2: 1, 3: 2, 5: 3, 6: 5}.get(len(parts))
    return ".".join(parts[:cut]) if cut else None


def concrete(kode: str, bidang: str) -> str:
    """`X.XX.01.1.01.0001` for bidang 2.13 -> `2.13.01.1.01.0001`; other codes unchanged."""
    return bidang + kode[len(SUPPORT) :] if kode.startswith(SUPPORT) else kode


def template_of(kode: str) -> str:
    """The nomenclature key of a concrete code: support programme codes go back to X.XX."""
    parts = kode.split(".")
    if len(parts) >= 3 and parts[2] == "01":
        return SUPPORT + kode[len(".".join(parts[:2])) :]
    return kode


@dataclass(frozen=True)
class NomItem:
    kode: str  # as in the nomenclature (support programme as X.XX...)
    nama: str
    level: str
    satuan: str | None = None
    indikator: str | None = None

    @property
    def is_support(self) -> bool:
        return self.kode.startswith(SUPPORT)


@dataclass
class Nomenklatur:
    versi: str
    versi_lama: str
    items: dict[str, NomItem]  # current version, by nomenclature code
    old_items: dict[str, NomItem]  # previous version
    old_code: dict[str, str]  # current sub kegiatan code -> its code in the previous version
    urusan_names: dict[str, str] = field(default_factory=dict)

    def sub_kegiatan(self, bidang: str) -> list[NomItem]:
        """Current sub kegiatan of a bidang (without the support programme), code order."""
        return [i for k, i in self.items.items() if i.level == "sub_kegiatan" and k.startswith(bidang + ".")]

    def support(self) -> list[NomItem]:
        return [i for i in self.items.values() if i.level == "sub_kegiatan" and i.is_support]

    def name_of(self, kode: str) -> str:
        """Current name of a concrete code at any level (support programme resolved)."""
        key = template_of(kode)
        return (self.items.get(key) or self.old_items[key]).nama

    def all_known_codes(self, bidang: str) -> set[str]:
        """Every concrete code of a bidang in either version (to avoid 'mistyping' into one)."""
        codes = {concrete(k, bidang) for k in self.items} | {concrete(k, bidang) for k in self.old_items}
        return codes


@cache
def nomenklatur() -> Nomenklatur:
    d = load_yaml("nomenklatur.yaml")
    items: dict[str, NomItem] = {}
    for level, key in (
        ("urusan", "urusan"),
        ("bidang", "bidang"),
        ("program", "program"),
        ("kegiatan", "kegiatan"),
    ):
        for kode, nama in d[key].items():
            items[str(kode)] = NomItem(str(kode), nama, level)
    for kode, (nama, satuan, indikator) in d["sub_kegiatan"].items():
        items[str(kode)] = NomItem(str(kode), nama, "sub_kegiatan", satuan, indikator)
    items = dict(sorted(items.items(), key=lambda kv: _sort_key(kv[0])))

    # The previous version: same items, except the recoded / renamed / dropped / new ones.
    old: dict[str, NomItem] = {k: v for k, v in items.items() if k not in set(d["hanya_baru"])}
    old_code: dict[str, str] = {}
    for kode, (kode_lama, nama_lama) in d["kode_lama"].items():
        cur = items[kode]
        del old[kode]
        old[kode_lama] = NomItem(kode_lama, nama_lama or cur.nama, cur.level, cur.satuan, cur.indikator)
        old_code[kode] = kode_lama
    for kode, nama_lama in d["nama_lama"].items():
        cur = items[kode]
        old[kode] = NomItem(kode, nama_lama, cur.level, cur.satuan, cur.indikator)
    for kode, nama in d["kegiatan_lama"].items():
        old[kode] = NomItem(kode, nama, "kegiatan")
    for kode, (nama, satuan, indikator) in d["hanya_lama"].items():
        old[kode] = NomItem(kode, nama, "sub_kegiatan", satuan, indikator)
    old = dict(sorted(old.items(), key=lambda kv: _sort_key(kv[0])))
    # Old codes must never collide with a current code, or "outdated" would be ambiguous.
    assert not set(old_code.values()) & set(items), "an old code is reused in the current version"
    return Nomenklatur(str(d["versi"]), str(d["versi_lama"]), items, old, old_code, dict(d["urusan"]))


def _sort_key(kode: str) -> tuple:
    return tuple((0, int(p)) if p.isdigit() else (-1, p) for p in kode.split("."))


@dataclass(frozen=True)
class Kab:
    kode: str
    nama: str  # KAB. PANDEGLANG

    @property
    def short(self) -> str:
        """`Kab. Pandeglang` / `Kota Serang`, the way planners write it."""
        kind, _, name = self.nama.partition(" ")
        return ("Kab. " if kind == "KAB." else "Kota ") + name.title()


@dataclass(frozen=True)
class Kec:
    kode: str
    nama: str
    kab: Kab


@dataclass(frozen=True)
class Desa:
    kode: str
    nama: str
    kec: Kec

    @property
    def kelurahan(self) -> bool:
        return self.kode.rsplit(".", 1)[1].startswith("1")


@dataclass
class Wilayah:
    provinsi: tuple[str, str]
    kabs: list[Kab]
    kecs: list[Kec]
    desas: list[Desa]


@cache
def wilayah() -> Wilayah:
    d = load_yaml("wilayah.yaml")
    kabs = {k: Kab(k, n) for k, n in d["kabupaten_kota"].items()}
    kecs, desas = [], []
    for kode, (nama, villages) in d["kecamatan"].items():
        kec = Kec(kode, nama, kabs[kode[:5]])
        kecs.append(kec)
        desas += [Desa(f"{kode}.{suffix}", dn, kec) for suffix, dn in villages.items()]
    return Wilayah((d["provinsi"]["kode"], d["provinsi"]["nama"]), list(kabs.values()), kecs, desas)


@cache
def synthetic_syllables() -> tuple[list[str], list[str]]:
    d = load_yaml("wilayah.yaml")["sintetis"]
    return list(d["awalan"]), list(d["akhiran"])


@dataclass(frozen=True)
class Kamus:
    key: str
    bidang: str
    usulan: str
    pokir: tuple[str, ...]
    sub_kegiatan: str | None
    indikator: str
    satuan: tuple[str, ...]
    volume: tuple[int, int]
    harga: int
    jenis: str
    masalah: tuple[str, ...]


@cache
def kamus() -> list[Kamus]:
    out = []
    for k in load_yaml("kamus.yaml")["kamus"]:
        out.append(
            Kamus(
                k["key"],
                k["bidang"],
                k["usulan"],
                tuple(k["pokir"]),
                k["sub_kegiatan"],
                k["indikator"],
                tuple(k["satuan"]),
                tuple(k["volume"]),
                int(k["harga"]),
                k["jenis"],
                tuple(k["masalah"]),
            )
        )
    return out


@cache
def daerah() -> dict:
    return load_yaml("daerah.yaml")
