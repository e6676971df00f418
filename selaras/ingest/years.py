"""The plan year check: a run for `--tahun N` on files of another year would publish
"nothing accommodated" as a success, so it stops instead (the CLI exits with 2), naming
the files and the years found in them, unless the planner says `--paksa-tahun`.

The years of a file are those of its title block or file name (raw.ingest_file.tahun), of
its rows (a `tahun` column, else the title's year) and of the header of the money column
it was read from ("Rencana Tahun 2021 / Pagu Indikatif": raw.sheet.column_map). Plan files (Renja, RKPD) must carry
the plan year; proposals (musrenbang, pokir) may also carry the year before it, when they
were proposed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from selaras.ingest.errors import YearMismatch

if TYPE_CHECKING:
    import duckdb

    from selaras.settings import Settings

PLAN_KINDS = ("renja", "rkpd")
PROPOSAL_KINDS = ("musrenbang", "pokir")
_LISTED = 10  # files named in the message; the count says how many more

# Years per current file: its own (title, file name), its rows' and its money header's.
_YEARS_SQL = r"""
with row_years as (
    select file_id, tahun from staged.renja
    union all select file_id, tahun from staged.rkpd
    union all select file_id, tahun from staged.usulan
    union all
    select file_id, unnest(regexp_extract_all(json_extract_string(column_map, '$.pagu'),
                                              '\b((?:19|20)\d{2})\b', 1))::integer
    from raw.sheet where status = 'loaded'
)
select f.source_file, f.kind,
       list_sort(list_distinct(list(y.tahun) filter (where y.tahun is not null)
                               || case when f.tahun is null then [] else [f.tahun] end)) as years
from raw.ingest_file f left join row_years y using (file_id)
where f.status = 'loaded' and f.kind in ('renja', 'rkpd', 'musrenbang', 'pokir')
group by f.source_file, f.kind, f.tahun
order by f.source_file
"""


def files_of_another_year(con: duckdb.DuckDBPyConnection, tahun: int) -> list[tuple[str, list[int]]]:
    """(file, years found) for every current file whose years do not include `tahun`
    (for proposals: neither `tahun` nor the year before). Files without any year pass."""
    out = []
    for source, kind, years in con.execute(_YEARS_SQL).fetchall():
        years = [int(y) for y in years or []]
        if not years:
            continue
        allowed = {tahun, tahun - 1} if kind in PROPOSAL_KINDS else {tahun}
        if not allowed & set(years):
            out.append((source, years))
    return out


def check_year(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Raise YearMismatch when `--tahun` disagrees with the files (and no override)."""
    if settings.tahun is None or settings.paksa_tahun:
        return
    wrong = files_of_another_year(con, settings.tahun)
    if not wrong:
        return
    listed = "; ".join(f"{source} (tahun {', '.join(map(str, years))})" for source, years in wrong[:_LISTED])
    more = f"; dan {len(wrong) - _LISTED} berkas lainnya" if len(wrong) > _LISTED else ""
    raise YearMismatch(
        f"Tahun rencana --tahun {settings.tahun} tidak sesuai dengan tahun di berkas: {listed}{more}. "
        "Jalankan dengan --tahun yang benar (atau tanpa --tahun: tahun diambil dari berkas), ganti berkasnya, "
        "atau bila memang disengaja tambahkan --paksa-tahun (SELARAS_PAKSA_TAHUN=1). "
        "(plan year disagrees with the files)"
    )
