"""The review workbook: every perlu_review row (sheet "Perlu Review") and every other row
(sheet "Semua Baris"), each with the result the reports show (the matcher's, or a
planner's decision in force), its top candidates and a Keputusan column with a dropdown.
Hidden columns carry the row's identity, fingerprint and a checksum of the locked columns
(layout.py); the sheets are protected except for the planner's columns. The report stage
writes it; saved filled-in into raw/review/, it is read by the reconcile stage of the
next run (read.py).

May import: duckdb, selaras.xlsx, selaras.review.layout.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby
from pathlib import Path
from typing import Any

import duckdb

from selaras.review import layout
from selaras.xlsx import Styles, colour_statuses, open_workbook, print_setup, text_of

FILE_NAME = "Review_Keselarasan.xlsx"

_RENJA = """
    with cand as (
        select renja_ref, list(target_ref order by rank) as refs,
               list(concat_ws(' ', target_kode, target_nama) || ' (skor ' || round(score, 1) || ')' order by rank)
                   as texts
        from match.renja_candidate
        where target_type = 'rkpd' and rank <= ?
        group by 1
    )
    select 'renja_rkpd' as task, f.renja_ref as subject_ref, s.fingerprint, f.opd_forum,
           concat_ws(' ', f.kode_sub_kegiatan, f.nama_sub_kegiatan) as subjek, f.pagu as nilai,
           f.lokasi as tempat, f.renja_ref as sumber, f.source_file, f.source_row, f.status, f.score,
           f.rkpd_ref as target_ref, concat_ws(' ', f.kode_rkpd, f.nama_rkpd) as pasangan,
           f.prioritas as pasangan_info, f.reason, f.decided_by, c.refs, c.texts
    from analytics.forum_renja f
    join review.subject s on s.task = 'renja_rkpd' and s.subject_ref = f.renja_ref
    left join cand c on c.renja_ref = f.renja_ref
"""

_USULAN = """
    with cand as (
        select c.usulan_ref, list(c.renja_ref order by c.rank) as refs,
               list(concat_ws(' ', r.kode_raw, r.nama) || coalesce(' @ ' || r.lokasi, '')
                    || ' (skor ' || round(c.score, 1) || ')' order by c.rank) as texts
        from match.usulan_candidate c
        left join staged.renja r on r.row_ref = c.renja_ref
        where c.rank <= ?
        group by 1
    )
    select 'usulan_renja' as task, f.row_ref as subject_ref, s.fingerprint, f.opd_forum,
           concat_ws(' ', '[' || f.channel || ']', f.usulan) as subjek, f.anggaran as nilai,
           concat_ws(', ', f.desa, f.kecamatan_forum) as tempat, f.row_ref as sumber, f.source_file,
           f.source_row, f.status, f.score,
           f.renja_ref as target_ref, concat_ws(' ', f.renja_kode, f.renja_nama) as pasangan,
           f.renja_lokasi as pasangan_info, f.reason, f.decided_by, c.refs, c.texts
    from analytics.forum_usulan f
    join review.subject s on s.task = 'usulan_renja' and s.subject_ref = f.row_ref
    left join cand c on c.usulan_ref = f.row_ref
"""

GUIDE = [
    ("Cara memakai lembar review", "title"),
    (
        "1. Buka lembar 'Perlu Review' (baris yang diragukan sistem). Lembar 'Semua Baris' memuat semua baris lain, "
        "bila Anda ingin mengoreksi baris yang sudah diputuskan sistem.",
        "text",
    ),
    ("2. Isi kolom 'Keputusan' (pilih dari daftar atau ketik):", "text"),
    ("    terima  = pasangan usulan sistem benar (accept)", "text"),
    (
        "    tolak  = pasangan usulan sistem salah (reject); baris menjadi tidak selaras / tidak terakomodir",
        "text",
    ),
    ("    pilih N  = pasangan yang benar adalah Kandidat N (choose N), misalnya 'pilih 2'", "text"),
    (
        "    tidak terakomodir  = usulan tidak terakomodir; tulis alasannya di kolom 'Alasan / catatan peninjau'",
        "text",
    ),
    ("3. Isi 'Peninjau' dengan nama Anda (bila kosong dipakai nama pengguna yang menyimpan berkas).", "text"),
    (
        "4. Simpan berkas dan letakkan di folder data/raw/review/. Pada run berikutnya keputusan diterapkan dan "
        "tetap berlaku di setiap run, sampai baris aslinya berubah (dilaporkan sebagai 'stale').",
        "text",
    ),
    (
        "Kolom lain dikunci dan kolom tersembunyi (_id, _checksum) mengenali baris: jangan diubah. "
        "Perubahan di kolom terkunci dilaporkan per berkas / lembar / baris.",
        "note",
    ),
    ("Ejaan Inggris juga dipahami: accept, reject, choose 2, not accommodated.", "note"),
]


def _row_values(row: dict[str, Any], n: int, cols: list[layout.Column]) -> dict[str, Any]:
    refs = list(row["refs"] or [])[:n]
    texts = list(row["texts"] or [])[:n]
    subjek = row["subjek"] or ""
    details = []
    if row["tempat"]:
        details.append(str(row["tempat"]))
    if row["nilai"] is not None:
        details.append("Rp " + f"{row['nilai']:,.0f}".replace(",", "."))
    if details:
        subjek = f"{subjek} ({'; '.join(details)})"
    pasangan = row["pasangan"] or ""
    if pasangan and row["pasangan_info"]:
        pasangan = f"{pasangan} ({row['pasangan_info']})"
    identity = layout.Identity(
        row["task"], row["subject_ref"], row["fingerprint"], row["target_ref"], row["decided_by"], tuple(refs)
    )
    values: dict[str, Any] = {
        "tugas": layout.TASK_LABEL[row["task"]],
        "opd": row["opd_forum"],
        "subjek": text_of(subjek),
        "sumber": row["sumber"],
        "status": row["status"],
        "skor": round(row["score"], 1) if row["score"] is not None else None,
        "pasangan": text_of(pasangan) if pasangan else None,
        "alasan_sistem": row["reason"],
        "id": identity.dumps(),
    }
    for i in range(1, n + 1):
        values[f"kandidat_{i}"] = text_of(texts[i - 1]) if i <= len(texts) else None
    values["checksum"] = layout.checksum([values.get(c.key) for c in layout.checked(cols)])
    return values


def _write_sheet(
    wb, styles: Styles, name: str, rows: Iterable[dict[str, Any]], n: int, unlocked, hidden_fmt
) -> int:
    """Write one sheet top to bottom (the workbook streams rows: constant_memory); returns
    its row count."""
    ws = wb.add_worksheet(name)
    ws.set_row(0, 30)  # before any row is written: a streamed row cannot be changed later
    cols = layout.columns(n)
    for c, col in enumerate(cols):
        ws.write_string(0, c, col.header, styles.header)
        options = {"hidden": True} if col.hidden else None
        ws.set_column(
            c, c, col.width, unlocked if col.editable else (hidden_fmt if col.hidden else None), options
        )
    write_string, write_number = ws.write_string, ws.write_number
    text_fmt, score_fmt = styles.kinds["text"], styles.kinds["score"]
    checked = {c.key for c in layout.checked(cols)} | {"checksum"}
    plan = [
        (c, col.key, col.kind, score_fmt if col.kind == "number" else text_fmt)
        for c, col in enumerate(cols)
        if col.key in checked
    ]
    written = 0
    for r, row in enumerate(rows, 1):
        written = r
        values = _row_values(row, n, cols)
        for c, key, kind, fmt in plan:
            v = values.get(key)
            if v is None or v == "":
                continue
            if kind == "number":
                write_number(r, c, v, fmt)
            else:
                write_string(r, c, v if isinstance(v, str) else str(v), fmt)
    last = max(written, 1)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, last, len(cols) - 1)
    status_col = next(c for c, col in enumerate(cols) if col.key == "status")
    colour_statuses(ws, styles, 1, status_col, last)
    decision_col = next(c for c, col in enumerate(cols) if col.key == "keputusan")
    choices = ["terima", "tolak", *[f"pilih {i}" for i in range(1, n + 1)], "tidak terakomodir"]
    ws.data_validation(
        1,
        decision_col,
        max(last, 1000),
        decision_col,
        {
            "validate": "list",
            "source": choices,
            "error_type": "warning",
            "error_title": "Keputusan tidak dikenal",
            "error_message": "Gunakan terima / tolak / pilih N / tidak terakomodir (ejaan Inggris juga dipahami).",
            "input_title": "Keputusan",
            "input_message": "terima = pasangan benar; tolak = salah; pilih N = Kandidat N; tidak terakomodir: "
            "tulis alasan di kolom berikutnya.",
        },
    )
    ws.protect(
        "",
        {
            "autofilter": True,
            "sort": True,
            "format_columns": True,
            "format_rows": True,
            "select_locked_cells": True,
            "select_unlocked_cells": True,
        },
    )
    print_setup(ws)
    return written


#: perlu_review rows first (the first sheet), then by task, OPD, file and row.
_ORDERED = f"""
    select * from (({_RENJA}) union all ({_USULAN}))
    order by status is distinct from 'perlu_review', task, coalesce(opd_forum, ''), source_file,
             source_row, sumber
"""  # noqa: S608 - composed of the two constant queries above


def iter_review_rows(
    con: duckdb.DuckDBPyConnection, n_candidates: int, chunk: int = 5_000
) -> Iterator[dict[str, Any]]:
    """Every Renja row and proposal with its result, candidates and fingerprint, perlu_review
    rows first, fetched a chunk at a time: a big region's rows are never all in memory."""
    cur = con.cursor()  # its own result: a query on `con` meanwhile must not end this one
    try:
        cur.execute(_ORDERED, [n_candidates, n_candidates])
        names = [d[0] for d in cur.description]
        while batch := cur.fetchmany(chunk):
            for r in batch:
                yield dict(zip(names, r, strict=True))
    finally:
        cur.close()


def write_review_workbook(
    path: Path, rows: Iterable[dict[str, Any]], run_id: str, n_candidates: int
) -> dict[str, int]:
    """`rows` in `iter_review_rows` order (perlu_review first), read once, as they come."""
    # perlu_review rows first, then the others: two runs at most, each written to its sheet
    # as it streams past (a group is valid only until the next one is asked for)
    runs = groupby(rows, key=lambda r: r["status"] == "perlu_review")
    is_review, group = next(runs, (False, iter(())))
    wb = open_workbook(path, constant_memory=True)
    wb.set_properties({"title": "Review keselarasan", "comments": f"run {run_id}"})
    styles = Styles(wb)
    unlocked = wb.add_format(
        {
            "locked": False,
            "bg_color": "#FFF2CC",
            "font_size": 10,
            "valign": "top",
            "border": 1,
            "border_color": "#BFBFBF",
        }
    )
    hidden_fmt = wb.add_format({"font_size": 8, "font_color": "#808080"})
    review = group if is_review else iter(())
    n_review = _write_sheet(wb, styles, layout.SHEET_REVIEW, review, n_candidates, unlocked, hidden_fmt)
    if is_review:
        is_review, group = next(runs, (False, iter(())))
    n_others = _write_sheet(wb, styles, layout.SHEET_ALL, group, n_candidates, unlocked, hidden_fmt)
    guide = wb.add_worksheet(layout.SHEET_GUIDE)
    guide.set_column(0, 0, 120)
    for i, (text, kind) in enumerate(GUIDE):
        guide.write_string(
            i,
            0,
            text,
            styles.title if kind == "title" else styles.note if kind == "note" else styles.kinds["text"],
        )
    print_setup(guide, landscape=False)
    wb.close()
    return {layout.SHEET_REVIEW: n_review, layout.SHEET_ALL: n_others}
