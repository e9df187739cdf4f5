"""Dagster's asset graph is the dbt project as it is now, with every quality gate attached."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

from loyalty_warehouse import quality
from loyalty_warehouse.config import settings
from loyalty_warehouse.transform import manifest_is_stale


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "dbt_project"
    (project / "models" / "marts").mkdir(parents=True)
    (project / "target").mkdir()
    (project / "dbt_project.yml").write_text("name: x\n")
    (project / "models" / "marts" / "a.sql").write_text("select 1 as a\n")
    return project


def test_a_manifest_older_than_any_model_is_stale_and_a_fresh_one_is_not(tmp_path: Path) -> None:
    project = _project(tmp_path)
    s = dataclasses.replace(settings(), dbt_project_dir=project)
    manifest = project / "target" / "manifest.json"
    assert manifest_is_stale(s, manifest), "no manifest yet"

    manifest.write_text("{}")
    assert not manifest_is_stale(s, manifest)

    model = project / "models" / "marts" / "a.sql"
    later = time.time() + 5
    os.utime(model, (later, later))
    assert manifest_is_stale(s, manifest), "a model edited after the parse"


def test_every_dbt_model_is_a_dagster_asset_and_every_suite_checks_an_executable_asset() -> None:
    import json

    from loyalty_warehouse.definitions import defs, loyalty_dbt_models

    s = settings()
    manifest = json.loads((s.dbt_project_dir / "target" / "manifest.json").read_text())
    models = {
        n["name"] for n in manifest["nodes"].values() if n["resource_type"] in ("model", "snapshot")
    }
    on_disk = {p.stem for p in (s.dbt_project_dir / "models").rglob("*.sql")}
    assert on_disk <= models, f"models missing from the manifest: {sorted(on_disk - models)}"
    dbt_assets = {k.path[-1] for k in loyalty_dbt_models.keys}
    assert models <= dbt_assets, f"models missing from Dagster: {sorted(models - dbt_assets)}"

    executable = set(defs.resolve_asset_graph().executable_asset_keys)
    for spec in quality.load_suites():
        key = tuple(spec.asset)
        assert any(tuple(k.path) == key for k in executable), (
            f"suite {spec.name} checks {key}, which no asset materialises"
        )
