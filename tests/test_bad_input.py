"""The bad-input matrix: every malformed delivery gets a clear message naming file, line, column
and rule, what can load does, and every batch reconciles (rows in file = loaded + quarantined).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from loyalty_warehouse import ingest
from loyalty_warehouse.contract import entity

HEADER = (
    "response_id,account_id,contact_id,survey_type,journey_stage,touchpoint,responded_date,"
    "nps_score,ces_score,csat_score,expectation_score,experience_score,comment"
)
GOOD = "R{n},a1,c1,relationship,adoption,account_manager,2025-01-10,9,,,7,8,Helpful"


def good(n: int) -> str:
    return GOOD.format(n=n)


def row(n: int, **changes: str) -> str:
    fields = dict(zip(HEADER.split(","), good(n).split(","), strict=True))
    fields.update(changes)
    return ",".join(fields.values())


def csv(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


@dataclass
class Case:
    name: str
    content: bytes
    status: str
    counts: tuple[int, int, int] | None  # rows in file, loaded, quarantined
    says: tuple[str, ...]
    filename: str = "responses.csv"


CASES = [
    Case(
        "missing column",
        csv(good(1), header=HEADER.replace(",comment", "")).replace(b",Helpful", b""),
        "rejected",
        None,
        ("header lacks column(s) required by the contract", "comment"),
    ),
    Case(
        "extra column",
        csv(good(1) + ",x", header=HEADER + ",channel"),
        "loaded",
        (1, 1, 0),
        ("ignored column(s) not in the contract: channel",),
    ),
    Case(
        "renamed header",
        csv(good(1), header=HEADER.replace("nps_score", "nps")),
        "rejected",
        None,
        ("nps_score (found 'nps'?)",),
    ),
    Case(
        "wrong delimiter",
        csv(good(1).replace(",", ";"), header=HEADER.replace(",", ";")),
        "rejected",
        None,
        ("looks semicolon-delimited",),
    ),
    Case(
        "latin-1 encoding",
        csv(row(1, comment="Très bien")).replace(b"Tr\xc3\xa8s", b"Tr\xe8s"),
        "rejected",
        None,
        ("not UTF-8", "line 2", "Latin-1"),
    ),
    Case(
        "utf-8 byte order mark", b"\xef\xbb\xbf" + csv(good(1)), "loaded", (1, 1, 0), ("1 loaded",)
    ),
    Case("empty file", b"", "rejected", None, ("the file is empty",)),
    Case("header only", csv(), "loaded", (0, 0, 0), ("0 rows",)),
    Case(
        "duplicate keys in a batch",
        csv(good(1), good(1), good(2)),
        "loaded",
        (3, 1, 2),
        ("line 2, column response_id: duplicate_key_in_batch", "line 3, column response_id"),
    ),
    Case(
        "orphan foreign key",
        csv(good(1), row(2, account_id="a999")),
        "loaded",
        (2, 1, 1),
        ("line 3, column account_id: foreign_key: no crm.accounts row has this account_id",),
    ),
    Case(
        "out-of-range score",
        csv(good(1), row(2, nps_score="11"), row(3, ces_score="0")),
        "loaded",
        (3, 1, 2),
        ("line 3, column nps_score: range: must be at most 10", "line 4, column ces_score: range"),
    ),
    Case(
        "future date",
        csv(row(1, responded_date="2999-01-01")),
        "loaded",
        (1, 0, 1),
        ("line 2, column responded_date: future_date",),
    ),
    Case(
        "absurdly old date",
        csv(row(1, responded_date="1900-01-01")),
        "loaded",
        (1, 0, 1),
        ("date_too_old",),
    ),
    Case(
        "unparseable date",
        csv(row(1, responded_date="10/01/2025")),
        "loaded",
        (1, 0, 1),
        ("line 2, column responded_date: type: expected a date YYYY-MM-DD", "'10/01/2025'"),
    ),
    Case(
        "text in a numeric column",
        csv(row(1, nps_score="nine")),
        "loaded",
        (1, 0, 1),
        ("column nps_score: type: expected a whole number", "'nine'"),
    ),
    Case(
        "spreadsheet formula in a comment",
        csv(row(1, comment='"=HYPERLINK(""http://x"",""click"")"')),
        "loaded",
        (1, 0, 1),
        ("column comment: formula_text",),
    ),
    Case(
        "very long string",
        csv(row(1, comment="x" * 5000)),
        "loaded",
        (1, 0, 1),
        ("column comment: too_long: longer than 4000 characters",),
    ),
    Case(
        "null-like tokens in optional columns",
        csv(row(1, ces_score="N/A", csat_score="null", comment="-")),
        "loaded",
        (1, 1, 0),
        ("1 loaded",),
    ),
    Case(
        "null-like token in a required column",
        csv(row(1, survey_type="N/A")),
        "loaded",
        (1, 0, 1),
        ("column survey_type: required",),
    ),
    Case(
        "truncated last line",
        csv(good(1), "R2,a1,c1,relation"),
        "loaded",
        (2, 1, 1),
        ("line 3", "malformed_line", "Expected Number of Columns"),
    ),
    Case(
        "quotes and semicolons in the file name",
        csv(good(1)),
        "loaded",
        (1, 1, 0),
        ('survey/it\'s;a "file".csv: 1 rows',),
        filename='it\'s;a "file".csv',
    ),
    Case(
        "quotes and semicolons in a column name",
        csv(good(1) + ",1", header=HEADER + ',"x"";drop table raw._batches;--"'),
        "loaded",
        (1, 1, 0),
        ("ignored column(s)",),
    ),
    Case(
        "comma inside a quoted comment",
        csv(row(1, comment='"late, but fine"')),
        "loaded",
        (1, 1, 0),
        ("1 loaded",),
    ),
]


@pytest.fixture
def warehouse(tmp_path: Path):
    landing = tmp_path / "landing"
    (landing / "crm").mkdir(parents=True)
    (landing / "crm" / "reps.csv").write_text(
        "rep_id,rep_name,team,manager_rep_id,hired_date\nr1,Ann,commercial,,2020-01-01\n"
    )
    (landing / "crm" / "accounts.csv").write_text(
        "account_id,account_name,segment,region,industry,created_date,acquisition_channel,"
        "referred_by_account_id,owner_rep_id\n"
        "a1,Acme,enterprise,gauteng,retail,2022-01-01,direct_sales,,r1\n"
    )
    (landing / "crm" / "contacts.csv").write_text(
        "contact_id,account_id,first_name,last_name,email,phone,job_title,is_primary\n"
        "c1,a1,Thandi,Nkosi,thandi@acme.co.za,+27 11 555 0101,CFO,true\n"
    )
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    results = ingest.load_landing(con, landing)
    assert [r.status for r in results] == ["loaded"] * 3
    yield con, landing
    con.close()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_bad_file_gets_a_clear_message_and_the_batch_reconciles(case: Case, warehouse) -> None:
    con, landing = warehouse
    path = landing / "survey" / case.filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(case.content)
    result = ingest.load_file(con, entity("survey.responses"), path, landing)
    text = result.message + "\n" + "\n".join(result.problems)
    assert result.status == case.status, text
    for phrase in case.says:
        assert phrase in text
    assert f"survey/{case.filename}" in text  # every message names the file
    ledger = con.execute(
        "select status, rows_in_file, rows_loaded, rows_quarantined from raw._batches "
        "where batch_id = ?",
        [result.batch_id],
    ).fetchone()
    assert ledger[0] == case.status
    loaded = con.execute(
        "select count(*) from raw.survey__responses where _batch_id = ?", [result.batch_id]
    ).fetchone()[0]
    quarantined_rows = con.execute(
        "select count(distinct line_number) from raw._quarantine where batch_id = ?",
        [result.batch_id],
    ).fetchone()[0]
    if case.counts is None:
        assert loaded == 0 and quarantined_rows == 0
    else:
        assert ledger[1:] == case.counts
        assert (loaded, quarantined_rows) == case.counts[1:]
        assert result.reconciles
    assert con.execute("select count(*) from raw._batches").fetchone()[0] == 4  # table intact


def test_the_same_file_delivered_twice_under_another_name_is_skipped(warehouse) -> None:
    con, landing = warehouse
    first = landing / "survey" / "responses" / "2025-01-10.csv"
    first.parent.mkdir(parents=True)
    first.write_bytes(csv(good(1)))
    again = landing / "survey" / "responses" / "2025-01-10-copy.csv"
    again.write_bytes(csv(good(1)))
    results = ingest.load_entity(con, entity("survey.responses"), landing)
    assert [r.status for r in results] == ["loaded", "skipped"]
    assert "same content as batch" in results[1].message
    assert con.execute("select count(*) from raw.survey__responses").fetchone()[0] == 1


def test_a_key_delivered_again_in_a_later_batch_is_a_newer_version_not_a_duplicate(
    warehouse,
) -> None:
    con, landing = warehouse
    folder = landing / "survey" / "responses"
    folder.mkdir(parents=True)
    (folder / "day1.csv").write_bytes(csv(good(1)))
    (folder / "day2.csv").write_bytes(csv(row(1, nps_score="3")))
    results = ingest.load_entity(con, entity("survey.responses"), landing)
    assert [r.status for r in results] == ["loaded", "loaded"]
    versions = con.execute(
        "select nps_score from raw.survey__responses order by _batch_id"
    ).fetchall()
    assert versions == [(9,), (3,)]  # both kept in raw; staging takes the latest batch's


def test_a_corrected_redelivery_replaces_rather_than_doubles(warehouse) -> None:
    con, landing = warehouse
    path = landing / "survey" / "responses.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(csv(good(1), row(2, nps_score="eleven")))
    first = ingest.load_file(con, entity("survey.responses"), path, landing)
    assert (first.rows_loaded, first.rows_quarantined) == (1, 1)
    path.write_bytes(csv(good(1), row(2, nps_score="10")))
    second = ingest.load_file(con, entity("survey.responses"), path, landing)
    assert second.status == "replaced" and f"replaces batch(es) {first.batch_id}" in second.message
    assert con.execute("select count(*) from raw.survey__responses").fetchone()[0] == 2


def test_files_matching_no_entity_are_reported(tmp_path: Path) -> None:
    (tmp_path / "crm").mkdir()
    (tmp_path / "crm" / "acounts.csv").write_text("x\n")
    assert ingest.unknown_files(tmp_path) == [tmp_path / "crm" / "acounts.csv"]
