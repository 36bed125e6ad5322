"""A table ingest wrote to Parquet files instead of holding it in memory.

A survey of a million responses is 27 million answer rows: held as one frame, with every
export's frame beside it, ingest needed 6 GB. Each export's rows are written to a scratch
folder as soon as they are read and checked, and the warehouse lands them by reading the
files (`warehouse.replace_tables`). What the run reports of a landed table (its rows and
columns) a `SpilledTable` answers without reading it.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

# lz4: written and read faster than zstd, and the scratch files live for one step.
COMPRESSION = "lz4"


class SpillFolder:
    """A folder of Parquet parts, removed with the last table that reads it (or, after a
    killed run, by `warehouse.clean_scratch`)."""

    def __init__(self, scratch: Path):
        scratch.mkdir(parents=True, exist_ok=True)
        self._folder = tempfile.TemporaryDirectory(prefix="ingest-", dir=scratch)
        self.path = Path(self._folder.name)
        self._written = 0
        # Exports are read, and written here, several at a time (readers.read_each).
        self._lock = threading.Lock()

    def part(self, frame: pl.DataFrame, name: str) -> SpilledTable:
        """`frame` written as one Parquet part, named after `name`."""
        path = self._next_path(name)
        frame.write_parquet(path, compression=COMPRESSION, statistics=False)
        return SpilledTable((path,), frame.height, frame.schema, self)

    def part_of_slices(self, slices: Iterable[pl.DataFrame], name: str) -> SpilledTable:
        """One Parquet part of at least one frame of one schema, a row group each: only
        one slice is in memory at a time."""
        import pyarrow.parquet as parquet

        path = self._next_path(name)
        height, schema, writer = 0, None, None
        try:
            for frame in slices:
                table = frame.to_arrow()
                if writer is None:
                    schema = frame.schema
                    writer = parquet.ParquetWriter(
                        path, table.schema, compression=COMPRESSION, write_statistics=False
                    )
                writer.write_table(table)
                height += frame.height
        finally:
            if writer is not None:
                writer.close()
        assert schema is not None, "no slice to write"
        return SpilledTable((path,), height, schema, self)

    def _next_path(self, name: str) -> Path:
        # Parts are numbered as they are written; the order that counts is the tables'.
        with self._lock:
            self._written += 1
            return self.path / f"{name}.{self._written:05d}.parquet"

    def cleanup(self) -> None:
        self._folder.cleanup()


@dataclass(frozen=True)
class SpilledTable:
    """Parquet parts of one table, in order, all with `schema`; `height` rows in all.
    Holds its folder, so the files outlive every table that reads them and no longer."""

    parts: tuple[Path, ...]
    height: int
    schema: pl.Schema
    folder: SpillFolder

    @classmethod
    def stacked(cls, tables: Sequence[SpilledTable]) -> SpilledTable:
        """Tables of one folder and one schema as one, parts in the order given."""
        first = tables[0]
        assert all(table.schema == first.schema for table in tables), "parts disagree"
        return cls(
            tuple(path for table in tables for path in table.parts),
            sum(table.height for table in tables),
            first.schema,
            first.folder,
        )

    @property
    def columns(self) -> list[str]:
        return list(self.schema)

    def lazy(self) -> pl.LazyFrame:
        return pl.scan_parquet(list(self.parts))

    def collect(self) -> pl.DataFrame:
        """The whole table in memory: for small tables and tests only."""
        return self.lazy().collect()


def in_memory(table: pl.DataFrame | SpilledTable) -> pl.DataFrame:
    return table.collect() if isinstance(table, SpilledTable) else table
