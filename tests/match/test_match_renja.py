"""Renja -> RKPD / nomenclature: every status with its reason."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from selaras.match.renja import RenjaConfig, infer_jenis_pemda, match_renja

PUPR = "Dinas Pekerjaan Umum dan Penataan Ruang"
DPMD = "Dinas Pemberdayaan Masyarakat dan Desa"

RKPD = [
    ("1.03.10.1.01.0013", "Pembangunan Jembatan", PUPR, "Infrastruktur"),
    ("1.03.10.1.01.0016", "Rehabilitasi Jembatan", PUPR, "Infrastruktur"),
    ("1.03.10.1.01.0004", "Pembangunan Jalan", PUPR, "Infrastruktur"),
    ("1.03.02.1.01.0020", "Pembangunan Perkuatan Tebing", PUPR, "Ketahanan bencana"),
    ("2.13.05.1.01.0001", "Peningkatan Kapasitas Kelembagaan Lembaga Kemasyarakatan Desa", DPMD, "SDM"),
    ("2.13.01.1.01.0001", "Penyusunan Dokumen Perencanaan Perangkat Daerah", DPMD, "Tata kelola"),
]
NOMEN = [
    ("1.03.10.1.01.0013", "Pembangunan Jembatan", "1.03.10.1.01"),
    ("1.03.10.1.01.0016", "Rehabilitasi Jembatan", "1.03.10.1.01"),
    ("1.03.10.1.01.0004", "Pembangunan Jalan", "1.03.10.1.01"),
    ("1.03.02.1.01.0020", "Pembangunan Perkuatan Tebing", "1.03.02.1.01"),
    ("1.03.02.1.01.0021", "Rehabilitasi Perkuatan Tebing", "1.03.02.1.01"),
    ("2.13.05.1.01.0001", "Peningkatan Kapasitas Kelembagaan Lembaga Kemasyarakatan Desa", "2.13.05.1.01"),
    ("X.XX.01.1.01.0001", "Penyusunan Dokumen Perencanaan Perangkat Daerah", "X.XX.01.1.01"),
    ("3.27.02.1.01.0001", "Penyediaan Benih Tanaman Pangan", "3.27.02.1.01"),
]
# (row, opd, code as written, name, expected status)
RENJA = [
    ("exact", PUPR, "1.03.10.1.01.0013", "Pembangunan Jembatan", "selaras"),
    ("outdated", PUPR, "1.03.10.1.01.0099", "Rehab. Jembatan", "selaras_nama"),
    ("nocode", PUPR, None, "PEMBANGUNAN PERKUATAN TEBING", "selaras_nama"),
    ("typo", PUPR, None, "Pembangunan Jalaan", "selaras_nama"),
    ("namediff", PUPR, "1.03.10.1.01.0004", "Pengadaan Alat Tulis Kantor", "perlu_review"),
    ("none", PUPR, None, "Festival Layang-layang Internasional", "tidak_selaras"),
    (
        "otheropd",
        PUPR,
        None,
        "Peningkatan Kapasitas Kelembagaan Lembaga Kemasyarakatan Desa",
        "tidak_selaras",
    ),
    ("generic", DPMD, "2.13.01.1.01.0001", "Penyusunan Dok. Perencanaan Perangkat Daerah", "selaras"),
    ("onlycode", DPMD, "2.13.05.1.01.0001", None, "selaras"),
]


def _frames():
    rkpd = pd.DataFrame(RKPD, columns=["kode", "nama", "opd", "prioritas"])
    rkpd["row_ref"] = [f"rkpd/rkpd.xlsx:RKPD:{i + 5}" for i in range(len(rkpd))]
    nomen = pd.DataFrame(NOMEN, columns=["kode", "nama", "kode_induk"])
    nomen["row_ref"] = nomen["kode"]
    renja = pd.DataFrame([r[:4] for r in RENJA], columns=["case", "opd", "kode_raw", "nama"])
    renja["row_ref"] = [f"renja/r.xlsx:Renja:{c}" for c in renja["case"]]
    return renja, rkpd, nomen


@pytest.fixture(scope="module")
def result():
    renja, rkpd, nomen = _frames()
    align, cands = match_renja(renja, rkpd, nomen, RenjaConfig())
    return renja, align.set_index("renja_ref"), cands


@pytest.mark.parametrize("case", [r[0] for r in RENJA])
def test_each_status(result, case):
    renja, align, _ = result
    expected = dict((r[0], r[4]) for r in RENJA)[case]
    row = align.loc[f"renja/r.xlsx:Renja:{case}"]
    assert row["status"] == expected, row["reason"]
    assert row["reason"] and 0 <= row["score"] <= 100


def test_reasons_and_suggested_codes(result):
    _, align, _ = result
    out = align.loc["renja/r.xlsx:Renja:outdated"]
    assert out["kode_rkpd"] == "1.03.10.1.01.0016" and out["kode_saran"] == "1.03.10.1.01.0016"
    assert "usang atau salah ketik" in out["reason"] and out["prioritas"] == "Infrastruktur"
    assert out["method"] == "hirarki_nama"  # found inside the code's kegiatan first
    nocode = align.loc["renja/r.xlsx:Renja:nocode"]
    assert nocode["kode_saran"] == "1.03.02.1.01.0020" and "tanpa kode" in nocode["reason"]
    assert "namanya berbeda" in align.loc["renja/r.xlsx:Renja:namediff", "reason"]
    assert "OPD lain" in align.loc["renja/r.xlsx:Renja:otheropd", "reason"]
    assert align.loc["renja/r.xlsx:Renja:exact", "method"] == "kode"
    assert pd.isna(align.loc["renja/r.xlsx:Renja:exact", "kode_saran"])
    # the support programme: 2.13.01... is the nomenclature's X.XX.01...
    generic = align.loc["renja/r.xlsx:Renja:generic"]
    assert generic["nama_nomenklatur"] == "Penyusunan Dokumen Perencanaan Perangkat Daerah"
    assert "nama sub kegiatan tidak diisi" in align.loc["renja/r.xlsx:Renja:onlycode", "reason"]


def test_candidates_kept_with_field_scores(result):
    _, _, cands = result
    top = cands[(cands["renja_ref"] == "renja/r.xlsx:Renja:outdated") & (cands["target_type"] == "rkpd")]
    assert list(top["rank"]) == sorted(top["rank"]) and 1 < len(top) <= 5
    best = top.iloc[0]
    assert best["target_kode"] == "1.03.10.1.01.0016"
    assert best["name_score"] > 60 and best["code_score"] == 75  # same kegiatan
    assert set(cands["target_type"]) == {"rkpd", "nomenklatur"}


def test_no_rkpd_means_tidak_selaras_but_a_suggestion():
    renja, _, nomen = _frames()
    align, _ = match_renja(renja, None, nomen, RenjaConfig())
    row = align.set_index("renja_ref").loc["renja/r.xlsx:Renja:nocode"]
    assert row["status"] == "tidak_selaras" and "RKPD belum dimuat" in row["reason"]
    assert row["kode_saran"] == "1.03.02.1.01.0020"


def test_jenis_pemda_is_inferred_from_exact_codes():
    nomen = pd.DataFrame(
        {
            "kode": ["1.01.02.1.01.0001", "1.01.02.2.01.0001", "1.01.02.2.01.0002"],
            "jenis_pemda": ["PROV", "KABKOT", "KABKOT"],
        }
    )
    assert infer_jenis_pemda(["1.01.02.2.01.0001", "1.01.02.2.01.0002", None], nomen) == "KABKOT"
    assert infer_jenis_pemda([None], nomen) is None


def test_rkpd_rows_without_code_or_opd_are_named_targets_not_a_crash():
    """A pandas string column holds NaN for an empty cell, and NaN is truthy: an RKPD row
    with a name but no code crashed the match, and one without an OPD counted as another
    OPD's."""
    renja = pd.DataFrame(
        {
            "row_ref": ["r1", "r2"],
            "opd": [PUPR, PUPR],
            "kode": pd.Series([None, None], dtype="str"),
            "kode_raw": pd.Series([None, None], dtype="str"),
            "nama": ["Pembangunan Perkuatan Tebing", "Pembangunan Jalan Desa"],
        }
    )
    rkpd = pd.DataFrame(
        {
            "row_ref": ["k1", "k2"],
            "kode": pd.Series([None, "1.03.10.1.01.0004"], dtype="str"),
            "nama": ["Pembangunan Perkuatan Tebing", "Pembangunan Jalan"],
            "opd": pd.Series([None, PUPR], dtype="str"),
        }
    )
    align, cands = match_renja(renja, rkpd, None, RenjaConfig())
    first = align.set_index("renja_ref").loc["r1"]
    assert first["status"] == "selaras_nama" and first["rkpd_ref"] == "k1"
    assert not re.search(r"\b(None|nan)\b", first["reason"])
    assert "tidak berkode" in first["reason"]
    c = cands[(cands["renja_ref"] == "r1") & (cands["target_ref"] == "k1")]
    assert c["opd_score"].isna().all()  # no OPD on the item: not "another OPD"


def test_an_item_without_a_name_is_not_called_none_in_the_reason():
    """An RKPD / nomenclature item coded but not named (an empty name cell is NaN in a
    pandas string column, None once the targets are built) printed `"None"` to planners."""
    renja = pd.DataFrame(
        {
            "row_ref": ["r1"],
            "opd": [PUPR],
            "kode": pd.Series(["1.03.10.1.01.0016"], dtype="str"),
            "kode_raw": pd.Series([None], dtype="str"),
            "nama": ["Rehabilitasi Jembatan"],
        }
    )
    rkpd = pd.DataFrame(
        {
            "row_ref": ["k1"],
            "kode": pd.Series(["1.03.10.1.01.0016"], dtype="str"),
            "nama": pd.Series([None], dtype="str"),
            "opd": pd.Series([PUPR], dtype="str"),
        }
    )
    nomen = pd.DataFrame(
        {"kode": ["1.03.10.1.01.0016"], "nama": pd.Series([None], dtype="str"), "kode_induk": [None]}
    )
    align, _ = match_renja(renja, rkpd, nomen, RenjaConfig())
    reason = align.set_index("renja_ref").loc["r1", "reason"]
    assert not re.search(r"\b(None|nan)\b", reason), reason
    assert "1.03.10.1.01.0016 (tanpa nama)" in reason
    # a missing name is not a different name: the same code decides
    assert align.set_index("renja_ref").loc["r1", "status"] == "selaras", reason


def test_parent_names_follow_the_government_level():
    # the two halves of the nomenclature reuse a kegiatan code with another name; an entry
    # both share is written "KABKOT|PROV"
    from selaras.match.renja import nomenklatur_targets

    nomen = pd.DataFrame(
        [
            ("2.15", "Perhubungan", None, "KABKOT|PROV"),
            ("2.15.04.3.03", "Penyusunan Dokumen Perencanaan Bidang Penerbangan", "2.15", "PROV"),
            ("2.15.04.3.03", "Pembangunan Bandar Udara", "2.15", "KABKOT"),
            ("2.15.04.3.03.0003", "Sosialisasi Dokumen Perencanaan", "2.15.04.3.03", "PROV"),
            (
                "2.15.04.3.03.0003",
                "Penyediaan Infrastruktur Penunjang Bandar Udara",
                "2.15.04.3.03",
                "KABKOT",
            ),
            ("2.15.04.4.01", "Kegiatan Bersama", "2.15", "KABKOT|PROV"),
            ("2.15.04.4.01.0001", "Sub Kegiatan Bersama", "2.15.04.4.01", "KABKOT|PROV"),
        ],
        columns=["kode", "nama", "kode_induk", "jenis_pemda"],
    )
    for jenis, parent in (
        ("PROV", "Penyusunan Dokumen Perencanaan Bidang Penerbangan"),
        ("KABKOT", "Pembangunan Bandar Udara"),
    ):
        t = nomenklatur_targets(nomen, jenis).set_index("kode")
        assert t.at["2.15.04.3.03.0003", "parent_nama"] == parent
        assert t.at["2.15.04.4.01.0001", "parent_nama"] == "Kegiatan Bersama"  # shared: kept for both
