"""The connection a run's suites are evaluated on, for either build warehouse: DuckDB's own,
or a PostgreSQL one behind the same three calls the evaluation makes (`execute` giving a
cursor with `description`, `fetchone`, `fetchall` and `pl`).
The suites' SQL is the same on both (relations.py); only where the tables are differs
(`relations.Schemas`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import polars as pl

from orchestration.lib import warehouse
from orchestration.lib.build_store import BuildStore, DuckDBStore, PostgresStore
from orchestration.lib.quality.relations import Schemas
from orchestration.lib.quality.sql_text import identifier


class _Rows:
    """A psycopg cursor with DuckDB's `pl()`."""

    def __init__(self, cursor):
        self._cursor = cursor
        self.description = cursor.description

    def fetchone(self):
        return self._cursor.fetchone()

    def fetchall(self):
        return self._cursor.fetchall()

    def pl(self) -> pl.DataFrame:
        from orchestration.lib.postgres_frames import frame_of

        return frame_of(self._cursor)


class PostgresSession:
    """A psycopg connection in autocommit, so that a rule the server refuses fails alone
    (in one transaction it would abort every rule after it)."""

    def __init__(self, connection):
        self._connection = connection

    def execute(self, sql: str) -> _Rows:
        return _Rows(self._connection.execute(sql))


def reader(connection, schemas: Schemas):
    """A `ReadTable` over `connection` (DuckDB's, or `PostgresSession`): a layer's table
    (`raw.survey_codebook`) as a frame, read where `schemas` put the layer."""

    def read(table: str) -> pl.DataFrame:
        layer, _, name = table.partition(".")
        relation = f"{getattr(schemas, layer)}.{identifier(name)}"
        return connection.execute(f"select * from {relation}").pl()

    return read


def schemas_of(store: BuildStore) -> Schemas:
    """Where the suites' layers are in `store`, as SQL names."""
    if isinstance(store, DuckDBStore):
        return Schemas()
    return Schemas(raw=identifier(store.schema("raw")), marts=identifier(store.schema("marts")))


@contextlib.contextmanager
def session(store: BuildStore) -> Iterator:
    """A read connection to the build warehouse: DuckDB's read-only one, or PostgreSQL's."""
    if isinstance(store, PostgresStore):
        from orchestration.lib.postgres import connect

        with connect(store.url, autocommit=True) as connection:
            yield PostgresSession(connection)
        return
    assert isinstance(store, DuckDBStore)
    with warehouse.connect(store.path, read_only=True, key=store.key) as connection:
        yield connection
