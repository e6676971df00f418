"""One name per OPD for the reports, decided with the shared resolver (selaras.kamus.opd) (one notion
of "the same agency" in the whole project): every spelling found in the clean Renja,
RKPD, proposals and OPD list is resolved; the agencies are named after the OPD list when
it has them, else after their most frequent spelling (preferring one not in capitals).
May import: duckdb, pandas, selaras.warehouse and selaras.kamus (the OPD resolver the
matcher uses too, so "the same agency" has one meaning)."""

from __future__ import annotations

from collections import defaultdict

import duckdb
import pandas as pd

from selaras.kamus.opd import build_resolver, opd_key
from selaras.warehouse import insert_df

_SPELLINGS = """
    select opd_raw, sum(n) as n from (
        select opd as opd_raw, count(*) as n from clean.renja where opd is not null group by 1
        union all select opd, count(*) from clean.rkpd where opd is not null group by 1
        union all select opd_tujuan, count(*) from clean.usulan where opd_tujuan is not null group by 1
        union all select nama, 0 from clean.opd
    ) where trim(opd_raw) <> '' group by 1 order by 1
"""


def resolve_opd_names(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    inputs = {
        "opd": con.execute("select nama, singkatan from clean.opd").df(),
        "rkpd": con.execute("select opd from clean.rkpd").df(),
        "renja": con.execute("select opd from clean.renja").df(),
    }
    resolver = build_resolver(inputs)
    official = {opd_key(n): n for n in inputs["opd"]["nama"] if isinstance(n, str)}
    spellings = con.execute(_SPELLINGS).fetchall()
    keys: dict[str, tuple[str, bool]] = {}
    by_key: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for raw, n in spellings:
        key = resolver.resolve(raw)
        resolved = key is not None
        key = key or opd_key(raw) or raw.strip().lower()
        keys[raw] = (key, resolved)
        by_key[key].append((raw, n))
    names = {}
    for key, options in by_key.items():
        if key in official:
            names[key] = official[key]
        else:
            names[key] = max(options, key=lambda o: (not o[0].isupper(), o[1], len(o[0])))[0].strip()
    return pd.DataFrame(
        [
            {"opd_raw": raw, "opd_key": key, "opd": names[key], "resolved": resolved}
            for raw, (key, resolved) in keys.items()
        ],
        columns=["opd_raw", "opd_key", "opd", "resolved"],
    )


def store_opd_names(con: duckdb.DuckDBPyConnection) -> int:
    names = resolve_opd_names(con)
    con.execute("delete from reconcile.opd_name")
    insert_df(con, "reconcile.opd_name", names)
    return int(names["opd"].nunique()) if not names.empty else 0
