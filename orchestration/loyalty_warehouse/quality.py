"""Great Expectations gates: suites from `expectations/*.yml`, validated against DuckDB tables.

GX's SQL datasource over duckdb-engine returned empty metrics here (pooling), so each table is
read into a pandas DataFrame and validated in an ephemeral GX context. Results are written as JSON
per suite and one self-contained HTML summary (GX Data Docs pull CSS/JS from CDNs; offline they
render unstyled).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import html
import itertools
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from .config import REPO_ROOT

EXPECTATIONS_DIR = REPO_ROOT / "expectations"


@dataclass(frozen=True)
class SuiteSpec:
    name: str
    asset: tuple[str, ...]
    table: str
    description: str
    expectations: tuple[dict, ...]
    # "table": validate the whole table; "new_batches": only deliveries not validated yet
    scope: str = "table"
    entity: str | None = None
    # a column to validate the table by, one value at a time (e.g. month): memory stays bounded
    # by the largest slice as a mart grows; only expectations within a slice are meaningful
    batch_by: str | None = None


@dataclass
class SuiteResult:
    suite: str
    table: str
    success: bool
    rows: int
    failures: list[str] = field(default_factory=list)
    evaluated: int = 0
    batches: list[int] = field(default_factory=list)

    def summary(self) -> str:
        verdict = "passed" if self.success else "FAILED"
        text = f"{self.suite} on {self.table} ({self.rows} rows): {verdict}, {self.evaluated} expectations"
        return text + "".join(f"\n  - {f}" for f in self.failures)


def load_suites(directory: Path = EXPECTATIONS_DIR) -> list[SuiteSpec]:
    specs = []
    for path in sorted(directory.glob("**/*.yml")):
        doc = yaml.safe_load(path.read_text())
        specs.append(
            SuiteSpec(
                name=doc["suite"],
                asset=tuple(doc["asset"]),
                table=doc["table"],
                description=doc.get("description", ""),
                expectations=tuple(doc["expectations"]),
                scope=doc.get("scope", "table"),
                entity=doc.get("entity"),
                batch_by=doc.get("batch_by"),
            )
        )
    return specs


def _resolve(kwargs: dict) -> dict:
    """Fill in what a suite file cannot hold literally: today's date.

    (Reference key sets, `value_set_from`, are rewritten by _reference_checks before this.)
    """
    out = dict(kwargs)
    for key in ("min_value", "max_value"):
        if out.get(key) == "{today}":
            out[key] = datetime.date.today().isoformat()
    return out


def _reference_checks(spec: SuiteSpec) -> tuple[str, SuiteSpec]:
    """Turn `value_set_from` (values must exist in another raw table) into a derived column.

    Handing GX the reference keys as a literal value set makes it copy the whole set into every
    metric's configuration: with 100,000 accounts one delivery took six minutes. Instead DuckDB
    marks each value missing from the reference (`<column>__not_in_<system>_<entity>`, NULL when
    the value is known) and GX expects that column to be null, so a failure still lists the
    unknown values. Returns the extra select list and the suite as GX runs it.
    """
    extra: list[str] = []
    derived: list[str] = []
    expectations: list[dict] = []
    for item in spec.expectations:
        kwargs = item.get("kwargs", {})
        ref = kwargs.get("value_set_from")
        if item["type"] != "ExpectColumnValuesToBeInSet" or not ref:
            expectations.append(item)
            continue
        system, name, ref_col = ref.split(".")
        col = kwargs["column"]
        name_out = f"{col}__not_in_{system}_{name}"
        extra.append(
            f'case when t."{col}" is not null and t."{col}" not in (select "{ref_col}" from '
            f'raw."{system}__{name}" where "{ref_col}" is not null) then t."{col}" end '
            f'as "{name_out}"'
        )
        derived.append(name_out)
        expectations.append({"type": "ExpectColumnValuesToBeNull", "kwargs": {"column": name_out}})
    if not derived:
        return "", spec
    for i, item in enumerate(expectations):
        if item["type"] == "ExpectTableColumnsToMatchSet":
            kwargs = dict(item["kwargs"])
            kwargs["column_set"] = [*kwargs["column_set"], *derived]
            expectations[i] = {**item, "kwargs": kwargs}
    return "".join(f", {e}" for e in extra), dataclasses.replace(
        spec, expectations=tuple(expectations)
    )


def _quiet_gx() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)


_serial = itertools.count()


@functools.cache
def _context():
    """One ephemeral GX context per process: creating one costs about a second."""
    _quiet_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


def validate_dataframe(spec: SuiteSpec, df) -> SuiteResult:
    _quiet_gx()
    import great_expectations as gx  # slow import: only when validating

    context = _context()
    source = context.data_sources.add_pandas(name=f"{spec.name}_source_{next(_serial)}")
    asset = source.add_dataframe_asset(name=spec.name)
    batch_def = asset.add_batch_definition_whole_dataframe(f"{spec.name}_batch")
    suite = gx.ExpectationSuite(name=spec.name)
    for item in spec.expectations:
        cls = getattr(gx.expectations, item["type"])
        suite.add_expectation(cls(**_resolve(item.get("kwargs", {}))))
    batch = batch_def.get_batch(batch_parameters={"dataframe": df})
    outcome = batch.validate(suite)
    failures = []
    for res in outcome.results:
        if res.success:
            continue
        cfg = res.expectation_config
        details = res.result or {}
        bits = [cfg.type]
        if cfg.kwargs.get("column"):
            bits.append(f"column {cfg.kwargs['column']}")
        if "unexpected_count" in details:
            bits.append(f"{details['unexpected_count']} unexpected")
            sample = details.get("partial_unexpected_list") or []
            if sample:
                bits.append(f"e.g. {sample[:5]}")
        if "observed_value" in details:
            bits.append(f"observed {details['observed_value']}")
        if res.exception_info and res.exception_info.get("raised_exception"):
            bits.append(f"error {res.exception_info.get('exception_message')}")
        failures.append(": ".join(bits))
    return SuiteResult(
        suite=spec.name,
        table=spec.table,
        success=bool(outcome.success),
        rows=len(df),
        failures=failures,
        evaluated=len(outcome.results),
    )


def _date_columns_as_strings(df):
    # GX parses ISO-string bounds into datetime.date and then needs the values to be dates too;
    # DuckDB dates and timestamps arrive as datetime64, so compare on their calendar date.
    import pandas as pd

    for col in df.columns:
        if str(df[col].dtype).startswith("datetime64"):
            df[col] = pd.Series(
                [None if pd.isna(v) else v.date() for v in df[col]], dtype=object, index=df.index
            )
    return df


def _validate_rows(
    con: duckdb.DuckDBPyConnection, spec: SuiteSpec, extra: str, where: str, params: list
) -> SuiteResult:
    """Read the rows of spec.table matching `where` (plus the derived columns) and validate."""
    schema, table = spec.table.split(".", 1)
    df = con.execute(f'select t.*{extra} from "{schema}"."{table}" t where {where}', params).df()
    return validate_dataframe(spec, _date_columns_as_strings(df))


def _absorb(total: SuiteResult, part: SuiteResult, label: str) -> None:
    """Add one slice's result (a delivery, a month) to the suite's, its failures labelled."""
    total.rows += part.rows
    total.evaluated = max(total.evaluated, part.evaluated)
    if not part.success:
        total.success = False
        total.failures += [f"{label}: {f}" for f in part.failures]


def validate_table(con: duckdb.DuckDBPyConnection, spec: SuiteSpec) -> SuiteResult:
    schema, table = spec.table.split(".", 1)
    extra, spec = _reference_checks(spec)
    if not spec.batch_by:
        return _validate_rows(con, spec, extra, "true", [])
    column = spec.batch_by
    result = SuiteResult(suite=spec.name, table=spec.table, success=True, rows=0)
    values = [
        v
        for (v,) in con.execute(
            f'select distinct "{column}" from "{schema}"."{table}" order by 1 nulls first'
        ).fetchall()
    ]
    for value in values:
        if value is None:
            one = _validate_rows(con, spec, extra, f'"{column}" is null', [])
        else:
            one = _validate_rows(con, spec, extra, f'"{column}" = ?', [value])
        _absorb(result, one, f"{column} {value}")
    return result


def validate_new_batches(con: duckdb.DuckDBPyConnection, spec: SuiteSpec) -> SuiteResult:
    """Validate the deliveries of an entity that no run has validated yet, and remember them.

    A delivery that failed stays failed (and keeps the check red) until a corrected file
    replaces it, so a bad batch cannot slip through on the next run.
    """
    con.execute(
        "create table if not exists raw._batch_validations (batch_id bigint, suite varchar, "
        "success boolean, failures varchar, validated_at timestamp default current_timestamp)"
    )
    current = "status in ('loaded', 'replaced')"
    new = [
        r[0]
        for r in con.execute(
            f"select batch_id from raw._batches where entity = ? and {current} and batch_id "
            "not in (select batch_id from raw._batch_validations where suite = ?) "
            "order by batch_id",
            [spec.entity, spec.name],
        ).fetchall()
    ]
    still_failed = con.execute(
        f"select v.batch_id, v.failures from raw._batch_validations v join raw._batches b "
        f"on b.batch_id = v.batch_id where v.suite = ? and not v.success and b.{current}",
        [spec.name],
    ).fetchall()
    extra, spec = _reference_checks(spec)
    # One delivery at a time: memory is bounded by the largest file, not by the backlog, and
    # each delivery is recorded as passed or failed on its own (a bad file fails only itself).
    result = SuiteResult(suite=spec.name, table=spec.table, success=True, rows=0)
    for batch_id in new:
        one = _validate_rows(con, spec, extra, "_batch_id = ?", [batch_id])
        con.execute(
            "insert into raw._batch_validations (batch_id, suite, success, failures) "
            "values (?, ?, ?, ?)",
            [batch_id, spec.name, one.success, "; ".join(one.failures)],
        )
        _absorb(result, one, f"batch {batch_id}")
    if still_failed:
        result.success = False
        result.failures += [
            f"batch {b} failed earlier and is still current: {f}" for b, f in still_failed
        ]
    result.batches = new
    return result


def write_results(results: list[SuiteResult], out_dir: Path) -> Path:
    """Write JSON per suite and an offline HTML summary; return the summary's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for r in results:
        (out_dir / f"{r.suite}.json").write_text(json.dumps(r.__dict__, indent=2, default=str))
    existing = {p.stem: json.loads(p.read_text()) for p in sorted(out_dir.glob("*.json"))}
    rows = []
    for name, r in existing.items():
        status = "passed" if r["success"] else "FAILED"
        colour = "#1b7f3b" if r["success"] else "#b00020"
        fails = "".join(f"<li>{html.escape(f)}</li>" for f in r["failures"]) or "<li>none</li>"
        rows.append(
            f"<tr><td>{html.escape(name)}</td><td>{html.escape(r['table'])}</td>"
            f"<td>{r['rows']}</td><td>{r['evaluated']}</td>"
            f"<td style='color:{colour};font-weight:bold'>{status}</td><td><ul>{fails}</ul></td></tr>"
        )
    page = (
        "<!doctype html><meta charset='utf-8'><title>Data quality results</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}</style>"
        f"<h1>Data quality results</h1><p>Written {time.strftime('%Y-%m-%d %H:%M:%S')}.</p>"
        "<table><tr><th>suite</th><th>table</th><th>rows</th><th>expectations</th>"
        "<th>result</th><th>failures</th></tr>" + "".join(rows) + "</table>"
    )
    index = out_dir / "index.html"
    index.write_text(page)
    return index
