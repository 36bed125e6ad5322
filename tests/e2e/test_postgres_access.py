"""Access by role in the team warehouse on a real PostgreSQL server (lib/postgres_access.py):
people log in as themselves and read through the group roles an administrator created
(docs/team-warehouse.md): `idream_analyst` reads every programme's rows of every published
table, `idream_analyst_<programme_id>` its programme's rows only, and neither reads a raw,
reference, staging, intermediate, restricted or build schema.

The marts are the sample's, built by dbt on PostgreSQL, published as two programmes
(tests/postgres_marts.py); the second programme's role is created part-way through."""

import secrets
from dataclasses import dataclass, field

import psycopg
import pytest
from psycopg import errors, sql

from orchestration.lib.postgres_access import apply_access
from orchestration.lib.postgres_layout import UNPUBLISHED_SCHEMAS, build_schema
from orchestration.lib.postgres_publish import publish_programme
from tests.postgres_marts import (
    TeamWarehouse,
    counts_by_programme,
    expected_counts,
    team_warehouse,
)

# The administrator's one-time SQL, as docs/team-warehouse.md gives it.
GROUP_ROLES = ("idream_analyst", "idream_analyst_idream")
# People's login roles, and the group each is granted.
PEOPLE = {"ada": "idream_analyst", "ben": "idream_analyst_idream", "cy": None}


@dataclass
class TeamAccess:
    """The warehouse, its people's passwords (random, this session's), and the fixture's
    two publishes."""

    warehouse: TeamWarehouse
    passwords: dict[str, str] = field(default_factory=dict)
    publications: tuple = ()


def superuser(server, database):
    return psycopg.connect(
        host=str(server.socket_dir),
        port=server.port,
        user=server.superuser,
        dbname=database,
        autocommit=True,
    )


@pytest.fixture(scope="module")
def team(sample_run, postgres_server, tmp_path_factory):
    warehouse = team_warehouse(
        sample_run, postgres_server, tmp_path_factory.mktemp("team_access"), "team_access"
    )
    passwords = {person: secrets.token_urlsafe(16) for person in PEOPLE}
    with superuser(postgres_server, "postgres") as admin:
        for role in GROUP_ROLES:
            admin.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
        for person, group in PEOPLE.items():
            admin.execute(
                sql.SQL("create role {} login password {}").format(
                    sql.Identifier(person), sql.Literal(passwords[person])
                )
            )
            if group:
                admin.execute(
                    sql.SQL("grant {} to {}").format(sql.Identifier(group), sql.Identifier(person))
                )
    with warehouse.connect() as connection:
        first = publish_programme(connection, "idream", build_schema("idream", "marts"))
        second = publish_programme(connection, "paralegal", build_schema("paralegal", "marts"))
    return TeamAccess(warehouse, passwords, (first, second))


def login(team, person) -> psycopg.Connection:
    server = team.warehouse.server
    return psycopg.connect(
        host=str(server.socket_dir),
        port=server.port,
        user=person,
        dbname=team.warehouse.database,
        password=team.passwords[person],
        autocommit=True,
    )


def relations(team, schema_pattern: str) -> list[tuple[str, str]]:
    """Every table and view of the schemas matching a LIKE pattern, as the owner sees."""
    with team.warehouse.connect() as connection:
        return connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema like %s order by 1, 2",
            [schema_pattern],
        ).fetchall()


def test_a_role_that_does_not_exist_is_skipped(team):
    first, second = team.publications
    assert first.access.granted == ("idream_analyst", "idream_analyst_idream")
    assert first.access.missing == ()
    assert second.access.granted == ("idream_analyst",)
    assert second.access.missing == ("idream_analyst_paralegal",)


def test_the_analyst_role_reads_every_programmes_rows_of_every_table(team):
    with login(team, "ada") as ada:
        assert counts_by_programme(ada, "marts", team.warehouse.tables) == expected_counts(
            team.warehouse, ("idream", "paralegal")
        )


def test_a_programme_role_reads_its_programmes_rows_only_even_when_it_asks_for_others(
    team,
):
    with login(team, "ben") as ben:
        assert counts_by_programme(ben, "marts", team.warehouse.tables) == expected_counts(
            team.warehouse, ("idream",)
        )
        for table in team.warehouse.tables:
            others = ben.execute(
                sql.SQL("select count(*) from {} where programme_id <> 'idream'").format(
                    sql.Identifier("marts", table)
                )
            ).fetchone()[0]
            assert others == 0, table


@pytest.mark.parametrize("person", ["ada", "ben", "cy"])
def test_no_reader_reads_raw_reference_staging_intermediate_restricted_or_build_schemas(
    team, person
):
    closed = [r for schema in UNPUBLISHED_SCHEMAS for r in relations(team, schema)]
    closed += relations(team, "build\\_%")
    schemas = {schema for schema, _ in closed}
    # The sample's landed tables, dbt's views, and both programmes' builds are all there.
    assert {"raw", "reference", "staging", "intermediate", "build_idream_marts"} <= schemas
    with login(team, person) as reader:
        for schema, table in closed:
            with pytest.raises(errors.InsufficientPrivilege):
                reader.execute(sql.SQL("select from {}").format(sql.Identifier(schema, table)))


def test_a_login_without_a_group_role_reads_no_mart(team):
    with login(team, "cy") as cy, pytest.raises(errors.InsufficientPrivilege):
        cy.execute(
            sql.SQL("select from {}").format(sql.Identifier("marts", team.warehouse.tables[0]))
        )


def test_readers_cannot_write_the_published_tables(team):
    for person in ("ada", "ben"):
        with login(team, person) as reader, pytest.raises(errors.InsufficientPrivilege):
            reader.execute(
                sql.SQL("delete from {}").format(sql.Identifier("marts", team.warehouse.tables[0]))
            )


def test_applying_access_again_changes_nothing_and_does_not_wait_for_readers(team):
    """A publish that changes no access takes no lock that an analyst's open query holds
    up (enabling security and creating policies would)."""
    catalog = (
        "select c.relname, array(select a::text from unnest(c.relacl) a order by 1), "
        "c.relrowsecurity, "
        "(select array_agg(policyname order by policyname) from pg_policies p "
        " where p.schemaname = 'marts' and p.tablename = c.relname) "
        "from pg_class c where c.relnamespace = 'marts'::regnamespace order by 1"
    )
    with team.warehouse.connect() as connection:
        before = connection.execute(catalog).fetchall()
        connection.commit()
    with login(team, "ada") as ada, team.warehouse.connect() as runner:
        ada.autocommit = False
        ada.execute(
            sql.SQL("select count(*) from {}").format(sql.Identifier("marts", "dim_cohorts"))
        )
        runner.execute("set lock_timeout = '2s'")
        apply_access(runner, ["idream", "paralegal"])
        runner.commit()
        after = runner.execute(catalog).fetchall()
        ada.rollback()
    assert after == before
    assert all(secured for _, _, secured, _ in after)


def add_paralegal_reader(team) -> None:
    """The second programme's group role, and `di`, who is granted it; once."""
    if "di" in team.passwords:
        return
    team.passwords["di"] = secrets.token_urlsafe(16)
    with superuser(team.warehouse.server, "postgres") as admin:
        admin.execute("create role idream_analyst_paralegal nologin")
        admin.execute(
            sql.SQL("create role di login password {} in role idream_analyst_paralegal").format(
                sql.Literal(team.passwords["di"])
            )
        )


def test_a_programme_role_created_later_reads_its_rows_after_its_next_publish(team):
    add_paralegal_reader(team)
    # Nothing until a publish grants it (its programme's, or any other's).
    with login(team, "di") as di, pytest.raises(errors.InsufficientPrivilege):
        di.execute(sql.SQL("select from {}").format(sql.Identifier("marts", "dim_cohorts")))
    with team.warehouse.connect() as connection:
        publication = publish_programme(connection, "paralegal", build_schema("paralegal", "marts"))
    assert "idream_analyst_paralegal" in publication.access.granted
    with login(team, "di") as di:
        assert counts_by_programme(di, "marts", team.warehouse.tables) == expected_counts(
            team.warehouse, ("paralegal",)
        )


def test_a_table_rebuilt_by_one_programme_keeps_the_other_programmes_policy(team):
    """A changed column rebuilds the table, and its policies go with the old one: the
    programmes whose rows it carried get theirs back in the same transaction."""
    add_paralegal_reader(team)
    table = team.warehouse.tables[-1]
    with team.warehouse.connect() as connection:
        publish_programme(connection, "paralegal", build_schema("paralegal", "marts"))
        connection.execute("create schema build_idream_wider")
        for name in team.warehouse.tables:
            connection.execute(
                sql.SQL("create table {} as select * from {}").format(
                    sql.Identifier("build_idream_wider", name),
                    sql.Identifier("build_idream_marts", name),
                )
            )
        connection.execute(
            sql.SQL("alter table {} add column reviewed boolean").format(
                sql.Identifier("build_idream_wider", table)
            )
        )
        connection.commit()
        publication = publish_programme(connection, "idream", "build_idream_wider")
    assert [t.name for t in publication.tables if t.rebuilt] == [table]
    for person, programmes in (
        ("ada", ("idream", "paralegal")),
        ("ben", ("idream",)),
        ("di", ("paralegal",)),
    ):
        with login(team, person) as reader:
            counts = counts_by_programme(reader, "marts", [table])
            assert counts == {table: expected_counts(team.warehouse, programmes)[table]}, person


def test_access_applied_before_anything_is_published_opens_nothing(
    team, sample_run, postgres_server, tmp_path
):
    """An administrator may apply access to a new warehouse by hand: no `marts` yet, so
    nothing to grant, and no error."""
    fresh = team_warehouse(sample_run, postgres_server, tmp_path, "team_unpublished")
    with fresh.connect() as connection:
        applied = apply_access(connection, ["idream"])
    assert applied.granted == ("idream_analyst", "idream_analyst_idream")
    with psycopg.connect(
        host=str(postgres_server.socket_dir),
        port=postgres_server.port,
        user="ada",
        dbname="team_unpublished",
        password=team.passwords["ada"],
    ) as ada:
        assert ada.execute("select to_regnamespace('marts')").fetchone()[0] is None
        with pytest.raises(errors.InsufficientPrivilege):
            ada.execute("select from raw.survey_answers")
