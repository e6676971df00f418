"""Run-to-run changes: each reconciliation snapshots what the reports show;
analytics.run_changes compares the newest snapshot with the previous successful run."""

from __future__ import annotations

from selaras import runs
from selaras.reconcile import reconcile_all
from selaras.sample.synthetic import fill_synthetic


def reconcile_run(con, settings, status: str = "success") -> str:
    run_id = runs.start_run(con, None, "test")
    reconcile_all(con, settings, run_id)
    runs.finish_run(con, run_id, status)
    return run_id


def changes(con) -> dict[tuple[str, str], tuple]:
    return {
        (e, ref): (change, before, after, prev)
        for e, ref, change, before, after, prev in con.execute(
            "select entity, ref, change, status_before, status_after, previous_run_id from analytics.run_changes"
        ).fetchall()
    }


def test_run_changes_new_removed_changed_and_status(con, settings):
    fill_synthetic(con, n_opd=2, n_usulan=30, renja_per_opd=6)
    reconcile_run(con, settings)
    assert changes(con) == {}  # nothing to compare the first run with
    second = reconcile_run(con, settings)
    assert changes(con) == {}  # nothing changed

    usulan = [r[0] for r in con.execute("select row_ref from staged.usulan order by row_ref").fetchall()]
    renja = con.execute("select row_ref from staged.renja order by row_ref limit 1").fetchone()[0]
    # A new proposal row, one removed, a Renja row edited, and a proposal whose status the
    # matcher now sees differently.
    con.execute(
        "insert into staged.usulan (row_ref, file_id, source_file, sheet, source_row, channel, usulan) "
        "select 'pokir/pokir_dprd.xlsx:Usulan:999', file_id, 'pokir/pokir_dprd.xlsx', 'Usulan', 999, "
        "'pokir', 'Pembangunan talud baru' from staged.usulan limit 1"
    )
    con.execute("delete from staged.usulan where row_ref = ?", [usulan[0]])
    con.execute("update staged.renja set nama = nama || ' (revisi)' where row_ref = ?", [renja])
    old_status = con.execute(
        "select status from match.usulan_accommodation where usulan_ref = ?", [usulan[1]]
    ).fetchone()[0]
    new_status = "tidak_terakomodir" if old_status != "tidak_terakomodir" else "terakomodir"
    con.execute(
        "update match.usulan_accommodation set status = ? where usulan_ref = ?", [new_status, usulan[1]]
    )
    reconcile_run(con, settings, status="failed")
    reconcile_run(con, settings)

    got = changes(con)
    # The failed run is not a baseline: the comparison is with the last successful one.
    prev = second
    assert {v[3] for v in got.values()} == {prev}
    assert got[("usulan", "pokir/pokir_dprd.xlsx:Usulan:999")][0] == "new"
    assert got[("usulan", usulan[0])][0] == "removed"
    assert got[("renja", renja)][0] == "changed"
    assert got[("usulan", usulan[1])] == ("status_changed", old_status, new_status, prev)
    assert len(got) == 4
    labels = dict(con.execute("select ref, keterangan from analytics.run_changes").fetchall())
    assert labels[usulan[1]] == "Status berubah"


def test_opd_spellings_resolve_to_one_agency(con, settings):
    fill_synthetic(con, n_opd=3, n_usulan=30, renja_per_opd=6)
    con.execute(
        "update staged.renja set opd = 'Dinas Kesehatan Provinsi Banten' where row_ref = "
        "(select min(row_ref) from staged.renja where opd = 'Dinas Kesehatan')"
    )
    con.execute(
        "update staged.usulan set opd_tujuan = 'DINKES' where row_ref = (select min(row_ref) from staged.usulan)"
    )
    con.execute("update staged.opd set singkatan = 'DINKES' where nama = 'Dinas Kesehatan'")
    reconcile_run(con, settings)
    names = dict(con.execute("select opd_raw, opd from analytics.opd_map").fetchall())
    assert (
        names["Dinas Kesehatan Provinsi Banten"]
        == names["DINKES"]
        == names["DINAS KESEHATAN."]
        == "Dinas Kesehatan"
    )
    forum = {
        r[0]
        for r in con.execute(
            "select opd_forum from analytics.forum_renja union select opd_forum from analytics.forum_usulan"
        ).fetchall()
    }
    assert forum == {
        "Dinas Pendidikan dan Kebudayaan",
        "Dinas Kesehatan",
        "Dinas Pekerjaan Umum dan Penataan Ruang",
    }
