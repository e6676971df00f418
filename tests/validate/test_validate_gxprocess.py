"""Great Expectations in its own process: the same results as in this process, and a
validation that survives the process dying."""

from __future__ import annotations

from conftest import RENJA_MAP, add_file, add_nomenklatur, renja_row

from selaras.validate import gx, gxprocess, validate_all

RESULTS = (
    "select file_id, rule, severity, row_ref, field from quality.check_result where run_id = ? order by all"
)


def _files(con) -> None:
    add_nomenklatur(con)
    rows = [
        renja_row("1.03.10.2.01.0053", "Pembangunan Jalan"),
        renja_row("1.03.10.2.01.0053", "Pembangunan Jalan"),  # a repeated row
        renja_row(None, None),
        renja_row("9.99.99.9.99.9999", "Kode tidak dikenal"),
    ]
    add_file(con, "renja", "renja/a.xlsx", rows, column_map=RENJA_MAP)


def _forget_results(con) -> None:
    for table in ("quality.check_result", "quality.validation_run", "quality.validation_batch"):
        con.execute(f"delete from {table}")  # noqa: S608 - constant names


def _where_ge_ran(monkeypatch) -> list[str]:
    where: list[str] = []
    for cls, name in ((gx.GxRunner, "here"), (gxprocess.RemoteRunner, "process")):
        original = cls.check
        monkeypatch.setattr(
            cls, "check", lambda *a, _o=original, _n=name, **k: where.append(_n) or _o(*a, **k)
        )
    return where


def test_the_process_gives_the_results_of_this_process_and_a_dead_one_is_replaced(con, settings, monkeypatch):
    _files(con)
    where = _where_ge_ran(monkeypatch)
    gxprocess.prestart()
    in_process = validate_all(con, settings, "20260101T000000-aaaaaa")
    assert where and set(where) == {"process"}
    remote = con.execute(RESULTS, ["20260101T000000-aaaaaa"]).fetchall()
    assert any(r[1] == "duplicate_row" for r in remote) and any(r[2] == "error" for r in remote)

    # The GE process dies between two runs: the next one starts another.
    gxprocess._process.process.kill()
    gxprocess._process.process.join(5)
    _forget_results(con)  # so the file is validated again
    where.clear()
    second = validate_all(con, settings, "20260102T000000-bbbbbb")
    assert gxprocess._process is not None and gxprocess._process.alive
    assert set(where) == {"process"}
    assert con.execute(RESULTS, ["20260102T000000-bbbbbb"]).fetchall() == remote
    assert second.figures["rows_quarantined"] == in_process.figures["rows_quarantined"] > 0


def test_without_the_process_ge_runs_here_with_the_same_results(con, settings, monkeypatch):
    _files(con)
    first = validate_all(con, settings, "20260101T000000-aaaaaa")
    expected = con.execute(RESULTS, ["20260101T000000-aaaaaa"]).fetchall()

    # A process that dies in the middle of a session: the session goes on in this process.
    _forget_results(con)
    where = _where_ge_ran(monkeypatch)
    original = gxprocess.GxProcess.submit

    def dies(self, method, *args):
        if method == "check":
            self.process.kill()
            self.process.join(5)
        return original(self, method, *args)

    monkeypatch.setattr(gxprocess.GxProcess, "submit", dies)
    second = validate_all(con, settings, "20260101T000000-aaaaaa")
    assert "here" in where
    assert con.execute(RESULTS, ["20260101T000000-aaaaaa"]).fetchall() == expected
    assert second.figures["rows_quarantined"] == first.figures["rows_quarantined"] > 0


def test_a_released_process_ends_by_itself_and_the_next_run_starts_another(con, settings):
    _files(con)
    gxprocess.prestart()
    validate_all(con, settings, "20260103T000000-cccccc")
    released = gxprocess._process
    gxprocess.release()  # what a one-shot run does after validate
    assert gxprocess._process is None
    released.process.join(30)  # it reads EOF and exits: nothing waits for it at exit
    assert not released.alive and released.process.exitcode == 0
    _forget_results(con)
    validate_all(con, settings, "20260104T000000-dddddd")  # starts a new one
    assert gxprocess._process is not None and gxprocess._process is not released
