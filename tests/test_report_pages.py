"""The governance report pages, built once from the real demo data and read in a real browser.

The shipped demo extract is loaded and built with dbt (the session fixture `demo_warehouse`), the
marts are published as the pipeline does, and the Evidence site is built from that copy in a temp
copy of reports/ (one build of ~100-150 s on 2 idle cores, shared by every test here). Headless
Chromium then opens each page offline. The figures a committee reads are compared with the marts
in the published database, formatted the way the page formats them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import copy_reports_project
from loyalty_warehouse import report_site
from loyalty_warehouse.config import settings
from loyalty_warehouse.report_site import SiteBuildResult
from loyalty_warehouse.warehouse import publish_marts
from playwright.sync_api import expect, sync_playwright
from report_browser import (
    CHART_CANVAS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PageWatch,
    assert_clean,
    canvas_colours,
    serve,
)

pytestmark = pytest.mark.xdist_group("report_site")

REPO_ROOT = Path(__file__).resolve().parents[1]
REPORTS = REPO_ROOT / "reports"
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
README_SCREENSHOT = REPO_ROOT / "docs" / "img" / "scorecard.png"

# path -> (title, echarts charts drawn on it). One segment and one team page stand for the
# pages generated from the templates.
PAGES = {
    "/": ("Loyalty scorecard", 3),
    "/journey/": ("Customer journey and friction", 6),
    "/promises/": ("Promises and follow-through", 7),
    "/retention/": ("Retention and value", 6),
    "/segments/": ("Loyalty segments", 4),
    "/early-warning/": ("Early warning", 3),
    "/actions/": ("Improvement actions", 2),
    "/definitions/": ("Metric definitions", 0),
    "/segment/": ("Segment pages", 0),
    "/segment/enterprise/": ("Enterprise", 2),
    "/team/": ("Team pages", 0),
    "/team/commercial/": ("Commercial", 2),
}
CHART_COMPONENTS = ("LineChart", "BarChart", "AreaChart", "Heatmap", "Histogram", "ECharts")
# How the scorecard names the governance KPIs (reports/queries/kpi_labels.sql).
KPI_LABELS = {
    "nps": "NPS",
    "ces_agree_share": "CES % agreeing",
    "csat_share": "CSAT % satisfied",
    "logo_churn_rate": "Logo churn (monthly)",
    "grr": "Gross revenue retention",
    "nrr": "Net revenue retention",
    "promise_kept_rate": "Promise-keeping rate",
    "complaint_first_response_hours": "Complaint 1st response (h)",
}
# The top of the scorecard for the README: filters, the KPI table, the retention and value figures.
SCORECARD_CLIP = {"x": 240, "y": 60, "width": 800, "height": 1220}


# ----------------------------------------------------------------------------- formatting


def _round(value: float, places: int) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fmt_pct1(value: float) -> str:
    return f"{_round(value * 100, 1):,}%"


def fmt_num1(value: float) -> str:
    return f"{_round(value, 1):,}"


def fmt_zar(value: float) -> str:
    return f"R {_round(value, 0):,}"


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def published_db(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo warehouse's marts published the way the pipeline publishes them."""
    target = tmp_path_factory.mktemp("report_pages") / "published" / "reports.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOYALTY_WAREHOUSE_PATH", str(demo_warehouse))
        mp.setenv("LOYALTY_PUBLISHED_PATH", str(target))
        return publish_marts(settings())


@pytest.fixture(scope="module")
def marts(published_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(published_db), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def built_site(published_db: Path, tmp_path_factory: pytest.TempPathFactory) -> SiteBuildResult:
    project = copy_reports_project(tmp_path_factory.mktemp("report_pages_site") / "reports")
    return report_site.build_site(project, published_db, log=lambda line: None)


@pytest.fixture(scope="module")
def site_url(built_site: SiteBuildResult) -> Iterator[str]:
    with serve(built_site.build_dir) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        # Debian's chromium: `playwright install` cannot download a browser here.
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, site_url: str):
    """open_page(path) -> (page, watch) with the page loaded and the network quiet."""
    contexts = []

    def _open(path: str):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        watch = PageWatch(context)
        page = context.new_page()
        watch.attach(page)
        page.goto(site_url + path, wait_until="networkidle", timeout=90_000)
        page.wait_for_selector("h1", timeout=30_000)
        return page, watch

    yield _open
    for context in contexts:
        context.close()


def big_value(page, title: str):
    """The figure of the BigValue titled `title`."""
    card = page.locator("div.inline-block", has=page.locator(f"p:text-is('{title}')")).first
    return card.locator("div.relative span").first


def wait_for_charts(page, count: int) -> None:
    if count:
        page.wait_for_function(
            "n => document.querySelectorAll('[_echarts_instance_] canvas').length >= n",
            arg=count,
            timeout=60_000,
        )
        page.wait_for_timeout(1500)  # echarts animates the series in


def choose(page, current: str, option: str) -> None:
    """Pick `option` in the dropdown whose button shows `current`."""
    page.locator("button", has_text=current).first.click()
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


# ----------------------------------------------------------------------------- tests


def test_site_has_every_page_and_one_page_per_segment_and_team(built_site, marts) -> None:
    segments = [
        r[0] for r in marts.execute("select distinct segment from marts.customer_360").fetchall()
    ]
    teams = [
        r[0]
        for r in marts.execute(
            "select distinct owner_team from marts.customer_360 union "
            "select distinct team from marts.promise_keeping_monthly "
            "where team not in ('all', 'unknown')"
        ).fetchall()
    ]
    expected = set(PAGES) | {f"/segment/{s}/" for s in segments} | {f"/team/{t}/" for t in teams}
    assert set(built_site.pages) == expected


@pytest.mark.parametrize("path", list(PAGES))
def test_page_loads_offline_and_draws_every_chart(open_page, path: str) -> None:
    title, charts = PAGES[path]
    page, watch = open_page(path)
    wait_for_charts(page, charts)

    assert page.locator("h1").first.inner_text().strip() == title
    assert page.locator(CHART_CANVAS).count() == charts
    for i in range(charts):
        assert canvas_colours(page, i) > 3, f"chart {i + 1} on {path} is blank"
    assert page.get_by_text("Error in Query").count() == 0

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = path.strip("/").replace("/", "_") or "scorecard"
    png = page.screenshot(path=str(ARTIFACTS / f"report_{name}.png"), full_page=True)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 30_000, f"{path} screenshot is blank"
    assert_clean(watch, path)


def test_every_chart_is_followed_by_one_sentence_linking_to_its_definition() -> None:
    charts = 0
    for md in sorted((REPORTS / "pages").rglob("*.md")):
        text = md.read_text()
        for tag in re.finditer(rf"<({'|'.join(CHART_COMPONENTS)})\b[^<>]*?(/?)>", text):
            end = tag.end() if tag.group(2) else text.index(f"</{tag.group(1)}>", tag.end())
            after = text[end:].split(">", 1)[-1] if not tag.group(2) else text[end:]
            sentence = after.strip().split("\n\n", 1)[0]
            charts += 1
            where = f"{md.relative_to(REPORTS)}: {tag.group(1)} #{charts}"
            assert not sentence.startswith(("<", "```", "#")), f"{where}: no sentence under it"
            assert "(/definitions#" in sentence, f"{where}: no link to its definition"
    assert charts >= sum(n for _, n in PAGES.values())


def test_every_definition_link_points_at_a_heading_of_the_definitions_page(built_site) -> None:
    build = built_site.build_dir
    ids = set(re.findall(r'\sid="([^"]+)"', (build / "definitions" / "index.html").read_text()))
    links = {
        (html.parent.name or "/", anchor)
        for html in build.rglob("index.html")
        for anchor in re.findall(r'href="/definitions#([^"]+)"', html.read_text())
    }
    assert links, "no page links to a definition"
    assert {anchor for _, anchor in links} <= ids, sorted(a for _, a in links if a not in ids)
    # Every metric heading of docs/metrics.md became an anchor of the page.
    for line in report_site.METRICS_DOC.read_text().splitlines():
        if line.startswith("## "):
            assert re.sub(r"[^a-z0-9 -]", "", line[3:].strip().lower()).replace(" ", "-") in ids


def test_scorecard_headline_figures_equal_the_marts(open_page, marts) -> None:
    nps = marts.execute(
        """select nps, nps_margin_of_error, nps_responses, previous_month_nps,
                  nps_change_is_significant
           from marts.survey_metrics
           where segment = 'all' and journey_stage = 'all' and touchpoint = 'all'
             and nps is not null
           order by month desc limit 1"""
    ).fetchone()
    retention = marts.execute(
        """select logo_retention_rate from marts.retention_monthly
           where segment = 'all' and logo_retention_rate is not null
           order by month desc limit 1"""
    ).fetchone()[0]
    grr, nrr = marts.execute(
        """select grr, nrr from marts.retention_monthly
           where segment = 'all' and grr is not null order by month desc limit 1"""
    ).fetchone()
    mean_clv = marts.execute("select avg(historic_clv) from marts.customer_value").fetchone()[0]
    at_risk_mrr = marts.execute(
        """select at_risk_mrr from marts.revenue_at_risk
           where segment = 'all' order by month desc limit 1"""
    ).fetchone()[0]

    page, watch = open_page("/")
    wait_for_charts(page, PAGES["/"][1])
    shown = {
        "NPS": fmt_num1(nps[0]),
        "Margin of error (±, 95%)": fmt_num1(nps[1]),
        "NPS responses": f"{nps[2]:,}",
        "Logo retention (monthly)": fmt_pct1(retention),
        "Gross revenue retention": fmt_pct1(grr),
        "Net revenue retention": fmt_pct1(nrr),
        "Mean historic CLV per customer": fmt_zar(float(mean_clv)),
        "Revenue at risk (MRR)": fmt_zar(float(at_risk_mrr)),
    }
    for title, value in shown.items():
        expect(big_value(page, title)).to_have_text(value, timeout=15_000)
    body = " ".join(page.locator("body").inner_text().split())
    significance = "significant" if nps[4] else "not significant"
    assert f"NPS moved from {fmt_num1(nps[3])} points to {fmt_num1(nps[0])} points" in body
    assert f"the change is {significance} at 95% confidence" in body

    # The scorecard table: every KPI's latest value, target and RAG status for the whole base.
    rows = marts.execute(
        """select kpi, value, target, rag_status from marts.kpi_scorecard
           where segment = 'all' and value is not null
           qualify row_number() over (partition by kpi order by month desc) = 1"""
    ).fetchall()
    table = page.locator("table").first
    assert len(rows) == len(KPI_LABELS)
    for kpi, value, target, rag in rows:
        fmt = fmt_num1 if kpi in ("nps", "complaint_first_response_hours") else fmt_pct1
        # Evidence builds the table in the DOM: rows sit in <table> without a <tbody>.
        row = table.locator("tr", has_text=KPI_LABELS[kpi]).first
        cells = row.locator("td").all_inner_texts()
        assert fmt(value) in cells and fmt(target) in cells, (kpi, cells)
        assert any(rag in c for c in cells), (kpi, rag, cells)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = page.screenshot(path=str(ARTIFACTS / "scorecard.png"), clip=SCORECARD_CLIP)
    assert len(shot) < 400_000, "the README screenshot must stay under 400 KB"
    if not README_SCREENSHOT.exists() or os.environ.get("LOYALTY_UPDATE_SCREENSHOTS") == "1":
        README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        README_SCREENSHOT.write_bytes(shot)
    assert_clean(watch, "/")


def test_segment_filter_changes_the_scorecard_figures(open_page, marts) -> None:
    nps_all, nps_enterprise = (
        marts.execute(
            f"""select nps from marts.survey_metrics
                where segment = '{segment}' and journey_stage = 'all' and touchpoint = 'all'
                  and nps is not null
                order by month desc limit 1"""
        ).fetchone()[0]
        for segment in ("all", "enterprise")
    )
    assert fmt_num1(nps_all) != fmt_num1(nps_enterprise)
    page, watch = open_page("/")
    wait_for_charts(page, PAGES["/"][1])
    expect(big_value(page, "NPS")).to_have_text(fmt_num1(nps_all), timeout=15_000)

    choose(page, "All segments", "enterprise")
    # The filter runs in the browser (DuckDB-wasm over the site's parquet), hence the wait.
    expect(big_value(page, "NPS")).to_have_text(fmt_num1(nps_enterprise), timeout=30_000)
    assert_clean(watch, "/")


def test_region_filter_changes_the_account_level_figures(open_page, marts) -> None:
    all_regions, gauteng = (
        marts.execute(
            f"""select avg(v.historic_clv) from marts.customer_value v
                join marts.customer_360 c using (account_id)
                where '{region}' = 'all' or c.region = '{region}'"""
        ).fetchone()[0]
        for region in ("all", "gauteng")
    )
    page, watch = open_page("/")
    wait_for_charts(page, PAGES["/"][1])
    title = "Mean historic CLV per customer"
    expect(big_value(page, title)).to_have_text(fmt_zar(float(all_regions)), timeout=15_000)

    choose(page, "All regions", "gauteng")
    expect(big_value(page, title)).to_have_text(fmt_zar(float(gauteng)), timeout=30_000)
    assert_clean(watch, "/")


def test_retention_economics_is_labelled_as_a_scenario(open_page) -> None:
    page, watch = open_page("/retention/")
    expect(page.get_by_text("SCENARIO — illustrative, not a forecast.")).to_be_visible()
    assert page.locator("h2", has_text="SCENARIO").count() == 1
    assert_clean(watch, "/retention/")


def test_sources_are_thin_selects_over_marts_without_personal_data(published_db) -> None:
    """Reports read marts only, one mart per source, and never a contact's or rep's name or
    free text. Improvement-action owners (staff accountable to the committee) are shown on
    purpose; customers appear as account ids."""
    personal = re.compile(r"(^|_)(name|email|phone|mobile|address|description|notes?)($|_)")
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        for sql_file in sorted((REPORTS / "sources" / "warehouse").glob("*.sql")):
            sql = re.sub(r"--[^\n]*", "", sql_file.read_text()).strip()
            assert re.fullmatch(r"select\s.+?\sfrom marts\.(\w+)", sql, re.S), sql_file.name
            assert " join " not in sql.lower(), sql_file.name
            columns = [d[0] for d in con.execute(sql).description]
            leaked = [c for c in columns if personal.search(c)]
            if sql_file.stem in ("improvement_actions", "improvement_action_history"):
                leaked = [c for c in leaked if c != "owner"]
            assert leaked == [], f"{sql_file.name} selects {leaked}"
    finally:
        con.close()


def test_report_sources_hold_aggregates_not_one_row_per_customer(published_db) -> None:
    """What the site ships must not grow with the customer count: no source has a row per
    account, except the ranked at-risk list, which keeps at most 50 per month and group."""
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        for sql_file in sorted((REPORTS / "sources" / "warehouse").glob("*.sql")):
            sql = re.sub(r"--[^\n]*", "", sql_file.read_text()).strip()
            columns = [d[0] for d in con.execute(f"select * from ({sql}) limit 0").description]
            if sql_file.stem == "at_risk_accounts_top_monthly":
                largest = con.execute(
                    f"select max(n) from (select count(*) as n from ({sql}) "
                    "group by month, segment, region, owner_team)"
                ).fetchone()[0]
                assert 0 < largest <= 50
            else:
                assert "account_id" not in columns, f"{sql_file.name} has a row per account"
    finally:
        con.close()


def _same(marts: duckdb.DuckDBPyConnection, summary_sql: str, account_sql: str) -> None:
    summary = sorted(marts.execute(summary_sql).fetchall(), key=repr)
    accounts = sorted(marts.execute(account_sql).fetchall(), key=repr)
    assert summary, summary_sql
    assert summary == accounts


def test_report_grain_marts_add_up_to_the_account_marts_they_summarise(marts) -> None:
    _same(
        marts,
        """select month, owner_team, sum(at_risk_customers), sum(at_risk_mrr),
                  sum(at_risk_with_silence)
           from marts.account_risk_summary_monthly group by all""",
        """select r.month, coalesce(c.owner_team, 'unknown'),
                  count(*) filter (where r.is_at_risk),
                  coalesce(sum(r.mrr_at_start) filter (where r.is_at_risk), 0),
                  count(*) filter (where r.is_at_risk and r.silence_flag = 1)
           from marts.account_risk_monthly r left join marts.customer_360 c using (account_id)
           group by all""",
    )
    _same(
        marts,
        """select month, region, sum(proactive_activities), sum(reactive_activities),
                  sum(complaints_followed_up_in_time)
           from marts.contact_cadence_summary_monthly group by all""",
        """select k.month, coalesce(c.region, 'unknown'), sum(k.proactive_activities),
                  sum(k.activities - k.proactive_activities), sum(k.complaints_followed_up_in_time)
           from marts.contact_cadence_monthly k left join marts.customer_360 c using (account_id)
           group by all""",
    )
    _same(
        marts,
        "select month, segment, region, customers_lost from marts.customers_lost_monthly",
        """select month, segment, coalesce(region, 'unknown'),
                  count(*) filter (where churned_in_month and is_customer_at_start)
           from marts.revenue_monthly group by all""",
    )
    _same(
        marts,
        """select segment, customers, round(mean_historic_clv, 6), round(median_historic_clv, 6)
           from marts.customer_value_summary where region = 'all'""",
        """select coalesce(segment, 'all'), count(*), round(avg(historic_clv::double), 6),
                  round(median(historic_clv::double), 6)
           from marts.customer_value group by grouping sets ((segment), ())""",
    )
    _same(
        marts,
        "select segment, sum(customers) from marts.customer_value_bands group by all",
        "select segment, count(*) from marts.customer_value group by all",
    )
    _same(
        marts,
        """select quarter, loyalty_segment,
                  coalesce(sum(customers) filter (where has_moved), 0), sum(customers)
           from marts.loyalty_segment_summary_quarterly group by all""",
        """select quarter, loyalty_segment, count(*) filter (where has_moved), count(*)
           from marts.loyalty_segment_transitions where is_active group by all""",
    )
    _same(
        marts,
        """select due_month, commitment_status, sum(promises)
           from marts.promise_outcomes_monthly group by all""",
        "select due_month, commitment_status, count(*) from marts.commitments group by all",
    )


def test_the_ranked_at_risk_list_is_exact_for_any_filter_down_to_its_length(marts) -> None:
    month, segment = marts.execute(
        "select month, segment from marts.account_risk_summary_monthly "
        "group by all order by sum(at_risk_customers) desc limit 1"
    ).fetchone()
    ranked = """select account_id from marts.at_risk_accounts_top_monthly
                where month = ? and {cond} order by risk_score desc, mrr_at_start desc,
                account_id limit 50"""
    full = """select r.account_id from marts.account_risk_monthly r
              left join marts.customer_360 c using (account_id)
              where r.is_at_risk and r.month = ? and {cond}
              order by r.risk_score desc, r.mrr_at_start desc, r.account_id limit 50"""
    for cond, args in (("true", []), ("segment = ?", [segment])):
        account_cond = cond.replace("segment", "r.segment")
        expected = marts.execute(full.format(cond=account_cond), [month, *args]).fetchall()
        assert len(expected) > 0
        assert marts.execute(ranked.format(cond=cond), [month, *args]).fetchall() == expected
