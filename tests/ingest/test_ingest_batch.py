"""Small files are written together (selaras.ingest.batch): the warehouse holds exactly what
writing each file alone gives, and a batch whose write fails falls back to one file at a
time, so only the file at fault fails."""

from __future__ import annotations

import pytest

from selaras import warehouse
from selaras.ingest import ingest_found, load
from selaras.ingest.discover import discover
from selaras.settings import Settings

HEADER = "ID USULAN,USULAN,PERMASALAHAN,KECAMATAN,KELURAHAN,OPD TUJUAN,VOLUME,SATUAN\n"
TABLES = ("raw.ingest_file", "raw.sheet", "raw.skipped_row", "staged.usulan")
VOLATILE = {"ingested_at", "run_id"}


def write_tiny_files(settings: Settings, n: int) -> None:
    folder = settings.raw_dir / "musrenbang"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        lines = [f"USULAN KELURAHAN {i}\n", HEADER]  # a title row: skipped rows are batched too
        for j in range(1 + i % 3):
            lines.append(
                f"{1000 + 10 * i + j},Perbaikan jalan lingkungan RT {j + 1},Jalan rusak,Kec {i % 4},"
                f"Kel {i},Dinas Pekerjaan Umum,{j + 1},Paket\n"
            )
        if i % 5 == 0:
            lines.append(
                f"{1000 + 10 * i + 9},Bantuan bibit,Petani kurang bibit,Kec 1,Kel {i},Dinas Pertanian,x,Paket\n"
            )
        (folder / f"usulan_kel_{i:03d}.csv").write_text("".join(lines), encoding="utf-8")


def table_rows(con, table: str) -> list[tuple]:
    names = con.execute(f"select column_name from (describe {table})").fetchall()  # noqa: S608
    cols = [c for (c,) in names if c not in VOLATILE]
    select = ", ".join(f'"{c}"::varchar' for c in cols)
    return sorted(con.execute(f"select {select} from {table}").fetchall(), key=repr)  # noqa: S608


def test_files_written_together_equal_files_written_alone(tmp_path, monkeypatch):
    calls = []
    write_batch = load.write_batch
    monkeypatch.setattr(
        load, "write_batch", lambda con, files: calls.append(len(files)) or write_batch(con, files)
    )
    together = Settings(data_dir=tmp_path / "together")
    alone = Settings(data_dir=tmp_path / "alone")
    contents = {}
    for settings, batched in ((together, True), (alone, False)):
        settings.ensure_dirs()
        write_tiny_files(settings, 40)
        with warehouse.connected(settings) as con:
            if batched:
                from selaras.ingest import ingest_all

                result = ingest_all(con, settings, "run-1")
                assert result.figures["files_loaded"] == 40 and result.figures["files_failed"] == 0
            else:
                outcomes = [ingest_found(con, settings, f, "run-1") for f in discover(settings)]
                assert {o.status for o in outcomes} == {"loaded"}
            contents[batched] = {t: table_rows(con, t) for t in TABLES}
    assert calls == [40]  # one write for the forty files
    for table in TABLES:
        assert contents[True][table] == contents[False][table], table
    assert len(contents[True]["staged.usulan"]) == sum(1 + i % 3 + (i % 5 == 0) for i in range(40))
    assert len(contents[True]["raw.skipped_row"]) >= 40  # each file's title row


def test_a_failed_batch_write_fails_only_the_file_at_fault(raw, ingest, query, settings, monkeypatch):
    write_tiny_files(settings, 6)

    def refuse_batch(con, files):
        raise RuntimeError("batch refused")

    write_pending = load.write_pending

    def refuse_one(con, pending):
        if pending.record["source_file"].endswith("usulan_kel_003.csv"):
            raise RuntimeError("disk full")
        return write_pending(con, pending)

    monkeypatch.setattr(load, "write_batch", refuse_batch)
    monkeypatch.setattr(load, "write_pending", refuse_one)
    result = ingest()
    assert result.figures["files_loaded"] == 5 and result.figures["files_failed"] == 1
    failed = query("select source_file, reason from raw.ingest_file where status = 'failed'")
    assert len(failed) == 1 and failed[0][0] == "musrenbang/usulan_kel_003.csv"
    assert "disk full" in failed[0][1]
    assert any("usulan_kel_003.csv" in p for p in result.problems)
    # nothing of the failed file is staged; the others are whole
    assert query("select count(*) from staged.usulan where source_file like '%usulan_kel_003%'") == [(0,)]
    assert query("select count(distinct source_file) from staged.usulan") == [(5,)]
    # the next run, with the fault gone, loads it
    monkeypatch.undo()
    again = ingest()
    assert again.figures["files_loaded"] == 1 and again.figures["files_unchanged"] == 5


def test_same_bytes_twice_in_one_run_are_loaded_once(raw, ingest, query, settings):
    write_tiny_files(settings, 3)
    folder = settings.raw_dir / "musrenbang"
    (folder / "salinan.csv").write_bytes((folder / "usulan_kel_001.csv").read_bytes())
    result = ingest()
    assert result.figures["files_loaded"] == 3 and result.figures["files_duplicate"] == 1
    assert query("select count(*) from raw.ingest_file") == [(3,)]


@pytest.mark.parametrize("limit", ["files", "rows"])
def test_a_full_batch_is_written_before_the_next_file(raw, ingest, query, settings, monkeypatch, limit):
    from selaras.ingest import batch

    monkeypatch.setattr(batch, "MAX_FILES" if limit == "files" else "MAX_ROWS", 4)
    calls = []
    write_batch = load.write_batch
    monkeypatch.setattr(
        load, "write_batch", lambda con, files: calls.append(len(files)) or write_batch(con, files)
    )
    write_tiny_files(settings, 10)
    result = ingest()
    assert result.figures["files_loaded"] == 10
    assert len(calls) >= 3 and sum(calls) == 10 and max(calls) <= 4
    assert query("select count(*) from raw.ingest_file where status = 'loaded'") == [(10,)]


def test_a_file_that_failed_for_a_passing_reason_loads_when_read_again(
    raw, ingest, query, settings, monkeypatch
):
    """Written alone (a large file): the same bytes that failed once (disk full) load on the
    next run instead of clashing with their failed record."""
    from selaras.ingest import batch

    monkeypatch.setattr(batch, "SMALL_FILE_BYTES", 0)
    write_tiny_files(settings, 2)
    insert_file = load.insert_file

    def disk_full(con, record):
        if record["source_file"].endswith("usulan_kel_001.csv") and record["status"] == "loaded":
            raise RuntimeError("disk full")
        insert_file(con, record)

    monkeypatch.setattr(load, "insert_file", disk_full)
    first = ingest()
    assert first.figures["files_loaded"] == 1 and first.figures["files_failed"] == 1
    monkeypatch.setattr(load, "insert_file", insert_file)
    second = ingest()
    assert second.figures["files_loaded"] == 1 and second.figures["files_failed"] == 0
    assert query("select status, count(*) from raw.ingest_file group by all") == [("loaded", 2)]


def test_a_held_new_version_is_written_before_its_old_bytes_are_looked_up(raw, ingest, query, settings):
    """a.csv is changed and its old content kept as a_old.csv: while the new a.csv waits in
    the batch, a_old.csv must not be taken for a duplicate of the a.csv record it replaces."""
    folder = settings.raw_dir / "musrenbang"
    folder.mkdir(parents=True, exist_ok=True)
    row = "1001,Perbaikan jalan {},Jalan rusak,Kec 1,Kel 1,Dinas PU,1,Paket\n"
    (folder / "a.csv").write_text(HEADER + row.format("X"), encoding="utf-8")
    ingest()
    (folder / "a_old.csv").write_text(HEADER + row.format("X"), encoding="utf-8")
    (folder / "a.csv").write_text(HEADER + row.format("Y"), encoding="utf-8")
    result = ingest()
    statuses = {f["source_file"]: f["status"] for f in result.figures["files"]}
    assert statuses == {"musrenbang/a.csv": "loaded", "musrenbang/a_old.csv": "loaded"}
    assert result.figures["files_superseded"] == 1
    current = "select u.source_file from staged.usulan u join raw.ingest_file f using (file_id) where f.status = 'loaded'"
    assert sorted(query(current)) == [("musrenbang/a.csv",), ("musrenbang/a_old.csv",)]


def test_a_copy_failing_in_the_wrong_folder_keeps_its_failure(raw, ingest, query, settings):
    """The same bytes in musrenbang/ (refused: not a proposal list) and opd/ (loaded): the
    load of the opd copy neither clashes with nor erases the musrenbang copy's failure."""
    body = "KODE,NAMA OPD\n1.06,Dinas Sosial\n1.07,Dinas Pendidikan\n"
    for kind in ("musrenbang", "opd"):
        raw(kind, "f.csv").write_text(body, encoding="utf-8")
    result = ingest()
    statuses = {f["source_file"]: f["status"] for f in result.figures["files"]}
    assert statuses == {"musrenbang/f.csv": "failed", "opd/f.csv": "loaded"}
    rows = query("select source_file, status, reason is not null from raw.ingest_file order by all")
    assert rows == [("musrenbang/f.csv", "failed", True), ("opd/f.csv", "loaded", False)]
    assert query("select count(*) from staged.opd") == [(2,)]


def test_a_file_gone_before_it_is_read_fails_alone(raw, ingest, query, settings, monkeypatch):
    from selaras.ingest import process

    write_tiny_files(settings, 3)
    file_digest = process.file_digest

    def vanished(path):
        if path.name == "usulan_kel_002.csv":
            raise FileNotFoundError(path)
        return file_digest(path)

    monkeypatch.setattr(process, "file_digest", vanished)
    result = ingest()
    assert result.figures["files_loaded"] == 2 and result.figures["files_failed"] == 1
    assert query("select status, count(*) from raw.ingest_file group by all order by all") == [
        ("failed", 1),
        ("loaded", 2),
    ]
