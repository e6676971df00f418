"""One OPD identity per region in the reports (issue 11, case 6): spelling variants are one
Forum workbook; unknown OPD TUJUAN texts, junk included, go to one "OPD tidak dikenal"
group with a warning that lists them; the planners' alias file moves a spelling to the
OPD it means; analytics.opd_resolution records the evidence of every resolution."""

from __future__ import annotations

from test_reconcile_history import reconcile_run

from selaras import runs
from selaras.kamus.opd import ALIAS_FILE
from selaras.reconcile import reconcile_all
from selaras.sample.synthetic import fill_synthetic

JUNK = ["xxx", "Lihat lampiran", "Dinas Perikanan dan Kelautan Kab. Lain"]


def _spoil(con) -> list[str]:
    refs = [
        r for (r,) in con.execute("select row_ref from staged.usulan order by row_ref limit 5").fetchall()
    ]
    for ref, name in zip(refs, [*JUNK, "DINAS_KESEHATAN", "dinaskesehatan"], strict=True):
        con.execute("update staged.usulan set opd_tujuan = ? where row_ref = ?", [name, ref])
    # the junk rows are not accommodated: nothing else says which OPD they belong to
    con.execute(
        "update match.usulan_accommodation set renja_ref = null where usulan_ref in (select unnest(?))",
        [refs[:3]],
    )
    return refs


def test_unknown_opd_tujuan_go_to_one_group_with_a_warning(con, settings):
    fill_synthetic(con, n_opd=3, n_usulan=30, renja_per_opd=6)
    refs = _spoil(con)
    run_id = runs.start_run(con, None, "test")
    result = reconcile_all(con, settings, run_id)
    runs.finish_run(con, run_id, "success")
    forum = dict(
        con.execute(
            "select row_ref, opd_forum from analytics.forum_usulan where row_ref in (select unnest(?))",
            [refs],
        ).fetchall()
    )
    assert {forum[r] for r in refs[:3]} == {"OPD tidak dikenal"}
    assert forum[refs[3]] == forum[refs[4]] == "Dinas Kesehatan"
    warning = next(p for p in result.problems if "tidak dikenal" in p)
    assert all(f"'{j}'" in warning for j in JUNK) and "opd_alias.csv" in warning
    assert not result.failed  # a warning, not a failure
    evidence = dict(con.execute("select opd_raw, evidence from analytics.opd_resolution").fetchall())
    assert evidence["xxx"] == "tidak dikenal"
    assert evidence["DINAS_KESEHATAN"] == "nama sama"  # underscores are spaces
    assert evidence["dinaskesehatan"] == "nama sama tanpa spasi / garis bawah"
    all_groups = {
        r for (r,) in con.execute("select distinct opd_forum from analytics.forum_usulan").fetchall()
    }
    assert all_groups <= {
        "Dinas Pendidikan dan Kebudayaan",
        "Dinas Kesehatan",
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        "OPD tidak dikenal",
    }


def test_kecamatan_spellings_are_one_kecamatan(con, settings):
    fill_synthetic(con, n_opd=3, n_usulan=30, renja_per_opd=6)
    refs = [
        r for (r,) in con.execute("select row_ref from staged.usulan order by row_ref limit 4").fetchall()
    ]
    for ref, kec in zip(
        refs, ["Kec. Cipocok Jaya", "CIPOCOK_JAYA", "CIPOCOKJAYA", "kecamatan cipocok  jaya"], strict=True
    ):
        con.execute("update staged.usulan set kecamatan = ? where row_ref = ?", [kec, ref])
    reconcile_run(con, settings)
    got = {
        r
        for (r,) in con.execute(
            "select kecamatan_forum from analytics.forum_usulan where row_ref in (select unnest(?))", [refs]
        ).fetchall()
    }
    assert got == {"CIPOCOK JAYA"}
    evidence = dict(
        con.execute("select kecamatan_raw, evidence from analytics.kecamatan_resolution").fetchall()
    )
    assert evidence["CIPOCOKJAYA"].startswith("ejaan lain dari")


def test_the_alias_file_moves_a_spelling_to_its_opd(con, settings):
    fill_synthetic(con, n_opd=3, n_usulan=30, renja_per_opd=6)
    refs = _spoil(con)
    path = settings.raw_dir / ALIAS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("alias,opd\nLihat lampiran,Dinas Kesehatan\n", encoding="utf-8")
    reconcile_run(con, settings)
    forum = dict(
        con.execute(
            "select row_ref, opd_forum from analytics.forum_usulan where row_ref in (select unnest(?))",
            [refs],
        ).fetchall()
    )
    assert forum[refs[1]] == "Dinas Kesehatan"
    assert forum[refs[0]] == "OPD tidak dikenal"
    (evidence,) = con.execute(
        "select evidence from analytics.opd_resolution where opd_raw = 'Lihat lampiran'"
    ).fetchone()
    assert evidence.startswith("alias (")
