"""Leave-one-set-out for the match weights (selaras.evaluate.loso): a held-out set's m come
from the true links of the other sets of its task only, never from its own, and nothing of
weights.yaml's m is kept."""

from __future__ import annotations

import pandas as pd
import pytest

from selaras.evaluate import loso
from selaras.evaluate.measure import _headline, worst_set
from selaras.evaluate.sets import LinkSet
from selaras.match.linkage import default_model
from selaras.match.usulan import UsulanConfig


def link_set(name: str, group: str = "akomodasi") -> LinkSet:
    usulan = pd.DataFrame(
        {
            "row_ref": [f"{name}:u1", f"{name}:u2"],
            "usulan": ["Pembangunan jalan desa", "Pelatihan menjahit"],
            "opd_tujuan": ["Dinas PU", "Dinas Sosial"],
            "desa": ["Campaka", "Sukamaju"],
        }
    )
    renja = pd.DataFrame(
        {
            "row_ref": [f"{name}:r1", f"{name}:r2"],
            "nama": ["Pembangunan jalan desa", "Pelatihan keterampilan menjahit"],
            "opd": ["Dinas PU", "Dinas Sosial"],
            "lokasi": ["Campaka", "Sukamaju"],
        }
    )
    truth = {(f"{name}:u1", f"{name}:r1"), (f"{name}:u2", f"{name}:r2")}
    return LinkSet(name, name, "usulan->Renja", "test", usulan, renja, truth, group=group)


def test_fit_m_is_the_links_shares_with_a_uniform_prior():
    model = default_model()
    counts = {"opd": {("sama", "semua"): 8, ("beda", "semua"): 0}}
    fitted = loso.fit_m(model, [counts])
    # 8 links "sama", none "beda", one pseudo-link each: 9/10 and 1/10, whatever the yaml says
    assert fitted.fields["opd"]["sama"].m["semua"] == pytest.approx(0.9)
    assert fitted.fields["opd"]["beda"].m["semua"] == pytest.approx(0.1)
    # a field without links: every level equally likely, the yaml m are not kept
    kegiatan = {n: lv.m for n, lv in fitted.fields["kegiatan"].items() if n != "missing"}
    assert len({v["nama"] for v in kegiatan.values() if "nama" in v}) == 1
    assert fitted.fields["lokasi"] is not model.fields["lokasi"]


def test_a_held_out_set_is_fitted_on_the_others_of_its_task_only(monkeypatch):
    sets = [link_set("a"), link_set("b"), link_set("c"), link_set("t", group="teks")]
    fits: list[list[str]] = []
    monkeypatch.setattr(loso, "link_level_counts", lambda ls, model: {"set": ls.name})
    monkeypatch.setattr(loso, "fit_m", lambda model, counts: fits.append([c["set"] for c in counts]) or model)
    configs = loso.loso_configs(sets, UsulanConfig())
    assert {k: v[1] for k, v in configs.items()} == {"a": ["b", "c"], "b": ["a", "c"], "c": ["a", "b"]}
    assert fits == [["b", "c"], ["a", "c"], ["a", "b"]]  # never the held-out set's own links
    assert "t" not in configs  # alone in its task: no leave-one-set-out figure


def test_link_level_counts_compare_resolved_opds():
    counts = loso.link_level_counts(link_set("a"), default_model())
    assert counts["opd"] == {("sama", "semua"): 2}
    assert sum(counts["kegiatan"].values()) == 2


def test_the_worst_set_is_judged_by_its_leave_one_set_out_figure():
    rows = [
        {"set": "x", "group": "akomodasi", "f1": 0.99, "loso_m": {"f1": 0.40, "top1": 0.9}},
        {"set": "y", "group": "akomodasi", "f1": 0.90, "loso_m": {"f1": 0.80, "top1": 0.9}},
        {"set": "z", "group": "teks", "f1": 0.0, "top1": 0.9, "loso_m": {"f1": 0.0, "top1": 0.5}},
    ]
    assert worst_set(rows, "akomodasi")["set"] == "x"
    assert _headline(rows[0]) == ("F1 leave-one-set-out", 0.40)
    assert _headline(rows[2]) == ("top-1 leave-one-set-out", 0.5)
    assert _headline({"group": "akomodasi", "f1": 0.7}) == ("F1", 0.7)  # no sibling set: the run's figure


def test_unseen_levels_name_where_the_held_out_links_fall_and_the_training_links_do_not():
    held = {"lokasi": {("desa_sebagian", "umum"): 90, ("desa", "umum"): 10, ("missing", "umum"): 50}}
    train = [{"lokasi": {("desa_detail_sama", "rinci"): 995, ("desa_sebagian", "umum"): 5}}]
    # 90% of the held-out links against 0.5% of the training links; "desa" (10%, 0% in training)
    # is at the bound and counts too; missing is never a level
    assert loso.unseen_levels(held, train) == [
        ("lokasi", "desa_sebagian", 0.9, 0.005),
        ("lokasi", "desa", 0.1, 0.0),
    ]
    # training links that fall there as often: nothing to report
    assert loso.unseen_levels(held, [held]) == []
