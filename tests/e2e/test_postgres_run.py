"""The whole pipeline on the PostgreSQL team warehouse (IDREAM_WAREHOUSE_URL), on a real
server: a root of two programmes (the IDREAM sample and the paralegal example) lands, is
checked, built by dbt in each programme's build schemas and published into the shared
`marts`; the IDREAM brief is the DuckDB run's, byte for byte but for the run metadata;
nothing of the data is written to a local DuckDB file; a programme's role reads its own
rows only; one programme's bad data fails only it and leaves its published rows whole; an
unreachable server is one line naming it."""

from __future__ import annotations

import contextlib
import re
import secrets
import shutil

import polars as pl
import psycopg
import pytest
from psycopg import errors, sql

from orchestration import example_programme as example
from orchestration.lib import publishing
from orchestration.settings import DATABASE_FILE
from tests.brief_compare import assert_same_brief_but_run_metadata
from tests.conftest import SAMPLE_RAW, run_idream, run_idream_captured
from tests.postgres import free_port, socket_url

IDREAM, PARALEGAL = "idream", example.PROGRAMME_ID
# Created by an administrator once (docs/team-warehouse.md); the runs grant to them.
GROUP_ROLES = ("idream_analyst", f"idream_analyst_{PARALEGAL}")
READER = "paula"  # a person of the paralegal programme's team


def _admin(server, statement: sql.Composable) -> None:
    with psycopg.connect(
        host=str(server.socket_dir), port=server.port, user=server.superuser, dbname="postgres"
    ) as connection:
        connection.autocommit = True
        # Another test module of the session may have created the group role.
        with contextlib.suppress(errors.DuplicateObject):
            connection.execute(statement)


def _published(url: str, table: str) -> pl.DataFrame:
    with psycopg.connect(url) as connection:
        cursor = connection.execute(
            sql.SQL("select * from {}").format(sql.Identifier("marts", table))
        )
        names = [column.name for column in cursor.description]
        rows = cursor.fetchall()
    # Sorted here: PostgreSQL's collation orders `any_domain` and `advocacy` its own way.
    return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None).sort(names)


@pytest.fixture(scope="module")
def team(postgres_server, tmp_path_factory, sample_run):
    url = postgres_server.create_database("team_run")
    password = secrets.token_urlsafe(16)
    for role in GROUP_ROLES:
        _admin(postgres_server, sql.SQL("create role {} nologin").format(sql.Identifier(role)))
    _admin(
        postgres_server,
        sql.SQL("create role {} login password {} in role {}").format(
            sql.Identifier(READER), sql.Literal(password), sql.Identifier(GROUP_ROLES[1])
        ),
    )
    root = tmp_path_factory.mktemp("team_root")
    shutil.copytree(SAMPLE_RAW, root / "idream_sample")
    shutil.copytree(example.EXAMPLES_DIR / PARALEGAL, root / "paralegal")
    warehouse = tmp_path_factory.mktemp("team_warehouse")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IDREAM_WAREHOUSE_URL", url)
        result, out, err = run_idream_captured(root, warehouse)
    assert result.exit_code == 0, err[-4000:]
    return url, root, warehouse, out, password


def test_the_idream_brief_is_the_duckdb_runs_and_no_data_lands_in_a_local_file(team, sample_run):
    _, _, warehouse, out, _ = team
    duckdb_warehouse, _, duckdb_run = sample_run
    assert "idream: all 2 programmes are published." in out
    # Programmes run in id order: idream's run first.
    idream_run = re.findall(r"idream: run (\S+) succeeded", out)[0]
    assert_same_brief_but_run_metadata(
        duckdb_warehouse / "brief",
        duckdb_run,
        warehouse / "brief" / IDREAM,
        idream_run,
        second_link=f"../../programmes/{IDREAM}/quality/index.html",
    )
    assert not list(warehouse.rglob(DATABASE_FILE)), "a DuckDB file was written"


def test_the_shared_marts_hold_each_programmes_rows_as_duckdb_built_them(team, sample_run):
    import duckdb

    url = team[0]
    with duckdb.connect(str(sample_run[0] / DATABASE_FILE), read_only=True) as connection:
        for table in publishing.MARTS:
            published = _published(url, table)
            assert set(published["programme_id"]) == {IDREAM, PARALEGAL}, table
            ours = published.filter(pl.col("programme_id") == IDREAM)
            alone = connection.execute(f"select * from marts.{table}").pl()
            alone = alone.sort(alone.columns)
            assert ours.columns == alone.columns, table
            assert ours.height == alone.height, table
            for column in alone.columns:
                left, right = ours[column].to_list(), alone[column].to_list()
                if alone[column].dtype.is_float():
                    # PostgreSQL's avg() may differ from DuckDB's in the last bit.
                    assert left == pytest.approx(right, rel=1e-12, nan_ok=True), (table, column)
                else:
                    assert left == right, (table, column)


def test_a_programmes_role_reads_its_own_rows_and_nothing_below_the_marts(team, postgres_server):
    password = team[4]
    with psycopg.connect(
        host=str(postgres_server.socket_dir),
        port=postgres_server.port,
        user=READER,
        password=password,
        dbname="team_run",
    ) as connection:
        rows = connection.execute(
            "select programme_id, count(*) from marts.mart_domain_rates group by 1"
        ).fetchall()
        assert [programme for programme, _ in rows] == [PARALEGAL]
        for schema in ("build_idream_raw", f"build_{PARALEGAL}_raw", "build_idream_marts"):
            with pytest.raises(errors.InsufficientPrivilege), connection.transaction():
                connection.execute(
                    sql.SQL("select count(*) from {}").format(
                        sql.Identifier(schema, "participants" if "raw" in schema else "dim_cohorts")
                    )
                )


def test_one_programmes_bad_data_fails_only_it_and_its_published_rows_stay(team, capsys):
    url, root, warehouse, _, _ = team
    before = _published(url, "mart_domain_rates")
    (workbook,) = sorted((root / "paralegal" / "success_markers").glob("*.xlsx"))[:1]
    workbook.write_bytes(workbook.read_bytes()[:200])  # cut short while it was copied
    capsys.readouterr()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IDREAM_WAREHOUSE_URL", url)
        result = run_idream(root, warehouse, capsys)
    assert result.exit_code == 1
    assert f"1 of 2 programme(s) failed: {PARALEGAL}" in result.stderr, result.stderr
    assert f"success_markers/{workbook.name}" in result.stderr
    after = _published(url, "mart_domain_rates")
    assert after.equals(before)


def test_an_unreachable_team_warehouse_is_one_line_naming_it(postgres_server, tmp_path, capsys):
    closed = free_port()
    url = socket_url(postgres_server.user, "team_run", postgres_server.socket_dir, closed)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IDREAM_WAREHOUSE_URL", url)
        result = run_idream(SAMPLE_RAW, tmp_path / "warehouse", capsys)
    assert result.exit_code == 2
    assert "cannot connect to the PostgreSQL warehouse" in result.stderr
    assert f"port {closed}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "warehouse" / "brief").exists()
