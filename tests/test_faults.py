"""Faults: a killed load leaves nothing partial, concurrent runs are refused cleanly, and the
published report copy is only ever replaced whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import REPO_ROOT
from loyalty_warehouse import warehouse
from loyalty_warehouse.config import settings

REPS = "rep_id,rep_name,team,manager_rep_id,hired_date\n" + "".join(
    f"r{i},Rep {i},commercial,,2020-01-01\n" for i in range(500)
)


def _landing(tmp: Path) -> Path:
    landing = tmp / "landing"
    (landing / "crm").mkdir(parents=True)
    (landing / "crm" / "reps.csv").write_text(REPS)
    return landing


def _load(env: dict[str, str], **extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "loyalty_warehouse", "load"],
        env={**env, "PYTHONPATH": str(REPO_ROOT / "orchestration"), **extra},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.1)


def test_a_load_killed_mid_batch_leaves_nothing_and_the_next_run_completes(
    isolated_env: Path,
) -> None:
    _landing(isolated_env)
    marker = isolated_env / "in_transaction"
    proc = _load(
        dict(os.environ),
        LOYALTY_FAULT_PAUSE_BEFORE_COMMIT="60",
        LOYALTY_FAULT_MARKER=str(marker),
    )
    _wait_for(marker)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    path = settings().warehouse_path
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("select count(*) from raw.crm__reps").fetchone()[0] == 0
    assert con.execute("select count(*) from raw._batches").fetchone()[0] == 0
    con.close()
    rerun = _load(dict(os.environ))
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, out + err
    assert "[loaded] crm/reps.csv: 500 rows: 500 loaded, 0 quarantined" in out
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("select count(*) from raw.crm__reps").fetchone()[0] == 500
    con.close()


def test_a_second_run_started_during_a_run_stops_with_a_clear_message(isolated_env: Path) -> None:
    _landing(isolated_env)
    marker = isolated_env / "in_transaction"
    first = _load(
        dict(os.environ),
        LOYALTY_FAULT_PAUSE_BEFORE_COMMIT="8",
        LOYALTY_FAULT_MARKER=str(marker),
    )
    _wait_for(marker)
    second = _load(dict(os.environ))
    out, err = second.communicate(timeout=120)
    assert second.returncode == 3
    assert "another pipeline run is using the warehouse" in err
    assert "wait for it to finish" in err
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, out + err
    con = duckdb.connect(str(settings().warehouse_path), read_only=True)
    assert con.execute("select count(*) from raw.crm__reps").fetchone()[0] == 500
    assert con.execute("select count(*) from raw._batches").fetchone()[0] == 1
    con.close()


def _make_warehouse_with_mart(value: int) -> None:
    s = settings()
    con = warehouse.connect(s)
    con.execute("create schema if not exists marts")
    con.execute("create or replace table marts.kpi as select ? as value", [value])
    con.close()


def test_reports_read_the_published_copy_while_the_pipeline_writes(isolated_env: Path) -> None:
    _make_warehouse_with_mart(1)
    published = warehouse.publish_marts(settings())
    writer = warehouse.connect(settings())  # the pipeline holds the warehouse open for writing
    try:
        reader = duckdb.connect(str(published), read_only=True)
        assert reader.execute("select value from marts.kpi").fetchone() == (1,)
        reader.close()
    finally:
        writer.close()


def test_a_failed_publish_keeps_the_last_good_copy(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _make_warehouse_with_mart(1)
    published = warehouse.publish_marts(settings())
    before = published.read_bytes()
    monkeypatch.setenv("LOYALTY_WAREHOUSE_PATH", str(isolated_env / "missing.duckdb"))
    with pytest.raises(duckdb.Error):
        warehouse.publish_marts(settings())
    assert published.read_bytes() == before
    assert [p.name for p in published.parent.iterdir()] == [published.name]  # no temp left
