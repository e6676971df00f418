"""Comparison features of proposals and Renja rows, computed once per row: the work type,
the object of the work, the text for IDF similarity, the resolved location, the volume in
a canonical unit, the cost and the code. DataFrame in, DataFrame out."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from selaras.kamus import code_key
from selaras.kamus.names import Normalizer, default_normalizer, lexicon, parse_quantity, split_work_tokens
from selaras.kamus.opd import OpdResolver
from selaras.match.location import Gazetteer, Location, has_detail, parse_location
from selaras.match.wording import strip_procurement

#: Location phrases removed from a text before comparing what it says (the location is
#: compared as its own field; a village name must not make two texts look alike).
_LOCATION_PHRASE = re.compile(
    r"\b(?:kecamatan|kec|desa\s*/\s*kelurahan|desa|kelurahan|kel|ds|kp|kmp|kampung|dusun|dsn|rt|rw|kab|kabupaten|kota)"
    r"\b\.?\s*:?\s*[a-z0-9]+(?:\s*[/.]\s*\d+)?"
)

FEATURE_COLUMNS = [
    "ref",
    "order",
    "opd",
    "kode",
    "work",
    "work_mask",
    "name",
    "name_words",
    "name_key",
    "name_x",
    "name_c",
    "doc",
    "doc_c",
    "doc_eq",
    "desc",
    "loc",
    "loc_code",
    "loc_detail",
    "qty",
    "unit",
    "cost",
    "dana",
]


def _text(*parts: object) -> str:
    return " ".join(str(p) for p in parts if isinstance(p, str) and p.strip())


@functools.lru_cache(maxsize=1 << 16)
def strip_location(text: str) -> str:
    # cached: proposals repeat their texts (kamus items, one work in many desa)
    return _LOCATION_PHRASE.sub(" ", text.lower())


def place_parser(gazetteer: Gazetteer) -> Callable[..., Location]:
    """parse_location with the gazetteer bound, worked out once per distinct input in one
    features call: proposals repeat their desa, kecamatan and addresses."""
    seen: dict[tuple, Location] = {}

    def parse(*args: object) -> Location:
        try:
            loc = seen.get(args)
        except TypeError:  # an unhashable cell: parsed, not remembered
            return parse_location(args[0], gazetteer, *args[1:])
        if loc is None:
            loc = seen[args] = parse_location(args[0], gazetteer, *args[1:])
        return loc

    return parse


def objects(values: object, index: pd.Index | None = None) -> pd.Series:
    """A column of Python objects kept as such: strings are not converted to pandas'
    Arrow strings, which every later lookup by position would convert back (a matcher's
    block looks up millions of pairs)."""
    return pd.Series(values, index=index, dtype=object)


def work_bits() -> dict[str, int]:
    kinds = sorted({k for k in lexicon().work_words.values()})
    return {k: 1 << i for i, k in enumerate(kinds)}


def work_mask(kinds: tuple[str, ...]) -> int:
    bits = work_bits()
    m = 0
    for k in kinds:
        m |= bits.get(k, 0)
    return m


def related_mask(mask: int) -> int:
    """All work types in a group with any of the mask's types."""
    bits = work_bits()
    out = 0
    for g in lexicon().work_groups:
        gm = sum(bits[k] for k in g if k in bits)
        if mask & gm:
            out |= gm
    return out


def _typed_or_raw(r: object, field: str) -> object:
    """The parsed value of a row's field, else the text it was parsed from (`<field>_raw`)."""
    value = getattr(r, field, None)
    if value is None or (isinstance(value, float) and value != value):
        value = getattr(r, f"{field}_raw", None)
    return value


def _code_or_raw(df: pd.DataFrame) -> pd.Series:
    """The normalised code, else the code as written."""
    return _col(df, "kode").where(_col(df, "kode").notna(), _col(df, "kode_raw"))


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name] if name in df.columns else pd.Series([None] * len(df), index=df.index, dtype=object)


def _text_features(
    raw_name: str, raw_doc: str, desc: str, norm: Normalizer, work_from_desc: bool
) -> tuple[tuple[str, ...], str, str, str, str, str, str, str | None, str]:
    """(work kinds, object, object with nomenclature words, object as concepts, text,
    text with concepts, text with same-meaning words only, funding source, name key)."""
    # procurement wording ("Belanja Modal", "Paket 3", "(DAK)") says how, not what
    name, dana = strip_procurement(raw_name)
    doc, dana_doc = strip_procurement(raw_doc)
    kinds, obj = norm.split_work(name)
    if work_from_desc and desc:
        # a Renja indikator says the work too: "Jumlah MCK yang Dibangun"
        kinds = tuple(dict.fromkeys(kinds + norm.split_work(desc)[0]))
    elif not kinds and doc:
        kinds = norm.split_work(doc)[0][:2]
    expanded_doc = norm.expanded(doc)
    return (
        kinds,
        " ".join(obj),
        # the object with the nomenclature words of citizens' terms ("kelompok tani" -> petani)
        " ".join(split_work_tokens(norm.expanded(name), norm.lex)[1]),
        # ... and with each citizens' term as one concept (see Normalizer.concepts)
        " ".join(norm.concepts(obj)),
        " ".join(expanded_doc),
        " ".join(norm.with_concepts(expanded_doc)),
        " ".join(norm.expanded(doc, broader=False)),
        dana or dana_doc,
        norm.normalize(name),
    )


def _features(
    refs: pd.Series,
    opd: pd.Series,
    kode: pd.Series,
    names: list[str],
    docs: list[str],
    descs: list[str],
    locs: list[Location],
    qty: list[tuple[float | None, str | None]],
    cost: pd.Series,
    norm: Normalizer,
    work_from_desc: bool,
) -> pd.DataFrame:
    # proposals repeat their texts (kamus items, one work in many desa): each distinct
    # (name, text, description) is worked out once
    seen: dict[tuple[str, str, str], tuple] = {}
    rows = []
    for key in zip(names, docs, descs, strict=True):
        if key not in seen:
            seen[key] = _text_features(*key, norm, work_from_desc)
        rows.append(seen[key])
    cols = list(zip(*rows, strict=True)) if rows else [()] * 9
    works, objs, objs_x, objs_c, texts, texts_c, texts_eq, danas, keys = (list(c) for c in cols)
    out = pd.DataFrame(
        {
            "ref": objects(refs.astype(str).to_numpy()),
            "order": np.arange(len(refs)),
            "opd": objects(opd.to_numpy()),
            "kode": objects([code_key(k) for k in kode]),
            "work": works,
            "work_mask": [work_mask(w) for w in works],
            "name": objects(objs),
            # one-word objects are subsets of many names (the name similarity's guard)
            "name_words": np.array([len(o.split()) for o in objs], dtype=np.int32),
            # the whole name, normalised: the key of the exact rule (same kegiatan by name)
            "name_key": objects(keys),
            "name_x": objects(objs_x),
            "name_c": objects(objs_c),
            "doc": objects(texts),
            "doc_c": objects(texts_c),
            "doc_eq": objects(texts_eq),
            "desc": objects([norm.normalize(d) for d in descs]),
            "loc": locs,
            # equal places, equal codes: the comparisons work once per distinct pair of places
            "loc_code": pd.factorize(pd.Series(locs, dtype=object), use_na_sentinel=False)[0],
            # the place names a kampung / RT / number (the location levels' class)
            "loc_detail": np.array([has_detail(loc) for loc in locs], dtype=bool),
            "qty": [q[0] for q in qty],
            "unit": objects([q[1] for q in qty]),
            "cost": pd.to_numeric(cost, errors="coerce").to_numpy(),
            "dana": objects(danas),  # funding source (DAK / DAU / APBD / BK ...), None when not named
        }
    )
    return out


#: One row's (name, document, description, place, quantity), from the row and a place parser.
Extract = Callable[[Any, Callable[..., Location]], tuple[str, str, str, Location, tuple]]


def _usulan_row(r: Any, place: Callable[..., Location]) -> tuple[str, str, str, Location, tuple]:
    usulan, keg, uraian = (
        getattr(r, "usulan", None),
        getattr(r, "nama_kegiatan", None),
        getattr(r, "uraian", None),
    )
    name = keg if isinstance(keg, str) and keg.strip() else usulan
    doc = strip_location(_text(usulan, keg if keg != usulan else None, uraian))
    # what the proposal says beyond the kegiatan it picked (a kamus item or free text)
    desc = strip_location(_text(uraian, usulan if isinstance(keg, str) and keg != usulan else None))
    loc = place(
        getattr(r, "lokasi", None),
        getattr(r, "kecamatan", None),
        getattr(r, "desa", None),
        getattr(r, "kode_wilayah", None),
    )
    if loc.scope == "none":
        loc = place(_text(usulan, uraian))
    qty = parse_quantity(_typed_or_raw(r, "volume"), getattr(r, "satuan", None))
    return (strip_location(name) if isinstance(name, str) else ""), doc, desc, loc, qty


def _renja_row(r: Any, place: Callable[..., Location]) -> tuple[str, str, str, Location, tuple]:
    nama, keg = getattr(r, "nama", None), getattr(r, "kegiatan_nama", None)
    ind, ket = getattr(r, "indikator", None), getattr(r, "keterangan", None)
    # the official name of the row's item (RKPD / nomenclature, from the Renja match)
    # stands in for a missing name and adds the official wording to the text
    resmi = getattr(r, "nama_resmi", None)
    resmi = resmi if isinstance(resmi, str) and resmi.strip() else None
    name = nama if isinstance(nama, str) and nama.strip() else resmi
    doc = strip_location(_text(nama, resmi if resmi != nama else None, keg, ind, ket))
    loc = place(getattr(r, "lokasi", None))
    if loc.scope in ("none", "detail"):
        alt = place(_text(nama, ket))
        if alt.places:
            loc = alt
    qty = parse_quantity(_typed_or_raw(r, "target"), getattr(r, "satuan", None))
    return (strip_location(name) if name else ""), doc, strip_location(_text(ind, ket)), loc, qty


def _rows_features(
    df: pd.DataFrame,
    gazetteer: Gazetteer,
    resolver: OpdResolver | None,
    norm: Normalizer | None,
    extract: Extract,
    columns: tuple[str, str],
    is_renja: bool,
) -> pd.DataFrame:
    """Features of `df`'s rows, each read by `extract`; `columns`: (OPD, amount) columns."""
    norm = norm or default_normalizer()
    place = place_parser(gazetteer)
    rows = [extract(r, place) for r in df.itertuples(index=False)]
    names, docs, descs, locs, qty = (
        (list(c) for c in zip(*rows, strict=True)) if rows else ([], [], [], [], [])
    )
    opd_col, amount_col = columns
    opd = _col(df, opd_col).map(resolver.resolve) if resolver else _col(df, opd_col)
    return _features(
        _col(df, "row_ref"),
        opd,
        _code_or_raw(df),
        names,
        docs,
        descs,
        locs,
        qty,
        _col(df, amount_col),
        norm,
        is_renja,
    )


def usulan_features(
    df: pd.DataFrame,
    gazetteer: Gazetteer,
    resolver: OpdResolver | None = None,
    norm: Normalizer | None = None,
) -> pd.DataFrame:
    """Features of proposals (columns of staged.usulan)."""
    return _rows_features(df, gazetteer, resolver, norm, _usulan_row, ("opd_tujuan", "anggaran"), False)


def renja_features(
    df: pd.DataFrame,
    gazetteer: Gazetteer,
    resolver: OpdResolver | None = None,
    norm: Normalizer | None = None,
) -> pd.DataFrame:
    """Features of Renja rows (columns of staged.renja) as targets of proposals."""
    return _rows_features(df, gazetteer, resolver, norm, _renja_row, ("opd", "pagu"), True)
