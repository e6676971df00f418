"""Procurement and administrative wording: "Belanja Modal ...", "BM", "Paket 3", "Tahap II",
"Lanjutan", years, the region's name, funding markers. They say how a thing is bought, not
what it is, so they are stripped before names are compared; the funding source (DAK, DAU,
APBD, BK ...) is kept as its own field. The wording is data (wording.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Wording:
    funding: tuple[tuple[re.Pattern, str], ...]
    strip: re.Pattern
    leading: re.Pattern

    def split(self, text: str) -> tuple[str, str | None]:
        """(the text without procurement wording, the funding source it names or None).
        Lower-cases; a text that is nothing but such wording is returned unchanged.

        >>> wording().split("Belanja Modal Pembangunan Jembatan Paket 3 (DAK) TA 2024")
        ('pembangunan jembatan', 'DAK')
        """
        s = text.lower()
        dana = None
        for pat, source in self.funding:
            if pat.search(s):
                dana = dana or source
                s = pat.sub(" ", s)
        s = self.strip.sub(" ", s)
        s = re.sub(r"[()\[\]]", " ", s)
        prev = None
        while prev != s:
            prev = s
            s = self.leading.sub("", s.strip(" -,.:;"))
        s = re.sub(r"\s+", " ", s).strip(" -,.:;")
        return (s if s else text.lower().strip()), dana


def _word(pattern: str) -> str:
    return rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])"


def _funding_pattern(marker: str) -> str:
    """A funding marker as a pattern; one of two letters ("bk": also "guru BK") counts only
    in parentheses or at the end of the text."""
    body = re.escape(marker).replace(r"\ ", r"\s+")
    if len(marker) <= 2:
        return rf"\(\s*{body}\s*\)|(?<![a-z0-9]){body}\s*$"
    return _word(body)


@lru_cache(maxsize=1)
def wording() -> Wording:
    raw = yaml.safe_load(resources.files("selaras.match").joinpath("wording.yaml").read_text("utf-8"))
    funding = tuple(
        (re.compile(_funding_pattern(k)), v)
        for k, v in sorted(raw["funding"].items(), key=lambda kv: -len(kv[0]))
    )
    strip = re.compile("|".join(_word(p) for p in raw["strip"]))
    leading = re.compile(r"^(?:" + "|".join(raw["leading"]) + r")(?![a-z0-9])\s*")
    return Wording(funding, strip, leading)


def strip_procurement(text: object) -> tuple[str, str | None]:
    """`wording().split` for any cell value ("" and None for an empty one)."""
    if not isinstance(text, str) or not text.strip():
        return "", None
    return _split(text)


@lru_cache(maxsize=65_536)
def _split(text: str) -> tuple[str, str | None]:
    # a region's names repeat (the same kegiatan on many rows, a proposal and its copy)
    return wording().split(text)
