"""Proposals -> Renja rows: fields compared one by one, split proposals, shared rows,
same-named villages, candidates with per-field scores, and the scale-out hook."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from selaras.kamus.opd import OpdResolver
from selaras.match.location import Gazetteer
from selaras.match.usulan import (
    UsulanConfig,
    build_work_items,
    match_usulan,
    match_usulan_partition,
)

PUPR = "Dinas Pekerjaan Umum dan Penataan Ruang"
DISHUB = "Dinas Perhubungan"


def _gazetteer() -> Gazetteer:
    rows = [
        ("36.01.01", "kecamatan", "Cibadak", None),
        ("36.01.02", "kecamatan", "Cikeusal", None),
        ("36.01.01.2001", "desa", "Sukamaju", "36.01.01"),
        ("36.01.02.2003", "desa", "Sukamaju", "36.01.02"),
        ("36.01.02.2004", "desa", "Mekarsari", "36.01.02"),
        ("36.01.02.2005", "desa", "Cimanggu", "36.01.02"),
    ]
    return Gazetteer.from_frame(pd.DataFrame(rows, columns=["kode", "level", "nama", "kode_induk"]))


RENJA = [
    # row id, opd, name, indikator, lokasi, target, satuan, pagu
    (
        "tpt_cibadak",
        PUPR,
        "Pembangunan Perkuatan Tebing",
        "Panjang Talud/TPT yang Dibangun",
        "Ds. Sukamaju Kec. Cibadak",
        60,
        "Meter",
        120e6,
    ),
    (
        "tpt_cikeusal",
        PUPR,
        "Pembangunan Perkuatan Tebing",
        "Panjang Talud/TPT yang Dibangun",
        "Ds. Sukamaju Kec. Cikeusal",
        60,
        "Meter",
        120e6,
    ),
    (
        "jembatan",
        PUPR,
        "Rehabilitasi Jembatan",
        "Panjang Jembatan yang Direhabilitasi",
        "Ds. Mekarsari Kec. Cikeusal",
        20,
        "Meter",
        300e6,
    ),
    (
        "pju_1",
        DISHUB,
        "Pengadaan Perlengkapan Jalan",
        "Jumlah Titik PJU yang Terpasang",
        "Kec. Cikeusal – Ds. Cimanggu",
        12,
        "Titik",
        120e6,
    ),
    (
        "pju_2",
        DISHUB,
        "Pengadaan Perlengkapan Jalan",
        "Jumlah Titik PJU yang Terpasang",
        "Kec. Cikeusal – Ds. Cimanggu",
        12,
        "Titik",
        120e6,
    ),
    (
        "halte",
        DISHUB,
        "Pembangunan Halte Angkutan Umum",
        "Jumlah Halte yang Dibangun",
        "Ds. Mekarsari Kec. Cikeusal",
        2,
        "Unit",
        90e6,
    ),
]
USULAN = [
    # id, opd as written, usulan, uraian, lokasi, kecamatan, desa, volume, satuan, anggaran, expected status, rows
    (
        "talud_a",
        "Dinas PUPR",
        "Pembangunan Talud / TPT",
        "Talud di Kp. Legok jebol",
        "Kp. Legok RT 03 RW 02",
        "Cikeusal",
        "Sukamaju",
        20,
        "m",
        35e6,
        "terakomodir",
        ["tpt_cikeusal"],
    ),
    (
        "talud_b",
        "DPUPR",
        "Pembangunan TPT",
        "Tebing longsor di Kp. Babakan",
        "Kp. Babakan RT 01 RW 04",
        "Kec. Cikeusal",
        "Ds. Sukamaju",
        25,
        "meter",
        40e6,
        "terakomodir",
        ["tpt_cikeusal"],
    ),
    (
        "pju_split",
        "DISHUB",
        "Pemasangan Penerangan Jalan Umum (PJU)",
        "Jalan gelap malam hari",
        "Kp. Pasir RT 03 RW 05",
        "Cikeusal",
        "Cimanggu",
        24,
        "titik",
        240e6,
        "terakomodir",
        ["pju_1", "pju_2"],
    ),
    (
        "jembatan_lain",
        "Dinas PUPR",
        "Rehabilitasi Jembatan",
        "Jembatan bambu putus",
        "Kp. Cikoneng",
        "Cikeusal",
        "Cimanggu",
        15,
        "m",
        200e6,
        "tidak_terakomodir",
        [],
    ),
    (
        "pelatihan",
        "Dinas PUPR",
        "Pelatihan Tukang Bangunan",
        "Tukang perlu sertifikat",
        "Kp. Legok",
        "Cikeusal",
        "Sukamaju",
        30,
        "orang",
        20e6,
        "tidak_terakomodir",
        [],
    ),
]


def _frames():
    renja = pd.DataFrame(
        RENJA, columns=["rid", "opd", "nama", "indikator", "lokasi", "target", "satuan", "pagu"]
    )
    renja["row_ref"] = "renja/" + renja["rid"] + ".xlsx:Renja:10"
    usulan = pd.DataFrame(
        [u[:10] for u in USULAN],
        columns=[
            "uid",
            "opd_tujuan",
            "usulan",
            "uraian",
            "lokasi",
            "kecamatan",
            "desa",
            "volume",
            "satuan",
            "anggaran",
        ],
    )
    usulan["row_ref"] = [f"musrenbang/usulan.xlsx:Usulan:{i + 5}" for i in range(len(usulan))]
    usulan["channel"] = "musrenbang"
    return usulan, renja


def _ref(rid: str) -> str:
    return f"renja/{rid}.xlsx:Renja:10"


@pytest.fixture(scope="module")
def result():
    usulan, renja = _frames()
    resolver = OpdResolver(renja["opd"].unique())
    acc, cands = match_usulan(usulan, renja, _gazetteer(), UsulanConfig(), resolver)
    return usulan, acc.set_index("usulan_ref"), cands


@pytest.mark.parametrize("case", [u[0] for u in USULAN])
def test_status_and_rows(result, case):
    usulan, acc, _ = result
    spec = {u[0]: u for u in USULAN}[case]
    ref = usulan.loc[usulan["uid"] == case, "row_ref"].iloc[0]
    row = acc.loc[ref]
    assert row["status"] == spec[10], row["reason"]
    assert sorted(row["renja_refs"]) == sorted(_ref(r) for r in spec[11]), row["reason"]
    assert row["reason"]


def test_one_row_holds_several_proposals_and_villages_are_told_apart(result):
    usulan, acc, _ = result
    refs = usulan.set_index("uid")["row_ref"]
    # both Sukamaju proposals are in Kec. Cikeusal: never the Sukamaju of Kec. Cibadak
    assert (
        acc.loc[refs["talud_a"], "renja_ref"] == acc.loc[refs["talud_b"], "renja_ref"] == _ref("tpt_cikeusal")
    )
    assert "Terakomodir" in acc.loc[refs["talud_a"], "reason"]
    assert "dipecah" in acc.loc[refs["pju_split"], "reason"]
    assert "Tidak terakomodir" in acc.loc[refs["pelatihan"], "reason"]


def test_candidates_keep_per_field_scores(result):
    usulan, _, cands = result
    ref = usulan.loc[usulan["uid"] == "talud_a", "row_ref"].iloc[0]
    c = cands[cands["usulan_ref"] == ref].sort_values("rank")
    assert 2 <= len(c) <= UsulanConfig().top_k and list(c["rank"]) == list(range(1, len(c) + 1))
    best = c.iloc[0]
    assert best["renja_ref"] == _ref("tpt_cikeusal")
    assert best["location_score"] > c.iloc[1:]["location_score"].max()
    assert best["work_score"] == 100 and best["text_score"] > 50 and best["opd_score"] == 100
    assert "lokasi=desa_sebagian" in best["levels"] and best["score"] >= 80
    assert (c["score"].diff().dropna() <= 1e-9).all()


def _pickling_reversed_map(fn, items):
    """What a distributed map does: every item crosses a process boundary, in any order."""
    items = [pickle.loads(pickle.dumps(i)) for i in items]
    return list(reversed([fn(i) for i in reversed(items)]))[::-1]


def test_map_fn_does_not_change_results():
    usulan, renja = _frames()
    resolver = OpdResolver(renja["opd"].unique())
    a1, c1 = match_usulan(usulan, renja, _gazetteer(), UsulanConfig(), resolver)
    a2, c2 = match_usulan(
        usulan, renja, _gazetteer(), UsulanConfig(), resolver, map_fn=_pickling_reversed_map
    )
    pd.testing.assert_frame_equal(a1, a2)
    pd.testing.assert_frame_equal(c1, c2)


def test_work_items_are_partitioned_by_target_opd_and_picklable():
    usulan, renja = _frames()
    items = build_work_items(usulan, renja, _gazetteer(), UsulanConfig(), OpdResolver(renja["opd"].unique()))
    assert sorted(i.key for i in items) == ["dinas pekerjaan umum dan penataan ruang", "dinas perhubungan"]
    for item in items:
        assert set(item.renja["opd"]) == {item.key}
        acc, _ = match_usulan_partition(pickle.loads(pickle.dumps(item)))
        assert len(acc) == len(item.usulan)


def test_unknown_opd_searches_all_rows_and_says_so():
    usulan, renja = _frames()
    usulan = usulan.assign(opd_tujuan="Kantor Entah Apa")
    acc, _ = match_usulan(
        usulan.head(1), renja, _gazetteer(), UsulanConfig(), OpdResolver(renja["opd"].unique())
    )
    assert "dicari di semua OPD" in acc["reason"].iloc[0] or acc["status"].iloc[0] != "tidak_terakomodir"
    assert np.isfinite(acc["score"]).all()


def test_identical_proposals_are_not_counted_twice():
    usulan, renja = _frames()
    dup = pd.concat([usulan.iloc[[2]], usulan.iloc[[2]]], ignore_index=True)
    dup["row_ref"] = ["musrenbang/u.xlsx:Usulan:5", "musrenbang/u.xlsx:Usulan:6"]
    acc, _ = match_usulan(dup, renja, _gazetteer(), UsulanConfig(), OpdResolver(renja["opd"].unique()))
    # two identical proposals and two identical rows: one row each, in source order
    assert [r for rs in acc["renja_refs"] for r in rs] == [_ref("pju_1"), _ref("pju_2")]


def test_missing_codes_are_not_a_shared_code():
    """Proposals and rows without a code (NaN in a pandas string column) get no "same
    code" bonus from each other in the candidate search."""
    from selaras.match import candidates as cand

    m, vocab = cand.incidence([[np.nan], [None], ["1.03.10.1.01"], [float("nan")]])
    assert vocab == {"1.03.10.1.01": 0}
    assert m.sum() == 1


def test_partitions_in_a_worker_process_give_the_same_results():
    """The match stage's own map on this machine: a worker process beside this one."""
    from selaras import workers

    usulan, renja = _frames()
    resolver = OpdResolver(renja["opd"].unique())
    a1, c1 = match_usulan(usulan, renja, _gazetteer(), UsulanConfig(), resolver)
    workers.release()
    pool, n = workers.shared_pool(1, min_rows=0)
    try:
        here = workers.shared_map(pool, n, lambda item: len(item.usulan))
        a2, c2 = match_usulan(usulan, renja, _gazetteer(), UsulanConfig(), resolver, map_fn=here)
    finally:
        workers.release()
    pd.testing.assert_frame_equal(a1, a2)
    pd.testing.assert_frame_equal(c1, c2)


def test_a_missing_text_does_not_blank_every_vector():
    """`d or ""` let NaN (a pandas string column's empty cell) through; scikit-learn refused
    it and the fallback for an empty vocabulary zeroed every text of the batch."""
    from selaras.match.candidates import pair_cosine, tfidf_pair

    a, b = tfidf_pair(pd.Series([None, "jalan desa"], dtype="str"), ["jalan desa"])
    assert a[0].nnz == 0
    assert pair_cosine(a, b, np.array([1]), np.array([0]))[0] == pytest.approx(1.0)
