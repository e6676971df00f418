"""The logical content of a generated data set, before any file is written: OPDs, RKPD
items, Renja rows and proposals, with the intended links between them.

Links are designed, then the ground truth is derived by the rules planners apply:
- a Renja row serves the RKPD item of its current code and OPD (`selaras` when the code
  as written is that code, `selaras_nama` when it is outdated, mistyped or missing), or
  none (`tidak_selaras`);
- a proposal is accommodated by every (usable) Renja row of its target OPD that carries
  the same kind of work (kamus item) at the same village.

May import: selaras.sample.catalog and textnoise only.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from selaras.sample import textnoise as tn
from selaras.sample.catalog import (
    Desa,
    Kab,
    Kamus,
    Kec,
    Nomenklatur,
    NomItem,
    Wilayah,
    concrete,
    daerah,
    kamus,
    load_yaml,
    nomenklatur,
    parent_of,
    synthetic_syllables,
    template_of,
    wilayah,
)

# Rule ids of the validation stage (selaras/validate/rules.yaml) our bad rows must trip.
RULE_TOO_LARGE = "amount_too_large"
RULE_UNPARSEABLE = "amount_unparseable"
RULE_NO_NAME_NO_CODE = "name_and_code_missing"


@dataclass
class Opd:
    key: str
    kode: str
    nama: str
    singkatan: str
    bidang: str
    layout: str = "sipd"
    file_name: str = ""  # relative to raw/, POSIX


@dataclass
class RkpdItem:
    kode: str  # concrete current code
    item: NomItem
    opd: Opd
    prioritas: int  # index into daerah()["prioritas"]
    pagu: int = 0
    lokasi: str = "Provinsi Banten"
    target: float = 1
    satuan: str = ""
    row_ref: str = ""


@dataclass
class RenjaRow:
    id: int
    opd: Opd
    item: NomItem  # the intended item (current version; an old-only item for `dropped`)
    kode_current: str  # concrete current code; "" when the item no longer exists
    kode_written: str | None  # concrete dotted code to write; None = no code
    nama: str  # the name as the agency typed it
    case: str  # exact / renamed / outdated / missing / mistyped / not_in_rkpd / dropped
    indikator: str
    target: float
    satuan: str
    pagu: int
    sumber_dana: str
    desas: list[Desa] = field(default_factory=list)
    harga_satuan: int = 0  # located rows: pagu = target x harga_satuan
    keterangan: str = ""
    kamus: Kamus | None = None
    split_of: int | None = None  # id of the other half of a split pair
    bad_rule: str | None = None
    bad_column: str = ""  # canonical column the bad value sits in (pagu / nama)
    pagu_text: str | None = None  # text to write instead of the pagu (unparsable amount)
    hidden: bool = False
    row_ref: str = ""
    name_cell: str = ""  # the exact text written in the name cell (set by the writer)

    @property
    def group_kode(self) -> str:
        """The code that places the row under its program / kegiatan group rows. A row
        carried over from last year's template sits under last year's groups too; a typo
        or a missing code does not move a row out of its group."""
        if self.case in ("outdated", "dropped") and self.kode_written:
            return self.kode_written
        return self.kode_current or concrete(self.item.kode, self.opd.bidang)

    @property
    def usable(self) -> bool:
        """Rows that reach matching: not quarantined and not hidden."""
        return self.bad_rule is None and not self.hidden


@dataclass
class Usulan:
    id: int
    channel: str  # musrenbang / pokir
    usulan_id: str
    opd: Opd  # target OPD
    kamus: Kamus
    desa: Desa
    case: str  # accommodated / split / other_desa / other_work / same_name / unrelated
    volume: int = 0
    anggaran: int = 0
    alamat: str = ""
    slot: str = ""  # which file: musrenbang_xlsx / musrenbang_csv / pokir
    bad_rule: str | None = None
    anggaran_text: str | None = None  # forced text for the amount cell
    text_prefix: str = ""  # leading characters that look like a formula (=, -, @)
    split_row: int | None = None  # designed split: id of the first row of the pair
    row_ref: str = ""
    text_cell: str = ""  # the proposal text as written (set by the writer)


@dataclass
class Plan:
    tahun: int
    nom: Nomenklatur
    wilayah: Wilayah
    opds: list[Opd]
    rkpd: list[RkpdItem]
    renja: list[RenjaRow]
    usulan: list[Usulan]

    def rkpd_of(self) -> dict[tuple[str, str], RkpdItem]:
        return {(r.kode, r.opd.key): r for r in self.rkpd}

    def status(self, row: RenjaRow, rkpd: dict[tuple[str, str], RkpdItem]) -> tuple[str, RkpdItem | None]:
        """Expected alignment of a Renja row: by code, by name under a wrong code, or none."""
        item = rkpd.get((row.kode_current, row.opd.key)) if row.kode_current else None
        if item is None:
            return "tidak_selaras", None
        return ("selaras" if row.case in ("exact", "renamed") else "selaras_nama"), item

    def accommodating(self) -> dict[int, list[RenjaRow]]:
        """Proposal id -> the usable Renja rows that accommodate it."""
        index: dict[tuple[str, str, str], list[RenjaRow]] = defaultdict(list)
        for r in self.renja:
            if r.kamus is not None and r.usable:
                for d in r.desas:
                    index[(r.opd.key, r.kamus.key, d.kode)].append(r)
        return {u.id: index.get((u.opd.key, u.kamus.key, u.desa.kode), []) for u in self.usulan}


@dataclass
class Spec:
    """Sizes and shares of a generated data set."""

    opds: list[Opd]
    wilayah: Wilayah
    n_usulan: int
    pokir_share: float
    located_per_kamus: (
        tuple[int, int] | dict[str, tuple[int, int]]
    )  # Renja rows per kamus item and OPD (per bidang)
    gap_rate: float = 0.12  # RKPD items with no Renja row
    rkpd_share: float = 0.75  # non-kamus sub kegiatan of a bidang that are in the RKPD
    not_in_rkpd_per_opd: int = 1  # Renja rows for sub kegiatan the RKPD lacks
    support_per_opd: int = 6
    kamus_not_in_rkpd: tuple[str, ...] = ("halte",)
    split_share: float = 0.35  # kamus items (per OPD) that get a split pair of rows
    missing_share: float = 0.04
    mistyped_share: float = 0.03
    outdated_share: float = 0.5  # rows of recoded items that keep the old code
    renamed_share: float = 0.6
    bad_rows: dict[str, str] = field(default_factory=dict)  # opd key -> rule id
    hidden_row_opd: str | None = "DINKES"
    bad_usulan: bool = True  # one unparsable and one implausibly large proposal amount
    # proposal mix (the rest is unrelated)
    shares: dict[str, float] = field(
        default_factory=lambda: {
            "accommodated": 0.38,
            "split": 0.03,
            "other_desa": 0.16,
            "other_work": 0.12,
            "same_name": 0.04,
        }
    )


# --- the region ------------------------------------------------------------------------


def named_opds(layouts: dict[str, tuple[str, str]]) -> list[Opd]:
    """The sample's OPDs with their layout and file name."""
    out = []
    for key, o in daerah()["opd"].items():
        layout, fname = layouts[key]
        out.append(Opd(key, o["kode"], o["nama"], o["singkatan"], o["bidang"], layout, fname))
    return out


def extra_opds(n: int, layouts: list[str], tahun: int, start: int) -> list[Opd]:
    """More OPDs for a larger region, from the name templates per bidang."""
    templates = [(b, t) for b, ts in daerah()["opd_tambahan"].items() for t in ts]
    kabs = [k.short for k in wilayah().kabs]
    out = []
    for i in range(n):
        bidang, tmpl = templates[i % len(templates)]
        wil = kabs[(i // len(templates)) % len(kabs)]
        if i >= len(templates) * len(kabs):
            wil = f"{wil} {i // (len(templates) * len(kabs)) + 1}"
        nama = tmpl.format(wilayah=wil)
        seq = start + i
        key = f"OPD{seq:03d}"
        kode = f"{bidang}.0.00.0.00.{seq:02d}.0000"
        layout = layouts[i % len(layouts)]
        ext = "csv" if layout == "csv" else "xlsx"
        out.append(
            Opd(
                key, kode, nama, f"UPTD-{seq:03d}", bidang, layout, f"renja/renja_{key.lower()}_{tahun}.{ext}"
            )
        )
    return out


def extended_wilayah(n_desa: int, rng: random.Random) -> Wilayah:
    """The typed subset plus synthetic kecamatan (codes from .51 up) until n_desa villages."""
    base = wilayah()
    kecs, desas = list(base.kecs), list(base.desas)
    awalan, akhiran = synthetic_syllables()
    per_kab: dict[str, int] = defaultdict(int)
    used_kec: dict[str, set[str]] = defaultdict(set)
    i = 0
    while len(desas) < n_desa:
        kab: Kab = base.kabs[i % len(base.kabs)]
        i += 1
        per_kab[kab.kode] += 1
        while True:
            nama = rng.choice(awalan) + rng.choice(akhiran)
            if nama not in used_kec[kab.kode]:
                used_kec[kab.kode].add(nama)
                break
        kec = Kec(f"{kab.kode}.{50 + per_kab[kab.kode]:02d}", nama, kab)
        kecs.append(kec)
        names: set[str] = set()
        for j in range(rng.randint(8, 16)):
            while True:
                dn = rng.choice(awalan) + rng.choice(akhiran)
                if dn not in names:
                    names.add(dn)
                    break
            desas.append(Desa(f"{kec.kode}.{2001 + j}", dn, kec))
    return Wilayah(base.provinsi, base.kabs, kecs, desas)


# --- building --------------------------------------------------------------------------


def _prioritas_of(program_template: str) -> int:
    for i, p in enumerate(daerah()["prioritas"]):
        if program_template in p["program"]:
            return i
    raise KeyError(f"program {program_template} has no prioritas")


def _target_for(satuan: str | None, rng: random.Random) -> float:
    return {
        "Dokumen": rng.randint(1, 4),
        "Laporan": rng.choice((1, 2, 4, 12)),
        "Orang/bulan": rng.choice((12, 24, 36)) * rng.randint(20, 90),
        "Orang": rng.randint(2, 40) * 10,
        "Unit": rng.randint(1, 12),
        "Paket": rng.randint(1, 12),
        "Desa": rng.choice((16, 32, 48)),
        "Lembaga": rng.randint(10, 60),
        "Kelompok": rng.randint(5, 30),
        "Meter": rng.randint(4, 60) * 50,
        "Kilometer": rng.randint(2, 45),
        "Kilogram": rng.randint(5, 60) * 100,
        "Ton": rng.randint(5, 200),
        "Sambungan Rumah": rng.randint(5, 50) * 10,
    }.get(satuan or "", rng.randint(1, 10))


def _round(n: float, step: int) -> int:
    return int(round(n / step)) * step


def build_plan(spec: Spec, rng: random.Random, tahun: int = 2021) -> Plan:
    nom = nomenklatur()
    d = daerah()
    kamus_all = kamus()
    rkpd: list[RkpdItem] = []
    renja: list[RenjaRow] = []
    next_id = iter(range(1, 10**9))
    desas = spec.wilayah.desas
    by_name: dict[str, list[Desa]] = defaultdict(list)
    for ds in desas:
        by_name[ds.nama].append(ds)
    shared_names = [ds for ds in desas if len(by_name[ds.nama]) > 1]
    by_kec: dict[str, list[Desa]] = defaultdict(list)
    for ds in desas:
        by_kec[ds.kec.kode].append(ds)

    def renja_row(opd: Opd, item: NomItem, **kw) -> RenjaRow:
        kode = concrete(item.kode, opd.bidang)
        base = dict(
            id=next(next_id),
            opd=opd,
            item=item,
            kode_current=kode,
            kode_written=kode,
            nama=item.nama,
            case="exact",
            indikator=item.indikator or item.nama,
            target=_target_for(item.satuan, rng),
            satuan=item.satuan or "Kegiatan",
            pagu=_round(rng.lognormvariate(19.8, 0.8), 1000),
            sumber_dana=rng.choice(d["sumber_dana"]),
        )
        base.update(kw)
        return RenjaRow(**base)

    for opd in spec.opds:
        my_kamus = [k for k in kamus_all if k.bidang == opd.bidang and k.sub_kegiatan]
        in_rkpd, outside, support = _split_by_rkpd(opd, nom, my_kamus, spec, rng)
        for it in in_rkpd:
            kode = concrete(it.kode, opd.bidang)
            rkpd.append(RkpdItem(kode, it, opd, _prioritas_of(template_of(parent_of(parent_of(kode))))))
        renja += _opd_renja(opd, nom, my_kamus, (in_rkpd, outside, support), spec, rng, renja_row)
        for k in my_kamus:
            renja += _located_rows(
                opd, k, nom.items[k.sub_kegiatan], spec, rng, shared_names, by_kec, renja_row
            )

    plan = Plan(tahun, nom, spec.wilayah, spec.opds, rkpd, renja, [])
    _assign_code_cases(plan, spec, rng)
    _inject_bad_rows(plan, spec, rng, renja_row)
    plan.usulan = _proposals(plan, spec, rng)
    _finish_rkpd(plan, rng)
    return plan


def _split_by_rkpd(
    opd: Opd, nom: Nomenklatur, my_kamus: list[Kamus], spec: Spec, rng: random.Random
) -> tuple[list[NomItem], list[NomItem], list[NomItem]]:
    """The OPD's sub kegiatan in the RKPD and outside it, and the support items it plans
    (all but the last of which are in the RKPD too)."""
    kamus_codes = {k.sub_kegiatan for k in my_kamus}
    excluded = {k.sub_kegiatan for k in my_kamus if k.key in spec.kamus_not_in_rkpd}
    in_rkpd: list[NomItem] = []
    outside: list[NomItem] = []
    for it in nom.sub_kegiatan(opd.bidang):
        if it.kode in kamus_codes:
            (outside if it.kode in excluded else in_rkpd).append(it)
        elif rng.random() < spec.rkpd_share:
            in_rkpd.append(it)
        else:
            outside.append(it)
    support = rng.sample(nom.support(), spec.support_per_opd)
    in_rkpd += support[:-1]  # the last support item the agency plans is not in the RKPD
    return in_rkpd, outside, support


def _opd_renja(
    opd: Opd, nom: Nomenklatur, my_kamus: list[Kamus], split: tuple, spec: Spec, rng: random.Random, renja_row
) -> list[RenjaRow]:
    """The OPD's unlocated Renja rows: support programme, the RKPD items (with gaps), a
    few items the RKPD lacks, and items dropped from the nomenclature."""
    in_rkpd, outside, support = split
    kamus_codes = {k.sub_kegiatan for k in my_kamus}
    rows = [renja_row(opd, it) for it in support]
    for it in in_rkpd:
        if it.is_support or it.kode in kamus_codes:
            continue
        if rng.random() >= spec.gap_rate:
            rows.append(renja_row(opd, it))
    plain_outside = [it for it in outside if it.kode not in kamus_codes]
    for it in rng.sample(plain_outside, min(spec.not_in_rkpd_per_opd, len(plain_outside))):
        rows.append(renja_row(opd, it))
    for kode_lama, (nama, satuan, indikator) in _dropped_items(opd.bidang).items():
        it = NomItem(kode_lama, nama, "sub_kegiatan", satuan, indikator)
        rows.append(renja_row(opd, it, kode_current="", kode_written=kode_lama, case="dropped"))
    return rows


def _dropped_items(bidang: str) -> dict[str, tuple]:
    """Items of the previous nomenclature that no longer exist, for this bidang."""
    return {
        k: tuple(v)
        for k, v in load_yaml("nomenklatur.yaml")["hanya_lama"].items()
        if k.startswith(bidang + ".")
    }


def _located_rows(
    opd, k: Kamus, item: NomItem, spec: Spec, rng, shared_names, by_kec, renja_row
) -> list[RenjaRow]:
    per = spec.located_per_kamus
    lo, hi = per.get(k.bidang, (1, 1)) if isinstance(per, dict) else per
    n = rng.randint(lo, hi)
    # Prefer villages whose name exists elsewhere too, so the same-name trap is exercised.
    pool = rng.sample(spec.wilayah.desas, min(len(spec.wilayah.desas), n * 3))
    picks: list[Desa] = []
    if shared_names and rng.random() < 0.6:
        picks.append(rng.choice(shared_names))
    for ds in pool:
        if len(picks) >= n:
            break
        if ds not in picks:
            picks.append(ds)
    used = set(picks)
    rows = []
    for ds in picks:
        places = [ds]
        if k.jenis != "SARPRAS" and rng.random() < 0.3:
            sibs = [x for x in by_kec[ds.kec.kode] if x not in used]
            extra = rng.sample(sibs, min(len(sibs), rng.randint(1, 2)))
            places += extra
            used.update(extra)
        vol = rng.randint(*k.volume) * len(places)
        unit = _round(k.harga * rng.uniform(0.9, 1.1), 1000)
        rows.append(
            renja_row(
                opd,
                item,
                indikator=k.indikator,
                target=vol,
                satuan=k.satuan[0],
                desas=places,
                kamus=k,
                harga_satuan=unit,
                pagu=vol * unit,
            )
        )
    if k.jenis == "SARPRAS" and rows and rng.random() < spec.split_share:
        first = next((r for r in rows if len(r.desas) == 1), None)
        if first is not None:
            half = max(1, int(first.target // 2))
            labels = rng.choice((("Tahap I", "Tahap II"), ("Segmen 1", "Segmen 2"), ("Lanjutan", "Ruas 2")))
            second = renja_row(
                opd,
                item,
                indikator=k.indikator,
                target=first.target - half,
                satuan=first.satuan,
                desas=list(first.desas),
                kamus=k,
                harga_satuan=first.harga_satuan,
                pagu=(first.target - half) * first.harga_satuan,
                keterangan=labels[1],
                split_of=first.id,
            )
            first.target, first.pagu = half, half * first.harga_satuan
            first.keterangan, first.split_of = labels[0], second.id
            rows.insert(rows.index(first) + 1, second)
    return rows


def _assign_code_cases(plan: Plan, spec: Spec, rng: random.Random) -> None:
    """Outdated / renamed / missing / mistyped codes and the names typed with them."""
    nom = plan.nom
    rkpd = plan.rkpd_of()
    d_nom = load_yaml("nomenklatur.yaml")
    nama_lama = {str(k): v for k, v in d_nom["nama_lama"].items()}
    kode_lama = {str(k): v for k, v in d_nom["kode_lama"].items()}
    seen_recoded: set[str] = set()
    for r in plan.renja:
        if r.case == "dropped":
            r.nama = tn.noisy(r.nama, rng, 0.5)
            continue
        tmpl = template_of(r.kode_current)
        if (r.kode_current, r.opd.key) not in rkpd:
            r.case = "not_in_rkpd"
        if tmpl in kode_lama and (tmpl not in seen_recoded or rng.random() < spec.outdated_share):
            seen_recoded.add(tmpl)
            old, old_name = kode_lama[tmpl]
            r.kode_written = concrete(old, r.opd.bidang)
            r.nama = old_name or r.nama
            r.case = "outdated"
        elif tmpl in nama_lama and rng.random() < spec.renamed_share:
            r.nama = nama_lama[tmpl]
            r.case = "renamed" if r.case == "exact" else r.case
    # Missing and mistyped codes: fixed shares of the remaining plain rows, at least 3 each.
    plain = [r for r in plan.renja if r.case in ("exact", "not_in_rkpd") and r.split_of is None]
    n_missing = max(3, round(spec.missing_share * len(plan.renja)))
    n_mistyped = max(3, round(spec.mistyped_share * len(plan.renja)))
    chosen = rng.sample(plain, min(len(plain), n_missing + n_mistyped))
    for r in chosen[:n_missing]:
        r.kode_written = None
        r.case = "missing"
    for r in chosen[n_missing:]:
        r.kode_written = tn.mistype(r.kode_current, rng, nom.all_known_codes(r.opd.bidang))
        r.case = "mistyped"
    for r in plan.renja:
        if r.case != "dropped":
            # A row without a usable code must keep a recognisable name.
            r.nama = tn.noisy(r.nama, rng, 0.4 if r.case in ("missing", "mistyped", "outdated") else 1.0)
        if not r.nama.strip():
            r.nama = r.item.nama


def _inject_bad_rows(plan: Plan, spec: Spec, rng: random.Random, renja_row) -> None:
    for opd in plan.opds:
        rule = spec.bad_rows.get(opd.key)
        mine = [
            r for r in plan.renja if r.opd is opd and r.kamus is None and r.case in ("exact", "not_in_rkpd")
        ]
        if rule == RULE_TOO_LARGE and mine:
            r = rng.choice(mine)  # six zeros too many: beyond any region's whole budget
            r.pagu, r.bad_rule, r.bad_column = abs(r.pagu) * 1_000_000, rule, "pagu"
        elif rule == RULE_UNPARSEABLE and mine:
            r = rng.choice(mine)
            r.pagu_text = tn.rupiah(r.pagu, "rp_dot").replace("0", "O", 3)  # letter O for zero
            r.bad_rule, r.bad_column = rule, "pagu"
        elif rule == RULE_NO_NAME_NO_CODE and mine:
            src = rng.choice(mine)
            bad = renja_row(
                opd, src.item, kode_written=None, nama="", case="missing", bad_rule=rule, bad_column="nama"
            )
            plan.renja.insert(plan.renja.index(src) + 1, bad)
    if spec.hidden_row_opd:
        mine = [
            r
            for r in plan.renja
            if r.opd.key == spec.hidden_row_opd
            and r.kamus is None
            and r.bad_rule is None
            and r.case == "exact"
            and not r.item.is_support
        ]
        if mine:
            rng.choice(mine).hidden = True


@dataclass
class _Proposing:
    """What the proposal designer draws from (located Renja rows, villages by kecamatan
    and by name, kinds of work by bidang) and the proposals drawn so far."""

    plan: Plan
    rng: random.Random
    opd_by_bidang: dict[str, list[Opd]]
    kamus_all: list[Kamus]
    kamus_by_bidang: dict[str, list[Kamus]]
    located: list[RenjaRow]
    pairs: list[RenjaRow]  # the first rows of designed splits
    rows_at: dict[tuple[str, str], set[str]]  # (OPD, kamus) -> villages a row serves
    by_kec: dict[str, list[Desa]]
    by_name: dict[str, list[Desa]]
    same_name_rows: list[RenjaRow]
    out: list[Usulan] = field(default_factory=list)
    on_row: dict[int, list[Usulan]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, plan: Plan, rng: random.Random) -> _Proposing:
        opd_by_bidang: dict[str, list[Opd]] = defaultdict(list)
        for o in plan.opds:
            opd_by_bidang[o.bidang].append(o)
        kamus_all = [k for k in kamus() if k.bidang in opd_by_bidang]
        kamus_by_bidang: dict[str, list[Kamus]] = defaultdict(list)
        for k in kamus_all:
            kamus_by_bidang[k.bidang].append(k)
        located = [r for r in plan.renja if r.kamus is not None and r.usable]
        rows_at: dict[tuple[str, str], set[str]] = defaultdict(set)
        for r in located:
            rows_at[(r.opd.key, r.kamus.key)].update(x.kode for x in r.desas)
        by_kec: dict[str, list[Desa]] = defaultdict(list)
        by_name: dict[str, list[Desa]] = defaultdict(list)
        for ds in plan.wilayah.desas:
            by_kec[ds.kec.kode].append(ds)
            by_name[ds.nama].append(ds)
        return cls(
            plan,
            rng,
            opd_by_bidang,
            kamus_all,
            kamus_by_bidang,
            located,
            [r for r in located if r.split_of is not None and r.id < r.split_of],
            rows_at,
            by_kec,
            by_name,
            [r for r in located if any(len(by_name[x.nama]) > 1 for x in r.desas)],
        )

    def free(self, opd: Opd, k: Kamus, ds: Desa) -> bool:
        return ds.kode not in self.rows_at[(opd.key, k.key)]

    def add(self, opd: Opd, k: Kamus, ds: Desa, case: str) -> Usulan:
        u = Usulan(len(self.out) + 1, "", "", opd, k, ds, case)
        u.volume = self.rng.randint(*k.volume)
        self.out.append(u)
        return u

    def accommodated(self, n: int) -> None:
        for _ in range(n):
            r = self.rng.choice(self.located)
            self.on_row[r.id].append(self.add(r.opd, r.kamus, self.rng.choice(r.desas), "accommodated"))

    def split(self, n: int) -> None:
        for _ in range(n if self.pairs else 0):
            r = self.rng.choice(self.pairs)
            self.add(r.opd, r.kamus, r.desas[0], "split").split_row = r.id

    def other_desa(self, n: int) -> None:
        for _ in range(n):
            r = self.rng.choice(self.located)
            cands = [x for x in self.by_kec[r.desas[0].kec.kode] if self.free(r.opd, r.kamus, x)]
            if not cands:
                kab = r.desas[0].kec.kab
                cands = [
                    x for x in self.plan.wilayah.desas if x.kec.kab == kab and self.free(r.opd, r.kamus, x)
                ]
            if cands:
                self.add(r.opd, r.kamus, self.rng.choice(cands), "other_desa")

    def other_work(self, n: int) -> None:
        for _ in range(n):
            r = self.rng.choice(self.located)
            ds = self.rng.choice(r.desas)
            cands = [
                k
                for k in self.kamus_by_bidang[r.opd.bidang]
                if k.key != r.kamus.key and self.free(r.opd, k, ds)
            ]
            if cands:
                self.add(r.opd, self.rng.choice(cands), ds, "other_work")

    def same_name(self, n: int) -> None:
        for _ in range(n if self.same_name_rows else 0):
            r = self.rng.choice(self.same_name_rows)
            ds = next(x for x in r.desas if len(self.by_name[x.nama]) > 1)
            cands = [x for x in self.by_name[ds.nama] if x.kec != ds.kec and self.free(r.opd, r.kamus, x)]
            if cands:
                self.add(r.opd, r.kamus, self.rng.choice(cands), "same_name")

    def unrelated(self, total: int) -> None:
        """Fill up to `total` with proposals no row serves."""
        opds = self.plan.opds
        while len(self.out) < total:
            k = self.rng.choice(self.kamus_all)
            opd = self.rng.choice(self.opd_by_bidang[k.bidang])
            if self.rng.random() < 0.04 and "BAPPEDA" in {o.key for o in opds}:
                opd = next(o for o in opds if o.key == "BAPPEDA")  # sent to the wrong agency
            ds = self.rng.choice(self.plan.wilayah.desas)
            if self.free(opd, k, ds) or k.sub_kegiatan is None:
                self.add(opd, k, ds, "unrelated")

    def share_volumes(self) -> None:
        """What a row plans is shared by the proposals it accommodates."""
        by_id = {r.id: r for r in self.located}
        for rid, us in self.on_row.items():
            r = by_id[rid]
            for u in us:
                u.volume = max(1, int(r.target // len(us)))
        for u in self.out:
            if u.split_row is not None:
                first = by_id[u.split_row]
                u.volume = int(first.target + by_id[first.split_of].target)


def _proposals(plan: Plan, spec: Spec, rng: random.Random) -> list[Usulan]:
    """Proposals by design category; the truth is derived from the rule afterwards."""
    p = _Proposing.of(plan, rng)
    n = spec.n_usulan
    quota = {c: int(round(s * n)) for c, s in spec.shares.items()}
    p.accommodated(quota["accommodated"])
    p.split(quota["split"])
    p.other_desa(quota["other_desa"])
    p.other_work(quota["other_work"])
    p.same_name(quota["same_name"])
    p.unrelated(n)
    p.share_volumes()
    out = p.out
    rng.shuffle(out)
    _channel_and_money(out, plan, spec, rng)
    out.sort(key=lambda u: u.id)
    if spec.bad_usulan:
        _special_proposals(out)
    return out


def _channel_and_money(out: list[Usulan], plan: Plan, spec: Spec, rng: random.Random) -> None:
    """Channel, ids, money and address, in the shuffled order."""
    kampung = daerah()["kampung"]
    for i, u in enumerate(out, start=1):
        u.id = i
        u.channel = "pokir" if rng.random() < spec.pokir_share else "musrenbang"
        u.anggaran = _round(u.volume * u.kamus.harga * rng.uniform(0.85, 1.25), 500_000) or 500_000
        u.alamat = tn.alamat(rng.choice(kampung), rng)
        if u.channel == "pokir":
            u.slot = "pokir"
            u.usulan_id = f"POKIR-{plan.tahun}-{i:05d}"
        else:
            u.slot = (
                "musrenbang_xlsx" if u.desa.kec.kab.kode in ("36.01", "36.02", "36.73") else "musrenbang_csv"
            )
            u.usulan_id = str(2_104_000 + i * 7)


def _special_proposals(out: list[Usulan]) -> None:
    """Text that looks like a formula (must stay text), and two amounts validation rejects."""
    slots: dict[str, list[Usulan]] = defaultdict(list)
    for u in out:
        slots[u.slot].append(u)
    xl, cs, pk = slots["musrenbang_xlsx"], slots["musrenbang_csv"], slots["pokir"]
    if xl:
        xl[len(xl) // 3].text_prefix = '=HYPERLINK("http://contoh.invalid/foto","foto lokasi") '
        bad = xl[len(xl) // 2]
        bad.anggaran_text, bad.bad_rule = "lima puluh juta rupiah", RULE_UNPARSEABLE
    if cs:
        cs[len(cs) // 5].text_prefix = "@"
    if pk:
        pk[len(pk) // 4].text_prefix = "- "
        bad = pk[len(pk) // 2]
        bad.anggaran, bad.bad_rule = bad.anggaran * 1_000_000, RULE_TOO_LARGE


def _finish_rkpd(plan: Plan, rng: random.Random) -> None:
    """Pagu indikatif, lokasi and target of each RKPD item from the Renja rows serving it."""
    serving: dict[tuple[str, str], list[RenjaRow]] = defaultdict(list)
    for r in plan.renja:
        if r.kode_current and r.bad_rule is None:
            serving[(r.kode_current, r.opd.key)].append(r)
    for it in plan.rkpd:
        rows = serving.get((it.kode, it.opd.key), [])
        it.satuan = rows[0].satuan if rows else (it.item.satuan or "Kegiatan")
        if rows:
            total = sum(r.pagu for r in rows)
            # Most ceilings leave room; about one in eight is exceeded by the Renja.
            factor = rng.uniform(0.8, 0.95) if rng.random() < 0.12 else rng.uniform(1.0, 1.25)
            it.pagu = _round(total * factor, 1_000_000) or 1_000_000
            it.target = sum(r.target for r in rows) if rows[0].kamus else rows[0].target
            kabs = sorted({ds.kec.kab.short for r in rows for ds in r.desas})
            it.lokasi = ", ".join(kabs) if kabs else "Provinsi Banten"
        else:
            it.pagu = _round(rng.lognormvariate(20.0, 0.7), 1_000_000) or 1_000_000
            it.target = _target_for(it.item.satuan, rng)
