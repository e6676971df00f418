"""A synthetic region written straight into the warehouse's staged, quality and match
tables (no spreadsheets, no matcher), for the report benchmark and the reconcile / report
tests. Deterministic for a seed; sized by OPDs, Renja rows per OPD and proposals. A
fixture: no run executes it.

It carries what the outputs must cope with: OPD names spelled differently across files,
"Kec." prefixes, proposal text starting with = + - @, programs over their ceiling, RKPD
items nobody covers, quarantined rows, and every status of both matchers.

May import: warehouse (to insert), numpy, pandas. Only tests and bench import this.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from selaras.warehouse import insert_df, table_columns

OPD_NAMES = [
    "Dinas Pendidikan dan Kebudayaan",
    "Dinas Kesehatan",
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Dinas Perumahan Rakyat dan Kawasan Permukiman",
    "Dinas Sosial",
    "Dinas Pemberdayaan Masyarakat dan Desa",
    "Dinas Pertanian",
    "Dinas Perikanan",
    "Dinas Perhubungan",
    "Dinas Lingkungan Hidup",
    "Dinas Koperasi dan UKM",
    "Dinas Perindustrian dan Perdagangan",
    "Dinas Pariwisata",
    "Dinas Pemuda dan Olahraga",
    "Dinas Tenaga Kerja",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Dinas Komunikasi dan Informatika",
    "Dinas Ketahanan Pangan",
    "Dinas Perpustakaan dan Kearsipan",
    "Dinas Penanaman Modal dan PTSP",
    "Dinas Pengendalian Penduduk dan KB",
    "Dinas Pemberdayaan Perempuan",
    "Satuan Polisi Pamong Praja",
    "Badan Penanggulangan Bencana Daerah",
    "Badan Kesatuan Bangsa dan Politik",
    "Badan Perencanaan Pembangunan Daerah",
    "Badan Keuangan Daerah",
    "Badan Kepegawaian Daerah",
    "Inspektorat Daerah",
    "Sekretariat Daerah",
    "Sekretariat DPRD",
    "RSUD Kabupaten",
    "Dinas Kebakaran",
    "Dinas Peternakan",
    "Dinas Kehutanan",
    "Dinas Energi dan Sumber Daya Mineral",
    "Dinas Sumber Daya Air",
    "Dinas Pertanahan",
    "Dinas Statistik",
    "Dinas Persandian",
]
PRIORITAS = [
    "1. Peningkatan kualitas sumber daya manusia",
    "2. Pembangunan infrastruktur dan konektivitas wilayah",
    "3. Penguatan ekonomi kerakyatan",
    "4. Reformasi birokrasi dan tata kelola pemerintahan",
    "5. Ketahanan bencana dan lingkungan hidup",
]
WORK = ["Pembangunan", "Rehabilitasi", "Pemeliharaan", "Pengadaan", "Pelatihan", "Penyediaan"]
OBJECTS = [
    "Jalan Lingkungan",
    "Talud",
    "Posyandu",
    "Saluran Drainase",
    "Jembatan Desa",
    "MCK Umum",
    "PJU",
    "Gedung PAUD",
    "Sumur Bor",
    "Irigasi Tersier",
    "Rumah Tidak Layak Huni",
    "Balai Warga",
    "Sarana Air Bersih",
    "Tempat Pembuangan Sampah",
    "Alat Pertanian",
    "Kapasitas Kader",
    "Perahu Nelayan",
]
KECAMATAN = [
    "Cibeber",
    "Cilograng",
    "Bayah",
    "Panggarangan",
    "Malingping",
    "Wanasalam",
    "Cijaku",
    "Banjarsari",
    "Gunungkencana",
    "Cileles",
    "Leuwidamar",
    "Muncang",
    "Sobang",
    "Cipanas",
    "Lebakgedong",
    "Sajira",
    "Curugbitung",
    "Maja",
    "Rangkasbitung",
    "Kalanganyar",
    "Cibadak",
    "Warunggunung",
    "Cimarga",
    "Cikulur",
]
# Proposal text a spreadsheet program would take for a formula (formula injection).
HOSTILE = [
    '=HYPERLINK("http://contoh.invalid","klik")',
    "+62 812 PERBAIKAN JALAN",
    "-Perbaikan talud",
    "@SUM(A1:A9) bantuan alat",
    "=1+1",
]


def _file_id(source_file: str) -> str:
    return hashlib.sha256(source_file.encode()).hexdigest()[:16]


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name.lower()).strip("_")


def _opd_name(i: int) -> str:
    base = OPD_NAMES[i % len(OPD_NAMES)]
    return base if i < len(OPD_NAMES) else f"{base} {i // len(OPD_NAMES) + 1}"


@dataclass
class _Region:
    """The synthetic region while it is built: its OPDs and kecamatan, and the rows of
    each table so far (the builders below append; `fill_synthetic` inserts)."""

    rng: np.random.Generator
    opds: list[str]
    kecs: list[str]
    tahun: int
    run_id: str
    n_candidates: int
    files: list[dict] = field(default_factory=list)
    rkpd: list[dict] = field(default_factory=list)
    renja: list[dict] = field(default_factory=list)
    alignment: list[dict] = field(default_factory=list)
    renja_cand: list[dict] = field(default_factory=list)
    usulan: list[dict] = field(default_factory=list)
    accommodation: list[dict] = field(default_factory=list)
    usulan_cand: list[dict] = field(default_factory=list)
    rkpd_of_opd: dict[int, list[int]] = field(default_factory=dict)  # OPD -> indexes into rkpd
    renja_of_opd: dict[int, list[int]] = field(default_factory=dict)  # OPD -> indexes into renja

    def add_file(self, source_file: str, kind: str, opd: str | None) -> str:
        fid = _file_id(source_file)
        self.files.append(
            {
                "file_id": fid,
                "source_file": source_file,
                "kind": kind,
                "sha256": fid * 4,
                "status": "loaded",
                "opd": opd,
                "tahun": self.tahun,
                "run_id": self.run_id,
            }
        )
        return fid


def _add_rkpd(region: _Region, renja_per_opd: int) -> None:
    """Per OPD three programs, sub kegiatan spread over them; two of every
    renja_per_opd + 2 items are left for no Renja row to cover."""
    rkpd_file = f"rkpd/rkpd_{region.tahun}.xlsx"
    rkpd_fid = region.add_file(rkpd_file, "rkpd", None)
    row = 6
    for o, opd in enumerate(region.opds):
        bidang = f"{1 + o // 20}.{o % 20 + 1:02d}"
        items = []
        for j in range(renja_per_opd + 2):
            prog = 2 + j % 3
            kode = f"{bidang}.{prog:02d}.2.{1 + j // 3:02d}.{j + 1:04d}"
            region.rkpd.append(
                {
                    "row_ref": f"{rkpd_file}:RKPD:{row}",
                    "file_id": rkpd_fid,
                    "source_file": rkpd_file,
                    "sheet": "RKPD",
                    "source_row": row,
                    "tahun": region.tahun,
                    "prioritas": PRIORITAS[(o + prog) % len(PRIORITAS)],
                    "kode_raw": kode,
                    "kode": kode,
                    "kode_level": "sub_kegiatan",
                    "nama": f"{WORK[j % len(WORK)]} {OBJECTS[(o + j) % len(OBJECTS)]} {j + 1}",
                    "program_kode": kode[: len(bidang) + 3],
                    "program_nama": f"Program {OBJECTS[(o + prog) % len(OBJECTS)]}",
                    "pagu": float(region.rng.integers(2, 40) * 50_000_000),
                    # The RKPD writes the OPD in capitals: the same agency as the Renja's.
                    "opd": opd.upper() if o % 2 else opd,
                }
            )
            items.append(len(region.rkpd) - 1)
            row += 1
        region.rkpd_of_opd[o] = items


_RENJA_STATUSES = ["selaras", "selaras_nama", "perlu_review", "tidak_selaras"]
_RENJA_METHOD = {
    "selaras": "kode",
    "selaras_nama": "hirarki_nama",
    "perlu_review": "nama",
    "tidak_selaras": "none",
}
_RENJA_SCORE = {"selaras": 100.0, "selaras_nama": 91.5, "perlu_review": 72.25, "tidak_selaras": 31.0}


def _renja_row(region: _Region, o: int, j: int, fid: str, source_file: str, status: str) -> dict:
    item = region.rkpd[region.rkpd_of_opd[o][j]]
    src_row = 9 + j
    kode = item["kode"] if status == "selaras" else item["kode"][:-4] + f"{9000 + j:04d}"
    over = o % 3 == 0 and j % 3 == 0  # some programs go over the ceiling
    n_kec = len(region.kecs)
    return {
        "row_ref": f"{source_file}:Renja:{src_row}",
        "file_id": fid,
        "source_file": source_file,
        "sheet": "Renja",
        "source_row": src_row,
        "opd": region.opds[o],
        "tahun": region.tahun,
        "kode_raw": kode,
        "kode": kode,
        "kode_level": "sub_kegiatan",
        "nama": item["nama"] if j % 4 else item["nama"].upper(),
        "program_kode": item["program_kode"],
        "program_nama": item["program_nama"],
        "indikator": f"Jumlah {OBJECTS[j % len(OBJECTS)].lower()}",
        "target_raw": f"{j + 1} Unit",
        "target": float(j + 1),
        "satuan": "Unit",
        "lokasi": f"Kec. {region.kecs[j % n_kec]}",
        "pagu": item["pagu"] * (1.5 if over else 0.9),
        "sumber_dana": "PAD",
    }


def _alignment_row(ref: str, target: dict | None, status: str) -> dict:
    return {
        "renja_ref": ref,
        "rkpd_ref": target and target["row_ref"],
        "kode_rkpd": target and target["kode"],
        "nama_rkpd": target and target["nama"],
        "prioritas": target and target["prioritas"],
        "kode_saran": target["kode"] if target and status != "selaras" else None,
        "status": status,
        "method": _RENJA_METHOD[status],
        "score": _RENJA_SCORE[status],
        "reason": f"Sintetis: {status}",
        "decided_by": "matcher",
    }


def _add_renja(region: _Region, renja_per_opd: int) -> None:
    """One file per OPD, each row for one RKPD item, some with outdated codes; the
    matcher's alignment and candidates of each row."""
    for o, opd in enumerate(region.opds):
        source_file = f"renja/renja_{_slug(opd)}.xlsx"
        fid = region.add_file(source_file, "renja", opd)
        region.renja_of_opd[o] = []
        for j in range(renja_per_opd):
            status = _RENJA_STATUSES[0] if j % 5 in (0, 1) else _RENJA_STATUSES[j % 4]
            row = _renja_row(region, o, j, fid, source_file, status)
            region.renja.append(row)
            region.renja_of_opd[o].append(len(region.renja) - 1)
            item = region.rkpd[region.rkpd_of_opd[o][j]]
            region.alignment.append(
                _alignment_row(row["row_ref"], item if status != "tidak_selaras" else None, status)
            )
            items = region.rkpd_of_opd[o]
            cands = [items[(j + k) % len(items)] for k in range(min(region.n_candidates, len(items)))]
            for rank, c in enumerate(cands, 1):
                region.renja_cand.append(
                    {
                        "renja_ref": row["row_ref"],
                        "rank": rank,
                        "target_type": "rkpd",
                        "target_ref": region.rkpd[c]["row_ref"],
                        "target_kode": region.rkpd[c]["kode"],
                        "target_nama": region.rkpd[c]["nama"],
                        "score": round(95.0 - 7.5 * rank, 1),
                        "code_score": 50.0,
                        "name_score": 80.0,
                        "opd_score": 100.0,
                        "method": "nama",
                    }
                )


def _usulan_row(region: _Region, i: int, o: int, k: int, ref: str, place: tuple, anggaran: float) -> dict:
    fid, source_file, src_row, channel = place
    kecs = region.kecs
    text = (
        HOSTILE[(i // 11) % len(HOSTILE)]
        if i % 11 == 5
        else f"{WORK[i % len(WORK)]} {OBJECTS[i % len(OBJECTS)]} Desa {kecs[k]} {i % 9 + 1}"
    )
    return {
        "row_ref": ref,
        "file_id": fid,
        "source_file": source_file,
        "sheet": "Usulan",
        "source_row": src_row,
        "channel": channel,
        "usulan_id": f"U{region.tahun}-{i + 1:06d}" if i % 4 else None,
        "tahun": region.tahun,
        "tahapan": "kecamatan" if channel == "musrenbang" else None,
        "usulan": text,
        "uraian": f"Permasalahan warga nomor {i}",
        "lokasi": f"Kp. Sukamaju RT 0{i % 9 + 1}",
        "kecamatan": (f"Kec. {kecs[k]}" if i % 3 == 0 else kecs[k].upper()),
        "desa": f"Desa {i % 13 + 1}",
        "volume_raw": f"{i % 50 + 1} m",
        "volume": float(i % 50 + 1),
        "satuan": "m",
        "anggaran": anggaran,
        "opd_tujuan": (region.opds[o] if i % 5 else region.opds[o].upper() + "."),
    }


_USULAN_SCORE = {"terakomodir": 88.0, "perlu_review": 64.5, "tidak_terakomodir": 22.0}


def _add_usulan_match(region: _Region, i: int, o: int, ref: str, channel: str, draw: float) -> None:
    """The matcher's accommodation of proposal i and its candidates."""
    renjas = region.renja_of_opd[o]
    r = renjas[i % len(renjas)]
    status = "terakomodir" if draw < 0.55 else "perlu_review" if draw < 0.70 else "tidak_terakomodir"
    target = None if status == "tidak_terakomodir" else region.renja[r]["row_ref"]
    region.accommodation.append(
        {
            "usulan_ref": ref,
            "channel": channel,
            "status": status,
            "renja_ref": target,
            "renja_refs": None if target is None else [target],
            "score": _USULAN_SCORE[status],
            "reason": f"Sintetis: {status}",
            "decided_by": "matcher",
        }
    )
    for rank in range(1, min(region.n_candidates, len(renjas)) + 1):
        c = renjas[(i + rank - 1) % len(renjas)]
        region.usulan_cand.append(
            {
                "usulan_ref": ref,
                "rank": rank,
                "renja_ref": region.renja[c]["row_ref"],
                "score": round(92.0 - 6 * rank, 1),
                "match_weight": 8.0 - rank,
                "work_score": 1.0,
                "text_score": 0.8,
                "location_score": 0.9,
                "volume_score": 0.5,
                "cost_score": 0.5,
                "opd_score": 1.0,
            }
        )


def _add_usulan(region: _Region, n_usulan: int) -> None:
    """Proposals: musrenbang in one file per kecamatan, pokir in one file."""
    rng, kecs = region.rng, region.kecs
    opd_of = rng.integers(0, len(region.opds), n_usulan)
    kec_of = rng.integers(0, len(kecs), n_usulan)
    status_draw = rng.random(n_usulan)
    anggaran = rng.integers(1, 400, n_usulan) * 5_000_000.0
    pokir_file = "pokir/pokir_dprd.xlsx"
    pokir_fid = region.add_file(pokir_file, "pokir", None)
    mus_fids = {
        k: region.add_file(f"musrenbang/musrenbang_kec_{_slug(kec)}.xlsx", "musrenbang", None)
        for k, kec in enumerate(kecs)
    }
    next_row: dict[str, int] = {}
    for i in range(n_usulan):
        o, k = int(opd_of[i]), int(kec_of[i])
        channel = "pokir" if i % 7 == 3 else "musrenbang"
        source_file = pokir_file if channel == "pokir" else f"musrenbang/musrenbang_kec_{_slug(kecs[k])}.xlsx"
        fid = pokir_fid if channel == "pokir" else mus_fids[k]
        src_row = next_row.get(source_file, 5)
        next_row[source_file] = src_row + 1
        ref = f"{source_file}:Usulan:{src_row}"
        place = (fid, source_file, src_row, channel)
        region.usulan.append(_usulan_row(region, i, o, k, ref, place, float(anggaran[i])))
        _add_usulan_match(region, i, o, ref, channel, status_draw[i])


def _quality(region: _Region) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every file validated once; 1 in 97 proposals quarantined, 1 in 41 warned."""
    vruns = pd.DataFrame(
        [
            {
                "run_id": region.run_id,
                "file_id": f["file_id"],
                "kind": f["kind"],
                "suite": f["kind"] + "_rows",
                "evaluated": 0,
                "expectations": 5,
                "failed": 0,
                "success": True,
            }
            for f in region.files
        ]
    )
    checks = []
    for i, u in enumerate(region.usulan):
        if i % 97 == 13 or i % 41 == 7:
            error = i % 97 == 13
            checks.append(
                {
                    "run_id": region.run_id,
                    "file_id": u["file_id"],
                    "row_ref": u["row_ref"],
                    "source_file": u["source_file"],
                    "sheet": u["sheet"],
                    "source_row": u["source_row"],
                    "column_name": "ANGGARAN",
                    "kind": u["channel"],
                    "raw_value": "-",
                    "rule": "anggaran_positive" if error else "volume_unit_known",
                    "severity": "error" if error else "warning",
                    "message": "Anggaran kosong atau tidak positif"
                    if error
                    else "Satuan volume tidak dikenal",
                }
            )
    return vruns, pd.DataFrame(checks)


def _opd_list(region: _Region) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "row_ref": f"opd/daftar_opd.xlsx:OPD:{i + 2}",
                "file_id": _file_id("opd/daftar_opd.xlsx"),
                "source_file": "opd/daftar_opd.xlsx",
                "sheet": "OPD",
                "source_row": i + 2,
                "kode": f"{i + 1:02d}",
                "nama": opd,
                "singkatan": None,
            }
            for i, opd in enumerate(region.opds)
        ]
    )


def fill_synthetic(
    con: duckdb.DuckDBPyConnection,
    n_opd: int = 3,
    n_usulan: int = 60,
    renja_per_opd: int = 12,
    seed: int = 2021,
    tahun: int = 2021,
    run_id: str = "synthetic",
    n_candidates: int = 5,
) -> dict[str, int]:
    """Insert a synthetic region; returns row counts per table. Candidate 1 is the
    matcher's choice (where it made one), as a matcher's ranking has it."""
    region = _Region(
        rng=np.random.default_rng(seed),
        opds=[_opd_name(i) for i in range(n_opd)],
        kecs=KECAMATAN[: min(len(KECAMATAN), max(3, n_opd))],
        tahun=tahun,
        run_id=run_id,
        n_candidates=n_candidates,
    )
    _add_rkpd(region, renja_per_opd)
    _add_renja(region, renja_per_opd)
    _add_usulan(region, n_usulan)
    vruns, checks = _quality(region)  # before the OPD list's file: it is not validated
    opd_list = _opd_list(region)
    region.add_file("opd/daftar_opd.xlsx", "opd", None)
    tables = {
        "raw.ingest_file": pd.DataFrame(region.files),
        "staged.rkpd": pd.DataFrame(region.rkpd),
        "staged.renja": pd.DataFrame(region.renja),
        "staged.usulan": pd.DataFrame(region.usulan),
        "staged.opd": opd_list,
        "quality.validation_run": vruns,
        "quality.check_result": checks,
        "match.renja_alignment": pd.DataFrame(region.alignment),
        "match.renja_candidate": pd.DataFrame(region.renja_cand),
        "match.usulan_accommodation": pd.DataFrame(region.accommodation),
        "match.usulan_candidate": pd.DataFrame(region.usulan_cand),
    }
    counts = {}
    for table, df in tables.items():
        # Only columns the warehouse has (other layers may add or lack optional ones).
        existing = set(table_columns(con, *table.split(".")))
        counts[table] = insert_df(con, table, df[[c for c in df.columns if c in existing]])
    return counts
