"""Running dbt against the warehouse: the environment it needs, a plain runner, and the window of
periods an incremental build rebuilds.

Dagster's dbt assets and the command line both take their environment from `dbt_env`, so dbt
reads the same warehouse file whichever way it is started, and both pass the same build window.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from . import ingest, warehouse
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


# ----------------------------------------------------------------------------- build window

# Rebuilds no period: nothing was loaded since the last build.
NOTHING_NEW = datetime.date(9999, 12, 1)


@dataclass(frozen=True)
class BuildWindow:
    """What one dbt build covers: the batches loaded up to `through_batch`, and the first day
    whose month the period models rebuild, or a full refresh.

    The period models (`period_incremental` in dbt_project/macros) delete and rebuild their rows
    from that month on; older months are kept. It spans every batch loaded since the last build
    that succeeded, so a failed build is covered again by the next one.
    """

    through_batch: int
    # None: a full refresh, every table rebuilt. Asked for; no build recorded yet (a new
    # warehouse, or one built before period models existed, whose tables may lack columns the
    # models now have); or a delivery that can change any month (a snapshot such as accounts:
    # a segment change reaches every fact row and month of the account)
    rebuild_from: datetime.date | None

    @property
    def full_refresh(self) -> bool:
        return self.rebuild_from is None

    def dbt_args(self, command: str = "build") -> list[str]:
        if self.rebuild_from is None:
            return ["--full-refresh"]
        args = ["--vars", json.dumps({"rebuild_from": self.rebuild_from.isoformat()})]
        if command == "build":
            # unit tests check the SQL against fixed rows, not the data: a new day cannot
            # change their verdict (they run on every full refresh, in `make test` and in CI)
            args += ["--exclude-resource-type", "unit_test"]
        return args

    def describe(self) -> str:
        if self.rebuild_from is None:
            return "full refresh: every table rebuilt"
        if self.rebuild_from == NOTHING_NEW:
            return "nothing loaded since the last build: no period rebuilt"
        return f"periods from {self.rebuild_from:%Y-%m} on rebuilt"


def _ensure_builds_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        "create table if not exists raw._builds (through_batch bigint not null, "
        "rebuild_from date, full_refresh boolean not null, "
        "finished_at timestamp not null default current_timestamp)"
    )


def build_window(con: duckdb.DuckDBPyConnection, *, full_refresh: bool = False) -> BuildWindow:
    """The window of the next build, from the batches loaded since the last successful one."""
    # the ledger as this version writes it, also in a warehouse loaded by an older one
    ingest.ensure_batch_ledger(con)
    _ensure_builds_table(con)
    through = con.execute("select coalesce(max(batch_id), 0) from raw._batches").fetchone()[0]
    last = con.execute("select max(through_batch) from raw._builds").fetchone()[0]
    if full_refresh or last is None:
        return BuildWindow(through, None)
    # superseded batches count too: the rows they held left their months
    any_month, earliest, new = con.execute(
        "select count(*) filter (where affects_from is null), min(affects_from), count(*) "
        "from raw._batches where batch_id > ? and status in ('loaded', 'replaced', 'superseded')",
        [last],
    ).fetchone()
    if not new:
        return BuildWindow(through, NOTHING_NEW)
    if any_month:
        return BuildWindow(through, None)
    return BuildWindow(through, earliest)


def record_build(con: duckdb.DuckDBPyConnection, window: BuildWindow) -> None:
    """Remember a build that succeeded: the next one rebuilds from what was loaded after it."""
    _ensure_builds_table(con)
    con.execute(
        "insert into raw._builds (through_batch, rebuild_from, full_refresh) values (?, ?, ?)",
        [window.through_batch, window.rebuild_from, window.full_refresh],
    )


@contextlib.contextmanager
def recorded_build(settings: Settings, *, full_refresh: bool = False) -> Iterator[BuildWindow]:
    """The window of the next build, recorded once the block that runs dbt ends without error."""
    with contextlib.closing(warehouse.connect(settings)) as con:
        window = build_window(con, full_refresh=full_refresh)
    yield window
    with contextlib.closing(warehouse.connect(settings)) as con:
        record_build(con, window)


def build(
    settings: Settings,
    *,
    full_refresh: bool = False,
    command: str = "build",
    extra: list[str] | None = None,
) -> str:
    """`dbt build` (or `run`) over what was loaded since the last build, then record it."""
    with recorded_build(settings, full_refresh=full_refresh) as window:
        out = run_dbt(settings, [command, *window.dbt_args(command), *(extra or [])])
    return f"{window.describe()}\n{out}"
