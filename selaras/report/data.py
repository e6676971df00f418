"""What the reports show, read once from the analytics views as plain Python rows (no
pandas: no NaN to guard against, and grouping by OPD is a single pass over sorted rows)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import groupby
from typing import Any

import duckdb

from selaras.settings import Settings
from selaras.warehouse import table_columns


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple]

    @property
    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.columns)}

    def by(self, column: str) -> dict[Any, list[tuple]]:
        """Rows grouped by a column the query sorted on."""
        i = self.index[column]
        return {k: list(g) for k, g in groupby(self.rows, key=lambda r: r[i])}

    def values(self, column: str) -> list[Any]:
        i = self.index[column]
        return [r[i] for r in self.rows]


def query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> Table:
    cur = con.execute(sql, params or [])
    return Table([d[0] for d in cur.description], cur.fetchall())


@dataclass
class ReportData:
    run_id: str
    tahun: int | None
    generated_at: datetime
    renja: Table
    usulan: Table
    rkpd: Table
    pagu: Table
    rates: Table
    coverage: Table
    quarantine: Table
    changes: Table
    previous_run: str | None
    review_problems: Table
    opds: list[str] = field(default_factory=list)

    def header_only(self) -> ReportData:
        """The same without rows: what a worker process writing a workbook needs besides
        the rows it is given (column positions, year, run)."""
        empty = {
            name: Table(getattr(self, name).columns, [])
            for name in (
                "renja",
                "usulan",
                "rkpd",
                "pagu",
                "rates",
                "coverage",
                "quarantine",
                "changes",
                "review_problems",
            )
        }
        return replace(self, **empty)


def load(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str) -> ReportData:
    renja = query(
        con,
        """
        select opd_forum, renja_ref, source_file, sheet, source_row, kode_sub_kegiatan, nama_sub_kegiatan,
               program_kode, pagu, rkpd_ref, kode_rkpd, nama_rkpd, prioritas, kode_saran, status, method,
               score, reason, decided_by, lokasi
        from analytics.forum_renja order by opd_forum, source_file, source_row, renja_ref""",
    )
    usulan = query(
        con,
        """
        select opd_forum, usulan_ref, row_ref, source_file, sheet, source_row, channel, usulan, uraian,
               kecamatan_forum, desa, anggaran, status, renja_ref,
               nullif(concat_ws(' ', renja_kode, renja_nama), '') as renja_label, score, reason,
               decided_by
        from analytics.forum_usulan order by opd_forum, source_file, source_row, row_ref""",
    )
    rkpd = query(
        con,
        """
        select opd_forum, rkpd_ref, source_file, source_row, kode_rkpd, nama_rkpd, prioritas, pagu_indikatif,
               jumlah_renja, pagu_renja, tercakup
        from analytics.forum_rkpd order by opd_forum, source_file, source_row, rkpd_ref""",
    )
    pagu = query(
        con,
        """
        select opd, program_kode, program_nama, jumlah_renja, jumlah_rkpd, pagu_renja, pagu_indikatif, selisih,
               melebihi_pagu, status
        from analytics.pagu_program order by opd, program_kode""",
    )
    rates = query(con, "select * from analytics.accommodation_rate order by dimensi, nilai")
    coverage = query(con, "select * from analytics.coverage_priority order by prioritas")
    # The row's OPD when the view has it (else the file's), mapped to the report's OPD name.
    opd_col = "opd" if "opd" in table_columns(con, "analytics", "quarantine") else "file_opd"
    quarantine = query(
        con,
        f"""
        select coalesce(f.kind, 'lainnya') as kind, coalesce(m.opd, q.{opd_col}) as opd, q.source_file,
               q.severity, q.rule, any_value(q.message) as message, count(*) as jumlah
        from analytics.quarantine q
        left join raw.ingest_file f on f.file_id = q.file_id
        left join analytics.opd_map m on m.opd_raw = q.{opd_col}
        group by all order by jumlah desc, q.source_file, q.rule""",  # noqa: S608
    )  # noqa: S608 - constant identifier
    changes = query(
        con,
        """
        select entity, change, status_changed, status_before, status_after, ref, label, opd, source_file,
               previous_run_id, run_id
        from analytics.run_changes order by entity, change, ref""",
    )
    previous = (
        changes.rows[0][changes.index["previous_run_id"]]
        if changes.rows
        else con.execute(
            "select s.run_id from history.snapshot s join meta.run r using (run_id) "
            "where r.status = 'success' and s.run_id <> ? group by s.run_id "
            "order by max(s.taken_at) desc limit 1",
            [run_id],
        ).fetchone()
    )
    previous = previous[0] if isinstance(previous, tuple) else previous
    review_problems = query(
        con,
        """
        select source_file, sheet, source_row, column_name, problem, message
        from analytics.review_problems order by source_file, sheet, source_row""",
    )
    tahun = (
        settings.tahun
        or con.execute(
            "select tahun from (select tahun from clean.renja union all select tahun from clean.rkpd) "
            "where tahun is not null group by 1 order by count(*) desc, tahun desc limit 1"
        ).fetchone()
    )
    tahun = tahun[0] if isinstance(tahun, tuple) else tahun
    opds = sorted(
        {*renja.by("opd_forum"), *usulan.by("opd_forum"), *rkpd.by("opd_forum")},
        key=lambda s: (s.startswith("("), s.lower()),
    )
    return ReportData(
        run_id,
        tahun,
        datetime.now(),
        renja,
        usulan,
        rkpd,
        pagu,
        rates,
        coverage,
        quarantine,
        changes,
        previous,
        review_problems,
        opds,
    )
