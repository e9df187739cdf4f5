"""Great Expectations gates: suites from `expectations/*.yml`, validated against DuckDB tables.

GX's SQL datasource over duckdb-engine returned empty metrics here (pooling), so each table is
read into a pandas DataFrame and validated in an ephemeral GX context, a delivery at most
LOYALTY_QUALITY_SLICE_ROWS lines at a time so memory follows the slice, not the file; what a
slice cannot judge (key uniqueness, row counts) is computed over the whole delivery. Results are
written as JSON per suite and one self-contained HTML summary (GX Data Docs pull CSS/JS from
CDNs; offline they render unstyled).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import html
import itertools
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import yaml

from . import warehouse
from .config import REPO_ROOT, Settings, settings

EXPECTATIONS_DIR = REPO_ROOT / "expectations"
# No period needs validating: nothing was built since the suite last passed.
NO_PERIOD = datetime.date.max
log = logging.getLogger(__name__)


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

    (Reference key sets, `value_set_from`, are rewritten by _derived_checks before this.)
    """
    out = dict(kwargs)
    for key in ("min_value", "max_value"):
        if out.get(key) == "{today}":
            out[key] = datetime.date.today().isoformat()
    return out


# Judged on the scope's total row count, never on a slice.
ROW_COUNT_CHECKS = frozenset({"ExpectTableRowCountToBeBetween", "ExpectTableRowCountToEqual"})
# Judge each row on its own values: a slice gets the verdict the whole delivery would.
ROW_WISE_PREFIXES = (
    "ExpectColumnValuesTo",
    "ExpectColumnValueLengthsTo",
    "ExpectColumnPairValues",
    "ExpectMulticolumnSumToEqual",
    "ExpectSelectColumnValuesToBeUniqueWithinRecord",
)
# Compare rows with one another, so a slice cannot judge them: uniqueness is rewritten by
# _derived_checks into a column DuckDB computes over the whole scope; order is refused sliced.
UNIQUENESS_CHECKS = frozenset({"ExpectCompoundColumnsToBeUnique", "ExpectColumnValuesToBeUnique"})
ORDER_CHECKS = frozenset({"ExpectColumnValuesToBeIncreasing", "ExpectColumnValuesToBeDecreasing"})


def _kind(expectation: str) -> str:
    """schema (the column set), row_count, row_wise, or aggregate (needs every row at once)."""
    if expectation.startswith("ExpectTableColumn"):
        return "schema"
    if expectation in ROW_COUNT_CHECKS:
        return "row_count"
    if expectation in UNIQUENESS_CHECKS or expectation in ORDER_CHECKS:
        return "aggregate"
    return "row_wise" if expectation.startswith(ROW_WISE_PREFIXES) else "aggregate"


@dataclass(frozen=True)
class Duplicates:
    """A key that must be unique in the scope: DuckDB finds the repeated values once per scope."""

    column: str  # the derived column: NULL, or the repeated key as `a=1, b=x`
    key: tuple[str, ...]
    ignore_row_if: str = "all_values_are_missing"


@dataclass(frozen=True)
class DerivedChecks:
    """A suite as it runs: GX expectations plus the columns DuckDB derives for them."""

    spec: SuiteSpec
    select: str  # extra select list, `, <expr> as "<column>"`
    duplicates: tuple[Duplicates, ...] = ()

    def items(self, kinds: set[str]) -> tuple[dict, ...]:
        """The expectations of these kinds (see _kind); aggregate ones go with row_wise."""
        if "row_wise" in kinds:
            kinds = kinds | {"aggregate"}
        return tuple(item for item in self.spec.expectations if _kind(item["type"]) in kinds)


def _reference_column(kwargs: dict) -> tuple[str, str]:
    """`value_set_from` (values must exist in another raw table) as a derived column.

    Handing GX the reference keys as a literal value set makes it copy the whole set into every
    metric's configuration: with 100,000 accounts one delivery took six minutes. Instead DuckDB
    marks each value missing from the reference (`<column>__not_in_<system>_<entity>`, NULL when
    the value is known) and GX expects that column to be null, so a failure still lists the
    unknown values. The reference is another table, so a slice is judged as the whole would be.
    """
    system, name, ref_col = kwargs["value_set_from"].split(".")
    col = kwargs["column"]
    name_out = f"{col}__not_in_{system}_{name}"
    expr = (
        f'case when t."{col}" is not null and t."{col}" not in (select "{ref_col}" from '
        f'raw."{system}__{name}" where "{ref_col}" is not null) then t."{col}" end '
        f'as "{name_out}"'
    )
    return name_out, expr


def _duplicates_column(item: dict) -> tuple[Duplicates, dict]:
    """A uniqueness expectation as a derived column computed over the whole scope.

    A key repeated in two slices is unique within each, so GX cannot judge it slice by slice.
    DuckDB lists the repeated keys of the whole delivery (_duplicate_keys), each slice marks its
    rows holding one, and GX expects the mark to be null. The `meta.check` header keeps the
    failure reading like the expectation it replaces.
    """
    kwargs = item.get("kwargs", {})
    key = tuple(kwargs["column_list"] if "column_list" in kwargs else [kwargs["column"]])
    dup = Duplicates(
        column="__".join(c.strip("_") for c in key) + "__not_unique",
        key=key,
        ignore_row_if=kwargs.get("ignore_row_if", "all_values_are_missing"),
    )
    kind = "expect_compound_columns_to_be_unique"
    if item["type"] == "ExpectColumnValuesToBeUnique":
        kind = "expect_column_values_to_be_unique"
    check = {"column": dup.column, "meta": {"check": f"{kind}: columns {', '.join(key)}"}}
    if "mostly" in kwargs:
        check["mostly"] = kwargs["mostly"]
    return dup, {"type": "ExpectColumnValuesToBeNull", "kwargs": check}


def _derived_checks(spec: SuiteSpec) -> DerivedChecks:
    """Rewrite the expectations DuckDB answers better (reference sets, uniqueness) as columns.

    Derived columns are appended to an exact column set, so ExpectTableColumnsToMatchSet still
    compares the table's own columns.
    """
    extra: list[str] = []
    derived: list[str] = []
    duplicates: list[Duplicates] = []
    expectations: list[dict] = []
    for item in spec.expectations:
        kwargs = item.get("kwargs", {})
        if item["type"] == "ExpectColumnValuesToBeInSet" and kwargs.get("value_set_from"):
            name_out, expr = _reference_column(kwargs)
            extra.append(expr)
            derived.append(name_out)
            expectations.append(
                {"type": "ExpectColumnValuesToBeNull", "kwargs": {"column": name_out}}
            )
        elif item["type"] in UNIQUENESS_CHECKS:
            dup, check = _duplicates_column(item)
            duplicates.append(dup)
            derived.append(dup.column)
            expectations.append(check)
        else:
            expectations.append(item)
    for i, item in enumerate(expectations):
        if item["type"] == "ExpectTableColumnsToMatchSet" and derived:
            kwargs = dict(item["kwargs"])
            kwargs["column_set"] = [*kwargs["column_set"], *derived]
            expectations[i] = {**item, "kwargs": kwargs}
    return DerivedChecks(
        spec=dataclasses.replace(spec, expectations=tuple(expectations)),
        select="".join(f", {e}" for e in extra),
        duplicates=tuple(duplicates),
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


def _distinct(values: list) -> list:
    # a repeated key shows the same value on each of its rows: list it once
    out: list = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


def validate_dataframe(spec: SuiteSpec, df) -> SuiteResult:
    _quiet_gx()
    import great_expectations as gx  # slow import: only when validating

    context = _context()
    source_name = f"{spec.name}_source_{next(_serial)}"
    source = context.data_sources.add_pandas(name=source_name)
    try:
        asset = source.add_dataframe_asset(name=spec.name)
        batch_def = asset.add_batch_definition_whole_dataframe(f"{spec.name}_batch")
        suite = gx.ExpectationSuite(name=spec.name)
        for item in spec.expectations:
            cls = getattr(gx.expectations, item["type"])
            suite.add_expectation(cls(**_resolve(item.get("kwargs", {}))))
        batch = batch_def.get_batch(batch_parameters={"dataframe": df})
        outcome = batch.validate(suite)
    finally:
        # the context lives as long as the process: keep it from holding on to every slice
        context.data_sources.delete(source_name)
    failures = []
    for res in outcome.results:
        if res.success:
            continue
        cfg = res.expectation_config
        details = res.result or {}
        check = (cfg.meta or {}).get("check")
        bits = [check] if check else [cfg.type]
        if cfg.kwargs.get("column") and not check:
            bits.append(f"column {cfg.kwargs['column']}")
        if "unexpected_count" in details:
            bits.append(f"{details['unexpected_count']} unexpected")
            sample = _distinct(details.get("partial_unexpected_list") or [])
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


@dataclass(frozen=True)
class RowSlice:
    """Part of a scope read into memory at once; `label` None when it is the whole scope."""

    label: str | None
    where: str
    params: tuple


@dataclass
class ScopeResult:
    """One scope's verdict (a delivery, a month, a whole table), failures with their slice."""

    success: bool = True
    rows: int = 0
    evaluated: int = 0
    failures: list[tuple[str | None, str]] = field(default_factory=list)

    def labelled(self, scope: str | None) -> list[str]:
        """`<slice or scope>: <failure>`; unlabelled when the scope is the whole table."""
        return [f"{where or scope}: {f}" if where or scope else f for where, f in self.failures]


def _slice_size(value: int | None) -> int:
    size = settings().quality_slice_rows if value is None else value
    if size < 1:
        raise ValueError(f"LOYALTY_QUALITY_SLICE_ROWS must be a positive whole number, not {size}")
    return size


def _table_sql(table: str) -> str:
    schema, name = table.split(".", 1)
    return f'"{schema}"."{name}"'


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {d[0] for d in con.execute(f"select * from {_table_sql(table)} limit 0").description}


def _plan_slices(
    con: duckdb.DuckDBPyConnection, spec: SuiteSpec, where: str, params: list, size: int
) -> list[RowSlice]:
    """Cut the scope into slices of at most `size` rows, by ranges of source-file lines.

    Raw tables carry each row's `_batch_id` and `_line_number` (unique within a delivery), so a
    failure in a slice points into the file. Tables without them are the marts: aggregate grids
    (KPI x segment x month) whose size does not grow with the customer base, or validated one
    `batch_by` value at a time; they are read whole.
    """
    table = _table_sql(spec.table)
    if not {"_batch_id", "_line_number"} <= _columns(con, spec.table):
        (rows,) = con.execute(f"select count(*) from {table} t where {where}", params).fetchone()
        if rows > size:
            log.warning(
                "%s: %d rows read at once, more than LOYALTY_QUALITY_SLICE_ROWS=%d: "
                "%s has no _line_number to slice by",
                spec.name,
                rows,
                size,
                spec.table,
            )
        return [RowSlice(None, "true", ())]
    groups = con.execute(
        "select t._batch_id, min(t._line_number), max(t._line_number), count(*) "
        f"from {table} t where {where} group by t._batch_id, (t._line_number - 1) // ? "
        "order by 1, 2",
        [*params, size],
    ).fetchall()
    if sum(n for *_, n in groups) <= size:
        return [RowSlice(None, "true", ())]
    return [
        RowSlice(
            f"batch {batch} lines {first}-{last}",
            "t._batch_id = ? and t._line_number between ? and ?",
            (batch, first, last),
        )
        for batch, first, last, _ in groups
    ]


def _key_value(column: str) -> str:
    name = column.replace("'", "''")
    return f"'{name}=' || coalesce(cast(t.\"{column}\" as varchar), 'null')"


def _counted_rows(dup: Duplicates) -> str:
    """GX's `ignore_row_if` as a filter: by default a key of nulls only is not a duplicate."""
    nulls = [f't."{c}" is null' for c in dup.key]
    if dup.ignore_row_if == "all_values_are_missing":
        return f"not ({' and '.join(nulls)})"
    if dup.ignore_row_if == "any_value_is_missing":
        return f"not ({' or '.join(nulls)})"
    return "true"


@contextlib.contextmanager
def _duplicate_keys(
    con: duckdb.DuckDBPyConnection, checks: DerivedChecks, where: str, params: list
) -> Iterator[tuple[str, str]]:
    """The keys repeated anywhere in the scope, as temp tables; yields (select list, joins).

    Computed once per scope in DuckDB (which spills to disk past its memory limit), so memory
    in Python stays bounded by the slice while the check still covers the whole delivery.
    """
    tables: list[str] = []
    select, joins = "", ""
    try:
        for i, dup in enumerate(checks.duplicates):
            name = f"_quality_duplicates_{next(_serial)}"
            tables.append(name)
            key = ", ".join(f't."{c}"' for c in dup.key)
            con.execute(
                f'create temp table "{name}" as select {key}, true as _repeated '
                f"from {_table_sql(checks.spec.table)} t where ({where}) and {_counted_rows(dup)} "
                f"group by {key} having count(*) > 1",
                params,
            )
            alias = f"d{i}"
            on = " and ".join(f't."{c}" is not distinct from {alias}."{c}"' for c in dup.key)
            joins += f' left join temp."{name}" {alias} on {on}'
            values = " || ', ' || ".join(_key_value(c) for c in dup.key)
            select += f', case when {alias}._repeated then {values} end as "{dup.column}"'
        yield select, joins
    finally:
        for name in tables:
            con.execute(f'drop table if exists temp."{name}"')


def _refuse_unsliceable(spec: SuiteSpec, size: int) -> None:
    """An aggregate expectation (a mean, a distinct count) judged per slice would be wrong."""
    unsliceable = [item["type"] for item in spec.expectations if _kind(item["type"]) == "aggregate"]
    if unsliceable:
        raise ValueError(
            f"{spec.name}: {', '.join(unsliceable)} cannot be judged {size} rows at a time; "
            "compute it over the whole delivery in quality.py as uniqueness is"
        )


def _validate_scope(
    con: duckdb.DuckDBPyConnection, checks: DerivedChecks, where: str, params: list, size: int
) -> ScopeResult:
    """Validate the rows matching `where`, slice by slice when it is longer than `size`.

    Sliced, row-wise expectations run on every slice, the column set once on a frame with no
    rows (it is the same in every slice) and row counts on the scope's total, as a frame of
    that many rows with no columns.
    """
    import pandas as pd

    spec = checks.spec
    slices = _plan_slices(con, spec, where, params, size)
    if len(slices) == 1:
        passes = [(slices[0], checks.items({"schema", "row_wise", "row_count"}))]
        counts: tuple[dict, ...] = ()
    else:
        _refuse_unsliceable(spec, size)
        columns_only = RowSlice(None, "false", ())
        passes = [(columns_only, checks.items({"schema"}))]
        passes += [(part, checks.items({"row_wise"})) for part in slices]
        counts = checks.items({"row_count"})
    result = ScopeResult(evaluated=len(spec.expectations))
    with _duplicate_keys(con, checks, where, params) as (dup_select, joins):
        for part, items in passes:
            if not items:
                continue
            df = con.execute(
                f"select t.*{checks.select}{dup_select} from {_table_sql(spec.table)} t{joins} "
                f"where ({where}) and ({part.where})",
                [*params, *part.params],
            ).df()
            one = validate_dataframe(
                dataclasses.replace(spec, expectations=items), _date_columns_as_strings(df)
            )
            del df  # before the next slice is read
            result.rows += one.rows
            result.success &= one.success
            result.failures += [(part.label, f) for f in one.failures]
    if counts:
        # no columns: a RangeIndex of the scope's length costs nothing whatever the row count
        one = validate_dataframe(
            dataclasses.replace(spec, expectations=counts),
            pd.DataFrame(index=pd.RangeIndex(result.rows)),
        )
        result.success &= one.success
        result.failures += [(None, f) for f in one.failures]
    return result


def _absorb(total: SuiteResult, part: ScopeResult, label: str | None) -> None:
    """Add one scope's result (a delivery, a month) to the suite's, its failures labelled."""
    total.rows += part.rows
    total.evaluated = max(total.evaluated, part.evaluated)
    if not part.success:
        total.success = False
        total.failures += part.labelled(label)


def validate_table(
    con: duckdb.DuckDBPyConnection,
    spec: SuiteSpec,
    slice_rows: int | None = None,
    *,
    periods_from: datetime.date | None = None,
) -> SuiteResult:
    """Validate a table, by `batch_by` value when the suite has one.

    `periods_from` (suites with `batch_by` over period starts only): validate the period that
    day falls in and later ones, the periods the builds since the last pass rebuilt
    (`periods_to_validate`); None validates every period.
    """
    checks = _derived_checks(spec)
    size = _slice_size(slice_rows)
    result = SuiteResult(suite=spec.name, table=spec.table, success=True, rows=0)
    if not spec.batch_by:
        _absorb(result, _validate_scope(con, checks, "true", [], size), None)
        return result
    column = spec.batch_by
    values = [
        v
        for (v,) in con.execute(
            f'select distinct "{column}" from {_table_sql(spec.table)} order by 1 nulls first'
        ).fetchall()
    ]
    if periods_from == NO_PERIOD:
        values = []
    elif periods_from is not None:
        # the period holding periods_from starts on or before it: the latest such start
        starts = [v for v in values if v is not None and v <= periods_from]
        first = max(starts) if starts else periods_from
        values = [v for v in values if v is not None and v >= first]
    for value in values:
        if value is None:
            one = _validate_scope(con, checks, f't."{column}" is null', [], size)
        else:
            one = _validate_scope(con, checks, f't."{column}" = ?', [value], size)
        _absorb(result, one, f"{column} {value}")
    return result


# ----------------------------------------------------------------------------- rebuilt periods


def _ensure_suite_runs(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        "create table if not exists raw._suite_runs (suite varchar not null, "
        "through_build timestamp, success boolean not null, "
        "validated_at timestamp not null default current_timestamp)"
    )


def _has_builds(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = '_builds'"
        ).fetchone()[0]
    )


def periods_to_validate(con: duckdb.DuckDBPyConnection, spec: SuiteSpec) -> datetime.date | None:
    """The first day whose period a period-sliced mart suite must validate again.

    A daily build rebuilds only recent periods (loyalty_warehouse.transform.build_window), and
    a period it did not rebuild is the one the suite already passed. So: the earliest period
    rebuilt by any build since the suite last passed (a failed run leaves that pass where it
    was, so a bad period stays checked until it is fixed); None, every period (never passed,
    or a full refresh since); NO_PERIOD when nothing was built since the pass.
    """
    if not spec.batch_by:
        return None
    _ensure_suite_runs(con)
    last_pass = con.execute(
        "select max(through_build) from raw._suite_runs where suite = ? and success",
        [spec.name],
    ).fetchone()[0]
    if last_pass is None or not _has_builds(con):
        return None
    full, earliest, builds = con.execute(
        "select count(*) filter (where full_refresh or rebuild_from is null), "
        "min(rebuild_from), count(*) from raw._builds where finished_at > ?",
        [last_pass],
    ).fetchone()
    if full:
        return None
    return earliest if builds else NO_PERIOD


def record_suite_run(con: duckdb.DuckDBPyConnection, spec: SuiteSpec, success: bool) -> None:
    """Remember the builds a suite's run covered (see periods_to_validate)."""
    _ensure_suite_runs(con)
    through = (
        con.execute("select max(finished_at) from raw._builds").fetchone()[0]
        if _has_builds(con)
        else None
    )
    con.execute(
        "insert into raw._suite_runs (suite, through_build, success) values (?, ?, ?)",
        [spec.name, through, success],
    )


def run_suite(
    settings: Settings,
    spec: SuiteSpec,
    marts_connection: Callable[[], Any] | None = None,
) -> SuiteResult:
    """Run one suite as the pipeline does: the new deliveries of a landing suite, or a mart.

    A period-sliced mart suite on DuckDB validates the periods rebuilt since it last passed and
    records the run. `marts_connection` opens the marts elsewhere (Spark): every period then.
    """
    if spec.scope == "new_batches":
        with contextlib.closing(warehouse.connect(settings)) as con:
            return validate_new_batches(con, spec)
    by_period = marts_connection is None and spec.batch_by is not None
    periods_from = None
    if by_period:
        with contextlib.closing(warehouse.connect(settings)) as con:
            periods_from = periods_to_validate(con, spec)
    marts = marts_connection() if marts_connection else warehouse.connect(settings, read_only=True)
    with contextlib.closing(marts) as con:
        result = validate_table(con, spec, periods_from=periods_from)
    if by_period:
        with contextlib.closing(warehouse.connect(settings)) as con:
            record_suite_run(con, spec, result.success)
    return result


def validate_new_batches(
    con: duckdb.DuckDBPyConnection, spec: SuiteSpec, slice_rows: int | None = None
) -> SuiteResult:
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
    checks = _derived_checks(spec)
    size = _slice_size(slice_rows)
    # One delivery at a time, in slices of at most `size` lines: memory is bounded by the slice,
    # not by the file or the backlog, and each delivery is recorded as passed or failed on its
    # own (a bad file fails only itself).
    result = SuiteResult(suite=spec.name, table=spec.table, success=True, rows=0)
    for batch_id in new:
        one = _validate_scope(con, checks, "t._batch_id = ?", [batch_id], size)
        con.execute(
            "insert into raw._batch_validations (batch_id, suite, success, failures) "
            "values (?, ?, ?, ?)",
            [batch_id, spec.name, one.success, "; ".join(one.labelled(None))],
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
