"""Sample data the project makes itself: realistic, deterministic planning spreadsheets for
one region and year (Provinsi Banten, 2021) plus the ground truth to measure against.

    write_sample(data_dir, seed=2021)    the small default data set (8 OPDs)
    write_region(data_dir, seed, n_opd, n_usulan, n_renja_per_opd, ...)
                                          a larger generated region for performance work

Both write the inputs under data_dir/raw/<kind>/ (renja, rkpd, musrenbang, pokir,
nomenklatur, wilayah, opd) and the truth under data_dir/truth/ (see selaras.sample.truth
for the formats). The same seed gives byte-identical files. Only the package's own typed
reference data (selaras/sample/data/*.yaml) is used: nothing is read from elsewhere.
Existing files of the same names are overwritten; other files are left alone.

May import: this package only (and the standard library, openpyxl/xlsxwriter via its
writers). A fixture, not a stage: only the CLI's --sample, tests and bench use it.
"""

from __future__ import annotations

import random
from pathlib import Path

__all__ = ["write_sample", "write_region", "SAMPLE_LAYOUTS"]

# OPD -> (Renja layout, file name under raw/). File names are as varied as agencies send.
SAMPLE_LAYOUTS: dict[str, tuple[str, str]] = {
    "DPUPR": ("sipd", "renja/Renja_DPUPR_2021.xlsx"),
    "DINKES": ("multisheet", "renja/Renja Dinkes 2021 v3.xlsx"),
    "DINDIK": ("kodenama", "renja/RENJA_DINDIKBUD_2021.xlsx"),
    "DINSOS": ("regulasi2", "renja/RENJA DINSOS 2021 (final).xlsx"),
    "DISHUB": ("csv", "renja/renja_dishub_2021.csv"),
    "DISTAN": ("split", "renja/Rancangan Renja Distan 2021.xlsx"),
    "DPMD": ("regulasi3", "renja/renja-dpmd-2021-forum-opd.xlsx"),
    "BAPPEDA": ("sipd_title", "renja/renja_bappeda_2021.xlsx"),
}


def _bad_rows() -> dict[str, str]:
    from selaras.sample.plan import RULE_NO_NAME_NO_CODE, RULE_TOO_LARGE, RULE_UNPARSEABLE

    return {"DINSOS": RULE_TOO_LARGE, "DISHUB": RULE_UNPARSEABLE, "DPMD": RULE_NO_NAME_NO_CODE}


def write_sample(data_dir: Path, seed: int = 2021) -> list[Path]:
    """The small default data set: 8 OPDs (8 Renja layouts), ~230 Renja rows, ~125 RKPD
    sub kegiatan under 6 priorities, ~430 musrenbang proposals and ~90 pokir, about 40 %
    of them accommodated. Returns the files written (raw inputs, then truth CSVs)."""
    from selaras.sample.catalog import wilayah
    from selaras.sample.plan import Spec, named_opds

    spec = Spec(
        opds=named_opds(SAMPLE_LAYOUTS),
        wilayah=wilayah(),
        n_usulan=520,
        pokir_share=0.17,
        located_per_kamus=(3, 5),
        bad_rows=_bad_rows(),
    )
    return _write(Path(data_dir), spec, seed, big=False)


def write_region(
    data_dir: Path,
    seed: int,
    n_opd: int,
    n_usulan: int,
    n_renja_per_opd: int,
    n_desa: int | None = None,
    pokir_share: float = 0.15,
) -> list[Path]:
    """A larger generated region for performance work: the sample's 8 OPDs plus generated
    ones (UPTD / cabang dinas of the same bidang) up to n_opd, about n_renja_per_opd Renja
    rows each, n_usulan proposals (musrenbang + pokir) over n_desa villages (the typed
    subset plus synthetic kecamatan; default about one village per 25 proposals). Same
    layouts, quirks and truth files as the sample; proposal lists use constant_memory."""
    from selaras.sample.catalog import kamus
    from selaras.sample.plan import Spec, extended_wilayah, extra_opds, named_opds
    from selaras.sample.renja_layouts import LAYOUTS

    opds = named_opds(SAMPLE_LAYOUTS)[:n_opd]
    if n_opd > len(opds):
        opds += extra_opds(n_opd - len(opds), list(LAYOUTS), 2021, start=len(opds) + 1)
    n_desa = n_desa or max(100, n_usulan // 25)
    wil = extended_wilayah(n_desa, random.Random(seed + 1))
    # Rows per kamus item so that an OPD has about n_renja_per_opd rows in total (about 20
    # rows are support / programme rows without a place).
    located: dict[str, tuple[int, int]] = {}
    for b in sorted({o.bidang for o in opds}):
        n_kamus = sum(1 for k in kamus() if k.bidang == b and k.sub_kegiatan)
        per = max(1, round((n_renja_per_opd - 20) / max(1, n_kamus)))
        located[b] = (max(1, per - 1), per + 1)
    spec = Spec(
        opds=opds,
        wilayah=wil,
        n_usulan=n_usulan,
        pokir_share=pokir_share,
        located_per_kamus=located,
        bad_rows=_bad_rows(),
    )
    return _write(Path(data_dir), spec, seed, big=True)


def _write(data_dir: Path, spec, seed: int, big: bool) -> list[Path]:
    from selaras.sample import writers as w
    from selaras.sample.plan import build_plan
    from selaras.sample.renja_layouts import write_renja
    from selaras.sample.truth import write_truth

    raw = data_dir / "raw"
    plan = build_plan(spec, random.Random(seed))
    logs = []

    # Each file draws from its own random stream, so adding a file never changes another.
    def sub(name: str) -> random.Random:
        return random.Random(f"{seed}:{name}")

    for opd in plan.opds:
        rows = [r for r in plan.renja if r.opd is opd]
        logs += write_renja(raw, opd, rows, plan, sub(opd.key))
    logs += w.write_rkpd(raw, plan, sub("rkpd"))
    logs += w.write_nomenklatur(raw, plan, sub("nomenklatur"))
    logs += w.write_nomenklatur_lama(raw, plan, sub("nomenklatur_lama"))
    logs += w.write_wilayah(raw, plan, constant_memory=big)
    logs += w.write_opd(raw, plan)
    logs += w.write_musrenbang_xlsx(raw, plan, sub("musrenbang"), constant_memory=big)
    logs += w.write_musrenbang_csv(raw, plan, sub("musrenbang_csv"))
    logs += w.write_pokir(raw, plan, sub("pokir"), constant_memory=big)
    files = sorted({raw / log.source_file for log in logs})
    return files + write_truth(data_dir / "truth", plan, logs)
