"""Evaluation plumbing: link metrics, the sample's truth files against match tables, and
the CLI entry point."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from selaras import warehouse
from selaras.evaluate import measure as evaluate
from selaras.evaluate.measure import evaluate_cli, evaluate_sample, link_metrics


def test_link_metrics():
    m = link_metrics({("a", "1"), ("b", "2"), ("c", "9")}, {("a", "1"), ("b", "2"), ("d", "4"), ("e", "5")})
    assert (m["precision"], m["recall"], m["correct"]) == (0.6667, 0.5, 2)
    assert m["f1"] == round(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5), 4)
    assert link_metrics(set(), {("a", "1")})["f1"] == 0.0


def _truth(tmp_path: Path) -> Path:
    truth = tmp_path / "truth"
    truth.mkdir()
    pd.DataFrame(
        {
            "renja_ref": ["r:S:2", "r:S:3", "r:S:4"],
            "status": ["selaras", "selaras_nama", "tidak_selaras"],
            "rkpd_ref": ["k:S:2", "k:S:3", ""],
        }
    ).to_csv(truth / "renja_rkpd.csv", index=False)
    pd.DataFrame(
        {
            "usulan_ref": ["u:S:2", "u:S:3", "u:S:4"],
            "status": ["terakomodir", "terakomodir", "tidak_terakomodir"],
            "renja_refs": ["r:S:2|r:S:3", "r:S:4", ""],
        }
    ).to_csv(truth / "usulan_renja.csv", index=False)
    return truth


def test_sample_truth_against_match_tables(con, tmp_path):
    warehouse.insert_df(
        con,
        "match.renja_alignment",
        pd.DataFrame(
            {
                "renja_ref": ["r:S:2", "r:S:3", "r:S:4"],
                "rkpd_ref": ["k:S:2", "k:S:9", None],
                "status": ["selaras", "selaras_nama", "perlu_review"],
                "method": "kode",
                "reason": "x",
            }
        ),
    )
    warehouse.insert_df(
        con,
        "match.usulan_accommodation",
        pd.DataFrame(
            {
                "usulan_ref": ["u:S:2", "u:S:3", "u:S:4"],
                "channel": "musrenbang",
                "status": ["terakomodir", "tidak_terakomodir", "terakomodir"],
                "renja_refs": [["r:S:2", "r:S:3"], [], ["r:S:2"]],
                "reason": "x",
            }
        ),
    )
    m = evaluate_sample(con, _truth(tmp_path))
    rr, ur = m["renja_rkpd"], m["usulan_renja"]
    assert (rr["correct"], rr["predicted"], rr["true"]) == (1, 2, 2)
    assert rr["status_accuracy"] == round(2 / 3, 4) and rr["perlu_review"] == 1
    assert (ur["correct"], ur["predicted"], ur["true"]) == (2, 3, 3)
    assert ur["status_accuracy"] == round(1 / 3, 4)


def test_cli_says_when_there_is_nothing_to_measure(settings, monkeypatch, capsys):
    monkeypatch.setattr(evaluate, "shared_data_dir", lambda: None)
    assert evaluate_cli(settings, None) == 1
    assert "Tidak ada data berlabel" in capsys.readouterr().out


def test_a_pick_is_indistinguishable_only_by_what_the_row_carries():
    # "Pembangunan Asrama Sekolah" under two kegiatan, and a sibling of another name.
    sub = pd.DataFrame(
        {
            "kode_sub_kegiatan": ["1.01.02.2.02.0008", "1.01.02.4.05.0013", "1.01.02.4.05.0014"],
            "nama_sub_kegiatan": [
                "Pembangunan Asrama Sekolah",
                "Pembangunan  Asrama Sekolah",
                "Rehab Asrama",
            ],
            "kode_kegiatan": ["1.01.02.2.02", "1.01.02.4.05", "1.01.02.4.05"],
            "nama_kegiatan": ["Pengelolaan SD", "Pengelolaan SMA", "Pengelolaan SMA"],
        }
    )
    truth, twin, other = sub["kode_sub_kegiatan"][1], sub["kode_sub_kegiatan"][0], sub["kode_sub_kegiatan"][2]
    rows = pd.DataFrame(
        [
            (twin, None, None),  # nothing tells the twins apart
            (twin, None, "Pengelolaan SMA"),  # the row names the truth's kegiatan
            (twin, "1.01.02.4.05.0099", None),  # its code has a sub kegiatan number
            (twin, "1 | 1 | 2 | 4.05", None),  # its code reaches the truth's kegiatan
            (other, None, None),  # another name
            (None, None, None),  # no pick
        ],
        columns=["pred", "kode_raw", "kegiatan_nama"],
    ).assign(kode_benar=truth)
    assert evaluate.indistinguishable(rows, sub) == [True, False, False, False, False, False]
    same_kegiatan = rows.iloc[[3]].assign(kode_raw="1.01.02.4.05")
    assert evaluate.indistinguishable(same_kegiatan.assign(pred=truth), sub) == [True]
