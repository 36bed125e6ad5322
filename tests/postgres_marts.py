"""The sample's marts, built by dbt on the session's throwaway PostgreSQL server, as the
build schemas of two programmes: for the team warehouse's publish and access tests.

dbt builds once per server, in a template database: the sample run's raw, reference and
restricted tables landed from its DuckDB file, then `dbt run` (models only: the models'
tests on PostgreSQL are tests/e2e/test_postgres_dbt.py's). Its marts become two build
schemas: `build_idream_marts` (every row) and `build_paralegal_marts` (the first half of
each table's rows), each with `programme_id` as its first column, set to the programme's id
(the dbt models carry the column once issue 15's models land; it is replaced either way).
Each test module gets its own copy of that database (CREATE DATABASE ... TEMPLATE).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from orchestration.lib.dbt_target import dbt_arguments, dbt_environment
from orchestration.lib.postgres_layout import PROGRAMME_COLUMN, build_schema
from orchestration.settings import DATABASE_FILE, DBT_EXECUTABLE, DBT_PROJECT_DIR, Settings
from tests.postgres import PostgresServer, copy_schemas

PROGRAMMES = ("idream", "paralegal")
TEMPLATE = "team_template"
# The dbt build's marts, until they become the programmes' build schemas.
DBT_MARTS = "marts"
LANDED_SCHEMAS = ("raw", "reference", "restricted")

_templates: dict[Path, dict[str, dict[str, int]]] = {}


@dataclass(frozen=True)
class TeamWarehouse:
    """A database of its own: the dbt build's raw, reference, restricted, staging and
    intermediate schemas, and the programmes' build schemas; nothing published yet.
    `rows`: each programme's rows per mart."""

    server: PostgresServer
    database: str
    rows: dict[str, dict[str, int]]

    @property
    def url(self) -> str:
        return self.server.url_for(self.database)

    def connect(self, **options) -> psycopg.Connection:
        return psycopg.connect(self.url, **options)

    @property
    def tables(self) -> list[str]:
        return sorted(self.rows[PROGRAMMES[0]])


def team_warehouse(sample_run, server: PostgresServer, folder: Path, name: str) -> TeamWarehouse:
    """A new database `name` holding the sample's build for two programmes."""
    if server.socket_dir not in _templates:
        _templates[server.socket_dir] = _build_template(sample_run, server, folder)
    server.admin(
        sql.SQL("create database {} template {} owner {}")
        .format(sql.Identifier(name), sql.Identifier(TEMPLATE), sql.Identifier(server.user))
        .as_string(None)
    )
    return TeamWarehouse(server, name, _templates[server.socket_dir])


def _build_template(sample_run, server: PostgresServer, folder: Path) -> dict[str, dict[str, int]]:
    duckdb_file = folder / DATABASE_FILE
    # A copy: the run's own file stays free for the other tests of the session.
    shutil.copy(sample_run[0] / DATABASE_FILE, duckdb_file)
    url = server.create_database(TEMPLATE)
    landed = copy_schemas(duckdb_file, url, LANDED_SCHEMAS)
    assert landed["raw.survey_answers"] > 0
    settings = Settings.from_env(
        {"IDREAM_WAREHOUSE_DIR": str(folder / "warehouse"), "IDREAM_WAREHOUSE_URL": url}
    )
    target = folder / "target"
    result = subprocess.run(
        [
            str(DBT_EXECUTABLE),
            "run",
            *dbt_arguments(settings),
            *("--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)),
            *("--target-path", str(target), "--log-path", str(target)),
            "--no-use-colors",
        ],
        env={**os.environ, **dbt_environment(None)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    with psycopg.connect(url) as connection:
        rows = {
            programme: _build_programme(connection, programme, half=index > 0)
            for index, programme in enumerate(PROGRAMMES)
        }
        connection.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(DBT_MARTS)))
    return rows


def _build_programme(connection: psycopg.Connection, programme_id: str, half: bool) -> dict:
    """The dbt marts as `programme_id`'s build schema; its rows per table."""
    schema = build_schema(programme_id, "marts")
    connection.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
    rows: dict[str, int] = {}
    tables = connection.execute(
        "select table_name from information_schema.tables where table_schema = %s "
        "and table_type = 'BASE TABLE' order by table_name",
        [DBT_MARTS],
    ).fetchall()
    for (table,) in tables:
        columns = [
            column
            for (column,) in connection.execute(
                "select column_name from information_schema.columns where table_schema = %s "
                "and table_name = %s order by ordinal_position",
                [DBT_MARTS, table],
            ).fetchall()
            if column != PROGRAMME_COLUMN
        ]
        total = connection.execute(
            sql.SQL("select count(*) from {}").format(sql.Identifier(DBT_MARTS, table))
        ).fetchone()[0]
        rows[table] = (total + 1) // 2 if half else total
        connection.execute(
            sql.SQL(
                "create table {} as select {}::varchar as {}, {} from {} order by {} limit {}"
            ).format(
                sql.Identifier(schema, table),
                sql.Literal(programme_id),
                sql.Identifier(PROGRAMME_COLUMN),
                sql.SQL(", ").join(sql.Identifier(c) for c in columns),
                sql.Identifier(DBT_MARTS, table),
                sql.SQL(", ").join(sql.Identifier(c) for c in columns),
                sql.Literal(rows[table]),
            )
        )
    return rows


def counts_by_programme(connection: psycopg.Connection, schema: str, tables: list[str]) -> dict:
    """{table: {programme_id: rows}} as `connection`'s role sees them, in one statement (one
    snapshot across every table)."""
    parts = sql.SQL(" union all ").join(
        sql.SQL("select {} as table_name, {}::varchar, count(*) from {} group by 2").format(
            sql.Literal(table), sql.Identifier(PROGRAMME_COLUMN), sql.Identifier(schema, table)
        )
        for table in tables
    )
    counts: dict[str, dict[str, int]] = {table: {} for table in tables}
    for table, programme_id, rows in connection.execute(parts).fetchall():
        counts[table][programme_id] = rows
    return counts


def expected_counts(warehouse: TeamWarehouse, programmes: tuple[str, ...]) -> dict:
    return {
        table: {p: warehouse.rows[p][table] for p in programmes if warehouse.rows[p][table]}
        for table in warehouse.tables
    }
