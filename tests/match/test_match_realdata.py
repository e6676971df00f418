"""The targets, on real data (../shared/data; skipped when absent): Sukabumi 2019 Musrenbang
Desa -> Kecamatan links F1 >= 0.95, renamed / re-coded real sub kegiatan top-1 >= 0.9."""

from __future__ import annotations

import pytest

from selaras.evaluate.measure import SUKABUMI_FILE, evaluate_nomenclature, evaluate_sukabumi

pytestmark = pytest.mark.realdata


@pytest.mark.slow
def test_sukabumi_desa_to_kecamatan_links(shared_data):
    m = evaluate_sukabumi(shared_data / SUKABUMI_FILE)
    assert m["true"] == 5339 and m["proposals"] == 6021
    assert m["f1"] >= 0.95, m
    assert m["precision"] >= 0.93 and m["recall"] >= 0.93, m
    assert m["carried_forward"]["f1"] >= 0.95, m


def test_nomenclature_variants_top1(shared_data):
    m = evaluate_nomenclature(shared_data, n=400, seed=7)
    assert m["top1"] >= 0.90, m
    assert m["top5"] >= 0.97, m
    assert m["by_code_damage"]["exact"] == 1.0
