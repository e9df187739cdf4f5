"""The same dbt project on Apache Spark (docs/portability.md).

Flow of a Spark build, each step a plain function:

1. `export_raw_to_parquet`: the loader's DuckDB `raw` tables -> one Parquet folder per table
   (DuckDB `COPY ... (FORMAT parquet)`). The loader stays the one way data comes in: no dbt
   seeds, no second CSV parser.
2. `register_raw_tables`: those folders become external tables `raw.<table>` in Spark's
   metastore (`dbt run-operation register_raw_tables`, so the SparkSession is configured by the
   `spark` output of profiles.yml exactly as the build's is).
3. `run_dbt_on_spark`: `dbt build --target spark` (models, data tests, unit tests).
4. `export_marts_to_duckdb`: Spark's mart tables (Parquet files in Spark's warehouse folder)
   -> a DuckDB file, by default the published read-only copy the report site reads.

`build_on_spark` runs 1-4, with 2 and 3 in one child process (one JVM: starting Spark and its
Hive metastore client costs tens of seconds). `StandaloneCluster` starts a local standalone
master and worker from pyspark's jars for tests. Spark keeps its files under `settings.spark_dir` (table data, the
Derby metastore, scratch space, dbt's target folder for the Spark run), never in the repo.

Command line: `python -m loyalty_warehouse.spark [--no-publish]` builds the configured
warehouse on Spark (SPARK_MASTER, default local[2]) and publishes the marts.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import duckdb

from .config import Settings
from .config import settings as current_settings
from .transform import DbtError, dbt_env
from .warehouse import PUBLISHED_STORAGE_VERSION, connect, pipeline_lock

RAW_SCHEMA = "raw"
MART_SCHEMAS = ("marts",)


@dataclass
class SparkBuildResult:
    raw_tables: list[RawTable]
    marts: dict[str, Path]  # mart table -> its folder of Parquet files in Spark's warehouse
    published_path: Path | None
    seconds: dict[str, float] = field(default_factory=dict)
    dbt_output: str = ""


# ----------------------------------------------------------------------------- settings


def spark_settings(settings: Settings) -> Settings:
    """The same settings with dbt pointed at the `spark` output of profiles.yml."""
    return dataclasses.replace(settings, dbt_target="spark")


def raw_parquet_dir(settings: Settings) -> Path:
    return settings.spark_dir / "raw_parquet"


def spark_warehouse_dir(settings: Settings) -> Path:
    """spark.sql.warehouse.dir as profiles.yml sets it: <spark_dir>/warehouse."""
    return settings.spark_dir / "warehouse"


def spark_process_env(settings: Settings) -> dict[str, str]:
    """Environment of a dbt process on the `spark` target: transform.dbt_env plus a little.

    dbt's target folder for Spark runs is kept apart from the DuckDB runs' (a run on one target
    would otherwise throw away the other's partial-parse cache and manifest) unless the caller
    chose one. Spark binds to loopback for a local or loopback master.
    """
    env = {
        **dbt_env(settings),
        "LOYALTY_DBT_TARGET": "spark",
        "DBT_TARGET_PATH": os.environ.get("DBT_TARGET_PATH")
        or str(settings.spark_dir / "dbt_target"),
        "DBT_LOG_PATH": os.environ.get("DBT_LOG_PATH") or str(settings.spark_dir / "dbt_logs"),
        # the child process imports this package even when it is not installed
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH")) if p
        ),
    }
    if _is_loopback_master(settings.spark_master):
        env["SPARK_LOCAL_IP"] = os.environ.get("SPARK_LOCAL_IP") or "127.0.0.1"
    return env


def _is_loopback_master(master: str) -> bool:
    if master.startswith("local"):
        return True
    host = urlparse(master).hostname or ""
    return host in ("127.0.0.1", "localhost", "::1")


def run_dbt_on_spark(settings: Settings, *commands: list[str]) -> str:
    """Run dbt commands on the `spark` target, one after another in ONE process.

    Each command is a dbt argument list (`["build"]`); `--target spark` is added. They share
    the process's SparkSession: starting Spark and its Hive metastore client costs tens of
    seconds, so registering raw and building in one process saves that once per build.
    Raises transform.DbtError with dbt's output on the first failure.
    """
    s = spark_settings(settings)
    for sub in ("warehouse", "scratch", "derby"):
        (s.spark_dir / sub).mkdir(parents=True, exist_ok=True)
    commands = tuple(commands) or (["build"],)
    payload = json.dumps([[*c, "--target", "spark"] for c in commands])
    proc = subprocess.run(
        [sys.executable, "-m", "loyalty_warehouse.spark", "_dbt", payload],
        cwd=s.dbt_project_dir,
        env={**os.environ, **spark_process_env(s)},
        capture_output=True,
        text=True,
    )
    out = (proc.stdout or "") + (proc.stderr or "")
    if proc.returncode != 0:
        # dbt's own lines, not the JVM's stack frames, and no multi-kilobyte --args
        lines = [ln for ln in out.splitlines() if not ln.startswith(("\tat ", "\t... "))]
        tail = "\n".join(lines[-60:])
        shown = " && ".join("dbt " + " ".join(_short(a) for a in c) for c in commands)
        status = (
            f"killed by signal {-proc.returncode}"
            if proc.returncode < 0
            else f"exit {proc.returncode}"
        )
        raise DbtError(f"{shown} on Spark failed ({status}):\n{tail}")
    return out


def _short(arg: str, limit: int = 120) -> str:
    return arg if len(arg) <= limit else arg[: limit - 5] + " ...}"


def _dbt_in_process(commands: list[list[str]]) -> int:
    """Child side of run_dbt_on_spark: dbt's programmatic runner, one SparkSession."""
    from dbt.cli.main import dbtRunner

    cleaned = False
    for args in commands:
        print(f"--- dbt {' '.join(args)}", flush=True)
        result = dbtRunner().invoke(args)
        if not result.success:
            if result.exception is not None:
                print(f"dbt {' '.join(args)} raised: {result.exception}", flush=True)
            return 1
        if not cleaned:  # dbt has started the SparkSession now
            cleaned = True
            for path in _remove_orphan_table_folders():
                print(f"removed {path}: table folder without a table (an interrupted run)")
    return 0


def _remove_orphan_table_folders() -> list[str]:
    """Delete table folders in Spark's warehouse that the metastore has no table for.

    A Spark process killed while writing a table leaves its folder behind without the table,
    and Spark then refuses to create that table again (LOCATION_ALREADY_EXISTS). Only folders
    of databases the metastore knows are touched, and only those no table of it owns.
    """
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    if SparkContext._active_spark_context is None:
        return []
    spark = SparkSession.builder.getOrCreate()  # dbt's session: no options, nothing changes
    warehouse = Path(urlparse(spark.conf.get("spark.sql.warehouse.dir")).path)
    removed: list[str] = []
    if not warehouse.is_dir():
        return removed
    databases = {d.name for d in spark.catalog.listDatabases()}
    for db_dir in sorted(warehouse.glob("*.db")):
        database = db_dir.name[: -len(".db")]
        if database not in databases:
            continue
        tables = {t.name.lower() for t in spark.catalog.listTables(database)}
        for folder in sorted(p for p in db_dir.iterdir() if p.is_dir()):
            if folder.name.startswith((".", "_")) or folder.name.lower() in tables:
                continue
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(str(folder))
    return removed


# ----------------------------------------------------------------------------- 1. raw -> Parquet


@dataclass(frozen=True)
class RawTable:
    """One exported raw table: its name and, when every column type maps, its Spark schema."""

    name: str
    spark_columns: str | None  # "`a` string, `b` bigint" or None (Spark then infers it)

    def as_arg(self) -> dict[str, str] | str:
        return (
            {"name": self.name, "columns": self.spark_columns} if self.spark_columns else self.name
        )


# DuckDB column types -> Spark SQL types with the same values (Parquet carries both).
_SPARK_TYPES = {
    "VARCHAR": "string",
    "BOOLEAN": "boolean",
    "TINYINT": "tinyint",
    "SMALLINT": "smallint",
    "INTEGER": "int",
    "BIGINT": "bigint",
    "FLOAT": "float",
    "DOUBLE": "double",
    "DATE": "date",
    "TIMESTAMP": "timestamp_ntz",  # DuckDB writes naive timestamps (isAdjustedToUTC=false)
    "BLOB": "binary",
}


def spark_type(duckdb_type: str) -> str | None:
    t = duckdb_type.upper()
    if t.startswith("DECIMAL"):
        return t.lower()
    return _SPARK_TYPES.get(t)


def export_raw_to_parquet(
    settings: Settings, out_dir: Path | None = None, *, con: duckdb.DuckDBPyConnection | None = None
) -> list[RawTable]:
    """Write every table of the warehouse's `raw` schema to <out_dir>/<table>/part-0.parquet.

    Each folder is written aside and swapped in, and folders of tables no longer in raw are
    removed, so a registration from this folder mirrors raw exactly.
    """
    out_dir = Path(out_dir or raw_parquet_dir(settings))
    out_dir.mkdir(parents=True, exist_ok=True)
    own = con is None
    if own:
        con = connect(settings, read_only=True)
    exported: list[RawTable] = []
    try:
        columns: dict[str, list[tuple[str, str]]] = {}
        for table, column, data_type in con.execute(
            "select c.table_name, c.column_name, c.data_type "
            "from information_schema.columns c join information_schema.tables t "
            "on t.table_catalog = c.table_catalog and t.table_schema = c.table_schema "
            "and t.table_name = c.table_name "
            "where c.table_schema = ? and t.table_type = 'BASE TABLE' "
            "and c.table_catalog = current_database() "
            "order by c.table_name, c.ordinal_position",
            [RAW_SCHEMA],
        ).fetchall():
            columns.setdefault(table, []).append((column, data_type))
        for table, cols in columns.items():
            folder = out_dir / table
            tmp = out_dir / f".{table}.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
            con.execute(
                f"copy (select * from {RAW_SCHEMA}.{_ident(table)}) "
                f"to {_literal(str(tmp / 'part-0.parquet'))} (format parquet)"
            )
            shutil.rmtree(folder, ignore_errors=True)
            tmp.rename(folder)
            types = [spark_type(t) for _, t in cols]
            schema = (
                ", ".join(f"`{c}` {t}" for (c, _), t in zip(cols, types, strict=True))
                if all(types)
                else None
            )
            exported.append(RawTable(table, schema))
    finally:
        if own:
            con.close()
    names = {t.name for t in exported}
    for stale in out_dir.iterdir():
        if stale.is_dir() and not stale.name.startswith(".") and stale.name not in names:
            shutil.rmtree(stale, ignore_errors=True)
    return exported


# ----------------------------------------------------------------------------- 2. register in Spark


def register_raw_args(parquet_dir: Path, tables: Iterable[RawTable | str]) -> list[str]:
    items = [t.as_arg() if isinstance(t, RawTable) else t for t in tables]
    args = {"location": str(Path(parquet_dir).resolve()), "tables": items}
    return ["run-operation", "register_raw_tables", "--args", json.dumps(args)]


def register_raw_tables(
    settings: Settings, parquet_dir: Path, tables: Iterable[RawTable | str]
) -> str:
    """Create (or re-create) raw.<table> in Spark's metastore over each Parquet folder.

    The tables persist in the metastore (<spark_dir>/metastore_db), so a later `dbt build
    --target spark` in another process (Dagster's dbt asset) finds them.
    """
    return run_dbt_on_spark(settings, register_raw_args(parquet_dir, tables))


def prepare_raw(settings: Settings, *, lock_wait_seconds: float = 600) -> list[RawTable]:
    """Steps 1 and 2 on their own: raw -> Parquet -> Spark's metastore.

    For callers that run `dbt build --target spark` themselves (Dagster's dbt asset).
    """
    s = spark_settings(settings)
    with pipeline_lock(s, wait_seconds=lock_wait_seconds):
        tables = export_raw_to_parquet(s)
        register_raw_tables(s, raw_parquet_dir(s), tables)
    return tables


def apply_spark_env(settings: Settings) -> None:
    """Export the `spark` target's environment into this process (dagster-dbt passes it on)."""
    env = spark_process_env(spark_settings(settings))
    # dagster-dbt chooses dbt's target folder per invocation
    env.pop("DBT_TARGET_PATH", None)
    os.environ.update(env)


# ----------------------------------------------------------------------------- 4. marts -> DuckDB


def spark_table_dirs(settings: Settings, schemas: Iterable[str] = MART_SCHEMAS) -> dict[str, Path]:
    """`schema.table` -> folder of a Spark managed table in <warehouse>/<schema>.db/<table>.

    Views have no folder and are not listed. Tables dbt built but later dropped are gone too
    (Spark removes a managed table's folder when it drops it).
    """
    found: dict[str, Path] = {}
    for schema in schemas:
        db_dir = spark_warehouse_dir(settings) / f"{schema}.db"
        if not db_dir.is_dir():
            continue
        for table_dir in sorted(p for p in db_dir.iterdir() if p.is_dir()):
            if not table_dir.name.startswith((".", "_")):
                found[f"{schema}.{table_dir.name}"] = table_dir
    return found


def read_spark_table_sql(table_dir: Path) -> str:
    """DuckDB SQL reading one Spark table's Parquet files (hive-style partition folders too)."""
    pattern = _literal(str(table_dir / "**" / "*.parquet"))
    return f"select * from read_parquet({pattern}, hive_partitioning = true, union_by_name = true)"


def marts_connection(settings: Settings) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with `marts.<table>` views over Spark's mart tables.

    Lets the Great Expectations mart suites read a Spark build exactly as they read DuckDB's.
    """
    con = duckdb.connect(config={"memory_limit": settings.duckdb_memory_limit})
    for schema in MART_SCHEMAS:
        con.execute(f"create schema if not exists {_ident(schema)}")
    for qualified, table_dir in spark_table_dirs(settings).items():
        schema, table = qualified.split(".", 1)
        con.execute(
            f"create view {_ident(schema)}.{_ident(table)} as " + read_spark_table_sql(table_dir)
        )
    return con


def export_marts_to_duckdb(
    settings: Settings,
    target: Path | None = None,
    *,
    schemas: tuple[str, ...] = MART_SCHEMAS,
    storage_version: str | None = PUBLISHED_STORAGE_VERSION,
) -> Path:
    """Copy Spark's mart tables into a new DuckDB file and swap it in atomically.

    Default target: the published read-only copy (settings.published_path), in the storage
    format the report site's DuckDB reads (warehouse.PUBLISHED_STORAGE_VERSION); the report site
    then builds from a Spark run exactly as from a DuckDB one. A failed copy leaves the previous
    file untouched.
    """
    target = Path(target or settings.published_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    staging.unlink(missing_ok=True)
    tables = spark_table_dirs(settings, schemas)
    con = duckdb.connect(config={"memory_limit": settings.duckdb_memory_limit})
    try:
        option = f" (storage_version '{storage_version}')" if storage_version else ""
        con.execute(f"attach {_literal(str(staging))} as pub{option}")
        for schema in schemas:
            con.execute(f"create schema if not exists pub.{_ident(schema)}")
        for qualified, table_dir in tables.items():
            schema, table = qualified.split(".", 1)
            con.execute(
                f"create table pub.{_ident(schema)}.{_ident(table)} as "
                + read_spark_table_sql(table_dir)
            )
        con.execute("detach pub")
    except Exception:
        staging.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    os.replace(staging, target)
    return target


# ----------------------------------------------------------------------------- standalone cluster


def spark_home() -> Path:
    """The Spark distribution inside the pyspark package (jars, bin/spark-class)."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StandaloneCluster:
    """A Spark standalone master and one worker on 127.0.0.1, from pyspark's own jars.

    For tests and trying the cluster path on one machine; a real cluster is started by its
    operators and only its URL (SPARK_MASTER=spark://host:7077) reaches this project. pyspark
    ships no sbin/start-master.sh, so the daemons run through bin/spark-class, each in its own
    process group, and `stop` ends exactly those groups (the worker's executors included).

        with StandaloneCluster(tmp_dir) as cluster:
            build_on_spark(dataclasses.replace(settings, spark_master=cluster.master_url))
    """

    def __init__(self, work_dir: Path, *, cores: int = 2, memory: str = "2g") -> None:
        self.work_dir = Path(work_dir)
        self.cores = cores
        self.memory = memory
        self.port = _free_port()
        self.ui_port = _free_port()
        self.worker_ui_port = _free_port()
        self.procs: list[subprocess.Popen] = []
        self._logs: list = []

    @property
    def master_url(self) -> str:
        return f"spark://127.0.0.1:{self.port}"

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "SPARK_HOME": str(spark_home()),
            "SPARK_LOCAL_IP": "127.0.0.1",
            "SPARK_LOCAL_DIRS": str(self.work_dir / "local"),
            "SPARK_WORKER_DIR": str(self.work_dir / "work"),
            "SPARK_LOG_DIR": str(self.work_dir / "logs"),
        }

    def _spawn(self, name: str, args: list[str]) -> None:
        log = open(self.work_dir / f"{name}.log", "w")  # noqa: SIM115 - closed in stop()
        self._logs.append(log)
        self.procs.append(
            subprocess.Popen(
                ["bash", str(spark_home() / "bin" / "spark-class"), *args],
                cwd=self.work_dir,
                env=self._env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    def alive_workers(self) -> int:
        url = f"http://127.0.0.1:{self.ui_port}/json/"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                state = json.load(response)
        except (OSError, ValueError):
            return 0
        return int(state.get("aliveworkers", 0))

    def start(self, timeout: float = 180) -> str:
        for sub in ("local", "work", "logs"):
            (self.work_dir / sub).mkdir(parents=True, exist_ok=True)
        self._spawn(
            "master",
            ["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
             "--port", str(self.port), "--webui-port", str(self.ui_port)],
        )  # fmt: skip
        self._spawn(
            "worker",
            ["org.apache.spark.deploy.worker.Worker", self.master_url, "--host", "127.0.0.1",
             "--cores", str(self.cores), "--memory", self.memory,
             "--webui-port", str(self.worker_ui_port), "--work-dir", str(self.work_dir / "work")],
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while self.alive_workers() < 1:
            dead = [p for p in self.procs if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                logs = "\n".join(self.log_tail(n) for n in ("master", "worker"))
                self.stop()
                why = "a daemon exited" if dead else f"no worker registered in {timeout:.0f} s"
                raise RuntimeError(f"Spark standalone cluster did not start ({why}):\n{logs}")
            time.sleep(1)
        return self.master_url

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.work_dir / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return f"--- {name}.log\n" + "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 30) -> None:
        for proc in reversed(self.procs):  # worker first: it ends its executors
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=timeout)
        # executors the worker started are in its process group; make sure none outlive it
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        self.procs.clear()
        for log in self._logs:
            log.close()
        self._logs.clear()

    def __enter__(self) -> StandaloneCluster:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ----------------------------------------------------------------------------- all together


def build_on_spark(
    settings: Settings | None = None,
    *,
    publish: bool = True,
    published_path: Path | None = None,
    dbt_args: list[str] | None = None,
    lock_wait_seconds: float = 600,
) -> SparkBuildResult:
    """Export raw, register it in Spark, `dbt build --target spark`, publish the marts.

    Holds the pipeline lock throughout: the raw export reads the warehouse file, and Spark's
    embedded Derby metastore admits one process at a time.
    """
    s = spark_settings(settings or current_settings())
    seconds: dict[str, float] = {}
    with pipeline_lock(s, wait_seconds=lock_wait_seconds):
        t = time.monotonic()
        tables = export_raw_to_parquet(s)
        seconds["export_raw"] = time.monotonic() - t

        t = time.monotonic()
        out = run_dbt_on_spark(
            s, register_raw_args(raw_parquet_dir(s), tables), dbt_args or ["build"]
        )
        seconds["spark_register_and_build"] = time.monotonic() - t

        published = None
        if publish:
            t = time.monotonic()
            published = export_marts_to_duckdb(s, published_path)
            seconds["export_marts"] = time.monotonic() - t
    marts = {k.split(".", 1)[1]: v for k, v in spark_table_dirs(s).items()}
    return SparkBuildResult(
        raw_tables=tables, marts=marts, published_path=published, seconds=seconds, dbt_output=out
    )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def main(argv: list[str] | None = None) -> int:
    if argv is None and sys.argv[1:2] == ["_dbt"]:
        return _dbt_in_process(json.loads(sys.argv[2]))
    parser = argparse.ArgumentParser(
        prog="loyalty_warehouse.spark", description="Build the loaded warehouse on Apache Spark."
    )
    parser.add_argument("--no-publish", action="store_true", help="do not publish the marts")
    parser.add_argument("--wait", type=float, default=0, help="seconds to wait for the lock")
    args = parser.parse_args(argv)
    s = current_settings()
    result = build_on_spark(s, publish=not args.no_publish, lock_wait_seconds=args.wait)
    timings = ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
    print(f"Spark build ({s.spark_master}) succeeded: {timings}")
    print(f"  raw tables registered: {len(result.raw_tables)}; mart tables: {len(result.marts)}")
    if result.published_path:
        print(f"  published marts: {result.published_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
