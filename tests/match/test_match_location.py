"""Location parsing against region names and codes; same-named villages told apart."""

from __future__ import annotations

import pandas as pd
import pytest

from selaras.match.location import Gazetteer, compare_locations, parse_location, place_key


@pytest.fixture
def gazetteer() -> Gazetteer:
    rows = [
        ("36.01", "kabupaten_kota", "KAB. PANDEGLANG", None),
        ("36.01.01", "kecamatan", "Cibadak", "36.01"),
        ("36.01.02", "kecamatan", "Cikeusal", "36.01"),
        ("36.01.01.2001", "desa_kelurahan", "Sukamaju", "36.01.01"),
        ("36.01.01.2002", "desa_kelurahan", "Mekarsari", "36.01.01"),
        ("36.01.02.2003", "desa_kelurahan", "Sukamaju", "36.01.02"),
        ("36.01.02.2004", "desa_kelurahan", "Kadu Gede", "36.01.02"),
    ]
    df = pd.DataFrame(rows, columns=["kode", "level", "nama", "kode_induk"])
    return Gazetteer.from_frame(df)


def test_free_text_detail_kampung_rt_rw():
    loc = parse_location("Kp. Cipetir RT 02 RW 12")
    assert loc.detail == ("cipetir",)
    assert loc.rt == {2} and loc.rw == {12}
    assert parse_location("Kp.Gunungjaya Rt.06/01,12/02").rt == {6, 12}
    assert parse_location("Tipar 004/007").rw == {7}


def test_same_named_villages_are_told_apart_by_kecamatan(gazetteer):
    a = parse_location("Kp. Legok RT 3", gazetteer, kecamatan="Kec. Cikeusal", desa="SUKAMAJU")
    assert [p.desa for p in a.places] == ["36.01.02.2003"]
    in_cibadak = parse_location("Desa Sukamaju Kecamatan Cibadak", gazetteer)
    in_cikeusal = parse_location("Ds. Sukamaju, Kec. Cikeusal", gazetteer)
    assert [p.desa for p in in_cibadak.places] == ["36.01.01.2001"]
    assert compare_locations(a, in_cikeusal) == "desa_sebagian"
    assert compare_locations(a, in_cibadak) == "kecamatan_lain"
    # without a kecamatan the name alone is ambiguous: it stays unresolved, not guessed
    alone = parse_location("Desa Sukamaju", gazetteer)
    assert alone.places[0].desa == "~sukamaju"


def test_codes_and_labelled_formats(gazetteer):
    by_code = parse_location(None, gazetteer, kode_wilayah="3601012002")
    assert by_code.places[0].desa == "36.01.01.2002" and by_code.places[0].kec == "36.01.01"
    sipd = parse_location("Kecamatan: CIBADAK, Desa/Kelurahan: MEKARSARI. pajajaran;", gazetteer)
    assert sipd.places[0].desa == "36.01.01.2002" and sipd.detail == ("pajajaran",)
    listed = parse_location("Ds. Sukamaju, Mekarsari Kec. Cibadak", gazetteer)
    assert {p.desa for p in listed.places} == {"36.01.01.2001", "36.01.01.2002"}
    dashed = parse_location("Kec. Cikeusal – Ds. Kadu Gede", gazetteer)
    assert dashed.places[0].desa == "36.01.02.2004" and dashed.detail == ()


def test_whole_region_rows():
    assert parse_location("Kab. Pasangkayu, Semua Kecamatan, Semua Kelurahan/Desa").scope == "kabupaten"
    assert parse_location("Provinsi Banten").scope == "kabupaten"


def test_detail_levels():
    row = parse_location("Kecamatan: CIBADAK, Desa/Kelurahan: MEKARSARI. Kp. Tugu RT 003/006;")
    same = parse_location("Kecamatan: CIBADAK, Desa/Kelurahan: MEKARSARI. Kp Tugu RT 003/006;")
    other_rt = parse_location("Kecamatan: CIBADAK, Desa/Kelurahan: MEKARSARI. Kp Tugu RT 002/006;")
    desa_only = parse_location("Desa Mekarsari Kec. Cibadak")
    assert compare_locations(same, row) == "desa_detail_sama"
    assert compare_locations(other_rt, row) == "desa_detail_beda"
    assert compare_locations(same, desa_only) == "desa_sebagian"
    assert place_key("Kec. KALI BUNDER") == place_key("Kalibunder") == "kalibunder"


def test_a_kampung_named_like_a_desa_compares_the_same_whichever_way_it_was_parsed(gazetteer):
    # Kab. Sukabumi writes "Desa/Kelurahan: TANGKIL. Babakanpari Rt.006/002", Babakanpari
    # being also a desa nearby: parsed from the text alone it is a second place, with the
    # desa given in its own column it stays a detail word. The same address either way.
    text = "Kecamatan: Cibadak, Desa/Kelurahan: Sukamaju. Mekarsari Rt.006/002;"
    from_text = parse_location(text, gazetteer)
    from_columns = parse_location(text, gazetteer, kecamatan="Cibadak", desa="Sukamaju")
    assert len(from_text.places) == 2 and from_columns.detail == ("mekarsari",)
    assert compare_locations(from_columns, from_text) == "desa_detail_sama"
    assert compare_locations(from_text, from_columns) == "desa_detail_sama"
    other_rt = parse_location(text.replace("006", "007"), gazetteer)
    assert compare_locations(from_columns, other_rt) == "desa_detail_beda"
