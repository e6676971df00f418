"""Agency (OPD) names resolved to one key: "Dinas PUPR", "DINAS PEKERJAAN UMUM DAN
PENATAAN RUANG" and "Dinas Pekerjaan Umum & Penataan Ruang" are the same agency.

Known abbreviations are expanded from abbreviations.yaml; the rest is fuzzy matching of
the normalised names, accepted only when the best candidate is clearly ahead."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from rapidfuzz import fuzz, process

from selaras.kamus.names import clean, default_normalizer

#: Words that say what kind of agency it is; an agency name without them ("PUPR") still
#: matches one with them ("Dinas Pekerjaan Umum dan Penataan Ruang").
_KIND_WORDS = frozenset(
    {"dinas", "badan", "kantor", "satuan", "sekretariat", "inspektorat", "unit", "dan", "daerah"}
)


def opd_key(name: object) -> str:
    """Normalised agency name (abbreviations expanded, '&' as 'dan')."""
    text = "" if name is None else str(name).replace("&", " dan ")
    return " ".join(default_normalizer().tokens(text))


def _core(key: str) -> str:
    return " ".join(t for t in key.split() if t not in _KIND_WORDS)


def _initials(key: str) -> str:
    return "".join(t[0] for t in key.split() if t not in _KIND_WORDS)


class OpdResolver:
    """Resolves free-text agency names to the keys of known agencies.

    `known` are the names of the region's agencies (its OPD list, or else the agencies
    named in the Renja and RKPD); `aliases` are extra (alias -> name) pairs, e.g. the
    OPD list's `singkatan` column."""

    def __init__(self, known: Iterable[object], aliases: dict[str, str] | None = None) -> None:
        self.keys: list[str] = sorted({k for k in (opd_key(n) for n in known) if k})
        self.cores = [_core(k) for k in self.keys]
        self.alias: dict[str, str | None] = {}
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
                self.alias[clean(alias).replace(" ", "")] = key
        self._cache: dict[str, str | None] = {}

    def resolve(self, name: object) -> str | None:
        raw = clean(name)
        if not raw:
            return None
        if raw in self._cache:
            return self._cache[raw]
        self._cache[raw] = out = self._resolve(raw)
        return out

    def _resolve(self, raw: str) -> str | None:
        key = opd_key(raw)
        if not self.keys:
            return key or None
        if key in self.keys:
            return key
        compact = raw.replace(" ", "")
        for cand in (compact, _core(raw).replace(" ", "")):
            if cand in self.alias:
                return self.alias[cand]  # None when ambiguous
        core = _core(key)
        if core in self.cores and self.cores.count(core) == 1:
            return self.keys[self.cores.index(core)]
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
                return self.keys[inside[0]]
        # Typos: fuzzy, only when clearly ahead of the runner-up.
        for query, choices in ((key, self.keys), (core, self.cores)):
            hits = process.extract(query, choices, scorer=fuzz.token_sort_ratio, limit=2)
            if hits and hits[0][1] >= 92 and (len(hits) == 1 or hits[1][1] < hits[0][1] - 3):
                return self.keys[hits[0][2]]
        return None


def build_resolver(inputs: dict[str, pd.DataFrame]) -> OpdResolver:
    """Agency names resolve to one canonical list: the region's OPD list when loaded, else
    the agencies the RKPD names (the region's official plan), else those of the Renja."""
    opd = inputs.get("opd")
    if opd is not None and not opd.empty:
        aliases = {
            a: n
            for a, n in zip(opd["singkatan"], opd["nama"], strict=True)
            if isinstance(a, str) and a.strip()
        }
        return OpdResolver(list(opd["nama"]), aliases)
    for kind in ("rkpd", "renja"):
        names = list(inputs[kind]["opd"].dropna().unique()) if kind in inputs else []
        if names:
            return OpdResolver(names)
    return OpdResolver([])
