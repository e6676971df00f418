"""Compare the analytics views of two published databases, view by view, ignoring what
differs from run to run by nature (run ids, timestamps, durations, fingerprints).

    python bench/compare_views.py A.duckdb B.duckdb [--schema analytics] [--show 5]

For each view in either database: its row count in A and in B and, when the comparable
columns agree, whether the rows are the same as a multiset (EXCEPT ALL both ways). Prints
the differing views and exits 1 when any differs. Used to prove that a performance change
left the outputs as they were.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

#: Column names that change with every run whatever the data.
VOLATILE = re.compile(
    r"(^|_)(run_id|runs?|cached_from|fingerprint|seconds|duration|elapsed|published|generated|pid|host)($|_)"
    r"|(_at|_time|_timestamp|_ts)$|^(at|time|timestamp|started|finished|tanggal_run)$"
)
VOLATILE_TYPES = ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIME", "INTERVAL")


@dataclass
class ViewDiff:
    view: str
    rows_a: int | None
    rows_b: int | None
    only_a: int = 0
    only_b: int = 0
    columns: str = ""

    @property
    def same(self) -> bool:
        return self.rows_a == self.rows_b and self.only_a == 0 and self.only_b == 0 and not self.columns


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(con: duckdb.DuckDBPyConnection, db: str, schema: str, view: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = ? and table_name = ? order by ordinal_position",
        [db, schema, view],
    ).fetchall()
    return dict(rows)


def _views(con: duckdb.DuckDBPyConnection, db: str, schema: str) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_catalog = ? and table_schema = ?",
        [db, schema],
    ).fetchall()
    return {r[0] for r in rows}


def compare_view(con: duckdb.DuckDBPyConnection, schema: str, view: str, show: int) -> ViewDiff:
    cols_a, cols_b = _columns(con, "a", schema, view), _columns(con, "b", schema, view)
    ref_a, ref_b = f"a.{_quote(schema)}.{_quote(view)}", f"b.{_quote(schema)}.{_quote(view)}"
    rows_a = con.execute(f"select count(*) from {ref_a}").fetchone()[0] if cols_a else None  # noqa: S608
    rows_b = con.execute(f"select count(*) from {ref_b}").fetchone()[0] if cols_b else None  # noqa: S608
    diff = ViewDiff(view, rows_a, rows_b)
    if not cols_a or not cols_b:
        diff.columns = "only in " + ("B" if not cols_a else "A")
        return diff
    if set(cols_a) != set(cols_b):
        diff.columns = f"columns differ: A-B {sorted(set(cols_a) - set(cols_b))}, B-A {sorted(set(cols_b) - set(cols_a))}"
    keep = [
        c
        for c in cols_a
        if c in cols_b and not VOLATILE.search(c.lower()) and cols_a[c].upper() not in VOLATILE_TYPES
    ]
    if not keep:
        return diff
    # Cast to text so that e.g. a DOUBLE and a DECIMAL of the same value compare equal.
    select = ", ".join(f"cast({_quote(c)} as varchar) as {_quote(c)}" for c in keep)
    only_a = f"select {select} from {ref_a} except all select {select} from {ref_b}"  # noqa: S608
    only_b = f"select {select} from {ref_b} except all select {select} from {ref_a}"  # noqa: S608
    diff.only_a = con.execute(f"select count(*) from ({only_a})").fetchone()[0]  # noqa: S608
    diff.only_b = con.execute(f"select count(*) from ({only_b})").fetchone()[0]  # noqa: S608
    if show and (diff.only_a or diff.only_b):
        for label, query in (("A", only_a), ("B", only_b)):
            for row in con.execute(f"{query} limit {int(show)}").fetchall():
                print(f"    only in {label}: {dict(zip(keep, row, strict=True))}")
    return diff


def compare(a: Path, b: Path, schema: str = "analytics", show: int = 0) -> list[ViewDiff]:
    con = duckdb.connect()
    try:
        con.execute("attach ? as a (read_only)", [str(a)])
        con.execute("attach ? as b (read_only)", [str(b)])
        views = sorted(_views(con, "a", schema) | _views(con, "b", schema))
        return [compare_view(con, schema, v, show) for v in views]
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--schema", default="analytics")
    parser.add_argument("--show", type=int, default=3, help="Differing rows to print per view.")
    args = parser.parse_args(argv)
    diffs = compare(args.a, args.b, args.schema, args.show)
    differing = [d for d in diffs if not d.same]
    for d in diffs:
        mark = "same" if d.same else "DIFFERS"
        extra = f", only in A {d.only_a}, only in B {d.only_b}" if (d.only_a or d.only_b) else ""
        print(f"  {d.view:<32} rows A {d.rows_a!s:>7} B {d.rows_b!s:>7}  {mark}{extra} {d.columns}")
    print(
        f"RESULT {len(diffs) - len(differing)} of {len(diffs)} views the same; differing: {[d.view for d in differing]}"
    )
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
