"""The Evidence report site, built from a small published database and opened in a real browser.

The site is built in a copy of reports/ (node_modules symlinked) so the tests never touch
reports/build or reports/.evidence, which `make run` and the Dagster asset own. One build takes
about 100 s on 2 cores, so the browser tests share it (module fixture; one xdist group).
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import numpy as np
import pytest
from conftest import copy_reports_project
from loyalty_warehouse import report_site
from loyalty_warehouse.report_site import ReportBuildError, SiteBuildResult
from playwright.sync_api import expect, sync_playwright

pytestmark = pytest.mark.xdist_group("report_site")

REPO_ROOT = Path(__file__).resolve().parents[1]
REPORTS = REPO_ROOT / "reports"
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
# Works as root in a container; keeps chromium from phoning home so "offline" is the page's doing.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHART = "[_echarts_instance_] canvas, [_echarts_instance_] svg"

# Known values, formatted the way a person should see them on the page.
ROWS = [
    # month, segment, responses, promoters, passives, detractors, nps, margin of error
    ("2024-01-01", "Gold tier", 1234, 700, 300, 234, 37.8, 4.1),
    ("2024-02-01", "Gold tier", 1180, 690, 280, 210, 40.7, 4.2),
    ("2024-03-01", "Gold tier", 1302, 760, 330, 212, 42.1, 3.9),
    ("2024-01-01", "Silver tier", 410, 110, 150, 150, -9.8, 8.7),
    ("2024-02-01", "Silver tier", 395, 120, 140, 135, -3.8, 8.9),
    ("2024-03-01", "Silver tier", 420, 130, 150, 140, -2.4, 8.6),
]


def make_published_db(path: Path, rows=ROWS) -> Path:
    """A published copy as the warehouse writes it: DuckDB 1.4 storage, marts.nps_monthly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"ATTACH '{path}' AS pub (STORAGE_VERSION 'v1.4.0')")
    con.execute("CREATE SCHEMA pub.marts")
    con.execute(
        """CREATE TABLE pub.marts.nps_monthly (
            month DATE, segment VARCHAR, responses BIGINT, promoters BIGINT, passives BIGINT,
            detractors BIGINT, nps DOUBLE, nps_margin_of_error DOUBLE)"""
    )
    con.executemany("INSERT INTO pub.marts.nps_monthly VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute("DETACH pub")
    con.close()
    return path


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> SiteBuildResult:
    tmp = tmp_path_factory.mktemp("report_site")
    db = make_published_db(tmp / "published" / "reports.duckdb")
    project = copy_reports_project(tmp / "reports")
    return report_site.build_site(project, db, log=lambda line: None)


@pytest.fixture(scope="module")
def site_url(built_site: SiteBuildResult) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(built_site.build_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():

    with sync_playwright() as pw:
        # Debian's chromium: `playwright install` cannot download a browser here.
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageWatch:
    """Everything a page did that a person offline would notice, recorded while it loads."""

    def __init__(self, context) -> None:
        self.console_errors: list[str] = []
        self.failed: list[str] = []
        self.hosts: set[str] = set()
        self._ok_responses: set[str] = set()
        context.on("request", self._on_request)
        context.on("response", self._on_response)
        context.on("requestfailed", self._on_failed)

    def attach(self, page) -> None:
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(f"page error: {e}"))

    def _on_request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss"):
            self.hosts.add(parts.hostname or "")

    def _on_response(self, response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")
        else:
            self._ok_responses.add(response.url)

    def _on_failed(self, request) -> None:
        # Evidence reads prerendered .arrow files with a stream reader that cancels the body once
        # it has the table; Chromium reports that as ERR_ABORTED after a 200. Not a failure.
        if request.failure == "net::ERR_ABORTED" and request.url in self._ok_responses:
            return
        self.failed.append(f"{request.failure} {request.url}")


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
        page.goto(site_url + path, wait_until="networkidle", timeout=60_000)
        return page, watch

    yield _open
    for context in contexts:
        context.close()


def assert_clean(watch: PageWatch, path: str) -> None:
    assert watch.console_errors == [], f"console errors on {path}"
    assert watch.failed == [], f"failed requests on {path}"
    assert watch.hosts == {"127.0.0.1"}, f"{path} requested hosts other than the local server"


def chart_pixels(page) -> np.ndarray:
    """RGBA pixels of the first echarts canvas (every 7th pixel: enough to tell blank from not)."""
    data = page.evaluate(
        """() => {
            const c = document.querySelector('[_echarts_instance_] canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            const out = [];
            for (let i = 0; i < d.length; i += 28) out.push(d[i], d[i + 1], d[i + 2], d[i + 3]);
            return out;
        }"""
    )
    return np.asarray(data, dtype=np.uint8).reshape(-1, 4)


# ----------------------------------------------------------------------------- tests


def test_every_built_page_loads_offline_without_errors(built_site, open_page) -> None:
    assert "/" in built_site.pages
    for path in built_site.pages:
        page, watch = open_page(path)
        page.wait_for_selector("h1", timeout=30_000)
        assert_clean(watch, path)


def test_built_site_shows_nps_trend_chart_offline(open_page) -> None:
    page, watch = open_page("/")
    page.wait_for_selector(CHART, state="visible", timeout=30_000)
    page.wait_for_timeout(1000)  # echarts animates the lines in

    assert page.locator("h1").inner_text() == "NPS trend by segment"
    pixels = chart_pixels(page)
    drawn = pixels[pixels[:, 3] > 0]
    assert len(drawn) > 100 and np.unique(drawn[:, :3], axis=0).shape[0] > 3, "chart is blank"

    table = page.locator("table").first.inner_text()
    for shown in ("Gold tier", "Silver tier", "1,234", "37.8", "-9.8", "8.7", "Jan 2024"):
        assert shown in table
    body = page.locator("body").inner_text()
    assert "% promoters" in body and "−100 to 100" in body

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    png = page.screenshot(path=str(ARTIFACTS / "report_site_nps_trend.png"), full_page=True)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 30_000, "screenshot looks blank"
    assert_clean(watch, "/")


def test_segment_dropdown_filters_the_nps_table(open_page) -> None:
    page, watch = open_page("/")
    page.wait_for_selector(CHART, timeout=30_000)
    page.locator("button", has_text="All segments").click()
    page.get_by_role("option", name="Gold tier").click()
    page.keyboard.press("Escape")
    table = page.locator("table").first
    # The filter runs in the browser (DuckDB-wasm over the site's parquet), hence the wait.
    expect(table).not_to_contain_text("Silver tier", timeout=15_000)
    expect(table).to_contain_text("Gold tier")
    assert_clean(watch, "/")


def test_broken_source_query_fails_the_build_naming_the_query_file(tmp_path: Path) -> None:
    db = make_published_db(tmp_path / "published" / "reports.duckdb")
    project = copy_reports_project(tmp_path / "reports")
    (project / "sources" / "warehouse" / "broken_query.sql").write_text(
        "select * from marts.no_such_table\n"
    )
    with pytest.raises(ReportBuildError) as err:
        report_site.build_site(project, db, log=lambda line: None)
    assert err.value.step == "sources"
    assert "sources/warehouse/broken_query.sql" in str(err.value)
    assert "no_such_table" in str(err.value)


def test_missing_published_database_is_reported_before_running_npm(tmp_path: Path) -> None:
    with pytest.raises(ReportBuildError, match="published database not found"):
        report_site.build_site(REPORTS, tmp_path / "nope.duckdb", log=lambda line: None)


def test_failed_page_query_is_reported_with_the_page_that_defines_it(tmp_path: Path) -> None:
    # Output captured from `evidence build:strict`, which exits 0 on a failed page query.
    (tmp_path / "pages" / "team").mkdir(parents=True)
    (tmp_path / "pages" / "team" / "churn.md").write_text("```sql bad\nselect nope\n```\n")
    output = (
        "[INFO]:  Enabling strict mode\n"
        'bad | Error in Query! Binder Error: Referenced column "nope" not found\n'
        "Build complete --> ./build\n"
    )
    message = report_site.explain_failure("build", output, tmp_path)
    assert message.startswith("pages/team/churn.md: query `bad`: Binder Error")


def test_database_path_reaches_evidence_relative_to_the_source_folder(tmp_path: Path) -> None:
    # Evidence joins the filename onto reports/sources/warehouse/, even an absolute one.
    db = tmp_path / "pub.duckdb"
    relative = report_site.db_filename_option(REPORTS, db)
    assert not relative.startswith("/")
    assert (REPORTS / "sources" / "warehouse" / relative).resolve() == db.resolve()


def test_installed_node_modules_match_the_committed_lockfile() -> None:
    report_site.ensure_node_modules(REPORTS)
    assert report_site.check_installed_matches_lock(REPORTS) == []
    assert report_site.ensure_node_modules(REPORTS) is False  # stamp: no second install
