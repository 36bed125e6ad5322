"""A DuckDB database in memory holding given tables, as a run's warehouse holds them."""

import duckdb
import polars as pl


def duckdb_with(tables: dict[str, pl.DataFrame]) -> duckdb.DuckDBPyConnection:
    """`tables` by their `schema.table` names: tables, not views of the frames."""
    connection = duckdb.connect()
    for name, frame in tables.items():
        connection.execute(f"create schema if not exists {name.split('.')[0]}")
        connection.register("landed", frame)
        connection.execute(f"create table {name} as select * from landed")
        connection.unregister("landed")
    return connection
