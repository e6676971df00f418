"""The layout corpus (issue 11): real-world variants of planning spreadsheets, written at
test time from the real rows in ../shared/data (names, codes, amounts) into a data folder.
Each variant states the rows it expects loaded (staged), quarantined (CSV lines that
cannot be split into columns) and skipped (title, header, group, subtotal ...): a file
refused or a row lost fails the test. Nothing here is copied into the repository."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import xlsxwriter


@dataclass(frozen=True)
class Expected:
    loaded: int
    quarantined: int
    skipped: int


@dataclass(frozen=True)
class Variant:
    name: str
    path: str  # under raw/
    build: Callable[[Path, Path], Expected]  # (target file, shared data folder) -> expected counts


def rows_of(shared: Path, name: str, n: int | None = None) -> list[dict[str, str]]:
    with (shared / name).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return rows[:n] if n else rows


def renja_rows(shared: Path, n: int) -> list[dict[str, str]]:
    return rows_of(shared, "pasangkayu_renja2024_sub_kegiatan.csv", n)


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ";") -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator="\n").writerows(rows)


def write_xlsx(path: Path, rows: list[list], merges: list[tuple[int, int, int, int, str]] = ()) -> None:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Sheet1")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value not in (None, ""):
                ws.write(r, c, value)
    for r0, c0, r1, c1, label in merges:
        ws.merge_range(r0, c0, r1, c1, label)
    wb.close()


def write_ods(path: Path, rows: list[list]) -> None:
    """A one-sheet ODS (no ODS writer is installed: the XML is written by hand)."""
    body = []
    for row in rows:
        cells = []
        for v in row:
            if v in (None, ""):
                cells.append("<table:table-cell/>")
            elif isinstance(v, int | float):
                cells.append(
                    f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p>'
                    "</table:table-cell>"
                )
            else:
                cells.append(
                    f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p>'
                    "</table:table-cell>"
                )
        body.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Renja">'
        + "".join(body)
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)


# ---------------------------------------------------------------------------------------
# The variants


def sipd_title_opd(path: Path, shared: Path) -> Expected:
    """A SIPD Renja export with the OPD only in the title block."""
    data = renja_rows(shared, 20)
    rows = [
        ["RENCANA KERJA PERANGKAT DAERAH"],
        ["DINAS PEKERJAAN UMUM DAN PENATAAN RUANG KABUPATEN PASANGKAYU"],
        ["TAHUN ANGGARAN 2024"],
        [],
        ["KODE SUB KEGIATAN", "PROGRAM DAN KEGIATAN", "TOLAK UKUR KELUARAN", "LOKASI", "JUMLAH PAGU"],
    ]
    for r in data:
        rows.append([r["KODE SUB KEGIATAN"], r["PROGRAM DAN KEGIATAN"], r["TOLAK UKUR CAPAIAN KEG."],
                     r["LOKASI"], float(r["JUMLAH PAGU"])])  # fmt: skip
    write_xlsx(path, rows)
    return Expected(len(data), 0, 5)


def _nomenklatur_tree(shared: Path, subs: int) -> list[dict[str, str]]:
    """A program, one of its kegiatan and `subs` of that kegiatan's sub kegiatan."""
    items = rows_of(shared, "nomenklatur_2027_all_levels.csv")
    by_parent: dict[str, list[dict[str, str]]] = {}
    for item in items:
        by_parent.setdefault(item["kode_induk"], []).append(item)
    for item in items:
        if item["level"] != "kegiatan" or item["kode"].startswith("X"):
            continue
        children = [c for c in by_parent.get(item["kode"], []) if c["level"] == "sub_kegiatan"]
        if len(children) >= subs:
            program = next(p for p in items if p["kode"] == item["kode_induk"])
            return [program, item, *children[:subs]]
    raise AssertionError("no kegiatan with enough sub kegiatan in the nomenclature")


def permendagri86_three_row_header(path: Path, shared: Path) -> Expected:
    """A Permendagri 86 Renja table: 3-row merged header, column numbering, group rows
    whose pagu is the sum of their sub kegiatan."""
    program, kegiatan, *subs = _nomenklatur_tree(shared, 4)
    amounts = [125_000_000.0 * (i + 1) for i in range(len(subs))]
    rows: list[list] = [["RENJA PERANGKAT DAERAH TAHUN 2024"], [], [], [], []]
    rows.append(list(range(1, 8)))
    rows.append([program["kode"], program["nama"], None, None, None, sum(amounts), None])
    rows.append([kegiatan["kode"], kegiatan["nama"], None, None, None, sum(amounts), None])
    for sub, amount in zip(subs, amounts, strict=True):
        rows.append([sub["kode"], sub["nama"], "Jumlah dokumen", "1", "Dokumen", amount, "Kab. Pasangkayu"])
    merges = [
        (1, 0, 3, 0, "Kode"),
        (1, 1, 3, 1, "Urusan/Bidang Urusan Pemerintahan Daerah dan Program/Kegiatan"),
        (1, 2, 1, 5, "Rencana Tahun 2024"),
        (2, 2, 3, 2, "Indikator Kinerja Program/Kegiatan"),
        (2, 3, 2, 4, "Target Capaian Kinerja"),
        (2, 5, 3, 5, "Kebutuhan Dana/Pagu Indikatif"),
        (1, 6, 3, 6, "Lokasi"),
    ]
    rows[3] = [None, None, None, "Volume", "Satuan", None, None]
    write_xlsx(path, rows, merges)
    # skipped: title, empty, 3 header rows, numbering, program and kegiatan group rows
    return Expected(len(subs), 0, 8)


def no_money_column(path: Path, shared: Path) -> Expected:
    data = renja_rows(shared, 15)
    rows = [["KODE SUB KEGIATAN", "PROGRAM DAN KEGIATAN", "LOKASI"]]
    rows += [[r["KODE SUB KEGIATAN"], r["PROGRAM DAN KEGIATAN"], r["LOKASI"]] for r in data]
    write_csv(path, rows)
    return Expected(len(data), 0, 1)


def empty_money_column(path: Path, shared: Path) -> Expected:
    data = renja_rows(shared, 15)
    rows = [["KODE SUB KEGIATAN", "PROGRAM DAN KEGIATAN", "JUMLAH PAGU", "LOKASI"]]
    rows += [[r["KODE SUB KEGIATAN"], r["PROGRAM DAN KEGIATAN"], "", r["LOKASI"]] for r in data]
    write_csv(path, rows)
    return Expected(len(data), 0, 1)


def money_by_year_and_stage(path: Path, shared: Path) -> Expected:
    """Money under "Rencana Tahun N / Kebutuhan Dana / Pagu Indikatif" beside the next
    year's forecast (Prakiraan Maju Tahun N+1), which must not be read as the pagu."""
    data = renja_rows(shared, 10)
    rows: list[list] = [[], [], []]
    for r in data:
        pagu = float(r["JUMLAH PAGU"])
        rows.append([r["KODE SUB KEGIATAN"], r["PROGRAM DAN KEGIATAN"], r["LOKASI"], pagu, pagu * 1.1])
    merges = [
        (0, 0, 2, 0, "Kode"),
        (0, 1, 2, 1, "Program/Kegiatan/Sub Kegiatan"),
        (0, 2, 0, 3, "Rencana Tahun 2024"),
        (1, 2, 2, 2, "Lokasi"),
    ]
    rows[0] = [None, None, None, None, "Prakiraan Maju Tahun 2025"]
    rows[1] = [None, None, None, "Kebutuhan Dana", "Kebutuhan Dana"]
    rows[2] = [None, None, None, "Pagu Indikatif", "Pagu Indikatif"]
    write_xlsx(path, rows, merges)
    return Expected(len(data), 0, 3)


def pre90_kegiatan_level(path: Path, shared: Path) -> Expected:
    """A pre-Permendagri-90 Renja at kegiatan level: local codes like 1.01.01.15, no sub
    kegiatan; program rows above their kegiatan."""
    kamus = [k for k in rows_of(shared, "sukabumi_2019_kamus_kegiatan.csv") if k["kode_program"] == "72"][:6]
    rows = [["Kode", "Program/Kegiatan", "Indikator Kinerja", "Pagu Indikatif"]]
    prefix = f"{kamus[0]['kode_urusan']}.{int(kamus[0]['kode_bidang_urusan']):02d}.{kamus[0]['kode_program']}"
    rows.append([prefix, kamus[0]["nama_program"], "", str(100_000_000 * len(kamus))])
    for k in kamus:
        rows.append([f"{prefix}.{k['kode_kegiatan']}", k["nama_kegiatan"], k["indikator"][:80], "100000000"])
    write_csv(path, rows)
    return Expected(len(kamus), 0, 2)


def procurement_packages(path: Path, shared: Path) -> Expected:
    """A procurement package list (RUP): Nama Paket, Pagu, Satuan Kerja, Lokasi."""
    data = renja_rows(shared, 12)
    rows = [["No", "Nama Paket", "Pagu", "Satuan Kerja", "Lokasi"]]
    for i, r in enumerate(data, 1):
        rows.append([str(i), r["PROGRAM DAN KEGIATAN"], r["JUMLAH PAGU"], "Dinas PUPR", r["LOKASI"]])
    write_csv(path, rows)
    return Expected(len(data), 0, 1)


def rkpd_with_priority(path: Path, shared: Path) -> Expected:
    data = renja_rows(shared, 12)
    rows = [
        ["Kode", "Program/Kegiatan/Sub Kegiatan", "Prioritas Daerah", "Pagu Indikatif", "Perangkat Daerah"]
    ]
    for i, r in enumerate(data):
        rows.append([r["KODE SUB KEGIATAN"], r["PROGRAM DAN KEGIATAN"], f"{i % 3 + 1}. Infrastruktur",
                     r["JUMLAH PAGU"], "Dinas PUPR"])  # fmt: skip
    write_csv(path, rows)
    return Expected(len(data), 0, 1)


def emusrenbang_export(path: Path, shared: Path) -> Expected:
    data = rows_of(shared, "malang_kauman_musrenbang_usulan.csv", 30)
    rows = [["Usulan", "Alamat", "OPD Tujuan", "Status", "Anggaran"]]
    rows += [
        [r["kamus_usulan"], r["alamat"], r["skpd_tujuan"], r["status_akomodasi"], r["anggaran"]] for r in data
    ]
    write_csv(path, rows, delimiter=",")
    return Expected(len(data), 0, 1)


def pokir_with_member(path: Path, shared: Path) -> Expected:
    data = rows_of(shared, "surakarta_sipokir_pokir.csv", 25)
    rows = [["No", "Nama Anggota", "Usulan", "Lokasi", "OPD Tujuan", "Anggaran"]]
    for i, r in enumerate(data, 1):
        rows.append(
            [i, f"Anggota {i % 5 + 1}", r["usulan"], r["alamat_lokasi"], r["opd_tujuan_akhir"], r["anggaran"]]
        )
    write_xlsx(path, rows)
    return Expected(len(data), 0, 1)


def csv_unbalanced_quote(path: Path, shared: Path) -> Expected:
    """A `;` CSV in which one text cell opens a quote it never closes."""
    data = rows_of(shared, "malang_kauman_musrenbang_usulan.csv", 26)
    lines = ["Usulan;Permasalahan;Alamat;Anggaran"]
    for i, r in enumerate(data):
        text = r["permasalahan"].replace('"', "").replace(";", ",").replace("\n", " ")
        usulan = r["kamus_usulan"].replace('"', "").replace(";", ",")
        lines.append(
            f"{usulan};{chr(34) if i == 1 else ''}{text};{r['alamat'].replace(';', ',')};{r['anggaran']}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Expected(len(data) - 1, 1, 1)


def ods_renja(path: Path, shared: Path) -> Expected:
    data = renja_rows(shared, 10)
    rows: list[list] = [["KODE SUB KEGIATAN", "PROGRAM DAN KEGIATAN", "SUMBER DANA", "JUMLAH PAGU"]]
    rows += [
        [r["KODE SUB KEGIATAN"], r["PROGRAM DAN KEGIATAN"], r["SUMBER DANA"], float(r["JUMLAH PAGU"])]
        for r in data
    ]
    write_ods(path, rows)
    return Expected(len(data), 0, 1)


def look_alike_codes(path: Path, shared: Path) -> Expected:
    """Codes typed with the letter O, a zero-width space or fullwidth dots."""
    data = renja_rows(shared, 9)
    spoil = [
        lambda k: k.replace("0", "O", 1),
        lambda k: k[:4] + "\u200b" + k[4:],
        lambda k: k.replace(".", "\uff0e"),
    ]
    rows = [["Kode", "Uraian", "Pagu"]]
    rows += [
        [spoil[i % 3](r["KODE SUB KEGIATAN"]), r["PROGRAM DAN KEGIATAN"], r["JUMLAH PAGU"]]
        for i, r in enumerate(data)
    ]
    write_csv(path, rows)
    return Expected(len(data), 0, 1)


def opd_name_variants(path: Path, shared: Path) -> Expected:
    data = rows_of(shared, "malang_kauman_musrenbang_usulan.csv", 12)
    variants = ["Kecamatan Klojen", "KECAMATAN KLOJEN", "Kec. Klojen", "kecamatan_klojen"]
    rows = [["Usulan", "Lokasi", "OPD Tujuan"]]
    rows += [[r["kamus_usulan"], r["alamat"], variants[i % 4]] for i, r in enumerate(data)]
    write_csv(path, rows)
    return Expected(len(data), 0, 1)


def kegiatan_named_program_and_jumlah(path: Path, shared: Path) -> Expected:
    """Codeless rows: a program group, a kegiatan named "Program ...", one named "Jumlah
    ...", a program row typed "Progran", and the JUMLAH row."""
    rows = [
        ["Program/Kegiatan", "Indikator Kinerja", "Target", "Pagu Indikatif"],
        ["Program Peningkatan Pelayanan Kesehatan", "", "", "300000000"],
        ["Program Terpadu Penanggulangan Gizi Buruk", "Balita tertangani", "120", "100000000"],
        ["Penyuluhan Kesehatan Masyarakat", "Desa terjangkau", "40", "200000000"],
        ["Progran Pencegahan dan Pengendalian Penyakit", "", "", "80000000"],
        ["Jumlah Penduduk Miskin yang Dibina", "Penduduk dibina", "500", "50000000"],
        ["Total Belanja Pemeliharaan Puskesmas", "Puskesmas terpelihara", "12", "30000000"],
        ["JUMLAH", "", "", "380000000"],
    ]
    write_csv(path, rows)
    return Expected(4, 0, 4)


def renja_in_a_sub_folder_with_duplicate_columns(path: Path, shared: Path) -> Expected:
    """A Renja in raw/renja/<year>/ whose header names LOKASI twice."""
    data = renja_rows(shared, 8)
    rows = [["KODE SUB KEGIATAN", "PROGRAM DAN KEGIATAN", "LOKASI", "LOKASI", "JUMLAH PAGU"]]
    rows += [[r["KODE SUB KEGIATAN"], r["PROGRAM DAN KEGIATAN"], r["LOKASI"], "Kec. Pasangkayu", r["JUMLAH PAGU"]]
             for r in data]  # fmt: skip
    write_csv(path, rows)
    return Expected(len(data), 0, 1)


def bold_groups_without_codes(path: Path, shared: Path) -> Expected:
    """Real sub kegiatan under their real kegiatan names (2027 nomenclature), with no codes
    and no pagu: only the bold kegiatan rows tell the groups from the data."""
    names = {r["kode"]: r["nama"] for r in rows_of(shared, "nomenklatur_2027_all_levels.csv")}
    data = renja_rows(shared, 40)
    wb = xlsxwriter.Workbook(str(path))
    ws, bold = wb.add_worksheet("Renja"), wb.add_format({"bold": True})
    ws.write_row(0, 0, ["Kegiatan / Sub Kegiatan", "Lokasi", "Sumber Dana"], bold)
    r, groups, last = 1, 0, None
    for row in data:
        kegiatan = row["KODE SUB KEGIATAN"].rsplit(".", 1)[0]
        if kegiatan != last and kegiatan in names:
            ws.write(r, 0, names[kegiatan], bold)
            r, groups, last = r + 1, groups + 1, kegiatan
        ws.write_row(r, 0, [" ".join(row["PROGRAM DAN KEGIATAN"].split()), row["LOKASI"], "DAU"])
        r += 1
    wb.close()
    return Expected(len(data), 0, 1 + groups)


VARIANTS = [
    Variant("sipd_title_opd", "renja/sipd_renja_dpupr.xlsx", sipd_title_opd),
    Variant(
        "permendagri86_three_row_header", "renja/renja_permendagri86.xlsx", permendagri86_three_row_header
    ),
    Variant("no_money_column", "renja/renja_tanpa_pagu.csv", no_money_column),
    Variant("empty_money_column", "renja/renja_pagu_kosong.csv", empty_money_column),
    Variant("money_by_year_and_stage", "renja/renja_rencana_tahun.xlsx", money_by_year_and_stage),
    Variant("pre90_kegiatan_level", "renja/renja_2019_kegiatan.csv", pre90_kegiatan_level),
    Variant("procurement_packages", "renja/rup_paket.csv", procurement_packages),
    Variant("rkpd_with_priority", "rkpd/rkpd_prioritas.csv", rkpd_with_priority),
    Variant("emusrenbang_export", "musrenbang/emusrenbang_export.csv", emusrenbang_export),
    Variant("pokir_with_member", "pokir/pokir_anggota.xlsx", pokir_with_member),
    Variant("csv_unbalanced_quote", "musrenbang/usulan_kutip.csv", csv_unbalanced_quote),
    Variant("ods_renja", "renja/renja_libreoffice.ods", ods_renja),
    Variant("look_alike_codes", "renja/renja_kode_mirip.csv", look_alike_codes),
    Variant("opd_name_variants", "musrenbang/usulan_opd_varian.csv", opd_name_variants),
    Variant(
        "kegiatan_named_program_and_jumlah", "renja/renja_tanpa_kode.csv", kegiatan_named_program_and_jumlah
    ),
    Variant("bold_groups_without_codes", "renja/renja_tebal_tanpa_kode.xlsx", bold_groups_without_codes),
    Variant(
        "sub_folder_duplicate_columns",
        "renja/2024/renja_lokasi_ganda.csv",
        renja_in_a_sub_folder_with_duplicate_columns,
    ),  # fmt: skip
]
