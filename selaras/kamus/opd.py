"""Agency (OPD) names resolved to one key: "Dinas PUPR", "DINAS PEKERJAAN UMUM DAN
PENATAAN RUANG" and "Dinas Pekerjaan Umum & Penataan Ruang" are the same agency.

Known abbreviations are expanded from abbreviations.yaml; the rest is fuzzy matching of
the normalised names, accepted only when the best candidate is clearly ahead."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process

from selaras.kamus.names import clean, default_normalizer
from selaras.kamus.text import clean_text, text_or_none

#: Words that say what kind of agency it is; an agency name without them ("PUPR") still
#: matches one with them ("Dinas Pekerjaan Umum dan Penataan Ruang").
_KIND_WORDS = frozenset(
    {"dinas", "badan", "kantor", "satuan", "sekretariat", "inspektorat", "unit", "dan", "daerah"}
)


def opd_key(name: object) -> str:
    """Normalised agency name (abbreviations expanded, '&' as 'dan'); "" for a missing one
    (None, or the NaN a pandas string column holds for an empty cell, not the agency "nan")."""
    text = (text_or_none(name) or "").replace("&", " dan ")
    return " ".join(default_normalizer().tokens(text))


def _core(key: str) -> str:
    return " ".join(t for t in key.split() if t not in _KIND_WORDS)


def _squash(key: str) -> str:
    return key.replace(" ", "")


def _initials(key: str) -> str:
    return "".join(t[0] for t in key.split() if t not in _KIND_WORDS)


class OpdResolver:
    """Resolves free-text agency names to the keys of known agencies.

    `known` are the names of the region's agencies (its OPD list, or else the agencies
    named in the Renja and RKPD); `aliases` are extra (alias -> name) pairs: the OPD list's
    `singkatan` column and the planners' alias file (raw/referensi/opd_alias.csv).
    `explain` says how a name was resolved (the evidence analytics.opd_resolution shows)."""

    def __init__(self, known: Iterable[object], aliases: dict[str, str] | None = None) -> None:
        self.keys: list[str] = sorted({k for k in (opd_key(n) for n in known) if k})
        self.cores = [_core(k) for k in self.keys]
        self.alias: dict[str, str | None] = {}
        self.planned: dict[str, str] = {}  # squashed alias -> key, from the planners' aliases
        derived: dict[str, set[str]] = {}
        for k in self.keys:
            ini = _initials(k)
            # "PUPR"; and "DPUPR", "BPBD": the kind of agency's initial in front
            for a in (ini, k[0] + ini):
                if len(a) >= 3:
                    derived.setdefault(a, set()).add(k)
        for a, ks in derived.items():
            # an acronym two agencies share ("DKP": Kelautan dan Perikanan or Ketahanan
            # Pangan) resolves to neither
            self.alias[a] = next(iter(ks)) if len(ks) == 1 else None
        for alias, name in (aliases or {}).items():
            key = opd_key(name)
            if key and clean(alias):
                self.planned[_squash(opd_key(alias)) or clean(alias).replace(" ", "")] = key
        # The same name written with or without spaces / underscores ("CIPOCOKJAYA",
        # "CIPOCOK_JAYA", "Cipocok Jaya"): one agency when only one fits.
        squashed: dict[str, set[str]] = {}
        for k in self.keys:
            squashed.setdefault(_squash(k), set()).add(k)
        self.squashed = {q: next(iter(ks)) for q, ks in squashed.items() if len(ks) == 1}
        self._cache: dict[str, tuple[str | None, str]] = {}

    def resolve(self, name: object) -> str | None:
        return self.explain(name)[0]

    def explain(self, name: object) -> tuple[str | None, str]:
        """(the agency's key or None, the evidence in words a planner reads)."""
        raw = clean(name)
        if not raw:
            return None, "kosong"
        if raw not in self._cache:
            self._cache[raw] = self._resolve(raw)
        return self._cache[raw]

    def _resolve(self, raw: str) -> tuple[str | None, str]:
        key = opd_key(raw)
        if key in self.keys:
            return key, "nama sama"
        if _squash(key) in self.planned:
            return self.planned[_squash(key)], "alias (singkatan daftar OPD / opd_alias.csv)"
        if not self.keys:
            return (key or None), "tanpa daftar OPD: nama apa adanya"
        if _squash(key) in self.squashed:
            return self.squashed[_squash(key)], "nama sama tanpa spasi / garis bawah"
        compact = raw.replace(" ", "")
        for cand in (compact, _core(raw).replace(" ", "")):
            if cand in self.alias:
                hit = self.alias[cand]
                return hit, ("singkatan" if hit else f"singkatan '{cand}' dipakai lebih dari satu OPD")
        core = _core(key)
        if core in self.cores and self.cores.count(core) == 1:
            return self.keys[self.cores.index(core)], "nama sama tanpa jenis (dinas, badan ...)"
        # One name's words all inside the other's ("Dinas Pekerjaan Umum" within "Dinas
        # Pekerjaan Umum dan Penataan Ruang"), when exactly one agency fits.
        words = set(core.split())
        if words:
            inside = [
                i
                for i, c in enumerate(self.cores)
                if c and (set(c.split()) <= words or words <= set(c.split()))
            ]
            if len(inside) == 1:
                return self.keys[inside[0]], "kata-kata nama tercakup dalam satu OPD"
        # Typos: fuzzy, only when clearly ahead of the runner-up.
        for query, choices in ((key, self.keys), (core, self.cores)):
            hits = process.extract(query, choices, scorer=fuzz.token_sort_ratio, limit=2)
            if hits and hits[0][1] >= 92 and (len(hits) == 1 or hits[1][1] < hits[0][1] - 3):
                return self.keys[hits[0][2]], f"ejaan mirip ({hits[0][1]:.0f}%)"
        return None, "tidak dikenal"


def build_resolver(inputs: dict[str, pd.DataFrame], aliases: dict[str, str] | None = None) -> OpdResolver:
    """Agency names resolve to one canonical list: the region's OPD list when loaded, else
    the agencies the RKPD names (the region's official plan), else those of the Renja.
    `aliases` (alias -> OPD name, from the planners' alias file) come on top of the list's
    own `singkatan`."""
    extra = dict(aliases or {})
    opd = inputs.get("opd")
    if opd is not None and not opd.empty:
        own = {
            a: n
            for a, n in zip(opd["singkatan"], opd["nama"], strict=True)
            if isinstance(a, str) and a.strip()
        }
        return OpdResolver(list(opd["nama"]), own | extra)
    for kind in ("rkpd", "renja"):
        names = list(inputs[kind]["opd"].dropna().unique()) if kind in inputs else []
        if names:
            return OpdResolver(names, extra)
    return OpdResolver([], extra)


#: The planners' alias file: one agency spelling per row, `alias` -> `opd` (optional).
ALIAS_FILE = Path("referensi") / "opd_alias.csv"


def load_aliases(raw_dir: Path) -> tuple[dict[str, str], list[str]]:
    """raw/referensi/opd_alias.csv as {alias: opd}, and what could not be used (in words a
    planner reads). Columns `alias` and `opd` (any case; `,` or `;`); a missing file is no
    aliases, a bad row is reported and skipped, never the run."""
    path = raw_dir / ALIAS_FILE
    if not path.is_file():
        return {}, []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [f"{ALIAS_FILE.as_posix()}: tidak dapat dibaca ({exc}); alias OPD tidak dipakai"]
    lines = text.splitlines()
    delimiter = ";" if lines and lines[0].count(";") > lines[0].count(",") else ","
    rows = list(csv.reader(lines, delimiter=delimiter))
    header = [h.strip().lower() for h in rows[0]] if rows else []
    if "alias" not in header or "opd" not in header:
        return {}, [
            f"{ALIAS_FILE.as_posix()}: baris 1 harus berisi kolom 'alias' dan 'opd' "
            f"(ditemukan: {', '.join(header) or 'kosong'}); alias OPD tidak dipakai"
        ]
    a, o = header.index("alias"), header.index("opd")
    out: dict[str, str] = {}
    problems = []
    for number, row in enumerate(rows[1:], start=2):
        alias = clean_text(row[a]) if a < len(row) else None
        opd = clean_text(row[o]) if o < len(row) else None
        if not alias and not opd:
            continue
        if not alias or not opd:
            problems.append(f"{ALIAS_FILE.as_posix()} baris {number}: 'alias' dan 'opd' harus diisi keduanya")
            continue
        out[alias] = opd
    return out, problems
