"""Dagster definitions: thin wrappers over the plain functions in this package.

Graph: one asset per landing entity (raw schema) -> dbt models (staging, intermediate, marts)
-> published read-only copy of the marts -> Evidence report site. Great Expectations suites
are blocking asset checks on the assets they name. One job runs it all; a daily schedule and a
sensor on the landing folder start it.
"""

import functools
import hashlib
from pathlib import Path

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from . import ingest, quality, report_site, spark, transform, warehouse
from .config import Settings
from .config import settings as current_settings
from .contract import ENTITIES, Entity
from .transform import apply_dbt_env, dbt_executable, ensure_manifest

SETTINGS = current_settings()
apply_dbt_env(SETTINGS)
ensure_manifest(SETTINGS)

DBT_PROJECT = DbtProject(
    project_dir=SETTINGS.dbt_project_dir, profiles_dir=SETTINGS.dbt_project_dir
)


# ----------------------------------------------------------------------------- landing


def _landing_asset(ent: Entity) -> dg.AssetsDefinition:
    deps = sorted(
        {
            c.references.rsplit(".", 1)[0]
            for c in ent.columns
            if c.references and c.references.rsplit(".", 1)[0] != ent.key
        }
    )

    @dg.asset(
        key=dg.AssetKey([ent.system, ent.name]),
        deps=[dg.AssetKey(d.split(".")) for d in deps],
        group_name="landing",
        kinds={"duckdb"},
        description=f"raw.{ent.raw_table}: {ent.description} Loaded from "
        f"<landing>/{ent.system}/{ent.name}(.csv|.parquet|/*) - see docs/landing-contract.md.",
    )
    def _load(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        settings = current_settings()
        with warehouse.pipeline_lock(settings, wait_seconds=600):
            con = warehouse.connect(settings)
            try:
                results = ingest.load_entity(con, ent, settings.landing_dir)
                total = con.execute(f'select count(*) from raw."{ent.raw_table}"').fetchone()[0]
            finally:
                con.close()
        for r in results:
            log = context.log.error if r.status == "rejected" else context.log.info
            log(r.message)
            for problem in r.problems:
                context.log.warning(problem)
        rejected = [r for r in results if r.status == "rejected"]
        if rejected:
            raise dg.Failure(
                description="; ".join(r.message for r in rejected),
                metadata={"rejected_files": [r.source_file for r in rejected]},
            )
        return dg.MaterializeResult(
            metadata={
                "files": len(results),
                "batches_loaded": sum(r.status in ("loaded", "replaced") for r in results),
                "batches_skipped": sum(r.status == "skipped" for r in results),
                "rows_loaded": sum(r.rows_loaded for r in results),
                "rows_quarantined": sum(r.rows_quarantined for r in results),
                "raw_rows_total": total,
            }
        )

    return _load


LANDING_ASSETS = [_landing_asset(e) for e in ENTITIES]


# ----------------------------------------------------------------------------- dbt


class _Translator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props):  # noqa: ANN001 - dagster-dbt's signature
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=_Translator(),
)
def loyalty_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    settings = current_settings()
    apply_dbt_env(settings)
    with warehouse.pipeline_lock(settings, wait_seconds=600):
        if _on_spark(settings):
            # raw reaches Spark through the loader's tables, exported and registered first
            tables = spark.prepare_raw(settings)
            context.log.info(f"raw registered in Spark: {len(tables)} tables")
            spark.apply_spark_env(settings)
        # rebuild only the periods the batches loaded since the last build can change
        with transform.recorded_build(settings) as window:
            context.log.info(f"build window: {window.describe()}")
            yield from dbt.cli(["build", *window.dbt_args()], context=context).stream()


def _on_spark(settings: Settings) -> bool:
    """LOYALTY_DBT_TARGET=spark runs the same models on Spark (docs/portability.md)."""
    return settings.dbt_target == "spark"


# ----------------------------------------------------------------------------- quality


def _suite_check(spec: quality.SuiteSpec) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(list(spec.asset)),
        name=f"gx_{spec.name}",
        description=f"Great Expectations suite expectations/{spec.name}.yml: {spec.description}",
        blocking=True,
    )
    def _check() -> dg.AssetCheckResult:
        settings = current_settings()
        with warehouse.pipeline_lock(settings, wait_seconds=600):
            marts = None
            if spec.scope != "new_batches" and _on_spark(settings):
                marts = functools.partial(spark.marts_connection, settings)  # Spark's tables
            result = quality.run_suite(settings, spec, marts)
        index = quality.write_results([result], settings.quality_dir)
        return dg.AssetCheckResult(
            passed=result.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description=result.summary(),
            metadata={
                "rows": result.rows,
                "batches_validated": len(result.batches),
                "expectations": result.evaluated,
                "failures": "\n".join(result.failures) or "none",
                "results_page": dg.MetadataValue.path(str(index)),
            },
        )

    return _check


SUITE_CHECKS = [_suite_check(s) for s in quality.load_suites()]


# ----------------------------------------------------------------------------- publish + site


@dg.asset(
    deps=[loyalty_dbt_models],
    group_name="reports",
    kinds={"duckdb"},
    description="Read-only copy of the marts for the report site, swapped in atomically after a "
    "successful, checked build (reports never read the warehouse while it is written).",
)
def published_marts() -> dg.MaterializeResult:
    settings = current_settings()
    with warehouse.pipeline_lock(settings, wait_seconds=600):
        if _on_spark(settings):
            path = spark.export_marts_to_duckdb(settings)
        else:
            path = warehouse.publish_marts(settings)
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path))})


@dg.asset(
    deps=[published_marts],
    group_name="reports",
    kinds={"evidence"},
    description="The Evidence report site built from the published marts (reports/build).",
)
def report_site_build(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    settings = current_settings()
    report_site.ensure_node_modules(settings.reports_dir)
    result = report_site.build_site(
        settings.reports_dir, settings.published_path, log=context.log.info
    )
    return dg.MaterializeResult(
        metadata={
            "build_dir": dg.MetadataValue.path(str(result.build_dir)),
            "pages": len(result.pages),
        }
    )


# ----------------------------------------------------------------------------- job, schedule, sensor

loyalty_pipeline = dg.define_asset_job(
    "loyalty_pipeline",
    selection=dg.AssetSelection.all(),
    description="Load new landing files, build and test the dbt models, run the quality "
    "gates, publish the marts and rebuild the report site.",
    executor_def=dg.in_process_executor,
)

daily_schedule = dg.ScheduleDefinition(
    job=loyalty_pipeline, cron_schedule="0 6 * * *", execution_timezone="Africa/Johannesburg"
)


def landing_fingerprint(landing_dir: Path) -> str:
    """Changes when any landing file is added, removed or rewritten."""
    digest = hashlib.sha256()
    for ent, path in ingest.discover(landing_dir):
        stat = path.stat()
        digest.update(f"{ent.key}|{path}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


@dg.sensor(job=loyalty_pipeline, minimum_interval_seconds=60)
def landing_folder_sensor(context: dg.SensorEvaluationContext):
    fingerprint = landing_fingerprint(current_settings().landing_dir)
    if fingerprint == context.cursor:
        return dg.SkipReason("no new or changed files in the landing folder")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint)


defs = dg.Definitions(
    assets=[*LANDING_ASSETS, loyalty_dbt_models, published_marts, report_site_build],
    asset_checks=SUITE_CHECKS,
    jobs=[loyalty_pipeline],
    schedules=[daily_schedule],
    sensors=[landing_folder_sensor],
    resources={"dbt": DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable())},
)

__all__ = ["defs"]
