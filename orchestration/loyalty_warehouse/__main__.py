"""Command line: `python -m loyalty_warehouse <command>`.

run       run the whole pipeline (the `loyalty_pipeline` Dagster job) and print where things are
load      only load the landing folder into raw, printing every batch's reconciliation
build     only build and test the dbt models over what was loaded since the last build
          (`--full-refresh` rebuilds every table)
status    print the batch ledger and quarantine counts
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .config import REPO_ROOT, settings


def _dagster_home() -> Path:
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(REPO_ROOT / "data" / "dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "dagster.yaml"
    if not cfg.exists():
        cfg.write_text("telemetry:\n  enabled: false\n")
    return home


def cmd_run(args: argparse.Namespace) -> int:
    import dagster as dg

    from . import warehouse

    s = settings()
    home = _dagster_home()
    started = time.monotonic()
    try:
        with warehouse.pipeline_lock(s, wait_seconds=args.wait):
            from .definitions import defs

            job = defs.resolve_job_def("loyalty_pipeline")
            selection = None
            if args.skip_site:
                selection = [
                    k
                    for k in defs.resolve_asset_graph().executable_asset_keys
                    if k != dg.AssetKey("report_site_build")
                ]
            result = job.execute_in_process(
                instance=dg.DagsterInstance.get(), raise_on_error=False, asset_selection=selection
            )
            if result.success and not args.skip_docs:
                from .transform import run_dbt

                run_dbt(s, ["docs", "generate", "--quiet"])
    except warehouse.PipelineBusyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    elapsed = time.monotonic() - started
    failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    print()
    print(
        f"Pipeline {'succeeded' if result.success else 'FAILED'} in {elapsed:.0f} s (run {result.run_id})."
    )
    if failed:
        print("Failed steps: " + ", ".join(failed))
        for e in result.all_events:
            if e.event_type_value == "STEP_FAILURE":
                print(f"  {e.step_key}: {e.event_specific_data.error.message.strip()[:2000]}")
    print(f"  dbt target (engine):       {s.dbt_target}")
    print(f"  Warehouse (DuckDB):        {s.warehouse_path}")
    print(f"  Published report copy:     {s.published_path}")
    print(f"  Data-quality results:      {s.quality_dir / 'index.html'}")
    print(f"  Report site (static):      {s.reports_dir / 'build' / 'index.html'}")
    print("      open it with:           make serve   (http://127.0.0.1:3000)")
    print(f"  dbt docs:                  {s.dbt_project_dir / 'target' / 'index.html'}")
    print(
        f"  Dagster UI:                make dagster (http://127.0.0.1:3001; run history in {home})"
    )
    return 0 if result.success else 1


def cmd_load(args: argparse.Namespace) -> int:
    from . import ingest, warehouse

    s = settings()
    landing = Path(args.landing) if args.landing else s.landing_dir
    try:
        with warehouse.pipeline_lock(s, wait_seconds=args.wait):
            con = warehouse.connect(s)
            try:
                results = ingest.load_landing(con, landing)
            finally:
                con.close()
    except warehouse.PipelineBusyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    for r in results:
        print(f"[{r.status}] {r.message}")
        for p in r.problems:
            print(f"    {p}")
    for p in ingest.unknown_files(landing):
        print(f"[ignored] {p}: matches no entity of the landing contract")
    return 1 if any(r.status == "rejected" for r in results) else 0


def cmd_build(args: argparse.Namespace) -> int:
    from . import transform, warehouse

    s = settings()
    try:
        with warehouse.pipeline_lock(s, wait_seconds=args.wait):
            print(transform.build(s, full_refresh=args.full_refresh, extra=["--quiet"]).strip())
    except warehouse.PipelineBusyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except transform.DbtError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from . import warehouse

    con = warehouse.connect(settings(), read_only=True)
    try:
        print(
            con.sql(
                "select entity, status, count(*) as batches, sum(rows_in_file) as rows_in_files, "
                "sum(rows_loaded) as loaded, sum(rows_quarantined) as quarantined "
                "from raw._batches group by all order by entity, status"
            )
        )
    finally:
        con.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="loyalty_warehouse",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the whole pipeline")
    run.add_argument("--wait", type=float, default=0, help="seconds to wait for a running pipeline")
    run.add_argument("--skip-docs", action="store_true", help="skip dbt docs generate")
    run.add_argument(
        "--skip-site", action="store_true", help="stop after publishing the marts (no report site)"
    )
    run.set_defaults(func=cmd_run)
    load = sub.add_parser("load", help="load landing files into raw only")
    load.add_argument("--landing", help="landing folder (default: LOYALTY_LANDING_DIR)")
    load.add_argument("--wait", type=float, default=0)
    load.set_defaults(func=cmd_load)
    build = sub.add_parser("build", help="dbt build over what was loaded since the last build")
    build.add_argument("--full-refresh", action="store_true", help="rebuild every table")
    build.add_argument("--wait", type=float, default=0)
    build.set_defaults(func=cmd_build)
    status = sub.add_parser("status", help="batch ledger summary")
    status.set_defaults(func=cmd_status)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
