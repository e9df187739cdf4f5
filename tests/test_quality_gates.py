"""The Great Expectations gates judge each delivery on its own and keep a bad one failing.

The loader already quarantines rows that break the contract, so these tests put a bad delivery
straight into `raw` (as a batch loaded before a suite was tightened would sit there) and run
the real suite from `expectations/landing/` over it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from loyalty_warehouse import quality

pytestmark = pytest.mark.xdist_group("warehouse")


@pytest.fixture
def warehouse_copy(demo_warehouse: Path, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_warehouse, path)
    con = duckdb.connect(str(path))
    yield con
    con.close()


def _responses_suite() -> quality.SuiteSpec:
    return next(s for s in quality.load_suites() if s.name == "landing_survey__responses")


def _deliver(
    con: duckdb.DuckDBPyConnection, batch_id: int, nps_score: int, account_id: str | None = None
) -> None:
    """A one-row delivery of survey responses, copied from a real row with a new id."""
    con.execute(
        "insert into raw._batches (batch_id, entity, source_file, content_hash, status, "
        "rows_in_file, rows_loaded, rows_quarantined) "
        "values (?, 'survey.responses', ?, ?, 'loaded', 1, 1, 0)",
        [batch_id, f"survey/responses/late-{batch_id}.csv", f"hash-{batch_id}"],
    )
    con.execute(
        "insert into raw.survey__responses by name "
        "select * replace ('late-' || ? as response_id, ? as nps_score, ? as _batch_id, "
        "1 as _line_number, coalesce(?, account_id) as account_id) "
        "from raw.survey__responses limit 1",
        [batch_id, nps_score, batch_id, account_id],
    )


def test_a_delivery_that_breaks_a_suite_fails_the_gate_alone_and_names_batch_and_column(
    warehouse_copy: duckdb.DuckDBPyConnection,
) -> None:
    con, spec = warehouse_copy, _responses_suite()
    _deliver(con, 900_001, nps_score=9)
    _deliver(con, 900_002, nps_score=11)

    result = quality.validate_new_batches(con, spec)

    assert not result.success
    assert 900_001 in result.batches and 900_002 in result.batches
    assert any(
        f.startswith("batch 900002: ") and "nps_score" in f and "1 unexpected" in f
        for f in result.failures
    ), result.failures
    assert not any("900001" in f for f in result.failures), result.failures
    verdicts = dict(
        con.execute(
            "select batch_id, success from raw._batch_validations where suite = ? "
            "and batch_id in (900001, 900002)",
            [spec.name],
        ).fetchall()
    )
    assert verdicts == {900_001: True, 900_002: False}


def test_a_failed_delivery_keeps_the_gate_red_until_a_corrected_file_replaces_it(
    warehouse_copy: duckdb.DuckDBPyConnection,
) -> None:
    con, spec = warehouse_copy, _responses_suite()
    _deliver(con, 900_002, nps_score=11)
    assert not quality.validate_new_batches(con, spec).success

    again = quality.validate_new_batches(con, spec)
    assert again.batches == [], "a delivery is validated once"
    assert not again.success
    assert any("batch 900002 failed earlier and is still current" in f for f in again.failures)

    # the corrected file arrives: the loader marks the old batch superseded
    con.execute("update raw._batches set status = 'superseded' where batch_id = 900002")
    _deliver(con, 900_003, nps_score=10)
    fixed = quality.validate_new_batches(con, spec)
    assert fixed.success, fixed.failures
    assert fixed.batches == [900_003]


def test_a_mart_validated_month_by_month_still_covers_every_row_and_names_the_bad_month(
    warehouse_copy: duckdb.DuckDBPyConnection,
) -> None:
    con = warehouse_copy
    spec = next(s for s in quality.load_suites() if s.name == "mart_account_risk_monthly")
    assert spec.batch_by == "month"
    rows = con.execute("select count(*) from marts.account_risk_monthly").fetchone()[0]

    clean = quality.validate_table(con, spec)
    assert clean.success, clean.failures
    assert clean.rows == rows

    # one customer counted twice in one month
    month = con.execute(
        "insert into marts.account_risk_monthly select * from marts.account_risk_monthly "
        "where month = (select min(month) from marts.account_risk_monthly) limit 1 "
        "returning month"
    ).fetchone()[0]
    broken = quality.validate_table(con, spec)
    assert not broken.success
    assert broken.rows == rows + 1
    assert any(
        f.startswith(f"month {month}: expect_compound_columns_to_be_unique")
        for f in broken.failures
    ), broken.failures
    assert len(broken.failures) == 1, broken.failures


def test_a_delivery_naming_an_unknown_customer_fails_and_lists_the_unknown_id(
    warehouse_copy: duckdb.DuckDBPyConnection,
) -> None:
    con, spec = warehouse_copy, _responses_suite()
    _deliver(con, 900_004, nps_score=8, account_id="ACC-NOT-IN-CRM")

    result = quality.validate_new_batches(con, spec)

    assert not result.success
    assert any(
        f.startswith("batch 900004: ")
        and "column account_id__not_in_crm_accounts" in f
        and "ACC-NOT-IN-CRM" in f
        for f in result.failures
    ), result.failures
    assert len([f for f in result.failures if f.startswith("batch 900004")]) == 1
