"""Helpers to put files into a migrated warehouse the way ingest would: raw.ingest_file,
raw.sheet (with the column map), raw.skipped_row and staged rows, so validation can be
tested without the ingest stage."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pandas as pd
import pytest

from selaras import warehouse

TABLE = {
    "renja": "staged.renja",
    "rkpd": "staged.rkpd",
    "musrenbang": "staged.usulan",
    "pokir": "staged.usulan",
    "nomenklatur": "staged.nomenklatur",
    "wilayah": "staged.wilayah",
    "opd": "staged.opd",
}


def add_file(
    con,
    kind: str,
    source_file: str,
    rows: list[dict[str, Any]],
    *,
    sheet: str = "Sheet1",
    first_row: int = 3,
    column_map: dict[str, str] | None = None,
    skipped: list[dict[str, Any]] | None = None,
    rows_read: int | None = None,
    opd: str | None = None,
    tahun: int | None = None,
    status: str = "loaded",
) -> str:
    """Stage `rows` (dicts of staged columns; `source_row` defaults to consecutive rows from
    first_row) and record the file. `raw` defaults to the row's values under the column map's
    headers. Returns the file_id."""
    file_id = hashlib.sha256(f"{source_file}{json.dumps(rows, default=str)}".encode()).hexdigest()[:16]
    column_map = column_map or {}
    staged = []
    for i, row in enumerate(rows):
        r = dict(row)
        r.setdefault("source_row", first_row + i)
        r.setdefault("sheet", sheet)
        if kind in ("musrenbang", "pokir"):
            r.setdefault("channel", kind)
        if kind in ("nomenklatur", "wilayah") and "kode" not in r:
            r["kode"] = r.get("kode_raw")
        r["file_id"] = file_id
        r["source_file"] = source_file
        r["row_ref"] = f"{source_file}:{r['sheet']}:{r['source_row']}"
        if "raw" not in r:
            r["raw"] = json.dumps({header: _raw_text(r, field) for field, header in column_map.items()})
        staged.append(r)
    skipped = skipped or []
    n_read = rows_read if rows_read is not None else len(staged) + len(skipped)
    con.execute(
        "insert into raw.ingest_file (file_id, source_file, kind, sha256, status, opd, tahun, rows_read, "
        "rows_staged, rows_skipped) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [file_id, source_file, kind, file_id * 4, status, opd, tahun, n_read, len(staged), len(skipped)],
    )
    con.execute(
        "insert into raw.sheet (file_id, sheet, sheet_index, status, column_map, rows_read) values (?, ?, 0, 'loaded', ?, ?)",
        [file_id, sheet, json.dumps(column_map), n_read],
    )
    for s in skipped:
        con.execute(
            "insert into raw.skipped_row (file_id, sheet, source_row, reason_code, reason, raw) values (?, ?, ?, ?, ?, ?)",
            [
                file_id,
                s.get("sheet", sheet),
                s["source_row"],
                s["reason_code"],
                s.get("reason", s["reason_code"]),
                json.dumps(s.get("raw", {})),
            ],
        )
    if staged:
        warehouse.insert_df(con, TABLE[kind], pd.DataFrame(staged))
    return file_id


def _raw_text(row: dict[str, Any], field: str) -> Any:
    if f"{field}_raw" in row:
        return row[f"{field}_raw"]
    return row.get(field)


RENJA_MAP = {
    "kode_raw": "KODE SUB KEGIATAN",
    "nama": "PROGRAM DAN KEGIATAN",
    "target": "TARGET",
    "pagu": "JUMLAH PAGU",
    "opd": "PERANGKAT DAERAH",
    "tahun": "TAHUN",
}


def renja_row(
    kode: str | None, nama: str | None, pagu: float | None = 1_000_000.0, **extra: Any
) -> dict[str, Any]:
    """A clean-looking Renja row; override any staged column with keyword arguments."""
    row = {
        "kode_raw": kode,
        "kode": kode,
        "kode_level": "sub_kegiatan" if kode else None,
        "nama": nama,
        "pagu_raw": None if pagu is None else str(int(pagu)),
        "pagu": pagu,
        "target_raw": "12",
        "target": 12.0,
        "tahun": 2025,
        "opd": "Dinas Pekerjaan Umum",
    }
    row.update(extra)
    return row


NOMENKLATUR = [
    # versi, kode, nama, kode_sebelumnya
    ("2027", "X.XX.01.2.01.0001", "Penyusunan Dokumen Perencanaan Perangkat Daerah", None),
    ("2027", "1.03.10.2.01.0053", "Pembangunan Jalan", None),
    ("2027", "1.03.10.2.01.0051", "Pemeliharaan Rutin Jalan", "1.03.10.2.01.0046"),
    ("2027", "1.03.02.2.01.0101", "Peningkatan Bangunan Perkuatan Tebing", None),
    ("2027", "1.03.08.2.01.0023", "Penyelenggaraan Penerbitan Persetujuan Bangunan Gedung (PBG)", None),
    ("2024", "1.03.10.2.01.0032", "Pembangunan Jalan", None),
    ("2024", "1.03.10.2.01.0099", "Survei Jalan Lama", None),
]


def add_nomenklatur(con, items=NOMENKLATUR) -> None:
    by_versi: dict[str, list] = {}
    for versi, kode, nama, before in items:
        by_versi.setdefault(versi, []).append(
            {
                "versi": versi,
                "kode_raw": kode,
                "kode": kode,
                "kode_level": "sub_kegiatan",
                "nama": nama,
                "kode_sebelumnya": before,
            }
        )
    for versi, rows in by_versi.items():
        add_file(
            con,
            "nomenklatur",
            f"nomenklatur/nomenklatur_{versi}.xlsx",
            rows,
            column_map={"kode_raw": "KODE", "nama": "NAMA"},
        )


def add_opd(
    con, names=("Dinas Pekerjaan Umum", "Dinas Sosial", "Badan Perencanaan Pembangunan Daerah")
) -> None:
    add_file(
        con,
        "opd",
        "opd/daftar_opd.xlsx",
        [{"nama": n, "singkatan": None} for n in names],
        column_map={"nama": "NAMA OPD"},
    )


@pytest.fixture
def checks(con):
    """Latest check results as a DataFrame."""

    def _get(source_file: str | None = None) -> pd.DataFrame:
        df = con.execute("select * from analytics.quarantine order by source_file, source_row, rule").df()
        return df if source_file is None else df[df["source_file"] == source_file].reset_index(drop=True)

    return _get
