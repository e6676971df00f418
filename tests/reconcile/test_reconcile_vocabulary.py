"""What planners type in the Keputusan column, in Indonesian and English."""

import pytest

from selaras.review import layout
from selaras.review.vocabulary import Parsed, parse_decision


@pytest.mark.parametrize(
    "text, expected",
    [
        ("terima", Parsed("accept")),
        ("Diterima.", Parsed("accept")),
        ("OK", Parsed("accept")),
        ("Accept", Parsed("accept")),
        ("approved", Parsed("accept")),
        ("TOLAK", Parsed("reject")),
        ("ditolak: lokasi berbeda", Parsed("reject", reason="lokasi berbeda")),
        ("Reject - wrong village", Parsed("reject", reason="wrong village")),
        ("tidak", Parsed("reject")),
        ("Tidak Terakomodir", Parsed("tidak_terakomodir")),
        ("tdk terakomodir - Anggaran Habis", Parsed("tidak_terakomodir", reason="Anggaran Habis")),
        (
            "tidak diakomodir karena bukan kewenangan",
            Parsed("tidak_terakomodir", reason="karena bukan kewenangan"),
        ),
        ("not accommodated: no budget", Parsed("tidak_terakomodir", reason="no budget")),
        ("pilih 2", Parsed("choose", rank=2)),
        ("Pilih kandidat no. 3", Parsed("choose", rank=3)),
        ("pilih ke-2", Parsed("choose", rank=2)),
        ("kandidat #4", Parsed("choose", rank=4)),
        ("choose 1", Parsed("choose", rank=1)),
        ("Candidate 2 (same village)", Parsed("choose", rank=2, reason="same village")),
        ("2", Parsed("choose", rank=2)),
        (2.0, Parsed("choose", rank=2)),
    ],
)
def test_decisions_are_understood(text, expected):
    assert parse_decision(text) == expected


@pytest.mark.parametrize("text", ["mungkin", "pilih", "terimakasih banyak", "??", "", None, 0, -1, 2.5])
def test_unclear_decisions_are_not_guessed(text):
    assert parse_decision(text) is None


def test_checksum_names_the_edited_column():
    cols = layout.columns(3)
    values = {c.key: f"nilai {c.key}" for c in layout.checked(cols)} | {"skor": 72}
    stored = layout.checksum([values[c.key] for c in layout.checked(cols)])
    # Read back as a spreadsheet program gives it: numbers as float, CRLF line ends.
    read_back = dict(values, skor=72.0, subjek=values["subjek"] + "\r\n")
    assert layout.edited_columns(cols, read_back, stored) == []
    edited = dict(read_back, opd="OPD lain", id='{"task":"renja_rkpd","ref":"renja/x.xlsx:Renja:99"}')
    assert [c.header for c in layout.edited_columns(cols, edited, stored)] == ["OPD", "_id"]
    assert layout.edited_columns(cols, read_back, "rusak") is None


def test_identity_round_trips_and_rejects_garbage():
    identity = layout.Identity(
        "usulan_renja",
        "musrenbang/a.xlsx:Usulan:5",
        "ab12",
        None,
        "matcher",
        ("renja/x.xlsx:Renja:9", "renja/x.xlsx:Renja:10"),
    )
    assert layout.Identity.loads(identity.dumps()) == identity
    assert layout.Identity.loads("diubah") is None
    assert layout.Identity.loads('{"task": "renja_rkpd"}') is None
