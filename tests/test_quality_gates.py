"""The Great Expectations gates judge each delivery on its own and keep a bad one failing.

The loader already quarantines rows that break the contract, so these tests put a bad delivery
straight into `raw` (as a batch loaded before a suite was tightened would sit there) and run
the real suite from `expectations/landing/` over it.
"""

from __future__ import annotations

import dataclasses
import datetime
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


# ----------------------------------------------------------------------------- row slices


def _deliver_lines(con: duckdb.DuckDBPyConnection, batch_id: int, rows: int) -> None:
    """A delivery of `rows` survey responses on lines 2.. of its file, copied from real rows."""
    con.execute(
        "insert into raw._batches (batch_id, entity, source_file, content_hash, status, "
        "rows_in_file, rows_loaded, rows_quarantined) "
        "values (?, 'survey.responses', ?, ?, 'loaded', ?, ?, 0)",
        [batch_id, f"survey/responses/big-{batch_id}.csv", f"hash-{batch_id}", rows, rows],
    )
    con.execute(
        "insert into raw.survey__responses by name "
        "select * exclude (n) replace ('big-' || ? || '-' || n as response_id, "
        "? as _batch_id, n + 1 as _line_number) "
        "from (select *, row_number() over (order by response_id) as n "
        "from raw.survey__responses order by response_id limit ?)",
        [batch_id, batch_id, rows],
    )


def _set_on_line(
    con: duckdb.DuckDBPyConnection, batch_id: int, line: int, column: str, value: object
) -> None:
    con.execute(
        f"update raw.survey__responses set {column} = ? where _batch_id = ? and _line_number = ?",
        [value, batch_id, line],
    )


@pytest.fixture
def sliced(
    warehouse_copy: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> duckdb.DuckDBPyConnection:
    """Slices of lines 1-3, 4-6, 7-9, 10-12: a ten-row delivery (lines 2-11) makes four.

    The demo's own deliveries count as validated, so only the test's are read.
    """
    con = warehouse_copy
    con.execute(
        "create table if not exists raw._batch_validations (batch_id bigint, suite varchar, "
        "success boolean, failures varchar, validated_at timestamp default current_timestamp)"
    )
    con.execute(
        "insert into raw._batch_validations (batch_id, suite, success, failures) "
        "select batch_id, ?, true, '' from raw._batches where entity = 'survey.responses'",
        [_responses_suite().name],
    )
    monkeypatch.setenv("LOYALTY_QUALITY_SLICE_ROWS", "3")
    return con


@pytest.fixture
def frames_seen(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The row count of every frame handed to Great Expectations (which still runs for real)."""
    seen: list[int] = []
    real = quality.validate_dataframe

    def recording(spec: quality.SuiteSpec, df) -> quality.SuiteResult:
        seen.append(len(df))
        return real(spec, df)

    monkeypatch.setattr(quality, "validate_dataframe", recording)
    return seen


def test_a_clean_delivery_split_into_slices_passes_and_reports_its_full_row_count(
    sliced: duckdb.DuckDBPyConnection, frames_seen: list[int]
) -> None:
    con, spec = sliced, _responses_suite()
    _deliver_lines(con, 900_010, rows=10)

    result = quality.validate_new_batches(con, spec)

    assert result.success, result.failures
    assert result.batches == [900_010]
    assert result.rows == 10
    assert result.evaluated == len(spec.expectations)
    assert max(frames_seen) <= 3, frames_seen
    assert sum(frames_seen) == 10, "every row is read once"


def test_a_key_repeated_in_two_slices_of_one_delivery_is_still_caught_and_named(
    sliced: duckdb.DuckDBPyConnection,
) -> None:
    con, spec = sliced, _responses_suite()
    _deliver_lines(con, 900_011, rows=10)
    first_id = con.execute(
        "select response_id from raw.survey__responses where _batch_id = 900011 "
        "and _line_number = 2"
    ).fetchone()[0]
    _set_on_line(con, 900_011, 11, "response_id", first_id)

    result = quality.validate_new_batches(con, spec)

    assert not result.success
    named = f"response_id={first_id}, _batch_id=900011"
    for lines in ("lines 2-3", "lines 10-11"):
        assert any(
            f.startswith(
                f"batch 900011 {lines}: expect_compound_columns_to_be_unique: "
                "columns response_id, _batch_id: 1 unexpected"
            )
            and named in f
            for f in result.failures
        ), result.failures
    assert len(result.failures) == 2, result.failures


def test_a_bad_value_in_the_second_slice_is_reported_once_with_its_line_range(
    sliced: duckdb.DuckDBPyConnection,
) -> None:
    con, spec = sliced, _responses_suite()
    _deliver_lines(con, 900_012, rows=10)
    _set_on_line(con, 900_012, 5, "nps_score", 11)

    result = quality.validate_new_batches(con, spec)

    assert not result.success
    assert result.failures == [
        "batch 900012 lines 4-6: expect_column_values_to_be_between: column nps_score: "
        "1 unexpected: e.g. [11]"
    ]
    assert result.rows == 10


def test_batch_validations_keeps_one_row_per_delivery_however_many_slices_it_took(
    sliced: duckdb.DuckDBPyConnection,
) -> None:
    con, spec = sliced, _responses_suite()
    _deliver_lines(con, 900_013, rows=10)
    _deliver_lines(con, 900_014, rows=10)
    _set_on_line(con, 900_014, 8, "account_id", "ACC-NOT-IN-CRM")

    result = quality.validate_new_batches(con, spec)

    assert result.rows == 20
    rows = con.execute(
        "select batch_id, success, failures from raw._batch_validations where suite = ? "
        "and batch_id in (900013, 900014) order by batch_id",
        [spec.name],
    ).fetchall()
    assert [(b, ok) for b, ok, _ in rows] == [(900_013, True), (900_014, False)]
    assert rows[1][2].startswith("batch 900014 lines 7-9: ") and "ACC-NOT-IN-CRM" in rows[1][2]


def test_a_row_count_limit_is_judged_on_the_whole_delivery_not_on_each_slice(
    sliced: duckdb.DuckDBPyConnection,
) -> None:
    con = sliced
    limited = (
        *_responses_suite().expectations,
        {"type": "ExpectTableRowCountToBeBetween", "kwargs": {"min_value": 1, "max_value": 5}},
    )
    spec = dataclasses.replace(_responses_suite(), expectations=limited)
    _deliver_lines(con, 900_015, rows=10)

    result = quality.validate_new_batches(con, spec)

    assert not result.success
    assert result.failures == ["batch 900015: expect_table_row_count_to_be_between: observed 10"]
    assert result.evaluated == len(limited)


def test_a_missing_column_is_reported_once_per_delivery_not_once_per_slice(
    sliced: duckdb.DuckDBPyConnection,
) -> None:
    con, spec = sliced, _responses_suite()
    _deliver_lines(con, 900_016, rows=10)
    con.execute("alter table raw.survey__responses add column channel varchar")

    result = quality.validate_new_batches(con, spec)

    assert not result.success
    assert len(result.failures) == 1, result.failures
    assert result.failures[0].startswith("batch 900016: expect_table_columns_to_match_set")


def test_a_slice_size_below_one_row_is_refused_naming_the_setting(
    warehouse_copy: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOYALTY_QUALITY_SLICE_ROWS", "0")
    with pytest.raises(ValueError, match="LOYALTY_QUALITY_SLICE_ROWS"):
        quality.validate_new_batches(warehouse_copy, _responses_suite())


def test_a_month_by_month_mart_suite_checks_again_only_the_months_rebuilt_since_it_last_passed(
    warehouse_copy: duckdb.DuckDBPyConnection,
) -> None:
    from loyalty_warehouse import transform

    con = warehouse_copy
    spec = next(s for s in quality.load_suites() if s.name == "mart_account_risk_monthly")
    table = "marts.account_risk_monthly"
    months = [
        m for (m,) in con.execute(f"select distinct month from {table} order by 1").fetchall()
    ]

    def rows_from(month: datetime.date) -> int:
        return con.execute(f"select count(*) from {table} where month >= ?", [month]).fetchone()[0]

    def check() -> tuple[datetime.date | None, quality.SuiteResult]:
        # what quality.run_suite does around the validation, on one connection
        since = quality.periods_to_validate(con, spec)
        result = quality.validate_table(con, spec, periods_from=since)
        quality.record_suite_run(con, spec, result.success)
        return since, result

    transform.record_build(con, transform.BuildWindow(1, None))
    since, first = check()
    assert since is None and first.success and first.rows == rows_from(months[0])

    since, idle = check()
    assert since == quality.NO_PERIOD and idle.success and idle.rows == 0

    # a daily build rebuilt the last month from its middle: that month is checked, no other
    day = months[-1] + datetime.timedelta(days=14)
    transform.record_build(con, transform.BuildWindow(2, day))
    since, daily = check()
    assert since == day and daily.success and daily.rows == rows_from(months[-1]) < first.rows

    # the next build leaves a customer twice in the last month: the check fails, and keeps
    # checking that month after a build that rebuilt nothing, until it passes again
    transform.record_build(con, transform.BuildWindow(3, months[-1]))
    con.execute(f"insert into {table} select * from {table} where month = ? limit 1", [months[-1]])
    _, broken = check()
    assert not broken.success
    transform.record_build(con, transform.BuildWindow(4, transform.NOTHING_NEW))
    since, still = check()
    assert since == months[-1] and not still.success, "a failed month was let go"

    # a full refresh: every month again
    con.execute(f"create or replace table {table} as select distinct * from {table}")
    transform.record_build(con, transform.BuildWindow(5, None))
    since, full = check()
    assert since is None and full.success and full.rows == first.rows
