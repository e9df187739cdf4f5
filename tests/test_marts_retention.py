"""The retention, value, loyalty, early-warning and advocacy marts on the shipped demo extract.

Headline metrics (logo churn, GRR/NRR, cohort retention, the governance KPI rows) are recomputed
here with pandas straight from the landing CSV files in seeds/demo, never from dbt tables, and
must match the marts exactly. The other tests check that the causal structure planted in the
demo generator shows up in the marts.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import REPO_ROOT

pytestmark = pytest.mark.xdist_group("warehouse")

LANDING = REPO_ROOT / "seeds" / "demo"
SEGMENTS = ("enterprise", "mid_market", "small_business")


# ----------------------------------------------------------------------------- landing files


NULL_TOKENS = {"", "N/A", "NA", "NULL", "NONE", "NAN", "-"}


def _read(landing: Path, system: str, entity: str, key: list[str]) -> pd.DataFrame:
    """One landing file as the loader keeps it: its null tokens as nulls, the last line of a key
    winning (the current version)."""
    path = landing / system / f"{entity}.csv"
    # a large extract comes as a folder of parts, <entity>/part-NNNNN.csv, in order
    parts = [path] if path.exists() else sorted((landing / system / entity).glob("*.csv"))
    df = pd.concat(
        [pd.read_csv(part, dtype=str, keep_default_na=False) for part in parts],
        ignore_index=True,
    )
    df = df.apply(lambda col: col.where(~col.str.strip().str.upper().isin(NULL_TOKENS), None))
    return df.drop_duplicates(subset=key, keep="last").reset_index(drop=True)


def _month(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.to_period("M").dt.to_timestamp()


def _landing(landing: Path) -> dict[str, pd.DataFrame]:
    accounts = _read(landing, "crm", "accounts", ["account_id"])
    accounts["created_date"] = pd.to_datetime(accounts["created_date"])
    churn = _read(landing, "crm", "churn_events", ["churn_event_id"])
    churn["churn_date"] = pd.to_datetime(churn["churn_date"])
    # one churn per account: the earliest
    churn = churn.sort_values(["account_id", "churn_date", "churn_event_id"]).drop_duplicates(
        "account_id"
    )
    accounts = accounts.merge(
        churn[["account_id", "churn_date", "churn_reason"]], on="account_id", how="left"
    )
    accounts["cohort_month"] = _month(accounts["created_date"])
    accounts["churn_month"] = _month(accounts["churn_date"])

    invoices = _read(landing, "finance", "invoices", ["invoice_line_id"])
    subscriptions = _read(landing, "finance", "subscriptions", ["subscription_id"])
    subscriptions["start_date"] = pd.to_datetime(subscriptions["start_date"])
    subscriptions["end_date"] = pd.to_datetime(subscriptions["end_date"])
    subscriptions["mrr"] = subscriptions["mrr"].astype(float)

    inv_months = _month(invoices["invoice_date"])
    months = pd.date_range(inv_months.min(), inv_months.max(), freq="MS")
    return {
        "accounts": accounts,
        "subscriptions": subscriptions,
        "months": months,
        "commitments": _read(landing, "crm", "commitments", ["commitment_id"]),
        "incentives": _read(landing, "finance", "incentives", ["incentive_id"]),
    }


def _mrr_at(subscriptions: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    """Contracted MRR per account on a day: every term started and not yet ended."""
    live = subscriptions[
        (subscriptions["start_date"] <= day)
        & (subscriptions["end_date"].isna() | (subscriptions["end_date"] >= day))
    ]
    return live.groupby("account_id")["mrr"].sum()


def independent_retention(landing: Path) -> pd.DataFrame:
    """Logo churn, GRR and NRR per month per segment (and 'all') from the landing files."""
    data = _landing(landing)
    accounts, subs, months = data["accounts"], data["subscriptions"], data["months"]
    rows = []
    for i, month in enumerate(months):
        latest = i == len(months) - 1
        at_start = accounts[
            (accounts["created_date"] < month)
            & (accounts["churn_date"].isna() | (accounts["churn_date"] >= month))
        ].copy()
        at_start["lost"] = at_start["churn_month"] == month
        at_start["mrr"] = at_start["account_id"].map(_mrr_at(subs, month)).fillna(0.0)
        if latest:
            at_start["next"] = np.nan
        else:
            next_mrr = _mrr_at(subs, months[i + 1])
            at_start["next"] = at_start["account_id"].map(next_mrr).fillna(0.0)
        delta = at_start["next"] - at_start["mrr"]
        at_start["churned_mrr"] = np.where(at_start["lost"], at_start["mrr"], 0.0)
        at_start["contraction"] = np.where(at_start["lost"], 0.0, (-delta).clip(lower=0))
        at_start["expansion"] = np.where(at_start["lost"], 0.0, delta.clip(lower=0))
        new = accounts[accounts["cohort_month"] == month]
        for segment in (*SEGMENTS, "all"):
            seg = at_start if segment == "all" else at_start[at_start["segment"] == segment]
            n_new = len(new) if segment == "all" else int((new["segment"] == segment).sum())
            n, lost = len(seg), int(seg["lost"].sum())
            start = float(seg["mrr"].sum())
            churned = float(seg["churned_mrr"].sum())
            contraction = np.nan if latest else float(seg["contraction"].sum())
            expansion = np.nan if latest else float(seg["expansion"].sum())
            ok = not latest and start > 0
            rows.append(
                {
                    "month": month,
                    "segment": segment,
                    "customers_at_start": n,
                    "customers_lost": lost,
                    "new_customers": n_new,
                    "logo_churn_rate": lost / n if n else np.nan,
                    "start_mrr": start,
                    "churned_mrr": churned,
                    "contraction_mrr": contraction,
                    "expansion_mrr": expansion,
                    "grr": min(1.0, (start - contraction - churned) / start) if ok else np.nan,
                    "nrr": (start + expansion - contraction - churned) / start if ok else np.nan,
                }
            )
    return pd.DataFrame(rows)


def independent_cohort_retention(landing: Path) -> pd.DataFrame:
    """Cohort size and customers retained at the start of period k, cohorts inside the window."""
    data = _landing(landing)
    accounts, months = data["accounts"], data["months"]
    rows = []
    for cohort in months:
        members = accounts[accounts["cohort_month"] == cohort]
        if members.empty:
            continue
        for k, period in enumerate(months[months >= cohort]):
            retained = (
                len(members)
                if k == 0
                else int((members["churn_date"].isna() | (members["churn_date"] >= period)).sum())
            )
            rows.append(
                {
                    "cohort_month": cohort,
                    "months_since_cohort": k,
                    "cohort_size": len(members),
                    "retained": retained,
                    "cohort_retention": retained / len(members),
                }
            )
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def marts(demo_warehouse: Path):
    con = duckdb.connect(str(demo_warehouse), read_only=True)

    def query(sql: str) -> pd.DataFrame:
        return con.execute(sql).df()

    yield query
    con.close()


@pytest.fixture(scope="module")
def expected_retention() -> pd.DataFrame:
    return independent_retention(LANDING)


def _assert_close(actual: pd.Series, expected: pd.Series, what: str) -> None:
    a = pd.to_numeric(actual, errors="coerce").astype(float).to_numpy()
    e = pd.to_numeric(expected, errors="coerce").astype(float).to_numpy()
    assert np.array_equal(np.isnan(a), np.isnan(e)), f"{what}: null pattern differs"
    both = ~np.isnan(a)
    assert np.abs(a[both] - e[both]).max(initial=0.0) < 1e-9, what


# ----------------------------------------------------------------------------- exact recomputation


def test_logo_churn_per_month_and_segment_equals_an_independent_computation(
    marts, expected_retention: pd.DataFrame
) -> None:
    actual = marts("select * from marts.retention_monthly order by month, segment")
    expected = expected_retention.sort_values(["month", "segment"]).reset_index(drop=True)
    assert len(actual) == len(expected) > 0
    assert list(pd.to_datetime(actual["month"])) == list(expected["month"])
    assert list(actual["segment"]) == list(expected["segment"])
    for col in ("customers_at_start", "customers_lost", "new_customers"):
        assert list(actual[col].astype(int)) == list(expected[col].astype(int)), col
    _assert_close(actual["logo_churn_rate"], expected["logo_churn_rate"], "logo_churn_rate")
    _assert_close(
        actual["logo_retention_rate"], 1.0 - expected["logo_churn_rate"], "logo_retention_rate"
    )


def test_grr_and_nrr_per_month_and_segment_equal_an_independent_computation(
    marts, expected_retention: pd.DataFrame
) -> None:
    actual = marts("select * from marts.retention_monthly order by month, segment")
    expected = expected_retention.sort_values(["month", "segment"]).reset_index(drop=True)
    for col in ("start_mrr", "churned_mrr", "contraction_mrr", "expansion_mrr", "grr", "nrr"):
        _assert_close(actual[col], expected[col], col)
    latest = actual[pd.to_datetime(actual["month"]) == pd.to_datetime(actual["month"]).max()]
    assert latest["grr"].isna().all() and latest["nrr"].isna().all()
    assert (actual["grr"].dropna() <= 1.0).all()


def test_cohort_retention_equals_an_independent_computation(marts) -> None:
    actual = marts(
        "select * from marts.cohort_retention order by cohort_month, months_since_cohort"
    )
    expected = independent_cohort_retention(LANDING)
    assert len(actual) == len(expected) > 0
    assert list(pd.to_datetime(actual["cohort_month"])) == list(expected["cohort_month"])
    for col in ("months_since_cohort", "cohort_size", "retained"):
        assert list(actual[col].astype(int)) == list(expected[col].astype(int)), col
    _assert_close(actual["cohort_retention"], expected["cohort_retention"], "cohort_retention")


def test_the_governance_kpi_rows_carry_the_same_retention_numbers(
    marts, expected_retention: pd.DataFrame
) -> None:
    kpis = marts(
        "select * from intermediate.int_kpis_retention_monthly order by kpi, month, segment"
    )
    assert set(kpis["kpi"]) == {"logo_churn_rate", "grr", "nrr"}
    assert set(kpis["segment"]) == {*SEGMENTS, "all"}
    expected = expected_retention.sort_values(["month", "segment"]).reset_index(drop=True)
    for kpi, numerator, denominator in (
        ("logo_churn_rate", expected["customers_lost"], expected["customers_at_start"]),
        (
            "grr",
            expected["start_mrr"] - expected["contraction_mrr"] - expected["churned_mrr"],
            expected["start_mrr"],
        ),
        (
            "nrr",
            expected["start_mrr"]
            + expected["expansion_mrr"]
            - expected["contraction_mrr"]
            - expected["churned_mrr"],
            expected["start_mrr"],
        ),
    ):
        rows = kpis[kpis["kpi"] == kpi].reset_index(drop=True)
        assert len(rows) == len(expected)
        _assert_close(rows["value"], expected[kpi], f"{kpi} value")
        _assert_close(rows["numerator"], numerator, f"{kpi} numerator")
        _assert_close(rows["denominator"], denominator.astype(float), f"{kpi} denominator")


def test_historic_clv_equals_revenue_minus_cost_to_serve_from_the_landing_files(marts) -> None:
    invoices = _read(LANDING, "finance", "invoices", ["invoice_line_id"])
    costs = _read(LANDING, "finance", "cost_to_serve", ["account_id", "month", "cost_type"])
    acquisition = _read(LANDING, "finance", "acquisition_costs", ["account_id"])
    revenue = (
        invoices.assign(amount=invoices["amount"].astype(float))
        .groupby("account_id")["amount"]
        .sum()
    )
    cost = costs.assign(amount=costs["amount"].astype(float)).groupby("account_id")["amount"].sum()
    cac = acquisition.set_index("account_id")["amount"].astype(float)
    actual = marts("select * from marts.customer_value order by account_id").set_index("account_id")
    expected_clv = revenue.reindex(actual.index, fill_value=0.0) - cost.reindex(
        actual.index, fill_value=0.0
    )
    _assert_close(actual["historic_clv"], expected_clv, "historic_clv")
    ratio = (expected_clv / cac.reindex(actual.index)).replace([np.inf, -np.inf], np.nan)
    _assert_close(actual["clv_cac_ratio"], ratio, "clv_cac_ratio")


def test_the_retention_economics_scenario_follows_its_stated_assumptions(
    marts, expected_retention: pd.DataFrame
) -> None:
    data = _landing(LANDING)
    accounts, months = data["accounts"], data["months"]
    window = months[(months < months.max()) & (months >= months.max() - pd.DateOffset(months=12))]
    assert len(window) == 12
    invoices = _read(LANDING, "finance", "invoices", ["invoice_line_id"])
    costs = _read(LANDING, "finance", "cost_to_serve", ["account_id", "month", "cost_type"])
    money = pd.concat(
        [
            pd.DataFrame(
                {
                    "account_id": invoices["account_id"],
                    "month": _month(invoices["invoice_date"]),
                    "margin": invoices["amount"].astype(float),
                }
            ),
            pd.DataFrame(
                {
                    "account_id": costs["account_id"],
                    "month": _month(costs["month"]),
                    "margin": -costs["amount"].astype(float),
                }
            ),
        ]
    )
    margin = money.groupby(["account_id", "month"])["margin"].sum()
    customer_months = []
    for month in window:
        month_end = month + pd.offsets.MonthEnd(0)
        live = accounts[
            (accounts["created_date"] <= month_end)
            & (accounts["churn_date"].isna() | (accounts["churn_date"] >= month))
        ]
        customer_months.append(live[["account_id", "segment"]].assign(month=month))
    cm = pd.concat(customer_months)
    cm = cm.merge(margin.reset_index(), on=["account_id", "month"], how="left").fillna(
        {"margin": 0.0}
    )
    actual = marts("select * from marts.retention_economics").set_index("segment")
    assert set(actual["scenario"]) == {"illustrative: +5 points retention"}
    retention = expected_retention[expected_retention["month"].isin(window)]
    for segment in (*SEGMENTS, "all"):
        r = retention[retention["segment"] == segment]
        annual = (1 - r["customers_lost"].sum() / r["customers_at_start"].sum()) ** 12
        seg_cm = cm if segment == "all" else cm[cm["segment"] == segment]
        monthly_margin = seg_cm["margin"].sum() / len(seg_cm)
        row = actual.loc[segment]
        assert abs(row["current_annual_retention"] - annual) < 1e-9
        assert abs(row["avg_monthly_margin_per_customer"] - monthly_margin) < 1e-6
        current = 12 * monthly_margin / (1 - annual)
        assert abs(row["lifetime_margin_per_customer_current"] - current) < 1e-6 * abs(current)
        if annual + 0.05 < 1:
            improved = 12 * monthly_margin / (1 - (annual + 0.05))
            assert abs(row["profit_uplift_per_customer"] - (improved - current)) < 1e-6 * abs(
                improved
            )
            assert row["profit_uplift_per_customer"] > 0
        else:
            assert np.isnan(row["profit_uplift_per_customer"])


# ----------------------------------------------------------------------------- planted patterns


def test_customers_with_broken_promises_churn_more(marts) -> None:
    customers = marts("select account_id, status from marts.customer_360")
    commitments = _landing(LANDING)["commitments"]
    broken = set(commitments.loc[commitments["status"] == "broken", "account_id"])
    customers["has_broken_promise"] = customers["account_id"].isin(broken)
    churn = customers.groupby("has_broken_promise")["status"].apply(
        lambda s: (s == "churned").mean()
    )
    assert churn[True] > churn[False] + 0.05, churn


def test_promoters_referred_customers_retain_better_than_customers_not_referred(marts) -> None:
    referrals = marts(
        "select sum(referred_active_customers) as active, sum(referrals_made) as referred "
        "from marts.referrals where referrer_nps_category_at_latest_referral = 'promoter'"
    )
    cohorts = marts("select * from marts.referral_cohorts where segment = 'all'").set_index(
        "channel_group"
    )
    promoters_referred = float(referrals["active"][0]) / float(referrals["referred"][0])
    assert referrals["referred"][0] >= 30
    assert promoters_referred > cohorts.loc["not_referred", "retention_rate_to_date"] + 0.05
    assert (
        cohorts.loc["referred", "retention_rate_to_date"]
        > cohorts.loc["not_referred", "retention_rate_to_date"]
    )


def test_incentivised_customers_retain_more_without_a_higher_nps(marts) -> None:
    customers = marts(
        "select account_id, segment, status, latest_nps_category from marts.customer_360"
    )
    incentives = _landing(LANDING)["incentives"]
    offered = set(
        incentives.loc[
            incentives["incentive_type"].isin(["retention_offer", "discount"]), "account_id"
        ]
    )
    customers["incentivised"] = customers["account_id"].isin(offered)
    customers["churned"] = customers["status"] == "churned"
    answered = customers[customers["latest_nps_category"].notna()]
    # NPS over each customer's latest relationship answer: % promoters - % detractors
    nps = answered.groupby("incentivised")["latest_nps_category"].apply(
        lambda c: 100.0 * ((c == "promoter").mean() - (c == "detractor").mean())
    )
    churn = customers.groupby("incentivised")["churned"].mean()
    assert churn[True] < churn[False], churn
    assert nps[True] <= nps[False], nps
    driven = marts("select count(*) as n from marts.loyalty_segments where is_incentive_driven")
    assert driven["n"][0] > 0


def test_the_early_warning_flag_beats_random_flagging(marts) -> None:
    backtest = marts("select * from marts.early_warning_backtest order by month")
    # from the seventh month every churner has the full 2-6 month window to be flagged in
    months = pd.to_datetime(backtest["month"])
    settled = backtest[months >= months.min() + pd.DateOffset(months=6)]
    recall = settled["churned_flagged_earlier"].sum() / settled["churned_customers"].sum()
    share_flagged = settled["flagged_customers"].sum() / settled["customers_at_start"].sum()
    share_flagged_earlier = (
        settled["customers_at_start"] * settled["share_flagged_earlier"]
    ).sum() / settled["customers_at_start"].sum()
    assert recall > share_flagged
    assert recall > 2 * share_flagged_earlier
    complete = backtest[backtest["outcome_months_observed"] == 6]
    precision = complete["flagged_churned_within_6m"].sum() / complete["flagged_customers"].sum()
    base = complete["customers_churned_within_6m"].sum() / complete["customers_at_start"].sum()
    assert precision > 2 * base


def test_revenue_at_risk_adds_up_to_the_flagged_customers(marts) -> None:
    at_risk = marts("select * from marts.revenue_at_risk where segment = 'all' order by month")
    risk = marts(
        "select month, sum(case when is_at_risk then 1 else 0 end) as n, "
        "sum(case when is_at_risk then mrr_at_start else 0 end) as mrr "
        "from marts.account_risk_monthly group by month order by month"
    )
    assert list(at_risk["at_risk_customers"]) == list(risk["n"].astype(int))
    _assert_close(at_risk["at_risk_mrr"], risk["mrr"], "at_risk_mrr")
    assert (at_risk["at_risk_mrr_share"].between(0, 1)).all()


def test_no_mart_of_this_area_carries_contact_personal_data(marts) -> None:
    columns = marts(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' and table_name in ('revenue_monthly', 'retention_monthly', "
        "'cohort_retention', 'churn_reasons_monthly', 'revenue_at_risk', 'customer_value', "
        "'retention_economics', 'loyalty_segments', 'loyalty_segment_transitions', "
        "'account_risk_monthly', 'early_warning_backtest', 'referrals', 'referral_cohorts', "
        "'customer_360')"
    )
    assert columns["table_name"].nunique() == 14
    pii = {"first_name", "last_name", "email", "phone", "contact_id", "account_name"}
    assert not pii & set(columns["column_name"])
