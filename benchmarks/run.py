"""Benchmark the pipeline at a size tier and write the figures to docs/performance.md.

    python benchmarks/run.py --tier demo|medium|large [--keep]

Stages, each run as its own process (what a user runs) and measured for wall time, peak
memory (RSS of the process tree, sampled) and rows per second:
  generate      the demo generator writes the tier's landing files (reused if present)
  load          all files but the last day of the large facts: validate + load into raw
  dbt build     full refresh of every model and test
  quality       the Great Expectations suites (new batches + marts)
  publish       the read-only copy the report site reads
  report        Evidence `sources` + `build`
  incremental   the last day of data delivered as a new batch: load + dbt build
  raw engine    the same compiled model SQL run in one DuckDB connection (reference)
Targets live here, not in tests: see docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable
TIERS = {"demo": 2_000, "medium": 100_000, "large": 1_000_000}
MONTHS = 24
# Large facts split into history + one new day (each has a date column to split on).
DAILY_FACTS = {
    "crm/activities": "activity_date",
    "survey/responses": "responded_date",
    "finance/invoices": "invoice_date",
    "finance/payments": "payment_date",
}


@dataclass
class Stage:
    name: str
    seconds: float
    peak_mb: float
    rows: int | None = None

    def row(self) -> str:
        rate = f"{self.rows / self.seconds:,.0f}" if self.rows and self.seconds else ""
        rows = f"{self.rows:,}" if self.rows else ""
        return f"| {self.name} | {self.seconds:,.1f} | {self.peak_mb:,.0f} | {rows} | {rate} |"


def _tree_rss(root: int) -> int:
    """Resident memory of a process and all its descendants, from /proc (Linux)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        kids = [c for c, p in parents.items() if p == pid and c not in tree]
        tree.update(kids)
        frontier += kids
    total = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def run_stage(name: str, cmd: list[str], env: dict[str, str], rows: int | None = None) -> Stage:
    print(f"== {name}: {' '.join(cmd)}", flush=True)
    started = time.monotonic()
    popen = subprocess.Popen(cmd, env=env, cwd=REPO)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(popen.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = popen.wait()
    done.set()
    sampler.join()
    seconds = time.monotonic() - started
    if code != 0:
        raise SystemExit(f"stage {name} failed with exit code {code}")
    stage = Stage(name, seconds, peak / 2**20, rows)
    print(f"== done {stage.row()}", flush=True)  # a long run killed later keeps its figures
    return stage


def split_last_day(landing: Path, day_dir: Path) -> dict[str, int]:
    """Move each large fact's last day into a separate landing file delivered later."""
    con = duckdb.connect()
    moved: dict[str, int] = {}
    for rel, column in DAILY_FACTS.items():
        files = sorted((landing / rel).glob("*.parquet")) or sorted(landing.glob(f"{rel}.*"))
        if not files:
            continue
        src = [str(f) for f in files]
        reader = "read_parquet" if files[0].suffix == ".parquet" else "read_csv_auto"
        con.execute(f"create or replace table t as select * from {reader}(?)", [src])
        last = con.execute(f"select max({column}) from t").fetchone()[0]
        target = landing / rel
        history = landing / f"{rel}.history.tmp.parquet"
        con.execute(
            f"copy (select * from t where {column} < ?) to '{history}' (format parquet)", [last]
        )
        day = day_dir / rel / f"day-{last}.parquet"
        day.parent.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"copy (select * from t where {column} = ?) to '{day}' (format parquet)", [last]
        )
        moved[rel] = con.execute(f"select count(*) from t where {column} = ?", [last]).fetchone()[0]
        for f in files:
            f.unlink()
        target.mkdir(parents=True, exist_ok=True)
        history.rename(target / "part-history.parquet")
    con.close()
    return moved


def raw_engine_seconds(warehouse: Path, manifest_path: Path) -> float:
    """Run every model's compiled SQL in dependency order in one DuckDB connection."""
    manifest = json.loads(manifest_path.read_text())
    nodes = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] == "model"}
    order: list[str] = []
    seen: set[str] = set()

    def visit(key: str) -> None:
        if key in seen or key not in nodes:
            return
        seen.add(key)
        for dep in nodes[key]["depends_on"]["nodes"]:
            visit(dep)
        order.append(key)

    for key in sorted(nodes):
        visit(key)
    # same file name: compiled SQL names the catalog after it
    copy = warehouse.parent / "raw_engine" / warehouse.name
    copy.parent.mkdir(exist_ok=True)
    shutil.copy(warehouse, copy)
    con = duckdb.connect(str(copy))
    con.execute("create schema if not exists bench")
    started = time.monotonic()
    for key in order:
        node = nodes[key]
        sql = node.get("compiled_code")
        if not sql:
            continue
        kind = "view" if node["config"]["materialized"] == "view" else "table"
        relation = f'"{node["schema"]}"."{node["alias"]}"'
        con.execute(f"create or replace {kind} {relation} as {sql}")
    seconds = time.monotonic() - started
    con.close()
    copy.unlink()
    return seconds


def busy_seconds(run_results: Path, kind: str) -> float:
    """Wall seconds during which at least one dbt node of `kind` (model, test...) was running."""
    spans = []
    for result in json.loads(run_results.read_text())["results"]:
        if result["unique_id"].split(".")[0] != kind:
            continue
        times = [
            _epoch(t[k])
            for t in result["timing"]
            for k in ("started_at", "completed_at")
            if t.get(k)
        ]
        if times:
            spans.append((min(times), max(times)))
    total, covered_to = 0.0, float("-inf")
    for start, stop in sorted(spans):
        start = max(start, covered_to)  # count overlapping nodes once
        if stop > start:
            total += stop - start
            covered_to = stop
    return total


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tier", choices=TIERS, default="demo")
    parser.add_argument("--work", default=str(REPO / "data" / "bench"))
    parser.add_argument("--skip-report", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/performance.md")
    args = parser.parse_args()

    customers = TIERS[args.tier]
    benchmark_started = time.monotonic()
    work = Path(args.work) / args.tier
    generated = work / "generated"
    landing, day_dir, data = work / "landing", work / "day", work / "data"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "orchestration"),
        "LOYALTY_LANDING_DIR": str(landing),
        "LOYALTY_DATA_DIR": str(data),
        "DBT_TARGET_PATH": str(work / "dbt_target"),
        "DBT_LOG_PATH": str(work / "dbt_logs"),
    }
    stages: list[Stage] = []
    if not (generated / "crm").exists():
        stages.append(
            run_stage(
                "generate",
                [
                    PY,
                    "-m",
                    "loyalty_demo",
                    "--customers",
                    str(customers),
                    "--months",
                    str(MONTHS),
                    "--seed",
                    "1",
                    "--format",
                    "parquet",
                    "--out",
                    str(generated),
                    "--quiet",
                ],
                env,
            )
        )
    for path in (landing, day_dir, data):
        shutil.rmtree(path, ignore_errors=True)
    shutil.copytree(generated, landing)
    day_rows = split_last_day(landing, day_dir)

    from loyalty_warehouse.ingest import discover  # noqa: PLC0415 - after PYTHONPATH is known

    counter = duckdb.connect()
    total_rows = sum(
        counter.execute("select count(*) from read_parquet(?)", [str(path)]).fetchone()[0]
        for _, path in discover(landing)
        if path.suffix == ".parquet"
    )
    counter.close()

    stages.append(run_stage("load", [PY, "-m", "loyalty_warehouse", "load"], env, total_rows))
    # the pipeline's own entry point: it passes the build window (transform.build)
    dbt = [PY, "-m", "loyalty_warehouse", "build", "--full-refresh"]
    stages.append(run_stage("dbt build (full refresh)", dbt, env, total_rows))
    # the raw engine runs the full refresh's SQL: the incremental build compiles its models
    # with their incremental filters (only new batches, only the rebuilt months)
    full_manifest = work / "manifest.full_refresh.json"
    shutil.copy(work / "dbt_target" / "manifest.json", full_manifest)
    models_busy = busy_seconds(work / "dbt_target" / "run_results.json", "model")
    quality = (
        "from loyalty_warehouse import quality; from loyalty_warehouse.config import settings;"
        "s=settings();"
        "r=[quality.run_suite(s, x) for x in quality.load_suites()];"
        "quality.write_results(r, s.quality_dir);"
        "print(sum(x.success for x in r), 'of', len(r), 'suites passed')"
    )
    stages.append(run_stage("quality checks", [PY, "-c", quality], env, total_rows))
    publish = (
        "from loyalty_warehouse import warehouse; from loyalty_warehouse.config import settings;"
        "print(warehouse.publish_marts(settings()))"
    )
    stages.append(run_stage("publish marts", [PY, "-c", publish], env))
    if not args.skip_report:
        timings = work / "report_timings.json"
        site = [
            PY,
            "-m",
            "loyalty_warehouse.report_site",
            "build",
            "--db",
            str(data / "published" / "reports.duckdb"),
            "--timings",
            str(timings),
        ]
        both = run_stage("report sources + build", site, env)
        # one process runs both steps: split its wall time by the steps' own timings
        steps = json.loads(timings.read_text())
        stages.append(Stage("report sources", steps["sources"], both.peak_mb))
        stages.append(Stage("report build", both.seconds - steps["sources"], both.peak_mb))
    full = sum(s.seconds for s in stages if s.name != "generate")

    # one new day
    for rel in DAILY_FACTS:
        for f in (day_dir / rel).glob("*.parquet"):
            shutil.copy(f, landing / rel / f.name)
    day_total = sum(day_rows.values())
    inc = [
        run_stage(
            "incremental: load one day", [PY, "-m", "loyalty_warehouse", "load"], env, day_total
        )
    ]
    inc_dbt = [a for a in dbt if a != "--full-refresh"]
    inc.append(run_stage("incremental: dbt build", inc_dbt, env, day_total))
    # new deliveries only for the landing suites; the month-by-month mart suite only the months
    # the day's build rebuilt; the other mart suites read their (small) marts whole again
    inc.append(run_stage("incremental: quality checks", [PY, "-c", quality], env, day_total))
    inc.append(run_stage("incremental: publish marts", [PY, "-c", publish], env))
    incremental = sum(s.seconds for s in inc)

    raw = raw_engine_seconds(data / "warehouse.duckdb", full_manifest)
    dbt_full = next(s.seconds for s in stages if s.name.startswith("dbt build"))
    whole = time.monotonic() - benchmark_started
    generated_here = any(s.name == "generate" for s in stages)

    machine = f"{platform.machine()}, {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB RAM, Python {platform.python_version()}, DuckDB {duckdb.__version__}"
    lines = [
        f"### Tier `{args.tier}`: {customers:,} customers x {MONTHS} months",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {machine}; {total_rows:,} landing rows.",
        "",
        "| stage | wall s | peak MB | rows | rows/s |",
        "|---|---:|---:|---:|---:|",
        *[s.row() for s in stages + inc],
        "",
        f"- Full refresh, load to report site: **{full:,.1f} s**",
        f"- One incremental day ({day_total:,} new rows), load to published marts: "
        f"**{incremental:,.1f} s** ({100 * incremental / full:.1f}% of the full refresh); the "
        "report site build is the same work whatever the day brought (see the report rows)",
        f"- Raw engine (the compiled model SQL in one DuckDB connection, no tests): {raw:,.1f} s; "
        f"dbt build / raw engine = **{dbt_full / raw:.2f}x** (dbt also runs every data test); "
        f"a model was running during {models_busy:,.1f} s of the build: models / raw engine = "
        f"**{models_busy / raw:.2f}x**",
        f"- The whole benchmark ({'generation' if generated_here else 'reused landing files'}, "
        f"full refresh, incremental day, raw engine, file copies): **{whole / 60:.1f} min**",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if not args.no_write:
        perf = REPO / "docs" / "performance.md"
        text = perf.read_text() if perf.exists() else "# Performance\n\n"
        marker = f"### Tier `{args.tier}`"
        if marker in text:
            head, _, rest = text.partition(marker)
            nxt = rest.find("\n### Tier ")
            text = head + report + (rest[nxt + 1 :] if nxt >= 0 else "")
        else:
            text = text.rstrip() + "\n\n" + report
        perf.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
