"""Transform assets: the dbt project, one Dagster asset per seed and model, tests as checks."""

import json
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.dbt_project import dbt_project
from orchestration.defs.resources import PipelineSettings
from orchestration.lib import warehouse

PIPELINE_TARGET = Path("target") / "pipeline"


def dbt_build_args(database_path: str) -> list[str]:
    """One `dbt build` per run: seeds, models and tests in dependency order, one start-up."""
    return ["build", "--vars", json.dumps({"database_path": database_path})]


def table_metadata(database_path, tables: list[tuple[str, str]]) -> dict[tuple[str, str], dict]:
    """Row count and column schema of each (schema, table), read once dbt has finished:
    DuckDB allows one writer, and reading during `dbt build` would block it."""
    metadata = {}
    with warehouse.connect(database_path, read_only=True) as connection:
        for schema, table in tables:
            columns = connection.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            if not columns:
                continue
            rows = connection.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            metadata[(schema, table)] = {
                "dagster/row_count": rows,
                "dagster/column_schema": dg.TableSchema(
                    columns=[dg.TableColumn(name, kind) for name, kind in columns]
                ),
            }
    return metadata


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project)
def idream_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: PipelineSettings
):
    database_path = settings.get().build_database_path
    # One fixed target folder (dagster-dbt otherwise makes a new one per run, forever), which
    # also keeps dbt's partial-parse state from one run to the next.
    invocation = dbt.cli(
        dbt_build_args(str(database_path)), context=context, target_path=PIPELINE_TARGET
    )
    events = list(invocation.stream())
    outputs = {
        event.output_name: context.asset_key_for_output(event.output_name).path
        for event in events
        if isinstance(event, dg.Output)
    }
    extra = table_metadata(database_path, [tuple(path[-2:]) for path in outputs.values()])
    for event in events:
        if isinstance(event, dg.Output):
            path = tuple(outputs[event.output_name][-2:])
            event = dg.Output(
                value=event.value,
                output_name=event.output_name,
                metadata={**event.metadata, **extra.get(path, {})},
                data_version=event.data_version,
                tags=event.tags,
            )
        yield event
