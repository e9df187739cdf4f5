"""Shared fixtures. Tests use real DuckDB files in temporary folders, never the repo's data/."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "orchestration"))
os.environ.setdefault("DO_NOT_TRACK", "1")

from loyalty_warehouse.report_site import ensure_node_modules  # noqa: E402


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every configurable path at a temporary folder."""
    data = tmp_path / "data"
    monkeypatch.setenv("LOYALTY_DATA_DIR", str(data))
    monkeypatch.setenv("LOYALTY_WAREHOUSE_PATH", str(data / "warehouse.duckdb"))
    monkeypatch.setenv("LOYALTY_PUBLISHED_PATH", str(data / "published" / "reports.duckdb"))
    monkeypatch.setenv("LOYALTY_QUALITY_DIR", str(data / "quality"))
    monkeypatch.setenv("LOYALTY_DUCKDB_TEMP_DIR", str(data / "tmp"))
    monkeypatch.setenv("LOYALTY_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    (tmp_path / "dagster_home").mkdir()
    (tmp_path / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return tmp_path


def copy_reports_project(dest: Path) -> Path:
    """reports/ without installed or generated folders; node_modules is shared by symlink."""
    ensure_node_modules(REPO_ROOT / "reports")
    shutil.copytree(
        REPO_ROOT / "reports",
        dest,
        ignore=shutil.ignore_patterns("node_modules", ".evidence", "build", ".install.lock"),
    )
    (dest / "node_modules").symlink_to(
        REPO_ROOT / "reports" / "node_modules", target_is_directory=True
    )
    return dest


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped demo extract loaded and built with dbt, once per test session.

    Returns the warehouse file (read it with duckdb.connect(path, read_only=True)). Tests using
    it should carry `pytest.mark.xdist_group("warehouse")` so one worker builds it once.
    """
    from loyalty_warehouse import ingest
    from loyalty_warehouse.config import settings
    from loyalty_warehouse.transform import run_dbt
    from loyalty_warehouse.warehouse import connect

    tmp = tmp_path_factory.mktemp("demo_warehouse")
    mp = pytest.MonkeyPatch()
    mp.setenv("LOYALTY_DATA_DIR", str(tmp / "data"))
    mp.setenv("LOYALTY_LANDING_DIR", str(REPO_ROOT / "seeds" / "demo"))
    mp.setenv("DBT_TARGET_PATH", str(tmp / "dbt_target"))
    mp.setenv("DBT_LOG_PATH", str(tmp / "dbt_logs"))
    for var in ("LOYALTY_WAREHOUSE_PATH", "LOYALTY_PUBLISHED_PATH", "LOYALTY_QUALITY_DIR"):
        mp.delenv(var, raising=False)
    try:
        s = settings()
        con = connect(s)
        try:
            results = ingest.load_landing(con, s.landing_dir)
        finally:
            con.close()
        assert all(r.status in ("loaded", "skipped") for r in results), [
            r.message for r in results if r.status not in ("loaded", "skipped")
        ]
        run_dbt(s, ["build", "--quiet"])
    finally:
        mp.undo()
    return tmp / "data" / "warehouse.duckdb"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The Spark parity tests run in `make test`; LOYALTY_TEST_SPARK=0 skips them locally.

    They build every model on a JVM (several minutes on 2 cores); the opt-out is for a quick
    local loop, CI never sets it.
    """
    if os.environ.get("LOYALTY_TEST_SPARK") != "0":
        return
    skip = pytest.mark.skip(reason="LOYALTY_TEST_SPARK=0: Spark parity skipped")
    for item in items:
        if "test_spark_parity" in item.nodeid:
            item.add_marker(skip)
