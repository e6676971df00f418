import pytest

from selaras import warehouse


def test_migrations_apply_once_and_are_rerunnable(con):
    applied = [r[0] for r in con.execute("select version from meta.schema_migration order by 1").fetchall()]
    assert applied == [p.name for p in warehouse.migration_files()]
    assert warehouse.migrate(con) == []  # nothing changed, nothing re-applied


def test_transaction_rolls_back_on_error(con):
    con.execute("create table t (x int)")
    try:
        with warehouse.transaction(con):
            con.execute("insert into t values (1)")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert con.execute("select count(*) from t").fetchone()[0] == 0


def test_analytics_views_exist(con):
    views = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'analytics'"
        ).fetchall()
    }
    assert {"renja_alignment", "musrenbang_accommodation", "rkpd_coverage", "row_accounting"} <= views


def test_a_memory_limit_comes_back_even_when_the_callers_transaction_failed(tmp_path):
    import duckdb

    from selaras.warehouse import memory_limit

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    setting = "select current_setting('memory_limit')"
    before = con.execute(setting).fetchone()[0]
    con.execute("begin transaction")
    with pytest.raises(duckdb.Error), memory_limit(con, "300MB"):
        assert con.execute(setting).fetchone()[0] == "286.1 MiB"  # the limit holds for `con`
        con.execute("select * from no_such_table")  # aborts the caller's transaction
    con.execute("rollback")
    assert con.execute(setting).fetchone()[0] == before
    con.close()
