"""The ordered decision: the exact rule wins over a better-scored twin, hard address-number
keys keep different places apart, a different OPD never matches (only an unresolved OPD is
searched across OPDs, and says so)."""

from __future__ import annotations

import pandas as pd

from selaras.kamus.opd import OpdResolver
from selaras.match.location import address_numbers, number_conflict, parse_location
from selaras.match.usulan import match_usulan

PUPR = "Dinas Pekerjaan Umum dan Penataan Ruang"
DINSOS = "Dinas Sosial"


def _renja(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["rid", "opd", "nama", "indikator", "lokasi", "target", "satuan", "pagu"])
    df["row_ref"] = "renja:" + df["rid"]
    return df


def _usulan(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(
        rows, columns=["uid", "opd_tujuan", "usulan", "lokasi", "desa", "volume", "satuan", "anggaran"]
    )
    df["row_ref"] = "usulan:" + df["uid"]
    df["channel"] = "musrenbang"
    return df


def test_address_numbers_are_hard_keys():
    assert address_numbers("jl. raya l no. 131 c") == {"no:131c"}
    assert address_numbers("dusun iii km 5") == {"dusun:3", "km:5"}
    a, b = parse_location("Jl. Raya L No. 131 C"), parse_location("Jln. Raya L No. 131")
    assert number_conflict(a, b)
    assert number_conflict(parse_location("Kp. Legok RT 17"), parse_location("Kp. Legok RT 18"))
    assert not number_conflict(parse_location("Kp. Legok RT 17"), parse_location("Kp. Legok RT 17 RW 2"))
    # a side without numbers does not conflict
    assert not number_conflict(parse_location("Kp. Legok"), parse_location("Kp. Legok RT 18"))


def test_exact_row_wins_over_a_twin_whose_volume_agrees():
    renja = _renja(
        [
            ("exact", PUPR, "Pembangunan Jalan Lingkungan", None, "Desa Sukamaju", 500, "meter", 100e6),
            ("twin", PUPR, "Pembangunan Jalan Lingkungan", None, "Desa Sukamulya", 120, "meter", 30e6),
        ]
    )
    usulan = _usulan([("u", PUPR, "Pembangunan Jalan Lingkungan", "Desa Sukamaju", None, 120, "meter", 30e6)])
    acc, cands = match_usulan(usulan, renja)
    row = acc.iloc[0]
    assert row["status"] == "terakomodir" and row["method"] == "exact" and row["renja_ref"] == "renja:exact"
    assert "cocok persis" in row["reason"]
    assert cands.loc[cands["rank"] == 1, "renja_ref"].iloc[0] == "renja:exact"


def test_different_house_numbers_are_never_accepted():
    renja = _renja(
        [("r", PUPR, "Pembangunan Drainase", None, "Jln. Raya L No. 131, Desa Sukamaju", 50, "meter", 50e6)]
    )
    usulan = _usulan(
        [
            ("other", PUPR, "Pembangunan Drainase", "Jl. Raya L No. 131 C", "Sukamaju", 50, "meter", 50e6),
            ("same", PUPR, "Pembangunan Drainase", "Jl. Raya L No. 131", "Sukamaju", 50, "meter", 50e6),
        ]
    )
    acc, cands = match_usulan(usulan, renja)
    got = acc.set_index("usulan_ref")
    assert got.at["usulan:other", "status"] == "tidak_terakomodir"
    assert got.at["usulan:same", "status"] == "terakomodir"
    # the candidate is still shown, with why it was not taken
    c = cands[(cands["usulan_ref"] == "usulan:other") & (cands["rank"] == 1)].iloc[0]
    assert c["renja_ref"] == "renja:r" and "berbeda" in c["alasan"]


def test_another_opd_never_matches_an_unresolved_one_is_searched_and_flagged():
    renja = _renja(
        [("sos", DINSOS, "Pembangunan Jalan Lingkungan", None, "Desa Sukamaju", 100, "meter", 50e6)]
    )
    usulan = _usulan(
        [
            ("pupr", PUPR, "Pembangunan Jalan Lingkungan", "Desa Sukamaju", None, 100, "meter", 50e6),
            ("unknown", None, "Pembangunan Jalan Lingkungan", "Desa Sukamaju", None, 100, "meter", 50e6),
        ]
    )
    acc, _ = match_usulan(usulan, renja, resolver=OpdResolver([PUPR, DINSOS]))
    got = acc.set_index("usulan_ref")
    assert got.at["usulan:pupr", "status"] == "tidak_terakomodir"
    assert pd.isna(got.at["usulan:pupr", "renja_ref"])
    assert got.at["usulan:unknown", "renja_ref"] == "renja:sos"
    assert "lintas OPD" in got.at["usulan:unknown", "reason"]
    assert got.at["usulan:unknown", "method"] != "exact"


def test_candidates_with_equal_evidence_rank_by_the_closer_text():
    # free text without location, code or volume: many rows share one comparison level, so
    # their weights tie; the closer name must come first, not the row listed first
    disdik = "Dinas Pendidikan"
    renja = _renja(
        [
            ("mebel", disdik, "Pengadaan Mebel Sekolah Dasar", None, None, None, None, None),
            ("perlengkapan", disdik, "Pengadaan Perlengkapan Sekolah", None, None, None, None, None),
            ("rkb", disdik, "Pembangunan Ruang Kelas Baru", None, None, None, None, None),
        ]
    )
    usulan = _usulan([("u", disdik, "Pembangunan Ruang Perpustakaan", None, None, None, None, None)])
    _, cands = match_usulan(usulan, renja)
    tail = cands[cands["renja_ref"].isin(["renja:mebel", "renja:perlengkapan"])].sort_values("rank")
    assert tail["match_weight"].nunique() == 1  # the same evidence ...
    assert tail["renja_ref"].tolist() == ["renja:perlengkapan", "renja:mebel"]  # ... closer text first
    assert tail["text_score"].iloc[0] > tail["text_score"].iloc[1]
