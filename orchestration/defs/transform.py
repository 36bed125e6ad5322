"""Transform assets: the dbt project, one Dagster asset per seed and model, tests as checks."""

from graphlib import TopologicalSorter

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.dbt_project import dbt_project
from orchestration.defs.resources import PipelineSettings
from orchestration.lib import dbt_state, warehouse
from orchestration.lib.dbt_target import (
    dbt_arguments,
    dbt_environment,
    secret_environment,
    target_dir,
)
from orchestration.lib.fingerprint import FULL_REBUILD_TAG
from orchestration.lib.report import warm_up
from orchestration.settings import DBT_PROJECT_DIR


def table_metadata(
    database_path, tables: list[tuple[str, str]], key: str | None
) -> dict[tuple[str, str], dict]:
    """Column schema of each (schema, table) with its not-null columns, and the row count of
    each table, read once dbt has finished: DuckDB allows one writer, and reading during
    `dbt build` would block it. A view has no row count here: counting would run it (at
    x1000, the staging views' label joins over every marker and answer, ~1 s)."""
    wanted = set(tables)
    with warehouse.connect(database_path, read_only=True, key=key) as connection:
        columns: dict[tuple[str, str], list[dg.TableColumn]] = {}
        for schema, table, name, kind, nullable in connection.execute(
            "select table_schema, table_name, column_name, data_type, is_nullable "
            "from information_schema.columns order by table_schema, table_name, ordinal_position"
        ).fetchall():
            if (schema, table) in wanted:
                # The marts' contracts make their not-null columns NOT NULL in the catalog.
                constraints = dg.TableColumnConstraints(nullable=nullable == "YES")
                columns.setdefault((schema, table), []).append(
                    dg.TableColumn(name, kind, constraints=constraints)
                )
        base_tables = {
            (schema, table)
            for schema, table in connection.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_type = 'BASE TABLE'"
            ).fetchall()
        }
        metadata = {}
        for schema, table in tables:
            if (schema, table) not in columns:
                continue
            metadata[(schema, table)] = {
                "dagster/column_schema": dg.TableSchema(columns=columns[(schema, table)])
            }
            if (schema, table) in base_tables:
                rows = connection.execute(f'select count(*) from "{schema}"."{table}"').fetchone()
                metadata[(schema, table)]["dagster/row_count"] = rows[0]
    return metadata


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project)
def idream_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: PipelineSettings
):
    s = settings.get()
    database_path, key = s.build_database_path, s.warehouse_key()
    project = dbt_state.project_fingerprint(DBT_PROJECT_DIR)
    full = context.run.tags.get(FULL_REBUILD_TAG) == "true"
    changed = None if full else dbt_state.changed_sources(database_path, project, key)
    events = []
    # While dbt runs in its own process, the publish step's libraries load on the other core.
    warm_up.in_background()
    if changed is None or changed:
        # One `dbt build` per run: seeds, models and tests in dependency order, one start-up.
        # dbt's file log defaults to debug level, every statement as JSON (10 MB a run, about
        # 1.5 s of dbt's time on the sample); Dagster already keeps dbt's info-level log.
        args = ["build", *dbt_arguments(s), "--log-level-file", "warn"]
        if changed:
            context.log.info(
                f"rebuilding what depends on the re-landed raw.{', raw.'.join(changed)}"
            )
            args += dbt_state.selection(changed)
        with secret_environment(dbt_environment(key)):
            invocation = dbt.cli(
                args, context=context, target_path=target_dir(s), raise_on_error=False
            )
            events = list(invocation.stream())
        if not invocation.is_successful():
            # What dbt did build and test is reported as it happened; nothing else is.
            yield from events
            raise dg.Failure(description=failed_nodes(invocation), allow_retries=False)
        dbt_state.record_built(database_path, project, key)
    else:
        context.log.info(
            "no raw table was re-landed and the dbt project is unchanged: no dbt build"
        )
    built = {event.output_name: event for event in events if isinstance(event, dg.Output)}
    keys = {
        context.assets_def.get_output_name_for_asset_key(key): key
        for key in in_dependency_order(context.assets_def.asset_deps, context.selected_asset_keys)
    }
    extra = table_metadata(database_path, [tuple(k.path[-2:]) for k in keys.values()], key)
    # Every selected model, in dependency order (Dagster requires it of a multi-asset): the
    # ones dbt rebuilt, and the ones upstream changes did not touch, which stay as the last
    # successful build left them.
    for name, key in keys.items():
        metadata = extra.get(tuple(key.path[-2:]), {})
        if name in built:
            event = built[name]
            yield dg.Output(
                value=event.value,
                output_name=name,
                metadata={**event.metadata, **metadata, "rebuilt": True},
                data_version=event.data_version,
                tags=event.tags,
            )
        else:
            yield dg.Output(None, output_name=name, metadata={**metadata, "rebuilt": False})
    # dbt's test results (asset checks) and anything else it reported.
    yield from (event for event in events if not isinstance(event, dg.Output))


def failed_nodes(invocation) -> str:
    """dbt's failing models and tests, one line each, for the run's failure message."""
    try:
        run_results = invocation.get_artifact("run_results.json")
    except (FileNotFoundError, ValueError):
        run_results = {}  # dbt stopped before running anything
    lines = [
        f"- {result['unique_id']}: {result['status']}: {(result.get('message') or '').strip()}"
        for result in run_results.get("results", [])
        if result["status"] in ("error", "fail", "runtime error")
    ]
    return "dbt build failed:\n" + ("\n".join(lines) or "- (see dbt's log above)")


def in_dependency_order(deps: dict, selected) -> list:
    """`selected` asset keys sorted so that each comes after those it depends on."""
    chosen = set(selected)
    graph = {key: {dep for dep in deps.get(key, ()) if dep in chosen} for key in chosen}
    return list(TopologicalSorter(graph).static_order())
