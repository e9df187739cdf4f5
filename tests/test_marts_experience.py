"""The experience and operations marts against the shipped demo extract.

Headline metrics (NPS, CES % agreeing and mean, CSAT %, promise-keeping rate, complaint
first-response hours) are recomputed here with pandas straight from the landing CSV files in
seeds/demo, independently of dbt, and must match the marts exactly. The planted patterns of
the demo generator must show up in the marts.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import REPO_ROOT

pytestmark = pytest.mark.xdist_group("warehouse")

DEMO = REPO_ROOT / "seeds" / "demo"
# The loader's "no value" tokens (any case), see docs/landing-contract.md.
NULL_TOKENS = {"", "N/A", "NA", "NULL", "NONE", "-", "NAN"}
TOLERANCE = 1e-9


# ------------------------------------------------------------------ landing files, with pandas


def read_landing(system: str, entity: str, key: list[str]) -> pd.DataFrame:
    """Every delivered file of an entity, as text; the latest delivery of each key wins."""
    single = DEMO / system / f"{entity}.csv"
    files = [single] if single.exists() else sorted((DEMO / system / entity).glob("*.csv"))
    assert files, f"no landing files for {system}/{entity} in {DEMO}"
    frames = [pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8-sig") for f in files]
    df = pd.concat(frames, ignore_index=True)
    df.columns = [c.strip().lower() for c in df.columns]
    df = df.apply(lambda col: col.where(~col.str.strip().str.upper().isin(NULL_TOKENS)))
    return df.drop_duplicates(subset=key, keep="last").reset_index(drop=True)


def month_of(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.to_period("M").dt.to_timestamp()


@pytest.fixture(scope="module")
def calendar() -> dict:
    """The reporting calendar: first to last month with invoices; the data end is its last day."""
    invoices = read_landing("finance", "invoices", ["invoice_line_id"])
    dates = pd.to_datetime(invoices["invoice_date"])
    first, last = month_of(dates).min(), month_of(dates).max()
    return {"first": first, "last": last, "as_of": last + pd.offsets.MonthEnd(0)}


@pytest.fixture(scope="module")
def accounts() -> pd.DataFrame:
    return read_landing("crm", "accounts", ["account_id"])[["account_id", "segment"]]


@pytest.fixture(scope="module")
def responses(accounts: pd.DataFrame) -> pd.DataFrame:
    df = read_landing("survey", "responses", ["response_id"])
    df = df.merge(accounts, on="account_id", how="inner")
    for col in ("nps_score", "ces_score", "csat_score"):
        df[col] = pd.to_numeric(df[col]).astype("Int64")
    df["month"] = month_of(df["responded_date"])
    return df


def monthly_survey_metrics(responses: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """NPS, CES and CSAT per month (and per `by`), from the standard definitions."""
    df = responses.copy()
    df["is_promoter"] = df["nps_score"] >= 9
    df["is_detractor"] = df["nps_score"] <= 6
    df["ces_agree"] = df["ces_score"] >= 5
    df["csat_satisfied"] = df["csat_score"] >= 4
    keys = ["month", *by]
    out = df.groupby(keys).agg(
        responses=("response_id", "size"),
        nps_responses=("nps_score", "count"),
        promoters=("is_promoter", lambda s: int(s.fillna(False).sum())),
        detractors=("is_detractor", lambda s: int(s.fillna(False).sum())),
        ces_responses=("ces_score", "count"),
        ces_agreeing=("ces_agree", lambda s: int(s.fillna(False).sum())),
        ces_total=("ces_score", lambda s: float(s.sum())),
        csat_responses=("csat_score", "count"),
        csat_satisfied=("csat_satisfied", lambda s: int(s.fillna(False).sum())),
    )
    n = out["nps_responses"].where(out["nps_responses"] > 0)
    out["nps"] = 100.0 * (out["promoters"] - out["detractors"]) / n
    ces_n = out["ces_responses"].where(out["ces_responses"] > 0)
    out["ces_agree_share"] = out["ces_agreeing"] / ces_n
    out["ces_mean"] = out["ces_total"] / ces_n
    out["csat_share"] = out["csat_satisfied"] / out["csat_responses"].where(
        out["csat_responses"] > 0
    )
    return out.reset_index().sort_values(keys).reset_index(drop=True)


@pytest.fixture(scope="module")
def commitments(calendar: dict) -> pd.DataFrame:
    df = read_landing("crm", "commitments", ["commitment_id"])
    due = pd.to_datetime(df["due_date"])
    delivered = pd.to_datetime(df["delivered_date"])
    conditions = [
        df["status"] == "broken",
        delivered.notna() & (delivered <= due),
        delivered.notna(),
        due < calendar["as_of"],
    ]
    choices = ["broken", "kept_on_time", "kept_late", "open_overdue"]
    df["commitment_status"] = np.select(conditions, choices, default="open_not_due")
    df["due_month"] = month_of(due)
    return df


def monthly_promise_keeping(commitments: pd.DataFrame, calendar: dict) -> pd.DataFrame:
    df = commitments[
        (commitments["due_month"] >= calendar["first"])
        & (commitments["due_month"] <= calendar["last"])
    ]
    counts = pd.crosstab(df["due_month"], df["commitment_status"])
    for status in ("kept_on_time", "kept_late", "broken", "open_overdue", "open_not_due"):
        if status not in counts:
            counts[status] = 0
    counts["commitments_due"] = counts[
        ["kept_on_time", "kept_late", "broken", "open_overdue", "open_not_due"]
    ].sum(axis=1)
    judged = counts[["kept_on_time", "kept_late", "broken", "open_overdue"]].sum(axis=1)
    counts["promise_kept_rate"] = counts["kept_on_time"] / judged.where(judged > 0)
    counts.index.name = "month"
    return counts.reset_index().sort_values("month").reset_index(drop=True)


# ------------------------------------------------------------------ the marts


def query(warehouse: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        df = con.execute(sql).df()
    finally:
        con.close()
    for col in ("month", "quarter"):
        if col in df:
            df[col] = pd.to_datetime(df[col])
    return df


def assert_same_counts(actual: pd.DataFrame, expected: pd.DataFrame, columns: list[str]) -> None:
    for col in columns:
        assert list(actual[col].astype(int)) == list(expected[col].astype(int)), col


def assert_same_ratios(actual: pd.DataFrame, expected: pd.DataFrame, columns: list[str]) -> None:
    for col in columns:
        a = actual[col].astype(float).to_numpy()
        e = expected[col].astype(float).to_numpy()
        assert (np.isnan(a) == np.isnan(e)).all(), f"{col}: nulls differ"
        both = ~np.isnan(a)
        assert np.abs(a[both] - e[both]).max(initial=0.0) < TOLERANCE, col


SURVEY_COUNTS = [
    "responses",
    "nps_responses",
    "promoters",
    "detractors",
    "ces_responses",
    "ces_agreeing",
    "csat_responses",
    "csat_satisfied",
]
SURVEY_RATIOS = ["nps", "ces_agree_share", "ces_mean", "csat_share"]


def test_monthly_nps_ces_and_csat_equal_an_independent_computation_from_the_landing_files(
    demo_warehouse: Path, responses: pd.DataFrame
) -> None:
    expected = monthly_survey_metrics(responses, [])
    actual = query(
        demo_warehouse,
        "select * from marts.survey_metrics where rollup_level = 'overall' order by month",
    )
    assert len(actual) == len(expected) > 12
    assert list(actual["month"]) == list(expected["month"])
    assert_same_counts(actual, expected, SURVEY_COUNTS)
    assert_same_ratios(actual, expected, SURVEY_RATIOS)


def test_segment_and_touchpoint_rows_equal_the_independent_computation_too(
    demo_warehouse: Path, responses: pd.DataFrame
) -> None:
    for level, by in (
        ("segment", ["segment"]),
        ("touchpoint", ["touchpoint"]),
        ("segment_stage_touchpoint", ["segment", "journey_stage", "touchpoint"]),
    ):
        expected = monthly_survey_metrics(responses, by)
        actual = query(
            demo_warehouse,
            f"select * from marts.survey_metrics where rollup_level = '{level}' "
            f"order by month, {', '.join(by)}",
        )
        assert len(actual) == len(expected) > 0, level
        for col in by:
            assert list(actual[col]) == list(expected[col]), (level, col)
        assert_same_counts(actual, expected, SURVEY_COUNTS)
        assert_same_ratios(actual, expected, SURVEY_RATIOS)


def test_survey_metrics_segment_rows_agree_with_the_nps_monthly_mart(
    demo_warehouse: Path,
) -> None:
    joined = query(
        demo_warehouse,
        """
        select n.month, n.segment, n.responses, n.nps, s.nps_responses, s.nps as s_nps,
            n.nps_margin_of_error, s.nps_margin_of_error as s_margin
        from marts.nps_monthly as n
        left join marts.survey_metrics as s
            on n.month = s.month and n.segment = s.segment and s.rollup_level = 'segment'
        """,
    )
    assert len(joined) > 0
    assert (joined["responses"] == joined["nps_responses"]).all()
    assert (joined["nps"] - joined["s_nps"]).abs().max() < TOLERANCE
    assert (joined["nps_margin_of_error"] - joined["s_margin"]).abs().max() < TOLERANCE


def test_the_significance_flag_is_true_only_where_the_two_intervals_do_not_overlap(
    demo_warehouse: Path,
) -> None:
    df = query(demo_warehouse, "select * from marts.survey_metrics")
    gap = (df["nps"] - df["previous_month_nps"]).abs()
    apart = gap > df["nps_margin_of_error"] + df["previous_month_nps_margin_of_error"]
    assert (df["nps_change_is_significant"] == apart.fillna(False)).all()
    assert not df.loc[df["previous_month_nps"].isna(), "nps_change_is_significant"].any()


def test_monthly_promise_keeping_rate_equals_an_independent_computation(
    demo_warehouse: Path, commitments: pd.DataFrame, calendar: dict
) -> None:
    expected = monthly_promise_keeping(commitments, calendar)
    actual = query(
        demo_warehouse,
        "select * from marts.promise_keeping_monthly where rollup_level = 'overall' order by month",
    )
    assert len(actual) == len(expected) > 12
    assert list(actual["month"]) == list(expected["month"])
    assert_same_counts(
        actual,
        expected,
        ["commitments_due", "kept_on_time", "kept_late", "broken", "open_overdue"],
    )
    assert_same_ratios(actual, expected, ["promise_kept_rate"])


def test_every_commitment_is_classified_as_the_landing_files_say(
    demo_warehouse: Path, commitments: pd.DataFrame
) -> None:
    actual = query(
        demo_warehouse,
        "select commitment_id, commitment_status from marts.commitments order by commitment_id",
    )
    expected = commitments.sort_values("commitment_id")
    assert list(actual["commitment_id"]) == list(expected["commitment_id"])
    assert list(actual["commitment_status"]) == list(expected["commitment_status"])


def test_the_governance_kpi_rows_equal_the_independent_computation(
    demo_warehouse: Path,
    responses: pd.DataFrame,
    commitments: pd.DataFrame,
    calendar: dict,
) -> None:
    kpis = query(
        demo_warehouse,
        "select * from intermediate.int_kpis_experience_monthly where segment = 'all' "
        "order by kpi, month",
    )
    survey = monthly_survey_metrics(responses, []).set_index("month")
    promises = monthly_promise_keeping(commitments, calendar).set_index("month")
    cases = read_landing("crm", "cases", ["case_id"])
    complaints = cases[cases["is_complaint"].str.lower() == "true"].copy()
    opened = pd.to_datetime(complaints["opened_at"])
    complaints["month"] = month_of(opened)
    complaints["hours"] = (
        pd.to_datetime(complaints["first_response_at"]) - opened
    ).dt.total_seconds() / 3600.0
    first_response = complaints.groupby("month")["hours"].agg(["sum", "count"])
    expected = {
        "nps": survey["nps"],
        "ces_agree_share": survey["ces_agree_share"],
        "csat_share": survey["csat_share"],
        "promise_kept_rate": promises["promise_kept_rate"],
        "complaint_first_response_hours": first_response["sum"] / first_response["count"],
    }
    for kpi, series in expected.items():
        rows = kpis[kpis["kpi"] == kpi].set_index("month")
        values = series.reindex(rows.index)
        assert_same_ratios(rows, pd.DataFrame({"value": values}), ["value"])
        ratio = rows["numerator"] / rows["denominator"].where(rows["denominator"] > 0)
        assert_same_ratios(pd.DataFrame({"value": ratio}), rows, ["value"])


# ------------------------------------------------------------------ planted patterns


def test_customers_with_broken_promises_give_a_lower_nps(demo_warehouse: Path) -> None:
    # new customers: the onboarding mart carries each account's relationship NPS
    new = query(demo_warehouse, "select * from marts.onboarding_promise_gap")
    rated = new[new["relationship_nps_responses"] > 0]

    def pooled(df: pd.DataFrame) -> float:
        n = df["relationship_nps_responses"]
        return float((df["relationship_nps"] * n).sum() / n.sum())

    assert pooled(rated[rated["broken"] > 0]) < pooled(rated[rated["broken"] == 0]) - 10
    # every customer: accounts with any broken promise in the commitments mart
    everyone = query(
        demo_warehouse,
        """
        with broken as (
            select distinct account_id from marts.commitments
            where commitment_status = 'broken'
        )
        select
            broken.account_id is not null as has_broken_promise,
            100.0 * avg(case when r.nps_category = 'promoter' then 1 else 0 end)
                - 100.0 * avg(case when r.nps_category = 'detractor' then 1 else 0 end) as nps
        from intermediate.int_survey_responses_joined as r
        left join broken on r.account_id = broken.account_id
        where r.nps_score is not null
        group by 1
        """,
    ).set_index("has_broken_promise")["nps"]
    assert everyone[True] < everyone[False] - 10


def test_the_high_effort_touchpoints_are_the_friction_points(demo_warehouse: Path) -> None:
    friction = query(demo_warehouse, "select * from marts.friction_points order by friction_rank")
    flagged = friction[friction["is_friction_point"]]
    assert len(flagged) == 3
    # the generator makes implementation and helpdesk the hardest touchpoints
    assert {"implementation", "helpdesk"} <= set(flagged["touchpoint"])
    assert (
        flagged["ces_mean"].max() < friction.loc[~friction["is_friction_point"], "ces_mean"].min()
    )
    # and over the whole history they are the two with the lowest CES
    history = query(
        demo_warehouse,
        """
        select touchpoint, sum(ces_mean * ces_responses) / sum(ces_responses) as ces_mean
        from marts.survey_metrics
        where rollup_level = 'touchpoint' and ces_responses > 0
        group by touchpoint order by ces_mean
        """,
    )
    assert set(history["touchpoint"].head(2)) == {"implementation", "helpdesk"}


def test_first_response_hours_fall_after_the_completed_response_time_action(
    demo_warehouse: Path,
) -> None:
    register = read_landing("governance", "improvement_actions", ["action_id"])
    action = register.set_index("action_id").loc["IA-01"]
    assert action["status"] == "completed"
    assert action["kpi"] == "complaint_first_response_hours"
    completed = month_of(pd.Series([action["status_changed_date"]]))[0]
    assert completed == pd.Timestamp("2025-09-01")
    handling = query(
        demo_warehouse,
        "select * from marts.complaint_handling where rollup_level = 'overall' order by month",
    )
    before = handling[handling["month"] < completed]
    after = handling[handling["month"] > completed]
    assert len(before) >= 6 and len(after) >= 6
    assert (
        after["mean_hours_to_first_response"].max() < before["mean_hours_to_first_response"].min()
    )
    assert (
        after["mean_hours_to_first_response"].mean()
        < 0.5 * before["mean_hours_to_first_response"].mean()
    )
    assert (
        after["share_first_response_within_target"].mean()
        > before["share_first_response_within_target"].mean()
    )


def test_no_mart_of_this_area_exposes_contact_personal_data(demo_warehouse: Path) -> None:
    marts = (
        "survey_metrics",
        "experience_gap",
        "friction_points",
        "commitments",
        "promise_keeping_monthly",
        "onboarding_promise_gap",
        "contact_cadence_monthly",
        "relationship_investment_quarterly",
        "complaint_handling",
        "account_review_themes",
    )
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        for mart in marts:
            columns = {
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'marts' and table_name = ?",
                    [mart],
                ).fetchall()
            }
            assert columns, f"marts.{mart} is missing"
            assert not columns & {"first_name", "last_name", "email", "phone", "contact_id"}
    finally:
        con.close()
