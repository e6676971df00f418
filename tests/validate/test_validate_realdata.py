"""Real data (../shared/data): the Pasangkayu Renja 2024 rows against the 2027 nomenclature.
Loaded into the staged tables here with pandas, the way ingest stages them."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import add_file

from selaras.validate import validate_all
from selaras.validate.text import normalise_name

pytestmark = pytest.mark.realdata
RENJA = "renja/pasangkayu_renja2024_sub_kegiatan.csv"
RENJA_HEADERS = {
    "kode_raw": "KODE SUB KEGIATAN",
    "nama": "PROGRAM DAN KEGIATAN",
    "target": "TARGET KINERJA CAPAIAN KEG.",
    "pagu": "JUMLAH PAGU",
    "lokasi": "LOKASI",
}


def _stage_nomenclature(con, shared_data) -> pd.DataFrame:
    nom = pd.read_csv(shared_data / "nomenklatur_2027_sub_kegiatan.csv", dtype=str, keep_default_na=False)
    rows = [
        {
            "versi": "2027",
            "jenis_pemda": r.jenis_pemda,
            "kode_raw": r.kode_sub_kegiatan,
            "kode": r.kode_sub_kegiatan,
            "kode_level": "sub_kegiatan",
            "nama": r.nama_sub_kegiatan,
            "kode_induk": r.kode_kegiatan,
            "indikator": r.indikator or None,
            "satuan": r.satuan or None,
            "source_row": i + 2,
            "raw": json.dumps(
                {"kode_sub_kegiatan": r.kode_sub_kegiatan, "nama_sub_kegiatan": r.nama_sub_kegiatan}
            ),
        }
        for i, r in enumerate(nom.itertuples())
    ]
    add_file(
        con,
        "nomenklatur",
        "nomenklatur/nomenklatur_2027_sub_kegiatan.csv",
        rows,
        sheet="csv",
        column_map={"kode_raw": "kode_sub_kegiatan", "nama": "nama_sub_kegiatan"},
    )
    return nom


def _renja_rows(records: list[dict], tahun: int) -> list[dict]:
    rows = []
    for i, r in enumerate(records):
        rows.append(
            {
                "kode_raw": r["KODE SUB KEGIATAN"],
                "kode": r["KODE SUB KEGIATAN"],
                "kode_level": "sub_kegiatan",
                "nama": r["PROGRAM DAN KEGIATAN"],
                "indikator": r["TOLAK UKUR CAPAIAN KEG."] or None,
                "target_raw": r["TARGET KINERJA CAPAIAN KEG."] or None,
                "target": pd.to_numeric(r["TARGET KINERJA CAPAIAN KEG."] or None, errors="coerce"),
                "lokasi": r["LOKASI"] or None,
                "pagu_raw": r["JUMLAH PAGU"] or None,
                "pagu": pd.to_numeric(r["JUMLAH PAGU"] or None, errors="coerce"),
                "sumber_dana": r["SUMBER DANA"] or None,
                "tahun": tahun,
                "opd": None,
                "source_row": i + 2,
                "raw": json.dumps(r),
            }
        )
    return rows


def test_pasangkayu_rows_raise_no_false_errors(con, settings, shared_data):
    _stage_nomenclature(con, shared_data)
    records = pd.read_csv(
        shared_data / "pasangkayu_renja2024_sub_kegiatan.csv", dtype=str, keep_default_na=False
    ).to_dict("records")
    add_file(con, "renja", RENJA, _renja_rows(records, 2024), sheet="csv", column_map=RENJA_HEADERS)
    result = validate_all(con, settings, "20260101T000000-aaaaaa")
    assert not result.failed, result.problems
    df = con.execute("select * from analytics.quarantine where source_file = ?", [RENJA]).df()
    assert df[df["severity"] == "error"].empty, df[df["severity"] == "error"]["message"].tolist()
    assert con.execute("select count(*) from clean.renja").fetchone()[0] == len(records)
    # Only what 2027 really changed is flagged: re-coded or dropped items, and one zero pagu.
    assert set(df["rule"]) <= {"kode_outdated", "kode_unknown", "amount_zero"}
    # The support programme (1.03.01.*, written X.XX.01.* in the nomenclature) is current.
    assert not df["raw_value"].fillna("").str.startswith("1.03.01.").any()
    outdated = df[df["rule"] == "kode_outdated"].set_index("raw_value")["suggestion"].to_dict()
    assert outdated["1.03.10.2.01.0032"] == "1.03.10.2.01.0053"  # Pembangunan Jalan, re-numbered in 2027
    assert outdated["1.03.10.2.01.0046"] == "1.03.10.2.01.0051"  # Pemeliharaan Rutin Jalan
    nomenklatur = con.execute(
        "select count(*) from analytics.quarantine where kind = 'nomenklatur' and severity = 'error'"
    ).fetchone()[0]
    assert nomenklatur == 0
    acc = con.execute("select bool_and(balanced) from analytics.row_accounting").fetchone()[0]
    assert acc is True


def test_deliberately_outdated_codes_get_the_current_code(con, settings, shared_data):
    nom = _stage_nomenclature(con, shared_data)
    items = nom.drop_duplicates("kode_sub_kegiatan").copy()
    items["norm"] = items["nama_sub_kegiatan"].map(normalise_name)
    unique = items[~items["norm"].duplicated(keep=False) & ~items["nama_sub_kegiatan"].str.match(r"^\d")]
    sample = unique.iloc[::120].head(25)
    current = set(items["kode_sub_kegiatan"])
    rows, expected = [], {}
    for i, r in enumerate(sample.itertuples()):
        parts = r.kode_sub_kegiatan.split(".")
        if parts[0] == "X":
            parts[:2] = ["2", "13"]  # the support programme as an agency of bidang 2.13 writes it
            want = ".".join(parts)
        else:
            want = r.kode_sub_kegiatan
        parts[-1] = "9" + parts[-1][1:]
        altered = ".".join(parts)
        assert altered not in current
        name = r.nama_sub_kegiatan if i % 2 else "  ".join(r.nama_sub_kegiatan.upper().split())
        rows.append(
            {
                "kode_raw": altered,
                "kode": altered,
                "kode_level": "sub_kegiatan",
                "nama": name,
                "pagu_raw": "1000000",
                "pagu": 1e6,
                "tahun": 2027,
            }
        )
        expected[altered] = want
    support = {
        "kode_raw": "2.13.01.2.01.9001",
        "kode": "2.13.01.2.01.9001",
        "kode_level": "sub_kegiatan",
        "nama": "Penyusunan Dokumen Perencanaan Perangkat Daerah",
        "pagu_raw": "5",
        "pagu": 5.0,
        "tahun": 2027,
    }
    rows.append(support)
    expected[support["kode"]] = "2.13.01.2.01.0001"
    add_file(
        con,
        "renja",
        "renja/usang.xlsx",
        rows,
        column_map={"kode_raw": "KODE", "nama": "NAMA SUB KEGIATAN", "pagu": "PAGU"},
    )
    validate_all(con, settings, "20260101T000000-aaaaaa")
    df = con.execute(
        "select raw_value, rule, severity, suggestion, message from analytics.quarantine "
        "where source_file = 'renja/usang.xlsx' and source_row is not null"
    ).df()
    assert len(expected) >= 20
    assert set(df["rule"]) == {"kode_outdated"} and set(df["severity"]) == {"warning"}
    got = df.set_index("raw_value")["suggestion"].to_dict()
    assert got == expected
    assert all("sudah tidak berlaku" in m and "kolom 'KODE'" in m for m in df["message"])
