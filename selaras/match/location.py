"""Where a proposal or a Renja row is: kecamatan and desa resolved against the region list
(staged.wilayah), plus the free-text detail (kampung, dusun, jalan, RT/RW).

A village is identified by kecamatan + name (same-named villages exist in different
kecamatan) or by its code. Without a region list, names are compared as normalised keys
("KALI BUNDER" = "Kalibunder"), so the matcher still works on a file with no gazetteer.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd
from rapidfuzz import fuzz, process

from selaras.kamus.names import clean

# Labels that introduce a region name, and labels that introduce detail (never a desa).
_REGION_LABEL = (
    r"desa\s*/\s*kelurahan|kelurahan\s*/\s*desa|desa\s*/\s*kel|kel\s*/\s*desa|kecamatan|kelurahan|"
    r"kabupaten|kec|desa|kel|ds|kab|kota|kota"
)
_DETAIL_WORDS = r"kp|kmp|kampung|dusun|dsn|dukuh|lingkungan|link|rt|rw|jl|jln|jalan|gg|gang|blok|perum|perumahan|komplek|lokasi|rw\.|sta"
_STOP = rf"(?=\s*[,;:()/|]|\.\s|\.$|\s+(?:{_REGION_LABEL}|{_DETAIL_WORDS})\b|\s+(?:dan|&)\s|\s+\d|$)"
_LABELLED = re.compile(rf"\b(?P<label>{_REGION_LABEL})\b\.?\s*:?\s*(?P<name>[a-z][a-z' \-]*?){_STOP}")
_ALL = re.compile(
    r"\bsemua\s+(kecamatan|kelurahan|desa)|\bse\s*-?\s*(kabupaten|kota)\b|\bseluruh\s+(kecamatan|desa|kelurahan)"
)
# "Provinsi Banten", "Kab. Pandeglang", "Kota Serang" and nothing below: the whole region
_WHOLE_REGION = re.compile(r"^\s*(?:provinsi|prov|propinsi|kabupaten|kab|kota)\b\.?\s*[a-z .'-]*$")
_RT = re.compile(r"\brt\.?\s*:?\s*0*(\d{1,3})(?:\s*[/.\-]\s*(?:rw\.?\s*)?0*(\d{1,3}))?")
_RW = re.compile(r"\brw\.?\s*:?\s*0*(\d{1,3})")
_BARE_RTRW = re.compile(r"\b0*(\d{1,3})\s*/\s*0*(\d{1,3})\b")
# "No. 131 C", "Km 5", "Dusun III", "Blok B2", "Gg. 4": a numbered part of an address. The
# number (with its letter) is a hard key: "No. 131 C" and "No. 131" are two houses.
_NUMBERED = re.compile(
    r"\b(?P<kind>no|nomor|km|dusun|dsn|blok|gg|gang|lingkungan|lk)\b\.?\s*:?\s*"
    r"(?P<num>\d{1,4}|(?:x{0,1}(?:ix|iv|v?i{0,3}))(?=\b))(?:\s*(?P<suffix>[a-z])\b)?"
)
_KIND = {"nomor": "no", "dsn": "dusun", "gang": "gg", "lk": "lingkungan"}
_ROMAN = {"i": 1, "v": 5, "x": 10}


def _arabic(num: str) -> str:
    """'III' -> '3', '012' -> '12' (numbers compare as numbers)."""
    if num.isdigit():
        return str(int(num))
    total, prev = 0, 0
    for ch in reversed(num):
        v = _ROMAN[ch]
        total += -v if v < prev else v
        prev = max(prev, v)
    return str(total)


def address_numbers(text: str) -> frozenset[str]:
    """The numbered address parts of a (lower-case) text, as "kind:number[letter]".

    >>> sorted(address_numbers("jl. raya l no. 131 c dusun iii"))
    ['dusun:3', 'no:131c']
    """
    out = set()
    for m in _NUMBERED.finditer(text):
        num = m.group("num")
        if not num:
            continue
        kind = _KIND.get(m.group("kind"), m.group("kind"))
        out.add(f"{kind}:{_arabic(num)}{m.group('suffix') or ''}")
    return frozenset(out)


_GENERIC = frozenset(
    "kp kmp kampung dusun dsn dukuh rt rw jl jln jalan gg gang blok lokasi desa kelurahan kel ds kec kecamatan "
    "kab kabupaten kota dan di no nomor sd s d sampai lingkungan link perum perumahan komplek sekitar wilayah "
    "seluruh semua".split()
)
_PREFIX = re.compile(r"^(?:desa|kelurahan|kecamatan|kabupaten|kota|kab|kec|kel|ds)\b\.?\s*")


def place_key(name: object) -> str:
    """A region name as a comparison key: lower case, no prefix, no spaces or punctuation
    ("Kec. KALI BUNDER" -> "kalibunder")."""
    s = clean(name)
    s = _PREFIX.sub("", s)
    return s.replace(" ", "")


def _digits(code: object) -> str:
    return re.sub(r"\D", "", str(code)) if code is not None else ""


@dataclass(frozen=True)
class Place:
    kec: str | None = None  # kecamatan code, or "~key" when not in the region list
    desa: str | None = None  # desa code, or "~key"
    kec_key: str | None = None
    desa_key: str | None = None


@dataclass(frozen=True)
class Location:
    places: tuple[Place, ...] = ()
    scope: str = "none"  # desa / kecamatan / kabupaten / detail / none
    detail: tuple[str, ...] = ()  # kampung / dusun / jalan words
    rt: frozenset[int] = frozenset()
    rw: frozenset[int] = frozenset()
    # numbered parts of an address other than RT/RW: "no:131c", "km:5", "dusun:3", "blok:a"
    nums: frozenset[str] = frozenset()

    @property
    def kecamatan(self) -> frozenset[str]:
        return frozenset(p.kec for p in self.places if p.kec)

    @property
    def desa(self) -> frozenset[str]:
        return frozenset(p.desa for p in self.places if p.desa)


@dataclass
class Gazetteer:
    """Region names and codes. Build it with `Gazetteer.from_frame(clean_wilayah_df)`; an
    empty Gazetteer() compares names as keys only."""

    kec_by_key: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    desa_by_key: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    desa_in_kec: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    by_code: dict[str, tuple[str, str, str | None]] = field(
        default_factory=dict
    )  # digits -> (level, code, parent)
    key_of: dict[str, str] = field(default_factory=dict)
    name_of: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_frame(cls, df: pd.DataFrame | None) -> Gazetteer:
        g = cls()
        if df is None or df.empty:
            return g
        for row in df.itertuples(index=False):
            level = str(getattr(row, "level", "") or "").lower()
            code = str(row.kode)
            parent = getattr(row, "kode_induk", None)
            parent = (
                None if parent is None or (isinstance(parent, float) and parent != parent) else str(parent)
            )
            names = [row.nama]
            other = getattr(row, "nama_lain", None)
            if isinstance(other, str) and other.strip():
                names += [n for n in other.split("|") if n.strip()]
            g.by_code[_digits(code)] = (level, code, parent)
            g.name_of[code] = str(row.nama)
            g.key_of[code] = place_key(row.nama)
            keys = {place_key(n) for n in names} - {""}
            if level.startswith("kecamatan"):
                for k in keys:
                    if code not in g.kec_by_key[k]:
                        g.kec_by_key[k].append(code)
            elif level.startswith("desa") or level.startswith("kelurahan"):
                for k in keys:
                    if (code, parent) not in g.desa_by_key[k]:
                        g.desa_by_key[k].append((code, parent or ""))
                    if parent:
                        g.desa_in_kec[parent].setdefault(k, code)
        return g

    @property
    def empty(self) -> bool:
        return not self.by_code

    # --- resolution ---------------------------------------------------------------
    def kecamatan(self, name: object) -> tuple[str | None, str | None]:
        key = place_key(name)
        if not key:
            return None, None
        codes = self.kec_by_key.get(key)
        if codes and len(codes) == 1:
            return codes[0], key
        if not codes and not self.empty and len(key) >= 5:
            hit = process.extractOne(key, list(self.kec_by_key), scorer=fuzz.ratio, score_cutoff=88)
            if hit and len(self.kec_by_key[hit[0]]) == 1:
                return self.kec_by_key[hit[0]][0], hit[0]
        return ("~" + key if not codes else None), key

    def desa(self, name: object, kec_code: str | None) -> tuple[str | None, str | None, str | None]:
        """(desa code or "~key", key, kecamatan code). Same-named villages are told apart
        by the kecamatan; with no kecamatan an ambiguous name stays unresolved."""
        key = place_key(name)
        if not key:
            return None, None, kec_code
        if kec_code and not kec_code.startswith("~"):
            inside = self.desa_in_kec.get(kec_code, {})
            if key in inside:
                return inside[key], key, kec_code
            if inside and len(key) >= 5:
                hit = process.extractOne(key, list(inside), scorer=fuzz.ratio, score_cutoff=85)
                if hit:
                    return inside[hit[0]], hit[0], kec_code
            return "~" + key, key, kec_code
        hits = self.desa_by_key.get(key, [])
        if len(hits) == 1:
            code, parent = hits[0]
            return code, key, parent or kec_code
        return "~" + key, key, kec_code

    def code(self, code: object) -> Place | None:
        hit = self.by_code.get(_digits(code))
        if not hit:
            return None
        level, c, parent = hit
        if level.startswith("kecamatan"):
            return Place(kec=c, kec_key=self.key_of.get(c))
        if level.startswith("desa") or level.startswith("kelurahan"):
            return Place(
                kec=parent, desa=c, kec_key=self.key_of.get(parent or ""), desa_key=self.key_of.get(c)
            )
        return None

    def scan(self, text: str, kec_code: str | None) -> list[Place]:
        """Unlabelled region names inside free text (1-3 word windows)."""
        if self.empty:
            return []
        words = clean(text).split()
        found: list[Place] = []
        i = 0
        while i < len(words):
            for n in (3, 2, 1):
                key = "".join(words[i : i + n])
                if len(key) < 4 or words[i] in _GENERIC:
                    continue
                if kec_code and key in self.desa_in_kec.get(kec_code, {}):
                    found.append(
                        Place(
                            kec=kec_code,
                            desa=self.desa_in_kec[kec_code][key],
                            kec_key=self.key_of.get(kec_code),
                            desa_key=key,
                        )
                    )
                    i += n
                    break
                hits = self.desa_by_key.get(key, [])
                if len(hits) == 1 and not kec_code:
                    code, parent = hits[0]
                    found.append(
                        Place(kec=parent or None, desa=code, kec_key=self.key_of.get(parent), desa_key=key)
                    )
                    i += n
                    break
                kecs = self.kec_by_key.get(key, [])
                if len(kecs) == 1 and not kec_code:
                    found.append(Place(kec=kecs[0], kec_key=key))
                    i += n
                    break
            else:
                i += 1
        return found


def _lower(text: object) -> str:
    if text is None or (isinstance(text, float) and text != text):
        return ""
    s = unicodedata.normalize("NFKC", str(text)).lower()
    s = re.sub(r"\s+[-\u2013\u2014]+\s+", ", ", s)  # "Kec. A – Ds. B": a dash between parts
    return re.sub(r"\s+", " ", s).strip()


def parse_location(
    text: object,
    gazetteer: Gazetteer | None = None,
    kecamatan: object = None,
    desa: object = None,
    kode_wilayah: object = None,
) -> Location:
    """Resolve a location. Explicit columns win over what the free text says.

    >>> parse_location("Kp. Cipetir RT 02 RW 12").rt
    frozenset({2})
    """
    g = gazetteer or Gazetteer()
    places: list[Place] = []
    scope = "none"

    if kode_wilayah is not None and not (isinstance(kode_wilayah, float) and kode_wilayah != kode_wilayah):
        p = g.code(kode_wilayah)
        if p:
            places.append(p)
    kec_text, desa_text = _lower(kecamatan), _lower(desa)
    if not places and (kec_text or desa_text):
        kc, kk = g.kecamatan(kec_text) if kec_text else (None, None)
        if desa_text:
            dc, dk, kc2 = g.desa(desa_text, kc)
            places.append(Place(kec=kc or kc2, desa=dc, kec_key=kk or g.key_of.get(kc2 or ""), desa_key=dk))
        elif kc or kk:
            places.append(Place(kec=kc, kec_key=kk))

    s = _lower(text)
    detail_parts: list[str] = []
    if _ALL.search(s) or _WHOLE_REGION.match(s):
        scope = "kabupaten"
    for segment in re.split(r";|\n", s):
        if not segment.strip():
            continue
        seg_places, rest = _parse_segment(segment, g, places[0].kec if places else None)
        if not places:
            places.extend(seg_places)
        elif seg_places and not any(p.desa for p in places):
            # the text names the desa inside the kecamatan given in its own column
            places = [p for p in seg_places if p.kec in (None, places[0].kec)] or places
        detail_parts.append(rest)
    detail_text = " ".join(detail_parts)
    rt, rw = _rt_rw(detail_text)
    region_keys = {p.desa_key for p in places} | {p.kec_key for p in places}
    words = _drop_region_names(
        clean(_BARE_RTRW.sub(" ", _RT.sub(" ", _RW.sub(" ", detail_text)))).split(), region_keys
    )
    detail = tuple(w for w in words if w not in _GENERIC and (len(w) > 1 or w.isdigit()))
    places = list(dict.fromkeys(places))
    if places:
        scope = "desa" if any(p.desa for p in places) else ("kecamatan" if scope != "kabupaten" else scope)
    elif scope == "none" and (detail or rt or rw):
        scope = "detail"
    return Location(
        places=tuple(places),
        scope=scope,
        detail=detail,
        rt=frozenset(rt),
        rw=frozenset(rw),
        nums=address_numbers(detail_text),
    )


def _drop_region_names(words: list[str], keys: set[str | None]) -> list[str]:
    """Words minus the region names already resolved (also written in 2-3 words)."""
    out: list[str] = []
    i = 0
    while i < len(words):
        for n in (3, 2, 1):
            if "".join(words[i : i + n]) in keys:
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return out


def _parse_segment(segment: str, g: Gazetteer, kec_hint: str | None) -> tuple[list[Place], str]:
    kec_names: list[str] = []
    desa_names: list[str] = []
    spans: list[tuple[int, int]] = []
    for m in _LABELLED.finditer(segment):
        label, name = m.group("label"), m.group("name").strip(" -'")
        if not name or name in ("semua", "seluruh") or place_key(name) in ("", "semua"):
            continue
        if label.startswith("kec"):
            kec_names.append(name)
        elif label.startswith(("kab", "kota")):
            pass
        else:
            desa_names.append(name)
        spans.append(m.span())
    rest = segment
    for a, b in reversed(spans):
        rest = rest[:a] + " " + rest[b:]
    rest = _ALL.sub(" ", rest)

    places: list[Place] = []
    kec_code, kec_key = g.kecamatan(kec_names[0]) if kec_names else (kec_hint, None)
    for name in desa_names:
        dc, dk, kc = g.desa(name, kec_code)
        places.append(
            Place(kec=kec_code or kc, desa=dc, kec_key=kec_key or g.key_of.get(kc or ""), desa_key=dk)
        )
    if desa_names and kec_code and not kec_code.startswith("~"):
        # "Ds. Kaduengang, Ciinjuk Kec. Cadasari": more desa of that kecamatan, unlabelled
        places.extend(p for p in g.scan(_strip_detail_names(rest), kec_code) if p.desa)
    if not desa_names:
        scanned = g.scan(_strip_detail_names(rest), kec_code)
        places.extend(p for p in scanned if p.desa or not kec_code)
        if not places and kec_names:
            places.append(Place(kec=kec_code, kec_key=kec_key))
    return places, rest


def _strip_detail_names(text: str) -> str:
    """Remove "kp. X", "dusun X", "jl. X" so a kampung named like a desa is not taken for it."""
    return re.sub(rf"\b(?:{_DETAIL_WORDS})\b\.?\s*[a-z0-9]+(?:\s+[a-z0-9]+)?", " ", text)


def _rt_rw(text: str) -> tuple[set[int], set[int]]:
    rt: set[int] = set()
    rw: set[int] = set()
    for m in _RT.finditer(text):
        rt.add(int(m.group(1)))
        if m.group(2):
            rw.add(int(m.group(2)))
    for m in _RW.finditer(text):
        rw.add(int(m.group(1)))
    # "Rt.06/01,12/02" lists more pairs after the first; a bare "004/007" is RT/RW too
    for m in _BARE_RTRW.finditer(text):
        rt.add(int(m.group(1)))
        rw.add(int(m.group(2)))
    return rt, rw


# --- comparison -----------------------------------------------------------------------

#: Levels from the most to the least favourable; a row naming several places takes the
#: most favourable pairing. "desa" = same desa and neither names a detail; "desa_sebagian"
#: = same desa, only one side names a detail (kampung, RT/RW ...).
LOCATION_LEVELS = (
    "desa_detail_sama",
    "desa_detail",
    "desa",
    "desa_sebagian",
    "desa_detail_beda",
    "kecamatan",
    "kabupaten",
    "detail",
    "missing",
    "detail_beda",
    "desa_lain",
    "kecamatan_lain",
)
_RANK = {lvl: i for i, lvl in enumerate(LOCATION_LEVELS)}


def _same(code_a: str | None, key_a: str | None, code_b: str | None, key_b: str | None) -> bool | None:
    if code_a and code_b and not code_a.startswith("~") and not code_b.startswith("~"):
        return code_a == code_b
    if key_a and key_b:
        return key_a == key_b
    return None


def detail_relation(a: Location, b: Location) -> str | None:
    """sama (identical detail) / same / beda / None (nothing to compare). Different RT or
    RW numbers are different places even inside one kampung."""
    if number_conflict(a, b):
        return "beda"
    # a kampung named like a neighbouring desa ("Babakanpari" in Desa Tangkil) is a place
    # on the side parsed from free text and a detail word on the side whose desa came from
    # its own column: compare the details without the other side's place names
    da, db = _detail_without(a, b), _detail_without(b, a)
    if has_detail(a) and da == db and a.rt == b.rt and a.rw == b.rw and a.nums == b.nums:
        return "sama"
    rtrw_agree = bool((a.rw and b.rw) or (a.rt and b.rt))
    if da and db:
        names = fuzz.token_set_ratio(" ".join(da), " ".join(db))
        if names >= 85:
            return "same"
        if names < 60:
            return "beda"
    return "same" if rtrw_agree else None


def _detail_without(a: Location, b: Location) -> tuple[str, ...]:
    """a's detail words minus the names of b's places."""
    keys = {p.desa_key for p in b.places} | {p.kec_key for p in b.places}
    return tuple(_drop_region_names(list(a.detail), keys)) if keys and a.detail else a.detail


def has_detail(loc: Location) -> bool:
    return bool(loc.detail or loc.rt or loc.rw or loc.nums)


def number_conflict(a: Location, b: Location) -> bool:
    """A hard key: both name an RT, RW, house number, KM, dusun (...) of the same kind and
    the numbers differ ("RT 17" / "RT 18", "No. 131 C" / "No. 131"). Such places are
    different, however alike the rest of the address is written."""
    if (a.rt and b.rt and not (a.rt & b.rt)) or (a.rw and b.rw and not (a.rw & b.rw)):
        return True
    if not a.nums or not b.nums:
        return False
    kinds_a: dict[str, set[str]] = defaultdict(set)
    for n in a.nums:
        k, v = n.split(":", 1)
        kinds_a[k].add(v)
    kinds_b: dict[str, set[str]] = defaultdict(set)
    for n in b.nums:
        k, v = n.split(":", 1)
        kinds_b[k].add(v)
    return any(kinds_b[k] and not (kinds_a[k] & kinds_b[k]) for k in kinds_a)


def compare_locations(a: Location, b: Location) -> str:
    """Level of agreement between a proposal's location (a) and a Renja row's (b)."""
    if b.scope == "kabupaten" and not b.desa:
        return "kabupaten" if a.places or a.scope != "none" else "missing"
    if not a.places or not b.places:
        if a.scope == "none" or b.scope == "none":
            return "missing"
        rel = detail_relation(a, b)
        return {"sama": "detail", "same": "detail", "beda": "detail_beda"}.get(rel or "", "missing")
    best = "kecamatan_lain"
    for pa in a.places:
        for pb in b.places:
            kec_same = _same(pa.kec, pa.kec_key, pb.kec, pb.kec_key)
            if kec_same is False:
                level = "kecamatan_lain"
            elif pa.desa and pb.desa:
                desa_same = _same(pa.desa, pa.desa_key, pb.desa, pb.desa_key)
                if desa_same:
                    rel = detail_relation(a, b)
                    if rel is None:
                        level = "desa_sebagian" if has_detail(a) or has_detail(b) else "desa"
                    else:
                        level = {
                            "sama": "desa_detail_sama",
                            "same": "desa_detail",
                            "beda": "desa_detail_beda",
                        }[rel]
                else:
                    level = "desa_lain" if kec_same else "kecamatan_lain"
            elif kec_same:
                level = "kecamatan"
            else:
                level = "missing"
            if _RANK[level] < _RANK[best]:
                best = level
    return best
