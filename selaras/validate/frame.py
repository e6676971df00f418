"""The check frame: one row per staged row of a file, with the columns the expectations in
suites.yaml run on (ident, amount, kode_status, nama_skor ...), plus the columns messages
and suggestions quote (kode_acuan, nama_resmi, kode_saran ...).

Reference lookups and name scoring happen here, once per distinct value, not per row; the
expectations then only compare columns (see the note in suites.yaml on value sets)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from selaras.kamus import ERROR_VALUES, code_key, code_level
from selaras.settings import Settings
from selaras.validate.config import KindSuite, ValidationConfig
from selaras.validate.reference import Reference
from selaras.validate.text import blank, normalise_name

#: Columns of a staged table that are lineage, not content (ignored for exact duplicates).
LINEAGE = ("row_ref", "file_id", "source_file", "sheet", "source_row", "hidden", "raw")
NON_LEAF_LEVELS = ("urusan", "bidang", "program", "kegiatan")
#: Every column an expectation may reference: always present, so a suite never meets a
#: missing column (GE would raise) whatever the kind.
CHECK_COLUMNS = (
    "ident",
    "amount",
    "amount_unparsed",
    "amount_date",
    "amount_error_value",
    "amount_any",
    "target_unparsed",
    "tahun",
    "row_kind",
    "kode_given",
    "kode_norm",
    "kode_repaired",
    "kode_status",
    "nama_skor",
    "duplicate_of",
    "opd_status",
    "row_id",
    "amount_leaf",
)


@dataclass
class CheckFrame:
    frame: pd.DataFrame  # RangeIndex; position i is staged row i
    params: dict[str, Any]  # expectation parameters ($PARAMETER values)
    context: dict[str, Any]  # values file-level messages quote
    #: file_id -> (params, context) of that file (the stated JUMLAH total) when the frame
    #: holds the rows of many files of one kind.
    per_file: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)

    def for_file(self, file_id: str, start: int, stop: int) -> CheckFrame:
        """One file's part (rows start..stop of the frame), re-indexed from 0, with that
        file's parameters and context."""
        params, context = self.per_file.get(file_id, ({}, {}))
        return CheckFrame(
            frame=self.frame.iloc[start:stop].reset_index(drop=True),
            params={**self.params, **params},
            context={**self.context, **context},
        )

    def gx_frame(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The columns GE sees (only those a suite reads: GE copies the frame per metric)."""
        return self.frame.loc[:, list(columns if columns is not None else CHECK_COLUMNS)]


def _omap(series: pd.Series, fn) -> pd.Series:
    """Series.map keeping object dtype and None (pandas 3's map infers a string dtype and
    turns None into NaN), calling fn once per distinct value (columns repeat a lot)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [fn(v) for v in uniques]
    mapped[-1] = fn(None)
    return pd.Series(mapped[codes], index=series.index, dtype=object)


def _text(series: pd.Series) -> pd.Series:
    """Strings with blanks as None (object dtype: GE treats None as missing)."""
    return _omap(series, lambda v: None if blank(v) else str(v).strip())


#: A code cell with a letter O / I / l between digits and dots.
_LOOKALIKE_IN_CODE = r"^\s*'?[0-9OoIlxX.\s]*[OoIl][0-9OoIlxX.\s]*(?:\s|$)"
#: How kamus.cell_text writes a date or time cell (and how people type one).
_DATE_TEXT = r"^\s*(\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?|\d{2}:\d{2}(:\d{2})?|\d{1,2}[/-]\d{1,2}[/-]\d{2,4})\s*$"
_LEADING_NUMBER = re.compile(r"^\s*[-+]?\d[\d.,]*(\s|%|$)")


def _unparsed(
    raw: pd.Series | None,
    parsed: pd.Series | None,
    placeholders: frozenset[str],
    number_with_unit_ok: bool = False,
) -> pd.Series:
    """The raw text where something was written but the typed value is NULL. With
    number_with_unit_ok, a text that starts with a number ('12 Titik', '0,96') counts as a
    number even if ingest left the typed value empty."""
    if raw is None or parsed is None:
        return _none(len(parsed) if parsed is not None else len(raw))
    text = _text(raw)
    bad = text.notna() & ~text.isin(placeholders) & parsed.isna()
    if number_with_unit_ok:
        bad &= ~text.fillna("").str.match(_LEADING_NUMBER)
    return text.where(bad, None)


def _column(df: pd.DataFrame, name: str | None) -> pd.Series | None:
    return df[name] if name and name in df.columns else None


def _none(n: int) -> pd.Series:
    return pd.Series([None] * n, dtype=object)


def _first_present(df: pd.DataFrame, names: list[str]) -> pd.Series:
    out = _none(len(df))
    for name in names:
        col = _column(df, name)
        if col is not None:
            out = out.where(out.notna(), _text(col))
    return out


def _row_labels(df: pd.DataFrame) -> pd.Series:
    """'12', or '12 (lembar Data)' in a file of several sheets."""
    sheets = df["sheet"].astype(str)
    label = df["source_row"].astype("Int64").astype(str)
    multi = sheets.groupby(_file_key(df)).transform("nunique") > 1
    return label.where(~multi, label + " (lembar " + sheets + ")")


def _file_key(df: pd.DataFrame) -> pd.Series:
    """The file of each row (a frame may hold the rows of many files of one kind)."""
    if "file_id" in df.columns:
        return pd.Series(df["file_id"].astype(str).to_numpy(), index=df.index)
    return pd.Series("", index=df.index)


def _duplicates(df: pd.DataFrame) -> pd.Series:
    """For the second and later copies of a row repeated exactly within its file: the
    first copy's row."""
    content = [c for c in df.columns if c not in LINEAGE]
    if not content or df.empty:
        return _none(len(df))
    keyed = df[content].astype(str)
    keyed.insert(0, "__file", _file_key(df).to_numpy())
    key = pd.util.hash_pandas_object(keyed, index=False)
    repeated = key.duplicated(keep="first")
    if not repeated.any():
        return _none(len(df))
    first = _row_labels(df).groupby(key.values).transform("first")
    return first.where(repeated.values, None).astype(object).reset_index(drop=True)


def _codes(df: pd.DataFrame, suite: KindSuite) -> tuple[pd.Series, pd.Series]:
    """(as written, normalised) code of each row."""
    field = suite.fields.get("code")
    given = _text(df[field]) if field in df.columns else _none(len(df))
    normal = _column(df, "kode")
    norm = _text(normal) if normal is not None else _none(len(df))
    norm = _omap(norm.where(norm.notna(), given), code_key)
    return given, norm


def _row_kind(df: pd.DataFrame, suite: KindSuite, kode_norm: pd.Series) -> pd.Series:
    field = suite.fields.get("row_kind")
    if not field or field not in df.columns:
        return _none(len(df))
    kind = _text(df[field])
    if field in ("kode_level",):
        # Ingest may leave the level empty; the code's shape then says it.
        kind = kind.where(kind.notna(), _omap(kode_norm, code_level))
    return kind


def name_score(name: str, official: str) -> float:
    """0-100 similarity of two normalised names. A name cut short (SIPD exports truncate
    long names) that is a long prefix of the official name counts as the same name."""
    if len(name) >= 40 and official.startswith(name):
        return 100.0
    return float(fuzz.token_sort_ratio(name, official))


def _reference_columns(
    out: pd.DataFrame,
    df: pd.DataFrame,
    suite: KindSuite,
    reference: Reference | None,
    config: ValidationConfig,
) -> None:
    """kode_status / kode_acuan / nama_resmi / nama_skor / kode_saran / saran_alasan."""
    n = len(df)
    for name in ("kode_status", "kode_acuan", "nama_resmi", "kode_saran", "saran_alasan"):
        out[name] = _none(n)
    out["nama_skor"] = np.nan
    nom = reference.nomenclature if reference else None
    if "code" not in suite.fields:
        return
    lokal = out["row_kind"].eq("lokal")
    out.loc[lokal & out["kode_given"].notna(), "kode_status"] = "lokal"
    if nom is None:
        return
    code_name = (
        _text(df[suite.fields["code_name"]]) if suite.fields.get("code_name") in df.columns else _none(n)
    )
    norm_name = _omap(code_name, normalise_name)
    # Only codes of a known level are looked up: a malformed code is already an error.
    todo = (
        out["kode_norm"].notna() & ~lokal & out["row_kind"].isin([k for k in suite.row_kinds if k != "lokal"])
    )
    keys = pd.DataFrame({"code": out["kode_norm"], "name": norm_name})[todo]
    min_outdated = config.thresholds["outdated_name_min_score"]
    results: dict[tuple[str, str], tuple] = {}
    for code, name in keys.drop_duplicates().itertuples(index=False):
        acuan = nom.lookup(code)
        if acuan:
            official = nom.official_name(acuan)
            score = name_score(name, normalise_name(official)) if official and name else np.nan
            results[(code, name)] = ("current", acuan, official, score, None, None)
            continue
        old = nom.outdated(code, name, min_outdated)
        if old:
            results[(code, name)] = ("outdated", None, None, np.nan, old.suggestion, old.reason)
        else:
            results[(code, name)] = ("unknown", None, None, np.nan, None, None)
    if not results:
        return
    looked = [results[k] for k in keys.itertuples(index=False, name=None)]
    idx = keys.index
    cols = list(zip(*looked, strict=True))
    out.loc[idx, "kode_status"] = list(cols[0])
    out.loc[idx, "kode_acuan"] = list(cols[1])
    out.loc[idx, "nama_resmi"] = list(cols[2])
    out.loc[idx, "nama_skor"] = np.array(cols[3], dtype=float)
    out.loc[idx, "kode_saran"] = list(cols[4])
    out.loc[idx, "saran_alasan"] = list(cols[5])


def _opd_columns(
    out: pd.DataFrame,
    df: pd.DataFrame,
    suite: KindSuite,
    reference: Reference | None,
    config: ValidationConfig,
) -> None:
    n = len(df)
    out["opd_status"] = _none(n)
    out["opd_saran"] = _none(n)
    out["opd_source"] = _none(n)
    field = suite.fields.get("opd")
    opd_list = reference.opd if reference else None
    if not field or field not in df.columns or opd_list is None:
        return
    if suite.kind == "rkpd" and "RKPD" in opd_list.source:
        return  # the RKPD's own OPDs are the list: nothing to check it against
    opd = _text(df[field])
    seen: dict[str, tuple[str, str | None]] = {}
    for value in opd.dropna().unique():
        known, best = opd_list.match(value, config.thresholds["opd_suggest_score"])
        seen[value] = ("known" if known else "unknown", None if known else best)
    present = opd.notna()
    out["opd_status"] = _omap(opd, lambda v: None if v is None else seen[v][0])
    out["opd_saran"] = _omap(opd, lambda v: None if v is None else seen[v][1])
    out.loc[present, "opd_source"] = opd_list.source


def build_frame(
    staged: pd.DataFrame,
    suite: KindSuite,
    reference: Reference | None,
    config: ValidationConfig,
    settings: Settings,
    totals: dict[str, float] | None = None,
) -> CheckFrame:
    """One file's check frame. staged: its rows ordered by sheet, source_row (any index);
    totals: sheet -> the JUMLAH total it states."""
    file_id = str(staged["file_id"].iloc[0]) if "file_id" in staged.columns and len(staged) else ""
    cf = build_kind_frame(staged, suite, reference, config, settings, {file_id: totals or {}})
    return cf.for_file(file_id, 0, len(cf.frame))


def build_kind_frame(
    staged: pd.DataFrame,
    suite: KindSuite,
    reference: Reference | None,
    config: ValidationConfig,
    settings: Settings,
    totals: dict[str, dict[str, float]],
    pagu_bound: tuple[float, str] | None = None,
) -> CheckFrame:
    """The check frame of many files of one kind at once (the file is a column: file_id).
    staged: their rows ordered by file, sheet, source_row; totals: file_id -> sheet -> the
    JUMLAH total the sheet states; pagu_bound: the largest plausible amount of one row and
    where that bound comes from. Row checks are the same as file by file; duplicates,
    row labels and totals are taken within each file."""
    df = staged.reset_index(drop=True)
    n = len(df)
    f = suite.fields
    out = pd.DataFrame(index=pd.RangeIndex(n))
    for name in ("row_ref", "file_id", "sheet", "source_row"):
        out[name] = df[name] if name in df.columns else _none(n)

    kode_given, kode_norm = _codes(df, suite) if "code" in f else (_none(n), _none(n))
    out["kode_given"] = kode_given
    out["kode_norm"] = kode_norm
    # A code read only after look-alike letters were taken as digits (`1.O2.01`): say so.
    out["kode_repaired"] = kode_norm.where(
        kode_given.str.contains(_LOOKALIKE_IN_CODE).fillna(False).astype(bool)
        & kode_given.str.contains(r"\d").fillna(False).astype(bool)
        & kode_norm.notna(),
        None,
    )
    # Messages quote the code as written; add how it was read when that differs
    # ('3 | 27 | 3 | 1.01 | 10' is read as 3.27.03.1.01.0010).
    out["kode_dibaca"] = [
        f" (dibaca {n})" if n and g and "".join(str(g).split()).strip(".").upper() != n else ""
        for g, n in zip(kode_given, kode_norm, strict=True)
    ]
    name_fields = [f["name"], *f.get("also_name", [])] if "name" in f else []
    ident = _first_present(df, name_fields)
    out["ident"] = ident.where(ident.notna(), kode_given)
    _value_columns(out, df, suite, config)
    out["row_kind"] = _row_kind(df, suite, kode_norm)

    _reference_columns(out, df, suite, reference, config)
    out["nama_skor_text"] = _omap(out["nama_skor"], lambda s: "" if pd.isna(s) else f"{s:.0f}")
    _opd_columns(out, df, suite, reference, config)
    out["duplicate_of"] = _duplicates(df)
    out["row_id"] = _row_ids(df, f.get("id") or [])
    out["amount_leaf"] = _leaf_amounts(out, totals)

    tahun_min, tahun_max = settings.plan_period
    pagu_bound = pagu_bound or (settings.pagu_max, "SELARAS_PAGU_MAX")
    params = {
        "tahun_min": tahun_min,
        "tahun_max": tahun_max,
        "nama_min_score": config.thresholds["nama_min_score"],
        "row_kinds": list(suite.row_kinds),
        "total_min": None,
        "total_max": None,
        "pagu_max": pagu_bound[0],
    }
    nom = reference.nomenclature if reference else None
    context = {
        "tahun_min": tahun_min,
        "tahun_max": tahun_max,
        "expected_kinds": ", ".join(suite.row_kinds),
        "versi": nom.versi if nom else "-",
        "expected": _money(None),
        "pagu_batas": _money(pagu_bound[0]),
        "pagu_batas_asal": pagu_bound[1],
    }
    tol = config.thresholds["total_tolerance"]
    per_file = {}
    for file_id, sheets in totals.items():
        grand = sum(sheets.values()) if sheets else None
        if grand is not None:
            per_file[file_id] = (
                {"total_min": grand - tol, "total_max": grand + tol},
                {"expected": _money(grand)},
            )
    return CheckFrame(frame=out, params=params, context=context, per_file=per_file)


def _value_columns(out: pd.DataFrame, df: pd.DataFrame, suite: KindSuite, config: ValidationConfig) -> None:
    """amount / amount_unparsed / amount_any / target_unparsed / tahun."""
    n, f = len(df), suite.fields
    amount = _column(df, f.get("amount"))
    amount_raw = _column(df, f"{f['amount']}_raw") if "amount" in f else None
    out["amount"] = pd.to_numeric(amount, errors="coerce") if amount is not None else np.nan
    unparsed = _unparsed(amount_raw, amount, config.placeholders) if amount is not None else _none(n)
    # What cannot be read as money, by why: a date or time (a cell formatted as a date), what
    # a failed formula or another program leaves (`#N/A`, `NaN`, `inf`), anything else.
    lowered = unparsed.str.lower().str.strip()
    is_date = unparsed.str.match(_DATE_TEXT).fillna(False).astype(bool)
    is_error = lowered.isin(ERROR_VALUES).fillna(False).astype(bool)
    out["amount_date"] = unparsed.where(is_date, None)
    out["amount_error_value"] = unparsed.where(is_error & ~is_date, None)
    out["amount_unparsed"] = unparsed.where(~is_date & ~is_error, None)
    out["amount_any"] = out["amount"].astype(object).where(out["amount"].notna(), out["amount_unparsed"])
    target = _column(df, f.get("target"))
    target_raw = _column(df, f"{f['target']}_raw") if "target" in f else None
    out["target_unparsed"] = (
        _unparsed(target_raw, target, config.placeholders, number_with_unit_ok=True)
        if target is not None
        else _none(n)
    )
    tahun = _column(df, f.get("tahun"))
    out["tahun"] = pd.to_numeric(tahun, errors="coerce") if tahun is not None else np.nan


def _row_ids(df: pd.DataFrame, ids: list[str]) -> pd.Series:
    """The fields that identify a row, joined with ' | ' (None when the first is blank)."""
    if not ids or ids[0] not in df.columns:
        return _none(len(df))
    first = _text(df[ids[0]])
    joined = first.astype(object)
    for extra in ids[1:]:
        if extra in df.columns:
            joined = pd.Series(
                [a if b is None else f"{a} | {b}" for a, b in zip(joined, _text(df[extra]), strict=True)],
                dtype=object,
            )
    return joined.where(first.notna(), None)


def _leaf_amounts(out: pd.DataFrame, totals: dict[str, dict[str, float]]) -> pd.Series:
    """The amounts a sheet's JUMLAH total adds up: on sheets that state a total, and on a
    sheet with sub kegiatan rows only those (the urusan..kegiatan rows are their sums)."""
    keys = {(str(file_id), str(sheet)) for file_id, sheets in totals.items() for sheet in sheets}
    if not keys or out.empty:
        return out["amount"].where(pd.Series(False, index=out.index))
    sheet_key = pd.Series(
        list(zip(out["file_id"].astype(str), out["sheet"].astype(str), strict=True)), index=out.index
    )
    in_total_sheet = sheet_key.isin(keys)
    has_sub = out["row_kind"].eq("sub_kegiatan").groupby(sheet_key).transform("any")
    leaf = ~(in_total_sheet & has_sub & out["row_kind"].isin(NON_LEAF_LEVELS))
    return out["amount"].where(in_total_sheet & leaf)


def _money(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}".replace(",", ".")


def money_text(value: Any) -> str:
    """Amount for messages, Indonesian thousands separator."""
    try:
        return _money(float(value))
    except (TypeError, ValueError):
        return str(value)
