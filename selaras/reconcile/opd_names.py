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

from selaras.kamus.opd import ALIAS_FILE, build_resolver, load_aliases, opd_key
from selaras.settings import Settings
from selaras.warehouse import insert_df

_SPELLINGS = """
    select opd_raw, sum(n) as n from (
        select opd as opd_raw, count(*) as n from clean.renja where opd is not null group by 1
        union all select opd, count(*) from clean.rkpd where opd is not null group by 1
        union all select opd_tujuan, count(*) from clean.usulan where opd_tujuan is not null group by 1
        union all select nama, 0 from clean.opd
    ) where trim(opd_raw) <> '' group by 1 order by 1
"""


def resolve_opd_names(con: duckdb.DuckDBPyConnection, aliases: dict[str, str] | None = None) -> pd.DataFrame:
    inputs = {
        "opd": con.execute("select nama, singkatan from clean.opd").df(),
        "rkpd": con.execute("select opd from clean.rkpd").df(),
        "renja": con.execute("select opd from clean.renja").df(),
    }
    resolver = build_resolver(inputs, aliases)
    official = {opd_key(n): n for n in inputs["opd"]["nama"] if isinstance(n, str)}
    spellings = con.execute(_SPELLINGS).fetchall()
    keys: dict[str, tuple[str, bool, str]] = {}
    by_key: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for raw, n in spellings:
        key, evidence = resolver.explain(raw)
        resolved = key is not None
        key = key or opd_key(raw) or raw.strip().lower()
        keys[raw] = (key, resolved, evidence)
        by_key[key].append((raw, n))
    names = {}
    for key, options in by_key.items():
        if key in official:
            names[key] = official[key]
        else:
            names[key] = max(options, key=lambda o: (not o[0].isupper(), o[1], len(o[0])))[0].strip()
    return pd.DataFrame(
        [
            {"opd_raw": raw, "opd_key": key, "opd": names[key], "resolved": resolved, "evidence": evidence}
            for raw, (key, resolved, evidence) in keys.items()
        ],
        columns=["opd_raw", "opd_key", "opd", "resolved", "evidence"],
    )


def store_opd_names(con: duckdb.DuckDBPyConnection, settings: Settings) -> tuple[int, list[str]]:
    """Resolve and store every spelling; returns the number of agencies and the warnings
    a planner reads (alias file problems, the OPD TUJUAN values no agency was found for)."""
    aliases, problems = load_aliases(settings.raw_dir)
    names = resolve_opd_names(con, aliases)
    con.execute("delete from reconcile.opd_name")
    insert_df(con, "reconcile.opd_name", names)
    unknown = [
        raw
        for (raw,) in con.execute(
            "select distinct u.opd_tujuan from clean.usulan u join reconcile.opd_name n on n.opd_raw = u.opd_tujuan "
            "where not n.resolved order by 1"
        ).fetchall()
    ]
    if unknown:
        shown = ", ".join(f"'{u}'" for u in unknown[:10]) + (
            f" dan {len(unknown) - 10} lainnya" if len(unknown) > 10 else ""
        )
        problems.append(
            f"{len(unknown)} nama OPD tujuan usulan tidak dikenal sebagai OPD mana pun: {shown}. Usulannya "
            "dikelompokkan sebagai 'OPD tidak dikenal' (kecuali baris Renja yang mengakomodasinya menyebut OPD-nya); "
            f"tambahkan ejaan itu ke data/raw/{ALIAS_FILE.as_posix()} (kolom alias, opd) bila maksudnya OPD tertentu "
            "(lihat analytics.opd_resolution)."
        )
    return (int(names["opd"].nunique()) if not names.empty else 0), problems
