"""Running dbt against the warehouse: the environment it needs and a plain runner.

Dagster's dbt assets and the command line both take their environment from `dbt_env`, so dbt
reads the same warehouse file whichever way it is started.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .config import Settings


class DbtError(RuntimeError):
    pass


def dbt_env(settings: Settings) -> dict[str, str]:
    return {
        "LOYALTY_WAREHOUSE_PATH": str(settings.warehouse_path),
        "LOYALTY_DUCKDB_MEMORY_LIMIT": settings.duckdb_memory_limit,
        "LOYALTY_DUCKDB_THREADS": str(settings.duckdb_threads),
        "LOYALTY_DUCKDB_TEMP_DIR": str(settings.duckdb_temp_dir),
        "LOYALTY_DBT_TARGET": settings.dbt_target,
        # read by the `spark` output of profiles.yml (ignored by the duckdb one)
        "SPARK_MASTER": settings.spark_master,
        "LOYALTY_SPARK_DIR": str(settings.spark_dir),
        "LOYALTY_SPARK_SHUFFLE_PARTITIONS": str(settings.spark_shuffle_partitions),
        "DBT_PROFILES_DIR": str(settings.dbt_project_dir),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def apply_dbt_env(settings: Settings) -> None:
    """Export dbt's environment into this process (dagster-dbt passes os.environ to dbt)."""
    os.environ.update(dbt_env(settings))


def dbt_executable() -> str:
    return str(Path(sys.executable).with_name("dbt"))


def run_dbt(settings: Settings, args: list[str], *, capture: bool = True) -> str:
    """Run one dbt command in the project folder; raise DbtError with dbt's output on failure."""
    proc = subprocess.run(
        [dbt_executable(), *args],
        cwd=settings.dbt_project_dir,
        env={**os.environ, **dbt_env(settings)},
        capture_output=capture,
        text=True,
    )
    out = (proc.stdout or "") + (proc.stderr or "")
    if proc.returncode != 0:
        tail = "\n".join(out.splitlines()[-40:])
        raise DbtError(f"dbt {' '.join(args)} failed (exit {proc.returncode}):\n{tail}")
    return out


def manifest_path(settings: Settings) -> Path:
    return settings.dbt_project_dir / "target" / "manifest.json"


def ensure_manifest(settings: Settings) -> Path:
    """dagster-dbt needs a parsed manifest before the definitions import."""
    path = manifest_path(settings)
    if not path.exists():
        run_dbt(settings, ["parse", "--quiet"])
    return path
