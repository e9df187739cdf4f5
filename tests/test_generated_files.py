"""Files generated from one source of truth are in step with it."""

from __future__ import annotations

from loyalty_warehouse import contract_docs, exposures


def test_landing_contract_docs_dbt_sources_and_landing_suites_match_the_contract() -> None:
    assert contract_docs.main(["--check"]) == 0, "run `make docs` and commit the result"


def test_every_report_page_has_a_dbt_exposure_naming_the_marts_it_reads() -> None:
    assert exposures.main(["--check"]) == 0, "run `python -m loyalty_warehouse.exposures`"
    text = exposures.TARGET.read_text()
    assert "name: report_index" in text and "ref('kpi_scorecard')" in text
