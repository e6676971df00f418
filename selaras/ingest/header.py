"""Find the header of a sheet and map its columns to canonical fields.

The header is the block of 1-3 consecutive rows, within the first rows of the sheet, whose
labels match the most canonical fields of a kind (synonyms in headers.yaml). Labels of
merged cells are spread over the cells they cover; a 2-3 row header is matched on its
joined labels ("INDIKATOR KINERJA / Tolok Ukur") and on their shorter endings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from selaras.kamus import cell_text, column_letter

MAX_HEADER_ROWS = 3
# A header must name at least this many distinct fields (row numbers `No` not counted).
MIN_FIELDS = 2


@dataclass(frozen=True, eq=False)  # hashed by identity: one object per kind (vocabulary() is cached)
class KindSpec:
    kind: str
    table: str
    weights: dict[str, float]
    exact: dict[str, tuple[str, int]]  # normalised synonym -> (field, preference index)
    prefixes: tuple[tuple[str, str, int], ...]  # (normalised prefix, field, index), longest first
    required: tuple[tuple[str, ...], ...]  # groups: at least one field of each group
    hints: tuple[str, ...]  # words in a file name or title that point to this kind


@dataclass(frozen=True)
class Vocabulary:
    abbreviations: dict[str, str]
    drop_tokens: frozenset[str]
    ignore: tuple[re.Pattern[str], ...]
    kinds: dict[str, KindSpec]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    text = resources.files("selaras.ingest").joinpath("headers.yaml").read_text(encoding="utf-8")
    # libyaml's safe loader when built in (same documents as yaml.safe_load, 10x faster).
    doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    norm = doc["normalise"]
    abbreviations = {str(k).lower(): str(v).lower() for k, v in norm["abbreviations"].items()}
    drop = frozenset(str(t).lower() for t in norm["drop_tokens"])
    kinds = {}
    for kind, spec in doc["kinds"].items():
        weights: dict[str, float] = {}
        exact: dict[str, tuple[str, int]] = {}
        prefixes: list[tuple[str, str, int]] = []
        for name, fdef in spec["fields"].items():
            weights[name] = float(fdef.get("weight", 1))
            for index, synonym in enumerate(fdef["synonyms"]):
                synonym = str(synonym)
                star = synonym.endswith("*")
                key = _normalise(synonym.rstrip("*"), abbreviations, drop)
                if star:
                    prefixes.append((key, name, index))
                else:
                    exact.setdefault(key, (name, index))
        prefixes.sort(key=lambda p: -len(p[0]))
        kinds[kind] = KindSpec(
            kind=kind,
            table=spec["table"],
            weights=weights,
            exact=exact,
            prefixes=tuple(prefixes),
            required=tuple(tuple(group) for group in spec.get("required", [])),
            hints=tuple(str(h).lower() for h in spec.get("hints", [])),
        )
    ignore = tuple(re.compile(p) for p in doc.get("ignore", []))
    return Vocabulary(abbreviations, drop, ignore, kinds)


def _normalise(text: str, abbreviations: dict[str, str], drop: frozenset[str]) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    # camelCase exports (createdAt) and glued words with dots (KEG.) split into tokens.
    text = re.sub(r"[^0-9a-z%+]+", " ", text)
    tokens: list[str] = []
    for token in text.split():
        if token in drop or re.fullmatch(r"(?:19|20)\d{2}", token):
            continue
        if token == "+":
            token = "plus"
        tokens.extend(abbreviations.get(token, token).split())
    return " ".join(tokens)


def normalise_label(text: Any) -> str:
    """`TOLAK UKUR CAPAIAN KEG.` -> `tolok ukur capaian kegiatan`; `Pagu Indikatif (Rp)`
    -> `pagu indikatif`; `kode_sub_kegiatan` -> `kode sub kegiatan`."""
    vocab = vocabulary()
    raw = cell_text(text) if not isinstance(text, str) else text
    return _normalise(raw or "", vocab.abbreviations, vocab.drop_tokens)


@dataclass
class HeaderMatch:
    kind: str
    first_row: int  # 1-based, as the spreadsheet shows it
    last_row: int
    labels: list[str]  # display label of every column (unique), index = column offset
    fields: dict[str, list[int]]  # field -> columns, preferred first
    score: float
    missing: list[tuple[str, ...]] = field(default_factory=list)  # unmet required groups
    normalised: list[str] = field(default_factory=list)  # normalised bottom labels, to spot repeats

    def duplicates(self) -> dict[str, list[str]]:
        """Labels written more than once -> the unique names their columns are kept under
        (`PAGU`, `PAGU (2)`): both columns stay in the raw row, suffixed."""
        out: dict[str, list[str]] = {}
        for label in self.labels:
            base = re.sub(r" \(\d+\)$", "", label)
            if base != label and base in self.labels:
                out.setdefault(base, [base]).append(label)
        return out

    @property
    def rows(self) -> str:
        return str(self.first_row) if self.first_row == self.last_row else f"{self.first_row}-{self.last_row}"

    def column_map(self) -> dict[str, list[str]]:
        return {f: [self.labels[c] for c in cols] for f, cols in self.fields.items() if not f.startswith("_")}


def _is_number(value: Any) -> bool:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and re.fullmatch(r"\s*\(?[-+]?\d+(?:[.,]\d+)*\)?\s*", value) is not None


class _Grid:
    """The first rows of a sheet as label text, with merged labels spread out."""

    def __init__(self, rows: list[tuple[int, list[Any]]], merged: list | None, first_col: int, width: int):
        self.row_numbers = [n for n, _ in rows]
        self.index = {n: i for i, n in enumerate(self.row_numbers)}
        self.width = width
        self.raw = [list(cells[:width]) + [""] * (width - len(cells)) for _, cells in rows]
        self.text = [[_label_text(v) for v in cells] for cells in self.raw]
        self.spans: dict[tuple[int, int], int] = {}  # (row i, col) -> columns covered by a merge
        self.vertical: set[tuple[int, int]] = set()  # (row i, col) whose merge continues below
        self.has_merges = merged is not None
        # Rows a vertical merge runs into from above / continues below: a header block may
        # not start or end inside a merged label.
        self.entered: set[int] = set()
        self.continued: set[int] = set()
        first, last = (self.row_numbers[0] - 1, self.row_numbers[-1] - 1) if rows else (0, -1)
        for (r0, c0), (r1, c1) in merged or []:
            if r1 > r0 and c1 >= first_col and c0 < first_col + width:
                for r in range(max(r0, first), min(r1, last) + 1):
                    if (i := self.index.get(r + 1)) is not None:
                        if r > r0:
                            self.entered.add(i)
                        if r < r1:
                            self.continued.add(i)
        for (r0, c0), (r1, c1) in merged or []:
            c0, c1 = c0 - first_col, c1 - first_col
            anchor_i = self.index.get(r0 + 1)
            if anchor_i is None or c1 < 0 or c0 >= width:
                continue
            value = self.text[anchor_i][max(c0, 0)] if c0 >= 0 else ""
            for r in range(r0, min(r1, last) + 1):
                i = self.index.get(r + 1)
                if i is None:
                    continue
                for c in range(max(c0, 0), min(c1, width - 1) + 1):
                    if not self.text[i][c]:
                        self.text[i][c] = value
                    self.spans[(i, c)] = c1 - c0 + 1
                    if r < r1:
                        self.vertical.add((i, c))
        self.norm = [[normalise_label(t) if t else "" for t in row] for row in self.text]

    def label_like(self, i: int) -> bool:
        values = [t for t in self.text[i] if t]
        if not values:
            return False
        numbers = sum(1 for v in self.raw[i] if v not in ("", None) and _is_number(v))
        if numbers * 2 > len(values):
            return False
        return len(set(values)) >= 2


def _label_text(value: Any) -> str:
    text = cell_text(value)
    return re.sub(r"\s+", " ", text).strip() if text else ""


@lru_cache(maxsize=1 << 15)
def _match_column(
    norms: tuple[str, ...], spec: KindSpec, ignore: tuple[re.Pattern[str], ...]
) -> tuple[str, int] | None:
    """(field, preference) for one column whose header labels (top to bottom) are `norms`
    (cached: the same labels recur across a region's files and candidate blocks)."""
    bottom = max((i for i, n in enumerate(norms) if n), default=None)
    if bottom is None:
        return None
    candidates = []
    for top in range(bottom + 1):
        parts: list[str] = []
        for n in norms[top : bottom + 1]:
            if n and (not parts or parts[-1] != n):
                parts.append(n)
        joined = " ".join(parts)
        if joined not in candidates:
            candidates.append(joined)
    if any(p.search(candidates[0]) for p in ignore):
        return None
    for cand in candidates:
        if cand in spec.exact:
            return spec.exact[cand]
    for cand in candidates:
        for prefix, name, index in spec.prefixes:
            if cand == prefix or cand.startswith(prefix + " "):
                return name, index
    return None


def _block(grid: _Grid, top: int, height: int) -> tuple[list[list[str]], list[list[str]]]:
    """Texts and normalised labels of a candidate header block. Without merge information
    (CSV, ODS) a parent label sits in the first column of its group only: spread it right
    over empty cells that have a child label below."""
    texts = [list(grid.text[i]) for i in range(top, top + height)]
    norms = [list(grid.norm[i]) for i in range(top, top + height)]
    if not grid.has_merges:
        for i in range(height - 1):
            for c in range(1, grid.width):
                if not texts[i][c] and texts[i][c - 1] and texts[i + 1][c] and texts[i + 1][c - 1]:
                    texts[i][c], norms[i][c] = texts[i][c - 1], norms[i][c - 1]
    return texts, norms


def _score_block(
    grid: _Grid, top: int, height: int, spec: KindSpec, ignore
) -> tuple[float, dict[int, tuple[str, int]]]:
    _, norms = _block(grid, top, height)
    matches: dict[int, tuple[str, int]] = {}
    for c in range(grid.width):
        found = _match_column(tuple(row[c] for row in norms), spec, ignore)
        if found:
            matches[c] = found
    distinct = {f for f, _ in matches.values()}
    score = sum(spec.weights[f] for f in distinct) + 0.01 * len(matches)
    if len({f for f in distinct if not f.startswith("_")}) < MIN_FIELDS:
        return 0.0, {}
    if height > 1 and grid.has_merges:
        # Merged cells that tie the rows together are evidence of a multi-row header.
        tied = any((i, c) in grid.vertical for i in range(top, top + height - 1) for c in range(grid.width))
        spread = any(
            grid.spans.get((i, c), 1) > 1 for i in range(top, top + height - 1) for c in range(grid.width)
        )
        score += 0.5 * tied + 0.5 * spread
    return score, matches


def find_header(
    rows: list[tuple[int, list[Any]]],
    spec: KindSpec,
    merged: list | None = None,
    first_col: int = 0,
    width: int | None = None,
) -> HeaderMatch | None:
    """The best header block among `rows` (the first rows of a sheet, as (1-based row
    number, cells)), or None when no block names at least two fields of the kind."""
    if not rows:
        return None
    width = width or max((len(c) for _, c in rows), default=0)
    if width == 0:
        return None
    grid = _Grid(rows, merged, first_col, width)
    vocab = vocabulary()
    best: tuple[float, int, int, dict[int, tuple[str, int]]] | None = None
    like = [grid.label_like(i) for i in range(len(rows))]
    for top in range(len(rows)):
        for height in range(1, MAX_HEADER_ROWS + 1):
            if top + height > len(rows) or not all(like[top : top + height]):
                break
            if top in grid.entered or top + height - 1 in grid.continued:
                continue  # the block would cut a merged label in two
            score, matches = _score_block(grid, top, height, spec, vocab.ignore)
            if score > 0 and (best is None or score > best[0] + 1e-9):
                best = (score, top, height, matches)
    if best is None:
        return None
    score, top, height, matches = best
    fields: dict[str, list[tuple[int, int]]] = {}
    for c, (name, pref) in matches.items():
        fields.setdefault(name, []).append((pref, c))
    ordered = {name: [c for _, c in sorted(cols)] for name, cols in fields.items()}
    texts, norms = _block(grid, top, height)
    labels = _display_labels(texts, first_col)
    missing = [group for group in spec.required if not any(f in ordered for f in group)]
    bottom_norm = []
    for c in range(width):
        col = [row[c] for row in norms if row[c]]
        bottom_norm.append(col[-1] if col else "")
    return HeaderMatch(
        kind=spec.kind,
        first_row=grid.row_numbers[top],
        last_row=grid.row_numbers[top + height - 1],
        labels=labels,
        fields=ordered,
        score=round(score, 3),
        missing=missing,
        normalised=bottom_norm,
    )


def _display_labels(texts: list[list[str]], first_col: int) -> list[str]:
    labels: list[str] = []
    seen: dict[str, int] = {}
    for c in range(len(texts[0])):
        parts: list[str] = []
        for row in texts:
            t = row[c]
            if t and (not parts or parts[-1] != t):
                parts.append(t)
        label = " / ".join(parts) or f"kolom {column_letter(first_col + c)}"
        count = seen.get(label, 0) + 1
        seen[label] = count
        labels.append(label if count == 1 else f"{label} ({count})")
    return labels


def kind_hint(*texts: str) -> set[str]:
    """Kinds whose hint words appear in a file name or title text."""
    vocab = vocabulary()
    found = set()
    for text in texts:
        norm = " " + _normalise(text or "", {}, frozenset()) + " "
        for kind, spec in vocab.kinds.items():
            if any(f" {h} " in norm for h in spec.hints):
                found.add(kind)
    return found


@dataclass(frozen=True)
class Candidate:
    """The row that came closest to being a header, for the message of a refused sheet."""

    row: int  # 1-based
    labels: tuple[str, ...]  # its non-empty cell texts (the first few)
    fields: tuple[str, ...]  # canonical fields its cells name
    lacking: tuple[tuple[str, ...], ...]  # required groups none of its cells names


def best_candidate(
    rows: list[tuple[int, list[Any]]],
    specs: list[KindSpec],
    merged: list | None = None,
    first_col: int = 0,
    width: int | None = None,
) -> Candidate | None:
    """Among `rows`, the one row whose cells name the most fields of any of `specs` (then
    the one with the most label-like cells). Called only when no header was found, so
    its cost does not matter."""
    if not rows or not specs:
        return None
    width = width or max((len(c) for _, c in rows), default=0)
    if width == 0:
        return None
    grid = _Grid(rows, merged, first_col, width)
    ignore = vocabulary().ignore
    best: tuple[tuple[int, int], Candidate] | None = None
    for i, number in enumerate(grid.row_numbers):
        texts = [t for t in grid.text[i] if t]
        if not texts or not grid.label_like(i) and len(texts) < 2:
            continue
        for spec in specs:
            found = {m[0] for c in range(width) if (m := _match_column((grid.norm[i][c],), spec, ignore))}
            named = tuple(sorted(f for f in found if not f.startswith("_")))
            lacking = tuple(g for g in spec.required if not any(f in found for f in g))
            key = (len(named), len(set(texts)))
            if best is None or key > best[0]:
                best = (key, Candidate(number, tuple(dict.fromkeys(texts))[:8], named, lacking))
    return best[1] if best else None
