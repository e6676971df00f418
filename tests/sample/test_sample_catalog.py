"""The typed reference data behind the sample is consistent with itself (and, when the
shared reference folder is present, the typed Banten regions match the official codes)."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from selaras.sample.catalog import daerah, kamus, level_of, nomenklatur, parent_of, wilayah


def test_nomenclature_hierarchy_is_complete_in_both_versions():
    nom = nomenklatur()
    for items in (nom.items, nom.old_items):
        for kode, item in items.items():
            assert level_of(kode) == item.level, kode
            parent = parent_of(kode)
            assert parent in (None, "X.XX") or parent in items, (kode, parent)
    assert 180 <= len(nom.items) <= 400
    # outdated codes exist only in the old version; renamed items keep their code
    for cur, old in nom.old_code.items():
        assert cur in nom.items and old in nom.old_items and old not in nom.items and cur not in nom.old_items
    assert any(nom.items[k].nama != nom.old_items[k].nama for k in nom.items if k in nom.old_items)


def test_kamus_points_at_current_items_of_its_bidang():
    nom = nomenklatur()
    bidang = {o["bidang"] for o in daerah()["opd"].values()}
    for k in kamus():
        assert k.bidang in bidang
        if k.sub_kegiatan:
            assert nom.items[k.sub_kegiatan].level == "sub_kegiatan"
            assert k.sub_kegiatan.startswith(k.bidang + ".")
        assert k.volume[0] <= k.volume[1] and k.harga > 0 and k.masalah


def test_every_program_serves_exactly_one_priority():
    nom = nomenklatur()
    programs = [k for k, i in nom.items.items() if i.level == "program"]
    listed = Counter(p for pr in daerah()["prioritas"] for p in pr["program"])
    assert 5 <= len(daerah()["prioritas"]) <= 7
    for p in programs:
        assert listed[p] == 1, p


def test_regions_have_unique_codes_and_shared_village_names():
    w = wilayah()
    codes = [d.kode for d in w.desas] + [k.kode for k in w.kecs]
    assert len(codes) == len(set(codes))
    for d in w.desas:
        assert d.kode.startswith(d.kec.kode + ".")
    names = Counter(d.nama for d in w.desas)
    shared = [n for n, c in names.items() if c > 1]
    assert "Koranji" in shared
    for n in shared:
        assert len({d.kec.kode for d in w.desas if d.nama == n}) == names[n]  # different kecamatan


@pytest.mark.realdata
def test_typed_regions_match_the_official_codes(shared_data):
    path = shared_data / "wilayah_banten_36.csv"
    if not path.exists():
        pytest.skip("wilayah_banten_36.csv not present")
    with open(path, encoding="utf-8") as fh:
        official = {r["kode"]: r["nama_kepmendagri_100.1.1-6117_2022"].strip() for r in csv.DictReader(fh)}
    w = wilayah()
    for kab in w.kabs:
        assert official[kab.kode].upper() == kab.nama
    for item in (*w.kecs, *w.desas):
        assert official[item.kode].lower() == item.nama.lower(), item.kode
