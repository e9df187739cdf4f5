"""A new day's batch builds incrementally to exactly what a full refresh builds.

History is the demo extract minus the last day of the large facts; the last day then arrives as
new files, is loaded and built incrementally; a full refresh must give identical marts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import REPO_ROOT

pytestmark = pytest.mark.xdist_group("warehouse")

LARGE_FACTS = {
    "crm/activities": "activity_date",
    "survey/responses": "responded_date",
    "finance/invoices": "invoice_date",
    "finance/payments": "payment_date",
}


def _split(landing: Path, day_dir: Path) -> int:
    con = duckdb.connect()
    moved = 0
    for rel, column in LARGE_FACTS.items():
        src = landing / f"{rel}.csv"
        con.execute(
            "create or replace table t as select * from read_csv(?, all_varchar=true)", [str(src)]
        )
        last = con.execute(f"select max({column}) from t").fetchone()[0]
        folder = landing / rel
        folder.mkdir()
        con.execute(
            f"copy (select * from t where {column} < ?) to '{folder / 'history.csv'}' (header)",
            [last],
        )
        (day_dir / rel).mkdir(parents=True)
        con.execute(
            f"copy (select * from t where {column} = ?) to '{day_dir / rel / f'day-{last}.csv'}' (header)",
            [last],
        )
        moved += con.execute(f"select count(*) from t where {column} = ?", [last]).fetchone()[0]
        src.unlink()
    con.close()
    return moved


def _marts(path: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(path), read_only=True)
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    ]
    out = {}
    for t in tables:
        df = con.execute(f'select * from marts."{t}"').df()
        out[t] = df.sort_values(list(df.columns)).reset_index(drop=True)
    con.close()
    return out


def test_an_incremental_day_gives_the_same_marts_as_a_full_refresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loyalty_warehouse import ingest
    from loyalty_warehouse.config import settings
    from loyalty_warehouse.transform import run_dbt
    from loyalty_warehouse.warehouse import connect

    landing, day_dir = tmp_path / "landing", tmp_path / "day"
    shutil.copytree(REPO_ROOT / "seeds" / "demo", landing)
    day_rows = _split(landing, day_dir)
    assert day_rows > 0
    monkeypatch.setenv("LOYALTY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LOYALTY_LANDING_DIR", str(landing))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    for var in ("LOYALTY_WAREHOUSE_PATH", "LOYALTY_PUBLISHED_PATH", "LOYALTY_QUALITY_DIR"):
        monkeypatch.delenv(var, raising=False)
    s = settings()

    def load() -> list[ingest.BatchResult]:
        con = connect(s)
        try:
            return ingest.load_landing(con, landing)
        finally:
            con.close()

    load()
    run_dbt(s, ["run", "--quiet"])
    for rel in LARGE_FACTS:
        for f in (day_dir / rel).iterdir():
            shutil.copy(f, landing / rel / f.name)
    new = [r for r in load() if r.status == "loaded"]
    assert sum(r.rows_loaded for r in new) == day_rows
    output = run_dbt(s, ["run"])
    assert "incremental" in output  # the large facts really ran as incremental models
    incremental = _marts(s.warehouse_path)

    run_dbt(s, ["run", "--full-refresh", "--quiet"])
    full = _marts(s.warehouse_path)

    assert incremental.keys() == full.keys() and len(full) > 20
    for name in full:
        pd.testing.assert_frame_equal(
            incremental[name], full[name], check_exact=False, rtol=1e-12, obj=f"marts.{name}"
        )
