"""The real files in ../shared/data (skipped when absent): each is copied into a throw-away
data/raw/<kind>/ and loaded once for the module; rows reconcile per file."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.realdata
# Same place as the `shared_data` fixture looks (tests/conftest.py); read here because the
# files are loaded once per module, not per test.
SHARED_DATA = Path(
    os.environ.get("SELARAS_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data")
)

FILES = {
    "renja": ["pasangkayu_renja2024_sub_kegiatan.csv"],
    "musrenbang": ["malang_kauman_musrenbang_usulan.csv", "sukabumi_2019_musrenbang_desa_kecamatan.csv"],
    "pokir": ["surakarta_sipokir_pokir.csv"],
    "nomenklatur": ["nomenklatur_2027_sub_kegiatan.csv", "nomenklatur_2027_all_levels.csv"],
    "wilayah": ["wilayah_banten_36.csv"],
    "opd": ["pasangkayu_opd_kode_organisasi.csv"],
}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present on this machine")
    from selaras import warehouse
    from selaras.ingest import ingest_all
    from selaras.settings import Settings

    settings = Settings(
        data_dir=tmp_path_factory.mktemp("real") / "data", lock_retries=2, lock_wait_seconds=0.1
    )
    settings.ensure_dirs()
    for kind, names in FILES.items():
        for name in names:
            shutil.copy(SHARED_DATA / name, settings.raw_dir / kind / name)
    con = warehouse.connect(settings)
    result = ingest_all(con, settings, "real")
    yield con, result
    con.close()


def frame(con, sql, *params):
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_every_real_file_loads_and_reconciles(loaded, shared_data):
    con, result = loaded
    assert not result.failed, result.problems
    files = {f["source_file"]: f for f in result.figures["files"]}
    expected_rows = {
        "renja/pasangkayu_renja2024_sub_kegiatan.csv": 44,
        "musrenbang/malang_kauman_musrenbang_usulan.csv": 138,
        "musrenbang/sukabumi_2019_musrenbang_desa_kecamatan.csv": 15_592,
        "pokir/surakarta_sipokir_pokir.csv": 62,
        "nomenklatur/nomenklatur_2027_sub_kegiatan.csv": 7_581,
        "nomenklatur/nomenklatur_2027_all_levels.csv": 8_822,
        "wilayah/wilayah_banten_36.csv": 1_717,
        "opd/pasangkayu_opd_kode_organisasi.csv": 32,
    }
    for source, staged in expected_rows.items():
        f = files[source]
        # Every physical line is counted: a quoted cell with line breaks (real free text
        # does this) is one record, its further lines skipped as its continuation.
        with (shared_data / source.split("/", 1)[1]).open(
            encoding="utf-8", errors="replace", newline=""
        ) as fh:
            physical = sum(1 for _ in fh)
        assert (f["status"], f["rows_staged"], f["rows_read"]) == ("loaded", staged, physical)
        assert f["rows_skipped"] == physical - staged
    for row in frame(
        con,
        "select f.source_file, f.rows_staged, f.rows_skipped, "
        "(select count(*) from raw.skipped_row s where s.file_id = f.file_id) as skipped, "
        "(select count(*) from raw.skipped_row s where s.file_id = f.file_id and reason_code <> 'quoted_line') "
        "as not_continuation from raw.ingest_file f",
    ):
        assert row["rows_skipped"] == row["skipped"]
        assert row["not_continuation"] == 1  # the header line


def test_pasangkayu_renja(loaded):
    con, _ = loaded
    rows = frame(con, "select * from staged.renja order by source_row")
    assert len(rows) == 44 and all(r["kode_level"] == "sub_kegiatan" for r in rows)
    assert all(r["kode"] == r["kode_raw"] for r in rows)  # already in dotted form
    first = rows[0]
    assert (first["kode"], first["nama"]) == (
        "1.03.01.2.01.0001",
        "Penyusunan Dokumen Perencanaan Perangkat Daerah",
    )
    assert (first["target"], first["pagu"], first["sumber_dana"]) == (0.96, 3_752_200.0, "1.2.1.01.02")
    assert first["indikator"] == "Persentase penunjang urusan perangkat daerah berjalan sesuai standar"
    assert str(first["awal_pelaksanaan"]) == "2024-01-01" and first["tahun"] == 2024
    last = rows[-1]
    assert (last["indikator"], last["target"], last["satuan"]) == (
        "Jumlah Dokumen Koordinasi dan Sinkronisasi Penyusunan RRTR Kabupaten/Kota",
        1.0,
        "Dokumen",
    )
    assert sum(r["pagu"] for r in rows) == pytest.approx(sum(float(r["pagu_raw"]) for r in rows))
    assert json.loads(first["raw"])["KODE SUB KEGIATAN"] == "1.03.01.2.01.0001"


def test_malang_usulan(loaded):
    con, _ = loaded
    rows = frame(con, "select * from staged.usulan where source_file like '%malang%' order by source_row")
    assert len(rows) == 138 and {r["channel"] for r in rows} == {"musrenbang"}
    first = rows[0]
    assert (first["usulan_id"], first["volume"], first["satuan"], first["anggaran"]) == (
        "1",
        35.0,
        "Orang",
        10_500_000,
    )
    assert first["usulan"] == "Penyelenggaraan Pembinaan Lembaga Kemasyarakatan (Kecamatan Klojen)"
    assert first["uraian"].startswith("Meningkatkan Kemampuan")
    assert (first["desa"], first["opd_tujuan"], first["status_asal"]) == (
        "Kauman",
        "Kecamatan Klojen",
        "Diakomodir",
    )
    assert {r["status_asal"] for r in rows} == {"Diakomodir", "Tidak Diakomodir"}
    assert all(r["anggaran"] is not None and r["volume"] is not None for r in rows)


def test_surakarta_pokir(loaded):
    con, _ = loaded
    rows = frame(con, "select * from staged.usulan where channel = 'pokir' order by source_row")
    assert len(rows) == 62
    first = rows[0]
    assert (first["anggaran_raw"], first["anggaran"], first["volume"], first["satuan"]) == (
        "Rp.100 jt",
        100_000_000.0,
        50.0,
        "meter",
    )
    assert str(first["tanggal"]) == "2024-06-18" and first["uraian"].startswith("Warga Baron")
    dash = rows[1]
    assert (dash["anggaran_raw"], dash["anggaran"], dash["volume"]) == (None, None, None)  # "-" is empty
    assert json.loads(dash["raw"])["anggaran"] == "-"  # ... and kept as written


def test_sukabumi_musrenbang(loaded):
    con, _ = loaded
    (stats,) = frame(
        con,
        "select count(*) n, count(distinct usulan_id) ids, count(kecamatan) kec, count(desa) desa, "
        "count(*) filter (where tahapan = 'desa') desa_stage, count(*) filter (where tahapan = 'kecamatan') kec_stage, "
        "count(*) filter (where tahun = 2019) y2019, count(kode) kode from staged.usulan "
        "where source_file like '%sukabumi%'",
    )
    assert stats == {
        "n": 15_592,
        "ids": 15_592,
        "kec": 15_592,
        "desa": 15_592,
        "desa_stage": 6_021,
        "kec_stage": 9_571,
        "y2019": 15_592,
        "kode": 15_592,
    }
    (row,) = frame(
        con, "select * from staged.usulan where usulan_id = '12' and source_file like '%sukabumi%'"
    )
    assert (row["kecamatan"], row["desa"], row["lokasi"]) == (
        "CICURUG",
        "TENJOLAYA",
        "Kecamatan: CICURUG, Desa/Kelurahan: TENJOLAYA. pajajaran;",
    )
    assert (row["kode"], row["kode_raw"], row["kode_wilayah"]) == ("10.127", "10 | 127", "3202230007")
    assert (row["opd_tujuan"], row["usulan"]) == ("DINAS PERHUBUNGAN", "Pembangunan Penerangan Jalan Umum")
    # rows whose desa column is empty get it from the lokasi text
    parsed = frame(
        con,
        "select desa, lokasi from staged.usulan where source_file like '%sukabumi%' "
        "and raw->>'desa' is null limit 50",
    )
    assert parsed and all(r["desa"].upper() in r["lokasi"].upper() for r in parsed)


def test_nomenklatur(loaded):
    con, _ = loaded
    sub = frame(con, "select * from staged.nomenklatur where source_file like '%sub_kegiatan%'")
    assert len(sub) == 7_581 and {r["kode_level"] for r in sub} == {"sub_kegiatan"}
    assert {r["jenis_pemda"] for r in sub} == {"PROV", "KABKOT"} and {r["versi"] for r in sub} == {"2027"}
    usb = next(r for r in sub if r["kode"] == "1.01.02.1.01.0001")
    assert (usb["nama"], usb["kode_induk"], usb["satuan"]) == (
        "Pembangunan USB (Unit Sekolah Baru)",
        "1.01.02.1.01",
        "Unit",
    )
    generic = [r for r in sub if r["kode"].startswith("X.XX.01")]
    assert generic and all(r["kode_induk"].startswith("X.XX.01.") for r in generic)
    levels = dict(
        con.execute(
            "select kode_level, count(*) from staged.nomenklatur "
            "where source_file like '%all_levels%' group by 1"
        ).fetchall()
    )
    assert levels == {"urusan": 10, "bidang": 50, "program": 220, "kegiatan": 1427, "sub_kegiatan": 7115}
    assert con.execute(
        "select kode_induk from staged.nomenklatur where kode = 'X.XX.01' and source_file like '%all_levels%'"
    ).fetchall() == [("X.XX",)]


def test_wilayah_keeps_alternate_names(loaded):
    con, _ = loaded
    levels = dict(con.execute("select level, count(*) from staged.wilayah group by 1").fetchall())
    assert levels == {"provinsi": 1, "kabupaten_kota": 8, "kecamatan": 155, "desa": 1553}
    (pandeglang,) = frame(con, "select * from staged.wilayah where kode = '36.01'")
    assert (pandeglang["nama"], pandeglang["nama_lain"], pandeglang["kode_induk"]) == (
        "Kabupaten Pandeglang",
        "KAB. PANDEGLANG",
        "36",
    )
    renamed = frame(con, "select * from staged.wilayah where kode = '36.01.06.2009'")
    assert renamed[0]["nama"] == "Mekarsari" and renamed[0]["nama_lain"] == "Mekar Jaya"


def test_opd_list(loaded):
    con, _ = loaded
    rows = frame(con, "select * from staged.opd order by source_row")
    assert (
        len(rows) == 32
        and rows[0]["kode"] == "4.01.3.00.0.00.01.0000"
        and rows[0]["nama"] == "Sekretariat Daerah"
    )
