"""Turn simulated tables into landing files: ids, currency, text formatting, CSV and Parquet."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from loyalty_warehouse.contract import Entity

STR = np.dtypes.StringDType()

# Which columns hold ids, and of which kind. Chunk tables carry chunk-local integer ids.
ID_KINDS: dict[str, dict[str, str]] = {
    "crm.reps": {"rep_id": "rep", "manager_rep_id": "rep"},
    "crm.accounts": {"account_id": "acc", "referred_by_account_id": "acc", "owner_rep_id": "rep"},
    "crm.contacts": {"contact_id": "con", "account_id": "acc"},
    "crm.opportunities": {"opportunity_id": "opp", "account_id": "acc", "rep_id": "rep"},
    "crm.commitments": {
        "commitment_id": "com",
        "account_id": "acc",
        "rep_id": "rep",
        "opportunity_id": "opp",
    },
    "crm.activities": {
        "activity_id": "act",
        "account_id": "acc",
        "rep_id": "rep",
        "case_id": "cas",
        "opportunity_id": "opp",
    },
    "crm.cases": {"case_id": "cas", "account_id": "acc"},
    "crm.churn_events": {"churn_event_id": "chn", "account_id": "acc"},
    "survey.responses": {"response_id": "rsp", "account_id": "acc", "contact_id": "con"},
    "survey.account_reviews": {"review_id": "rev", "account_id": "acc", "rep_id": "rep"},
    "finance.invoices": {"invoice_line_id": "inl", "invoice_id": "inv", "account_id": "acc"},
    "finance.payments": {"payment_id": "pay", "invoice_id": "inv", "account_id": "acc"},
    "finance.subscriptions": {
        "subscription_id": "sub",
        "account_id": "acc",
        "renewal_of_subscription_id": "sub",
    },
    "finance.cost_to_serve": {"account_id": "acc"},
    "finance.acquisition_costs": {"account_id": "acc"},
    "finance.incentives": {"incentive_id": "inc", "account_id": "acc"},
}
# kind -> (prefix, entity whose rows own the numbers, column counted)
ID_OWNERS = {
    "con": ("CON", "crm.contacts", "contact_id"),
    "opp": ("OPP", "crm.opportunities", "opportunity_id"),
    "com": ("COM", "crm.commitments", "commitment_id"),
    "act": ("ACT", "crm.activities", "activity_id"),
    "cas": ("CAS", "crm.cases", "case_id"),
    "chn": ("CHN", "crm.churn_events", "churn_event_id"),
    "rsp": ("RSP", "survey.responses", "response_id"),
    "rev": ("REV", "survey.account_reviews", "review_id"),
    "inl": ("INL", "finance.invoices", "invoice_line_id"),
    "inv": ("INV", "finance.invoices", "invoice_id"),
    "pay": ("PAY", "finance.payments", "payment_id"),
    "sub": ("SUB", "finance.subscriptions", "subscription_id"),
    "inc": ("INC", "finance.incentives", "incentive_id"),
}
# Rough upper bound of rows per customer-month, to fix the id width of a run.
ID_DENSITY = {
    "con": 0.2,
    "opp": 0.3,
    "com": 0.3,
    "act": 4,
    "cas": 1,
    "chn": 0.1,
    "rsp": 3,
    "rev": 1,
    "inl": 6,
    "inv": 2,
    "pay": 2,
    "sub": 0.5,
    "inc": 0.5,
}


class Ids:
    """Global, zero-padded, 1-based ids; chunk-local numbers are shifted by running offsets."""

    def __init__(self, customers: int, months: int, n_reps: int):
        cm = customers * max(months, 1)
        self.width = {"acc": max(5, len(str(customers))), "rep": max(4, len(str(n_reps)))}
        for kind, dens in ID_DENSITY.items():
            self.width[kind] = max(5, len(str(int(cm * dens))))
        self.prefix = {"acc": "ACC", "rep": "REP", **{k: v[0] for k, v in ID_OWNERS.items()}}
        self.offset = {k: 0 for k in self.prefix}

    def format(self, kind: str, local: np.ndarray) -> np.ndarray:
        local = np.asarray(local, dtype=np.int64)
        num = (local + self.offset[kind] + 1).astype(STR)
        out = np.strings.add(self.prefix[kind], np.strings.zfill(num, self.width[kind]))
        return np.where(local >= 0, out, np.array("", dtype=STR)).astype(STR)

    @staticmethod
    def used(tables: dict[str, dict]) -> dict[str, int]:
        """How many numbers of each kind a chunk's (still local) tables take."""
        out = {}
        for kind, (_, owner, col) in ID_OWNERS.items():
            values = tables[owner][col]
            out[kind] = int(values.max()) + 1 if len(values) else 0
        return out

    def advance(self, used: dict[str, int]) -> None:
        for kind, k in used.items():
            self.offset[kind] += k


def finalize(entity: Entity, table: dict, ids: Ids, currency: str, rate: float) -> dict:
    """Ids to strings, money to the run's currency; columns in contract order."""
    kinds = ID_KINDS.get(entity.key, {})
    out = {}
    for col in entity.columns:
        v = table[col.name]
        if col.name in kinds:
            v = ids.format(kinds[col.name], v)
        elif col.name == "currency":
            v = np.full(_nrows(table), currency, dtype=object)
        elif col.unit == "currency units":
            v = np.round(np.asarray(v, dtype=np.int64) * rate).astype(np.int64)
        out[col.name] = v
    return out


def _nrows(table: dict) -> int:
    for v in table.values():
        if v is not None:
            return len(v)
    return 0


def _cents_to_str(cents: np.ndarray) -> np.ndarray:
    cents = np.asarray(cents, dtype=np.int64)
    sign = np.where(cents < 0, "-", "")
    a = np.abs(cents)
    whole = (a // 100).astype(STR)
    frac = np.strings.zfill((a % 100).astype(STR), 2)
    return np.strings.add(np.strings.add(np.strings.add(sign.astype(STR), whole), "."), frac)


def _ratio_to_str(x: np.ndarray) -> np.ndarray:
    """Plain decimals with at least two places (targets such as 0.015 keep their third)."""
    out = []
    for v in np.asarray(x, dtype=float):
        s = f"{v:.4f}".rstrip("0")
        whole, _, frac = s.partition(".")
        out.append(f"{whole}.{frac.ljust(2, '0')}")
    return np.array(out, dtype=STR)


def to_strings(entity: Entity, table: dict) -> dict[str, np.ndarray]:
    """The exact text of every cell, as it goes into the CSV."""
    out = {}
    for col in entity.columns:
        v = table[col.name]
        if col.type == "string":
            s = np.asarray(v).astype(STR)
        elif col.type == "integer":
            v = np.asarray(v, dtype=np.int64)
            s = np.where(v >= 0, v.astype(STR), np.array("", dtype=STR)).astype(STR)
        elif col.type == "decimal":
            s = _cents_to_str(v) if col.unit == "currency units" else _ratio_to_str(v)
        elif col.type == "date":
            v = np.asarray(v, dtype="datetime64[D]")
            s = np.where(np.isnat(v), "", np.datetime_as_string(v, unit="D")).astype(STR)
        elif col.type == "timestamp":
            v = np.asarray(v, dtype="datetime64[s]")
            s = np.strings.replace(np.datetime_as_string(v, unit="s").astype(STR), "T", " ")
            s = np.where(np.isnat(v), np.array("", dtype=STR), s).astype(STR)
        elif col.type == "boolean":
            s = np.where(np.asarray(v, dtype=bool), "true", "false").astype(STR)
        else:  # pragma: no cover - the contract has no other types
            raise ValueError(col.type)
        out[col.name] = s
    return out


def _decimal_array(scaled: np.ndarray, scale: int) -> pa.Array:
    lo = np.asarray(scaled, dtype=np.int64)
    buf = np.empty(2 * len(lo), dtype=np.int64)
    buf[0::2] = lo
    buf[1::2] = np.where(lo < 0, -1, 0)
    return pa.Array.from_buffers(pa.decimal128(18, scale), len(lo), [None, pa.py_buffer(buf)])


def to_arrow(entity: Entity, table: dict, strings: dict[str, np.ndarray]) -> pa.Table:
    """Typed Parquet columns; missing optional values are nulls."""
    arrays = []
    for col in entity.columns:
        v = table[col.name]
        if col.type == "string":
            s = strings[col.name]
            arrays.append(pa.array(s, type=pa.string(), mask=(s == "")))
        elif col.type == "integer":
            v = np.asarray(v, dtype=np.int64)
            arrays.append(pa.array(v, type=pa.int64(), mask=v < 0))
        elif col.type == "decimal":
            if col.unit == "currency units":
                arrays.append(_decimal_array(v, 2))
            else:
                arrays.append(_decimal_array(np.round(np.asarray(v, dtype=float) * 10_000), 4))
        elif col.type == "date":
            v = np.asarray(v, dtype="datetime64[D]")
            arrays.append(pa.array(v, type=pa.date32(), mask=np.isnat(v)))
        elif col.type == "timestamp":
            v = np.asarray(v, dtype="datetime64[s]")
            arrays.append(pa.array(v, type=pa.timestamp("s"), mask=np.isnat(v)))
        elif col.type == "boolean":
            arrays.append(pa.array(np.asarray(v, dtype=bool), type=pa.bool_()))
    return pa.table(arrays, names=list(entity.column_names))


def csv_bytes(entity: Entity, strings: dict[str, np.ndarray]) -> bytes:
    """RFC 4180 CSV, quoting only the cells that need it, LF line ends, UTF-8."""
    cols = []
    for name in entity.column_names:
        s = strings[name]
        if len(s):
            need = (
                (np.strings.find(s, ",") >= 0)
                | (np.strings.find(s, '"') >= 0)
                | (np.strings.find(s, "\n") >= 0)
            )
            if need.any():
                quoted = np.strings.add(np.strings.add('"', np.strings.replace(s, '"', '""')), '"')
                s = np.where(need, quoted, s).astype(STR)
        cols.append(s)
    header = ",".join(entity.column_names)
    if not len(cols[0]):
        return (header + "\n").encode()
    line = cols[0]
    for s in cols[1:]:
        line = np.strings.add(np.strings.add(line, ","), s)
    return (header + "\n" + "\n".join(line.tolist()) + "\n").encode("utf-8")


class Writer:
    """DIR/<system>/<entity>.<ext>, or DIR/<system>/<entity>/part-NNNNN.<ext> when chunked."""

    def __init__(self, out: str | os.PathLike, fmt: str, parts: bool):
        if fmt not in ("csv", "parquet"):
            raise ValueError(f"unknown format {fmt!r}")
        self.out, self.fmt, self.parts = Path(out), fmt, parts
        self.bytes = 0

    def clean(self, entities: list[Entity]) -> None:
        """Remove files an earlier run left for these entities (and nothing else)."""
        for e in entities:
            base = self.out / e.system / e.name
            for ext in ("csv", "parquet"):
                f = base.with_suffix(f".{ext}")
                if f.is_file():
                    f.unlink()
            if base.is_dir():
                for f in base.iterdir():
                    if (
                        f.is_file()
                        and f.suffix in (".csv", ".parquet")
                        and (f.name.startswith("part-") or f.name.startswith("register_"))
                    ):
                        f.unlink()
                if not any(base.iterdir()):
                    base.rmdir()

    def path(self, entity: Entity, part: int | None = None, name: str | None = None) -> Path:
        if name is not None:
            p = self.out / entity.system / entity.name / f"{name}.{self.fmt}"
        elif self.parts:
            p = self.out / entity.system / entity.name / f"part-{part or 0:05d}.{self.fmt}"
        else:
            p = self.out / entity.system / f"{entity.name}.{self.fmt}"
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def write(
        self,
        entity: Entity,
        table: dict,
        strings: dict[str, np.ndarray],
        part: int | None = None,
        name: str | None = None,
    ) -> None:
        p = self.path(entity, part, name)
        if self.fmt == "csv":
            data = csv_bytes(entity, strings)
            p.write_bytes(data)
        else:
            pq.write_table(to_arrow(entity, table, strings), p, compression="zstd")
        self.bytes += p.stat().st_size
