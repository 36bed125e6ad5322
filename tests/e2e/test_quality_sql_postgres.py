"""Great Expectations on PostgreSQL (its PostgreSQL data source, `quality.gx_postgres`) and
our own SQL on DuckDB (`quality.evaluate`) agree, on a real PostgreSQL server: every rule
broken on its own (the unit tests' cases, tests/unit/test_quality_suites.py) fails the same
expectation, with the same severity, count and located messages on both, and the valid
tables pass both. GX is the oracle of the SQL we wrote for DuckDB, which has no GX dialect.

A rule failing on thousands of rows brings back only the cap of them, from GX as from our
SQL: a check's cost does not grow with how many rows fail (issue 17)."""

import json
import time

import polars as pl
import psycopg
import pytest
from psycopg import sql

from orchestration.lib.postgres import parse_warehouse_url
from orchestration.lib.quality import engines, evaluate, gx_postgres, gx_results, relations
from orchestration.lib.quality.parameters import suite_parameters
from orchestration.lib.quality.results import MAX_PROBLEMS_PER_EXPECTATION
from orchestration.lib.quality.suites import load_suite, suite_names
from tests.duckdb_tables import duckdb_with
from tests.unit.test_quality_suites import (
    BROKEN,
    CONTEXT,
    level_patterns,
    set_value,
    valid_tables,
)

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
    """A psycopg session for landing and reading, and GX's data source on the same database."""
    url = postgres_server.create_database("quality_rules")
    with (
        psycopg.connect(url, autocommit=True) as connection,
        gx_postgres._data_source(parse_warehouse_url(url)) as source,
    ):
        yield connection, source


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
        with connection.cursor().copy(sql.SQL("copy {} from stdin").format(table)) as copy:
            for row in frame.iter_rows():
                copy.write_row(row)


def _validated(suite: str, tables, validate) -> tuple:
    def read(table: str) -> pl.DataFrame:
        return tables[table]

    parameters = suite_parameters(CONTEXT.definition, read)
    relation = relations.relation_of(suite, CONTEXT.programme, relations.PLAIN, read)
    return validate(load_suite(suite), relation, parameters)


def by_gx_on_postgres(postgres, suite: str, tables, cap=MAX_PROBLEMS_PER_EXPECTATION):
    connection, source = postgres
    session = engines.PostgresSession(connection)
    return _validated(
        suite,
        tables,
        lambda suite_json, relation, parameters: gx_postgres.validate(
            source, session, suite_json, relation, parameters, cap, run_id="a-run"
        ),
    )


def by_sql_on_duckdb(suite: str, tables, cap=MAX_PROBLEMS_PER_EXPECTATION):
    connection = duckdb_with(tables)
    return _validated(
        suite,
        tables,
        lambda suite_json, relation, parameters: evaluate.validate(
            connection, suite_json, relation, parameters, cap
        ),
    )


def outcome(result) -> list[tuple]:
    return [
        (f.expectation, f.severity, f.unexpected_count, f.sample, [str(p) for p in f.problems])
        for f in result.failures
    ]


def test_the_valid_tables_pass_every_suite_by_gx_on_postgresql(postgres, tmp_path):
    tables = valid_tables()
    land_on_postgres(postgres[0], tables)
    (tmp_path / "results").mkdir()
    for suite in suite_names():
        result, found = by_gx_on_postgres(postgres, suite, tables)
        assert outcome(result) == [], suite
        # GX's own result: every expectation of the suite, in the suite's order, passed.
        assert found["success"] and found["suite_name"] == suite
        assert [r["expectation_config"]["type"] for r in found["results"]] == [
            e["type"] for e in load_suite(suite)["expectations"]
        ]
        (tmp_path / "results" / f"{suite}.json").write_text(json.dumps(found))
    # The run's report renders GX's results in Data Docs, as on DuckDB.
    assert gx_results.build_site(tmp_path / "results", tmp_path / "gx", tmp_path / "site")
    assert list((tmp_path / "site" / "validations" / "raw_participants").rglob("*.html"))


@pytest.mark.parametrize("case", list(BROKEN), ids=lambda case: case)
def test_each_broken_rule_fails_alike_by_gx_on_postgresql_and_by_sql_on_duckdb(postgres, case):
    suite, (table, column, row, value), expectation, *_ = BROKEN[case]
    tables = valid_tables()
    set_value(tables, table, column, row, value)
    land_on_postgres(postgres[0], tables)
    by_gx, found = by_gx_on_postgres(postgres, suite, tables)
    assert expectation in [failure[0] for failure in outcome(by_gx)]
    assert outcome(by_gx) == outcome(by_sql_on_duckdb(suite, tables)[0])
    assert not found["success"]


def test_many_failing_rows_bring_back_only_the_cap_and_count_them_all(postgres):
    # 5,000 participants of an unknown type: the count is whole, the rows listed are the
    # cap's, by GX's SUMMARY format (a LIMIT in its query) as by our SQL.
    many = 5_000
    tables = valid_tables()
    tables["raw.participants"] = pl.DataFrame(
        {
            "participant_key": [f"p{n}" for n in range(many)],
            "cohort": [1] * many,
            "participant_type": ["person"] * many,
            "source_file": ["participants.xlsx"] * many,
            "source_sheet": ["participants"] * many,
            "source_row": list(range(2, many + 2)),
        }
    )
    land_on_postgres(postgres[0], tables)
    cap = 7
    by_gx, found = by_gx_on_postgres(postgres, "raw_participants", tables, cap)
    by_sql, _ = by_sql_on_duckdb("raw_participants", tables, cap)
    rule = "expect_column_values_to_be_in_set(participant_type)"
    [on_postgres] = [f for f in by_gx.failures if f.expectation == rule]
    [on_duckdb] = [f for f in by_sql.failures if f.expectation == rule]
    assert on_postgres.unexpected_count == on_duckdb.unexpected_count == many
    assert len(on_postgres.problems) == len(on_duckdb.problems) == cap
    assert all("unknown participant type 'person'" in str(p) for p in on_postgres.problems)
    [gx_result] = [
        r
        for r in found["results"]
        if r["expectation_config"]["kwargs"].get("column") == ("participant_type")
    ]
    assert len(gx_result["result"]["partial_unexpected_index_list"]) == cap
    assert "unexpected_index_list" not in gx_result["result"]  # SUMMARY, not COMPLETE


def test_the_level_patterns_are_listed_alike_by_gx_on_postgresql_and_by_sql_on_duckdb(postgres):
    # Their rows are made in Python and written into the query: GX's own connection reads
    # them, and lists them in the frame's order (cohort, then the definition's domains).
    tables = valid_tables()
    tables["marts.mart_marker_level_patterns"] = level_patterns(
        (2, "advocacy", "very_ambitious", 3, "realistic, very_ambitious", "ambitious", 1),
        (10, "resilience", "ambitious", 2, "ambitious", "realistic", 4),
        (1, "advocacy", "ambitious", 2, "ambitious", "realistic", 3),
        (1, "resilience", "very_ambitious", 3, "ambitious, very_ambitious", "realistic", 1),
    )
    land_on_postgres(postgres[0], tables)
    by_gx, _ = by_gx_on_postgres(postgres, "mart_marker_level_patterns", tables)
    assert outcome(by_gx) == outcome(by_sql_on_duckdb("mart_marker_level_patterns", tables)[0])
    assert [p.message.split(":")[0] for p in by_gx.problems()] == [
        "cohort 1, Resilience",
        "cohort 1, Advocacy",
        "cohort 2, Advocacy",
        "cohort 10, Resilience",
    ]


def test_a_rule_without_its_parameter_fails_alone_alike_on_both(postgres):
    # A suite naming a value set the definition does not give: that rule fails with the
    # parameter's name, the suite's other rules still run, on both engines.
    tables = valid_tables()
    land_on_postgres(postgres[0], tables)
    suite_json = load_suite("raw_participants")
    [in_set] = [e for e in suite_json["expectations"] if e["type"].endswith("_in_set")]
    in_set["kwargs"]["value_set"] = {"$PARAMETER": "no_such_ids"}
    parameters = suite_parameters(CONTEXT.definition, lambda table: tables[table])
    relation = relations.RELATIONS["raw_participants"](CONTEXT.programme)
    connection, source = postgres
    by_gx, found = gx_postgres.validate(
        source, engines.PostgresSession(connection), suite_json, relation, parameters
    )
    by_sql, _ = evaluate.validate(duckdb_with(tables), suite_json, relation, parameters)
    assert outcome(by_gx) == outcome(by_sql)
    assert [(f.expectation, f.unexpected_count) for f in by_gx.failures] == [
        ("expect_column_values_to_be_in_set(participant_type)", 1)
    ]
    assert "no_such_ids" in str(by_gx.problems()[0])
    assert len(found["results"]) == len(suite_json["expectations"]) and not found["success"]


def test_gx_computes_each_suite_once_into_a_temporary_table_dropped_at_the_end(postgres_server):
    # The suite's query is materialised in GX's one session (create_temp_table on a
    # single-connection pool); closing the data source leaves no table behind.
    url = postgres_server.create_database("quality_temporary")
    temporary = "select count(*) from pg_class where relpersistence = 't' and relkind = 'r'"
    tables = valid_tables()
    with psycopg.connect(url, autocommit=True) as connection:
        land_on_postgres(connection, tables)
        with gx_postgres._data_source(parse_warehouse_url(url)) as source:
            for suite in ("raw_participants", "raw_success_markers"):
                result, _ = by_gx_on_postgres((connection, source), suite, tables)
                assert result.failures == []
            assert connection.execute(temporary).fetchone()[0] == 2
        # The server drops a session's temporary tables as its backend exits, which
        # follows the client's close by a moment.
        deadline = time.monotonic() + 30
        while connection.execute(temporary).fetchone()[0] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert connection.execute(temporary).fetchone()[0] == 0
