"""New batches build incrementally to exactly what a full refresh builds.

History is the demo extract minus the last month of the large facts. Two deliveries then arrive
and are each loaded and built incrementally: a late correction that moves an old activity to
the newest day of history (so its old month changes), and the last month of every large fact
(so the calendar gains a month). The large facts append their new rows and the period models
(macros/period_incremental.sql) rebuild only the months from the earliest one a delivery
changes; after each delivery the marts must equal a full refresh of the same raw data.
"""

from __future__ import annotations

import datetime
import shutil
from dataclasses import dataclass
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


# the period models (macros/period_incremental.sql): each must run as an incremental model
PERIOD_MODELS = (
    "int_accounts_monthly",
    "int_accounts_revenue_summed",
    "int_subscriptions_mrr_monthly",
    "int_accounts_risk_signals",
    "revenue_monthly",
    "contact_cadence_monthly",
    "account_risk_monthly",
    "int_accounts_loyalty_features",
    "int_accounts_loyalty_classified",
    "loyalty_segment_transitions",
)


@dataclass
class Deliveries:
    correction: Path  # folder: one old activity re-delivered with a new date
    last_month: Path  # folder: the last month of every large fact
    last_month_rows: int
    last_month_start: datetime.date
    corrected_from: datetime.date  # the corrected activity's old date


def _split(landing: Path, out: Path) -> Deliveries:
    """Keep history in the landing folder; write the two later deliveries under `out`."""
    con = duckdb.connect()
    moved = 0
    cut = None
    for rel, column in LARGE_FACTS.items():
        src = landing / f"{rel}.csv"
        con.execute(
            "create or replace table t as select * from read_csv(?, all_varchar=true)", [str(src)]
        )
        if cut is None:  # the first day of the facts' last month, the same for all of them
            cut = con.execute(
                f"select cast(date_trunc('month', max(cast({column} as date))) as date) from t"
            ).fetchone()[0]
        (landing / rel).mkdir()
        con.execute(
            f"copy (select * from t where cast({column} as date) < ?) "
            f"to '{landing / rel / 'history.csv'}' (header)",
            [cut],
        )
        (out / "last_month" / rel).mkdir(parents=True)
        new = f"select * from t where cast({column} as date) >= ?"
        con.execute(f"copy ({new}) to '{out / 'last_month' / rel / 'month.csv'}' (header)", [cut])
        moved += con.execute(f"select count(*) from ({new})", [cut]).fetchone()[0]
        if rel == "crm/activities":
            old_id, old_date = con.execute(
                f"select activity_id, {column} from t where cast({column} as date) < ? "
                "order by activity_date desc, activity_id limit 1 offset 2000",
                [cut],
            ).fetchone()
            (out / "correction" / rel).mkdir(parents=True)
            con.execute(
                f"copy (select * replace (cast(? as varchar) as {column}) from t "
                f"where activity_id = ?) to '{out / 'correction' / rel / 'fix.csv'}' (header)",
                [(cut - datetime.timedelta(days=1)).isoformat(), old_id],
            )
        src.unlink()
    con.close()
    return Deliveries(
        correction=out / "correction",
        last_month=out / "last_month",
        last_month_rows=moved,
        last_month_start=cut,
        corrected_from=datetime.date.fromisoformat(old_date),
    )


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


def _assert_same_marts(got: dict[str, pd.DataFrame], want: dict[str, pd.DataFrame], when: str):
    assert got.keys() == want.keys() and len(want) > 20
    for name in want:
        pd.testing.assert_frame_equal(
            got[name], want[name], check_exact=False, rtol=1e-12, obj=f"marts.{name} ({when})"
        )


def test_new_batches_built_incrementally_give_the_same_marts_as_a_full_refresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loyalty_warehouse import ingest, transform
    from loyalty_warehouse.config import settings
    from loyalty_warehouse.warehouse import connect

    landing = tmp_path / "landing"
    shutil.copytree(REPO_ROOT / "seeds" / "demo", landing)
    later = _split(landing, tmp_path / "later")
    assert later.last_month_rows > 0
    monkeypatch.setenv("LOYALTY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LOYALTY_LANDING_DIR", str(landing))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    for var in ("LOYALTY_WAREHOUSE_PATH", "LOYALTY_PUBLISHED_PATH", "LOYALTY_QUALITY_DIR"):
        monkeypatch.delenv(var, raising=False)
    s = settings()

    def deliver(folder: Path | None = None) -> list[ingest.BatchResult]:
        for f in folder.rglob("*.csv") if folder else []:
            shutil.copy(f, landing / f.relative_to(folder))
        con = connect(s)
        try:
            return [r for r in ingest.load_landing(con, landing) if r.status == "loaded"]
        finally:
            con.close()

    def window() -> transform.BuildWindow:
        con = connect(s)
        try:
            return transform.build_window(con)
        finally:
            con.close()

    def full_refresh_of_a_copy(name: str) -> dict[str, pd.DataFrame]:
        copy = tmp_path / f"{name}.duckdb"
        shutil.copy(s.warehouse_path, copy)
        monkeypatch.setenv("LOYALTY_WAREHOUSE_PATH", str(copy))
        try:
            transform.build(settings(), command="run", full_refresh=True, extra=["--quiet"])
        finally:
            monkeypatch.delenv("LOYALTY_WAREHOUSE_PATH")
        return _marts(copy)

    deliver()  # history
    assert window().full_refresh  # nothing built yet: every table
    transform.build(s, command="run", extra=["--quiet"])

    # a late correction: the month the activity left is rebuilt, though it is a year back
    assert len(deliver(later.correction)) == 1
    assert window().rebuild_from == later.corrected_from
    transform.build(s, command="run", extra=["--quiet"])
    _assert_same_marts(_marts(s.warehouse_path), full_refresh_of_a_copy("a"), "a correction")

    # the last month: the calendar gains a month, the month before it gets its next-month MRR
    new = deliver(later.last_month)
    assert sum(r.rows_loaded for r in new) == later.last_month_rows
    assert window().rebuild_from.replace(day=1) == later.last_month_start
    output = transform.build(s, command="run")
    for model in ("int_activities_classified", *PERIOD_MODELS):
        assert any(
            "incremental model" in line and f".{model} " in line for line in output.splitlines()
        ), f"{model} did not run as an incremental model"
    incremental = _marts(s.warehouse_path)
    _assert_same_marts(incremental, full_refresh_of_a_copy("b"), "a new month")

    # nothing new loaded: the period models rebuild no month and lose none
    assert window().rebuild_from == transform.NOTHING_NEW
    transform.build(
        s, command="run", extra=["--quiet", "--select", "config.materialized:incremental"]
    )
    _assert_same_marts(_marts(s.warehouse_path), incremental, "nothing new")
