"""Read, validate and load landing files into the `raw` schema, one file = one batch.

Policy (docs/data-quality.md):
- A file that cannot be read as its entity (unreadable encoding, wrong delimiter, missing or
  renamed columns, empty) is rejected whole with one message; nothing of it loads.
- Otherwise every row that breaks a rule goes to `raw._quarantine` with file, line, column,
  rule and value; the rest loads. rows in file = rows loaded + rows quarantined, per batch.
- The same content delivered again (any file name) is skipped. A file delivered again under the
  same name with different content is a corrected re-delivery: it replaces the earlier batch.
- Each batch commits in one transaction, so a killed load leaves nothing partial behind.

SQL is built only from the contract's names (quoted); file names and contents are passed as
parameters or escaped literals, never pasted raw.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import difflib
import hashlib
import io
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .contract import ENTITIES, OLDEST_PLAUSIBLE_DATE, Column, Entity, entity, load_order

NULL_TOKENS = ("", "N/A", "NA", "NULL", "NONE", "-", "NAN")
DEFAULT_MAX_LENGTH = 4000
SUPPORTED_SUFFIXES = (".csv", ".parquet")

SQL_TYPES = {
    "string": "varchar",
    "integer": "bigint",
    "decimal": "decimal(18,2)",
    "date": "date",
    "timestamp": "timestamp",
    "boolean": "boolean",
}


class RejectedFile(ValueError):
    """The whole file cannot be read as its entity."""


@dataclass
class BatchResult:
    entity: str
    source_file: str
    content_hash: str
    status: str  # loaded | replaced | skipped | rejected
    batch_id: int | None = None
    rows_in_file: int | None = None
    rows_loaded: int = 0
    rows_quarantined: int = 0
    message: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def reconciles(self) -> bool:
        return self.rows_in_file == self.rows_loaded + self.rows_quarantined


# ----------------------------------------------------------------------------- discovery


def discover(landing_dir: Path) -> list[tuple[Entity, Path]]:
    """Landing files in load order: <system>/<entity>.<ext> or <system>/<entity>/*.<ext>."""
    found: list[tuple[Entity, Path]] = []
    for ent in load_order():
        base = landing_dir / ent.system
        files = [base / f"{ent.name}{suffix}" for suffix in SUPPORTED_SUFFIXES]
        folder = base / ent.name
        if folder.is_dir():
            files += sorted(p for p in folder.iterdir() if p.suffix.lower() in SUPPORTED_SUFFIXES)
        found += [(ent, p) for p in files if p.is_file()]
    return found


def unknown_files(landing_dir: Path) -> list[Path]:
    """Files in the landing folder that match no entity (reported, never silently ignored)."""
    known = {p for _, p in discover(landing_dir)}
    return sorted(
        p
        for p in landing_dir.rglob("*")
        if p.is_file() and p not in known and not p.name.startswith(".") and p.name != "README.md"
    )


# ----------------------------------------------------------------------------- schema


def ensure_batch_ledger(con: duckdb.DuckDBPyConnection) -> None:
    """raw._batches, the ledger of every delivery, as this version writes it."""
    con.execute("create schema if not exists raw")
    con.execute("create sequence if not exists raw.batch_seq start 1")
    con.execute(
        """create table if not exists raw._batches (
            batch_id bigint primary key,
            entity varchar not null,
            source_file varchar not null,
            content_hash varchar not null,
            status varchar not null,
            loaded_at timestamp not null default current_timestamp,
            rows_in_file bigint,
            rows_loaded bigint,
            rows_quarantined bigint,
            message varchar,
            superseded_by bigint
        )"""
    )
    # warehouses loaded before incremental period builds existed: their batches say "any month"
    con.execute("alter table raw._batches add column if not exists affects_from date")


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    ensure_batch_ledger(con)
    con.execute(
        """create table if not exists raw._quarantine (
            batch_id bigint not null,
            entity varchar not null,
            source_file varchar not null,
            line_number bigint,
            column_name varchar,
            rule varchar not null,
            value varchar,
            message varchar not null,
            record varchar
        )"""
    )
    for ent in ENTITIES:
        cols = ", ".join(f"{_ident(c.name)} {sql_type(c)}" for c in ent.columns)
        con.execute(
            f"create table if not exists raw.{_ident(ent.raw_table)} "
            f"({cols}, _batch_id bigint not null, _line_number bigint not null)"
        )
        existing = {
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'raw' and table_name = ?",
                [ent.raw_table],
            ).fetchall()
        }
        for c in ent.columns:
            if c.name not in existing:  # the contract grew a column: old batches get nulls
                con.execute(
                    f"alter table raw.{_ident(ent.raw_table)} "
                    f"add column {_ident(c.name)} {sql_type(c)}"
                )


# ----------------------------------------------------------------------------- reading


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_utf8(path: Path, label: str) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line += chunk[: exc.start].count(b"\n")
                bad = chunk[exc.start : exc.start + 1]
                hint = " (it looks like Latin-1/Windows-1252: re-export as UTF-8)" if bad else ""
                raise RejectedFile(
                    f"{label}: not UTF-8 text: byte 0x{bad.hex()} on line {line}{hint}"
                ) from None
            line += chunk.count(b"\n")


def read_csv_header(path: Path, ent: Entity, label: str) -> list[str]:
    """Check encoding and header; return the file's column names in file order."""
    if path.stat().st_size == 0:
        raise RejectedFile(f"{label}: the file is empty (expected a header line)")
    _check_utf8(path, label)
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
    if not first.strip():
        raise RejectedFile(f"{label}: the first line is blank (expected a header line)")
    header = next(csv.reader(io.StringIO(first)))
    names = [h.strip().lower() for h in header]
    if len(names) == 1:
        for delim, word in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
            if delim in first:
                raise RejectedFile(
                    f"{label}: the header has one column but contains {word}s: the file looks "
                    f"{word}-delimited; this entity is read as comma-separated values"
                )
    _check_header(names, ent, label)
    return names


def _check_header(names: list[str], ent: Entity, label: str) -> None:
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise RejectedFile(f"{label}: header repeats column(s) {', '.join(dupes)}")
    missing = [c for c in ent.column_names if c not in names]
    extra = [n for n in names if n not in ent.column_names]
    if missing:
        hints = []
        for m in missing:
            close = difflib.get_close_matches(m, extra, n=1, cutoff=0.5) or [
                e for e in extra if e in m or m in e
            ]
            hints.append(f"{m} (found {close[0]!r}?)" if close else m)
        msg = f"{label}: header lacks column(s) required by the contract for {ent.key}: "
        msg += ", ".join(hints)
        if extra:
            msg += f"; unexpected column(s): {', '.join(repr(e) for e in extra)}"
        raise RejectedFile(msg + " (see docs/landing-contract.md)")


def _stage_csv(con: duckdb.DuckDBPyConnection, path: Path, names: list[str]) -> int:
    """Read every record as text into temp table _in; return the count of malformed lines."""
    spec = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names))) + "}"
    con.execute("drop table if exists _in")
    con.execute("drop table if exists _rejects")
    con.execute("drop table if exists _reject_scans")
    con.execute(
        f"""create temp table _in_raw as
        select * from read_csv(?, header = true, auto_detect = false, delim = ',',
            quote = '"', escape = '"', columns = {spec}, store_rejects = true,
            rejects_table = '_rejects', rejects_scan = '_reject_scans',
            max_line_size = 10000000, null_padding = false, encoding = 'utf-8')""",
        [str(path)],
    )
    con.execute("create temp table _in as select row_number() over () as _seq, * from _in_raw")
    con.execute("drop table _in_raw")
    return con.execute("select count(distinct line) from _rejects").fetchone()[0]


def _stage_parquet(
    con: duckdb.DuckDBPyConnection, path: Path, ent: Entity, label: str
) -> list[str]:
    try:
        names = [
            r[0].strip().lower()
            for r in con.execute("describe select * from read_parquet(?)", [str(path)]).fetchall()
        ]
    except duckdb.Error as exc:
        raise RejectedFile(f"{label}: not a readable Parquet file ({exc})") from None
    _check_header(names, ent, label)
    raw_names = [
        r[0] for r in con.execute("describe select * from read_parquet(?)", [str(path)]).fetchall()
    ]
    casts = ", ".join(f"cast({_ident(n)} as varchar) as c{i}" for i, n in enumerate(raw_names))
    con.execute("drop table if exists _in")
    con.execute(
        f"create temp table _in as select row_number() over () as _seq, {casts} "
        "from read_parquet(?)",
        [str(path)],
    )
    return names


# ----------------------------------------------------------------------------- rules


def _null_normalised(src: str) -> str:
    tokens = ", ".join(_literal(t) for t in NULL_TOKENS)
    return f"case when upper(trim({src})) in ({tokens}) then null else {src} end"


def sql_type(col: Column) -> str:
    return f"decimal(18,{col.scale})" if col.type == "decimal" else SQL_TYPES[col.type]


def _typed(col: Column, v: str) -> str:
    if col.type == "boolean":
        return f"(lower(trim({v})) in ('true', '1', 'yes', 't', 'y'))"
    if col.type == "string":
        return v
    return f"try_cast(trim({v}) as {sql_type(col)})"


def _rules(ent: Entity) -> list[tuple[str, str, str, str]]:
    """(column, rule, condition on _v, human description) for every column rule."""
    rules: list[tuple[str, str, str, str]] = []
    for col in ent.columns:
        v = f"v.{_ident(col.name)}"
        if col.required:
            rules.append((col.name, "required", f"{v} is null", "a value is required"))
        if col.type == "boolean":
            cond = f"lower(trim({v})) not in ('true','false','1','0','yes','no','t','f','y','n')"
            rules.append((col.name, "type", f"{v} is not null and {cond}", "expected true/false"))
        elif col.type != "string":
            fmt = {
                "integer": "a whole number",
                "decimal": "a number (dot as decimal separator)",
                "date": "a date YYYY-MM-DD",
                "timestamp": "a timestamp YYYY-MM-DD HH:MM:SS",
            }[col.type]
            rules.append(
                (
                    col.name,
                    "type",
                    f"{v} is not null and {_typed(col, v)} is null",
                    f"expected {fmt}",
                )
            )
        typed = _typed(col, v)
        if col.min is not None:
            rules.append(
                (col.name, "range", f"{typed} < {col.min}", f"must be at least {col.min:g}")
            )
        if col.max is not None:
            rules.append(
                (col.name, "range", f"{typed} > {col.max}", f"must be at most {col.max:g}")
            )
        if col.type in ("date", "timestamp"):
            rules.append(
                (
                    col.name,
                    "date_too_old",
                    f"cast({typed} as date) < date '{OLDEST_PLAUSIBLE_DATE}'",
                    f"dates before {OLDEST_PLAUSIBLE_DATE} are not plausible",
                )
            )
            if not col.future_ok:
                rules.append(
                    (
                        col.name,
                        "future_date",
                        f"cast({typed} as date) > current_date",
                        "date is in the future",
                    )
                )
        if col.allowed is not None:
            allowed = ", ".join(_literal(a) for a in col.allowed)
            if col.is_list:
                cond = f"len(list_filter(string_split({v}, ';'), lambda x: trim(x) not in ({allowed}))) > 0"
            else:
                cond = f"{v} not in ({allowed})"
            rules.append(
                (col.name, "allowed_values", cond, f"must be one of: {', '.join(col.allowed)}")
            )
        if col.type == "string":
            limit = col.max_length or DEFAULT_MAX_LENGTH
            rules.append(
                (col.name, "too_long", f"length({v}) > {limit}", f"longer than {limit} characters")
            )
            rules.append(
                (
                    col.name,
                    "formula_text",
                    f"regexp_matches({v}, '^\\s*([=@]|[+-][^0-9 (])')",
                    "starts like a spreadsheet formula (=, @, +, -); re-export as plain text",
                )
            )
    return rules


def _violations_sql(ent: Entity, file_cols: dict[str, str]) -> str:
    """One query that yields every rule broken, as rows (_seq, column, rule, value, message)."""
    projected = ", ".join(
        f"{_null_normalised(file_cols[c.name])} as {_ident(c.name)}" for c in ent.columns
    )
    parts = [
        f"select v._seq, {_literal(col)} as column_name, {_literal(rule)} as rule, "
        f"cast(v.{_ident(col)} as varchar) as value, {_literal(desc)} as message "
        f"from _v v where {cond}"
        for col, rule, cond, desc in _rules(ent)
    ]
    pk = ", ".join(_ident(k) for k in ent.primary_key)
    pk_not_null = " and ".join(f"{_ident(k)} is not null" for k in ent.primary_key)
    parts.append(
        f"select _seq, {_literal(','.join(ent.primary_key))}, 'duplicate_key_in_batch', "
        f"concat_ws('|', {pk}), 'the key appears more than once in this file' "
        f"from (select _seq, {pk}, count(*) over (partition by {pk}) as n from _v "
        f"where {pk_not_null}) where n > 1"
    )
    for col in ent.columns:
        if not col.references:
            continue
        ref_key, ref_col = col.references.rsplit(".", 1)
        ref = entity(ref_key)
        lookups = [f"select {_ident(ref_col)} as k from raw.{_ident(ref.raw_table)}"]
        if ref.key == ent.key:
            lookups.append(f"select {_ident(ref_col)} from _v")
        parts.append(
            f"select v._seq, {_literal(col.name)}, 'foreign_key', v.{_ident(col.name)}, "
            f"{_literal(f'no {ref_key} row has this {ref_col}')} from _v v "
            f"where v.{_ident(col.name)} is not null and v.{_ident(col.name)} not in "
            f"({' union all '.join(lookups)})"
        )
    return (
        f"create or replace temp table _v as select _seq, {projected} from _in;\n"
        "create or replace temp table _viol as " + " union all ".join(parts)
    )


# ----------------------------------------------------------------------------- loading


def load_file(
    con: duckdb.DuckDBPyConnection, ent: Entity, path: Path, landing_dir: Path
) -> BatchResult:
    """Validate one file and load it as one batch (or skip / reject it)."""
    ensure_raw_schema(con)
    try:
        source_file = str(path.relative_to(landing_dir))
    except ValueError:
        source_file = str(path)
    label = source_file
    digest = file_hash(path)
    result = BatchResult(entity=ent.key, source_file=source_file, content_hash=digest, status="")

    seen = con.execute(
        "select batch_id, source_file, status from raw._batches where entity = ? "
        "and content_hash = ? and status in ('loaded', 'replaced', 'rejected') "
        "order by batch_id desc limit 1",
        [ent.key, digest],
    ).fetchone()
    if seen:
        result.status = "skipped" if seen[2] != "rejected" else "rejected"
        result.batch_id = seen[0]
        result.message = (
            f"{label}: same content as batch {seen[0]} ({seen[1]}, {seen[2]}); nothing loaded"
        )
        return result

    malformed = 0
    try:
        if path.suffix.lower() == ".parquet":
            names = _stage_parquet(con, path, ent, label)
        else:
            names = read_csv_header(path, ent, label)
            try:
                malformed = _stage_csv(con, path, names)
            except duckdb.Error as exc:
                raise RejectedFile(f"{label}: cannot be parsed as CSV: {exc}") from None
    except RejectedFile as exc:
        return _record_rejection(con, result, str(exc))

    file_cols = {n: f"c{i}" for i, n in enumerate(names)}
    ignored = [n for n in names if n not in ent.column_names]
    con.execute(_violations_sql(ent, file_cols))

    previous = con.execute(
        "select batch_id from raw._batches where entity = ? and source_file = ? "
        "and status in ('loaded', 'replaced')",
        [ent.key, source_file],
    ).fetchall()

    table = f"raw.{_ident(ent.raw_table)}"
    cols = ", ".join(_ident(c.name) for c in ent.columns)
    typed = ", ".join(_typed(c, f"v.{_ident(c.name)}") for c in ent.columns)
    record = (
        "concat_ws(',', "
        + ", ".join(f"coalesce({file_cols[c.name]}, '')" for c in ent.columns)
        + ")"
    )
    con.execute("begin transaction")
    try:
        batch_id = con.execute("select nextval('raw.batch_seq')").fetchone()[0]
        # before the replaced rows are deleted: the months they counted in change too
        replaced_from = _earliest_period(con, ent, table, [p[0] for p in previous])
        for (old,) in previous:
            con.execute(f"delete from {table} where _batch_id = ?", [old])
            con.execute(
                "update raw._batches set status = 'superseded', superseded_by = ? "
                "where batch_id = ?",
                [batch_id, old],
            )
        con.execute(
            f"insert into {table} ({cols}, _batch_id, _line_number) "
            f"select {typed}, ?, v._seq + 1 from _v v "
            "where not exists (select 1 from _viol q where q._seq = v._seq)",
            [batch_id],
        )
        con.execute(
            "insert into raw._quarantine select ?, ?, ?, q._seq + 1, q.column_name, q.rule, "
            "left(q.value, 500), q.message, left(" + record + ", 2000) "
            "from _viol q join _in i on i._seq = q._seq",
            [batch_id, ent.key, source_file],
        )
        if malformed:
            con.execute(
                "insert into raw._quarantine select ?, ?, ?, line, null, 'malformed_line', "
                "left(min(csv_line), 500), string_agg(distinct error_message, '; '), "
                "left(min(csv_line), 2000) from _rejects group by line",
                [batch_id, ent.key, source_file],
            )
        loaded = con.execute(
            f"select count(*) from {table} where _batch_id = ?", [batch_id]
        ).fetchone()[0]
        quarantined = (
            con.execute("select count(distinct _seq) from _viol").fetchone()[0] + malformed
        )
        in_file = con.execute("select count(*) from _in").fetchone()[0] + malformed
        affects_from = _affects_from(con, ent, table, batch_id, replaced_from, bool(previous))
        status = "replaced" if previous else "loaded"
        message = f"{label}: {in_file} rows: {loaded} loaded, {quarantined} quarantined"
        if previous:
            message += f"; replaces batch(es) {', '.join(str(p[0]) for p in previous)}"
        if ignored:
            message += f"; ignored column(s) not in the contract: {', '.join(ignored)}"
        con.execute(
            "insert into raw._batches (batch_id, entity, source_file, content_hash, status, "
            "rows_in_file, rows_loaded, rows_quarantined, message, affects_from) "
            "values (?,?,?,?,?,?,?,?,?,?)",
            [
                batch_id,
                ent.key,
                source_file,
                digest,
                status,
                in_file,
                loaded,
                quarantined,
                message,
                affects_from,
            ],
        )
        _fault_injection_pause()
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    result.status, result.batch_id = status, batch_id
    result.rows_in_file, result.rows_loaded, result.rows_quarantined = in_file, loaded, quarantined
    result.message = message
    result.problems = _problem_lines(con, batch_id)
    return result


def _period_date_sql(ent: Entity) -> str:
    """A row's earliest period date (see Entity.period_dates)."""
    return "least(" + ", ".join(_ident(c) for c in ent.period_dates) + ")"


def _earliest_period(
    con: duckdb.DuckDBPyConnection, ent: Entity, table: str, batch_ids: list[int]
) -> datetime.date | None:
    """The earliest period date among the rows of the given batches (None when no rows)."""
    if not ent.period_dates or not batch_ids:
        return None
    marks = ", ".join("?" for _ in batch_ids)
    return con.execute(
        f"select min({_period_date_sql(ent)}) from {table} where _batch_id in ({marks})",
        batch_ids,
    ).fetchone()[0]


def _affects_from(
    con: duckdb.DuckDBPyConnection,
    ent: Entity,
    table: str,
    batch_id: int,
    replaced_from: datetime.date | None,
    replaces: bool,
) -> datetime.date | None:
    """The first day whose month a new batch can change; None when it can change any month.

    A dated fact changes the months of its new rows, of the rows it replaces (a corrected file)
    and of older versions of the keys it delivers again (a late correction in a later file):
    the earliest of those. Anything else (a snapshot, a fact with no rows) counts as any month.
    """
    new_from = _earliest_period(con, ent, table, [batch_id])
    if new_from is None:
        return None
    if replaces and replaced_from is None:
        return None  # the replaced file held no dated rows we can bound: be safe
    keys = ", ".join(_ident(c) for c in ent.primary_key)
    older_from = con.execute(
        f"select min({_period_date_sql(ent)}) from {table} where _batch_id <> $1 and ({keys}) "
        f"in (select ({keys}) from {table} where _batch_id = $1)",
        [batch_id],
    ).fetchone()[0]
    return min(d for d in (new_from, older_from, replaced_from) if d is not None)


def _fault_injection_pause() -> None:
    """Tests kill a load here to prove an interrupted batch leaves nothing behind."""
    pause = os.environ.get("LOYALTY_FAULT_PAUSE_BEFORE_COMMIT")
    if pause:
        marker = Path(os.environ.get("LOYALTY_FAULT_MARKER", "/dev/null"))
        marker.write_text("in transaction")
        time.sleep(float(pause))


def _record_rejection(con: duckdb.DuckDBPyConnection, result: BatchResult, msg: str) -> BatchResult:
    batch_id = con.execute("select nextval('raw.batch_seq')").fetchone()[0]
    con.execute(
        "insert into raw._batches (batch_id, entity, source_file, content_hash, status, message) "
        "values (?, ?, ?, ?, 'rejected', ?)",
        [batch_id, result.entity, result.source_file, result.content_hash, msg],
    )
    result.status, result.batch_id, result.message = "rejected", batch_id, msg
    return result


def _problem_lines(con: duckdb.DuckDBPyConnection, batch_id: int, limit: int = 20) -> list[str]:
    rows = con.execute(
        "select source_file, line_number, column_name, rule, value, message "
        "from raw._quarantine where batch_id = ? order by line_number, column_name limit ?",
        [batch_id, limit],
    ).fetchall()
    return [
        f"{f}: line {line}, column {col}: {rule}: {msg} (value {val!r})"
        for f, line, col, rule, val, msg in rows
    ]


def load_entity(
    con: duckdb.DuckDBPyConnection, ent: Entity, landing_dir: Path
) -> list[BatchResult]:
    return [load_file(con, e, p, landing_dir) for e, p in discover(landing_dir) if e.key == ent.key]


def load_landing(con: duckdb.DuckDBPyConnection, landing_dir: Path) -> list[BatchResult]:
    return [load_file(con, e, p, landing_dir) for e, p in discover(landing_dir)]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
