"""Each error and warning fires on a generated file with the right message and suggestion;
clean rows pass; severities follow the configuration."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import RENJA_MAP, add_file, add_nomenklatur, add_opd, renja_row

from selaras.validate import validate_all

SRC = "renja/dinas_pu.xlsx"


def _run(con, settings, run_id="20260101T000000-aaaaaa"):
    return validate_all(con, settings, run_id)


def _by_row(df: pd.DataFrame) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for r in df.dropna(subset=["source_row"]).itertuples():
        out.setdefault(int(r.source_row), set()).add(r.rule)
    return out


@pytest.fixture
def renja(con):
    add_nomenklatur(con)
    add_opd(con)
    rows = [
        renja_row(
            "1.03.01.2.01.0001", "Penyusunan  Dokumen  Perencanaan Perangkat\nDaerah"
        ),  # 3 clean (X.XX)
        renja_row("1.03.10.2.01.0053", "PEMBANGUNAN JALAN."),  # 4 clean
        renja_row(None, None),  # 5 error
        renja_row("1.03.10.2.01.0053", "Pembangunan Jalan", pagu=None, pagu_raw="Rp satu juta"),  # 6 error
        renja_row("1.03.10.2.01.0053", "Pembangunan Jalan", pagu=-5.0, pagu_raw="-5"),  # 7 error
        renja_row("1.03.10.2.01.0053", "Pembangunan Jalan", target=None, target_raw="banyak"),  # 8 error
        renja_row("1.03.10.2.01.0053", "Pembangunan Jalan", tahun=2040),  # 9 error
        renja_row("1.03.10.2", "Pembangunan Jalan", kode_level="subkeg"),  # 10 error: no such level
        renja_row(None, "Pembangunan Jalan"),  # 11 kode_missing
        renja_row("1.03.10.2.01.0777", "Sesuatu Yang Tidak Ada"),  # 12 kode_unknown
        renja_row("1.03.10.2.01.0032", "Pembangunan Jalan"),  # 13 outdated (old version)
        renja_row("1.03.10.2.01.0046", "Pemeliharaan Rutin Jalan"),  # 14 outdated (kode_sebelumnya)
        renja_row("1.03.10.2.01.0888", "Peningkatan Bangunan Perkuatan Tebing"),  # 15 outdated (by name)
        renja_row("1.03.10.2.01.0053", "Pengadaan Mobil Dinas"),  # 16 nama_mismatch
        renja_row("1.03.10.2.01.0053", "Pembangunan Jalan", pagu=0.0, pagu_raw="0"),  # 17 amount_zero
        renja_row("1.03.10.2.01.0053", "Pembangunan Jalan", pagu=0.0, pagu_raw="0"),  # 18 amount_zero + dup
        renja_row("1.03.10.2.01.0053", "Pembangunan Jalan", opd="Dinas Pariwisata"),  # 19 opd_unknown
        renja_row("1.03.10.2.01.0053", "Pembangunan Jalan", opd="DINAS  SOSIAL."),  # 20 opd known
        renja_row("03.1.01.05", "Pembinaan Kelembagaan", kode_level="lokal"),  # 21 kode_local
        renja_row("1.03.10.2.01.0053", "Pembangunan Jalan", target=None, target_raw="12 Titik"),  # 22 clean
        renja_row("1.03.10.2.01.0053", "Pembangunan Jalan", target=None, target_raw="-"),  # 23 clean
        renja_row(
            "1.03.10.2.01.0053", "Pemb. Jalan", opd="Dinas Sosial Provinsi Banten"
        ),  # 24 clean (resolved)
        {**renja_row("1.03.10.2.01.0032", "Pembangunan Jalan"), "kode_raw": "1 | 3 | 10 | 2.01 | 32"},  # 25
        renja_row("1.03.10.2.01.0053", "Pembangunan Jalan", pagu=None, pagu_raw="2021-03-04"),  # 26 date
        renja_row("1.03.10.2.01.0053", "Pembangunan Jalan", pagu=None, pagu_raw="NaN"),  # 27 error value
        renja_row("1.03.10.2.01.0053", "Pembangunan Jalan", pagu=1e30, pagu_raw="1e+30"),  # 28 too large
        {**renja_row("1.03.10.2.01.0053", "Pembangunan Jalan"), "kode_raw": "1.O3.10.2.01.OO53"},  # 29
    ]
    add_file(con, "renja", SRC, rows, column_map=RENJA_MAP)
    return rows


def test_each_rule_fires_on_its_row_and_clean_rows_pass(con, settings, renja, checks):
    result = _run(con, settings)
    assert not result.failed, result.problems
    got = _by_row(checks(SRC))
    expected = {
        5: {"name_and_code_missing"},
        6: {"amount_unparseable"},
        7: {"amount_negative"},
        8: {"target_not_number"},
        9: {"tahun_out_of_period"},
        10: {"row_kind_unknown"},
        11: {"kode_missing"},
        12: {"kode_unknown"},
        13: {"kode_outdated"},
        14: {"kode_outdated"},
        15: {"kode_outdated"},
        16: {"nama_mismatch"},
        17: {"amount_zero"},
        18: {"amount_zero", "duplicate_row"},
        19: {"opd_unknown"},
        21: {"kode_local"},
        25: {"kode_outdated"},
        26: {"amount_is_date"},
        27: {"amount_error_value"},
        28: {"amount_too_large"},
        29: {"kode_repaired"},
    }
    assert got == expected
    severities = checks(SRC).dropna(subset=["source_row"]).groupby("rule")["severity"].first().to_dict()
    for rule in (
        "name_and_code_missing",
        "amount_unparseable",
        "amount_is_date",
        "amount_error_value",
        "amount_too_large",
        "target_not_number",
        "tahun_out_of_period",
        "row_kind_unknown",
    ):
        assert severities[rule] == "error"
    for rule in (
        "kode_missing",
        "kode_unknown",
        "kode_outdated",
        "nama_mismatch",
        "amount_zero",
        "duplicate_row",
        "opd_unknown",
        "kode_local",
        "amount_negative",
        "kode_repaired",
    ):
        assert severities[rule] == "warning"
    # Errors quarantine the row; warnings keep it in the clean layer.
    clean_rows = {r[0] for r in con.execute("select source_row from clean.renja").fetchall()}
    assert clean_rows.isdisjoint({5, 6, 8, 9, 10, 26, 27, 28})
    assert {3, 4, 7, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 29} <= clean_rows


def test_messages_and_suggestions(con, settings, renja, checks):
    _run(con, settings)
    df = checks(SRC).dropna(subset=["source_row"]).set_index(["source_row", "rule"])

    def one(row, rule):
        return df.loc[(row, rule)]

    m = one(6, "amount_unparseable")
    assert m.column_name == "JUMLAH PAGU" and m.raw_value == "Rp satu juta"
    assert m.message == (
        "Berkas renja/dinas_pu.xlsx, lembar 'Sheet1', baris 6, kolom 'JUMLAH PAGU': "
        "nilai 'Rp satu juta' tidak dapat dibaca sebagai angka rupiah [amount_unparseable]"
    )
    assert "negatif" in one(7, "amount_negative").message
    assert "tanggal di kolom pagu" in one(26, "amount_is_date").message
    assert "'NaN' bukan angka" in one(27, "amount_error_value").message
    assert "melebihi batas wajar 10.000.000.000.000" in one(28, "amount_too_large").message
    assert "SELARAS_PAGU_MAX" in one(28, "amount_too_large").message
    repaired = one(29, "kode_repaired")
    assert (
        repaired.raw_value == "1.O3.10.2.01.OO53" and "dibaca sebagai 1.03.10.2.01.0053" in repaired.message
    )
    assert one(8, "target_not_number").column_name == "TARGET"
    assert "2019-2031" in one(9, "tahun_out_of_period").message
    assert one(10, "row_kind_unknown").raw_value == "1.03.10.2"
    assert one(11, "kode_missing").column_name == "KODE SUB KEGIATAN"
    assert "tidak ada dalam nomenklatur" in one(12, "kode_unknown").message
    assert one(13, "kode_outdated").suggestion == "1.03.10.2.01.0053"
    assert "nomenklatur 2024" in one(13, "kode_outdated").message
    assert one(14, "kode_outdated").suggestion == "1.03.10.2.01.0051"
    assert one(15, "kode_outdated").suggestion == "1.03.02.2.01.0101"
    mismatch = one(16, "nama_mismatch")
    assert mismatch.suggestion == "Pembangunan Jalan" and mismatch.raw_value == "Pengadaan Mobil Dinas"
    assert "kemiripan" in mismatch.message and mismatch.column_name == "PROGRAM DAN KEGIATAN"
    assert "baris 17" in one(18, "duplicate_row").message
    assert one(19, "opd_unknown").column_name == "PERANGKAT DAERAH"
    assert "kode lokal" in one(21, "kode_local").message
    split = one(25, "kode_outdated")
    assert "kode '1 | 3 | 10 | 2.01 | 32' (dibaca 1.03.10.2.01.0032)" in split.message
    assert split.suggestion == "1.03.10.2.01.0053"
    assert all(msg.endswith(f"[{rule}]") for (_, rule), msg in df["message"].items())


def test_file_level_checks(con, settings, checks):
    add_nomenklatur(con)
    rows = [
        renja_row("1.03.10.2.01.0053", "Pembangunan Jalan", pagu=1_000_000.0),
        renja_row("1.03.10.2.01.0051", "Pemeliharaan Rutin Jalan", pagu=2_000_000.0, tahun=2026),
        renja_row("1.03.10.2.01.0051", "Pemeliharaan Rutin Jalan", pagu=500_000.0, tahun=2026),
    ]
    jumlah = [
        {"source_row": 2, "reason_code": "header", "raw": {"A": "KODE SUB KEGIATAN", "D": "JUMLAH PAGU"}},
        {"source_row": 6, "reason_code": "subtotal", "raw": {"B": "JUMLAH", "D": "Rp 9.000.000,00"}},
    ]
    add_file(con, "renja", "renja/totals.xlsx", rows, column_map=RENJA_MAP, skipped=jumlah)
    result = _run(con, settings)
    file_level = checks("renja/totals.xlsx").query("source_row.isna()").set_index("rule")
    assert set(file_level.index) == {"tahun_inconsistent", "duplicate_id", "total_mismatch"}
    assert "2025 (1 baris), 2026 (2 baris)" in file_level.loc["tahun_inconsistent", "message"]
    assert "baris 4, 5" in file_level.loc["duplicate_id", "message"]
    total = file_level.loc["total_mismatch"]
    assert total.raw_value == "3.500.000" and "9.000.000" in total.message
    assert not result.failed  # warnings only


def test_totals_consistent_with_jumlah_row_pass(con, settings, checks):
    rows = [
        renja_row("1.03.10.2.01.0053", "Pembangunan Jalan", pagu=1_250_000.0),
        renja_row("1.03.10.2.01.0051", "Pemeliharaan Rutin Jalan", pagu=2_000_000.0),
    ]
    add_file(
        con,
        "renja",
        "renja/ok.xlsx",
        rows,
        column_map=RENJA_MAP,
        skipped=[
            {
                "source_row": 7,
                "reason_code": "subtotal",
                "raw": {"PROGRAM DAN KEGIATAN": "TOTAL", "JUMLAH PAGU": "3.250.000"},
            }
        ],
    )
    _run(con, settings)
    assert "total_mismatch" not in set(checks("renja/ok.xlsx")["rule"])
    res = con.execute("select result from quality.validation_run where suite = 'renja_file'").fetchone()[0]
    assert "expect_column_sum_to_be_between" in res


def test_file_level_error_rejects_the_whole_file(con, settings, checks):
    rows = [renja_row(None, None, pagu=None, pagu_raw=None) for _ in range(3)]
    add_file(con, "renja", "renja/kosong.xlsx", rows, column_map=RENJA_MAP)
    result = _run(con, settings)
    assert result.failed and any("renja/kosong.xlsx" in p for p in result.problems)
    df = checks("renja/kosong.xlsx")
    rejected = df[df["source_row"].isna() & df["severity"].eq("error")]
    assert set(rejected["rule"]) == {"required_column_missing"}
    assert set(rejected["status"]) == {"berkas_ditolak"}
    acc = con.execute(
        "select rows_loaded, rows_quarantined, balanced from analytics.row_accounting "
        "where source_file = 'renja/kosong.xlsx'"
    ).fetchone()
    assert acc == (0, 3, True)


def test_usulan_rules_and_channel(con, settings, checks):
    add_opd(con)
    rows = [
        {
            "usulan": "Rehab Jalan Desa",
            "uraian": "jalan rusak",
            "anggaran_raw": "Rp 50.000.000",
            "anggaran": 5e7,
            "volume_raw": "100 m",
            "volume": 100.0,
            "opd_tujuan": "Dinas Pekerjaan Umum",
            "tahun": 2025,
            "usulan_id": "U-1",
        },
        {
            "usulan": None,
            "uraian": None,
            "anggaran_raw": "lima",
            "anggaran": None,
            "tahun": 2025,
            "usulan_id": "U-1",
        },
        {
            "usulan": "Posyandu",
            "channel": "pokir",
            "tahun": 2025,
            "usulan_id": "U-3",
            "opd_tujuan": "Dinas Kesehatan",
        },
    ]
    add_file(
        con,
        "musrenbang",
        "musrenbang/kec_a.xlsx",
        rows,
        column_map={
            "usulan": "USULAN",
            "anggaran": "ANGGARAN",
            "usulan_id": "ID",
            "opd_tujuan": "SKPD TUJUAN",
        },
    )
    _run(con, settings)
    got = _by_row(checks("musrenbang/kec_a.xlsx"))
    assert got == {4: {"name_and_code_missing", "amount_unparseable"}, 5: {"row_kind_unknown", "opd_unknown"}}
    dup = checks("musrenbang/kec_a.xlsx").query("rule == 'duplicate_id'")
    assert len(dup) == 1 and "'U-1' (baris 3, 4)" in dup.iloc[0]["message"]


def test_severity_override_from_settings_yaml(con, settings, tmp_path, checks):
    override = tmp_path / "aturan.yaml"
    override.write_text("rules:\n  kode_local: {severity: error}\n  amount_zero: {severity: 'off'}\n")
    settings.validation_rules = override
    add_file(
        con,
        "renja",
        "renja/lokal.xlsx",
        [
            renja_row("A.1", "Kegiatan Lama", kode_level="lokal"),
            renja_row("A.2", "Nol", kode_level="lokal", pagu=0.0),
        ],
        column_map=RENJA_MAP,
    )
    _run(con, settings)
    df = checks("renja/lokal.xlsx")
    assert set(df["rule"]) == {"kode_local"}
    assert set(df["severity"]) == {"error"}


def test_unknown_kind_file_is_reported_not_validated(con, settings):
    add_file(
        con,
        "renja",
        "renja/a.xlsx",
        [renja_row("1.01", "Pendidikan", kode_level="bidang")],
        column_map=RENJA_MAP,
    )
    con.execute("update raw.ingest_file set kind = 'lainnya'")
    result = _run(con, settings)
    assert any("lainnya" in p for p in result.problems) and not result.failed


def test_file_without_data_rows_is_rejected(con, settings, checks):
    add_file(
        con,
        "renja",
        "renja/judul_saja.xlsx",
        [],
        column_map=RENJA_MAP,
        skipped=[
            {"source_row": 1, "reason_code": "title", "raw": {"A": "RENJA 2025"}},
            {"source_row": 2, "reason_code": "header", "raw": {"A": "KODE"}},
        ],
    )
    result = _run(con, settings)
    assert result.failed
    df = checks("renja/judul_saja.xlsx")
    df = df[df["severity"].eq("error")]  # a file without pagu is also flagged (a warning)
    assert "file_empty" in set(df["rule"]) and set(df["status"]) == {"berkas_ditolak"}
    assert "tidak berisi satu pun baris data" in df.set_index("rule").loc["file_empty", "message"]


def test_opd_list_falls_back_to_the_rkpd_opds(con, settings, checks):
    add_nomenklatur(con)
    rkpd = [
        {
            "kode_raw": "1.03.10.2.01.0053",
            "kode": "1.03.10.2.01.0053",
            "kode_level": "sub_kegiatan",
            "nama": "Pembangunan Jalan",
            "pagu_raw": "5000000",
            "pagu": 5e6,
            "tahun": 2025,
            "opd": opd,
            "prioritas": "Infrastruktur",
        }
        for opd in ("Dinas Sosial", "Dinas Pekerjaan Umum")
    ]
    add_file(
        con, "rkpd", "rkpd/rkpd_2025.xlsx", rkpd, column_map={"nama": "URAIAN", "opd": "PERANGKAT DAERAH"}
    )
    add_file(
        con,
        "renja",
        "renja/campur.xlsx",
        [
            renja_row("1.03.10.2.01.0053", "Pembangunan Jalan", opd="Dinas Sosial"),
            renja_row("1.03.10.2.01.0051", "Pemeliharaan Rutin Jalan", opd="Dinas Kebersihan"),
        ],
        column_map=RENJA_MAP,
    )
    _run(con, settings)
    renja = checks("renja/campur.xlsx").query("rule == 'opd_unknown'")
    assert renja["source_row"].tolist() == [4]
    assert "OPD penanggung jawab dalam RKPD" in renja.iloc[0]["message"]
    assert "opd_unknown" not in set(checks("rkpd/rkpd_2025.xlsx")["rule"])
