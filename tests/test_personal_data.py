"""Contacts' personal data (names, emails, phones) never reaches a mart that reports read."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import REPO_ROOT
from loyalty_warehouse.contract import ENTITIES

pytestmark = pytest.mark.xdist_group("warehouse")

PII_COLUMNS = {c.name for e in ENTITIES for c in e.columns if c.pii}


def test_the_contract_tags_contact_names_emails_and_phones_as_personal_data() -> None:
    assert {"first_name", "last_name", "email", "phone"} <= PII_COLUMNS


def test_no_mart_has_a_personal_data_column(demo_warehouse: Path) -> None:
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    columns = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts'"
    ).fetchall()
    con.close()
    assert columns, "no marts were built"
    leaked = [(t, c) for t, c in columns if c in PII_COLUMNS]
    assert leaked == []


def test_no_mart_value_contains_a_contact_email_or_phone(demo_warehouse: Path) -> None:
    contacts = pd.read_csv(REPO_ROOT / "seeds" / "demo" / "crm" / "contacts.csv", dtype=str)
    secrets = set(contacts["email"].dropna()) | set(contacts["phone"].dropna())
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    text_columns = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' and data_type = 'VARCHAR'"
    ).fetchall()
    found = []
    for table, column in text_columns:
        values = {
            v
            for (v,) in con.execute(
                f'select distinct "{column}" from marts."{table}" where "{column}" is not null'
            ).fetchall()
        }
        found += [(table, column, v) for v in values & secrets]
    con.close()
    assert found == []
