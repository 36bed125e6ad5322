"""The same dbt project on PostgreSQL: the sample's raw and reference tables, landed from
the session's sample run into the throwaway server, build with the `postgres` target
(models, data tests, contracts and unit tests), and every mart equals the DuckDB run's,
column for column and row for row: the models' half of "the same pipeline on both
backends" (the whole run on PostgreSQL: test_postgres_run.py)."""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import psycopg
import pytest
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

# The first column of every relation dbt builds below raw.
FIRST_COLUMNS = (
    "select table_schema, table_name, column_name from information_schema.columns "
    "where table_schema in ('staging', 'intermediate', 'marts') and ordinal_position = 1"
)
SAMPLE_PROGRAMME = "idream"  # raw/programme.toml


def catalog(rows) -> dict[str, list[tuple[str, str, str]]]:
    tables: dict[str, list[tuple[str, str, str]]] = {}
    for table, column, kind, nullable in rows:
        tables.setdefault(table, []).append((column, CATALOG_TYPES.get(kind, kind), nullable))
    return tables


@dataclass(frozen=True)
class PostgresBuild:
    settings: Settings
    url: str
    duckdb_file: Path
    target: Path


def run_dbt(build: PostgresBuild, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(DBT_EXECUTABLE),
            *arguments,
            *dbt_arguments(build.settings),
            *("--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)),
            *("--target-path", str(build.target), "--log-path", str(build.target)),
            "--no-use-colors",
        ],
        env={**os.environ, **dbt_environment(None)},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def postgres_build(sample_run, postgres_server, tmp_path_factory) -> PostgresBuild:
    """The sample run's raw and reference tables in a new database, and `dbt build` there,
    as `idream dbt build` runs it (the password from the session's PGPASSFILE)."""
    folder = tmp_path_factory.mktemp("postgres_build")
    # A copy: the run's own file stays free for the other tests of the session.
    duckdb_file = folder / DATABASE_FILE
    shutil.copy(sample_run[0] / DATABASE_FILE, duckdb_file)
    url = postgres_server.create_database("sample_models")
    landed = copy_schemas(duckdb_file, url, ("raw", "reference"))
    assert landed["raw.survey_answers"] > 0 and landed["reference.domains"] > 0
    settings = Settings.from_env(
        {"IDREAM_WAREHOUSE_DIR": str(folder / "warehouse"), "IDREAM_WAREHOUSE_URL": url}
    )
    build = PostgresBuild(settings, url, duckdb_file, folder / "target")
    result = run_dbt(build, "build")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return build


def test_every_model_test_contract_and_unit_test_passes_on_postgresql(postgres_build):
    # Read from dbt's results: a build that silently selected fewer nodes would exit 0 too.
    results = json.loads((postgres_build.target / "run_results.json").read_text())["results"]
    statuses = {r["unique_id"]: r["status"] for r in results}
    assert set(statuses.values()) <= {"success", "pass"}, statuses
    unit_tests = {uid.rsplit(".", 1)[1] for uid in statuses if uid.startswith("unit_test.")}
    assert unit_tests == declared_unit_tests()
    assert sum(uid.startswith("model.") for uid in statuses) >= 28


def test_every_mart_equals_the_duckdb_runs(postgres_build):
    with (
        duckdb.connect(str(postgres_build.duckdb_file), read_only=True) as on_duckdb,
        psycopg.connect(postgres_build.url) as on_postgres,
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
                # Measured: the rates are bit-identical but for one mean of doubles
                # (mart_survey_sections_by_cohort), one unit in the last place apart.
                assert_frame_equal(
                    actual.sort(names, nulls_last=True),
                    expected.sort(names, nulls_last=True),
                    check_exact=False,
                    rel_tol=0,
                    abs_tol=1e-12,
                )
            except AssertionError as error:
                raise AssertionError(f"marts.{table} differs on PostgreSQL: {error}") from None


def test_every_model_below_raw_carries_the_programme_id_first(postgres_build):
    """Issue 15: one warehouse may hold several programmes, so every staging, intermediate,
    fact, dimension and mart relation says whose each row is, in its first column, on both
    backends. A model that lost it (a join or group by that drops it) fails here by name."""
    manifest = json.loads((postgres_build.target / "manifest.json").read_text())
    models = {
        (node["schema"], node["name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    assert len(models) >= 28
    with (
        duckdb.connect(str(postgres_build.duckdb_file), read_only=True) as on_duckdb,
        psycopg.connect(postgres_build.url) as on_postgres,
    ):
        for backend, connection in (("DuckDB", on_duckdb), ("PostgreSQL", on_postgres)):
            first = {
                (schema, table): column
                for schema, table, column in connection.execute(FIRST_COLUMNS).fetchall()
            }
            assert set(first) == models, backend
            assert {k: v for k, v in first.items() if v != "programme_id"} == {}, backend
            for schema, table in sorted(models):
                ids = connection.execute(
                    f'select distinct programme_id from {schema}."{table}"'
                ).fetchall()
                assert ids == [(SAMPLE_PROGRAMME,)], (backend, schema, table, ids)


def test_a_pgpassword_reaches_dbt_and_is_written_nowhere(postgres_build, monkeypatch):
    """dbt-postgres hands libpq an empty password, which makes libpq skip PGPASSWORD:
    lib/dbt_target.py passes it on as DBT_ENV_SECRET_PGPASSWORD. Regression guard for that,
    and for the password reaching dbt's target folder or its debug-level log."""
    password_file = Path(os.environ["PGPASSFILE"])
    password = password_file.read_text().splitlines()[0].rsplit(":", 1)[1]
    monkeypatch.setenv("PGPASSFILE", str(password_file.with_name("no_such_file")))
    monkeypatch.setenv("PGPASSWORD", password)
    result = run_dbt(
        postgres_build, "run", "--select", "stg_roster__participants", "--log-level-file", "debug"
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert password not in result.stdout + result.stderr
    written = [p for p in postgres_build.target.rglob("*") if p.is_file()]
    assert written and not [p for p in written if password.encode() in p.read_bytes()]
