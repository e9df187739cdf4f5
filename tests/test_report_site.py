"""The Evidence report site machinery: building, explaining failures, installing, definitions.

The pages themselves are opened in a browser by tests/test_report_pages.py, which builds the site
once from the demo data. The tests here never run a full `npm run build`: a broken source query
fails at `npm run sources`, in seconds.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import copy_reports_project
from loyalty_warehouse import report_site
from loyalty_warehouse.report_site import ReportBuildError

pytestmark = pytest.mark.xdist_group("report_site")

REPO_ROOT = Path(__file__).resolve().parents[1]
REPORTS = REPO_ROOT / "reports"

ROWS = [
    # month, segment, responses, promoters, passives, detractors, nps, margin of error
    ("2024-01-01", "Gold tier", 1234, 700, 300, 234, 37.8, 4.1),
    ("2024-02-01", "Gold tier", 1180, 690, 280, 210, 40.7, 4.2),
    ("2024-01-01", "Silver tier", 410, 110, 150, 150, -9.8, 8.7),
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


def test_broken_source_query_fails_the_build_naming_the_query_file(tmp_path: Path) -> None:
    db = make_published_db(tmp_path / "published" / "reports.duckdb")
    project = copy_reports_project(tmp_path / "reports")
    source_dir = project / "sources" / "warehouse"
    for other in source_dir.glob("*.sql"):  # this database has only nps_monthly
        if other.name != "nps_monthly.sql":
            other.unlink()
    (source_dir / "broken_query.sql").write_text("select * from marts.no_such_table\n")
    with pytest.raises(ReportBuildError) as err:
        report_site.build_site(project, db, log=lambda line: None)
    assert err.value.step == "sources"
    assert "sources/warehouse/broken_query.sql" in str(err.value)
    assert "no_such_table" in str(err.value)
    assert "nps_monthly" not in str(err.value)


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


def test_definitions_page_keeps_the_headings_and_defuses_what_evidence_would_run_or_parse() -> None:
    doc = (
        "# Metric definitions\n\nIntro with {braces} and a <b tag and `code {x} < y`.\n\n"
        "## logo churn\n\nA rule:\n\n    is_at_risk = risk_score >= 40 and a < b\n\n"
        "| signal | rule |\n|---|---|\n| late | paid <= due |\n\n"
        "```sql\nselect * from marts.kpi_scorecard\n```\n\n```\nplain\n```\n"
    )
    page = report_site.render_definitions_page(doc)

    assert page.startswith('---\ntitle: "Metric definitions"\n---\n')
    assert "\n## logo churn\n" in page  # the heading, hence the anchor /definitions#logo-churn
    body = page.split("-->", 1)[1]
    # Evidence runs a fence named sql (and one in a language it does not highlight) as a query.
    assert "```sql\nselect" not in body and "```\nplain" not in body
    assert body.count("```code") == 3  # two fences and the indented block
    assert "is_at_risk = risk_score >= 40 and a < b" in body  # code is shown as written
    assert "{'{'}braces{'}'}" in body and "a {'<'}b tag" in body and "paid {'<'}= due" in body
    assert "`code {x} < y`" in body  # inline code is left to mdsvex


def test_definitions_page_is_written_from_docs_metrics_md_and_missing_docs_are_named(
    tmp_path: Path,
) -> None:
    page = report_site.write_definitions_page(tmp_path)
    assert page == tmp_path / "pages" / "definitions.md"
    headings = [
        ln for ln in report_site.METRICS_DOC.read_text().splitlines() if ln.startswith("## ")
    ]
    assert headings and all(f"\n{h}\n" in page.read_text() for h in headings)

    with pytest.raises(ReportBuildError, match="metric definitions not found"):
        report_site.write_definitions_page(tmp_path, tmp_path / "no_metrics.md")
