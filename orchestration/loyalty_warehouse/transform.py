"""Running dbt against the warehouse: the environment it needs and a plain runner.

Dagster's dbt assets and the command line both take their environment from `dbt_env`, so dbt
reads the same warehouse file whichever way it is started.
"""

from __future__ import annotations

import fcntl
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


DBT_SOURCE_DIRS = ("models", "macros", "snapshots", "tests", "analyses", "seeds")


def manifest_is_stale(settings: Settings, path: Path) -> bool:
    """True when a model, macro, test or project file changed after the manifest was written."""
    if not path.exists():
        return True
    built = path.stat().st_mtime
    project = settings.dbt_project_dir
    files = [project / "dbt_project.yml", project / "profiles.yml"]
    for sub in DBT_SOURCE_DIRS:
        if (project / sub).is_dir():
            files += [f for f in (project / sub).rglob("*") if f.is_file()]
    return any(f.exists() and f.stat().st_mtime > built for f in files)


def ensure_manifest(settings: Settings) -> Path:
    """dagster-dbt needs a parsed manifest before the definitions import; it must be current.

    A stale manifest would give Dagster yesterday's asset graph (models added since then would
    be missing, their checks left dangling), so it is parsed again whenever the project changed.
    """
    path = manifest_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Several processes import the definitions at once (the UI, the CLI, two test workers): one
    # parses while the others wait, then they find it current. Without the lock one of them read
    # a manifest another was still writing ("unexpected content after document").
    with (path.parent / ".manifest.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if manifest_is_stale(settings, path):
            # written where Dagster reads it, whatever DBT_TARGET_PATH says for the runs
            run_dbt(settings, ["parse", "--quiet", "--target-path", str(path.parent)])
    return path
