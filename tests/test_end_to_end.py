"""The whole graph on a tiny generated dataset, in a temporary folder, as a user runs it.

The NPS mart is checked against an independent computation from the landing files with pandas,
and a second run proves re-running loads nothing twice.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import REPO_ROOT, copy_reports_project

# Shares the Evidence install with the report tests; one build at a time keeps memory in bounds.
pytestmark = pytest.mark.xdist_group("report_site")

PY = sys.executable


def _env(tmp: Path) -> dict[str, str]:
    data = tmp / "data"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT / "orchestration"),
        "LOYALTY_DATA_DIR": str(data),
        "LOYALTY_LANDING_DIR": str(tmp / "landing"),
        "LOYALTY_REPORTS_DIR": str(tmp / "reports"),
        "DAGSTER_HOME": str(tmp / "dagster_home"),
    }
    for var in ("LOYALTY_WAREHOUSE_PATH", "LOYALTY_PUBLISHED_PATH", "LOYALTY_QUALITY_DIR"):
        env.pop(var, None)
    return env


@pytest.fixture(scope="module")
def pipeline_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("e2e")
    env = _env(tmp)
    subprocess.run(
        [
            PY,
            "-m",
            "loyalty_demo",
            "--customers",
            "300",
            "--months",
            "12",
            "--seed",
            "7",
            "--out",
            str(tmp / "landing"),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    copy_reports_project(tmp / "reports")
    first = subprocess.run(
        [PY, "-m", "loyalty_warehouse", "run", "--skip-docs"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp,
    )
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]
    con = duckdb.connect(str(tmp / "data" / "warehouse.duckdb"), read_only=True)
    counts_after_first = con.execute(
        "select entity, sum(rows_loaded) from raw._batches group by entity order by entity"
    ).fetchall()
    con.close()
    # the load step of a second run: every file is recognised and nothing is loaded twice
    second = subprocess.run(
        [PY, "-m", "loyalty_warehouse", "load"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp,
    )
    assert second.returncode == 0, second.stdout[-4000:] + second.stderr[-4000:]
    return {"tmp": tmp, "first": first, "second": second, "counts": counts_after_first}


def independent_nps(landing: Path) -> pd.DataFrame:
    responses = pd.read_csv(landing / "survey" / "responses.csv", dtype={"nps_score": "Int64"})
    accounts = pd.read_csv(landing / "crm" / "accounts.csv")
    df = responses.merge(accounts[["account_id", "segment"]], on="account_id")
    df = df[df["nps_score"].notna()].copy()
    df["month"] = pd.to_datetime(df["responded_date"]).dt.to_period("M").dt.to_timestamp()
    df["promoter"] = df["nps_score"] >= 9
    df["detractor"] = df["nps_score"] <= 6
    out = df.groupby(["month", "segment"]).agg(
        responses=("nps_score", "size"),
        promoters=("promoter", "sum"),
        detractors=("detractor", "sum"),
    )
    out["nps"] = 100.0 * (out["promoters"] - out["detractors"]) / out["responses"]
    return out.reset_index()


def test_the_run_ends_by_saying_where_everything_is(pipeline_run: dict) -> None:
    out = pipeline_run["first"].stdout
    assert "Pipeline succeeded" in out
    for label in ("Warehouse (DuckDB)", "Report site", "Data-quality results", "Dagster UI"):
        assert label in out
    tmp = pipeline_run["tmp"]
    assert (tmp / "reports" / "build" / "index.html").exists()
    assert (tmp / "data" / "quality" / "index.html").read_text().count("passed") >= 1


def test_the_nps_mart_equals_an_independent_computation_from_the_landing_files(
    pipeline_run: dict,
) -> None:
    tmp = pipeline_run["tmp"]
    expected = independent_nps(tmp / "landing").sort_values(["month", "segment"])
    con = duckdb.connect(str(tmp / "data" / "published" / "reports.duckdb"), read_only=True)
    actual = con.execute("select * from marts.nps_monthly order by month, segment").df()
    con.close()
    assert len(actual) == len(expected) > 0
    assert list(actual["segment"]) == list(expected["segment"])
    assert list(pd.to_datetime(actual["month"])) == list(expected["month"])
    assert list(actual["responses"]) == list(expected["responses"])
    assert list(actual["promoters"]) == list(expected["promoters"])
    assert list(actual["detractors"]) == list(expected["detractors"])
    assert (actual["nps"] - expected["nps"].to_numpy()).abs().max() < 1e-9


def test_running_again_reloads_nothing(pipeline_run: dict) -> None:
    tmp = pipeline_run["tmp"]
    con = duckdb.connect(str(tmp / "data" / "warehouse.duckdb"), read_only=True)
    counts = con.execute(
        "select entity, sum(rows_loaded) from raw._batches "
        "where status <> 'skipped' group by entity order by entity"
    ).fetchall()
    statuses = {s for (s,) in con.execute("select distinct status from raw._batches").fetchall()}
    con.close()
    assert counts == pipeline_run["counts"]
    assert statuses <= {"loaded"}
    lines = [ln for ln in pipeline_run["second"].stdout.splitlines() if ln.startswith("[")]
    assert lines and all(ln.startswith("[skipped]") for ln in lines)


def test_the_built_site_contains_no_contact_email(pipeline_run: dict) -> None:
    tmp = pipeline_run["tmp"]
    emails = set(pd.read_csv(tmp / "landing" / "crm" / "contacts.csv", dtype=str)["email"])
    assert len(emails) > 100
    build = tmp / "reports" / "build"
    leaked = []
    files = [p for p in build.rglob("*") if p.is_file() and p.stat().st_size < 50_000_000]
    assert files
    parquet = [p for p in files if p.suffix == ".parquet"]
    assert parquet, "the site carries its data as parquet files; none found"
    for path in files:
        if path.suffix == ".parquet":  # compressed: read the values, not the bytes
            rel = duckdb.sql(f"select * from read_parquet('{path}')")
            values = {str(v) for row in rel.fetchall() for v in row if isinstance(v, str)}
            leaked += [(path.name, e) for e in values & emails]
            continue
        text = path.read_bytes().decode("utf-8", errors="ignore")
        if "@" in text:
            leaked += [(path.name, e) for e in emails if e in text]
    assert leaked == []
