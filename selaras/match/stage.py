"""The match stage entry point: reads the clean views, runs the Renja matcher (renja.py)
and the proposal matcher (usulan.py), replaces the match.* tables as a whole in one
transaction and reports figures for the run summary."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import duckdb
import pandas as pd

from selaras import workers
from selaras.kamus.opd import build_resolver, load_aliases
from selaras.match.location import Gazetteer
from selaras.match.renja import RenjaConfig, match_renja
from selaras.match.usulan import UsulanConfig, UsulanWorkItem, match_usulan
from selaras.runs import StageResult
from selaras.settings import Settings

MapFn = Callable[[Callable, Iterable], Iterable]

# Columns read from the clean views (not `raw`: the matcher does not need the cells).
_COLUMNS = {
    "renja": "row_ref, source_file, sheet, source_row, opd, tahun, kode_raw, kode, kode_level, nama, program_kode, "
    "program_nama, kegiatan_kode, kegiatan_nama, indikator, target_raw, target, satuan, lokasi, pagu, keterangan",
    "rkpd": "row_ref, source_file, sheet, source_row, tahun, prioritas, sasaran, kode_raw, kode, kode_level, nama, "
    "program_kode, program_nama, kegiatan_kode, kegiatan_nama, indikator, target, satuan, lokasi, pagu, opd",
    "usulan": "row_ref, source_file, sheet, source_row, channel, usulan_id, tahun, tahapan, usulan, uraian, kode_raw, "
    "kode, nama_kegiatan, lokasi, kecamatan, desa, kode_wilayah, volume_raw, volume, satuan, anggaran_raw, "
    "anggaran, opd_tujuan",
    "nomenklatur": "row_ref, versi, jenis_pemda, kode_raw, kode, kode_level, nama, kode_induk, kode_sebelumnya",
    "wilayah": "row_ref, kode, level, nama, nama_lain, kode_induk",
    "opd": "row_ref, kode, nama, singkatan",
}


def load_inputs(con: duckdb.DuckDBPyConnection, tahun: int | None = None) -> dict[str, pd.DataFrame]:
    """The clean views as DataFrames, in source order. With `tahun`, plan rows of other
    years are left out (rows without a year are kept)."""
    out = {}
    for name, cols in _COLUMNS.items():
        sql = f"select {cols} from clean.{name}"  # noqa: S608 - constant names
        params: list = []
        if tahun is not None and name in ("renja", "rkpd", "usulan"):
            sql += " where tahun is null or tahun = ?"
            params.append(tahun)
        sql += (
            " order by source_file, sheet, source_row" if name != "nomenklatur" else " order by kode, row_ref"
        )
        out[name] = con.execute(sql, params).df()
    return out


def with_official_names(renja: pd.DataFrame, align: pd.DataFrame) -> pd.DataFrame:
    """Renja rows plus `nama_resmi`: the name of the RKPD item they align with, else of the
    nearest nomenclature entry. A row whose name cell is empty (only a code) still says what
    it is, and proposals meet the official wording too."""
    if renja.empty or align.empty:
        return renja.assign(nama_resmi=None)
    a = align.set_index("renja_ref")
    aligned = a["status"].isin(["selaras", "selaras_nama"])
    resmi = a["nama_rkpd"].where(aligned & a["nama_rkpd"].notna(), a["nama_nomenklatur"])
    return renja.assign(nama_resmi=renja["row_ref"].map(resmi))


def _parameter_figures(acc: pd.DataFrame, cfg: UsulanConfig) -> dict:
    """Cut points and how the match weights were estimated, for the run summary."""
    w = acc.attrs.get("match_weights")
    blocks = w.drop_duplicates("blok") if w is not None and not w.empty else pd.DataFrame()
    cut = acc.attrs.get("cut")
    out = {
        "cut_terakomodir": cut.value if cut else cfg.terakomodir_min,
        "cut_terakomodir_source": cut.source if cut else "pengaturan",
        "cut_review": cfg.review_min,
    }
    if cut and cut.valley is not None:
        out["cut_valley"] = round(cut.valley, 1)
    if not blocks.empty:
        out["blocks"] = len(blocks)
        out["blocks_em"] = int(blocks["em_used"].sum())
        out["blocks_prior"] = int((~blocks["em_used"].astype(bool)).sum())
    return out


def _partition_size(item: UsulanWorkItem) -> float:
    return len(item.usulan) * max(len(item.renja), 1)


def local_map(n_usulan: int, min_rows: int) -> tuple[MapFn, int]:
    """Where `n_usulan` proposals' partitions run on this machine: (map_fn, worker count).
    A big region's are shared by this process and the run's worker processes
    (selaras.workers; started now if no stage before did, so that their imports overlap
    the Renja match)."""
    pool, n_workers = workers.shared_pool(n_usulan, min_rows)
    return workers.shared_map(pool, n_workers, _partition_size), n_workers


def match_all(
    con: duckdb.DuckDBPyConnection, settings: Settings, run_id: str, map_fn: MapFn | None = None
) -> StageResult:
    """The match stage: read clean.*, run both matchers, replace match.* in one transaction.
    `map_fn` runs the per-OPD proposal partitions (a Dask-backed map on a cluster); without
    it a big region's partitions go to worker processes on this machine, whose start-up
    overlaps the Renja match. Results do not depend on where the partitions run."""
    from selaras import warehouse

    result = StageResult("match")
    t0 = time.perf_counter()
    inputs = load_inputs(con, settings.tahun)
    resolver = build_resolver(inputs, load_aliases(settings.raw_dir)[0])
    gazetteer = Gazetteer.from_frame(inputs["wilayah"])
    here, n_workers = local_map(
        0 if map_fn is not None else len(inputs["usulan"]), settings.parallel_min_rows
    )
    align, renja_cands = match_renja(
        inputs["renja"],
        inputs["rkpd"],
        inputs["nomenklatur"],
        RenjaConfig.from_settings(settings),
        resolver,
    )
    t1 = time.perf_counter()
    renja = with_official_names(inputs["renja"], align)
    acc, usulan_cands = match_usulan(
        inputs["usulan"],
        renja,
        gazetteer,
        UsulanConfig.from_settings(settings),
        resolver,
        map_fn=map_fn or here,
    )
    t2 = time.perf_counter()

    with warehouse.transaction(con):
        for table in (
            "match.renja_candidate",
            "match.renja_alignment",
            "match.usulan_candidate",
            "match.usulan_accommodation",
            "match.match_weights",
        ):
            con.execute(f"delete from {table}")  # noqa: S608 - constant names
        warehouse.insert_df(con, "match.renja_alignment", align.assign(decided_by="matcher"))
        warehouse.insert_df(con, "match.renja_candidate", renja_cands)
        warehouse.insert_df(con, "match.usulan_accommodation", acc.assign(decided_by="matcher"))
        warehouse.insert_df(con, "match.usulan_candidate", usulan_cands)
        weights = acc.attrs.get("match_weights")
        if weights is not None:
            warehouse.insert_df(con, "match.match_weights", weights)

    result.figures.update(
        {
            "renja": len(align),
            **{f"renja_{k}": int(v) for k, v in align["status"].value_counts().items()},
            "usulan": len(acc),
            **{f"usulan_{k}": int(v) for k, v in acc["status"].value_counts().items()},
            **_parameter_figures(acc, UsulanConfig.from_settings(settings)),
            "seconds_renja": round(t1 - t0, 2),
            "seconds_usulan": round(t2 - t1, 2),
            "usulan_workers": n_workers,  # worker processes beside this one
        }
    )
    if not inputs["renja"].empty and inputs["rkpd"].empty:
        result.problem(
            "RKPD belum dimuat: baris Renja tidak bisa dicek keselarasannya (no RKPD rows).", fatal=False
        )
    w = acc.attrs.get("match_weights")
    if w is not None and not w.empty and not w["em_used"].all():
        n = int((~w.drop_duplicates("blok")["em_used"].astype(bool)).sum())
        result.problem(
            f"Bobot m: {n} blok OPD memakai prior weights.yaml (EM tidak dijalankan, datanya terlalu "
            "sedikit, atau tidak konvergen); u diestimasi dari pasangan acak run ini.",
            fatal=False,
        )
    if not inputs["usulan"].empty and inputs["renja"].empty:
        result.problem("Renja belum dimuat: usulan tidak bisa dicek (no Renja rows).", fatal=False)
    return result
