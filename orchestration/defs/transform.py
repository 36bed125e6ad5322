"""Transform assets: the dbt project, one Dagster asset per model.

dbt's data tests run in the same `dbt build` and guard it: a failing test stops the models
after it and fails the step, naming the test. They are not Dagster asset checks, which is
dagster-dbt's default: each check is three events in the instance's SQLite (planned,
evaluated, output), and the 78 tests made a third of a sample run's events, about 2 s of
a 23 s run (docs/decisions.md). Each model's materialisation records its tests' outcome
instead; the reviewers' checks are the Great Expectations suites (defs/quality.py)."""

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets

from orchestration.defs.dbt_project import dbt_project, parsed, read_manifest
from orchestration.defs.partitions import PROGRAMMES
from orchestration.defs.resources import BUILD_POOL, BuildWarehouse
from orchestration.lib import dbt_invocation
from orchestration.lib.build_store import BuildStore
from orchestration.lib.dbt_target import (
    dbt_arguments,
    dbt_environment,
    parse_arguments,
    secret_environment,
    target_dir,
)


def table_metadata(store: BuildStore, tables: list[tuple[str, str]]) -> dict[tuple[str, str], dict]:
    """Column schema of each (layer, table) with its not-null columns, and the row count of
    each table, read once dbt has finished: DuckDB allows one writer, and reading during
    `dbt build` would block it. A view has no row count here: counting would run it (at
    x1000, the staging views' label joins over every marker and answer, ~1 s). Three
    queries, whatever the number of tables: the catalog's columns, its tables, the counts."""
    wanted = {(store.schema(layer), table): (layer, table) for layer, table in tables}
    catalog = store.query(
        "select table_schema, table_name, column_name, data_type, is_nullable "
        "from information_schema.columns order by table_schema, table_name, ordinal_position"
    )
    columns: dict[tuple[str, str], list[dg.TableColumn]] = {}
    for schema, table, name, kind, nullable in catalog.iter_rows():
        if (schema, table) in wanted:
            # The marts' contracts make their not-null columns NOT NULL in the catalog.
            constraints = dg.TableColumnConstraints(nullable=nullable == "YES")
            columns.setdefault(wanted[(schema, table)], []).append(
                dg.TableColumn(name, kind, constraints=constraints)
            )
    base_tables = {
        wanted[key]
        for key in store.query(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE'"
        ).iter_rows()
        if key in wanted
    }
    metadata = {
        key: {"dagster/column_schema": dg.TableSchema(columns=columns[key])}
        for key in tables
        if key in columns
    }
    counted = [key for key in tables if key in base_tables and key in columns]
    if counted:
        counts = store.query(
            " union all ".join(
                f"select {index} as position, count(*) as n from {store.table(*key)}"
                for index, key in enumerate(counted)
            )
        )
        for position, n in counts.iter_rows():
            metadata[counted[position]]["dagster/row_count"] = n
    return metadata


# Read once, under the parse lock: the assets are defined from it, and the run's dbt step
# translates dbt's results with the same one (another process may parse the project
# meanwhile and rewrite manifest.json).
MANIFEST = read_manifest(dbt_project)
TRANSLATOR = DagsterDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=False))


@dbt_assets(
    manifest=MANIFEST,
    project=dbt_project,
    dagster_dbt_translator=TRANSLATOR,
    pool=BUILD_POOL,
    partitions_def=PROGRAMMES,
)
def idream_dbt_models(context: dg.AssetExecutionContext, build: BuildWarehouse):
    """Every seed, model and data test, in one `dbt build`, in this process.

    Every model is rebuilt on every run: a run only happens when a raw file, the code or a
    key changed (the whole-run fingerprint), and a model not rebuilt in a run would make
    Dagster skip everything downstream of it, the brief included (docs/decisions.md).
    dbt's unit tests are left to `make test`, as dbt's docs advise for production builds.
    """
    with build.turn(context.log) as s:
        # The manifest the assets were defined from (parsed as this run started).
        manifest = MANIFEST
        model_keys = dbt_model_keys(manifest)
        args = [
            "build",
            *dbt_arguments(s),
            *subset_selection(context, manifest, model_keys),
            "--exclude-resource-type",
            "unit_test",
            "--project-dir",
            str(dbt_project.project_dir),
            "--profiles-dir",
            str(dbt_project.profiles_dir),
            "--target-path",
            str(target_dir(s)),
            "--log-path",
            str(target_dir(s)),
            # dbt's file log defaults to debug level: every statement as JSON. The run's log
            # file keeps dbt's info-level log, where colour codes are noise.
            "--log-level-file",
            "warn",
            "--no-use-colors",
            # No manifest.json and run_results.json: this step has dbt's results in memory, and
            # the manifest is the one parsed as the run started. Writing them cost about 0.8 s
            # of a sample run (`idream dbt ...` still writes its own).
            "--no-write-json",
        ]
        context.log.info(f"dbt {' '.join(args)}")
        with secret_environment(dbt_environment(build.key)):
            invocation = dbt_invocation.invoke(args, parsed(dbt_project, parse_arguments(s)))
        context.log.info(invocation.graph_line())
        built = {r.unique_id for r in invocation.results if r.status == "success"}
        keys = [key for uid, key in model_keys.items() if uid in built]
        extra = table_metadata(build.store, [tuple(k.path[-2:]) for k in keys])
        yield from dagster_events(context, manifest, model_keys, invocation.results, extra)
        if not invocation.success:
            raise dg.Failure(description=invocation.failed_nodes(), allow_retries=False)


def dbt_model_keys(manifest: dict) -> dict[str, dg.AssetKey]:
    """unique_id -> asset key, for every seed and model: as dagster-dbt's translator names them."""
    return {
        unique_id: TRANSLATOR.get_asset_spec(manifest, unique_id, dbt_project).key
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed", "snapshot")
    }


def subset_selection(context, manifest: dict, model_keys: dict) -> list[str]:
    """dbt's `--select` for the models and seeds a run selected (the UI can pick a few);
    none when every one of them is selected."""
    if not context.is_subset:
        return []
    selected = set(context.selected_asset_keys)
    names = sorted(
        manifest["nodes"][unique_id]["name"]
        for unique_id, key in model_keys.items()
        if key in selected
    )
    return ["--select", *names]


def dagster_events(context, manifest: dict, model_keys: dict, results, extra: dict):
    """dbt's results as Dagster events: an output for each seed and model built, with the
    outcome of the data tests on it (`dbt_tests`: how many passed, warned, failed; and the
    names of those that did not pass)."""
    output_names = context.assets_def.output_names_by_entity_key
    selected = set(context.selected_asset_keys)
    tests = tests_by_model(manifest, results)
    for result in results:
        if result.unique_id not in model_keys or result.status != "success":
            continue
        key = model_keys[result.unique_id]
        if key not in selected:
            continue
        metadata = {
            "unique_id": result.unique_id,
            "execution_duration": result.seconds,
            **extra.get(tuple(key.path[-2:]), {}),
        }
        outcome = tests.get(result.unique_id)
        if outcome:
            metadata["dbt_tests"] = dg.MetadataValue.json(outcome)
        yield dg.Output(None, output_name=output_names[key], metadata=metadata)


def tests_by_model(manifest: dict, results) -> dict[str, dict]:
    """model unique_id -> {"pass": n, "warn": n, "fail": n, "error": n, "not_passed": [names]}
    for the data tests dbt ran on it."""
    outcome: dict[str, dict] = {}
    for result in results:
        node = manifest["nodes"].get(result.unique_id)
        if node is None or node["resource_type"] != "test" or not node.get("attached_node"):
            continue
        status = "error" if result.status == "runtime error" else result.status
        if status not in ("pass", "warn", "fail", "error"):
            continue
        counts = outcome.setdefault(
            node["attached_node"], {"pass": 0, "warn": 0, "fail": 0, "error": 0, "not_passed": []}
        )
        counts[status] += 1
        if status != "pass":
            counts["not_passed"].append(f"{node['name']}: {status}: {result.message or ''}".strip())
    return outcome
