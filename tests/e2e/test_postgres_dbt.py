"""The same dbt project on PostgreSQL: the sample's raw and reference tables, landed from
the session's sample run into the throwaway server, build with the `postgres` target
(models, data tests, contracts and unit tests), and every mart equals the DuckDB run's,
column for column and row for row. The pipeline's own steps do not run on PostgreSQL yet
(issue 15): this is the models' half of "the same pipeline on both backends"."""

import json
import os
import shutil
import subprocess

import duckdb
import polars as pl
import psycopg
from polars.testing import assert_frame_equal

from orchestration.lib.dbt_target import dbt_arguments, dbt_environment
from orchestration.settings import DATABASE_FILE, DBT_EXECUTABLE, DBT_PROJECT_DIR, Settings
from tests.e2e.test_dbt_unit_tests import declared_unit_tests
from tests.postgres import copy_schemas

# information_schema's names for the contracts' types, on each side.
CATALOG_TYPES = {
    "VARCHAR": "character varying",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "BOOLEAN": "boolean",
    "DOUBLE": "double precision",
}
COLUMNS = (
    "select table_name, column_name, data_type, is_nullable from information_schema.columns "
    "where table_schema = 'marts' order by table_name, ordinal_position"
)


def catalog(rows) -> dict[str, list[tuple[str, str, str]]]:
    tables: dict[str, list[tuple[str, str, str]]] = {}
    for table, column, kind, nullable in rows:
        tables.setdefault(table, []).append((column, CATALOG_TYPES.get(kind, kind), nullable))
    return tables


def test_the_models_build_on_postgresql_and_every_mart_equals_duckdbs(
    sample_run, postgres_server, tmp_path
):
    # A copy: the run's own file stays free for the other tests of the session.
    duckdb_file = tmp_path / DATABASE_FILE
    shutil.copy(sample_run[0] / DATABASE_FILE, duckdb_file)
    url = postgres_server.create_database("sample_models")
    landed = copy_schemas(duckdb_file, url, ("raw", "reference"))
    assert landed["raw.survey_answers"] > 0 and landed["reference.domains"] > 0

    settings = Settings.from_env(
        {"IDREAM_WAREHOUSE_DIR": str(tmp_path / "warehouse"), "IDREAM_WAREHOUSE_URL": url}
    )
    target = tmp_path / "target"
    result = subprocess.run(
        [
            str(DBT_EXECUTABLE),
            "build",
            *dbt_arguments(settings),
            *("--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)),
            *("--target-path", str(target), "--log-path", str(target), "--no-use-colors"),
        ],
        env={**os.environ, **dbt_environment(None)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    # Everything ran and passed, the unit tests included (a build that silently selected
    # fewer nodes would pass too).
    results = json.loads((target / "run_results.json").read_text())["results"]
    statuses = {r["unique_id"]: r["status"] for r in results}
    assert set(statuses.values()) <= {"success", "pass"}, statuses
    unit_tests = {uid.rsplit(".", 1)[1] for uid in statuses if uid.startswith("unit_test.")}
    assert unit_tests == declared_unit_tests()

    with (
        duckdb.connect(str(duckdb_file), read_only=True) as on_duckdb,
        psycopg.connect(url) as on_postgres,
    ):
        duckdb_catalog = catalog(on_duckdb.execute(COLUMNS).fetchall())
        postgres_catalog = catalog(on_postgres.execute(COLUMNS).fetchall())
        # Same marts, same columns in the same order, same types, same not-null contracts.
        assert postgres_catalog == duckdb_catalog
        assert len(duckdb_catalog) >= 16
        for table, columns in duckdb_catalog.items():
            names = [name for name, _, _ in columns]
            expected = on_duckdb.execute(f'select * from marts."{table}"').pl()
            rows = on_postgres.execute(f'select * from marts."{table}"').fetchall()
            actual = pl.DataFrame(rows, schema=expected.schema, orient="row")
            assert actual.height > 0, table
            try:
                assert_frame_equal(
                    actual.sort(names, nulls_last=True),
                    expected.sort(names, nulls_last=True),
                    check_exact=False,
                    rel_tol=0,
                    abs_tol=1e-12,
                )
            except AssertionError as error:
                raise AssertionError(f"marts.{table} differs on PostgreSQL: {error}") from None
