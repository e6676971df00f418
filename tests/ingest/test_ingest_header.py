"""Finding the header block and mapping its labels to canonical fields."""

from __future__ import annotations

import re
from importlib import resources

import pytest
import yaml

from selaras.ingest.header import find_header, kind_hint, normalise_label, vocabulary
from selaras.ingest.records import TABLES
from selaras.kamus import column_letter


def spec(kind):
    return vocabulary().kinds[kind]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("TOLAK UKUR CAPAIAN KEG.", "tolok ukur capaian kegiatan"),
        ("Pagu Indikatif (Rp)", "pagu indikatif"),
        ("kode_sub_kegiatan", "kode sub kegiatan"),
        ("  KODE\nSUB   KEGIATAN ", "kode sub kegiatan"),
        ("SUBKEGIATAN SEBELUMNYA", "sub kegiatan sebelumnya"),
        ("Pagu Indikatif Tahun 2021", "pagu indikatif tahun"),
        ("Lokasi (Desa/Kel.)", "lokasi desa kelurahan"),
        ("nama_kepmendagri_300.2.2-2138_2025", "nama kepmendagri 300 2 2 2138"),
    ],
)
def test_normalise_label(raw, expected):
    assert normalise_label(raw) == expected


def test_every_field_is_a_staged_column_and_synonyms_are_unambiguous(con):
    """A normalised synonym belongs to one field per kind (else matching would depend on
    dictionary order), and every stored field exists in its table or is known to the
    record builders."""
    from selaras.ingest.header import _normalise

    doc = yaml.safe_load(
        resources.files("selaras.ingest").joinpath("headers.yaml").read_text(encoding="utf-8")
    )
    vocab = vocabulary()
    for kind, kdef in doc["kinds"].items():
        owner: dict[str, str] = {}
        for field, fdef in kdef["fields"].items():
            for synonym in fdef["synonyms"]:
                key = _normalise(str(synonym).rstrip("*"), vocab.abbreviations, vocab.drop_tokens)
                assert owner.setdefault(key, field) == field, (
                    f"{kind}: '{synonym}' in {owner[key]} and {field}"
                )
        table = TABLES[kind].split(".")[1]
        columns = {
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_schema = 'staged' and table_name = ?",
                [table],
            ).fetchall()
        }
        derived = {
            "kode_urusan",
            "kode_bidang",
            "kode_program",
            "kode_kegiatan",
            "kode_sub_kegiatan",
            "nama_urusan",
            "nama_bidang",
            "nama_program",
            "nama_kegiatan",
            "nama_sub_kegiatan",
            "kode_desa",
            "kode_kecamatan",
            "level",
            "kode_induk",
            "prioritas",
            "sasaran",
        }
        for field in kdef["fields"]:
            assert field.startswith("_") or field in columns or field in derived, f"{kind}.{field}"


def test_single_row_header_below_title_rows():
    rows = [
        (1, ["RENCANA KERJA PERANGKAT DAERAH", "", "", ""]),
        (2, ["DINAS SOSIAL TAHUN 2019", "", "", ""]),
        (3, ["", "", "", ""]),
        (4, ["KODE", "PROGRAM DAN KEGIATAN", "INDIKATOR", "JUMLAH PAGU"]),
        (5, ["1.06.02", "PROGRAM X", "", 1000.0]),
    ]
    m = find_header(rows, spec("renja"))
    assert (m.first_row, m.last_row) == (4, 4)
    assert m.fields == {"kode": [0], "nama": [1], "indikator": [2], "pagu": [3]}
    assert not m.missing


def test_two_row_merged_header_joins_parent_and_child_labels():
    rows = [
        (1, ["RENJA DINAS SOSIAL", "", "", "", "", ""]),
        (2, ["NO", "KODE", "PROGRAM/KEGIATAN", "INDIKATOR KINERJA", "", "PAGU INDIKATIF (Rp)"]),
        (3, ["", "", "", "Tolok Ukur", "Target", ""]),
        (4, [1, 2, 3, 4, 5, 6]),
    ]
    merged = [((1, 0), (2, 0)), ((1, 1), (2, 1)), ((1, 2), (2, 2)), ((1, 3), (1, 4)), ((1, 5), (2, 5))]
    m = find_header(rows, spec("renja"), merged=merged)
    assert (m.first_row, m.last_row) == (2, 3)
    assert m.labels[3:5] == ["INDIKATOR KINERJA / Tolok Ukur", "INDIKATOR KINERJA / Target"]
    assert m.fields["indikator"] == [3] and m.fields["target"] == [4] and m.fields["pagu"] == [5]


def test_two_row_header_without_merge_information_spreads_the_parent_label():
    rows = [
        (1, ["No", "Kode", "Uraian", "Indikator Kinerja", "", "Pagu"]),
        (2, ["", "", "", "Tolok Ukur", "Target", ""]),
        (3, ["1", "1.06.02", "Program", "x", "1", "100"]),
    ]
    m = find_header(rows, spec("renja"))
    assert (m.first_row, m.last_row) == (1, 2)
    assert m.labels[4] == "Indikator Kinerja / Target"
    assert m.fields["target"] == [4]


def test_three_row_header_prefers_the_output_indicator_and_ignores_forecasts():
    """Permendagri 23/2013 Format I.D: indicators per level, and a 'Prakiraan Maju' block
    whose target/pagu must not be read as the plan's."""
    rows = [
        (
            1,
            [
                "Kode",
                "Urusan/Bidang Urusan/Program/Kegiatan",
                "Indikator Kinerja",
                "",
                "",
                "",
                "Pagu Indikatif",
                "Prakiraan Maju",
                "",
            ],
        ),
        (2, ["", "", "Hasil Program", "", "Keluaran Kegiatan", "", "", "", ""]),
        (3, ["", "", "Tolok Ukur", "Target", "Tolok Ukur", "Target", "", "Target", "Pagu Indikatif"]),
    ]
    merged = [
        ((0, 0), (2, 0)),
        ((0, 1), (2, 1)),
        ((0, 2), (0, 5)),
        ((1, 2), (1, 3)),
        ((1, 4), (1, 5)),
        ((0, 6), (2, 6)),
        ((0, 7), (0, 8)),
    ]
    m = find_header(rows, spec("rkpd"), merged=merged)
    assert (m.first_row, m.last_row) == (1, 3)
    assert m.fields["indikator"][0] == 4  # keluaran kegiatan first, hasil program as fallback
    assert m.fields["target"][0] == 5
    assert m.fields["pagu"] == [6]  # not the Prakiraan Maju pagu in column 8
    assert 7 not in sum(m.fields.values(), []) and 8 not in sum(m.fields.values(), [])


def test_header_matching_is_tolerant_of_case_spacing_and_abbreviations():
    rows = [
        (
            1,
            [
                "kode  sub keg.",
                "program  dan  kegiatan",
                "TOLAK UKUR KELUARAN",
                "Target Kinerja Keluaran",
                "Jml. Pagu",
                "Ket.",
            ],
        )
    ]
    m = find_header(rows, spec("renja"))
    assert set(m.fields) == {"kode_sub_kegiatan", "nama", "indikator", "target", "pagu", "keterangan"}


@pytest.mark.parametrize(
    ("kind", "labels", "expected"),
    [
        (
            "musrenbang",
            [
                "no",
                "profil",
                "urusan",
                "usulan",
                "permasalahan",
                "alamat",
                "skpd_tujuan",
                "koefisien",
                "anggaran",
                "jenis",
                "keterangan",
            ],
            {
                "_no",
                "pengusul",
                "usulan",
                "uraian",
                "lokasi",
                "opd_tujuan",
                "volume",
                "anggaran",
                "status_asal",
            },
        ),
        (
            "pokir",
            [
                "prioritas",
                "alamat",
                "kecamatan",
                "kelurahan",
                "koefisien",
                "nilai_usulan",
                "nilai_akomodir",
                "opd_tujuan",
                "keterangan",
                "usulan",
            ],
            {"lokasi", "kecamatan", "desa", "volume", "anggaran", "opd_tujuan", "status_asal", "usulan"},
        ),
        (
            "nomenklatur",
            [
                "JENIS PEMDA",
                "BIDANG",
                "PROGRAM",
                "KEGIATAN",
                "SUBKEGIATAN",
                "KINERJA",
                "INDIKATOR",
                "SATUAN",
                "SUBKEGIATAN SEBELUMNYA",
            ],
            {
                "jenis_pemda",
                "kode_bidang",
                "kode_program",
                "kode_kegiatan",
                "kode_sub_kegiatan",
                "indikator",
                "satuan",
                "kode_sebelumnya",
            },
        ),
        (
            "nomenklatur",
            [
                "URUSAN/UNSUR",
                "BIDANG URUSAN/BIDANG UNSUR",
                "PROGRAM",
                "KEGIATAN",
                "SUB KEGIATAN",
                "NOMENKLATUR URUSAN",
                "KINERJA",
                "INDIKATOR",
                "SATUAN",
                "KETERANGAN",
            ],
            {
                "kode_urusan",
                "kode_bidang",
                "kode_program",
                "kode_kegiatan",
                "kode_sub_kegiatan",
                "nama",
                "indikator",
                "satuan",
            },
        ),
        (
            "rkpd",
            [
                "No",
                "Prioritas Daerah",
                "Sasaran Daerah",
                "Program",
                "Kegiatan",
                "Sasaran Kegiatan",
                "Lokasi (desa/kel)",
                "Volume",
                "Pagu",
                "Perangkat Daerah Penanggungjawab",
            ],
            {
                "_no",
                "prioritas",
                "sasaran",
                "kode_program",
                "kode_kegiatan",
                "lokasi",
                "target",
                "pagu",
                "opd",
            },
        ),
        ("opd", ["KODE", "ORGANISASI", "KETERANGAN"], {"kode", "nama"}),
    ],
)
def test_real_header_layouts(kind, labels, expected):
    m = find_header([(1, labels)], spec(kind))
    assert set(m.fields) == expected
    assert not m.missing


def test_required_column_missing_is_reported():
    m = find_header([(1, ["alamat", "anggaran", "koefisien", "skpd_tujuan"])], spec("musrenbang"))
    assert m is not None and m.missing == [("usulan", "uraian", "nama_kegiatan")]


def test_no_header_in_a_title_only_sheet():
    rows = [(1, ["RENCANA KERJA DINAS SOSIAL TAHUN 2024"]), (2, [""]), (3, ["Catatan: belum diisi"])]
    assert find_header(rows, spec("renja")) is None


def test_title_merged_across_columns_is_not_part_of_the_header():
    rows = [
        (1, ["RENJA DINSOS 2024", "", "", ""]),
        (2, ["KODE", "URAIAN", "INDIKATOR", "PAGU"]),
    ]
    m = find_header(rows, spec("renja"), merged=[((0, 0), (0, 3))])
    assert (m.first_row, m.last_row) == (2, 2)


def test_duplicate_labels_become_unique_raw_keys():
    m = find_header([(1, ["KODE", "URAIAN", "PAGU", "PAGU", ""])], spec("renja"))
    assert m.labels == ["KODE", "URAIAN", "PAGU", "PAGU (2)", "kolom E"]
    assert m.fields["pagu"] == [2, 3]


def test_column_letter():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_kind_hints_from_names_and_titles():
    assert kind_hint("pokir_dprd_2024.xlsx") == {"pokir"}
    assert "rkpd" in kind_hint("RANCANGAN RENCANA KERJA PEMERINTAH DAERAH TAHUN 2021")
    assert "renja" in kind_hint("renja_dinsos.xlsx")
    assert not kind_hint("data.xlsx")


def test_yaml_is_valid_and_mentions_every_kind():
    assert set(vocabulary().kinds) == set(TABLES)
    for spec_ in vocabulary().kinds.values():
        assert spec_.required and re.fullmatch(r"staged\.\w+", spec_.table)
