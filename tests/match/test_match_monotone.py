"""Ordered comparison levels keep their weights in order: more similar text is never
weaker evidence than less similar text, whatever m a fit (EM, another region's links)
gives. Violating neighbours weigh as one merged level."""

from __future__ import annotations

from dataclasses import replace

import pytest

from selaras.match.linkage import ALL, default_model, monotone_ratios


def test_ordered_ratios_are_left_alone():
    m = {"sama": 0.6, "mirip": 0.3, "beda": 0.1}
    u = {"sama": 0.1, "mirip": 0.3, "beda": 0.6}
    assert monotone_ratios(["sama", "mirip", "beda"], m, u) == pytest.approx(
        {"sama": 6.0, "mirip": 1.0, "beda": 1 / 6}
    )


def test_a_violating_pair_is_merged_into_one_level():
    # "mirip" looks stronger than "sama" (a thin or foreign fit): both weigh as sama+mirip
    m = {"sama": 0.1, "mirip": 0.5, "beda": 0.4}
    u = {"sama": 0.1, "mirip": 0.1, "beda": 0.8}
    out = monotone_ratios(["sama", "mirip", "beda"], m, u)
    assert out["sama"] == out["mirip"] == pytest.approx(0.6 / 0.2)
    assert out["beda"] == pytest.approx(0.5)
    assert out["sama"] >= out["mirip"] >= out["beda"]


def test_merging_cascades_back_up_the_chain():
    m = {"a": 0.2, "b": 0.2, "c": 0.6}
    u = {"a": 0.2, "b": 0.4, "c": 0.4}
    out = monotone_ratios(["a", "b", "c"], m, u)
    assert out["a"] == out["b"] == out["c"] == pytest.approx(1.0)


def test_model_weights_follow_the_order_of_the_yaml():
    model = default_model()
    levels = dict(model.fields["uraian"])
    # a fit where "mirip" uraian is far commoner among matches than "sama"
    levels["sama"] = replace(levels["sama"], m={ALL: 0.01})
    levels["mirip"] = replace(levels["mirip"], m={ALL: 0.5})
    fitted = replace(model, fields={**model.fields, "uraian": levels})
    bits = [fitted.level_bits("uraian", lv) for lv in model.order["uraian"]]
    assert bits == sorted(bits, reverse=True)
    unordered = replace(fitted, order={})
    assert unordered.level_bits("uraian", "sama") < unordered.level_bits("uraian", "mirip")
