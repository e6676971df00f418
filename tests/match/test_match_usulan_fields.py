"""Proposal -> Renja field comparisons that decide recall: a citizen's verb or unit against
the nomenclature's, a citizens' term against the nomenclature's words, and a proposal
split over rows whose volumes add up to it."""

from __future__ import annotations

import pandas as pd
import pytest

from selaras.kamus.names import default_normalizer
from selaras.kamus.opd import OpdResolver
from selaras.match.location import Gazetteer
from selaras.match.usulan import UsulanConfig, match_usulan

DINSOS = "Dinas Sosial"
DISTAN = "Dinas Pertanian"
DISDIK = "Dinas Pendidikan"
DISHUB = "Dinas Perhubungan"


def _gazetteer() -> Gazetteer:
    rows = [("36.01.01", "kecamatan", "Cadasari", None)]
    rows += [
        (f"36.01.01.200{i}", "desa", d, "36.01.01")
        for i, d in enumerate(["Koranji", "Ciinjuk", "Sukamanah", "Tapos"], start=1)
    ]
    return Gazetteer.from_frame(pd.DataFrame(rows, columns=["kode", "level", "nama", "kode_induk"]))


def _row(rid, opd, nama, indikator, desa, target, satuan, pagu):
    return (rid, opd, nama, indikator, f"Ds. {desa} Kec. Cadasari", target, satuan, pagu)


RENJA = [
    # the same kegiatan in every desa (so the desa decides) and other kegiatan of the OPD
    *(
        _row(
            f"permakanan_{d}",
            DINSOS,
            "Penyediaan Permakanan",
            "Jumlah Lansia Terlantar yang Mendapatkan Permakanan",
            d,
            45,
            "Orang",
            75e6,
        )
        for d in ("Koranji", "Ciinjuk", "Sukamanah")
    ),
    _row(
        "alat_bantu",
        DINSOS,
        "Penyediaan Alat Bantu",
        "Jumlah Penyandang Disabilitas Penerima Alat Bantu",
        "Koranji",
        10,
        "Unit",
        40e6,
    ),
    _row(
        "rehab_sosial",
        DINSOS,
        "Rehabilitasi Sosial Dasar Anak Terlantar",
        "Jumlah Anak yang Direhabilitasi",
        "Tapos",
        20,
        "Orang",
        30e6,
    ),
    *(
        _row(
            f"latih_{d}",
            DISTAN,
            "Pelatihan Petani dan Pelaku Agribisnis",
            "Jumlah Petani yang Dilatih",
            d,
            60,
            "Orang",
            40e6,
        )
        for d in ("Ciinjuk", "Tapos")
    ),
    _row(
        "jut_1",
        DISTAN,
        "Pembangunan Jalan Usaha Tani",
        "Panjang Jalan Usaha Tani yang Dibangun",
        "Koranji",
        715,
        "Meter",
        291e6,
    ),
    _row(
        "jut_2",
        DISTAN,
        "Pembangunan Jalan Usaha Tani",
        "Panjang Jalan Usaha Tani yang Dibangun",
        "Koranji",
        714,
        "Meter",
        290e6,
    ),
    _row(
        "jut_tapos",
        DISTAN,
        "Pembangunan Jalan Usaha Tani",
        "Panjang Jalan Usaha Tani yang Dibangun",
        "Tapos",
        500,
        "Meter",
        200e6,
    ),
    _row(
        "irigasi",
        DISTAN,
        "Rehabilitasi Jaringan Irigasi",
        "Panjang Saluran Irigasi yang Direhabilitasi",
        "Ciinjuk",
        300,
        "Meter",
        150e6,
    ),
    *(
        _row(
            f"mebel_{d}",
            DISDIK,
            "Pengadaan Meubelair Sekolah",
            "Jumlah Paket Meubelair Sekolah yang Disediakan",
            d,
            4,
            "Paket",
            190e6,
        )
        for d in ("Koranji", "Sukamanah")
    ),
    _row(
        "rkb",
        DISDIK,
        "Pembangunan Ruang Kelas Baru",
        "Jumlah Ruang Kelas yang Dibangun",
        "Ciinjuk",
        3,
        "Unit",
        600e6,
    ),
    *(
        _row(
            f"rambu_{d}",
            DISHUB,
            "Pengadaan Perlengkapan Jalan",
            "Jumlah Rambu Lalu Lintas yang Terpasang",
            d,
            20,
            "Unit",
            70e6,
        )
        for d in ("Koranji", "Ciinjuk", "Tapos")
    ),
    *(
        _row(
            f"pju_{d}",
            DISHUB,
            "Pengadaan Perlengkapan Jalan",
            "Jumlah Titik Penerangan Jalan Umum (PJU) yang Terpasang",
            d,
            12,
            "Titik",
            120e6,
        )
        for d in ("Ciinjuk", "Sukamanah", "Tapos")
    ),
    _row(
        "halte",
        DISHUB,
        "Pembangunan Halte Angkutan Umum",
        "Jumlah Halte yang Dibangun",
        "Tapos",
        2,
        "Unit",
        90e6,
    ),
]

USULAN = [
    # id, opd, usulan, kampung, desa, volume, satuan, anggaran, expected status, rows
    # the citizen's verb (bantuan) for the nomenclature's (penyediaan), and Jiwa for Orang
    (
        "permakanan",
        DINSOS,
        "Bantuan Permakanan Lansia Terlantar",
        "Kp. Sindangsari RT 08 RW 13",
        "Sukamanah",
        15,
        "Jiwa",
        26e6,
        "terakomodir",
        ["permakanan_Sukamanah"],
    ),
    # "kelompok tani" is what the nomenclature calls "petani"
    (
        "kelompok_tani",
        DISTAN,
        "Pelatihan Kelompok Tani",
        "Kp. Cilaban RT 07 RW 13",
        "Ciinjuk",
        44,
        "Org",
        30e6,
        "terakomodir",
        ["latih_Ciinjuk"],
    ),
    # a proposal split over two rows of its desa that add up to it
    (
        "jut_split",
        DISTAN,
        "Pembangunan Jalan Usaha Tani (JUT)",
        "Kp. Pasir Muncang RT 003/RW 005",
        "Koranji",
        1429,
        "m",
        679e6,
        "terakomodir",
        ["jut_1", "jut_2"],
    ),
    # Set against the row's Paket: different units of the same kegiatan, not a disagreement
    (
        "mebel",
        DISDIK,
        "Pengadaan Meubelair Sekolah",
        "Kp. Cibodas RT 001/RW 006",
        "Sukamanah",
        1,
        "Set",
        45e6,
        "terakomodir",
        ["mebel_Sukamanah"],
    ),
    # a PJU proposal against a rambu row of its desa, all these rows named "Pengadaan
    # Perlengkapan Jalan" (PJU is one kind of it): see test_a_broader_category_...
    (
        "pju_koranji",
        DISHUB,
        "Pemasangan Penerangan Jalan Umum (PJU)",
        "Kp. Leuwi Ipuh RT 01 RW 07",
        "Koranji",
        8,
        "titik",
        86e6,
        None,
        [],
    ),
    (
        "pju_ciinjuk",
        DISHUB,
        "Pemasangan Penerangan Jalan Umum (PJU)",
        "Kp. Bojong RT 02 RW 01",
        "Ciinjuk",
        4,
        "titik",
        40e6,
        "terakomodir",
        ["pju_Ciinjuk"],
    ),
    # the same kegiatan in a desa with no row
    (
        "permakanan_tapos",
        DINSOS,
        "Bantuan Permakanan Lansia Terlantar",
        "Kp. Babakan RT 02 RW 03",
        "Tapos",
        15,
        "Orang",
        26e6,
        "not terakomodir",
        [],
    ),
]


def _ref(rid: str) -> str:
    return f"renja/{rid}.xlsx:Renja:10"


@pytest.fixture(scope="module")
def result():
    renja = pd.DataFrame(
        RENJA, columns=["rid", "opd", "nama", "indikator", "lokasi", "target", "satuan", "pagu"]
    )
    renja["row_ref"] = renja["rid"].map(_ref)
    usulan = pd.DataFrame(
        [(u[0], u[1], u[2], u[3], "Cadasari", u[4], u[5], u[6], u[7]) for u in USULAN],
        columns=[
            "uid",
            "opd_tujuan",
            "usulan",
            "lokasi",
            "kecamatan",
            "desa",
            "volume",
            "satuan",
            "anggaran",
        ],
    )
    usulan["uraian"] = None
    usulan["row_ref"] = [f"musrenbang/usulan.xlsx:Usulan:{i + 5}" for i in range(len(usulan))]
    usulan["channel"] = "musrenbang"
    acc, cands = match_usulan(usulan, renja, _gazetteer(), UsulanConfig(), OpdResolver(renja["opd"].unique()))
    return usulan.set_index("uid")["row_ref"], acc.set_index("usulan_ref"), cands


@pytest.mark.parametrize("case", [u[0] for u in USULAN if u[8]])
def test_field_comparisons_decide(result, case):
    refs, acc, _ = result
    spec = {u[0]: u for u in USULAN}[case]
    row = acc.loc[refs[case]]
    if spec[8] == "not terakomodir":
        assert row["status"] != "terakomodir", row["reason"]
        return
    assert row["status"] == spec[8], row["reason"]
    assert sorted(row["renja_refs"]) == sorted(_ref(r) for r in spec[9]), row["reason"]


def test_split_reason_names_the_other_rows(result):
    refs, acc, _ = result
    assert "dipecah" in acc.loc[refs["jut_split"], "reason"]


def test_a_broader_category_is_not_the_same_kegiatan(result):
    """ "Pengadaan Perlengkapan Jalan" covers PJU and rambu: for a PJU proposal a rambu row
    is at most similar, a PJU row the same kegiatan."""
    refs, _, cands = result
    c = cands[cands["usulan_ref"] == refs["pju_koranji"]].set_index("renja_ref")["levels"]
    assert "kegiatan=mirip" in c[_ref("rambu_Koranji")] or "kegiatan=agak_mirip" in c[_ref("rambu_Koranji")]
    assert "kegiatan=nama_sama" in c[_ref("pju_Ciinjuk")]


def test_concepts_cover_equivalent_terms_only():
    n = default_normalizer()
    obj = n.split_work("Pelatihan Kelompok Tani")[1]
    assert n.concepts(obj) == ("~kelompok_tani",)
    assert "~kelompok_tani" in n.with_concepts(n.tokens("Pelatihan Petani dan Pelaku Agribisnis"))
    assert "~kelompok_tani" in n.with_concepts(n.tokens("Bantuan Bibit untuk Kelompok Tani"))
    # a broader category does not stand for one of its kinds
    assert n.concepts(n.tokens("penerangan jalan umum")) == ("penerangan", "jalan", "umum")
    assert not any(t.startswith("~") for t in n.with_concepts(n.tokens("Pengadaan Perlengkapan Jalan")))


@pytest.mark.parametrize(
    ("case", "rid", "expected"),
    [
        # the citizen's verb of the nomenclature's family, once the kegiatan agrees
        ("permakanan", "permakanan_Sukamanah", ["pekerjaan=sama"]),
        # different units of one kegiatan: volumes incomparable, not different
        ("mebel", "mebel_Sukamanah", ["volume=missing"]),
        # each half of a split compared with the proposal through the rows' totals
        ("jut_split", "jut_1", ["volume=sama", "biaya=dekat"]),
        ("jut_split", "jut_2", ["volume=sama", "biaya=dekat"]),
    ],
)
def test_comparison_levels(result, case, rid, expected):
    refs, _, cands = result
    levels = cands[cands["usulan_ref"] == refs[case]].set_index("renja_ref")["levels"][_ref(rid)]
    for e in expected:
        assert e in levels.split("; "), levels
