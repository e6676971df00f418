"""The small helpers the checks rely on."""

from __future__ import annotations

from selaras.kamus import code_key, code_level
from selaras.validate.text import (
    normalise_name,
    render_for,
    strip_leading_code,
    support_form,
)


def test_normalise_name_ignores_case_whitespace_and_punctuation():
    assert (
        normalise_name("Penyusunan  Dokumen\nPerencanaan  RKA-SKPD.")
        == "penyusunan dokumen perencanaan rka skpd"
    )
    assert normalise_name("Koordinasi dan Penyusunan DPA- SKPD") == normalise_name(
        "KOORDINASI DAN PENYUSUNAN DPA-SKPD"
    )
    assert normalise_name("1.03.07.2.01.0018 Optimalisasi IPLT") == "optimalisasi iplt"
    assert normalise_name(None) == ""


def test_codes():
    assert code_key(" x.xx.01.2.01.0001. ") == "X.XX.01.2.01.0001"
    assert support_form("1.03.01.2.01.0001") == "X.XX.01.2.01.0001"
    assert support_form("1.03.02.2.01.0001") is None
    assert render_for("X.XX.01.2.01.0005", "2.13.01.2.01.0099") == "2.13.01.2.01.0005"
    assert render_for("1.03.10.2.01.0053", "1.03.10.2.01.0032") == "1.03.10.2.01.0053"
    assert [
        code_level(c) for c in ("1", "1.01", "1.01.02", "1.01.02.1.01", "1.01.02.1.01.0001", "1.2.3.4")
    ] == ["urusan", "bidang", "program", "kegiatan", "sub_kegiatan", "lokal"]
    assert strip_leading_code("Pembangunan Jalan") == (None, "Pembangunan Jalan")
