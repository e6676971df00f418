"""Archive folders and set-aside names are listed, not loaded (issue 11, item 9); other
sub-folders load with their path in the file's name."""

from __future__ import annotations

RENJA = "Kode;Uraian;Pagu\n1.02.02.2.01.0001;Pengelolaan Pelayanan Kesehatan Ibu Hamil;1000000\n"


def test_archive_folders_and_set_aside_names_are_listed_not_loaded(raw, ingest, query):
    raw("renja", "renja_dinkes_2024.csv").write_text(RENJA, encoding="utf-8")
    raw("renja", "2024/revisi/renja_dinsos.csv").write_text(
        RENJA.replace("1000000", "2000000"), encoding="utf-8"
    )
    for name in (
        "arsip/renja_dinkes_2019.csv",
        "Lama/renja_2018.csv",
        "old/x/renja_2017.csv",
        "BACKUP/renja.csv",
        "_renja_coba.csv",
        "~$renja_dinkes_2024.xlsx",
    ):
        raw("renja", name).write_text(RENJA, encoding="utf-8")
    result = ingest()
    assert not result.failed, result.problems
    assert sorted(query("select source_file from raw.ingest_file")) == [
        ("renja/2024/revisi/renja_dinsos.csv",),
        ("renja/renja_dinkes_2024.csv",),
    ]
    assert result.figures["files_set_aside"] == 6
    (listing,) = [p for p in result.problems if "disisihkan" in p]
    for name in (
        "renja/arsip/renja_dinkes_2019.csv",
        "renja/Lama/renja_2018.csv",
        "renja/old/x/renja_2017.csv",
    ):
        assert name in listing
    assert "renja/_renja_coba.csv" in listing and "renja/~$renja_dinkes_2024.xlsx" in listing


def test_a_file_moved_into_arsip_is_no_longer_current(raw, ingest, query):
    path = raw("renja", "renja_dinkes.csv")
    path.write_text(RENJA, encoding="utf-8")
    ingest()
    target = raw("renja", "arsip/renja_dinkes.csv")
    path.rename(target)
    ingest()
    assert query("select source_file, status from raw.ingest_file") == [("renja/renja_dinkes.csv", "removed")]
