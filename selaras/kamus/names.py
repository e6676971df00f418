"""Normalisation of Indonesian planning text and codes.

What it does: lower case, Unicode and PDF whitespace clean-up, punctuation to spaces,
abbreviation and synonym expansion from `abbreviations.yaml`, and the type of work
(pembangunan, rehabilitasi ...) split off as its own field. What it deliberately does not
do: stemming or stopword removal. A stock Indonesian stemmer turns "pengadaan" into "ada"
and a stock stopword list drops "tidak" ("rumah tidak layak huni"); common words are
handled by IDF weighting in the similarity instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TypeVar

import yaml

from selaras.kamus import parse_number

T = TypeVar("T")
_TOKEN = re.compile(r"[a-z0-9]+")
_APOSTROPHE = re.compile(r"[’'`]")
#: Joiners kept out of a work-type-free object text when they dangle at its ends.
_JOINERS = frozenset({"dan", "atau", "serta", "dengan", "di", "untuk", "pada", "ke", "yang"})


@dataclass
class Lexicon:
    """The reviewed vocabulary, compiled for fast lookup."""

    tokens: dict[str, tuple[str, ...]]
    phrases: dict[tuple[str, ...], tuple[str, ...]]
    related: dict[tuple[str, ...], tuple[str, ...]]
    equivalent: dict[tuple[str, ...], tuple[str, ...]]
    work_words: dict[tuple[str, ...], str]
    work_groups: list[frozenset[str]]
    max_phrase: int = field(init=False)
    max_work: int = field(init=False)
    max_equivalent: int = field(init=False)

    def __post_init__(self) -> None:
        self.max_equivalent = max((len(k) for k in self.equivalent), default=1)
        self.max_phrase = max((len(k) for k in self.phrases), default=1)
        self.max_work = max((len(k) for k in self.work_words), default=1)


def _words(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(str(text).lower()))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    raw = yaml.safe_load(resources.files("selaras.kamus").joinpath("abbreviations.yaml").read_text("utf-8"))
    work_words: dict[tuple[str, ...], str] = {}
    for kind, words in raw["work_types"].items():
        for w in words:
            work_words[_words(w)] = kind
    return Lexicon(
        tokens={k: _words(v) for k, v in raw["tokens"].items()},
        phrases={_words(k): _words(v) for k, v in raw["phrases"].items()},
        related={_words(k): tuple(t for v in vs for t in _words(v)) for k, vs in raw["related"].items()},
        equivalent={
            _words(k): tuple(t for v in vs for t in _words(v)) for k, vs in raw.get("equivalent", {}).items()
        },
        work_words=work_words,
        work_groups=[frozenset(g) for g in raw["work_groups"]],
    )


def clean(text: object) -> str:
    """Lower case, NFKC, apostrophes dropped, every other non-alphanumeric character a
    space, whitespace collapsed. `None`/NaN give ""."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    s = unicodedata.normalize("NFKC", str(text)).lower()
    s = _APOSTROPHE.sub("", s)
    return " ".join(_TOKEN.findall(s))


def _collapse_repeats(toks: list[str], max_n: int = 6) -> list[str]:
    """Drop an n-gram repeated right after itself ("unit sekolah baru unit sekolah baru"
    from "Unit Sekolah Baru (USB)" once USB is expanded)."""
    out: list[str] = []
    for t in toks:
        out.append(t)
        for n in range(min(max_n, len(out) // 2), 0, -1):
            if out[-n:] == out[-2 * n : -n] and not out[-1].isdigit():
                del out[-n:]
                break
    return out


class Normalizer:
    """Turns text into canonical tokens. `extra` adds abbreviations learned from the data
    (e.g. acronyms the nomenclature spells out in parentheses)."""

    def __init__(self, extra: dict[str, tuple[str, ...]] | None = None) -> None:
        self.lex = lexicon()
        self.token_map = dict(self.lex.tokens)
        for k, v in (extra or {}).items():
            self.token_map.setdefault(k, v)
        self.tokens = lru_cache(maxsize=300_000)(self._tokens)

    def _tokens(self, text: object) -> tuple[str, ...]:
        out: list[str] = []
        for t in clean(text).split():
            if t.isdigit():
                out.append(str(int(t)) if len(t) < 12 else t)
            else:
                out.extend(self.token_map.get(t, (t,)))
        out = self._phrases(out)
        return tuple(_collapse_repeats(out))

    def _phrases(self, toks: list[str]) -> list[str]:
        out: list[str] = []
        for span, rep in longest_matches(toks, self.lex.phrases, self.lex.max_phrase):
            out.extend(span if rep is None else rep)
        return out

    def normalize(self, text: object) -> str:
        return " ".join(self.tokens(text))

    def expanded(self, text: object, broader: bool = True) -> tuple[str, ...]:
        """Tokens plus the related nomenclature words of citizens' terms (query expansion);
        with `broader=False` only the words of the same meaning (`equivalent`)."""
        toks = self.tokens(text)
        extra: list[str] = []
        present = set(toks)
        for phrase, rel in (self.lex.related if broader else self.lex.equivalent).items():
            if phrase[0] not in present:
                continue
            n = len(phrase)
            if any(toks[i : i + n] == phrase for i in range(len(toks) - n + 1)):
                extra.extend(t for t in rel if t not in present and t not in extra)
        return toks + tuple(extra)

    def split_work(self, text: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(work types in order of appearance, object tokens without the work words)."""
        return split_work_tokens(self.tokens(text), self.lex)

    def concepts(self, toks: Iterable[str]) -> tuple[str, ...]:
        """Tokens with each citizens' phrase of the `equivalent` map replaced by one concept
        token ("kelompok tani" -> "~kelompok_tani"), so a comparison can count the phrase
        as one unit that the other side covers by its own words or by its nomenclature
        words (`with_concepts`)."""
        toks = list(toks)
        out: list[str] = []
        i = 0
        while i < len(toks):
            for n in range(min(self.lex.max_equivalent, len(toks) - i), 0, -1):
                if tuple(toks[i : i + n]) in self.lex.equivalent:
                    out.append(_concept(toks[i : i + n]))
                    i += n
                    break
            else:
                out.append(toks[i])
                i += 1
        return tuple(out)

    def with_concepts(self, toks: Iterable[str]) -> tuple[str, ...]:
        """Tokens plus the concept token of every citizens' phrase the text covers: it
        names the phrase itself, or every nomenclature word of the same meaning ("Pelatihan
        Petani" covers "kelompok tani")."""
        toks = tuple(toks)
        present = set(toks)
        extra = []
        for phrase, rel in self.lex.equivalent.items():
            if phrase[0] in present and any(toks[i : i + len(phrase)] == phrase for i in range(len(toks))):
                extra.append(_concept(phrase))
            elif rel and present.issuperset(rel):
                extra.append(_concept(phrase))
        return toks + tuple(extra)


def longest_matches(
    toks: Sequence[str],
    table: Mapping[tuple[str, ...], T],
    n_max: int,
) -> Iterator[tuple[tuple[str, ...], T | None]]:
    """Scan tokens left to right, taking at each place the longest run (up to n_max
    tokens) that `table` knows: yields (run, its value), or (one token, None)."""
    i = 0
    while i < len(toks):
        for n in range(min(n_max, len(toks) - i), 0, -1):
            span = tuple(toks[i : i + n])
            value = table.get(span)
            if value is not None:
                yield span, value
                i += n
                break
        else:
            yield (toks[i],), None
            i += 1


def _concept(phrase: Iterable[str]) -> str:
    return "~" + "_".join(phrase)


def split_work_tokens(
    toks: tuple[str, ...], lex: Lexicon | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    lex = lex or lexicon()
    kinds: list[str] = []
    rest: list[str] = []
    for span, kind in longest_matches(toks, lex.work_words, lex.max_work):
        if kind is None:
            rest.extend(span)
        elif kind not in kinds:
            kinds.append(kind)
    while rest and rest[0] in _JOINERS:
        rest.pop(0)
    while rest and rest[-1] in _JOINERS:
        rest.pop()
    return tuple(kinds), tuple(rest)


@lru_cache(maxsize=1)
def default_normalizer() -> Normalizer:
    return Normalizer()


def normalize(text: object) -> str:
    """Canonical form of a planning text: `normalize("Pemb. TPT Kp. Cipetir")` ->
    "pembangunan tembok penahan tanah kampung cipetir"."""
    return default_normalizer().normalize(text)


def tokens(text: object) -> tuple[str, ...]:
    return default_normalizer().tokens(text)


def work_types(text: object) -> tuple[str, ...]:
    """The kinds of work a text names: `work_types("Pembangunan/Rehab Kantor Desa")` ->
    ("pembangunan", "rehabilitasi")."""
    return default_normalizer().split_work(text)[0]


def work_relation(a: Iterable[str], b: Iterable[str]) -> str:
    """Compare two sets of work types: same / related / different / missing."""
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return "missing"
    if sa & sb:
        return "same"
    for g in lexicon().work_groups:
        if sa & g and sb & g:
            return "related"
    return "different"


_PAREN = re.compile(r"([^()]{2,120}?)\s*\(\s*([A-Za-z][A-Za-z0-9\- ]{1,60}?)\s*\)")
_SMALL = frozenset({"dan", "di", "yang", "atau", "serta", "untuk", "dengan", "pada", "&", "ke", "dari"})


def learn_acronyms(texts: Iterable[object]) -> dict[str, tuple[str, ...]]:
    """Acronyms a corpus spells out: "Unit Sekolah Baru (USB)" or "USB (Unit Sekolah
    Baru)" -> {"usb": ("unit", "sekolah", "baru")}, when the acronym's letters are the
    initials of the words (small joiners may be skipped)."""
    found: dict[str, tuple[str, ...]] = {}
    for text in texts:
        if not isinstance(text, str) or "(" not in text:
            continue
        for before, inside in _PAREN.findall(text):
            for acro_src, full_src in (
                (inside, before),
                (before.split()[-1] if before.split() else "", inside),
            ):
                acro = clean(acro_src).replace(" ", "")
                words = clean(full_src).split()
                if not (2 <= len(acro) <= 8) or not words or acro.isdigit():
                    continue
                exp = _match_initials(acro, words)
                if exp and acro not in found:
                    found[acro] = exp
    return found


def _match_initials(acro: str, words: list[str]) -> tuple[str, ...] | None:
    """The shortest tail of `words` whose initials spell `acro` (joiners optional)."""
    for start in range(len(words) - 1, -1, -1):
        tail = words[start:]
        initials = "".join(w[0] for w in tail)
        content = "".join(w[0] for w in tail if w not in _SMALL)
        if acro in (initials, content):
            return tuple(tail)
        if len(content) > len(acro):
            break
    return None


# --- Quantities ------------------------------------------------------------------------

_NUMBER = re.compile(r"(-?\d+(?:[.,]\d+)*)\s*(.*)")


@lru_cache(maxsize=1)
def _units() -> dict[str, tuple[str, float]]:
    raw = yaml.safe_load(resources.files("selaras.kamus").joinpath("abbreviations.yaml").read_text("utf-8"))
    out: dict[str, tuple[str, float]] = {}
    for name, spec in raw["units"].items():
        factor, spellings = spec[0], spec[1]
        target = spec[2] if len(spec) > 2 else name
        for s in [name, *spellings]:
            out[unit_key(s)] = (target, float(factor))
    return out


def unit_key(unit: object) -> str:
    s = unicodedata.normalize("NFKC", str(unit)).lower().strip()
    if s.startswith("%"):
        return "%"
    return " ".join(re.findall(r"[a-z0-9']+", s)).replace("'", "'")


def parse_quantity(value: object, unit: object = None) -> tuple[float | None, str | None]:
    """(amount in the canonical unit, canonical unit). `value` may carry the unit itself
    ("12 Titik", "1,5 Km"); an unknown unit is kept as written."""
    amount = None
    u = unit if isinstance(unit, str) and unit.strip() else None
    if isinstance(value, str):
        m = _NUMBER.search(value.strip())
        if m:
            amount = parse_number(m.group(1))
            if u is None and m.group(2).strip():
                u = m.group(2)
    elif value is not None and not (isinstance(value, float) and value != value):
        amount = float(value)
    if u is None:
        return amount, None
    key = unit_key(u)
    target, factor = _units().get(key, (key, 1.0))
    if amount is not None:
        amount *= factor
    return amount, target or None
