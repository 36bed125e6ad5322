"""Who reads what in the team warehouse on PostgreSQL, applied by every publish.

An administrator creates the roles once (docs/team-warehouse.md); a role that does not
exist is skipped. `idream_analyst` reads every programme's rows of every table in `marts`;
`idream_analyst_<programme_id>` reads the same tables, but row-level security shows it its
programme's rows only. Neither reads anything in `raw`, `reference`, `staging`,
`intermediate`, `restricted` or a programme's build schemas.

Row-level security is enabled on every published table whether or not the roles exist
(a table without a policy for a role shows that role no rows): a programme role granted
SELECT by hand never sees every programme's rows by mistake. The tables' owner, the role
runs connect as, is not subject to it (PostgreSQL exempts owners unless FORCE is set):
the pipeline reads every programme's rows.

Statements that lock a table against readers (enabling row-level security, creating a
policy) are issued only when missing, so a publish that changes no access does not wait
for, or hold up, analysts' queries. Grants and revokes take no such lock.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql

from orchestration.lib.postgres_layout import (
    ANALYST_ROLE,
    BUILD_PREFIX,
    PROGRAMME_COLUMN,
    PUBLISH_LOCK,
    PUBLISHED_SCHEMA,
    UNPUBLISHED_SCHEMAS,
    programme_role,
)


@dataclass(frozen=True)
class AccessApplied:
    """The roles given access, and those skipped because they do not exist."""

    granted: tuple[str, ...]
    missing: tuple[str, ...]


def reader_roles(programme_ids: list[str] | tuple[str, ...]) -> dict[str, str | None]:
    """The roles that read the published schema, each with the programme whose rows it
    may see (None: every programme's)."""
    return {ANALYST_ROLE: None} | {programme_role(id_): id_ for id_ in programme_ids}


def apply_access(
    connection: psycopg.Connection,
    programme_ids: list[str] | tuple[str, ...],
    published_schema: str = PUBLISHED_SCHEMA,
) -> AccessApplied:
    """Grants and policies for the analyst role and the given programmes' roles, those that
    exist; idempotent. In the caller's transaction, if one is open."""
    wanted = reader_roles(programme_ids)
    with connection.transaction():
        # Taken again by a publish's own call: advisory locks are re-entrant.
        connection.execute("select pg_advisory_xact_lock(%s)", [PUBLISH_LOCK])
        return _apply(connection, wanted, published_schema)


def _apply(
    connection: psycopg.Connection, wanted: dict[str, str | None], published_schema: str
) -> AccessApplied:
    existing = {
        row[0]
        for row in connection.execute(
            "select rolname from pg_roles where rolname = any(%s)", [list(wanted)]
        ).fetchall()
    }
    readers = [role for role in wanted if role in existing]
    _close_unpublished(connection, readers)
    # Before the first publish there is nothing to open.
    if connection.execute("select to_regnamespace(%s)", [published_schema]).fetchone()[0]:
        _open_published(connection, published_schema, readers)
        _apply_policies(connection, published_schema, {r: wanted[r] for r in readers})
    return AccessApplied(
        granted=tuple(readers), missing=tuple(role for role in wanted if role not in existing)
    )


def _grantees(readers: list[str]) -> sql.Composable:
    return sql.SQL(", ").join([sql.SQL("public"), *(sql.Identifier(r) for r in readers)])


def _close_unpublished(connection: psycopg.Connection, readers: list[str]) -> None:
    """Nothing for anyone (PUBLIC included) in the schemas analysts never read: undoes a
    grant made by hand, and PUBLIC's default privileges."""
    schemas = [
        row[0]
        for row in connection.execute(
            "select nspname from pg_namespace where nspname = any(%s) "
            "or starts_with(nspname, %s) order by nspname",
            [list(UNPUBLISHED_SCHEMAS), BUILD_PREFIX],
        ).fetchall()
    ]
    for schema in schemas:
        name = sql.Identifier(schema)
        for statement in (
            "revoke all on schema {} from {}",
            "revoke all on all tables in schema {} from {}",
            "revoke all on all sequences in schema {} from {}",
            "revoke all on all functions in schema {} from {}",
        ):
            connection.execute(sql.SQL(statement).format(name, _grantees(readers)))


def _open_published(
    connection: psycopg.Connection, published_schema: str, readers: list[str]
) -> None:
    """USAGE on the schema and SELECT on its tables for the readers, nothing more; nothing
    for PUBLIC."""
    schema = sql.Identifier(published_schema)
    connection.execute(
        sql.SQL("revoke all on schema {} from {}").format(schema, _grantees(readers))
    )
    connection.execute(
        sql.SQL("revoke all on all tables in schema {} from {}").format(schema, _grantees(readers))
    )
    if not readers:
        return
    roles = sql.SQL(", ").join(sql.Identifier(r) for r in readers)
    connection.execute(sql.SQL("grant usage on schema {} to {}").format(schema, roles))
    connection.execute(
        sql.SQL("grant select on all tables in schema {} to {}").format(schema, roles)
    )


_TABLES = """
select c.relname, c.relrowsecurity,
       exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = %s
               and a.attnum > 0 and not a.attisdropped)
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = %s and c.relkind in ('r', 'p')
order by c.relname
"""


def _apply_policies(
    connection: psycopg.Connection, published_schema: str, readers: dict[str, str | None]
) -> None:
    """Row-level security on every published table, and each reader's policy: all rows
    for the analyst role, its programme's rows for a programme's role. A table without a
    programme column gets no programme policy: programme roles see none of its rows."""
    policies = {
        (table, policy)
        for table, policy in connection.execute(
            "select tablename, policyname from pg_policies where schemaname = %s",
            [published_schema],
        ).fetchall()
    }
    tables = connection.execute(_TABLES, [PROGRAMME_COLUMN, published_schema]).fetchall()
    for table, secured, has_programme in tables:
        name = sql.Identifier(published_schema, table)
        if not secured:
            connection.execute(sql.SQL("alter table {} enable row level security").format(name))
        for role, programme_id in readers.items():
            if (table, role) in policies or (programme_id is not None and not has_programme):
                continue
            rows = (
                sql.SQL("true")
                if programme_id is None
                else sql.SQL("{} = {}").format(
                    sql.Identifier(PROGRAMME_COLUMN), sql.Literal(programme_id)
                )
            )
            # Named after its role: one policy per role and table, found again by name.
            connection.execute(
                sql.SQL("create policy {} on {} for select to {} using ({})").format(
                    sql.Identifier(role), name, sql.Identifier(role), rows
                )
            )
