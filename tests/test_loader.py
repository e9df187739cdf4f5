"""The loader: batches reconcile, re-loading is idempotent, bad files get clear errors."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from loyalty_warehouse import ingest
from loyalty_warehouse.contract import entity

REPS = (
    "rep_id,rep_name,team,manager_rep_id,hired_date\n"
    "r1,Ann Mokoena,commercial,,2020-01-01\n"
    "r2,Ben Naidoo,commercial,r1,2021-02-03\n"
)
ACCOUNTS_HEADER = (
    "account_id,account_name,segment,region,industry,created_date,acquisition_channel,"
    "referred_by_account_id,owner_rep_id\n"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def con(tmp_path: Path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield connection
    connection.close()


def test_loading_the_same_files_twice_adds_nothing(tmp_path: Path, con) -> None:
    landing = tmp_path / "landing"
    write(landing / "crm" / "reps.csv", REPS)
    first = ingest.load_landing(con, landing)
    second = ingest.load_landing(con, landing)
    assert [r.status for r in first] == ["loaded"]
    assert [r.status for r in second] == ["skipped"]
    assert "same content as batch" in second[0].message
    assert con.execute("select count(*) from raw.crm__reps").fetchone()[0] == 2
    assert con.execute("select count(*) from raw._batches").fetchone()[0] == 1


def test_rows_breaking_rules_are_quarantined_and_the_batch_reconciles(tmp_path: Path, con) -> None:
    landing = tmp_path / "landing"
    write(landing / "crm" / "reps.csv", REPS)
    ingest.load_landing(con, landing)
    write(
        landing / "crm" / "accounts.csv",
        ACCOUNTS_HEADER
        + "a1,Acme,enterprise,gauteng,retail,2022-01-01,direct_sales,,r1\n"
        + "a2,Beta,galactic,gauteng,retail,2022-01-01,direct_sales,,r1\n"
        + "a3,Gamma,enterprise,gauteng,retail,not-a-date,direct_sales,,r1\n"
        + "a4,Delta,enterprise,gauteng,retail,2022-01-01,direct_sales,a404,r9\n",
    )
    (result,) = ingest.load_entity(con, entity("crm.accounts"), landing)
    assert result.reconciles
    assert (result.rows_in_file, result.rows_loaded, result.rows_quarantined) == (4, 1, 3)
    problems = "\n".join(result.problems)
    assert "crm/accounts.csv: line 3, column segment: allowed_values" in problems
    assert "'galactic'" in problems
    assert "line 4, column created_date: type: expected a date YYYY-MM-DD" in problems
    assert "line 5, column owner_rep_id: foreign_key: no crm.reps row has this rep_id" in problems


def test_a_file_with_a_renamed_column_is_rejected_whole_with_a_hint(tmp_path: Path, con) -> None:
    landing = tmp_path / "landing"
    write(
        landing / "crm" / "reps.csv",
        "rep_id,name,team,manager_rep_id,hired_date\nr1,Ann,commercial,,2020-01-01\n",
    )
    (result,) = ingest.load_landing(con, landing)
    assert result.status == "rejected"
    assert "crm/reps.csv: header lacks column(s)" in result.message
    assert "rep_name (found 'name'?)" in result.message
    assert con.execute("select count(*) from raw.crm__reps").fetchone()[0] == 0


def test_a_corrected_redelivery_replaces_the_earlier_batch(tmp_path: Path, con) -> None:
    landing = tmp_path / "landing"
    path = write(landing / "crm" / "reps.csv", REPS)
    ingest.load_landing(con, landing)
    write(path, REPS.replace("Ben Naidoo", "Ben Naidoo-Smith"))
    (result,) = ingest.load_landing(con, landing)
    assert result.status == "replaced"
    rows = con.execute("select rep_name from raw.crm__reps order by rep_id").fetchall()
    assert rows == [("Ann Mokoena",), ("Ben Naidoo-Smith",)]
    statuses = con.execute("select status from raw._batches order by batch_id").fetchall()
    assert statuses == [("superseded",), ("replaced",)]
