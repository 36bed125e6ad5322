"""The run's build warehouse, wherever it is: the DuckDB build file, or a programme's build
schemas on the PostgreSQL team warehouse. The steps land, look up and read through this one
interface, so ingest, dbt's table metadata and publishing do not know which it is.

A layer (`raw`, `reference`, `restricted`, `marts`, ...) is a schema of its own on both: the
same name in the DuckDB file, `build_<programme_id>_<layer>` on PostgreSQL
(lib/postgres_layout.py). SQL that names a relation asks `table(layer, name)` for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import polars as pl

from orchestration.lib import warehouse
from orchestration.lib.postgres import WarehouseUrl
from orchestration.lib.quality.sql_text import identifier


def store_of(settings, key: str | None) -> BuildStore:
    """The build warehouse `settings` name: the URL's programme schemas, else the DuckDB
    file (`key`: its encryption key)."""
    if settings.warehouse_url is not None:
        assert settings.programme_id, "a PostgreSQL build belongs to one programme"
        return PostgresStore(settings.warehouse_url, settings.programme_id)
    return DuckDBStore(settings.build_database_path, key)


class BuildStore(Protocol):
    def schema(self, layer: str) -> str: ...

    def table(self, layer: str, name: str) -> str: ...

    def query(self, sql: str) -> pl.DataFrame: ...

    def landed_fingerprint(self, tables: list[str], layer: str) -> str | None: ...

    def replace_tables(
        self,
        tables: dict[str, pl.DataFrame],
        fingerprint: str,
        layer: str,
        restricted: dict[str, pl.DataFrame | None] | None = None,
    ) -> None: ...


@dataclass(frozen=True)
class DuckDBStore:
    """The build copy in `<warehouse>/.build/idream.duckdb` (lib/warehouse.py)."""

    path: Path
    key: str | None = None

    def schema(self, layer: str) -> str:
        return layer

    def table(self, layer: str, name: str) -> str:
        return f"{identifier(layer)}.{identifier(name)}"

    def query(self, sql: str) -> pl.DataFrame:
        return warehouse.query(self.path, sql, self.key)

    def landed_fingerprint(self, tables: list[str], layer: str) -> str | None:
        return warehouse.landed_fingerprint(self.path, tables, schema=layer, key=self.key)

    def replace_tables(self, tables, fingerprint, layer, restricted=None) -> None:
        warehouse.replace_tables(
            self.path, tables, fingerprint, schema=layer, restricted=restricted, key=self.key
        )


@dataclass(frozen=True)
class PostgresStore:
    """A programme's build schemas on the team warehouse. A connection per call: a step
    holds none between its uses, as with the DuckDB file."""

    url: WarehouseUrl
    programme_id: str

    def schema(self, layer: str) -> str:
        from orchestration.lib.postgres_layout import build_schema

        return build_schema(self.programme_id, layer)

    def table(self, layer: str, name: str) -> str:
        return f"{identifier(self.schema(layer))}.{identifier(name)}"

    def _connect(self):
        from orchestration.lib.postgres import connect

        return connect(self.url)

    def query(self, sql: str) -> pl.DataFrame:
        from orchestration.lib.postgres_frames import frame_of

        with self._connect() as connection:
            return frame_of(connection.execute(sql))

    def landed_fingerprint(self, tables: list[str], layer: str) -> str | None:
        from orchestration.lib import postgres_landing

        with self._connect() as connection:
            return postgres_landing.landed_fingerprint(connection, self.schema(layer), tables)

    def replace_tables(self, tables, fingerprint, layer, restricted=None) -> None:
        from orchestration.lib import postgres_landing

        with self._connect() as connection:
            postgres_landing.replace_tables(
                connection,
                self.schema(layer),
                tables,
                fingerprint,
                self.schema("restricted"),
                restricted,
            )
