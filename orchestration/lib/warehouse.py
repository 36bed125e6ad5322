"""The DuckDB files: the build copy every run writes, and the published one analysts read.

DuckDB allows one writer, and a reader blocks it. So a run never writes the file analysts
have open: it builds in `<warehouse>/.build/`, and only a run that passed every step
replaces `<warehouse>/idream.duckdb` (and `<warehouse>/brief/`) with an atomic rename.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import duckdb
import polars as pl

RAW_SCHEMA = "raw"


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only)


def replace_tables(path: Path, tables: dict[str, pl.DataFrame], schema: str = RAW_SCHEMA) -> None:
    """Replace several tables in one transaction: a failure leaves all of them as they were."""
    with connect(path) as connection:
        connection.execute(f'create schema if not exists "{schema}"')
        connection.execute("begin transaction")
        try:
            for name, frame in tables.items():
                connection.register("landing_frame", frame)
                connection.execute(
                    f'create or replace table "{schema}"."{name}" as select * from landing_frame'
                )
                connection.unregister("landing_frame")
            connection.execute("commit")
        except BaseException:
            connection.execute("rollback")
            raise


def query(path: Path, sql: str) -> pl.DataFrame:
    with connect(path, read_only=True) as connection:
        return connection.execute(sql).pl()


def publish_database(build_path: Path, published_path: Path) -> None:
    """Copy the finished build over the published warehouse in one atomic rename.

    The copy is checkpointed first so the file holds everything (no write-ahead log),
    and fsynced before the rename so a crash cannot publish a half-written file.
    """
    with connect(build_path) as connection:
        connection.execute("checkpoint")
    staged = published_path.with_name(f".{published_path.name}.{uuid.uuid4().hex}.tmp")
    try:
        shutil.copyfile(build_path, staged)
        _fsync(staged)
        os.replace(staged, published_path)
    finally:
        staged.unlink(missing_ok=True)
    _fsync_dir(published_path.parent)


def publish_folder(staged_dir: Path, published_dir: Path) -> None:
    """Swap a fully written folder into place; the old one is removed only afterwards."""
    retired = published_dir.with_name(f".{published_dir.name}.{uuid.uuid4().hex}.old")
    if published_dir.exists():
        os.replace(published_dir, retired)
    os.replace(staged_dir, published_dir)
    _fsync_dir(published_dir.parent)
    shutil.rmtree(retired, ignore_errors=True)


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
