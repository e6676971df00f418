"""One OPD identity per region (issue 11, case 6): spellings that differ in case, spaces
or underscores are one agency; acronyms and the planners' alias file resolve; every
resolution says on what evidence; an unknown name resolves to nothing, never to a guess."""

from __future__ import annotations

import pandas as pd

from selaras.kamus.opd import ALIAS_FILE, OpdResolver, build_resolver, load_aliases

KNOWN = [
    "Kecamatan Cipocok Jaya",
    "Kecamatan Serang",
    "Dinas Pendidikan dan Kebudayaan",
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Dinas Kesehatan",
]


def test_spacing_and_underscores_do_not_make_another_agency():
    r = OpdResolver(KNOWN)
    key = r.resolve("Kecamatan Cipocok Jaya")
    assert key is not None
    for spelling in ("KECAMATAN CIPOCOKJAYA", "kecamatan_cipocok_jaya", "Kecamatan  Cipocok\u200bJaya"):
        assert r.resolve(spelling) == key, spelling
    assert r.explain("KECAMATAN CIPOCOKJAYA")[1] == "nama sama tanpa spasi / garis bawah"


def test_acronyms_and_evidence():
    r = OpdResolver(KNOWN)
    assert r.resolve("DPUPR") == r.resolve("Dinas Pekerjaan Umum dan Penataan Ruang")
    assert r.explain("Dinas Kesehatan")[1] == "nama sama"
    assert r.explain("Dinas Kesehatn")[1].startswith("ejaan mirip")


def test_unknown_names_resolve_to_nothing():
    r = OpdResolver(KNOWN)
    for junk in ("xxx", "Lihat lampiran", "Dinas Perikanan", "12345"):
        key, evidence = r.explain(junk)
        assert key is None and evidence == "tidak dikenal", (junk, key)


def test_the_planners_alias_file(tmp_path):
    raw = tmp_path / "raw"
    (raw / ALIAS_FILE).parent.mkdir(parents=True)
    (raw / ALIAS_FILE).write_text(
        "Alias;OPD\nDISDIKBUD;Dinas Pendidikan dan Kebudayaan\nKantor Camat Kota;Kecamatan Serang\n;\nhanya alias;\n",
        encoding="utf-8",
    )
    aliases, problems = load_aliases(raw)
    assert aliases == {
        "DISDIKBUD": "Dinas Pendidikan dan Kebudayaan",
        "Kantor Camat Kota": "Kecamatan Serang",
    }
    assert problems == [f"{ALIAS_FILE.as_posix()} baris 5: 'alias' dan 'opd' harus diisi keduanya"]
    inputs = {"opd": pd.DataFrame({"nama": KNOWN, "singkatan": [None] * len(KNOWN)})}
    r = build_resolver(inputs, aliases)
    assert r.resolve("disdikbud") == r.resolve("Dinas Pendidikan dan Kebudayaan")
    assert r.resolve("KANTOR CAMAT KOTA") == r.resolve("Kecamatan Serang")
    assert r.explain("Kantor Camat Kota")[1] == "alias (singkatan daftar OPD / opd_alias.csv)"


def test_a_bad_alias_file_is_reported_not_fatal(tmp_path):
    raw = tmp_path / "raw"
    (raw / ALIAS_FILE).parent.mkdir(parents=True)
    (raw / ALIAS_FILE).write_text("nama,singkatan\nA,B\n", encoding="utf-8")
    aliases, problems = load_aliases(raw)
    assert aliases == {} and "harus berisi kolom 'alias' dan 'opd'" in problems[0]
    assert load_aliases(tmp_path / "nowhere") == ({}, [])


def test_a_missing_name_in_a_pandas_column_is_no_agency():
    """A pandas string column holds NaN for an empty cell: it read as an agency "nan"."""
    col = pd.Series(["Dinas PUPR", None], dtype="str")
    resolver = OpdResolver(col)
    assert resolver.keys == ["dinas pekerjaan umum dan penataan ruang"]
    assert resolver.resolve("NaN") is None
