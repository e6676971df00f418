"""The Forum OPD workbooks: one per OPD and one for the whole region, in Indonesian.

Sheets: Ringkasan (first), Matriks Keselarasan, Usulan Musrenbang & Pokir, RKPD Belum
Tercakup, Pagu per Program. The region workbook has the same sheets with an OPD column
and a per-OPD table in its summary.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from selaras.report.data import ReportData, Table
from selaras.xlsx import NUMBER, Col, Styles, open_workbook, print_setup, write_table

SHEET_SUMMARY = "Ringkasan"
SHEET_MATRIX = "Matriks Keselarasan"
SHEET_USULAN = "Usulan Musrenbang & Pokir"
SHEET_GAPS = "RKPD Belum Tercakup"
SHEET_PAGU = "Pagu per Program"
SHEETS = (SHEET_SUMMARY, SHEET_MATRIX, SHEET_USULAN, SHEET_GAPS, SHEET_PAGU)
REGION = "Semua OPD"

RENJA_STATUS = [
    ("selaras", "Selaras (kode sama)"),
    ("selaras_nama", "Selaras menurut nama (kode perlu diperbaiki)"),
    ("perlu_review", "Perlu review"),
    ("tidak_selaras", "Tidak selaras (tidak ada di RKPD)"),
]
USULAN_STATUS = ["terakomodir", "perlu_review", "tidak_terakomodir"]
CHANNEL_LABEL = {"musrenbang": "Musrenbang", "pokir": "Pokir DPRD"}
NUMBER_NOTE = (
    "Angka ditulis dengan format Indonesia: titik pemisah ribuan, koma desimal. "
    "Warna status: hijau = selaras / terakomodir, kuning = perlu review, merah = tidak selaras / "
    "tidak terakomodir / melebihi pagu."
)

MATRIX_COLS = [
    Col("No", NUMBER, "int", 5),
    Col("Kode Sub Kegiatan (Renja)", "kode_sub_kegiatan", "text", 20),
    Col("Sub Kegiatan (Renja)", "nama_sub_kegiatan", "wrap", 40),
    Col("Lokasi", "lokasi", "text", 18),
    Col("Pagu Renja (Rp)", "pagu", "money", 16),
    Col("Kode RKPD", "kode_rkpd", "text", 20),
    Col("Program / Kegiatan / Sub Kegiatan RKPD", "nama_rkpd", "wrap", 36),
    Col("Prioritas Daerah", "prioritas", "wrap", 30),
    Col("Kode Saran", "kode_saran", "text", 20),
    Col("Status", "status", "status", 15),
    Col("Skor", "score", "score", 7),
    Col("Alasan", "reason", "wrap", 45),
    Col("Diputuskan oleh", "decided_by", "text", 11),
    Col("Sumber (berkas:lembar:baris)", "renja_ref", "text", 30),
]
USULAN_COLS = [
    Col("No", NUMBER, "int", 5),
    Col("ID Usulan", "usulan_ref", "text", 16),
    Col("Jalur", "channel", "text", 11),
    Col("Usulan", "usulan", "wrap", 40),
    Col("Permasalahan / Uraian", "uraian", "wrap", 30),
    Col("Kecamatan", "kecamatan_forum", "text", 15),
    Col("Desa / Kelurahan", "desa", "text", 15),
    Col("Anggaran (Rp)", "anggaran", "money", 15),
    Col("Status", "status", "status", 17),
    # The accommodating row by code and name; its file:sheet:row is in the export.
    Col("Baris Renja Pengakomodasi (kode, sub kegiatan)", "renja_label", "wrap", 44),
    Col("Skor", "score", "score", 7),
    Col("Alasan", "reason", "wrap", 45),
    Col("Diputuskan oleh", "decided_by", "text", 11),
    Col("Sumber (berkas:lembar:baris)", "row_ref", "text", 30),
]
GAP_COLS = [
    Col("No", NUMBER, "int", 5),
    Col("Kode RKPD", "kode_rkpd", "text", 20),
    Col("Program / Kegiatan / Sub Kegiatan", "nama_rkpd", "wrap", 48),
    Col("Prioritas Daerah", "prioritas", "wrap", 34),
    Col("Pagu Indikatif (Rp)", "pagu_indikatif", "money", 18),
    Col("Sumber (berkas:lembar:baris)", "rkpd_ref", "text", 30),
]
PAGU_COLS = [
    Col("No", NUMBER, "int", 5),
    Col("Kode Program", "program_kode", "text", 14),
    Col("Nama Program", "program_nama", "wrap", 40),
    Col("Baris Renja", "jumlah_renja", "int", 9),
    Col("Item RKPD", "jumlah_rkpd", "int", 9),
    Col("Pagu Renja (Rp)", "pagu_renja", "money", 18),
    Col("Pagu Indikatif RKPD (Rp)", "pagu_indikatif", "money", 18),
    Col("Selisih (Rp)", "selisih", "money", 18),
    Col("Status", "status", "status", 16),
]


@dataclass
class Summary:
    renja: Counter = field(default_factory=Counter)
    renja_pagu: Counter = field(default_factory=Counter)
    usulan: Counter = field(default_factory=Counter)  # (channel, status) -> n
    rkpd_total: int = 0
    rkpd_covered: int = 0
    pagu_renja: float = 0.0
    pagu_rkpd: float = 0.0
    programs_over: int = 0
    quarantine: Counter = field(default_factory=Counter)  # (kind, severity) -> rows

    @property
    def renja_total(self) -> int:
        return sum(self.renja.values())

    @property
    def usulan_total(self) -> int:
        return sum(self.usulan.values())

    def usulan_status(self, status: str) -> int:
        return sum(n for (_, s), n in self.usulan.items() if s == status)


def _pct(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def summarise(
    renja: list[tuple],
    usulan: list[tuple],
    rkpd: list[tuple],
    pagu: list[tuple],
    quarantine: list[tuple],
    data: ReportData,
) -> Summary:
    s = Summary()
    ri, ui, ki, pi, qi = (
        data.renja.index,
        data.usulan.index,
        data.rkpd.index,
        data.pagu.index,
        data.quarantine.index,
    )
    for r in renja:
        s.renja[r[ri["status"]]] += 1
        s.renja_pagu[r[ri["status"]]] += r[ri["pagu"]] or 0
    for u in usulan:
        s.usulan[(u[ui["channel"]], u[ui["status"]])] += 1
    s.rkpd_total = len(rkpd)
    s.rkpd_covered = sum(1 for k in rkpd if k[ki["tercakup"]])
    for p in pagu:
        s.pagu_renja += p[pi["pagu_renja"]] or 0
        s.pagu_rkpd += p[pi["pagu_indikatif"]] or 0
        s.programs_over += bool(p[pi["melebihi_pagu"]])
    for q in quarantine:
        s.quarantine[(q[qi["kind"]], q[qi["severity"]])] += q[qi["jumlah"]]
    return s


def _sheet(
    wb,
    styles: Styles,
    name: str,
    cols: list[Col],
    table: Table,
    rows: list[tuple],
    opd_field: str | None,
    highlight: tuple[str, str] | None = None,
    wrap: bool = True,
) -> None:
    """A data sheet; `opd_field` adds an OPD column after No (the region workbook)."""
    ws = wb.add_worksheet(name)
    cols = list(cols)
    if opd_field:
        cols.insert(1, Col("OPD", opd_field, "text", 28))
    if not wrap:  # 50,000 wrapped rows make spreadsheet programs slow to open
        cols = [Col(c.header, c.field, "text" if c.kind == "wrap" else c.kind, c.width) for c in cols]
    write_table(ws, styles, cols, rows, table.index, highlight=highlight)
    print_setup(ws)


def write_forum_workbook(
    path: Path,
    data: ReportData,
    opd: str | None,
    renja: list[tuple],
    usulan: list[tuple],
    rkpd: list[tuple],
    pagu: list[tuple],
    quarantine: list[tuple],
    per_opd: list[tuple[str, Summary]] | None = None,
) -> dict[str, int]:
    """One workbook; opd None is the region. Returns the rows written per sheet."""
    region = opd is None
    wb = open_workbook(path, constant_memory=True)
    wb.set_properties(
        {
            "title": f"Forum OPD {opd or REGION} {data.tahun or ''}".strip(),
            "subject": "Keselarasan Renja - RKPD dan akomodasi usulan",
            "author": "selaras",
            "comments": f"run {data.run_id}",
        }
    )
    styles = Styles(wb)
    summary = summarise(renja, usulan, rkpd, pagu, quarantine, data)
    _write_summary(wb, styles, data, opd or REGION, summary, per_opd)
    tercakup = data.rkpd.index["tercakup"]
    gaps = [k for k in rkpd if not k[tercakup]]
    opd_field = "opd_forum" if region else None
    wrap = not region
    _sheet(wb, styles, SHEET_MATRIX, MATRIX_COLS, data.renja, renja, opd_field, wrap=wrap)
    _sheet(wb, styles, SHEET_USULAN, USULAN_COLS, data.usulan, usulan, opd_field, wrap=wrap)
    _sheet(wb, styles, SHEET_GAPS, GAP_COLS, data.rkpd, gaps, opd_field, wrap=wrap)
    _sheet(
        wb,
        styles,
        SHEET_PAGU,
        PAGU_COLS,
        data.pagu,
        pagu,
        "opd" if region else None,
        highlight=("status", "melebihi_pagu"),
        wrap=wrap,
    )
    wb.close()
    return {SHEET_MATRIX: len(renja), SHEET_USULAN: len(usulan), SHEET_GAPS: len(gaps), SHEET_PAGU: len(pagu)}


def _write_summary(
    wb, styles: Styles, data: ReportData, name: str, s: Summary, per_opd: list[tuple[str, Summary]] | None
) -> None:
    ws = wb.add_worksheet(SHEET_SUMMARY)
    ws.set_column(0, 0, 44)
    ws.set_column(1, 9, 15)
    print_setup(ws, landscape=per_opd is not None)
    k = styles.kinds
    r = 0
    ws.write_string(r, 0, f"Forum Perangkat Daerah: {name}", styles.title)
    r += 1
    ws.write_string(
        r,
        0,
        f"Tahun rencana {data.tahun or '-'} · dibuat {data.generated_at:%d-%m-%Y %H:%M} · run {data.run_id}",
        styles.subtitle,
    )
    r += 2

    r = _renja_section(ws, styles, s, r)
    r = _usulan_section(ws, styles, s, r)
    r = _rkpd_section(ws, styles, s, r)
    r = _pagu_section(ws, styles, s, r)
    r = _quarantine_section(ws, styles, s, r)
    if per_opd is not None:
        ws.write_string(r, 0, "6. Per OPD", styles.section)
        labels = [
            "OPD",
            "Baris Renja",
            "% selaras",
            "Perlu review (Renja + usulan)",
            "Usulan",
            "% terakomodir",
            "RKPD belum tercakup",
            "Program melebihi pagu",
            "Pagu Renja (Rp)",
            "Pagu indikatif (Rp)",
        ]
        _header(ws, styles, r + 1, labels)
        first = r + 2
        r += 2
        for opd, o in per_opd:
            ws.write_string(r, 0, opd, k["text"])
            ws.write_number(r, 1, o.renja_total, k["int"])
            _number(ws, r, 2, _pct(o.renja["selaras"] + o.renja["selaras_nama"], o.renja_total), k["percent"])
            ws.write_number(r, 3, o.renja["perlu_review"] + o.usulan_status("perlu_review"), k["int"])
            ws.write_number(r, 4, o.usulan_total, k["int"])
            _number(ws, r, 5, _pct(o.usulan_status("terakomodir"), o.usulan_total), k["percent"])
            ws.write_number(r, 6, o.rkpd_total - o.rkpd_covered, k["int"])
            ws.write_number(
                r, 7, o.programs_over, styles.status_cell["melebihi_pagu"] if o.programs_over else k["int"]
            )
            ws.write_number(r, 8, o.pagu_renja, k["money"])
            ws.write_number(r, 9, o.pagu_rkpd, k["money"])
            r += 1
        ws.autofilter(first - 1, 0, max(r - 1, first), len(labels) - 1)
        r += 1

    ws.write_string(r, 0, "Catatan", styles.bold)
    notes = [
        f"Lembar '{SHEET_MATRIX}': setiap baris Renja, item RKPD dan prioritas yang dilayaninya, status dan alasan.",
        f"Lembar '{SHEET_USULAN}': usulan yang ditujukan ke OPD, status, baris Renja pengakomodasi dan alasan.",
        f"Lembar '{SHEET_GAPS}': item RKPD OPD yang belum dicakup baris Renja mana pun.",
        f"Lembar '{SHEET_PAGU}': pagu Renja per program terhadap pagu indikatif RKPD (merah = melebihi).",
        "Koreksi hasil pencocokan di workbook review (processed/review/), lalu simpan ke raw/review/.",
        NUMBER_NOTE,
    ]
    for i, note in enumerate(notes, 1):
        ws.set_row(r + i, 27)
        ws.merge_range(r + i, 0, r + i, 7, note, styles.note)
    ws.activate()


def _header(ws, styles: Styles, row: int, labels: list[str]) -> None:
    for c, label in enumerate(labels):
        ws.write_string(row, c, label, styles.header)


def _renja_section(ws, styles: Styles, s: Summary, r: int) -> int:
    """1. Renja rows by alignment status."""
    k = styles.kinds
    ws.write_string(r, 0, "1. Keselarasan Renja dengan RKPD", styles.section)
    _header(ws, styles, r + 1, ["Status", "Baris Renja", "% baris", "Pagu Renja (Rp)"])
    r += 2
    for status, label in RENJA_STATUS:
        ws.write_string(r, 0, label, styles.status_cell[status])
        ws.write_number(r, 1, s.renja[status], k["int"])
        _number(ws, r, 2, _pct(s.renja[status], s.renja_total), k["percent"])
        ws.write_number(r, 3, s.renja_pagu[status], k["money"])
        r += 1
    ws.write_string(r, 0, "Jumlah", styles.bold_kinds["text"])
    ws.write_number(r, 1, s.renja_total, styles.bold_kinds["int"])
    ws.write_number(r, 3, sum(s.renja_pagu.values()), styles.bold_kinds["money"])
    r += 2
    return r


def _usulan_section(ws, styles: Styles, s: Summary, r: int) -> int:
    """2. Proposals by channel and status."""
    k = styles.kinds
    ws.write_string(r, 0, "2. Usulan Musrenbang & Pokir DPRD", styles.section)
    _header(
        ws,
        styles,
        r + 1,
        ["Jalur", "Usulan", "Terakomodir", "Perlu review", "Tidak terakomodir", "% terakomodir"],
    )
    r += 2
    channels = sorted({c for c, _ in s.usulan} | {"musrenbang", "pokir"})
    for channel in channels:
        n = sum(v for (c, _), v in s.usulan.items() if c == channel)
        ws.write_string(r, 0, CHANNEL_LABEL.get(channel, channel), k["text"])
        ws.write_number(r, 1, n, k["int"])
        for c, status in enumerate(USULAN_STATUS, 2):
            ws.write_number(r, c, s.usulan[(channel, status)], styles.status_cell[status])
        _number(ws, r, 5, _pct(s.usulan[(channel, "terakomodir")], n), k["percent"])
        r += 1
    ws.write_string(r, 0, "Jumlah", styles.bold_kinds["text"])
    ws.write_number(r, 1, s.usulan_total, styles.bold_kinds["int"])
    for c, status in enumerate(USULAN_STATUS, 2):
        ws.write_number(r, c, s.usulan_status(status), styles.bold_kinds["int"])
    _number(ws, r, 5, _pct(s.usulan_status("terakomodir"), s.usulan_total), styles.bold_kinds["percent"])
    r += 2
    return r


def _rkpd_section(ws, styles: Styles, s: Summary, r: int) -> int:
    """3. RKPD coverage."""
    k = styles.kinds
    ws.write_string(r, 0, "3. Cakupan RKPD", styles.section)
    _header(ws, styles, r + 1, ["Item RKPD", "Jumlah", "Tercakup Renja", "Belum tercakup", "% tercakup"])
    ws.write_string(r + 2, 0, "Program / kegiatan / sub kegiatan RKPD", k["text"])
    ws.write_number(r + 2, 1, s.rkpd_total, k["int"])
    ws.write_number(r + 2, 2, s.rkpd_covered, styles.status_cell["selaras"])
    ws.write_number(
        r + 2,
        3,
        s.rkpd_total - s.rkpd_covered,
        styles.status_cell["tidak_selaras" if s.rkpd_total > s.rkpd_covered else "selaras"],
    )
    _number(ws, r + 2, 4, _pct(s.rkpd_covered, s.rkpd_total), k["percent"])
    r += 4
    return r


def _pagu_section(ws, styles: Styles, s: Summary, r: int) -> int:
    """4. Renja ceilings against the RKPD."""
    k = styles.kinds
    ws.write_string(r, 0, "4. Pagu Renja terhadap pagu indikatif RKPD", styles.section)
    _header(
        ws,
        styles,
        r + 1,
        ["", "Pagu Renja (Rp)", "Pagu indikatif (Rp)", "Selisih (Rp)", "Program melebihi pagu"],
    )
    ws.write_string(r + 2, 0, "Jumlah semua program", k["text"])
    ws.write_number(r + 2, 1, s.pagu_renja, k["money"])
    ws.write_number(r + 2, 2, s.pagu_rkpd, k["money"])
    ws.write_number(
        r + 2,
        3,
        s.pagu_renja - s.pagu_rkpd,
        styles.status_cell["melebihi_pagu"] if s.pagu_renja > s.pagu_rkpd else k["money"],
    )
    ws.write_number(
        r + 2, 4, s.programs_over, styles.status_cell["melebihi_pagu" if s.programs_over else "dalam_pagu"]
    )
    r += 4
    return r


def _quarantine_section(ws, styles: Styles, s: Summary, r: int) -> int:
    """5. Rows quarantined and flagged in validation."""
    k = styles.kinds
    ws.write_string(
        r, 0, "5. Baris dikarantina (galat) dan ditandai (peringatan) saat validasi", styles.section
    )
    _header(ws, styles, r + 1, ["Jenis berkas", "Galat (dikarantina)", "Peringatan"])
    r += 2
    kinds = sorted({kind for kind, _ in s.quarantine})
    for kind in kinds or ["-"]:
        ws.write_string(r, 0, kind, k["text"])
        ws.write_number(r, 1, s.quarantine[(kind, "error")], k["int"])
        ws.write_number(r, 2, s.quarantine[(kind, "warning")], k["int"])
        r += 1
    r += 1
    return r


def _number(ws, r: int, c: int, value: float | None, fmt) -> None:
    if value is None:
        ws.write_string(r, c, "-", fmt)
    else:
        ws.write_number(r, c, value, fmt)
