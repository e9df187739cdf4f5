"""The demo data generator: deterministic, contract-conforming, and carrying the planted
cause and effect the reports are meant to show. Everything is computed from the files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "orchestration"))

from loyalty_demo import ContractError, generate, validate_dir  # noqa: E402
from loyalty_warehouse.contract import ENTITIES, KPIS, SEGMENTS  # noqa: E402

END_MONTH = "2026-10"
END = "2026-10-31"
CUSTOMERS, MONTHS = 2000, 24
SEED = int(os.environ.get("LOYALTY_DEMO_TEST_SEED", "11"))  # other seeds: a robustness check


class Extract:
    """A generated extract read back with pandas, every cell as text."""

    def __init__(self, root: Path, months: int):
        self.root = Path(root)
        self.months = months
        self.start = (pd.Period(END_MONTH, "M") - (months - 1)).to_timestamp()
        self.end = pd.Timestamp(END)
        self.mid = self.start + (self.end - self.start) / 2
        self._cache: dict[str, pd.DataFrame] = {}

    def __getitem__(self, key: str) -> pd.DataFrame:
        if key not in self._cache:
            system, name = key.split(".")
            path = self.root / system / f"{name}.csv"
            self._cache[key] = pd.read_csv(path, dtype=str, keep_default_na=False)
        return self._cache[key]

    def registers(self) -> dict[str, pd.DataFrame]:
        folder = self.root / "governance" / "improvement_actions"
        return {
            p.stem.removeprefix("register_"): pd.read_csv(p, dtype=str, keep_default_na=False)
            for p in sorted(folder.glob("register_*.csv"))
        }

    def accounts(self) -> pd.DataFrame:
        """Accounts with churn date (NaT if still a customer) and mean relationship NPS."""
        acc = self["crm.accounts"].copy()
        acc["created"] = pd.to_datetime(acc.created_date)
        churn = self["crm.churn_events"].set_index("account_id")
        acc["churn_date"] = pd.to_datetime(acc.account_id.map(churn.churn_date))
        acc["churn_reason"] = acc.account_id.map(churn.churn_reason)
        acc["churned"] = acc.churn_date.notna()
        acc["existing"] = acc.created < self.start
        nps = self.nps()
        acc["nps"] = acc.account_id.map(nps.groupby("account_id").nps.mean())
        return acc

    def nps(self) -> pd.DataFrame:
        r = self["survey.responses"]
        r = r[r.nps_score != ""].copy()
        r["nps"] = r.nps_score.astype(int)
        r["date"] = pd.to_datetime(r.responded_date)
        return r

    def before_mid(self) -> pd.DataFrame:
        """Customers from before the window still with us at mid-window; 'late_churn' is
        whether they left in the second half (exposures are measured in the first half)."""
        acc = self.accounts()
        base = acc[acc.existing & ~(acc.churn_date < self.mid)].copy()
        base["late_churn"] = base.churned
        return base


def stratified_gap(df: pd.DataFrame, exposed: str, outcome: str) -> float:
    """Outcome rate of the unexposed minus the exposed, within segment, weighted by size."""
    gaps, weights = [], []
    for _, g in df.groupby("segment"):
        if g[exposed].sum() >= 10 and (~g[exposed]).sum() >= 10:
            gaps.append(g.loc[~g[exposed], outcome].mean() - g.loc[g[exposed], outcome].mean())
            weights.append(len(g))
    assert weights, "no segment has both exposed and unexposed customers"
    return float(np.average(gaps, weights=weights))


def window(
    df: pd.DataFrame, date_col: str, ref: pd.DataFrame, lo: float, hi: float
) -> pd.DataFrame:
    """Rows dated between ``hi`` and ``lo`` months before each account's reference date."""
    m = df.merge(ref, on="account_id")
    months_before = (m.ref - m[date_col]).dt.days / 30.44
    return m[(months_before >= lo) & (months_before < hi)]


# One xdist worker runs this file, so the extract below is generated once.
pytestmark = pytest.mark.xdist_group("generator")


@pytest.fixture(scope="module")
def extract(tmp_path_factory) -> Extract:
    out = tmp_path_factory.mktemp("demo")
    counts = generate(CUSTOMERS, MONTHS, SEED, out, end_month=END_MONTH, progress=False)
    ex = Extract(out, MONTHS)
    ex.counts = counts
    return ex


@pytest.fixture(scope="module")
def pre_churn(extract):
    """Customers who left unhappy (any reason but 'other') with at least a year of history
    before leaving, and established stayers (their reference date is the end of the data)."""
    acc = extract.accounts()
    churners = acc[
        acc.churned
        & (acc.churn_reason != "other")
        & (acc.churn_date >= acc.created + pd.DateOffset(months=12))
        & (acc.churn_date >= extract.start + pd.DateOffset(months=12))
    ]
    stayers = acc[~acc.churned & (acc.created < extract.end - pd.DateOffset(months=12))]
    assert len(churners) >= 40
    return {
        "churners": churners[["account_id"]].assign(ref=churners.churn_date),
        "stayers": stayers[["account_id"]].assign(ref=extract.end),
    }


# ------------------------------------------------------------------------ determinism


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_the_same_seed_gives_byte_identical_files_and_a_different_seed_does_not(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(300, 12, 5, a, progress=False)
    generate(300, 12, 5, b, progress=False)
    generate(300, 12, 6, c, progress=False)
    fa, fb, fc = _files(a), _files(b), _files(c)
    assert fa == fb
    assert fa.keys() == fc.keys()
    different = [k for k in fa if fa[k] != fc[k]]
    assert "crm/accounts.csv" in different and "finance/invoices.csv" in different


def test_the_command_line_writes_the_same_files_as_generate(tmp_path):
    generate(120, 4, 3, tmp_path / "api", currency="EUR", progress=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "orchestration")}
    cmd = [
        sys.executable,
        "-m",
        "loyalty_demo",
        "--customers",
        "120",
        "--months",
        "4",
        "--seed",
        "3",
        "--currency",
        "EUR",
        "--out",
        str(tmp_path / "cli"),
        "--quiet",
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    assert "total" in done.stderr
    assert _files(tmp_path / "api") == _files(tmp_path / "cli")


# ------------------------------------------------------------------------ the contract


def test_every_file_conforms_to_the_landing_contract(extract):
    rows = validate_dir(extract.root, END)
    assert rows == extract.counts
    for e in ENTITIES:
        if e.key != "governance.improvement_actions":
            assert list(extract[e.key].columns) == list(e.column_names), e.key
            assert len(extract[e.key]) > 0, e.key


def test_the_contract_check_catches_broken_files(extract, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(extract.root, broken)
    acts = broken / "crm" / "activities.csv"
    lines = acts.read_text().splitlines()
    lines.append(lines[1])  # duplicate primary key
    acts.write_text("\n".join(lines) + "\n")
    inv = pd.read_csv(broken / "finance" / "invoices.csv", dtype=str, keep_default_na=False)
    inv.loc[0, "account_id"] = "ACC99999"  # dangling reference
    inv.loc[1, "invoice_date"] = "2027-01-01"  # after the end of the data
    inv.to_csv(broken / "finance" / "invoices.csv", index=False)
    with pytest.raises(ContractError) as err:
        validate_dir(broken, END)
    text = str(err.value)
    assert "duplicate primary key" in text
    assert "unresolved references" in text
    assert "after the end date" in text


def test_nothing_is_dated_after_the_end_month_except_plans(extract):
    for e in ENTITIES:
        if e.key == "governance.improvement_actions":
            continue
        df = extract[e.key]
        for col in e.columns:
            if col.type in ("date", "timestamp") and not col.future_ok:
                assert (df[col.name].str[:10] <= END).all(), f"{e.key}.{col.name}"


def test_the_register_is_exported_at_every_month_end_with_its_history(extract):
    regs = extract.registers()
    ends = [
        str((pd.Period(END_MONTH, "M") - k).to_timestamp(how="end").date()) for k in range(MONTHS)
    ]
    assert sorted(regs) == sorted(ends)
    seen: dict[str, list[str]] = {}
    for as_of in sorted(regs):
        reg = regs[as_of]
        assert (reg.raised_date <= as_of).all() and (reg.status_changed_date <= as_of).all()
        for row in reg.itertuples():
            seen.setdefault(row.action_id, []).append(row.status)
    assert seen["IA-01"][0] == "proposed" and seen["IA-01"][-1] == "completed"
    assert "in_progress" in seen["IA-01"]
    last = regs[END]
    overdue = last[(last.due_date < END) & last.status.isin(["proposed", "in_progress"])]
    assert len(overdue) >= 1
    assert set(last.status) >= {"completed", "in_progress", "cancelled", "proposed"}


def test_kpi_targets_cover_every_kpi_segment_and_year_of_the_window(extract):
    kt = extract["governance.kpi_targets"]
    years = {str(y) for y in range(extract.start.year, extract.end.year + 1)}
    assert set(kt.kpi) == set(KPIS)
    assert set(kt.segment) == {*SEGMENTS, "all"}
    assert set(kt.period_start.str[:4]) == years
    assert len(kt) == len(KPIS) * 4 * len(years)
    churn = kt[(kt.kpi == "logo_churn_rate") & (kt.segment == "all")].iloc[0]
    assert (float(churn.target), float(churn.amber_threshold), churn.direction) == (
        0.015,
        0.03,
        "lower_is_better",
    )


def test_chunked_parquet_output_has_one_part_per_chunk_and_conforms(tmp_path):
    counts = generate(600, 12, 9, tmp_path, fmt="parquet", chunk_size=250, progress=False)
    parts = sorted(p.name for p in (tmp_path / "finance" / "invoices").iterdir())
    assert parts == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    assert (
        len(list((tmp_path / "governance" / "improvement_actions").glob("register_*.parquet")))
        == 12
    )
    assert validate_dir(tmp_path, END) == counts
    acc = pd.read_parquet(tmp_path / "crm" / "accounts")
    assert acc.account_id.is_unique and len(acc) == 600


def test_the_currency_option_converts_every_amount(tmp_path):
    generate(200, 6, 4, tmp_path / "zar", progress=False)
    generate(200, 6, 4, tmp_path / "usd", currency="USD", progress=False)
    zar = pd.read_csv(tmp_path / "zar" / "finance" / "invoices.csv")
    usd = pd.read_csv(tmp_path / "usd" / "finance" / "invoices.csv")
    assert set(zar.currency) == {"ZAR"} and set(usd.currency) == {"USD"}
    assert np.allclose(usd.amount, (zar.amount * 0.055).round(2), atol=0.011)


# ------------------------------------------------------------------------ plausibility


def test_contacts_have_unique_emails_and_one_primary_per_account(extract):
    con = extract["crm.contacts"]
    assert con.email.is_unique
    per = con.groupby("account_id").size()
    assert per.min() >= 1 and per.max() <= 4
    assert (con[con.is_primary == "true"].groupby("account_id").size() == 1).all()
    assert len(set(con.account_id)) == CUSTOMERS


def test_reps_work_in_teams_under_managers(extract):
    reps = extract["crm.reps"]
    assert len(reps) == CUSTOMERS // 50
    heads = reps[reps.manager_rep_id == ""]
    assert set(heads.team) == set(reps.team) and len(heads) == reps.team.nunique()
    managers = reps.set_index("rep_id")
    sub = reps[reps.manager_rep_id != ""]
    assert (sub.team.values == sub.manager_rep_id.map(managers.team).values).all()


def test_after_churn_there_are_no_invoices_subscriptions_or_activities(extract):
    churn = extract.accounts().set_index("account_id").churn_date.dropna().dt.strftime("%Y-%m-%d")
    for key, col in [
        ("finance.invoices", "invoice_date"),
        ("crm.activities", "activity_date"),
        ("finance.subscriptions", "start_date"),
        ("finance.subscriptions", "end_date"),
        ("survey.responses", "responded_date"),
    ]:
        df = extract[key]
        df = df[df.account_id.isin(churn.index)]
        assert (df[col] <= df.account_id.map(churn)).all(), key
    assert extract.accounts().churned.mean() > 0.05


def test_renewals_chain_terms_and_change_mrr(extract):
    sub = extract["finance.subscriptions"].set_index("subscription_id")
    ren = sub[sub.renewal_of_subscription_id != ""]
    prev = sub.loc[ren.renewal_of_subscription_id]
    gap = pd.to_datetime(ren.start_date).values - pd.to_datetime(prev.end_date).values
    assert (gap == np.timedelta64(1, "D")).all()
    assert (ren.account_id.values == prev.account_id.values).all()
    change = ren.mrr.astype(float).values / prev.mrr.astype(float).values
    assert (change > 1.05).mean() > 0.1 and (change < 0.95).mean() > 0.05
    assert {"12", "24", "36"} <= set(sub.term_months)
    assert (sub.groupby("account_id")["product"].nunique() > 1).mean() > 0.1


def test_payments_settle_invoices_mostly_on_time(extract):
    inv = extract["finance.invoices"]
    inv = inv.assign(amount=inv.amount.astype(float))
    totals = inv.groupby("invoice_id").amount.sum()
    due = inv.drop_duplicates("invoice_id").set_index("invoice_id").due_date
    pay = extract["finance.payments"].set_index("invoice_id")
    assert pay.index.is_unique
    assert np.allclose(pay.amount.astype(float), totals.loc[pay.index])
    late = (pay.payment_date > due.loc[pay.index]).mean()
    assert 0.03 < late < 0.25
    unpaid = due[(due < END) & ~due.index.isin(pay.index)]
    assert 0 < len(unpaid) < 0.05 * len(due)


def test_every_touchpoint_sits_in_one_journey_stage(extract):
    r = extract["survey.responses"]
    assert (r.groupby("touchpoint").journey_stage.nunique() == 1).all()
    assert r.touchpoint.nunique() == 9
    rel, tra = r[r.survey_type == "relationship"], r[r.survey_type == "transactional"]
    assert (rel.nps_score != "").all() and (tra.nps_score == "").all()
    assert ((tra.ces_score != "") | (tra.csat_score != "")).all()
    assert (r.experience_score != "").mean() > 0.7


# ------------------------------------------------------------------------ planted structure


def test_customers_with_a_broken_promise_churn_more_than_those_whose_promises_were_kept(extract):
    acc = extract.accounts().set_index("account_id")
    com = extract["crm.commitments"]
    com = com[com.due_date <= END]
    churn = acc.churn_date.dt.strftime("%Y-%m-%d").reindex(com.account_id).fillna("9999").values
    # broken while still a customer (a promise pending at churn does not count)
    broken = com[(com.status == "broken") & (com.due_date < churn)].account_id.unique()
    with_promises = acc.loc[com.account_id.unique()]
    hit = with_promises.index.isin(broken)
    assert hit.sum() >= 30
    rate_broken = with_promises.churned[hit].mean()
    rate_kept = with_promises.churned[~hit].mean()
    assert rate_broken > 1.5 * rate_kept
    nps = acc.nps.reindex(with_promises.index)
    assert nps[hit].mean() < nps[~hit].mean() - 0.5


def test_slow_complaint_handling_lowers_scores_and_raises_churn(extract):
    cases = extract["crm.cases"]
    c = cases[(cases.is_complaint == "true") & (cases.first_response_at != "")]
    hours = (
        pd.to_datetime(c.first_response_at) - pd.to_datetime(c.opened_at)
    ).dt.total_seconds() / 3600
    slow = set(c.account_id[hours > 24])
    acc = extract.accounts()
    complained = acc[acc.account_id.isin(c.account_id)]
    is_slow = complained.account_id.isin(slow)
    assert complained.churned[is_slow].mean() > 1.3 * complained.churned[~is_slow].mean()
    r = extract["survey.responses"]
    helpdesk = r[(r.touchpoint == "helpdesk") & (r.experience_score != "")]
    exp = helpdesk.experience_score.astype(int)
    assert (
        exp[helpdesk.account_id.isin(slow)].mean()
        < exp[~helpdesk.account_id.isin(slow)].mean() - 0.3
    )


def test_detractors_churn_more_than_promoters(extract):
    acc = extract.accounts()
    detractors = acc[acc.nps <= 6]
    promoters = acc[acc.nps >= 9]
    assert len(detractors) >= 50 and len(promoters) >= 50
    assert detractors.churned.mean() > 2 * promoters.churned.mean()


def test_small_business_churn_is_mostly_value_vs_price(extract):
    acc = extract.accounts()
    lost = acc[acc.churned]
    sb = lost[lost.segment == "small_business"]
    others = lost[lost.segment != "small_business"]
    share_sb = (sb.churn_reason == "value_vs_price").mean()
    assert share_sb > 0.5
    assert share_sb > 2 * (others.churn_reason == "value_vs_price").mean()


def test_high_effort_customers_renew_less_and_churn_more(extract):
    r = extract["survey.responses"]
    ces = (
        r[r.ces_score != ""]
        .assign(ces=lambda f: f.ces_score.astype(int))
        .groupby("account_id")
        .ces.mean()
    )
    acc = extract.accounts()
    acc["high_effort"] = acc.account_id.map(ces) < 4.5
    assert acc.churned[acc.high_effort].mean() > 1.3 * acc.churned[~acc.high_effort].mean()
    sub = extract["finance.subscriptions"]
    main = sub[sub["product"].str.startswith("Engage")]
    term_end = pd.to_datetime(main.start_date) + pd.to_timedelta(
        main.term_months.astype(int) * 30.44, unit="D"
    )
    due = main[term_end < extract.end - pd.DateOffset(days=5)]
    renewed = due.subscription_id.isin(sub.renewal_of_subscription_id)
    high = due.account_id.map(acc.set_index("account_id").high_effort).astype(bool)
    assert renewed[high].mean() < renewed[~high].mean() - 0.03


def test_proactively_contacted_customers_churn_less(extract):
    act = extract["crm.activities"]
    first_half = act[
        (act.initiative == "proactive")
        & act.activity_type.isin(["check_in", "account_review"])
        & (pd.to_datetime(act.activity_date) < extract.mid)
    ]
    base = extract.before_mid()
    base["proactive"] = base.account_id.isin(first_half.account_id)
    assert base.late_churn[~base.proactive].mean() > 1.3 * base.late_churn[base.proactive].mean()
    assert stratified_gap(base, "proactive", "late_churn") > 0.01


def test_incentivised_customers_stay_more_but_do_not_recommend_us_more(extract):
    inc = extract["finance.incentives"]
    first_half = inc[pd.to_datetime(inc.granted_date) < extract.mid]
    base = extract.before_mid()
    base["incentivised"] = base.account_id.isin(first_half.account_id)
    assert base.incentivised.sum() >= 50
    # they stay more, within each segment
    assert stratified_gap(base, "incentivised", "late_churn") > 0.005
    # ... without advocacy: their NPS afterwards is no higher
    nps = extract.nps()
    later = nps[nps.date >= extract.mid].groupby("account_id").nps.mean()
    base["nps_later"] = base.account_id.map(later)
    assert (
        base.nps_later[base.incentivised].mean() <= base.nps_later[~base.incentivised].mean() + 0.1
    )


def test_some_satisfied_customers_leave_and_unhappy_enterprise_customers_stay(extract):
    acc = extract.accounts()
    lost = acc[acc.churned & acc.nps.notna()]
    other = lost[lost.churn_reason == "other"]
    assert len(other) >= 5
    assert other.nps.mean() > lost[lost.churn_reason != "other"].nps.mean() + 1.0
    unhappy = acc[acc.nps <= 6]
    ent, sb = unhappy[unhappy.segment == "enterprise"], unhappy[unhappy.segment == "small_business"]
    assert len(ent) >= 15
    assert ent.churned.mean() < 0.6 * sb.churned.mean()
    sub = extract["finance.subscriptions"]
    renewed = set(sub[sub.renewal_of_subscription_id != ""].account_id)
    staying = ent[~ent.churned & ent.existing]
    assert staying.account_id.isin(renewed).mean() > 0.4
    assert (extract.end - staying.created).dt.days.mean() > 3 * 365


def test_churners_scores_fall_in_the_months_before_they_leave(extract, pre_churn):
    r = extract["survey.responses"]
    r = r[r.experience_score != ""].assign(
        score=lambda f: f.experience_score.astype(int),
        date=lambda f: pd.to_datetime(f.responded_date),
    )
    change = {}
    for name, ref in pre_churn.items():
        change[name] = (
            window(r, "date", ref, 0, 3).score.mean() - window(r, "date", ref, 6, 12).score.mean()
        )
    assert change["churners"] < -0.4
    assert change["churners"] < change["stayers"] - 0.5


def test_churners_go_quiet_in_the_months_before_they_leave(extract, pre_churn):
    act = extract["crm.activities"].assign(date=lambda f: pd.to_datetime(f.activity_date))
    act = act[act.activity_type != "complaint_follow_up"]
    r = extract["survey.responses"].assign(date=lambda f: pd.to_datetime(f.responded_date))
    ratio = {}
    for name, ref in pre_churn.items():
        late = len(window(act, "date", ref, 0, 3)) + len(window(r, "date", ref, 0, 3))
        early = len(window(act, "date", ref, 6, 9)) + len(window(r, "date", ref, 6, 9))
        ratio[name] = late / early
    assert ratio["churners"] < 0.9 * ratio["stayers"]


def test_churners_pay_late_and_complain_in_the_months_before_they_leave(extract, pre_churn):
    inv = extract["finance.invoices"].drop_duplicates("invoice_id")
    pay = extract["finance.payments"].set_index("invoice_id").payment_date
    inv = inv[inv.due_date <= END].assign(date=lambda f: pd.to_datetime(f.invoice_date))
    paid = inv.invoice_id.map(pay).fillna("9999-12-31")
    inv["late"] = paid > inv.due_date
    cases = extract["crm.cases"]
    cases = cases[cases.is_complaint == "true"].assign(date=lambda f: pd.to_datetime(f.opened_at))
    late, complaints = {}, {}
    for name, ref in pre_churn.items():
        late[name] = window(inv, "date", ref, 0, 6).late.mean()
        complaints[name] = len(window(cases, "date", ref, 0, 6)) / len(ref)
    assert late["churners"] > 2.5 * late["stayers"]
    assert complaints["churners"] > 1.5 * complaints["stayers"]


def test_churners_spend_falls_in_the_months_before_they_leave(extract, pre_churn):
    inv = extract["finance.invoices"].assign(
        date=lambda f: pd.to_datetime(f.invoice_date), amount=lambda f: f.amount.astype(float)
    )
    change = {}
    for name, ref in pre_churn.items():
        late = window(inv, "date", ref, 0, 4).groupby("account_id").amount.sum() / 4
        early = window(inv, "date", ref, 6, 12).groupby("account_id").amount.sum() / 6
        both = late.index.intersection(early.index)
        change[name] = late[both].sum() / early[both].sum() - 1
    assert change["churners"] < change["stayers"] - 0.04


def test_referred_accounts_were_referred_by_promoters_and_stay_longer(extract):
    acc = extract.accounts()
    referred = acc[(acc.referred_by_account_id != "") & ~acc.existing]
    assert len(referred) >= 20
    assert (referred.acquisition_channel == "referral").all()
    nps = extract.nps().sort_values("date")
    for row in referred.itertuples():
        month_start = row.created.to_period("M").to_timestamp()
        said = nps[(nps.account_id == row.referred_by_account_id) & (nps.date < month_start)]
        assert len(said) and said.nps.iloc[-1] >= 9, row.account_id
    new = acc[~acc.existing]
    others = new[new.acquisition_channel != "referral"]
    assert referred.churned.mean() < 0.7 * others.churned.mean()


def test_first_responses_are_faster_after_the_response_time_action_was_completed(extract):
    last = extract.registers()[END].set_index("action_id")
    action = last.loc["IA-01"]
    assert action.kpi == "complaint_first_response_hours" and action.status == "completed"
    done = action.status_changed_date
    assert str(extract.start.date()) < done < END
    cases = extract["crm.cases"]
    c = cases[(cases.is_complaint == "true") & (cases.first_response_at != "")]
    hours = (
        pd.to_datetime(c.first_response_at) - pd.to_datetime(c.opened_at)
    ).dt.total_seconds() / 3600
    before, after = hours[c.opened_at < done], hours[c.opened_at >= done]
    assert len(before) >= 100 and len(after) >= 100
    assert after.median() < 0.5 * before.median()


def test_mid_market_nps_rises_after_the_check_in_programme_was_completed(extract):
    last = extract.registers()[END].set_index("action_id")
    action = last.loc["IA-02"]
    assert (action.kpi, action.segment, action.status) == ("nps", "mid_market", "completed")
    nps = extract.nps().merge(extract.accounts()[["account_id", "segment"]])
    nps["after"] = nps.responded_date > action.status_changed_date

    def score(s):
        return 100 * ((s >= 9).mean() - (s <= 6).mean())

    rise = nps.groupby(["segment", "after"]).nps.apply(score).unstack()
    rise = rise[True] - rise[False]
    assert rise["mid_market"] > 10
    assert rise["mid_market"] > rise.drop("mid_market").max() + 8
    act = extract["crm.activities"]
    checkins = act[act.activity_type == "check_in"].merge(
        extract.accounts()[["account_id", "segment"]]
    )
    mm = checkins[checkins.segment == "mid_market"]
    months_after = (extract.end - pd.Timestamp(action.status_changed_date)).days / 30.44
    months_before = MONTHS - months_after
    per_month_after = (mm.activity_date > action.status_changed_date).sum() / months_after
    per_month_before = (mm.activity_date <= action.status_changed_date).sum() / months_before
    assert per_month_after > 1.8 * per_month_before
