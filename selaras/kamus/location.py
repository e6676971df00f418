"""Kecamatan and desa/kelurahan named in a free-text location."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

from selaras.kamus.text import cell_text, clean_text


class Location(NamedTuple):
    kecamatan: str | None
    desa: str | None
    detail: str | None


_KEC = r"kecamatan|kec"
_DESA = r"desa\s*/\s*kelurahan|kelurahan\s*/\s*desa|desa\s*/\s*kel|kel\s*/\s*desa|kelurahan|desa|kel|ds|dsa"
_STOP = r"kecamatan|kec|desa|kelurahan|kel|ds|kab|kabupaten|kota|provinsi|prov|rt|rw|kp|dusun|jl|jalan"
_MARKER = re.compile(
    rf"(?<![\w])(?P<kind>{_KEC}|{_DESA})\b\.?\s*:?\s*(?P<name>.*?)"
    rf"(?=\s*(?:[,;]|\.(?:\s|$)|$|\s(?:{_STOP})\b\.?\s))",
    re.I,
)
_ALL = re.compile(r"^(semua|seluruh|all)\b", re.I)


def parse_location(value: Any) -> Location:
    """Kecamatan and desa/kelurahan named in a free-text location, and the rest:
    `Kecamatan: CICURUG, Desa/Kelurahan: TENJOLAYA. pajajaran;` -> (CICURUG, TENJOLAYA,
    pajajaran); `Kp. Cipetir RT 02 RW 12, Ds. X, Kec. Y` -> (Y, X, Kp. Cipetir RT 02 RW 12).
    `Semua Kecamatan` names no kecamatan. Names are returned as written."""
    return _parse_location_text(value if isinstance(value, str) else cell_text(value) or "")


@lru_cache(maxsize=1 << 16)
def _parse_location_text(value: str) -> Location:
    text = clean_text(value)
    if text is None:
        return Location(None, None, None)
    kecamatan = desa = None
    spans: list[tuple[int, int]] = []
    for m in _MARKER.finditer(text):
        name = m.group("name").strip(" .:;,")
        is_kec = re.fullmatch(_KEC, m.group("kind"), re.I) is not None
        if not name:  # "Desa/Kelurahan: ." or "Semua Kecamatan": names no place
            before = re.search(r"(?:semua|seluruh)\s*$", text[: m.start()], re.I)
            spans.append((before.start() if before else m.start(), m.end()))
            continue
        if _ALL.match(name) or re.match(rf"^({_STOP})\b", name, re.I):
            continue
        if is_kec and kecamatan is None:
            kecamatan = name
        elif not is_kec and desa is None:
            desa = name
        else:
            continue
        spans.append((m.start(), m.end()))
    rest = text
    for start, end in sorted(spans, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    detail = re.sub(r"\s*([,;.])\s*(?=[,;.]|$)", "", rest)
    detail = re.sub(r"\s+", " ", detail).strip(" ,;.:")
    return Location(kecamatan, desa, detail or None)
