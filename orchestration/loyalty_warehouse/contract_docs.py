"""Write docs/landing-contract.md and the dbt sources YAML from the contract.

    python -m loyalty_warehouse.contract_docs          # rewrite both
    python -m loyalty_warehouse.contract_docs --check  # exit 1 if either is stale (tests use it)

Staging models are hand-maintained; `--scaffold-staging` only writes ones that do not exist yet.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import REPO_ROOT
from .contract import ENTITIES, NULL_TOKENS_DOC, OLDEST_PLAUSIBLE_DATE, Column, Entity

SYSTEM_DESCRIPTIONS = {
    "crm": "Exports from the CRM: accounts, contacts, reps, deals, promises, contacts, cases, churn.",
    "survey": "Exports from the survey tool: responses and structured account reviews.",
    "finance": "Exports from the finance system: invoices, payments, contracts, costs, incentives.",
    "governance": "Files kept by the governance committee: KPI targets and the actions register.",
}

DBT_TYPES = {
    "string": "string",
    "integer": "bigint",
    "decimal": "decimal(18,2)",
    "date": "date",
    "timestamp": "timestamp",
    "boolean": "boolean",
}


def _rules_text(col: Column) -> str:
    parts = ["required" if col.required else "optional"]
    if col.allowed:
        joined = ", ".join(f"`{a}`" for a in col.allowed)
        parts.append(f"';'-separated list of {joined}" if col.is_list else f"one of {joined}")
    if col.min is not None or col.max is not None:
        lo = "" if col.min is None else f"{col.min:g}"
        hi = "" if col.max is None else f"{col.max:g}"
        parts.append(f"range {lo}..{hi}")
    if col.unit:
        parts.append(f"unit: {col.unit}")
    if col.max_length:
        parts.append(f"max {col.max_length} chars")
    if col.references:
        parts.append(f"references `{col.references}`")
    if col.type in ("date", "timestamp") and not col.future_ok:
        parts.append("not in the future")
    if col.pii:
        parts.append("**personal data**")
    return "; ".join(parts)


def landing_contract_markdown() -> str:
    lines = [
        "# Landing contract",
        "",
        "<!-- Generated from orchestration/loyalty_warehouse/contract.py by "
        "`python -m loyalty_warehouse.contract_docs`; edit the contract, not this file. -->",
        "",
        "The files a company exports, one folder per source system, under the landing folder "
        "(`LOYALTY_LANDING_DIR`, default `seeds/demo`). Each entity is delivered as "
        "`<system>/<entity>.csv` or `.parquet`, or as several files in a folder "
        "`<system>/<entity>/*.csv|*.parquet` (each file is one batch, loaded in name order).",
        "",
        "## File format",
        "",
        "- CSV: UTF-8 (a byte-order mark is accepted), comma-separated, first line is the header, "
        'fields quoted with `"` when they contain commas, quotes or newlines. Column order is free; '
        "header names are matched case-insensitively. Extra columns are ignored (and reported).",
        "- Parquet: the same column names; any column types (values are read as text and "
        "validated like CSV).",
        "- Dates `YYYY-MM-DD`; timestamps `YYYY-MM-DD HH:MM:SS` (local time); booleans "
        "`true`/`false`; decimals with a dot. Amounts exclude VAT and are in the row's "
        "`currency` (ISO 4217; the demo data is in ZAR).",
        f'- Empty cells and the tokens {NULL_TOKENS_DOC} mean "no value".',
        f"- Dates before {OLDEST_PLAUSIBLE_DATE} are rejected as implausible; dates after today "
        "only where the column says so (due dates, contract ends, targets).",
        "- Keys are stable identifiers: a later file with the same key is a newer version of "
        "that row (the latest batch wins). The improvement-actions register is exported whole "
        "on each date, so its history is kept.",
        "",
        "What happens to a file that breaks these rules is in [data-quality.md](data-quality.md).",
        "",
    ]
    system = None
    for ent in ENTITIES:
        if ent.system != system:
            system = ent.system
            lines += [f"## `{system}/`", "", SYSTEM_DESCRIPTIONS[system], ""]
        lines += [
            f"### `{ent.system}/{ent.name}`",
            "",
            ent.description,
            "",
            f"Primary key: {', '.join(f'`{k}`' for k in ent.primary_key)}. "
            f"Raw table: `raw.{ent.raw_table}`.",
            "",
            "| column | type | rules | description |",
            "|---|---|---|---|",
        ]
        for col in ent.columns:
            lines.append(f"| `{col.name}` | {col.type} | {_rules_text(col)} | {col.description} |")
        lines.append("")
    return "\n".join(lines)


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sources_yaml(system: str) -> str:
    ents = [e for e in ENTITIES if e.system == system]
    out = [
        "# Generated from orchestration/loyalty_warehouse/contract.py "
        "(python -m loyalty_warehouse.contract_docs); edit the contract, not this file.",
        "version: 2",
        "",
        "sources:",
        f"  - name: {system}",
        f"    description: {_yaml_str(SYSTEM_DESCRIPTIONS[system])}",
        "    schema: raw",
        "    tables:",
    ]
    for ent in ents:
        out += [
            f"      - name: {ent.name}",
            f"        identifier: {ent.raw_table}",
            f"        description: {_yaml_str(ent.description + ' Primary key: ' + ', '.join(ent.primary_key) + '. Every delivered version of a row is kept; _batch_id says which delivery.')}",
            "        columns:",
        ]
        for col in ent.columns:
            out += [
                f"          - name: {col.name}",
                f"            description: {_yaml_str(col.description + ' (' + _rules_text(col).replace('`', '').replace('**', '') + ')')}",
                f"            data_type: {f'decimal(18,{col.scale})' if col.type == 'decimal' else DBT_TYPES[col.type]}",
            ]
            if col.pii:
                out += [
                    "            meta:",
                    "              contains_pii: true",
                    "            tags: [pii]",
                ]
        out += [
            "          - name: _batch_id",
            '            description: "The delivery (raw._batches.batch_id) this row came in."',
            "          - name: _line_number",
            '            description: "Line of the row in its file (header is line 1)."',
        ]
    return "\n".join(out) + "\n"


def landing_suite_yaml(ent: Entity) -> str:
    """A Great Expectations suite for one landing entity, derived from the contract."""
    exps: list[str] = []

    def add(kind: str, **kwargs: object) -> None:
        args = ", ".join(f"{k}: {_yaml_value(v)}" for k, v in kwargs.items())
        exps.append(f"  - type: {kind}\n    kwargs: {{{args}}}")

    add(
        "ExpectTableColumnsToMatchSet",
        column_set=[*ent.column_names, "_batch_id", "_line_number"],
        exact_match=True,
    )
    # unique within each delivery: a later batch may carry a newer version of the same key
    add("ExpectCompoundColumnsToBeUnique", column_list=[*ent.primary_key, "_batch_id"])
    for col in ent.columns:
        if col.required:
            add("ExpectColumnValuesToNotBeNull", column=col.name)
        if col.allowed and not col.is_list:
            add("ExpectColumnValuesToBeInSet", column=col.name, value_set=list(col.allowed))
        if col.min is not None or col.max is not None:
            bounds = {"min_value": col.min, "max_value": col.max}
            add(
                "ExpectColumnValuesToBeBetween",
                column=col.name,
                **{k: v for k, v in bounds.items() if v is not None},
            )
        if col.type in ("date", "timestamp"):
            bounds = {"min_value": OLDEST_PLAUSIBLE_DATE}
            if not col.future_ok:
                bounds["max_value"] = "{today}"
            add("ExpectColumnValuesToBeBetween", column=col.name, **bounds)
        if col.type == "string" and col.max_length:
            add("ExpectColumnValueLengthsToBeBetween", column=col.name, max_value=col.max_length)
        if col.references:
            add("ExpectColumnValuesToBeInSet", column=col.name, value_set_from=col.references)
    return (
        "# Generated from orchestration/loyalty_warehouse/contract.py "
        "(python -m loyalty_warehouse.contract_docs); edit the contract, not this file.\n"
        f"suite: landing_{ent.system}__{ent.name}\n"
        f"asset: [{ent.system}, {ent.name}]\n"
        f"table: raw.{ent.raw_table}\n"
        "scope: new_batches  # each delivery is validated once, not the whole table again\n"
        f"entity: {ent.key}\n"
        f"description: {_yaml_str(f'Each new batch of {ent.key} matches the landing contract.')}\n"
        "expectations:\n" + "\n".join(exps) + "\n"
    )


def _yaml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml_value(v) for v in value) + "]"
    return _yaml_str(str(value))


def _targets() -> dict[Path, str]:
    targets = {REPO_ROOT / "docs" / "landing-contract.md": landing_contract_markdown()}
    for system in SYSTEM_DESCRIPTIONS:
        path = REPO_ROOT / "dbt_project" / "models" / "staging" / system / f"_{system}__sources.yml"
        targets[path] = sources_yaml(system)
    for ent in ENTITIES:
        path = REPO_ROOT / "expectations" / "landing" / f"{ent.system}__{ent.name}.yml"
        targets[path] = landing_suite_yaml(ent)
    return targets


def staging_model_sql(ent: Entity) -> str:
    keys = ", ".join(f"'{k}'" for k in ent.primary_key)
    cols = ",\n".join(f"        {c.name}" for c in ent.columns)
    return f"""with

source as (

    select * from {{{{ source('{ent.system}', '{ent.name}') }}}}

),

latest as (

    -- every delivery is kept in raw; the latest version of each key is the current one
    {{{{ latest_version('source', [{keys}]) }}}}

),

renamed as (

    select
{cols},
        _batch_id as batch_id

    from latest

)

select * from renamed
"""


def scaffold_staging() -> list[Path]:
    written = []
    for ent in ENTITIES:
        path = (
            REPO_ROOT
            / "dbt_project"
            / "models"
            / "staging"
            / ent.system
            / f"stg_{ent.system}__{ent.name}.sql"
        )
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(staging_model_sql(ent))
            written.append(path)
    for system in SYSTEM_DESCRIPTIONS:
        path = REPO_ROOT / "dbt_project" / "models" / "staging" / system / f"_{system}__models.yml"
        if not path.exists():
            path.write_text(staging_models_yaml(system))
            written.append(path)
    return written


def staging_models_yaml(system: str) -> str:
    out = [
        "version: 2",
        "",
        "# Staging: one model per landing entity, rename and cast only; the current (latest",
        "# delivered) version of each key. Column meanings are in _" + system + "__sources.yml.",
        "models:",
    ]
    for ent in (e for e in ENTITIES if e.system == system):
        grain = " and ".join(ent.primary_key)
        out += [
            f"  - name: stg_{ent.system}__{ent.name}",
            f"    description: {_yaml_str(f'One row per {grain}: the latest delivered version. ' + ent.description)}",
        ]
        if len(ent.primary_key) > 1:
            out += [
                "    data_tests:",
                "      - unique_combination_of_columns:",
                "          arguments:",
                f"            combination_of_columns: [{', '.join(ent.primary_key)}]",
            ]
        out.append("    columns:")
        for col in ent.columns:
            out += [
                f"      - name: {col.name}",
                f"        description: {_yaml_str(col.description)}",
            ]
            if col.pii:
                out += ["        meta:", "          contains_pii: true", "        tags: [pii]"]
            tests = []
            if len(ent.primary_key) == 1 and col.name == ent.primary_key[0]:
                tests += ["unique", "not_null"]
            elif col.required:
                tests.append("not_null")
            if col.references and col.references.rsplit(".", 1)[0] != ent.key:
                ref_sys, ref_name, ref_col = col.references.split(".")
                tests.append(
                    "relationships:\n              arguments:\n"
                    f"                to: ref('stg_{ref_sys}__{ref_name}')\n"
                    f"                field: {ref_col}"
                )
            if tests:
                out.append("        data_tests:")
                out += [f"          - {t}" for t in tests]
        out += ["      - name: batch_id", '        description: "Delivery the row came in."']
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--scaffold-staging", action="store_true")
    args = parser.parse_args(argv)
    stale = []
    for path, text in _targets().items():
        current = path.read_text() if path.exists() else None
        if current != text:
            stale.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    if args.scaffold_staging:
        for p in scaffold_staging():
            print(f"wrote {p.relative_to(REPO_ROOT)}")
    if args.check and stale:
        print("stale: " + ", ".join(str(p.relative_to(REPO_ROOT)) for p in stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
