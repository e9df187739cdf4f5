"""Check landing files (or tables about to be written) against the landing contract.

Everything is checked on the text of each cell, exactly as a loader reads a CSV: columns and
their order, required values, types parse, allowed values (also inside ';' lists), ranges,
lengths, dates not before 1990 and not after the data's end date unless the column is a
plan, unique primary keys, and references that resolve.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from loyalty_warehouse.contract import ENTITIES, OLDEST_PLAUSIBLE_DATE, Entity, load_order

_PATTERNS = {
    "integer": r"^-?[0-9]+$",
    "decimal": r"^-?[0-9]+(\.[0-9]+)?$",
    "money": r"^-?[0-9]+\.[0-9]{2}$",
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "timestamp": r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$",
}


class ContractError(AssertionError):
    pass


def referenced_keys() -> set[tuple[str, str]]:
    """(entity key, column) pairs some column references."""
    out = set()
    for e in ENTITIES:
        for c in e.columns:
            if c.references:
                ent, col = c.references.rsplit(".", 1)
                out.add((ent, col))
    return out


class Checker:
    """Collects problems; keeps the keys of referenced entities it has seen."""

    def __init__(self, end_date: str | np.datetime64):
        self.end_date = str(np.datetime64(end_date, "D"))
        self.problems: list[str] = []
        self.keys: dict[tuple[str, str], pa.Array] = {}
        self._wanted = referenced_keys()

    def _fail(self, where: str, what: str, bad: pa.Array | None = None) -> None:
        sample = ""
        if bad is not None and len(bad):
            sample = f" e.g. {bad.slice(0, 3).to_pylist()}"
        self.problems.append(f"{where}: {what}{sample}")

    def check(
        self,
        entity: Entity,
        columns: dict[str, pa.Array | np.ndarray],
        where: str | None = None,
        scope: dict[tuple[str, str], pa.Array] | None = None,
        remember: bool = True,
    ) -> None:
        """Check one file's worth of rows. References resolve against ``scope`` (default:
        everything remembered so far plus this table itself)."""
        where = where or entity.key
        names = list(columns)
        if names != list(entity.column_names):
            self._fail(where, f"columns {names} != contract {list(entity.column_names)}")
            return
        cols = {
            k: v if isinstance(v, pa.Array) else pa.array(v, type=pa.string())
            for k, v in columns.items()
        }
        n = len(next(iter(cols.values()))) if cols else 0
        for col in entity.columns:
            a = cols[col.name]
            if a.null_count:
                a = pc.fill_null(a, "")
            present = pc.not_equal(a, "")
            vals = pc.filter(a, present)
            label = f"{where}.{col.name}"
            if col.required and len(vals) != n:
                self._fail(label, f"{n - len(vals)} empty values in a required column")
            if not len(vals):
                continue
            kind = col.type
            if kind == "decimal" and col.unit == "currency units":
                kind = "money"
            if kind in _PATTERNS:
                ok = pc.match_substring_regex(vals, _PATTERNS[kind])
                if not pc.all(ok).as_py():
                    self._fail(label, f"not a valid {col.type}", pc.filter(vals, pc.invert(ok)))
                    continue
            if kind == "boolean":
                ok = pc.is_in(vals, value_set=pa.array(["true", "false"]))
                if not pc.all(ok).as_py():
                    self._fail(label, "boolean must be true/false", pc.filter(vals, pc.invert(ok)))
            if col.type in ("date", "timestamp"):
                fmt = "%Y-%m-%d" if col.type == "date" else "%Y-%m-%d %H:%M:%S"
                parsed = pc.strptime(vals, format=fmt, unit="s", error_is_null=True)
                if parsed.null_count:
                    self._fail(label, "unparseable dates", pc.filter(vals, pc.is_null(parsed)))
                    continue
                day = pc.utf8_slice_codeunits(vals, 0, 10)
                if pc.any(pc.less(day, OLDEST_PLAUSIBLE_DATE)).as_py():
                    self._fail(label, f"dates before {OLDEST_PLAUSIBLE_DATE}")
                if not col.future_ok:
                    late = pc.greater(day, self.end_date)
                    if pc.any(late).as_py():
                        self._fail(
                            label,
                            f"dates after the end date {self.end_date}",
                            pc.filter(vals, late),
                        )
            if col.type in ("integer", "decimal") and (col.min is not None or col.max is not None):
                num = pc.cast(vals, pa.float64())
                if col.min is not None and pc.any(pc.less(num, col.min)).as_py():
                    self._fail(
                        label, f"values below {col.min}", pc.filter(vals, pc.less(num, col.min))
                    )
                if col.max is not None and pc.any(pc.greater(num, col.max)).as_py():
                    self._fail(
                        label, f"values above {col.max}", pc.filter(vals, pc.greater(num, col.max))
                    )
            if col.allowed is not None:
                items = pc.list_flatten(pc.split_pattern(vals, ";")) if col.is_list else vals
                ok = pc.is_in(items, value_set=pa.array(list(col.allowed)))
                if not pc.all(ok).as_py():
                    self._fail(
                        label,
                        "values outside the allowed list",
                        pc.unique(pc.filter(items, pc.invert(ok))),
                    )
            if col.max_length is not None:
                if pc.any(pc.greater(pc.utf8_length(vals), col.max_length)).as_py():
                    self._fail(label, f"values longer than {col.max_length}")
        # primary key
        pk = [cols[c] for c in entity.primary_key]
        key = pk[0] if len(pk) == 1 else pc.binary_join_element_wise(*pk, "\x1f")
        if pc.count_distinct(key).as_py() != n:
            vc = pc.value_counts(key)
            dup = pc.filter(vc.field("values"), pc.greater(vc.field("counts"), 1))
            self._fail(f"{where}", f"duplicate primary key {entity.primary_key}", dup)
        # references
        own = {
            (entity.key, c): cols[c] for c in entity.column_names if (entity.key, c) in self._wanted
        }
        for col in entity.columns:
            if not col.references:
                continue
            target = tuple(col.references.rsplit(".", 1))
            keys = own.get(target) if target[0] == entity.key else None
            if keys is None:
                keys = (scope or self.keys).get(target)
            if keys is None:
                self._fail(f"{where}.{col.name}", f"referenced entity {target[0]} not seen yet")
                continue
            a = pc.fill_null(cols[col.name], "")
            vals = pc.filter(a, pc.not_equal(a, ""))
            ok = pc.is_in(vals, value_set=keys)
            if not pc.all(ok).as_py():
                self._fail(
                    f"{where}.{col.name}",
                    f"unresolved references to {col.references}",
                    pc.filter(vals, pc.invert(ok)),
                )
        if remember:
            for k, v in own.items():
                prev = self.keys.get(k)
                self.keys[k] = v if prev is None else pa.concat_arrays([prev, v])

    def raise_if_failed(self) -> None:
        if self.problems:
            shown = "\n  ".join(self.problems[:50])
            raise ContractError(f"{len(self.problems)} contract problem(s):\n  {shown}")


def _read(path: Path) -> dict[str, pa.Array]:
    if path.suffix == ".csv":
        with open(path, "rb") as f:
            header = f.readline().decode("utf-8").rstrip("\r\n").split(",")
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=None),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=False
            ),
        )
    else:
        table = pq.read_table(path)
    out = {}
    for name, col in zip(table.column_names, table.columns, strict=True):
        col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        if pa.types.is_boolean(col.type):
            col = pc.if_else(col, "true", "false")
        elif pa.types.is_decimal(col.type):
            # Parquet money is decimal(18,2); target values are decimal(18,4) -> trim.
            s = pc.cast(col, pa.string())
            if col.type.scale > 2:
                s = pa.array([_trim(x) for x in s.to_pylist()], type=pa.string())
            col = s
        elif pa.types.is_timestamp(col.type):
            # Parquet keeps no second unit (it stores milliseconds): back to whole seconds.
            col = pc.cast(pc.cast(col, pa.timestamp("s")), pa.string())
        elif not pa.types.is_string(col.type):
            col = pc.cast(col, pa.string())
        out[name] = pc.fill_null(col, "")
    return out


def _trim(x: str | None) -> str | None:
    if x is None:
        return None
    whole, _, frac = x.partition(".")
    frac = frac.rstrip("0").ljust(2, "0")
    return f"{whole}.{frac}"


def entity_files(out: str | Path, entity: Entity) -> list[Path]:
    """The files holding an entity: one file, or the parts / register exports in its folder."""
    base = Path(out) / entity.system / entity.name
    files = [base.with_suffix(f".{ext}") for ext in ("csv", "parquet")]
    files = [f for f in files if f.is_file()]
    if base.is_dir():
        files += sorted(p for p in base.iterdir() if p.suffix in (".csv", ".parquet"))
    return files


def validate_dir(out: str | Path, end_date: str) -> dict[str, int]:
    """Check every landing file under ``out``; returns rows per entity; raises ContractError."""
    checker = Checker(end_date)
    rows: dict[str, int] = {}
    for entity in load_order():
        files = entity_files(out, entity)
        if not files:
            checker.problems.append(f"{entity.key}: no files under {out}")
            continue
        rows[entity.key] = 0
        if entity.key == "governance.improvement_actions":
            for f in files:
                if not re.fullmatch(r"register_\d{4}-\d{2}-\d{2}\.(csv|parquet)", f.name):
                    checker.problems.append(f"{f}: unexpected file name")
                cols = _read(f)
                checker.check(entity, cols, where=str(f), remember=False)
                rows[entity.key] += len(next(iter(cols.values())))
            continue
        pks = []
        for f in files:
            cols = _read(f)
            checker.check(entity, cols, where=str(f))
            rows[entity.key] += len(next(iter(cols.values())))
            if len(files) > 1:
                pk = [cols[c] for c in entity.primary_key]
                pks.append(pk[0] if len(pk) == 1 else pc.binary_join_element_wise(*pk, "\x1f"))
        # primary keys must also be unique across the parts of a chunked entity
        if pks:
            keys = pa.concat_arrays(pks)
            if pc.count_distinct(keys).as_py() != len(keys):
                checker.problems.append(f"{entity.key}: duplicate primary keys across parts")
    checker.raise_if_failed()
    return rows
