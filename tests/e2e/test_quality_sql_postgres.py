"""The suites' SQL is portable: on a real PostgreSQL server, every rule broken on its own
(the unit tests' cases, tests/unit/test_quality_suites.py) fails the same expectation with
the same count and the same located messages as on DuckDB, and the valid tables pass.

`mart_marker_level_patterns` is left out: its rows are worded in Python and queried from a
frame DuckDB reads in place (quality.relations)."""

import polars as pl
import psycopg
import pytest
from psycopg import sql

from orchestration.lib.quality import evaluate, relations
from orchestration.lib.quality.parameters import suite_parameters
from orchestration.lib.quality.suites import load_suite, suite_names
from tests.duckdb_tables import duckdb_with
from tests.unit.test_quality_suites import BROKEN, CONTEXT, set_value, valid_tables

SUITES = [name for name in suite_names() if name != "mart_marker_level_patterns"]
TYPES = {
    pl.String: "text",
    pl.Int64: "bigint",
    pl.Int32: "integer",
    pl.Float64: "double precision",
    pl.Boolean: "boolean",
    pl.Null: "text",
}


@pytest.fixture(scope="module")
def postgres(postgres_server):
    url = postgres_server.create_database("quality_rules")
    with psycopg.connect(url, autocommit=True) as connection:
        yield connection


def land_on_postgres(connection, tables: dict[str, pl.DataFrame]) -> None:
    for schema in {name.split(".")[0] for name in tables}:
        connection.execute(
            sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema))
        )
        connection.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
    for name, frame in tables.items():
        table = sql.Identifier(*name.split("."))
        columns = sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(TYPES[frame.schema[c]]))
            for c in frame.columns
        )
        connection.execute(sql.SQL("create table {} ({})").format(table, columns))
        with connection.cursor() as cursor:
            cursor.executemany(
                sql.SQL("insert into {} values ({})").format(
                    table, sql.SQL(", ").join(sql.Placeholder() * len(frame.columns))
                ),
                frame.rows(),
            )


def outcome(connection, suite: str, tables) -> list[tuple]:
    parameters = suite_parameters(CONTEXT.definition, lambda table: tables[table])
    result, _ = evaluate.validate(
        connection, load_suite(suite), relations.RELATIONS[suite](CONTEXT.programme), parameters
    )
    return [
        (f.expectation, f.severity, f.unexpected_count, [str(p) for p in f.problems])
        for f in result.failures
    ]


def test_the_valid_tables_pass_every_suite_on_postgresql(postgres):
    tables = valid_tables()
    land_on_postgres(postgres, tables)
    for suite in SUITES:
        assert outcome(postgres, suite, tables) == [], suite


@pytest.mark.parametrize(
    "case", [c for c in BROKEN if BROKEN[c][0] in SUITES], ids=lambda case: case
)
def test_each_broken_rule_fails_alike_on_postgresql_and_duckdb(postgres, case):
    suite, (table, column, row, value), expectation, *_ = BROKEN[case]
    tables = valid_tables()
    set_value(tables, table, column, row, value)
    land_on_postgres(postgres, tables)
    on_postgres = outcome(postgres, suite, tables)
    assert expectation in [found[0] for found in on_postgres]
    assert on_postgres == outcome(duckdb_with(tables), suite, tables)
