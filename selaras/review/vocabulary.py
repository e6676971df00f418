"""Understand what a planner typed in the "Keputusan" column, in Indonesian or English.

parse_decision("Pilih kandidat no. 2")          -> Parsed("choose", rank=2)
parse_decision("tdk terakomodir: dana habis")   -> Parsed("tidak_terakomodir", reason="dana habis")
parse_decision("mungkin")                       -> None (reported as not understood)

The words are in decisions.yaml next to this module. May import: yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

DECISIONS = ("accept", "reject", "tidak_terakomodir")
_SEPARATORS = " :;,-–—/(["


@dataclass(frozen=True)
class Parsed:
    decision: str  # accept / reject / choose / tidak_terakomodir
    rank: int | None = None  # candidate number for choose
    reason: str | None = None  # text after the decision word, if any


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, Any]:
    text = resources.files("selaras.review").joinpath("decisions.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _normalise(text: str) -> tuple[str, str, list[int]]:
    """(original with spaces collapsed, lowercased with abbreviations expanded, and for
    each position of the latter the position in the former), so a reason keeps the
    planner's capitals."""
    original = re.sub(r"\s+", " ", text.strip()).rstrip(" .!?")
    abbreviations = _vocabulary()["abbreviations"]
    norm: list[str] = []
    offsets: list[int] = []
    pos = 0
    for i, word in enumerate(original.split(" ")):
        if i:
            norm.append(" ")
            offsets.append(pos - 1)
        lowered = word.lower()
        expanded = abbreviations.get(lowered, lowered)
        norm.append(expanded)
        offsets.extend([pos] * len(expanded) if expanded != lowered else range(pos, pos + len(word)))
        pos += len(word) + 1
    offsets.append(len(original))
    return original, "".join(norm), offsets


@lru_cache(maxsize=1)
def _phrases() -> list[tuple[str, str]]:
    vocab = _vocabulary()
    pairs = [(str(p).lower(), d) for d in DECISIONS for p in vocab[d]]
    return sorted(pairs, key=lambda p: len(p[0]), reverse=True)


@lru_cache(maxsize=1)
def _choose_pattern() -> re.Pattern[str]:
    vocab = _vocabulary()

    def alternatives(words: list[Any]) -> str:
        return "|".join(
            re.escape(str(w).lower()) for w in sorted(words, key=lambda w: len(str(w)), reverse=True)
        )

    verbs = alternatives(vocab["choose_words"])
    numbers = alternatives(vocab["number_words"])
    return re.compile(
        rf"^(?:(?:{verbs})\s*)*(?:(?:{numbers})\s*[.\-]?\s*)?(\d{{1,2}})\b\s*[:;,\-–—/(\[]?\s*(.*?)[)\]]?$"
    )


def _reason(rest: str) -> str | None:
    rest = rest.strip().lstrip(_SEPARATORS).strip().rstrip(")]").strip()
    return rest or None


def parse_decision(value: Any) -> Parsed | None:
    """The decision in a cell, or None when it is not understood. Numbers typed into the
    cell (calamine gives 2.0) mean "choose candidate 2"."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Parsed("choose", rank=int(value)) if float(value).is_integer() and value > 0 else None
    original, text, offsets = _normalise(str(value))
    if not text:
        return None
    match = _choose_pattern().match(text)
    if match:
        return Parsed("choose", rank=int(match.group(1)), reason=_reason(original[offsets[match.start(2)] :]))
    for phrase, decision in _phrases():
        if text == phrase:
            return Parsed(decision)
        if text.startswith(phrase) and text[len(phrase)] in _SEPARATORS:
            return Parsed(decision, reason=_reason(original[offsets[len(phrase)] :]))
    return None


def is_choose_without_number(value: Any) -> bool:
    """ "pilih" / "choose" with no candidate number: a distinct, more helpful message."""
    text = _normalise(str(value or ""))[1]
    return any(text == str(w).lower() for w in _vocabulary()["choose_words"])
