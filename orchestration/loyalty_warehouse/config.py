"""Configuration from one place: environment variables with defaults.

Every path the pipeline touches is decided here, so pointing the warehouse at a company's own
exports is one environment variable (`LOYALTY_LANDING_DIR`). See `.env.example`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _path(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    path = Path(value) if value else default
    return path if path.is_absolute() else (REPO_ROOT / path)


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse_path: Path
    published_path: Path
    quality_dir: Path
    dbt_project_dir: Path
    reports_dir: Path
    duckdb_memory_limit: str
    duckdb_threads: int
    duckdb_temp_dir: Path
    dbt_target: str
    # Apache Spark target (dbt target `spark`, docs/portability.md). The master is `local[N]`
    # (Spark inside the dbt process) or a standalone cluster such as spark://host:7077.
    spark_master: str = "local[2]"
    # Spark's own files (table data, Derby metastore, scratch): never inside the repo.
    spark_dir: Path = REPO_ROOT / "data" / "spark"
    spark_shuffle_partitions: int = 2
    # Great Expectations reads a delivery into memory this many source lines at a time: the
    # quality stage's peak memory follows the slice, not the file (docs/data-quality.md).
    quality_slice_rows: int = 1_000_000

    @property
    def lock_path(self) -> Path:
        return self.warehouse_path.with_suffix(".lock")


def settings() -> Settings:
    """Read the settings now (tests change the environment between calls)."""
    data_dir = _path("LOYALTY_DATA_DIR", REPO_ROOT / "data")
    return Settings(
        landing_dir=_path("LOYALTY_LANDING_DIR", REPO_ROOT / "seeds" / "demo"),
        warehouse_path=_path("LOYALTY_WAREHOUSE_PATH", data_dir / "warehouse.duckdb"),
        published_path=_path("LOYALTY_PUBLISHED_PATH", data_dir / "published" / "reports.duckdb"),
        quality_dir=_path("LOYALTY_QUALITY_DIR", data_dir / "quality"),
        dbt_project_dir=_path("LOYALTY_DBT_PROJECT_DIR", REPO_ROOT / "dbt_project"),
        reports_dir=_path("LOYALTY_REPORTS_DIR", REPO_ROOT / "reports"),
        duckdb_memory_limit=os.environ.get("LOYALTY_DUCKDB_MEMORY_LIMIT", "4GB"),
        duckdb_threads=int(os.environ.get("LOYALTY_DUCKDB_THREADS", "2")),
        duckdb_temp_dir=_path("LOYALTY_DUCKDB_TEMP_DIR", data_dir / "tmp"),
        dbt_target=os.environ.get("LOYALTY_DBT_TARGET", "duckdb"),
        spark_master=os.environ.get("SPARK_MASTER") or "local[2]",
        spark_dir=_path("LOYALTY_SPARK_DIR", data_dir / "spark"),
        spark_shuffle_partitions=int(os.environ.get("LOYALTY_SPARK_SHUFFLE_PARTITIONS", "2")),
        quality_slice_rows=int(os.environ.get("LOYALTY_QUALITY_SLICE_ROWS", "1000000")),
    )
