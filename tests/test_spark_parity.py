"""The same dbt project on Apache Spark gives the same marts as on DuckDB (docs/portability.md).

The demo extract is loaded and built on DuckDB once (the `demo_warehouse` fixture). Its raw
tables then go to Spark through the loader path (Parquet export, `raw` tables in Spark's
metastore), `dbt build --target spark` runs every model, data test and unit test, and every
table of the `marts` schema is compared row for row with DuckDB's: same tables, same columns
and types, same rows; decimals exactly, doubles within 1e-9 (relative 1e-12 for large values).

Spark runs in a child process (one JVM at a time: the machine has two cores). The two tests
share Spark's folder, so the Derby metastore is created once; the second test runs the Dagster
pipeline (`python -m loyalty_warehouse run`, LOYALTY_DBT_TARGET=spark) against a standalone
master and worker started on 127.0.0.1 from pyspark's own jars: raw exported and registered,
`dbt build` on the cluster, the GX mart gates on Spark's tables, the marts published to the
DuckDB copy the report site reads, and compared again.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import REPO_ROOT
from loyalty_warehouse.config import Settings, settings
from loyalty_warehouse.spark import StandaloneCluster, build_on_spark, spark_table_dirs

pytestmark = pytest.mark.xdist_group("spark")

FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}


@pytest.fixture(scope="module")
def spark_settings(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings reading the demo warehouse, with Spark's files in a temporary folder."""
    tmp = tmp_path_factory.mktemp("spark")
    mp = pytest.MonkeyPatch()
    # dbt's target and log folders for the Spark runs go under Spark's folder
    mp.delenv("DBT_TARGET_PATH", raising=False)
    mp.delenv("DBT_LOG_PATH", raising=False)
    try:
        s = settings()
    finally:
        mp.undo()
    yield dataclasses.replace(
        s,
        warehouse_path=demo_warehouse,
        published_path=tmp / "published" / "reports.duckdb",
        quality_dir=tmp / "quality",
        duckdb_temp_dir=tmp / "duckdb_tmp",
        dbt_project_dir=REPO_ROOT / "dbt_project",
        dbt_target="spark",
        spark_master="local[2]",
        spark_dir=tmp / "spark",
        spark_shuffle_partitions=2,
    )


@pytest.fixture(autouse=True)
def _own_dbt_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DBT_TARGET_PATH", raising=False)
    monkeypatch.delenv("DBT_LOG_PATH", raising=False)


@pytest.fixture
def standalone_cluster(tmp_path: Path):
    cluster = StandaloneCluster(tmp_path / "cluster", cores=2, memory="2g")
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()  # always: a failed start or build leaves no daemon behind


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_catalog = ? "
            "and table_schema = 'marts' and table_type = 'BASE TABLE' order by table_name",
            [catalog],
        ).fetchall()
    ]


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns where table_catalog = ? "
        "and table_schema = 'marts' and table_name = ? order by ordinal_position",
        [catalog, table],
    ).fetchall()


def _same(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return True
        # 1e-9 absolute; a relative 1e-12 leaves room only for summation order in large sums
        # (a decimal quotient rounded to 6 places on Spark is still caught)
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return a == b  # exact, scale included in the type check
    return a == b


def assert_same_marts(duckdb_warehouse: Path, spark_marts: Path) -> int:
    """Every mart table of DuckDB's build equals Spark's; returns the rows compared."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{duckdb_warehouse}' as duck (read_only)")
        con.execute(f"attach '{spark_marts}' as spark (read_only)")
        duck_tables, spark_tables = _tables(con, "duck"), _tables(con, "spark")
        assert duck_tables, "DuckDB's build has no mart tables to compare"
        assert spark_tables == duck_tables, "Spark built a different set of mart tables"
        compared = 0
        problems: list[str] = []
        for table in duck_tables:
            cols = _columns(con, "duck", table)
            spark_cols = _columns(con, "spark", table)
            if spark_cols != cols:
                problems.append(f"{table}: columns differ\n  duckdb {cols}\n  spark  {spark_cols}")
                continue
            # grain columns first: float columns never decide the row order
            order = [c for c, t in cols if t not in FLOAT_TYPES] + [
                c for c, t in cols if t in FLOAT_TYPES
            ]
            order_by = ", ".join(f'"{c}" nulls first' for c in order)
            rows = {
                side: con.execute(
                    f'select * from {side}.marts."{table}" order by {order_by}'
                ).fetchall()
                for side in ("duck", "spark")
            }
            if len(rows["duck"]) != len(rows["spark"]):
                problems.append(
                    f"{table}: {len(rows['duck'])} rows on DuckDB, {len(rows['spark'])} on Spark"
                )
                continue
            bad = [
                (d, s)
                for d, s in zip(rows["duck"], rows["spark"], strict=True)
                if not all(_same(a, b) for a, b in zip(d, s, strict=True))
            ]
            if bad:
                shown = "\n".join(f"  duckdb {d}\n  spark  {s}" for d, s in bad[:5])
                problems.append(f"{table}: {len(bad)} of {len(rows['duck'])} rows differ\n{shown}")
            compared += len(rows["duck"])
        assert not problems, "Spark's marts differ from DuckDB's:\n" + "\n".join(problems)
        assert compared > 0, "every mart is empty: nothing was compared"
        return compared
    finally:
        con.close()


def test_every_mart_built_on_spark_in_local_mode_matches_duckdb_row_for_row(
    spark_settings: Settings, demo_warehouse: Path
) -> None:
    result = build_on_spark(spark_settings)

    assert "Completed successfully" in result.dbt_output
    assert "unit_test" in result.dbt_output, "the unit tests did not run on Spark"
    assert result.published_path == spark_settings.published_path
    assert {t.name for t in result.raw_tables} >= {"crm__accounts", "survey__responses"}
    assert assert_same_marts(demo_warehouse, result.published_path) > 0


def test_dagster_runs_the_pipeline_on_a_spark_standalone_master_and_publishes_the_same_marts(
    spark_settings: Settings,
    demo_warehouse: Path,
    standalone_cluster: StandaloneCluster,
    tmp_path: Path,
) -> None:
    # the pipeline writes to its warehouse (batch ledger, validations): give it its own copy
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_warehouse, warehouse)
    published = tmp_path / "published" / "reports.duckdb"
    quality_dir = tmp_path / "quality"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT / "orchestration"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "LOYALTY_DATA_DIR": str(tmp_path / "data"),
        "LOYALTY_LANDING_DIR": str(REPO_ROOT / "seeds" / "demo"),
        "LOYALTY_WAREHOUSE_PATH": str(warehouse),
        "LOYALTY_PUBLISHED_PATH": str(published),
        "LOYALTY_QUALITY_DIR": str(quality_dir),
        "LOYALTY_DBT_TARGET": "spark",
        "SPARK_MASTER": standalone_cluster.master_url,
        "LOYALTY_SPARK_DIR": str(spark_settings.spark_dir),
        "LOYALTY_SPARK_SHUFFLE_PARTITIONS": "2",
        "DBT_TARGET_PATH": str(tmp_path / "dbt_target"),
        "DBT_LOG_PATH": str(tmp_path / "dbt_logs"),
    }
    started = time.time()
    proc = subprocess.run(
        [sys.executable, "-m", "loyalty_warehouse", "run", "--skip-docs", "--skip-site"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    assert "Pipeline succeeded" in proc.stdout and "dbt target (engine):       spark" in proc.stdout

    # every mart table was written again, by the cluster's executors
    marts = spark_table_dirs(spark_settings)
    assert marts, "Spark's warehouse folder has no mart tables"
    for table_dir in marts.values():
        written = [p.stat().st_mtime for p in table_dir.rglob("*.parquet")]
        assert written and min(written) >= started - 1, f"{table_dir} was not rebuilt"
    # and the master saw dbt's Spark application come and go
    url = f"http://127.0.0.1:{standalone_cluster.ui_port}/json/"
    deadline = time.monotonic() + 30
    while True:
        with urllib.request.urlopen(url, timeout=5) as response:
            state = json.load(response)
        apps = [a.get("name") for a in state.get("completedapps", [])]
        if "loyalty-dbt" in apps or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert "loyalty-dbt" in apps, f"the master ran no dbt application: {state}"

    # the Great Expectations mart gates read Spark's tables, and passed
    mart_results = [json.loads(p.read_text()) for p in quality_dir.glob("mart_*.json")]
    assert mart_results and all(r["success"] and r["rows"] > 0 for r in mart_results), mart_results
    # the published copy the report site reads holds Spark's marts, equal to DuckDB's
    assert assert_same_marts(demo_warehouse, published) > 0
