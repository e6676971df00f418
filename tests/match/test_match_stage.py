"""The match stage on a warehouse: clean views in, match.* tables and analytics views out,
all or nothing."""

from __future__ import annotations

import pandas as pd
import pytest

from selaras import warehouse
from selaras.match import match_all


def _file(con, file_id: str, source_file: str, kind: str) -> None:
    warehouse.insert_df(
        con,
        "raw.ingest_file",
        pd.DataFrame(
            [
                {
                    "file_id": file_id,
                    "source_file": source_file,
                    "kind": kind,
                    "sha256": file_id * 4,
                    "status": "loaded",
                }
            ]
        ),
    )


def _rows(con, table: str, file_id: str, source_file: str, rows: list[dict]) -> None:
    df = pd.DataFrame(rows)
    sheet = "csv" if source_file.endswith(".csv") else "Sheet1"
    df["file_id"], df["source_file"], df["sheet"] = file_id, source_file, sheet
    df["source_row"] = range(2, 2 + len(df))
    df["row_ref"] = [f"{source_file}:{sheet}:{r}" for r in df["source_row"]]
    warehouse.insert_df(con, table, df)


@pytest.fixture
def loaded(con):
    pupr = "Dinas Pekerjaan Umum dan Penataan Ruang"
    _file(con, "f_rkpd", "rkpd/rkpd.csv", "rkpd")
    _rows(
        con,
        "staged.rkpd",
        "f_rkpd",
        "rkpd/rkpd.csv",
        [
            {
                "kode": "1.03.10.1.01.0016",
                "nama": "Rehabilitasi Jembatan",
                "opd": pupr,
                "prioritas": "Infrastruktur",
                "pagu": 500e6,
            },
            {
                "kode": "1.03.02.1.01.0020",
                "nama": "Pembangunan Perkuatan Tebing",
                "opd": pupr,
                "prioritas": "Bencana",
                "pagu": 300e6,
            },
            {
                "kode": "1.03.10.1.01.0004",
                "nama": "Pembangunan Jalan",
                "opd": pupr,
                "prioritas": "Infrastruktur",
            },
        ],
    )
    _file(con, "f_renja", "renja/pupr.csv", "renja")
    _rows(
        con,
        "staged.renja",
        "f_renja",
        "renja/pupr.csv",
        [
            {
                "opd": "DPUPR",
                "kode": "1.03.10.1.01.0016",
                "nama": "Rehabilitasi Jembatan",
                "lokasi": "Ds. Mekarsari",
                "target": 20,
                "satuan": "m",
                "pagu": 250e6,
            },
            {
                "opd": "DPUPR",
                "kode": "1.03.02.1.01.0099",
                "nama": "Pemb. Perkuatan Tebing",
                "lokasi": "Ds. Sukamaju",
                "indikator": "Panjang Talud/TPT yang dibangun",
                "target": 60,
                "satuan": "m",
                "pagu": 120e6,
            },
        ],
    )
    _file(con, "f_usulan", "musrenbang/usulan.csv", "musrenbang")
    _rows(
        con,
        "staged.usulan",
        "f_usulan",
        "musrenbang/usulan.csv",
        [
            {
                "channel": "musrenbang",
                "usulan_id": "U-1",
                "usulan": "Pembangunan Talud",
                "lokasi": "Kp. Legok",
                "desa": "Sukamaju",
                "volume": 20,
                "satuan": "m",
                "anggaran": 40e6,
                "opd_tujuan": "Dinas PUPR",
            },
            {
                "channel": "pokir",
                "usulan": "Pelatihan Menjahit",
                "desa": "Sukamaju",
                "opd_tujuan": "Dinas PUPR",
            },
        ],
    )
    return con


def test_match_all_fills_tables_and_views(loaded, settings):
    con = loaded
    result = match_all(con, settings, "run-1")
    assert not result.failed
    assert result.figures["renja"] == 2 and result.figures["usulan"] == 2
    align = con.execute("select * from analytics.renja_alignment order by source_row").df()
    assert list(align["status"]) == ["selaras", "selaras_nama"]
    assert align["kode_saran"].iloc[1] == "1.03.02.1.01.0020" and align["prioritas"].iloc[1] == "Bencana"
    acc = con.execute("select * from analytics.musrenbang_accommodation order by source_row").df()
    assert list(acc["usulan_ref"]) == ["U-1", "musrenbang/usulan.csv:csv:3"]
    assert list(acc["status"]) == ["terakomodir", "tidak_terakomodir"]
    assert (
        acc["renja_ref"].iloc[0] == "renja/pupr.csv:csv:3"
        and acc["nama_renja"].iloc[0] == "Pemb. Perkuatan Tebing"
    )
    cov = con.execute("select * from analytics.rkpd_coverage order by source_row").df()
    assert list(cov["tercakup"]) == [True, True, False]
    cands = con.execute("select * from analytics.usulan_candidates where row_ref like '%:2'").df()
    assert len(cands) >= 1 and cands["levels"].str.contains("lokasi=").all()
    assert cands["alasan"].notna().all()
    # usulan_ref joins the two views (the proposal's id, not its row_ref); row_ref in both
    joined = con.execute(
        "select a.usulan_ref, a.row_ref from analytics.usulan_candidates c "
        "join analytics.musrenbang_accommodation a using (usulan_ref) where c.rank = 1"
    ).df()
    assert set(joined["usulan_ref"]) == {"U-1", "musrenbang/usulan.csv:csv:3"}
    # the best candidate is shown whatever the status; renja_ref stays the accepted match
    assert acc["kandidat_ref"].notna().all() and acc["kandidat_score"].notna().all()
    assert acc["kandidat_ref"].iloc[0] == acc["renja_ref"].iloc[0]
    assert pd.isna(acc["renja_ref"].iloc[1]) and acc["kandidat_alasan"].iloc[1]
    assert "kandidat_rkpd_ref" in align.columns and align["kandidat_rkpd_ref"].notna().any()
    # the parameters each block used, and the cut points in the run summary
    w = con.execute("select * from analytics.match_weights").df()
    assert len(w) > 0 and w["u"].notna().all() and not w["em_used"].any()
    assert result.figures["cut_terakomodir"] >= 50 and result.figures["cut_terakomodir_source"] in (
        "dasar",
        "distribusi",
    )
    assert len(con.execute("select * from analytics.renja_candidates").df()) > 0


def test_a_failure_leaves_the_previous_results(loaded, settings, monkeypatch):
    con = loaded
    match_all(con, settings, "run-1")
    before = con.execute("select count(*) from match.usulan_accommodation").fetchone()[0]
    real = warehouse.insert_df
    calls = {"n": 0}

    def fail_on_third(con_, table, df):
        calls["n"] += 1
        if calls["n"] == 3:  # after the Renja tables were rewritten
            raise RuntimeError("disk full")
        return real(con_, table, df)

    monkeypatch.setattr(warehouse, "insert_df", fail_on_third)
    with pytest.raises(RuntimeError):
        match_all(con, settings, "run-2")
    assert con.execute("select count(*) from match.usulan_accommodation").fetchone()[0] == before
    assert con.execute("select count(*) from match.renja_alignment").fetchone()[0] == 2


def test_match_all_on_an_empty_warehouse(con, settings):
    result = match_all(con, settings, "run-0")
    assert result.figures["renja"] == 0 and result.figures["usulan"] == 0 and not result.failed
    assert con.execute("select count(*) from analytics.musrenbang_accommodation").fetchone()[0] == 0
