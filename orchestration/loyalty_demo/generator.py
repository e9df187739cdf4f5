"""generate(): the whole demo extract, chunk by chunk, checked against the contract."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

import numpy as np
from loyalty_warehouse.contract import ENTITIES_BY_KEY, entity, load_order
from tqdm import tqdm

from . import params as P
from .calendar import Window
from .output import Ids, Writer, finalize, to_strings
from .simulate import ChunkSim
from .validate import Checker
from .world import build_world, kpi_target_rows, register_snapshot

GLOBAL = ("crm.reps", "governance.kpi_targets", "governance.improvement_actions")


def _columns(rows: list[dict], ent) -> dict[str, np.ndarray]:
    out = {}
    for col in ent.columns:
        vals = [r[col.name] for r in rows]
        if col.type == "date":
            out[col.name] = np.array(vals, dtype="datetime64[D]")
        elif col.type == "decimal":
            out[col.name] = np.array(vals, dtype=float)
        else:
            out[col.name] = np.array(vals, dtype=object)
    return out


def generate(
    customers: int,
    months: int,
    seed: int,
    out: str | os.PathLike,
    *,
    end_month: str = "2026-10",
    currency: str = "ZAR",
    fmt: str = "csv",
    chunk_size: int = 50_000,
    progress: bool = True,
    check: bool = True,
) -> dict[str, int]:
    """Write the demo landing extract to ``out``; returns rows written per entity.

    Layout: ``out/<system>/<entity>.<csv|parquet>``, and the improvement register as one
    export per month end, ``out/governance/improvement_actions/register_<YYYY-MM-DD>.<ext>``.
    The data window is the ``months`` months ending at ``end_month`` (never today's date).

    Deterministic: the same arguments give byte-identical files. Customers are simulated
    in chunks of ``chunk_size`` accounts; with more than one chunk every entity becomes a
    folder ``out/<system>/<entity>/part-NNNNN.<ext>`` (one file per chunk), so memory stays
    flat however many customers there are.

    Self-check (``check``): every table is checked against the landing contract before it is
    written: columns and order, types, allowed values, ranges, dates, unique keys, and
    references. References resolve within the chunk (plus the shared reps), which is how
    they are generated; ids of different chunks come from disjoint ranges.
    ``loyalty_demo.validate_dir`` re-reads a whole output folder and checks it all.
    """
    if customers < 1 or months < 1 or chunk_size < 1:
        raise ValueError("customers, months and chunk_size must be positive")
    if currency not in P.CURRENCY_RATES:
        raise ValueError(f"currency must be one of {sorted(P.CURRENCY_RATES)}")
    window = Window(end_month, months)
    rate = P.CURRENCY_RATES[currency]
    world = build_world(customers, window, seed)
    n_chunks = math.ceil(customers / chunk_size)
    writer = Writer(out, fmt, parts=n_chunks > 1)
    writer.clean(list(load_order()))
    ids = Ids(customers, months, world.n_reps)
    counts = {e.key: 0 for e in load_order()}
    end = window.end_date

    bar = tqdm(
        total=n_chunks * (months + 1) + 1,
        file=sys.stderr,
        disable=not progress,
        desc=f"loyalty demo {customers:,} x {months}m",
        unit="step",
    )

    # ---------------------------------------------------------------- shared entities
    glob = Checker(end)
    reps = entity("crm.reps")
    rep_table = {
        "rep_id": np.arange(world.n_reps),
        "rep_name": np.strings.add(
            np.strings.add(world.rep_first.astype(str), " "), world.rep_last.astype(str)
        ),
        "team": np.array(
            ["enterprise_accounts", "commercial", "small_business_desk", "customer_success"]
        )[world.rep_team],
        "manager_rep_id": world.rep_manager,
        "hired_date": world.rep_hired,
    }
    _emit(reps, rep_table, ids, currency, rate, writer, glob, counts, part=0)
    kpi = entity("governance.kpi_targets")
    _emit(
        kpi,
        _columns(kpi_target_rows(window), kpi),
        ids,
        currency,
        rate,
        writer,
        glob,
        counts,
        part=0,
    )
    reg = entity("governance.improvement_actions")
    reg_parts = Writer(out, fmt, parts=True)
    for t in range(months):
        as_of = window.month_start(t + 1) - 1
        rows = register_snapshot(world, as_of)
        _emit(
            reg,
            _columns(rows, reg),
            ids,
            currency,
            rate,
            reg_parts,
            glob,
            counts,
            name=f"register_{as_of}",
            remember=False,
        )
    writer.bytes += reg_parts.bytes
    glob.raise_if_failed()
    rep_keys = glob.keys[("crm.reps", "rep_id")]
    bar.update(1)

    # ---------------------------------------------------------------- customers, by chunk
    for c in range(n_chunks):
        lo, hi = c * chunk_size, min(customers, (c + 1) * chunk_size)
        sim = ChunkSim(world, window, seed, c, lo, hi)
        sim.run(tick=lambda: bar.update(1))
        tables = sim.tables()
        del sim
        chk = Checker(end)
        chk.keys[("crm.reps", "rep_id")] = rep_keys
        used = ids.used(tables)  # ids this chunk takes, applied once everything is written
        for ent in load_order():
            if ent.key in GLOBAL:
                continue
            _emit(ent, tables.pop(ent.key), ids, currency, rate, writer, chk, counts, part=c)
        ids.advance(used)
        ids.offset["acc"] = hi
        chk.raise_if_failed()
        bar.update(1)
    bar.close()
    assert set(counts) == set(ENTITIES_BY_KEY)
    return counts


def _emit(
    ent, table, ids, currency, rate, writer, checker, counts, part=None, name=None, remember=True
):
    final = finalize(ent, table, ids, currency, rate)
    strings = to_strings(ent, final)
    if checker is not None:
        checker.check(ent, strings, where=name or ent.key, remember=remember)
    writer.write(ent, final, strings, part=part, name=name)
    counts[ent.key] += len(next(iter(strings.values())))


def total_bytes(out: str | os.PathLike) -> int:
    return sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file())
