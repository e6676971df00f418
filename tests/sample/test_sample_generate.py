"""The generated sample: determinism, every kind present, ground-truth row references that
point at the intended rows (read back with python-calamine), the layout quirks the other
stages must survive, and a small write_region."""

from __future__ import annotations

import csv
import hashlib
import re
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from selaras.sample import write_region, write_sample

KINDS = ("renja", "rkpd", "musrenbang", "pokir", "nomenklatur", "wilayah", "opd")
TRUTH = (
    "renja_rkpd.csv",
    "usulan_renja.csv",
    "rkpd_coverage.csv",
    "expected_rows.csv",
    "skipped_rows.csv",
    "quarantine.csv",
)


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("sample")
    write_sample(d)
    return d


def _truth(d: Path, name: str) -> list[dict]:
    with open(d / "truth" / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class Reader:
    """Rows of raw files as the spreadsheet shows them (row 1 = index 0)."""

    def __init__(self, raw: Path):
        self.raw = raw
        self.cache: dict[tuple[str, str], list[list]] = {}

    def rows(self, source_file: str, sheet: str) -> list[list]:
        key = (source_file, sheet)
        if key not in self.cache:
            path = self.raw / source_file
            if sheet == "csv":
                data = path.read_bytes()
                try:
                    text = data.decode("utf-8-sig")
                except UnicodeDecodeError:
                    text = data.decode("cp1252")
                delim = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
                self.cache[key] = list(csv.reader(text.splitlines(), delimiter=delim))
            else:
                wb = CalamineWorkbook.from_path(str(path))
                self.cache[key] = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        return self.cache[key]

    def row(self, source_file: str, sheet: str, row: int) -> list:
        return self.rows(source_file, sheet)[int(row) - 1]


def _number(cell) -> float:
    """A cell as a number (an amount written as text too), 0 when it is none."""
    from selaras.kamus import parse_amount

    return parse_amount(cell) or 0.0


def _texts(cells: list) -> list[str]:
    out = []
    for c in cells:
        if isinstance(c, float) and c.is_integer():
            c = int(c)
        out.append(str(c))
    return out


def _sha(d: Path) -> dict[str, str]:
    return {
        str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(d.rglob("*"))
        if p.is_file()
    }


# --- files -----------------------------------------------------------------------------------


def test_every_kind_and_truth_file_written(sample: Path):
    for kind in KINDS:
        assert any((sample / "raw" / kind).iterdir()), kind
    for name in TRUTH:
        assert (sample / "truth" / name).is_file(), name
    assert not (sample / "raw" / "truth").exists()  # truth never lands where ingest looks
    renja = list((sample / "raw" / "renja").iterdir())
    assert len(renja) == 8
    assert {p.suffix for p in renja} == {".xlsx", ".csv"}


def test_same_seed_gives_identical_bytes(sample: Path, tmp_path: Path):
    again = tmp_path / "again"
    write_sample(again)
    assert _sha(sample) == _sha(again)
    other = tmp_path / "other"
    write_sample(other, seed=7)
    a, b = _sha(sample), _sha(other)
    assert a["raw/renja/Renja_DPUPR_2021.xlsx"] != b["raw/renja/Renja_DPUPR_2021.xlsx"]


def test_sizes_as_briefed(sample: Path):
    renja = _truth(sample, "renja_rkpd.csv")
    usulan = _truth(sample, "usulan_renja.csv")
    rkpd = _truth(sample, "rkpd_coverage.csv")
    assert 200 <= len(renja) <= 400
    assert 60 <= len(rkpd) <= 150
    channels = Counter(u["channel"] for u in usulan)
    assert 300 <= channels["musrenbang"] <= 600
    assert 60 <= channels["pokir"] <= 120
    assert len({r["opd"] for r in renja}) == 8
    assert any("Pemberdayaan Masyarakat dan Desa" in r["opd"] for r in renja)


# --- truth points at the right rows -----------------------------------------------------------


def test_renja_truth_points_at_named_rows(sample: Path):
    rd = Reader(sample / "raw")
    rkpd_rows = {}
    for t in _truth(sample, "renja_rkpd.csv"):
        assert t["renja_ref"] == f"{t['source_file']}:{t['sheet']}:{t['source_row']}"
        cells = _texts(rd.row(t["source_file"], t["sheet"], t["source_row"]))
        assert any(t["nama"] == c or (t["nama"] in c and c.endswith(t["nama"])) for c in cells), (t, cells)
        if t["rkpd_ref"]:
            f, s, r = t["rkpd_ref"].rsplit(":", 2)
            rkpd_rows[t["rkpd_ref"]] = _texts(rd.row(f, s, r))
            assert t["kode"] in rkpd_rows[t["rkpd_ref"]], (t, rkpd_rows[t["rkpd_ref"]])
        else:
            assert t["status"] == "tidak_selaras"


def test_usulan_truth_points_at_proposal_rows(sample: Path):
    rd = Reader(sample / "raw")
    renja_refs = {t["renja_ref"] for t in _truth(sample, "renja_rkpd.csv")}
    for t in _truth(sample, "usulan_renja.csv"):
        cells = _texts(rd.row(t["source_file"], t["sheet"], t["source_row"]))
        assert t["usulan"] in cells, (t, cells)
        assert t["usulan_id"] in cells
        refs = [r for r in t["renja_refs"].split("|") if r]
        assert (t["status"] == "terakomodir") == bool(refs)
        assert set(refs) <= renja_refs


def test_expected_rows_match_the_files(sample: Path):
    rd = Reader(sample / "raw")
    skipped = _truth(sample, "skipped_rows.csv")
    for e in _truth(sample, "expected_rows.csv"):
        rows = rd.rows(e["source_file"], e["sheet"])
        assert len(rows) == int(e["rows_total"]), e
        if e["sheet_status"] == "loaded":
            assert int(e["data_rows"]) + int(e["skipped_rows"]) == int(e["rows_total"]), e
    for s in skipped:
        cells = [c for c in _texts(rd.row(s["source_file"], s["sheet"], s["source_row"])) if c.strip()]
        kind = s["reason_code"]
        if kind == "empty":
            assert not cells, s
        elif kind == "subtotal":
            assert any(c.strip() in ("JUMLAH", "TOTAL") for c in cells), (s, cells)
        elif kind == "numbering":
            assert [c.strip("()") for c in cells] == [str(i) for i in range(1, len(cells) + 1)], (s, cells)
        else:
            assert cells, s


def test_quarantine_rows_are_bad_and_excluded(sample: Path):
    rd = Reader(sample / "raw")
    q = _truth(sample, "quarantine.csv")
    assert {x["rule"] for x in q} == {"amount_too_large", "amount_unparseable", "name_and_code_missing"}
    in_truth = {t["renja_ref"] for t in _truth(sample, "renja_rkpd.csv")} | {
        t["usulan_ref"] for t in _truth(sample, "usulan_renja.csv")
    }
    for x in q:
        assert x["row_ref"] not in in_truth
        cells = rd.row(x["source_file"], x["sheet"], x["source_row"])
        texts = _texts(cells)
        if x["rule"] == "amount_too_large":
            assert any(_number(c) > 1e13 for c in cells), cells
        elif x["rule"] == "amount_unparseable":
            assert any("O" in t and ("Rp" in t or "." in t) or "juta" in t for t in texts), texts
        else:
            # no code and no name: the first two cells (code, name) are empty
            assert not texts[0].strip() and not texts[1].strip(), texts


# --- the designed cases exist -----------------------------------------------------------------


def test_alignment_and_accommodation_cases(sample: Path):
    renja = _truth(sample, "renja_rkpd.csv")
    status = Counter(t["status"] for t in renja)
    assert status["selaras"] > 100 and status["selaras_nama"] >= 15 and status["tidak_selaras"] >= 5
    cases = Counter(t["case"] for t in renja)
    for c in ("exact", "renamed", "outdated", "missing", "mistyped", "not_in_rkpd", "dropped"):
        assert cases[c] >= 1, c
    for t in renja:
        if t["case"] in ("outdated", "missing", "mistyped") and t["rkpd_ref"]:
            assert t["status"] == "selaras_nama"
    usulan = _truth(sample, "usulan_renja.csv")
    by_case = {c: Counter(u["status"] for u in usulan if u["case"] == c) for c in {u["case"] for u in usulan}}
    assert by_case["accommodated"]["tidak_terakomodir"] == 0
    assert by_case["split"]["terakomodir"] >= 5
    for c in ("other_desa", "other_work", "same_name", "unrelated"):
        assert by_case[c]["tidak_terakomodir"] >= 5, c
        assert by_case[c]["terakomodir"] == 0, c
    assert sum(1 for u in usulan if "|" in u["renja_refs"]) >= 5  # split over two rows
    refs = Counter(r for u in usulan for r in u["renja_refs"].split("|") if r)
    assert max(refs.values()) >= 2  # one row serves several proposals
    cov = _truth(sample, "rkpd_coverage.csv")
    assert any(c["covered"] == "false" for c in cov) and any(c["over_ceiling"] == "true" for c in cov)


def test_same_named_villages_are_told_apart(sample: Path):
    usulan = _truth(sample, "usulan_renja.csv")
    same = [u for u in usulan if u["case"] == "same_name"]
    assert same
    wil = Reader(sample / "raw").rows("wilayah/kode_wilayah_banten.xlsx", "wilayah")
    desa = [r for r in wil if r[2] in ("Desa", "Kelurahan")]
    names = Counter(r[1] for r in desa)
    assert names["Koranji"] == 2 and names["Mekarsari"] >= 3


# --- layout quirks ------------------------------------------------------------------------------


def test_layout_quirks_present(sample: Path):
    raw = sample / "raw"
    rd = Reader(raw)
    # two- and three-row merged headers
    wb = CalamineWorkbook.from_path(str(raw / "renja/renja-dpmd-2021-forum-opd.xlsx"))
    merges = wb.get_sheet_by_index(0).merged_cell_ranges
    assert any(r1 - r0 == 2 for (r0, _), (r1, _) in merges)
    wb = CalamineWorkbook.from_path(str(raw / "rkpd/RKPD_Provinsi_Banten_2021_Rancangan_Akhir.xlsx"))
    assert any(r1 - r0 == 1 for (r0, _), (r1, _) in wb.get_sheet_by_index(0).merged_cell_ranges)
    # hidden sheet, formulas with cached values, dates
    dinkes = raw / "renja/Renja Dinkes 2021 v3.xlsx"
    wb = CalamineWorkbook.from_path(str(dinkes))
    meta = {m.name: m.visible for m in wb.sheets_metadata}
    assert str(meta["Ref"]).lower().endswith("hidden")
    rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    assert any(isinstance(c, date | datetime) for r in rows for c in r)
    import openpyxl

    ws = openpyxl.load_workbook(dinkes).worksheets[0]
    formulas = [
        c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert len(formulas) > 5
    assert any(dim.hidden for dim in ws.row_dimensions.values())
    jumlah = next(r for r in rows if "JUMLAH" in r)
    assert any(isinstance(c, float) and c > 0 for c in jumlah)  # the cached SUBTOTAL value
    # codes: x.xx lowercase, split unpadded columns, unpadded dotted, code+name in one cell, outdated
    bappeda = _texts(c for r in rd.rows("renja/renja_bappeda_2021.xlsx", "Renja") for c in r)
    assert any(t.startswith("x.xx.01.") for t in bappeda)
    distan = rd.rows("renja/Rancangan Renja Distan 2021.xlsx", "RENJA")
    assert any(r[0] == 3 and r[1] == 27 and isinstance(r[3], str) and r[3].startswith("1.0") for r in distan)
    dindik = _texts(c for r in rd.rows("renja/RENJA_DINDIKBUD_2021.xlsx", "Lampiran") for c in r)
    assert any(re.match(r"^1\.1\.\d+\.1\.\d+\.\d+ ", t) for t in dindik)
    assert any(re.match(r"^1\.01\.02\.1\.01\.\d{4} \w", t) for t in dindik)
    old = {r[4].split(" ")[0] for r in rd.rows("nomenklatur/nomenklatur_sipd_2021.xlsx", "Worksheet")[1:]}
    outdated = [t for t in _truth(sample, "renja_rkpd.csv") if t["case"] == "outdated"]
    assert outdated and all(t["kode_tertulis"] != t["kode"] for t in outdated)
    assert not {t["kode_tertulis"] for t in outdated} & old
    # CSV in cp1252 with ';' and Indonesian money text
    data = (raw / "renja/renja_dishub_2021.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("cp1252")
    assert text.splitlines()[0].count(";") >= 8 and "\u2013" in text
    assert re.search(r"Rp ?\d{1,3}(\.\d{3})+,00", text)
    # money text, targets with units and decimal commas, SIPD X.XX in the nomenclature
    dpmd = _texts(c for r in rd.rows("renja/renja-dpmd-2021-forum-opd.xlsx", "Renja 2021") for c in r)
    assert any(re.fullmatch(r"Rp \d{1,3}(\.\d{3})+,00", t) for t in dpmd)
    dpupr = _texts(c for r in rd.rows("renja/Renja_DPUPR_2021.xlsx", "Sheet1") for c in r)
    assert any(re.fullmatch(r"\d+ (Titik|Meter|Unit)", t) for t in dpupr + dindik)
    assert any(re.fullmatch(r"\d+,\d+", t) for t in bappeda)
    nomen = _texts(c for r in rd.rows("nomenklatur/nomenklatur_sipd_2021.xlsx", "Worksheet") for c in r)
    assert any(t.startswith("X.XX.01.1.01.0001 ") for t in nomen)


def test_messy_text_present(sample: Path):
    renja = [t["nama"] for t in _truth(sample, "renja_rkpd.csv")]
    joined = " ".join(renja)
    assert any(a in joined for a in ("Pemb.", "Rehab ", "Penyed.", "Koord."))
    assert any(n.isupper() and len(n) > 20 for n in renja)
    assert any("  " in n for n in renja)
    usulan = _truth(sample, "usulan_renja.csv")
    rd = Reader(sample / "raw")
    cells = " ".join(
        " ".join(_texts(rd.row(u["source_file"], u["sheet"], u["source_row"]))) for u in usulan[:200]
    )
    for word in ("talud", "posyandu", "Kp.", "RT", "PJU", "TTG", "BUMDes"):
        assert word.lower() in cells.lower(), word
    texts = [u["usulan"] for u in usulan]
    # formula-looking text stays text
    all_cells = [c for u in usulan for c in _texts(rd.row(u["source_file"], u["sheet"], u["source_row"]))]
    assert any(c.startswith("=HYPERLINK(") for c in all_cells)
    assert any(t.startswith("- ") for t in texts)


def test_generator_reads_only_its_own_data():
    src = Path(__import__("selaras.sample", fromlist=["x"]).__file__).parent
    for p in src.rglob("*.py"):
        assert "shared/data" not in p.read_text(encoding="utf-8"), p


# --- larger region ------------------------------------------------------------------------------


def test_write_region_scales_and_keeps_truth(tmp_path: Path):
    t0 = time.perf_counter()
    files = write_region(tmp_path, seed=3, n_opd=12, n_usulan=3000, n_renja_per_opd=60)
    elapsed = time.perf_counter() - t0
    assert elapsed < 20
    assert len(list((tmp_path / "raw" / "renja").iterdir())) == 12
    assert all(p.exists() for p in files)
    usulan = _truth(tmp_path, "usulan_renja.csv")
    q = [x for x in _truth(tmp_path, "quarantine.csv") if not x["source_file"].startswith("renja/")]
    assert len(usulan) + len(q) == 3000
    rd = Reader(tmp_path / "raw")
    for u in usulan[::97]:
        assert u["usulan"] in _texts(rd.row(u["source_file"], u["sheet"], u["source_row"]))
    renja = _truth(tmp_path, "renja_rkpd.csv")
    per_opd = Counter(t["opd"] for t in renja)
    assert len(per_opd) == 12
    for t in renja[::53]:
        cells = _texts(rd.row(t["source_file"], t["sheet"], t["source_row"]))
        assert any(t["nama"] == c or c.endswith(t["nama"]) for c in cells)
    wil = rd.rows("wilayah/kode_wilayah_banten.xlsx", "wilayah")
    assert len(wil) > 150


def test_write_region_is_deterministic(tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_region(a, seed=5, n_opd=9, n_usulan=400, n_renja_per_opd=30)
    write_region(b, seed=5, n_opd=9, n_usulan=400, n_renja_per_opd=30)
    assert _sha(a) == _sha(b)
