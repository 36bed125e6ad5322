"""Where `idream check`'s raw-level suites find the tables ingest read: an in-memory DuckDB
whose `raw` schema has a view per table, over the frame of a small table or over the
Parquet parts the survey's two long tables were spilled to. A survey of a million
responses is never whole in Python's memory (issue 17), and the suites' SQL is a run's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from orchestration.lib.quality.sql_text import literal
from orchestration.lib.spilled import SpilledTable

# A cap, not a tuning: at a million responses the check's peak is ingest's, whatever this
# limit (256 MB to 16 GB, docs/performance.md). Without one an in-memory DuckDB may take
# 80% of the machine's memory; beyond it, it writes to the check's temporary folder.
MEMORY_LIMIT = "512MB"


@contextmanager
def raw_tables(
    tables: dict[str, pl.DataFrame | SpilledTable], workspace: Path
) -> Iterator[duckdb.DuckDBPyConnection]:
    """`raw.<name>` for each of `tables`, read where it is. DuckDB's spill files go under
    `workspace` (an in-memory database's default is `.tmp` in the working folder, which
    the check must not write to) and are gone when the connection closes."""
    config = {"temp_directory": str(workspace / "duckdb"), "memory_limit": MEMORY_LIMIT}
    with duckdb.connect(config=config) as connection:
        connection.execute("create schema raw")
        for name, table in tables.items():
            if isinstance(table, SpilledTable):
                # A view's text cannot hold prepared parameters: the paths are quoted in.
                parts = ", ".join(literal(str(path)) for path in table.parts)
                source = f"read_parquet([{parts}])"
            else:
                connection.register(f"raw__{name}", table)
                source = f"raw__{name}"
            connection.execute(f"create view raw.{name} as select * from {source}")
        yield connection
