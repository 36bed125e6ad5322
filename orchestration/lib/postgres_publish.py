"""Publishing one programme's marts into the team warehouse on PostgreSQL.

A programme's run builds in schemas of its own (lib/postgres_layout.py names them:
`build_<programme_id>_marts` and the like), which nobody else reads. Publishing then
copies its marts into the shared `marts` schema, which holds every programme's rows side
by side, told apart by `programme_id`. All of it happens in one transaction: readers keep
seeing the programme's previous rows until the commit, then its new rows, never a mix
(MVCC); a publish killed half-way is rolled back by the server, and the previous rows stay
whole. Another programme's rows are never deleted or changed.

Publishes take one advisory lock for the length of their transaction, so two programmes'
publishes (and their `create table`s) queue instead of colliding; a publish lasts as long
as copying one programme's marts.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql

from orchestration.lib.postgres_access import AccessApplied, apply_access
from orchestration.lib.postgres_layout import (
    PROGRAMME_COLUMN,
    PUBLISH_LOCK,
    PUBLISHED_SCHEMA,
    check_programme_id,
)

CLIENT_CHECK = "1s"
# A rebuilt table is filled under this name, then takes the old one's place.
_REBUILD_NAME = "_idream_rebuild"


class PublishError(Exception):
    """The build cannot be published as it is; nothing was changed."""


@dataclass(frozen=True)
class PublishedTable:
    """One published table after a programme's publish: its rows of this programme, and
    whether the table was created, or rebuilt because its columns changed (`carried`: the
    other programmes' rows kept in it), or had the programme's rows withdrawn because its
    build no longer makes it."""

    name: str
    rows: int
    created: bool = False
    rebuilt: bool = False
    carried: int = 0
    withdrawn: bool = False


@dataclass(frozen=True)
class Publication:
    programme_id: str
    tables: tuple[PublishedTable, ...]
    access: AccessApplied


# A column as the catalog writes its type (format_type): `character varying`, `bigint`,
# `numeric(10,2)`. The published copy keeps names and types, not the build's constraints:
# dbt's contracts hold them in the build, and a copy never adds a row the build refused.
Column = tuple[str, str]

_COLUMNS = """
select c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where n.nspname = %s and c.relkind in ('r', 'p')
order by c.relname, a.attnum
"""


def table_columns(connection: psycopg.Connection, schema: str) -> dict[str, tuple[Column, ...]]:
    """Every table of `schema` and its columns in order; {} if there is no such schema."""
    tables: dict[str, list[Column]] = {}
    for table, column, kind in connection.execute(_COLUMNS, [schema]).fetchall():
        tables.setdefault(table, []).append((column, kind))
    return {table: tuple(columns) for table, columns in tables.items()}


def publish_programme(
    connection: psycopg.Connection,
    programme_id: str,
    build_schema: str,
    published_schema: str = PUBLISHED_SCHEMA,
) -> Publication:
    """Replace `programme_id`'s rows in every table of `published_schema` with its build's,
    and apply the roles' access (lib/postgres_access.py), in one transaction: committed at
    the end, or inside the caller's own transaction if one is open (a savepoint then, and
    the caller's commit publishes)."""
    check_programme_id(programme_id)
    with connection.transaction():
        # A killed publisher's server process would otherwise go on until its statement
        # ends (a long copy, or a wait for a reader's lock), holding the publish lock; it
        # checks its client every second instead, and rolls back when it is gone (Linux).
        connection.execute(
            "select set_config('client_connection_check_interval', %s, true)", [CLIENT_CHECK]
        )
        connection.execute("select pg_advisory_xact_lock(%s)", [PUBLISH_LOCK])
        build = table_columns(connection, build_schema)
        if not build:
            raise PublishError(f"the build schema {build_schema} has no tables to publish")
        _check_build(connection, programme_id, build_schema, build)
        connection.execute(
            sql.SQL("create schema if not exists {}").format(sql.Identifier(published_schema))
        )
        published = table_columns(connection, published_schema)
        tables = [
            _publish_table(
                connection,
                programme_id,
                build_schema,
                published_schema,
                table,
                columns,
                published.get(table),
            )
            for table, columns in sorted(build.items())
        ]
        for table in sorted(set(published) - set(build)):
            if any(name == PROGRAMME_COLUMN for name, _ in published[table]):
                _delete_rows(connection, published_schema, table, programme_id)
                tables.append(PublishedTable(table, 0, withdrawn=True))
        # The programmes whose rows a rebuilt table carried: their policies went with the
        # old table. Every other table kept its policies.
        carried = _carried_programmes(connection, published_schema, tables)
        access = apply_access(connection, sorted({programme_id, *carried}), published_schema)
    return Publication(programme_id, tuple(tables), access)


def _check_build(
    connection: psycopg.Connection,
    programme_id: str,
    build_schema: str,
    build: dict[str, tuple[Column, ...]],
) -> None:
    """Every build table has the programme's column and only the programme's rows: a
    row of another programme would be published under this one and never deleted."""
    for table, columns in sorted(build.items()):
        if PROGRAMME_COLUMN not in (name for name, _ in columns):
            raise PublishError(
                f"{build_schema}.{table} has no {PROGRAMME_COLUMN} column, so its rows "
                "cannot be told apart from other programmes' once published"
            )
        stray = connection.execute(
            sql.SQL("select exists (select from {} where {} is distinct from %s)").format(
                sql.Identifier(build_schema, table), sql.Identifier(PROGRAMME_COLUMN)
            ),
            [programme_id],
        ).fetchone()[0]
        if stray:
            raise PublishError(
                f"{build_schema}.{table} holds rows of a programme other than {programme_id}"
            )


def _publish_table(
    connection: psycopg.Connection,
    programme_id: str,
    build_schema: str,
    published_schema: str,
    table: str,
    columns: tuple[Column, ...],
    published_columns: tuple[Column, ...] | None,
) -> PublishedTable:
    target = sql.Identifier(published_schema, table)
    created = published_columns is None
    rebuilt = not created and published_columns != columns
    carried = 0
    if created:
        _create(connection, target, columns)
    elif rebuilt:
        carried = _rebuild(
            connection, programme_id, published_schema, table, columns, published_columns
        )
    else:
        _delete_rows(connection, published_schema, table, programme_id)
    names = sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns)
    rows = connection.execute(
        sql.SQL("insert into {} ({}) select {} from {}").format(
            target, names, names, sql.Identifier(build_schema, table)
        )
    ).rowcount
    return PublishedTable(table, rows, created=created, rebuilt=rebuilt, carried=carried)


def _create(connection: psycopg.Connection, name: sql.Identifier, columns) -> None:
    # The types are the catalog's own spelling of the build's (format_type), not input.
    definition = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(column), sql.SQL(kind)) for column, kind in columns
    )
    connection.execute(sql.SQL("create table {} ({})").format(name, definition))


def _rebuild(
    connection: psycopg.Connection,
    programme_id: str,
    schema: str,
    table: str,
    columns: tuple[Column, ...],
    old_columns: tuple[Column, ...],
) -> int:
    """The published table with the build's new columns, keeping the other programmes'
    rows until their own next publish: their values in the columns both have with the same
    type, null in the others. Returns how many rows were kept."""
    replacement = sql.Identifier(schema, _REBUILD_NAME)
    connection.execute(sql.SQL("drop table if exists {}").format(replacement))
    _create(connection, replacement, columns)
    kept = [name for name, kind in columns if (name, kind) in set(old_columns)]
    carried = 0
    if PROGRAMME_COLUMN in kept:
        names = sql.SQL(", ").join(sql.Identifier(name) for name in kept)
        carried = connection.execute(
            sql.SQL("insert into {} ({}) select {} from {} where {} <> %s").format(
                replacement,
                names,
                names,
                sql.Identifier(schema, table),
                sql.Identifier(PROGRAMME_COLUMN),
            ),
            [programme_id],
        ).rowcount
    # Readers of the old table wait for the commit (drop takes an exclusive lock), then
    # read the new one: they look its name up again once the lock is theirs.
    connection.execute(sql.SQL("drop table {}").format(sql.Identifier(schema, table)))
    connection.execute(
        sql.SQL("alter table {} rename to {}").format(replacement, sql.Identifier(table))
    )
    return carried


def _delete_rows(
    connection: psycopg.Connection, schema: str, table: str, programme_id: str
) -> None:
    connection.execute(
        sql.SQL("delete from {} where {} = %s").format(
            sql.Identifier(schema, table), sql.Identifier(PROGRAMME_COLUMN)
        ),
        [programme_id],
    )


def _carried_programmes(
    connection: psycopg.Connection, schema: str, tables: list[PublishedTable]
) -> set[str]:
    carried: set[str] = set()
    for table in tables:
        if table.carried:
            carried.update(
                row[0]
                for row in connection.execute(
                    sql.SQL("select distinct {} from {} where {} is not null").format(
                        sql.Identifier(PROGRAMME_COLUMN),
                        sql.Identifier(schema, table.name),
                        sql.Identifier(PROGRAMME_COLUMN),
                    )
                ).fetchall()
            )
    return carried
