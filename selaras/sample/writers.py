"""The other input files: RKPD, the two nomenclature versions, regions, OPD list, and the
musrenbang and pokir proposal lists. Large lists are written with xlsxwriter's
constant_memory mode (rows strictly in order) or as CSV.

May import: this package's catalog, plan and sheets modules, openpyxl, xlsxwriter.
"""

from __future__ import annotations

import random
from itertools import groupby
from pathlib import Path

from selaras.sample import textnoise as tn
from selaras.sample.catalog import Kamus, NomItem, daerah, load_yaml
from selaras.sample.plan import Opd, Plan, Usulan
from selaras.sample.sheets import Book, CsvSheet, Formula, SheetLog

RKPD_FILE = "rkpd/RKPD_Provinsi_Banten_2021_Rancangan_Akhir.xlsx"
NOMEN_FILE = "nomenklatur/nomenklatur_sipd_2021.xlsx"
NOMEN_OLD_FILE = "nomenklatur/nomenklatur_lampiran_provinsi_2020.xlsx"
WILAYAH_FILE = "wilayah/kode_wilayah_banten.xlsx"
OPD_FILE = "opd/daftar_opd_provinsi_banten.xlsx"
MUSRENBANG_XLSX = "musrenbang/usulan_musrenbang_rkpd_banten_2021.xlsx"
MUSRENBANG_CSV = "musrenbang/usulan_sipd_kabkota_2021.csv"
POKIR_FILE = "pokir/pokir_dprd_provinsi_banten_2021.xlsx"


def _sort_key(kode: str) -> tuple:
    return tuple(int(p) if p.isdigit() else -1 for p in kode.split("."))


# --- RKPD ------------------------------------------------------------------------------


def write_rkpd(raw: Path, plan: Plan, rng: random.Random) -> list[SheetLog]:
    """Permendagri-style 'Rencana Program dan Kegiatan Prioritas Daerah' table."""
    prios = daerah()["prioritas"]
    book = Book(raw, RKPD_FILE)
    f = book.f
    sh = book.sheet(f"RKPD {plan.tahun}")
    ncols = 9
    for line in (
        f"RANCANGAN AKHIR RENCANA KERJA PEMERINTAH DAERAH (RKPD) PROVINSI BANTEN TAHUN {plan.tahun}",
        f"Tabel 5.1 Rencana Program dan Kegiatan Prioritas Daerah Tahun {plan.tahun}",
    ):
        sh.title(line, ncols)
    sh.empty()
    grid = [
        [
            "Kode",
            "Urusan/Bidang Urusan/Program/Kegiatan/Sub Kegiatan",
            "Prioritas Daerah",
            "Sasaran Daerah",
            "Lokasi",
            "Indikator Kinerja",
            None,
            "Pagu Indikatif (Rp)",
            "Perangkat Daerah Penanggung Jawab",
        ],
        [None, None, None, None, None, "Tolok Ukur", "Target", None, None],
    ]
    merges = [(0, c, 1, c) for c in (0, 1, 2, 3, 4, 7, 8)] + [(0, 5, 0, 6)]
    sh.header(grid, merges)
    sh.row(list(range(1, ncols + 1)), "numbering", fmt=f["numbering"])
    first = sh.row_no
    items = sorted(plan.rkpd, key=lambda it: (it.prioritas, _sort_key(it.kode), it.opd.key))
    for p_idx, group in groupby(items, key=lambda it: it.prioritas):
        p = prios[p_idx]
        r0 = sh.next
        sh.row([f"PRIORITAS {p_idx + 1}: {p['nama'].upper()}"], "group", fmt=f["group"])
        sh.ws.merge_range(r0, 0, r0, ncols - 1, f"PRIORITAS {p_idx + 1}: {p['nama'].upper()}", f["group"])
        cur_prog = cur_keg = None
        for it in group:
            prog, keg = ".".join(it.kode.split(".")[:3]), ".".join(it.kode.split(".")[:5])
            if prog != cur_prog:
                sh.row([prog, plan.nom.name_of(prog).upper()], "group", fmt=f["group"])
                cur_prog, cur_keg = prog, None
            if keg != cur_keg:
                sh.row([keg, plan.nom.name_of(keg)], "group", fmt=f["group"])
                cur_keg = keg
            values = [
                it.kode,
                it.item.nama,
                f"{p_idx + 1}. {p['nama']}",
                p["sasaran"],
                it.lokasi,
                it.item.indikator or "",
                f"{tn.id_decimal(it.target)} {it.satuan}",
                it.pagu,
                it.opd.nama,
            ]
            n = sh.row(values, "data", it, fmt=f["cell"], formats={7: f["money"]})
            it.row_ref = sh.log.ref(n)
    last = sh.row_no - 1
    total = sum(it.pagu for it in plan.rkpd)
    sh.row(
        ["", "JUMLAH", "", "", "", "", "", Formula(f"=SUM(H{first}:H{last})", total), ""],
        "subtotal",
        fmt=f["total"],
    )
    sh.widths([18, 55, 30, 30, 30, 40, 14, 18, 30])
    return book.close()


# --- nomenclature ------------------------------------------------------------------------


def _code_name(nom_items: dict[str, NomItem], kode: str) -> str:
    return f"{kode} {nom_items[kode].nama}"


def write_nomenklatur(raw: Path, plan: Plan, rng: random.Random) -> list[SheetLog]:
    """Current version as the SIPD export lays it out: one row per sub kegiatan and
    indikator, code and name in one cell, `X.XX.01` support programme."""
    nom = plan.nom
    items = nom.items
    nama_lama = load_yaml("nomenklatur.yaml")["nama_lama"]
    book = Book(raw, NOMEN_FILE)
    sh = book.sheet("Worksheet")
    cols = [
        "JENIS PEMDA",
        "BIDANG",
        "PROGRAM",
        "KEGIATAN",
        "SUBKEGIATAN",
        "KINERJA",
        "INDIKATOR",
        "SATUAN",
        "TAG",
        "SPM",
        "JENIS",
        "SUBKEGIATAN SEBELUMNYA",
    ]
    sh.header([cols], [])
    subs = [i for i in items.values() if i.level == "sub_kegiatan"]
    for n_item, it in enumerate(subs):
        parts = it.kode.split(".")
        bidang, prog, keg = ".".join(parts[:2]), ".".join(parts[:3]), ".".join(parts[:5])
        bidang_cell = "X.XX SEMUA BIDANG URUSAN" if it.is_support else _code_name(items, bidang)
        if it.kode in nom.old_code:
            old = nom.old_code[it.kode]
            sebelumnya = f"{old} {nom.old_items[old].nama}"
        elif it.kode in nama_lama:
            sebelumnya = f"{it.kode} {nama_lama[it.kode]}"
        else:
            sebelumnya = ""
        kinerja = (it.indikator or it.nama).removeprefix("Jumlah ").removeprefix("Panjang ")
        spm = "SPM" if bidang in ("1.01", "1.02") and not it.is_support else "NON-SPM"
        jenis = "Aktifitas" if it.is_support else "Layanan"
        indikators = [(it.indikator or "", it.satuan or "")]
        if n_item % 6 == 3:  # some items carry a second indicator: the row repeats
            indikators.append((f"Persentase {kinerja} yang Sesuai Standar", "Persen"))
        for ind, sat in indikators:
            sh.row(
                [
                    "PROV",
                    bidang_cell,
                    _code_name(items, prog),
                    _code_name(items, keg),
                    f"{it.kode} {it.nama}",
                    kinerja,
                    ind,
                    sat,
                    "[null]",
                    spm,
                    jenis,
                    sebelumnya,
                ],
                "data",
                it,
            )
    sh.widths([8, 40, 50, 50, 60, 40, 50, 10, 8, 8, 10, 50])
    return book.close()


def _pdf_whitespace(name: str, rng: random.Random) -> str:
    """Names converted from the regulation's PDF: runs of spaces, a line break."""
    x = rng.random()
    if x < 0.06:
        return name.replace(" ", "      ", 2)
    if x < 0.09 and " " in name:
        head, _, tail = name.rpartition(" ")
        return f"{head}\n{tail}"
    return name


def write_nomenklatur_lama(raw: Path, plan: Plan, rng: random.Random) -> list[SheetLog]:
    """The previous version as the regulation's lampiran: every level on its own row, the
    code over five unpadded columns."""
    nom = plan.nom
    book = Book(raw, NOMEN_OLD_FILE)
    f = book.f
    sh = book.sheet("Lampiran I")
    for line in (
        "LAMPIRAN I PERATURAN MENTERI DALAM NEGERI NOMOR 90 TAHUN 2019",
        "KLASIFIKASI, KODEFIKASI DAN NOMENKLATUR PERENCANAAN PEMBANGUNAN DAN KEUANGAN DAERAH - PROVINSI "
        f"(VERSI {nom.versi_lama})",
    ):
        sh.title(line, 9)
    sh.empty()
    grid = [
        ["KODE", None, None, None, None, "NOMENKLATUR URUSAN PROVINSI", "KINERJA", "INDIKATOR", "SATUAN"],
        ["URUSAN", "BIDANG URUSAN", "PROGRAM", "KEGIATAN", "SUB KEGIATAN", None, None, None, None],
    ]
    merges = [(0, 0, 0, 4)] + [(0, c, 1, c) for c in range(5, 9)]
    sh.header(grid, merges)
    sh.row([f"({i})" for i in range(1, 10)], "numbering", fmt=f["numbering"])
    for it in nom.old_items.values():
        name = (
            it.nama.upper() if it.level in ("urusan", "bidang", "program") else _pdf_whitespace(it.nama, rng)
        )
        extra = [(it.indikator or "").removeprefix("Jumlah "), it.indikator or "", it.satuan or ""]
        if it.level != "sub_kegiatan":
            extra = ["", "", ""]
        fmt = f["group"] if it.level in ("urusan", "bidang") else f["cell"]
        sh.row(tn.split_code(it.kode) + [name] + extra, "data", it, fmt=fmt)
    sh.widths([7, 7, 8, 8, 8, 70, 40, 50, 10])
    return book.close()


# --- regions and OPDs ----------------------------------------------------------------------


def write_wilayah(raw: Path, plan: Plan, constant_memory: bool = False) -> list[SheetLog]:
    w = plan.wilayah
    book = Book(raw, WILAYAH_FILE, constant_memory=constant_memory)
    sh = book.sheet("wilayah")
    sh.row(["KODE DAN NAMA WILAYAH ADMINISTRASI PEMERINTAHAN PROVINSI BANTEN"], "title", fmt=book.f["title"])
    sh.empty()
    sh.row(["KODE", "NAMA", "TINGKAT"], "header", fmt=book.f["header"])
    sh.row([w.provinsi[0], w.provinsi[1], "Provinsi"], "data")
    for kab in w.kabs:
        sh.row([kab.kode, kab.nama, "Kabupaten/Kota"], "data")
    for kec in sorted(w.kecs, key=lambda k: k.kode):
        sh.row([kec.kode, kec.nama, "Kecamatan"], "data")
        for d in (x for x in w.desas if x.kec is kec):
            sh.row([d.kode, d.nama, "Kelurahan" if d.kelurahan else "Desa"], "data")
    sh.widths([16, 30, 16])
    return book.close()


def write_opd(raw: Path, plan: Plan) -> list[SheetLog]:
    book = Book(raw, OPD_FILE)
    sh = book.sheet("OPD")
    sh.row(["KODE SKPD", "NAMA SKPD", "SINGKATAN"], "header", fmt=book.f["header"])
    for o in plan.opds:
        sh.row([o.kode, o.nama, o.singkatan], "data", o)
    sh.widths([26, 50, 14])
    return book.close()


# --- proposals -------------------------------------------------------------------------------


def opd_label(o: Opd, rng: random.Random) -> str:
    short = {"DPUPR": "Dinas PUPR", "DINDIK": "Dindikbud"}.get(o.key, o.singkatan)
    return rng.choice((o.nama, o.nama, short, f"{o.nama} Provinsi Banten", o.nama.upper()))


def _masalah(u: Usulan, rng: random.Random) -> str:
    text = rng.choice(u.kamus.masalah).format(
        alamat=u.alamat, desa=u.desa.nama, kec=u.desa.kec.nama, vol=u.volume, sat=u.kamus.satuan[0].lower()
    )
    return tn.typo(text, rng) if rng.random() < 0.1 else text


def _koefisien(u: Usulan, rng: random.Random) -> str:
    return f"{tn.id_decimal(u.volume)} {rng.choice(u.kamus.satuan)}"


def _pengusul_musrenbang(u: Usulan, rng: random.Random) -> str:
    d, kec = u.desa, u.desa.kec
    head = f"Lurah {d.nama}" if d.kelurahan else f"Kepala Desa {d.nama}"
    return rng.choice(
        (head, f"Camat {kec.nama}", f"Musrenbang Kec. {kec.nama}", f"Musrenbang Kab/Kota - {kec.kab.short}")
    )


def _amount(u: Usulan, style: str):
    if u.anggaran_text is not None:
        return u.anggaran_text
    return u.anggaran if style == "number" else tn.rupiah(u.anggaran, style)


def write_musrenbang_xlsx(raw: Path, plan: Plan, rng: random.Random, constant_memory: bool) -> list[SheetLog]:
    book = Book(raw, MUSRENBANG_XLSX, constant_memory=constant_memory)
    sh = book.sheet("Usulan")
    cols = [
        "no",
        "pengusul",
        "usulan",
        "permasalahan",
        "alamat",
        "kecamatan",
        "kelurahan/desa",
        "skpd_tujuan",
        "koefisien",
        "anggaran",
        "id_usulan",
        "tanggal_usul",
        "jenis",
    ]
    sh.row(
        [f"DAFTAR USULAN HASIL MUSRENBANG KABUPATEN/KOTA UNTUK RKPD PROVINSI BANTEN TAHUN {plan.tahun}"],
        "title",
        fmt=book.f["title"],
    )
    sh.row(["Sumber: SIPD - Modul Usulan (diunduh untuk Forum Perangkat Daerah)"], "title")
    sh.empty()
    sh.row(cols, "header", fmt=book.f["header"])
    mine = sorted(
        (u for u in plan.usulan if u.slot == "musrenbang_xlsx"),
        key=lambda u: (u.desa.kec.kode, u.desa.kode, u.id),
    )
    for no, u in enumerate(mine, start=1):
        masalah = u.text_prefix + _masalah(u, rng)
        desa = tn.desa_label(u.desa, rng, rng.choice(("bare", "bare", "ds", "desa", "upper")))
        kec = tn.kec_label(u.desa.kec, rng, rng.choice(("bare", "bare", "kec", "upper")))
        if rng.random() < 0.03:
            desa = tn.typo(desa, rng)
        tanggal = 43850 + rng.randint(0, 40)  # Excel serial (Jan-Feb 2020), general format
        values = [
            no,
            _pengusul_musrenbang(u, rng),
            u.kamus.usulan,
            masalah,
            u.alamat,
            kec,
            desa,
            opd_label(u.opd, rng),
            _koefisien(u, rng),
            _amount(u, "number"),
            int(u.usulan_id),
            tanggal,
            u.kamus.jenis,
        ]
        n = sh.row(values, "data", u)
        u.row_ref, u.text_cell = sh.log.ref(n), u.kamus.usulan
    return book.close()


def write_musrenbang_csv(raw: Path, plan: Plan, rng: random.Random) -> list[SheetLog]:
    """SIPD field names, UTF-8 with BOM, comma separated, money as text."""
    sh = CsvSheet(raw, MUSRENBANG_CSV, encoding="utf-8-sig", delimiter=",")
    sh.row(
        [
            "id_usulan",
            "jenis_usul_teks",
            "detail_gagasan",
            "masalah",
            "alamat_teks",
            "detail_camatteks",
            "detail_lurahteks",
            "nama_skpd",
            "koefisien",
            "anggaran",
        ],
        "header",
    )
    for u in sorted((u for u in plan.usulan if u.slot == "musrenbang_csv"), key=lambda u: u.id):
        camat, lurah = u.desa.kec.nama, u.desa.nama
        alamat = u.alamat
        if rng.random() < 0.05:  # the place only in the address text
            alamat = f"{u.alamat} {tn.desa_label(u.desa, rng, 'ds')} {tn.kec_label(u.desa.kec, rng, 'kec')}"
            camat = lurah = ""
        values = [
            u.usulan_id,
            u.kamus.jenis,
            u.kamus.usulan,
            u.text_prefix + _masalah(u, rng),
            alamat,
            camat,
            lurah,
            opd_label(u.opd, rng),
            _koefisien(u, rng),
            _amount(u, rng.choice(("spaced", "dots", "number"))),
        ]
        n = sh.row(values, "data", u)
        u.row_ref, u.text_cell = sh.log.ref(n), u.kamus.usulan
    return sh.close()


def _pokir_text(k: Kamus, u: Usulan, rng: random.Random) -> str:
    text = rng.choice(k.pokir)
    if rng.random() < 0.3:
        text = f"{text} {tn.desa_label(u.desa, rng, 'ds')}"
    return tn.noisy(text, rng, 0.6)


def write_pokir(raw: Path, plan: Plan, rng: random.Random, constant_memory: bool) -> list[SheetLog]:
    d = daerah()
    book = Book(raw, POKIR_FILE, constant_memory=constant_memory)
    sh = book.sheet("Pokir")
    sh.row(
        [f"REKAPITULASI POKOK-POKOK PIKIRAN DPRD PROVINSI BANTEN TAHUN {plan.tahun}"],
        "title",
        fmt=book.f["title"],
    )
    sh.row(
        [
            "id_usulan",
            "pengusul",
            "usulan",
            "masalah",
            "alamat_lokasi",
            "kecamatan",
            "kelurahan",
            "opd_tujuan",
            "volume",
            "satuan",
            "anggaran",
        ],
        "header",
        fmt=book.f["header"],
    )
    for u in sorted((u for u in plan.usulan if u.slot == "pokir"), key=lambda u: u.id):
        text = u.text_prefix + _pokir_text(u.kamus, u, rng)
        kec, kel = u.desa.kec.nama, u.desa.nama
        lokasi = f"{u.alamat}, {tn.desa_label(u.desa, rng, 'ds')} {tn.kec_label(u.desa.kec, rng, 'kec')}"
        if rng.random() < 0.12:  # location only in the free-text address
            kec = kel = ""
        elif rng.random() < 0.4:
            lokasi = u.alamat
        pengusul = f"{rng.choice(d['fraksi'])} / {rng.choice(d['anggota_dprd'])}"
        amount = _amount(u, rng.choice(("number", "number", "number", "rp_dot", "jt")))
        values = [
            u.usulan_id,
            pengusul,
            text,
            _masalah(u, rng),
            lokasi,
            kec,
            kel,
            opd_label(u.opd, rng),
            u.volume,
            rng.choice(u.kamus.satuan),
            amount,
        ]
        n = sh.row(values, "data", u)
        u.row_ref, u.text_cell = sh.log.ref(n), text
    return book.close()
