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
