"""Landing ingest's tables on PostgreSQL: the team warehouse's counterpart of
`warehouse.replace_tables` (DuckDB).

The same promise: several tables and the fingerprint of the inputs they were landed from
are replaced in one transaction, so a failure leaves all of them as they were; free text
goes to its own schema only when the programme keeps it. Rows travel by COPY, never as SQL
text built from their values; names are quoted by psycopg.sql.
"""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl
import psycopg
from psycopg import sql

from orchestration.lib.spilled import SpilledTable

LANDINGS_TABLE = "_landings"

# Polars' types as PostgreSQL names them. `varchar`, not `text`: the models' contracts
# declare varchar, and PostgreSQL keeps the two apart. Unsigned integers widen.
_TYPES: dict[type[pl.DataType], str] = {
    pl.String: "varchar",
    pl.Int8: "smallint",
    pl.Int16: "smallint",
    pl.Int32: "integer",
    pl.Int64: "bigint",
    pl.UInt8: "smallint",
    pl.UInt16: "integer",
    pl.UInt32: "bigint",
    pl.UInt64: "numeric(20)",
    pl.Float32: "real",
    pl.Float64: "double precision",
    pl.Boolean: "boolean",
    pl.Date: "date",
    # A column of nulls only (an empty optional column): varchar, as DuckDB lands it.
    pl.Null: "varchar",
}


def postgres_type(dtype: pl.DataType) -> str:
    """The PostgreSQL column type for a Polars column type; a clear error for any other."""
    if isinstance(dtype, pl.Datetime):
        return "timestamptz" if dtype.time_zone else "timestamp"
    for polars_type, name in _TYPES.items():
        if dtype == polars_type:
            return name
    raise ValueError(f"no PostgreSQL column type for Polars' {dtype}")


def replace_tables(
    connection: psycopg.Connection,
    schema: str,
    tables: dict[str, pl.DataFrame | SpilledTable],
    fingerprint: str,
    restricted_schema: str | None = None,
    restricted: dict[str, pl.DataFrame | None] | None = None,
) -> dict[str, int]:
    """Replace `tables` in `schema` and record `fingerprint` for each, in one transaction;
    the rows landed per table. `restricted` tables (free text) go to `restricted_schema`;
    a None drops the table there. The connection must not be inside a transaction."""
    landed: dict[str, int] = {}
    with connection.transaction():
        _create_schema(connection, schema)
        connection.execute(
            sql.SQL(
                "create table if not exists {} (table_name varchar primary key, "
                "fingerprint varchar not null, landed_at timestamptz)"
            ).format(sql.Identifier(schema, LANDINGS_TABLE))
        )
        for name, frame in (restricted or {}).items():
            assert restricted_schema, "restricted tables need a restricted schema"
            if frame is None:
                connection.execute(
                    sql.SQL("drop table if exists {} cascade").format(
                        sql.Identifier(restricted_schema, name)
                    )
                )
                continue
            _create_schema(connection, restricted_schema)
            _replace(connection, restricted_schema, name, frame)
        for name, frame in tables.items():
            landed[name] = _replace(connection, schema, name, frame)
            connection.execute(
                sql.SQL(
                    "insert into {} values (%s, %s, now()) on conflict (table_name) "
                    "do update set fingerprint = excluded.fingerprint, landed_at = now()"
                ).format(sql.Identifier(schema, LANDINGS_TABLE)),
                [name, fingerprint],
            )
    return landed


def landed_fingerprint(
    connection: psycopg.Connection, schema: str, tables: list[str]
) -> str | None:
    """The fingerprint all of `tables` were last landed from, or None (never, or not alike)."""
    exists = connection.execute(
        "select count(*) from information_schema.tables where table_schema = %s "
        "and table_name = %s",
        [schema, LANDINGS_TABLE],
    ).fetchone()[0]
    if not exists:
        return None
    rows = connection.execute(
        sql.SQL("select table_name, fingerprint from {}").format(
            sql.Identifier(schema, LANDINGS_TABLE)
        )
    ).fetchall()
    found = {name: fingerprint for name, fingerprint in rows if name in tables}
    prints = set(found.values())
    return prints.pop() if len(found) == len(tables) and len(prints) == 1 else None


def _create_schema(connection: psycopg.Connection, schema: str) -> None:
    connection.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))


def _replace(
    connection: psycopg.Connection, schema: str, name: str, frame: pl.DataFrame | SpilledTable
) -> int:
    table = sql.Identifier(schema, name)
    write_table(connection, table, frame)
    # Statistics now, not when autovacuum gets to it: dbt builds on these tables next, and
    # the planner's guesses for a table it has never analysed can turn a join into a
    # nested loop over every pair of rows.
    connection.execute(sql.SQL("analyze {}").format(table))
    return frame.height


def write_table(
    connection: psycopg.Connection,
    table: sql.Identifier,
    frame: pl.DataFrame | SpilledTable,
    temporary: bool = False,
) -> None:
    """`table` made anew with `frame`'s columns and filled with its rows by COPY;
    `temporary`: a table of this session only."""
    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(column), sql.SQL(postgres_type(dtype)))
        for column, dtype in frame.schema.items()
    )
    kind = sql.SQL("temporary table" if temporary else "table")
    # Cascade: a programme's second run lands its raw tables again under dbt's staging
    # views of the first (PostgreSQL refuses to drop a table a view depends on); the run's
    # `dbt build` makes every view anew after the landing.
    connection.execute(sql.SQL("drop table if exists {} cascade").format(table))
    connection.execute(sql.SQL("create {} {} ({})").format(kind, table, columns))
    names = sql.SQL(", ").join(sql.Identifier(column) for column in frame.columns)
    with connection.cursor().copy(sql.SQL("copy {} ({}) from stdin").format(table, names)) as copy:
        for batch in _batches(frame):
            for row in batch.iter_rows():
                copy.write_row(row)


def _batches(table: pl.DataFrame | SpilledTable) -> Iterator[pl.DataFrame]:
    """The rows in order; a spilled table's a Parquet row group at a time, so that a survey
    of millions of answers is never whole in memory on its way to the server."""
    if not isinstance(table, SpilledTable):
        yield table
        return
    import pyarrow.parquet as parquet

    for path in table.parts:
        with parquet.ParquetFile(path) as part:
            for group in range(part.num_row_groups):
                yield pl.from_arrow(part.read_row_group(group))
