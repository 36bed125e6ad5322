"""Transform assets: the dbt project, one Dagster asset per seed and model, tests as checks."""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.dbt_project import dbt_project
from orchestration.defs.resources import WAREHOUSE_POOL, BuildWarehouse
from orchestration.lib import warehouse
from orchestration.lib.dbt_target import (
    dbt_arguments,
    dbt_environment,
    secret_environment,
    target_dir,
)


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


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, pool=WAREHOUSE_POOL)
def idream_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, build: BuildWarehouse
):
    """Every seed, model and data test, in one `dbt build` (one dbt start-up).

    Every model is rebuilt on every run: a run only happens when a raw file, the code or a
    key changed (the whole-run fingerprint), and a model not rebuilt in a run would make
    Dagster skip everything downstream of it, the brief included (docs/decisions.md).
    dbt's unit tests are left to `make test`, as dbt's docs advise for production builds.
    """
    s = build.paths
    args = [
        "build",
        *dbt_arguments(s),
        "--exclude-resource-type",
        "unit_test",
        # dbt's file log defaults to debug level: every statement as JSON (10 MB a run);
        # Dagster keeps dbt's info-level log with the run.
        "--log-level-file",
        "warn",
        # dbt's log goes to the run's log file, where colour codes are noise.
        "--no-use-colors",
    ]
    with secret_environment(dbt_environment(build.key)):
        invocation = dbt.cli(args, context=context, target_path=target_dir(s), raise_on_error=False)
        events = list(invocation.stream())
    if not invocation.is_successful():
        # What dbt did build and test is reported as it happened; nothing else is.
        yield from events
        raise dg.Failure(description=failed_nodes(invocation), allow_retries=False)
    database_path = s.build_database_path
    extra = table_metadata(
        database_path, [tuple(key.path[-2:]) for key in context.selected_asset_keys], build.key
    )
    for event in events:
        if isinstance(event, dg.Output):
            key = context.assets_def.keys_by_output_name[event.output_name]
            event = event.with_metadata({**event.metadata, **extra.get(tuple(key.path[-2:]), {})})
        yield event


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
