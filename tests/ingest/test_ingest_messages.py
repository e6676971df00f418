"""The refusal messages say what was searched and what was missing (issue 11, item 10)."""

from __future__ import annotations


def _csv(path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_no_header_says_only_the_first_rows_were_searched(raw, ingest, query):
    lines = [f"Catatan penyusunan {i};;;" for i in range(34)] + [
        "Kode;Uraian;Lokasi;Pagu",
        "1.01.01;Program A;X;1",
    ]
    _csv(raw("renja", "header_jauh.csv"), lines)
    result = ingest()
    assert result.failed
    (reason,) = query("select reason from raw.ingest_file")[0]
    assert "(no_header)" in reason
    assert "baris 1-30" in reason and "SELARAS_HEADER_SEARCH_ROWS" in reason


def test_no_header_names_the_best_candidate_and_what_it_lacked(raw, ingest, query):
    _csv(raw("renja", "tanpa_kode.csv"), ["RENJA DINAS X", "No;Keterangan Belanja;Lokasi", "1;Belanja;Kab"])
    assert ingest().failed
    (reason,) = query("select reason from raw.ingest_file")[0]
    assert "Calon header terbaik: baris 2" in reason
    assert "'Lokasi'" in reason and "yang kurang: KODE" in reason


def test_required_column_missing_lists_the_rows_searched(raw, ingest, query):
    _csv(raw("renja", "lokasi_saja.csv"), ["Lokasi;Volume;Satuan", "Kab;1;Unit"])
    assert ingest().failed
    (reason,) = query("select reason from raw.ingest_file")[0]
    assert "(required_column_missing)" in reason and "Header dicari di baris 1-2" in reason


def test_a_column_named_twice_is_kept_twice_with_a_warning(raw, ingest, query):
    _csv(
        raw("renja", "dua_lokasi.csv"),
        [
            "Kode;Uraian;Lokasi;Lokasi;Pagu",
            "1.02.02.2.01.0001;Pelayanan Ibu Hamil;Kab. Serang;Kec. Cikande;1000",
        ],
    )
    result = ingest()
    assert not result.failed
    (raw_json, lokasi) = query("select raw, lokasi from staged.renja")[0]
    assert '"Lokasi":"Kab. Serang"' in raw_json and '"Lokasi (2)":"Kec. Cikande"' in raw_json
    assert lokasi == "Kab. Serang"
    (note,) = [p for p in result.problems if "dua_lokasi.csv" in p]
    assert "kolom 'Lokasi' muncul 2 kali" in note and "'Lokasi (2)'" in note
    assert query("select note from raw.sheet")[0][0].startswith("kolom 'Lokasi' muncul 2 kali")
