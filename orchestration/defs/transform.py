"""Transform assets: the dbt project, one Dagster asset per seed and model, tests as checks."""

import json

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.dbt_project import dbt_project
from orchestration.defs.resources import PipelineSettings


def dbt_build_args(database_path: str) -> list[str]:
    """One `dbt build` per run: seeds, models and tests in dependency order, one start-up."""
    return ["build", "--vars", json.dumps({"database_path": database_path})]


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project)
def idream_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: PipelineSettings
):
    args = dbt_build_args(str(settings.get().build_database_path))
    yield from dbt.cli(args, context=context).stream()
