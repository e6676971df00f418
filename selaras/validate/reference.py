"""Reference data the checks look codes and OPD names up in: the nomenclature (current and
earlier versions) and the region's OPD list. Built from the clean layer after the reference
files themselves have been validated, so a quarantined nomenclature row is not used."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field

import duckdb
import pandas as pd
from rapidfuzz import fuzz, process

from selaras.kamus import code_key
from selaras.kamus.opd import OpdResolver, opd_key
from selaras.validate.text import (
    blank,
    common_prefix_segments,
    normalise_name,
    render_for,
    strip_leading_code,
    support_form,
)


def _version_key(versi: object) -> tuple:
    """'2027' > '2024' > 'nomenklatur_lama.xlsx': numbers first, by value; then text."""
    text = "" if blank(versi) else str(versi)
    digits = re.findall(r"\d{4}", text)
    return (1, int(digits[-1]), text) if digits else (0, 0, text)


def _bidang(code: str) -> str:
    parts = code.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else code


@dataclass
class Outdated:
    """Why a code counts as outdated, and the current code to use (None: dropped item)."""

    suggestion: str | None
    reason: str


@dataclass
class Nomenclature:
    versi: str
    current: set[str] = field(default_factory=set)  # codes and their level prefixes
    names: dict[str, str] = field(default_factory=dict)  # code -> official name
    by_name: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # norm name -> codes
    pool: dict[tuple[str, int], list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    successor: dict[str, str] = field(default_factory=dict)  # previous code -> current code
    old_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # old code -> (name, versi)

    # ------------------------------------------------------------------ building
    @classmethod
    def from_rows(cls, rows: pd.DataFrame) -> Nomenclature | None:
        """rows: versi, kode, nama, kode_sebelumnya (staged.nomenklatur of current files)."""
        if rows.empty:
            return None
        versions = sorted({("" if blank(v) else str(v)) for v in rows["versi"]}, key=_version_key)
        current_versi = versions[-1]
        nom = cls(versi=current_versi or "terbaru")
        is_current = rows["versi"].fillna("").astype(str) == current_versi
        for kode, nama, before in rows.loc[is_current, ["kode", "nama", "kode_sebelumnya"]].itertuples(
            index=False
        ):
            code = code_key(kode)
            if not code:
                continue
            embedded, clean_name = strip_leading_code("" if blank(nama) else str(nama))
            parts = code.split(".")
            for n in (1, 2, 3, 5, 6):
                if n <= len(parts):
                    nom.current.add(".".join(parts[:n]))
            nom.current.add(code)
            if clean_name.strip() and code not in nom.names:
                nom.names[code] = " ".join(clean_name.split())
                norm = normalise_name(clean_name)
                nom.by_name[norm].append(code)
                nom.pool[(_bidang(code), len(parts))].append((norm, code))
            for prev in (code_key(before), embedded):
                if prev and prev != code:
                    nom.successor.setdefault(prev, code)
        for versi, kode, nama in rows.loc[~is_current, ["versi", "kode", "nama"]].itertuples(index=False):
            code = code_key(kode)
            if code and code not in nom.old_names:
                nom.old_names[code] = (normalise_name(nama), "" if blank(versi) else str(versi))
        return nom

    # ------------------------------------------------------------------ lookups
    def lookup(self, code: str | None) -> str | None:
        """The nomenclature code a row's code stands for (X.XX form for the support programme)."""
        if not code:
            return None
        if code in self.current:
            return code
        alt = support_form(code)
        if alt and alt in self.current:
            return alt
        return None

    def by_exact_name(self, norm: str, row_code: str | None) -> str | None:
        candidates = self.by_name.get(norm) or []
        if row_code:
            level = len(row_code.split("."))
            same_level = [c for c in candidates if len(c.split(".")) == level]
            candidates = same_level or candidates
            candidates = sorted(candidates, key=lambda c: -common_prefix_segments(c, row_code))
        return candidates[0] if candidates else None

    def by_fuzzy_name(self, norm: str, row_code: str, min_score: float) -> str | None:
        """Best current item of the same level in the row's bidang (or the X.XX support
        programme) whose name scores at least min_score."""
        level = len(row_code.split("."))
        pool = self.pool.get((_bidang(row_code), level), []) + self.pool.get(("X.XX", level), [])
        if not pool or not norm:
            return None
        best = process.extractOne(
            norm, [p[0] for p in pool], scorer=fuzz.token_sort_ratio, score_cutoff=min_score
        )
        return pool[best[2]][1] if best else None

    def outdated(self, code: str, norm_name: str, min_score: float) -> Outdated | None:
        """A code that is not current: outdated (with the current code when one is found) or
        None when nothing says it ever existed (then it is simply unknown)."""
        for key in (code, support_form(code)):
            if key and key in self.successor:
                new = render_for(self.successor[key], code)
                return Outdated(new, f"nomenklatur terbaru menggantinya dengan kode {new}")
        old = self.old_names.get(code) or self.old_names.get(support_form(code) or "")
        if old:
            found = self.by_exact_name(old[0], code)
            if found:
                new = render_for(found, code)
                return Outdated(new, f"kode ini ada di nomenklatur {old[1]}; padanannya sekarang {new}")
        found = self.by_exact_name(norm_name, code) if norm_name else None
        if found is None and norm_name:
            found = self.by_fuzzy_name(norm_name, code, min_score)
        if found:
            new = render_for(found, code)
            return Outdated(new, f"namanya sesuai item nomenklatur {self.versi} dengan kode {new}")
        if old:
            return Outdated(
                None, f"kode ini hanya ada di nomenklatur {old[1]} dan tidak punya padanan sekarang"
            )
        return None

    def official_name(self, lookup_code: str | None) -> str | None:
        return self.names.get(lookup_code) if lookup_code else None


@dataclass
class OpdList:
    """The region's OPDs, resolved with the project's OPD resolver (abbreviations such as
    'Dinas PUPR', the list's singkatan, '... Provinsi Banten', typos)."""

    names: list[str]  # display names
    source: str
    resolver: OpdResolver
    display: dict[str, str]  # resolver key -> display name

    @classmethod
    def build(cls, rows: pd.DataFrame, source: str) -> OpdList | None:
        """rows: nama, singkatan (singkatan may be empty)."""
        names: list[str] = []
        aliases: dict[str, str] = {}
        for nama, singkatan in rows[["nama", "singkatan"]].itertuples(index=False):
            if blank(nama):
                continue
            display = " ".join(str(nama).split())
            names.append(display)
            if not blank(singkatan):
                aliases[str(singkatan)] = display
        if not names:
            return None
        resolver = OpdResolver(names, aliases)
        display = {opd_key(n): n for n in names}
        return cls(names=names, source=source, resolver=resolver, display=display)

    def match(self, opd: str, suggest_score: float) -> tuple[bool, str | None]:
        """(known, the closest listed OPD as a suggestion when not known)."""
        if self.resolver.resolve(opd) is not None:
            return True, None
        best = process.extractOne(
            opd_key(opd), list(self.display), scorer=fuzz.token_sort_ratio, score_cutoff=suggest_score
        )
        return False, (self.display[best[0]] if best else None)


@dataclass
class Reference:
    nomenclature: Nomenclature | None
    opd: OpdList | None
    fingerprint: str

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection) -> Reference:
        nom_rows = con.execute(
            "select versi, kode, nama, kode_sebelumnya from clean.nomenklatur order by file_id, sheet, source_row"
        ).df()
        opd_rows = con.execute(
            "select nama, singkatan from clean.opd order by file_id, sheet, source_row"
        ).df()
        opd_source = "daftar OPD"
        used_kinds = ["nomenklatur", "opd"]
        if opd_rows.empty:
            # No OPD list supplied: the RKPD's responsible OPDs are the list.
            opd_rows = con.execute(
                "select distinct opd as nama, null as singkatan from clean.rkpd where opd is not null order by 1"
            ).df()
            opd_source = "OPD penanggung jawab dalam RKPD"
            used_kinds.append("rkpd")
        files = con.execute(
            "select kind, file_id from clean.current_file where kind in (select unnest(?)) order by kind, file_id",
            [used_kinds],
        ).fetchall()
        digest = hashlib.sha256(repr(files).encode()).hexdigest()[:16]
        return cls(
            nomenclature=Nomenclature.from_rows(nom_rows),
            opd=OpdList.build(opd_rows, opd_source),
            fingerprint=digest,
        )
