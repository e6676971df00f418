"""Labelled sets and the leave-one-set-out figure: the cut point is fitted on the other
sets only; real-data sets are built from ../shared/data (skipped when absent)."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from selaras.evaluate.measure import leave_one_set_out, links_at, worst_set
from selaras.evaluate.sets import malang_set, package_name, pasangkayu_set, pengadaan_set, sukabumi_kamus_set


def _decisions(rows):
    return pd.DataFrame(rows, columns=["usulan_ref", "status", "renja_refs", "score", "method"])


def test_links_at_keeps_exact_and_cuts_scored():
    d = _decisions(
        [
            ("a", "terakomodir", ["1"], 30.0, "exact"),
            ("b", "terakomodir", ["2"], 70.0, "skor"),
            ("c", "perlu_review", ["3"], 50.0, "skor"),
            ("d", "tidak_terakomodir", [], 10.0, "none"),
        ]
    )
    assert links_at(d, 60.0) == {("a", "1"), ("b", "2")}
    assert links_at(d, 45.0) == {("a", "1"), ("b", "2"), ("c", "3")}


def test_leave_one_set_out_never_looks_at_the_held_out_set():
    # set x is right only at a low cut point, y and z only at a high one: held out, x gets
    # the cut point y and z prefer, so its figure is poor (a fit on x would hide that)
    x = _decisions(
        [("x1", "perlu_review", ["r1"], 40.0, "skor"), ("x2", "terakomodir", ["bad"], 80.0, "skor")]
    )
    y = _decisions(
        [("y1", "terakomodir", ["r1"], 85.0, "skor"), ("y2", "perlu_review", ["bad"], 40.0, "skor")]
    )
    z = _decisions(
        [("z1", "terakomodir", ["r1"], 90.0, "skor"), ("z2", "perlu_review", ["bad"], 45.0, "skor")]
    )
    truths = {"x": {("x1", "r1")}, "y": {("y1", "r1")}, "z": {("z1", "r1")}}
    out = leave_one_set_out({k: {"decisions": v} for k, v in {"x": x, "y": y, "z": z}.items()}, truths)
    assert out["x"]["threshold"] > 45.0 and out["x"]["f1"] == 0.0
    assert out["y"]["f1"] < 1.0 or out["y"]["threshold"] > 45.0
    rows = [{"set": k, "f1": 1.0, "loso": v, "fixed_cut": True} for k, v in out.items()]
    assert worst_set(rows)["set"] == "x"


def test_package_names_read_like_procurement():
    rng = random.Random(3)
    names = [package_name("Pembangunan Jembatan", rng) for _ in range(40)]
    assert all("jembatan" in n.lower() for n in names)
    assert any("Belanja Modal" in n or n.startswith("BM ") for n in names)
    assert any("DAK" in n or "Paket" in n or "Tahap" in n for n in names)


@pytest.mark.realdata
def test_real_sets_have_real_labels(shared_data):
    m = malang_set(shared_data)
    assert m is not None and len(m.truth) == len(m.usulan) and len(m.renja) == 25
    # the proposal's text is the citizen's, never the kamus item it is scored against
    assert not set(m.usulan["usulan"]) & set(m.renja["nama"])
    p = pasangkayu_set(shared_data)
    assert p is not None and p.rows["kode_benar"].notna().all() and "kode" not in p.rows
    g = pengadaan_set(shared_data, n=50)
    assert g is not None and len(g.truth) == 50


@pytest.mark.realdata
def test_sukabumi_kamus_set_gives_the_proposal_only_what_it_asks_for(shared_data):
    k = sukabumi_kamus_set(shared_data)
    assert k is not None and k.group == "teks" and len(k.truth) == len(k.usulan) > 5000
    # every label is a row of the proposal's own target OPD (what it is compared with)
    opd_of = dict(zip(k.renja["row_ref"], k.renja["opd"], strict=True))
    target = dict(zip(k.usulan["row_ref"], k.usulan["opd_tujuan"], strict=True))
    assert all(opd_of[r] == target[q] for q, r in k.truth)
    # the proposal carries neither its kegiatan's name nor its code, the rows no indikator list
    assert "kode" not in k.usulan and "nama_kegiatan" not in k.usulan and "kode" not in k.renja
    assert not set(k.usulan["usulan"]) & set(k.renja["nama"])
