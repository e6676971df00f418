"""One settings object for the whole pipeline.

Every field has a default, a help text, and can be overridden by an environment variable
`SELARAS_<NAME>` (e.g. `SELARAS_DATA_DIR=/srv/perencanaan`) or by a CLI option. Derived
paths (raw, processed, private database, published database) are properties, so they
always follow `data_dir`.

May import: pydantic and the standard library only (everything imports this module).
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The kinds of input file, each read from `data/raw/<kind>/`. `review` holds planners'
#: filled-in review workbooks; `opd` an optional list of the region's OPDs.
KINDS: tuple[str, ...] = ("renja", "rkpd", "musrenbang", "pokir", "nomenklatur", "wilayah", "opd")
PACKAGE_DIR = Path(__file__).resolve().parent


def sql_dir() -> Path:
    """The warehouse SQL: `sql/` in a checkout, `selaras/_sql` in an installed wheel."""
    checkout = PACKAGE_DIR.parent / "sql"
    return checkout if checkout.is_dir() else PACKAGE_DIR / "_sql"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SELARAS_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Folder holding raw/ (inputs) and processed/ (outputs).")
    tahun: int | None = Field(
        None, description="Plan year (tahun rencana). Default: the year most input rows carry."
    )
    paksa_tahun: bool = Field(
        False,
        description="Run for `tahun` even when the files carry other years (normally the run stops with exit 2).",
    )
    plan_period: tuple[int, int] = Field(
        (2019, 2031), description="Years accepted in input rows; a year outside is an error."
    )

    # Safety limits on input files.
    pagu_max: float = Field(
        1e13,
        description="Largest plausible amount (rupiah) of one row; a row above it is quarantined "
        "(amount_too_large). Suits a kabupaten (10 triliun); when an RKPD is loaded, its total is the "
        "bound for Renja rows and proposals instead.",
    )
    max_file_mb: float = Field(200.0, description="Files bigger than this are refused before they are read.")
    max_unzipped_mb: float = Field(
        2000.0, description="An xlsx/ods whose decompressed size exceeds this is refused (zip bomb)."
    )
    max_zip_ratio: float = Field(
        150.0, description="An xlsx/ods whose compression ratio exceeds this is refused."
    )

    # Ingest.
    header_search_rows: int = Field(
        30, description="Rows at the top of a sheet searched for the header (title rows may sit above it)."
    )
    load_batch_rows: int = Field(
        20000, description="Rows buffered before they are written to DuckDB (bounds memory on huge files)."
    )
    stream_xlsx_mb: float = Field(
        200.0,
        description="An xlsx sheet whose XML is bigger than this is streamed (bounded memory, slower) instead of "
        "being read whole (calamine needs about 100 bytes per cell).",
    )
    ingest_memory_limit: str | None = Field(
        "512MB",
        description="DuckDB memory limit while files are loaded (a large file's uncommitted rows spill to disk "
        "instead of growing memory); empty keeps DuckDB's default.",
    )
    audit_memory_limit: str | None = Field(
        "300MB",
        description="DuckDB memory limit while the accounting checks run after every run (anti-joins over "
        "every row: what does not fit spills to disk); empty keeps DuckDB's default.",
    )

    # Validation.
    validation_rules: Path | None = Field(
        None,
        description="YAML overriding the severities and thresholds of selaras/validate/rules.yaml "
        "(same shape, only the keys to change).",
    )

    # Matching thresholds (scores are 0..100).
    renja_selaras_min: float = Field(
        85.0, description="Renja->RKPD name score at or above which a row is aligned."
    )
    renja_review_min: float = Field(
        60.0, description="Renja->RKPD score at or above which a row needs review."
    )
    usulan_terakomodir_min: float | None = Field(
        None,
        description="Proposal->Renja score (match probability x 100) at or above which a proposal is "
        "accommodated. Default: taken from each run's own score distribution (the valley between "
        "matches and non-matches, never below 50); a number fixes it.",
    )
    usulan_review_min: float = Field(
        35.0,
        description="Proposal->Renja score at or above which it needs review (35-60: about one in two right).",
    )
    top_k: int = Field(5, description="Candidates kept per row, so planners can pick another.")
    renja_candidate_k: int = Field(
        30, description="Renja->RKPD/nomenclature candidates scored in detail per row."
    )
    renja_close_call: float = Field(
        3.0,
        description="Score points between the best two different items below which a Renja row needs review.",
    )
    jenis_pemda: str | None = Field(
        None,
        description="PROV or KABKOT: which nomenclature entries apply. Default: inferred from the codes.",
    )
    usulan_candidate_k: int = Field(
        20, description="Renja rows scored in detail per proposal (from TF-IDF + blocking)."
    )
    usulan_split_margin_bits: float = Field(
        0.5,
        description="Renja rows within this many bits of a proposal's best row also hold it (a split proposal).",
    )
    usulan_explain_margin_bits: float = Field(
        1.0,
        description="A Renja row fitting another proposal better by more than this (bits) is left to that one.",
    )
    match_weights: Path | None = Field(
        None, description="YAML replacing selaras/match/weights.yaml (m/u match weights per field and level)."
    )

    # Orchestration.
    nightly_cron: str = Field("0 2 * * *", description="Cron of the nightly reconciliation.")
    timezone: str = Field("Asia/Jakarta", description="Time zone of the nightly schedule.")
    dask_address: str | None = Field(
        None, description="Dask scheduler address for a scaled-out match step; None runs on this machine."
    )
    parallel_min_rows: int = Field(
        5000,
        ge=0,
        description="From this many rows a stage's jobs (workbooks, proposal partitions) are shared with worker "
        "processes, one per core but one; fewer run in this process alone (a worker costs seconds of imports). "
        "Results do not depend on it.",
    )
    lock_retries: int = Field(5, description="Times to retry when the private database is locked.")
    lock_wait_seconds: float = Field(1.0, description="Seconds between those retries (doubling).")
    publish_storage_version: str = Field(
        "v1.0.0",
        description="DuckDB storage format of the published selaras.duckdb: 'v1.0.0' opens in DuckDB 1.x "
        "and 2.x clients; empty for DuckDB's newest format (2.x clients only).",
    )

    @cached_property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @cached_property
    def processed_dir(self) -> Path:
        return self.data_dir / "processed"

    @cached_property
    def state_dir(self) -> Path:
        """Private to the pipeline: the working database, locks, Prefect's home."""
        return self.data_dir / "state"

    @cached_property
    def private_db(self) -> Path:
        return self.state_dir / "warehouse.duckdb"

    @cached_property
    def published_db(self) -> Path:
        # Named selaras.duckdb, not analytics.duckdb: the catalog takes the file's name and
        # would otherwise clash with the `analytics` schema in analysts' queries.
        return self.processed_dir / "selaras.duckdb"

    def ensure_dirs(self) -> None:
        for kind in (*KINDS, "review"):
            (self.raw_dir / kind).mkdir(parents=True, exist_ok=True)
        self.processed_dir.mkdir(parents=True, exist_ok=True)
        self.state_dir.mkdir(parents=True, exist_ok=True)


def configure_quiet_runtime(settings: Settings) -> None:
    """No telemetry, no network, Prefect's home inside the data folder (unless set)."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_HOME", str((settings.state_dir / "prefect").resolve()))
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
