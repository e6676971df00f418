"""Ground truth of a generated data set, as CSV files under data_dir/truth/ (never under
raw/, so ingest does not load them). Row references follow the project's conventions:
`source_file:sheet:source_row`, source_file relative to raw/, 1-based rows, sheet `csv`
for CSV files. Lists inside a cell are separated by `|`.

renja_rkpd.csv      one row per Renja data row that reaches matching (quarantined rows
                    are in quarantine.csv instead):
                    renja_ref, source_file, sheet, source_row, opd, nama (the name cell as
                    written), kode_tertulis (the code as designed before the layout's
                    spelling; empty = no code), status (selaras / selaras_nama /
                    tidak_selaras), rkpd_ref (empty when tidak_selaras), kode (the correct
                    current code; empty for an item dropped from the nomenclature),
                    case (exact / renamed / outdated / missing / mistyped / not_in_rkpd /
                    dropped), hidden (true for a hidden row).
usulan_renja.csv    one row per proposal that reaches matching:
                    usulan_ref, source_file, sheet, source_row, usulan_id, channel
                    (musrenbang / pokir), opd_tujuan (OPD name), kecamatan, desa,
                    kode_desa, kamus (the kind of work), usulan (the proposal text as
                    written), status (terakomodir / tidak_terakomodir), renja_refs,
                    case (accommodated / split / other_desa / other_work / same_name /
                    unrelated: how it was designed; the status follows the rule).
rkpd_coverage.csv   one row per RKPD item: rkpd_ref, kode, opd, pagu, renja_refs (usable
                    Renja rows serving it), renja_pagu (their sum), covered, over_ceiling.
expected_rows.csv   one row per file and sheet: source_file, sheet, sheet_hidden,
                    sheet_status (loaded / no_header), rows_total (last row with content),
                    data_rows, skipped_rows, then skipped rows per reason (title, header,
                    numbering, group, subtotal, empty, note), hidden_rows, quarantined_rows,
                    quarantine (`row:rule|...`). For a no_header sheet only rows_total,
                    data_rows (0) and sheet_status are meant.
skipped_rows.csv    every non-data row: source_file, sheet, source_row, reason_code.
quarantine.csv      rows validation must reject: row_ref, source_file, sheet, source_row,
                    rule (validate/rules.yaml id), field (pagu / anggaran / nama).

May import: this package's plan and sheets modules.
"""

from __future__ import annotations

import csv
from pathlib import Path

from selaras.sample.plan import Plan, RenjaRow
from selaras.sample.sheets import SheetLog

SKIP_KINDS = ("title", "header", "numbering", "group", "subtotal", "empty", "note")


def _write(path: Path, header: list[str], rows: list[list]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path


def _parse_ref(ref: str) -> list[str]:
    source_file, sheet, row = ref.rsplit(":", 2)
    return [source_file, sheet, row]


def write_truth(truth_dir: Path, plan: Plan, logs: list[SheetLog]) -> list[Path]:
    out = [
        _renja_rkpd(truth_dir, plan),
        _usulan_renja(truth_dir, plan),
        _rkpd_coverage(truth_dir, plan),
        *_rows(truth_dir, logs),
    ]
    return out


def _renja_rkpd(truth_dir: Path, plan: Plan) -> Path:
    rkpd = plan.rkpd_of()
    rows = []
    for r in sorted((r for r in plan.renja if r.bad_rule is None), key=lambda r: _ref_key(r.row_ref)):
        status, item = plan.status(r, rkpd)
        rows.append(
            [
                r.row_ref,
                *_parse_ref(r.row_ref),
                r.opd.nama,
                r.name_cell,
                r.kode_written or "",
                status,
                item.row_ref if item else "",
                r.kode_current,
                r.case,
                str(r.hidden).lower(),
            ]
        )
    return _write(
        truth_dir / "renja_rkpd.csv",
        [
            "renja_ref",
            "source_file",
            "sheet",
            "source_row",
            "opd",
            "nama",
            "kode_tertulis",
            "status",
            "rkpd_ref",
            "kode",
            "case",
            "hidden",
        ],
        rows,
    )


def _usulan_renja(truth_dir: Path, plan: Plan) -> Path:
    acc = plan.accommodating()
    rows = []
    for u in sorted((u for u in plan.usulan if u.bad_rule is None), key=lambda u: _ref_key(u.row_ref)):
        refs = sorted(r.row_ref for r in acc[u.id])
        rows.append(
            [
                u.row_ref,
                *_parse_ref(u.row_ref),
                u.usulan_id,
                u.channel,
                u.opd.nama,
                u.desa.kec.nama,
                u.desa.nama,
                u.desa.kode,
                u.kamus.key,
                u.text_cell,
                "terakomodir" if refs else "tidak_terakomodir",
                "|".join(refs),
                u.case,
            ]
        )
    return _write(
        truth_dir / "usulan_renja.csv",
        [
            "usulan_ref",
            "source_file",
            "sheet",
            "source_row",
            "usulan_id",
            "channel",
            "opd_tujuan",
            "kecamatan",
            "desa",
            "kode_desa",
            "kamus",
            "usulan",
            "status",
            "renja_refs",
            "case",
        ],
        rows,
    )


def _rkpd_coverage(truth_dir: Path, plan: Plan) -> Path:
    rkpd = plan.rkpd_of()
    serving: dict[str, list[RenjaRow]] = {}
    for r in plan.renja:
        if r.usable:
            _, item = plan.status(r, rkpd)
            if item is not None:
                serving.setdefault(item.row_ref, []).append(r)
    rows = []
    for it in sorted(plan.rkpd, key=lambda it: _ref_key(it.row_ref)):
        rs = sorted(serving.get(it.row_ref, []), key=lambda r: _ref_key(r.row_ref))
        total = sum(r.pagu for r in rs)
        rows.append(
            [
                it.row_ref,
                it.kode,
                it.opd.nama,
                it.pagu,
                "|".join(r.row_ref for r in rs),
                total,
                str(bool(rs)).lower(),
                str(total > it.pagu).lower(),
            ]
        )
    return _write(
        truth_dir / "rkpd_coverage.csv",
        ["rkpd_ref", "kode", "opd", "pagu", "renja_refs", "renja_pagu", "covered", "over_ceiling"],
        rows,
    )


def _rows(truth_dir: Path, logs: list[SheetLog]) -> list[Path]:
    expected, skipped, quarantine = [], [], []
    for log in sorted(logs, key=lambda g: (g.source_file, g.sheet)):
        counts = {k: 0 for k in SKIP_KINDS}
        bad = []
        data = hidden = 0
        for rec in log.rows:
            if rec.kind == "data":
                data += 1
                rule = getattr(rec.obj, "bad_rule", None)
                if rule:
                    field = getattr(rec.obj, "bad_column", "") or "anggaran"
                    bad.append(f"{rec.row}:{rule}")
                    quarantine.append([log.ref(rec.row), log.source_file, log.sheet, rec.row, rule, field])
            else:
                counts[rec.kind] += 1
                if log.status == "loaded":
                    skipped.append([log.source_file, log.sheet, rec.row, rec.kind])
            hidden += rec.hidden
        total = log.rows[-1].row if log.rows else 0
        n_skipped = sum(counts.values()) if log.status == "loaded" else ""
        expected.append(
            [
                log.source_file,
                log.sheet,
                str(log.hidden).lower(),
                log.status,
                total,
                data,
                n_skipped,
                *[counts[k] if log.status == "loaded" else "" for k in SKIP_KINDS],
                hidden,
                len(bad),
                "|".join(bad),
            ]
        )
    return [
        _write(
            truth_dir / "expected_rows.csv",
            [
                "source_file",
                "sheet",
                "sheet_hidden",
                "sheet_status",
                "rows_total",
                "data_rows",
                "skipped_rows",
                *SKIP_KINDS,
                "hidden_rows",
                "quarantined_rows",
                "quarantine",
            ],
            expected,
        ),
        _write(
            truth_dir / "skipped_rows.csv", ["source_file", "sheet", "source_row", "reason_code"], skipped
        ),
        _write(
            truth_dir / "quarantine.csv",
            ["row_ref", "source_file", "sheet", "source_row", "rule", "field"],
            quarantine,
        ),
    ]


def _ref_key(ref: str) -> tuple:
    source_file, sheet, row = ref.rsplit(":", 2)
    return (source_file, sheet, int(row))
