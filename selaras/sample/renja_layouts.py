"""Renja workbooks in the layouts agencies actually send:

- `sipd`        SIPD "Format Sub Kegiatan Renja/DPA": flat rows, header in row 1.
- `sipd_title`  the same with a title block, numbering row, money as text, `x.xx` codes
                for the support programme, "0,96" targets and a JUMLAH row.
- `regulasi2`   regulation-like (Permendagri 86/2017): OPD and year only in the title,
                two-row merged header, numbering row, bidang / program / kegiatan group
                rows (program rows carry their pagu as a SUM formula), JUMLAH, signature.
- `regulasi3`   the same with a three-row header (target split into volume / satuan) and
                money as "Rp 1.250.000.000,00" text.
- `split`       agency template: the code over five columns, unpadded (3 | 27 | 3 | 1.01 | 1).
- `csv`         a cp1252 CSV with `;`, Indonesian money text and a TOTAL line.
- `multisheet`  two visible sheets (programmes / support programme) and a hidden reference
                sheet; a hidden row; pagu as `=volume*harga` formulas with cached values;
                dates as Excel date serials; JUMLAH as =SUM.
- `kodenama`    code and name in one cell ("1.01.02.1.01.0010 Rehabilitasi ..."), some
                codes unpadded ("1.1.2.1.1.10").

Each writer sets row_ref and name_cell on the RenjaRows it writes and returns SheetLogs.

May import: this package's catalog, plan and sheets modules.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from selaras.sample import textnoise as tn
from selaras.sample.catalog import Nomenklatur
from selaras.sample.plan import Opd, Plan, RenjaRow
from selaras.sample.sheets import Book, CsvSheet, DateCell, Formula, SheetLog, XlsxSheet

START, END = date(2021, 1, 4), date(2021, 12, 31)


def _sort_key(kode: str) -> tuple:
    return tuple(int(p) if p.isdigit() else -1 for p in kode.split("."))


def grouped(rows: list[RenjaRow], nom: Nomenklatur):
    """("program", kode, nama) / ("kegiatan", kode, nama) / ("row", RenjaRow), in code order."""
    rows = sorted(rows, key=lambda r: (_sort_key(r.group_kode), r.id))
    cur_p = cur_k = None
    for r in rows:
        parts = r.group_kode.split(".")
        p, k = ".".join(parts[:3]), ".".join(parts[:5])
        if p != cur_p:
            yield ("program", p, nom.name_of(p))
            cur_p, cur_k = p, None
        if k != cur_k:
            yield ("kegiatan", k, nom.name_of(k))
            cur_k = k
        yield ("row", r)


def lokasi(row: RenjaRow, style: str, rng: random.Random) -> str:
    if not row.desas:
        return {
            "sipd": "Provinsi Banten, Semua Kabupaten/Kota, Semua Kecamatan",
            "csv": "Prov. Banten",
        }.get(style, "Provinsi Banten")
    kec = row.desas[0].kec
    if style == "sipd":
        return f"{kec.kab.short}, Kec. {kec.nama}, " + ", ".join(
            tn.desa_label(d, rng, "ds") for d in row.desas
        )
    if style == "csv":
        return f"Kec. {kec.nama} \u2013 " + ", ".join(tn.desa_label(d, rng, "ds") for d in row.desas)
    villages = ", ".join(tn.desa_label(d, rng) for d in row.desas)
    return f"{villages} {tn.kec_label(kec, rng, rng.choice(('kec', 'kecamatan')))}"


def _code(row: RenjaRow, style: str = "dotted") -> str:
    if row.kode_written is None:
        return ""
    if style == "lower_x" and row.item.is_support and row.kode_written == row.kode_current:
        return tn.lower_x(row.kode_written)
    if style == "unpadded":
        return tn.unpadded(row.kode_written)
    return row.kode_written


def _target_text(row: RenjaRow) -> str:
    return f"{tn.id_decimal(row.target)} {row.satuan}"


def _pagu_cell(row: RenjaRow, money: str):
    """The pagu as the layout writes it: a number, or Indonesian money text."""
    if row.pagu_text is not None:
        return row.pagu_text
    return row.pagu if money == "number" else tn.rupiah(row.pagu, money)


def _pagu_next_year(row: RenjaRow, money: str):
    """Prakiraan maju: about 5 % more; blank where this year's amount is unusable."""
    if row.bad_rule is not None:
        return ""
    nxt = int(round(row.pagu * 1.05, -3))
    return nxt if money == "number" else tn.rupiah(nxt, money)


def _total(rows: list[RenjaRow]) -> int:
    return sum(r.pagu for r in rows if r.bad_rule is None)


def _mark(sheet: XlsxSheet | CsvSheet, row: RenjaRow, n: int, name_cell: str) -> None:
    row.row_ref = sheet.log.ref(n)
    row.name_cell = name_cell


def _title_block(sh: XlsxSheet, lines: list[str], ncols: int) -> None:
    for line in lines:
        sh.title(line, ncols)
    sh.empty()


def _signature(sh: XlsxSheet, opd: Opd, col: int, rng: random.Random, tahun: int) -> None:
    from selaras.sample.catalog import daerah

    name, nip = rng.choice(daerah()["penandatangan"])
    sh.empty()
    pad = [None] * col
    for text in (
        f"Serang, {rng.randint(2, 27)} Maret {tahun - 1}",
        f"KEPALA {opd.nama.upper()}",
        "PROVINSI BANTEN",
    ):
        sh.row(pad + [text], "note", formats={col: sh.book.f["note"]})
    sh.empty()
    sh.empty()
    sh.row(pad + [name], "note", formats={col: sh.book.f["note"]})
    sh.row(pad + [f"NIP. {nip}"], "note", formats={col: sh.book.f["note"]})


# --- a / SIPD ----------------------------------------------------------------------------

SIPD_COLS = [
    "KODE SUB KEGIATAN",
    "PROGRAM DAN KEGIATAN",
    "TOLAK UKUR CAPAIAN KEG.",
    "TARGET KINERJA CAPAIAN KEG.",
    "TOLAK UKUR KELUARAN",
    "TARGET KINERJA KELUARAN",
    "TOLAK UKUR HASIL",
    "TARGET KINERJA HASIL",
    "SUMBER DANA",
    "LOKASI",
    "KELUARAN SUB KEG.",
    "AWAL PELAKSANAAN",
    "AKHIR PELAKSANAAN",
    "JUMLAH PAGU",
    "KETERANGAN",
]


def write_sipd(
    raw: Path, opd: Opd, rows: list[RenjaRow], plan: Plan, rng: random.Random, titled: bool
) -> list[SheetLog]:
    from selaras.sample.catalog import daerah

    book = Book(raw, opd.file_name)
    sh = book.sheet("Sheet1" if not titled else "Renja")
    f = book.f
    money = "dots" if titled else "number"
    if titled:
        _title_block(
            sh,
            [
                "RENCANA KERJA (RENJA) PERANGKAT DAERAH",
                f"{opd.nama.upper()} PROVINSI BANTEN",
                f"TAHUN ANGGARAN {plan.tahun}",
            ],
            len(SIPD_COLS),
        )
    sh.header([SIPD_COLS], [])
    if titled:
        sh.row([str(i) for i in range(1, len(SIPD_COLS) + 1)], "numbering", fmt=f["numbering"])
    ordered = [x[1] for x in grouped(rows, plan.nom) if x[0] == "row"]
    for r in ordered:
        capaian = (
            "Persentase penunjang urusan perangkat daerah berjalan sesuai standar"
            if r.item.is_support
            else "Persentase capaian kinerja kegiatan"
        )
        cap_target = rng.choice((0.96, 0.9, 1, 0.85))
        values = [
            _code(r, "lower_x" if titled else "dotted"),
            r.nama,
            capaian,
            tn.id_decimal(cap_target) if titled else cap_target,
            r.indikator,
            _target_text(r),
            "",
            "",
            rng.choice(daerah()["sumber_dana_kode"]),
            lokasi(r, "sipd", rng),
            "",
            START.isoformat(),
            END.isoformat(),
            _pagu_cell(r, money),
            r.keterangan,
        ]
        n = sh.row(values, "data", r, fmt=f["cell"], formats={13: f["money"]})
        _mark(sh, r, n, r.nama)
    if titled:
        total = tn.rupiah(_total(rows), money)
        sh.row(["", "JUMLAH"] + [""] * 11 + [total, ""], "subtotal", fmt=f["total"])
    sh.widths([20, 50, 30, 10, 40, 14, 10, 10, 14, 40, 10, 12, 12, 18, 14])
    return book.close()


# --- b / regulation ------------------------------------------------------------------------


def write_regulasi(
    raw: Path, opd: Opd, rows: list[RenjaRow], plan: Plan, rng: random.Random, header_rows: int
) -> list[SheetLog]:
    book = Book(raw, opd.file_name)
    sh = book.sheet(f"Renja {plan.tahun}")
    f = book.f
    t, t1 = plan.tahun, plan.tahun + 1
    three = header_rows == 3
    ncols = 11 if three else 10
    money = "rp_cents" if three else "number"
    _title_block(
        sh,
        [
            f"RENCANA KERJA PERANGKAT DAERAH {opd.nama.upper()} PROVINSI BANTEN TAHUN {t}",
            f"Rumusan Rencana Program dan Kegiatan Perangkat Daerah Tahun {t} dan Prakiraan Maju Tahun {t1}",
        ],
        ncols,
    )
    uraian = "Urusan/Bidang Urusan Pemerintahan Daerah dan Program/Kegiatan/Sub Kegiatan"
    indikator = "Indikator Kinerja Program/Kegiatan/Sub Kegiatan"
    pagu_h = "Kebutuhan Dana/ Pagu Indikatif (Rp)"
    if not three:
        grid = [
            [
                "Kode",
                uraian,
                indikator,
                f"Rencana Tahun {t}",
                None,
                None,
                None,
                "Catatan Penting",
                f"Prakiraan Maju Rencana Tahun {t1}",
                None,
            ],
            [
                None,
                None,
                None,
                "Lokasi",
                "Target Capaian Kinerja",
                pagu_h,
                "Sumber Dana",
                None,
                "Target Capaian Kinerja",
                pagu_h,
            ],
        ]
        merges = [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 1, 2), (0, 3, 0, 6), (0, 7, 1, 7), (0, 8, 0, 9)]
    else:
        grid = [
            [
                "Kode",
                uraian,
                indikator,
                f"Rencana Tahun {t}",
                None,
                None,
                None,
                None,
                "Catatan Penting",
                f"Prakiraan Maju Rencana Tahun {t1}",
                None,
            ],
            [
                None,
                None,
                None,
                "Lokasi",
                "Target Capaian Kinerja",
                None,
                pagu_h,
                "Sumber Dana",
                None,
                "Target Capaian Kinerja",
                pagu_h,
            ],
            [None, None, None, None, "Volume", "Satuan", None, None, None, None, None],
        ]
        merges = [
            (0, 0, 2, 0),
            (0, 1, 2, 1),
            (0, 2, 2, 2),
            (0, 3, 0, 7),
            (1, 3, 2, 3),
            (1, 4, 1, 5),
            (1, 6, 2, 6),
            (1, 7, 2, 7),
            (0, 8, 2, 8),
            (0, 9, 0, 10),
            (1, 9, 2, 9),
            (1, 10, 2, 10),
        ]
    sh.header(grid, merges)
    sh.row([f"({i})" if three else i for i in range(1, ncols + 1)], "numbering", fmt=f["numbering"])
    pagu_col = 6 if three else 5
    sh.row([opd.bidang, plan.nom.name_of(opd.bidang)], "group", fmt=f["group"])
    data_rows_of_program: dict[int, list[tuple[int, int]]] = {}
    program_row = None
    for entry in grouped(rows, plan.nom):
        if entry[0] == "program":
            # pagu filled in after its rows are known (program subtotal), see below
            program_row = sh.row([entry[1], entry[2].upper()], "group", fmt=f["group"])
            data_rows_of_program[program_row] = []
            continue
        if entry[0] == "kegiatan":
            sh.row([entry[1], entry[2]], "group", fmt=f["group"])
            continue
        r = entry[1]
        target = [tn.id_decimal(r.target), r.satuan] if three else [_target_text(r)]
        values = [
            _code(r),
            r.nama,
            r.indikator,
            lokasi(r, "reg", rng),
            *target,
            _pagu_cell(r, money),
            r.sumber_dana,
            r.keterangan,
            _target_text(r),
            _pagu_next_year(r, money),
        ]
        n = sh.row(
            values,
            "data",
            r,
            fmt=f["cell"],
            formats={pagu_col: f["money"], ncols - 1: f["money"]},
            hidden=r.hidden,
        )
        _mark(sh, r, n, r.nama)
        if r.bad_rule is None:
            data_rows_of_program[program_row].append((n, r.pagu))
    if not three:
        # Program rows show their pagu as a SUM of their sub kegiatan (cached value kept).
        col = chr(ord("A") + pagu_col)
        for prow, items in data_rows_of_program.items():
            refs = ",".join(f"{col}{n}" for n, _ in items)
            sh.ws.write_formula(
                prow - 1,
                pagu_col,
                f"=SUM({refs})" if refs else "=0",
                f["group_money"],
                sum(v for _, v in items),
            )
    total = _total(rows)
    jumlah = [""] * ncols
    jumlah[1] = "JUMLAH"
    jumlah[pagu_col] = total if money == "number" else tn.rupiah(total, money)
    sh.row(jumlah, "subtotal", fmt=f["total"])
    _signature(sh, opd, ncols - 3, rng, plan.tahun)
    sh.widths([18, 55, 40, 30, 12, 12, 18, 14, 16, 12, 18])
    return book.close()


# --- c / code split over columns --------------------------------------------------------


def write_split(raw: Path, opd: Opd, rows: list[RenjaRow], plan: Plan, rng: random.Random) -> list[SheetLog]:
    book = Book(raw, opd.file_name)
    sh = book.sheet("RENJA")
    f = book.f
    _title_block(
        sh,
        ["RANCANGAN RENCANA KERJA (RENJA)", f"{opd.nama.upper()} PROVINSI BANTEN", f"TAHUN {plan.tahun}"],
        13,
    )
    grid = [
        [
            "KODE",
            None,
            None,
            None,
            None,
            "URAIAN PROGRAM/KEGIATAN/SUB KEGIATAN",
            "INDIKATOR KINERJA",
            "TARGET",
            "SATUAN",
            "LOKASI",
            "PAGU INDIKATIF (Rp)",
            "SUMBER DANA",
            "KET.",
        ],
        ["URS", "BID", "PROG", "KEG", "SUB KEG", None, None, None, None, None, None, None, None],
    ]
    merges = [(0, 0, 0, 4)] + [(0, c, 1, c) for c in range(5, 13)]
    sh.header(grid, merges)
    sh.row(list(range(1, 14)), "numbering", fmt=f["numbering"])
    for entry in grouped(rows, plan.nom):
        if entry[0] in ("program", "kegiatan"):
            name = entry[2].upper() if entry[0] == "program" else entry[2]
            sh.row(tn.split_code(entry[1]) + [name], "group", fmt=f["group"])
            continue
        r = entry[1]
        target: float | str = r.target
        satuan = r.satuan
        if r.item.is_support and r.kamus is None and rng.random() < 0.4:
            target, satuan = tn.id_decimal(rng.choice((0.96, 0.9, 0.85))), "Persen"
        values = tn.split_code(r.kode_written) + [
            r.nama,
            r.indikator,
            target,
            satuan,
            lokasi(r, "reg", rng),
            _pagu_cell(r, "number"),
            r.sumber_dana,
            r.keterangan,
        ]
        n = sh.row(values, "data", r, fmt=f["cell"], formats={10: f["money"]})
        _mark(sh, r, n, r.nama)
    r0 = sh.next
    sh.row(["JUMLAH"] + [None] * 9 + [_total(rows)], "subtotal", fmt=f["total"])
    sh.ws.merge_range(r0, 0, r0, 5, "JUMLAH", f["total"])
    sh.widths([5, 5, 6, 6, 7, 55, 40, 8, 10, 30, 18, 14, 12])
    return book.close()


# --- d / cp1252 CSV ---------------------------------------------------------------------

CSV_COLS = [
    "Kode Sub Kegiatan",
    "Nama Sub Kegiatan",
    "Indikator Keluaran",
    "Target",
    "Satuan",
    "Lokasi",
    "Pagu Indikatif (Rp)",
    "Sumber Dana",
    "Keterangan",
]


def write_csv(raw: Path, opd: Opd, rows: list[RenjaRow], plan: Plan, rng: random.Random) -> list[SheetLog]:
    sh = CsvSheet(raw, opd.file_name, encoding="cp1252", delimiter=";")
    sh.row(CSV_COLS, "header")
    for r in (x[1] for x in grouped(rows, plan.nom) if x[0] == "row"):
        money = rng.choice(("rp_cents", "dots", "rp"))
        values = [
            _code(r),
            r.nama,
            r.indikator,
            tn.id_decimal(r.target),
            r.satuan,
            lokasi(r, "csv", rng),
            _pagu_cell(r, money),
            r.sumber_dana,
            r.keterangan,
        ]
        n = sh.row(values, "data", r)
        _mark(sh, r, n, r.nama)
    sh.row(["", "TOTAL", "", "", "", "", tn.rupiah(_total(rows), "rp_cents"), "", ""], "subtotal")
    return sh.close()


# --- e / several sheets, hidden sheet and row, formulas, dates -----------------------------


def write_multisheet(
    raw: Path, opd: Opd, rows: list[RenjaRow], plan: Plan, rng: random.Random
) -> list[SheetLog]:
    from selaras.sample.catalog import daerah

    book = Book(raw, opd.file_name)
    f = book.f
    main = [r for r in rows if not r.item.is_support]
    support = [r for r in rows if r.item.is_support]

    sh = book.sheet(f"Renja {opd.singkatan} {plan.tahun}")
    _title_block(
        sh, [f"RANCANGAN RENJA {opd.nama.upper()} PROVINSI BANTEN", f"TAHUN ANGGARAN {plan.tahun}"], 13
    )
    grid = [
        [
            "No",
            "Kode",
            "Program/Kegiatan/Sub Kegiatan",
            "Indikator Kinerja",
            "Target",
            None,
            "Harga Satuan (Rp)",
            "Pagu (Rp)",
            "Lokasi",
            "Waktu Pelaksanaan",
            None,
            "Sumber Dana",
            "Keterangan",
        ],
        [None, None, None, None, "Volume", "Satuan", None, None, None, "Mulai", "Selesai", None, None],
    ]
    merges = [(0, c, 1, c) for c in (0, 1, 2, 3, 6, 7, 8, 11, 12)] + [(0, 4, 0, 5), (0, 9, 0, 10)]
    sh.header(grid, merges)
    first_data = None
    no = 0
    for entry in grouped(main, plan.nom):
        if entry[0] in ("program", "kegiatan"):
            sh.row(
                ["", entry[1], entry[2].upper() if entry[0] == "program" else entry[2]],
                "group",
                fmt=f["group"],
            )
            continue
        r = entry[1]
        no += 1
        n_row = sh.row_no
        first_data = first_data or n_row
        if r.harga_satuan and r.bad_rule is None:
            pagu = Formula(f"=E{n_row}*G{n_row}", r.pagu)
            harga: int | str = r.harga_satuan
        else:
            pagu, harga = _pagu_cell(r, "number"), ""
        values = [
            no,
            _code(r),
            r.nama,
            r.indikator,
            r.target,
            r.satuan,
            harga,
            pagu,
            lokasi(r, "reg", rng),
            DateCell(START),
            DateCell(END),
            r.sumber_dana,
            r.keterangan,
        ]
        n = sh.row(
            values,
            "data",
            r,
            fmt=f["cell"],
            formats={6: f["money"], 7: f["money"], 9: f["date"], 10: f["date"]},
            hidden=r.hidden,
        )
        _mark(sh, r, n, r.nama)
    last = sh.row_no - 1
    total = _total(main)
    sh.row(
        ["", "", "JUMLAH", "", "", "", "", Formula(f"=SUBTOTAL(9,H{first_data}:H{last})", total)],
        "subtotal",
        fmt=f["total"],
    )
    sh.widths([5, 20, 55, 40, 8, 10, 14, 18, 30, 11, 11, 14, 14])

    sp = book.sheet("Penunjang")
    sp.title(f"PROGRAM PENUNJANG URUSAN PEMERINTAHAN DAERAH PROVINSI - {opd.nama.upper()}", 8)
    sp.header(
        [["Kode", "Sub Kegiatan", "Indikator", "Target", "Satuan", "Pagu (Rp)", "Sumber Dana", "Keterangan"]],
        [],
    )
    first = sp.row_no
    for r in (x[1] for x in grouped(support, plan.nom) if x[0] == "row"):
        values = [
            _code(r),
            r.nama,
            r.indikator,
            r.target,
            r.satuan,
            _pagu_cell(r, "number"),
            r.sumber_dana,
            r.keterangan,
        ]
        n = sp.row(values, "data", r, fmt=f["cell"], formats={5: f["money"]}, hidden=r.hidden)
        _mark(sp, r, n, r.nama)
    sp.row(
        ["", "JUMLAH", "", "", "", Formula(f"=SUM(F{first}:F{sp.row_no - 1})", _total(support))],
        "subtotal",
        fmt=f["total"],
    )
    sp.widths([20, 55, 40, 8, 10, 18, 14, 14])

    ref = book.sheet("Ref", hidden=True, status="no_header")
    ref.row(["DAFTAR SUMBER DANA"], "title")
    for i, s in enumerate(daerah()["sumber_dana"], start=1):
        ref.row([i, s], "note")
    return book.close()


# --- f / code and name in one cell ------------------------------------------------------


def write_kodenama(
    raw: Path, opd: Opd, rows: list[RenjaRow], plan: Plan, rng: random.Random
) -> list[SheetLog]:
    book = Book(raw, opd.file_name)
    sh = book.sheet("Lampiran")
    f = book.f
    cols = [
        "NO",
        "PROGRAM/KEGIATAN/SUB KEGIATAN",
        "INDIKATOR KINERJA",
        "TARGET",
        "LOKASI",
        "PAGU INDIKATIF (Rp)",
        "SUMBER DANA",
        "KETERANGAN",
    ]
    _title_block(sh, [f"RENCANA KERJA {opd.nama.upper()} PROVINSI BANTEN", f"TAHUN {plan.tahun}"], len(cols))
    sh.header([cols], [])
    sh.row([f"({i})" for i in range(1, len(cols) + 1)], "numbering", fmt=f["numbering"])
    no = 0
    for entry in grouped(rows, plan.nom):
        if entry[0] in ("program", "kegiatan"):
            name = entry[2].upper() if entry[0] == "program" else entry[2]
            sh.row(["", f"{entry[1]} {name}"], "group", fmt=f["group"])
            continue
        r = entry[1]
        no += 1
        code = _code(r, "unpadded" if rng.random() < 0.3 else "dotted")
        cell = f"{code} {r.nama}" if code else r.nama
        values = [
            no,
            cell,
            r.indikator,
            _target_text(r),
            lokasi(r, "reg", rng),
            _pagu_cell(r, "number"),
            r.sumber_dana,
            r.keterangan,
        ]
        n = sh.row(values, "data", r, fmt=f["cell"], formats={5: f["money"]})
        _mark(sh, r, n, cell)
    sh.row(["", "JUMLAH", "", "", "", _total(rows)], "subtotal", fmt=f["total"])
    sh.widths([5, 70, 40, 14, 30, 18, 14, 14])
    return book.close()


def write_renja(raw: Path, opd: Opd, rows: list[RenjaRow], plan: Plan, rng: random.Random) -> list[SheetLog]:
    layout = opd.layout
    if layout in ("sipd", "sipd_title"):
        return write_sipd(raw, opd, rows, plan, rng, titled=layout == "sipd_title")
    if layout in ("regulasi2", "regulasi3"):
        return write_regulasi(raw, opd, rows, plan, rng, header_rows=int(layout[-1]))
    return {
        "split": write_split,
        "csv": write_csv,
        "multisheet": write_multisheet,
        "kodenama": write_kodenama,
    }[layout](raw, opd, rows, plan, rng)


LAYOUTS = ("sipd", "sipd_title", "regulasi2", "regulasi3", "split", "csv", "multisheet", "kodenama")
